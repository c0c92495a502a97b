"""The recogniser on real audio: Speech Commands clips (real people) and rendered commands.

Rendered speech is the person's voice of the simulations (flite's CMU voices, audio/person_voice),
which pocketsphinx hears about as well as people; espeak-ng's formant voices it hardly hears
(docs/benchmarks.md), so those are only a regression guard here.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.config import ConfigError, load_config
from audio.denoise import DenoiseSettings
from audio.earcons import earcon
from audio.gym_noise import gym_noise, with_noise
from audio.level import background_dbfs, to_standard_level
from audio.listen import (
    TAIL_SILENCE_S,
    decide_file,
    decide_source,
    hear_spoken,
    listen,
    listen_files,
)
from audio.microphone import ArraySource
from audio.models import models_report
from audio.person_voice import (
    DEFAULT_VOICE,
    NEURAL,
    PersonVoice,
    VoiceUnavailable,
    available,
    render,
)
from audio.player import PlayerSettings
from audio.pocketsphinx_engine import PocketsphinxSettings
from audio.recognizer import WORD_DOUBT, Recognizer, RecognizerSettings, make_recognizer
from audio.rejection import MUTED, OWN_ECHO, OWN_WORDS, RejectionSettings, said_by_unit
from audio.transcript_check import TranscriptCheckSettings, phone_mismatch
from audio.tts import Voice, shared_renderer
from audio.wav import read_wav, write_wav
from audio.word_check import WordCheckSettings

DATA = Path(__file__).parent / "data" / "speech_commands"
NON_COMMANDS = ("up", "down", "left", "right", "on", "off", "bed", "cat", "house", "marvin")
CLIPS_PER_WORD = 6  # keeps the suite quick; bench/voice.py runs them all
RATE = 16_000
BLOCK_SAMPLES = RATE // 10  # the microphone's 100 ms blocks

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
needs_flite = pytest.mark.skipif(not available(DEFAULT_VOICE), reason="no flite")
ESPEAK = PersonVoice("espeak-ng", "en-us", 160)


def say(text: str, voice: PersonVoice = DEFAULT_VOICE) -> np.ndarray:
    """Rendered speech as 16 kHz int16, with silence either side."""
    gap = np.zeros(8000, dtype=np.int16)
    return np.concatenate([gap, render(text, voice), gap, gap])


def said_clean(text: str, voice: PersonVoice) -> np.ndarray:
    """``text`` said by ``voice`` as the benchmark's clean items are: 16 kHz int16, 0.6 s of
    silence before, 1.2 s after."""
    return with_noise(render(text, voice).astype(np.float32) / 32768, None,
                      np.random.default_rng(0))


def decide(rec: Recognizer, samples: np.ndarray):
    rec.reset()
    decisions = [d for b in ArraySource(samples).blocks() if (d := rec.accept(b))]
    if (last := rec.final()) is not None:
        decisions.append(last)
    return decisions


def heard_fresh(rec: Recognizer, samples: np.ndarray) -> list[tuple[str, str | None]]:
    """(text, intent) of each decision on ``samples`` heard as a first recording."""
    rec.restart(room=samples)
    return [(d.text, d.intent and d.intent.name) for d in decide(rec, samples)]


@pytest.fixture(scope="module")
def rec() -> Recognizer:
    return make_recognizer(RecognizerSettings(engine="pocketsphinx"))


def clips(word: str) -> list[Path]:
    return sorted((DATA / word).glob("*.wav"))[:CLIPS_PER_WORD]


def test_bare_non_command_words_trigger_nothing(rec):
    files = [p for w in NON_COMMANDS for p in clips(w)]
    accepted = [(p.parent.name, d.text, d.intent.name) for p in files
                if (d := decide_file(rec, p)) and d.intent]
    # Target is <= 2%; measured 4% on all 100 of them with the word check, 8% without
    # (bench/voice.py, docs/benchmarks.md, an open problem): a regression guard, not the target.
    assert len(accepted) <= 0.15 * len(files), accepted


def test_spoken_stop_is_understood_from_real_people(rec):
    heard = [d.intent.name if (d := decide_file(rec, p)) and d.intent else None
             for p in sorted((DATA / "stop").glob("*.wav"))]
    assert heard.count("stop") >= 4, heard
    assert len([h for h in heard if h not in ("stop", None)]) <= 1, heard


def test_yes_at_idle_maps_to_yes_and_go_to_start_or_nothing(rec):
    for word, intent in (("yes", "yes"), ("go", "start")):
        heard = [d.intent.name if (d := decide_file(rec, p)) and d.intent else None
                 for p in clips(word)]
        assert heard.count(intent) >= 2, (word, heard)
        assert len([h for h in heard if h not in (intent, None)]) <= 1, (word, heard)


def test_real_peoples_commands_taken_for_other_words_are_rescued_by_the_free_decode():
    """The grammar hears "use" or "get" for some people's "yes", "low" for "no"; the free
    language-model decode hears the common word, and a short segment is obeyed as that."""
    wanted = {"stop": "stop", "go": "start", "yes": "yes", "no": "no"}

    def understood(rescue_max_s: float) -> int:
        check = TranscriptCheckSettings(rescue_max_s=rescue_max_s)
        rec = make_recognizer(RecognizerSettings(
            engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(transcript_check=check)))
        return sum((d := decide_file(rec, path)) is not None and d.intent is not None
                   and d.intent.name == intent
                   for word, intent in wanted.items() for path in sorted((DATA / word).glob("*")))

    rescued, plain = understood(TranscriptCheckSettings.rescue_max_s), understood(0.0)
    assert rescued >= plain + 2 and rescued >= 30, (rescued, plain)  # measured 34 vs 31 of 40


@needs_flite
@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("stop", "stop", {}),
    ("pause", "pause", {}),
    ("keep going", "resume", {}),
    ("how many left", "status", {}),
    ("slow down", "slower", {}),
    ("what can I say", "help", {}),
    ("do twelve reps", "set_reps", {"reps": 12}),
    ("three sets of eight", "start", {"sets": 3, "reps": 8}),
    ("rest for ninety seconds", "rest", {"seconds": 90}),
    ("take a ninety second rest", "rest", {"seconds": 90}),
    ("skip to the next exercise", "next", {}),
    ("set it to four sets", "set_sets", {"sets": 4}),
    ("switch to good mornings", "choose", {"exercise": "barbell_good_morning"}),
    ("let's do RDLs", "start", {"exercise": "barbell_rdl"}),
])
def test_rendered_commands(rec, text, intent, slots):
    decisions = decide(rec, say(text))
    assert len(decisions) == 1, decisions
    d = decisions[0]
    latency = d.time_s - d.speech_end_s
    assert latency <= (0.3 if intent in ("stop", "pause") else 0.5), latency
    assert d.intent is not None, d
    assert (d.intent.name, d.intent.slots) == (intent, slots), d
    assert d.engine == "pocketsphinx" and 0 <= d.confidence <= 1


@needs_flite
def test_commands_said_with_okay_please_or_coach_around_them_are_understood(rec):
    """The decoder listens for the heard lead and tail words (commands.toml): without them
    "okay stop" came out as "okay" and "alright let's go" as "alright"."""
    said = [("okay stop", "stop"), ("alright let's go", "start"), ("okay next", "next"),
            ("hey coach how many left", "status"), ("turn it up please", "louder"),
            ("coach pause", "pause")]
    heard = [[d.intent.name for d in decide(rec, say(text)) if d.intent] for text, _ in said]
    assert heard == [[intent] for _, intent in said], heard
    chatter = ["please pass me the water bottle", "okay so where did I put my phone",
               "thanks for the coffee"]
    assert [d.text for text in chatter for d in decide(rec, say(text)) if d.intent] == []


@needs_espeak
def test_espeak_voice_is_poorly_heard_but_never_misread_as_another_command(rec):
    # Known gap (docs/benchmarks.md): pocketsphinx hears espeak-ng's voices badly; guard only
    # against a wrong command.
    wrong = [(text, d.intent.name) for text, intent in (("stop", "stop"), ("next", "next"))
             for d in decide(rec, say(text, ESPEAK)) if d.intent and d.intent.name != intent]
    assert wrong == []


@needs_espeak
def test_a_word_the_search_made_of_the_last_sounds_release_does_not_lose_the_command(rec):
    # This voice ends "hold on" with a release the search hears as a 90 ms "a": "hold on a"
    # is no sentence, "hold on" is (with the limit at 80 ms, it was heard again as "go on").
    clip = say("hold on", PersonVoice("espeak-ng", "en-us+f3", 175))
    assert heard_fresh(rec, clip) == [("hold on", "pause")]


@needs_espeak
def test_a_lone_stop_is_obeyed_though_the_free_decode_hears_another_word(rec, tmp_path):
    """The free decode hears espeak-ng's "stop" as some rarer word that fits it better
    ("jarreau", "dalton"), and the talk check of short commands refused it as talk: this
    voice's, and the default voice's as espeak-ng (and pyttsx3) writes it, at 22,050 Hz. A
    lone stop, pause or wait is how a person stops the unit; one word guessed for it is not
    talk."""
    clip = say("stop", PersonVoice("espeak-ng", "en-us+f3", 175))
    assert rec.engine.transcript_check.hear(clip.tobytes()) not in ("", "stop")
    assert heard_fresh(rec, clip) == [("stop", "stop")]
    native = tmp_path / "stop.wav"
    subprocess.run(["espeak-ng", "-w", str(native), "stop"], check=True)
    assert [r["intent"] for r in listen_files([native])] == ["stop"]


def test_a_dropped_last_word_that_was_the_commands_own_end_leaves_a_fragment_to_rescue(rec):
    # This person's "yes" is searched as "yeah i" (the "s" a 110 ms "i"). "yeah" alone does
    # not sound like the segment to the phone loop; as the fragment it was, the free decode
    # rescues it as "yes".
    d = decide_file(rec, DATA / "yes" / "51055bda_nohash_4.wav")
    assert d is not None and (d.text, d.intent and d.intent.name) == ("yes", "yes")


@needs_flite
def test_a_segment_whose_search_reached_no_sentence_end_is_heard_again(rec):
    # In these two noise mixes the best path through "hold on" reaches no sentence's end, so
    # there are no words; heard again without garbage words, and vouched for by the word
    # check, it is "hold on" (as it is to the wider search, off here).
    once = make_recognizer(RecognizerSettings(
        engine="pocketsphinx", word_check=WordCheckSettings(vouch_probability=2.0),
        pocketsphinx=PocketsphinxSettings(wide_beam=None)))
    unwide = make_recognizer(RecognizerSettings(
        engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(wide_beam=None)))
    speech = render("hold on", PersonVoice("flite", "rms")).astype(np.float32) / 32768
    for seed in (2, 3):
        clip = with_noise(speech, 20, np.random.default_rng(seed))
        assert [heard_fresh(once, clip), heard_fresh(unwide, clip)] == [
            [("", None)], [("hold on", "pause")]], seed


@pytest.fixture(scope="module")
def unnarrowed() -> Recognizer:
    """Without decoding a segment once more with only the word check's sure intent."""
    return make_recognizer(RecognizerSettings(
        engine="pocketsphinx", word_check=WordCheckSettings(narrow_probability=2.0)))


