"""Which speech models are installed, and how to get the small English vosk model."""

from __future__ import annotations

import os
from pathlib import Path

VOSK_EN_MODEL = "vosk-model-small-en-us-0.15"
"""The English vosk model we recommend for a Pi (about 40 MB)."""
VOSK_EN_URL = f"https://alphacephei.com/vosk/models/{VOSK_EN_MODEL}.zip"
"""Where it is published."""
VOSK_EN_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
"""SHA-256 of that zip (41,205,931 bytes), as pinned by several independent projects that
download it; a file that differs is not the model we describe."""
VOSK_SEARCH_DIRS = ("~/.cache/vosk", "/usr/share/vosk/models", "/usr/local/share/vosk/models",
                    "/opt/vosk/models")
"""Standard places searched for vosk models, in order; $VOSK_MODEL_PATH comes first."""


def is_vosk_model(path: Path) -> bool:
    """A vosk model directory has am/ and conf/."""
    return (path / "am").is_dir() and (path / "conf").is_dir()


def vosk_models() -> list[Path]:
    """Every vosk model directory in the standard places."""
    found: list[Path] = []
    env = os.environ.get("VOSK_MODEL_PATH")
    for base in ([env] if env else []) + list(VOSK_SEARCH_DIRS):
        root = Path(base).expanduser()
        if is_vosk_model(root):
            found.append(root)
        elif root.is_dir():
            found += sorted(p for p in root.iterdir() if p.is_dir() and is_vosk_model(p))
    return found


def find_vosk_model() -> str | None:
    """The first English vosk model found ("-en" in its name), or None."""
    for path in vosk_models():
        if "-en" in path.name or path.name.startswith("en"):
            return str(path)
    return None


def models_report() -> str:
    """Human-readable: installed engines and models, and how to fetch the English vosk model."""
    from importlib.metadata import version

    import pocketsphinx

    lines = ["Speech recognition models", ""]
    ps_model = Path(pocketsphinx.get_model_path()) / "en-us"
    lines.append(f"pocketsphinx {version('pocketsphinx')}: bundled US-English "
                 f"model {'found' if ps_model.is_dir() else 'MISSING'} at {ps_model}")
    try:
        import vosk  # noqa: F401

        vosk_ok = "installed"
    except ImportError:
        vosk_ok = "NOT installed (pip install vosk==0.3.45)"
    lines.append(f"vosk: {vosk_ok}")
    models = vosk_models()
    for path in models:
        lines.append(f"  vosk model: {path}")
    english = find_vosk_model()
    default = f"vosk ({english})" if english else "pocketsphinx"
    lines.append(f"engine used by default: {default}")
    if not english:
        lines += [
            "",
            f"No English vosk model. On a networked Pi, fetch {VOSK_EN_MODEL}:",
            "  mkdir -p ~/.cache/vosk && cd ~/.cache/vosk",
            f"  curl -fLO {VOSK_EN_URL}",
            f"  echo '{VOSK_EN_SHA256}  {VOSK_EN_MODEL}.zip' | sha256sum -c",
            "      (must print OK; otherwise delete the zip: it is damaged or not that model)",
            f"  unzip {VOSK_EN_MODEL}.zip && rm {VOSK_EN_MODEL}.zip",
            f"  ls ~/.cache/vosk/{VOSK_EN_MODEL}/am ~/.cache/vosk/{VOSK_EN_MODEL}/conf",
            "Then `hinge-coach models` lists it and vosk becomes the default engine.",
            "Or set VOSK_MODEL_PATH to a model directory (one with am/ and conf/).",
        ]
    return "\n".join(lines)
