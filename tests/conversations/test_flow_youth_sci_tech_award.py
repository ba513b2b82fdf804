"""Verdict table of the 02 中国青年科技奖 check (ages on the reference date 2026-12-31)."""

from datetime import date

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"citizen": "是", "gender": "男", "birth": "1990-03-01", "prior_winner": "否",
            "achievement": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("youth_sci_tech_award")


def test_eligible(f):
    assert run(f, ELIGIBLE).verdict == "符合"


@pytest.mark.parametrize("gender,birth,verdict", [
    ("男", "1986-12-31", "符合"),      # 40 on 2026-12-31 (the 40th birthday)
    ("男", "1986-01-01", "符合"),      # 40
    ("男", "1985-12-31", "不符合"),    # 41 on the day
    ("女", "1981-12-31", "符合"),      # 45 on the day
    ("女", "1981-01-01", "符合"),      # 45
    ("女", "1980-12-31", "不符合"),    # 46
    ("女", "1985-12-31", "符合"),      # 41: over the men's limit, within the women's
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


def test_printed_birth_dates_are_not_applied_to_other_editions(f):
    # Born 1980-06-01 is before the 17th edition's cut-off (1981-01-01), but he is 40 on 2020-12-31:
    # the check compares the age on the reference date, not the printed birth date.
    v = run(f, {**ELIGIBLE, "birth": "1980-06-01"}, reference=date(2020, 12, 31))
    assert v.verdict == "符合"


def test_note_explains_the_printed_cut_off_in_plain_words(f):
    note = next(c.note for c in f.conditions if c.id == "citizen_age")
    assert "第十七届" in note and "1981年1月1日" in note and "1976年1月1日" in note
    assert "周岁" in note and "40" in note and "45" in note and "结果" in note
    assert "个问题" not in f.intro


@pytest.mark.parametrize("field,condition", [("citizen", "citizen_age"), ("prior_winner", "not_prior_winner")])
def test_unsure_fact_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
