"""Calibrate the decision thresholds in data/retrieval.yaml on question files, with cross-validation.

    python -m retrieval.calibrate --questions eval/understanding_a.yaml eval/holdout_a.yaml … [--write] [--json]

Each question is searched once — as typed and as each of the typo corrector's rewrites — and the
search's decision is then replayed over a grid of thresholds (retrieval/decide.py):

1. when to decline (min_coverage, min_explained, oos_min, oos_margin, passing_gap, passing_coverage): the point that spends the
   least of two error budgets — 3 % of answerable questions declined, 5 % of out-of-scope questions not
   declined — averaged over each point's grid neighbours so that the choice sits inside a stable region,
   not on a knife edge;
2. when to answer outright instead of suggesting (min_name, min_core, answer_ratio): the loosest point at
   which answers given outright are right at least --precision of the time and no out-of-scope question
   is answered outright.

Cross-validation leaves one question file out at a time: thresholds fitted on the others are scored on it,
so the figures printed are for questions the thresholds were not fitted on. The final thresholds are
fitted on all files. Then each understanding mechanism is switched off in turn (typo corrector, content
words, out-of-scope examples, topic list) to show what it contributes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from .config import Thresholds
from .decide import Decision, Features, decide
from .evaluate import Question, QuestionFileError, evaluate, load_questions
from .loader import DATA_DIR, CatalogueError
from .search import Searcher

DECLINE_GRID: dict[str, Sequence[float]] = {
    "min_coverage": (0.15, 0.2, 0.25, 0.3, 0.35, 0.4),
    "min_explained": (15.0, 20.0, 25.0, 30.0, 40.0, 1000.0),
    "oos_min": (0.3, 0.4, 0.5, 0.6),
    "oos_margin": (-0.1, -0.05, 0.0, 0.05, 0.1),
    "passing_gap": (0.3, 0.4, 0.5, 1.01),
    "passing_coverage": (0.0, 0.5, 0.7, 0.9),
}
ANSWER_GRID: dict[str, Sequence[float]] = {
    "min_name": (0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    "min_core": (0.3, 0.4, 0.5, 0.6, 0.7),
    "answer_ratio": (1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5),
}
MECHANISMS = ("corrector", "content_words", "examples", "topics")


@dataclass(frozen=True)
class Row:
    """One question: where it comes from, what answers it, and the features of each way it was searched."""

    file: str
    style: str
    expect: tuple[str, ...]
    tries: tuple[tuple[Features, str], ...]   # (features, top id) as typed, then for each rewrite


def collect(searcher: Searcher, files: Sequence[str]) -> list[Row]:
    """Search every question once, as typed and as rewritten by the corrector."""
    rows = []
    for path in files:
        for q in load_questions(path):
            first, f = searcher._features(q.q)
            tries = [(f, first.best.id if first.best else "")]
            if first.reason != "chitchat":
                tries += [(g, r.best.id if r.best else "") for r, g, _ in searcher.rewrites(q.q)]
            rows.append(Row(Path(path).name, q.style, q.expect, tuple(tries)))
    return rows


def replay(row: Row, th: Thresholds) -> tuple[Decision, str]:
    """Return the decision and top id the search would give this question with these thresholds."""
    (f, top), *rewrites = row.tries
    first, _ = decide(f, th)
    if first is Decision.ANSWERED or (f.chitchat and first is Decision.UNANSWERED):
        return first, top
    for g, other in rewrites:
        d, _ = decide(g, th)
        if d is Decision.ANSWERED or (d is Decision.SUGGEST and first is Decision.UNANSWERED):
            return d, other
    return first, top


def outcomes(rows: Sequence[Row], th: Thresholds) -> np.ndarray:
    """Return per row: [answerable, declined, top right, answered outright]."""
    out = np.zeros((len(rows), 4), dtype=bool)
    for i, row in enumerate(rows):
        d, top = replay(row, th)
        out[i] = (bool(row.expect), d is Decision.UNANSWERED, top in row.expect and d is not Decision.UNANSWERED,
                  d is Decision.ANSWERED)
    return out


def _grid(base: Thresholds, grid: dict[str, Sequence[float]]) -> tuple[list[Thresholds], tuple[int, ...]]:
    names = list(grid)
    points = [replace(base, **dict(zip(names, values))) for values in itertools.product(*grid.values())]
    return points, tuple(len(v) for v in grid.values())


def _decline_cost(o: np.ndarray) -> float:
    """Return how much of their error budgets a point spends: 3 % of answerable questions declined, 5 % of
    out-of-scope questions not declined (the targets of the understanding issue)."""
    answerable, declined = o[:, 0], o[:, 1]
    n_ans, n_oos = max(int(answerable.sum()), 1), max(int((~answerable).sum()), 1)
    return float(np.sum(answerable & declined)) / (0.03 * n_ans) + float(np.sum(~answerable & ~declined)) / (0.05 * n_oos)


def _smooth(costs: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Average each grid point's cost with its neighbours (edges repeated)."""
    grid = costs.reshape(shape)
    padded = np.pad(grid, 1, mode="edge")
    total = np.zeros_like(grid, dtype=float)
    for shift in itertools.product((-1, 0, 1), repeat=len(shape)):
        total += padded[tuple(slice(1 + s, 1 + s + n) for s, n in zip(shift, shape))]
    return (total / 3 ** len(shape)).ravel()


