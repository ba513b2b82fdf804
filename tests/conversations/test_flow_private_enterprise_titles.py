"""Verdict table of the 17 民营企业工程技术系列职称评价 check (the entry's 服务对象)."""

import pytest

from tests.flow_helpers import flow, reasons, run

ELIGIBLE = {"private_enterprise": "是", "level": "副高级", "engineering": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("private_enterprise_titles")


@pytest.mark.parametrize("level", ["正高级", "副高级", "中级"])
def test_each_covered_level_is_eligible(f, level):
    v = run(f, {**ELIGIBLE, "level": level})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("field,value,condition", [
    ("private_enterprise", "否", "private_enterprise"),
    ("level", "初级或其他", "level"),
    ("engineering", "否", "engineering"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_a_private_enterprise_stops_at_once(f):
    # Only the first answer is scripted: run() fails if the engine asks anything else.
    v = run(f, {"private_enterprise": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"private_enterprise"}


def test_junior_level_skips_the_field_question(f):
    v = run(f, {"private_enterprise": "是", "level": "初级或其他"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"level"}


@pytest.mark.parametrize("field", ["private_enterprise", "engineering"])
def test_unsure_answers_need_review(f, field):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {field}
