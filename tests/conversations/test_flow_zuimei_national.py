"""Verdict table of the 05 全国“最美科技工作者”天津市候选人 check (遴选标准 (一)–(四))."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"tianjin_winner": "是", "career": "是", "recognition": "是", "values": "是", "conduct": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("zuimei_national")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("field,condition", [
    ("career", "career_and_recognition"), ("recognition", "career_and_recognition"),
    ("values", "values"), ("conduct", "conduct")])
def test_each_failed_condition_is_not_eligible(f, field, condition):
    v = run(f, {**ELIGIBLE, field: "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {condition}


def test_not_yet_a_tianjin_winner_needs_review_not_failure(f):
    # Entry 15: the national candidates are chosen from Tianjin's 20 — printed there, so a person decides here.
    v = run(f, {**ELIGIBLE, "tianjin_winner": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"tianjin_candidate"}
    note = next(c.note for c in f.conditions if c.id == "tianjin_candidate")
    assert "第15项" in note and "20名" in note


def test_front_line_emphasis_is_only_a_note(f):
    # (四) 「注重推荐…」 is whom recommendation favours; no question asks it and no rule reads it.
    assert not any(c.quote.startswith("（四）") for c in f.conditions)
    assert any("注重推荐" in c.note and "不是必备条件" in c.note for c in f.conditions)


@pytest.mark.parametrize("field,condition", [
    ("tianjin_winner", "tianjin_candidate"), ("career", "career_and_recognition"),
    ("recognition", "career_and_recognition"), ("values", "values"), ("conduct", "conduct")])
def test_unsure_answers_need_review(f, field, condition):
    v = run(lenient(f), {**ELIGIBLE, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}