def fit(rows: Sequence[Row], declines: list[np.ndarray], mask: np.ndarray, base: Thresholds, precision: float
        ) -> Thresholds:
    """Return the thresholds chosen on the rows in mask (declines: outcomes at each decline grid point)."""
    points, shape = _grid(base, DECLINE_GRID)
    costs = np.array([_decline_cost(o[mask]) for o in declines])
    best = points[int(np.argmin(_smooth(costs, shape) + 1e-6 * costs))]
    chosen = [r for r, m in zip(rows, mask) if m]
    scored = []
    for th in _grid(best, ANSWER_GRID)[0]:
        o = outcomes(chosen, th)
        answered = o[:, 3]
        right = int((o[:, 2] & answered).sum())
        prec = right / int(answered.sum()) if answered.any() else 0.0
        oos_answered = int((~o[:, 0] & answered).sum())  # never answer an out-of-scope question outright
        scored.append((prec >= precision and oos_answered == 0, int(answered.sum()), prec, th))
    ok = [s for s in scored if s[0]]
    # The loosest point that is precise enough; if none is, the most precise one.
    pick = max(ok, key=lambda s: s[1]) if ok else max(scored, key=lambda s: s[2])
    return pick[3]


def figures(o: np.ndarray) -> dict[str, Any]:
    """Return the headline figures of outcome rows."""
    answerable, declined, right, answered = o[:, 0], o[:, 1], o[:, 2], o[:, 3]
    n_ans, n_oos = int(answerable.sum()), int((~answerable).sum())

    def share(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "questions": len(o),
        "top1": share(int((answerable & right).sum()), n_ans),
        "false_rejection": share(int((answerable & declined).sum()), n_ans),
        "oos_rejection": share(int((~answerable & declined).sum()), n_oos),
        "answered_precision": share(int((answered & right).sum()), int(answered.sum())),
        "oos_answered": int((~answerable & answered).sum()),
    }


