"""Fit and measure the policy documents' decision (called by `python -m retrieval.calibrate`).

Policy question files have the format of ../shared/eval/dev_policy_questions.yaml: q, doc (the seed's number, a
list, or "" when no document answers), answer_any (strings a right answer shows), quote, style. A candidate
passage is right when it is in the expected document and holds the quote or one of the strings. The model is a
conditional logit over each question's candidate passages and 'none', cross-validated by file — or, with a
single file, in five folds by question — with thresholds chosen inside each fold: `answer` where outright answers
are right at least --policy-precision of the time, `suggest` where shown passages best balance questions
answered from the right document against questions no document answers being declined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .outcome import Decision
from .policy_search import POLICY_FEATURES, PolicyCandidates
from .scorer import Choice, Part, Thresholds, fit_choice
from .text import compact

L2 = 1.0
FOLDS = 5


class PolicyFileError(ValueError):
    """A policy question file is malformed; str() is one line naming file, item and field."""


@dataclass(frozen=True)
class PolicyQuestion:
    """One labelled policy question."""

    q: str
    docs: tuple[str, ...]
    answer_any: tuple[str, ...]
    quote: str
    style: str


def is_policy_file(path: str | Path) -> bool:
    """Return True when a question file is in the policy format (its items have `doc`)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(raw, list) and bool(raw) and isinstance(raw[0], dict) and "doc" in raw[0]


