"""Audio in: WAV/array sources, resampling, the frame watchdog, recovery, a real virtual device."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from audio.microphone import (
    ArraySource,
    FrameWatchdog,
    Microphone,
    MicrophoneSettings,
    WavSource,
    find_input_device,
)
from audio.resample import StreamResampler

DATA = Path(__file__).parent / "data" / "speech_commands"


def tone(freq_hz: float, seconds: float, rate_hz: int, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return (level * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16)


def test_wav_source_gives_16k_blocks():
    blocks = list(WavSource(next(DATA.glob("stop/*.wav")), block_s=0.1).blocks())
    assert all(b.dtype == np.int16 for b in blocks)
    assert sum(len(b) for b in blocks) == 16_000
    assert {len(b) for b in blocks[:-1]} == {1600}


def test_stream_resampler_keeps_pitch_and_length():
    r = StreamResampler(48_000)
    x = tone(440, 1.0, 48_000)
    out = np.concatenate([r.process(x[i:i + 480]) for i in range(0, len(x), 480)] + [r.flush()])
    assert abs(len(out) - 16_000) <= 2
    spectrum = np.abs(np.fft.rfft(out[2000:14000].astype(float)))
    assert abs(np.argmax(spectrum) * 16_000 / 12_000 - 440) < 3


def test_array_source_stereo_44k1_is_mono_16k():
    stereo = np.stack([tone(300, 0.5, 44_100)] * 2, axis=1)
    out = np.concatenate(list(ArraySource(stereo, 44_100).blocks()))
    assert abs(len(out) - 8000) <= 2


def test_device_found_by_name_substring():
    devices = [{"name": "HDMI", "max_input_channels": 0},
               {"name": "USB PnP Sound Device: Audio (hw:2,0)", "max_input_channels": 1}]
    assert find_input_device("usb pnp", devices) == 1
    assert find_input_device(None, devices) is None
    with pytest.raises(LookupError):
        find_input_device("hdmi", devices)


def test_watchdog_counts_frames_not_flags():
    now = [0.0]
    dog = FrameWatchdog(16_000, window_s=1.0, min_ratio=0.5, clock=lambda: now[0])
    dog.add(160)  # the first block starts the clock
    dog.add(16_000)
    now[0] = 1.0
    assert not dog.stalled()
    dog.add(1000)  # a device that went quiet delivers almost nothing
    now[0] = 2.0
    assert dog.stalled()
    silent = FrameWatchdog(16_000, window_s=1.0, min_ratio=0.5, clock=lambda: now[0])
    now[0] += 2.0
    assert not silent.stalled()  # hosts may take a while to start
    now[0] += 2.0
    assert silent.stalled()  # but never starting at all is a stall


class FakeStream:
    """A PortAudio-level fake: delivers frames from a thread until 'unplugged'."""

    opened: list[FakeStream] = []
    unplugged = threading.Event()

    def __init__(self, *, samplerate, blocksize, callback, **_kw):
        self.rate, self.block, self.callback = samplerate, blocksize or 2400, callback
        self.running = False
        self.stalled = False  # this stream alone stops delivering (a hiccup, not an unplug)
        FakeStream.opened.append(self)

    def start(self):
        self.running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        data = tone(440, self.block / self.rate, self.rate).reshape(-1, 1)
        while self.running:
            if not FakeStream.unplugged.is_set() and not self.stalled:
                self.callback(data, len(data), None, None)
            time.sleep(self.block / self.rate)

    def stop(self):
        self.running = False

    def close(self):
        self.running = False


def test_microphone_recovers_when_frames_stop(monkeypatch):
    import sounddevice as sd

    monkeypatch.setattr(sd, "query_devices", lambda *a: (
        [{"name": "Fake USB mic", "max_input_channels": 1, "default_samplerate": 48_000}]
        if not a else {"name": "Fake USB mic", "default_samplerate": 48_000}))
    FakeStream.opened.clear()
    FakeStream.unplugged.clear()
    mic = Microphone(MicrophoneSettings(device="usb", watchdog_s=0.3, backoff_s=0.05,
                                        rescan_devices=False), stream_factory=FakeStream)
    got = 0
    start = time.monotonic()
    for block in mic.blocks():
        got += len(block)
        elapsed = time.monotonic() - start
        if elapsed > 0.3 and len(FakeStream.opened) == 1:
            FakeStream.unplugged.set()
            threading.Timer(0.5, FakeStream.unplugged.clear).start()
        if (mic.reopens and got > 16_000 and len(FakeStream.opened) >= 2) or elapsed > 5:
            mic.close()
    assert mic.reopens >= 1 and len(FakeStream.opened) >= 2
    assert got > 16_000  # 16 kHz blocks kept coming after the device came back


def _run_until_back(mic: Microphone, stall=FakeStream.unplugged.set) -> int:
    got, start, stalled = 0, time.monotonic(), False
    for block in mic.blocks():
        got += len(block)
        elapsed = time.monotonic() - start
        if elapsed > 0.3 and not stalled:
            stall()
            stalled = True
        if (mic.reopens and got > 16_000 and not FakeStream.unplugged.is_set()) or elapsed > 8:
            mic.close()
    return got


@pytest.fixture
def fake_usb_mic(monkeypatch):
    """One fake USB mic; re-initialising PortAudio is counted, and plugs the mic back in."""
    import sounddevice as sd

    monkeypatch.setattr(sd, "query_devices", lambda *a: (
        [{"name": "Fake USB mic", "max_input_channels": 1, "default_samplerate": 48_000}]
        if not a else {"name": "Fake USB mic", "default_samplerate": 48_000}))
    rescans = []
    monkeypatch.setattr(sd, "_terminate", lambda: None)
    monkeypatch.setattr(sd, "_initialize", lambda: (rescans.append(1),
                                                    FakeStream.unplugged.clear()))
    FakeStream.opened.clear()
    FakeStream.unplugged.clear()
    return rescans


def test_a_replugged_mic_is_found_by_rescanning_only_after_a_plain_reopen_failed(fake_usb_mic):
    # The fake stays silent until PortAudio is re-initialised, like a replugged USB device.
    mic = Microphone(MicrophoneSettings(device="usb", watchdog_s=0.3, backoff_s=0.05),
                     stream_factory=FakeStream)
    got = _run_until_back(mic)
    assert mic.reopens >= 2 and mic.rescans == len(fake_usb_mic) >= 1
    assert got > 16_000


def test_a_stall_that_a_plain_reopen_cures_never_rescans(fake_usb_mic):
    mic = Microphone(MicrophoneSettings(device="usb", watchdog_s=0.3, backoff_s=0.05),
                     stream_factory=FakeStream)
    got = _run_until_back(mic, stall=lambda: setattr(FakeStream.opened[0], "stalled", True))
    assert mic.reopens >= 1 and fake_usb_mic == [] and mic.rescans == 0
    assert got > 16_000


def test_microphone_records_pulseaudio_monitor(pulse):
    import sounddevice as sd

    names = [d["name"] for d in sd.query_devices()]
    assert any("pulse" in n for n in names), names
    mic = Microphone(MicrophoneSettings(device="pulse", rate_hz=48_000))
    threading.Timer(8.0, mic.close).start()  # never hang, whatever the device does
    recorded: list[np.ndarray] = []
    player = None
    for block in mic.blocks():
        recorded.append(block)
        if player is None and sum(map(len, recorded)) >= 8000:  # the stream is flowing
            player = pulse.play(tone(1000, 1.0, 48_000), 48_000, wait=False)
            started = time.monotonic()
        if player is not None and time.monotonic() - started > 2.0:
            mic.close()
    assert player is not None, "no frames arrived from the pulse device"
    player.wait(timeout=10)
    audio = np.concatenate(recorded).astype(float)
    assert len(audio) > 16_000 * 2  # ~16 kHz of frames actually arrived
    loud = audio[np.abs(audio) > 3000]
    assert len(loud) > 4000, "the tone played into the sink was not recorded from its monitor"
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.argmax(spectrum) * 16_000 / len(audio) - 1000) < 10
