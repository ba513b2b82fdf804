"""Load and validate flow YAML files into conversations.model records.

Rules are structured data (all / any / not over comparisons); nothing in a flow file is ever
evaluated as code. Every problem raises FlowError naming the file, the step and what is wrong.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from retrieval.loader import CatalogueError, read_yaml

from .model import (ANSWER_TYPES, NO, OPERATORS, UNSURE, VERDICTS, YES, All, Any_, Compare, Condition, Example, Flow,
                    Not, Option, Question, Rule, Unknown, rule_compares, rule_questions)
from .words import answer_words

FLOWS_DIR = Path(__file__).resolve().parent / "flows"

FLOW_KEYS = {"id", "service", "title", "intro", "questions", "conditions", "next_step", "examples"}
QUESTION_KEYS = {"id", "type", "prompt", "options", "min", "max", "unit", "error", "help", "ask_if", "unsure"}
CONDITION_KEYS = {"id", "quote", "holds", "note"}
EXAMPLE_KEYS = {"name", "answers", "verdict", "met", "not_met", "unknown", "read", "unsure_everywhere", "reference"}
WALK_KEYS = {"name", "every_answer", "never", "sometimes", "unsure_everywhere", "reference"}
YESNO_LABELS = {YES: "是", NO: "否", UNSURE: "不确定"}


class FlowError(ValueError):
    """A flow file is malformed; str() is one line naming the file and the step."""

    def __init__(self, file: str | Path, step: str | None, problem: str) -> None:
        self.file = str(file)
        self.step = step
        self.problem = problem
        where = f"{self.file}: step {step}" if step else self.file
        super().__init__(f"{where}: {problem}")


def _rule(raw: Any, fail: Any, where: str) -> Rule:
    if raw == "unknown":
        return Unknown()
    if not isinstance(raw, dict) or len(raw) == 0:
        raise fail(where, f"a rule must be a mapping (all/any/not/q) or 'unknown', got {raw!r}")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        if set(raw) != {key} or not isinstance(raw[key], list) or not raw[key]:
            raise fail(where, f"'{key}' takes a non-empty list of rules and nothing else")
        parts = tuple(_rule(p, fail, f"{where}.{key}[{i}]") for i, p in enumerate(raw[key]))
        return All(parts) if key == "all" else Any_(parts)
    if "not" in raw:
        if set(raw) != {"not"}:
            raise fail(where, "'not' takes one rule and nothing else")
        return Not(_rule(raw["not"], fail, f"{where}.not"))
    unknown = set(raw) - {"q", "op", "value", "as"}
    if unknown or "q" not in raw or "op" not in raw:
        raise fail(where, f"a comparison needs q and op (and value), got keys {sorted(raw)}")
    if raw["op"] not in OPERATORS:
        raise fail(where, f"unknown operator {raw['op']!r} (known: {', '.join(OPERATORS)})")
    if raw.get("as") not in (None, "age"):
        raise fail(where, f"'as' can only be 'age', got {raw.get('as')!r}")
    if raw["op"] != "answered" and "value" not in raw:
        raise fail(where, f"operator {raw['op']!r} needs a value")
    value = raw.get("value")
    if raw["op"] == "in":
        if not isinstance(value, list):
            raise fail(where, "operator 'in' needs a list value")
        value = tuple(value)
    if isinstance(value, bool):  # YAML reads yes/no as booleans; answers are stored as "yes"/"no"
        value = YES if value else NO
    return Compare(question=str(raw["q"]), op=raw["op"], value=value, as_age=raw.get("as") == "age")


def _question(raw: Any, fail: Any, index: int) -> Question:
    where = f"questions[{index}]"
    if not isinstance(raw, dict):
        raise fail(where, "expected a mapping")
    qid = raw.get("id")
    if not isinstance(qid, str) or not qid.isidentifier():
        raise fail(where, f"id must be a simple name like age or citizen, got {qid!r}")
    where = qid
    unknown = set(raw) - QUESTION_KEYS
    if unknown:
        raise fail(where, f"unknown key {sorted(unknown)[0]!r}")
    qtype = raw.get("type")
    if qtype not in ANSWER_TYPES:
        raise fail(where, f"unknown answer type {qtype!r} (known: {', '.join(ANSWER_TYPES)})")
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise fail(where, "prompt is required")
    options: tuple[Option, ...] = ()
    if qtype == "yesno":
        if "options" in raw:
            raise fail(where, "a yesno question has fixed options; use type choice for others")
        # Every yes/no question offers 不确定: a user who cannot answer must never be stuck in a loop.
        # `unsure: false` is still accepted; it now marks a fact the user can look up (see `help`).
        if not isinstance(raw.get("unsure", True), bool):
            raise fail(where, f"unsure must be true or false, got {raw['unsure']!r}")
        options = tuple(Option(v, YESNO_LABELS[v]) for v in (YES, NO, UNSURE))
    elif qtype == "choice":
        raw_opts = raw.get("options")
        if not isinstance(raw_opts, list) or len(raw_opts) < 2:
            raise fail(where, "a choice question needs at least two options")
        seen = set()
        opts = []
        for i, o in enumerate(raw_opts):
            if not isinstance(o, dict) or set(o) - {"value", "label"} or not o.get("value") or not o.get("label"):
                raise fail(where, f"options[{i}] needs value and label")
            if str(o["value"]) in seen:
                raise fail(where, f"duplicate option value {o['value']!r}")
            seen.add(str(o["value"]))
            opts.append(Option(str(o["value"]), str(o["label"])))
        options = tuple(opts)
    elif "options" in raw:
        raise fail(where, f"a {qtype} question takes no options")
    if "help" in raw and not (isinstance(raw["help"], str) and raw["help"].strip()):
        raise fail(where, "help must be a non-empty text saying where to find the answer")
    if "unsure" in raw and qtype != "yesno":
        raise fail(where, "unsure only applies to yesno questions")
    low, high = raw.get("min"), raw.get("max")
    if qtype == "number":
        if not isinstance(low, (int, float)) or not isinstance(high, (int, float)) or low >= high:
            raise fail(where, "a number question needs min < max")
    elif low is not None or high is not None:
        raise fail(where, "min/max only apply to number questions")
    return Question(
        id=qid, type=qtype, prompt=prompt.strip(), options=options,
        min=low, max=high, unit=str(raw.get("unit") or ""), error=str(raw.get("error") or ""),
        help=str(raw.get("help") or "").strip(),
        fact=qtype == "yesno" and raw.get("unsure") is False,
        ask_if=_rule(raw["ask_if"], fail, f"{qid}.ask_if") if raw.get("ask_if") is not None else None,
    )


def _check_compare(c: Compare, flow_questions: dict[str, Question], fail: Any, where: str,
                   earlier: set[str] | None = None) -> None:
    q = flow_questions.get(c.question)
    if q is None:
        raise fail(where, f"rule refers to undefined question {c.question!r}")
    if earlier is not None and c.question not in earlier:
        raise fail(where, f"ask_if may only read earlier questions, not {c.question!r}")
    if c.as_age and q.type != "date":
        raise fail(where, f"'as: age' needs a date question, {c.question!r} is {q.type}")
    if q.type in ("yesno", "choice") and c.op in ("eq", "ne", "in"):
        allowed = {o.value for o in q.options}
        values = c.value if c.op == "in" else (c.value,)
        for v in values:
            if str(v) not in allowed:
                raise fail(where, f"{v!r} is not an option of {c.question!r} (options: {', '.join(sorted(allowed))})")
    if q.type in ("yesno", "choice") and c.op in ("lt", "le", "gt", "ge"):
        raise fail(where, f"operator {c.op!r} does not apply to {q.type} question {c.question!r}")
    if (q.type == "number" or c.as_age) and c.op not in ("answered",) and not isinstance(c.value, (int, float, tuple)):
        raise fail(where, f"compare {c.question!r} with a number, got {c.value!r}")
    if q.type == "date" and not c.as_age and c.op != "answered":
        raise fail(where, f"compare date question {c.question!r} with 'as: age'")


def _ids(raw: Any, known: set[str], fail: Any, where: str, what: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(i, str) and i in known for i in raw):
        raise fail(where, f"expected a list of {what} ids of this flow, got {raw!r}")
    return frozenset(raw)


def _answers(raw: Any, questions: dict[str, Question], fail: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise fail(where, "expected a mapping of question ids to answers")
    for qid, value in raw.items():
        if qid not in questions:
            raise fail(where, f"{qid!r} is not a question of this flow")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise fail(where, f"the answer to {qid!r} must be text or a number (quote yes/no), got {value!r}")
    return dict(raw)


def _example(raw: Any, questions: dict[str, Question], conditions: set[str], fail: Any, index: int) -> Example:
    """Validate one line of the verdict table."""
    where = f"examples[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise fail(where, "an example is a mapping with a name")
    where = f"examples[{index}] ({raw['name']})"
    walk = raw.get("every_answer") is True
    extra = set(raw) - (WALK_KEYS if walk else EXAMPLE_KEYS)
    if extra:
        raise fail(where, f"unknown key {sorted(extra)[0]!r}")
    if not isinstance(raw.get("unsure_everywhere", False), bool):
        raise fail(where, "unsure_everywhere must be true or false")
    reference = raw.get("reference")
    if isinstance(reference, str):
        try:
            reference = date.fromisoformat(reference)
        except ValueError:
            raise fail(where, f"reference must be a date like 2026-12-31, got {reference!r}") from None
    if reference is not None and not isinstance(reference, date):
        raise fail(where, f"reference must be a date like 2026-12-31, got {reference!r}")
    name, unsure = raw["name"].strip(), bool(raw.get("unsure_everywhere", False))
    if walk:
        never, sometimes = raw.get("never", []), raw.get("sometimes", [])
        for key, value in (("never", never), ("sometimes", sometimes)):
            if not isinstance(value, list) or not all(v in VERDICTS for v in value):
                raise fail(where, f"{key} must list verdicts ({', '.join(VERDICTS)})")
        return Example(name, unsure_everywhere=unsure, reference=reference, every_answer=True, never=tuple(never),
                       sometimes=tuple(sometimes))
    if raw.get("verdict") not in VERDICTS:
        raise fail(where, f"verdict must be one of {', '.join(VERDICTS)}, got {raw.get('verdict')!r}")
    met, not_met, unknown = (_ids(raw[k], conditions, fail, where, "condition") if k in raw else None
                             for k in ("met", "not_met", "unknown"))
    return Example(name, _answers(raw.get("answers"), questions, fail, where), raw["verdict"], met, not_met, unknown,
                   read=_answers(raw.get("read", {}), questions, fail, f"{where} read"), unsure_everywhere=unsure,
                   reference=reference)


def _conditions(raw_cs: Any, by_id: dict[str, Question], fail: Any) -> list[Condition]:
    """Validate the conditions: each quotes the catalogue and holds a rule over the flow's questions."""
    if not isinstance(raw_cs, list) or not raw_cs:
        raise fail("conditions", "a flow needs at least one condition")
    conditions = []
    for i, c in enumerate(raw_cs):
        if not isinstance(c, dict) or set(c) - CONDITION_KEYS:
            raise fail(f"conditions[{i}]", f"expected keys {', '.join(sorted(CONDITION_KEYS))}")
        cid = c.get("id")
        if not isinstance(cid, str) or not cid:
            raise fail(f"conditions[{i}]", "id is required")
        if not isinstance(c.get("quote"), str) or not c["quote"].strip():
            raise fail(cid, "quote (the condition as the catalogue prints it) is required")
        if c.get("holds") is None:
            raise fail(cid, "holds (the rule) is required")
        rule = _rule(c["holds"], fail, f"{cid}.holds")
        for cmp in rule_compares(rule):
            _check_compare(cmp, by_id, fail, f"{cid}.holds")
        conditions.append(Condition(cid, c["quote"].strip(), rule, str(c.get("note") or "").strip()))
    if len({c.id for c in conditions}) != len(conditions):
        raise fail("conditions", "duplicate condition id")
    return conditions


