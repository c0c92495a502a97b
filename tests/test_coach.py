"""The coach state machine through whole workouts and the awkward paths: what the person hears
and what gets recorded."""

from __future__ import annotations

import pytest

from assistant.actions import (
    AdjustRate,
    AdjustVolume,
    Measure,
    PlayEarcon,
    RecordRep,
    RecordShallow,
    SaveCalibration,
    Say,
    SessionEnded,
    SessionStarted,
)
from assistant.coach import State
from assistant.events import DistanceMeasured, LastSession
from assistant.exercises import load_library
from hardware.movement import (
    DescentStarted,
    PersonLeft,
    PersonReturned,
    RepComplete,
    SensorFault,
    SensorRecovered,
    ShallowRep,
    WallTap,
)
from tests.coach_driver import CoachDriver


def started(sets: int = 2, reps: int = 3, exercise: str = "barbell_rdl",
            **workout: object) -> CoachDriver:
    driver = CoachDriver.new(**workout)
    driver.hear("start", at=1.0, exercise=exercise, sets=sets, reps=reps)
    driver.hear("start", at=20.0)  # "ready"
    return driver


def test_greeting_offers_the_default_plan_and_yes_starts_it():
    driver = CoachDriver.new()
    assert "hip hinge" in driver.said()[0] and "three sets of ten" in driver.said()[0]
    driver.hear("yes", at=2.0)
    assert driver.coach.state == State.SETUP
    assert driver.of_type(SessionStarted) == [SessionStarted("hip_hinge", 3, 10)]


def test_setup_steps_are_spoken_in_order_then_the_coach_waits_for_ready():
    driver = CoachDriver.new()
    driver.hear("start", at=1.0, exercise="dumbbell_rdl")
    steps = load_library()["dumbbell_rdl"].setup
    said = driver.said(since=1.0)
    assert said[1:1 + len(steps)] == list(steps)
    assert "ready" in said[-1].lower()
    assert driver.coach.state == State.SETUP


def test_a_complete_workout_counts_every_rep_rests_and_sums_up():
    driver = started(sets=2, reps=3)
    assert driver.coach.state == State.WORKING
    t = 22.0
    for _ in range(3):
        driver.rep(t)
        t += 6.0
    assert driver.coach.state == State.RESTING
    assert "Rest ninety seconds." in driver.said()
    rest_started = driver.now
    driver.advance(rest_started + 90.0)
    rest_cues = driver.said(since=rest_started + 1)
    assert rest_cues[:4] == [
        "Sixty seconds left.",
        "Thirty seconds. Next: set two of two, three reps of the barbell Romanian deadlift.",
        "Ten seconds. Get in position.", "Three."]
    assert "rest_over" in driver.earcons()
    assert driver.coach.state == State.WORKING
    t = driver.now + 2.0
    for _ in range(3):
        driver.rep(t)
        t += 6.0
    assert driver.coach.state == State.FINISHED
    reps = driver.of_type(RecordRep)
    assert [(r.set_no, r.rep_no) for r in reps] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2),
                                                     (2, 3)]
    summary = driver.of_type(SessionEnded)[0].summary
    assert (summary.reps, summary.depth_confirmed, summary.shallow, summary.sets_done) == \
        (6, 6, 0, 2)
    assert summary.tempo() == "2.0-1.0-1.5"
    assert any(s.startswith("Workout complete. Six reps in two sets.") for s in driver.said())


def test_each_rep_is_coached_at_descent_tap_pause_and_counted_standing():
    driver = started()
    exercise = load_library()["barbell_rdl"]
    out = driver.send(DescentStarted(22.0), at=22.0)
    assert [a.text for a in out if isinstance(a, Say)] == [exercise.descent_cues[0]]
    out = driver.send(WallTap(24.0), at=24.0)
    assert out[0] == PlayEarcon("tap"), "the click must be the very first thing played"
    assert exercise.bottom_cues[0] in [a.text for a in out if isinstance(a, Say)]
    driver.advance(25.0)
    assert driver.said()[-1] == exercise.ascent_cues[0]
    out = driver.send(RepComplete(26.5, 2.0, 1.0, 1.5), at=26.5)
    assert [a.text for a in out if isinstance(a, Say)] == ["One."]


