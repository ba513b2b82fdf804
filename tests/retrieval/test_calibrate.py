"""Calibration: the decision fitted with leave-one-file-out cross-validation, each feature group measured, the
fit written to data/decision.yaml and read back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval import calibrate
from retrieval.features import FEATURES, GROUPS
from retrieval.intents import INTENT_FEATURES
from retrieval.examples import INTENTS
from retrieval.dialogue import TURN_FEATURES
from retrieval.passages import PASSAGE_FEATURES
from retrieval.policy_search import POLICY_FEATURES
from retrieval.scorer import load_decision

A = """
- {q: "青托申报条件", expect: ["13"], style: keyword}
- {q: "科普大使归哪个部门管", expect: ["57"], style: contact}
- {q: "天津明天会下雨吗", expect: [], style: oos}
- {q: "外国人来华工作许可证怎么办理", expect: [], style: nearmiss}
"""
B = """
- {q: "青拖", expect: ["13"], style: typo}
- {q: "院士工作站有效期几年", expect: ["10"], style: keyword}
- {q: "今天午饭吃什么好", expect: [], style: oos}
"""
C = """
- {q: "科技周每年几月办", expect: ["50"], style: condition}
- {q: "北京市科协的电话", expect: [], style: nearmiss}
"""

CONVERSATIONS = """
- id: t1
  style: followup
  turns:
    - {say: "青托申报条件", expect: ["13"]}
    - {say: "有年龄限制吗", expect: ["13"], facts: ["32岁"]}
- id: t2
  style: followup
  turns:
    - {say: "科普大使怎么评", expect: ["57"]}
    - {say: "电话多少", expect: ["57"], facts: ["022-"]}
    - {say: "今天天气怎么样", expect: []}
"""


@pytest.mark.bench
def test_calibration_cross_validates_by_file_measures_groups_and_writes_the_decision(tmp_path, data_copy, capsys):
    files = []
    for name, text in (("a", A), ("b", B), ("c", C)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    conversations = tmp_path / "conversations.yaml"
    conversations.write_text(CONVERSATIONS, encoding="utf-8")
    assert calibrate.main(["--questions", *files, "--conversations", str(conversations), "--json", "--write",
                           "--data", str(data_copy)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["cross_validated"]["by_file"]) == {"a.yaml", "b.yaml", "c.yaml"}
    assert {f"without {g}" for g in GROUPS} <= set(report["ablation"])
    assert 0 <= report["brier"]["best_answer"] <= 1
    assert report["turns"]["cross_validated"]["turns"] == 3 and "without example turns" in report["turns"]["ablation"]
    written = load_decision(FEATURES, INTENT_FEATURES, INTENTS, data_copy, POLICY_FEATURES, TURN_FEATURES,
                            PASSAGE_FEATURES)
    assert written.policy is not None and written.turns is not None and written.passages is not None
    assert written.thresholds.answer == report["thresholds"]["answer"]
    assert written.thresholds.suggest == report["thresholds"]["suggest"]
    header = (data_copy / "decision.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# The fitted answer decision")


def test_thresholds_answer_only_as_precisely_as_asked():
    rows = []
    probs = []
    # Ten answerable questions: right at high probability, wrong at 0.6; two out of scope at 0.5.
    for n in range(12):
        expect = ("13",) if n < 10 else ()
        right = n < 8
        rows.append(calibrate.Row("f", "s", str(n), expect, [calibrate.Reading(["13" if right else "57"],
                                                                               np.zeros((1, len(FEATURES))))]))
        probs.append([np.array([0.95 - 0.01 * n if right else 0.6 if n < 10 else 0.5])])
    th = calibrate.choose(rows, probs, precision=0.99, refuse=0.0)
    assert 0.6 < th.answer <= 0.88
    assert 0.5 < th.suggest <= 0.6   # the wrong answers are still suggested, the out-of-scope ones declined


def test_a_bad_question_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {q: 青托}\n", encoding="utf-8")
    assert calibrate.main(["--questions", str(bad), "--no-ablation"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
