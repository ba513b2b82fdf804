"""Verdict table of the 06 老科学家学术成长资料采集工程 check (answered by the applying unit)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

UNIT_AND_TEAM = {
    "applicant": "单位", "legal_entity": "是", "leader_degree": "是", "leader_experience": "是",
    "team_roles": "是", "research_strength": "是", "support": "是", "leader_background": "是",
    "leader_management": "是", "leader_reputation": "是", "coordinator": "是", "collectors_background": "是",
    "training": "是",
}
ACADEMICIAN = {**UNIT_AND_TEAM, "academician": "是", "scientist_age": 85}
NON_ACADEMICIAN = {**UNIT_AND_TEAM, "academician": "否", "letters": "是", "contribution": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("old_scientists")



def test_academician_over_80_is_eligible_without_letters_or_contribution(f):
    # ACADEMICIAN scripts neither letters nor contribution: run() fails if the engine asks them.
    v = run(f, ACADEMICIAN)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_academician_of_exactly_80_is_eligible(f):
    assert run(f, {**ACADEMICIAN, "scientist_age": 80}).verdict == "符合"


def test_academician_of_79_is_asked_about_the_contribution(f):
    # 「年龄在80岁以上的两院院士」 — at 79 the other group (突出贡献的老科技工作者) is asked.
    assert run(f, {**ACADEMICIAN, "scientist_age": 79, "contribution": "是"}).verdict == "符合"
    v = run(f, {**ACADEMICIAN, "scientist_age": 79, "contribution": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"scientist"}


def test_unsure_whether_academician_asks_the_letters_not_the_age(f):
    # scientist_age is not scripted: run() fails if the engine asks the age of a maybe-academician.
    answers = {**UNIT_AND_TEAM, "academician": "不确定", "letters": "是", "contribution": "是"}
    v = run(lenient(f), answers)
    assert v.verdict == "符合"  # the letters and the contribution settle (一) whatever the answer


def test_unsure_whether_academician_without_letters_needs_review(f):
    answers = {**UNIT_AND_TEAM, "academician": "不确定", "letters": "否", "contribution": "是"}
    v = run(lenient(f), answers)
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"letters"}


def test_non_academician_with_letters_and_contribution_is_eligible(f):
    v = run(f, NON_ACADEMICIAN)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_individual_application_stops_at_once(f):
    v = run(f, {"applicant": "个人"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"no_individual"}


@pytest.mark.parametrize("field,value,condition", [
    ("legal_entity", "否", "legal_entity"),
    ("research_strength", "否", "legal_entity"),
    ("support", "否", "support"),
    ("leader_degree", "否", "leader_qualification"),
    ("leader_background", "否", "leader_qualification"),
    ("leader_management", "否", "leader_management"),
    ("leader_reputation", "否", "leader_reputation"),
    ("leader_experience", "否", "leader_experience"),
    ("team_roles", "否", "team_roles"),
    ("coordinator", "否", "coordinator"),
    ("collectors_background", "否", "collectors_background"),
    ("training", "否", "training"),
])
def test_each_failed_condition(f, field, value, condition):
    v = run(f, {**ACADEMICIAN, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


def test_non_academician_without_letters_is_not_eligible(f):
    v = run(f, {**NON_ACADEMICIAN, "letters": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"letters"}


def test_academician_under_80_with_contribution_is_eligible(f):
    assert run(f, {**ACADEMICIAN, "scientist_age": 75, "contribution": "是"}).verdict == "符合"


def test_academician_under_80_without_contribution_needs_review(f):
    v = run(f, {**ACADEMICIAN, "scientist_age": 75, "contribution": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"scientist"}


def test_scientist_outside_the_main_groups_needs_review(f):
    v = run(f, {**NON_ACADEMICIAN, "contribution": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"scientist"}


@pytest.mark.parametrize("field,condition", [
    ("letters", "letters"), ("contribution", "scientist"), ("research_strength", "legal_entity"),
    ("support", "support"), ("leader_background", "leader_qualification"), ("coordinator", "coordinator"),
    ("training", "training"),
])
def test_unsure_answers_need_review(f, field, condition):
    v = run(f, {**NON_ACADEMICIAN, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
