"""Normalise user and catalogue text before tokenising: width, script, case, spacing, numerals."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Cc (controls) and Cf (format: bidi overrides, zero-width joiners …) never carry meaning in a question.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# A Chinese numeral directly followed by a counting unit: 三年 → 3年, 四十五岁 → 45岁, 八十多岁 → 80多岁.
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=多?(?:年|岁|周岁|个|名|万|次|期|项|批|届|月|人|天))")


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral below 10000, or None if it is not one."""
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


def strip_invisible(text: str) -> str:
    """Replace control, format and bidi characters with spaces."""
    return text.translate(_INVISIBLE_TABLE)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Return text in one canonical form: NFKC width, simplified script, lower case, single spaces."""
    text = strip_invisible(text)
    text = unicodedata.normalize("NFKC", text)
    text = _T2S.convert(text)
    text = text.lower()
    text = _NUMERAL.sub(_numeral, text)
    return re.sub(r"\s+", " ", text).strip()


def compact(text: str) -> str:
    """Return normalised text without spaces or punctuation, for phrase matching."""
    return "".join(ch for ch in normalise(text) if ch.isalnum())