@needs_espeak
def test_a_command_misheard_again_is_heard_with_only_the_phrases_of_its_sure_intent(
        rec, unnarrowed):
    # pocketsphinx hears this voice's "pause" as "call it", with garbage words and without;
    # the word check gives pause 0.97, and with only pause's phrases the grammar hears
    # "pause", which the phone loop and the confidence accept.
    clip = said_clean("pause", PersonVoice("espeak-ng", "en-us", 160))
    assert heard_fresh(unnarrowed, clip) == [("call it", None)]
    assert heard_fresh(rec, clip) == [("pause", "pause")]


@needs_espeak
def test_words_around_a_command_that_only_the_grammar_heard_do_not_stop_it_being_narrowed(
        rec, unnarrowed):
    # The grammar hears this voice's "resume" as "please you", with garbage words and
    # without; "please" would make it a remark the word check cannot judge, but the free
    # decode hears no "please" there. The word check is sure of resume, and with only
    # resume's phrases the grammar hears "resume".
    clip = said_clean("resume", PersonVoice("espeak-ng", "en-gb", 150))
    assert heard_fresh(unnarrowed, clip) == [("please you", None)]
    assert heard_fresh(rec, clip) == [("resume", "resume")]


@needs_espeak
def test_a_command_the_word_check_refused_is_heard_again(rec, tmp_path):
    # espeak-ng's "speed up" at pyttsx3's rate, as espeak-ng writes it, is "speak up" to the
    # grammar: louder, which the word check does not hear in it (0.000; faster 0.99). Heard
    # again, narrowed to faster's phrases, it is "speed up".
    path = tmp_path / "speed-up.wav"
    subprocess.run(["espeak-ng", "-s", "200", "-w", str(path), "speed up"], check=True)
    once = make_recognizer(RecognizerSettings(
        engine="pocketsphinx", word_check=WordCheckSettings(vouch_probability=2.0)))
    first = decide_file(once, path)
    assert first is not None and first.text == "speak up" and first.intent is None
    assert first.rejected.startswith(WORD_DOUBT)
    again = decide_file(rec, path)
    assert again is not None and (again.text, again.intent and again.intent.name) == (
        "speed up", "faster")


