"""Measure retrieval quality on a question file.

    python -m retrieval.evaluate --questions ../shared/eval/dev_questions.yaml [--json]
    python -m retrieval.evaluate --questions ../shared/eval/dev_policy_questions.yaml [--json]   (policy format)

The file is a YAML list of {q: question, expect: [ids], style: name}; expect [] marks a question the
catalogue cannot answer. Metrics (answerable = expect not empty):
  top1             share of answerable questions whose first hit is expected and that are not declined
  recall3          share of answerable questions with an expected id among the first three hits, not declined
  mrr              mean reciprocal rank of the first expected hit (0 when declined or absent)
  oos_rejection    share of expect [] questions declined
  false_rejection  share of answerable questions declined
  answered_right   share of answerable questions answered outright (not suggested) and right
  wrong_outright   outright answers that are wrong (in or out of scope), as a count; wrong_outright_share
                   is their share of all outright answers
  answered_precision  share of outright answers (not suggestions) that are right
  oos_answered     out-of-scope questions answered outright (the worst failure: a wrong answer given as sure)
Figures are also given by style (keyword, short, typo, profile, nearmiss …) under by_style.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .decide import Decision
from .loader import CatalogueError
from .model import APPENDIX_IDS
from .search import Searcher, SearchResult


@dataclass(frozen=True)
class Question:
    """One evaluation question."""

    q: str
    expect: tuple[str, ...]
    style: str


class QuestionFileError(ValueError):
    """The question file is malformed; str() is one line naming file, item and field."""


def read_list(path: Path, error: type[ValueError], what: str) -> list[Any]:
    """Read an evaluation file that must be a YAML list of `what`; raise `error` with one line otherwise."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except yaml.YAMLError:
        raise error(f"{path}: YAML syntax error") from None
    if not isinstance(raw, list):
        raise error(f"{path}: expected a list of {what}")
    return raw


def load_questions(path: str | Path) -> list[Question]:
    """Read and validate a question file."""
    path = Path(path)
    raw = read_list(path, QuestionFileError, "questions")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise QuestionFileError(f"{path}: item {i}: field q: expected question text")
        expect = item.get("expect")
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
            raise QuestionFileError(f"{path}: item {i}: field expect: expected a list of ids (quoted)")
        out.append(Question(item["q"], tuple(expect), str(item.get("style") or "unspecified")))
    return out


def _rank(result: SearchResult, expect: tuple[str, ...]) -> int:
    for n, h in enumerate(result.hits, 1):
        if h.id in expect:
            return n
    return 0


def evaluate(searcher: Searcher, questions: list[Question]) -> dict[str, Any]:
    """Return the metrics for questions as one JSON-ready object."""
    rows = []
    for q in questions:
        r = searcher.search(q.q)
        declined = r.decision is Decision.UNANSWERED
        rank = 0 if declined else _rank(r, q.expect)
        rows.append((q, r, declined, rank))
    answerable = [x for x in rows if x[0].expect]
    oos = [x for x in rows if not x[0].expect]

    def share(xs: list[Any], pred: Any) -> float | None:
        return round(sum(1 for x in xs if pred(x)) / len(xs), 4) if xs else None

    def metrics(ans: list[Any], neg: list[Any]) -> dict[str, Any]:
        return {
            "count": len(ans) + len(neg),
            "top1": share(ans, lambda x: x[3] == 1),
            "recall3": share(ans, lambda x: 1 <= x[3] <= 3),
            "mrr": round(sum(1 / x[3] for x in ans if x[3]) / len(ans), 4) if ans else None,
            "oos_rejection": share(neg, lambda x: x[2]),
            "false_rejection": share(ans, lambda x: x[2]),
            "answered_right": share(ans, lambda x: x[3] == 1 and x[1].decision is Decision.ANSWERED),
            "wrong_outright": sum(1 for x in ans + neg if x[1].decision is Decision.ANSWERED and x[3] != 1),
            "wrong_outright_share": share([x for x in ans + neg if x[1].decision is Decision.ANSWERED],
                                          lambda x: x[3] != 1),
            "answered_precision": share([x for x in ans + neg if x[1].decision is Decision.ANSWERED],
                                        lambda x: x[3] == 1),
            "oos_answered": sum(1 for x in neg if x[1].decision is Decision.ANSWERED),
        }

    by_style: dict[str, dict[str, Any]] = {}
    styles: dict[str, list[Any]] = defaultdict(list)
    for x in rows:
        styles[x[0].style].append(x)
    for style, xs in sorted(styles.items()):
        by_style[style] = metrics([x for x in xs if x[0].expect], [x for x in xs if not x[0].expect])
    overall = metrics(answerable, oos)
    misses = [
        {"q": q.q, "style": q.style, "expect": list(q.expect), "got": [h.id for h in r.hits[:3]],
         "decision": r.decision.value, "reason": r.reason.value, "p": round(r.confidence, 3)}
        for q, r, declined, rank in rows
        if (q.expect and (rank != 1 or r.decision is not Decision.ANSWERED)) or (not q.expect and not declined)
    ]
    return {
        "top1": overall["top1"],
        "recall3": overall["recall3"],
        "mrr": overall["mrr"],
        "oos_rejection": overall["oos_rejection"],
        "false_rejection": overall["false_rejection"],
        "answered_right": overall["answered_right"],
        "wrong_outright": overall["wrong_outright"],
        "wrong_outright_share": overall["wrong_outright_share"],
        "answered_precision": overall["answered_precision"],
        "oos_answered": overall["oos_answered"],
        "counts": {"questions": len(rows), "answerable": len(answerable), "out_of_scope": len(oos),
                   "answered": sum(1 for x in rows if x[1].decision is Decision.ANSWERED),
                   "suggest": sum(1 for x in rows if x[1].decision is Decision.SUGGEST),
                   "unanswered": sum(1 for x in rows if x[1].decision is Decision.UNANSWERED)},
        "by_style": by_style,
        "misses": misses,
    }


