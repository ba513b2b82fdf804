"""The public search API: build once from the catalogue, then search(question) → SearchResult."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import RetrievalConfig, load_config
from .correct import Corrector
from .decide import (Decision, Features, chitchat_only, decide, detect_intents, level_conflict, other_region,
                     out_of_scope_topic)
from .documents import build_docs
from .evidence import Evidence, Words, explain
from .index import Hit, SearchIndex
from .lexicon import Lexicon, load_lexicon
from .loader import load_catalogue
from .model import Catalogue
from .outofscope import OutOfScope
from .societies import Societies, SocietyMatch, load_fields
from .text import compact, normalise
from .tokenize import Tokenizer

# Longest question text searched; the rest is ignored (Telegram allows 4096 characters).
MAX_QUESTION = 500


@dataclass(frozen=True)
class Taught:
    """What staff taught from review: aliases of services, terms (typed → meant), out-of-scope examples."""

    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    terms: tuple[tuple[str, str], ...] = ()
    out_of_scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits with scores, the decision, and what the user asked about."""

    question: str
    decision: Decision
    reason: str
    hits: tuple[Hit, ...]
    intents: tuple[str, ...]
    tokens: tuple[str, ...]
    coverage: float
    # Rewrites applied before searching (typed → meant), for a reply that says so: 已按“青托”理解.
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def best(self) -> Hit | None:
        """Return the top hit, or None."""
        return self.hits[0] if self.hits else None

    @property
    def answered(self) -> bool:
        """Return True when there is one clear answer."""
        return self.decision is Decision.ANSWERED


