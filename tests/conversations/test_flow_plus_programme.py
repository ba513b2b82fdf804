"""Verdict table of the 39 青年科技人才科技成果转化 PLUS 培育计划 check (申报条件 1–3, 5)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"fulltime_tianjin": "是", "age": 35, "results": "是", "intent": "是",
            "truthful_no_secrets": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("plus_programme")


def test_all_conditions_met_is_eligible(f):
    # relaxed_group is not scripted: at 35 the age condition is settled, so it must be skipped.
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_age_40_is_still_within_limit(f):
    assert run(f, {**ELIGIBLE, "age": 40}).verdict == "符合"


@pytest.mark.parametrize("age,relaxed,verdict", [
    (41, "是", "符合"),
    (42, "是", "符合"),
    (41, "否", "不符合"),
    (42, "否", "不符合"),
])
def test_relaxed_limit_of_42_for_women_or_medicine(f, age, relaxed, verdict):
    v = run(f, {**ELIGIBLE, "age": age, "relaxed_group": relaxed})
    assert v.verdict == verdict
    if verdict == "不符合":
        assert reasons(v, "not_met") == {"age"}


def test_over_42_fails_without_asking_the_group(f):
    v = run(f, {**ELIGIBLE, "age": 43})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"age"}


@pytest.mark.parametrize("field,value,condition", [
    ("fulltime_tianjin", "否", "fulltime_tianjin"),
    ("age", 45, "age"),
    ("results", "否", "results_and_intent"),
    ("intent", "否", "results_and_intent"),
    ("truthful_no_secrets", "否", "truthful_no_secrets"),
    ("conduct", "否", "conduct"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_preferred_experience_is_only_a_note(f):
    assert not any("优先" in c.quote for c in f.conditions)
    assert any("优先" in c.note for c in f.conditions)


@pytest.mark.parametrize("field,condition", [
    ("results", "results_and_intent"), ("truthful_no_secrets", "truthful_no_secrets"), ("conduct", "conduct")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


@pytest.mark.parametrize("field,condition", [("fulltime_tianjin", "fulltime_tianjin"), ("intent", "results_and_intent")])
def test_unsure_fact_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


@pytest.mark.parametrize("age,verdict", [(40, "符合"), (41, "需人工确认"), (42, "需人工确认"), (43, "不符合")])
def test_unsure_group_matters_only_between_41_and_42(f, age, verdict):
    v = run(lenient(f), {**ELIGIBLE, "age": age, "relaxed_group": "不确定"})
    assert v.verdict == verdict
