"""Flow definitions as data: questions, answer types, rules and conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

ANSWER_TYPES = ("yesno", "choice", "number", "date")
OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "answered")
VERDICTS = ("符合", "不符合", "需人工确认")

# Values of a yes/no answer; "unsure" only where the question allows it.
YES, NO, UNSURE = "yes", "no", "unsure"


@dataclass(frozen=True)
class Option:
    """One choice of a choice (or yes/no) question."""

    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One step of a flow: what to ask, how to read the reply, and when to ask it."""

    id: str
    type: str
    prompt: str
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    error: str = ""
    help: str = ""
    ask_if: Rule | None = None


@dataclass(frozen=True)
class Compare:
    """A comparison of one answer with a value; `as_age` reads a date answer as whole years of age."""

    question: str
    op: str
    value: Any = None
    as_age: bool = False


@dataclass(frozen=True)
class All:
    """True when every part is true (Kleene logic: unknown if any part is unknown and none false)."""

    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class Any_:
    """True when any part is true (unknown if any part is unknown and none true)."""

    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    """The negation of a rule (unknown stays unknown)."""

    part: Rule


@dataclass(frozen=True)
class Unknown:
    """Always unknown: a discretionary clause (可适当放宽) that only a person can decide."""


Rule = Union[Compare, All, Any_, Not, Unknown]


@dataclass(frozen=True)
class Condition:
    """A condition quoted from the catalogue and the rule that settles it from the answers.

    `holds` true → met; false → not met; unknown (an "unsure" or skipped answer) → needs a person.
    """

    id: str
    quote: str
    holds: Rule
    note: str = ""


@dataclass(frozen=True)
class Flow:
    """An eligibility check for one service."""

    id: str
    service: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    conditions: tuple[Condition, ...]
    source_file: str = ""
    by_id: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({q.id: q for q in self.questions})

    def question(self, qid: str) -> Question:
        """Return the question with this id."""
        return self.by_id[qid]


def rule_questions(rule: Rule | None) -> set[str]:
    """Return the ids of the questions a rule reads."""
    if rule is None:
        return set()
    if isinstance(rule, Compare):
        return {rule.question}
    if isinstance(rule, Not):
        return rule_questions(rule.part)
    if isinstance(rule, Unknown):
        return set()
    out: set[str] = set()
    for p in rule.parts:
        out |= rule_questions(p)
    return out


def rule_compares(rule: Rule | None) -> list[Compare]:
    """Return every comparison inside a rule."""
    if rule is None:
        return []
    if isinstance(rule, Compare):
        return [rule]
    if isinstance(rule, Not):
        return rule_compares(rule.part)
    if isinstance(rule, Unknown):
        return []
    return [c for p in rule.parts for c in rule_compares(p)]

