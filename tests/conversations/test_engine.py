"""Engine mechanics: validation and re-asking, back, state round trip, skipping, parsing."""

from datetime import date

import pytest

from conversations import engine
from conversations.engine import Ask, State, Verdict
from tests.flow_helpers import REFERENCE, flow


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
    assert engine.parse_reply(q, "不确定", REFERENCE)[1]  # this question has no 'unsure'


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
