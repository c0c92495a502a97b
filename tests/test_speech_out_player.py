"""Priority queue, interruption, count replacement, failures: fake stream at the PortAudio level."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from audio.fake_output import FakeOutputStream
from audio.player import Player, PlayerSettings, Priority

BLOCK = 128


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def tone(value: float, n: int = 4 * BLOCK) -> np.ndarray:
    """A constant "sound" whose level identifies it in the output."""
    return np.full(n, value, dtype=np.float32)


@pytest.fixture
def rig():
    FakeOutputStream.instances.clear()
    FakeOutputStream.fail_open = None
    clock = Clock()
    printed: list[str] = []
    speaking: list[bool] = []
    player = Player(PlayerSettings(volume=1.0, blocksize_frames=BLOCK),
                    stream_factory=FakeOutputStream, printer=printed.append, clock=clock,
                    on_speaking=speaking.append, supervise=False)
    yield player, player._stream, clock, printed, speaking
    FakeOutputStream.fail_open = None
    player.close()


def levels(samples: np.ndarray) -> list[float]:
    """The distinct levels in order of appearance, one per block."""
    out: list[float] = []
    for block in samples.reshape(-1, BLOCK):
        v = round(float(block[0]), 2)
        if not out or out[-1] != v:
            out.append(v)
    return out


def test_plays_from_next_block_with_gain(rig):
    player, stream, *_ = rig
    snd = player.play(tone(0.5, 2 * BLOCK), text="a")
    first = stream.pump(1)
    assert np.allclose(first, 0.5) and snd.state == "playing" and snd.started_at is not None
    player.volume = 0.5
    assert np.allclose(stream.pump(1), 0.25)
    assert np.allclose(stream.pump(1), 0.0) and snd.state == "done"


def test_queue_order_priority_then_age(rig):
    player, stream, *_ = rig
    player.play(tone(0.1), priority=Priority.INFO)
    player.play(tone(0.3), priority=Priority.CUE)
    player.play(tone(0.2), priority=Priority.COUNT)
    player.play(tone(0.4), priority=Priority.CUE)
    assert levels(stream.pump(17)) == [0.2, 0.3, 0.4, 0.1, 0.0]


def test_safety_cuts_lower_priority_mid_sound(rig):
    player, stream, *_ = rig
    cue = player.play(tone(0.3, 20 * BLOCK), priority=Priority.CUE)
    stream.pump(2)
    safety = player.play(tone(0.9, BLOCK), priority=Priority.SAFETY, text="stop")
    out = stream.pump(3)
    assert cue.state == "cut" and safety.state == "done"
    assert np.allclose(out[100:BLOCK], 0.9)  # after the 4 ms (88 samples) fade of the cut cue
    assert np.allclose(out[2 * BLOCK:], 0.0)  # the cut cue does not come back


def test_count_does_not_cut_a_cue_but_new_count_replaces_stale(rig):
    player, stream, *_ = rig
    cue = player.play(tone(0.3, 3 * BLOCK), priority=Priority.CUE)
    stream.pump(1)
    three = player.play(tone(0.5), priority=Priority.COUNT, key="count")
    four = player.play(tone(0.6), priority=Priority.COUNT, key="count")
    assert three.state == "replaced"
    out = stream.pump(8)
    assert cue.state == "done" and four.state == "done"
    assert levels(out) == [0.3, 0.6, 0.0]


def test_new_count_cuts_a_playing_count(rig):
    player, stream, *_ = rig
    three = player.play(tone(0.5, 10 * BLOCK), priority=Priority.COUNT, key="count")
    stream.pump(2)
    player.play(tone(0.6, BLOCK), priority=Priority.COUNT, key="count")
    stream.pump(1)
    assert three.state == "cut"


def test_late_coaching_cue_dropped_but_info_kept(rig):
    player, stream, clock, *_ = rig
    player.play(tone(0.3, 10 * BLOCK), priority=Priority.SAFETY)
    late = player.play(tone(0.4), priority=Priority.CUE)
    info = player.play(tone(0.1), priority=Priority.INFO)
    stream.pump(1)
    clock.t += 5.0  # the safety message took long; the cue is stale now
    stream.pump(20)
    assert late.state == "dropped" and info.state == "done"


def test_tap_mixes_on_top_without_cutting(rig):
    player, stream, *_ = rig
    cue = player.play(tone(0.3, 6 * BLOCK), priority=Priority.CUE)
    stream.pump(1)
    tap = player.play(tone(0.2, BLOCK), priority=Priority.TAP)
    out = stream.pump(1)
    assert np.allclose(out, 0.5) and tap.state == "done" and cue.state == "playing"


def test_stop_silences_next_block_and_clears_queue(rig):
    player, stream, *_ = rig
    a = player.play(tone(0.3, 50 * BLOCK))
    b = player.play(tone(0.4))
    stream.pump(2)
    player.stop()
    out = stream.pump(2)
    assert np.all(np.abs(out[100:]) == 0.0)
    assert np.all(np.diff(np.abs(out[:40])) <= 1e-6)  # faded out, no click
    assert a.state == "cut" and b.state == "cut" and not player.busy


def test_interrupt_cuts_current_only(rig):
    player, stream, *_ = rig
    a = player.play(tone(0.3, 50 * BLOCK))
    b = player.play(tone(0.4, BLOCK))
    stream.pump(1)
    player.interrupt()
    out = stream.pump(3)
    assert a.state == "cut" and b.state == "done"
    assert np.allclose(out[100:BLOCK], 0.4)


def test_on_speaking_with_mute_tail(rig):
    player, stream, clock, _, speaking = rig
    player.play(tone(0.3, BLOCK))
    player.tick()
    assert speaking == [True]
    stream.pump(2)
    player.tick()
    clock.t += 0.1
    player.tick()
    assert speaking == [True]  # inside the mute window after the cue
    clock.t += player.settings.mute_tail_s
    player.tick()
    assert speaking == [True, False]


def test_an_earcon_does_not_mute_the_microphone(rig):
    """A tone is never heard as words, and a command said over the wall-tap click is heard."""
    player, stream, _, _, speaking = rig
    player.play(tone(0.9, BLOCK), priority=Priority.TAP, text="[tap]")
    player.tick()
    stream.pump(1)
    player.tick()
    assert speaking == []
    player.play(tone(0.3, BLOCK), text="Four.")
    player.tick()
    assert speaking == [True]


def test_said_within_is_what_played_lately_without_earcons(rig):
    player, stream, clock, *_ = rig
    two_blocks_s = 2 * BLOCK / player.settings.sample_rate_hz
    player.play(tone(0.3, 2 * BLOCK), text="Hips back.")
    player.play(tone(0.9, BLOCK), priority=Priority.TAP, text="[tap]")
    queued = player.play(tone(0.2, 2 * BLOCK), text="Knees soft.")
    stream.pump(2)
    assert player.said_within(0.0) == ["Hips back."]  # the next line has not started
    clock.t += two_blocks_s
    stream.pump(2)
    assert queued.state == "done"
    clock.t += 1.0
    # The first line ended 1.0 s ago, the second one two blocks later.
    assert player.said_within(1.0 + two_blocks_s / 2) == ["Hips back.", "Knees soft."]
    assert player.said_within(1.0 - two_blocks_s / 2) == ["Knees soft."]
    assert player.said_within(0.5) == []


def test_no_device_prints_and_retries_with_backoff(caplog):
    FakeOutputStream.fail_open = OSError("no device")
    clock = Clock()
    printed: list[str] = []
    with caplog.at_level(logging.ERROR):
        player = Player(PlayerSettings(), stream_factory=FakeOutputStream, clock=clock,
                        printer=printed.append, supervise=False)
        snd = player.play(tone(0.3), text="Hips back.")
        for _ in range(5):
            clock.t += 60
            player.tick()
    assert printed == ["Hips back."] and snd.state == "printed"
    assert not player.output_ok
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1  # logged once
    FakeOutputStream.fail_open = None
    clock.t += 60
    player.tick()
    assert player.output_ok
    snd = player.play(tone(0.3, BLOCK))
    player._stream.pump(1)
    assert snd.state == "done"
    player.close()


def test_vanished_device_detected_by_missing_callbacks():
    FakeOutputStream.fail_open = None
    clock = Clock()
    printed: list[str] = []
    player = Player(PlayerSettings(), stream_factory=FakeOutputStream, clock=clock,
                    printer=printed.append, supervise=False)
    old = player._stream
    player.play(tone(0.3), text="queued when it died")
    clock.t += 5.0  # the callback stops coming: an unplugged USB speaker
    player.tick()
    assert not player.output_ok and printed == ["queued when it died"]
    player.play(tone(0.3), text="while down")
    assert printed[-1] == "while down"
    clock.t += 1.0
    player.tick()
    assert player.output_ok and player._stream is not old
    player.close()


def test_callback_never_sees_exceptions_from_bad_input(rig):
    player, stream, *_ = rig
    player.play(np.zeros(0, np.float32))  # empty sound
    player.play(np.full(BLOCK, 5.0, np.float32))  # way too loud: clipped
    out = stream.pump(2)
    assert np.max(out) <= 1.0
