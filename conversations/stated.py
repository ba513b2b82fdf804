"""What people say about themselves in one line (「35岁男科研人员」), read against the checks' conditions.

A self-description gives an age and sometimes a gender. A check that asks for them by the conventional
question ids — `age` (a number, 周岁), `birth` (a date, compared `as: age`), `gender` (male/female) — can
then say, before any question is asked, that a condition cannot be met; it never says one is met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .model import Condition, Flow, Span, rule_compares
from .rules import Forced, evaluate, span_compare

_AGE = re.compile(r"(?<![\d.])(\d{2})\s*周?岁(?![以之上下左右半多])")
# 女 or 男 said of oneself: at the start of a clause, after 我是/本人/在读 or an age, or as 女性/女博士….
_GENDER = re.compile(r"(?:^|[，,、\s]|我是|本人|在读|岁)(男|女)(?![儿孩生])|(男|女)(?:性|士|博士|工程师|科学家|科研人员|老师|教师|医生)")


@dataclass(frozen=True)
class Stated:
    """What a question says about the asker: whole years of age and gender (male/female), when it says."""

    age: int | None = None
    gender: str | None = None

    @property
    def anything(self) -> bool:
        """Return True when the question said an age or a gender."""
        return self.age is not None or self.gender is not None


def read_stated(text: str) -> Stated:
    """Return the age and gender a self-description states (「女，41岁」「我是35岁的女工程师」)."""
    ages = {int(m.group(1)) for m in _AGE.finditer(text)}
    genders = {m.group(1) or m.group(2) for m in _GENDER.finditer(text)}
    age = ages.pop() if len(ages) == 1 else None  # two ages (我32岁，我导师58岁) say nothing for sure
    gender = {"男": "male", "女": "female"}[genders.pop()] if len(genders) == 1 else None
    return Stated(age, gender)


def ruled_out(flow: Flow, stated: Stated, reference: date) -> Condition | None:
    """Return the first condition of a check the stated age or gender cannot meet, or None."""
    answers: dict[str, object] = {}
    forced: Forced = {}
    by_id = {q.id: q for q in flow.questions}
    if stated.age is not None and "age" in by_id and by_id["age"].type == "number":
        answers["age"] = stated.age
    if stated.gender and "gender" in by_id and stated.gender in {o.value for o in by_id["gender"].options}:
        answers["gender"] = stated.gender
    for condition in flow.conditions:
        if stated.age is not None and "birth" in by_id:
            # Today's age may be a year less than the age on the check's reference date (a birthday to come).
            for c in rule_compares(condition.holds):
                if c.question == "birth" and c.as_age:
                    outcome = span_compare(Span(float(stated.age), float(stated.age + 1)), c.op, c.value)
                    if outcome is not None:
                        forced[id(c)] = outcome
        if evaluate(condition.holds, answers, reference, forced) is False:
            return condition
    return None
