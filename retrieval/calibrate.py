"""Fit the decision (data/decision.yaml) on labelled question files, with leave-one-file-out cross-validation.

    python -m retrieval.calibrate [--questions FILE …] [--write] [--json]

1. Every question is read once as typed and once per rewrite of the typo corrector; each reading's
   candidates get their feature rows (retrieval/features.py), labelled right when the candidate is one the
   file expects.
2. The candidate model — P(right | features), a logistic regression — is fitted on all files but one and
   scored on the one left out, for each file in turn. Inside each fold the thresholds are chosen on the
   training files' own out-of-fold probabilities (an inner leave-one-file-out): `answer` as the lowest
   probability at and above which outright answers are right at least --precision of the time (an
   out-of-scope question answered counts as wrong), `suggest` as the highest at which at most --refuse of
   answerable questions are declined. The figures printed are pooled over the files left out.
3. Each group of features is then left out in turn and the whole cross-validation run again: a group
   that stays shows what it adds out of fold.
4. The intent models (small talk, a self-description, a wish for a person, asking whether one may apply)
   are fitted on the example questions of data/examples, each read against the others, and checked on
   the files' small-talk and profile questions.
5. A reliability diagram of the out-of-fold probabilities is drawn (docs/reliability.svg).

The final model is fitted on all files, with thresholds chosen on their out-of-fold probabilities;
--write stores it in data/decision.yaml with the figures in its header.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .evaluate import load_questions
from .examples import ANSWER, INTENT, INTENTS, OUT_OF_SCOPE, is_english
from .features import FEATURES, GROUPS
from .intents import INTENT_FEATURES, intent_vector
from .loader import DATA_DIR, CatalogueError
from .outcome import Decision, Intent
from .scorer import DECISION_FILE, Choice, DecisionModel, Logistic, Thresholds, brier, fit_choice, fit_logistic
from .search import INTENT_P, Searcher
from .evaluate import QuestionFileError
from .policy_fit import PolicyFileError, calibrate_policy
from .passage_fit import calibrate_passages
from .turn_fit import calibrate_turns

ROOT = Path(__file__).resolve().parent.parent
# The project's own labelled files; the shared development sample is measured, never fitted.
DEFAULT_FILES = ("eval/holdout_a.yaml", "eval/holdout_b.yaml", "eval/understanding_a.yaml",
                 "eval/understanding_b.yaml", "eval/understanding_c.yaml", "eval/understanding_d.yaml",
                 "eval/understanding_e.yaml")
# The policy question files the policy model is fitted on (the sealed one is not among them, eval/README.md).
DEFAULT_POLICY = ("eval/policy_e.yaml",)
# The conversation files the turn and passage models are fitted on (not the held-out one, eval/README.md).
DEFAULT_CONVERSATIONS = ("eval/conversations_a.yaml", "eval/conversations_b.yaml", "eval/conversations_c.yaml",
                         "eval/conversations_d.yaml", "eval/conversations_e.yaml", "eval/conversations_g.yaml",
                         "eval/conversations_h.yaml")
L2 = 1.0
# The example questions join the fit at this weight each (a labelled question of an evaluation file counts 1):
# enough to teach what the files have little of, not enough to outweigh how real questions are asked.
EXAMPLE_WEIGHT = 0.1
EXAMPLES = "examples"
# The candidate model: a conditional logit over each question's candidates and 'none' ("choice"), or one
# independent logistic regression per candidate ("independent", kept for comparison).
MODEL = "choice"
# Out-of-scope questions answered outright, as a share of the training folds' out-of-scope questions, above
# which a threshold is too loose (besides the precision asked for).
OOS_OUTRIGHT = 0.005
# The share of sentences led with that must hold what was asked.
PASSAGE_PRECISION = 0.75
# A suggestion is shown as a guess (its card) where the best candidate is right at least this often.
GUESS_RIGHT = 0.5


@dataclass
class Reading:
    """One reading of a question: its candidates' ids and feature rows."""

    ids: list[str]
    x: np.ndarray


@dataclass
class Row:
    """One labelled question with all its readings."""

    file: str
    style: str
    q: str
    expect: tuple[str, ...]
    readings: list[Reading]
    intent: Intent = Intent.QUESTION
    intent_row: list[float] = field(default_factory=list)
    english: bool = False
    nothing: bool = False      # no content word and no name: declined whatever the probability


