"""The evaluation tool: metrics, exact JSON keys, per-style breakdown, misses, bad files."""

import json
from pathlib import Path

import pytest

from retrieval import evaluate

QUESTIONS = """
- q: "青托申报"
  expect: ["13"]
  style: keyword
- q: "科普大使归哪个部门管，电话多少"
  expect: ["57"]
  style: contact
- q: "天津明天会下雨吗"
  expect: []
  style: oos
- q: "今天午饭吃什么好"
  expect: []
  style: oos
"""


def test_json_has_exactly_the_documented_keys(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    assert evaluate.main(["--questions", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"top1", "recall3", "mrr", "oos_rejection", "false_rejection", "answered_precision",
                         "oos_answered", "counts", "by_style", "misses"}
    assert data["top1"] == 1.0 and data["oos_rejection"] == 1.0 and data["false_rejection"] == 0.0
    assert data["counts"]["questions"] == 4 and set(data["by_style"]) == {"keyword", "contact", "oos"}


def test_report_lists_misses(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text('- q: "青托申报"\n  expect: ["57"]\n  style: keyword\n', encoding="utf-8")
    assert evaluate.main(["--questions", str(path)]) == 0
    out = capsys.readouterr().out
    assert "top1 0.000" in out and "misses (1)" in out and "青托申报" in out


@pytest.mark.parametrize("content,problem", [
    ("- q: 1\n  expect: []\n", "field q"),
    ('- q: "x"\n  expect: "13"\n', "field expect"),
    ('- q: "x"\n  expect: ["99"]\n', "unknown id '99'"),
    ("[unclosed", "YAML syntax error"),
])
def test_bad_question_files_fail_in_one_line(tmp_path, capsys, content, problem):
    path = tmp_path / "q.yaml"
    path.write_text(content, encoding="utf-8")
    assert evaluate.main(["--questions", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert problem in err and "\n" not in err


def _meets_targets(capsys, path: Path) -> None:
    assert evaluate.main(["--questions", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["top1"] >= 0.90 and data["recall3"] >= 0.97
    assert data["oos_rejection"] >= 0.85 and data["false_rejection"] <= 0.05


@pytest.mark.parametrize("name", ["holdout_a", "holdout_b"])
def test_question_sets_meet_the_targets(capsys, name):
    """Regression guard for the method on the project's own held-out sets."""
    _meets_targets(capsys, Path(__file__).resolve().parents[2] / "eval" / f"{name}.yaml")


@pytest.mark.source
def test_development_sample_meets_the_targets(capsys, shared):
    """Regression guard on the development sample in ../shared."""
    _meets_targets(capsys, shared / "eval" / "dev_questions.yaml")
