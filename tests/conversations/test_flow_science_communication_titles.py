"""Verdict table of the 56 科学传播专业职称 check."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"in_tianjin": "是", "employment": "unit", "identity": "mainland", "work": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("science_communication_titles")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("employment", ["unit", "新就业形态劳动者", "自由职业者"])
def test_units_new_forms_and_freelancers_are_eligible(f, employment):
    assert run(f, {**ELIGIBLE, "employment": employment}).verdict == "符合"


@pytest.mark.parametrize("identity", ["mainland", "港澳台地区人才", "foreign_permit"])
def test_listed_identities_are_eligible(f, identity):
    assert run(f, {**ELIGIBLE, "identity": identity}).verdict == "符合"


@pytest.mark.parametrize("field,value,condition", [
    ("in_tianjin", "否", "in_tianjin"),
    ("employment", "not_working", "employment"),
    ("identity", "foreign_other", "identity"),
    ("work", "否", "work"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_in_tianjin_stops_at_once(f):
    # Only in_tianjin is scripted: run() fails if the engine asks anything else.
    v = run(f, {"in_tianjin": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_tianjin"}


def test_not_working_skips_the_remaining_questions(f):
    v = run(f, {"in_tianjin": "是", "employment": "not_working"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"employment"}


def test_unsure_whether_the_work_counts_needs_review(f):
    v = run(f, {**ELIGIBLE, "work": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"work"}


def test_unsure_whether_in_tianjin_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "in_tianjin": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"in_tianjin"}
