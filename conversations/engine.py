"""The flow engine: (flow, state, reply) → next question or verdict. Pure: no I/O, no clock.

A question is asked only while it can still change the verdict: when every condition that reads it
is already settled by earlier answers (or its ask_if is false) it is skipped. The first condition
that the answers definitely fail ends the check with 不符合. Replies are read by conversations.answers.

Answers are JSON values (see conversations.model): "yes"/"no"/"unsure", option values, numbers or a
number interval {"ge": 33, "le": 70}, and ISO dates at day, month or year precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from itertools import product
from typing import Any, Union

from .answers import exact_example, hint, read_answer, shorten
from .model import Condition, Flow, Question, date_span, is_interval, number_span, rule_compares
from .rules import compare, evaluate
from .texts import DATE_NEED_FULL, NUMBER_NEED_EXACT

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ELIGIBLE, NOT_ELIGIBLE, NEEDS_REVIEW = "符合", "不符合", "需人工确认"


@dataclass(frozen=True)
class State:
    """Where a user is in a flow: the answers so far (JSON values) and the order they were given."""

    flow: str
    reference_date: str
    answers: dict[str, Any] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-ready data."""
        return {"flow": self.flow, "reference_date": self.reference_date, "answers": dict(self.answers),
                "order": list(self.order)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Rebuild a state saved with to_json."""
        return cls(flow=str(data["flow"]), reference_date=str(data["reference_date"]),
                   answers=dict(data.get("answers") or {}), order=tuple(data.get("order") or ()))


@dataclass(frozen=True)
class Ask:
    """Ask this question (again, with `error`, when the last reply did not fit)."""

    question: Question
    number: int
    error: str = ""

    @property
    def hint(self) -> str:
        """Return the line that says where to find the answer to a fact question, or ''."""
        return hint(self.question)


@dataclass(frozen=True)
class Outcome:
    """How one condition came out."""

    condition: Condition
    status: str


@dataclass(frozen=True)
class Verdict:
    """The result of a check: 符合, 不符合 or 需人工确认, with every condition's outcome."""

    flow: Flow
    verdict: str
    outcomes: tuple[Outcome, ...]
    reference_date: date
    answers: dict[str, Any]

    def with_status(self, status: str) -> list[Condition]:
        """Return the conditions with this outcome status."""
        return [o.condition for o in self.outcomes if o.status == status]


Step = Union[Ask, Verdict]


def _reference(state: State) -> date:
    return date.fromisoformat(state.reference_date)


def outcomes(flow: Flow, state: State) -> list[Outcome]:
    """Evaluate every condition on the answers so far."""
    ref = _reference(state)
    out = []
    for c in flow.conditions:
        v = evaluate(c.holds, state.answers, ref)
        out.append(Outcome(c, MET if v is True else NOT_MET if v is False else UNKNOWN))
    return out


def next_step(flow: Flow, state: State) -> Step:
    """Return the next question to ask, or the verdict when nothing left can change it."""
    ref = _reference(state)
    results = outcomes(flow, state)
    if any(o.status == NOT_MET for o in results):
        return Verdict(flow, NOT_ELIGIBLE, tuple(results), ref, dict(state.answers))
    open_conditions = [o.condition for o in results if o.status == UNKNOWN]
    pending = [q for q in flow.questions if q.id not in state.answers]
    for i, q in enumerate(pending):
        if evaluate(q.ask_if, state.answers, ref) is False:
            continue
        reads = any(q.id in flow.condition_reads[c.id] for c in open_conditions)
        gates = any(q.id in flow.ask_if_reads[later.id] for later in pending[i + 1:])
        if reads or gates:
            return Ask(q, number=len(state.order) + 1)
    verdict = NEEDS_REVIEW if open_conditions else ELIGIBLE
    return Verdict(flow, verdict, tuple(results), ref, dict(state.answers))


def start(flow: Flow, reference_date: date) -> tuple[State, Step]:
    """Begin a check; the reference date (for ages) is fixed for the whole check."""
    state = State(flow=flow.id, reference_date=reference_date.isoformat())
    return state, next_step(flow, state)


def parse_reply(q: Question, reply: str, reference: date) -> tuple[Any, str]:
    """Read a reply for a question; return (value, "") or (None, the message to show)."""
    reading = read_answer(q, reply, reference)
    return (reading.value, "") if reading.ok else (None, reading.error)


def settles(flow: Flow, state: State, qid: str, value: Any) -> bool:
    """Return True when an answer that allows several values (a bound, a year) is as good as an exact one.

    It is when no comparison it leaves open could change a condition or a later question's ask_if:
    each rule reading the question gives the same result whichever way those comparisons go.
    """
    ref = _reference(state)
    answers = {**state.answers, qid: value}
    rules = [c.holds for c in flow.conditions]
    rules += [q.ask_if for q in flow.questions if q.ask_if is not None and q.id not in answers]
    for rule in rules:
        open_ = [c for c in rule_compares(rule) if c.question == qid and compare(c, answers, ref) is None]
        if not open_:
            continue
        results = {evaluate(rule, answers, ref, {id(c): bit for c, bit in zip(open_, bits)})
                   for bits in product((True, False), repeat=len(open_))}
        if len(results) > 1:
            return False
    return True


def _need_exact(q: Question, reply: str, value: Any) -> str:
    """Return the message asking for the exact number or the full date instead of this interval."""
    given = shorten(reply)
    if q.type == "date":
        days = date_span(value)
        return DATE_NEED_FULL.format(text=given, example=days[0].isoformat() if days else "1990-05-01")
    span = number_span(value)
    example = exact_example(q, span) if span is not None else ""
    return NUMBER_NEED_EXACT.format(text=given, unit=q.unit, example=example)


def answer(flow: Flow, state: State, reply: str) -> tuple[State, Step]:
    """Apply the user's reply to the current question and return the next step.

    A bound or a partial date is kept only when it settles every rule that reads the question;
    otherwise the same question is asked again for the exact value.
    """
    step = next_step(flow, state)
    if isinstance(step, Verdict):
        return state, step
    q = step.question
    reading = read_answer(q, reply, _reference(state))
    if not reading.ok:
        return state, replace(step, error=reading.error)
    if is_interval(reading.value) and not settles(flow, state, q.id, reading.value):
        return state, replace(step, error=_need_exact(q, reply, reading.value))
    answers = dict(state.answers)
    answers[q.id] = reading.value
    state = replace(state, answers=answers, order=state.order + (q.id,))
    return state, next_step(flow, state)


def back(flow: Flow, state: State) -> tuple[State, Step]:
    """Undo the last answer and ask that question again."""
    if not state.order:
        return state, next_step(flow, state)
    last = state.order[-1]
    answers = {k: v for k, v in state.answers.items() if k != last}
    state = replace(state, answers=answers, order=state.order[:-1])
    return state, next_step(flow, state)


def is_valid_state(flow: Flow, state: State) -> bool:
    """Return True when a stored state still fits the flow (questions or options renamed since are rejected)."""
    return state.flow == flow.id and all(k in flow.by_id for k in state.answers) and \
        set(state.order) == set(state.answers) and \
        all(_fits(flow.by_id[k], v) for k, v in state.answers.items())


def _fits(q: Question, value: Any) -> bool:
    """Return True when a stored value is one this question can hold (old saved forms included)."""
    if q.type in ("yesno", "choice"):
        return any(o.value == value for o in q.options)
    if q.type == "number":
        return number_span(value) is not None
    return date_span(value) is not None


