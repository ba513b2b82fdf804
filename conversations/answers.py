"""Read a user's typed reply to one question of a flow: yes/no, an option, a number or a date.

    read_answer(question, text, reference) -> Reading   # the value to store, or why to ask again
    looks_like_answer(question, text) -> bool           # is the text an attempt to answer at all?

The reader never guesses. A reply it cannot read for certain is asked again with a message that says
what was wrong. The readings decided here (see tests/conversations/test_answers.py for the table):

Yes/no — every yes/no question accepts 不确定. Words of doubt (不知道, 说不清, 拿不准 …) and hedges
(应该是, 可能是, 大概是, 是吧 …) read as 不确定, so a hedge can never produce a ✅. A reply starting
with a negation (不, 没, 未, 非, 否 …) reads as no, so 不好, 不对, 不具备, 没有具备 are never yes.
A yes word (是, 有, 当然, 没错 …) alone, or followed by words of the question itself (有本科 at
「具有大学本科…吗」), reads as yes. Mixed replies (是的，但没有…) are asked again.

Options — an option's number, value, label, or the part of the label before its brackets. Otherwise
the reply is matched to the words of the labels: a reply naming a whole label beats one naming a whole
part (「企业」 in 「在单位任职（企业、…）」), which beats a piece of a part; the most specific wins.
Negation counts on both sides: 「在职」 does not match 「目前不在职」; it rules that option out, and
the user is asked which of the remaining options applies. Two options that still fit are never
guessed: the user is asked which one, naming both.

Numbers — Arabic (also full-width) or Chinese numerals (三十二, 两, 廿, 卅, 一百五). A qualifier
makes a bound, never the bare number: 以上/及以上/至少/不少于/满 → ≥ (以上 includes the number, as in
Chinese regulations); 超过/大于/高于/多于/不止 → >; 以下/以内/至多/不超过 → ≤; 不到/不足/少于/
低于/未满/将近 → <. 三四个, 2到3个, 二三十 are ranges; 三十多 is 31–39; 十几 is 11–19. Ages and
counts are whole numbers: an age is completed years (32.5 → 32; 超过32岁 → 33 or more), a count with
a fraction is asked again. A bound or range is stored as an interval, clipped to the question's
min–max. Approximate numbers (大概, 左右, 十来个, 几个) are asked again, except at a percentage
question (unit %), whose prompt itself asks for an estimate: there 大概八成 is 80. Shares: 八成 → 80,
七成五 → 75, 一半 → 50, 三分之二 → 66.7, 百分之八十 → 80, 80% → 80; a bare 0.8 is asked again
(「是指 80% 吗？」) rather than read as 0.8% or 80%. 没有 / 一个也没有 at a count question is 0.
Any other word that is neither filler nor taken from the question's prompt makes the reply unreadable.

Dates — 1988-05-01, 1988年5月1日, 1988.5.1, 1988/5/1, 19880501, 一九八八年五月一日. A year alone
(1988, 1988年出生) or a year and month (1988年5月, 1988.5) is stored as that whole year or month; the
engine accepts it only when every day in it gives the same result. A two-digit year (88年) is read as
the only century that gives a date between 1900 and the reference date, and asked again when both
do. Impossible dates (13月, 2月30日), dates before 1900 and after the reference date are asked again
with a message naming the problem.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Any, Callable

import opencc

from retrieval.text import strip_invisible

from . import texts
from .model import NO, UNSURE, YES, Option, Question, Span, span_value

_T2S = opencc.OpenCC("t2s")


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


def read_answer(q: Question, text: str, reference: date | None = None) -> Reading:
    """Read a reply to question q; dates are checked against the reference date when given."""
    readers: dict[str, Callable[[Question, str, date | None], Reading]] = {
        "yesno": _read_yesno, "choice": _read_choice, "number": _read_number, "date": _read_date}
    if q.type not in readers:
        raise ValueError(f"unknown answer type {q.type!r}")
    return readers[q.type](q, text, reference)


def looks_like_answer(q: Question, text: str) -> bool:
    """Return True when the text tries to answer q (even if it must be asked again), not something else."""
    return read_answer(q, text, None).attempt


def hint(q: Question) -> str:
    """Return the line to show under a fact question that says where to find out, or ''."""
    return texts.FACT_HINT.format(help=q.help) if q.fact and q.help else ""


# -- shared text handling --------------------------------------------------------------------------

_QUESTION_WORDS = ("什么", "怎么", "怎样", "如何", "哪", "谁", "多少", "为什么", "为啥", "咋", "能不能",
                   "是不是", "有没有", "可不可以", "要不要", "是否", "能否", "可否", "有无", "何时", "几时",
                   "啥", "吗")
_TRAILING = re.compile(r"[。!！?？,，、;；:：…~～.．·\s]+$")
_PARTICLES = "啊呀哈啦嘛哦噢呗呢了哟喔"
_NEGATION_CHARS = "不没未非无否"


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """Return text in one width, simplified script and lower case, without spaces or a trailing stop."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = _T2S.convert(text).lower()
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


