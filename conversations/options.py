"""Reading a reply to a choice question: an option's number, value or label, or the words of one label —
the most specific wins, negation counts on both sides, and two options that fit are never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from . import texts
from .model import UNSURE, Option, Question
from .reading import Reading, _asks, _clean, _core, _exact_option, _negated_at, _plain, _strip_particles, _strip_prefix
from .words import answer_words

_SEGMENT_SPLIT = re.compile(r"[（）()、，,；;：:/]|以及|或|及|等")

_ORDINAL = re.compile(r"(?:我选|选择|选|第)?(\d{1,2}|[一二三四五六七八九十])(?:个|项|种|类|条|号|个选项|项选项)?")

_CHOICE_FILLERS = ("我们是", "我是", "我们", "我", "本人", "目前", "现在", "当前", "已经", "属于", "选择", "我选",
                   "选", "是", "算", "持有", "拥有", "有")

_NONE_WORDS = ("以上都不是", "以上都没有", "以上均不是", "都不是", "都没有", "都不属于", "都不符合", "均不是", "均不属于",
               "一个都不是", "哪个都不是", "都不对", "都不", "没有", "无")

_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _segments(label: str) -> list[str]:
    """Return the words a label lists: its core and each example in brackets."""
    out = []
    for part in _SEGMENT_SPLIT.split(label):
        part = _strip_prefix(_plain(part), ("例如", "比如", "如", "包括"))
        if part and part not in ("如", "例如"):
            out.append(part)
    return out


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
    if answer_words().doubtful(t):
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
    matched = _by_words(q, body)
    if matched is not None:
        return matched
    cue = any(w in t for w in ("是", "不", "没", "有")) or bool(re.search(r"\d", t))
    return Reading(error=q.error or texts.OPTION_ERROR, attempt=cue)


def _by_words(q: Question, body: str) -> Reading | None:
    """Read a reply by the words of the option labels it names; None when it names none of them."""
    words = answer_words()
    hedged = words.hedged(body)
    for h in words.w.hedges:
        body = body.replace(h, "")
    for end in words.w.hedge_ends:
        body = body.removesuffix(end)
    body = _strip_prefix(body, _CHOICE_FILLERS).rstrip("的")
    matches = _option_matches(body, q.options)
    negation = next((n for n in words.w.negation_leads if body.startswith(n) and len(body) > len(n) + 1), "")
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
    return None
