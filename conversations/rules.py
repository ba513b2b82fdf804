"""Evaluate flow rules over answers with three-valued (Kleene) logic: True, False or None (unknown)."""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import UNSURE, All, Any_, Compare, Not, Rule, Unknown


def age_on(birth: date, reference: date) -> int:
    """Return whole years of age on the reference date."""
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def _value(c: Compare, answers: dict[str, Any], reference: date) -> Any:
    raw = answers.get(c.question)
    if raw is None or raw == UNSURE:
        return None
    if c.as_age:
        return age_on(date.fromisoformat(raw), reference)
    return raw


def compare(c: Compare, answers: dict[str, Any], reference: date) -> bool | None:
    """Evaluate one comparison; None when the answer is missing or 'unsure'."""
    if c.op == "answered":
        raw = answers.get(c.question)
        return raw is not None and raw != UNSURE
    v = _value(c, answers, reference)
    if v is None:
        return None
    if c.op == "eq":
        return v == c.value
    if c.op == "ne":
        return v != c.value
    if c.op == "in":
        return v in c.value
    if c.op == "lt":
        return v < c.value
    if c.op == "le":
        return v <= c.value
    if c.op == "gt":
        return v > c.value
    if c.op == "ge":
        return v >= c.value
    raise ValueError(f"unknown operator {c.op!r}")


def evaluate(rule: Rule | None, answers: dict[str, Any], reference: date) -> bool | None:
    """Evaluate a rule; None means the answers so far cannot settle it."""
    if rule is None:
        return True
    if isinstance(rule, Compare):
        return compare(rule, answers, reference)
    if isinstance(rule, Not):
        inner = evaluate(rule.part, answers, reference)
        return None if inner is None else not inner
    if isinstance(rule, Unknown):
        return None
    values = [evaluate(p, answers, reference) for p in rule.parts]
    if isinstance(rule, All):
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True
    if isinstance(rule, Any_):
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False
    raise TypeError(f"not a rule: {rule!r}")
