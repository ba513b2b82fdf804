"""Property: a reply to a number question is never read as a number it does not state.

Replies are built from a number (Arabic, full-width or Chinese), a qualifier (以上, 超过, 不到 …),
the question's unit and filler. The reading must be a re-ask, or a value whose every number is one the
text allows (within the question's range; ages in completed years, counts whole). Also: any text at
all gives a value or a message, and any replies keep the engine in a valid, saveable state.
"""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import engine
from conversations.answers import read_answer
from conversations.engine import Ask, State
from conversations.loader import load_flows
from conversations.model import Question, Span, number_span
from conversations.words import answer_words
from tests.conftest import flow

REFERENCE = date(2026, 12, 31)
QUESTIONS = {
    "age": flow("youth_talent_lift").question("age"),            # 16–70 岁
    "count": flow("youth_talent_lift").question("referees"),     # 0–50 位
    "times": flow("scientist_spirit_base").question("activities"),  # 0–365 次
    "share": flow("innovation_pioneer").question("chinese_share"),  # 0–100 %
}
UNITS = {"age": ["", "岁", "周岁"], "count": ["", "位", "个", "人"], "times": ["", "次"], "share": ["", "%"]}

# qualifier → (where it goes, what it claims about the answer x relative to the number n)
QUALIFIERS = {
    "": ("", "eq"), "以上": ("after", "ge"), "及以上": ("after", "ge"), "以下": ("after", "le"),
    "以内": ("after", "le"), "超过": ("before", "gt"), "大于": ("before", "gt"), "多于": ("before", "gt"),
    "不到": ("before", "lt"), "少于": ("before", "lt"), "未满": ("before", "lt"), "至少": ("before", "ge"),
    "不少于": ("before", "ge"), "最多": ("before", "le"), "不超过": ("before", "le"), "不是": ("before", "ne"),
}
CLAIMS = {"eq": lambda x, n: x == n, "ne": lambda x, n: x != n, "ge": lambda x, n: x >= n,
          "gt": lambda x, n: x > n, "le": lambda x, n: x <= n, "lt": lambda x, n: x < n}
PREFIXES = ["", "我今年", "目前有", "嗯，", "是", "大约", "一共", "差不多"]
SUFFIXES = ["", "吧", "了", "。", "！", "左右", "的样子"]
APPROX = ("大约", "差不多", "左右", "的样子")

_CN = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """Return n (0–9999) in Chinese numerals."""
    if n < 10:
        return _CN[n]
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += ("" if (value == 10 and d == 1 and n < 20) else _CN[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def written(n: float, form: str) -> str:
    text = f"{n:g}"
    if form == "fullwidth":
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    if form == "chinese" and float(n).is_integer():
        return chinese(int(n))
    return text


@st.composite
def replies(draw: st.DrawFn) -> tuple[str, str, float, str, bool]:
    kind = draw(st.sampled_from(sorted(QUESTIONS)))
    if kind == "share" or (kind == "age" and draw(st.booleans())):
        n = draw(st.integers(0, 1200)) / 10
    else:
        n = float(draw(st.integers(0, 400)))
    qualifier = draw(st.sampled_from(sorted(QUALIFIERS)))
    if kind == "age" and not n.is_integer():
        qualifier = ""  # a decimal age with a bound has no single reading in completed years
    unit = draw(st.sampled_from(UNITS[kind]))
    core = written(n, draw(st.sampled_from(["arabic", "fullwidth", "chinese"]))) + unit
    where = QUALIFIERS[qualifier][0]
    core = qualifier + core if where == "before" else core + qualifier if where == "after" else core
    prefix, suffix = draw(st.sampled_from(PREFIXES)), draw(st.sampled_from(SUFFIXES))
    approx = prefix in APPROX or suffix in APPROX
    return kind, prefix + core + suffix, n, qualifier, approx


def allowed(kind: str, q: Question, qualifier: str, n: float, x: float) -> bool:
    """Return True when the text (number n with this qualifier) allows the whole-number answer x."""
    assert q.min is not None and q.max is not None
    claim = QUALIFIERS[qualifier][1]
    if kind == "age" and not n.is_integer():
        return x == math.floor(n)  # a decimal age is a real age: 32.5 is 32 completed years
    return q.min <= x <= q.max and CLAIMS[claim](x, n)


def claimed(qualifier: str, n: float) -> Span:
    """Return the numbers a share reply claims (for 不是 n: everything, checked separately)."""
    claim = QUALIFIERS[qualifier][1]
    return {"eq": Span(n, n), "ne": Span(-math.inf, math.inf), "ge": Span(n, math.inf),
            "gt": Span(n, math.inf, low_open=True), "le": Span(-math.inf, n),
            "lt": Span(-math.inf, n, high_open=True)}[claim]


def within(inner: Span, outer: Span) -> bool:
    """Return True when every number of inner lies in outer."""
    low_ok = inner.low > outer.low or (inner.low == outer.low and (inner.low_open or not outer.low_open))
    high_ok = inner.high < outer.high or (inner.high == outer.high and (inner.high_open or not outer.high_open))
    return low_ok and high_ok


def integers_in(span: Span) -> list[float]:
    low = math.floor(span.low) + 1 if span.low_open and span.low.is_integer() else math.ceil(span.low)
    high = math.ceil(span.high) - 1 if span.high_open and span.high.is_integer() else math.floor(span.high)
    return [float(i) for i in range(int(low), int(high) + 1)]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_no_reply_is_read_as_a_number_it_does_not_state(case):
    kind, text, n, qualifier, approx = case
    q = QUESTIONS[kind]
    reading = read_answer(q, text, REFERENCE)
    if not reading.ok:
        return  # asking again is always safe
    assert not (approx and kind != "share"), f"{text!r}: an approximate number was accepted as {reading.value!r}"
    span = number_span(reading.value)
    assert span is not None and not span.is_empty(), f"{text!r} → {reading.value!r}"
    if kind == "share":
        assert within(span, claimed(qualifier, n)) and within(span, Span(0, 100)), f"{text!r} → {reading.value!r}"
        assert not (QUALIFIERS[qualifier][1] == "ne" and span.contains(n)), f"{text!r} → {reading.value!r}"
        return
    values = integers_in(span)
    assert values, f"{text!r} → {reading.value!r} allows nothing"
    for x in values:
        assert allowed(kind, q, qualifier, n, x), f"{text!r} → {reading.value!r} allows {x:g}"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["age", "count", "times"]), st.integers(0, 400),
       st.sampled_from(["arabic", "fullwidth", "chinese"]))
