"""What the hand-kept word lists of data/lexicon say about a question — read as features, never as vetoes.

What the question asks about (aspects: contact, conditions …), whether it is small talk, whether it names an
out-of-scope topic, another region's body, a level of government, or a programme that a service's names lack.
retrieval/features.py turns each reading into a number the fitted decision weighs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from .lexicon import INTENTS, Lexicon

def detect_aspects(normalised: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Return what the question asks about (contact, conditions …), in card order; () when it just names a service."""
    text = lexicon.pattern("aspect_merge").sub(r"\2", normalised)
    found = [name for name in INTENTS if any(w in text for w in lexicon.intents[name])]
    return tuple(found)


def chitchat_only(normalised: str, content_tokens: list[str], lexicon: Lexicon) -> bool:
    """Return True when the question is small talk: chitchat phrases and filler, nothing else."""
    compact = re.sub(r"[\W_]+", "", normalised)
    if not compact:
        return False
    rest = compact
    hit = False
    for p in sorted(lexicon.chitchat, key=len, reverse=True):
        if p in rest:
            hit = True
            rest = rest.replace(p, " ")
    if not hit:
        return False
    remaining = [t for t in content_tokens if t in rest]
    return not remaining


def out_of_scope_topic(normalised: str, lexicon: Lexicon) -> str:
    """Return the out-of-scope topic the question names, or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for t in lexicon.oos_topics:
        if t in compact:
            return t
    return ""


def levels(normalised: str, lexicon: Lexicon, name: bool = False) -> frozenset[str]:
    """Return the levels ("national", "local") a question — or, with name, a service's name — belongs to."""
    # 中国籍, 中国公民: a nationality, not the national level.
    text = lexicon.pattern("nationality").sub("", normalised)
    if name:
        # 推荐“最美科技工作者”天津市候选人: Tianjin's candidates for a national award — a national award.
        text = re.sub(_any_of(lexicon.local) + lexicon.pattern("candidates").pattern, "", text)
    found = {"national"} if any(w in text for w in lexicon.national) else set()
    if any(w in text for w in lexicon.local):
        found.add("local")
    return frozenset(found)


def strip_levels(name: str, lexicon: Lexicon) -> str:
    """Return a name without its level words (中国创新方法大赛天津赛区 → 创新方法大赛赛区)."""
    words = (*lexicon.national, *lexicon.local)
    return re.sub(_any_of(words), "", name) if words else name


@functools.lru_cache(maxsize=32)
def _any_of(words: tuple[str, ...]) -> str:
    """Return a regular expression group matching any of the words, longest first (天津市 before 天津)."""
    return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"


# How many characters before a programme ending name it (托举 in 青年托举计划, 培养 in 131创新型人才培养工程).
PROGRAMME_NAME = 4


def programme_share(normalised: str, names: Sequence[str], lexicon: Lexicon, fields: Iterable[str] = ()) -> float:
    """Return how much of a programme the question names (…工程, …计划, …基金) the best of names holds: the
    run of characters right before the ending that the name has, out of PROGRAMME_NAME; 1.0 when the question
    names no programme. A field before 工程 (土木工程, 电气工程) is a discipline, not a programme."""
    if not lexicon.programme_ends:
        return 1.0
    shares = []
    for before in _programmes_named(normalised, lexicon, tuple(fields)):

        def run(name: str) -> int:
            n = 0
            while n < min(PROGRAMME_NAME, len(before)) and before[-1 - n] in name:
                n += 1
            return n

        shares.append(max((run(n) for n in names), default=0) / PROGRAMME_NAME)
    return min(shares, default=1.0)


_last_programmes: list[tuple[tuple[str, Lexicon, tuple[str, ...]], tuple[str, ...]]] = []


def _programmes_named(normalised: str, lexicon: Lexicon, fields: tuple[str, ...]) -> tuple[str, ...]:
    """Return what comes before each programme ending the question names (remembered for the last question: each
    of its candidates asks)."""
    key = (normalised, lexicon, fields)
    last = _last_programmes[0] if _last_programmes else None
    if last is not None and last[0][0] == normalised and last[0][1] is lexicon and last[0][2] == fields:
        return last[1]
    ends = _any_of(lexicon.programme_ends)
    not_before = f"(?![{re.escape(lexicon.programme_not_before)}])" if lexicon.programme_not_before else ""
    text = strip_levels(re.sub(r"\s+", "", normalised), lexicon)
    found = []
    for m in re.finditer(ends + not_before, text):
        before = re.sub(r"[\d_a-z]+$", "", text[:m.start()])  # 131工程: a number is in no name's words
        # 土木工程: a field, then an ending that is itself a field word, is a discipline, not a programme.
        if not before or (m.group(0) in fields and any(before.endswith(f) for f in fields)):
            continue
        found.append(before)
    _last_programmes[:] = [(key, tuple(found))]
    return tuple(found)


def level_conflict(normalised: str, title: str, lexicon: Lexicon) -> bool:
    """Return True when the question names the national level only and the title only Tianjin's."""
    return levels(normalised, lexicon) == {"national"} and levels(title, lexicon, name=True) == {"local"}


def other_region(normalised: str, lexicon: Lexicon) -> str:
    """Return a region named right before an organisation word (河北省科协 …), or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for r in lexicon.regions:
        start = compact.find(r)
        while start >= 0:
            tail = compact[start + len(r): start + len(r) + 5]
            if any(tail.startswith(o) or tail[1:].startswith(o) for o in lexicon.region_orgs):
                return r
            start = compact.find(r, start + 1)
    return ""

