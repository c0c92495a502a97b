"""Text -> Intent: the ways people say each command, and everything that is not one."""

from __future__ import annotations

import pytest

from intents import EXPECTING, INTENT_NAMES, Grammar, Intent, build_grammar
from intents.fixtures import EXERCISE_NAMES


@pytest.fixture(scope="module")
def grammar() -> Grammar:
    return build_grammar(EXERCISE_NAMES)


COMMANDS: list[tuple[str, str, dict[str, object]]] = [
    # start, with and without a plan
    ("start", "start", {}),
    ("go", "start", {}),
    ("let's go", "start", {}),
    ("let's do it", "start", {}),
    ("let's get started", "start", {}),
    ("I'm ready", "start", {}),
    ("ready", "start", {}),
    ("we are ready to go", "start", {}),
    ("ready when you are", "start", {}),
    ("begin the workout", "start", {}),
    ("okay coach let's go", "start", {}),
    ("start my workout", "start", {}),
    ("let's start the session", "start", {}),
    ("go ahead", "start", {}),
    ("count me in", "start", {}),
    ("start romanian deadlifts", "start", {"exercise": "barbell_rdl"}),
    ("start the r d l", "start", {"exercise": "barbell_rdl"}),
    ("start RDL", "start", {"exercise": "barbell_rdl"}),
    ("let's do RDLs", "start", {"exercise": "barbell_rdl"}),
    ("switch to single leg RDLs", "choose", {"exercise": "single_leg_rdl"}),
    ("let's do some good mornings", "start", {"exercise": "barbell_good_morning"}),
    ("begin with hip hinges", "start", {"exercise": "hip_hinge"}),
    ("start romanian deadlifts three sets of eight", "start",
     {"exercise": "barbell_rdl", "sets": 3, "reps": 8}),
    ("three sets of eight", "start", {"sets": 3, "reps": 8}),
    ("let's do four sets of twelve reps", "start", {"sets": 4, "reps": 12}),
    ("three sets of ten single leg r d l", "start",
     {"sets": 3, "reps": 10, "exercise": "single_leg_rdl"}),
    ("do five sets of five of banded good mornings", "start",
     {"sets": 5, "reps": 5, "exercise": "banded_good_morning"}),
    ("start dumbbell romanian deadlifts for twelve reps", "start",
     {"exercise": "dumbbell_rdl", "reps": 12}),
    ("suitcase r d l two sets of fifteen", "start",
     {"exercise": "suitcase_rdl", "sets": 2, "reps": 15}),
    # pause
    ("pause", "pause", {}),
    ("hold on", "pause", {}),
    ("hold on a second", "pause", {}),
    ("hang on", "pause", {}),
    ("wait", "pause", {}),
    ("wait a minute", "pause", {}),
    ("one moment", "pause", {}),
    ("give me a sec", "pause", {}),
    ("pause the workout", "pause", {}),
    ("time out", "pause", {}),
    ("I need a minute", "pause", {}),
    ("wait wait", "pause", {}),
    # resume
    ("resume", "resume", {}),
    ("continue", "resume", {}),
    ("keep going", "resume", {}),
    ("carry on", "resume", {}),
    ("I'm back", "resume", {}),
    ("let's keep going", "resume", {}),
    ("ready to continue", "resume", {}),
    ("unpause", "resume", {}),
    ("go on", "resume", {}),
    ("let's get back to it", "resume", {}),
    ("where were we", "resume", {}),
    # stop
    ("stop", "stop", {}),
    ("stop stop", "stop", {}),
    ("I'm done", "stop", {}),
    ("I am finished", "stop", {}),
    ("that's enough", "stop", {}),
    ("that's it for today", "stop", {}),
    ("end the workout", "stop", {}),
    ("quit", "stop", {}),
    ("we're done for today", "stop", {}),
    ("let's call it a day", "stop", {}),
    ("all done", "stop", {}),
    ("I give up", "stop", {}),
    ("stop everything", "stop", {}),
    # next
    ("next", "next", {}),
    ("skip", "next", {}),
    ("skip the rest", "next", {}),
    ("skip this set", "next", {}),
    ("next exercise", "next", {}),
    ("move on", "next", {}),
    ("let's move on", "next", {}),
    ("go to the next set", "next", {}),
    ("skip to the next exercise", "next", {}),
    ("I'm ready for the next set", "next", {}),
    # repeat
    ("repeat", "repeat", {}),
    ("repeat that", "repeat", {}),
    ("say that again", "repeat", {}),
    ("could you say that again", "repeat", {}),
    ("what did you say", "repeat", {}),
    ("what was that", "repeat", {}),
    ("come again", "repeat", {}),
    ("pardon", "repeat", {}),
    ("one more time", "repeat", {}),
    ("I didn't catch that", "repeat", {}),
    ("sorry what", "repeat", {}),
    ("I didn't hear you", "repeat", {}),
    # status
    ("how many left", "status", {}),
    ("how many reps left", "status", {}),
    ("how many more sets", "status", {}),
    ("how many to go", "status", {}),
    ("how many have I done", "status", {}),
    ("how am I doing", "status", {}),
    ("where am I", "status", {}),
    ("what set am I on", "status", {}),
    ("how much longer", "status", {}),
    ("what's left", "status", {}),
    ("how long is left", "status", {}),
    ("how long left", "status", {}),
    ("how much time left", "status", {}),
    ("give me an update", "status", {}),
    ("am I done", "status", {}),
    # slower / faster
    ("slower", "slower", {}),
    ("slow down", "slower", {}),
    ("slow it down", "slower", {}),
    ("a bit slower", "slower", {}),
    ("that's too fast", "slower", {}),
    ("not so fast", "slower", {}),
    ("talk slower", "slower", {}),
    ("faster", "faster", {}),
    ("speed up", "faster", {}),
    ("a little faster", "faster", {}),
    ("too slow", "faster", {}),
    ("hurry up", "faster", {}),
    ("pick up the pace", "faster", {}),
    ("pick it up", "faster", {}),
    ("can you slow down", "slower", {}),
    ("could you go faster", "faster", {}),
    ("can you turn it down", "quieter", {}),
    ("could you give me a tip", "explain", {"topic": "tip"}),
    ("can you pause", "pause", {}),
    ("can you let me rest", "rest", {}),
    ("could you do three sets of eight", "start", {"sets": 3, "reps": 8}),
    ("can we pause", "pause", {}),
    ("could we stop here", "stop", {}),
    ("can we take a break", "rest", {}),
    # louder / quieter
    ("louder", "louder", {}),
    ("turn it up", "louder", {}),
    ("turn up the volume", "louder", {}),
    ("volume up", "louder", {}),
    ("speak up", "louder", {}),
    ("I can't hear you", "louder", {}),
    ("a bit louder please", "louder", {}),
    ("quieter", "quieter", {}),
    ("turn it down", "quieter", {}),
    ("turn the volume down", "quieter", {}),
    ("volume down", "quieter", {}),
    ("too loud", "quieter", {}),
    ("that's too loud", "quieter", {}),
    ("softer", "quieter", {}),
    ("not so loud", "quieter", {}),
    ("turn it down a bit", "quieter", {}),
    ("can you speak up", "louder", {}),
    # help
    ("help", "help", {}),
    ("what can I say", "help", {}),
    ("what can you do", "help", {}),
    ("what are the commands", "help", {}),
    ("help me", "help", {}),
    ("how does this work", "help", {}),
    # explain
    ("explain", "explain", {"topic": "steps"}),
    ("how do I do this", "explain", {"topic": "steps"}),
    ("what are the steps", "explain", {"topic": "steps"}),
    ("show me the steps", "explain", {"topic": "steps"}),
    ("walk me through it", "explain", {"topic": "steps"}),
    ("show me how", "explain", {"topic": "steps"}),
    ("give me a tip", "explain", {"topic": "tip"}),
    ("any tips", "explain", {"topic": "tip"}),
    ("tip", "explain", {"topic": "tip"}),
    ("do you have any advice", "explain", {"topic": "tip"}),
    ("what muscles does this work", "explain", {"topic": "muscles"}),
    ("which muscles am I working", "explain", {"topic": "muscles"}),
    ("which muscles", "explain", {"topic": "muscles"}),
    ("what does this work", "explain", {"topic": "muscles"}),
    ("what is this good for", "explain", {"topic": "muscles"}),
    ("tell me about the muscles", "explain", {"topic": "muscles"}),
    ("what's the technique", "explain", {"topic": "steps"}),
    ("how should I do it", "explain", {"topic": "steps"}),
    # choose
    ("switch to good mornings", "choose", {"exercise": "barbell_good_morning"}),
    ("switch to the single leg r d l", "choose", {"exercise": "single_leg_rdl"}),
    ("change to dumbbell good mornings", "choose", {"exercise": "dumbbell_good_morning"}),
    ("let's do banded romanian deadlifts instead", "choose", {"exercise": "banded_rdl"}),
    ("hip hinges instead", "choose", {"exercise": "hip_hinge"}),
    ("I want to do split stance r d l", "choose", {"exercise": "split_stance_rdl"}),
    ("how about some suitcase romanian deadlifts", "choose", {"exercise": "suitcase_rdl"}),
    ("make it goblet good morning", "choose", {"exercise": "dumbbell_good_morning"}),
    ("let's try hinges", "choose", {"exercise": "hip_hinge"}),
    ("can we do dumbbell r d l instead", "choose", {"exercise": "dumbbell_rdl"}),
    ("I'd rather do banded good mornings", "choose", {"exercise": "banded_good_morning"}),
    # set_reps / set_sets
    ("do twelve reps", "set_reps", {"reps": 12}),
    ("twelve reps", "set_reps", {"reps": 12}),
    ("one rep", "set_reps", {"reps": 1}),
    ("do twenty five reps", "set_reps", {"reps": 25}),
    ("set the reps to thirty", "set_reps", {"reps": 30}),
    ("let's do eight reps per set", "set_reps", {"reps": 8}),
    ("make it ten", "set_reps", {"reps": 10}),
    ("do three sets", "set_sets", {"sets": 3}),
    ("four sets", "set_sets", {"sets": 4}),
    ("one set", "set_sets", {"sets": 1}),
    ("one set of eight", "start", {"sets": 1, "reps": 8}),
    ("start hip hinges one set of two", "start",
     {"exercise": "hip_hinge", "sets": 1, "reps": 2}),
    ("change the number of sets to five", "set_sets", {"sets": 5}),
    ("set it to four sets", "set_sets", {"sets": 4}),
    ("set it to ten reps", "set_reps", {"reps": 10}),
    ("make it two sets", "set_sets", {"sets": 2}),
    ("let's go for ten reps", "set_reps", {"reps": 10}),
    ("let's go for three sets", "set_sets", {"sets": 3}),
    # rest
    ("rest", "rest", {}),
    ("rest for ninety seconds", "rest", {"seconds": 90}),
    ("rest ninety", "rest", {"seconds": 90}),
    ("rest for a minute", "rest", {"seconds": 60}),
    ("rest for two minutes", "rest", {"seconds": 120}),
    ("rest one twenty", "rest", {"seconds": 120}),
    ("rest for a minute and a half", "rest", {"seconds": 90}),
    ("take a break", "rest", {}),
    ("take a break for thirty seconds", "rest", {"seconds": 30}),
    ("forty five seconds rest", "rest", {"seconds": 45}),
    ("give me sixty seconds of rest", "rest", {"seconds": 60}),
    ("set the rest time to three minutes", "rest", {"seconds": 180}),
    ("I need a breather", "rest", {}),
    ("let me catch my breath", "rest", {}),
    ("rest a minute", "rest", {"seconds": 60}),
    ("can I take a break", "rest", {}),
    ("take a ninety second rest", "rest", {"seconds": 90}),
    ("a two minute break", "rest", {"seconds": 120}),
    # calibrate
    ("calibrate", "calibrate", {}),
    ("calibrate the sensor", "calibrate", {}),
    ("recalibrate", "calibrate", {}),
    ("recalibrate the wall", "calibrate", {}),
    ("run the calibration", "calibrate", {}),
    ("find the wall", "calibrate", {}),
    ("the sensor isn't working", "calibrate", {}),
    ("it's not counting my reps", "calibrate", {}),
    # yes / no
    ("yes", "yes", {}),
    ("yeah", "yes", {}),
    ("yep", "yes", {}),
    ("yes please", "yes", {}),
    ("of course", "yes", {}),
    ("yes I'm ready", "yes", {}),
    ("no", "no", {}),
    ("nope", "no", {}),
    # last_time
    ("how did I do last time", "last_time", {}),
    ("what was my last workout", "last_time", {}),
    ("how did my last session go", "last_time", {}),
    ("remind me of my last workout", "last_time", {}),
    ("nah", "no", {}),
    ("no thanks", "no", {}),
    ("no thank you", "no", {}),
    # casual and polite forms a probe of 294 everyday phrasings found missing
    ("gimme a sec", "pause", {}),
    ("slow down a bit", "slower", {}),
    ("explain this exercise", "explain", {"topic": "steps"}),
    ("what's the form cue", "explain", {"topic": "tip"}),
    ("what should I focus on", "explain", {"topic": "tip"}),
    ("change it to twelve reps", "set_reps", {"reps": 12}),
    ("change it to three sets", "set_sets", {"sets": 3}),
    ("start a rest timer", "rest", {}),
    ("let's calibrate", "calibrate", {}),
    ("what did we do last time", "last_time", {}),
    ("how'd I do last time", "last_time", {}),
    ("switch to one leg romanian deadlifts", "choose", {"exercise": "single_leg_rdl"}),
]


