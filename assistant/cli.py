"""The `hinge-coach` command: one subcommand per job, every failure a one-line message."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.config import (
    Config,
    ConfigError,
    default_config_path,
    default_config_toml,
    load_config,
)
from assistant.logs import setup_logging
from assistant.paths import calibration_path
from assistant.scenario import ScenarioError, load_scenario, parse_scenario
from hardware import trace_report
from hardware.calibration import load_calibration

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging("warning", stream=sys.stderr)  # stdout is for results (JSON lines)
    if not hasattr(args, "command_fn"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.command_fn(args)
    except (ConfigError, ScenarioError) as exc:
        print(f"hinge-coach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hinge-coach demo | head`
        return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hinge-coach", description="Hands-free hip hinge coach: voice in, voice out, a "
        "wall sensor as the button your glutes press.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser("demo", help="run a built-in coached workout in simulation")
    _add_simulation_options(demo)
    demo.set_defaults(command_fn=cmd_demo)

    simulate = commands.add_parser("simulate", help="run a scenario file (JSON or TOML)")
    simulate.add_argument("scenario", type=Path, help="timeline of what the person does")
    _add_simulation_options(simulate)
    simulate.set_defaults(command_fn=cmd_simulate)

    run = commands.add_parser("run", help="run the unit on its real devices (the service)")
    _add_config_options(run)
    run.add_argument("--log-level", default="info", help="debug, info, warning or error")
    run.set_defaults(command_fn=cmd_run)

    listen = commands.add_parser("listen", help="print what the unit understands (microphone "
                                 "or WAV files)")
    listen.add_argument("--wav", nargs="+", type=Path, metavar="FILE",
                        help="decode these files instead of listening, each on its own")
    listen.add_argument("--json", action="store_true", help="one JSON object per file")
    listen.add_argument("--engine", choices=("vosk", "pocketsphinx"),
                        help="recogniser (default: from config; vosk if a model is found)")
    listen.add_argument("--config", type=Path, metavar="FILE", help="config file")
    listen.set_defaults(command_fn=cmd_listen)

    models = commands.add_parser("models", help="which speech models are installed, and how "
                                 "to get the English vosk model")
    models.set_defaults(command_fn=cmd_models)

    doctor = commands.add_parser("doctor", help="check config, microphone, speaker, voice, "
                                 "recogniser, sensor and calibration; say how to fix each")
    doctor.add_argument("--json", action="store_true", help="one JSON document")
    doctor.add_argument("--config", type=Path, metavar="FILE", help="config file")
    doctor.set_defaults(command_fn=cmd_doctor)

    history = commands.add_parser("history", help="past workouts as a table, or a plot")
    history.add_argument("--limit", type=int, default=20, help="how many sessions (default 20)")
    history.add_argument("--plot", type=Path, metavar="FILE.png",
                         help="draw reps and tempo over time (needs the plot extra)")
    history.set_defaults(command_fn=cmd_history)

    cache = commands.add_parser("cache", help="render every cue into the cue cache")
    cache.add_argument("action", choices=("build",))
    cache.add_argument("--config", type=Path, metavar="FILE", help="config file")
    cache.set_defaults(command_fn=cmd_cache)

    reps = commands.add_parser("reps", help="count reps in a recorded sensor trace (CSV)")
    trace_report.add_arguments(reps)
    reps.set_defaults(command_fn=cmd_reps)

    say = commands.add_parser("say", help="speak a sentence in the coach's voice")
    say.add_argument("text", help="what to say")
    say.add_argument("--wav-out", metavar="FILE", help="write a WAV instead of playing it")
    say.set_defaults(command_fn=cmd_say)

    config = commands.add_parser("config", help="print or check the configuration")
    group = config.add_mutually_exclusive_group(required=True)
    group.add_argument("--default", action="store_true", help="print the documented defaults")
    group.add_argument("--check", type=Path, metavar="FILE", help="validate a config file")
    config.set_defaults(command_fn=cmd_config)
    return parser


def _add_simulation_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--json", action="store_true", help="one JSON object per line")
    command.add_argument("--hear", choices=("voice", "text"), default="voice",
                         help="voice (default): each line is spoken by a synthetic person and "
                         "recognised as the unit would; text: each line is taken as written")
    command.add_argument("--wav-out", type=Path, metavar="FILE",
                         help="write everything the unit would play to one WAV file")
    _add_config_options(command)


def _add_config_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", type=Path, metavar="FILE",
                         help="config file (default: $HINGE_COACH_CONFIG or "
                         "/etc/hinge-coach/config.toml)")
    command.add_argument("--exercise", help="default exercise id, e.g. barbell_rdl")
    command.add_argument("--sets", type=int, help="default sets per workout")
    command.add_argument("--reps", type=int, help="default reps per set")
    command.add_argument("--rest", type=int, metavar="SECONDS", help="rest between sets")


def config_from_args(args: argparse.Namespace) -> Config:
    workout = {key: value for key, value in (
        ("exercise", args.exercise), ("sets", args.sets), ("reps", args.reps),
        ("rest_s", args.rest)) if value is not None}
    path = args.config if args.config is not None else default_config_path()
    return load_config(path, {"workout": workout} if workout else None)


# ---- commands ------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    text = resources.files("assistant").joinpath("scenarios/demo.json").read_text("utf-8")
    steps = parse_scenario(json.loads(text), source=Path("demo.json"))
    return _simulate(steps, args)


def cmd_simulate(args: argparse.Namespace) -> int:
    return _simulate(load_scenario(args.scenario), args)


def _simulate(steps: list[Any], args: argparse.Namespace) -> int:
    from assistant.wiring import build_simulation  # heavy imports only for this command
    from audio.person_voice import VoiceUnavailable

    config = config_from_args(args)
    try:
        simulation = build_simulation(config, args.hear)
    except VoiceUnavailable as exc:
        print(f"hinge-coach: {exc}; hearing the lines as text instead.", file=sys.stderr)
        simulation = build_simulation(config, "text")
    write = _print_json if args.json else _print_human
    for line in simulation.run(steps):
        write(line)
    if args.wav_out is not None:
        from assistant.wiring import write_timeline_wav

        seconds = write_timeline_wav(simulation.timeline, args.wav_out, config)
        print(f"Wrote {args.wav_out} ({seconds:.0f} s of audio).", file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from assistant.wiring import build_live

    config = config_from_args(args)  # a bad config exits 2 here, before any device is opened
    setup_logging(args.log_level)  # one line per event on stdout, for journald
    try:
        runtime = build_live(config)
    except RuntimeError as exc:  # e.g. engine = "vosk" with no model installed
        print(f"hinge-coach: {exc}", file=sys.stderr)
        return EXIT_USAGE

    def stop(signum: int, _frame: object) -> None:
        runtime.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runtime.run()
    return EXIT_OK


def cmd_listen(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from audio.listen import listen, listen_files
    from audio.microphone import Microphone
    from audio.recognizer import make_recognizer

    config = load_config(args.config if args.config is not None else default_config_path())
    settings = replace(config.recognizer, engine=args.engine or config.recognizer.engine)
    try:
        if args.wav:
            unread = 0
            for row in listen_files(args.wav, settings=settings):
                if "error" in row:
                    unread += 1
                    print(f"hinge-coach listen: {row['error']}", file=sys.stderr)
                    if not args.json:
                        continue
                print(json.dumps(row) if args.json else
                      f"{row['file']}: {row['text']!r} -> {row['intent'] or 'nothing'} "
                      f"{_slots(row['slots'])}".rstrip(), flush=True)
            return EXIT_FAILED if unread else EXIT_OK
        print("Listening. Speak a command; Ctrl-C to stop.", file=sys.stderr)
        listen(Microphone(config.microphone), make_recognizer(settings))
    except RuntimeError as exc:
        print(f"hinge-coach listen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from audio.models import models_report

    print(models_report())
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from assistant.doctor import doctor_main

    return doctor_main(args.config if args.config is not None else default_config_path(),
                       args.json)


def cmd_history(args: argparse.Namespace) -> int:
    from assistant.history_cli import history_main

    return history_main(args.limit, args.plot)


def cmd_cache(args: argparse.Namespace) -> int:
    from assistant.wiring import build_cue_cache

    config = load_config(args.config if args.config is not None else default_config_path())

    def progress(done: int, total: int, text: str) -> None:
        print(f"\r  rendering cues: {done}/{total}", end="", file=sys.stderr, flush=True)

    count = build_cue_cache(config, progress)
    print(f"\nCue cache ready: {count} cues in {config.speaker.cache_dir}", file=sys.stderr)
    return EXIT_OK


def cmd_reps(args: argparse.Namespace) -> int:
    return trace_report.run(args, load_calibration(calibration_path()))


def cmd_say(args: argparse.Namespace) -> int:
    from audio.speaker import say_cli  # pulls in the TTS engine

    return say_cli(args.text, args.wav_out)


def cmd_config(args: argparse.Namespace) -> int:
    if args.default:
        print(default_config_toml())
        return EXIT_OK
    load_config(args.check)
    print(f"{args.check}: OK")
    return EXIT_OK


# ---- output --------------------------------------------------------------------------------


def _print_json(line: dict[str, Any]) -> None:
    print(json.dumps(line), flush=True)


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w']+", " ", text.lower()).split()


def _print_human(line: dict[str, Any]) -> None:
    t = f"{line['t']:7.1f}s"
    match line["event"]:
        case "said":
            print(f"{t}  coach: {line['text']}")
        case "heard":
            understood = (f"{line['intent']} {_slots(line['slots'])}".rstrip()
                          if line["intent"] else "(not a command: ignored)")
            misheard = (f" (heard \"{line['recognised']}\")"
                        if _words(line["recognised"]) != _words(line["text"]) else "")
            print(f"{t}  you:   \"{line['text']}\"{misheard}  -> {understood}")
        case "earcon":
            print(f"{t}         [{line['name']}]")
        case "state":
            print(f"{t}  ---- {line['name']} ----")
        case "rep":
            depth = "wall touched" if line["depth_ok"] else "depth not confirmed"
            print(f"{t}  rep {line['n']} of set {line['set']}: {depth}, tempo "
                  f"{line['descent_s']}-{line['pause_s']}-{line['ascent_s']} s")
        case "shallow":
            print(f"{t}  shallow rep (closest {line['closest_cm']} cm): not counted")
        case "summary":
            print(f"{t}  SUMMARY: {line['reps']} reps in {line['sets']} of "
                  f"{line['sets_planned']} sets, {line['depth_confirmed']} with depth confirmed, "
                  f"{line['shallow']} shallow, tempo {line['tempo'] or 'n/a'} s "
                  "(lowering-pause-lifting)")
        case _:
            details = {k: v for k, v in line.items() if k not in ("t", "event")}
            print(f"{t}  {line['event']}: {_slots(details)}")


def _slots(slots: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in slots.items())
