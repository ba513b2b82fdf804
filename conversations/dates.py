"""Reading a reply to a date question: full dates in every common form, a year or a month alone (stored as that
span), two-digit years read in the only century that fits, impossible and future dates asked again."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from typing import Any

from . import texts
from .model import Question
from .numerals import _arabic
from .reading import Reading, _asks, _clean, _prompt_chars, shorten

_SEP = r"[-./|]"

_DATE_PATTERNS = [  # (pattern, precision) in the order tried; a two-digit year needs 年 or a full date
    (re.compile(rf"(?<!\d)(\d{{4}})(?:年|{_SEP})(\d{{1,2}})(?:月|{_SEP})(\d{{1,2}})(?:日|号)?(?!\d)"), "day"),
    (re.compile(rf"(?<!\d)(\d{{2}})(?:年|{_SEP})(\d{{1,2}})(?:月|{_SEP})(\d{{1,2}})(?:日|号)?(?!\d)"), "day"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "day"),
    (re.compile(rf"(?<!\d)(\d{{4}})(?:年|{_SEP})(\d{{1,2}})月?(?![\d日号])"), "month"),
    (re.compile(r"(?<!\d)(\d{2})年(\d{1,2})月?(?![\d日号])"), "month"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(?!\d)"), "month"),
    (re.compile(r"(?<!\d)(\d{4})年?(?!\d)"), "year"),
    (re.compile(r"(?<!\d)(\d{2})年(?!\d)"), "year"),
]

_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})(?:日|号)?")

_AGE_GIVEN = re.compile(r"(?<!\d)\d{1,3}(?:周岁|岁)")

_DATE_FILLERS = sorted(["出生于", "出生", "生于", "生日", "我是", "我", "是", "的", "在", "于", "生", "日", "号", "年",
                        "月", "人", "了", "啊", "吧", "呢"], key=len, reverse=True)


def _date_error(template: str, text: str, **fields: Any) -> Reading:
    return Reading(error=template.format(text=shorten(text), **fields))


def _read_date(q: Question, text: str, reference: date | None) -> Reading:
    t = _clean(text)
    if not t or _asks(t):
        return Reading(error=q.error or texts.DATE_ERROR, attempt=False)
    s = _arabic(t, dates=True)
    for pattern, precision in _DATE_PATTERNS:
        found = list(pattern.finditer(s))
        if found:
            break
    else:
        if (md := _MONTH_DAY.search(s)) and 1 <= int(md.group(1)) <= 12 and 1 <= int(md.group(2)) <= 31:
            return _date_error(texts.DATE_NO_YEAR, text, month=int(md.group(1)), day=int(md.group(2)))
        if _AGE_GIVEN.search(s):
            return _date_error(texts.DATE_AGE_GIVEN, text)
        return Reading(error=q.error or texts.DATE_ERROR, attempt=bool(re.search(r"\d", s)))
    if len(found) > 1:
        return _date_error(texts.DATE_SEVERAL, text)
    m = found[0]
    rest = s[:m.start()] + s[m.end():]
    for word in _DATE_FILLERS:
        rest = rest.replace(word, "")
    allowed = _prompt_chars(q)
    unread = [ch for ch in rest if ch not in allowed and not unicodedata.category(ch).startswith(("P", "Z", "S"))]
    if unread or re.search(r"\d", rest):
        return Reading(error=q.error or texts.DATE_ERROR, attempt=len(unread) <= 4)
    year_text = m.group(1)
    year = int(year_text)
    if len(year_text) == 2:
        latest = reference.year if reference else 9999
        years = [c for c in (1900 + year, 2000 + year) if c <= latest]
        if len(years) > 1 and reference is not None:
            return _date_error(texts.DATE_TWO_DIGIT, text, early=years[0], late=years[1])
        if not years:
            return _date_error(texts.DATE_FUTURE, text, reference=reference.isoformat() if reference else "")
        year = years[0]
    month = int(m.group(2)) if precision in ("day", "month") else 1
    if not 1 <= month <= 12:
        return _date_error(texts.DATE_BAD_MONTH, text)
    if year < 1900:
        return _date_error(texts.DATE_TOO_EARLY, text)
    day = int(m.group(3)) if precision == "day" else 1
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        return _date_error(texts.DATE_BAD_DAY, text, year=year, month=month, days=days_in_month)
    first = date(year, month, day)
    if reference is not None and first > reference:
        return _date_error(texts.DATE_FUTURE, text, reference=reference.isoformat())
    value = {"day": first.isoformat(), "month": f"{year:04d}-{month:02d}", "year": f"{year:04d}"}[precision]
    return Reading(value)
