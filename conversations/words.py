"""The words the answer readers read typed replies by: conversations/answers.yaml, loaded and checked once.

A file that does not fit (an unknown or missing key, an empty word, a group of fewer than two words, a
pattern that is not a regular expression) raises retrieval's CatalogueError: one line naming the file and
the field. `load_flows` loads it, so a malformed file stops the start before any reply is read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import msgspec

from retrieval.lexicon import read_lexicon_file
from retrieval.loader import CatalogueError

ANSWERS_FILE = Path(__file__).resolve().parent / "answers.yaml"

Word = Annotated[str, msgspec.Meta(min_length=1)]
Words = Annotated[tuple[Word, ...], msgspec.Meta(min_length=1)]
Group = Annotated[tuple[Word, ...], msgspec.Meta(min_length=2)]


class AnswerWords(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """conversations/answers.yaml (each field is described there)."""

    question_words: Words
    particles: Words
    negation_chars: Words
    not_negating: Words
    negating: Words
    negation_leads: Words
    unsure: Words
    unsure_pattern: Word
    hedges: Words
    hedge_ends: Words
    yes_words: Words
    no_words: Words
    yes_symbols: Words
    no_symbols: Words
    yes_leads: Words
    fillers: Words
    contrast: Words
    double_negation: Words
    cues: Words
    same: tuple[Group, ...]
    opposite: tuple[Group, ...]
    levels: Annotated[tuple[Words, ...], msgspec.Meta(min_length=2)]
    level_at_least: Words
    level_joins: Words
    in_progress: Words


class Readings:
    """The words, with what the readers look up in them made ready (sets, the compiled pattern)."""

    def __init__(self, words: AnswerWords, unsure: re.Pattern[str]) -> None:
        self.w = words
        self.unsure = unsure
        self.yes = frozenset(words.yes_words)
        self.no = frozenset(words.no_words)
        self.yes_symbols = frozenset(words.yes_symbols)
        self.no_symbols = frozenset(words.no_symbols)
        self.negation_chars = "".join(words.negation_chars)
        self.particles = "".join(words.particles)

    def doubtful(self, t: str) -> bool:
        """Return True when a reply says the user does not know (不确定, 不太清楚)."""
        return any(w in t for w in self.w.unsure) or bool(self.unsure.search(t))

    def hedged(self, t: str) -> bool:
        """Return True when a reply hedges (应该是, 算是吧)."""
        return t.endswith(self.w.hedge_ends) or any(h in t for h in self.w.hedges)


@lru_cache(maxsize=4)
def answer_words(path: str | None = None) -> Readings:
    """Load and check conversations/answers.yaml (or another file of its form)."""
    file = Path(path) if path else ANSWERS_FILE
    words: AnswerWords = read_lexicon_file(file, AnswerWords)
    try:
        unsure = re.compile(words.unsure_pattern)
    except re.error as exc:
        raise CatalogueError(file, "unsure_pattern", None, f"not a regular expression ({exc})") from None
    for name in ("particles", "negation_chars"):
        if any(len(w) != 1 for w in getattr(words, name)):
            raise CatalogueError(file, name, None, "expected single characters")
    return Readings(words, unsure)