class Searcher:
    """Catalogue search: tokeniser, BM25 index, decision thresholds and learned aliases."""

    def __init__(self, catalogue: Catalogue, lexicon: Lexicon, tokenizer: Tokenizer, config: RetrievalConfig,
                 index: SearchIndex, learned: Mapping[str, tuple[str, ...]] | None = None,
                 base_index: SearchIndex | None = None, taught: Taught | None = None,
                 societies: Societies | None = None, out_of_scope: OutOfScope | None = None) -> None:
        self.catalogue = catalogue
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.config = config
        self.index = index
        # The index without staff-taught aliases: every new set of aliases is applied to this one,
        # so removing an alias really removes it.
        self.base_index = base_index or index
        self.learned: dict[str, tuple[str, ...]] = dict(learned or {})
        self._exact = {compact(a): sid for sid, aliases in self.learned.items() for a in aliases if compact(a)}
        self.taught = taught or Taught(aliases=self.learned)
        self._terms = sorted(((normalise(a), normalise(b)) for a, b in self.taught.terms if normalise(a)),
                             key=lambda ab: -len(ab[0]))
        self._taught_out = {compact(q) for q in self.taught.out_of_scope if compact(q)}
        self.words = Words(lexicon, tokenizer)
        self.societies = societies or Societies(catalogue, load_fields(), tokenizer.cut)
        self.corrector = Corrector(self._vocabulary(), tokenizer.is_common, tokenizer.cut,
                                   quiet=lexicon.stopwords | lexicon.function_chars)
        # The examples from data are indexed once (and cached); staff-taught ones make a new index from them.
        self.base_out_of_scope = out_of_scope or OutOfScope(lexicon.oos_examples, tokenizer, config, self.words)
        self.out_of_scope = self.base_out_of_scope.with_examples([("staff", q) for q in self.taught.out_of_scope])
        self._answer_text: dict[str, str] = {}
        for doc in index.docs:
            self._answer_text[doc.answer] = self._answer_text.get(doc.answer, "") + compact(doc.name + doc.body)

    def _vocabulary(self) -> list[str]:
        """Return the terms a typo may be corrected to: names of everything the catalogue answers, and taught."""
        cat = self.catalogue
        terms: list[str] = []
        for s in cat.services:
            terms += [s.title, *s.aliases]
        for doc in self.index.docs:
            terms += list(doc.phrases) + list(doc.cued_phrases)
        terms += [w for w, _ in self.lexicon.user_words]
        terms += [a for aliases in self.learned.values() for a in aliases]
        terms += [meant for _, meant in self.taught.terms]
        return [normalise(t).replace(" ", "") for t in terms]

    @classmethod
    def build(cls, catalogue: Catalogue | None = None, data_dir: str | Path | None = None,
              config: RetrievalConfig | None = None, lexicon: Lexicon | None = None,
              cache_dir: str | Path | None = None) -> Searcher:
        """Load what is missing from data_dir and build the index.

        With cache_dir (the bot passes its database's directory) jieba's dictionary and the built index
        are kept there and reused while the data, settings, lexicon, jieba and this code are unchanged;
        without it the index is built every time and jieba's dictionary is cached per user.
        """
        catalogue = catalogue or load_catalogue(data_dir)
        lexicon = lexicon or load_lexicon(data_dir)
        config = config or load_config(data_dir)
        docs = build_docs(catalogue)
        tokenizer = Tokenizer(lexicon, [p for d in docs for p in d.phrases], cache_dir=cache_dir)
        index = SearchIndex.cached(docs, tokenizer, config, cache_dir)
        oos = OutOfScope(lexicon.oos_examples, tokenizer, config, Words(lexicon, tokenizer), cache_dir)
        return cls(catalogue, lexicon, tokenizer, config, index, out_of_scope=oos)

    def with_learned(self, learned: Mapping[str, Iterable[str]]) -> Searcher:
        """Return a searcher that also knows staff-taught aliases {service id: [question, …]}."""
        learned = {sid: tuple(a for a in aliases if a.strip()) for sid, aliases in learned.items()}
        learned = {sid: a for sid, a in learned.items() if a and sid in self.catalogue.by_id}
        index = self.base_index.with_phrases(learned)
        return Searcher(self.catalogue, self.lexicon, self.tokenizer, self.config, index, learned, self.base_index,
                        societies=self.societies, out_of_scope=self.base_out_of_scope)

    def with_taught(self, taught: Taught) -> Searcher:
        """Return a new searcher built from this one's base with what staff taught (this one is unchanged)."""
        base = self.with_learned(taught.aliases)
        return Searcher(self.catalogue, self.lexicon, self.tokenizer, self.config, base.index, base.learned,
                        self.base_index, taught, societies=self.societies, out_of_scope=self.base_out_of_scope)

    def with_config(self, config: RetrievalConfig) -> Searcher:
        """Return a searcher with other settings (rebuilds the index; used by calibration)."""
        base = SearchIndex(self.base_index.docs, self.tokenizer, config, _cache=self.base_index._cache)
        return Searcher(self.catalogue, self.lexicon, self.tokenizer, config, base, base_index=base).with_learned(self.learned)

    def explained(self, tokens: list[str], found: set[str], phrase: str) -> tuple[float, float]:
        """Return (share, amount) of the question's information that an answer's documents explain.

        A word counts as explained when it, or one of its synonyms, occurs in the answer, or it lies
        inside a title or alias found in the question. Words weigh by how rare they are in general
        Chinese, so filler says little and a topic word (落户, 门票) says a lot.
        """
        total = matched = 0.0
        for t in dict.fromkeys(tokens):
            w = self.tokenizer.information(t)
            total += w
            syns = self.lexicon.synonyms.get(t, ())
            if t in found or (phrase and t in phrase) or any(s in found for s in syns):
                matched += w
        return (matched / total if total else 0.0), matched

    def _features(self, question: str) -> tuple[SearchResult, Features]:
        question = question[:MAX_QUESTION]
        norm = normalise(question)
        intents = detect_intents(norm, self.lexicon)
        query = self.index.parse(question)
        learned = self._exact.get(compact(question))
        if learned:
            hit = Hit(id=learned, score=float("inf"), matched=tuple(query.tokens), phrase=compact(question))
            result = SearchResult(question, Decision.ANSWERED, "learned", (hit,), intents, tuple(query.tokens), 1.0)
            return result, Features(len(query.tokens), hit.score, 0.0, 1.0, float("inf"), hit.phrase, False, "")
        ranking = self.index.rank(query)
        hits = self._society_first(ranking.hits, self.societies.match(question))
        top = hits[0] if hits else None
        oos = out_of_scope_topic(norm, self.lexicon) if not (top and top.phrase) else ""
        region = other_region(norm, self.lexicon)
        if region and top and region not in self._answer_text.get(top.id, ""):
            oos = oos or region
        share, amount = self.explained(query.tokens, ranking.found.get(top.id, set()), top.phrase) if top else (0.0, 0.0)
        content = self.words.content(query.tokens)
        evidence = explain(self.words, self.index, query, content, top.id, top.phrase) if top else None
        nearest = self.out_of_scope.nearest(query, content)
        features = Features(
            tokens=len(query.tokens),
            top_score=top.score if top else 0.0,
            second_score=hits[1].score if len(hits) > 1 else 0.0,
            coverage=share,
            information=amount,
            phrase=top.phrase if top else "",
            chitchat=chitchat_only(norm, query.tokens, self.lexicon),
            out_of_scope=oos,
            evidence=evidence or Evidence(),
            oos=nearest.evidence,
            content=len(content),
            conflict=bool(top) and top.id in self.catalogue.by_id and level_conflict(
                norm, normalise(self.catalogue.by_id[top.id].title), self.lexicon),
        )
        decision, reason = decide(features, self.config.thresholds)
        return SearchResult(question, decision, reason, tuple(hits), intents, tuple(query.tokens), share), features

    def _society_first(self, hits: list[Hit], match: SocietyMatch) -> list[Hit]:
        """Put the societies list first for a question about Tianjin's societies (化学学会, 有哪些学会)."""
        if not match.found:
            return hits
        rest = [h for h in hits if h.id != "societies"]
        lead = max((h.score for h in rest), default=1.0)
        named = "".join(compact(n) for n in match.names) or match.discipline or "学会"
        return [Hit(id="societies", score=lead * 1.5 + self.config.phrase_bonus, key="list", phrase=named)] + rest

    def best_documents(self, question: str, answer: str, limit: int = 2) -> list[str]:
        """Return the keys of an answer's documents that fit the question best (article:40 …)."""
        return [k for k, _ in self.index.rank_documents(self.index.parse(question[:MAX_QUESTION]), answer, limit)]

    def _corrected(self, question: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Apply taught terms (typed → meant) to a question; return the text to search and what changed."""
        if not self._terms:
            return question, ()
        text, done = normalise(question[:MAX_QUESTION]), []
        for typed, meant in self._terms:
            if typed in text and meant not in text:
                text = text.replace(typed, meant)
                done.append((typed, meant))
        return (text, tuple(done)) if done else (question, ())

    def search(self, question: str) -> SearchResult:
        """Rank the catalogue for a question and decide how to answer it."""
        return self.features(question)[0]

    def _corrected_search(self, question: str, text: str, first: tuple[SearchResult, Features]
                          ) -> tuple[SearchResult, Features]:
        """Try the corrector's rewrites of a question that was not answered; keep one that answers."""
        result = first[0]
        if result.decision is Decision.ANSWERED or result.reason == "chitchat":
            return first
        for rewrite in self.corrector.rewrites(normalise(text)):
            again, f = self._features(rewrite.text)
            if again.decision is Decision.ANSWERED or (
                    again.decision is Decision.SUGGEST and result.decision is Decision.UNANSWERED):
                return replace(again, question=question, corrections=result.corrections + rewrite.changes), f
        return first

    def features(self, question: str) -> tuple[SearchResult, Features]:
        """Return a search result and the features it was decided from (for calibration)."""
        if self._taught_out and compact(question[:MAX_QUESTION]) in self._taught_out:
            result, f = self._features(question)
            return replace(result, decision=Decision.UNANSWERED, reason="out_of_scope"), f
        text, corrections = self._corrected(question)
        result, f = self._features(text)
        if corrections:
            result = replace(result, question=question, corrections=corrections)
        return self._corrected_search(question, text, (result, f))

