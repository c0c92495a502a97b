"""The workout: the coach state machine, its runtimes (simulated and live) and the CLI."""
