"""Checking a grammar result against a free decode: does what was heard sound like the command?

A closed grammar maps chatter onto the nearest command ("can you pass me the water bottle" ->
"can you speak louder"). pocketsphinx's own en-us language model, free to hear any words, hears
the chatter instead. The two are compared as phone strings, so a free decode that spells a
command differently ("how many left" -> "hi manual and") still agrees roughly, while a
sentence of other words does not. Measured on flite/festival voices (bench/voice.py): commands
mismatch by 0.0-0.6 (edit distance over the command's phones), chatter by 0.64 and more.
Short commands are not checked: the free decode mishears single words ("pause" -> "wallace")
and chatter was never taken for them. Clear matches are settled for free by the phone loop
the engine already decodes for its confidence (chatter measured 0.71 and more against it), so
the language model runs only when that is unsure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pocketsphinx


@dataclass(frozen=True)
class TranscriptCheckSettings:
    """When a grammar result must agree with the free decode of the same audio."""

    enabled: bool = True
    """Run the check at all (costs one language-model decode per long command heard)."""
    max_mismatch: float = 0.6
    """Largest phone edit distance, as a fraction of the command's phones, that still agrees."""
    min_phones: int = 8
    """Commands with fewer phones than this are not checked (single words, "hold on")."""
    sure_match: float = 0.5
    """A phone-loop mismatch this low agrees without the language-model decode."""
    beam: float = 1e-35
    """Beam of the free decode; narrower is faster."""
    max_hmms_per_frame: int = 3000
    """Cap on active HMMs per frame in the free decode (pocketsphinx -maxhmmpf): bounds its CPU."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    heard: str
    """What the free decode heard; "" when the phone loop settled it."""
    mismatch: float
    """Phone edit distance over the command's phone count (0 = same sounds)."""
    agrees: bool
    """mismatch <= the settings' max_mismatch."""


def phone_mismatch(expected: list[str], heard: list[str]) -> float:
    """Levenshtein distance between two phone lists, over len(expected)."""
    row = list(range(len(heard) + 1))
    for i, want in enumerate(expected, 1):
        diagonal, row[0] = row[0], i
        for j, got in enumerate(heard, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           diagonal + (want != got))
    return row[-1] / max(1, len(expected))


class TranscriptCheck:
    """A free (language-model) decoder over the same acoustic model as the grammar."""

    def __init__(self, model_dir: Path, settings: TranscriptCheckSettings | None = None) -> None:
        self.settings = s = settings or TranscriptCheckSettings()
        self.decoder = pocketsphinx.Decoder(hmm=str(model_dir), loglevel="FATAL",
                                            beam=s.beam, pbeam=s.beam, wbeam=s.beam * 1e5,
                                            maxhmmpf=s.max_hmms_per_frame, fwdflat=False)

    def check(self, phones: list[str], pcm: bytes, loop_phones: list[str] | None = None) -> Verdict:
        """Compare the command's ``phones`` with a free decode of ``pcm`` (16 kHz int16);
        ``loop_phones``, a phone loop's hearing of the same audio, may settle it first."""
        if loop_phones is not None:
            mismatch = phone_mismatch(phones, loop_phones)
            if mismatch <= self.settings.sure_match:
                return Verdict("", mismatch, True)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        heard = hyp.hypstr if hyp else ""
        mismatch = phone_mismatch(phones, self.phones(heard))
        return Verdict(heard, mismatch, mismatch <= self.settings.max_mismatch)

    def phones(self, text: str) -> list[str]:
        """The free decoder's pronunciation of ``text`` (words it lacks add nothing)."""
        return [p for word in text.split() for p in (self.decoder.lookup_word(word) or "").split()]
