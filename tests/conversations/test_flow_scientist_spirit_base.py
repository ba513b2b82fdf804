"""Verdict table of the 21 天津市科学家精神教育基地 check (申报范围和条件 (一)–(八))."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {
    "legal_entity": "是", "venue_open": "是", "activities": 4, "credit": "是", "hall": "是", "team": "是",
    "plan_funding": "是", "regular_publicity": "是", "resources": "是", "leading": "是",
}


@pytest.fixture(scope="module")
def f():
    return flow("scientist_spirit_base")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_three_activities_a_year_is_enough(f):
    assert run(f, {**ELIGIBLE, "activities": 3}).verdict == "符合"


@pytest.mark.parametrize("field,value,condition", [
    ("legal_entity", "否", "legal_entity"),
    ("venue_open", "否", "venue_open"),
    ("activities", 2, "activities"),
    ("credit", "否", "credit"),
    ("hall", "否", "hall"),
    ("team", "否", "team"),
    ("plan_funding", "否", "plan_funding"),
    ("regular_publicity", "否", "activities"),
    ("resources", "否", "resources"),
    ("leading", "否", "leading"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_too_few_activities_skips_the_publicity_question(f):
    # regular_publicity is left out: (八) is already failed by the count, so it must not be asked.
    answers = {k: v for k, v in ELIGIBLE.items() if k != "regular_publicity"}
    v = run(f, {**answers, "activities": 1})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"activities"}


def test_not_a_registered_unit_stops_at_once(f):
    v = run(f, {"legal_entity": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"legal_entity"}


@pytest.mark.parametrize("field,condition", [
    ("venue_open", "venue_open"), ("credit", "credit"), ("hall", "hall"), ("team", "team"),
    ("plan_funding", "plan_funding"), ("regular_publicity", "activities"), ("resources", "resources"),
    ("leading", "leading"),
])
def test_unsure_answers_need_review(f, field, condition):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


@pytest.mark.parametrize("activities,verdict", [(2, "不符合"), (3, "符合"), (4, "符合")])
def test_activities_on_both_sides_of_three(f, activities, verdict):
    assert run(f, {**ELIGIBLE, "activities": activities}).verdict == verdict


def test_unsure_legal_status_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "legal_entity": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"legal_entity"}
