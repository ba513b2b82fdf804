"""Evaluate flow rules over answers with three-valued (Kleene) logic: True, False or None (unknown).

An answer may allow several values (a bound such as 「32岁以上」, a birth year without the day). A
comparison is then True or False only when every allowed value agrees, and None otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import UNSURE, All, Any_, Compare, Not, Rule, Span, Unknown, date_span, number_span

# Comparisons whose outcome is decided by the caller (keyed by id(compare)); see `evaluate`.
Forced = dict[int, bool]


def age_on(birth: date, reference: date) -> int:
    """Return whole years of age on the reference date."""
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def age_span(value: Any, reference: date) -> Span | None:
    """Return the whole years of age a (possibly partial) birth date allows on the reference date."""
    days = date_span(value)
    if days is None:
        return None
    first, last = days
    last = max(first, min(last, reference))  # nobody answering was born after the reference date
    return Span(float(age_on(last, reference)), float(age_on(first, reference)))


def span_compare(span: Span, op: str, x: Any) -> bool | None:
    """Compare every number in the span with x: True/False when all agree, None when they differ."""
    if op in ("eq", "ne", "in"):
        targets = x if op == "in" else (x,)
        numbers = [float(t) for t in targets if isinstance(t, (int, float)) and not isinstance(t, bool)]
        inside = [t for t in numbers if span.contains(t)]
        if span.is_point:
            hit: bool | None = bool(inside)
        else:
            hit = False if not inside else None
        if op == "ne":
            return None if hit is None else not hit
        return hit
    x = float(x)
    low_above = span.low > x or (span.low == x and span.low_open)   # every value > x
    high_below = span.high < x or (span.high == x and span.high_open)  # every value < x
    if op == "lt":
        return True if high_below else False if span.low >= x else None
    if op == "le":
        return True if span.high <= x else False if low_above else None
    if op == "gt":
        return True if low_above else False if span.high <= x else None
    if op == "ge":
        return True if span.low >= x else False if high_below else None
    raise ValueError(f"unknown operator {op!r}")


def compare(c: Compare, answers: dict[str, Any], reference: date) -> bool | None:
    """Evaluate one comparison; None when the answer is missing, 'unsure' or does not settle it."""
    raw = answers.get(c.question)
    if c.op == "answered":
        return raw is not None and raw != UNSURE
    if raw is None or raw == UNSURE:
        return None
    if c.as_age:
        span = age_span(raw, reference)
        if span is None:
            raise ValueError(f"answer {raw!r} to {c.question!r} is not a date")
        return span_compare(span, c.op, c.value)
    if isinstance(raw, dict):
        span = number_span(raw)
        if span is None:
            raise ValueError(f"answer {raw!r} to {c.question!r} is not a number interval")
        return span_compare(span, c.op, c.value)
    if c.op == "eq":
        return bool(raw == c.value)
    if c.op == "ne":
        return bool(raw != c.value)
    if c.op == "in":
        return raw in c.value
    if c.op == "lt":
        return bool(raw < c.value)
    if c.op == "le":
        return bool(raw <= c.value)
    if c.op == "gt":
        return bool(raw > c.value)
    if c.op == "ge":
        return bool(raw >= c.value)
    raise ValueError(f"unknown operator {c.op!r}")


def evaluate(rule: Rule | None, answers: dict[str, Any], reference: date, forced: Forced | None = None) -> bool | None:
    """Evaluate a rule; None means the answers so far cannot settle it.

    `forced` fixes the outcome of particular comparisons (by id), to ask "would it matter?".
    """
    if rule is None:
        return True
    if isinstance(rule, Compare):
        if forced and id(rule) in forced:
            return forced[id(rule)]
        return compare(rule, answers, reference)
    if isinstance(rule, Not):
        inner = evaluate(rule.part, answers, reference, forced)
        return None if inner is None else not inner
    if isinstance(rule, Unknown):
        return None
    if not isinstance(rule, (All, Any_)):
        raise TypeError(f"not a rule: {rule!r}")
    decisive = isinstance(rule, Any_)  # any: one True settles it; all: one False does
    unknown = False
    for p in rule.parts:
        v = evaluate(p, answers, reference, forced)
        if v is decisive:
            return decisive
        unknown = unknown or v is None
    return None if unknown else not decisive


def residual(rule: Rule | None, answers: dict[str, Any], reference: date) -> Rule | bool:
    """Return what is left of a rule once the given answers are put in: True, False, or a smaller rule.

    Comparisons on answered questions become True/False, or Unknown() when the answer cannot settle
    them; two states with equal residuals (and the same questions answered) behave alike from then on.
    """
    if rule is None:
        return True
    if isinstance(rule, Compare):
        if rule.question not in answers:
            return rule
        v = compare(rule, answers, reference)
        return Unknown() if v is None else v
    if isinstance(rule, Unknown):
        return rule
    if isinstance(rule, Not):
        inner = residual(rule.part, answers, reference)
        if isinstance(inner, bool):
            return not inner
        return inner if isinstance(inner, Unknown) else Not(inner)
    decisive = isinstance(rule, Any_)  # the value that settles the whole: True for any, False for all
    parts: list[Rule] = []
    for p in rule.parts:
        r = residual(p, answers, reference)
        if r is decisive:
            return decisive
        if isinstance(r, bool):
            continue
        if r not in parts:
            parts.append(r)
    if not parts:
        return not decisive
    if len(parts) == 1:
        return parts[0]
    return Any_(tuple(parts)) if decisive else All(tuple(parts))
