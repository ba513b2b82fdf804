"""Verdict table of the 52 全国科普教育基地 check."""

import pytest

from tests.flow_helpers import flow, reasons, run

ELIGIBLE = {"legal_entity": "是", "recommender": "天津市科协", "base_type": "venue", "popsci_role": "是",
            "work_conditions": "是", "results": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("national_popsci_base")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()
    assert v.answers["recommender"] == "provincial_kx"


@pytest.mark.parametrize("recommender", ["ministry", "society", "provincial_kx"])
def test_any_one_recommender_is_enough(f, recommender):
    assert run(f, {**ELIGIBLE, "recommender": recommender}).verdict == "符合"


@pytest.mark.parametrize("base_type", ["venue", "public_place", "edu_research", "production", "media"])
def test_each_listed_base_type_is_eligible(f, base_type):
    assert run(f, {**ELIGIBLE, "base_type": base_type}).verdict == "符合"


@pytest.mark.parametrize("field,value,condition", [
    ("legal_entity", "否", "legal_entity"),
    ("recommender", "none", "recommendation"),
    ("popsci_role", "否", "popsci_role"),
    ("work_conditions", "否", "work_conditions"),
    ("results", "否", "results"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_a_legal_entity_stops_at_once(f):
    # Only legal_entity is scripted: run() fails if the engine asks anything else.
    v = run(f, {"legal_entity": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"legal_entity"}


def test_no_recommender_skips_the_remaining_questions(f):
    v = run(f, {"legal_entity": "是", "recommender": "以上都没有"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"recommendation"}


def test_other_base_type_needs_review(f):
    v = run(f, {**ELIGIBLE, "base_type": "以上都不是"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"base_type"}


def test_recommender_not_yet_known_needs_review(f):
    v = run(f, {**ELIGIBLE, "recommender": "还不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"recommendation"}


@pytest.mark.parametrize("field", ["popsci_role", "work_conditions", "results"])
def test_unsure_self_assessment_needs_review(f, field):
    v = run(f, {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {field}
