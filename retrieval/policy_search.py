"""Policy questions: the passages of data/policies/, retrieved with the same tokeniser and BM25 as the catalogue
and decided by the same kind of fitted model (a conditional logit over candidates and 'none'), with features of
their own and example questions of their own (data/examples/policies.yaml).

The outcome names the passage, its citation (《document》 and its place), the sentence that answers first (a
number or target when the question asks for one, the 牵头单位 when it asks who leads), and the catalogue
services that carry the measure out. The catalogue's own decision is never changed by it: a question is answered
from the catalogue, from a document, or from both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np

from .config import RetrievalConfig
from .lexicon import Lexicon
from .evidence import Evidence, Words, explain
from .examples import Neighbours
from .index import Doc, Hit, Query, SearchIndex
from .outcome import Decision
from .policies import Passage, PolicyDocument
from .scorer import Part
from .text import bounded, compact, normalise
from .tokenize import Tokenizer

# File name of the passages' index inside the cache directory.
POLICY_CACHE = "policy-index.cache"
POLICY_CANDIDATES = 6
EXAMPLE_CANDIDATES = 3
EXAMPLE_FLOOR = 0.15
_SENTENCE = re.compile(r"(?<=[。；！？])")
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?:19|20)\d\d")

POLICY_FEATURES: tuple[str, ...] = (
    "q_chars", "q_content", "english", "catalogue_p", "oos_similarity", "policy_example_best", "document_named_any",
    "bm25", "bm25_share", "bm25_rank", "bm25_lead",
    "explained", "core", "name", "bigrams", "name_bigrams", "missing",
    "example", "example_rank", "example_lead", "example_votes",
    "document_named", "number_asked", "lead_asked", "years", "now_asked", "other_place",
)


@dataclass(frozen=True)
class PolicyWords:
    """Words that ask for a figure or a target, and words that ask who leads (data/lexicon/policy.yaml)."""

    number: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    now: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()   # places (data/lexicon/out_of_scope.yaml's regions): one the document never names


def load_policy_words(lexicon: Lexicon) -> PolicyWords:
    """Return the policy words of the lexicon (data/lexicon/policy.yaml) and its places."""
    p = lexicon.policy
    norm = lambda ws: tuple(normalise(w) for w in ws)  # noqa: E731
    return PolicyWords(norm(p.number), norm(p.lead), norm(p.now), lexicon.regions)


@dataclass(frozen=True)
class PolicyHit:
    """A passage with its probability and the sentence that answers first."""

    key: str
    passage: Passage
    p: float = 0.0
    lead_sentence: str = ""

    @property
    def document(self) -> str:
        """Return the document id."""
        return self.passage.document_id


@dataclass(frozen=True)
class PolicyResult:
    """What the policy documents answer to a question."""

    decision: Decision
    hits: tuple[PolicyHit, ...] = ()
    confidence: float = 0.0

    @property
    def best(self) -> PolicyHit | None:
        """Return the best passage, or None."""
        return self.hits[0] if self.hits else None


@dataclass
class PolicyCandidates:
    """A question's candidate passages and their feature rows (for the model and for calibration)."""

    keys: list[str]
    x: np.ndarray
    evidence: list[Evidence] = field(default_factory=list)


