"""Engine mechanics: validation and re-asking, back, state round trip, skipping, parsing."""

from datetime import date

import pytest

from conversations import engine
from conversations.engine import Ask, State, Verdict
from tests.conftest import REFERENCE, flow


@pytest.fixture(scope="module")
def f():
    return flow("youth_talent_lift")


def test_invalid_answer_reasks_same_step_with_specific_message(f):
    state, step = engine.start(f, REFERENCE)
    state, step = engine.answer(f, state, "是")
    state, step = engine.answer(f, state, "是")
    assert isinstance(step, Ask) and step.question.id == "age"
    same_state, again = engine.answer(f, state, "很年轻")
    assert isinstance(again, Ask) and again.question.id == "age" and again.error == "请输入数字年龄，例如 30"
    assert same_state == state
    _, out_of_range = engine.answer(f, state, "300")
    assert out_of_range.error


def test_numbers_in_words_and_digits(f):
    state, _ = engine.start(f, REFERENCE)
    state, _ = engine.answer(f, state, "是")
    state, _ = engine.answer(f, state, "是")
    state, step = engine.answer(f, state, "三十一岁")
    assert state.answers["age"] == 31


def test_back_undoes_last_answer(f):
    state, _ = engine.start(f, REFERENCE)
    state, _ = engine.answer(f, state, "是")
    state, step = engine.answer(f, state, "否")
    assert isinstance(step, Verdict) and step.verdict == "不符合"
    state, step = engine.back(f, state)
    assert isinstance(step, Ask) and step.question.id == "fulltime_tianjin"
    assert "fulltime_tianjin" not in state.answers


def test_state_survives_json_round_trip(f):
    state, _ = engine.start(f, REFERENCE)
    state, _ = engine.answer(f, state, "1")
    restored = State.from_json(state.to_json())
    assert restored == state
    assert isinstance(engine.next_step(f, restored), Ask)
    assert engine.is_valid_state(f, restored)
    assert not engine.is_valid_state(f, State(f.id, REFERENCE.isoformat(), {"gone": "yes"}, ("gone",)))


def test_option_by_number_label_and_value(f):
    q = f.question("citizen")
    assert engine.parse_reply(q, "1", REFERENCE) == ("yes", "")
    assert engine.parse_reply(q, "否", REFERENCE) == ("no", "")
    assert engine.parse_reply(q, "no", REFERENCE) == ("no", "")
    assert engine.parse_reply(q, "3", REFERENCE) == ("unsure", "")
    assert engine.parse_reply(q, "不确定", REFERENCE) == ("unsure", "")  # a fact question accepts it too


@pytest.mark.parametrize("reply,value", [
    ("1990-05-01", "1990-05-01"), ("1990年5月1日", "1990-05-01"), ("1990/5/1", "1990-05-01"), ("19900501", "1990-05-01")])
def test_dates(reply, value):
    q = flow("youth_sci_tech_award").question("birth")
    assert engine.parse_reply(q, reply, REFERENCE) == (value, "")


@pytest.mark.parametrize("reply", ["1990-13-01", "明年", "2030-01-01"])
def test_bad_dates_are_rejected(reply):
    q = flow("youth_sci_tech_award").question("birth")
    value, error = engine.parse_reply(q, reply, date(2026, 12, 31))
    assert value is None and "例如" in error


def test_reference_date_is_fixed_at_start():
    f2 = flow("youth_sci_tech_award")
    state, _ = engine.start(f2, date(2021, 12, 31))
    assert state.reference_date == "2021-12-31"


# -- reading replies through the engine -----------------------------------------------------------

def answer_all(f, replies, reference=REFERENCE):
    """Answer the engine's questions in turn with these replies; return (state, last step)."""
    state, step = engine.start(f, reference)
    for reply in replies:
        state, step = engine.answer(f, state, reply)
    return state, step


def test_56_in_post_does_not_select_not_in_post_and_asks_which_option():
    f = flow("science_communication_titles")
    state, step = answer_all(f, ["是"])
    assert isinstance(step, Ask) and step.question.id == "employment"
    same, again = engine.answer(f, state, "在职")
    assert same == state and isinstance(again, Ask) and again.question.id == "employment"
    assert "在单位任职" in again.error and "新就业形态劳动者" in again.error and "自由职业者" in again.error
    assert "目前不在职" not in again.error
    state, step = engine.answer(f, state, "不在职")
    assert state.answers["employment"] == "not_working"
    assert isinstance(step, Verdict) and step.verdict == "不符合"


