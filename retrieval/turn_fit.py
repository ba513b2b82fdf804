"""Fit and measure the turn model of retrieval/dialogue.py (called by `python -m retrieval.calibrate`).

Conversation files (the format of `python -m bot.evaluate --conversations`) are read turn by turn with the
state a right assistant would have shown before each turn (teacher forcing): a card for a turn that expects
one answer, a list for a turn that expects several or offers a list. Each turn's targets are labelled: the
answer (or answers) it expects; a request for a list is the related list; a turn that expects two answers
beside each other is the comparison of the two; a turn expecting none is 'none'. The conditional logit over
the targets is cross-validated by file, with the threshold for following a target chosen inside each fold
so that turns answered from the state are right at least --turn-precision of the time.

Besides the conversations, example questions of data/examples are put to the model as turns after a card of
another answer (each read without itself): an out-of-scope example there expects nothing, an answer's example
its own answer. The conversations hold few new questions asked right after a card; these teach the model that
a turn whose words the card does not hold is a question of its own. They are fitted on (one more fold of the
cross-validation), never measured: figures and thresholds are the conversations' alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .dialogue import TURN_FEATURES, Dialogue, Relation, Shown, Target, likeliest
from .scorer import Choice, Part, Thresholds, fit_choice

L2 = 1.0
# The fold the example turns make, and which examples become turns (every STRIDE-th of each kind: enough to
# teach the model what a new question after a card looks like without outnumbering the conversations).
EXAMPLES = "examples"
OOS_STRIDE = 4
ANSWER_STRIDE = 12
def _readings(*names: str) -> tuple[str, ...]:
    return tuple(f for f in TURN_FEATURES if f.split("*")[0] in names and "*" in f)


GROUPS: dict[str, tuple[str, ...]] = {
    "marks": _readings("pronoun", "back", "compare", "correct", "more", "sibling"),
    "own search": ("own_p", "own_rank", "own_answered", "other_p") + _readings("own_answered"),
    "evidence": ("explained", "core", "name", "name_bigrams", "named", "other_named"),
    "turn shape": _readings("content", "asks", "telling", "unknown", "declined"),
}


@dataclass
class TurnRow:
    """One labelled turn with its targets."""

    file: str
    style: str
    say: str
    targets: list[Target]
    x: np.ndarray
    right: np.ndarray
    expects: bool
    own_words: bool = True   # the turn has content words of its own (a list's unpicked reading needs none)


def _labels(targets: Sequence[Target], expect: Sequence[str] | None, listed: Sequence[str] | None,
            compares: bool) -> np.ndarray:
    if listed is not None:
        return np.array([t.relation is Relation.RELATED for t in targets], dtype=float)
    wanted = set(expect or ())
    pairs = [t.relation is Relation.COMPARE and {t.answer, t.other} <= wanted for t in targets]
    # Two expected answers are a comparison only when the turn sets them side by side (比, 区别); otherwise
    # either answers it.
    if len(wanted) >= 2 and any(pairs) and compares:
        return np.array(pairs, dtype=float)
    return np.array([t.relation not in (Relation.COMPARE, Relation.RELATED) and t.answer in wanted for t in targets],
                    dtype=float)


def collect(searcher: Any, files: Sequence[str]) -> list[TurnRow]:
    """Read every turn after the first of the conversation files with the state a right assistant had shown."""
    dialogue = Dialogue(searcher)
    rows = []
    for path in files:
        for conv in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
            state: list[Shown] = []
            for turn in conv["turns"]:
                expect, listed = turn.get("expect"), turn.get("list")
                if state:
                    result = searcher.search(turn["say"])
                    tr = dialogue.rows(turn["say"], state, result)
                    rows.append(TurnRow(Path(path).name, str(conv.get("style", "")), turn["say"], tr.targets, tr.x,
                                        _labels(tr.targets, expect, listed, tr.marks.compare), bool(expect),
                                        bool(result.content)))
                ids = tuple(listed) if listed is not None else tuple(expect or ())
                if len(ids) == 1:
                    state.insert(0, Shown(answer=ids[0], question=turn["say"]))
                elif ids:
                    state.insert(0, Shown(choices=ids, question=turn["say"]))
                del state[4:]
    return rows


def example_turns(searcher: Any) -> list[TurnRow]:
    """Example questions asked right after a card of another answer (see the module's docstring)."""
    dialogue = Dialogue(searcher)
    index = searcher.examples
    services = [s.id for s in searcher.catalogue.services]
    rows = []
    seen: Counter[str] = Counter()
    for i, e in enumerate(index.examples):
        if e.kind not in ("answer", "oos") or e.source in ("names", "taught"):
            continue
        seen[e.kind] += 1
        stride = OOS_STRIDE if e.kind == "oos" else ANSWER_STRIDE
        if seen[e.kind] % stride:
            continue
        # One card shown, or (every other one) two: a new question is new to the earlier answer too.
        shown = [x for x in (services[(i * 31 + k) % len(services)] for k in range(3)) if x != e.label]
        state = [Shown(answer=x) for x in shown[:1 + seen[e.kind] // stride % 2]]
        a = searcher.scored(searcher.analyse(e.text, exclude=index.same_text(i)))
        intent, can_apply = searcher.intent_of(a)
        result = searcher.outcome(e.text, a, intent, can_apply)
        tr = dialogue.rows(e.text, state, result)
        expect = [e.label] if e.kind == "answer" else []
        rows.append(TurnRow(EXAMPLES, "example", e.text, tr.targets, tr.x,
                            _labels(tr.targets, expect, None, tr.marks.compare), bool(expect),
                            bool(result.content)))
    return rows


def fit(rows: Sequence[TurnRow], cols: np.ndarray) -> Choice:
    """Fit the turn model on rows, with the features in cols."""
    return fit_choice([r.x[:, cols] for r in rows], [r.right for r in rows], [TURN_FEATURES[i] for i in cols], L2)


def _outcome(r: TurnRow, p: np.ndarray, th: float) -> tuple[str, bool]:
    """Return what the turn model does with a turn: follow a target (right or not), or leave it to its own search."""
    if not len(p):
        return "own", False
    i = int(np.argmax(p))
    if p[i] < th or r.targets[i].relation is Relation.NEW:
        return "own", bool(r.right[i]) if r.targets[i].relation is Relation.NEW else False
    return "followed", bool(r.right[i])


def choose(rows: Sequence[TurnRow], probs: Sequence[np.ndarray], precision: float) -> float:
    """Return the lowest probability at which the targets followed are right at least `precision` of the time."""
    pairs = [(r, p) for r, p in zip(rows, probs) if r.file != EXAMPLES]
    grid = sorted({float(p.max()) for _, p in pairs if len(p)} | {x / 100 for x in range(101)})
    best = 1.0
    for t in reversed(grid):
        followed = [ok for (kind, ok) in (_outcome(r, p, t) for r, p in pairs) if kind == "followed"]
        if followed and sum(followed) / len(followed) >= precision:
            best = t
    return round(best, 4)


def cross_validate(rows: Sequence[TurnRow], cols: np.ndarray, precision: float) -> tuple[list[np.ndarray], list[float]]:
    """Leave one file out (thresholds from the training files' own folds); return probabilities and thresholds."""
    files = sorted({r.file for r in rows})
    probs: list[np.ndarray] = [np.zeros(0)] * len(rows)
    ths = [1.0] * len(rows)
    for name in files:
        train = [r for r in rows if r.file != name]
        inner: list[np.ndarray] = [np.zeros(0)] * len(train)
        for other in sorted({r.file for r in train}):
            m = fit([r for r in train if r.file != other], cols)
            for i, r in enumerate(train):
                if r.file == other:
                    inner[i] = m.scores(r.x[:, cols])
        th = choose(train, inner, precision)
        model = fit(train, cols)
        for i, r in enumerate(rows):
            if r.file == name:
                probs[i], ths[i] = model.scores(r.x[:, cols]), th
    return probs, ths


def figures(rows: Sequence[TurnRow], probs: Sequence[np.ndarray], ths: Sequence[float]) -> dict[str, Any]:
    """Return the share of turns whose best target is right, of turns followed that are right, by relation."""
    followed = right_followed = top_right = 0
    by: Counter[str] = Counter()
    ok_by: Counter[str] = Counter()
    for r, p, th in zip(rows, probs, ths):
        if not len(p) or r.file == EXAMPLES:
            continue
        i = int(np.argmax(p))
        top_right += bool(r.right[i]) or (not r.right.any() and p[i] < th)
        kind, ok = _outcome(r, p, th)
        rel = r.targets[i].relation.value if kind == "followed" else "own search"
        by[rel] += 1
        ok_by[rel] += ok
        if kind == "followed":
            followed += 1
            right_followed += ok
    # The reading of a list followed up with no pick (retrieval/dialogue.py, `unpicked`), not replayed by the
    # fit: how often it would answer, and how often rightly, on the same out-of-fold probabilities.
    unpicked = []
    for r, p, th in zip(rows, probs, ths):
        narrow = [k for k, t in enumerate(r.targets) if t.relation is Relation.NARROW]
        if r.file == EXAMPLES or not len(p) or r.own_words or not narrow or float(p.max()) >= th \
                or float(p[narrow].sum()) < th:
            continue
        order = [r.targets[k].answer for k in narrow]
        pick = likeliest(order, {r.targets[k].answer: float(p[k]) for k in reversed(narrow)})
        unpicked.append(bool(r.right[narrow[order.index(pick)]]))
    n = sum(1 for r in rows if r.file != EXAMPLES)
    return {"turns": n, "unpicked": len(unpicked),
            "unpicked_right": round(sum(unpicked) / len(unpicked), 4) if unpicked else None,
            "best_target_right": round(top_right / n, 4) if n else None,
            "followed": followed, "followed_right": round(right_followed / followed, 4) if followed else None,
            "by_relation": {k: {"n": v, "right": round(ok_by[k] / v, 3)} for k, v in sorted(by.items())}}


def calibrate_turns(searcher: Any, files: Sequence[str], precision: float, ablation: bool = True,
                    examples: bool = True) -> tuple[dict[str, Any], Part | None]:
    """Fit the turn model; return its report (out of fold, with the ablation) and the model fitted on all files."""
    rows = [r for r in collect(searcher, files) + (example_turns(searcher) if examples else []) if len(r.targets)]
    if not rows:
        return {}, None
    cols = np.arange(len(TURN_FEATURES))
    probs, ths = cross_validate(rows, cols, precision)
    report: dict[str, Any] = {"files": [str(f) for f in files], "cross_validated": figures(rows, probs, ths)}
    if ablation:
        report["ablation"] = {}
        for group, names in GROUPS.items():
            keep = np.array([i for i, f in enumerate(TURN_FEATURES) if f not in names])
            report["ablation"][f"without {group}"] = figures(rows, *cross_validate(rows, keep, precision))
        if examples:
            real = [r for r in rows if r.file != EXAMPLES]
            report["ablation"]["without example turns"] = figures(real, *cross_validate(real, cols, precision))
    final = choose(rows, probs, precision)
    report["threshold"] = final
    return report, Part(fit(rows, cols), Thresholds(final, final))
