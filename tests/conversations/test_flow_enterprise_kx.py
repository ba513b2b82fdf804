"""Verdict table of the 68 建立科协 check (《企业科学技术协会组织通则》第十二、十三、十五、十七、四十三条)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

# With a party organisation: board_consent and materials_noparty must not be asked.
WITH_PARTY = {"org_kind": "企业", "accepts_charter": "是", "subsidiary": "否", "has_party": "是",
              "party_consent": "是", "enough_staff": "是", "materials_party": "是"}
# Without one: party_consent and materials_party must not be asked.
NO_PARTY = {"org_kind": "企业", "accepts_charter": "是", "subsidiary": "否", "has_party": "否",
            "board_consent": "是", "enough_staff": "是", "materials_noparty": "是"}
SUBSIDIARY = {**WITH_PARTY, "subsidiary": "是", "parent_consent": "是"}
# 第四十三条: zones, 众创空间-type organisations and joint applications follow the 通则 by reference.
ZONE = {k: v for k, v in WITH_PARTY.items() if k != "subsidiary"}


@pytest.fixture(scope="module")
def f():
    return flow("enterprise_kx")


@pytest.mark.parametrize("answers", [WITH_PARTY, NO_PARTY, SUBSIDIARY], ids=["with_party", "no_party", "subsidiary"])
def test_all_conditions_met_is_eligible(f, answers):
    # Each answer set scripts only its own branch: run() fails if the other branch's questions are asked.
    v = run(f, answers)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("kind", ["zone", "new_economy", "joint"])
def test_zones_and_joint_applications_follow_the_rules_by_reference_not_fail(f, kind):
    # 第四十三条 …可参照本通则执行: a 园区 is not an enterprise, and that is not a failure.
    v = run(f, {**ZONE, "org_kind": kind})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {"by_reference"}


def test_zone_is_still_asked_the_rules_and_can_fail_them(f):
    v = run(f, {**ZONE, "org_kind": "zone", "party_consent": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"party_consent"}


@pytest.mark.parametrize("kind", ["institution", "other"])
def test_universities_and_others_get_the_district_rule_without_further_questions(f, kind):
    # Only org_kind is scripted: run() fails if any 通则 question is asked.
    v = run(f, {"org_kind": kind})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {"institution"}
    quote = next(c.quote for c in f.conditions if c.id == "institution")
    assert "高等学校、市管企业、科研院所、驻津单位等成立科学技术协会" in quote


def test_subsidiary_needs_the_parent_party_organisation_consent(f):
    v = run(f, {**SUBSIDIARY, "parent_consent": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"parent_consent"}


def test_subsidiary_consent_not_yet_sought_needs_review(f):
    v = run(f, {**SUBSIDIARY, "parent_consent": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"parent_consent"}


def test_article_15_is_quoted_exactly(f):
    quote = next(c.quote for c in f.conditions if c.id == "parent_consent")
    assert quote == ("第十五条 在同一集团内，下级企业建立科协，应报上一级企业的党组织同意；"
                     "下级企业科协在业务上接受上级企业科协的指导，并可以团体会员身份加入上级企业科协。")


def test_not_a_subsidiary_skips_the_parent_question(f):
    # WITH_PARTY has no parent_consent: run() fails if the engine asks it.
    assert "parent_consent" in reasons(run(f, WITH_PARTY), "met")


@pytest.mark.parametrize("answers,condition", [
    ({**WITH_PARTY, "accepts_charter": "否"}, "accepts_charter"),
    ({**WITH_PARTY, "party_consent": "否"}, "party_consent"),
    ({**NO_PARTY, "board_consent": "否"}, "board_consent"),
])
def test_each_failed_condition_is_not_eligible(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_party_refusal_skips_the_remaining_questions(f):
    v = run(f, {"org_kind": "企业", "accepts_charter": "是", "subsidiary": "否", "has_party": "是",
                "party_consent": "否"})
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


def test_unsure_about_a_party_organisation_skips_both_consent_questions(f):
    # Neither consent nor materials question is scripted: run() fails if one is asked.
    answers = {"org_kind": "企业", "accepts_charter": "是", "subsidiary": "否", "has_party": "不确定",
               "enough_staff": "是"}
    v = run(f, answers)
    assert v.verdict == "需人工确认"
    assert reasons(v, "unknown") == {"party_consent", "board_consent", "materials"}


@pytest.mark.parametrize("field,condition", [("accepts_charter", "accepts_charter"), ("subsidiary", "parent_consent")])
def test_unsure_fact_answers_need_review(f, field, condition):
    v = run(lenient(f), {**WITH_PARTY, field: "不确定"})
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
