"""The simulation runtime and the CLI around it, as a new user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from assistant.cli import main
from assistant.config import Config, default_config_toml, load_config
from audio.wav import read_wav

EVENTS = {"heard", "said", "earcon", "rep", "shallow", "state", "summary", "calibration"}


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, lines, err


def write(tmp_path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_demo_json_follows_the_contract_and_ends_in_a_summary(capsys):
    code, lines, _ = run_cli(capsys, "demo", "--json")
    assert code == 0
    assert all(set(line) >= {"t", "event"} and line["event"] in EVENTS for line in lines)
    times = [line["t"] for line in lines]
    assert times == sorted(times), "virtual time never goes backwards"
    summary = lines[-1]
    assert summary["event"] == "summary"
    assert (summary["reps"], summary["depth_confirmed"], summary["shallow"], summary["sets"]) == \
        (10, 10, 1, 2)
    reps = [line for line in lines if line["event"] == "rep"]
    assert [(r["set"], r["n"]) for r in reps] == [(1, n) for n in range(1, 6)] + \
        [(2, n) for n in range(1, 6)]
    assert all(set(r) >= {"n", "set", "depth_ok", "descent_s", "pause_s", "ascent_s"}
               for r in reps)
    heard = [line for line in lines if line["event"] == "heard"]
    assert heard[0]["intent"] == "start" and heard[0]["slots"] == {
        "exercise": "barbell_rdl", "sets": 2, "reps": 5}
    states = [line["name"] for line in lines if line["event"] == "state"]
    assert states[:3] == ["idle", "setup", "working"] and states[-1] == "finished"
    assert any(line["event"] == "earcon" and line["name"] == "tap" for line in lines)


def test_every_tap_is_clicked_at_once_and_counted_when_standing(capsys):
    _, lines, _ = run_cli(capsys, "demo", "--json")
    taps = [line["t"] for line in lines if line.get("name") == "tap"]
    reps = [line["t"] for line in lines if line["event"] == "rep"]
    assert len(taps) == len(reps) == 10
    assert all(tap < rep for tap, rep in zip(taps, reps, strict=True))


def test_demo_human_output_reads_as_a_session(capsys):
    code = main(["demo"])
    out = capsys.readouterr().out
    assert code == 0
    assert "coach: Hi." in out and "SUMMARY: 10 reps in 2 of 2 sets" in out
    assert "shallow rep" in out


def test_demo_runs_as_an_installed_command():
    result = subprocess.run([sys.executable, "-m", "assistant", "demo", "--json"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["event"] == "summary"


def test_wav_out_holds_the_session(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HINGE_COACH_CUE_CACHE", str(tmp_path / "cues"))
    wav = tmp_path / "demo.wav"
    code, lines, err = run_cli(capsys, "demo", "--json", "--wav-out", str(wav))
    assert code == 0 and "Wrote" in err
    audio, rate = read_wav(wav)
    assert audio.size / rate >= lines[-1]["t"]
    for line in lines:
        if line["event"] == "earcon" and line["name"] == "tap":
            start = int(line["t"] * rate)
            assert np.max(np.abs(audio[start:start + rate // 50])) > 0.05, line
    silence_before_hi = audio[: int(0.5 * rate)]
    assert np.max(np.abs(silence_before_hi)) > 0.05, "the greeting starts at once"


def test_a_toml_scenario_with_a_stop_during_rest(capsys, tmp_path):
    scenario = write(tmp_path, "stop.toml", """
