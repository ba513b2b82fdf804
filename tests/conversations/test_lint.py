"""python -m conversations.lint: every shipped flow passes; broken flows name file and step."""

from datetime import date
from pathlib import Path

import pytest

from conversations import lint
from conversations.loader import FLOWS_DIR

GOOD = """
id: {id}
service: "13"
title: 测试
intro: 测试用
questions:
  - id: citizen
    type: yesno
    prompt: 是中国籍吗？
  - id: age
    type: number
    min: 1
    max: 99
    prompt: 年龄？
conditions:
  - id: c
    quote: 测试条件
    holds:
      all:
        - {{q: citizen, op: eq, value: yes}}
        - {{q: age, op: le, value: 32}}
"""


def test_shipped_flows_pass_and_print_one_line_each(capsys):
    assert lint.main(["--reference-date", "2026-12-31"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    flows = list(Path(FLOWS_DIR).glob("*.yaml"))
    assert len(out) == len(flows) + 1  # one per flow plus the finder
    assert any(line.startswith("youth_talent_lift") and "service 13" in line for line in out)
    required = {"01", "02", "03", "06", "08", "11", "13", "14", "17", "18", "21", "39", "44", "52", "55", "56", "71"}
    assert required <= {line.split("service ")[1][:2] for line in out if "service " in line}


@pytest.mark.parametrize("mutate,step,problem", [
    (lambda t: t.replace('service: "13"', 'service: "99"'), "service", "not a catalogue service id"),
    (lambda t: t.replace("type: number", "type: slider"), "age", "unknown answer type"),
    (lambda t: t.replace("{q: age, op: le", "{q: height, op: le"), "c.holds", "undefined question 'height'"),
    (lambda t: t.replace("value: yes}", "value: maybe}"), "c.holds", "not an option"),
    (lambda t: t.replace("op: le", "op: about"), "c.holds", "unknown operator"),
    (lambda t: t.replace("        - {q: age, op: le, value: 32}\n", ""), "age", "no condition or ask_if reads"),
    (lambda t: t + "examples:\n  - {name: e, answers: {height: 1}, verdict: 符合}\n", "examples[0] (e)",
     "'height' is not a question"),
    (lambda t: t + "examples:\n  - {name: e, answers: {age: 30}, verdict: 可以}\n", "examples[0] (e)",
     "verdict must be one of"),
    (lambda t: t + "examples:\n  - {name: e, answers: {age: 30}, verdict: 符合, not_met: [x]}\n", "examples[0] (e)",
     "condition ids"),
    (lambda t: t + "examples:\n  - {name: e, answers: {citizen: yes}, verdict: 符合}\n", "examples[0] (e)",
     "quote yes/no"),
])
def test_broken_flows_name_file_and_step(tmp_path, capsys, mutate, step, problem):
    path = tmp_path / "broken.yaml"
    path.write_text(mutate(GOOD.format(id="broken")), encoding="utf-8")
    assert lint.main(["--flows", str(tmp_path), "--reference-date", "2026-12-31"]) == 1
    err = capsys.readouterr().err
    assert "broken.yaml" in err and f"step {step}" in err and problem in err


def test_unreachable_question_is_reported(tmp_path):
    # age is asked only for 团队, but choosing 团队 already fails the condition: age can never be asked.
    text = GOOD.format(id="gated").replace(
        "    type: yesno\n    prompt: 是中国籍吗？\n",
        "    type: choice\n    options:\n      - {value: person, label: 个人}\n      - {value: team, label: 团队}\n"
        "    prompt: 个人还是团队？\n").replace(
        "    prompt: 年龄？\n", "    prompt: 年龄？\n    ask_if: {q: citizen, op: eq, value: team}\n").replace(
        "{q: citizen, op: eq, value: yes}", "{q: citizen, op: eq, value: person}")
    (tmp_path / "gated.yaml").write_text(text, encoding="utf-8")
    lines, problems = lint.lint(tmp_path, None, date(2026, 12, 31))
    assert any("step age: unreachable" in p for p in problems)


def test_flow_id_must_match_file_name(tmp_path):
    (tmp_path / "other.yaml").write_text(GOOD.format(id="mismatch"), encoding="utf-8")
    _, problems = lint.lint(tmp_path, None, date(2026, 12, 31))
    assert any("must match the file name" in p for p in problems)


CHOICE = """
id: {id}
service: "13"
title: 测试
intro: 测试用
questions:
  - id: kind
    type: choice
    prompt: 哪一类？
    options:
{options}
conditions:
  - id: c
    quote: 测试条件
    holds: {{q: kind, op: eq, value: a}}
"""


@pytest.mark.parametrize("labels", [
    ["园区（工业园区）", "园区（科技园区）"],   # the same short form: typing 园区 picks the first
    ["企业科协", "企业科协"],                  # the same label twice
    ["2", "1"],                               # a label that is another option's number
])
def test_confusable_option_labels_are_reported(tmp_path, labels):
    options = "\n".join(f"      - {{value: {v}, label: \"{label}\"}}" for v, label in zip("ab", labels))
    (tmp_path / "confused.yaml").write_text(CHOICE.format(id="confused", options=options), encoding="utf-8")
    _, problems = lint.lint(tmp_path, None, date(2026, 12, 31))
    assert any("confused.yaml: step kind:" in p and "make the labels distinct" in p for p in problems), problems


def test_a_label_inside_another_passes_when_the_reader_tells_them_apart(tmp_path):
    # 在职 lies inside 目前不在职; the reader reads the negation, so typing either label selects it.
    options = "      - {value: a, label: 在职}\n      - {value: b, label: 目前不在职}"
    (tmp_path / "negated.yaml").write_text(CHOICE.format(id="negated", options=options), encoding="utf-8")
    _, problems = lint.lint(tmp_path, None, date(2026, 12, 31))
    assert problems == []


def test_residual_rules_behave_like_the_rules_they_come_from():
    # The lint walk counts paths per residual; this proves that putting answers in early changes nothing.
    import itertools
    import random

    from conversations.loader import load_flows
    from conversations.rules import evaluate, residual

    reference = date(2026, 12, 31)
    rng = random.Random(7)
    for f in load_flows().values():
        samples = {q.id: lint.sample_values(f, q, reference) for q in f.questions}
        for _ in range(40):
            answers = {q: rng.choice(v) for q, v in samples.items() if rng.random() < 0.7}
            early = dict(itertools.islice(answers.items(), len(answers) // 2))
            for rule in [c.holds for c in f.conditions] + [q.ask_if for q in f.questions]:
                left = residual(rule, early, reference)
                got = left if isinstance(left, bool) else evaluate(left, answers, reference)
                assert got == evaluate(rule, answers, reference), (f.id, rule, answers)