def test_a_bound_that_settles_every_rule_is_kept_as_an_interval():
    f = flow("outstanding_talent")  # age: 一般不超过60周岁 — over 60 needs a person
    state, step = answer_all(f, ["是", "是", "超过60岁"])
    assert state.answers["age"] == {"ge": 61, "le": 100}
    assert isinstance(step, Ask) and step.question.id == "health"
    state, step = answer_all(f, ["是", "是", "超过60岁", "是", "是", "是", "是"])
    assert isinstance(step, Verdict) and step.verdict == "需人工确认"
    assert {c.id for c in step.with_status(engine.UNKNOWN)} == {"age"}
    assert State.from_json(state.to_json()) == state


def test_a_bound_below_the_limit_is_enough(f):
    state, step = answer_all(f, ["是", "是", "30岁以下"])
    assert state.answers["age"] == {"ge": 16, "le": 30}
    assert isinstance(step, Ask) and step.question.id == "bachelor"  # relaxed_group no longer matters


def test_a_bound_that_leaves_a_rule_open_asks_for_the_exact_number(f):
    state, _ = answer_all(f, ["是", "是"])
    for reply in ("超过32", "32岁以上", "三十多岁"):
        same, step = engine.answer(f, state, reply)
        assert same == state and isinstance(step, Ask) and step.question.id == "age"
        assert "确切的数字" in step.error and reply in step.error
    state, step = engine.answer(f, state, "33")
    assert state.answers["age"] == 33 and step.question.id == "relaxed_group"


def test_a_bound_is_never_read_as_its_number(f):
    state, _ = answer_all(f, ["是", "是"])
    _, step = engine.answer(f, state, "超过32")
    assert step.error  # the old reader took 超过32 for 32, which meets 32岁以下


def test_shares_are_read_as_percentages():
    f = flow("innovation_pioneer")
    base = ["团队", "是"]
    for reply, share in (("八成", 80), ("大概八成", 80), ("七成", 70), ("80％", 80), ("百分之八十", 80)):
        state, step = answer_all(f, base + [reply])
        assert state.answers["chinese_share"] == share and isinstance(step, Ask)
        assert step.question.id == "prior_team"  # 70% or more: the nationality condition is met
    for reply in ("三分之二", "百分之六十", "一半"):
        _, step = answer_all(f, base + [reply])
        assert isinstance(step, Verdict) and step.verdict == "不符合"
    state, _ = answer_all(f, base)
    _, step = engine.answer(f, state, "0.8")
    assert isinstance(step, Ask) and "是指 80% 吗" in step.error
    _, step = engine.answer(f, state, "六七成")  # 60–70: 70 meets the rule, 60 does not
    assert isinstance(step, Ask) and step.question.id == "chinese_share" and "确切的数字" in step.error


def test_a_birth_year_alone_is_enough_when_every_day_of_it_gives_the_same_age():
    f = flow("youth_sci_tech_award")
    state, step = answer_all(f, ["是", "男", "1988年"])  # 38 on 2026-12-31, whatever the day
    assert state.answers["birth"] == "1988" and step.question.id == "prior_winner"
    state, step = answer_all(f, ["是", "男", "1984年出生"])  # 42 whatever the day: over 40
    assert isinstance(step, Verdict) and step.verdict == "不符合"


def test_a_birth_year_that_straddles_the_limit_asks_for_the_full_date():
    f = flow("youth_sci_tech_award")
    reference = date(2026, 6, 15)
    state, _ = answer_all(f, ["是", "男"], reference)
    same, step = engine.answer(f, state, "1985年")  # 41 if born by 15 June, else 40
    assert same == state and step.question.id == "birth" and "完整的日期" in step.error
    state2, step = engine.answer(f, state, "1985年7月")  # born in July: 40 on 15 June 2026
    assert state2.answers["birth"] == "1985-07" and step.question.id == "prior_winner"
    state2, step = engine.answer(f, state, "1985年5月")  # born in May: 41
    assert isinstance(step, Verdict) and step.verdict == "不符合"
    _, step = engine.answer(f, state, "1985年6月")  # 41 up to the 15th, 40 after
    assert isinstance(step, Ask) and step.question.id == "birth" and "完整的日期" in step.error
    _, step = engine.answer(f, state, "1985-06-10")
    assert isinstance(step, Verdict) and step.verdict == "不符合"


def test_impossible_and_future_dates_get_specific_messages():
    f = flow("youth_sci_tech_award")
    state, _ = answer_all(f, ["是", "男"])
    for reply, says in (("1990年13月5日", "月份只有 1–12 月"), ("1990-02-30", "2 月只有 28 天"),
                        ("2030-01-01", "不能在将来"), ("1850-01-01", "早于 1900 年")):
        _, step = engine.answer(f, state, reply)
        assert says in step.error and "例如" in step.error