def test_a_shallow_rep_gets_the_depth_cue_and_is_not_counted():
    driver = started()
    out = driver.send(ShallowRep(23.0, closest_cm=20.0, descent_s=1.0), at=23.0)
    assert any("touch the wall" in a.text for a in out if isinstance(a, Say))
    assert not any(isinstance(a, RecordRep) for a in out)
    assert driver.of_type(RecordShallow) == [RecordShallow(1, 20.0, 1.0)]
    driver.rep(25.0)
    assert driver.of_type(RecordRep)[0].rep_no == 1


def test_tempo_faults_are_coached():
    driver = started()
    driver.rep(22.0, down_s=0.6)
    assert "Slower on the way down." in driver.said()
    driver.rep(30.0, pause_s=0.1)
    assert "Pause at the wall for a moment." in driver.said()


def test_pause_mid_rep_ignores_movement_until_resume():
    driver = started()
    driver.send(DescentStarted(22.0), at=22.0)
    driver.hear("pause", at=23.0)
    assert driver.coach.state == State.PAUSED
    driver.send(RepComplete(25.0, 2.0, 1.0, 1.0), at=25.0)
    assert driver.of_type(RecordRep) == []
    driver.hear("resume", at=30.0)
    assert driver.coach.state == State.WORKING
    assert driver.said()[-1] == "Back to it. Rep one."
    driver.rep(31.0)
    assert len(driver.of_type(RecordRep)) == 1


def test_pause_during_rest_keeps_the_time_left():
    driver = started(reps=1)
    driver.rep(22.0)
    rest_start = driver.now
    driver.hear("pause", at=rest_start + 20.0)
    driver.advance(rest_start + 500.0)
    assert driver.coach.state == State.PAUSED, "the rest must not run out while paused"
    driver.hear("resume")
    assert "seventy seconds left" in driver.said()[-1]
    driver.advance(driver.now + 70.0)
    assert driver.coach.state == State.WORKING


def test_stop_during_rest_ends_with_a_summary():
    driver = started(sets=3, reps=2)
    driver.rep(22.0)
    driver.rep(28.0)
    driver.hear("stop", at=driver.now + 5.0)
    assert driver.coach.state == State.FINISHED
    summary = driver.of_type(SessionEnded)[0].summary
    assert (summary.reps, summary.sets_done, summary.completed) == (2, 1, False)
    assert any(s.startswith("Workout stopped.") for s in driver.said())
    driver.advance(driver.now + 300.0)
    assert driver.coach.state == State.FINISHED, "no rest timer may survive a stop"


def test_a_workout_stopped_in_its_last_set_stays_stopped_in_the_summary():
    driver = started(sets=1, reps=3)
    driver.rep(22.0)
    driver.hear("stop", at=driver.now + 2.0)
    assert driver.coach.summary().completed is False, "one rep of three is not a completed set"
    assert driver.coach.summary() == driver.of_type(SessionEnded)[0].summary


def test_next_during_a_rep_ends_the_set_and_the_rest_of_that_rep_is_ignored():
    driver = started(sets=2, reps=5)
    driver.rep(22.0)
    driver.send(DescentStarted(28.0), at=28.0)
    driver.hear("next", at=29.0)
    assert driver.coach.state == State.RESTING
    driver.send(RepComplete(32.0, 2.0, 1.0, 1.0), at=32.0)
    assert len(driver.of_type(RecordRep)) == 1
    driver.hear("next", at=40.0)  # skip the rest
    assert driver.coach.state == State.WORKING
    assert driver.coach.progress.set_no == 2


