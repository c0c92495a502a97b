"""How long a 20-minute coached workout takes in simulation (virtual clock).

    python bench/workout.py [--repeats 5] [--hear voice|text] [--json]

Runs the real coach, rep detector and intent parser over a scripted workout of 8 sets of 12
reps with 90 s rests (about 20 virtual minutes, ~24,000 sensor readings) and prints the wall
time next to the obvious alternative, playing it out in real time, as a speed-up ratio. By
default the spoken lines are rendered and recognised, as `hinge-coach simulate` does.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time

from assistant.config import load_config
from assistant.scenario import RepsStep, SayStep, Step
from assistant.wiring import HEARINGS, build_simulation

SETS, REPS, REST_S = 8, 12, 90
DOWN_S, PAUSE_S, UP_S = 2.5, 1.0, 1.5


def workout_scenario() -> list[Step]:
    steps: list[Step] = [SayStep(2.0, "start romanian deadlifts, eight sets of twelve"),
                         SayStep(40.0, "ready")]
    t = 42.0
    set_s = REPS * (0.6 + DOWN_S + PAUSE_S + UP_S) + 1.0
    for _ in range(SETS):
        steps.append(RepsStep(t, REPS, DOWN_S, PAUSE_S, UP_S, "wall"))
        steps.append(SayStep(t + set_s / 2, "how many left"))
        t += set_s + REST_S + 3.0
    return steps


def run_once(hearing: str) -> tuple[float, dict[str, object], int]:
    simulation = build_simulation(load_config(None), hearing)
    started = time.perf_counter()
    lines = list(simulation.run(workout_scenario()))
    elapsed = time.perf_counter() - started
    return elapsed, lines[-1], len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hear", choices=HEARINGS, default="voice")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    run_once(args.hear)  # warm up imports and caches
    runs = [run_once(args.hear) for _ in range(args.repeats)]
    wall_s = statistics.median(r[0] for r in runs)
    summary, lines = runs[0][1], runs[0][2]
    virtual_s = float(summary["t"])  # type: ignore[arg-type]
    figures = {
        "virtual_s": round(virtual_s, 1),
        "wall_s_median": round(wall_s, 3),
        "wall_s_min": round(min(r[0] for r in runs), 3),
        "speedup_vs_real_time": round(virtual_s / wall_s),
        "hearing": args.hear,
        "reps_counted": summary["reps"],
        "json_lines": lines,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"20-minute workout ({SETS} sets x {REPS} reps, {REST_S} s rest): "
          f"{virtual_s / 60:.1f} virtual minutes, {summary['reps']} reps counted, "
          f"lines heard by {args.hear}")
    print(f"  simulation wall time: median {wall_s * 1000:.0f} ms over {args.repeats} runs "
          f"(min {figures['wall_s_min'] * 1000:.0f} ms)")
    print(f"  vs. playing it out in real time: {figures['speedup_vs_real_time']}x faster")
    print(f"  {lines} JSON lines, peak RSS {figures['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
