"""A second listener for short commands: a speech embedding and a classifier of our own.

pocketsphinx's bundled model hears many real people's short words as short commands ("down"
as "no", "eight" as "hold up"), and its free decodes hear them the same way, so no lever built
on that model tells them apart. Google's speech_embedding model, trained on a large amount of
real speech for keyword spotting, turns each 775 ms of audio into 96 numbers every 80 ms
(openWakeWord's ONNX export of it, Apache-2.0). A linear classifier on those, trained only on
our own rendered voices (scripts/train_word_check.py), named real people's Speech Commands
words right 85% of the time among 30 (never having heard a person).

Here the classifier knows every short command phrase and some three hundred other words: the
six bare words issue 4 names as never to be obeyed ("up", "down", "left", "right", "on",
"off"), and none of the other words bench/voice.py measures false accepts on. A short command
whose intent it gives almost no probability is refused (docs/voice.md, lever 10, for what that
gained and cost).

The models come from the openwakeword 0.4.0 wheel, which has them inside (0.6.0 downloads them
at run time), installed with ``pip install --no-deps``: only its two ONNX files are used,
through onnxruntime.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE_HZ = 16_000
MEL_WINDOW = 76
"""Mel frames (10 ms each, 775 ms) the embedding model sees at once."""
MEL_STEP = 8
"""Mel frames between embeddings (80 ms)."""
INSTALL_HINT = "pip install --no-deps openwakeword==0.4.0"
WEIGHTS = Path(__file__).with_name("data") / "word_check.npz"
PAD_S = (0.2, 0.4)
"""Near-silence put before and after a segment (seconds), as training placed its words: the
endpointer cuts tighter (an early stop has only 0.12 s after it), and unpadded, 6 of 34 real
people's commands the CLI understood were heard as other words; padded, none."""
PAD_DBFS = -65.0
"""Level of that near-silence: the decoder's comfort noise, which training added too."""
OTHER = "_other"
"""Class-name prefix of the words that are not commands (the weights file's)."""


@dataclass(frozen=True)
class WordCheckSettings:
    """The speech-embedding check of short commands."""

    enabled: bool = True
    """Check short commands before obeying them (when the models are installed)."""
    min_intent_probability: float = 0.02
    """A short command whose intent the classifier gives less than this (0-1) is refused."""
    outvoted_below: float = 0.05
    """A short command whose intent it gives less than this (0-1) is refused too if it gives
    another intent at least ``rival_probability``: a misheard command (flite slt's "I'm ready"
    at 20 dB obeyed as "how many", status 0.04 against start 0.96; espeak-ng's "turn it up" as
    "i'm done", stop 0.04 against start 0.72), which is then heard again."""
    rival_probability: float = 0.7
    """Another intent this likely (0-1) outvotes a command below ``outvoted_below``; above 1:
    none does."""
    vouch_probability: float = 0.5
    """A segment the grammar made no command of is decoded again without garbage words; a
    short command heard then is obeyed if the classifier gives its intent at least this (0-1;
    above 1 turns hearing again off)."""
    narrow_probability: float = 0.95
    """When hearing again finds no command and the classifier gives one intent at least this
    (0-1; above 1: never), the segment is decoded once more with only that intent's short
    phrases (without a number or a name), and obeyed if that passes every check a first
    hearing would."""
    rehear_max_s: float = 2.0
    """Longest segment (seconds) heard again that way: short commands are shorter."""
    word_margin_s: float = 0.05
    """A short command said with words around it ("okay next") is checked in its own words,
    cut from the segment where the search heard them, with this much (seconds) kept on each
    side: the search's word edges are a few frames off (cut at them, 2 of 90 such commands
    were refused; with 0.05 s, none)."""
    models_dir: str | None = None
    """Folder with melspectrogram.onnx and embedding_model.onnx; None: the openwakeword
    wheel's."""

    def validate(self) -> None:
        """Raise ValueError for settings that cannot work."""
        for name in ("min_intent_probability", "outvoted_below"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} = {getattr(self, name)}: must be 0 to 1")
        for name in ("rival_probability", "vouch_probability", "rehear_max_s", "word_margin_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} = {getattr(self, name)}: must not be negative")


class WordCheckUnavailable(RuntimeError):
    """The embedding models or onnxruntime are missing."""


def find_models(configured: str | None = None) -> Path | None:
    """The folder holding the two ONNX models: the configured one, or openwakeword's."""
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("openwakeword")  # without importing its wrapper
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (path := Path(folder) / "resources" / "models").is_dir():
            return path
    return None


