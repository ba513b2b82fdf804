"""Verdict table of the 08 工程师资格国际互认 check (服务对象 only)."""

import pytest

from tests.flow_helpers import flow, reasons, run

ELIGIBLE = {"enterprise": "是", "field": "土木工程"}


@pytest.fixture(scope="module")
def f():
    return flow("engineer_mutual_recognition")



@pytest.mark.parametrize("field", ["电气工程", "土木工程", "信息通信工程", "水利水电工程"])
def test_enterprise_in_a_listed_field_is_eligible(f, field):
    v = run(f, {**ELIGIBLE, "field": field})
    assert v.verdict == "符合"
    assert reasons(v, "not_met") == set() and reasons(v, "unknown") == set()


def test_not_an_enterprise_stops_before_the_field(f):
    # field is not scripted: run() fails if the engine asks it.
    v = run(f, {"enterprise": "否"})
    assert v.verdict == "不符合" and reasons(v, "not_met") == {"enterprise"}


def test_other_engineering_field_needs_review(f):
    v = run(f, {**ELIGIBLE, "field": "其他工程领域"})
    assert v.verdict == "需人工确认" and reasons(v, "unknown") == {"field"}
