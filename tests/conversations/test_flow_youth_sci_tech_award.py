"""Verdict table of the 02 中国青年科技奖 check (ages on the reference date 2026-12-31)."""

import pytest

from tests.flow_helpers import flow, reasons, run

ELIGIBLE = {"citizen": "是", "gender": "男", "birth": "1990-03-01", "prior_winner": "否",
            "achievement": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("youth_sci_tech_award")


def test_eligible(f):
    assert run(f, ELIGIBLE).verdict == "符合"


@pytest.mark.parametrize("gender,birth,verdict", [
    ("男", "1986-01-01", "符合"),      # 40 on 2026-12-31
    ("男", "1985-12-31", "不符合"),    # 41
    ("女", "1981-01-01", "符合"),      # 45
    ("女", "1980-12-31", "不符合"),    # 46
])
def test_age_limits_by_gender_on_reference_date(f, gender, birth, verdict):
    v = run(f, {**ELIGIBLE, "gender": gender, "birth": birth})
    assert v.verdict == verdict
    if verdict == "不符合":
        assert reasons(v, "not_met") == {"citizen_age"}


def test_not_a_citizen_stops_at_once(f):
    v = run(f, {"citizen": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"citizen_age"}


@pytest.mark.parametrize("field,value,condition", [
    ("prior_winner", "是", "not_prior_winner"), ("achievement", "否", "achievement"), ("conduct", "否", "conduct")])
def test_each_failed_condition(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


def test_unsure_achievement_needs_review(f):
    v = run(f, {**ELIGIBLE, "achievement": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"achievement"}