def load_policy_questions(path: str | Path) -> list[PolicyQuestion]:
    """Read and validate a policy question file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyFileError(f"{path}: cannot be read as YAML ({type(exc).__name__})") from None
    if not isinstance(raw, list):
        raise PolicyFileError(f"{path}: expected a list of questions")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise PolicyFileError(f"{path}: item {i}: field q: expected question text")
        doc = item.get("doc", "")
        docs = tuple(str(d) for d in (doc if isinstance(doc, list) else [doc]) if str(d))
        answers = item.get("answer_any") or []
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise PolicyFileError(f"{path}: item {i}: field answer_any: expected a list of strings")
        out.append(PolicyQuestion(item["q"], docs, tuple(answers), str(item.get("quote") or ""),
                                  str(item.get("style") or "unspecified")))
    return out


def right_passage(q: PolicyQuestion, source: str, text: str) -> bool:
    """Return True when a passage (of a document from seed `source`, with this text) answers a question."""
    if not q.docs or not any(source.startswith(d) for d in q.docs):
        return False
    body = compact(text)
    quote = compact(q.quote)
    return bool(quote and (quote in body or body in quote and len(body) >= 20)) or any(
        compact(a) and compact(a) in body for a in q.answer_any)


def shows_fact(q: PolicyQuestion, source: str, shown: str) -> bool:
    """Return True when what is shown comes from the right document and holds one of the expected strings."""
    body = compact(shown)
    return bool(q.docs) and any(source.startswith(d) for d in q.docs) and (
        not q.answer_any or any(compact(a) in body for a in q.answer_any if compact(a)))


@dataclass
class PolicyRow:
    """One policy question with its candidates."""

    file: str
    question: PolicyQuestion
    cands: PolicyCandidates
    right: np.ndarray
    shown: list[str]      # what the reply would show for each candidate (citation, passage, lead lines)
    sources: list[str]


def collect(searcher: Any, files: Sequence[str]) -> list[PolicyRow]:
    """Read every question of the policy files and its candidate passages."""
    search = searcher.parts.policy
    sources = {d.id: d.source for d in search.documents}
    rows = []
    for path in files:
        for q in load_policy_questions(path):
            a = searcher.scored(searcher.analyse(q.q))
            cands = searcher.policy_candidates(q.q, a)
            passages = [search.passages[k] for k in cands.keys]
            srcs = [sources[p.document_id] for p in passages]
            shown = [p.citation + p.text + "".join(p.lead) for p in passages]
            right = np.array([right_passage(q, s, p.text + "".join(p.lead) + p.citation)
                              for s, p in zip(srcs, passages)], dtype=float)
            rows.append(PolicyRow(Path(path).name, q, cands, right, shown, srcs))
    return rows


def fit(rows: Sequence[PolicyRow]) -> Choice:
    """Fit the policy candidate model."""
    return fit_choice([r.cands.x for r in rows], [r.right for r in rows], POLICY_FEATURES, L2)


def outcome(row: PolicyRow, p: np.ndarray, th: Thresholds) -> tuple[Decision, bool]:
    """Return the decision and whether the passage shown answers with the right document and fact."""
    if not len(p):
        return Decision.UNANSWERED, False
    i = int(np.argmax(p))
    decision = Decision.ANSWERED if p[i] >= th.answer else Decision.SUGGEST if p[i] >= th.suggest \
        else Decision.UNANSWERED
    return decision, decision is not Decision.UNANSWERED and shows_fact(row.question, row.sources[i], row.shown[i])


def choose(rows: Sequence[PolicyRow], probs: Sequence[np.ndarray], precision: float) -> Thresholds:
    """Choose the thresholds on out-of-fold probabilities."""
    p1 = [float(p.max()) if len(p) else 0.0 for p in probs]
    grid = sorted(set(p1) | {x / 100 for x in range(101)})
    answer = 1.0
    for t in reversed(grid):
        results = [outcome(r, p, Thresholds(t, 0.0)) for r, p in zip(rows, probs)]
        answered = [ok for d, ok in results if d is Decision.ANSWERED]
        if answered and sum(answered) / len(answered) >= precision:
            answer = t
    best, suggest = -1.0, 0.0
    for t in grid:
        if t > answer:
            break
        results = [outcome(r, p, Thresholds(answer, t)) for r, p in zip(rows, probs)]
        ans = [ok for (d, ok), r in zip(results, rows) if r.question.docs]
        none = [d is Decision.UNANSWERED for (d, _), r in zip(results, rows) if not r.question.docs]
        score = (sum(ans) / max(len(ans), 1)) + (sum(none) / max(len(none), 1))
        if score > best + 1e-9:
            best, suggest = score, t
    return Thresholds(round(answer, 4), round(min(suggest, answer), 4))


def _folds(rows: Sequence[PolicyRow]) -> list[int]:
    files = sorted({r.file for r in rows})
    if len(files) >= 3:
        return [files.index(r.file) for r in rows]
    return [i % FOLDS for i in range(len(rows))]


def cross_validate(rows: Sequence[PolicyRow], precision: float) -> tuple[list[np.ndarray], list[Thresholds]]:
    """Return out-of-fold probabilities and each row's fold thresholds (chosen on that fold's training rows)."""
    folds = _folds(rows)
    probs: list[np.ndarray] = [np.zeros(0)] * len(rows)
    chosen: list[Thresholds] = [Thresholds()] * len(rows)
    for k in sorted(set(folds)):
        train = [r for r, f in zip(rows, folds) if f != k]
        inner_folds = _folds(train)
        inner: list[np.ndarray] = [np.zeros(0)] * len(train)
        for j in sorted(set(inner_folds)):
            m = fit([r for r, f in zip(train, inner_folds) if f != j])
            for i, (r, f) in enumerate(zip(train, inner_folds)):
                if f == j:
                    inner[i] = m.scores(r.cands.x)
        th = choose(train, inner, precision)
        model = fit(train)
        for i, (r, f) in enumerate(zip(rows, folds)):
            if f == k:
                probs[i] = model.scores(r.cands.x)
                chosen[i] = th
    return probs, chosen


def figures(rows: Sequence[PolicyRow], probs: Sequence[np.ndarray], ths: Sequence[Thresholds]) -> dict[str, Any]:
    """Return right-document-and-fact, declined-when-none and outright precision, overall and by style."""
    def block(items: list[tuple[PolicyRow, Decision, bool]]) -> dict[str, Any]:
        ans = [(d, ok) for r, d, ok in items if r.question.docs]
        none = [d for r, d, ok in items if not r.question.docs]
        outright = [ok for d, ok in ans if d is Decision.ANSWERED] + [False for d in none if d is Decision.ANSWERED]
        return {"count": len(items),
                "right_document_and_fact": round(sum(ok for _, ok in ans) / len(ans), 4) if ans else None,
                "declined_when_none": round(sum(d is Decision.UNANSWERED for d in none) / len(none), 4) if none else None,
                "answered": len(outright),
                "answered_precision": round(sum(outright) / len(outright), 4) if outright else None}

    items = [(r, *outcome(r, p, th)) for r, p, th in zip(rows, probs, ths)]
    by_style: dict[str, list[tuple[PolicyRow, Decision, bool]]] = {}
    for it in items:
        by_style.setdefault(it[0].question.style, []).append(it)
    return {**block(items), "by_style": {k: block(v) for k, v in sorted(by_style.items())}}


def calibrate_policy(searcher: Any, files: Sequence[str], precision: float) -> tuple[dict[str, Any], Part | None]:
    """Fit the policy decision; return its report (out of fold) and the model fitted on all files."""
    rows = collect(searcher, files)
    if not rows:
        return {}, None
    probs, ths = cross_validate(rows, precision)
    model = fit(rows)
    final = choose(rows, probs, precision)
    return {"files": [str(f) for f in files], "thresholds": {"answer": final.answer, "suggest": final.suggest},
            "cross_validated": figures(rows, probs, ths)}, Part(model, final)