def test_a_plain_whole_number_in_range_is_read_as_itself(kind, n, form):
    q = QUESTIONS[kind]
    assert q.min is not None and q.max is not None
    text = written(float(n), form) + UNITS[kind][-1]
    reading = read_answer(q, text, REFERENCE)
    if q.min <= n <= q.max:
        assert reading.ok and reading.value == n, f"{text!r} → {reading}"
    else:
        assert not reading.ok and "超出了可回答的范围" in reading.error


FLOWS = load_flows()
ALL_QUESTIONS = [(f.id, q.id) for f in FLOWS.values() for q in f.questions]
NOISY = st.text(st.sampled_from(list("0123456789０１.-/~%年月日岁个位以上下超过不到没有是否零一二两三四五六七八九十百千万几半成分之"
                                     "点多来左右大概约不确定的吧，。？！ 　\u200b")), max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL_QUESTIONS), st.one_of(NOISY, st.text(max_size=8)))
def test_any_text_gives_a_value_or_a_message(where, text):
    q = FLOWS[where[0]].question(where[1])
    reading = read_answer(q, text, REFERENCE)
    assert reading.ok or reading.error


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(FLOWS)), st.lists(st.one_of(NOISY, st.sampled_from(["是", "否", "不确定", "1", "2"])),
                                                max_size=12))
def test_any_replies_keep_the_engine_in_a_valid_state(flow_id, replies):
    f = FLOWS[flow_id]
    state, step = engine.start(f, REFERENCE)
    for reply in replies:
        state, step = engine.answer(f, state, reply)
        assert engine.is_valid_state(f, state)
        assert State.from_json(state.to_json()) == state
        if isinstance(step, Ask) and step.error:
            assert step.question.id not in state.answers


YESNO = [(f.id, q.id) for f in FLOWS.values() for q in f.questions if q.type == "yesno"]
WORDS = answer_words().w
TAKEN_BACK = sorted(set(WORDS.negation_chars) | set(WORDS.contrast) | set(WORDS.hedges) | set(WORDS.hedge_ends)
                    | set(WORDS.unsure))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(YESNO), st.sampled_from(sorted(WORDS.yes_words)), st.sampled_from(["，", " ", "。", "、"]),
       st.text(st.sampled_from(list("中国人在天津工作全职本科博士毕业已经单位我")), max_size=4),
       st.sampled_from(TAKEN_BACK), st.text(st.sampled_from(list("中国人在天津工作全职本科博士毕业")), max_size=4))
def test_a_yes_whose_detail_negates_turns_or_hedges_is_never_a_yes(where, yes, sep, before, word, after):
    q = FLOWS[where[0]].question(where[1])
    text = f"{yes}{sep}{before}{word}{after}"
    assert read_answer(q, text, REFERENCE).value != "yes", text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(YESNO), st.sampled_from(sorted(WORDS.yes_words)), st.sampled_from(["，", " "]),
       st.sampled_from([(head, w) for head, *others in WORDS.opposite for w in others]))
def test_a_yes_whose_detail_says_the_opposite_of_the_question_is_never_a_yes(where, yes, sep, opposite):
    q = FLOWS[where[0]].question(where[1])
    head, word = opposite
    if head not in q.prompt:
        return
    assert read_answer(q, f"{yes}{sep}{word}", REFERENCE).value != "yes", (q.prompt, word)
