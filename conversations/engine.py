"""The flow engine: (flow, state, reply) → next question or verdict. Pure: no I/O, no clock.

A question is asked only while it can still change the verdict: when every condition that reads it
is already settled by earlier answers (or its ask_if is false) it is skipped. The first condition
that the answers definitely fail ends the check with 不符合.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Union

from retrieval.text import chinese_number, normalise

from .model import NO, UNSURE, YES, Condition, Flow, Question, rule_questions
from .rules import evaluate
from .texts import DATE_ERROR, NUMBER_ERROR, OPTION_ERROR, YESNO_ERROR

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ELIGIBLE, NOT_ELIGIBLE, NEEDS_REVIEW = "符合", "不符合", "需人工确认"

_YES_WORDS = ("是", "是的", "对", "对的", "有", "具备", "符合", "满足", "已经", "嗯", "好", "y", "yes", "ok")
_NO_WORDS = ("否", "不是", "不", "没有", "没", "无", "不具备", "不符合", "不满足", "n", "no")
_UNSURE_WORDS = ("不确定", "不清楚", "不知道", "说不好", "不好说", "待定", "不一定", "拿不准", "unsure")


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
        reads = any(q.id in rule_questions(c.holds) for c in open_conditions)
        gates = any(q.id in rule_questions(later.ask_if) for later in pending[i + 1:])
        if reads or gates:
            return Ask(q, number=len(state.order) + 1)
    verdict = NEEDS_REVIEW if open_conditions else ELIGIBLE
    return Verdict(flow, verdict, tuple(results), ref, dict(state.answers))


def start(flow: Flow, reference_date: date) -> tuple[State, Step]:
    """Begin a check; the reference date (for ages) is fixed for the whole check."""
    state = State(flow=flow.id, reference_date=reference_date.isoformat())
    return state, next_step(flow, state)


def _number(text: str) -> float | None:
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    if m:
        return float(m.group(0))
    m = re.search(r"[零〇一二两三四五六七八九十百]+", text)
    if m:
        value = chinese_number(m.group(0))
        return float(value) if value is not None else None
    return None


def _date(text: str) -> date | None:
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text) or \
        re.fullmatch(r"\s*(\d{4})(\d{2})(\d{2})\s*", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_reply(q: Question, reply: str, reference: date) -> tuple[Any, str]:
    """Read a reply for a question; return (value, "") or (None, the message to show)."""
    text = normalise(reply).strip(" 。.!！?？")
    if q.type in ("yesno", "choice"):
        values = [o.value for o in q.options]
        if text in values:
            return text, ""
        if text.isdigit() and 1 <= int(text) <= len(q.options):
            return q.options[int(text) - 1].value, ""
        for o in q.options:
            if text == normalise(o.label):
                return o.value, ""
        if q.type == "yesno":
            if UNSURE in values and text in _UNSURE_WORDS:
                return UNSURE, ""
            if text in _NO_WORDS or text.startswith(("不是", "没有")):
                return NO, ""
            if text in _YES_WORDS:
                return YES, ""
            return None, q.error or YESNO_ERROR[UNSURE in values]
        matches = [o for o in q.options if normalise(o.label) in text or text in normalise(o.label)]
        if len(matches) == 1 and text:
            return matches[0].value, ""
        return None, q.error or OPTION_ERROR
    if q.type == "number":
        value = _number(text)
        if value is None or not (q.min <= value <= q.max):
            low, high = int(q.min), int(q.max)
            return None, q.error or NUMBER_ERROR.format(min=low, max=high, unit=q.unit, example=(low + high) // 2)
        return (int(value) if value.is_integer() else value), ""
    if q.type == "date":
        d = _date(text)
        if d is None or d.year < 1900 or d > reference:
            return None, q.error or DATE_ERROR
        return d.isoformat(), ""
    raise ValueError(f"unknown answer type {q.type!r}")


def answer(flow: Flow, state: State, reply: str) -> tuple[State, Step]:
    """Apply the user's reply to the current question and return the next step."""
    step = next_step(flow, state)
    if isinstance(step, Verdict):
        return state, step
    value, error = parse_reply(step.question, reply, _reference(state))
    if error:
        return state, replace(step, error=error)
    answers = dict(state.answers)
    answers[step.question.id] = value
    state = replace(state, answers=answers, order=state.order + (step.question.id,))
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
    """Return True when a stored state still fits the flow (questions renamed since are rejected)."""
    return state.flow == flow.id and all(k in flow.by_id for k in state.answers) and \
        set(state.order) == set(state.answers)