class SpeechEmbedding:
    """16 kHz int16 audio -> (n, 96) embeddings, one per 80 ms (at least one)."""

    def __init__(self, models_dir: str | None = None) -> None:
        folder = find_models(models_dir)
        files = [folder / f"{name}.onnx" for name in ("melspectrogram", "embedding_model")
                 ] if folder else []
        if not files or not all(f.is_file() for f in files):
            where = f" in {models_dir}" if models_dir else ""
            raise WordCheckUnavailable(f"the speech embedding models are not installed{where} "
                                       f"({INSTALL_HINT})")
        try:
            import onnxruntime
        except ImportError as exc:
            raise WordCheckUnavailable("onnxruntime is not installed") from exc
        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = options.intra_op_num_threads = 1  # beside the decoder
        try:
            self._mel, self._embedding = (
                onnxruntime.InferenceSession(str(f), options,
                                             providers=["CPUExecutionProvider"])
                for f in files)
        except Exception as exc:  # onnxruntime raises its own types for a damaged file
            raise WordCheckUnavailable(f"cannot load the speech embedding models: {exc}") \
                from exc

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        x = np.asarray(samples, np.int16).astype(np.float32)[None]
        # The scaling openWakeWord applies to match Google's TensorFlow front end.
        mel = np.squeeze(self._mel.run(None, {"input": x})[0], axis=(0, 1)) / 10 + 2
        if len(mel) < MEL_WINDOW:  # shorter than one window: pad with its quietest frame
            mel = np.concatenate([mel, np.repeat(mel.min(0, keepdims=True),
                                                 MEL_WINDOW - len(mel), axis=0)])
        windows = np.stack([mel[i:i + MEL_WINDOW]
                            for i in range(0, len(mel) - MEL_WINDOW + 1, MEL_STEP)])
        out = self._embedding.run(None, {"input_1": windows[..., None].astype(np.float32)})[0]
        return out.reshape(len(windows), -1)


def pooled(embeddings: np.ndarray) -> np.ndarray:
    """One vector per segment: the mean and the maximum of its embeddings."""
    return np.concatenate([embeddings.mean(0), embeddings.max(0)])


@dataclass(frozen=True)
class WordVerdict:
    """What the classifier made of a segment said to be a command."""

    intent_probability: float
    """Probability of the claimed command's intent (any of its short phrases)."""
    agrees: bool
    """The intent's probability is at least the settings' ``min_intent_probability``, and
    ``outvoted_below`` unless no other intent reaches ``rival_probability``."""


class WordCheck:
    """The classifier over pooled embeddings (weights from scripts/train_word_check.py)."""

    def __init__(self, settings: WordCheckSettings | None = None,
                 weights: Path = WEIGHTS) -> None:
        self.settings = settings or WordCheckSettings()
        self.embed = SpeechEmbedding(self.settings.models_dir)
        try:
            with np.load(weights) as w:
                self.classes = [str(c) for c in w["classes"]]
                self._intents = w["intents"].astype(str)  # "" for the other words
                self._weights, self._bias = w["weights"], w["bias"]
                self._mean, self._scale = w["mean"], w["scale"]
        except (OSError, ValueError, KeyError) as exc:
            raise WordCheckUnavailable(f"cannot read the classifier {weights}: {exc} "
                                       "(scripts/train_word_check.py makes it)") from exc
        rng = np.random.default_rng(0)  # the same segment, the same verdict
        self._pads = [rng.normal(0, 32768 * 10 ** (PAD_DBFS / 20), round(s * RATE_HZ))
                      for s in PAD_S]
        self.phrases = frozenset(c for c in self.classes if not c.startswith(OTHER))

    def phrases_of(self, intent: str) -> list[str]:
        """The short phrases of ``intent`` the classifier was trained on."""
        return sorted(c for c, i in zip(self.classes, self._intents, strict=True) if i == intent)

    def knows(self, text: str) -> bool:
        """Whether ``text`` is one of the short commands the classifier was trained on."""
        return text in self.phrases

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Class probabilities (in ``classes`` order) for 16 kHz int16 ``samples``."""
        x = (pooled(self.embed(samples)) - self._mean) / self._scale
        logits = x @ self._weights + self._bias
        p = np.exp(logits - logits.max())
        return p / p.sum()

    def intent_probabilities(self, samples: np.ndarray) -> dict[str, float]:
        """Intent -> probability (summed over its short phrases) for ``samples`` (16 kHz int16,
        a whole segment, padded here as training placed its words)."""
        lead, tail = self._pads
        padded = np.concatenate([lead, np.asarray(samples, np.float32), tail])
        p = self.probabilities(np.clip(padded, -32768, 32767).astype(np.int16))
        summed: dict[str, float] = {}
        for intent, probability in zip(self._intents, p, strict=True):
            if intent:
                summed[intent] = summed.get(intent, 0.0) + float(probability)
        return summed

    def check(self, intent: str, samples: np.ndarray) -> WordVerdict:
        """Whether ``samples`` (16 kHz int16, the whole segment) sound like the command whose
        intent is ``intent`` rather than like other words."""
        heard, s = self.intent_probabilities(samples), self.settings
        mine = heard.get(intent, 0.0)
        rival = max((p for other, p in heard.items() if other != intent), default=0.0)
        outvoted = mine < s.outvoted_below and rival >= s.rival_probability
        return WordVerdict(mine, mine >= s.min_intent_probability and not outvoted)
