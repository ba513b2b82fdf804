"""Verdict table of the 44 高端人才学术交流活动资助 check (项目介绍 and 申报条件 1–2)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"purpose": "邀请两院院士来（在）津出席的学术活动", "role": "主办单位", "in_tianjin": "是", "count": 2,
            "starts_this_year": "是", "ends_by_dec15": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("academic_exchange_funding")


@pytest.mark.parametrize("purpose", ["academician", "talent"])
@pytest.mark.parametrize("role", ["主办单位", "第一承办单位"])
def test_academician_or_outstanding_talent_activity_by_host_is_eligible(f, purpose, role):
    v = run(f, {**ELIGIBLE, "purpose": purpose, "role": role})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_other_activity_needs_review_because_funding_is_mainly_for_the_two(f):
    # 「主要用于支持…邀请两院院士…」: mainly, not only.
    v = run(f, {**ELIGIBLE, "purpose": "以上都不是"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"purpose"}


def test_other_activity_still_fails_a_printed_condition(f):
    v = run(f, {**ELIGIBLE, "purpose": "以上都不是", "in_tianjin": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_tianjin"}


@pytest.mark.parametrize("count,verdict", [(1, "符合"), (2, "符合"), (3, "不符合")])
def test_at_most_two_activities(f, count, verdict):
    v = run(f, {**ELIGIBLE, "count": count})
    assert v.verdict == verdict
    if verdict == "不符合":
        assert reasons(v, "not_met") == {"at_most_two"}


@pytest.mark.parametrize("field,value,condition", [
    ("role", "其他", "host_role"),
    ("in_tianjin", "否", "in_tianjin"),
    ("starts_this_year", "否", "schedule"),
    ("ends_by_dec15", "否", "schedule"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_the_host_stops_at_once(f):
    # Only purpose and role are scripted: run() fails if the engine asks anything after them.
    v = run(f, {"purpose": "academician", "role": "其他"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"host_role"}


def test_late_start_skips_the_end_date(f):
    answers = {k: v for k, v in ELIGIBLE.items() if k != "ends_by_dec15"}
    v = run(f, {**answers, "starts_this_year": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"schedule"}


@pytest.mark.parametrize("field,condition", [
    ("starts_this_year", "schedule"), ("ends_by_dec15", "schedule"), ("in_tianjin", "in_tianjin")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
