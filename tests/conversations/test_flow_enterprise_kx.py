"""Verdict table of the 68 企业建立科协 check (《企业科学技术协会组织通则》第十二、十三、十七条)."""

import pytest

from tests.flow_helpers import flow, reasons, run

# With a party organisation: board_consent and materials_noparty must not be asked.
WITH_PARTY = {"is_enterprise": "是", "accepts_charter": "是", "has_party": "是", "party_consent": "是",
              "enough_staff": "是", "materials_party": "是"}
# Without one: party_consent and materials_party must not be asked.
NO_PARTY = {"is_enterprise": "是", "accepts_charter": "是", "has_party": "否", "board_consent": "是",
            "enough_staff": "是", "materials_noparty": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("enterprise_kx")


@pytest.mark.parametrize("answers", [WITH_PARTY, NO_PARTY], ids=["with_party", "no_party"])
def test_all_conditions_met_is_eligible(f, answers):
    # Each answer set scripts only its own branch: run() fails if the other branch's questions are asked.
    v = run(f, answers)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("answers,condition", [
    ({**WITH_PARTY, "is_enterprise": "否"}, "enterprise"),
    ({**WITH_PARTY, "accepts_charter": "否"}, "accepts_charter"),
    ({**WITH_PARTY, "party_consent": "否"}, "party_consent"),
    ({**NO_PARTY, "board_consent": "否"}, "board_consent"),
])
def test_each_failed_condition_is_not_eligible(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_not_an_enterprise_stops_at_once(f):
    v = run(f, {"is_enterprise": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"enterprise"}


def test_party_refusal_skips_the_remaining_questions(f):
    v = run(f, {"is_enterprise": "是", "accepts_charter": "是", "has_party": "是", "party_consent": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"party_consent"}


@pytest.mark.parametrize("base", [WITH_PARTY, NO_PARTY], ids=["with_party", "no_party"])
def test_too_few_scientists_needs_review_under_article_17(f, base):
    v = run(f, {**base, "enough_staff": "否"})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set()
    assert reasons(v, "unknown") == {"staff", "joint_or_workstation"}


def test_unsure_staff_numbers_need_review(f):
    v = run(f, {**WITH_PARTY, "enough_staff": "不确定"})
    assert v.verdict == "需人工确认" and "staff" in reasons(v, "unknown")


@pytest.mark.parametrize("answers,condition", [
    ({**WITH_PARTY, "party_consent": "不确定"}, "party_consent"),
    ({**NO_PARTY, "board_consent": "不确定"}, "board_consent"),
])
def test_consent_not_yet_sought_needs_review(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


@pytest.mark.parametrize("answers", [
    {**WITH_PARTY, "materials_party": "否"},
    {**WITH_PARTY, "materials_party": "不确定"},
    {**NO_PARTY, "materials_noparty": "否"},
])
def test_missing_materials_need_review_not_failure(f, answers):
    # 第十三条 says 一般应提交: missing materials are for the local 科协 to judge.
    v = run(f, answers)
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"materials"}
