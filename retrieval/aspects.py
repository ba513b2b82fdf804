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
from .model import Service
from .text import normalise

_SENTENCE = re.compile(r"(?<=[。；！？])|\n")
_NUMBER = re.compile(r"\d")
# A month of the yearly cycle (每年3月, 4-5月); a month after a year (2017年8月) dates a past document instead.
_DATE = re.compile(r"(?<!\d年)(?:\d{1,2}月(?:\d{1,2}日)?|\d{1,2}-\d{1,2}月)")


@dataclass(frozen=True)
class Aspect:
    """One thing a question may ask about, beyond the fixed card sections."""

    name: str
    asks: tuple[str, ...]
    cues: tuple[str, ...]
    missing: str


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
        if not isinstance(spec, dict) or set(spec) != {"asks", "cues", "missing"}:
            raise CatalogueError(path, None, str(name), "expected asks, cues and missing")
        if not all(isinstance(spec[k], list) and spec[k] for k in ("asks", "cues")) or not isinstance(spec["missing"], str):
            raise CatalogueError(path, None, str(name), "asks and cues are lists of words, missing is text")
        out.append(Aspect(str(name), tuple(normalise(w) for w in spec["asks"]), tuple(normalise(w) for w in spec["cues"]),
                          spec["missing"].strip()))
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


def lead(service: Service, question: str, words: list[str], aspect: Aspect | None, limit: int = 2) -> Lead | None:
    """Return the entry's sentences that answer the question: for an aspect, sentences with its cue words
    (and the question's own words); without one, the sentence that shares most of the question's own words.

    Returns None (no aspect) or a Lead with no sentences (an aspect the entry does not address).
    """
    scored = []
    for n, (heading, sentence) in enumerate(sentences(service)):
        s = normalise(sentence)
        own = sum(len(w) for w in words if w in s)
        if aspect is None:
            if own >= 2:
                scored.append((own, -n, sentence))
            continue
        # The block's heading speaks for its sentences: under 参与对象 a list of units answers 谁能参加.
        cue = sum(1 for c in aspect.cues if c in s or c in normalise(heading))
        if aspect.name == "date" and _DATE.search(s):
            own += 2  # an explicit date answers 什么时候 even in words the question does not share
        if not cue or (aspect.name in _NEEDS_OWN and not own):
            continue
        number = 2 if _NUMBER.search(s) and aspect.name in _NUMERIC else 0
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
    return Lead(aspect or GENERAL, tuple(chosen))


# The lead of a question that asks about none of the aspects: what it shares with the entry's sentences.
GENERAL = Aspect("general", (), (), "")
