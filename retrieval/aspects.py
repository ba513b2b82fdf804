"""Lead with the sentence that answers: pick the entry's sentences that match what a question asks.

The card's fixed sections answer 条件, 时间, 申报方式 and 联系方式. Other aspects — money, ages, who may
take part, numbers, dates (data/lexicon/aspects.yaml) — are answered by the sentence(s) of the entry that
carry both the aspect's cue words and the question's own words, quoted first; when no sentence does, the
reply says plainly that the entry does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon
from .model import Organisation, Service
from .text import normalise

_SENTENCE = re.compile(r"(?<=[。；！？])|\n")
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class AspectPatterns:
    """The patterns of data/lexicon/patterns.yaml that leading with the answer reads."""

    # A month of the yearly cycle (每年3月, 4-5月); a month after a year (2017年8月) dates a past document instead.
    year: re.Pattern[str]
    counted: re.Pattern[str]
    asks_year: re.Pattern[str]
    date: re.Pattern[str]
    count: re.Pattern[str]

    @classmethod
    def of(cls, lexicon: Lexicon) -> AspectPatterns:
        """Return the patterns of a lexicon."""
        return cls(*(lexicon.pattern(n) for n in ("year", "counted", "asks_year", "date", "counted_number")))


@dataclass(frozen=True)
class Aspect:
    """One thing a question may ask about, beyond the fixed card sections."""

    name: str
    asks: tuple[str, ...]
    cues: tuple[str, ...]
    missing: str
    # Words that answer it by themselves, shared with the question or not (广州 answers 在哪举办).
    answers: tuple[str, ...] = ()
    # Answered by a list: the block whose heading has one of the cues (资料采集的类型, 基地类型), quoted item by
    # item up to each item's label (1. 手稿类, 科技场馆类科普教育基地).
    labels: bool = False


@dataclass(frozen=True)
class Lead:
    """What to lead an answer with: the aspect asked about and the entry's sentences that answer it."""

    aspect: Aspect
    sentences: tuple[str, ...]


def load_aspects(lexicon: Lexicon) -> tuple[Aspect, ...]:
    """Return the aspects of the lexicon (data/lexicon/aspects.yaml)."""
    return tuple(Aspect(name, tuple(normalise(w) for w in a.asks), tuple(normalise(w) for w in a.cues),
                        a.missing.strip(), tuple(normalise(w) for w in a.answers), a.labels)
                 for name, a in lexicon.aspects.items())


def asked(question: str, aspects: tuple[Aspect, ...]) -> list[Aspect]:
    """Return the aspects a question asks about, in data order."""
    q = normalise(question).replace(" ", "")
    return [a for a in aspects if any(w in q for w in a.asks)]


def sentences(service: Service) -> list[tuple[str, str]]:
    """Return every sentence the entry prints with the heading of its block, in card order (notes last)."""
    out: list[tuple[str, str]] = []
    for _, sec in service.blocks():
        for line in sec.lines():
            out += [(sec.heading, s.strip()) for s in _SENTENCE.split(line) if s and s.strip()]
    out += [("", n) for n in service.notes if n.strip()]
    return out


# Aspects whose answer is a number: a sentence with digits answers them better.
_NUMERIC = ("money", "age", "count", "date")
# Aspects that a cue word alone cannot settle: the sentence must share one of the question's own words too.
_NEEDS_OWN = ("date", "place")
# 多少名额 is answered by a number only: 个人奖的…不作为…被提名 shares words but says no number.
_NEEDS_NUMBER = ("count",)


def organisation_sentences(org: Organisation) -> list[tuple[str, str]]:
    """Return every sentence of a 科协 introduction's sections with the heading of its section."""
    out: list[tuple[str, str]] = []  # not the summary: every card prints it anyway
    for sec in org.sections:
        for line in sec.lines():
            out += [(sec.heading, s.strip()) for s in _SENTENCE.split(line) if s and s.strip()]
    return out


