"""Calibrate the decision thresholds in data/retrieval.yaml on question files.

    python -m retrieval.calibrate --questions ../shared/eval/dev_questions.yaml eval/holdout_a.yaml [--write]

Each question is searched once; the decision is then replayed over a grid of thresholds:
- min_coverage × min_information (when to decline) minimise 2 × false rejections + accepted
  out-of-scope questions, averaged over each grid point's neighbours so the choice sits inside a
  stable region rather than on a knife edge;
- answer_ratio (answer outright vs. suggest) is the smallest ratio at which answered questions are
  right at least --precision of the time.
The out-of-scope topic list is switched off while calibrating: it only adds rejections at run time,
and thresholds learned without it must also decline the out-of-scope questions it does not list.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from .config import Thresholds
from .decide import Decision, decide
from .evaluate import QuestionFileError, load_questions
from .loader import DATA_DIR, CatalogueError
from .search import Searcher

COVERAGE_GRID = np.round(np.arange(0.0, 0.61, 0.025), 3)
INFORMATION_GRID = np.round(np.arange(0.0, 40.1, 1.0), 1)
RATIO_GRID = np.round(np.arange(1.0, 3.01, 0.05), 2)


def calibrate(searcher: Searcher, files: list[str], precision: float) -> tuple[Thresholds, dict[str, float]]:
    """Return the calibrated thresholds and the figures they achieve on the questions."""
    lexicon = replace(searcher.lexicon, oos_topics=())
    probe = Searcher(searcher.catalogue, lexicon, searcher.tokenizer, searcher.config, searcher.index,
                     searcher.learned)
    rows = []
    for path in files:
        for q in load_questions(path):
            result, f = probe.features(q.q)
            right = bool(q.expect) and result.best is not None and result.best.id in q.expect
            rows.append((bool(q.expect), right, f))
    errors = np.zeros((len(COVERAGE_GRID), len(INFORMATION_GRID)))
    for ci, cov in enumerate(COVERAGE_GRID):
        for ii, info in enumerate(INFORMATION_GRID):
            th = Thresholds(min_coverage=float(cov), min_information=float(info), answer_ratio=1.0)
            for answerable, _, f in rows:
                declined = decide(f, th)[0] is Decision.UNANSWERED
                errors[ci, ii] += 2.0 * declined if answerable else (not declined)
    padded = np.pad(errors, 1, mode="edge")
    smooth = sum(padded[1 + dy:1 + dy + errors.shape[0], 1 + dx:1 + dx + errors.shape[1]]
                 for dy in (-1, 0, 1) for dx in (-1, 0, 1)) / 9.0
    ci, ii = np.unravel_index(np.argmin(smooth + 1e-6 * errors), smooth.shape)
    base = Thresholds(min_coverage=float(COVERAGE_GRID[ci]), min_information=float(INFORMATION_GRID[ii]),
                      answer_ratio=1.0)
    ratio = float(RATIO_GRID[-1])
    for r in RATIO_GRID:
        th = replace(base, answer_ratio=float(r))
        answered = [right for answerable, right, f in rows if decide(f, th)[0] is Decision.ANSWERED]
        if answered and sum(answered) / len(answered) >= precision:
            ratio = float(r)
            break
    chosen = replace(base, answer_ratio=ratio)
    answerable = [r for r in rows if r[0]]
    negatives = [r for r in rows if not r[0]]
    decisions = [(r, decide(r[2], chosen)[0]) for r in rows]
    answered = [r[1] for r, d in decisions if d is Decision.ANSWERED]
    figures = {
        "questions": len(rows),
        "false_rejection": sum(1 for r, d in decisions if r[0] and d is Decision.UNANSWERED) / max(len(answerable), 1),
        "oos_rejection_without_topic_list":
            sum(1 for r, d in decisions if not r[0] and d is Decision.UNANSWERED) / max(len(negatives), 1),
        "answered_precision": sum(answered) / max(len(answered), 1),
    }
    return chosen, figures


def write_thresholds(path: Path, th: Thresholds) -> None:
    """Replace the three threshold values in data/retrieval.yaml, keeping its comments."""
    text = path.read_text(encoding="utf-8")
    for key, value in (("min_coverage", th.min_coverage), ("min_information", th.min_information),
                       ("answer_ratio", th.answer_ratio)):
        text, n = re.subn(rf"^(\s+{key}:\s*)[0-9.]+", rf"\g<1>{value:g}", text, flags=re.M)
        if n != 1:
            raise CatalogueError(path, None, f"thresholds.{key}", "expected exactly one line to update")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", required=True, metavar="FILE", help="question files (YAML)")
    parser.add_argument("--precision", type=float, default=0.95,
                        help="required share of right answers among outright answers (default 0.95)")
    parser.add_argument("--write", action="store_true", help="write the thresholds into data/retrieval.yaml")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    try:
        searcher = Searcher.build(data_dir=args.data)
        th, figures = calibrate(searcher, args.questions, args.precision)
    except (QuestionFileError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"min_coverage {th.min_coverage:g}  min_information {th.min_information:g}  answer_ratio {th.answer_ratio:g}")
    print("  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))
    if args.write:
        path = (Path(args.data) if args.data else DATA_DIR) / "retrieval.yaml"
        write_thresholds(path, th)
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
