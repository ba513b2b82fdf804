"""BM25 search over the catalogue: documents, fields, scoring and typed hits.

Each answer (a service id or an appendix pseudo-id) has one or more documents. A document is searched
through two rank-bm25 models:

- `words`: jieba's words of the title and aliases (repeated `name_repeat` times, so they weigh more
  while idf stays a whole-document statistic) followed by the words of everything else it prints;
- `parts`: the dictionary sub-words of the same text (托举 inside 青年人才托举工程), scored with the
  lighter `parts_weight`, so a partial mention still matches.

Each token is scored only on the documents that contain it (an inverted index), so BM25+'s lower
bound rewards presence instead of being added to every document. A whole title or alias found in the
question adds `phrase_bonus`. An answer's score is its best document's score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from .config import RetrievalConfig
from .text import compact
from .tokenize import Tokenizer

_VARIANTS = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}


@dataclass(frozen=True)
class Doc:
    """One searchable document of an answer."""

    answer: str
    key: str
    name: str
    body: str
    phrases: tuple[str, ...] = ()
    # Phrases that count only when one of these cue words is in the question too (学会 names …).
    cued_phrases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    # Phrases that count only when they make up most of the question (中国科协 in 中国科协的地址).
    weak_phrases: tuple[str, ...] = ()


# A weak phrase must carry at least this share of the question's information.
WEAK_PHRASE_SHARE = 0.5
# Questions up to this many characters may match an alias loosely (科普之夜 → 直通科普之夜).
SHORT_QUESTION = 8


@dataclass(frozen=True)
class Hit:
    """A ranked answer with its score and what matched."""

    id: str
    score: float
    key: str = ""
    matched: tuple[str, ...] = ()
    phrase: str = ""


@dataclass
class Query:
    """A tokenised question: weighted words, sub-words, and compact text for phrase matching."""

    text: str
    compact: str
    tokens: list[str]
    weighted: list[tuple[str, float]]
    parts: list[str]


@dataclass
class Ranking:
    """Scores for one question before the answer decision."""

    query: Query
    hits: list[Hit]
    # For each answer id: the question's tokens (and synonyms) found anywhere in its documents.
    found: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class _Field:
    bm25: BM25Okapi | BM25L | BM25Plus
    # token → (ids of the documents containing it, rank-bm25's score of the token in each of them).
    # A token's score in a document does not depend on the question, so it is computed once here.
    postings: dict[str, tuple[np.ndarray, np.ndarray]]


class SearchIndex:
    """Immutable BM25 index; build once at start, derive a new one to add learned aliases."""

    def __init__(self, docs: Sequence[Doc], tokenizer: Tokenizer, config: RetrievalConfig,
                 _cache: dict[str, tuple[list[str], list[str]]] | None = None) -> None:
        if not docs:
            raise ValueError("cannot build a search index with no documents; check the catalogue data")
        self.docs = tuple(docs)
        self.tokenizer = tokenizer
        self.config = config
        self._cache = dict(_cache or {})
        corpora: dict[str, list[list[str]]] = {"words": [], "parts": []}
        for doc in self.docs:
            name_w, name_p = self._analyse(doc.name)
            body_w, body_p = self._analyse(doc.body)
            corpora["words"].append(name_w * config.name_repeat + body_w)
            corpora["parts"].append(name_p * config.name_repeat + body_p)
        variant = _VARIANTS[config.bm25_variant]
        kwargs = {"k1": config.k1, "b": config.b}
        if config.bm25_variant in ("l", "plus"):
            kwargs["delta"] = config.delta
        self._fields: dict[str, _Field] = {}
        for name, corpus in corpora.items():
            postings: dict[str, list[int]] = defaultdict(list)
            for i, toks in enumerate(corpus):
                for t in set(toks):
                    postings[t].append(i)
            # rank-bm25 cannot take an empty document; a placeholder token never matches a question.
            model = variant([toks or ["\u2400"] for toks in corpus], **kwargs)
            model.doc_len = np.asarray(model.doc_len)  # rank-bm25 re-converts it on every call otherwise
            self._fields[name] = _Field(model, {
                t: (np.array(ix), np.asarray(model.get_batch_scores([t], ix))) for t, ix in postings.items()})
        self._docs_of: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.docs):
            self._docs_of[d.answer].append(i)
        self._doc_freq = {t: len(ix) for t, (ix, _) in self._fields["words"].postings.items()}
        self._phrases = self._phrase_table()
        self._phrase_chars = self._char_table()

    def _analyse(self, text: str) -> tuple[list[str], list[str]]:
        if text not in self._cache:
            self._cache[text] = self.tokenizer.analyse(text)
        return self._cache[text]

    def _phrase_table(self) -> dict[str, list[tuple[str, int, str]]]:
        """Map each phrase's first two characters to (phrase, doc index, kind) for fast substring lookup."""
        table: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            kinds = [(p, "") for p in doc.phrases] + [(p, "cued") for p in doc.cued_phrases] + \
                [(p, "weak") for p in doc.weak_phrases]
            for p, kind in kinds:
                c = compact(p)
                if len(c) >= 2:
                    table[c[:2]].append((c, i, kind))
        return table

    def _char_table(self) -> dict[str, set[int]]:
        """Map each character to the documents whose phrases contain it (for loose matching)."""
        table: dict[str, set[int]] = defaultdict(set)
        for i, doc in enumerate(self.docs):
            for p in doc.phrases:
                for ch in compact(p):
                    table[ch].add(i)
        return table

    def with_phrases(self, extra: dict[str, Iterable[str]]) -> SearchIndex:
        """Return a new index where answer ids gain extra name phrases (staff-taught aliases)."""
        extra = {k: tuple(v) for k, v in extra.items() if v}
        if not extra:
            return self
        self.tokenizer.add_phrases(p for ps in extra.values() for p in ps)
        docs = []
        for doc in self.docs:
            added = extra.get(doc.answer, ())
            if added and doc.key in ("", "list", "summary"):
                doc = replace(doc, name=doc.name + "\n" + "\n".join(added), phrases=doc.phrases + added)
            docs.append(doc)
        # Tokenised text is cached by content, but jieba just learned new words: drop stale entries.
        return SearchIndex(docs, self.tokenizer, self.config)

    # -- querying -------------------------------------------------------------------------------

    def parse(self, text: str) -> Query:
        """Tokenise a question and add synonyms."""
        words, parts = self.tokenizer.analyse(text)
        return Query(text=text, compact=compact(text), tokens=words,
                     weighted=self.tokenizer.expand(words, self.config.synonym_weight), parts=parts)

    def doc_freq(self, token: str) -> int:
        """Return how many documents contain the word."""
        return self._doc_freq.get(token, 0)

    def _phrase_hits(self, query: Query, info: dict[str, float]) -> dict[int, str]:
        """Return doc index → longest title/alias phrase of that doc found in the question."""
        q = query.compact
        total = sum(info.values()) or 1.0
        found: dict[int, str] = {}
        for start in range(len(q) - 1):
            for phrase, i, kind in self._phrases.get(q[start:start + 2], ()):
                if not q.startswith(phrase, start) or len(phrase) <= len(found.get(i, "")):
                    continue
                if kind == "cued" and not any(c in q for c in self.docs[i].cues):
                    continue
                if kind == "weak" and sum(v for t, v in info.items() if t in phrase) / total < WEAK_PHRASE_SHARE:
                    continue
                found[i] = phrase
        if 3 <= len(q) <= SHORT_QUESTION:
            self._loose_hits(q, found)
        return found

    def _loose_hits(self, q: str, found: dict[int, str]) -> None:
        """Match a short question to an alias that contains it or nearly does (企业科协指南 → 企事业科协工作指南)."""
        counts: dict[int, int] = defaultdict(int)
        for ch in set(q):
            for i in self._phrase_chars.get(ch, ()):
                counts[i] += 1
        need = 0.8 * len(set(q))
        for i in sorted(i for i, n in counts.items() if n >= need):
            if i in found:
                continue
            for p in self.docs[i].phrases:
                c = compact(p)
                if len(c) < 3:
                    continue
                common = _lcs(q, c)
                if (q in c) or (common >= 0.8 * len(q) and common >= 0.6 * len(c)):
                    found[i] = q
                    break

    def _score(self, field_name: str, tokens: Iterable[tuple[str, float]], weight: float, scores: np.ndarray) -> None:
        fld = self._fields[field_name]
        for token, w in tokens:
            posting = fld.postings.get(token)
            if posting is not None:
                scores[posting[0]] += weight * w * posting[1]

    def _matched(self, i: int, query: Query) -> set[str]:
        """Return the question's tokens (and synonyms, sub-words) that document i contains."""
        words = self._fields["words"].bm25.doc_freqs[i]
        parts = self._fields["parts"].bm25.doc_freqs[i]
        return {t for t, _ in query.weighted if t in words or t in parts} | {p for p in query.parts if p in parts}

    def rank_documents(self, query: Query, answer: str, limit: int = 3) -> list[tuple[str, float]]:
        """Return the best documents (key, score) of one answer for the query (articles of the rules …)."""
        scores = np.zeros(len(self.docs))
        self._score("words", query.weighted, 1.0, scores)
        self._score("parts", list(query.weighted) + [(p, 1.0) for p in query.parts], self.config.parts_weight, scores)
        own = [(self.docs[i].key, float(scores[i])) for i in range(len(self.docs))
               if self.docs[i].answer == answer and scores[i] > 0]
        return sorted(own, key=lambda x: -x[1])[:limit]

    def rank(self, query: Query, limit: int = 10) -> Ranking:
        """Score every answer for the query and return the best `limit` hits."""
        cfg = self.config
        scores = np.zeros(len(self.docs))
        self._score("words", query.weighted, 1.0, scores)
        part_tokens = [(t, w) for t, w in query.weighted] + [(p, 1.0) for p in query.parts]
        self._score("parts", part_tokens, cfg.parts_weight, scores)
        info = {t: self.tokenizer.information(t) for t in query.tokens}
        phrases = self._phrase_hits(query, info)
        total = sum(info.values()) or 1.0
        for i, phrase in phrases.items():
            # The bonus grows with how much of the question the phrase explains: 青托 alone is a
            # clear request for 青托; 青托 inside a long question is one clue among several.
            inside = sum(v for t, v in info.items() if t in phrase)
            scores[i] += cfg.phrase_bonus * min(1.0, len(phrase) / 4) * max(inside / total, 0.25)
        positive = np.flatnonzero(scores > 0)
        order = positive[np.argsort(-scores[positive], kind="stable")]
        best: dict[str, int] = {}
        for i in order.tolist():
            answer = self.docs[i].answer
            if answer not in best:
                best[answer] = i
                if len(best) == limit:
                    break
        phrase_of: dict[str, str] = {}
        for i, phrase in phrases.items():
            answer = self.docs[i].answer
            if answer in best and len(phrase) > len(phrase_of.get(answer, "")):
                phrase_of[answer] = phrase
        found: dict[str, set[str]] = {}
        hits = []
        for answer, i in best.items():
            members = [j for j in self._docs_of[answer] if scores[j] > 0]
            seen: set[str] = set()
            for j in members:
                seen |= self._matched(j, query)
            phrase = phrase_of.get(answer, "")
            if phrase:
                seen |= {t for t, _ in query.weighted if t in phrase}
            found[answer] = seen
            hits.append(Hit(id=answer, score=float(scores[i]), key=self.docs[i].key,
                            matched=tuple(sorted(self._matched(i, query))), phrase=phrase))
        return Ranking(query=query, hits=hits, found=found)


def _lcs(a: str, b: str) -> int:
    """Return the length of the longest common subsequence of two short strings."""
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]