@pytest.mark.parametrize("reply", ["不确定", "不知道", "说不清", "拿不准", "应该是", "可能是"])
def test_unsure_on_a_fact_question_gives_needs_review_not_a_loop(f, reply):
    # citizen is a fact question (unsure: false in the file); 不确定 used to loop on 请回答“是”或“否”
    from tests.conftest import run
    eligible = {"citizen": reply, "fulltime_tianjin": "是", "age": 30, "bachelor": "是", "student": "否",
                "frontline": "是", "referees": 3, "mentor": "是", "funded": "否", "conduct": "是"}
    v = run(f, eligible)
    assert v.verdict == "需人工确认" and {c.id for c in v.with_status(engine.UNKNOWN)} == {"citizen_fulltime"}


def test_every_yes_no_question_offers_unsure():
    from conversations.loader import load_flows

    for fl in load_flows().values():
        for q in fl.questions:
            if q.type == "yesno":
                assert [o.value for o in q.options] == ["yes", "no", "unsure"], (fl.id, q.id)


def test_a_hedge_never_gives_a_tick(f):
    from tests.conftest import run
    eligible = {"citizen": "是", "fulltime_tianjin": "是", "age": 30, "bachelor": "是", "student": "否",
                "frontline": "是", "referees": 3, "mentor": "是", "funded": "否", "conduct": "应该是"}
    assert run(f, eligible).verdict == "需人工确认"


def test_states_saved_before_intervals_still_load(f):
    old = {"flow": f.id, "reference_date": "2026-12-31", "answers": {"citizen": "yes", "fulltime_tianjin": "yes",
           "age": 31, "relaxed_group": "no"}, "order": ["citizen", "fulltime_tianjin", "age", "relaxed_group"]}
    state = State.from_json(old)
    assert engine.is_valid_state(f, state)
    assert engine.next_step(f, state).question.id == "bachelor"
    f2 = flow("youth_sci_tech_award")
    dated = State.from_json({"flow": f2.id, "reference_date": "2026-12-31",
                             "answers": {"citizen": "yes", "gender": "male", "birth": "1990-05-01"},
                             "order": ["citizen", "gender", "birth"]})
    assert engine.is_valid_state(f2, dated) and engine.next_step(f2, dated).question.id == "prior_winner"
    broken = State(f.id, "2026-12-31", {"age": "thirty"}, ("age",))
    assert not engine.is_valid_state(f, broken)


def test_bound_on_a_question_an_ask_if_reads(tmp_path):
    from conversations.loader import load_flow

    (tmp_path / "gate.yaml").write_text("""
id: gate
service: "13"
title: 测试
intro: 测试用
questions:
  - id: age
    type: number
    min: 1
    max: 99
    unit: 岁
    prompt: 年龄？
  - id: retired
    type: yesno
    ask_if: {q: age, op: ge, value: 60}
    prompt: 已退休吗？
conditions:
  - id: c
    quote: 测试条件
    holds:
      any:
        - {q: age, op: le, value: 40}
        - {q: retired, op: eq, value: yes}
""", encoding="utf-8")
    g = load_flow(tmp_path / "gate.yaml")
    state, _ = engine.start(g, REFERENCE)
    _, step = engine.answer(g, state, "50以上")  # 50–59 skips the retired question, 60+ asks it
    assert step.question.id == "age" and step.error
    state, step = engine.answer(g, state, "70岁以上")
    assert state.answers["age"] == {"ge": 70, "le": 99} and step.question.id == "retired"


def test_fact_question_with_help_shows_where_to_find_out(tmp_path):
    from conversations.loader import load_flow

    (tmp_path / "fact.yaml").write_text("""
id: fact
service: "13"
title: 测试
intro: 测试用
questions:
  - id: degree
    type: yesno
    unsure: false
    help: 可在学信网查询本人学历。
    prompt: 您具有本科学历吗？
  - id: judged
    type: yesno
    prompt: 成果突出吗？
conditions:
  - id: c
    quote: 测试条件
    holds:
      all:
        - {q: degree, op: eq, value: yes}
        - {q: judged, op: eq, value: yes}
""", encoding="utf-8")
    g = load_flow(tmp_path / "fact.yaml")
    state, step = engine.start(g, REFERENCE)
    assert "学信网" in step.hint and "不确定" in step.hint
    state, step = engine.answer(g, state, "不确定")
    assert state.answers["degree"] == "unsure" and step.hint == ""
