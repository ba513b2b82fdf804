"""What every reader of typed replies shares: the reading, the text's clean forms, and the words of doubt,
hedging and negation (conversations/answers.py says what each reader decides; these helpers are private to
the readers: yesno.py, options.py, numbers.py, dates.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from retrieval.text import canonical, strip_invisible

from .model import Option, Question


@dataclass(frozen=True)
class Reading:
    """What a reply says: the JSON value to store, or the message to ask again with.

    `attempt` is False when the text does not even try to answer this question (a question of its
    own, an unrelated remark), so a caller may treat it as something else.
    """

    value: Any = None
    error: str = ""
    attempt: bool = True

    @property
    def ok(self) -> bool:
        """Return True when the reply was read."""
        return not self.error and self.value is not None


_QUESTION_WORDS = ("什么", "怎么", "怎样", "如何", "哪", "谁", "多少", "为什么", "为啥", "咋", "能不能",
                   "是不是", "有没有", "可不可以", "要不要", "是否", "能否", "可否", "有无", "何时", "几时",
                   "啥", "吗")

_TRAILING = re.compile(r"[。!！?？,，、;；:：…~～.．·\s]+$")

_PARTICLES = "啊呀哈啦嘛哦噢呗呢了哟喔"

_NEGATION_CHARS = "不没未非无否"


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """Return text in one width, simplified script and lower case, without spaces or a trailing stop."""
    text = canonical(text)
    text = re.sub(r"(?<=\d)\s+(?=\d)", "|", text)  # 1988 5 1: keep the digits apart
    text = re.sub(r"\s+", "", text)
    return _TRAILING.sub("", text)


def _plain(text: str) -> str:
    """Return the cleaned text without punctuation or symbols (for words and labels)."""
    return "".join(ch for ch in _clean(text) if not unicodedata.category(ch).startswith(("P", "S")))


def _asks(t: str) -> bool:
    return any(w in t for w in _QUESTION_WORDS)


def shorten(text: str, limit: int = 20) -> str:
    """Return the user's text on one line, cut to `limit` characters, for quoting in a message."""
    text = re.sub(r"\s+", " ", strip_invisible(text)).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _prompt_chars(q: Question) -> set[str]:
    return set(_plain(q.prompt))


def _prompt_words(q: Question) -> str:
    """Return the prompt without bracketed asides (examples and exclusions are not the question)."""
    return _plain(re.sub(r"[（(][^）)]*[）)]", "", q.prompt))


def _strip_particles(t: str) -> str:
    while len(t) > 1 and t[-1] in _PARTICLES:
        t = t[:-1]
    return t


def _strip_prefix(t: str, prefixes: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if t.startswith(p) and len(t) > len(p):
                t, changed = t[len(p):], True
    return t


_UNSURE_WORDS = ("不确定", "不知道", "不清楚", "说不清", "说不好", "说不准", "不好说", "拿不准", "吃不准",
                 "不一定", "待定", "不晓得", "不了解", "没把握", "没有把握", "难说", "记不清", "不记得", "忘了",
                 "不懂", "不明白", "看情况", "不好判断", "未知", "不详", "搞不清", "弄不清", "不太会判断",
                 "unsure", "notsure", "dontknow", "idk", "dunno", "maybe", "perhaps")

_UNSURE_PATTERN = re.compile(r"[不没](?:太|是很|是太|很|大|怎么|能)?(?:知道|清楚|确定|肯定|了解|晓得|记得|准|好说|"
                             r"一定|懂|明白|把握|好判断)")

_HEDGES = ("应该", "应当", "可能", "大概", "也许", "或许", "估计", "好像", "似乎", "差不多", "大约", "貌似",
           "基本", "多半", "八成", "算是", "勉强", "有点", "一些", "部分", "不太", "还行", "还可以", "一般", "凑合",
           "马马虎虎", "比较", "probably", "likely",
           "ithink", "sortof", "kindof")

_NEGATION_LEADS = ("并没有", "并不是", "并不", "并非", "并没", "还没有", "还没", "尚未", "从来没有", "从来没", "从没",
                   "从未", "没有", "不是", "木有", "没得", "没", "不", "无", "未", "非", "否")


def _exact_option(q: Question, cleaned: str) -> Option | None:
    """Return the option whose value, number or label the reply is, exactly."""
    for o in q.options:
        if cleaned == o.value.lower():
            return o
    t = "".join(ch for ch in cleaned if not unicodedata.category(ch).startswith(("P", "S")))
    if t.isdigit() and 1 <= int(t) <= len(q.options):
        return q.options[int(t) - 1]
    for o in q.options:
        if t and t in (_plain(o.label), _plain(_core(o.label))):
            return o
    return None


def _core(label: str) -> str:
    """Return the label before its bracketed examples: 「园区（如工业园区…）」 → 「园区」."""
    return re.split(r"[（(]", label, maxsplit=1)[0]


def _negated_at(text: str, i: int) -> bool:
    """Return True when the word starting at text[i] is negated (不在职, 没有本科, 尚未成立; not 是否属实)."""
    before = text[max(0, i - 2):i]
    if before in ("是否", "能否", "可否", "与否", "有无", "有没"):
        return False
    return i > 0 and text[i - 1] in _NEGATION_CHARS or before in ("不是", "没有", "尚未", "并非")