# -- yes / no --------------------------------------------------------------------------------------

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
_YES_WORDS = {"是", "是的", "是啊", "是呀", "是滴", "是哒", "是嘞", "是滴呀", "对", "对的", "对啊", "对呀", "对头",
              "有", "有的", "有啊", "有呀", "具备", "符合", "满足", "已经", "已", "嗯", "嗯嗯", "恩", "恩恩", "嗯呢",
              "好", "好的", "好滴", "可以", "能", "行", "会", "愿意", "同意", "当然", "当然是", "当然有", "当然了",
              "当然可以", "肯定", "肯定是", "肯定有", "肯定的", "必须的", "没错", "没问题", "不错", "确定", "确实",
              "确实是", "正是", "在", "属于", "对对", "对对对", "是是", "良好", "y", "yes", "yeah", "yep", "yup", "ok",
              "okay", "sure", "true"}
_NO_WORDS = {"n", "no", "nope", "not", "none", "false"}
_YES_SYMBOLS = {"√", "✓", "✔", "👍", "👌", "⭕", "○"}
_NO_SYMBOLS = {"×", "✗", "✘", "❌", "👎", "x"}
_YES_LEADS = ("当然是", "当然有", "肯定是", "肯定有", "确实是", "确实有", "已经", "具备", "符合", "满足", "属于",
              "拥有", "持有", "可以", "同意", "愿意", "当然", "肯定", "确实", "是", "有", "对", "已", "能", "会", "在")
_NEGATION_LEADS = ("并没有", "并不是", "并不", "并非", "并没", "还没有", "还没", "尚未", "从来没有", "从来没", "从没",
                   "从未", "没有", "不是", "木有", "没得", "没", "不", "无", "未", "非", "否")
_SUBJECTS = ("我们", "我单位", "我司", "本单位", "单位", "本人", "我", "他们", "他", "她", "目前", "现在", "暂时",
             "其实", "的确", "非常", "十分", "特别", "完全", "很", "挺", "蛮", "都", "也")
_CONTRAST = ("但是", "但", "不过", "可是", "然而", "只是")


def _yesno_option(q: Question, value: str) -> Reading:
    return Reading(value) if any(o.value == value for o in q.options) else Reading(error=_yesno_error(q))


def _yesno_error(q: Question) -> str:
    return q.error or texts.YESNO_ERROR


def _read_yesno(q: Question, text: str, reference: date | None) -> Reading:
    cleaned = _clean(text)
    exact = _exact_option(q, cleaned)
    if exact is not None:
        return Reading(exact.value)
    if cleaned in _YES_SYMBOLS:
        return _yesno_option(q, YES)
    if cleaned in _NO_SYMBOLS:
        return _yesno_option(q, NO)
    t = _plain(text)
    if not t:
        return Reading(error=_yesno_error(q), attempt=False)
    if t in _YES_WORDS or t in _NO_WORDS:
        return _yesno_option(q, YES if t in _YES_WORDS else NO)
    if any(w in t for w in _UNSURE_WORDS) or _UNSURE_PATTERN.search(t):
        return _yesno_option(q, UNSURE)
    if _asks(t):
        return Reading(error=_yesno_error(q), attempt=False)
    # Read each clause (是的，我有本科 / 不，没有); they must agree, and any doubt makes the whole 不确定.
    clauses = [c for c in (_plain(part) for part in re.split(r"[,，。;；!！、\s]+", cleaned)) if c]
    values = [_yesno_clause(q, c) for c in clauses]
    if UNSURE in values:
        return _yesno_option(q, UNSURE)
    if "mixed" in values or (YES in values and NO in values):
        return Reading(error=texts.YESNO_MIXED.format(text=shorten(text)))
    if values and all(v in (YES, NO) for v in values):
        return _yesno_option(q, str(values[0]))
    cue = any(v is not None for v in values) or any(w in t for w in ("是", "否", "有", "没", "不", "对"))
    return Reading(error=_yesno_error(q), attempt=cue)


