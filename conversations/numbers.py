"""Reading a reply to a number question: a value, a bound (以上, 不到 …), a range (三四个, 2到3个), a share
(八成, 三分之二, 80%), with ages and counts in whole numbers, clipped to the question's min–max."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import texts
from .model import Question, Span, span_value
from .numerals import _arabic
from .reading import Reading, _asks, _clean, _prompt_chars, shorten
from .words import answer_words

_NUM = re.compile(r"\d+(?:\.\d+)?")

_CONNECTORS = ("~", "-", "–", "—", "到", "至")

_ALL_UNITS = sorted(["周岁", "个人", "小时", "分钟", "岁", "个", "位", "名", "次", "项", "人", "家", "场", "件", "篇",
                     "本", "元", "块", "年", "月", "日", "天", "号", "届", "期", "批", "回", "条", "所", "户", "成", "%"],
                    key=len, reverse=True)

_AGE_UNITS = ("岁", "周岁")

_COUNT_UNITS = ("个", "位", "名", "次", "项", "人", "家", "场", "件", "篇", "本", "届", "期", "批", "回", "条", "所", "户")

_PEOPLE = ("位", "名", "人", "个", "个人")

# (word, bound, where): where the word must stand relative to the number — "<" before it, ">" after it,
# "<<"/">>" directly before/after it (single characters that mean something else elsewhere).
_QUALIFIERS = [
    ("大于等于", "ge", "<"), ("不少于", "ge", "<"), ("不低于", "ge", "<"), ("不小于", "ge", "<"), ("最起码", "ge", "<"),
    ("及以上", "ge", ">"), ("或以上", "ge", ">"), ("以上", "ge", ">"), ("至少", "ge", "<"), ("最少", "ge", "<"),
    ("起码", "ge", "<"), ("已经满", "ge", "<"), ("已满", "ge", "<"), ("年满", "ge", "<"), ("满", "ge", "<<"),
    (">=", "ge", "<<"), ("≥", "ge", "<<"), ("起", "ge", ">>"),
    ("超过", "gt", "<"), ("大于", "gt", "<"), ("高于", "gt", "<"), ("多于", "gt", "<"), ("超出", "gt", "<"),
    ("不止", "gt", "<"), ("逾", "gt", "<<"), (">", "gt", "<<"),
    ("小于等于", "le", "<"), ("不超过", "le", "<"), ("不高于", "le", "<"), ("不多于", "le", "<"), ("不大于", "le", "<"),
    ("及以下", "le", ">"), ("或以下", "le", ">"), ("以下", "le", ">"), ("以内", "le", ">"), ("之内", "le", ">"),
    ("至多", "le", "<"), ("最多", "le", "<"), ("顶多", "le", "<"), ("封顶", "le", ">"), ("内", "le", ">>"),
    ("<=", "le", "<<"), ("≤", "le", "<<"),
    ("还没到", "lt", "<"), ("还不到", "lt", "<"), ("不到", "lt", "<"), ("不足", "lt", "<"), ("不满", "lt", "<"),
    ("未满", "lt", "<"), ("没满", "lt", "<"), ("少于", "lt", "<"), ("低于", "lt", "<"), ("小于", "lt", "<"),
    ("未到", "lt", "<"), ("没到", "lt", "<"), ("将近", "lt", "<"), ("接近", "lt", "<"), ("快", "lt", "<<"),
    ("近", "lt", "<<"), ("<", "lt", "<<"),
    ("差不多", "approx", "<"), ("大概", "approx", "<"), ("大约", "approx", "<"), ("大致", "approx", "<"),
    ("估计", "approx", "<"), ("可能", "approx", "<"), ("应该", "approx", "<"), ("也许", "approx", "<"),
    ("或许", "approx", "<"), ("好像", "approx", "<"), ("似乎", "approx", "<"), ("左右", "approx", ">"),
    ("上下", "approx", ">"), ("前后", "approx", ">"), ("出头", "approx", ">"), ("约", "approx", "<<"),
]

_QUALIFIERS.sort(key=lambda x: len(x[0]), reverse=True)

_NUMBER_FILLERS = sorted(["我们", "我", "今年", "目前", "现在", "当前", "已经", "共", "总共", "总计", "合计", "是", "有",
                          "了", "吧", "啊", "呀", "呢", "哦", "嘛", "啦", "的", "整", "刚好", "正好", "恰好", "本人",
                          "实际", "实岁", "年龄", "岁数", "嗯", "人数", "次数", "之间", "一共"], key=len, reverse=True)

_ZERO_WORDS = sorted(["一个也没有", "一个都没有", "一位也没有", "一位都没有", "一名也没有", "一次也没有", "一次都没有",
                      "一项也没有", "一项都没有", "一个没有", "一位没有", "一次没有", "从来没有", "从没有", "还没有",
                      "暂时没有", "目前没有", "没有", "暂无", "无", "没", "零"], key=len, reverse=True)

_VAGUE = ("几", "若干", "一些", "某些", "好多", "很多", "不少", "许多", "多个")


@dataclass
class _Token:
    low: float
    high: float
    kind: str = "plain"      # plain | frac (a fraction) | pct (a percentage) | cheng (成)
    unit: str = ""
    mod: str = ""            # 多/余 (a bit more), + (or more), 来 (about)
    decimal: bool = False    # typed with a decimal point
    start: int = 0
    end: int = 0


def _unit_at(s: str, j: int) -> str:
    return next((u for u in _ALL_UNITS if s.startswith(u, j)), "")


def _scan(s: str) -> list[_Token]:
    """Return every number in s with its unit and modifiers."""
    tokens = []
    i = 0
    while i < len(s):
        m = _NUM.match(s, i)
        if not m:
            i += 1
            continue
        tok = _Token(float(m.group()), float(m.group()), decimal="." in m.group(), start=i)
        if i > 0 and s[i - 1] == "-" and (i == 1 or not s[i - 2].isdigit()):
            tok.low = tok.high = -tok.low  # -5: a minus sign, not a range dash
            tok.start = i - 1
        j = m.end()
        if s.startswith("分之", j) and (m2 := _NUM.match(s, j + 2)) and tok.low:
            den = tok.low
            tok.low = tok.high = float(m2.group()) / den
            tok.kind, j = "frac", m2.end()
            if s.startswith("~", j) and (m3 := _NUM.match(s, j + 1)):
                tok.high, j = float(m3.group()) / den, m3.end()
        elif s.startswith("/", j) and (m2 := _NUM.match(s, j + 1)) and float(m2.group()):
            tok.low = tok.high = tok.low / float(m2.group())
            tok.kind, j = "frac", m2.end()
        tok.unit = _unit_at(s, j)
        j += len(tok.unit)
        if tok.kind == "plain" and tok.unit not in ("%", "成") and s[j:j + 1] in _CONNECTORS and s[j:j + 1] \
                and (m2 := _NUM.match(s, j + 1)):
            tok.high, tok.decimal, j = float(m2.group()), tok.decimal or "." in m2.group(), m2.end()
            second = _unit_at(s, j)
            j += len(second)
            if second and tok.unit and second != tok.unit:
                tok.kind = "mixed"
            tok.unit = second or tok.unit
        if s[j:j + 1] in ("多", "余", "+", "来", "半") and s[j:j + 1]:
            tok.mod, j = s[j], j + 1
            if not tok.unit:
                tok.unit = _unit_at(s, j)
                j += len(tok.unit)
        if tok.unit == "成":
            tok.kind, tok.low, tok.high = "cheng", tok.low * 10, tok.high * 10
            if tok.low == tok.high and s[j:j + 1].isdigit() and not s[j + 1:j + 2].isdigit() and not tok.mod:
                tok.low = tok.high = tok.low + int(s[j])  # 七成五 → 75
                j += 1
        elif tok.unit == "%":
            tok.kind = "pct" if tok.kind == "plain" else "mixed"
        if tok.mod == "半":
            tok.low, tok.high, tok.mod = tok.low + 0.5, tok.high + 0.5, ""
        tok.end = j
        tokens.append(tok)
        i = j
    return tokens


def _kind(q: Question) -> str:
    if q.unit == "%":
        return "share"
    if q.unit in _AGE_UNITS:
        return "age"
    if q.unit in _COUNT_UNITS:
        return "count"
    return "plain"


def _units_for(q: Question) -> tuple[str, ...]:
    kind = _kind(q)
    if kind == "age":
        return _AGE_UNITS
    if kind == "share":
        return ("%", "成")
    if q.unit in _PEOPLE:
        return _PEOPLE
    return (q.unit, "个") if q.unit else ()


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _example(q: Question) -> str:
    low, high = q.min if q.min is not None else 0, q.max if q.max is not None else 100
    return _fmt(math.floor((low + high) / 2))


def _number_error(q: Question, text: str, template: str = "", **extra: Any) -> str:
    low = q.min if q.min is not None else 0
    high = q.max if q.max is not None else 0
    fields: dict[str, Any] = {"text": shorten(text), "min": _fmt(low), "max": _fmt(high), "unit": q.unit,
                              "example": _example(q)}
    fields.update(extra)
    if template:
        return template.format(**fields)
    return q.error or texts.NUMBER_ERROR.format(**fields)


def _whole_numbers(span: Span, kind: str) -> Span:
    """Return the whole numbers a span allows: completed years for an age, counts for a count."""
    if kind == "age":  # a decimal is a real age (32.5 → 32 completed years); whole numbers are years
        def low_end(x: float, is_open: bool) -> float:
            return x if math.isinf(x) else (x + 1 if is_open else x) if x.is_integer() else math.floor(x)

        def high_end(x: float, is_open: bool) -> float:
            return x if math.isinf(x) else (x - 1 if is_open else x) if x.is_integer() else math.floor(x)
    else:
        def low_end(x: float, is_open: bool) -> float:
            return x if math.isinf(x) else math.floor(x) + 1 if is_open else math.ceil(x)

        def high_end(x: float, is_open: bool) -> float:
            return x if math.isinf(x) else math.ceil(x) - 1 if is_open else math.floor(x)
    return Span(low_end(span.low, span.low_open), high_end(span.high, span.high_open))


def _clip(span: Span, q: Question) -> Span:
    low, low_open, high, high_open = span.low, span.low_open, span.high, span.high_open
    if q.min is not None and (low < q.min or (low == q.min and not low_open)):
        low, low_open = float(q.min), False
    if q.max is not None and (high > q.max or (high == q.max and not high_open)):
        high, high_open = float(q.max), False
    return Span(low, high, low_open, high_open)


def _leftover_ok(rest: str, q: Question) -> str:
    """Return the characters of rest that are neither filler nor words of the prompt."""
    for word in _NUMBER_FILLERS + list(_units_for(q)):
        if word:
            rest = rest.replace(word, "")
    allowed = _prompt_chars(q)
    return "".join(ch for ch in rest if ch not in allowed and ch not in "#|" and
                   not unicodedata.category(ch).startswith(("P", "Z")))


# Words that stand for a share, read as the number they mean (全部 → 100%, 大多数 → 超过50%).
_SHARE_WORDS = ((("全部都是", "全部", "全都是", "全是", "都是"), "100%"), (("大多数", "大部分", "多数", "过半"), "超过50%"),
                (("少数", "小部分"), "不到50%"), (("一半", "半数"), "50%"))
# The span a single bound makes of a number (low, high): ≥, >, ≤, <.
_BOUND_SPANS = {"ge": lambda low, high: Span(low, math.inf),
                "gt": lambda low, high: Span(low, math.inf, low_open=True),
                "le": lambda low, high: Span(-math.inf, high),
                "lt": lambda low, high: Span(-math.inf, high, high_open=True)}


def _read_number(q: Question, text: str, reference: date | None) -> Reading:
    kind = _kind(q)
    t = _clean(text)
    if not t or _asks(t):
        return Reading(error=_number_error(q, text), attempt=False)
    if kind == "count" and not re.search(r"\d|[二两三四五六七八九十百千]", t):
        for word in _ZERO_WORDS:
            if word in t and not _leftover_ok(t.replace(word, "#", 1), q):
                return _in_range(q, text, Span(0, 0))
    if kind == "share":
        for words, stand_in in _SHARE_WORDS:
            for w in words:
                t = t.replace(w, stand_in)
    s = _arabic(t)
    tokens = _scan(s)
    if not tokens:
        vague = any(v in s for v in _VAGUE)
        error = _number_error(q, text, texts.NUMBER_APPROX) if vague else _number_error(q, text)
        return Reading(error=error, attempt=vague)
    if len(tokens) > 1:
        return Reading(error=_number_error(q, text, texts.NUMBER_SEVERAL))
    tok = tokens[0]
    bounds, rest = _qualifiers(s[:tok.start] + "#" + s[tok.end:])
    refused = _refused(q, text, kind, tok, bounds, rest)
    if refused is not None:
        return refused
    bounds.discard("approx")
    low, high = sorted((tok.low, tok.high))
    if tok.kind == "frac" and kind == "share":
        low, high = round(low * 100, 1), round(high * 100, 1)
    if kind == "share" and tok.kind == "plain" and tok.decimal and 0 < low == high < 1 and not bounds and not tok.mod:
        return Reading(error=_number_error(q, text, texts.NUMBER_PERCENT_DECIMAL, percent=_fmt(round(low * 100, 1))))
    lower = bounds & {"ge", "gt"}
    upper = bounds & {"le", "lt"}
    if len(lower) + len(upper) > 1 or (bounds and (low != high or tok.mod)):
        return Reading(error=_number_error(q, text))  # 至少…以下, 2到3个以上: not one clear bound
    span = _span(tok, bounds, low, high)
    if kind == "count" and span.is_point and not float(span.low).is_integer():
        return Reading(error=_number_error(q, text, texts.NUMBER_FRACTION, example=_fmt(math.floor(span.low))))
    if kind in ("age", "count"):
        span = _whole_numbers(span, kind)
    return _in_range(q, text, span)


def _qualifiers(rest: str) -> tuple[set[str], str]:
    """Return the bounds the words around the number (marked #) make, and the text left without them."""
    bounds: set[str] = set()
    mark = rest.index("#")
    for word, bound, where in _QUALIFIERS:
        k = rest.find(word)
        while k >= 0:
            before, after = k + len(word) <= mark, k > mark
            fits = {"<": before, ">": after, "<<": k + len(word) == mark, ">>": k == mark + 1}[where]
            if fits:
                bounds.add(bound)
                rest = rest[:k] + " " * len(word) + rest[k + len(word):]
            k = rest.find(word, k + 1)
    return bounds, rest.replace(" ", "")


def _refused(q: Question, text: str, kind: str, tok: _Token, bounds: set[str], rest: str) -> Reading | None:
    """Return the reading that asks again when the words left, the unit or the kind of number do not fit."""
    if any(c in rest for c in answer_words().negation_chars):
        return Reading(error=_number_error(q, text))  # 不是30 says what the number is not
    unread = _leftover_ok(rest, q)
    if unread or tok.kind == "mixed" or (tok.unit and tok.unit not in _units_for(q)):
        return Reading(error=_number_error(q, text), attempt=len(unread) <= 4)
    if kind != "share" and tok.kind in ("frac", "pct", "cheng"):
        return Reading(error=_number_error(q, text))
    if ("approx" in bounds or tok.mod == "来") and kind != "share":
        return Reading(error=_number_error(q, text, texts.NUMBER_APPROX, example=_fmt(math.floor(tok.low))))
    return None


def _span(tok: _Token, bounds: set[str], low: float, high: float) -> Span:
    """Return the span a number means: 三十多 → 31–39 (open), 5+ or a bound → one side open, else low–high."""
    if tok.mod in ("多", "余"):
        step = 10 ** max((k for k in range(1, 6) if low >= 10 ** k and low % 10 ** k == 0), default=0)
        return Span(low, low + step, True, True) if step > 1 else Span(low, low + 1, False, True)
    if tok.mod == "+":
        return Span(low, math.inf)
    for bound in ("ge", "gt", "le", "lt"):
        if bound in bounds:
            return _BOUND_SPANS[bound](low, high)
    return Span(low, high)


def _in_range(q: Question, text: str, span: Span) -> Reading:
    clipped = _clip(span, q)
    if span.is_empty() or clipped.is_empty():
        return Reading(error=_number_error(q, text, texts.NUMBER_RANGE))
    return Reading(span_value(clipped))


def exact_example(q: Question, span: Span) -> str:
    """Return a value inside the span to suggest when asking for the exact number."""
    if not math.isinf(span.low):
        return _fmt(span.low + 1 if span.low_open else span.low)
    if not math.isinf(span.high):
        return _fmt(span.high - 1 if span.high_open else span.high)
    return _example(q)
