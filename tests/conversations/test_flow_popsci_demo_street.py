"""Verdict table of the 55 全域科普示范街道（乡镇、园区） check."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"unit_kind": "街道办事处", "in_tianjin": "是", "has_kx": "是"}
PARK = {"unit_kind": "park", "in_tianjin": "是", "has_kx": "是", "park_definition": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("popsci_demo_street")


def test_street_with_kx_is_eligible_without_the_park_question(f):
    # ELIGIBLE has no answer for park_definition: run() fails if the engine asks it.
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_township_is_eligible_without_the_park_question(f):
    assert run(f, {**ELIGIBLE, "unit_kind": "乡镇政府"}).verdict == "符合"


def test_park_fitting_the_definition_is_eligible(f):
    assert run(f, PARK).verdict == "符合"


@pytest.mark.parametrize("answers,condition", [
    ({**ELIGIBLE, "unit_kind": "other"}, "tianjin_unit"),
    ({**ELIGIBLE, "in_tianjin": "否"}, "tianjin_unit"),
    ({**ELIGIBLE, "has_kx": "否"}, "has_kx"),
    ({**PARK, "park_definition": "否"}, "park_definition"),
])
def test_each_failed_condition_is_not_eligible(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_other_kind_of_unit_stops_at_once(f):
    v = run(f, {"unit_kind": "以上都不是"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"tianjin_unit"}


def test_park_unsure_of_the_definition_needs_review(f):
    v = run(f, {**PARK, "park_definition": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"park_definition"}


@pytest.mark.parametrize("field,condition", [("in_tianjin", "tianjin_unit"), ("has_kx", "has_kx")])
def test_unsure_fact_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