@pytest.mark.parametrize(("text", "name", "slots"), COMMANDS)
def test_phrasing_means_intent(grammar: Grammar, text: str, name: str,
                               slots: dict[str, object]) -> None:
    intent = grammar.parse(text)
    assert intent is not None, text
    assert (intent.name, intent.slots) == (name, slots)


def test_every_intent_is_exercised() -> None:
    assert {name for _, name, _ in COMMANDS} == set(INTENT_NAMES)


@pytest.mark.parametrize(("text", "name", "slots"), COMMANDS[::7])
def test_commands_still_work_while_a_question_is_pending(
    grammar: Grammar, text: str, name: str, slots: dict[str, object]
) -> None:
    for expecting in EXPECTING:
        intent = grammar.parse(text, expecting=expecting)
        assert intent is not None and intent.name == name, (text, expecting)


NOT_COMMANDS = [
    # single words that are not commands, including Speech Commands' distractors
    "up", "down", "left", "right", "on", "off", "okay", "ok", "sure", "alright", "hello",
    "the", "and", "please", "coach", "now", "thanks", "bed", "bird", "cat", "dog", "happy",
    "house", "marvin", "sheila", "tree", "wow", "zero", "one", "two", "eight", "twelve",
    "ninety", "seconds", "reps", "sets", "set", "rep", "it", "good", "morning", "hinge",
    "deadlift", "good morning", "romanian deadlifts", "hip hinge", "a minute", "back", "more",
    "music", "what", "how", "turn", "volume", "count", "sorry", "status", "steps",
    # chatter
    "turn left at the lights",
    "talk up",
    "I had eggs for breakfast",
    "good morning how are you",
    "can you turn the music up",
    "can you ready to go",
    "could you all done for now",
    "can you i'm done",
    "could you how many left",
    "can we go home",
    "can we talk later",
    "could you move a bit",
    "did you see the game last night",
    "stop it you two",
    "I'll be there in a minute",
    "pause the music",
    "that was a good set of photos",
    "next time we should go to the beach",
    "three of them came over",
    "let's go to the shops later",
    "what time is it",
    "hey how are you doing",
    "how are you doing",
    "okay okay",
    "yes and no",
    "no no no",
    "stop and go",
    "twelve eight",
    "do",
    "to",
    "help yourself",
    "rest of the day",
    "the rest",
    "",
    "   ",
    "[unk]",
    "<unk> <unk>",
]