def _yesno_clause(q: Question, t: str) -> str | None:
    """Return yes, no or unsure for one clause; "mixed", "partial", "negated" or None when it is not one."""
    if t in _YES_WORDS or t in _NO_WORDS:
        return YES if t in _YES_WORDS else NO
    if any(w in t for w in _UNSURE_WORDS) or _UNSURE_PATTERN.search(t):
        return UNSURE
    body = _strip_prefix(_strip_particles(t), _SUBJECTS)
    if body.endswith("吧") or any(h in body for h in _HEDGES):
        return UNSURE  # a hedge is never a yes
    if body in _YES_WORDS:
        return YES
    if body.startswith(_CONTRAST):
        return "mixed"  # 是的，但没有毕业: the second clause takes the first back
    if len(body) >= 2 and body in _prompt_words(q):
        return _echo(q, body)  # 「在职」 to 「在职吗？」, or 「不涉及」 to 「…且不涉及国家秘密？」
    negation = next((n for n in _NEGATION_LEADS if body.startswith(n)), "")
    if negation:
        rest = _strip_particles(body[len(negation):]).rstrip("的")
        if rest[:1] in ("不", "没") or any(c in rest for c in _CONTRAST):
            return "mixed"  # 不是不…, 没有，但是…: a double negation or a turn is not a plain no
        if not rest or rest in _YES_WORDS:
            return NO  # 不, 不是的, 不对, 不具备, 没有具备
        if rest in _prompt_words(q):
            # 没有本科 denies what is asked; 没有涉及 at 「不涉及…吗？」 agrees with a negative question
            return "partial" if _echo(q, rest) == "negated" else NO
        return None  # 不是外籍: says what the user is not, which is not an answer to 是中国籍吗
    lead = next((y for y in _YES_LEADS if body.startswith(y)), "")
    rest = body[len(lead):].strip("的")
    if any(c in rest for c in _CONTRAST) or any(c in rest for c in _NEGATION_CHARS):
        return "mixed" if lead else None
    if lead and not rest:
        return YES
    if lead and rest in _prompt_words(q):
        return _echo(q, rest)  # 有本科 to 「您具有大学本科及以上学历吗？」
    return None


def _echo(q: Question, words: str) -> str:
    """Read a reply that repeats words of the question: yes when the question asks just that.

    Returns "partial" when the question asks several things (「学风正派」 to 「学风正派，治学严谨？」) and
    "negated" when the prompt itself negates the words (「涉及」 to 「不涉及国家秘密？」): neither is a yes.
    """
    prompt = _prompt_words(q)
    at = [k for k in range(len(prompt)) if prompt.startswith(words, k)]
    if any(_negated_at(prompt, k) for k in at):
        return "negated"
    return YES if _asks_one_thing(q) else "partial"


def _asks_one_thing(q: Question) -> bool:
    """Return True unless the prompt lists several requirements (「A、B」, 「A，B」 without 或)."""
    question = re.sub(r"[（(][^）)]*[）)]", "", q.prompt)
    return len([p for p in re.split(r"[、，,；;]", question) if p.strip()]) == 1 or "或" in question


# -- options ---------------------------------------------------------------------------------------

_SEGMENT_SPLIT = re.compile(r"[（）()、，,；;：:/]|以及|或|及|等")
_ORDINAL = re.compile(r"(?:我选|选择|选|第)?(\d{1,2}|[一二三四五六七八九十])(?:个|项|种|类|条|号|个选项|项选项)?")
_CHOICE_FILLERS = ("我们是", "我是", "我们", "我", "本人", "目前", "现在", "当前", "已经", "属于", "选择", "我选",
                   "选", "是", "算", "持有", "拥有", "有")
_NONE_WORDS = ("以上都不是", "以上都没有", "以上均不是", "都不是", "都没有", "都不属于", "都不符合", "均不是", "均不属于",
               "一个都不是", "哪个都不是", "都不对", "都不", "没有", "无")
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


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


def _segments(label: str) -> list[str]:
    """Return the words a label lists: its core and each example in brackets."""
    out = []
    for part in _SEGMENT_SPLIT.split(label):
        part = _strip_prefix(_plain(part), ("例如", "比如", "如", "包括"))
        if part and part not in ("如", "例如"):
            out.append(part)
    return out


