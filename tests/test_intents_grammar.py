"""The compiled command language: one source, consistent for parser, vosk, pocketsphinx, help."""

from __future__ import annotations

import logging
import re
from itertools import islice

import pytest

from intents import EXPECTING, INTENT_NAMES, Grammar, build_grammar
from intents.commands import load_commands, parse_commands
from intents.fixtures import EXERCISE_NAMES
from intents.phrases import UNKNOWN, bigrams
from intents.template import TemplateError, expand, full_match, words_of


@pytest.fixture(scope="module")
def grammar() -> Grammar:
    return build_grammar(EXERCISE_NAMES)


def sample_sentences(grammar: Grammar, per_pattern: int = 1):
    """(text, sentence) for every expansion of every template, slots filled in rotation."""
    turn = 0
    for sentence in grammar.commands.sentences:
        for pattern in dict.fromkeys(expand(sentence.template, grammar.commands.rules)):
            for _ in range(per_pattern):
                words: list[str] = []
                for word in pattern:
                    if word.startswith("{"):
                        values = list(grammar.slot_lists[word[1:-1]])
                        words += values[turn % len(values)]
                        turn += 7  # coprime with list sizes, so values vary
                    else:
                        words.append(word)
                yield " ".join(words), sentence


def test_every_template_expansion_parses_to_its_own_intent(grammar: Grammar) -> None:
    wrong = []
    for text, sentence in sample_sentences(grammar):
        intent = grammar.parse(text, expecting=sentence.expecting)
        if intent is None or intent.name != sentence.intent:
            wrong.append((text, sentence.intent, intent and intent.name))
            continue
        for slot, value in sentence.fixed_slots.items():
            if intent.slots.get(slot) != value:
                wrong.append((text, dict(sentence.fixed_slots), intent.slots))
    assert not wrong, wrong[:20]


def test_no_sentence_means_two_different_things(grammar: Grammar) -> None:
    # Answers are left out: they may deliberately overlap commands ("skip it" answers no).
    commands = [s for s in grammar.commands.sentences if s.expecting is None]
    rules, slot_lists = grammar.commands.rules, grammar.slot_lists
    clashes = set()
    for text, sentence in sample_sentences(grammar):
        if sentence.expecting is not None:
            continue
        tokens = tuple(text.split())
        meanings = set()
        for other in commands:
            slots = full_match(other.template, tokens, slot_lists, rules)
            if slots is not None:
                meanings.add((other.intent, tuple(sorted({**other.fixed_slots, **slots}.items()))))
        if len(meanings) > 1:
            clashes.add((text, tuple(sorted(meanings))))
    assert not clashes, sorted(clashes)[:10]


def test_answers_only_use_known_questions() -> None:
    assert {s.expecting for s in load_commands().sentences} - {None} <= set(EXPECTING)


def test_help_has_one_speakable_line_per_intent(grammar: Grammar) -> None:
    lines = grammar.help_lines()
    assert len(lines) == len(INTENT_NAMES)
    for line in lines:
        assert re.fullmatch(r"[A-Z][A-Za-z ,.'?]+[.?]", line), line
        assert len(line.split()) <= 25, line


@pytest.mark.parametrize("index", range(len(INTENT_NAMES)))
def test_help_lines_teach_phrasings_that_work(grammar: Grammar, index: int) -> None:
    # The help is spoken advice: at least one phrase in it must be a command it describes.
    name, line = INTENT_NAMES[index], grammar.help_lines()[index]
    words = re.sub(r"[^a-z' ]", " ", line.lower()).split()
    phrases = {" ".join(words[i:j]) for i in range(len(words))
               for j in range(i + 1, min(i + 8, len(words)) + 1)}
    meanings = {intent.name for intent in map(grammar.parse, phrases) if intent is not None}
    assert name in meanings, line


def test_vocabulary_is_every_word_of_the_grammar(grammar: Grammar) -> None:
    vocabulary = grammar.vocabulary()
    assert {"pause", "deadlifts", "ninety", "please", "coach", "twenty", "muscles"} <= vocabulary
    for text, _ in sample_sentences(grammar):
        assert set(text.split()) <= vocabulary, text
    assert all(re.fullmatch(r"[a-z][a-z']*", word) for word in vocabulary)


# --- vosk ---------------------------------------------------------------------------------


def test_vosk_phrases_are_compact_and_end_with_unknown(grammar: Grammar) -> None:
    phrases = grammar.vosk_phrases()
    assert phrases[-1] == UNKNOWN and phrases.count(UNKNOWN) == 1
    assert 100 < len(phrases) < 3000
    assert len(set(phrases)) == len(phrases)
    words = {w for p in phrases[:-1] for w in p.split()}
    assert words == grammar.vocabulary()


def test_vosk_phrases_cover_every_bigram_of_the_grammar(grammar: Grammar) -> None:
    covered = set().union(*(bigrams(tuple(p.split())) for p in grammar.vosk_phrases()[:-1]))
    for text, _ in sample_sentences(grammar):
        assert bigrams(tuple(text.split())) <= covered, text