def collect(searcher: Searcher, files: Sequence[str]) -> list[Row]:
    """Read every question of the files, as typed and as each rewrite."""
    rows = []
    for path in files:
        for q in load_questions(path):
            versions = searcher.versions(q.q)
            readings = [Reading([c.id for c in a.candidates], a.matrix()) for a in versions]
            first = versions[0]
            rows.append(Row(Path(path).name, q.style, q.q, q.expect, readings,
                            intent_row=intent_vector(first.facts, first.candidates),
                            nothing=not first.facts.content and not any(c.hit.phrase for c in first.candidates),
                            english=is_english(q.q, searcher.lexicon.english_stopwords)))
    return rows


def _xy(rows: Sequence[Row], cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for r in rows:
        for rd in r.readings:
            if len(rd.ids):
                xs.append(rd.x[:, cols])
                ys.append(np.array([i in r.expect for i in rd.ids], dtype=float))
    return (np.vstack(xs), np.concatenate(ys)) if xs else (np.zeros((0, len(cols))), np.zeros(0))


def example_rows(searcher: Searcher) -> list[Row]:
    """Return the example questions of data/examples as labelled rows (each read without itself): they add to
    the fit what the evaluation files have little of (English, near misses), at EXAMPLE_WEIGHT each."""
    index = searcher.examples
    out = []
    for i, e in enumerate(index.examples):
        if e.kind not in (ANSWER, OUT_OF_SCOPE) or e.source in ("names", "taught"):
            continue
        a = searcher.analyse(e.text, exclude=index.same_text(i))
        out.append(Row(EXAMPLES, "example", e.text, (e.label,) if e.kind == ANSWER else (),
                       [Reading([c.id for c in a.candidates], a.matrix())]))
    return out


def fit_candidate(rows: Sequence[Row], cols: np.ndarray, extra: Sequence[Row] = ()) -> Logistic:
    """Fit the candidate model on the rows' readings (and the example rows, weighted), with the features in cols."""
    if MODEL == "independent":
        x, y = _xy(rows, cols)
        return fit_logistic(x, y, [FEATURES[i] for i in cols], L2)
    groups, rights, weights = [], [], []
    for r in (*rows, *extra):
        for rd in r.readings:
            groups.append(rd.x[:, cols])
            rights.append(np.array([i in r.expect for i in rd.ids], dtype=float))
            weights.append(EXAMPLE_WEIGHT if r.file == EXAMPLES else 1.0)
    return fit_choice(groups, rights, [FEATURES[i] for i in cols], L2, weights=weights)


Probs = list[list[np.ndarray]]   # per row, per reading: each candidate's probability


def probabilities(model: Logistic, rows: Sequence[Row], cols: np.ndarray) -> Probs:
    """Return each candidate's probability under a model."""
    return [[model.scores(rd.x[:, cols]) for rd in r.readings] for r in rows]


@dataclass(frozen=True)
class Outcome:
    """What the search does with one question under a model and thresholds."""

    answerable: bool
    declined: bool
    right: bool
    answered: bool
    top3: bool
    p: float


@dataclass(frozen=True)
class Summary:
    """Per question, as arrays: the best candidate as typed and among the rewrites (probability, right, top 3)."""

    answerable: np.ndarray
    blocked: np.ndarray        # small talk or a wish for a person: declined whatever the probability
    listed: np.ndarray         # a self-description: a list of what fits unless the model is sure of one
    english: np.ndarray        # an English question: its own threshold
    p0: np.ndarray
    right0: np.ndarray
    top30: np.ndarray
    pr: np.ndarray
    rightr: np.ndarray
    top3r: np.ndarray


def summarise(rows: Sequence[Row], probs: Probs, corrector: bool = True) -> Summary:
    """Return the arrays that thresholds are replayed on."""
    cols: list[list[float]] = [[] for _ in range(10)]
    for r, ps in zip(rows, probs):
        def best(k: int) -> tuple[float, bool, bool]:
            p, ids = ps[k], r.readings[k].ids
            if not len(p):
                return 0.0, False, False
            order = np.argsort(-p, kind="stable")[:3].tolist()
            return float(p[order[0]]), ids[order[0]] in r.expect, any(ids[i] in r.expect for i in order)

        first = best(0)
        rewrites = [best(k) for k in range(1, len(r.readings))] if corrector and r.intent is not Intent.SMALLTALK else []
        other = max(rewrites, key=lambda b: b[0], default=(-1.0, False, False))
        values = (bool(r.expect), r.intent in (Intent.SMALLTALK, Intent.HUMAN) or r.nothing) + first + other + (
            r.intent is Intent.PROFILE, r.english)
        for c, v in zip(cols, values):
            c.append(float(v))
    a = [np.array(c) for c in cols]
    return Summary(a[0] > 0, a[1] > 0, a[8] > 0, a[9] > 0, a[2], a[3] > 0, a[4] > 0, a[5], a[6] > 0, a[7] > 0)


def decide_all(s: Summary, th: Thresholds) -> tuple[np.ndarray, ...]:
    """Return per question: declined, right, answered, top-3 right, and the best probability."""
    use_rewrite = (s.p0 < th.answer) & (s.pr > s.p0)
    p = np.where(use_rewrite, s.pr, s.p0)
    right = np.where(use_rewrite, s.rightr, s.right0)
    top3 = np.where(use_rewrite, s.top3r, s.top30)
    answered = (p >= np.where(s.listed, th.profile, np.where(s.english, th.english, th.answer))) & ~s.blocked
    declined = ((p < th.suggest) & ~s.listed) | s.blocked
    return declined, right & ~declined, answered, top3 & ~declined, p


def choose(rows: Sequence[Row], probs: Probs, precision: float, refuse: float) -> Thresholds:
    """Choose the thresholds on out-of-fold probabilities (see the module's docstring)."""
    s = summarise(rows, probs)
    grid = np.unique(np.concatenate([s.p0, s.pr[s.pr >= 0], np.linspace(0.0, 1.0, 101)]))
    plain = ~s.listed & ~s.english
    answer = _lowest_precise(s, grid, precision, lambda t: Thresholds(t, 0.0, 1.0, 1.0), plain)
    # A self-description answered with one service, an English question: their own thresholds, on their own rows.
    profile = _lowest_precise(s, grid, precision, lambda t: Thresholds(answer, 0.0, t, 1.0), s.listed & ~s.english)
    english = _lowest_precise(s, grid, precision, lambda t: Thresholds(answer, 0.0, profile, t), s.english)
    suggest = 0.0
    for t in grid:
        if t > answer:
            break
        declined = decide_all(s, Thresholds(answer, float(t), profile, english))[0]
        if (declined & s.answerable).sum() / max(s.answerable.sum(), 1) > refuse:
            break
        suggest = float(t)
    suggest = min(suggest, answer)
    # A guess where the best candidate is more likely right than not: the model's probability is calibrated
    # (the reliability diagram checks it), so that is where it says so.
    guess = min(max(GUESS_RIGHT, suggest), answer)
    return Thresholds(round(answer, 4), round(suggest, 4), round(profile, 4), round(english, 4), round(guess, 4))


def _lowest_precise(s: Summary, grid: np.ndarray, precision: float, at: Any, rows: np.ndarray) -> float:
    """Return the lowest threshold at which the outright answers among `rows`, all together, are right at least
    `precision` of the time and answer (almost) no out-of-scope question (1.0 when none is)."""
    best = 1.0
    for t in grid[::-1]:
        _, right, answered, _, _ = decide_all(s, at(float(t)))
        answered = answered & rows
        if answered.any() and (right & answered).sum() / answered.sum() >= precision \
                and (answered & ~s.answerable).sum() <= OOS_OUTRIGHT * max(int((~s.answerable & rows).sum()), 1):
            best = float(t)
    return best


def outcomes_of(rows: Sequence[Row], probs: Probs, th: Thresholds, corrector: bool = True) -> list[Outcome]:
    """Return every question's outcome under thresholds."""
    s = summarise(rows, probs, corrector)
    declined, right, answered, top3, p = decide_all(s, th)
    return [Outcome(bool(a), bool(d), bool(r), bool(x), bool(t), float(q))
            for a, d, r, x, t, q in zip(s.answerable, declined, right, answered, top3, p)]


def figures(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Return the headline figures of outcomes."""
    ans = [o for o in outcomes if o.answerable]
    oos = [o for o in outcomes if not o.answerable]
    outright = [o for o in outcomes if o.answered]

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "questions": len(outcomes),
        "top1": share(sum(o.right for o in ans), len(ans)),
        "recall3": share(sum(o.top3 for o in ans), len(ans)),
        "answered_right": share(sum(o.right and o.answered for o in ans), len(ans)),
        "wrong_outright": sum(o.answered and not o.right for o in outcomes),
        "outright": len(outright),
        "answered_precision": share(sum(o.right for o in outright), len(outright)),
        "false_rejection": share(sum(o.declined for o in ans), len(ans)),
        "oos_rejection": share(sum(o.declined for o in oos), len(oos)),
        "oos_answered": sum(o.answered for o in oos),
    }


@dataclass
class CrossValidation:
    """Out-of-fold results of one configuration."""

    outcomes: list[Outcome]
    by_file: dict[str, dict[str, Any]]
    probs: Probs
    thresholds: dict[str, Thresholds]


def cross_validate(rows: Sequence[Row], cols: np.ndarray, precision: float, refuse: float,
                   corrector: bool = True, nested: bool = True, extra: Sequence[Row] = ()) -> CrossValidation:
    """Leave one file out: fit (thresholds from an inner leave-one-file-out) and score the file left out. The
    `extra` rows (the example questions) are always in the training side, never scored."""
    files = sorted({r.file for r in rows})
    probs: Probs = [[] for _ in rows]
    chosen: dict[str, Thresholds] = {}
    for name in files:
        train = [r for r in rows if r.file != name]
        model = fit_candidate(train, cols, extra)
        if nested:
            inner = _oof(train, cols, extra)
            chosen[name] = choose(train, inner, precision, refuse)
        else:
            chosen[name] = choose(train, probabilities(model, train, cols), precision, refuse)
        for i, r in enumerate(rows):
            if r.file == name:
                probs[i] = probabilities(model, [r], cols)[0]
    outcomes: list[Outcome] = [Outcome(False, False, False, False, False, 0.0)] * len(rows)
    for name in files:
        at = [i for i, r in enumerate(rows) if r.file == name]
        for i, o in zip(at, outcomes_of([rows[i] for i in at], [probs[i] for i in at], chosen[name], corrector)):
            outcomes[i] = o
    by_file: dict[str, list[Outcome]] = {}
    for r, o in zip(rows, outcomes):
        by_file.setdefault(r.file, []).append(o)
    return CrossValidation(outcomes, {k: figures(v) for k, v in by_file.items()}, probs, chosen)


def _oof(rows: Sequence[Row], cols: np.ndarray, extra: Sequence[Row] = ()) -> Probs:
    """Return each row's probabilities from a model fitted without its file."""
    probs: Probs = [[] for _ in rows]
    for name in sorted({r.file for r in rows}):
        model = fit_candidate([r for r in rows if r.file != name], cols, extra)
        for i, r in enumerate(rows):
            if r.file == name:
                probs[i] = probabilities(model, [r], cols)[0]
    return probs


def _without_example_candidates(rows: Sequence[Row]) -> list[Row]:
    """Return rows whose candidates are BM25's only (those the examples added are dropped)."""
    rank = FEATURES.index("bm25_rank")
    out = []
    for r in rows:
        readings = []
        for rd in r.readings:
            keep = [i for i in range(len(rd.ids)) if rd.x[i, rank] >= 1 / 6 - 1e-9]
            readings.append(Reading([rd.ids[i] for i in keep], rd.x[keep]))
        out.append(Row(r.file, r.style, r.q, r.expect, readings, r.intent, r.intent_row, r.english, r.nothing))
    return out


def fit_intents(searcher: Searcher) -> tuple[dict[str, Logistic], dict[str, Any]]:
    """Fit one model per intent on the example questions (each read without itself); return models and a report."""
    index = searcher.examples
    xs, labels = [], []
    for i, e in enumerate(index.examples):
        a = searcher.analyse(e.text, exclude=index.same_text(i))
        xs.append(intent_vector(a.facts, a.candidates))
        labels.append(e.label if e.kind == INTENT else "")
    x = np.array(xs, dtype=float)
    models, report = {}, {}
    folds = np.arange(len(x)) % 5
    for name in INTENTS:
        y = np.array([lab == name for lab in labels], dtype=float)
        if not y.any():
            continue
        models[name] = fit_logistic(x, y, INTENT_FEATURES, L2)
        p = np.zeros(len(x))
        for k in range(5):
            m = fit_logistic(x[folds != k], y[folds != k], INTENT_FEATURES, L2)
            p[folds == k] = m.probability(x[folds == k])
        hit = p >= INTENT_P
        report[name] = {"examples": int(y.sum()),
                        "precision": round(float((hit & (y > 0)).sum() / max(hit.sum(), 1)), 3),
                        "recall": round(float((hit & (y > 0)).sum() / max(y.sum(), 1)), 3)}
    return models, report


def assign_intents(rows: Sequence[Row], models: dict[str, Logistic]) -> None:
    """Set each row's intent as the search would read it."""
    for r in rows:
        x = np.asarray([r.intent_row], dtype=float)
        p = {name: float(m.probability(x)[0]) for name, m in models.items()}
        kinds = {Intent.SMALLTALK: p.get("smalltalk", 0.0), Intent.PROFILE: p.get("profile", 0.0),
                 Intent.HUMAN: p.get("human", 0.0)}
        kind, best = max(kinds.items(), key=lambda kv: kv[1])
        r.intent = kind if best >= INTENT_P else Intent.QUESTION


def intent_check(rows: Sequence[Row]) -> dict[str, Any]:
    """Return how the intents read the files' small talk, profile and other questions."""
    def share(xs: list[Row], kind: Intent) -> float | None:
        return round(sum(r.intent is kind for r in xs) / len(xs), 3) if xs else None

    chat = [r for r in rows if r.style == "chitchat"]
    prof = [r for r in rows if r.style == "profile"]
    rest = [r for r in rows if r.style not in ("chitchat", "profile")]
    return {"smalltalk_read_as_smalltalk": share(chat, Intent.SMALLTALK),
            "profiles_read_as_profile": share(prof, Intent.PROFILE),
            "other_read_as_smalltalk": share(rest, Intent.SMALLTALK),
            "other_read_as_profile": share(rest, Intent.PROFILE),
            "answerable_read_as_human": share([r for r in rest if r.expect], Intent.HUMAN)}


def reliability_svg(outcomes: Sequence[Outcome], path: Path, bins: int = 10) -> list[dict[str, Any]]:
    """Draw the reliability diagram of the best candidate's probability (out of fold); return its bins."""
    table: list[dict[str, Any]] = []
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        inside = [o for o in outcomes if lo <= o.p < hi or (k == bins - 1 and o.p == 1.0)]
        if inside:
            table.append({"from": lo, "to": hi, "n": len(inside), "mean_p": round(float(np.mean([o.p for o in inside])), 3),
                          "right": round(sum(o.right for o in inside) / len(inside), 3)})
    w, h, m = 360, 360, 40
    sx = lambda v: m + v * (w - 2 * m)  # noqa: E731
    sy = lambda v: h - m - v * (h - 2 * m)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#999" stroke-dasharray="4 3"/>',
             f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(0)}" stroke="black"/>',
             f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(0)}" y2="{sy(1)}" stroke="black"/>',
             f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle">P(best answer right), out of fold</text>',
             f'<text x="12" y="{h / 2}" transform="rotate(-90 12 {h / 2})" text-anchor="middle">share right</text>',
             f'<text x="{w / 2}" y="18" text-anchor="middle">Reliability of the fitted decision</text>']
    for v in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{sx(v)}" y="{sy(0) + 14}" text-anchor="middle">{v:g}</text>')
        parts.append(f'<text x="{sx(0) - 6}" y="{sy(v) + 4}" text-anchor="end">{v:g}</text>')
    points = " ".join(f"{sx(b['mean_p']):.1f},{sy(b['right']):.1f}" for b in table)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for b in table:
        r = 2 + min(8, b["n"] ** 0.5 / 3)
        parts.append(f'<circle cx="{sx(b["mean_p"]):.1f}" cy="{sy(b["right"]):.1f}" r="{r:.1f}" fill="#1f5fa8">'
                     f'<title>{b["n"]} questions</title></circle>')
    parts.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return table


