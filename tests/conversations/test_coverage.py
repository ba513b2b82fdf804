"""Coverage of the checks and the finder: the README table, button-safe ids, 不确定 everywhere, finder tags."""

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from conversations.engine import Ask, State, Verdict, next_step
from conversations.finder import find
from conversations.lint import sample_values
from conversations.loader import FLOWS_DIR
from tests.conftest import REFERENCE, lenient

README = Path(FLOWS_DIR).parent / "README.md"
ROW = re.compile(r"^\| (\d\d) \| (.+?) \| (✅|—) \| (`[a-z0-9_]+`|—) \| (.+) \|$")


def _rows() -> list[tuple[str, str, str, str, str]]:
    return [m.groups() for line in README.read_text(encoding="utf-8").splitlines() if (m := ROW.match(line))]


def test_table_lists_every_service_once_with_its_title(catalogue):
    rows = _rows()
    assert [r[0] for r in rows] == [s.id for s in catalogue.services]
    assert len(rows) == 72
    for sid, title, _, _, reason in rows:
        assert title == catalogue.by_id[sid].title, sid
        assert reason.strip() and reason != "—", sid


def test_table_names_exactly_the_flows_that_exist(flows):
    named = {}
    for sid, _, mark, flow_id, _ in _rows():
        assert (mark == "✅") == (flow_id != "—"), sid
        if flow_id != "—":
            named[flow_id.strip("`")] = sid
    assert set(named) == set(flows)
    for flow_id, sid in named.items():
        assert flows[flow_id].service == sid, flow_id


def test_every_service_that_prints_conditions_has_a_check(catalogue, flows):
    checked = {f.service for f in flows.values()}
    assert {s.id for s in catalogue.services if s.conditions is not None} <= checked


def test_ids_and_option_values_fit_button_data(assistant, flows):

    for f in flows.values():
        assistant.router.encode("k", f.id)
        for q in f.questions:
            for o in q.options:
                assistant.router.encode("a", f.id, q.id, o.value)  # raises on a value buttons cannot carry


def test_intros_state_no_question_count(flows):
    for f in flows.values():
        assert not re.search(r"\d+\s*个问题|共约", f.intro), f.id


@pytest.mark.parametrize("flow_id", sorted(p.stem for p in Path(FLOWS_DIR).glob("*.yaml")))
def test_random_paths_end_in_a_verdict_when_any_yes_no_may_be_unsure(flows, flow_id):
    # The answer reader is to accept 不确定 for every yes/no question, whatever the file says. A full walk of
    # the larger flows with 不确定 everywhere takes tens of seconds, so this follows 400 random paths.
    f = lenient(flows[flow_id])
    rng = random.Random(flow_id)
    samples = {q.id: sample_values(f, q, REFERENCE) for q in f.questions}
    verdicts = set()
    for _ in range(400):
        state = State(flow=f.id, reference_date=REFERENCE.isoformat())
        step = next_step(f, state)
        while isinstance(step, Ask):
            assert len(state.order) < len(f.questions), f"{flow_id}: a path asks more questions than the flow has"
            qid = step.question.id
            state = replace(state, answers={**state.answers, qid: rng.choice(samples[qid])},
                            order=state.order + (qid,))
            step = next_step(f, state)
        assert isinstance(step, Verdict)
        verdicts.add(step.verdict)
    assert "需人工确认" in verdicts


# -- finder ---------------------------------------------------------------------------------------

# Audience × need combinations with no service: the finder must say nothing fits, not fall back.
NOTHING_FITS = {
    ("society", "titles"), ("district", "titles"), ("university", "titles"),
    ("public", "talent"), ("public", "titles"), ("public", "thinktank"), ("public", "enterprise_kx"),
    ("academician", "awards"), ("academician", "titles"), ("academician", "thinktank"),
    ("academician", "enterprise_kx"),
}


def _ids(catalogue, audience: str, need: str) -> set[str]:
    services, exact = find(catalogue, audience, need)
    return {s.id for s in services} if exact else set()


def test_empty_finder_combinations_are_exactly_the_known_ones(catalogue):
    empty = {(a, n) for a in catalogue.tags["audience"] for n in catalogue.tags["need"]
             if not _ids(catalogue, a, n)}
    assert empty == NOTHING_FITS


def test_engineer_recognition_is_for_enterprises_only(catalogue):
    assert catalogue.by_id["08"].tags.audience == ("enterprise",)
    assert "08" not in _ids(catalogue, "individual", "titles")


def test_academician_services_have_their_own_audience(catalogue):
    assert catalogue.tags["audience"]["academician"] == "两院院士"
    assert catalogue.by_id["09"].tags.audience == ("academician",)
    assert "09" not in _ids(catalogue, "individual", "talent")
    assert "09" in _ids(catalogue, "academician", "talent")


def test_talent_programmes_for_researchers_reach_universities(catalogue):
    assert {"11", "13", "39"} <= _ids(catalogue, "university", "talent")


def test_public_awards_are_only_those_open_to_the_public(catalogue):
    assert _ids(catalogue, "public", "awards") == {"59"}