@pytest.mark.parametrize("text", NOT_COMMANDS)
def test_not_a_command(grammar: Grammar, text: str) -> None:
    assert grammar.parse(text) is None


ANSWERS: list[tuple[str, str, str, dict[str, object]]] = [
    ("twelve", "reps", "set_reps", {"reps": 12}),
    ("eight", "reps", "set_reps", {"reps": 8}),
    ("twenty", "reps", "set_reps", {"reps": 20}),
    ("three", "sets", "set_sets", {"sets": 3}),
    ("ten", "sets", "set_sets", {"sets": 10}),
    ("ninety", "seconds", "rest", {"seconds": 90}),
    ("two minutes", "seconds", "rest", {"seconds": 120}),
    ("forty five seconds", "seconds", "rest", {"seconds": 45}),
    ("a minute and a half", "seconds", "rest", {"seconds": 90}),
    ("good mornings", "exercise", "choose", {"exercise": "barbell_good_morning"}),
    ("romanian deadlift", "exercise", "choose", {"exercise": "barbell_rdl"}),
    ("the hip hinge", "exercise", "choose", {"exercise": "hip_hinge"}),
    ("r d l", "exercise", "choose", {"exercise": "barbell_rdl"}),
    ("a tip", "topic", "explain", {"topic": "tip"}),
    ("the muscles", "topic", "explain", {"topic": "muscles"}),
    ("steps", "topic", "explain", {"topic": "steps"}),
    ("okay", "yes_no", "yes", {}),
    ("sure", "yes_no", "yes", {}),
    ("go ahead", "yes_no", "yes", {}),
    ("yes", "yes_no", "yes", {}),
    ("not now", "yes_no", "no", {}),
    ("I'm good", "yes_no", "no", {}),
    ("nope", "yes_no", "no", {}),
]


