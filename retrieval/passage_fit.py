"""Fit and measure the passage model of retrieval/passages.py (called by `python -m retrieval.calibrate`).

Every conversation turn with `facts` is a labelled example: among the sentences of the answer it expects, the
right ones hold one of the facts; a turn whose facts no sentence holds (a phone, a website: the card shows
those anyway) has 'none' right. The conditional logit is cross-validated by file; the threshold to lead with a
sentence is chosen inside each fold so that the sentences led with hold a fact at least the required share of
the time (PASSAGE_PRECISION in retrieval/calibrate.py), and the lower one, below which a follow-up that asks
no section of the card is told the entry does not say, so that no more than MISSING_WRONG of the turns whose
entry does hold the fact are told it does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .passages import PASSAGE_FEATURES, Passages
from .scorer import Choice, Part, Thresholds, fit_choice
from .text import compact

L2 = 1.0
MISSING_WRONG = 0.05


@dataclass
class PassageRow:
    """One turn with facts: its answer's sentences, their features and which hold a fact."""

    file: str
    say: str
    x: np.ndarray
    right: np.ndarray
    asked: bool
    settled: bool | None  # the word-overlap reader's pick was right (True) or not; None: it left it to the model
    led: bool = True  # the reader settled on a sentence (not on leading with nothing)


def collect(searcher: Any, files: Sequence[str]) -> list[PassageRow]:
    """Read every turn with facts and a single answer it is about."""
    passages = searcher.passages
    rows = []
    for path in files:
        for conv in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
            for turn in conv["turns"]:
                facts = [compact(f) for f in turn.get("facts") or [] if compact(f)]
                expect = turn.get("expect") or []
                if not facts or len(expect) != 1:
                    continue
                pairs, x, aspects = passages.rows(expect[0], turn["say"])
                if not pairs:
                    continue
                right = np.array([any(f in compact(s) for f in facts) for _, s in pairs], dtype=float)
                settled, _, _ = passages.settled(expect[0], turn["say"])
                said = None if settled is None else bool(
                    settled.lead is not None and any(f in compact(s) for f in facts for s in settled.lead.sentences))
                rows.append(PassageRow(Path(path).name, turn["say"], x, right, bool(aspects), said,
                                       settled is None or settled.lead is not None))
    return rows


def fit(rows: Sequence[PassageRow]) -> Choice:
    """Fit the passage model."""
    return fit_choice([r.x for r in rows], [r.right for r in rows], PASSAGE_FEATURES, L2)


def choose(rows: Sequence[PassageRow], probs: Sequence[np.ndarray], precision: float) -> Thresholds:
    """Choose where to lead with a sentence, and below which an asked aspect is said to be missing — on the
    turns the word-overlap reader leaves to the model."""
    left = [(r, p) for r, p in zip(rows, probs) if r.settled is None]
    rows, probs = [r for r, _ in left], [p for _, p in left]
    grid = sorted({float(p.max()) for p in probs if len(p)} | {x / 100 for x in range(101)})
    answer = 1.0
    for t in reversed(grid):
        led = [bool(r.right[int(np.argmax(p))]) for r, p in zip(rows, probs) if len(p) and p.max() >= t]
        if led and sum(led) / len(led) >= precision:
            answer = t
    missing = 0.0
    held = [(r, p) for r, p in zip(rows, probs) if r.right.any() and r.asked and len(p)]
    for t in grid:
        if t > answer:
            break
        wrongly = sum(1 for r, p in held if p.max() < t)
        if held and wrongly / len(held) > MISSING_WRONG:
            break
        missing = t
    return Thresholds(round(answer, 4), round(min(missing, answer), 4))


def figures(rows: Sequence[PassageRow], probs: Sequence[np.ndarray], ths: Sequence[Thresholds]) -> dict[str, Any]:
    """Return how often the sentence led with holds a fact, and how often a turn whose entry holds it gets it."""
    led = right = held = found = 0
    for r, p, th in zip(rows, probs, ths):
        if r.settled is not None:
            led += r.led
            right += r.settled
            held += bool(r.right.any())
            found += r.settled
            continue
        if not len(p):
            continue
        i = int(np.argmax(p))
        if p[i] >= th.answer:
            led += 1
            right += bool(r.right[i])
        if r.right.any():
            held += 1
            found += bool(p[i] >= th.answer and r.right[i])
    return {"turns": len(rows), "led": led, "led_right": round(right / led, 4) if led else None,
            "fact_found": round(found / held, 4) if held else None}


def calibrate_passages(searcher: Any, files: Sequence[str], precision: float) -> tuple[dict[str, Any], Part | None]:
    """Fit the passage model; return its report (out of fold) and the model fitted on all files."""
    rows = collect(searcher, files)
    if not rows:
        return {}, None
    names = sorted({r.file for r in rows})
    probs: list[np.ndarray] = [np.zeros(0)] * len(rows)
    ths = [Thresholds()] * len(rows)
    for name in names:
        train = [r for r in rows if r.file != name]
        inner: list[np.ndarray] = [np.zeros(0)] * len(train)
        for other in sorted({r.file for r in train}):
            m = fit([r for r in train if r.file != other])
            for i, r in enumerate(train):
                if r.file == other:
                    inner[i] = m.scores(r.x)
        th = choose(train, inner, precision)
        model = fit(train)
        for i, r in enumerate(rows):
            if r.file == name:
                probs[i], ths[i] = model.scores(r.x), th
    final = choose(rows, probs, precision)
    return ({"files": [str(f) for f in files], "thresholds": {"lead": final.answer, "missing": final.suggest},
             "cross_validated": figures(rows, probs, ths)}, Part(fit(rows), final))
