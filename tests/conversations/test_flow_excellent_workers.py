"""Verdict table of the 14 天津市优秀科技工作者（标兵） check."""

import pytest

from tests.flow_helpers import flow, reasons, run

COMMON = {"nationality": "是", "in_post": "是", "frontline": "是"}
MODEL = {**COMMON, "tier": "标兵", "model_achievement": "是", "model_influence": "是", "model_conduct": "是"}
WORKER = {**COMMON, "tier": "优秀科技工作者", "worker_achievement": "是", "worker_reputation": "是",
          "worker_conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("excellent_workers")


@pytest.mark.parametrize("answers", [MODEL, WORKER], ids=["model", "worker"])
def test_all_conditions_met_is_eligible(f, answers):
    v = run(f, answers)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("answers,field,value,condition", [
    (MODEL, "nationality", "否", "nationality"),
    (MODEL, "in_post", "否", "in_post_frontline"),
    (MODEL, "frontline", "否", "in_post_frontline"),
    (MODEL, "model_achievement", "否", "model_achievement"),
    (MODEL, "model_influence", "否", "model_influence"),
    (MODEL, "model_conduct", "否", "model_conduct"),
    (WORKER, "worker_achievement", "否", "worker_achievement"),
    (WORKER, "worker_reputation", "否", "worker_reputation"),
    (WORKER, "worker_conduct", "否", "worker_conduct"),
])
def test_each_failed_condition_is_not_eligible(f, answers, field, value, condition):
    v = run(f, {**answers, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_a_citizen_stops_at_once(f):
    v = run(f, {"nationality": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"nationality"}


def test_retired_stops_before_the_tier_is_asked(f):
    v = run(f, {"nationality": "是", "in_post": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_post_frontline"}


def test_worker_tier_skips_model_questions(f):
    # WORKER scripts no model_* answers: run() fails if the engine asks any of them.
    v = run(f, WORKER)
    assert {"model_achievement", "model_influence", "model_conduct"} <= reasons(v, "met")


def test_model_tier_skips_worker_questions(f):
    v = run(f, MODEL)
    assert {"worker_achievement", "worker_reputation", "worker_conduct"} <= reasons(v, "met")


@pytest.mark.parametrize("answers,field,condition", [
    (MODEL, "frontline", "in_post_frontline"),
    (MODEL, "model_achievement", "model_achievement"),
    (MODEL, "model_influence", "model_influence"),
    (MODEL, "model_conduct", "model_conduct"),
    (WORKER, "worker_achievement", "worker_achievement"),
    (WORKER, "worker_reputation", "worker_reputation"),
    (WORKER, "worker_conduct", "worker_conduct"),
])
def test_unsure_answers_need_review(f, answers, field, condition):
    v = run(f, {**answers, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
