"""`python -m assistant` is the `hinge-coach` command."""

from assistant.cli import main

raise SystemExit(main())