@needs_flite
def test_a_remark_with_okay_around_it_is_not_narrowed_to_what_the_word_check_thinks(rec):
    # The word check knows bare commands only: to it this "okay then" is "again" (0.99).
    # First heard as "okay end", it is not heard again with only repeat's phrases.
    clip = said_clean("okay then", PersonVoice("flite", "slt"))
    assert all(intent is None for _, intent in heard_fresh(rec, clip))


@needs_flite
def test_a_command_whose_search_reached_no_sentence_end_is_searched_again_wider(rec):
    # This voice's "say that again": every path of the first search was pruned before the end
    # of a sentence, so it heard no words at all. Searched again with wider beams, it is heard.
    clip = said_clean("say that again", PersonVoice("flite", "rms"))
    narrow = make_recognizer(RecognizerSettings(
        engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(wide_beam=None)))
    assert heard_fresh(narrow, clip) == [("", None)]
    assert heard_fresh(rec, clip) == [("say that again", "repeat")]


@needs_flite
def test_a_short_command_said_with_okay_around_it_is_checked_in_its_own_words(rec):
    # flite kal16's "okay cool" is heard as "okay too loud"; where the grammar heard "too
    # loud", the word check hears nothing like quieter. Its "okay next" is still obeyed: in
    # the whole segment the check hears no "next" (0.000), in the word itself it does.
    kal16 = PersonVoice("flite", "kal16")
    rec.restart(room=(cool := said_clean("okay cool", kal16)))
    [decision] = decide(rec, cool)
    assert (decision.text, decision.intent) == ("okay too loud", None)
    assert decision.rejected.startswith("sounded like other words to the word check (quieter")
    assert heard_fresh(rec, said_clean("okay next", kal16)) == [("okay next", "next")]


CHATTER = ["I think I left my keys in the car", "what time is dinner tonight",
           "turn left at the lights", "my back feels a bit tight today",
           "can you pass me the water bottle", "did you see the game last night"]
CHATTER_VOICES = (DEFAULT_VOICE, PersonVoice("flite", "slt"))


