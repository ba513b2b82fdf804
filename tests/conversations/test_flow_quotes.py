"""Every condition a flow quotes is copied exactly from the catalogue (service entry or the rules)."""

import re

import pytest

from tests.flow_helpers import flow


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
