"""Verdict table of the 23 组建“科创中国”服务团队 check (申报对象 and the 专业服务团 sentence)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"unit_kind": "企业", "in_tianjin": "是", "ability": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("kcz_service_team")


@pytest.mark.parametrize("kind", ["市级学会", "企业", "科研机构", "高等院校", "产业园区", "投融资机构"])
def test_each_listed_applicant_is_eligible(f, kind):
    v = run(f, {**ELIGIBLE, "unit_kind": kind})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("kind", ["个人", "其他单位"])
def test_others_are_not_applicants(f, kind):
    v = run(f, {"unit_kind": kind})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"applicant"}


def test_national_society_needs_review_without_team_questions(f):
    # The 天津科技服务团 is formed by the 市科协 with national societies: a person decides how they join.
    v = run(f, {"unit_kind": "全国学会"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"applicant"}


def test_unit_outside_tianjin_is_not_eligible(f):
    v = run(f, {**ELIGIBLE, "in_tianjin": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_tianjin"}


def test_without_professional_ability_needs_review_not_failure(f):
    # It cannot lead a 专业服务团, but the 天津科技服务团 also draws on 天津科技资源: a person decides.
    v = run(f, {**ELIGIBLE, "ability": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"ability"}


@pytest.mark.parametrize("field,condition", [("in_tianjin", "in_tianjin"), ("ability", "ability")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
