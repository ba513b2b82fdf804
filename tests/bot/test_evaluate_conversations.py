"""The multi-turn evaluator: a conversation runs in a real assistant, turns are judged as a user would see them."""

from __future__ import annotations

import json

import pytest

from bot import evaluate

CONVERSATIONS = """
- id: qingtuo
  style: followup
  turns:
    - say: "青托"
      expect: ["13"]
    - say: "资助多少"
      expect: ["13"]
      facts: ["15万元"]
    - say: "还有类似的吗"
      list: ["11", "12", "39"]
- id: weather
  style: oos
  turns:
    - say: "天津明天会下雨吗"
      expect: []
- id: wrong-on-purpose
  style: keyword
  turns:
    - say: "科普大使"
      expect: ["13"]
"""


def test_conversations_are_run_and_judged(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(CONVERSATIONS, encoding="utf-8")
    assert evaluate.main(["--conversations", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conversations"] == 3 and data["turns"] == 5
    assert data["fully_right"] == pytest.approx(2 / 3, abs=1e-3)
    assert data["by_style"]["followup"]["fully_right"] == 1.0
    [miss] = data["misses"]
    assert miss["id"] == "wrong-on-purpose" and miss["cards"] == ["57"]


@pytest.mark.parametrize("text,message", [
    ("- id: x\n  turns: []\n", "conversation x: field turns"),
    ("- id: x\n  turns:\n    - say: 青托\n", "give exactly one of expect or list"),
    ("- id: x\n  turns:\n    - say: 青托\n      expect: [13]\n", "expected a list of quoted ids"),
    ("nope: [", "YAML syntax error"),
])
def test_a_bad_file_is_one_line_naming_the_conversation_and_field(tmp_path, capsys, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    assert evaluate.main(["--conversations", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and str(path) in err
