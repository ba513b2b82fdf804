"""Every flow's verdict table: the `examples` in its YAML file, run through the engine as a user would answer.

An example answers each question the engine asks with its scripted text (a question it did not script fails
the example, so an example also says which questions are skipped) and must give its verdict, with exactly
the conditions it lists as met, not met and left to a person. An `every_answer` example walks every path.
"""

from __future__ import annotations

import pytest

from conversations.lint import walk
from conversations.loader import load_flows
from conversations.model import Example, Flow
from tests.conftest import REFERENCE, lenient, reasons, run

FLOWS = load_flows()
CASES = [(f, e) for f in FLOWS.values() for e in f.examples]


def test_every_flow_has_a_verdict_table():
    assert [f.id for f in FLOWS.values() if len([e for e in f.examples if not e.every_answer]) < 5] == []


@pytest.mark.parametrize("flow,example", CASES, ids=[f"{f.id}: {e.name}" for f, e in CASES])
def test_example(flow: Flow, example: Example):
    checked = lenient(flow) if example.unsure_everywhere else flow
    reference = example.reference or REFERENCE
    if example.every_answer:
        verdicts = walk(checked, reference).verdicts
        assert not set(example.never) & set(verdicts), f"some answers give {verdicts}"
        assert all(verdicts[v] > 0 for v in example.sometimes), f"no answers give {example.sometimes}: {verdicts}"
        return
    v = run(checked, example.answers, reference)
    assert v.verdict == example.verdict
    for status, expected in (("met", example.met), ("not_met", example.not_met), ("unknown", example.unknown)):
        if expected is not None:
            assert reasons(v, status) == expected, status
    for qid, value in example.read.items():
        assert v.answers[qid] == value