def lead(source: Service | list[tuple[str, str]], question: str, words: list[str], aspect: Aspect | None,
         patterns: AspectPatterns, limit: int = 2, related: tuple[str, ...] = ()) -> Lead | None:
    """Return the sentences that answer the question — of an entry, or of any (heading, sentence) list: for
    an aspect, sentences with its cue words (and the question's own words); without one, the sentence that
    shares most of the question's own words.

    `related` words (synonyms of the question's) count half as much as its own.
    Returns None (no aspect) or a Lead with no sentences (an aspect the text does not address).
    """
    if aspect is not None and aspect.labels and isinstance(source, Service):
        listed = _labelled_block(source, aspect)
        if listed:
            return Lead(aspect, listed)
    scored = []
    headed: dict[str, list[str]] = {}
    wants_year = bool(patterns.asks_year.search(question))
    # What 多少个… counts (多少个部门参与 → 部门): the number next to it answers, even for an everyday word.
    counted = [m.group(1) for m in patterns.counted.finditer(normalise(question))]
    pairs = sentences(source) if isinstance(source, Service) else source
    for n, (heading, sentence) in enumerate(pairs):
        s = normalise(sentence)
        own = sum(len(w) for w in words if w in s) + sum(len(w) for w in related if w in s) // 2
        if aspect is None:
            # A block whose own heading says what is asked (市科协主管期刊 for 市科协主管哪些科技期刊) answers it.
            titled = sum(len(w) for w in words if w in normalise(heading)) if heading else 0
            if own + titled >= 2:
                scored.append((own + 2 * titled, -n, sentence))
                if titled:
                    headed.setdefault(heading, []).append(sentence)
            continue
        # The block's heading speaks for its sentences: under 参与对象 a list of units answers 谁能参加.
        cue = sum(1 for c in aspect.cues if c in s or c in normalise(heading))
        dated = patterns.year.search(s) if wants_year else patterns.date.search(s)
        if (aspect.name == "date" and dated) or any(w in s for w in aspect.answers):
            own += 2  # an explicit date or place answers 什么时候 or 在哪 even in words the question does not share
        # A sentence with the very thing asked about (相声 in 相声能报吗) needs no cue word.
        if not (cue or own >= 2) or (aspect.name in _NEEDS_OWN and not own) \
                or (aspect.name in _NEEDS_NUMBER and not patterns.count.search(s)):
            continue
        number = 2 if _NUMBER.search(s) and aspect.name in _NUMERIC else 0
        if number and _near_number(s, words + counted):
            number += 2  # 先进个人不超过300名: the number is about the thing asked (个人奖有多少名额)
        scored.append((cue + 2 * own + number, -n, sentence))
    if not scored:
        return None if aspect is None else Lead(aspect, ())
    scored.sort(reverse=True)
    best = scored[0][0]
    # A sentence that only shares a generic cue (限, 应) with the question answers nothing.
    floor = max(3, best - 1) if aspect is not None else max(2, best)
    chosen = [s for score, _, s in scored[:limit] if score >= floor]
    if not chosen:
        return None if aspect is None else Lead(aspect, ())
    block = next((b for b in headed.values() if chosen[0] in b), None)
    if aspect is None and block and sum(map(len, block)) <= WHOLE_BLOCK:
        return Lead(GENERAL, tuple(block))  # a short list under its heading is quoted whole, not cut at two
    return Lead(aspect or GENERAL, tuple(chosen))


def _labelled_block(service: Service, aspect: Aspect) -> tuple[str, ...]:
    """Return the items of the first block whose heading has one of the aspect's cues, each up to its label."""
    for _, sec in service.blocks():
        heading = normalise(sec.heading)
        if any(len(c) >= 2 and c in heading for c in aspect.cues):
            items = [line.strip() for line in sec.lines() if line.strip()]
            return tuple(_LABEL.split(line, maxsplit=1)[0] for line in items)
    return ()


# An item's label ends at its first colon or comma (1. 手稿类：日记…, 科技场馆类科普教育基地，指…).
_LABEL = re.compile(r"[：:，,]")


def _near_number(sentence: str, words: list[str], span: int = 8) -> bool:
    """Return True when one of the question's own words stands within a few characters of a number."""
    digits = [m.start() for m in _NUMBER.finditer(sentence)]
    for w in words:
        start = sentence.find(w)
        while start >= 0:
            if any(start - span <= d <= start + len(w) + span for d in digits):
                return True
            start = sentence.find(w, start + 1)
    return False


# Longest block (characters) quoted whole when its heading answers the question.
WHOLE_BLOCK = 240

# The lead of a question that asks about none of the aspects: what it shares with the entry's sentences.
GENERAL = Aspect("general", (), (), "")
