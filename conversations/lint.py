"""Validate every flow and print one line per flow.

    python -m conversations.lint

Besides the load-time checks (known answer types, rules that read defined questions, options that
exist), each flow is walked through every combination of representative answers — each option, and
numbers and ages on both sides of every threshold the rules use — to prove that every path ends in a
verdict and that no question is unreachable. Any problem names the file and the step; exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from retrieval.loader import CatalogueError, load_catalogue

from .engine import Ask, State, Verdict, next_step
from .finder import FinderError, load_finder
from .loader import FlowError, load_flow
from .loader import FLOWS_DIR
from .model import Flow, Question, rule_compares

MAX_PATHS = 200_000


@dataclass
class Walk:
    """What walking a flow found."""

    paths: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    asked: set[str] = field(default_factory=set)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _birth_for_age(age: int, reference: date) -> str:
    """Return a birth date that makes someone exactly `age` on the reference date."""
    try:
        return reference.replace(year=reference.year - age).isoformat()
    except ValueError:  # 29 February
        return reference.replace(year=reference.year - age, day=28).isoformat()


def sample_values(flow: Flow, q: Question, reference: date) -> list[Any]:
    """Return answers that exercise every branch the rules can take on this question."""
    if q.type in ("yesno", "choice"):
        return [o.value for o in q.options]
    compares = [c for cond in flow.conditions for c in rule_compares(cond.holds) if c.question == q.id]
    compares += [c for other in flow.questions for c in rule_compares(other.ask_if) if c.question == q.id]
    thresholds = {c.value for c in compares if isinstance(c.value, (int, float))}
    thresholds |= {v for c in compares if isinstance(c.value, tuple) for v in c.value}
    if q.type == "number":
        values = {q.min, q.max}
        for t in thresholds:
            values |= {v for v in (t - 1, t, t + 1) if q.min <= v <= q.max}
        return sorted(int(v) if float(v).is_integer() else v for v in values)
    ages = {30}
    for t in thresholds:
        ages |= {t - 1, t, t + 1}
    return [_birth_for_age(int(a), reference) for a in sorted(ages) if 0 < a < 120]


def walk(flow: Flow, reference: date) -> Walk:
    """Follow every combination of sample answers through the engine."""
    result = Walk()
    samples = {q.id: sample_values(flow, q, reference) for q in flow.questions}

    def visit(state: State, depth: int) -> None:
        if result.paths >= MAX_PATHS:
            return
        if depth > len(flow.questions):
            result.problems.append(("-", "a path asks more questions than the flow has (loop)"))
            return
        step = next_step(flow, state)
        if isinstance(step, Verdict):
            result.paths += 1
            result.verdicts[step.verdict] += 1
            return
        if not isinstance(step, Ask):
            result.problems.append(("-", f"a path ends without a verdict ({step!r})"))
            return
        q = step.question
        result.asked.add(q.id)
        for v in samples[q.id]:
            answers = dict(state.answers)
            answers[q.id] = v
            visit(replace(state, answers=answers, order=state.order + (q.id,)), depth + 1)

    visit(State(flow=flow.id, reference_date=reference.isoformat()), 0)
    for q in flow.questions:
        if q.id not in result.asked:
            result.problems.append((q.id, "unreachable: no combination of answers asks this question"))
    return result


def lint(flows_dir: Path, data_dir: str | None, reference: date) -> tuple[list[str], list[str]]:
    """Return (one line per flow, problems)."""
    lines: list[str] = []
    problems: list[str] = []
    try:
        catalogue = load_catalogue(data_dir)
    except CatalogueError as exc:
        return lines, [f"catalogue: {exc}"]
    ids = set(catalogue.by_id)
    files = sorted(flows_dir.glob("*.yaml"))
    if not files:
        problems.append(f"{flows_dir}: no flow files")
    seen_services: dict[str, str] = {}
    for path in files:
        try:
            flow = load_flow(path, ids)
        except FlowError as exc:
            problems.append(str(exc))
            continue
        if flow.service in seen_services:
            problems.append(f"{path}: step service: service {flow.service} already has flow "
                            f"{seen_services[flow.service]}")
        seen_services.setdefault(flow.service, flow.id)
        w = walk(flow, reference)
        for step, problem in w.problems:
            problems.append(f"{path}: step {step}: {problem}")
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(w.verdicts.items()))
        lines.append(f"{flow.id:<22} service {flow.service}  {len(flow.questions)} questions  "
                     f"({w.paths} answer paths: {verdicts})")
    try:
        finder = load_finder(catalogue=catalogue)
        lines.append(f"{'finder':<22} service -   2 questions  ({len(finder.audiences)} × {len(finder.needs)} "
                     f"combinations, each with at least one service)")
    except FinderError as exc:
        problems.append(str(exc))
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m conversations.lint", description=__doc__.splitlines()[0])
    parser.add_argument("--flows", metavar="DIR", help="flow directory (default: conversations/flows)")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    parser.add_argument("--reference-date", metavar="YYYY-MM-DD", help="date ages are computed on (default: today)")
    args = parser.parse_args(argv)
    try:
        reference = date.fromisoformat(args.reference_date) if args.reference_date else date.today()
    except ValueError:
        print(f"error: --reference-date {args.reference_date!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    lines, problems = lint(Path(args.flows) if args.flows else FLOWS_DIR, args.data, reference)
    for line in lines:
        print(line)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
