"""What the flows' own texts must say: every quote copied exactly from the catalogue, and the notes and intros
that explain a discretionary word, a preference or a cycle that ended (verdicts: test_flow_examples.py)."""

import re

import pytest

from tests.conftest import flow


def _source_text(catalogue, service_id: str) -> str:
    s = catalogue.by_id[service_id]
    parts = [line for _, sec in s.blocks() for line in sec.lines()]
    parts += [a.text for a in catalogue.rules.articles]
    return "".join(parts)


def test_every_quote_is_copied_exactly_from_the_data(catalogue, flows):
    for f in flows.values():
        source = _source_text(catalogue, f.service)
        for c in f.conditions:
            quote = re.sub(r"^第[一二三四五六七八九十]+条\s*", "", c.quote)  # "第十二条 <a sentence of it>"
            # A quote may join several printed items ("…之一：1. …；2. …"); each piece is checked as printed.
            pieces = [p.strip() for p in re.split(r"\n|\s(?=\d\.\s)", quote) if p.strip()]
            for piece in pieces:
                assert piece in source, f"{f.id}/{c.id}: not printed in entry {f.service}: {piece!r}"


@pytest.mark.parametrize("flow_id", ["youth_talent_lift", "youth_sci_tech_award"])
def test_flows_load(flow_id):
    assert flow(flow_id).conditions


# (flow, condition, field, words it must hold)
SAYS = [
    ("engineer_mutual_recognition", "qualified", "note", ["符合条件的企业", "没有写", "联系部门"]),  # what is not printed
    ("engineer_seminar", "engineer_or_equivalent", "note", ["优先招收"]),  # priority groups are only a note
    ("excellent_workers", "in_post_frontline", "note", ["主要表彰", "必须"]),  # 主要 is not 必须
    ("kcz_rankings", "youth", "note", ["年龄", "第38项"]),  # the youth list prints no age
    ("national_popsci_base", "cycle", "quote", ["2021-2025"]),
    ("national_popsci_base", "cycle", "note", ["已经结束"]),  # the printed cycle has ended
    ("youth_sci_tech_award", "citizen_age", "note",  # the printed cut-off in plain words
     ["第十七届", "1981年1月1日", "1976年1月1日", "周岁", "40", "45", "结果"]),
    ("publication_funding", "applicant", "note", ["作者个人不在申报对象之列"]),
    ("zuimei_national", "tianjin_candidate", "note", ["第15项", "20名"]),  # entry 15 chooses from Tianjin's 20
    ("enterprise_kx", "institution", "quote", ["高等学校、市管企业、科研院所、驻津单位等成立科学技术协会"]),
]


@pytest.mark.parametrize("flow_id,condition,field,words", SAYS, ids=[f"{s[0]}/{s[1]}.{s[2]}" for s in SAYS])
def test_a_condition_says_what_it_must(flow_id, condition, field, words):
    text = getattr(next(c for c in flow(flow_id).conditions if c.id == condition), field)
    assert [w for w in words if w not in text] == []


def test_article_15_is_quoted_exactly():
    quote = next(c.quote for c in flow("enterprise_kx").conditions if c.id == "parent_consent")
    assert quote == ("第十五条 在同一集团内，下级企业建立科协，应报上一级企业的党组织同意；"
                     "下级企业科协在业务上接受上级企业科协的指导，并可以团体会员身份加入上级企业科协。")


@pytest.mark.parametrize("flow_id,has,lacks", [
    ("national_popsci_base", ["已经结束", "新通知"], []),  # does not invite applications to an ended cycle
    ("u30_youth_entrepreneurs", ["年龄"], []),  # says that no age limit is printed
    ("youth_sci_tech_award", [], ["个问题"]),  # no question counts in the intro
])
def test_an_intro_says_what_it_must(flow_id, has, lacks):
    intro = flow(flow_id).intro
    assert [w for w in has if w not in intro] == [] and [w for w in lacks if w in intro] == []


@pytest.mark.parametrize("flow_id,word,quote_start", [
    ("engineer_seminar", "优先", ""), ("plus_programme", "优先", ""),
    ("zuimei_national", "注重推荐", "（四）"), ("zuimei_tianjin", "注重推荐", "（四）"),
])
def test_a_preference_is_only_a_note(flow_id, word, quote_start):
    f = flow(flow_id)
    if quote_start:  # (四) 「注重推荐…」 is whom recommendation favours; no question asks it and no rule reads it
        assert not any(c.quote.startswith(quote_start) for c in f.conditions)
        assert any(word in c.note and "不是必备条件" in c.note for c in f.conditions)
    else:
        assert not any(word in c.quote for c in f.conditions)
        assert any(word in c.note for c in f.conditions)


def test_u30_asks_no_age():
    assert all(q.type not in ("number", "date") for q in flow("u30_youth_entrepreneurs").questions)