def calibrate(searcher: Searcher, files: Sequence[str], precision: float, refuse: float,
              ablation: bool = True, svg: Path | None = None) -> tuple[dict[str, Any], DecisionModel]:
    """Fit everything, cross-validate by file, measure each feature group; return a report and the model."""
    rows = collect(searcher, files)
    intents, intent_report = fit_intents(searcher)
    assign_intents(rows, intents)
    extra = example_rows(searcher)
    all_cols = np.arange(len(FEATURES))
    cv = cross_validate(rows, all_cols, precision, refuse, extra=extra)
    final_model = fit_candidate(rows, all_cols, extra)
    final_th = choose(rows, cv.probs, precision, refuse)
    x, y = _xy(rows, all_cols)
    oof_x = np.concatenate([p for ps in cv.probs for p in ps if len(p)]) if rows else np.zeros(0)
    report: dict[str, Any] = {
        "files": [_relative(f) for f in files],
        "thresholds": {"answer": final_th.answer, "suggest": final_th.suggest, "profile": final_th.profile,
                       "english": final_th.english, "guess": final_th.guess},
        "cross_validated": {"pooled": figures(cv.outcomes), "by_file": cv.by_file,
                            "thresholds_by_fold": {k: [t.answer, t.suggest] for k, t in cv.thresholds.items()}},
        "brier": {"candidates": round(brier(oof_x, y), 4),
                  "best_answer": round(brier(np.array([o.p for o in cv.outcomes]),
                                             np.array([o.right for o in cv.outcomes], dtype=float)), 4)},
        "fitted_on_all": figures(outcomes_of(rows, probabilities(final_model, rows, all_cols), final_th)),
        "example_rows": len(extra),
        "intents": {"examples_cross_validated": intent_report, "on_files": intent_check(rows)},
        "weights": {f: round(float(w), 3) for f, w in zip(FEATURES, final_model.weights)},
        "ablation": {},
    }
    if svg is not None:
        report["reliability"] = reliability_svg(cv.outcomes, svg)
    if ablation:
        report["ablation"]["all features"] = figures(cv.outcomes)
        for group, names in GROUPS.items():
            cols = np.array([i for i, f in enumerate(FEATURES) if f not in names])
            report["ablation"][f"without {group}"] = figures(
                cross_validate(rows, cols, precision, refuse, extra=extra).outcomes)
        report["ablation"]["without the corrector's rewrites"] = figures(
            cross_validate(rows, all_cols, precision, refuse, corrector=False, extra=extra).outcomes)
        report["ablation"]["without candidates from examples"] = figures(
            cross_validate(_without_example_candidates(rows), all_cols, precision, refuse,
                           extra=_without_example_candidates(extra)).outcomes)
        report["ablation"]["without example questions in the fit"] = figures(
            cross_validate(rows, all_cols, precision, refuse).outcomes)
    return report, DecisionModel(final_model, final_th, intents, INTENT_FEATURES)


