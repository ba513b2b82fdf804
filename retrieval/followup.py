"""The words that mark a follow-up (那…呢, 它, 刚才那个, 还有类似的, 比, 不是这个; data/lexicon/followup.yaml),
read as features by the turn model (retrieval/dialogue.py), and the services most like one (for 还有类似的吗).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import Lexicon
from .model import Catalogue, Service
from .text import normalise


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
