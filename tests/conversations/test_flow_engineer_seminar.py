"""Verdict table of the 18 重点产业链工程师创新创业能力提升高研班 check (the entry's 招收范围)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"alliance": "是", "engineer_title": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("engineer_seminar")


def test_engineer_in_an_alliance_is_eligible(f):
    # equivalent_ability is not scripted: run() fails if it is asked once the title settles the condition.
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_equivalent_ability_without_the_title_is_eligible(f):
    assert run(f, {**ELIGIBLE, "engineer_title": "否", "equivalent_ability": "是"}).verdict == "符合"


@pytest.mark.parametrize("answers,condition", [
    ({**ELIGIBLE, "alliance": "否"}, "alliance"),
    ({**ELIGIBLE, "engineer_title": "否", "equivalent_ability": "否"}, "engineer_or_equivalent"),
])
def test_each_failed_condition_is_not_eligible(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_outside_any_alliance_stops_at_once(f):
    v = run(f, {"alliance": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"alliance"}


def test_priority_groups_are_only_a_note(f):
    cond = {c.id: c for c in f.conditions}["engineer_or_equivalent"]
    assert "优先招收" in cond.note
    assert all("优先" not in c.quote for c in f.conditions)


@pytest.mark.parametrize("answers,condition", [
    ({**ELIGIBLE, "alliance": "不确定"}, "alliance"),
    ({**ELIGIBLE, "engineer_title": "否", "equivalent_ability": "不确定"}, "engineer_or_equivalent"),
])
def test_unsure_answers_need_review(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


def test_unsure_title_asks_the_equivalent_ability(f):
    # 「具有工程师及以上专业技术职务或具有同等专业技术能力」: either settles it.
    assert run(lenient(f), {**ELIGIBLE, "engineer_title": "不确定", "equivalent_ability": "是"}).verdict == "符合"
    v = run(lenient(f), {**ELIGIBLE, "engineer_title": "不确定", "equivalent_ability": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"engineer_or_equivalent"}
