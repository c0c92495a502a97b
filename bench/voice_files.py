"""Voice-in on labelled WAV files: python bench/voice_files.py MANIFEST.json [--json]

Scores recordings or renders made elsewhere (voices this machine cannot make, real people)
as the CLI hears them: `listen_files`, each file judged at idle and on its own. MANIFEST is a
JSON list of {"file": path, "voice": name, "kind": "command" | "chatter" | "word", "intent":
the intent a command means, null otherwise}. Prints command accuracy per voice and overall,
false accepts per kind, and every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audio.listen import listen_files  # noqa: E402


def score(manifest: list[dict[str, object]]) -> dict[str, object]:
    """Accuracy per voice and overall, false accepts per kind, and the misses."""
    rows = listen_files([str(item["file"]) for item in manifest])
    right: dict[str, list[bool]] = defaultdict(list)
    obeyed: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for item, row in zip(manifest, rows, strict=True):
        if item["kind"] == "command":
            ok = row["intent"] == item["intent"]
            right[str(item["voice"])].append(ok)
        else:
            ok = row["intent"] is None
            obeyed[str(item["kind"])].append(not ok)
        if not ok:
            misses.append({"voice": item["voice"], "text": item.get("text"),
                           "want": item.get("intent"), "got": row["intent"],
                           "heard": row["text"], "error": row.get("error")})
    every = [ok for oks in right.values() for ok in oks]
    return {"accuracy": round(100 * sum(every) / max(1, len(every)), 1),
            "commands": len(every),
            "per_voice": {v: f"{sum(oks)}/{len(oks)}" for v, oks in sorted(right.items())},
            "false_accepts": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(obeyed.items())},
            "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON line")
    args = parser.parse_args()
    report = score(json.loads(args.manifest.read_text(encoding="utf-8")))
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