@pytest.mark.parametrize(("text", "expecting", "name", "slots"), ANSWERS)
def test_bare_answers_need_a_question(grammar: Grammar, text: str, expecting: str, name: str,
                                      slots: dict[str, object]) -> None:
    intent = grammar.parse(text, expecting=expecting)
    assert intent is not None and (intent.name, intent.slots) == (name, slots)
    if text not in ("yes", "nope", "go ahead", "steps"):  # commands on their own too
        assert grammar.parse(text) is None


@pytest.mark.parametrize(("text", "expecting"), [
    ("twelve", "sets"), ("twelve", "yes_no"), ("two", "seconds"), ("thirty one", "reps"),
    ("good mornings", "reps"), ("okay", "reps"), ("ninety", "reps"), ("left", "exercise"),
])
def test_answers_only_fit_their_question(grammar: Grammar, text: str, expecting: str) -> None:
    intent = grammar.parse(text, expecting=expecting)
    if text == "twelve" and expecting == "sets":
        assert intent == Intent("set_sets", {"sets": 12}, text="twelve")
        return
    assert intent is None


def test_unknown_expectation_is_ignored(grammar: Grammar) -> None:
    assert grammar.parse("twelve", expecting="favourite colour") is None
    assert grammar.parse("pause", expecting="favourite colour").name == "pause"


