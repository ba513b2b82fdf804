"""How well an answer explains a question: measured on the question's content words, not its length.

Only content words count — not digits and quantities (三天), not single function characters (不, 的),
not words that ask about a part of any service (条件, 电话, 报名). Each counts by how rare it is in general
Chinese, so a topic word (猫, 落户, 实验室) says more than a common one. For the best answer the decision
reads what share of that information its documents explain at three levels — anywhere in them, in what
the answer *is* (title, aliases, introduction, conditions), and in its name alone — and what share of
the question's character bigrams its text contains, so that 企业技术中心 is not explained by a text that
has 企业, 技术 and 中心 in three different places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .index import Query, SearchIndex
from .lexicon import Lexicon



class _Info(Protocol):
    def information(self, token: str) -> float: ...


@dataclass(frozen=True)
class Evidence:
    """Shares of a question's content information an answer explains, and what nothing explains."""

    information: float = 0.0   # total information of the question's content words
    explained: float = 0.0     # share found anywhere in the answer's documents
    core: float = 0.0          # share found in what the answer is: title, aliases, introduction, conditions
    name: float = 0.0          # share found in its title and aliases (or inside a title or alias the question names)
    bigrams: float = 0.0       # share of the question's content bigrams found in the answer's text
    core_bigrams: float = 0.0  # … in its name, introduction and conditions
    name_bigrams: float = 0.0  # … in its name (title and aliases)
    unknown: float = 0.0       # information of the most telling content word that no document contains
    focus: float = 0.0         # share of the two most telling content words that what the answer is explains
    missing: float = 0.0       # information of the most telling content word the answer's text does not have


class Words:
    """Tell a question's content words from its filler, numbers and aspect words."""

    def __init__(self, lexicon: Lexicon, info: _Info) -> None:
        self.function = lexicon.function_chars
        self.aspect = lexicon.aspect_words
        self.synonyms = lexicon.synonyms
        self._number = lexicon.pattern("number_token")
        self._info = info
        # Whether each token seen is a content word (the same for every question it is in).
        self._content: dict[str, bool] = {}
        # The last question explain read, with what it read of it (see _asked).
        self.last_asked: tuple[object, _Asked] | None = None

    def content(self, tokens: list[str]) -> list[str]:
        """Return the distinct content words among a question's tokens."""
        return [t for t in dict.fromkeys(tokens) if self._is_content(t)]

    def _is_content(self, token: str) -> bool:
        found = self._content.get(token)
        if found is None:
            if len(self._content) >= 50_000:
                self._content.clear()
            found = self._content[token] = not self._number.match(token) and not self._filler(token)
        return found

    def _filler(self, token: str) -> bool:
        """Return True for a token made only of aspect words and function characters (咨询电话, 人能, 要交)."""
        if token in self.aspect or (len(token) == 1 and token in self.function):
            return True
        ok = [True] + [False] * len(token)
        for i in range(1, len(token) + 1):
            for j in range(max(0, i - 6), i):
                piece = token[j:i]
                if ok[j] and (piece in self.aspect or (len(piece) == 1 and piece in self.function)):
                    ok[i] = True
                    break
        return ok[-1]

    def information(self, token: str) -> float:
        """Return how much a word says (its rarity in general Chinese)."""
        return self._info.information(token)

    def bigrams(self, compact_question: str, content: list[str]) -> set[str]:
        """Return the character bigrams inside runs of content words, in the order the question has them."""
        mask = [False] * len(compact_question)
        start = 0
        for word in content:
            at = compact_question.find(word, start)
            if at < 0:
                at = compact_question.find(word)
            if at < 0:
                continue
            for j in range(at, at + len(word)):
                mask[j] = True
            start = at + len(word)
        out = set()
        for j in range(len(compact_question) - 1):
            if mask[j] and mask[j + 1]:
                out.add(compact_question[j:j + 2])
        return out


@dataclass(frozen=True)
class _Asked:
    """What explain reads of a question, the same for every answer it is asked about."""

    info: dict[str, float]     # content word → information, in the question's order
    total: float
    telling: tuple[str, ...]   # the two most telling content words
    grams: tuple[str, ...]     # the content words' character bigrams (as Words.bigrams orders them)
    unknown: float
    gram_set: frozenset[str]   # … as a set
    words: frozenset[str]      # the content words
    with_synonyms: tuple[str, ...]   # … those that have synonyms


def _asked(words: Words, index: SearchIndex, query: Query, content: list[str]) -> _Asked:
    """Return what explain reads of a question (remembered for the last question: each of its candidates asks)."""
    key = (index, query.compact, tuple(content))
    last = words.last_asked
    if last is not None and last[0] == key:
        return last[1]
    info = {t: words.information(t) for t in content}
    grams = words.bigrams(query.compact, content)
    unknown = max((v for t, v in info.items()
                   if not index.knows(t) and not any(index.knows(s) for s in words.synonyms.get(t, ()))),
                  default=0.0)
    asked = _Asked(info, sum(info.values()) or 1.0, tuple(sorted(info, key=lambda t: -info[t])[:2]),
                   tuple(grams), unknown, frozenset(grams), frozenset(info),
                   tuple(t for t in info if words.synonyms.get(t)))
    words.last_asked = (key, asked)
    return asked


def explain(words: Words, index: SearchIndex, query: Query, content: list[str], answer: str, phrase: str = ""
            ) -> Evidence:
    """Return how much of the question's content one answer explains (over all of its documents)."""
    if not content or not index.docs_of(answer):
        return Evidence()
    asked = _asked(words, index, query, content)
    info, total = asked.info, asked.total
    synonyms = words.synonyms
    # Per level, which content words the answer's documents (or the name the question holds) explain.
    in_phrase = {t for t in info if t in phrase} if phrase else set()
    found = {}
    for level in ("name", "core", "all"):
        terms = index.answer_terms(answer, level)
        found[level] = (asked.words & terms) | in_phrase | {
            t for t in asked.with_synonyms if any(s in terms for s in synonyms[t])}

    def share(level: str) -> float:
        return sum(v for t, v in info.items() if t in found[level]) / total

    telling = asked.telling
    focus = sum(info[t] for t in telling if t in found["core"]) / (sum(info[t] for t in telling) or 1.0)
    grams = asked.grams

    def gram_share(level: str) -> float:
        if not grams:
            return 1.0
        # The bigrams are distinct: how many the text has is the size of the overlap.
        return len(asked.gram_set & index.answer_bigrams(answer, level)) / len(grams)

    missing = max((v for t, v in info.items() if t not in found["all"]), default=0.0)
    return Evidence(information=total, explained=share("all"), core=share("core"), name=share("name"),
                    bigrams=gram_share("all"), core_bigrams=gram_share("core"), name_bigrams=gram_share("name"),
                    unknown=asked.unknown, focus=focus, missing=missing)
