"""Verdict table of the 01 全国创新争先奖 check (individual and team nominations)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

INDIVIDUAL = {
    "kind": "个人", "citizen": "是", "prior_individual": "否", "led_winning_team": "否",
    "also_team_leader": "否", "employed": "是", "achievement": "是", "domestic": "是", "conduct": "是",
}
TEAM = {
    "kind": "团队", "leader_citizen": "是", "chinese_share": 80, "prior_team": "否",
    "leader_prior_individual": "否", "leader_also_individual": "否", "achievement": "是", "domestic": "是",
    "conduct": "是",
}


@pytest.fixture(scope="module")
def f():
    return flow("innovation_pioneer")



def test_individual_eligible_without_team_questions(f):
    # INDIVIDUAL scripts no team question: run() fails if the engine asks one.
    v = run(f, INDIVIDUAL)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_team_eligible_without_individual_questions(f):
    v = run(f, TEAM)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_team_share_of_exactly_70_percent_is_enough(f):
    assert run(f, {**TEAM, "chinese_share": 70}).verdict == "符合"


@pytest.mark.parametrize("field,value,condition", [
    ("citizen", "否", "nationality"),
    ("prior_individual", "是", "no_repeat_award"),
    ("led_winning_team", "是", "team_leader_not_individual"),
    ("also_team_leader", "是", "not_both_nominations"),
    ("achievement", "否", "achievement"),
    ("domestic", "否", "domestic"),
    ("conduct", "否", "conduct"),
])
def test_individual_failed_condition(f, field, value, condition):
    v = run(f, {**INDIVIDUAL, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


@pytest.mark.parametrize("field,value,condition", [
    ("leader_citizen", "否", "nationality"),
    ("chinese_share", 69, "nationality"),
    ("prior_team", "是", "no_repeat_award"),
    ("leader_prior_individual", "是", "individual_winner_not_team_leader"),
    ("leader_also_individual", "是", "not_both_nominations"),
    ("achievement", "否", "achievement"),
    ("domestic", "否", "domestic"),
    ("conduct", "否", "conduct"),
])
def test_team_failed_condition(f, field, value, condition):
    v = run(f, {**TEAM, field: value})
    assert v.verdict == "不符合" and condition in reasons(v, "not_met")


def test_non_citizen_individual_stops_at_once(f):
    v = run(f, {"kind": "个人", "citizen": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"nationality"}


def test_foreign_team_leader_skips_the_share_question(f):
    # chinese_share is not scripted: the leader's nationality already settles the condition.
    v = run(f, {"kind": "团队", "leader_citizen": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"nationality"}


def test_individual_not_in_service_needs_review(f):
    v = run(f, {**INDIVIDUAL, "employed": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"in_service"}


@pytest.mark.parametrize("field", ["achievement", "domestic", "conduct"])
def test_unsure_answers_need_review(f, field):
    v = run(f, {**INDIVIDUAL, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {field}


@pytest.mark.parametrize("answers,field,condition", [
    (INDIVIDUAL, "citizen", "nationality"), (INDIVIDUAL, "employed", "in_service"),
    (INDIVIDUAL, "prior_individual", "no_repeat_award"), (INDIVIDUAL, "led_winning_team", "team_leader_not_individual"),
    (INDIVIDUAL, "also_team_leader", "not_both_nominations"), (TEAM, "leader_citizen", "nationality"),
    (TEAM, "prior_team", "no_repeat_award"), (TEAM, "leader_prior_individual", "individual_winner_not_team_leader"),
])
def test_unsure_fact_answers_need_review(f, answers, field, condition):
    v = run(lenient(f), {**answers, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
