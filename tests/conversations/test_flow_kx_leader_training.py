"""Verdict table of the 70 企业科协负责人创新服务能力提升行动 check (参与对象)."""

import pytest

from tests.flow_helpers import flow, lenient, reasons, run

ELIGIBLE = {"role": "企业科协负责人（主席、副主席、秘书长或副秘书长）", "in_tianjin": "是"}


@pytest.fixture(scope="module")
def f():
    return flow("kx_leader_training")


@pytest.mark.parametrize("role", ["district_head", "kx_head", "park_head"])
def test_each_named_leader_is_eligible(f, role):
    v = run(f, {**ELIGIBLE, "role": role})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_other_kx_staff_need_review_because_of_deng(f):
    # 「…等企业科协工作者」: the list is open for other 企业科协 staff.
    v = run(f, {**ELIGIBLE, "role": "企业科协或园区科协的其他工作人员"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"role"}


def test_no_kx_role_is_not_eligible_at_once(f):
    v = run(f, {"role": "以上都不是"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"role"}


def test_outside_tianjin_is_not_eligible(f):
    v = run(f, {**ELIGIBLE, "in_tianjin": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"in_tianjin"}


def test_unsure_whether_in_tianjin_needs_review(f):
    v = run(lenient(f), {**ELIGIBLE, "in_tianjin": "不确定"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"in_tianjin"}
