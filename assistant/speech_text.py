"""Numbers and durations as words, so every cue reads naturally and caches as text."""

from __future__ import annotations

from intents.numbers import spell


def number_words(n: int) -> str:
    """A count in words; out of range falls back to digits rather than failing a cue.

    >>> number_words(45), number_words(1000)
    ('forty five', '1000')
    """
    return spell(n) if 0 <= n < 1000 else str(n)


def duration_words(seconds: float) -> str:
    """A rest length as a person says it.

    >>> duration_words(90), duration_words(120), duration_words(45)
    ('ninety seconds', 'two minutes', 'forty five seconds')
    """
    whole = int(round(seconds))
    if whole >= 120 and whole % 60 == 0:
        return f"{number_words(whole // 60)} minutes"
    return f"{number_words(whole)} second" + ("" if whole == 1 else "s")
