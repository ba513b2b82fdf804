"""Chinese numerals in a reply written in Arabic: values (retrieval.text.chinese_int), ranges (三四 → 3~4,
十几 → 11~19), 几 when only approximate, and digit by digit in dates (一九八八 → 1988)."""

from __future__ import annotations

import re

from retrieval.text import NUMERAL_DIGITS as _DIGITS
from retrieval.text import chinese_int

_CN_RUN = re.compile(r"[零〇一二两俩三仨四五六七八九十百千万廿卅卌几]+(?:点[零〇一二三四五六七八九]+)?")

# Words with a numeral that is not a number: keep them away from the numeral reader.
_NOT_NUMBERS = (("一共", "共"), ("一年", "每年"), ("一起", "某起"), ("一些", "某些"), ("一点", "某点"), ("一下", "某下"),
                ("一般", "某般"), ("一直", "某直"), ("一样", "某样"), ("一定", "某定"), ("统一", "统某"),
                ("唯一", "唯某"), ("十分", "很"), ("万一", "某某"), ("一切", "某切"), ("三番", "某番"))


def _numeral_run(run: str, dates: bool) -> str:
    """Return one run of Chinese numerals in Arabic: a value, a range a~b, or 几 when only approximate."""
    if dates:
        if all(ch in _DIGITS for ch in run):
            return "".join(str(_DIGITS[ch]) for ch in run)  # 一九八八 → 1988
        value = chinese_int(run)
        return run if value is None else str(value)
    if "点" in run:
        whole, _, frac = run.partition("点")
        value = chinese_int(whole) if whole else 0
        return run if value is None else f"{value}." + "".join(str(_DIGITS[ch]) for ch in frac)
    if "几" in run:
        m = re.fullmatch(r"(.*十)几", run)
        base = chinese_int(m.group(1)) if m else None
        return f"{base + 1}~{base + 9}" if base is not None else "几"  # 十几 → 11~19, 几十 → 几
    digits = [i for i, ch in enumerate(run) if ch in _DIGITS and _DIGITS[ch] > 0]
    pairs = [i for i in digits if i + 1 in digits]
    if all(ch in _DIGITS for ch in run) and len(run) > 2:
        return "".join(str(_DIGITS[ch]) for ch in run)
    if pairs:
        i = pairs[0]
        a, b = _DIGITS[run[i]], _DIGITS[run[i + 1]]
        if len(pairs) > 1 or b != a + 1:
            return "几"  # 三五个: a few
        low, high = chinese_int(run[:i + 1] + run[i + 2:]), chinese_int(run[:i] + run[i + 1:])
        return "几" if low is None or high is None else f"{low}~{high}"  # 三四 → 3~4, 二三十 → 20~30
    value = chinese_int(run)
    return run if value is None else str(value)


def _arabic(t: str, dates: bool = False) -> str:
    """Return the text with Chinese numerals written in Arabic (ranges as a~b)."""
    if not dates:  # in a date, 一年 is part of 二〇〇一年
        for word, stand_in in _NOT_NUMBERS:
            t = t.replace(word, stand_in)
    return _CN_RUN.sub(lambda m: _numeral_run(m.group(0), dates), t)
