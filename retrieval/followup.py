"""Follow-ups in context: is a turn about the answer just shown, a request for more like it, or new?

After an answer the bot keeps what it was about. A turn that carries no words of its own about which
service it means (电话多少, 有年龄限制吗, 资助多少钱, 女的能放宽吗) is about that answer; 还有别的吗 asks for
related services; 那激光方面的呢 asks for the same kind of thing about something else; a turn that names
another service switches to it; anything else is a new question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .decide import Decision
from .lexicon import Lexicon
from .model import Catalogue, Service
from .text import compact, normalise


class Turn(str, Enum):
    """How a turn relates to the answer shown before it."""

    ASPECT = "aspect"      # about the answer just shown
    RELATED = "related"    # more services like it
    SIBLING = "sibling"    # the same kind of thing about something else
    NEW = "new"            # a question of its own


@dataclass(frozen=True)
class FollowUpWords:
    """The words that mark follow-ups (data/lexicon/followup.yaml)."""

    related: tuple[str, ...]
    sibling_start: tuple[str, ...]
    sibling_end: tuple[str, ...]
    pronoun: tuple[str, ...] = ()
    back: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()
    correct: tuple[str, ...] = ()

    def is_sibling(self, question: str) -> bool:
        """Return True for a 那…呢 / …的呢 turn: the same question as before, about something else."""
        q = normalise(question).strip("？?！!。 ")
        return q.endswith(tuple(self.sibling_end)) or q.startswith(tuple(self.sibling_start))

    def strip_marks(self, question: str) -> str:
        """Return the turn without its 那… / …呢 marks (那天津赛区的呢 → 天津赛区的)."""
        q = normalise(question).strip("？?！!。 ")
        for start in sorted(self.sibling_start, key=len, reverse=True):
            if q.startswith(start):
                q = q[len(start):]
                break
        for end in sorted(self.sibling_end, key=len, reverse=True):
            if q.endswith(end):
                q = q[: -len(end)]
                break
        return q or question


def load_followup(lexicon: Lexicon) -> FollowUpWords:
    """Return the follow-up words of the lexicon (data/lexicon/followup.yaml)."""
    f = lexicon.followup
    return FollowUpWords(f.related, f.sibling_start, f.sibling_end, f.pronoun, f.back, f.compare, f.correct)


# A follow-up is short; a long turn is a question of its own even if it names no service.
SHORT_TURN = 14
# 还有类似的给企业用的线上工具吗: a request for more, with a topic, may be longer.
RELATED_TURN = 24


def classify(question: str, content: tuple[str, ...], decision: Decision, best: str | None, names_other: bool,
             context: str, by_context: float, by_best: float, asks_aspect: bool, words: FollowUpWords,
             sibling: bool = True, unexplained_telling: bool = False) -> Turn:
    """Return how a turn relates to the answer `context` shown before it.

    `content` are the turn's content words and `decision`/`best` its own search result; `names_other` says
    that the turn names another answer (its name explains the turn better than the context's does);
    `by_context` and `by_best` are how much of the content the context answer and the turn's own best
    answer explain. With `sibling` off (the caller found no sibling), 那…呢 turns are about the context.
    `unexplained_telling`: the turn has a telling word the context does not explain (养猫 in 天津有没有养猫的
    补贴): then an aspect word alone (补贴) does not make it a follow-up.
    """
    q = compact(question)
    names_other = names_other and best is not None and best != context and decision is not Decision.UNANSWERED
    # 决策咨询方面还有别的吗 names a topic (even one a title has): more of that topic, not that one service.
    if any(w in q for w in words.related) and len(q) <= RELATED_TURN:
        return Turn.RELATED
    if names_other:
        return Turn.NEW
    if not content:  # 电话多少, 怎么报: about the last answer — if it asks anything at all (不告诉你 does not)
        return Turn.ASPECT if asks_aspect else Turn.NEW
    if len(q) <= SHORT_TURN:
        marked = q.startswith(words.sibling_start) and q.endswith(words.sibling_end)
        if marked and sibling:
            return Turn.SIBLING
        # About the context when it explains the turn at least as well as anything else does (决议怎么算通过
        # after an article of the 通则), or the turn asks about an aspect (女的能放宽吗).
        if not unexplained_telling and (marked or asks_aspect or (by_context >= 0.5 and by_context >= by_best)):
            return Turn.ASPECT
    return Turn.NEW


def related_services(catalogue: Catalogue, service: Service, similar: list[str], exclude: set[str],
                     limit: int = 4) -> list[Service]:
    """Return the services most like one: alike in what they are (their texts), needs, audience and section.

    `similar` are the services whose title and introduction read most like this one's, best first; a
    candidate also scores for each finder need and audience it shares and for being in the same section —
    never for one shared word alone.
    """
    rank = {sid: len(similar) - n for n, sid in enumerate(similar)}

    def score(other: Service) -> float:
        s = 1.0 * rank.get(other.id, 0) / max(len(similar), 1) * 3
        s += 1.5 * len(set(other.tags.need) & set(service.tags.need))
        s += 1.0 if other.section == service.section else 0.0
        s += 0.5 * len(set(other.tags.audience) & set(service.tags.audience))
        return s

    candidates = [(score(o), -int(o.id), o) for o in catalogue.services if o.id != service.id and o.id not in exclude]
    candidates = [c for c in candidates if c[0] >= 2.5]
    candidates.sort(reverse=True)
    return [o for _, _, o in candidates[:limit]]
