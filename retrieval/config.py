"""Search settings from data/retrieval.yaml: BM25 parameters and field weights (the decision is fitted: data/decision.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import DATA_DIR, CatalogueError, read_yaml


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


def _number(path: Path, data: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise CatalogueError(path, None, key, f"expected a number from {low} to {high}, got {value!r}")
    return float(value)


def load_config(data_dir: str | Path | None = None) -> RetrievalConfig:
    """Load and validate data/retrieval.yaml."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "retrieval.yaml"
    raw = read_yaml(path) or {}
    known = {"bm25", "name_repeat", "parts_weight", "synonym_weight", "phrase_bonus", "suggest_count"}
    if not isinstance(raw, dict) or set(raw) - known:
        raise CatalogueError(path, None, None, f"expected a mapping with keys {', '.join(sorted(known))}")
    if not isinstance(raw.get("bm25") or {}, dict):
        raise CatalogueError(path, None, "bm25", "expected a mapping")
    bm = raw.get("bm25") or {}
    variant = bm.get("variant", "plus")
    if variant not in ("okapi", "l", "plus"):
        raise CatalogueError(path, None, "bm25.variant", f"{variant!r} is not okapi, l or plus")
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
    )
