"""Verdict table of the 52 全国科普教育基地 check.

The printed 创建周期 (2021–2025) has ended, so no answers give 符合: a unit meeting every printed condition
gets 需人工确认 for the cycle alone. The recommendation is written during the application by whoever takes
it, so not having one yet is never a failure.
"""

import pytest

from conversations.lint import walk
from tests.flow_helpers import REFERENCE, flow, lenient, reasons, run

READY = {"legal_entity": "是", "channel": "省（自治区、直辖市）科协，本市单位为天津市科协", "base_type": "venue",
         "popsci_role": "是", "work_conditions": "是", "results": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("national_popsci_base")


def test_unit_meeting_every_printed_condition_needs_review_only_for_the_ended_cycle(f):
    v = run(f, READY)
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {"cycle"}
    assert v.answers["channel"] == "provincial_kx"


def test_cycle_note_says_it_has_ended_and_intro_does_not_invite_applications(f):
    cycle = next(c for c in f.conditions if c.id == "cycle")
    assert "2021-2025" in cycle.quote and "已经结束" in cycle.note
    assert "已经结束" in f.intro and "新通知" in f.intro


def test_no_combination_of_answers_gives_eligible(f):
    assert "符合" not in walk(lenient(f), REFERENCE).verdicts


@pytest.mark.parametrize("channel", ["ministry", "society", "provincial_kx"])
def test_any_one_channel_settles_the_recommendation(f, channel):
    v = run(f, {**READY, "channel": channel})
    assert "recommendation" in reasons(v, "met")


def test_channel_not_yet_chosen_needs_review_not_failure(f):
    # The recommendation is written by whoever takes the application: not having one is not a failure.
    v = run(f, {**READY, "channel": "还没有确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"cycle", "recommendation"}


def test_no_answer_to_the_channel_question_fails(f):
    for option in f.question("channel").options:
        v = run(f, {**READY, "channel": option.value})
        assert "recommendation" not in reasons(v, "not_met")


@pytest.mark.parametrize("base_type", ["venue", "public_place", "edu_research", "production", "media"])
def test_each_listed_base_type_is_met(f, base_type):
    v = run(f, {**READY, "base_type": base_type})
    assert "base_type" in reasons(v, "met")


@pytest.mark.parametrize("field,value,condition", [
    ("legal_entity", "否", "legal_entity"),
    ("popsci_role", "否", "popsci_role"),
    ("work_conditions", "否", "work_conditions"),
    ("results", "否", "results"),
])
def test_each_failed_condition_is_not_eligible(f, field, value, condition):
    v = run(f, {**READY, field: value})
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_a_legal_entity_stops_at_once(f):
    # Only legal_entity is scripted: run() fails if the engine asks anything else.
    v = run(f, {"legal_entity": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"legal_entity"}


def test_other_base_type_needs_review(f):
    v = run(f, {**READY, "base_type": "以上都不是"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"cycle", "base_type"}


@pytest.mark.parametrize("field", ["legal_entity", "popsci_role", "work_conditions", "results"])
def test_unsure_answers_need_review(f, field):
    v = run(lenient(f), {**READY, field: "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"cycle", field}
