"""Calibration: thresholds fitted with cross-validation by file, each mechanism measured, written back safely."""

from __future__ import annotations

import json

import pytest

from retrieval import calibrate
from retrieval.calibrate import MECHANISMS
from retrieval.config import load_config

pytestmark = pytest.mark.bench  # fits thresholds and measures every mechanism: the tuning tool's own runs

A = """
- {q: "青托申报条件", expect: ["13"], style: keyword}
- {q: "科普大使归哪个部门管", expect: ["57"], style: contact}
- {q: "天津明天会下雨吗", expect: [], style: oos}
- {q: "外国人来华工作许可证怎么办理", expect: [], style: near_miss}
"""
B = """
- {q: "青拖", expect: ["13"], style: typo}
- {q: "院士工作站有效期几年", expect: ["10"], style: keyword}
- {q: "今天午饭吃什么好", expect: [], style: oos}
"""


def test_calibration_cross_validates_by_file_measures_mechanisms_and_writes_back(tmp_path, data_copy, capsys):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(A, encoding="utf-8")
    b.write_text(B, encoding="utf-8")
    before = (data_copy / "retrieval.yaml").read_text(encoding="utf-8")
    assert calibrate.main(["--questions", str(a), str(b), "--json", "--write", "--data", str(data_copy)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["cross_validated"]["by_file"]) == {"a.yaml", "b.yaml"}
    assert set(report["without"]) == set(MECHANISMS)
    assert report["fitted_on_all"]["oos_answered"] == 0
    after = (data_copy / "retrieval.yaml").read_text(encoding="utf-8")
    # The file keeps its comments and still loads, with the fitted values in it.
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in after.splitlines() if line.lstrip().startswith("#")]
    written = load_config(data_copy).thresholds
    assert all(getattr(written, k) == v for k, v in report["thresholds"].items())


def test_a_bad_question_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {q: 青托}\n", encoding="utf-8")
    assert calibrate.main(["--questions", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