def test_vosk_phrases_are_commands_answers_or_filler(grammar: Grammar) -> None:
    for phrase in grammar.vosk_phrases()[:-1]:
        parsed = (grammar.parse(phrase, expecting=e) for e in (None, *EXPECTING))
        lead_or_tail = any(
            full_match(node, tuple(phrase.split()), {}, grammar.commands.rules) is not None
            for node in (grammar.commands.lead, grammar.commands.tail, grammar.commands.request))
        assert any(parsed) or lead_or_tail, phrase


def test_vosk_respells_words_the_model_lacks(grammar: Grammar, caplog) -> None:
    lacking = {"deadlift", "deadlifts", "goblet"}
    with caplog.at_level(logging.WARNING, logger="intents.phrases"):
        phrases = grammar.vosk_phrases(known_words=lambda w: w not in lacking)
    words = {w for p in phrases for w in p.split()}
    assert not words & lacking
    assert {"dead", "lift", "lifts"} <= words
    assert "goblet" in caplog.text and "deadlift" not in caplog.text
    respelled = [p for p in phrases if "dead lifts" in p]
    assert respelled and all(grammar.parse(p, expecting="exercise") for p in respelled[:50])


def test_vosk_phrases_with_no_known_words_leave_only_unknown(grammar: Grammar) -> None:
    assert grammar.vosk_phrases(known_words=lambda w: False) == [UNKNOWN]


@pytest.mark.parametrize(("text", "parts"), [
    ("okay coach hold on please", ("okay coach", "hold on", "please")),
    ("ok stop thanks", ("ok", "stop", "thanks")),
    ("hold on", ("", "hold on", "")),
    ("okay", ("", "okay", "")),  # nothing but wrap words: all command ("okay" answers yes)
    ("please pass me the water bottle", ("please", "pass me the water bottle", "")),
])
def test_split_wrap_parts_the_words_said_around_a_command(grammar: Grammar, text: str,
                                                          parts: tuple[str, str, str]) -> None:
    assert grammar.split_wrap(text) == parts


def test_heard_wrap_words_are_some_of_the_wrap_words(grammar: Grammar) -> None:
    commands = grammar.commands
    heard = words_of(commands.heard_lead, {}) | words_of(commands.heard_tail, {})
    assert {"okay", "please", "coach"} <= heard
    assert heard < words_of(commands.lead, {}) | words_of(commands.tail, {})
    assert not heard & {"so", "and", "now", "then"}  # short words that soak up mishearings


def test_interrupts_are_the_plain_ways_to_stop_or_pause(grammar: Grammar) -> None:
    interrupts = [" ".join(words) for node in grammar.commands.interrupts
                  for words in expand(node, grammar.commands.rules)]
    assert {"stop", "pause", "hold on", "wait"} <= set(interrupts)
    for text in interrupts:
        intent = grammar.parse(text)
        assert intent is not None and intent.name in ("stop", "pause"), text
        assert grammar.interrupts(text) and grammar.interrupts(f"okay {text} please")
    # Stops and pauses the coach's own voice was heard as are not interrupts.
    for text in ("that is all", "i'm done", "just a minute please", "stop the workout"):
        assert grammar.parse(text) is not None and not grammar.interrupts(text), text
    assert not grammar.interrupts("how many left") and not grammar.interrupts("")


# --- automaton ----------------------------------------------------------------------------


def test_automaton_accepts_every_sentence(grammar: Grammar) -> None:
    automaton = grammar.automaton()
    for text, _ in sample_sentences(grammar):
        for wrapped in (text, f"okay coach {text} please"):
            assert automaton.accepts(wrapped.split()), wrapped


@pytest.mark.parametrize("text", [
    "up", "left", "okay please okay", "turn left at the lights", "the rest", "stop and go",
    "please", "pause pause", "twelve eight", "how many left please please",
    "can you ready to go", "could you all done for now", "can you how many left",
    "okay can you pause",
])
def test_automaton_rejects_what_parse_rejects(grammar: Grammar, text: str) -> None:
    assert not grammar.automaton().accepts(text.split())
    assert all(grammar.parse(text, expecting=e) is None for e in (None, *EXPECTING))


def test_a_request_goes_before_every_command_led_by_a_verb_and_no_other(
        grammar: Grammar) -> None:
    commands, automaton = grammar.commands, grammar.automaton()
    asked = 0
    for text, sentence in sample_sentences(grammar):
        if sentence.expecting is not None:
            continue
        request = f"could you {text} please"
        led = text.split()[0] in commands.request_verbs
        intent = grammar.parse(request)
        assert (intent is not None and intent.name == sentence.intent) is led, request
        assert automaton.accepts(request.split()) is led, request
        asked += led
    assert asked > 300  # most commands are something to do


