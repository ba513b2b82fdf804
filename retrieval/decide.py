"""The answer decision (answered / suggest / unanswered) and what the user asks about (intents)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .config import Thresholds
from .lexicon import INTENTS, Lexicon


class Decision(str, Enum):
    """What the assistant does with a question."""

    ANSWERED = "answered"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Features:
    """The numbers and flags a decision is made from."""

    tokens: int
    top_score: float
    second_score: float
    coverage: float
    information: float
    phrase: str
    chitchat: bool
    out_of_scope: str


def decide(f: Features, th: Thresholds) -> tuple[Decision, str]:
    """Return the decision and a short machine-readable reason."""
    if f.chitchat:
        return Decision.UNANSWERED, "chitchat"
    if f.tokens == 0:
        return Decision.UNANSWERED, "empty"
    if f.out_of_scope:
        return Decision.UNANSWERED, "out_of_scope"
    if f.top_score <= 0:
        return Decision.UNANSWERED, "no_match"
    if f.coverage < th.min_coverage:
        return Decision.UNANSWERED, "low_coverage"
    if f.information < th.min_information and not f.phrase:
        return Decision.UNANSWERED, "low_information"
    if f.top_score >= th.answer_ratio * f.second_score:
        return Decision.ANSWERED, "phrase" if f.phrase else "clear"
    return Decision.SUGGEST, "close"


_COMBINED = re.compile(r"(申报|申请|报名|参评|参选|入选)(条件|资格|要求|对象)")


def detect_intents(normalised: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Return what the question asks about, in card order; () when it just names a service."""
    text = _COMBINED.sub(r"\2", normalised)
    found = [name for name in INTENTS if any(w in text for w in lexicon.intents[name])]
    return tuple(found)


def chitchat_only(normalised: str, content_tokens: list[str], lexicon: Lexicon) -> bool:
    """Return True when the question is small talk: chitchat phrases and filler, nothing else."""
    compact = re.sub(r"[\W_]+", "", normalised)
    if not compact:
        return False
    rest = compact
    hit = False
    for p in sorted(lexicon.chitchat, key=len, reverse=True):
        if p in rest:
            hit = True
            rest = rest.replace(p, " ")
    if not hit:
        return False
    remaining = [t for t in content_tokens if t in rest]
    return not remaining


def out_of_scope_topic(normalised: str, lexicon: Lexicon) -> str:
    """Return the out-of-scope topic the question names, or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for t in lexicon.oos_topics:
        if t in compact:
            return t
    return ""


def other_region(normalised: str, lexicon: Lexicon) -> str:
    """Return a region named right before an organisation word (河北省科协 …), or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for r in lexicon.regions:
        start = compact.find(r)
        while start >= 0:
            tail = compact[start + len(r): start + len(r) + 5]
            if any(tail.startswith(o) or tail[1:].startswith(o) for o in lexicon.region_orgs):
                return r
            start = compact.find(r, start + 1)
    return ""

