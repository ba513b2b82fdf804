"""Verdict table of the 71 企事业科协工作评估 check."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"kx_kind": "企业科协", "in_tianjin": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("kx_evaluation")


def test_enterprise_kx_in_tianjin_is_eligible(f):
    v = run(f, ELIGIBLE)
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


@pytest.mark.parametrize("kind", ["园区科协", "联合科协", "企业科协", "事业单位科协"])
def test_each_included_kind_is_eligible(f, kind):
    assert run(f, {**ELIGIBLE, "kx_kind": kind}).verdict == "符合"


@pytest.mark.parametrize("answers,condition", [
    ({**ELIGIBLE, "kx_kind": "高校科协"}, "kx_kind"),
    ({**ELIGIBLE, "kx_kind": "no_kx"}, "kx_kind"),
    ({**ELIGIBLE, "kx_kind": "other"}, "kx_kind"),
    ({**ELIGIBLE, "in_tianjin": "否"}, "in_tianjin"),
])
def test_each_failed_condition_is_not_eligible(f, answers, condition):
    v = run(f, answers)
    assert v.verdict == "不符合"
    assert condition in reasons(v, "not_met")


def test_university_kx_is_excluded_without_further_questions(f):
    # Only kx_kind is scripted: run() fails if the engine asks in_tianjin.
    v = run(f, {"kx_kind": "高校科协"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"kx_kind"}


def test_unsure_kind_needs_review(f):
    v = run(f, {**ELIGIBLE, "kx_kind": "unsure"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"kx_kind"}


def test_unsure_whether_in_tianjin_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "in_tianjin": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"in_tianjin"}