@pytest.mark.parametrize("stage, expected", [
    ("idle", "Ready for the hip hinge, three sets of ten"),
    ("setup", "Say ready when you're in position"),
    ("working", "Set one of two, one done, two to go"),
    ("paused", "Paused in set one, one rep done"),
    ("resting", "Resting, eighty seconds left. Next: set two of two"),
    ("finished", "Last workout"),
])
def test_status_answers_for_every_stage(stage, expected):
    driver = CoachDriver.new()
    if stage != "idle":
        driver.hear("start", at=1.0, exercise="barbell_rdl", sets=2, reps=3)
    if stage in ("working", "paused", "resting", "finished"):
        driver.hear("start", at=20.0)
        driver.rep(22.0)
    if stage == "paused":
        driver.hear("pause")
    if stage in ("resting", "finished"):
        driver.hear("next", at=30.0)
        driver.advance(40.0)
    if stage == "finished":
        driver.hear("stop")
    driver.hear("status")
    assert expected in driver.said()[-1]


def test_an_unknown_exercise_is_refused_and_the_plan_kept():
    driver = CoachDriver.new()
    driver.hear("choose", at=1.0, exercise="squat")
    assert "I don't know that exercise" in driver.said()[-1]
    assert driver.coach.plan.exercise == "hip_hinge"
    driver.hear("start", at=2.0, exercise="bench_press")
    assert driver.coach.state == State.IDLE


def test_choose_mid_set_asks_and_switches_after_the_set_on_no():
    driver = started(sets=2, reps=1)
    driver.hear("choose", at=21.0, exercise="banded_good_morning")
    assert driver.coach.expecting == "yes_no"
    driver.hear("no", at=22.0)
    driver.rep(23.0)
    driver.advance(driver.now + 90.0)
    assert driver.coach.plan.exercise == "banded_good_morning"
    assert driver.coach.state == State.WORKING


def test_yes_and_no_out_of_the_blue_are_answered_not_obeyed():
    driver = started()
    driver.hear("yes", at=21.0)
    assert "didn't ask" in driver.said()[-1]
    assert driver.coach.state == State.WORKING


def test_reps_and_sets_and_rest_change_by_voice():
    driver = started(sets=2, reps=5)
    driver.hear("set_reps", reps=2, at=21.0)
    driver.rep(22.0)
    driver.rep(28.0)
    assert driver.coach.state == State.RESTING, "the new target ends the set"
    driver.hear("rest", seconds=30, at=driver.now + 1.0)
    assert driver.said()[-1] == "Resting thirty seconds from now."
    driver.hear("set_sets", sets=1)
    assert "already on set two" in driver.said()[-1]
    driver.hear("set_reps", reps=99)
    assert "between one and thirty" in driver.said()[-1]


def test_voice_and_volume_commands_reach_the_speaker():
    driver = started()
    assert any(isinstance(a, AdjustVolume) and a.step == 1 for a in driver.hear("louder"))
    assert any(isinstance(a, AdjustVolume) and a.step == -1 for a in driver.hear("quieter"))
    assert any(isinstance(a, AdjustRate) and a.step == -1 for a in driver.hear("slower"))
    assert any(isinstance(a, AdjustRate) and a.step == 1 for a in driver.hear("faster"))


def test_repeat_help_and_explain():
    driver = started()
    driver.hear("status")
    status = driver.said()[-1]
    driver.hear("repeat")
    assert driver.said()[-1] == status
    driver.hear("help")
    assert driver.said()[-1].startswith("Say pause, or hold on")
    driver.hear("explain", topic="muscles")
    assert "hamstrings" in driver.said()[-1]
    driver.hear("explain", topic="tip")
    assert driver.said()[-1] == load_library()["barbell_rdl"].tip


def test_commands_that_make_no_sense_now_get_an_answer():
    driver = CoachDriver.new()
    for name in ("pause", "resume", "stop", "next"):
        driver.hear(name)
        assert driver.coach.state == State.IDLE
        assert driver.said()[-1], f"{name} at idle must be answered"