def calibrate_all(searcher: Searcher, files: Sequence[str], policy_files: Sequence[str],
                  conversation_files: Sequence[str], precision: float, refuse: float, policy_precision: float,
                  turn_precision: float, ablation: bool = True, svg: Path | None = None
                  ) -> tuple[dict[str, Any], DecisionModel]:
    """Fit the catalogue decision, the intents, the policy documents' decision and the turn model."""
    report, model = calibrate(searcher, files, precision, refuse, ablation, svg)
    # The policy and turn models read the catalogue's own outcome: fit them with the decision just fitted.
    fitted = searcher.with_decision(model)
    policy_report, policy = calibrate_policy(fitted, policy_files, policy_precision)
    report["policy"] = policy_report
    turns_report, turns = calibrate_turns(fitted, conversation_files, turn_precision, ablation)
    report["turns"] = turns_report
    passages_report, passages = calibrate_passages(fitted, conversation_files, PASSAGE_PRECISION)
    report["passages"] = passages_report
    return report, DecisionModel(model.candidate, model.thresholds, model.intents, model.intent_features, policy,
                                 turns, passages)


def _relative(path: str | Path) -> str:
    """Return a path relative to the project when it is inside it (for the file's header)."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(path)


def decision_yaml(model: DecisionModel, report: dict[str, Any]) -> str:
    """Return data/decision.yaml's text: the figures as comments, then the fitted numbers."""
    import yaml

    pooled = report["cross_validated"]["pooled"]
    head = [
        "# The fitted answer decision, read by retrieval/scorer.py. Written by `python -m retrieval.calibrate --write`",
        f"# on {datetime.date.today().isoformat()} from: {', '.join(report['files'])}.",
        "# Do not edit by hand: change features, data or examples, then fit again.",
        "# candidate: P(candidate is the right answer) = logistic(bias + Σ weight · (feature − mean) / scale),",
        "#   each feature as [mean, scale, weight]; intents: one such model per kind of message.",
        "# thresholds: answer outright at P ≥ answer, suggest at P ≥ suggest, decline below.",
        "# Out of fold (leave one file out): " + ", ".join(f"{k} {v}" for k, v in pooled.items()),
    ]
    body: dict[str, Any] = {
        "candidate": model.candidate.to_yaml(),
        "thresholds": {"answer": model.thresholds.answer, "suggest": model.thresholds.suggest,
                       "profile": model.thresholds.profile, "english": model.thresholds.english,
                       "guess": model.thresholds.guess},
        "intents": {k: m.to_yaml() for k, m in model.intents.items()}}
    if model.policy is not None:
        body["policy"] = {"candidate": model.policy.candidate.to_yaml(),
                          "thresholds": {"answer": model.policy.thresholds.answer,
                                         "suggest": model.policy.thresholds.suggest}}
        head.append("# policy: the same kind of model over the policy documents' passages; out of fold: " + ", ".join(
            f"{k} {v}" for k, v in report["policy"]["cross_validated"].items() if k != "by_style"))
    if model.passages is not None:
        body["passages"] = {"candidate": model.passages.candidate.to_yaml(),
                            "thresholds": {"answer": model.passages.thresholds.answer,
                                           "suggest": model.passages.thresholds.suggest}}
        head.append("# passages: the sentence a card leads with (retrieval/passages.py); answer = lead with it, suggest "
                    "= below it an asked aspect is said to be missing; out of fold: " + ", ".join(
                        f"{k} {v}" for k, v in report["passages"]["cross_validated"].items()))
    if model.turns is not None:
        body["turns"] = {"candidate": model.turns.candidate.to_yaml(),
                         "thresholds": {"answer": model.turns.thresholds.answer,
                                        "suggest": model.turns.thresholds.suggest}}
        head.append("# turns: the turn model over what a follow-up may refer to (retrieval/dialogue.py); out of fold: "
                    + ", ".join(f"{k} {v}" for k, v in report["turns"]["cross_validated"].items()
                                if k != "by_relation"))
    return "\n".join(head) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def _fmt(v: Any) -> str:
    return "  -  " if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


