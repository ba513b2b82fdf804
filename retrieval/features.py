"""Candidate answers of a question and the generic features the fitted decision reads.

Candidates are the best answers by BM25 over the entries, the answers whose example questions come
nearest, and the societies list or an organisation's introduction when the question names them. Each
candidate gets one vector of numbers: how well the question matches its entry (scores, ranks and margins,
how much of the question's content its name, its core and its text explain), how near the question comes
to its examples and to the nearest out-of-scope example, and what the hand-kept word lists say (another
level, another agency, an out-of-scope topic) — as features, not vetoes. `retrieval/scorer.py` turns the
vector into P(this candidate is the right answer).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .evidence import Evidence, explain
from .examples import Neighbours
from .index import Hit, Query
from .societies import SocietyMatch
from .text import compact

# BM25 candidates kept, and answers added from the nearest examples.
BM25_CANDIDATES = 6
EXAMPLE_CANDIDATES = 3
# An example this near counts as a candidate's (below it, its answer is not added from the examples).
EXAMPLE_FLOOR = 0.15

# The features, in the order of the model's weights. Question-level features are the same for every
# candidate of a question; they shift how sure any answer can be.
QUESTION_FEATURES: tuple[str, ...] = (
    "q_chars", "q_content", "q_information", "english",
    "oos_similarity", "smalltalk_similarity", "profile_similarity", "human_similarity",
    "oos_topic", "other_region", "smalltalk_words", "profile_words",
)
CANDIDATE_FEATURES: tuple[str, ...] = (
    "bm25", "bm25_share", "bm25_rank", "bm25_lead",
    "explained", "core", "name", "bigrams", "core_bigrams", "name_bigrams", "focus", "unknown", "missing",
    "phrase", "exact", "phrase_lead",
    "example", "example_rank", "example_lead", "example_vs_oos", "example_votes",
    "english_example", "english_votes",
    "appendix", "uncued", "characters", "unnamed_programme", "other_agency", "other_place", "level_conflict",
    "society_named", "organisation_named", "corrected", "correction_cost",
)
FEATURES: tuple[str, ...] = QUESTION_FEATURES + CANDIDATE_FEATURES

# Groups switched off together by the calibration's ablation (each shows what it adds out of fold).
GROUPS: dict[str, tuple[str, ...]] = {
    "bm25": ("bm25", "bm25_share", "bm25_rank", "bm25_lead"),
    "evidence": ("explained", "core", "name", "bigrams", "core_bigrams", "name_bigrams", "focus", "unknown",
                 "missing"),
    "names": ("phrase", "exact", "phrase_lead"),
    "examples": ("example", "example_rank", "example_lead", "example_vs_oos", "example_votes", "english_example",
                 "english_votes"),
    "out_of_scope_examples": ("oos_similarity", "example_vs_oos"),
    "intent_examples": ("smalltalk_similarity", "profile_similarity", "human_similarity"),
    "word_lists": ("oos_topic", "other_region", "smalltalk_words", "profile_words", "unnamed_programme",
                   "other_agency", "other_place", "level_conflict", "uncued", "characters"),
    "appendix_readings": ("appendix", "society_named", "organisation_named"),
    "corrector": ("corrected", "correction_cost"),
    "question_shape": ("q_chars", "q_content", "q_information", "english"),
}


@dataclass(frozen=True)
class QuestionFacts:
    """What is known about a question before looking at any one candidate."""

    query: Query
    content: tuple[str, ...]
    information: float
    neighbours: Neighbours
    societies: SocietyMatch
    organisation: str = ""         # the organisation the question is about (tast/cast), when it names one so
    oos_topic: bool = False
    other_region: bool = False
    smalltalk_words: bool = False
    profile_words: bool = False
    correction_cost: float = 0.0   # characters changed by the typo corrector (0 as typed)


@dataclass(frozen=True)
class Candidate:
    """One candidate answer with its hit, its evidence and its feature vector."""

    hit: Hit
    evidence: Evidence
    features: tuple[float, ...]
    conflict: bool = False
    flags: dict[str, bool] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Return the answer id."""
        return self.hit.id

    def value(self, name: str) -> float:
        """Return one named feature."""
        return self.features[FEATURES.index(name)]