def test_person_walking_away_mid_set_is_told_the_coach_waits():
    driver = started()
    driver.send(PersonLeft(25.0), at=25.0)
    assert "I'll wait" in driver.said()[-1]
    driver.send(PersonReturned(40.0), at=40.0)
    assert driver.said()[-1] == "Welcome back."


def test_sensor_fault_is_announced_once_and_reps_are_timed_until_it_returns():
    driver = started(reps=3)
    driver.send(SensorFault(22.0, "no_readings"), at=22.0)
    driver.send(SensorFault(23.0, "no_readings"), at=23.0)
    assert sum("lost the wall sensor" in s for s in driver.said()) == 1
    driver.advance(30.0)  # gap 1.5 + down 3 + pause 1 + up 2 = one timed rep by 29.5
    reps = driver.of_type(RecordRep)
    assert [r.depth_ok for r in reps] == [False]
    driver.send(SensorRecovered(31.0), at=31.0)
    assert "back" in driver.said()[-1]
    driver.advance(60.0)
    assert len(driver.of_type(RecordRep)) == 1, "timed reps stop once the sensor is back"
    driver.rep(61.0)
    assert driver.of_type(RecordRep)[-1].depth_ok is True


STANDING = (40.2, 39.8, 40.5, None, 40.1, 39.9, 40.3, 40.0)
TOUCHING = (9.1, 8.8, 9.0, 9.3, None, 8.9, 9.2)


def test_calibration_by_voice_measures_both_positions_and_saves():
    driver = CoachDriver.new()
    driver.hear("calibrate", at=1.0)
    assert driver.coach.state == State.CALIBRATING
    assert driver.of_type(Measure)[-1].purpose == "stand"
    driver.send(DistanceMeasured("stand", STANDING), at=4.0)
    assert driver.of_type(Measure)[-1].purpose == "tap"
    driver.send(DistanceMeasured("tap", TOUCHING), at=8.0)
    saved = driver.of_type(SaveCalibration)[0].calibration
    assert (saved.stand_cm, saved.touch_cm) == (40.1, 9.1)
    assert 9.1 < saved.tap_cm < 40.1
    assert driver.said()[-1].startswith("Calibrated. You stand 40 centimetres")
    assert driver.coach.state == State.IDLE


@pytest.mark.parametrize("standing, touching, reason", [
    ((), (), "I can't see anyone"),
    ((None,) * 8, (None,) * 8, "I can't see anyone"),
    (STANDING, STANDING, "not clearly closer"),
])
def test_calibration_nonsense_keeps_the_old_one_and_says_why(standing, touching, reason):
    driver = CoachDriver.new()
    driver.hear("calibrate", at=1.0)
    driver.send(DistanceMeasured("stand", standing), at=4.0)
    driver.send(DistanceMeasured("tap", touching), at=8.0)
    assert driver.of_type(SaveCalibration) == []
    assert reason in driver.said()[-1]
    assert driver.said()[-1].endswith("I kept the old calibration.")


def test_calibrate_is_refused_mid_set():
    driver = started()
    driver.hear("calibrate", at=21.0)
    assert driver.coach.state == State.WORKING
    assert "finish this set" in driver.said()[-1]


def test_a_tap_outside_a_set_plays_nothing():
    driver = CoachDriver.new()
    assert driver.send(WallTap(5.0), at=5.0) == []


def test_how_did_i_do_last_time_answers_from_the_history_the_runtime_gives():
    driver = CoachDriver.new()
    driver.hear("last_time", at=1.0)
    assert "don't keep a workout history" in driver.said()[-1]
    driver.send(LastSession("Last time, yesterday, hip hinge: ten reps in one set."), at=2.0)
    driver.hear("last_time", at=3.0)
    assert driver.said()[-1] == "Last time, yesterday, hip hinge: ten reps in one set."
