"""Search settings from data/retrieval.yaml: BM25 parameters, field weights and decision thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .loader import DATA_DIR, CatalogueError, read_yaml


@dataclass(frozen=True)
class Thresholds:
    """When a search declines, suggests, or answers (see retrieval/decide.py)."""

    min_coverage: float = 0.25       # decline when the best answer explains less of the question's content
    min_explained: float = 1000.0    # … unless what it explains is this much information (a long scenario)
    oos_min: float = 0.4             # an out-of-scope example counts when it explains at least this share
    oos_margin: float = 0.1          # … and this much more than the best answer does
    passing_coverage: float = 0.6    # … or when its name explains nothing of a short question and what it is, less
    passing_gap: float = 0.3         # … or when its name explains nothing and mentions explain this much more
    min_name: float = 0.4            # answer outright only when its title/aliases hold this share of the bigrams
    min_core: float = 0.5            # … and what it is (introduction, conditions) at least this share
    answer_ratio: float = 1.15       # … and its score is this many times the second best


@dataclass(frozen=True)
class RetrievalConfig:
    """Everything the index and the decision need besides the data."""

    bm25_variant: str = "plus"
    k1: float = 1.2
    b: float = 0.75
    delta: float = 0.5
    name_repeat: int = 3
    parts_weight: float = 0.3
    synonym_weight: float = 0.6
    phrase_bonus: float = 10.0
    suggest_count: int = 3
    thresholds: Thresholds = field(default_factory=Thresholds)


def _number(path: Path, data: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise CatalogueError(path, None, key, f"expected a number from {low} to {high}, got {value!r}")
    return float(value)


def load_config(data_dir: str | Path | None = None) -> RetrievalConfig:
    """Load and validate data/retrieval.yaml."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "retrieval.yaml"
    raw = read_yaml(path) or {}
    known = {"bm25", "name_repeat", "parts_weight", "synonym_weight", "phrase_bonus", "suggest_count", "thresholds"}
    if not isinstance(raw, dict) or set(raw) - known:
        raise CatalogueError(path, None, None, f"expected a mapping with keys {', '.join(sorted(known))}")
    for section in ("bm25", "thresholds"):
        if not isinstance(raw.get(section) or {}, dict):
            raise CatalogueError(path, None, section, "expected a mapping")
    th_known = {f.name for f in fields(Thresholds)}
    unknown = sorted(set(raw.get("thresholds") or {}) - th_known)
    if unknown:
        raise CatalogueError(path, None, f"thresholds.{unknown[0]}", f"unknown threshold (known: {', '.join(sorted(th_known))})")
    bm = raw.get("bm25") or {}
    variant = bm.get("variant", "plus")
    if variant not in ("okapi", "l", "plus"):
        raise CatalogueError(path, None, "bm25.variant", f"{variant!r} is not okapi, l or plus")
    th = raw.get("thresholds") or {}
    return RetrievalConfig(
        bm25_variant=variant,
        k1=_number(path, bm, "k1", 1.2, 0.0, 5.0),
        b=_number(path, bm, "b", 0.75, 0.0, 1.0),
        delta=_number(path, bm, "delta", 0.5, 0.0, 5.0),
        name_repeat=int(_number(path, raw, "name_repeat", 3, 1, 10)),
        parts_weight=_number(path, raw, "parts_weight", 0.3, 0.0, 1.0),
        synonym_weight=_number(path, raw, "synonym_weight", 0.6, 0.0, 1.0),
        phrase_bonus=_number(path, raw, "phrase_bonus", 10.0, 0.0, 1000.0),
        suggest_count=int(_number(path, raw, "suggest_count", 3, 1, 10)),
        thresholds=Thresholds(
            min_coverage=_number(path, th, "min_coverage", 0.25, 0.0, 1.0),
            min_explained=_number(path, th, "min_explained", 1000.0, 0.0, 1000.0),
            oos_min=_number(path, th, "oos_min", 0.4, 0.0, 1.0),
            oos_margin=_number(path, th, "oos_margin", 0.1, -1.0, 1.0),
            passing_coverage=_number(path, th, "passing_coverage", 0.6, 0.0, 1.01),
            passing_gap=_number(path, th, "passing_gap", 0.3, 0.0, 1.01),
            min_name=_number(path, th, "min_name", 0.4, 0.0, 1.0),
            min_core=_number(path, th, "min_core", 0.5, 0.0, 1.0),
            answer_ratio=_number(path, th, "answer_ratio", 1.15, 1.0, 100.0),
        ),
    )
