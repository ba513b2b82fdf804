"""Reading a reply to a yes/no question: 是/有/当然 …, 不/没 …, 不确定 and hedges (which never make a yes)."""

from __future__ import annotations

import re
from datetime import date

from . import texts
from .model import NO, UNSURE, YES, Question
from .reading import (_HEDGES, _NEGATION_CHARS, _NEGATION_LEADS, _UNSURE_PATTERN, _UNSURE_WORDS, Reading, _asks, _clean,
                      _exact_option, _negated_at, _plain, _prompt_words, _strip_particles, _strip_prefix, shorten)

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
