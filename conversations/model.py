"""Flow definitions as data: questions, answer types, rules and conditions."""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

ANSWER_TYPES = ("yesno", "choice", "number", "date")
OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "answered")
VERDICTS = ("符合", "不符合", "需人工确认")

# Values of a yes/no answer; every yes/no question accepts "unsure".
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
    fact: bool = False  # a yes/no fact the user can look up (`unsure: false` in the flow file)


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
class Example:
    """One line of a flow's verdict table (its `examples`), checked by the tests.

    Either the check answered as typed (`answers`) must give `verdict` with exactly these conditions
    met, not met and unknown (each set only when given) and store these values (`read`); or, with
    `every_answer`, no path through the check gives a verdict of `never` and some give each of `sometimes`.
    """

    name: str
    answers: dict[str, Any] = field(default_factory=dict)
    verdict: str = ""
    met: frozenset[str] | None = None
    not_met: frozenset[str] | None = None
    unknown: frozenset[str] | None = None
    read: dict[str, Any] = field(default_factory=dict)
    unsure_everywhere: bool = False   # every yes/no question accepts 不确定 (some files still say unsure: false)
    reference: date | None = None     # the date ages are computed on (default: the tests' reference date)
    every_answer: bool = False
    never: tuple[str, ...] = ()
    sometimes: tuple[str, ...] = ()


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
    # The verdict's next step when the entry's 申报方式 would mislead (a printed cycle that has ended).
    next_step: str = ""
    # The verdict table: answers and the verdicts they give (tests/conversations/test_flow_examples.py).
    examples: tuple[Example, ...] = field(default=(), compare=False, repr=False)
    by_id: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)
    # The questions each condition's rule and each question's ask_if read (by id), computed once.
    condition_reads: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    ask_if_reads: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({q.id: q for q in self.questions})
        self.condition_reads.update({c.id: frozenset(rule_questions(c.holds)) for c in self.conditions})
        self.ask_if_reads.update({q.id: frozenset(rule_questions(q.ask_if)) for q in self.questions})

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



# -- answer values -------------------------------------------------------------------------------
#
# Answers are JSON values in the saved state. A number answer is a plain number or, for a bound the
# user typed (「32岁以上」), an interval {"ge"|"gt": low, "le"|"lt": high}. A date answer is ISO text at
# the precision typed: "1988-05-01", "1988-05" (the whole month) or "1988" (the whole year).

_BOUND_KEYS = {"ge", "gt", "le", "lt"}
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Span:
    """The numbers an answer allows: low..high, each end open or closed (infinite ends allowed)."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @property
    def is_point(self) -> bool:
        """Return True when the span holds exactly one number."""
        return self.low == self.high and not (self.low_open or self.high_open)

    def is_empty(self) -> bool:
        """Return True when no number fits."""
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))

    def contains(self, x: float) -> bool:
        """Return True when x lies in the span."""
        above = x > self.low or (x == self.low and not self.low_open)
        below = x < self.high or (x == self.high and not self.high_open)
        return above and below


def number_span(value: Any) -> Span | None:
    """Return the span of a number answer (a plain number or an interval), or None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Span(float(value), float(value))
    if isinstance(value, dict) and value and set(value) <= _BOUND_KEYS:
        if {"ge", "gt"} <= set(value) or {"le", "lt"} <= set(value):
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            return None
        low = value["ge"] if "ge" in value else value["gt"] if "gt" in value else -math.inf
        high = value["le"] if "le" in value else value["lt"] if "lt" in value else math.inf
        return Span(float(low), float(high), "gt" in value, "lt" in value)
    return None


def span_value(span: Span) -> Any:
    """Return the JSON value that stores a span: the number itself for a point, else an interval."""
    def num(x: float) -> int | float:
        return int(x) if float(x).is_integer() else x

    if span.is_point:
        return num(span.low)
    out: dict[str, int | float] = {}
    if span.low != -math.inf:
        out["gt" if span.low_open else "ge"] = num(span.low)
    if span.high != math.inf:
        out["lt" if span.high_open else "le"] = num(span.high)
    return out


def date_span(value: Any) -> tuple[date, date] | None:
    """Return the first and last day a date answer allows ("1988" → the whole year), or None."""
    if not isinstance(value, str):
        return None
    m = _PARTIAL_DATE.fullmatch(value)
    if not m:
        return None
    try:
        year = int(m.group(1))
        if m.group(3):
            d = date(year, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            month = int(m.group(2))
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def is_interval(value: Any) -> bool:
    """Return True when an answer allows more than one value (a bound, a range, a year or month)."""
    if isinstance(value, dict):
        span = number_span(value)
        return span is not None and not span.is_point
    if isinstance(value, str):
        days = date_span(value)
        return days is not None and days[0] != days[1]
    return False