@pytest.fixture(scope="module")
def unchecked() -> Recognizer:
    """The grammar alone, without the transcript check."""
    return make_recognizer(RecognizerSettings(
        engine="pocketsphinx",
        pocketsphinx=PocketsphinxSettings(transcript_check=TranscriptCheckSettings(enabled=False))))


@needs_flite
def test_chatter_is_not_obeyed_and_the_transcript_check_is_why(rec, unchecked):
    spoken = [say(text, voice) for text in CHATTER for voice in CHATTER_VOICES]
    obeyed = [d.text for samples in spoken for d in decide(rec, samples) if d.intent]
    obeyed_unchecked = [d.text for samples in spoken for d in decide(unchecked, samples)
                        if d.intent]
    assert len(obeyed) <= 1, obeyed
    assert len(obeyed_unchecked) >= 3, obeyed_unchecked  # the grammar alone is fooled


@needs_flite
def test_talk_bent_into_a_command_fits_worse_than_what_the_free_decode_heard(rec, unchecked):
    """The fit of a command against the free decode's own words separates a command the free
    decode misheard in noise (close: it is what was said) from talk the grammar bent into a
    command ("turn left at the lights" -> "turn that up a little": far behind)."""
    check = rec.engine.transcript_check
    chatter_fits = []
    for samples in (say(text, voice) for text in CHATTER for voice in CHATTER_VOICES):
        pcm = samples.tobytes()
        heard = check.hear(pcm)
        chatter_fits += [check.fit(d.text, heard, pcm) for d in decide(unchecked, samples)
                         if d.intent]
    assert len(chatter_fits) >= 3 and all(f is not None and f < 0 for f in chatter_fits), \
        chatter_fits
    assert sorted(chatter_fits)[len(chatter_fits) // 2] < -5, chatter_fits

    rng = np.random.default_rng(4)
    command_fits = []
    for text in ("say that again", "how many left", "give me a tip", "do twelve reps",
                 "three sets of eight", "calibrate the sensor"):
        for voice in CHATTER_VOICES:
            noisy = with_noise(render(text, voice).astype(np.float32) / 32768, 10, rng)
            pcm = noisy.tobytes()
            command_fits.append(check.fit(text, check.hear(pcm), pcm))
    # Never so far behind that the check would throw away the command that was said.
    limit = -check.settings.max_fit_deficit
    assert all(f is not None and f > limit for f in command_fits), command_fits


@needs_flite
def test_everyday_talk_that_sounds_like_a_command_is_not_obeyed(rec, tmp_path):
    """Talk the grammar bent into a command whose free decode heard the talk itself, its words
    fitting the audio clearly better: "it's getting late" heard as "let's get to work" and
    "where are we going" as "where are we coach" (long commands a few phones away), "let's go
    home" as "let's go" and "call me later" as "go go go" (short commands). Each was obeyed
    before the checks that now refuse it."""
    files = []
    for i, (text, voice) in enumerate([("it's getting late", "kal16"),
                                       ("where are we going", "awb"), ("let's go home", "awb"),
                                       ("call me later", "awb")]):
        files.append(path := tmp_path / f"talk{i}.wav")
        write_wav(path, render(text, PersonVoice("flite", voice)) / 32768.0, RATE)
    lenient = RecognizerSettings(engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(
        transcript_check=TranscriptCheckSettings(lagging_fit_deficit=math.inf,
                                                 fluent_fit_deficit=math.inf,
                                                 short_free_mismatch=math.inf)))
    assert [r["intent"] for r in listen_files(files, settings=lenient)] == \
        ["start", "status", "start", "start"]
    heard = [decide_file(rec, path) for path in files]
    assert all(d is None or d.intent is None for d in heard), heard


@needs_flite
def test_talk_the_free_decode_hears_as_fluent_english_must_match_the_command_closely(rec):
    """flite kal16's "what time is it" is "what does this hit" to the grammar and its "can you
    see that" "can you speed up": phones within the usual limit, fits only a few points behind
    the free decode's words. But those words are the talk itself, fluent English, unlike what
    a decoder guesses for a command it hears poorly ("duke's layover ranks" for "do twelve
    reps"), so the command must match them as closely as one far behind."""
    check = rec.engine.transcript_check
    assert check.fluency("what time is it") > check.settings.fluent_lm_score > \
        check.fluency("duke's layover ranks")
    lenient = make_recognizer(RecognizerSettings(
        engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(
            transcript_check=TranscriptCheckSettings(fluent_fit_deficit=math.inf))))
    talk = [said_clean(text, PersonVoice("flite", "kal16"))
            for text in ("what time is it", "can you see that")]
    assert [heard_fresh(lenient, clip) for clip in talk] == [
        [("what does this hit", "explain")], [("can you speed up", "faster")]]
    assert [heard_fresh(rec, clip) for clip in talk] == [
        [("what does this hit", None)], [("can you speed up", None)]]


@needs_flite
def test_a_command_asked_for_politely_is_understood(tmp_path):
    """"can you ..." before a command: without it, "can you speed up" was obeyed as louder
    (heard as "can you speak up") from all six CMU voices, "can you skip this" once too, and
    "can you slow down" or "can you turn it down" was not understood; nor "can we take a
    break" (a few requests for the two of us, not every command: "can we talk later" was
    heard as "can we talk quieter")."""
    files = []
    for i, (text, voice) in enumerate([("can you speed up", "slt"), ("can you slow down", "awb"),
                                       ("can you turn it down", "rms"),
                                       ("could you skip this", "kal16"),
                                       ("can we take a break", "slt")]):
        files.append(path := tmp_path / f"polite{i}.wav")
        write_wav(path, render(text, PersonVoice("flite", voice)) / 32768.0, RATE)
    assert [r["intent"] for r in listen_files(files)] == \
        ["faster", "slower", "quieter", "next", "rest"]


def test_phone_mismatch_is_edit_distance_over_the_command():
    assert phone_mismatch(["S", "T", "AA", "P"], ["S", "T", "AA", "P"]) == 0
    assert phone_mismatch(["S", "T", "AA", "P"], ["T", "AA", "P"]) == 0.25
    assert phone_mismatch(["S", "T"], ["AH", "B", "AW", "T", "M", "IY"]) == 2.5
    assert phone_mismatch([], ["AH"]) == 1
    # A vowel heard as another vowel, a stop as another stop: half a mistake each.
    assert phone_mismatch(["S", "T", "AA", "P"], ["S", "T", "AO", "B"]) == 0.25
    assert phone_mismatch(["S", "T", "AA", "P"], ["S", "T", "AA", "M"]) == 0.25


def test_a_short_command_needs_a_phone_heard_for_every_second_of_its_segment(rec):
    """5 s of gym noise, as noise suppression left it, named "move on" by the grammar: the
    phone loop heard two phones in it (bench/voice.py, second noise mix)."""
    check = rec.engine.transcript_check
    move_on, heard = check.phones("move on"), ["F", "AO"]
    assert not check.check_short(move_on, heard, seconds=4.96).agrees
    assert check.check_short(move_on, heard, seconds=1.2).agrees  # a short segment: enough


def decide_muted(rec: Recognizer, samples: np.ndarray, muted_until_s: float = math.inf):
    """Decisions on ``samples`` with the unit speaking (muted) until ``muted_until_s``."""
    rec.reset()
    decisions = []
    try:
        for start in range(0, len(samples), BLOCK_SAMPLES):
            rec.muted = start / RATE < muted_until_s
            if d := rec.accept(samples[start:start + BLOCK_SAMPLES]):
                decisions.append(d)
        rec.muted = False
        if (last := rec.final()) is not None:
            decisions.append(last)
    finally:
        rec.muted = False
    return decisions


@needs_flite
@pytest.mark.parametrize(("text", "intent"), [
    ("stop", "stop"), ("hold on", "pause"), ("how many left", None), ("i'm done", None)])
def test_while_the_unit_speaks_only_a_plain_stop_or_pause_passes(rec, text, intent):
    heard = decide_muted(rec, say(text))
    assert [d.intent.name for d in heard if d.intent] == ([intent] if intent else []), heard
    if intent is None:
        assert any(d.rejected == MUTED for d in heard), heard  # logged why


@needs_flite
def test_an_interrupt_the_echo_canceller_took_nearly_all_of_is_the_units_own_voice(rec):
    """While the unit talks, a "stop" must keep at least min_kept_db of the microphone through
    the echo canceller: what is left of the unit's own voice keeps about -22 dB."""
    floor = RejectionSettings().min_kept_db
    try:
        rec.echo_kept = lambda seconds: floor - 7  # the canceller took it away: an echo
        echoed = decide_muted(rec, say("stop"))
        rec.echo_kept = lambda seconds: floor + 9  # a person over the unit's voice
        spoken = decide_muted(rec, say("stop"))
        rec.echo_kept = lambda seconds: None  # the unit said nothing the canceller knows of
        silent = decide_muted(rec, say("stop"))
    finally:
        rec.echo_kept = None
    assert [d.rejected for d in echoed if d.text] == [OWN_ECHO]
    assert [d.intent.name for d in spoken + silent if d.intent] == ["stop", "stop"]


@needs_espeak
@pytest.mark.parametrize("line", ["That is the wall. Hold still for a moment.",
                                  "Set two of two. Five reps. Go."])
def test_the_unit_does_not_obey_its_own_voice(line):
    """Its own lines, as its speaker renders them, reaching the microphone: the muted rule
    holds for the whole segment, also when it is decided after the mute tail has passed.
    Before, a new recogniser heard "that is all" (stop) mid-line in the first and obeyed the
    last "go" (start), decided as the mute tail ended."""
    rec = make_recognizer(RecognizerSettings(engine="pocketsphinx"))  # no history: repeatable
    voice = replace(Voice(), sample_rate_hz=RATE)
    spoken = (shared_renderer().render(line, voice) * 32767).astype(np.int16)
    gap = np.zeros(RATE // 2, dtype=np.int16)
    heard = decide_muted(rec, np.concatenate([gap, spoken, gap, gap]),
                         muted_until_s=(len(gap) + len(spoken)) / RATE
                         + PlayerSettings().mute_tail_s)
    assert any(d.text for d in heard)
    assert [d.intent for d in heard if d.intent] == [], heard


@needs_flite
def test_a_command_said_over_the_wall_tap_click_is_understood(rec):
    """The click does not mute the microphone (audio.player): it must not spoil the words."""
    speech = say("how many left")
    click = (earcon("tap", RATE) * 0.3 * 32767).astype(np.int16)
    middle = len(speech) // 2 - 4000  # say() puts 1.5 s of silence after the words
    speech[middle:middle + len(click)] += click
    assert [d.intent.name for d in decide(rec, speech) if d.intent] == ["status"]


@pytest.mark.parametrize(("command", "said", "own"), [
    ("pause that", ["Button pressed. Pause and feel the stretch."], True),  # as it was heard
    ("stop", ["Rest.", "One rep stopped short and did not count."], True),
    ("pause", ["Paused. Say resume when you're ready."], True),
    ("stop", ["Rest. Ninety seconds."], False),
    ("hold on", ["Rest. Ninety seconds.", "Knees soft."], False),
    ("stop", [], False),
])
def test_said_by_unit_compares_the_word_a_command_starts_with(command, said, own):
    assert said_by_unit(command, said) is own


@needs_flite
def test_a_pause_the_unit_itself_was_saying_is_not_obeyed(rec):
    asked: list[float] = []

    def saying(line: str):
        def said_within(seconds: float) -> list[str]:
            asked.append(seconds)
            return [line]
        return said_within

    try:
        rec.own_speech = saying("Button pressed. Pause and feel the stretch.")
        (own,) = decide_muted(rec, say("pause"))
        assert own.intent is None and own.rejected == OWN_WORDS
        # It looks back over the whole segment and the margin for the two clocks.
        assert asked[-1] > RejectionSettings().own_speech_margin_s + 0.3
        rec.own_speech = saying("Rest. Ninety seconds.")
        assert [d.intent.name for d in decide_muted(rec, say("pause")) if d.intent] == ["pause"]
    finally:
        rec.own_speech = None


@needs_flite
def test_stop_is_decided_early(rec):
    (d,) = decide(rec, say("stop"))
    assert d.intent is not None and d.intent.name == "stop"
    assert d.early and d.time_s - d.speech_end_s <= 0.3


def test_noise_and_silence_decide_nothing(rec):
    rng = np.random.default_rng(1)
    noise = (rng.normal(0, 0.05, 16_000 * 3) * 32767).astype(np.int16)
    assert all(d.intent is None for d in decide(rec, noise))
    assert decide(rec, np.zeros(16_000, dtype=np.int16)) == []


@needs_flite
@pytest.mark.parametrize(("number", "reps"), [("twelve", 12), ("eight", 8), ("two", 2)])
def test_a_spoken_bare_number_answers_the_question_and_is_nothing_at_idle(rec, number, reps):
    asked = hear_spoken(rec, number, expecting="reps")
    assert asked.intent is not None and asked.intent.name == "set_reps"
    assert asked.intent.slots == {"reps": reps}
    idle = hear_spoken(rec, number)
    assert idle.text == number and idle.intent is None


def groan(first_formant_hz: float, second_formant_hz: float, seconds: float) -> np.ndarray:
    """A sustained vowel at 120 Hz, as a person groans or exhales through a heavy rep:
    harmonics weighted by two formant resonances, 16 kHz int16 with silence either side."""
    t = np.arange(int(seconds * 16_000)) / 16_000
    voice = np.zeros_like(t)
    for k in range(1, 60):
        f = 120.0 * k
        gain = sum(1 / (1 + ((f - formant) / 90) ** 2)
                   for formant in (first_formant_hz, second_formant_hz, 2500.0))
        voice += gain / k * np.sin(2 * np.pi * f * t)
    voice *= 0.3 / np.abs(voice).max() * np.minimum(1, np.minimum(t, t[-1] - t) / 0.05)
    gap = np.zeros(8000, dtype=np.int16)
    return np.concatenate([gap, (voice * 32767).astype(np.int16), gap, gap])


def test_a_long_groan_is_not_obeyed_and_the_word_it_was_held_as_is_named():
    """The best path can hold one word for seconds over a sustained sound; no one says a word
    that slowly, and the rejection says so (the same rule drops gym noise held as "advice")."""
    rec = make_recognizer(RecognizerSettings(engine="pocketsphinx"))  # a known starting state
    for formants in ((500, 900), (700, 1200), (300, 2300), (320, 800)):  # oh, ah, ee, oo
        decisions = decide(rec, groan(*formants, seconds=2.5))
        assert decisions and all(d.intent is None for d in decisions), decisions
        assert any("stretched over" in d.rejected for d in decisions), decisions


@pytest.mark.parametrize(("table", "line", "reason"), [
    ("recognizer.denoise", "noise_time_s = 0", "noise_time_s = 0.*must be above 0"),
    ("recognizer.pocketsphinx", "max_frames_per_phone = 0",
     "max_frames_per_phone = 0.*must be above 0"),
    ("recognizer.pocketsphinx", "silence_prob = 1.5", "silence_prob = 1.5.*must be 0 to below 1"),
    ("recognizer.pocketsphinx", "wide_beam = 1e-30", "wide_beam = 1e-30.*at most beam"),
    ("recognizer.pocketsphinx.transcript_check", "rescue_max_s = -1",
     "rescue_max_s = -1.*must be 0 or more"),
    ("recognizer.pocketsphinx.transcript_check", "lagging_max_mismatch = -0.1",
     "lagging_max_mismatch = -0.1.*must be 0 or more"),
])
def test_a_recogniser_config_that_cannot_work_is_refused_with_the_reason(tmp_path, table, line,
                                                                         reason):
    path = tmp_path / "config.toml"
    path.write_text(f"[{table}]\n{line}\n")
    with pytest.raises(ConfigError, match=reason):
        load_config(path)


def test_a_real_short_command_the_phone_loop_barely_heard_is_obeyed_if_the_word_check_is_sure():
    # The phone loop heard "TH EH L" in this person's "go" and one phone in this "stop", so the
    # check against it refused both; the word check gives start 0.76 and stop 0.96.
    files = [DATA / "go" / "988e2f9a_nohash_0.wav", DATA / "stop" / "a9abc695_nohash_1.wav"]
    unsure = RecognizerSettings(word_check=WordCheckSettings(vouch_probability=2.0))
    assert [r["intent"] for r in listen_files(files, "pocketsphinx", unsure)] == [None, None]
    assert [r["intent"] for r in listen_files(files, "pocketsphinx")] == ["start", "stop"]


def test_listen_files_json_shape():
    rows = list(listen_files([clips("stop")[0], clips("up")[0]], engine="pocketsphinx"))
    assert [set(r) for r in rows] == [{"file", "text", "intent", "slots", "confidence",
                                       "engine"}] * 2
    assert rows[0]["intent"] == "stop" and rows[0]["slots"] == {}
    assert rows[1]["intent"] is None and rows[1]["engine"] == "pocketsphinx"


def test_a_new_process_hears_its_first_file_as_a_long_running_one_would():
    """`hinge-coach listen --wav` once per file starts a new decoder each time, whose cepstral
    mean has heard no one yet. Started from the model's own mean, a person's "off" became
    "stop"; from the mean of speech at the standard level it is nothing. (Over the 300 shared
    clips, one process each: 10 -> 7 of 260 other words made commands, docs/voice.md.)"""
    off = DATA / "off/5fe4a278_nohash_0.wav"

    def heard(initial_mean_c0: float) -> object:
        settings = RecognizerSettings(engine="pocketsphinx", pocketsphinx=PocketsphinxSettings(
            initial_mean_c0=initial_mean_c0))
        return next(listen_files([off], settings=settings))["intent"]

    assert heard(PocketsphinxSettings.initial_mean_c0) is None
    assert heard(40.0) == "stop"  # the model's own: why the setting exists


def test_a_file_is_heard_the_same_whichever_files_came_before_it(rec):
    """`hinge-coach listen --wav A B C` says of C what `listen --wav C` says. It did not: the
    grammar decoder's cepstral mean, the endpointer's noise floor, webrtc's VAD and RNNoise
    ran on from file to file, and a person's "right" heard alone as "hurry" was "right" after
    two other clips (7 of 26 clips judged differently, in text or confidence)."""
    before = [path for word in ("down", "right") for path in sorted((DATA / word).glob("*"))[:2]]
    files = [DATA / "down/51055bda_nohash_4.wav", DATA / "right/439c84f4_nohash_1.wav"]
    for path in before:
        decide_file(rec, path)
    in_a_row = [decide_file(rec, path) for path in files]
    alone = [decide_file(make_recognizer(RecognizerSettings(engine="pocketsphinx")), path)
             for path in files]
    assert [(d.text, d.confidence) for d in in_a_row] == [(d.text, d.confidence) for d in alone]


def test_a_quiet_files_first_word_is_not_taken_for_a_loud_room(rec):
    """A file's room is its whole background, not its first 250 ms: a clip that starts with
    its word made the warm-up judge the room loud, and a person's "no" was decoded through
    noise suppression and heard as "move" (47 of 300 real clips were decoded denoised)."""
    heard = decide_file(rec, DATA / "no/439c84f4_nohash_1.wav")
    assert (heard.intent and heard.intent.name, heard.denoised) == ("no", False)

    def background(path: Path) -> float:
        samples, rate = read_wav(path)
        return background_dbfs(to_standard_level(samples, rate), rate)

    loud = DenoiseSettings().noisy_above_dbfs
    quiet = [path for path in sorted(DATA.glob("*/*.wav"))[::4] if background(path) < loud]
    assert len(quiet) >= 20
    assert [path.name for path in quiet if (d := decide_file(rec, path)) and d.denoised] == []


FIRST_COMMANDS = [("stop", "stop"), ("pause", "pause"), ("hold on", "pause"),
                  ("resume", "resume"), ("keep going", "resume"), ("let's go", "start"),
                  ("I'm ready", "start"), ("I'm done", "stop"), ("next", "next"),
                  ("skip the rest", "next"), ("say that again", "repeat"),
                  ("how many left", "status"), ("slow down", "slower"), ("faster", "faster")]


@needs_flite
def test_noise_suppression_learns_a_noisy_files_room_before_deciding(rec):
    """A file heard alone gives RNNoise no seconds of the room before the speech, which a unit
    on the wall always has: so the file is first played to it whole. Gym noise at 10 dB from
    0.1 s before each command: measured 4 -> 10 of these 14; of all 25 bench phrasings, 14 ->
    21 from this voice, 17 -> 25 and 22 -> 25 from flite's slt and kal16, none worse."""
    understood = {"plain": 0, "learnt": 0}
    for i, (text, intent) in enumerate(FIRST_COMMANDS):
        speech = render(text, DEFAULT_VOICE).astype(np.float32) / 32768
        x = np.concatenate([np.zeros(RATE // 10, np.float32), speech, np.zeros(RATE, np.float32)])
        noise = gym_noise(len(x) / RATE + 0.01, np.random.default_rng(i))[:len(x)]
        x += noise * np.sqrt(np.mean(speech ** 2) / (np.mean(noise ** 2) * 10))
        at_level = to_standard_level(x, RATE)
        source = ArraySource(at_level, tail_silence_s=TAIL_SILENCE_S)
        for way, room in (("plain", None), ("learnt", ArraySource(at_level).samples)):
            rec.restart(room=room)
            decision = decide_source(rec, source)
            understood[way] += bool(decision and decision.intent and decision.intent.name == intent)
    assert understood["learnt"] >= understood["plain"] + 3, understood


QUIET_COMMANDS = [("hold on", "pause"), ("how many left", "status"), ("keep going", "resume"),
                  ("give me a tip", "explain")]


@needs_flite
def test_a_recording_made_30_db_quieter_is_understood_as_well(rec, tmp_path):
    quiet = 10 ** (-30 / 20)
    files = []
    for text, _ in QUIET_COMMANDS:
        files.append(tmp_path / f"{len(files)}.wav")
        write_wav(files[-1], say(text).astype(np.float32) / 32768 * quiet, 16_000)
    heard = [d.intent.name if (d := decide_file(rec, f)) and d.intent else None for f in files]
    assert heard == [intent for _, intent in QUIET_COMMANDS]
    # Fed as recorded, the quiet speech drowns in the decoder's comfort noise (1 of 8 measured).
    as_recorded = [d.intent.name for text, _ in QUIET_COMMANDS
                   for d in decide(rec, (say(text) * quiet).astype(np.int16)) if d.intent]
    assert len(as_recorded) <= len(QUIET_COMMANDS) // 2, as_recorded


@needs_flite
def test_listening_live_shows_each_segment_and_says_when_speech_is_too_quiet(rec):
    lines: list[str] = []
    for gain in (1.0, 0.05):  # speech peaking near -15 and -41 dBFS
        listen(ArraySource((say("how many left") * gain).astype(np.int16)), rec, lines.append)
    assert len(lines) == 2, lines
    assert "peak -15 dBFS" in lines[0] and "quiet" not in lines[0], lines[0]
    assert "peak -41 dBFS" in lines[1] and "raise the microphone gain" in lines[1], lines[1]


def test_quiet_gym_noise_raised_to_level_is_still_not_a_command(rec, tmp_path):
    path = tmp_path / "noise.wav"
    write_wav(path, gym_noise(5.0, np.random.default_rng(3)) * 10 ** (-40 / 20), 16_000)
    decision = decide_file(rec, path)
    assert decision is None or decision.intent is None, decision


def test_models_report_explains_english_vosk_model(tmp_path):
    text = models_report()
    assert "pocketsphinx" in text and "vosk-model-small-en-us-0.15" in text
    check = next(line.strip() for line in text.splitlines() if "sha256sum -c" in line)
    # The printed check, run where the download landed, refuses a file that is not the model.
    (tmp_path / "vosk-model-small-en-us-0.15.zip").write_bytes(b"<html>rate limited</html>")
    done = subprocess.run(check, shell=True, cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0 and "FAILED" in done.stdout


NEURAL_VOICE = NEURAL[0]
NEURAL_COMMANDS = [("hold on", "pause"), ("how many left", "status"), ("keep going", "resume"),
                   ("give me a tip", "explain"), ("switch to good mornings", "choose"),
                   ("three sets of eight", "start")]


@pytest.mark.skipif(not available(NEURAL_VOICE), reason="no piper voice: the neural extra")
def test_a_neural_voice_is_understood_and_its_chatter_is_not_obeyed(rec):
    """Speech unlike both the CMU voices and espeak-ng: piper's VITS voice joe."""
    heard = [[d.intent.name for d in decide(rec, say(text, NEURAL_VOICE)) if d.intent]
             for text, _ in NEURAL_COMMANDS]
    assert heard == [[intent] for _, intent in NEURAL_COMMANDS], heard
    obeyed = [d.text for text in CHATTER[:4] for d in decide(rec, say(text, NEURAL_VOICE))
              if d.intent]
    assert obeyed == [], obeyed


def test_an_unknown_or_missing_voice_says_what_to_install():
    with pytest.raises(VoiceUnavailable, match="no piper voice 'en_GB-nobody'.*en_US-joe"):
        render("stop", PersonVoice("piper", "en_GB-nobody"))
    with pytest.raises(VoiceUnavailable, match="unknown speech engine 'mimic'"):
        render("stop", PersonVoice("mimic", "x"))


@pytest.mark.skipif(not available(NEURAL_VOICE), reason="no piper voice: the neural extra")
def test_the_neural_voice_says_a_line_the_same_way_every_time():
    """piper draws random noise in each render; seeded, test and benchmark figures repeat."""
    assert np.array_equal(render("how many left", NEURAL_VOICE),
                          render("how many left", NEURAL_VOICE))
