"""Every condition a flow quotes is printed in the catalogue (service entry or the rules appendix)."""

import re

import pytest

from tests.flow_helpers import flow


def _plain(text: str) -> str:
    return re.sub(r"[\s（）()“”\"、，,。.：:；;]", "", text)


def _source_text(catalogue, service_id: str) -> str:
    s = catalogue.by_id[service_id]
    parts = [sec.plain() for _, sec in s.blocks()]
    parts += [f"{a.label} {a.text}" for a in catalogue.rules.articles]
    return _plain("".join(parts))


def test_every_quote_is_copied_from_the_data(catalogue, flows):
    for f in flows.values():
        source = _source_text(catalogue, f.service)
        for c in f.conditions:
            quote = re.sub(r"^第[一二三四五六七八九十]+条\s*", "", c.quote)  # "第十二条 <a sentence of it>"
            pieces = [p for p in re.split(r"\d\.\s*|（[一二三四五六七八九十]+）", quote) if _plain(p)]
            for piece in pieces:
                assert _plain(piece) in source, f"{f.id}/{c.id}: quote not found in entry {f.service}: {piece!r}"


@pytest.mark.parametrize("flow_id", ["youth_talent_lift", "youth_sci_tech_award"])
def test_flows_load(flow_id):
    assert flow(flow_id).conditions
