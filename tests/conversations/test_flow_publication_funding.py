"""Verdict table of the 46 自然科学学术著作出版资助 check (申报对象 and 项目介绍)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"applicant": "市科协所属科技社团（学会、协会、研究会）", "author_tianjin": "是", "natural_science": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("publication_funding")


@pytest.mark.parametrize("applicant", ["society", "district_kx", "university_kx", "enterprise_kx"])
def test_each_listed_applicant_is_eligible(f, applicant):
    v = run(f, {**ELIGIBLE, "applicant": applicant})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("applicant", ["作者本人直接申报", "其他单位"])
def test_author_alone_or_other_unit_is_not_an_applicant(f, applicant):
    v = run(f, {"applicant": applicant})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"applicant"}
    note = next(c.note for c in f.conditions if c.id == "applicant")
    assert "作者个人不在申报对象之列" in note


def test_applicant_not_yet_known_needs_review(f):
    v = run(f, {**ELIGIBLE, "applicant": "还不清楚由谁申报"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"applicant"}


def test_author_outside_tianjin_is_not_eligible(f):
    v = run(f, {**ELIGIBLE, "author_tianjin": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"author_tianjin"}


def test_work_outside_natural_science_needs_review(f):
    # The catalogue names the 办法 but lists no subjects.
    v = run(f, {**ELIGIBLE, "natural_science": "否"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"natural_science"}


def test_unsure_author_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "author_tianjin": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"author_tianjin"}
