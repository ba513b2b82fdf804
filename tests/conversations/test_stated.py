"""A self-description's age and gender, read against the checks' conditions before any question."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.stated import Stated, read_stated, ruled_out

REFERENCE = date(2026, 12, 31)


@pytest.mark.parametrize("text,stated", [
    ("35岁男科研人员，副高，有啥人才奖项可以报", Stated(35, "male")),
    ("女，41岁，天津一家制造企业的研发工程师", Stated(41, "female")),
    ("我是女博士后，34岁，在南开做生命科学研究", Stated(34, "female")),
    ("本人32岁，男，天津某高校讲师", Stated(32, "male")),
    ("我是在读女博士，做基础数学的", Stated(None, "female")),
    ("我爷爷是80多岁的院士", Stated()),          # not an exact age, and not the asker's
    ("我今年32岁，导师58岁", Stated()),           # two ages: neither is certain
    ("青托要求32岁以下吗", Stated()),             # a limit asked about, not an age stated
    ("我女儿想参加科普活动", Stated()),
])
def test_what_people_say_about_themselves(text, stated):
    assert read_stated(text) == stated


def flow_of(flows, service):
    return next(f for f in flows.values() if f.service == service)


def test_too_old_for_qingtuo_is_ruled_out_by_its_age_condition(flows):
    condition = ruled_out(flow_of(flows, "13"), Stated(35, "male"), REFERENCE)
    assert condition is not None and "32岁以下" in condition.quote


def test_a_relaxable_age_is_not_ruled_out(flows):
    # 33–34: the entry lets women and clinicians be 1–2 years older; that needs a person, not a refusal.
    assert ruled_out(flow_of(flows, "13"), Stated(33, None), REFERENCE) is None
    assert ruled_out(flow_of(flows, "13"), Stated(34, "female"), REFERENCE) is None


def test_gender_and_birth_date_limits_combine(flows):
    award = flow_of(flows, "02")  # 男性不超过40周岁，女性不超过45周岁, asked as a birth date
    assert ruled_out(award, Stated(44, "male"), REFERENCE) is not None
    assert ruled_out(award, Stated(44, "female"), REFERENCE) is None
    assert ruled_out(award, Stated(44, None), REFERENCE) is None
    # 40 today may be 41 on the reference date: not certain, so not ruled out.
    assert ruled_out(award, Stated(40, "male"), REFERENCE) is None


def test_nothing_stated_rules_nothing_out(flows):
    assert all(ruled_out(f, Stated(), REFERENCE) is None for f in flows.values())
