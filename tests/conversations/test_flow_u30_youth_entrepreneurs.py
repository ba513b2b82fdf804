"""Verdict table of the 38 “科创中国”青年创业榜单—天津 U30 check (推荐范围).

The scope sentence is 「重点选拔…的创新创业者」: only not being an 创新创业者 fails; the industries (a list
ending in 等) and the results sit under 重点选拔 and need a person when not met. No age is printed or asked.
"""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"entrepreneur": "是", "in_tianjin": "是", "industry": "新一代信息技术", "results": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("u30_youth_entrepreneurs")


def test_all_conditions_met_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("industry", ["智能科技", "新一代信息技术", "生物医药", "新能源", "新材料", "装备制造", "汽车",
                                      "石油化工", "航空航天", "传统产业转型升级"])
def test_each_listed_industry_is_met(f, industry):
    assert run(f, {**ELIGIBLE, "industry": industry}).verdict == "符合"


def test_not_an_entrepreneur_is_not_eligible_at_once(f):
    v = run(f, {"entrepreneur": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"entrepreneur"}


@pytest.mark.parametrize("field,value,condition", [
    ("industry", "其他产业", "industry"),
    ("results", "否", "results"),
    ("in_tianjin", "否", "in_tianjin"),
])
def test_emphasis_clauses_need_review_not_failure(f, field, value, condition):
    v = run(f, {**ELIGIBLE, field: value})
    assert v.verdict == "需人工确认"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == {condition}


def test_no_age_question(f):
    assert all(q.type not in ("number", "date") for q in f.questions)
    assert "年龄" in f.intro


def test_unsure_entrepreneur_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "entrepreneur": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"entrepreneur"}
