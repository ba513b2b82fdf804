"""Verdict table of the 15 天津市“最美科技工作者” check (推荐标准 (一)–(四))."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"career": "是", "recognition": "是", "values": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("zuimei_tianjin")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("field,condition", [
    ("career", "career_and_recognition"), ("recognition", "career_and_recognition"),
    ("values", "values"), ("conduct", "conduct")])
def test_each_failed_condition_is_not_eligible(f, field, condition):
    v = run(f, {**ELIGIBLE, field: "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {condition}


def test_failed_career_stops_before_the_rest(f):
    # Only career is scripted after it fails: run() fails if the engine asks more.
    v = run(f, {"career": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"career_and_recognition"}


def test_front_line_emphasis_is_only_a_note(f):
    assert not any(c.quote.startswith("（四）") for c in f.conditions)
    assert any("注重推荐" in c.note and "不是必备条件" in c.note for c in f.conditions)


@pytest.mark.parametrize("field,condition", [
    ("career", "career_and_recognition"), ("values", "values"), ("conduct", "conduct")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
