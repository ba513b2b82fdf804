"""Reading a reply to a yes/no question: 是/有/当然 …, 不/没 …, 不确定 and hedges (which never make a yes), an
answer with a detail that agrees with it (对，中国人 / 不是，已经工作了), and a level of education named at a
question asking for one at least (我是博士毕业 to 「本科及以上学历吗？」). Every word comes from
conversations/answers.yaml."""

from __future__ import annotations

import re
from datetime import date

from . import texts
from .model import NO, UNSURE, YES, Question
from .reading import (Reading, _asks, _clean, _exact_option, _negated_at, _plain, _prompt_words, _strip_particles,
                      _strip_prefix, shorten)
from .words import Readings, answer_words


def _yesno_option(q: Question, value: str) -> Reading:
    return Reading(value) if any(o.value == value for o in q.options) else Reading(error=_yesno_error(q))


def _yesno_error(q: Question) -> str:
    return q.error or texts.YESNO_ERROR


def _read_yesno(q: Question, text: str, reference: date | None) -> Reading:
    words = answer_words()
    cleaned = _clean(text)
    exact = _exact_option(q, cleaned)
    if exact is not None:
        return Reading(exact.value)
    if cleaned in words.yes_symbols:
        return _yesno_option(q, YES)
    if cleaned in words.no_symbols:
        return _yesno_option(q, NO)
    t = _plain(text)
    if not t:
        return Reading(error=_yesno_error(q), attempt=False)
    if t in words.yes or t in words.no:
        return _yesno_option(q, YES if t in words.yes else NO)
    if words.doubtful(t):
        return _yesno_option(q, UNSURE)
    if _asks(t):
        return Reading(error=_yesno_error(q), attempt=False)
    # Read each clause (是的，我有本科 / 不，没有 / 对的 在南开大学全职); they must agree, and any doubt makes the
    # whole 不确定.
    spaced = _clean(re.sub(r"\s+", "，", text.strip()))
    clauses = [c for c in (_plain(part) for part in re.split(r"[,，。;；!！、]+", spaced)) if c]
    values = [_yesno_clause(q, c) for c in clauses]
    if UNSURE in values:
        return _yesno_option(q, UNSURE)
    if "mixed" in values or (YES in values and NO in values):
        return Reading(error=texts.YESNO_MIXED.format(text=shorten(text)))
    if values and all(v in (YES, NO) for v in values):
        return _yesno_option(q, str(values[0]))
    if values and values[0] in (YES, NO) and all(v in (values[0], None) for v in values[1:]) \
            and all(_agrees(q, c, str(values[0])) for v, c in zip(values[1:], clauses[1:]) if v is None):
        return _yesno_option(q, str(values[0]))  # an answer, then what it is about
    cue = any(v is not None for v in values) or any(w in t for w in words.w.cues)
    return Reading(error=_yesno_error(q), attempt=cue)


def _yesno_clause(q: Question, t: str) -> str | None:
    """Return yes, no or unsure for one clause; "mixed", "partial", "negated" or None when it is not one."""
    words = answer_words()
    if t in words.yes or t in words.no:
        return YES if t in words.yes else NO
    if words.doubtful(t):
        return UNSURE
    body = _strip_prefix(_strip_particles(t), words.w.fillers)
    if words.hedged(body):
        return UNSURE  # a hedge is never a yes
    if body in words.yes:
        return YES
    if body.startswith(words.w.contrast):
        return "mixed"  # 是的，但没有毕业: the second clause takes the first back
    if len(body) >= 2 and body in _prompt_words(q):
        return _echo(q, body)  # 「在职」 to 「在职吗？」, or 「不涉及」 to 「…且不涉及国家秘密？」
    negation = next((n for n in words.w.negation_leads if body.startswith(n)), "")
    if negation:
        rest = _strip_particles(body[len(negation):]).rstrip("的")
        if rest.startswith(words.w.double_negation) or any(c in rest for c in words.w.contrast):
            return "mixed"  # 不是不…, 没有，但是…: a double negation or a turn is not a plain no
        if not rest or rest in words.yes:
            return NO  # 不, 不是的, 不对, 不具备, 没有具备
        said = rest if rest in _prompt_words(q) else _same_in_prompt(q, rest, words)
        if said:
            # 没有本科 denies what is asked; 没有涉及 at 「不涉及…吗？」 agrees with a negative question
            return "partial" if _echo(q, said) == "negated" else NO
        return None  # 不是外籍: says what the user is not, which is not an answer to 是中国籍吗
    lead = next((y for y in words.w.yes_leads if body.startswith(y)), "")
    rest = body[len(lead):].strip("的")
    if any(c in rest for c in words.w.contrast) or any(c in rest for c in words.negation_chars):
        return "mixed" if lead else None
    if lead and not rest:
        return YES
    said = rest if lead and rest in _prompt_words(q) else _same_in_prompt(q, rest if lead else body, words)
    if said:
        return _echo(q, said)  # 有本科 to 「您具有大学本科及以上学历吗？」, 中国人 to 「您是中国籍公民吗？」
    return _by_level(q, body, words)


