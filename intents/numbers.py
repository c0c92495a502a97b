"""Numbers as people say them: counts for reps and sets, durations for rest.

Recognisers emit words, never digits, so slot lists are spelled out here.

>>> spell(45)
'forty five'
>>> duration_phrases(90)[:3]
['ninety seconds', 'ninety', 'a minute and a half']
"""

from __future__ import annotations

from collections.abc import Iterable

from .template import SlotList

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_MINUTES_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
UNITLESS_MIN_SECONDS = 15
"""A bare "two" after "rest" is more likely a mishearing than two seconds of rest."""


def spell(n: int) -> str:
    """The plain spelling of 0 <= n < 1000, as people say it ("one hundred and twenty")."""
    if not 0 <= n < 1000:
        raise ValueError(f"cannot spell {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + ("" if rest == 0 else " and " + spell(rest))


def spellings(n: int) -> list[str]:
    """Every common way to say n, the plain spelling first."""
    forms = [spell(n)]
    if 100 <= n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest:
            # "one twenty", "a hundred and twenty", "hundred twenty"
            forms.append(f"{_ONES[hundreds]} {spell(rest)}")
            forms.append(f"{_ONES[hundreds]} hundred {spell(rest)}")
            if hundreds == 1:
                forms.append(f"a hundred and {spell(rest)}")
                forms.append(f"a hundred {spell(rest)}")
    return forms


def count_list(low: int, high: int) -> SlotList:
    """Slot list for a count (reps, sets): the spelled numbers low..high."""
    return {tuple(spell(n).split()): n for n in range(low, high + 1)}


def duration_phrases(seconds: int) -> list[str]:
    """Ways to say a rest of ``seconds``, the most common first."""
    forms: list[str] = []
    for words in spellings(seconds):
        forms.append(f"{words} seconds")
        if seconds >= UNITLESS_MIN_SECONDS:
            forms.append(words)
        forms.append(f"{words} second")  # before a noun: "a ninety second rest"
    minutes, rest = divmod(seconds, 60)
    if rest == 0 and minutes in _MINUTES_WORDS:
        word = _MINUTES_WORDS[minutes]
        forms += (["a minute", "one minute"] if minutes == 1
                  else [f"{word} minutes", f"{word} minute"])
        if minutes == 2:
            forms.append("a couple of minutes")
    if rest == 30 and minutes in _MINUTES_WORDS:
        word = _MINUTES_WORDS[minutes]
        forms += (["a minute and a half", "one and a half minutes", "a minute thirty"]
                  if minutes == 1 else [f"{word} and a half minutes", f"{word} minutes thirty"])
    if seconds == 30:
        forms.append("half a minute")
    return forms


def duration_list(values: Iterable[int]) -> SlotList:
    """Slot list for rest durations in seconds; the first value wins a shared phrase."""
    phrases: dict[tuple[str, ...], int] = {}
    for seconds in values:
        for phrase in duration_phrases(seconds):
            phrases.setdefault(tuple(phrase.split()), seconds)
    return phrases


def digits_to_words(token: str) -> list[str]:
    """Typed digits ("12") as spoken words, so typed input parses like recognised speech."""
    if token.isdigit() and int(token) < 1000:
        return spell(int(token)).split()
    return [token]
