"""Example questions as data: enough per entry, independent of every evaluation file, validated on load."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from retrieval.examples import (ANSWER, INTENT, OUT_OF_SCOPE, POLICY, ExampleError, load_examples, near_duplicate,
                                near_duplicates, read_example_file)
from retrieval.model import APPENDIX_IDS
from retrieval.policies import load_policies
from retrieval.search import Taught

ROOT = Path(__file__).resolve().parents[2]
MIN_EXAMPLES = 25


def _evaluation_questions(folders: list[Path]) -> list[str]:
    out: list[str] = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                if "turns" in item:
                    out += [t["say"] for t in item["turns"]]
                elif "q" in item:
                    out.append(item["q"])
    return out


@pytest.fixture(scope="module")
def examples(searcher):
    return searcher.parts.examples.examples


def test_every_service_and_appendix_answer_has_enough_examples(examples, catalogue):
    counts = Counter(e.label for e in examples if e.kind == ANSWER and e.source not in ("names", "taught"))
    for answer in [s.id for s in catalogue.services] + list(APPENDIX_IDS):
        assert counts[answer] >= MIN_EXAMPLES, answer


def test_every_kind_of_example_is_there(examples):
    kinds = Counter(e.kind for e in examples)
    assert kinds[OUT_OF_SCOPE] >= 400 and kinds[POLICY] >= 500
    intents = Counter(e.label for e in examples if e.kind == INTENT)
    assert set(intents) == {"smalltalk", "profile", "can_apply", "human"} and min(intents.values()) >= 20
    english = [e for e in examples if e.kind == ANSWER and e.text.isascii() and " " in e.text]
    assert len(english) >= 200


def test_no_example_equals_or_nearly_equals_an_evaluation_question(examples):
    questions = _evaluation_questions([ROOT / "eval"])
    assert len(questions) > 1000
    found = near_duplicates([e.text for e in examples if e.source not in ("names", "taught")], questions)
    assert found == []


@pytest.mark.source
def test_no_example_nearly_equals_a_development_sample_question(examples, shared):
    found = near_duplicates([e.text for e in examples if e.source != "names"], _evaluation_questions([shared / "eval"]))
    assert found == []


def test_near_duplicates_are_the_same_characters_in_nearly_the_same_order():
    assert near_duplicate("青托申报条件是什么", "青托申报条件是什么？")
    assert near_duplicate("科普大使推荐表发到哪个邮箱", "科普大使推荐表发到哪个邮箱呢")
    assert not near_duplicate("青托申报条件", "青托的年龄要求")
    assert near_duplicates(["甲乙丙丁戊己庚", "完全不同的话"], ["甲乙丙丁戊己庚。"]) == [("甲乙丙丁戊己庚", "甲乙丙丁戊己庚。")]


@pytest.mark.parametrize("text, fault", [
    ("entries:\n- id: '99'\n  questions: [一个问题的例子]\n", "99"),
    ("entries:\n- id: '13'\n  questions: []\n", "questions"),
    ("entries:\n- id: '13'\n  question: [问]\n", "entries[0]"),
    ("topics:\n- examples: [问问题]\n", "topics[0]"),
    ("intents:\n  chat: [你好]\n", "chat"),
    ("stuff: []\n", "one key"),
])
def test_a_malformed_example_file_is_one_line_naming_file_entry_and_field(tmp_path, catalogue, text, fault):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExampleError) as e:
        read_example_file(path, [s.id for s in catalogue.services])
    message = str(e.value)
    assert "\n" not in message and "bad.yaml" in message and fault in message


def test_a_new_example_file_dropped_into_data_is_loaded(data_copy, catalogue):
    (data_copy / "examples" / "zz_more.yaml").write_text(
        "entries:\n- id: '13'\n  questions: [托举工程的钱每年拨几次]\n", encoding="utf-8")
    ids = [s.id for s in catalogue.services] + list(APPENDIX_IDS) + \
        [f"{d.id}/{p.id}" for d in load_policies(data_copy) for p in d.passages]
    loaded = load_examples(ids, data_copy)
    assert loaded[-1].text == "托举工程的钱每年拨几次" and loaded[-1].label == "13"


def test_what_staff_teach_becomes_an_example_of_the_same_kind(searcher):
    question = "单位里年轻人拿那个十五万的资助要走什么流程"
    taught = searcher.with_taught(Taught(aliases={"13": (question,)}, out_of_scope=("我家的猫老是掉毛",)))
    near = taught.examples.neighbours(question)
    assert near.answer("13") == pytest.approx(1.0)
    assert taught.examples.neighbours("我家的猫老是掉毛").out_of_scope == pytest.approx(1.0)
    # The shared searcher is unchanged.
    assert searcher.examples.neighbours(question).answer("13") < 1.0