def test_jsgf_has_the_request_before_the_verb_led_commands_only(grammar: Grammar) -> None:
    rules = dict(line.rstrip(";").split(" = ", 1) for line in grammar.jsgf().splitlines()
                 if line.startswith("<"))
    assert rules["<request>"] == "(can | could) you"
    assert "(turn (it | that" in rules["<request_louder>"]
    assert "yeah" not in rules["<request_yes>"]  # only its verb-led answers ("do it")
    assert "how" not in rules["<request_status>"]  # only "give me an update"
    assert "ready" not in rules["<request_start>"] and "let's" not in rules["<request_start>"]


def test_automaton_is_small_and_deterministic(grammar: Grammar) -> None:
    automaton = grammar.automaton()
    assert automaton.n_states < 2000 and len(automaton.arcs) < 10000
    keys = [(src, word) for src, word, _ in automaton.arcs]
    assert len(keys) == len(set(keys))


def test_automaton_without_answers_rejects_bare_numbers(grammar: Grammar) -> None:
    assert grammar.automaton().accepts(["twelve"])
    assert not grammar.automaton(expecting=()).accepts(["twelve"])
    assert grammar.automaton(expecting=()).accepts(["twelve", "reps"])


@pytest.mark.parametrize(("text", "expected"), [
    ("how many", True), ("how many left", True), ("okay coach", True), ("[unk] switch to", True),
    ("start single leg", True), ("switch to the", True), ("", True),
    ("how few", False), ("turn left", False), ("switch to eggs", False), ("turn [unk] up", False),
])
def test_is_prefix_tells_partial_results_apart(grammar: Grammar, text: str,
                                               expected: bool) -> None:
    assert grammar.is_prefix(text) is expected


def test_fsg_text_format(grammar: Grammar) -> None:
    text = grammar.automaton().fsg_text()
    lines = text.splitlines()
    assert lines[0].startswith("FSG_BEGIN") and lines[-1] == "FSG_END"
    assert sum(line.startswith("TRANSITION") for line in lines) == len(
        grammar.automaton().transitions())


# --- building -----------------------------------------------------------------------------


def test_plain_names_mean_the_barbell_variants(grammar: Grammar) -> None:
    for name, exercise in [("romanian deadlifts", "barbell_rdl"), ("r d l", "barbell_rdl"),
                           ("good mornings", "barbell_good_morning")]:
        assert grammar.parse(f"switch to {name}").slots == {"exercise": exercise}


@pytest.mark.parametrize("names", [
    {"a": ["good morning"], "b": ["good morning"]},
    {"a": ["Good Morning"]},
    {"a": ["r-d-l"]},
    {"a": [""]},
])
def test_bad_exercise_names_are_refused(names: dict[str, list[str]]) -> None:
    with pytest.raises(ValueError):
        build_grammar(names)


def test_a_lone_string_of_names_is_refused() -> None:
    with pytest.raises(TypeError):
        build_grammar({"hip_hinge": "hip hinge"})


def test_exercise_names_come_from_the_parameter() -> None:
    grammar = build_grammar({"kettlebell_swing": ["kettlebell swings"]})
    assert grammar.parse("switch to kettlebell swings").slots == {"exercise": "kettlebell_swing"}
    assert grammar.parse("switch to good mornings") is None


def test_default_grammar_covers_the_exercise_library() -> None:
    exercises = pytest.importorskip("assistant.exercises")
    from intents import load_default_grammar

    grammar = load_default_grammar()
    for exercise in exercises.load_library().values():
        for name in exercise.spoken_names:
            intent = grammar.parse(f"switch to {name}")
            assert intent is not None and intent.slots == {"exercise": exercise.id}, name


@pytest.mark.parametrize(("edit", "error"), [
    (("help = \"Say pause", "helpx = \"Say pause"), KeyError),
    (("\"pause [<it>", "\"pause [<it"), TemplateError),
    (("\"explain [(it |", "\"explain [{colour} (it |"), ValueError),
    (("[intents.yes]", "[intents.maybe]"), ValueError),
    (("\"pause [<it>", "\"pause [<thing>"), ValueError),
    (("\"begin\", \"calibrate\"", "\"beginning\", \"calibrate\""), ValueError),
])
def test_broken_command_files_fail_loudly(edit: tuple[str, str], error: type) -> None:
    from importlib import resources

    text = resources.files("intents").joinpath("commands.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    with pytest.raises(error):
        parse_commands(text.replace(edit[0], edit[1], 1))


def test_parse_is_fast_enough_for_every_partial_result(grammar: Grammar) -> None:
    import time

    texts = [t for t, _ in islice(sample_sentences(grammar), 0, None, 10)]
    started = time.perf_counter()
    for text in texts:
        grammar.parse(text)
        grammar.parse(text + " and some chatter")
    per_call = (time.perf_counter() - started) / (2 * len(texts))
    assert per_call < 0.01
