"""Tokenise Chinese text with jieba plus the project's user dictionary; separate from scoring."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

import jieba

from .lexicon import Lexicon
from .text import normalise

log = logging.getLogger(__name__)

# Frequency given to short catalogue terms (青托, 创交会) so jieba keeps each as one word.
PHRASE_FREQ = 5000
# Longer titles and aliases are not added: as one opaque word they would hide their parts (天津, 青年,
# 科技奖) from the search; the phrase matcher finds them whole instead.
MAX_DICT_PHRASE = 4


class Tokenizer:
    """jieba search-mode tokeniser with the domain dictionary and stop words.

    One instance is built at start and shared; it owns its own jieba.Tokenizer so that adding learned
    aliases never touches jieba's global default tokeniser.
    """

    def __init__(self, lexicon: Lexicon, phrases: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        # General-language frequencies before the domain words are added: the information measure
        # must not mistake catalogue terms (given a high frequency so jieba keeps them whole) for filler.
        self._general = dict(self._jieba.FREQ)
        self._general_total = self._jieba.total
        self.stopwords = lexicon.stopwords
        self.synonyms = lexicon.synonyms
        for word, freq in lexicon.user_words:
            self._jieba.add_word(word, freq)
        self.add_phrases(phrases)
        for key in self.synonyms:
            if len(key) > 1:
                self._jieba.add_word(key, PHRASE_FREQ // 5)

    def add_phrases(self, phrases: Iterable[str]) -> None:
        """Teach jieba short catalogue terms (aliases up to MAX_DICT_PHRASE characters) as whole words."""
        for phrase in phrases:
            word = normalise(phrase).replace(" ", "")
            if 1 < len(word) <= MAX_DICT_PHRASE:
                self._jieba.add_word(word, PHRASE_FREQ)

    def analyse(self, text: str) -> tuple[list[str], list[str]]:
        """Return (content words, their dictionary sub-words) of text.

        Sub-words come from jieba's search mode (托举 inside 青年人才托举工程) and let a partial
        mention match; they are scored in a separate, lighter field.
        """
        norm = normalise(text)
        words = [t for t in self._jieba.cut(norm) if any(ch.isalnum() for ch in t)]
        content = [t for t in words if t not in self.stopwords]
        whole = set(words)
        parts = [t for t in self._jieba.cut_for_search(norm)
                 if t not in whole and t not in self.stopwords and any(ch.isalnum() for ch in t)]
        return content, parts

    def information(self, token: str) -> float:
        """Return how much a word says in general Chinese, from jieba's frequencies (rare says more)."""
        return math.log((self._general_total + 1) / (self._general.get(token, 0) + 1))

    def expand(self, tokens: list[str], weight: float) -> list[tuple[str, float]]:
        """Return (token, weight) pairs: the tokens at 1.0 plus their synonyms at `weight`."""
        out: dict[str, float] = {}
        for t in tokens:
            out[t] = 1.0
        for t in tokens:
            for syn in self.synonyms.get(t, ()):
                for s in self.analyse(syn)[0]:
                    if s not in out:
                        out[s] = weight
        return list(out.items())
