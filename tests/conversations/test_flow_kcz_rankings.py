"""Verdict table of the 30 “科创中国”系列榜单 check (评选范围与条件 (一)–(七))."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

# Per list: the answers that meet its item. Each set scripts only its own list's questions, so run() fails
# if the engine asks another list's.
LISTS = {
    "pioneer_tech": {"pioneer_field": "生物医药", "pioneer_merit": "是"},
    "shortboard": {"shortboard_merit": "是"},
    "new_enterprise": {"sme": "是", "sme_in_pilot": "是", "sme_merit": "是"},
    "iur_org": {"org_pilot": "是", "org_merit": "是"},
    "investor": {"investor_merit": "是"},
    "open_source": {"open_source_merit": "是"},
    "youth": {"youth_merit": "是"},
}


def answers(ranking: str, **changes: str) -> dict[str, str]:
    return {"ranking": ranking, "in_tianjin": "是", **LISTS[ranking], **changes}


@pytest.fixture(scope="module")
def f():
    return flow("kcz_rankings")


@pytest.mark.parametrize("ranking", sorted(LISTS))
def test_each_list_met_is_eligible_without_other_lists_questions(f, ranking):
    v = run(f, answers(ranking))
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("field", ["资源环境", "生物医药", "先进材料", "装备制造", "电子信息", "现代农林"])
def test_each_of_the_six_fields_is_covered(f, field):
    assert run(f, answers("pioneer_tech", pioneer_field=field)).verdict == "符合"


def test_pioneer_technology_outside_the_six_fields_is_not_eligible(f):
    # 「面向…六大领域产业需求」: a closed list.
    v = run(f, answers("pioneer_tech", pioneer_field="其他领域"))
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"pioneer_tech"}


@pytest.mark.parametrize("ranking,field,condition", [
    ("pioneer_tech", "pioneer_merit", "pioneer_tech"),
    ("shortboard", "shortboard_merit", "shortboard"),
    ("new_enterprise", "sme", "new_enterprise"),
    ("new_enterprise", "sme_in_pilot", "new_enterprise"),
    ("new_enterprise", "sme_merit", "new_enterprise"),
    ("iur_org", "org_pilot", "iur_org"),
    ("iur_org", "org_merit", "iur_org"),
    ("investor", "investor_merit", "investor"),
    ("open_source", "open_source_merit", "open_source"),
    ("youth", "youth_merit", "youth"),
])
def test_each_failed_item_is_not_eligible(f, ranking, field, condition):
    v = run(f, answers(ranking, **{field: "否"}))
    assert v.verdict == "不符合" and reasons(v, "not_met") == {condition}


@pytest.mark.parametrize("ranking,field,condition", [
    ("new_enterprise", "sme_in_pilot", "new_enterprise"),
    ("iur_org", "org_pilot", "iur_org"),
    ("investor", "investor_merit", "investor"),
])
def test_unsure_answers_need_review(f, ranking, field, condition):
    v = run(lenient(f), answers(ranking, **{field: "不确定"}))
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {condition}


def test_candidate_outside_tianjin_is_not_eligible(f):
    # 「天津市科协推荐相关榜单本市候选名单」
    v = run(f, answers("investor", in_tianjin="否"))
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_tianjin"}


def test_not_sure_which_list_needs_review_without_list_questions(f):
    v = run(f, {"ranking": "还不确定适合哪个榜单", "in_tianjin": "是"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"ranking"}


def test_youth_list_note_says_no_age_is_printed(f):
    note = next(c.note for c in f.conditions if c.id == "youth")
    assert "年龄" in note and "第38项" in note
