"""Validate every flow and print one line per flow.

    python -m conversations.lint

Besides the load-time checks (known answer types, rules that read defined questions, options that
exist), each flow is walked through every combination of representative answers — each option, and
numbers and ages on both sides of every threshold the rules use — to prove that every path ends in a
verdict and that no question is unreachable; and the answer reader is run on every option label to
prove that typing a label selects that option. Any problem names the file and the step; exit status 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Hashable

from retrieval.loader import CatalogueError, load_catalogue
from retrieval.text import compact

from .answers import read_answer
from .engine import Ask, State, Verdict, next_step
from .finder import FinderError, load_finder
from .loader import FlowError, load_flow
from .loader import FLOWS_DIR
from .model import Flow, Question, rule_compares
from .rules import residual


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
    thresholds: set[float] = {c.value for c in compares if isinstance(c.value, (int, float))}
    thresholds |= {v for c in compares if isinstance(c.value, tuple) for v in c.value}
    if q.type == "number" and q.min is not None and q.max is not None:
        low, high = q.min, q.max
        values: set[float] = {low, high}
        for t in thresholds:
            values |= {v for v in (t - 1, t, t + 1) if low <= v <= high}
        return sorted(int(v) if float(v).is_integer() else v for v in values)
    ages: set[float] = {30}
    for t in thresholds:
        ages |= {t - 1, t, t + 1}
    return [_birth_for_age(int(a), reference) for a in sorted(ages) if 0 < a < 120]


def walk(flow: Flow, reference: date) -> Walk:
    """Follow every combination of sample answers through the engine.

    States with the same future (same questions answered, same rules left once the answers are put
    in) are walked once and their paths counted, so flows with many 不确定 answers stay quick to check.
    """
    result = Walk()
    samples = {q.id: sample_values(flow, q, reference) for q in flow.questions}
    rules = [c.holds for c in flow.conditions] + [q.ask_if for q in flow.questions]
    seen: dict[Hashable, Counter[str]] = {}

    def visit(state: State, left: tuple[Any, ...], depth: int) -> Counter[str]:
        key = (frozenset(state.answers), left)
        if key in seen:
            return seen[key]
        verdicts: Counter[str] = Counter()
        step = next_step(flow, state)
        if depth > len(flow.questions):
            result.problems.append(("-", "a path asks more questions than the flow has (loop)"))
        elif isinstance(step, Verdict):
            verdicts[step.verdict] += 1
        elif not isinstance(step, Ask):
            result.problems.append(("-", f"a path ends without a verdict ({step!r})"))
        else:
            q = step.question
            result.asked.add(q.id)
            for v in samples[q.id]:
                answers = dict(state.answers)
                answers[q.id] = v
                child = tuple(r if isinstance(r, bool) else residual(r, {q.id: v}, reference) for r in left)
                verdicts.update(visit(replace(state, answers=answers, order=state.order + (q.id,)), child, depth + 1))
        seen[key] = verdicts
        return verdicts

    start = tuple(residual(r, {}, reference) for r in rules)
    result.verdicts = visit(State(flow=flow.id, reference_date=reference.isoformat()), start, 0)
    result.paths = sum(result.verdicts.values())
    for q in flow.questions:
        if q.id not in result.asked:
            result.problems.append((q.id, "unreachable: no combination of answers asks this question"))
    return result


def option_problems(q: Question) -> list[tuple[str, str]]:
    """Return the options of q that the answer reader cannot tell apart.

    Typing an option's label must select that option; typing the label's short form (the part
    before its brackets) must select it or be asked again, never select another option. A label
    contained in another label is fine only while the reader still tells the two apart (by negation,
    by the more specific match); running the reader on every label proves it.
    """
    problems = []
    for o in q.options:
        for text, strict in ((o.label, True), (re.split(r"[（(]", o.label, maxsplit=1)[0], False)):
            reading = read_answer(q, text)
            if reading.ok and reading.value == o.value or (not strict and not reading.ok):
                continue
            got = f"option {reading.value!r}" if reading.ok else f"a re-ask ({reading.error})"
            problems.append((q.id, f"typing the label {text!r} of option {o.value!r} gives {got}; "
                                   f"make the labels distinct"))
    for a in q.options:
        for b in q.options:
            if a is not b and compact(a.label) in compact(b.label):
                if read_answer(q, a.label).value != a.value or read_answer(q, b.label).value != b.value:
                    problems.append((q.id, f"option label {a.label!r} is contained in {b.label!r} "
                                           f"and the reader confuses them"))
    return problems


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
        for q in flow.questions:
            w.problems.extend(option_problems(q))
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
