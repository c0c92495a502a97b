"""Earcons: short, distinct, tonal (not speech-like), and not heard as words by pocketsphinx."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from audio.earcons import EARCON_NAMES, earcon

RATE = 22050


def spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = 1 << int(np.ceil(np.log2(max(x.size, 4096))))
    mag = np.abs(np.fft.rfft(x * np.hanning(x.size), n)) ** 2
    return np.fft.rfftfreq(n, 1 / RATE), mag


def test_names_and_basic_shape():
    assert set(EARCON_NAMES) == {"tap", "rep", "rest_over", "listening", "error"}
    for name in EARCON_NAMES:
        x = earcon(name, RATE)
        assert x.dtype == np.float32 and x.ndim == 1
        assert 0.01 < x.size / RATE <= 0.5, name
        assert 0.3 <= np.max(np.abs(x)) <= 0.95, name
        assert abs(x[0]) < 0.05 and abs(x[-1]) < 0.05, name  # smooth ends: no clicks
    assert earcon("tap", RATE).size <= 0.040 * RATE
    with pytest.raises(KeyError):
        earcon("nope", RATE)


def test_any_rate():
    assert earcon("rep", 48000).size == pytest.approx(earcon("rep", RATE).size * 48000 / RATE,
                                                      abs=4)


@pytest.mark.parametrize("name", EARCON_NAMES)
def test_tonal_not_speech_like(name):
    """Energy sits in a few narrow pure-tone peaks, unlike speech's broad formant envelope."""
    x = earcon(name, RATE).astype(np.float64)
    freqs, power = spectrum(x)
    total = power.sum()
    top = np.sort(power)[::-1]
    bins_for_90 = int(np.searchsorted(np.cumsum(top) / total, 0.9)) + 1
    assert bins_for_90 / power.size < 0.02  # 90 % of energy in < 2 % of bins
    flatness = np.exp(np.mean(np.log(power + 1e-20))) / np.mean(power)
    assert flatness < 0.01
    # No voice fundamental / first formant band energy (80-500 Hz): nothing to decode as vowels.
    low = power[(freqs > 80) & (freqs < 450)].sum() / total
    assert low < 0.02


def test_distinct():
    """Pairs differ by duration or dominant pitch, so they are told apart at a glance."""
    feats = {}
    for name in EARCON_NAMES:
        x = earcon(name, RATE)
        freqs, power = spectrum(x.astype(np.float64))
        feats[name] = (x.size / RATE, freqs[np.argmax(power)])
    for a, b in itertools.combinations(EARCON_NAMES, 2):
        (da, fa), (db, fb) = feats[a], feats[b]
        assert abs(da - db) > 0.04 or abs(fa - fb) / min(fa, fb) > 0.2, (a, b)


def test_pocketsphinx_hears_no_words():
    ps = pytest.importorskip("pocketsphinx")
    soxr = pytest.importorskip("soxr")
    decoder = ps.Decoder(loglevel="ERROR")  # the bundled US-English full language model
    for name in EARCON_NAMES:
        y = soxr.resample(earcon(name, RATE), RATE, 16000)
        pad = np.zeros(8000, np.float32)
        pcm = (np.concatenate([pad, y, pad]) * 32767).astype("<i2").tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        assert hyp is None or hyp.hypstr.strip() == "", (name, hyp.hypstr)
