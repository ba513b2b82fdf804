"""What every reader of typed replies shares: the reading, the text's clean forms, and reading by the words of
conversations/answers.yaml (doubt, hedging, negation; conversations/words.py loads them). conversations/answers.py
says what each reader decides; these helpers are private to the readers: yesno.py, options.py, numbers.py, dates.py."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from retrieval.text import canonical, strip_invisible

from .model import Option, Question
from .words import answer_words


@dataclass(frozen=True)
class Reading:
    """What a reply says: the JSON value to store, or the message to ask again with.

    `attempt` is False when the text does not even try to answer this question (a question of its
    own, an unrelated remark), so a caller may treat it as something else.
    """

    value: Any = None
    error: str = ""
    attempt: bool = True

    @property
    def ok(self) -> bool:
        """Return True when the reply was read."""
        return not self.error and self.value is not None


_TRAILING = re.compile(r"[。!！?？,，、;；:：…~～.．·\s]+$")


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """Return text in one width, simplified script and lower case, without spaces or a trailing stop."""
    text = canonical(text)
    text = re.sub(r"(?<=\d)\s+(?=\d)", "|", text)  # 1988 5 1: keep the digits apart
    text = re.sub(r"\s+", "", text)
    return _TRAILING.sub("", text)


def _plain(text: str) -> str:
    """Return the cleaned text without punctuation or symbols (for words and labels)."""
    return "".join(ch for ch in _clean(text) if not unicodedata.category(ch).startswith(("P", "S")))


def _asks(t: str) -> bool:
    return any(w in t for w in answer_words().w.question_words)


def shorten(text: str, limit: int = 20) -> str:
    """Return the user's text on one line, cut to `limit` characters, for quoting in a message."""
    text = re.sub(r"\s+", " ", strip_invisible(text)).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _prompt_chars(q: Question) -> set[str]:
    return set(_plain(q.prompt))


def _prompt_words(q: Question) -> str:
    """Return the prompt without bracketed asides (examples and exclusions are not the question)."""
    return _plain(re.sub(r"[（(][^）)]*[）)]", "", q.prompt))


def _strip_particles(t: str) -> str:
    particles = answer_words().particles
    while len(t) > 1 and t[-1] in particles:
        t = t[:-1]
    return t


def _strip_prefix(t: str, prefixes: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if t.startswith(p) and len(t) > len(p):
                t, changed = t[len(p):], True
    return t


def _exact_option(q: Question, cleaned: str) -> Option | None:
    """Return the option whose value, number or label the reply is, exactly."""
    for o in q.options:
        if cleaned == o.value.lower():
            return o
    t = "".join(ch for ch in cleaned if not unicodedata.category(ch).startswith(("P", "S")))
    if t.isdigit() and 1 <= int(t) <= len(q.options):
        return q.options[int(t) - 1]
    for o in q.options:
        if t and t in (_plain(o.label), _plain(_core(o.label))):
            return o
    return None


def _core(label: str) -> str:
    """Return the label before its bracketed examples: 「园区（如工业园区…）」 → 「园区」."""
    return re.split(r"[（(]", label, maxsplit=1)[0]


def _negated_at(text: str, i: int) -> bool:
    """Return True when the word starting at text[i] is negated (不在职, 没有本科, 尚未成立; not 是否属实)."""
    words = answer_words()
    before = text[max(0, i - 2):i]
    if before in words.w.not_negating:
        return False
    return i > 0 and text[i - 1] in words.negation_chars or before in words.w.negating
