"""What kind of message a question is — small talk, a self-description, a wish for a person, asking whether
one may apply — read from how near it comes to each kind's example questions (data/examples/intents.yaml).

One logistic model per kind (retrieval/scorer.py), fitted by `python -m retrieval.calibrate` on the example
questions themselves, each scored against the others (leave one out), and checked on the evaluation files'
small-talk and profile questions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .features import Candidate, QuestionFacts

INTENT_FEATURES: tuple[str, ...] = (
    "smalltalk_similarity", "profile_similarity", "human_similarity", "can_apply_similarity",
    "answer_similarity", "oos_similarity", "smalltalk_words", "profile_words", "english", "name_match",
)


def intent_vector(facts: QuestionFacts, candidates: Sequence[Candidate]) -> list[float]:
    """Return the features the intent models read."""
    n = facts.neighbours
    q = facts.query.compact
    latin = sum(1 for ch in q if "a" <= ch <= "z")
    best_answer = max(n.answers.values(), default=0.0)
    phrase = max((len(c.hit.phrase) for c in candidates), default=0)
    return [
        n.intent("smalltalk"), n.intent("profile"), n.intent("human"), n.intent("can_apply"),
        best_answer, n.out_of_scope, float(facts.smalltalk_words), float(facts.profile_words),
        latin / len(q) if q else 0.0, min(phrase, 8) / 8,
    ]