class PolicySearch:
    """Search over the passages of the policy documents."""

    def __init__(self, documents: Sequence[PolicyDocument], tokenizer: Tokenizer, config: RetrievalConfig,
                 words: Words, policy_words: PolicyWords, cache_dir: str | Path | None = None) -> None:
        self.documents = tuple(documents)
        self.passages = {f"{d.id}/{p.id}": p for d in self.documents for p in d.passages}
        self.words = words
        self.policy_words = policy_words
        docs = [Doc(answer=key, key="", name="\n".join(x for x in (p.heading, p.document_title) if x),
                    body="\n".join((p.text, *p.lead)), core=p.text)
                for key, p in self.passages.items()]
        self.index = SearchIndex.cached(docs, tokenizer, config, cache_dir, POLICY_CACHE) if docs else None
        self._names = {d.id: [compact(n) for n in (d.title, d.short, d.subtitle) if n] for d in self.documents}
        # Each name's character bigrams (what _named counts), and each passage's compact text and sentences.
        self._name_grams = {d: [{n[i:i + 2] for i in range(len(n) - 1)} for n in names]
                            for d, names in self._names.items()}
        self._texts = {d.id: compact("".join(p.text + "".join(p.lead) for p in d.passages) + d.title)
                       for d in self.documents}
        self._bodies = {key: compact(p.text + "".join(p.lead)) for key, p in self.passages.items()}
        # Each passage's sentences, with their character bigrams and whether they hold a figure.
        self._sentences: dict[str, list[tuple[str, list[str], bool]]] = {}
        self._last_reading: tuple[str, tuple[str, bool, bool, frozenset[str]]] | None = None

    def candidates(self, text: str, neighbours: Neighbours, catalogue_p: float,
                   parsed: tuple[SearchIndex, Query] | None = None) -> PolicyCandidates:
        """Return the candidate passages of a question and their feature rows (`parsed`: an index and its
        reading of the question, used when that index reads text as the passages' index does)."""
        if self.index is None:
            return PolicyCandidates([], np.zeros((0, len(POLICY_FEATURES))))
        text = bounded(text)
        if parsed is not None and parsed[1].text == text and self.index.reads_like(parsed[0]):
            query = parsed[1]
        else:
            query = self.index.parse(text)
        content = self.words.content(query.tokens)
        hits = self.index.rank(query, limit=POLICY_CANDIDATES).hits
        keys = [h.id for h in hits]
        ranked = sorted(neighbours.policies.items(), key=lambda kv: (-kv[1], kv[0]))
        rank_of = {k: n for n, (k, _) in enumerate(ranked, 1)}
        for key, sim in ranked[:EXAMPLE_CANDIDATES]:
            if sim >= EXAMPLE_FLOOR and key not in keys:
                keys.append(key)
        scores = {h.id: h.score for h in hits}
        q = query.compact
        named = {d: self._named(q, d) for d in self._names}
        norm = normalise(text)
        asks_number = any(w in norm for w in self.policy_words.number)
        asks_lead = any(w in norm for w in self.policy_words.lead)
        years = set(_YEAR.findall(q))
        asks_now = float(any(w in norm for w in self.policy_words.now))
        places = [r for r in self.policy_words.regions if r in q]
        best = max(scores.values(), default=0.0)
        votes = _votes(ranked)
        latin = sum(1 for ch in q if "a" <= ch <= "z")
        qv = [math.log1p(len(q)) / 5, min(len(content), 10) / 10, latin / len(q) if q else 0.0, catalogue_p,
              neighbours.out_of_scope, ranked[0][1] if ranked else 0.0, max(named.values(), default=0.0)]
        rows, evidence = [], []
        for key in keys:
            p = self.passages[key]
            hit = next((h for h in hits if h.id == key), Hit(id=key, score=0.0))
            e = explain(self.words, self.index, query, content, key, hit.phrase)
            score = scores.get(key, 0.0)
            others = max((v for k, v in scores.items() if k != key), default=0.0)
            rank = keys.index(key) + 1 if key in scores else 0
            ex = neighbours.policies.get(key, 0.0)
            ex_rank = rank_of.get(key, 0)
            # The best similarity of another passage: the first of the ranking that is not this one.
            ex_other = next((v for k, v in ranked[:2] if k != key), 0.0)
            body = self._bodies[key]
            rows.append(qv + [
                math.log1p(score) / 4, score / best if best > 0 else 0.0, 1.0 / rank if rank else 0.0,
                math.log((score + 1.0) / (others + 1.0)),
                e.explained, e.core, e.name, e.bigrams, e.name_bigrams, e.missing / 20,
                ex, 1.0 / ex_rank if ex_rank else 0.0, ex - ex_other, votes.get(key, 0.0),
                named.get(p.document_id, 0.0),
                float(asks_number and bool(_DIGIT.search(p.text))), float(asks_lead and bool(p.lead)),
                float(bool(years) and all(y in body for y in years)) - float(bool(years) and not any(y in body for y in years)),
                asks_now, float(any(r not in self._texts[p.document_id] for r in places)),
            ])
            evidence.append(e)
        return PolicyCandidates(keys, np.array(rows, dtype=float).reshape(-1, len(POLICY_FEATURES)), evidence)

    def warm(self) -> None:
        """Compute what a search would compute on first use (the passages' words, bigrams and sentences)."""
        if self.index is not None:
            self.index.warm()
        for passage in self.passages.values():
            self.lead_sentence(passage, "")

    def decide(self, text: str, cands: PolicyCandidates, model: Part) -> PolicyResult:
        """Return the policy outcome of a question's candidates under the fitted model."""
        if not cands.keys:
            return PolicyResult(Decision.UNANSWERED)
        ps = model.candidate.scores(cands.x)
        order = np.argsort(-ps, kind="stable").tolist()
        hits = tuple(PolicyHit(cands.keys[i], self.passages[cands.keys[i]], float(ps[i]),
                               self.lead_sentence(self.passages[cands.keys[i]], text)) for i in order)
        p1 = float(ps[order[0]])
        th = model.thresholds
        decision = Decision.ANSWERED if p1 >= th.answer else Decision.SUGGEST if p1 >= th.suggest \
            else Decision.UNANSWERED
        return PolicyResult(decision, hits, p1)

    def lead_sentence(self, passage: Passage, text: str) -> str:
        """Return the passage's sentence that answers first: one with a figure when the question asks for one,
        the 牵头单位 when it asks who leads, else the sentence sharing most of the question's words."""
        norm, asks_lead, asks_number, grams = self._reading(text)
        if asks_lead and passage.lead:
            return "；".join(passage.lead)
        sentences = self._sentences.get(passage.text)
        if sentences is None:
            sentences = self._sentences[passage.text] = [
                (s, [s[i:i + 2] for i in range(len(s) - 1)], bool(_DIGIT.search(s)))
                for s in (s.strip() for s in _SENTENCE.split(passage.text)) if s]
        if not sentences:
            return ""

        def score(sentence: tuple[str, list[str], bool]) -> tuple[float, int]:
            s, pairs, digits = sentence
            shared = sum(map(grams.__contains__, pairs))
            return (shared + (5 if asks_number and digits else 0), -len(s))

        return max(sentences, key=score)[0]

    def _reading(self, text: str) -> tuple[str, bool, bool, frozenset[str]]:
        """Return what lead_sentence reads of a question: its normal form, whether it asks who leads and for a
        figure, and its character bigrams (remembered for the last question: each of its passages asks)."""
        last = self._last_reading
        if last is None or last[0] != text:
            norm = normalise(bounded(text))
            last = self._last_reading = (text, (norm, any(w in norm for w in self.policy_words.lead),
                                                any(w in norm for w in self.policy_words.number),
                                                frozenset(norm[i:i + 2] for i in range(len(norm) - 1))))
        return last[1]

    def _named(self, q: str, document: str) -> float:
        """Return how much of one of a document's names the question holds (as character bigrams)."""
        best = 0.0
        for grams in self._name_grams.get(document, ()):
            if grams:
                best = max(best, sum(1 for g in grams if g in q) / len(grams))
        return best


def _votes(ranked: list[tuple[str, float]], voters: int = 10) -> dict[str, float]:
    top = ranked[:voters]
    total = sum(v for _, v in top) or 1.0
    return {k: v / total for k, v in top}
