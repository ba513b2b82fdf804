"""Verdict table of the 11 天津市杰出人才培养计划 check."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"citizen": "是", "senior_title": "是", "age": 55, "health": "是", "achievement": "是",
            "conduct": "是", "scholarship": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("outstanding_talent")



def test_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_age_60_is_within_limit(f):
    assert run(f, {**ELIGIBLE, "age": 60}).verdict == "符合"


def test_over_60_needs_review_not_failure(f):
    v = run(f, {**ELIGIBLE, "age": 61})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"age"}


@pytest.mark.parametrize("field,value,condition", [
    ("citizen", "否", "nationality"),
    ("senior_title", "否", "senior_title"),
    ("health", "否", "health"),
    ("achievement", "否", "achievement"),
    ("conduct", "否", "conduct"),
    ("scholarship", "否", "scholarship"),
])
def test_each_failed_condition(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


def test_no_senior_title_stops_before_age(f):
    # Only citizen and senior_title are scripted: run() fails if the engine asks anything else.
    v = run(f, {"citizen": "是", "senior_title": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"senior_title"}


@pytest.mark.parametrize("field", ["health", "achievement", "conduct", "scholarship"])
def test_unsure_answers_need_review(f, field):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {field}


@pytest.mark.parametrize("field,condition", [("citizen", "nationality"), ("senior_title", "senior_title")])
def test_unsure_fact_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