def question_vector(facts: QuestionFacts) -> list[float]:
    """Return the question-level features."""
    q = facts.query.compact
    latin = sum(1 for ch in q if "a" <= ch <= "z")
    n = facts.neighbours
    return [
        math.log1p(len(q)) / 5, min(len(facts.content), 10) / 10, math.log1p(facts.information) / 5,
        latin / len(q) if q else 0.0,
        n.out_of_scope, n.intent("smalltalk"), n.intent("profile"), n.intent("human"),
        float(facts.oos_topic), float(facts.other_region), float(facts.smalltalk_words), float(facts.profile_words),
    ]


def candidate_ids(hits: Iterable[Hit], neighbours: Neighbours, extra: Iterable[str] = ()) -> list[str]:
    """Return the candidates: the best BM25 answers, then the answers of the nearest examples, then extra."""
    out = [h.id for h in list(hits)[:BM25_CANDIDATES]]
    for answer, sim in neighbours.ranked()[:EXAMPLE_CANDIDATES]:
        if sim >= EXAMPLE_FLOOR and answer not in out:
            out.append(answer)
    for answer in extra:
        if answer not in out:
            out.append(answer)
    return out


def candidate_vector(facts: QuestionFacts, hit: Hit, scores: dict[str, float], bm25_rank: int, evidence: Evidence,
                     flags: dict[str, bool]) -> list[float]:
    """Return the candidate-level features of one answer."""
    best = max(scores.values(), default=0.0)
    others = max((v for k, v in scores.items() if k != hit.id), default=0.0)
    score = scores.get(hit.id, 0.0)
    ex = facts.neighbours.answer(hit.id)
    ex_rank = facts.neighbours.rank(hit.id)
    ex_other = facts.neighbours.best_other(hit.id)
    e = evidence
    q = facts.query.compact
    english = sum(1 for ch in q if "a" <= ch <= "z") / len(q) if q else 0.0
    return [
        math.log1p(max(score, 0.0)) / 4, score / best if best > 0 else 0.0,
        1.0 / bm25_rank if bm25_rank else 0.0,
        math.log((score + 1.0) / (others + 1.0)),
        e.explained, e.core, e.name, e.bigrams, e.core_bigrams, e.name_bigrams, e.focus, e.unknown / 20,
        e.missing / 20,
        min(len(hit.phrase), 8) / 8, float(flags.get("exact", False)), float(flags.get("phrase_lead", False)),
        ex, 1.0 / ex_rank if ex_rank else 0.0, ex - ex_other, ex - facts.neighbours.out_of_scope,
        facts.neighbours.votes.get(hit.id, 0.0),
        # An English question has only its examples to go by (BM25 reads Chinese): they weigh more for it.
        ex * english, facts.neighbours.votes.get(hit.id, 0.0) * english,
        float(flags.get("appendix", False)), float(flags.get("uncued", False)), float(flags.get("characters", False)),
        float(flags.get("unnamed_programme", False)), float(flags.get("other_agency", False)),
        float(flags.get("other_place", False)),
        float(flags.get("level_conflict", False)),
        float(hit.id == "societies" and facts.societies.found),
        float(bool(facts.organisation) and hit.id == facts.organisation),
        float(facts.correction_cost > 0), min(facts.correction_cost, 6) / 6,
    ]


def evidence_of(words: object, index: object, facts: QuestionFacts, hit: Hit) -> Evidence:
    """Return how much of the question's content one candidate explains."""
    return explain(words, index, facts.query, list(facts.content), hit.id, hit.phrase)  # type: ignore[arg-type]


_SPACES = re.compile(r"\s+")


def characters_only(content: Iterable[str]) -> bool:
    """Return True when every content word is one character (怎么学): too little to name a service by."""
    content = list(content)
    return bool(content) and all(len(w) == 1 for w in content)


def changed_characters(changes: Iterable[tuple[str, str]]) -> float:
    """Return how many characters a set of corrections changed (typed → meant)."""
    total = 0
    for typed, meant in changes:
        a, b = compact(typed), compact(meant)
        total += max(len(a), len(b)) - sum(1 for x, y in zip(a, b) if x == y)
    return float(max(total, 1)) if changes else 0.0