[[timeline]]
at = 1.0
say = "start good mornings, three sets of two"
[[timeline]]
at = 5.0
say = "let's go"
[[timeline]]
at = 6.0
reps = { count = 2, down_s = 2.0, pause_s = 1.0, up_s = 1.5 }
[[timeline]]
at = 40.0
say = "I'm done"
""")
    code, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    assert code == 0
    said = [line["text"] for line in lines if line["event"] == "said"]
    assert any(s.startswith("Workout stopped. Two reps in one set.") for s in said)
    assert lines[-1]["reps"] == 2 and lines[-1]["completed"] is False
    assert lines[-1]["exercise"] == "barbell_good_morning"


def test_next_set_during_a_rep(capsys, tmp_path):
    scenario = write(tmp_path, "next.json", [
        {"at": 1.0, "say": "start hip hinges, two sets of five"},
        {"at": 3.0, "say": "ready"},
        {"at": 4.0, "reps": {"count": 2}},
        {"at": 17.0, "say": "next set"},
        {"at": 17.5, "say": "skip the rest"},
    ])
    code, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    assert code == 0
    states = [line["name"] for line in lines if line["event"] == "state"]
    assert states[-2:] == ["resting", "working"]
    assert lines[-1]["reps"] == 2


def test_shallow_reps_never_count(capsys, tmp_path):
    scenario = write(tmp_path, "shallow.json", [
        {"at": 1.0, "say": "start hip hinges, one set of three"},
        {"at": 3.0, "say": "ready"},
        {"at": 4.0, "reps": {"count": 3, "depth": "shallow"}},
        {"at": 25.0, "reps": {"count": 3}},
    ])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    assert sum(line["event"] == "shallow" for line in lines) == 3
    assert (lines[-1]["reps"], lines[-1]["shallow"]) == (3, 3)
    assert sum("doesn't count" in line.get("text", "") for line in lines) == 3


def test_a_recorded_trace_is_replayed_through_rep_detection(capsys, tmp_path):
    rows = ["t,distance_cm"]
    t = 0.0
    for _ in range(2):  # two reps: 40 cm standing, 5 cm at the wall
        for d in [40, 40, 38, 32, 25, 18, 11, 6, 5, 5, 5, "", 5, 9, 16, 24, 31, 38, 40, 40, 40]:
            rows.append(f"{t:.2f},{d}")
            t += 0.1
    trace = tmp_path / "two.csv"
    trace.write_text("\n".join(rows) + "\n")
    scenario = write(tmp_path, "trace.json", [
        {"at": 1.0, "say": "start hip hinges, one set of two"},
        {"at": 3.0, "say": "ready"},
        {"at": 5.0, "trace": "two.csv"},
    ])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    assert [line["n"] for line in lines if line["event"] == "rep"] == [1, 2]
    assert lines[-1]["completed"] is True


def test_speech_that_is_not_a_command_is_heard_and_ignored(capsys, tmp_path):
    scenario = write(tmp_path, "chatter.json", [
        {"at": 1.0, "say": "turn left at the lights"},
        {"at": 2.0, "say": "up"},
    ])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    heard = [line for line in lines if line["event"] == "heard"]
    assert [h["intent"] for h in heard] == [None, None]
    assert [line["name"] for line in lines if line["event"] == "state"] == ["idle"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ([], "expected a non-empty list"),
    ([{"say": "start"}], "step 1: 'at' must be a number"),
    ([{"at": 1, "say": "start", "reps": {"count": 2}}], "step 1: needs exactly one of"),
    ([{"at": 1, "say": ""}], "'say' must be a non-empty string"),
    ([{"at": 1, "reps": {"count": 0}}], "reps.count must be a whole number 1-100"),
    ([{"at": 1, "reps": {"count": 2, "depth": "deep"}}], "reps.depth must be 'wall' or"),
    ([{"at": 1, "reps": {"count": 2, "tempo": 3}}], "unknown key reps.tempo"),
    ([{"at": 1, "trace": "missing.csv"}], "missing.csv"),
])
def test_scenario_errors_are_one_clear_line(capsys, tmp_path, content, message):
    code, lines, err = run_cli(capsys, "simulate", write(tmp_path, "bad.json", content))
    assert code == 2 and lines == []
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_a_missing_scenario_file(capsys, tmp_path):
    code, _, err = run_cli(capsys, "simulate", str(tmp_path / "nope.json"))
    assert code == 2 and "can't read it" in err


def test_an_unknown_exercise_on_the_command_line(capsys):
    code, _, err = run_cli(capsys, "demo", "--exercise", "squat")
    assert code == 2
    assert "'squat' is not an exercise I know" in err and "barbell_rdl" in err


def test_flags_override_the_config_file(capsys, tmp_path):
    config = write(tmp_path, "c.toml", "[workout]\nsets = 4\nreps = 6\n")
    scenario = write(tmp_path, "s.json", [{"at": 1.0, "say": "how many left"}])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json", "--config", config,
                          "--reps", "12")
    assert "four sets of twelve" in [line for line in lines if line["event"] == "said"][-1][
        "text"]


def test_default_config_is_documented_valid_toml():
    text = default_config_toml()
    raw = tomllib.loads(text)
    assert raw["workout"]["rest_s"] == 90
    assert "# Rest between sets in seconds" in text
    assert load_config(None, raw) == Config()


@pytest.mark.parametrize("toml, message", [
    ("[workout]\nsets = 0\n", "workout.sets = 0: allowed 1 to 10"),
    ("[workout]\nreps = 'ten'\n", "workout.reps = 'ten': expected a whole number"),
    ("[workout]\ncolour = 3\n", "unknown key workout.colour (allowed in [workout]: exercise"),
    ("[gym]\n", "unknown table [gym]"),
    ("[workout\n", "not valid TOML"),
    ("[workout]\nexercise = 'squat'\n", "not an exercise I know"),
])
def test_config_errors_name_the_key_and_the_allowed_values(capsys, tmp_path, toml, message):
    path = write(tmp_path, "bad.toml", toml)
    code, _, err = run_cli(capsys, "config", "--check", path)
    assert code == 2 and message in err and "Traceback" not in err


def test_config_default_prints_the_file(capsys):
    assert main(["config", "--default"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["workout"]["exercise"] == "hip_hinge"


def test_a_sensor_that_stops_answering_is_announced_once_and_reps_are_timed(capsys, tmp_path):
    rows = ["t,distance_cm"] + [f"{i * 0.05:.2f},{40 + (i % 3) * 0.4:.1f}" for i in range(40)]
    rows += [f"{2 + i * 0.05:.2f}," for i in range(300)]  # 15 s of no echo at all
    rows += [f"{17 + i * 0.05:.2f},{40 + (i % 3) * 0.4:.1f}" for i in range(60)]
    (tmp_path / "dead.csv").write_text("\n".join(rows) + "\n")
    scenario = write(tmp_path, "fault.json", [
        {"at": 1.0, "say": "start hip hinges, one set of ten"},
        {"at": 3.0, "say": "ready"},
        {"at": 4.0, "trace": "dead.csv"},
    ])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    said = [line["text"] for line in lines if line["event"] == "said"]
    assert sum("lost the wall sensor" in s for s in said) == 1
    timed = [line for line in lines if line["event"] == "rep"]
    assert timed and not any(rep["depth_ok"] for rep in timed), "timed reps, depth unconfirmed"
    assert any("sensor is back" in s for s in said)
    back_at = next(line["t"] for line in lines if "sensor is back" in line.get("text", ""))
    assert all(rep["t"] <= back_at for rep in timed), "no timed reps once readings return"


def test_calibration_by_voice_in_simulation_measures_the_person(capsys, tmp_path):
    # standing at the default 35 cm until 4 s, then hips on the wall (7 cm) for 4 s
    rows = ["t,distance_cm"] + [f"{i * 0.05:.2f},{7 + (i % 3) * 0.3:.1f}" for i in range(80)]
    (tmp_path / "touch.csv").write_text("\n".join(rows) + "\n")
    scenario = write(tmp_path, "calibrate.json", [
        {"at": 1.0, "say": "calibrate the sensor"},
        {"at": 4.2, "trace": "touch.csv"},
    ])
    _, lines, _ = run_cli(capsys, "simulate", scenario, "--json")
    calibration = next(line for line in lines if line["event"] == "calibration")
    assert 33 < calibration["stand_cm"] < 37 and 7 < calibration["tap_cm"] < 15
    said = [line["text"] for line in lines if line["event"] == "said"]
    assert any(s.startswith("Calibrated. You stand 35 centimetres") for s in said)


SPOKEN = [{"at": 1.0, "say": "start hip hinges, one set of two"},
          {"at": 4.0, "say": "turn left at the lights"}]


def test_say_lines_are_spoken_and_recognised_by_default(capsys, tmp_path):
    code, lines, _ = run_cli(capsys, "simulate", write(tmp_path, "s.json", SPOKEN), "--json")
    heard = [line for line in lines if line["event"] == "heard"]
    assert code == 0
    assert heard[0]["text"] == "start hip hinges, one set of two"  # what the person said
    assert heard[0]["recognised"].startswith("start hip hinges")  # what the unit heard
    assert (heard[0]["intent"], heard[0]["slots"]) == (
        "start", {"exercise": "hip_hinge", "sets": 1, "reps": 2})
    assert heard[1]["intent"] is None  # chatter, really decoded, is not a command


def test_hear_text_takes_lines_as_written(capsys, tmp_path):
    code, lines, _ = run_cli(capsys, "simulate", write(tmp_path, "s.json", SPOKEN), "--json",
                             "--hear", "text")
    heard = [line for line in lines if line["event"] == "heard"]
    assert code == 0 and [h["recognised"] for h in heard] == [s["say"] for s in SPOKEN]


def test_without_the_person_voice_simulate_says_so_and_reads_the_lines(capsys, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no flite on the path
    code, lines, err = run_cli(capsys, "simulate", write(tmp_path, "s.json", SPOKEN), "--json")
    assert code == 0
    assert "flite is not installed" in err and "as text instead" in err
    assert [line["intent"] for line in lines if line["event"] == "heard"] == ["start", None]