def _same_in_prompt(q: Question, said: str, words: Readings) -> str:
    """Return the prompt's word for what the reply says in other words (中国人 for 中国籍), or ''."""
    prompt = _prompt_words(q)
    for group in words.w.same:
        if said in group:
            return next((w for w in group if w in prompt), "")
    return ""


def _level_asked(q: Question, words: Readings) -> int | None:
    """Return the level of education a question asks for at least (本科 in 「本科及以上学历吗？」), when that is
    all it asks; None otherwise."""
    question = re.sub(r"[（(][^）)]*[）)]", "", q.prompt)
    if not _asks_one_thing(q) or any(w in question for w in words.w.level_joins):
        return None
    prompt = _prompt_words(q)
    for level, names in enumerate(words.w.levels):
        if any(f"{n}{at}" in prompt for n in names for at in words.w.level_at_least):
            return level
    return None


def _by_level(q: Question, body: str, words: Readings) -> str | None:
    """Read a level of education named in the reply (博士毕业) against the level the question asks for at least."""
    asked = _level_asked(q, words)
    if asked is None or any(w in body for w in words.w.in_progress):
        return None
    named = [level for level, names in enumerate(words.w.levels) if any(n in body for n in names)]
    if not named:
        return None
    return YES if max(named) >= asked else NO


def _agrees(q: Question, clause: str, value: str) -> bool:
    """Return True when a clause after a yes or a no is a detail that agrees with it: after a yes it must repeat
    what the question asks (对的 在南开大学全职); after a no it must not (不是，已经工作了). A detail that
    negates, turns, hedges or asks is never read."""
    words = answer_words()
    body = _strip_prefix(_strip_particles(clause), words.w.fillers)
    if any(c in body for c in words.negation_chars) or any(c in body for c in words.w.contrast) \
            or words.hedged(body) or _asks(body):
        return False
    prompt = _prompt_words(q)
    against = any(w in body for group in words.w.opposite if group[0] in prompt for w in group[1:])
    pieces = {body[i:i + 2] for i in range(len(body) - 1)} - set(words.w.fillers)
    echoes = any(p in prompt for p in pieces) or bool(_same_in_prompt(q, body, words)) \
        or any(w in body for group in words.w.same if any(x in prompt for x in group) for w in group)
    if value == YES:
        return echoes and not against
    return not (echoes and not against)


def _echo(q: Question, said: str) -> str:
    """Read a reply that repeats words of the question: yes when the question asks just that.

    Returns "partial" when the question asks several things (「学风正派」 to 「学风正派，治学严谨？」) and
    "negated" when the prompt itself negates the words (「涉及」 to 「不涉及国家秘密？」): neither is a yes.
    """
    prompt = _prompt_words(q)
    at = [k for k in range(len(prompt)) if prompt.startswith(said, k)]
    if any(_negated_at(prompt, k) for k in at):
        return "negated"
    return YES if _asks_one_thing(q) else "partial"


def _asks_one_thing(q: Question) -> bool:
    """Return True unless the prompt lists several requirements (「A、B」, 「A，B」 without 或)."""
    question = re.sub(r"[（(][^）)]*[）)]", "", q.prompt)
    return len([p for p in re.split(r"[、，,；;]", question) if p.strip()]) == 1 or "或" in question
