"""Verdict table of the 08 工程师资格国际互认 check (服务对象 only).

The entry never says what 「符合条件的企业」 requires, so no answers can give 符合: the best an enterprise in
a listed field gets is 需人工确认 with a note on what the catalogue does and does not print.
"""

import pytest

from conversations.lint import walk
from tests.flow_helpers import REFERENCE, flow, lenient, reasons, run

LISTED = {"enterprise": "是", "field": "土木工程"}


@pytest.fixture(scope="module")
def f():
    return flow("engineer_mutual_recognition")


@pytest.mark.parametrize("field", ["电气工程", "土木工程", "信息通信工程", "水利水电工程"])
def test_enterprise_in_a_listed_field_needs_review_for_the_unprinted_conditions(f, field):
    v = run(f, {**LISTED, "field": field})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {"qualified"}
    assert reasons(v, "met") == {"enterprise", "field"}


def test_note_says_what_the_catalogue_does_and_does_not_print(f):
    note = next(c.note for c in f.conditions if c.id == "qualified")
    assert "符合条件的企业" in note and "没有写" in note and "联系部门" in note


def test_no_combination_of_answers_gives_eligible(f):
    verdicts = walk(lenient(f), REFERENCE).verdicts
    assert "符合" not in verdicts and verdicts["需人工确认"] > 0


def test_not_an_enterprise_stops_before_the_field(f):
    # field is not scripted: run() fails if the engine asks it.
    v = run(f, {"enterprise": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"enterprise"}


def test_other_engineering_field_needs_review(f):
    v = run(f, {**LISTED, "field": "其他工程领域"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"field", "qualified"}


def test_unsure_whether_an_enterprise_needs_review(f):
    v = run(lenient(f), {**LISTED, "enterprise": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"enterprise", "qualified"}
