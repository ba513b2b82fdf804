"""Dialogue: how a turn relates to what the chat has shown, decided by one fitted model over typed targets.

The chat keeps a short state of the answers it showed (newest first: a card, or a list of choices). A turn
may be about one of them (它, 刚才那个…, 电话多少), narrow a list to one of its choices (主要想要资金支持的),
compare the answer shown with another (跟PLUS培育计划有啥区别), ask for more like it (还有类似的吗), switch to
the same programme at the other level (全国的那个), ask the same about something else (那激光方面的呢 after a
society), or be a question of its own — a correction (不是这个，我说的是…) is one, which must not be the
answer just rejected. Every such reading is a candidate target with generic features (which answer, how
old, whether the turn names it, how well its text explains the turn, the turn's own search confidence,
the marks of the turn: 它, 刚才, 比, 不是, 还有, 那…呢); a conditional logit over the targets and 'none'
(retrieval/scorer.py), fitted by `python -m retrieval.calibrate` on labelled conversation turns with
leave-one-file-out cross-validation, picks one. A turn the context explains poorly is never answered from
it: below the fitted threshold the turn's own search decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

import numpy as np

from .correct import Corrector
from .evidence import Evidence
from .followup import FollowUpWords
from .index import Hit, SearchIndex
from .model import Catalogue
from .outcome import Decision, Intent, Reason
from .parts import Parts
from .text import bounded, compact, normalise
from .tokenize import Tokenizer


class Outcome(Protocol):
    """What the dialogue reads of a turn's own search (retrieval/search.py's SearchResult)."""

    @property
    def hits(self) -> tuple[Hit, ...]: ...

    @property
    def content(self) -> tuple[str, ...]: ...

    @property
    def asks(self) -> tuple[str, ...]: ...

    @property
    def decision(self) -> Decision: ...

    @property
    def reason(self) -> Reason: ...

    @property
    def confidence(self) -> float: ...

    @property
    def intent(self) -> Intent: ...


class Reader(Protocol):
    """What the dialogue asks of the searcher (retrieval/search.py's Searcher)."""

    parts: Parts
    catalogue: Catalogue
    tokenizer: Tokenizer
    index: SearchIndex
    corrector: Corrector

    def counterpart(self, service_id: str, question: str) -> str | None: ...

    def explain(self, question: str, answer: str, words: tuple[str, ...] | None = None) -> Evidence: ...


class Relation(str, Enum):
    """How a turn relates to what was shown."""

    ABOUT = "about"              # about an answer shown (the newest or an earlier one)
    NARROW = "narrow"            # one of a list shown, picked by what the turn adds
    COMPARE = "compare"          # the answer shown beside another
    RELATED = "related"          # more answers like the one shown
    COUNTERPART = "counterpart"  # the same programme at the other level
    SIBLING = "sibling"          # the same question about something else (another society, another article)
    NEW = "new"                  # a question of its own


# Answers whose "something else" is found inside them (a society of another field, another article).
SIBLING_ANSWERS = ("societies", "enterprise-association-rules", "tast", "cast")
# How many shown answers the state keeps, and how many choices of a list are candidates.
STATE_SIZE = 4
LIST_CHOICES = 6
OWN_CANDIDATES = 3


@dataclass(frozen=True)
class Shown:
    """One thing the chat showed: a card of an answer, or a list of choices."""

    answer: str = ""
    choices: tuple[str, ...] = ()
    question: str = ""


@dataclass(frozen=True)
class Target:
    """One reading of a turn: the relation and the answer it leads to (compare: and the other one)."""

    relation: Relation
    answer: str
    other: str = ""
    age: int = 0
    p: float = 0.0


@dataclass(frozen=True)
class TurnOutcome:
    """What the dialogue makes of a turn: the chosen target (None: the turn's own search decides)."""

    target: Target | None
    targets: tuple[Target, ...]
    result: Outcome
    confidence: float = 0.0
    rejected: str = ""
    # The turn is about the list shown but picks none of it (电话多少 after a list): its first choice is taken.
    unpicked: bool = False

    @property
    def relation(self) -> Relation:
        """Return the relation chosen (NEW when the turn's own search decides)."""
        return self.target.relation if self.target is not None else Relation.NEW


TYPES = ("about_newest", "about_earlier", "narrow", "compare", "related", "counterpart", "sibling", "new")
# What a target is (its type, how old, how the turn's own search ranks it, how well its text explains the turn).
TARGET_FEATURES: tuple[str, ...] = (
    *(f"is_{t}" for t in TYPES),
    "age", "list_rank", "own_p", "own_rank", "own_answered", "same_as_newest",
    "explained", "core", "name", "name_bigrams", "named", "other_p", "other_named",
)
# What the turn is (its marks and shape). In a choice among a turn's targets these say something only together
# with the target's type (还有 → the related list, 比 → a comparison), so each enters once per type.
TURN_READINGS: tuple[str, ...] = ("pronoun", "back", "compare", "correct", "more", "sibling",
                                  "content", "asks", "telling", "unknown", "declined", "own_answered", "profile")
TURN_FEATURES: tuple[str, ...] = TARGET_FEATURES + tuple(f"{r}*{t}" for r in TURN_READINGS for t in TYPES)


@dataclass(frozen=True)
class Marks:
    """The marks of a turn (data/lexicon/followup.yaml): 它, 刚才, 比, 不是, 还有, 那…呢."""

    pronoun: bool = False
    back: bool = False
    compare: bool = False
    correct: bool = False
    more: bool = False
    sibling: bool = False


@dataclass
class TurnRows:
    """A turn's targets and their feature rows (for the model and for calibration)."""

    targets: list[Target]
    x: np.ndarray
    marks: Marks = field(default_factory=Marks)


def marks_of(text: str, words: FollowUpWords) -> Marks:
    """Return the marks of a turn."""
    q = compact(text)

    def any_of(marks: tuple[str, ...]) -> bool:
        return any(m in q for m in marks)

    return Marks(pronoun=any_of(words.pronoun), back=any_of(words.back), compare=any_of(words.compare),
                 correct=any_of(words.correct), more=any_of(words.related), sibling=words.is_sibling(text))


def likeliest(order: Sequence[str], p: dict[str, float]) -> str:
    """Return the likeliest of some choices; those the model cannot tell apart (equal to 6 places) go by `order`."""
    top = max(round(v, 6) for v in p.values())
    return next((c for c in order if c in p and round(p[c], 6) >= top), max(p, key=lambda c: p[c]))


class Dialogue:
    """Relate turns to the chat's state with the fitted turn model (data/decision.yaml's `turns`)."""

    def __init__(self, searcher: Reader) -> None:
        self.searcher = searcher

    def rows(self, text: str, state: Sequence[Shown], result: Outcome) -> TurnRows:
        """Return the candidate targets of a turn and their features."""
        s = self.searcher
        marks = marks_of(text, s.parts.followup)
        hits = list(result.hits)[:OWN_CANDIDATES + 1]
        own = {h.id: (h.p, n) for n, h in enumerate(hits, 1)}
        newest = next((sh for sh in state if sh.answer or sh.choices), None)
        targets: list[Target] = []
        for age, sh in enumerate(state[:STATE_SIZE]):
            if sh.answer:
                targets.append(Target(Relation.ABOUT, sh.answer, age=age))
            for c in sh.choices[:LIST_CHOICES]:
                targets.append(Target(Relation.NARROW, c, age=age))
        if newest is not None and newest.answer:
            a = newest.answer
            targets.append(Target(Relation.RELATED, a))
            other = s.counterpart(a, text)
            if other is not None:
                targets.append(Target(Relation.COUNTERPART, other))
            # Another society is a target only when the turn names one or its field: a target is a reply
            # that can be built (as a counterpart is one only when the other level's programme exists).
            if a in SIBLING_ANSWERS and (a != "societies" or self._society(text)):
                targets.append(Target(Relation.SIBLING, a))
            for h in hits[:OWN_CANDIDATES]:
                if h.id != a:
                    targets.append(Target(Relation.COMPARE, a, other=h.id))
        for h in hits[:OWN_CANDIDATES]:
            targets.append(Target(Relation.NEW, h.id))
        content = result.content
        telling = sum(1 for w in content if not s.tokenizer.is_common(w))
        unknown = self._unknown(text, content)
        asks = bool(result.asks) or any(w in normalise(text) for a in s.parts.aspects for w in a.asks)
        declined = result.decision is Decision.UNANSWERED and result.reason in (
            Reason.OUT_OF_SCOPE, Reason.OTHER_LEVEL, Reason.NO_MATCH)
        threshold = s.parts.decision.thresholds.answer if s.parts.decision else 1.0
        own_answered = float(result.confidence >= threshold)
        q = compact(text)
        turn = [float(marks.pronoun), float(marks.back), float(marks.compare), float(marks.correct),
                float(marks.more), float(marks.sibling), min(len(content), 8) / 8, float(asks), min(telling, 4) / 4,
                min(unknown, 4) / 4, float(declined), own_answered, float(result.intent is Intent.PROFILE)]
        explained: dict[str, Evidence] = {}

        def evidence(answer: str) -> Evidence:
            if answer not in explained:
                explained[answer] = s.explain(text, answer)
            return explained[answer]

        rows = []
        for t in targets:
            kind = ("about_newest" if t.age == 0 else "about_earlier") if t.relation is Relation.ABOUT \
                else t.relation.value
            types = [float(kind == k) for k in TYPES]
            e = evidence(t.answer)
            p, rank = own.get(t.answer, (0.0, 0))
            op, _ = own.get(t.other, (0.0, 0)) if t.other else (0.0, 0)
            rows.append(types + [
                min(t.age, 4) / 4, (1.0 / (1 + t.age)) if t.relation is Relation.NARROW else 0.0,
                p, 1.0 / rank if rank else 0.0, own_answered,
                float(newest is not None and t.answer == newest.answer),
                e.explained, e.core, e.name, e.name_bigrams,
                float(self._named(t.answer, q)), op, float(bool(t.other) and self._named(t.other, q)),
            ] + [r * k for r in turn for k in types])
        return TurnRows(targets, np.array(rows, dtype=float).reshape(-1, len(TURN_FEATURES)), marks)

    def _unknown(self, text: str, content: tuple[str, ...]) -> int:
        """Return how many of the turn's content words nothing knows: not the index, nor the typo corrector as a
        misspelling of a term (电化 is 电话 mistyped; 养猫 is a word of another subject)."""
        words = [w for w in content if not self.searcher.index.knows(w)]
        if not words:
            return 0
        typed = [t for r in self.searcher.corrector.rewrites(normalise(text), limit=2) for t, _ in r.changes]
        return sum(1 for w in words if not any(w in t or t in w for t in typed))

    def _society(self, text: str) -> bool:
        """Return True when a turn names a society or a field of one (as a question about the societies would)."""
        societies = self.searcher.parts.societies
        return societies.match(text + societies.cues[0]).found

    def _named(self, answer: str, q: str) -> bool:
        """Return True when the turn holds one of the answer's names (3 characters or more)."""
        s = self.searcher
        service = s.catalogue.service(answer)
        names: tuple[str, ...]
        if service is not None:
            names = (service.title, *service.aliases)
        elif answer in ("tast", "cast"):
            org = s.catalogue.organisation(answer)
            names = (org.name, org.short_name)
        else:
            return False
        return any(len(c) >= 3 and c in q for c in map(compact, names))

    def relate(self, text: str, state: Sequence[Shown], result: Outcome) -> TurnOutcome:
        """Return the target a turn is about, or None when its own search decides."""
        text = bounded(text)
        decision = self.searcher.parts.decision
        model = decision.turns if decision is not None else None
        if model is None or not state or result.intent in (Intent.SMALLTALK, Intent.HUMAN):
            return TurnOutcome(None, (), result)
        rows = self.rows(text, state, result)
        m = rows.marks
        # Nothing to go on (不告诉你, 嗯): no word of its own, no aspect asked, no mark — not a follow-up either.
        asks = bool(result.asks) or any(w in normalise(text) for a in self.searcher.parts.aspects for w in a.asks)
        if not rows.targets or not (result.content or asks or m.pronoun or m.back or m.compare or m.more
                                    or m.sibling or m.correct):
            return TurnOutcome(None, (), result)
        ps = model.candidate.scores(rows.x)
        order = np.argsort(-ps, kind="stable").tolist()
        targets = tuple(Target(rows.targets[i].relation, rows.targets[i].answer, rows.targets[i].other,
                               rows.targets[i].age, float(ps[i])) for i in order)
        best = targets[0]
        newest = next((sh.answer for sh in state if sh.answer), "")
        rejected = newest if rows.marks.correct else ""
        listed = next((sh.choices for sh in state if sh.choices and not sh.answer), ())
        mass = sum(t.p for t in targets if t.relation is Relation.NARROW)
        if best.p < model.thresholds.answer and mass >= model.thresholds.answer and listed and not result.content:
            # Likely about the list, unlikely about any one of it, and asking only about it (电话多少, no word of
            # its own — a turn with words of its own goes to its own search): the probability that the turn refers to
            # the list is its choices' sum; the likeliest choice answers it (choices the model cannot tell
            # apart go by the list's own order), the rest stay on offer. Not replayed by the fit (turn_fit.py).
            narrow = {t.answer: t.p for t in reversed(targets) if t.relation is Relation.NARROW}
            first = Target(Relation.NARROW, likeliest(listed, narrow), p=mass)
            return TurnOutcome(first, targets, result, mass, rejected, unpicked=True)
        if best.p < model.thresholds.answer or best.relation is Relation.NEW:
            return TurnOutcome(None, targets, result, best.p, rejected)
        return TurnOutcome(best, targets, result, best.p, rejected)
