"""The answer decision: the fitted model's probability for the best candidate against the fitted thresholds.

Answered outright at P ≥ `answer`, offered as a guess (or, for someone describing themselves, a list) at
P ≥ `suggest`, declined below. Small talk and a wish to talk to a person are recognised first and never get
services. The thresholds are fitted by `python -m retrieval.calibrate` (data/decision.yaml).
"""

from __future__ import annotations

from .outcome import Decision, Intent, Reason
from .scorer import Thresholds

__all__ = ["Decision", "decide"]


def decide(p: float, intent: Intent, th: Thresholds, *, profiled: bool = False, nothing: bool = False,
           english: bool = False) -> tuple[Decision, Reason]:
    """Return the decision and its reason for the best candidate's probability p (declines say only why not).

    Two stated vetoes besides the thresholds: a question with nothing to go on (no content word, no name —
    「0」, 「怎么办」) is never given a service; and someone describing themselves gets a list of what fits
    only when the list has something to go on (`profiled`: their words point to finder tags, or the best
    candidate is likely enough to be suggested). A self-description that asks one thing the model is sure of
    is answered for that thing.
    """
    if intent is Intent.SMALLTALK:
        return Decision.UNANSWERED, Reason.SMALLTALK
    if intent is Intent.HUMAN:
        return Decision.UNANSWERED, Reason.HUMAN
    if nothing:
        return Decision.UNANSWERED, Reason.EMPTY
    if p >= (th.profile if intent is Intent.PROFILE else th.english if english else th.answer):
        return Decision.ANSWERED, Reason.CONFIDENT
    if intent is Intent.PROFILE and (profiled or p >= th.suggest):
        return Decision.SUGGEST, Reason.PROFILE
    if p >= th.suggest:
        return Decision.SUGGEST, Reason.GUESS if p >= th.guess else Reason.CHOICES
    return Decision.UNANSWERED, Reason.NO_MATCH