def calibrate(searcher: Searcher, files: Sequence[str], precision: float) -> dict[str, Any]:
    """Fit the thresholds on all files, cross-validate by file, and measure each mechanism; return a report."""
    rows = collect(searcher, files)
    base = searcher.config.thresholds
    declines = [outcomes(rows, th) for th in _grid(base, DECLINE_GRID)[0]]
    final = fit(rows, declines, np.ones(len(rows), dtype=bool), base, precision)
    folds = {}
    pooled = np.zeros((0, 4), dtype=bool)
    for name in sorted({r.file for r in rows}):
        held = np.array([r.file == name for r in rows])
        th = fit(rows, declines, ~held, base, precision)
        o = outcomes([r for r, h in zip(rows, held) if h], th)
        folds[name] = figures(o)
        pooled = np.vstack([pooled, o])
    report: dict[str, Any] = {
        "thresholds": {f.name: getattr(final, f.name) for f in fields(Thresholds)},
        "fitted_on_all": figures(outcomes(rows, final)),
        "cross_validated": {"pooled": figures(pooled), "by_file": folds},
        "without": {},
    }
    tuned = searcher.with_config(replace(searcher.config, thresholds=final))
    questions: list[Question] = [q for path in files for q in load_questions(path)]
    report["with_all"] = _headline(evaluate(tuned, questions))
    for mechanism in MECHANISMS:
        report["without"][mechanism] = _headline(evaluate(tuned.without(mechanism), questions))
    return report


def _headline(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("top1", "recall3", "oos_rejection", "false_rejection", "answered_precision",
                                   "oos_answered")}


def write_thresholds(path: Path, th: dict[str, float]) -> None:
    """Replace the threshold values in data/retrieval.yaml, keeping its comments."""
    text = path.read_text(encoding="utf-8")
    for key, value in th.items():
        text, n = re.subn(rf"^(\s+{key}:\s*)-?[0-9.]+", rf"\g<1>{value:g}", text, flags=re.M)
        if n != 1:
            raise CatalogueError(path, None, f"thresholds.{key}", "expected exactly one line to update")
    path.write_text(text, encoding="utf-8")


def _fmt(v: Any) -> str:
    return "  -  " if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def report_text(r: dict[str, Any]) -> str:
    """Return the human-readable report."""
    lines = ["thresholds: " + "  ".join(f"{k} {v:g}" for k, v in r["thresholds"].items()), ""]
    head = f"{'':34}{'top1':>7}{'false_rej':>10}{'oos_rej':>9}{'ans_prec':>9}{'oos_ans':>8}"
    lines += ["cross-validated (thresholds fitted without the file scored):", head]
    for name, f in list(r["cross_validated"]["by_file"].items()) + [("pooled", r["cross_validated"]["pooled"])]:
        lines.append(f"  {name:<32}{_fmt(f['top1']):>7}{_fmt(f['false_rejection']):>10}{_fmt(f['oos_rejection']):>9}"
                     f"{_fmt(f['answered_precision']):>9}{_fmt(f['oos_answered']):>8}")
    f = r["fitted_on_all"]
    lines.append(f"  {'fitted on all files':<32}{_fmt(f['top1']):>7}{_fmt(f['false_rejection']):>10}"
                 f"{_fmt(f['oos_rejection']):>9}{_fmt(f['answered_precision']):>9}{_fmt(f['oos_answered']):>8}")
    lines += ["", "what each mechanism contributes (all files, final thresholds):",
              f"{'':34}{'top1':>7}{'recall3':>9}{'false_rej':>10}{'oos_rej':>9}{'ans_prec':>9}{'oos_ans':>8}"]
    for name, f in [("all mechanisms on", r["with_all"])] + [(f"without {k}", v) for k, v in r["without"].items()]:
        lines.append(f"  {name:<32}{_fmt(f['top1']):>7}{_fmt(f['recall3']):>9}{_fmt(f['false_rejection']):>10}"
                     f"{_fmt(f['oos_rejection']):>9}{_fmt(f['answered_precision']):>9}{_fmt(f['oos_answered']):>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", required=True, metavar="FILE", help="question files (YAML)")
    parser.add_argument("--precision", type=float, default=0.97,
                        help="required share of right answers among outright answers (default 0.97)")
    parser.add_argument("--write", action="store_true", help="write the thresholds into data/retrieval.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    try:
        searcher = Searcher.build(data_dir=args.data)
        report = calibrate(searcher, args.questions, args.precision)
    except (QuestionFileError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False) if args.json else report_text(report))
    if args.write:
        path = (Path(args.data) if args.data else DATA_DIR) / "retrieval.yaml"
        write_thresholds(path, report["thresholds"])
        print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
