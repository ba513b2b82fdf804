"""The fitted decision: a conditional logit over each question's candidates (and logistic models of the kinds
of message), and the thresholds that turn a probability into answered / suggest / unanswered. Fitted by `python -m retrieval.calibrate`, kept in data/decision.yaml.

- `candidate`: P(this candidate is the right answer | question, candidate) from retrieval/features.py.
- `intents`: one model per kind of message (small talk, a self-description, wanting a person, asking
  whether one may apply), P(kind | question), fitted on the example questions.
- thresholds: answer outright at P ≥ `answer` (chosen so that outright answers are right at least 99% of the
  time), offer a guess or a list at P ≥ `suggest` (chosen so that at most 1% of answerable questions are
  declined: --refuse); below, decline. A self-description and an English question have their own answer
  thresholds (`profile`, `english`), fitted on their own rows; a guess (the best card) is shown from `guess`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .loader import DATA_DIR, CatalogueError, read_yaml

DECISION_FILE = "decision.yaml"


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over named features, standardised by the training data's mean and scale."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Return w·x + b for rows of raw features."""
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Return P(positive) for rows of raw features."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(x), -30, 30)))

    def one(self, row: Sequence[float]) -> float:
        """Return P(positive) for one row."""
        return float(self.probability(np.asarray([row], dtype=float))[0])

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Return each candidate's probability of one question's candidate rows."""
        return self.probability(x) if len(x) else np.zeros(0)

    def to_yaml(self) -> dict[str, Any]:
        """Return a plain mapping for data/decision.yaml."""
        return {"model": "choice" if isinstance(self, Choice) else "logistic", "bias": round(float(self.bias), 6),
                "weights": {f: [round(float(m), 6), round(float(s), 6), round(float(w), 6)]
                            for f, m, s, w in zip(self.features, self.mean, self.scale, self.weights)}}


def fit_logistic(x: np.ndarray, y: np.ndarray, features: Sequence[str], l2: float = 1.0,
                 sample_weight: np.ndarray | None = None, iterations: int = 50) -> Logistic:
    """Fit a logistic regression by Newton's method (IRLS) with an L2 penalty on the standardised weights."""
    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    scale = x.std(axis=0) if len(x) else np.ones(x.shape[1])
    scale = np.where(scale < 1e-9, 1.0, scale)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    sw = np.ones(len(x)) if sample_weight is None else sample_weight
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (sw * (p - y)) + penalty * w
        hess = (z * (sw * np.maximum(p * (1 - p), 1e-9))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return Logistic(tuple(features), mean, scale, w[:-1].copy(), float(w[-1]))


@dataclass(frozen=True)
class Choice(Logistic):
    """A conditional logit over a question's candidates and 'none of them': the candidates compete, so one
    that stands far above the others is surer than one that merely scores well (weights as in Logistic;
    `bias` is the logit of 'none')."""

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Return P(each candidate is the answer); the candidates compete."""
        return self.choose(x)

    def choose(self, x: np.ndarray) -> np.ndarray:
        """Return P(each candidate is the answer) for one question's candidate rows (the rest: none)."""
        if not len(x):
            return np.zeros(0)
        s = ((x - self.mean) / self.scale) @ self.weights
        top = max(float(s.max()), self.bias)
        e = np.exp(s - top)
        return e / (e.sum() + math.exp(self.bias - top))


def fit_choice(groups: Sequence[np.ndarray], rights: Sequence[np.ndarray], features: Sequence[str], l2: float = 1.0,
               iterations: int = 60, weights: Sequence[float] | None = None) -> Choice:
    """Fit a conditional logit by Fisher scoring: each group is one reading's candidate rows, its right
    candidates marked (none marked: the right choice is 'none'); several right ones share the credit."""
    x_all = np.vstack([g for g in groups if len(g)]) if any(len(g) for g in groups) else np.zeros((0, len(features)))
    mean = x_all.mean(axis=0) if len(x_all) else np.zeros(len(features))
    scale = x_all.std(axis=0) if len(x_all) else np.ones(len(features))
    scale = np.where(scale < 1e-9, 1.0, scale)
    k = len(features) + 1    # the last weight is the logit of 'none', whose row is all zeros but a one there
    slots = max((len(g) for g in groups), default=0) + 1
    z = np.zeros((len(groups), slots, k))
    mask = np.zeros((len(groups), slots), dtype=bool)
    right = np.zeros((len(groups), slots))
    for i, (g, r) in enumerate(zip(groups, rights)):
        n = len(g)
        if n:
            z[i, :n, :-1] = (g - mean) / scale
            right[i, :n] = r
        mask[i, :n] = True
        z[i, -1, -1] = 1.0
        mask[i, -1] = True
    none = ~right.any(axis=1)
    right[none, -1] = 1.0
    gw = np.ones(len(groups)) if weights is None else np.asarray(weights, dtype=float)
    w = np.zeros(k)
    penalty = np.full(k, l2)
    penalty[-1] = 1e-6
    flat = z.reshape(-1, k)

    def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.where(mask, z @ v, -np.inf)
        top = s.max(axis=1, keepdims=True)
        p = np.exp(s - top)
        total = p.sum(axis=1, keepdims=True)
        p /= total
        log_right = np.log(np.maximum((p * right).sum(axis=1), 1e-300))
        return float(gw @ log_right - 0.5 * penalty @ (v * v)), p

    value, p = objective(w)
    for _ in range(iterations):
        q = p * right
        target = q / np.maximum(q.sum(axis=1, keepdims=True), 1e-300)
        grad = ((target - p) * gw[:, None]).reshape(-1) @ flat - penalty * w
        m = np.einsum("gs,gsf->gf", p, z)
        fisher = (flat * (p * gw[:, None]).reshape(-1, 1)).T @ flat - (m * gw[:, None]).T @ m \
            + np.diag(penalty + 1e-9)
        step = np.linalg.solve(fisher, grad)
        # Damped: halve the step until the penalised likelihood does not fall (several right answers per
        # question make the objective non-concave, so a full step may overshoot).
        for _ in range(30):
            new_value, new_p = objective(w + step)
            if new_value >= value - 1e-9:
                break
            step /= 2
        w, value, p = w + step, new_value, new_p
        if np.max(np.abs(step)) < 1e-7:
            break
    return Choice(tuple(features), mean, scale, w[:-1].copy(), float(w[-1]))


@dataclass(frozen=True)
class Thresholds:
    """Where a top candidate's probability turns into an outright answer, a suggestion, or a decline."""

    answer: float = 0.9
    suggest: float = 0.1
    # A self-description is answered with one service only at this probability (its own fit: such a question
    # has several right answers, and the list is what was asked for).
    profile: float = 1.0
    # An English question likewise: few English questions are there to fit the model on, so its own threshold.
    english: float = 1.0
    # Between suggest and answer: from here the best candidate is more likely right than not, and is shown as a
    # guess (its card); below, the candidates are a list to choose from.
    guess: float = 0.5


@dataclass(frozen=True)
class Part:
    """One fitted candidate model with its thresholds (the policy documents' decision)."""

    candidate: Logistic
    thresholds: Thresholds


@dataclass(frozen=True)
class DecisionModel:
    """Everything data/decision.yaml holds."""

    candidate: Logistic
    thresholds: Thresholds
    intents: dict[str, Logistic] = field(default_factory=dict)
    intent_features: tuple[str, ...] = ()
    policy: Part | None = None
    turns: Part | None = None
    passages: Part | None = None


def _logistic(path: Path, raw: Any, where: str, expected: Sequence[str]) -> Logistic:
    if not isinstance(raw, dict) or set(raw) != {"model", "bias", "weights"} or not isinstance(raw["weights"], dict) \
            or raw["model"] not in ("choice", "logistic"):
        raise CatalogueError(path, where, None, "expected model (choice or logistic), bias and weights")
    names = tuple(raw["weights"])
    if names != tuple(expected):
        missing = sorted(set(expected) - set(names)) or sorted(set(names) - set(expected))
        raise CatalogueError(path, where, "weights", f"features differ from the code's ({', '.join(missing[:3]) or 'order'}); "
                                                     "run python -m retrieval.calibrate --write")
    rows = []
    for name, triple in raw["weights"].items():
        if not (isinstance(triple, list) and len(triple) == 3 and all(isinstance(v, (int, float)) for v in triple)):
            raise CatalogueError(path, where, f"weights.{name}", "expected [mean, scale, weight]")
        rows.append([float(v) for v in triple])
    if not isinstance(raw["bias"], (int, float)):
        raise CatalogueError(path, where, "bias", "expected a number")
    arr = np.array(rows, dtype=float).reshape(-1, 3)
    if np.any(arr[:, 1] <= 0) or not np.all(np.isfinite(arr)):
        raise CatalogueError(path, where, "weights", "scales must be positive and every number finite")
    kind = Choice if raw["model"] == "choice" else Logistic
    return kind(names, arr[:, 0], arr[:, 1], arr[:, 2], float(raw["bias"]))


def _thresholds(path: Path, th: Any, where: str | None) -> Thresholds:
    if not isinstance(th, dict) or not {"answer", "suggest"} <= set(th) <= {"answer", "suggest", "profile",
                                                                             "english", "guess"} or not all(
            isinstance(v, (int, float)) and 0.0 <= v <= 1.0 for v in th.values()) or th["suggest"] > th["answer"]:
        raise CatalogueError(path, where, "thresholds", "expected answer, suggest (and profile), 0 ≤ suggest ≤ answer ≤ 1")
    return Thresholds(float(th["answer"]), float(th["suggest"]), float(th.get("profile", 1.0)),
                      float(th.get("english", 1.0)), float(th.get("guess", 0.5)))


def load_decision(candidate_features: Sequence[str], intent_features: Sequence[str], intents: Sequence[str],
                  data_dir: str | Path | None = None, policy_features: Sequence[str] = (),
                  turn_features: Sequence[str] = (), passage_features: Sequence[str] = ()) -> DecisionModel:
    """Load data/decision.yaml; a file that does not fit the code's features stops with one line."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / DECISION_FILE
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not {"candidate", "thresholds"} <= set(raw) or set(raw) - {
            "candidate", "thresholds", "intents", "policy", "turns", "passages"}:
        raise CatalogueError(path, None, None, "expected candidate, thresholds, intents, policy, turns, passages")
    thresholds = _thresholds(path, raw["thresholds"], None)

    def part(name: str, features: Sequence[str]) -> Part | None:
        body = raw.get(name)
        if body is None:
            return None
        if not isinstance(body, dict) or set(body) != {"candidate", "thresholds"}:
            raise CatalogueError(path, name, None, "expected candidate and thresholds")
        return Part(_logistic(path, body["candidate"], f"{name}.candidate", features),
                    _thresholds(path, body["thresholds"], name))

    policy = part("policy", policy_features)
    turns = part("turns", turn_features)
    passages = part("passages", passage_features)
    models = {}
    for name, body in (raw.get("intents") or {}).items():
        if name not in intents:
            raise CatalogueError(path, f"intents.{name}", None, f"unknown intent (known: {', '.join(intents)})")
        models[name] = _logistic(path, body, f"intents.{name}", intent_features)
    return DecisionModel(_logistic(path, raw["candidate"], "candidate", candidate_features), thresholds, models,
                         tuple(intent_features), policy, turns, passages)


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Return the Brier score (mean squared error of the probabilities)."""
    return float(np.mean((p - y) ** 2)) if len(p) else math.nan