def _negated_at(text: str, i: int) -> bool:
    """Return True when the word starting at text[i] is negated (不在职, 没有本科, 尚未成立; not 是否属实)."""
    before = text[max(0, i - 2):i]
    if before in ("是否", "能否", "可否", "与否", "有无", "有没"):
        return False
    return i > 0 and text[i - 1] in _NEGATION_CHARS or before in ("不是", "没有", "尚未", "并非")


@dataclass(frozen=True)
class _Match:
    index: int
    strength: int   # 3: the reply names the whole label; 2: a whole part of it; 1: a piece of a part
    word: str
    positive: bool


def _option_matches(body: str, options: tuple[Option, ...]) -> list[_Match]:
    """Return the best match of the reply against each option's words, with its polarity."""
    found = []
    for i, o in enumerate(options):
        best: _Match | None = None

        def offer(m: _Match) -> None:
            nonlocal best
            if best is None or (m.strength, len(m.word)) > (best.strength, len(best.word)):
                best = m

        for name in {_plain(o.label), _plain(_core(o.label))}:
            if name and name in body:
                offer(_Match(i, 3, name, not _negated_at(body, body.index(name))))
        for seg in _segments(o.label):
            if len(seg) >= 2 and seg in body:
                offer(_Match(i, 2, seg, not _negated_at(body, body.index(seg))))
            if len(body) >= 2 and body in seg:
                at = [k for k in range(len(seg)) if seg.startswith(body, k)]
                positive = any(not _negated_at(seg, k) for k in at)
                offer(_Match(i, 2 if body == seg else 1, body, positive))
        if best is not None:
            found.append(best)
    return found


def _which(q: Question, indexes: list[int]) -> Reading:
    """Ask which of these options the user means, naming them (or all options when many fit)."""
    if not 1 <= len(indexes) <= 4:
        return Reading(error=q.error or texts.OPTION_ERROR)
    names = texts.OPTION_CANDIDATE_JOIN.join(
        texts.OPTION_CANDIDATE.format(number=i + 1, label=q.options[i].label) for i in indexes)
    return Reading(error=texts.OPTION_WHICH.format(candidates=names))


def _special_option(q: Question, kind: str) -> Option | None:
    if kind == "unsure":
        found = [o for o in q.options
                 if o.value == UNSURE or any(w in o.label for w in ("不确定", "没有确定", "未确定", "说不清", "不清楚"))]
    else:
        found = [o for o in q.options if _plain(o.label).startswith(("以上都", "以上均", "都不"))]
    return found[0] if len(found) == 1 else None


