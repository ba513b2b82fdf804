"""data/english.yaml: one English name for every answer of the catalogue, and for nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from retrieval.loader import StrictLoader, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "data" / "english.yaml"
APPENDIX_IDS = ("societies", "tast", "cast", "enterprise-association-rules")
MAX_LENGTH = 120


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    # StrictLoader is PyYAML's SafeLoader that also rejects duplicate keys (which would hide a missing id).
    data = yaml.load(ENGLISH.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506 - a SafeLoader
    assert isinstance(data, dict) and set(data) == {"names"}
    assert isinstance(data["names"], dict)
    return data["names"]


@pytest.fixture(scope="module")
def expected_ids() -> list[str]:
    return [s.id for s in load_catalogue().services] + list(APPENDIX_IDS)


def test_every_answer_named_and_no_other(names: dict[str, str], expected_ids: list[str]) -> None:
    assert all(isinstance(k, str) for k in names), "ids must be strings: quote the service ids"
    missing = [i for i in expected_ids if i not in names]
    extra = [k for k in names if k not in expected_ids]
    assert not missing, f"no English name for {missing}"
    assert not extra, f"not a catalogue answer: {extra}"
    assert list(names) == expected_ids, "names not in catalogue order (services, then appendix)"


def test_each_name_is_one_short_english_line(names: dict[str, str]) -> None:
    for answer_id, name in names.items():
        assert isinstance(name, str) and name.strip(), f"{answer_id}: empty name"
        assert name == name.strip(), f"{answer_id}: leading or trailing space"
        assert "\n" not in name and "\r" not in name, f"{answer_id}: more than one line"
        assert len(name) <= MAX_LENGTH, f"{answer_id}: {len(name)} characters (at most {MAX_LENGTH})"
        assert re.search(r"[A-Za-z]", name), f"{answer_id}: no English letters"