def evaluate_policy(searcher: Searcher, path: str | Path) -> dict[str, Any]:
    """Return the policy metrics of a policy question file: the right document named with an expected fact shown,
    and questions no document answers declined (no passage shown, no service answered outright), by style."""
    from .policy_fit import load_policy_questions, shows_fact

    sources = {d.id: d.source for d in searcher.parts.policy.documents} if searcher.parts.policy else {}
    items = []
    for q in load_policy_questions(path):
        r = searcher.search(q.q)
        pol = r.policy
        shown = pol is not None and pol.decision is not Decision.UNANSWERED and pol.best is not None
        ok = False
        if shown and pol is not None and pol.best is not None:
            p = pol.best.passage
            ok = shows_fact(q, sources[p.document_id], p.citation + p.text + "".join(p.lead))
        declined = not shown and r.decision is not Decision.ANSWERED
        items.append((q, ok, declined, pol.best.key if shown and pol and pol.best else "", r))

    def block(xs: list[Any]) -> dict[str, Any]:
        ans = [x for x in xs if x[0].docs]
        none = [x for x in xs if not x[0].docs]
        return {"count": len(xs),
                "right_document_and_fact": round(sum(x[1] for x in ans) / len(ans), 4) if ans else None,
                "declined_when_none": round(sum(x[2] for x in none) / len(none), 4) if none else None}

    by_style: dict[str, list[Any]] = defaultdict(list)
    for x in items:
        by_style[x[0].style].append(x)
    misses = [{"q": q.q, "style": q.style, "doc": list(q.docs), "got": key, "catalogue": r.best.id if r.best else "",
               "decision": r.decision.value} for q, ok, declined, key, r in items
              if (q.docs and not ok) or (not q.docs and not declined)]
    return {**block(items), "by_style": {k: block(v) for k, v in sorted(by_style.items())}, "misses": misses}


def policy_report(result: dict[str, Any]) -> str:
    """Return the human-readable report of a policy question file."""
    lines = [f"policy questions {result['count']}: right document and fact {_fmt(result['right_document_and_fact'])}  "
             f"declined when none {_fmt(result['declined_when_none'])}", ""]
    for style, m in result["by_style"].items():
        lines.append(f"{style:<12}{m['count']:>5}  right {_fmt(m['right_document_and_fact'])}  "
                     f"declined {_fmt(m['declined_when_none'])}")
    if result["misses"]:
        lines += ["", f"misses ({len(result['misses'])}):"]
        lines += [f"  [{m['style']}] {m['q']}  doc {m['doc'] or '-'}  got {m['got'] or '-'} "
                  f"(catalogue {m['catalogue'] or '-'}, {m['decision']})" for m in result["misses"]]
    return "\n".join(lines)


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def report(result: dict[str, Any]) -> str:
    """Return the human-readable report."""
    c = result["counts"]
    lines = [
        f"questions {c['questions']} (answerable {c['answerable']}, out of scope {c['out_of_scope']}); "
        f"decisions: answered {c['answered']}, suggest {c['suggest']}, unanswered {c['unanswered']}",
        f"top1 {_fmt(result['top1'])}  recall3 {_fmt(result['recall3'])}  mrr {_fmt(result['mrr'])}  "
        f"oos_rejection {_fmt(result['oos_rejection'])}  false_rejection {_fmt(result['false_rejection'])}  "
        f"answered_right {_fmt(result['answered_right'])}  wrong_outright {result['wrong_outright']}  "
        f"answered_precision {_fmt(result['answered_precision'])}  oos_answered {result['oos_answered']}",
        "",
        f"{'style':<12}{'n':>5}{'top1':>8}{'recall3':>9}{'mrr':>8}{'oos_rej':>9}{'false_rej':>11}{'ans_right':>11}"
        f"{'wrong':>7}",
    ]
    for style, m in result["by_style"].items():
        lines.append(f"{style:<12}{m['count']:>5}{_fmt(m['top1']):>8}{_fmt(m['recall3']):>9}{_fmt(m['mrr']):>8}"
                     f"{_fmt(m['oos_rejection']):>9}{_fmt(m['false_rejection']):>11}{_fmt(m['answered_right']):>11}"
                     f"{m['wrong_outright']:>7}")
    if result["misses"]:
        lines += ["", f"misses ({len(result['misses'])}):"]
        for m in result["misses"]:
            lines.append(f"  [{m['style']}] {m['q']}  expect {m['expect'] or '[]'}  got {m['got']} "
                         f"({m['decision']}: {m['reason']}, p {m['p']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", required=True, metavar="FILE", help="question file (YAML)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    from .policy_fit import PolicyFileError, is_policy_file

    if is_policy_file(args.questions):
        try:
            searcher = Searcher.build(data_dir=args.data)
            result = evaluate_policy(searcher, args.questions)
        except (PolicyFileError, CatalogueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(result, ensure_ascii=False) if args.json else policy_report(result))
        return 0
    try:
        questions = load_questions(args.questions)
        searcher = Searcher.build(data_dir=args.data)
    except (QuestionFileError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = set(searcher.catalogue.by_id) | set(APPENDIX_IDS)
    for q in questions:
        for e in q.expect:
            if e not in known:
                print(f"error: {args.questions}: question {q.q!r}: unknown id {e!r}", file=sys.stderr)
                return 1
    result = evaluate(searcher, questions)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