def load_flow(path: str | Path, service_ids: set[str] | None = None) -> Flow:
    """Load and validate one flow file."""
    path = Path(path)

    def fail(step: str | None, problem: str) -> FlowError:
        return FlowError(path, step, problem)

    try:
        raw = read_yaml(path)
    except CatalogueError as exc:
        raise FlowError(path, None, exc.problem) from None
    if not isinstance(raw, dict):
        raise fail(None, "expected a mapping with id, service, title, questions, conditions")
    unknown = set(raw) - FLOW_KEYS
    if unknown:
        raise fail(None, f"unknown key {sorted(unknown)[0]!r}")
    fid = raw.get("id")
    if not isinstance(fid, str) or not fid.replace("-", "_").isidentifier():
        raise fail("id", f"flow id must be a simple name, got {fid!r}")
    if fid != path.stem:
        raise fail("id", f"flow id {fid!r} must match the file name {path.stem!r}")
    service = raw.get("service")
    if not isinstance(service, str):
        raise fail("service", f"service must be a quoted id like \"13\", got {service!r}")
    if service_ids is not None and service not in service_ids:
        raise fail("service", f"{service!r} is not a catalogue service id")
    for key in ("title", "intro"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(key, "is required")
    if raw.get("next_step") is not None and (not isinstance(raw["next_step"], str) or not raw["next_step"].strip()):
        raise fail("next_step", "must be text (the verdict's next step, in place of the entry's 申报方式)")
    raw_qs = raw.get("questions")
    if not isinstance(raw_qs, list) or not raw_qs:
        raise fail("questions", "a flow needs at least one question")
    questions = [_question(q, fail, i) for i, q in enumerate(raw_qs)]
    by_id: dict[str, Question] = {}
    for q in questions:
        if q.id in by_id:
            raise fail(q.id, "duplicate question id")
        by_id[q.id] = q
    earlier: set[str] = set()
    for q in questions:
        for c in rule_compares(q.ask_if):
            _check_compare(c, by_id, fail, f"{q.id}.ask_if", earlier)
        earlier.add(q.id)
    conditions = _conditions(raw.get("conditions"), by_id, fail)
    used = set().union(*(rule_questions(c.holds) for c in conditions),
                       *(rule_questions(q.ask_if) for q in questions))
    for q in questions:
        if q.id not in used:
            raise fail(q.id, "no condition or ask_if reads this question's answer")
    raw_examples = raw.get("examples", [])
    if not isinstance(raw_examples, list):
        raise fail("examples", "expected a list (the verdict table)")
    examples = tuple(_example(e, by_id, {c.id for c in conditions}, fail, i) for i, e in enumerate(raw_examples))
    return Flow(id=fid, service=service, title=raw["title"].strip(), intro=raw["intro"].strip(),
                questions=tuple(questions), conditions=tuple(conditions), source_file=str(path),
                next_step=str(raw.get("next_step") or "").strip(), examples=examples)


def load_flows(directory: str | Path | None = None, service_ids: set[str] | None = None) -> dict[str, Flow]:
    """Load every flow file in the directory; keyed by flow id (and check the words replies are read by)."""
    answer_words()  # conversations/answers.yaml: a malformed file stops the start here, in one line
    root = Path(directory) if directory else FLOWS_DIR
    flows = {}
    for path in sorted(root.glob("*.yaml")):
        flow = load_flow(path, service_ids)
        flows[flow.id] = flow
    return flows
