"""The strict YAML loader: libyaml when installed, the same data and the same one-line errors either way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retrieval import loader
from retrieval.loader import CatalogueError, StrictLoader, read_yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted((ROOT / "data").rglob("*.yaml")) + sorted((ROOT / "conversations").rglob("*.yaml"))

BROKEN = {
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "nested duplicate": "top:\n  x: 1\n  x: 2\n",
    "unclosed flow": "items:\n  - [unclosed\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "tab": "a:\n\t- 1\n",
    "mapping in plain scalar": "a: b: c\n",
    "unclosed quote": "a: \"open\n",
    "not utf-8": b"a: \xff\xfe\n",
}


def pure(monkeypatch) -> None:
    monkeypatch.setattr(loader, "FAST_LOADER", StrictLoader)


def message(path: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        read_yaml(path)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_libyaml_is_used_when_installed():
    assert yaml.__with_libyaml__, "PyYAML without libyaml: start-up is slower but still correct"
    assert issubclass(loader.FAST_LOADER, yaml.CSafeLoader)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_file_reads_the_same_with_both_parsers(path, monkeypatch):
    fast = read_yaml(path)
    pure(monkeypatch)
    assert read_yaml(path) == fast


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_give_the_same_one_line_error(tmp_path, case, monkeypatch):
    path = tmp_path / "broken.yaml"
    content = BROKEN[case]
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    fast = message(path)
    pure(monkeypatch)
    assert message(path) == fast
    assert fast.startswith(str(path.relative_to(tmp_path.parent)) + ": ")


def test_libyaml_loader_itself_rejects_duplicate_keys():
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'a'"):
        yaml.load("a: 1\na: 2\n", Loader=loader.FAST_LOADER)  # noqa: S506 - a SafeLoader
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'a'"):
        yaml.load("a: 1\na: 2\n", Loader=StrictLoader)  # noqa: S506


def test_duplicate_key_error_names_file_line_and_key(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_text("公司: [企业]\n专利: [知识产权]\n公司: [重复]\n", encoding="utf-8")
    assert message(path) == f"{tmp_path.name}/synonyms.yaml: line 3: YAML error: duplicate key '公司'"


def test_missing_file_is_one_line(tmp_path):
    assert message(tmp_path / "nope.yaml").endswith("nope.yaml: file not found")


@pytest.mark.parametrize("content", ["\ufeffa: 1\nb: [x, y]\n", "a: 1\r\nb: 两行\r\n", "a: !!str 1\nb: 2024-01-01\n"])
def test_edge_files_read_the_same_with_both_parsers(tmp_path, content, monkeypatch):
    path = tmp_path / "edge.yaml"
    path.write_bytes(content.encode("utf-8"))
    fast = read_yaml(path)
    pure(monkeypatch)
    assert read_yaml(path) == fast
