"""Lead with the sentence that answers: pick the entry's sentences that match what a question asks.

The card's fixed sections answer 条件, 时间, 申报方式 and 联系方式. Other aspects — money, ages, who may
take part, numbers, dates (data/lexicon/aspects.yaml) — are answered by the sentence(s) of the entry that
carry both the aspect's cue words and the question's own words, quoted first; when no sentence does, the
reply says plainly that the entry does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .loader import DATA_DIR, CatalogueError, read_yaml
from .model import Organisation, Service
from .text import normalise

_SENTENCE = re.compile(r"(?<=[。；！？])|\n")
_NUMBER = re.compile(r"\d")
# A month of the yearly cycle (每年3月, 4-5月); a month after a year (2017年8月) dates a past document instead.
_YEAR = re.compile(r"\d{4}年")
_COUNTED = re.compile(r"(?:多少|几)[个名家项次位批]?([\u4e00-\u9fff]{2})")
_ASKS_YEAR = re.compile(r"哪一?年|年份|几几年")
_DATE = re.compile(r"(?<!\d年)(?:\d{1,2}月(?:\d{1,2}日)?|\d{1,2}-\d{1,2}月)")


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


def load_aspects(data_dir: str | Path | None = None) -> tuple[Aspect, ...]:
    """Load data/lexicon/aspects.yaml."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "lexicon" / "aspects.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise CatalogueError(path, None, None, "expected aspect: {asks, cues, missing}")
    out = []
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not {"asks", "cues", "missing"} <= set(spec) \
                <= {"asks", "cues", "missing", "answers", "labels"}:
            raise CatalogueError(path, None, str(name), "expected asks, cues, missing and optionally answers, labels")
        if not isinstance(spec.get("labels", False), bool):
            raise CatalogueError(path, None, str(name), "labels is true or false")
        if not all(isinstance(spec.get(k, [""]), list) and spec.get(k, [""]) for k in ("asks", "cues", "answers")) \
                or not isinstance(spec["missing"], str):
            raise CatalogueError(path, None, str(name), "asks, cues and answers are lists of words, missing is text")
        out.append(Aspect(str(name), tuple(normalise(w) for w in spec["asks"]), tuple(normalise(w) for w in spec["cues"]),
                          spec["missing"].strip(), tuple(normalise(str(w)) for w in spec.get("answers", ())),
                          spec.get("labels", False)))
    return tuple(out)


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
_COUNT = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:名|人|个|家|项|次|批|届)")


def organisation_sentences(org: Organisation) -> list[tuple[str, str]]:
    """Return every sentence of a 科协 introduction's sections with the heading of its section."""
    out: list[tuple[str, str]] = []  # not the summary: every card prints it anyway
    for sec in org.sections:
        for line in sec.lines():
            out += [(sec.heading, s.strip()) for s in _SENTENCE.split(line) if s and s.strip()]
    return out


def lead(source: Service | list[tuple[str, str]], question: str, words: list[str], aspect: Aspect | None,
         limit: int = 2, related: tuple[str, ...] = ()) -> Lead | None:
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
    wants_year = bool(_ASKS_YEAR.search(question))
    # What 多少个… counts (多少个部门参与 → 部门): the number next to it answers, even for an everyday word.
    counted = [m.group(1) for m in _COUNTED.finditer(normalise(question))]
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
        dated = _YEAR.search(s) if wants_year else _DATE.search(s)
        if (aspect.name == "date" and dated) or any(w in s for w in aspect.answers):
            own += 2  # an explicit date or place answers 什么时候 or 在哪 even in words the question does not share
        # A sentence with the very thing asked about (相声 in 相声能报吗) needs no cue word.
        if not (cue or own >= 2) or (aspect.name in _NEEDS_OWN and not own) \
                or (aspect.name in _NEEDS_NUMBER and not _COUNT.search(s)):
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
