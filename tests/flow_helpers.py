"""Drive a flow through the engine with scripted answers (shared by the per-flow verdict tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from conversations.engine import Ask, Verdict, answer, start
from conversations.loader import FLOWS_DIR, load_flow
from conversations.model import UNSURE, Flow, Option

REFERENCE = date(2026, 12, 31)


def flow(flow_id: str) -> Flow:
    """Load a flow from conversations/flows by id."""
    return load_flow(Path(FLOWS_DIR) / f"{flow_id}.yaml")


def lenient(f: Flow) -> Flow:
    """Return the flow with 不确定 accepted by every yes/no question (some files still say `unsure: false`).

    Flows must not rely on `unsure: false`: the answer reader is to accept 不确定 for every yes/no question,
    so verdict tests answer 不确定 to fact questions through this copy.
    """
    questions = tuple(
        replace(q, options=q.options + (Option(UNSURE, "不确定"),))
        if q.type == "yesno" and UNSURE not in {o.value for o in q.options} else q
        for q in f.questions)
    return replace(f, questions=questions, by_id={})


def run(f: Flow, answers: dict[str, Any], reference: date = REFERENCE) -> Verdict:
    """Answer every question the engine asks from `answers` (as typed text) and return the verdict.

    Fails if the engine asks a question missing from `answers` or rejects an answer.
    """
    state, step = start(f, reference)
    asked = []
    while isinstance(step, Ask):
        qid = step.question.id
        assert qid in answers, f"engine asked {qid!r}, which the test did not script (asked so far: {asked})"
        asked.append(qid)
        state, step = answer(f, state, str(answers[qid]))
        assert not (isinstance(step, Ask) and step.error), f"answer {answers[qid]!r} to {qid!r} rejected: {step.error}"
    return step


def reasons(v: Verdict, status: str) -> set[str]:
    """Return the ids of the conditions with this outcome status (met / not_met / unknown)."""
    return {c.id for c in v.with_status(status)}