_COLUMNS = ("top1", "recall3", "answered_right", "wrong_outright", "false_rejection", "oos_rejection", "oos_answered")


def _table(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    head = f"{'':40}" + "".join(f"{c[:10]:>11}" for c in _COLUMNS)
    return [head] + [f"  {name:<38}" + "".join(f"{_fmt(f.get(c)):>11}" for c in _COLUMNS) for name, f in rows]


def report_text(r: dict[str, Any]) -> str:
    """Return the human-readable report."""
    t = r["thresholds"]
    lines = [f"thresholds: answer {t['answer']:g}  suggest {t['suggest']:g}  self-description answered at "
             f"{t['profile']:g}, an English question at {t['english']:g}; a guess from {t['guess']:g}", "",
             "cross-validated (fitted without the file scored; thresholds from the training files' own folds):"]
    lines += _table(list(r["cross_validated"]["by_file"].items()) + [("pooled", r["cross_validated"]["pooled"])])
    lines += [f"  {'fitted on all files':<38}" + "".join(f"{_fmt(r['fitted_on_all'].get(c)):>11}" for c in _COLUMNS)]
    lines += ["", f"Brier score, out of fold: candidates {r['brier']['candidates']}, best answer {r['brier']['best_answer']}"]
    if r["ablation"]:
        lines += ["", "ablation (out of fold, each group left out and everything refitted):"]
        lines += _table(list(r["ablation"].items()))
    lines += ["", "intents (examples, 5-fold): " + "; ".join(
        f"{k} {v['examples']} ex, precision {v['precision']}, recall {v['recall']}"
        for k, v in r["intents"]["examples_cross_validated"].items())]
    lines += ["intents on the files: " + ", ".join(f"{k} {v}" for k, v in r["intents"]["on_files"].items())]
    if r.get("policy"):
        pc = r["policy"]["cross_validated"]
        lines += ["", f"policy documents (thresholds answer {r['policy']['thresholds']['answer']:g} suggest "
                      f"{r['policy']['thresholds']['suggest']:g}; out of fold): right document and fact "
                      f"{_fmt(pc['right_document_and_fact'])}, declined when none {_fmt(pc['declined_when_none'])}, "
                      f"answered {pc['answered']} ({_fmt(pc['answered_precision'])} right)"]
        lines += [f"  {k:<12} n={v['count']:>3}  right {_fmt(v['right_document_and_fact'])}  "
                  f"declined {_fmt(v['declined_when_none'])}" for k, v in pc["by_style"].items()]
    if r.get("turns"):
        tc = r["turns"]["cross_validated"]
        lines += ["", f"turns (follow threshold {r['turns']['threshold']:g}; out of fold): best target right "
                      f"{_fmt(tc['best_target_right'])}, followed {tc['followed']} ({_fmt(tc['followed_right'])} right)",
                  "  " + "  ".join(f"{k} {v['n']}/{v['right']:.2f}" for k, v in tc["by_relation"].items()),
                  f"  a list followed up with no pick (not replayed by the fit): {tc['unpicked']} turns, "
                  f"{_fmt(tc['unpicked_right'])} right"]
        for name, f in r["turns"].get("ablation", {}).items():
            lines.append(f"  {name:<24} best target right {_fmt(f['best_target_right'])}, followed {f['followed']} "
                         f"({_fmt(f['followed_right'])} right)")
    if r.get("passages"):
        pc = r["passages"]["cross_validated"]
        lines += ["", f"passages (lead at {r['passages']['thresholds']['lead']:g}, missing below "
                      f"{r['passages']['thresholds']['missing']:g}; out of fold): {pc['turns']} turns with facts, led "
                      f"{pc['led']} ({_fmt(pc['led_right'])} hold a fact), fact found {_fmt(pc['fact_found'])}"]
    if "reliability" in r:
        lines += ["", "reliability (best answer's P, out of fold): " + "  ".join(
            f"{b['mean_p']:.2f}→{b['right']:.2f} (n={b['n']})" for b in r["reliability"])]
    return "\n".join(lines)


def _svg(args: argparse.Namespace) -> Path:
    """Return where the reliability diagram goes: docs/ for the project's data, beside any other data directory."""
    return Path(args.data) / "reliability.svg" if args.data else ROOT / "docs" / "reliability.svg"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", metavar="FILE", default=[str(ROOT / f) for f in DEFAULT_FILES],
                        help="labelled question files (default: the project's own in eval/)")
    parser.add_argument("--precision", type=float, default=0.99,
                        help="required share of right answers among outright answers (default 0.99)")
    parser.add_argument("--refuse", type=float, default=0.01,
                        help="largest share of answerable questions declined (default 0.01)")
    parser.add_argument("--policy-questions", nargs="*", metavar="FILE",
                        default=[str(ROOT / f) for f in DEFAULT_POLICY],
                        help="labelled policy question files (default: the project's own in eval/)")
    parser.add_argument("--policy-precision", type=float, default=0.95,
                        help="required share of right passages among outright policy answers (default 0.95)")
    parser.add_argument("--conversations", nargs="*", metavar="FILE",
                        default=[str(ROOT / f) for f in DEFAULT_CONVERSATIONS],
                        help="labelled conversation files for the turn model (default: eval/conversations_*.yaml)")
    parser.add_argument("--turn-precision", type=float, default=0.97,
                        help="required share of right targets among turns answered from the context (default 0.97)")
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation table (faster)")
    parser.add_argument("--write", action="store_true", help="write data/decision.yaml and docs/reliability.svg")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    try:
        # The fit needs only the features: a stale data/decision.yaml (other features) must not stop it.
        searcher = Searcher.build(data_dir=args.data, fitted=False)
        report, model = calibrate_all(searcher, args.questions, args.policy_questions, args.conversations,
                                      args.precision, args.refuse, args.policy_precision, args.turn_precision,
                                      not args.no_ablation, _svg(args) if args.write else None)
    except (QuestionFileError, PolicyFileError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False) if args.json else report_text(report))
    if args.write:
        path = (Path(args.data) if args.data else DATA_DIR) / DECISION_FILE
        path.write_text(decision_yaml(model, report), encoding="utf-8")
        print(f"written to {path} and {_svg(args)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
