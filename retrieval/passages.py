"""Passage answers: the sentence of an entry that answers what a turn asks, chosen by a fitted model.

Every entry — and each appendix document — is split into its sentences and list items (with the heading of
the block each belongs to). For a question about one answer, each sentence gets generic features: how much
of the question's own words it holds (weighted by how telling they are), its character bigrams in common,
whether its heading says what is asked, whether it has what an asked aspect looks for (a number for 多少, a
month for 几月, a year for 哪年, an aspect's cue words), where it stands. A conditional logit over the sentences
and 'none' (the entry does not say), fitted by `python -m retrieval.calibrate` on the facts of labelled
conversation turns, picks the sentence to lead with; below its fitted threshold the card leads with nothing —
or, when an aspect was asked, says plainly that the entry does not say it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
import numpy as np

from .aspects import GENERAL, Aspect, Lead, asked, lead, organisation_sentences, sentences
from .parts import Parts
from .readings import detect_aspects
from .text import bounded, compact, normalise

_SENTENCE = re.compile(r"(?<=[。；！？])|\n")
_DIGIT = re.compile(r"\d")
# Aspects whose answer is a number (a sentence with digits answers them better).
NUMERIC = ("money", "age", "count", "date")

PASSAGE_FEATURES: tuple[str, ...] = (
    "own", "own_count", "related", "bigrams", "heading", "cue", "aspect_answers", "digits", "numeric_asked",
    "near_number", "year_asked", "date_asked", "heuristic", "position", "length", "note", "asked_any", "cosine",
    "cosine_rank",
)


@dataclass(frozen=True)
class Chosen:
    """What a passage answer leads with: the aspect asked (if any) and the sentences, with the model's probability."""

    lead: Lead | None
    p: float = 0.0


