"""`hinge-coach reps` and `hinge-coach say` as a user runs them."""

from __future__ import annotations

import json

from assistant.cli import main
from audio.wav import read_wav
from hardware.calibration import Calibration, save_calibration

REP = [40, 40, 38, 32, 25, 18, 11, 6, 5, 5, 5, "", 5, 9, 16, 24, 31, 38, 40, 40, 40]
SHALLOW = [40, 40, 38, 33, 28, 24, 22, 22, 24, 28, 33, 38, 40, 40, 40]


def trace(tmp_path, *moves: list) -> str:
    rows, t = ["t,distance_cm"], 0.0
    for move in moves:
        for d in move:
            rows.append(f"{t:.2f},{d}")
            t += 0.1
    path = tmp_path / "trace.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_reps_prints_events_and_a_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert main(["reps", trace(tmp_path, REP, SHALLOW, REP), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1] == {"event": "summary", "reps": 2, "shallow": 1}
    events = [line["event"] for line in lines]
    assert events.count("tap") == 2 and events.count("rep") == 2
    assert events.count("shallow") == 1


def test_reps_thresholds_from_flags_and_from_the_saved_calibration(capsys, tmp_path,
                                                                   monkeypatch):
    path = trace(tmp_path, SHALLOW, SHALLOW)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert main(["reps", path, "--json", "--tap-cm", "23"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["reps"] == 2
    save_calibration(tmp_path / "state" / "calibration.json",
                     Calibration(stand_cm=40.0, tap_cm=23.0))
    assert main(["reps", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["reps"] == 2


def test_reps_with_nonsense_thresholds_or_a_bad_trace(capsys, tmp_path):
    assert main(["reps", trace(tmp_path, REP), "--tap-cm", "50", "--stand-cm", "40"]) == 2
    assert "--tap-cm (50) must be" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("t,distance_cm\n0.0,abc\n")
    assert main(["reps", str(bad)]) == 2
    assert "bad.csv:2" in capsys.readouterr().err


def test_say_writes_a_wav_in_the_coach_voice(tmp_path, monkeypatch):
    monkeypatch.setenv("HINGE_COACH_CUE_CACHE", str(tmp_path / "cues"))
    out = tmp_path / "say.wav"
    assert main(["say", "Drive your hips back to the wall.", "--wav-out", str(out)]) == 0
    audio, rate = read_wav(out)
    assert rate == 22050 and 1.0 < audio.size / rate < 5.0 and abs(audio).max() > 0.1


def test_say_without_a_sound_card_prints_the_text(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HINGE_COACH_CUE_CACHE", str(tmp_path / "cues"))
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent")  # no PulseAudio either
    code = main(["say", "Hips back."])
    out, err = capsys.readouterr()
    assert code == 3 and "Hips back." in out and "Traceback" not in err
