"""Verdict table of the 03 求是杰出青年成果转化奖 check."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"citizen": "是", "age": 38, "took_part": "是", "listed_field": "是", "results": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("qiushi_award")



def test_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("age,verdict", [(45, "符合"), (46, "不符合")])
def test_age_limit_45(f, age, verdict):
    assert run(f, {**ELIGIBLE, "age": age}).verdict == verdict


@pytest.mark.parametrize("field,value,condition", [
    ("citizen", "否", "citizen_age"),
    ("age", 50, "citizen_age"),
    ("took_part", "否", "took_part"),
    ("results", "否", "results"),
    ("conduct", "否", "conduct"),
])
def test_each_failed_condition(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


def test_not_a_citizen_stops_before_age(f):
    # Only citizen is scripted: run() fails if the engine goes on to ask the age.
    v = run(f, {"citizen": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"citizen_age"}


def test_field_outside_the_list_needs_review(f):
    v = run(f, {**ELIGIBLE, "listed_field": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"field"}


@pytest.mark.parametrize("field,condition", [
    ("took_part", "took_part"), ("listed_field", "field"), ("results", "results"), ("conduct", "conduct")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


@pytest.mark.parametrize("age,verdict", [(44, "符合"), (45, "符合"), (46, "不符合")])
def test_age_on_both_sides_of_45(f, age, verdict):
    assert run(f, {**ELIGIBLE, "age": age}).verdict == verdict


def test_unsure_citizenship_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "citizen": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"citizen_age"}
