"""Verdict table of the 14 天津市优秀科技工作者（标兵） check.

The 项目介绍 says the award 「主要表彰」 front-line workers 「在职、在岗」: 主要 is not 必须, so not being in
post or at the front line needs a person; only the printed conditions (nationality, each tier's items) fail.
"""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

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


@pytest.mark.parametrize("answers", [MODEL, WORKER], ids=["model", "worker"])
@pytest.mark.parametrize("field", ["in_post", "frontline"])
def test_not_in_post_or_not_front_line_needs_review_not_failure(f, answers, field):
    # 「主要表彰…一线…在职、在岗」: mainly, not only.
    v = run(f, {**answers, field: "否"})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {"in_post_frontline"}


def test_retired_is_still_asked_the_tier_conditions(f):
    v = run(f, {**WORKER, "in_post": "否", "worker_achievement": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"worker_achievement"}
    assert "in_post_frontline" in reasons(v, "unknown")


def test_note_says_mainly_is_not_must(f):
    note = next(c.note for c in f.conditions if c.id == "in_post_frontline")
    assert "主要表彰" in note and "必须" in note


def test_unsure_nationality_needs_review(f):
    v = run(lenient(f), {**MODEL, "nationality": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"nationality"}


def test_worker_tier_skips_model_questions(f):
    # WORKER scripts no model_* answers: run() fails if the engine asks any of them.
    v = run(f, WORKER)
    assert {"model_achievement", "model_influence", "model_conduct"} <= reasons(v, "met")


def test_model_tier_skips_worker_questions(f):
    v = run(f, MODEL)
    assert {"worker_achievement", "worker_reputation", "worker_conduct"} <= reasons(v, "met")


@pytest.mark.parametrize("answers,field,condition", [
    (MODEL, "frontline", "in_post_frontline"),
    (WORKER, "in_post", "in_post_frontline"),
    (MODEL, "model_achievement", "model_achievement"),
    (MODEL, "model_influence", "model_influence"),
    (MODEL, "model_conduct", "model_conduct"),
    (WORKER, "worker_achievement", "worker_achievement"),
    (WORKER, "worker_reputation", "worker_reputation"),
    (WORKER, "worker_conduct", "worker_conduct"),
])
def test_unsure_answers_need_review(f, answers, field, condition):
    v = run(lenient(f), {**answers, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
