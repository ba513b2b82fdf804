"""Verdict table of the 44 高端人才学术交流活动资助 check (申报条件 1–2)."""

import pytest

from tests.flow_helpers import flow, reasons, run

ELIGIBLE = {"role": "主办单位", "in_tianjin": "是", "count": 2, "starts_this_year": "是", "ends_by_dec15": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("academic_exchange_funding")


@pytest.mark.parametrize("role", ["主办单位", "第一承办单位"])
def test_host_or_first_co_host_is_eligible(f, role):
    v = run(f, {**ELIGIBLE, "role": role})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("field,value,condition", [
    ("role", "其他", "host_role"),
    ("in_tianjin", "否", "in_tianjin"),
    ("count", 3, "at_most_two"),
    ("starts_this_year", "否", "schedule"),
    ("ends_by_dec15", "否", "schedule"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_the_host_stops_at_once(f):
    # Only the role is scripted: run() fails if the engine asks anything after it.
    v = run(f, {"role": "其他"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"host_role"}


def test_late_start_skips_the_end_date(f):
    answers = {k: v for k, v in ELIGIBLE.items() if k != "ends_by_dec15"}
    v = run(f, {**answers, "starts_this_year": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"schedule"}


@pytest.mark.parametrize("field", ["starts_this_year", "ends_by_dec15"])
def test_unsure_schedule_needs_review(f, field):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"schedule"}