@pytest.mark.parametrize(("text", "name"), [
    ("[unk] pause", "pause"),
    ("pause [unk] [unk]", "pause"),
    ("<unk> how many left <unk>", "status"),
    ("uh how many um left", "status"),
    ("Pause!", "pause"),
    ("  HOLD   ON,  please ", "pause"),
    ("hey coach, stop", "stop"),
    ("okay coach how many left", "status"),
    ("next please", "next"),
    ("stop now", "stop"),
    ("louder thanks", "louder"),
    ("coach what can I say", "help"),
    ("lets go", "start"),
    ("im ready", "start"),
    ("I\u2019m ready", "start"),
    ("do 12 reps", "set_reps"),
    ("start dead lifts", None),
    ("start romanian dead lifts", "start"),
    ("switch to dumb bell good mornings", "choose"),
])
def test_recogniser_artifacts_and_typing(grammar: Grammar, text: str, name: str | None) -> None:
    intent = grammar.parse(text)
    assert (intent.name if intent else None) == name


@pytest.mark.parametrize("text", [
    "turn [unk] up", "how [unk] left", "stop [unk] stop", "pause <unk> please",
])
def test_unknown_words_inside_a_command_reject_it(grammar: Grammar, text: str) -> None:
    # vosk puts [unk] where out-of-grammar words were: "turn the music up" is not a command.
    assert grammar.parse(text) is None


def test_intent_carries_the_normalised_text(grammar: Grammar) -> None:
    intent = grammar.parse("[unk] Okay coach, do 12 reps please")
    assert intent == Intent("set_reps", {"reps": 12}, None, "okay coach do twelve reps please")
    assert intent.to_json() == {"intent": "set_reps", "slots": {"reps": 12}, "confidence": None}


def test_slot_values_have_contract_types(grammar: Grammar) -> None:
    start = grammar.parse("start good mornings three sets of eight")
    assert start is not None
    assert isinstance(start.slots["exercise"], str)
    assert isinstance(start.slots["sets"], int) and isinstance(start.slots["reps"], int)
    assert isinstance(grammar.parse("rest for two minutes").slots["seconds"], int)
    assert grammar.parse("give me a tip").slots["topic"] in ("steps", "tip", "muscles")