def _read_choice(q: Question, text: str, reference: date | None) -> Reading:
    cleaned = _clean(text)
    exact = _exact_option(q, cleaned)
    if exact is not None:
        return Reading(exact.value)
    t = _plain(text)
    if not t:
        return Reading(error=q.error or texts.OPTION_ERROR, attempt=False)
    m = _ORDINAL.fullmatch(t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _CN_SMALL[m.group(1)]
        if 1 <= n <= len(q.options):
            return Reading(q.options[n - 1].value)
        return Reading(error=q.error or texts.OPTION_ERROR)
    if any(w in t for w in _UNSURE_WORDS) or _UNSURE_PATTERN.search(t):
        unsure = _special_option(q, "unsure")
        return Reading(unsure.value) if unsure else Reading(error=q.error or texts.OPTION_ERROR)
    if _asks(t):
        return Reading(error=q.error or texts.OPTION_ERROR, attempt=False)
    body = _strip_prefix(_strip_particles(t), _CHOICE_FILLERS).rstrip("的")
    exact = _exact_option(q, body)
    if exact is not None:
        return Reading(exact.value)
    if body in _NONE_WORDS:
        none = _special_option(q, "none")
        return Reading(none.value) if none else _which(q, list(range(len(q.options))))
    hedged = any(h in body for h in _HEDGES) or body.endswith("吧")
    for h in _HEDGES:
        body = body.replace(h, "")
    body = _strip_prefix(body.rstrip("吧"), _CHOICE_FILLERS).rstrip("的")
    matches = _option_matches(body, q.options)
    negation = next((n for n in _NEGATION_LEADS if body.startswith(n) and len(body) > len(n) + 1), "")
    if not matches and negation:  # 不是外籍: read 外籍 and turn each match round
        matches = [_Match(m.index, m.strength, m.word, not m.positive)
                   for m in _option_matches(body[len(negation):], q.options)]
    positive = [m for m in matches if m.positive]
    if positive:
        top = max(m.strength for m in positive)
        tied = [m for m in positive if m.strength == top]
        # the most specific wins: drop a match whose words lie inside another's (高级 inside 正高级)
        tied = [m for m in tied if not any(m.word != o.word and m.word in o.word for o in tied)]
        if len({m.index for m in tied}) == 1 and not hedged:
            return Reading(q.options[tied[0].index].value)
        return _which(q, sorted({m.index for m in tied}))  # two fit, or a hedge: ask, never guess
    if matches:  # every match is negated: 「在职」 rules out 「目前不在职」; ask which of the others
        ruled_out = {m.index for m in matches}
        special = {o.value for o in (_special_option(q, "unsure"), _special_option(q, "none")) if o}
        rest = [i for i, o in enumerate(q.options) if i not in ruled_out and o.value not in special]
        return _which(q, rest)
    cue = any(w in t for w in ("是", "不", "没", "有")) or bool(re.search(r"\d", t))
    return Reading(error=q.error or texts.OPTION_ERROR, attempt=cue)


# -- Chinese numerals ------------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"[零〇一二两俩三仨四五六七八九十百千万廿卅卌几]+(?:点[零〇一二三四五六七八九]+)?")
# Words with a numeral that is not a number: keep them away from the numeral reader.
_NOT_NUMBERS = (("一共", "共"), ("一年", "每年"), ("一起", "某起"), ("一些", "某些"), ("一点", "某点"), ("一下", "某下"),
                ("一般", "某般"), ("一直", "某直"), ("一样", "某样"), ("一定", "某定"), ("统一", "统某"),
                ("唯一", "唯某"), ("十分", "很"), ("万一", "某某"), ("一切", "某切"), ("三番", "某番"))


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
        elif ch in _DIGITS:
            if current is not None:
                return None
            current = _DIGITS[ch]
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


# -- numbers ---------------------------------------------------------------------------------------

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


def _read_number(q: Question, text: str, reference: date | None) -> Reading:
    kind = _kind(q)
    t = _clean(text)
    if not t:
        return Reading(error=_number_error(q, text), attempt=False)
    if _asks(t):
        return Reading(error=_number_error(q, text), attempt=False)
    if kind == "count" and not re.search(r"\d|[二两三四五六七八九十百千]", t):
        for word in _ZERO_WORDS:
            if word in t and not _leftover_ok(t.replace(word, "#", 1), q):
                return _in_range(q, text, Span(0, 0))
    if kind == "share":
        for words, stand_in in ((("全部都是", "全部", "全都是", "全是", "都是"), "100%"),
                                (("大多数", "大部分", "多数", "过半"), "超过50%"),
                                (("少数", "小部分"), "不到50%"), (("一半", "半数"), "50%")):
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
    rest = s[:tok.start] + "#" + s[tok.end:]
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
    rest = rest.replace(" ", "")
    if any(c in rest for c in _NEGATION_CHARS):
        return Reading(error=_number_error(q, text))  # 不是30 says what the number is not
    unread = _leftover_ok(rest, q)
    if unread or tok.kind == "mixed" or (tok.unit and tok.unit not in _units_for(q)):
        return Reading(error=_number_error(q, text), attempt=len(unread) <= 4)
    if kind != "share" and tok.kind in ("frac", "pct", "cheng"):
        return Reading(error=_number_error(q, text))
    if ("approx" in bounds or tok.mod == "来") and kind != "share":
        return Reading(error=_number_error(q, text, texts.NUMBER_APPROX, example=_fmt(math.floor(tok.low))))
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
    if tok.mod in ("多", "余"):
        step = 10 ** max((k for k in range(1, 6) if low >= 10 ** k and low % 10 ** k == 0), default=0)
        span = Span(low, low + step, True, True) if step > 1 else Span(low, low + 1, False, True)
    elif tok.mod == "+" or "ge" in bounds:
        span = Span(low, math.inf)
    elif "gt" in bounds:
        span = Span(low, math.inf, low_open=True)
    elif "le" in bounds:
        span = Span(-math.inf, high)
    elif "lt" in bounds:
        span = Span(-math.inf, high, high_open=True)
    else:
        span = Span(low, high)
    if kind == "count" and span.is_point and not float(span.low).is_integer():
        return Reading(error=_number_error(q, text, texts.NUMBER_FRACTION, example=_fmt(math.floor(span.low))))
    if kind in ("age", "count"):
        span = _whole_numbers(span, kind)
    return _in_range(q, text, span)


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


# -- dates -----------------------------------------------------------------------------------------

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