class Passages:
    """Choose the sentences of an answer that answer a question."""

    def __init__(self, parts: Parts) -> None:
        self.searcher = parts
        self._sentences: dict[str, list[tuple[str, str]]] = {}
        self._vectors: dict[str, dict[str, float]] = {}

    def sentences(self, answer: str) -> list[tuple[str, str]]:
        """Return every (heading, sentence) of an answer (a service, an introduction, the 通则's articles)."""
        found = self._sentences.get(answer)
        if found is None:
            cat = self.searcher.catalogue
            service = cat.service(answer)
            if service is not None:
                found = sentences(service)
            elif answer in ("tast", "cast"):
                found = organisation_sentences(cat.organisation(answer))
            elif answer == "enterprise-association-rules":
                found = [(a.label, s.strip()) for a in cat.rules.articles for s in _SENTENCE.split(a.text) if s.strip()]
            else:
                found = []
            self._sentences[answer] = found
        return found

    def words(self, answer: str, question: str) -> tuple[list[str], tuple[str, ...]]:
        """Return the question's own words (not the answer's name, not filler) and their synonyms."""
        s = self.searcher
        plain = s.followup.strip_marks(question)
        tokens, parts = s.tokenizer.analyse(plain)
        name = frozenset().union(*(s.index.terms(i, "name") for i in s.index.docs_of(answer)))
        own = [w for w in dict.fromkeys(tokens + parts)
               if w not in name and len(w) >= 2 and not s.tokenizer.is_common(w, 7.0)]
        service = s.catalogue.service(answer)
        title = compact(service.title) if service is not None else ""
        related = tuple(dict.fromkeys(x for w in own for x in s.lexicon.synonyms.get(w, ())
                                      if x not in own and x not in name and x not in title))
        return own, related

    def rows(self, answer: str, question: str) -> tuple[list[tuple[str, str]], np.ndarray, list[Aspect]]:
        """Return an answer's sentences, their feature rows for a question, and the aspects it asks."""
        s = self.searcher
        pairs = self.sentences(answer)
        plain = s.followup.strip_marks(question)
        aspects = asked(plain, s.aspects)
        if not pairs:
            return pairs, np.zeros((0, len(PASSAGE_FEATURES))), aspects
        own, related = self.words(answer, question)
        info = {w: s.tokenizer.information(w) for w in own}
        total = sum(info.values()) or 1.0
        q = compact(plain)
        grams = {q[i:i + 2] for i in range(len(q) - 1)}
        patterns = s.aspect_patterns
        assert patterns is not None
        wants_year = bool(patterns.asks_year.search(plain))
        wants_date = any(a.name == "date" for a in aspects)
        numeric = any(a.name in NUMERIC for a in aspects)
        # The heuristic reader's pick, as one feature among the others (what it leads with).
        picked: set[str] = set()
        for aspect in aspects or [None]:  # type: ignore[list-item]
            found = lead(pairs, plain, [w for w in own if w not in s.lexicon.aspect_words] if aspect is None else own,
                         aspect, patterns, related=related)
            if found is not None:
                picked |= set(found.sentences)
        cues = [c for a in aspects for c in a.cues]
        # TF-IDF cosine of the question and each sentence (words and character bigrams, the examples' idf).
        cosines = self._cosines(plain, [sentence for _, sentence in pairs])
        order = sorted(range(len(pairs)), key=lambda i: -cosines[i])
        rank = {i: n for n, i in enumerate(order, 1)}
        answers = [w for a in aspects for w in a.answers]
        rows = []
        n = len(pairs)
        for k, (heading, sentence) in enumerate(pairs):
            text = normalise(sentence)
            head = normalise(heading)
            body = compact(sentence)
            own_in = [w for w in own if w in text]
            digits = bool(_DIGIT.search(sentence))
            near = digits and any(abs(text.find(w) - m.start()) <= 8 + len(w)
                                  for w in own_in for m in _DIGIT.finditer(text))
            rows.append([
                sum(info[w] for w in own_in) / total, min(len(own_in), 4) / 4,
                sum(1 for w in related if w in text) / max(len(related), 1),
                sum(1 for g in grams if g in body) / max(len(grams), 1),
                float(any(w in head for w in own)) + float(any(c in head for c in cues)),
                min(sum(1 for c in cues if c in text), 3) / 3, float(any(w in text for w in answers)),
                float(digits), float(digits and numeric), float(near),
                float(wants_year and bool(patterns.year.search(sentence))),
                float(wants_date and bool(patterns.date.search(sentence))),
                float(sentence in picked), k / max(n - 1, 1), math.log1p(len(sentence)) / 6, float(not heading),
                float(bool(aspects)), cosines[k], 1.0 / rank[k],
            ])
        return pairs, np.array(rows, dtype=float), aspects

    def _cosines(self, question: str, texts: list[str]) -> list[float]:
        """Return the TF-IDF cosine of a question with each text (the example index's analyser and idf)."""
        index = self.searcher.examples
        idf, analyse = index.idf, index.analyser.features
        default = math.log(len(index.examples) + 1) + 1.0

        def vector(text: str) -> dict[str, float]:
            return {f: v * idf.get(f, default) for f, v in analyse(text).items()}

        q = vector(question)
        qn = math.sqrt(sum(v * v for v in q.values())) or 1.0
        out = []
        for text in texts:
            d = self._vectors.get(text)
            if d is None:
                d = self._vectors[text] = vector(text)
            dn = math.sqrt(sum(v * v for v in d.values())) or 1.0
            out.append(sum(v * d.get(f, 0.0) for f, v in q.items()) / (qn * dn))
        return out

    def heuristic(self, answer: str, question: str) -> tuple[Lead | None, list[Aspect]]:
        """Return what the word-overlap reader leads with (retrieval/aspects.py) and the aspects asked.

        For each asked aspect the sentences with its cue words (a labelled list quoted by its labels); without
        one, the sentence sharing most of the question's own words (a short block whose heading answers, whole).
        A lead with no sentences: an aspect was asked that the entry does not state; None: nothing to lead with."""
        s = self.searcher
        pairs = self.sentences(answer)
        service = s.catalogue.service(answer)
        source: object = service if service is not None else pairs
        plain = s.followup.strip_marks(question)
        aspects = asked(plain, s.aspects)
        if not pairs:
            return (Lead(aspects[0], ()) if aspects else None), aspects
        patterns = s.aspect_patterns
        assert patterns is not None
        own, related = self.words(answer, question)
        unsaid: Lead | None = None
        for aspect in aspects:
            found = lead(source, plain, own, aspect, patterns, related=related)  # type: ignore[arg-type]
            if found is not None and found.sentences:
                return found, aspects
            unsaid = unsaid or found
        if unsaid is not None:
            return unsaid, aspects
        if "what" in detect_aspects(normalise(plain), s.lexicon):
            return None, aspects  # 是个什么组织: the card's own description answers, not a sentence sharing 组织
        general = lead(source, plain, [w for w in own if w not in s.lexicon.aspect_words], None, patterns,  # type: ignore[arg-type]
                       related=tuple(w for w in related if w not in s.lexicon.aspect_words))
        return general, aspects

    def settled(self, answer: str, question: str) -> tuple[Chosen | None, list[Aspect], Lead | None]:
        """Return what the word-overlap reader settles without the model (a pick, or a 'what is it' question
        the card's description answers) or None, the aspects asked, and the aspect it found unstated."""
        found, aspects = self.heuristic(answer, question)
        if found is not None and found.sentences:
            return Chosen(found, 1.0), aspects, None
        s = self.searcher
        if not aspects and "what" in detect_aspects(normalise(s.followup.strip_marks(question)), s.lexicon):
            return Chosen(None), aspects, None
        return None, aspects, found

    def choose(self, answer: str, question: str, limit: int = 2, follow_up: bool = False) -> Chosen:
        """Return the sentences to lead with (None: nothing to lead with; no sentences: the entry does not say).

        The word-overlap reader speaks first — its picks are precise (labelled lists, whole short blocks); the
        fitted model fills in where it found nothing, above the model's fitted threshold. An aspect asked that
        neither finds is said to be unstated; so is anything else a follow-up asks when the model finds no likely
        sentence, unless it asks for one of the card's own sections (电话, 条件: the card shows them)."""
        question = bounded(question)
        settled, aspects, unstated = self.settled(answer, question)
        if settled is not None:
            return settled
        decision = self.searcher.decision
        model = decision.passages if decision is not None else None
        s = self.searcher
        sections = detect_aspects(normalise(s.followup.strip_marks(question)), s.lexicon)
        general = Lead(GENERAL, ()) if follow_up and not sections else None
        pairs, x, _ = self.rows(answer, question)
        if model is None or not len(x):
            return Chosen(unstated or general)
        ps = model.candidate.scores(x)
        order = np.argsort(-ps, kind="stable").tolist()
        best = float(ps[order[0]])
        if best < model.thresholds.answer:
            return Chosen(unstated or (general if best < model.thresholds.suggest else None), best)
        # The best, and the next when it too is likely (a question may be answered by two sentences).
        chosen = [pairs[order[0]][1]] + [pairs[i][1] for i in order[1:limit] if ps[i] >= model.thresholds.suggest]
        return Chosen(Lead(aspects[0] if aspects else GENERAL, tuple(chosen)), best)
