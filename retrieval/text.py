"""Normalise user and catalogue text before tokenising: width, script, case, spacing, numerals.

The one home of text normalisation and Chinese numerals: conversations/ reads replies with `canonical`
and `chinese_int` from here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Cc (controls) and Cf (format: bidi overrides, zero-width joiners …) never carry meaning in a question.
# Longest text of a message that any part of retrieval reads (search, follow-ups, lead sentences, policy passages);
# the rest is ignored: every question of the evaluation sets is shorter, and reading grows with the text.
MAX_READ = 150

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# A Chinese numeral directly followed by a counting unit: 三年 → 3年, 四十五岁 → 45岁, 八十多岁 → 80多岁.
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=多?(?:年|岁|周岁|个|名|万|次|期|项|批|届|月|人|天))")


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral below 10000, or None if it is not one.

    The reading `normalise` has always used for a numeral before a unit: each digit replaces the one
    before (一两 reads 2), so that search results stay as they are; `chinese_int` is the exact reader.
    """
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current


# Every digit character, the colloquial 俩 and 仨 too, for the exact reader.
NUMERAL_DIGITS = {**_DIGITS, "俩": 2, "仨": 3}


def chinese_int(text: str) -> int | None:
    """Return the value of a Chinese numeral (三十二, 两千零五, 一百五, 廿三), or None."""
    text = text.replace("廿", "二十").replace("卅", "三十").replace("卌", "四十")
    if "万" in text:
        head, _, tail = text.partition("万")
        high = chinese_int(head) if head else 1
        low = chinese_int(tail) if tail else 0
        return None if high is None or low is None else high * 10000 + low
    total, current, last_unit, zero = 0, None, 0, False
    for ch in text:
        if ch in ("零", "〇"):
            zero = True
        elif ch in NUMERAL_DIGITS:
            if current is not None:
                return None
            current = NUMERAL_DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if last_unit and unit >= last_unit:
                return None
            total += (1 if current is None else current) * unit
            current, last_unit, zero = None, unit, False
        else:
            return None
    if current is not None:
        if last_unit >= 100 and not zero:
            current *= last_unit // 10  # 一百五 is 150, 两千三 is 2300
        total += current
    return total


def _numeral(match: re.Match[str]) -> str:
    value = chinese_number(match.group(0))
    return match.group(0) if value is None else str(value)


class _InvisibleTable(dict[int, "int | str"]):
    """str.translate table: each character's category is looked up once (a loop per character is slow)."""

    # Bound on the characters remembered, so odd input cannot grow the table without limit.
    LIMIT = 1 << 16

    def __missing__(self, code: int) -> int | str:
        if len(self) >= self.LIMIT:
            self.clear()
        value: int | str = " " if unicodedata.category(chr(code)) in _INVISIBLE else code
        self[code] = value
        return value


_INVISIBLE_TABLE = _InvisibleTable()


def bounded(text: str) -> str:
    """Return the part of a message retrieval reads (its first MAX_READ characters)."""
    return text[:MAX_READ]


def strip_invisible(text: str) -> str:
    """Replace control, format and bidi characters with spaces."""
    return text.translate(_INVISIBLE_TABLE)


def canonical(text: str) -> str:
    """Return text in one width (NFKC), simplified script and lower case, invisible characters as spaces."""
    text = strip_invisible(text)
    text = unicodedata.normalize("NFKC", text)
    text = _T2S.convert(text)
    return text.lower()


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Return text in one canonical form: NFKC width, simplified script, lower case, single spaces."""
    text = canonical(text)
    text = _NUMERAL.sub(_numeral, text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """Return normalised text without spaces or punctuation, for phrase matching."""
    return "".join(filter(str.isalnum, normalise(text)))
