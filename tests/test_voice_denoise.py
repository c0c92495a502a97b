"""Noise suppression on real audio: the real RNNoise library, real pocketsphinx, flite's voice
and synthetic gym noise (audio/gym_noise.py)."""

from __future__ import annotations

import numpy as np
import pytest

from audio.denoise import Denoiser, DenoiseSettings
from audio.gym_noise import gym_noise, with_noise
from audio.microphone import ArraySource
from audio.person_voice import DEFAULT_VOICE, render
from audio.recognizer import Decision, Recognizer, RecognizerSettings, make_recognizer

COMMANDS = [("how many left", "status"), ("hold on", "pause"), ("keep going", "resume"),
            ("slow down", "slower"), ("skip the rest", "next"), ("give me a tip", "explain"),
            ("turn it up", "louder"), ("calibrate the sensor", "calibrate")]


def decide(rec: Recognizer, samples: np.ndarray) -> list[Decision]:
    rec.reset()
    decisions = [d for b in ArraySource(samples).blocks() if (d := rec.accept(b))]
    if (last := rec.final()) is not None:
        decisions.append(last)
    return decisions


def understood(rec: Recognizer, samples: np.ndarray, want: str) -> bool:
    heard = [d.intent.name for d in decide(rec, samples) if d.intent]
    return bool(heard) and set(heard) == {want}


@pytest.fixture(scope="module")
def spoken() -> dict[str, np.ndarray]:
    return {text: render(text, DEFAULT_VOICE).astype(np.float32) / 32768 for text, _ in COMMANDS}


@pytest.fixture(scope="module")
def with_denoise() -> Recognizer:
    return make_recognizer(RecognizerSettings(engine="pocketsphinx"))


def test_commands_in_loud_gym_noise_are_understood_because_of_noise_suppression(
        spoken, with_denoise):
    without = make_recognizer(RecognizerSettings(engine="pocketsphinx",
                                                 denoise=DenoiseSettings(enabled=False)))
    rng = np.random.default_rng(11)
    noisy = {text: with_noise(spoken[text], 10, rng) for text, _ in COMMANDS}
    heard = [text for text, want in COMMANDS if understood(with_denoise, noisy[text], want)]
    heard_raw = [text for text, want in COMMANDS if understood(without, noisy[text], want)]
    # Measured over 150 commands at 10 dB (docs/benchmarks.md): 17% without, 69% with.
    assert len(heard) >= len(COMMANDS) // 2, heard
    assert len(heard) >= len(heard_raw) + 3, (heard, heard_raw)


def test_quiet_rooms_are_decoded_as_heard_and_loud_ones_denoised(spoken, with_denoise):
    rng = np.random.default_rng(12)
    quiet = with_noise(spoken["how many left"], None, rng)
    assert understood(with_denoise, quiet, "status")
    decisions = decide(with_denoise, quiet)
    assert decisions and not any(d.denoised for d in decisions)
    decisions = decide(with_denoise, with_noise(spoken["how many left"], 10, rng))
    assert decisions and all(d.denoised for d in decisions)


def test_the_background_level_is_measured_between_words():
    denoiser = Denoiser()
    noise = gym_noise(4.0, np.random.default_rng(3))
    noise *= 10 ** (-35 / 20) / np.sqrt(np.mean(noise ** 2))  # -35 dBFS
    denoiser.process((noise * 32767).astype(np.int16))
    assert -40 < denoiser.noise_dbfs < -30 and denoiser.noisy
    quiet = Denoiser()
    quiet.process(np.random.default_rng(4).normal(0, 10, 64_000).astype(np.int16))  # -70 dBFS
    assert quiet.noise_dbfs < -60 and not quiet.noisy


def test_denoised_and_raw_streams_stay_aligned_sample_for_sample():
    speech = np.concatenate([np.zeros(8000, np.int16), render("how many reps are left",
                                                               DEFAULT_VOICE)])
    denoiser = Denoiser()
    out = [denoiser.process(speech[i:i + 1600]) for i in range(0, len(speech), 1600)]
    denoised = np.concatenate([d for d, _ in out]).astype(float)
    raw = np.concatenate([r for _, r in out]).astype(float)
    assert len(denoised) == len(raw) > len(speech) - 1000
    n = len(raw)
    lags = {k: np.dot(denoised[400:n - 400], raw[400 + k:n - 400 + k]) for k in range(-40, 41)}
    assert abs(max(lags, key=lags.get)) <= 2, "switching streams must not shift the audio"


def test_without_the_library_the_unit_still_hears_and_says_why(caplog, spoken):
    settings = RecognizerSettings(engine="pocketsphinx",
                                  denoise=DenoiseSettings(library="/nonexistent/librnnoise.so"))
    rec = make_recognizer(settings)
    assert rec.denoiser is None
    assert "no noise suppression" in caplog.text
    assert understood(rec, with_noise(spoken["hold on"], None, np.random.default_rng(5)),
                      "pause")


def test_loud_gym_noise_alone_is_never_a_command(with_denoise):
    rng = np.random.default_rng(13)
    heard = [d.text for _ in range(8)
             for d in decide(with_denoise, (gym_noise(5.0, rng) * 32767).astype(np.int16))
             if d.intent]
    assert heard == []


def test_nothing_of_a_stream_comes_out_after_a_reset():
    denoiser = Denoiser()
    denoiser.process((gym_noise(1.0, np.random.default_rng(6)) * 32767).astype(np.int16))
    denoiser.reset()
    denoised, raw = denoiser.process(np.zeros(16_000, np.int16))
    assert not raw.any() and not denoised.any(), "the old clip's tail leaked into the new one"
    assert not denoiser.noisy


def test_a_noisy_recording_teaches_rnnoise_its_room_and_a_clean_one_nothing(spoken):
    """Before a file is decoded it is played to RNNoise (Recognizer.restart(room)), but only
    if it has a loud background: a clean one would teach it only the speech."""
    probe = with_noise(spoken["hold on"], 10, np.random.default_rng(8))

    def heard_after(room: np.ndarray) -> np.ndarray:
        denoiser = Denoiser()
        denoiser.learn(room)
        return denoiser.process(probe)[0]

    fresh = Denoiser().process(probe)[0]
    clean = (spoken["keep going"] * 32767).astype(np.int16)
    noisy = with_noise(spoken["keep going"], 10, np.random.default_rng(9))
    assert np.array_equal(heard_after(clean), fresh)
    assert not np.array_equal(heard_after(noisy), fresh)
