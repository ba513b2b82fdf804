"""The public search API: build once from the catalogue, then search(question) → SearchResult."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import RetrievalConfig, load_config
from .decide import Decision, Features, chitchat_only, decide, detect_intents, other_region, out_of_scope_topic
from .documents import build_docs
from .index import Hit, SearchIndex
from .lexicon import Lexicon, load_lexicon
from .loader import load_catalogue
from .model import Catalogue
from .text import compact, normalise
from .tokenize import Tokenizer

# Longest question text searched; the rest is ignored (Telegram allows 4096 characters).
MAX_QUESTION = 500


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
                 base_index: SearchIndex | None = None) -> None:
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
        self._answer_text: dict[str, str] = {}
        for doc in index.docs:
            self._answer_text[doc.answer] = self._answer_text.get(doc.answer, "") + compact(doc.name + doc.body)

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
        return cls(catalogue, lexicon, tokenizer, config, SearchIndex.cached(docs, tokenizer, config, cache_dir))

    def with_learned(self, learned: Mapping[str, Iterable[str]]) -> Searcher:
        """Return a searcher that also knows staff-taught aliases {service id: [question, …]}."""
        cleaned = {sid: tuple(a for a in aliases if a.strip()) for sid, aliases in learned.items()}
        known = {sid: a for sid, a in cleaned.items() if a and sid in self.catalogue.by_id}
        index = self.base_index.with_phrases(known)
        return Searcher(self.catalogue, self.lexicon, self.tokenizer, self.config, index, known, self.base_index)

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
        hits = ranking.hits
        top = hits[0] if hits else None
        oos = out_of_scope_topic(norm, self.lexicon) if not (top and top.phrase) else ""
        region = other_region(norm, self.lexicon)
        if region and top and region not in self._answer_text.get(top.id, ""):
            oos = oos or region
        share, amount = self.explained(query.tokens, ranking.found.get(top.id, set()), top.phrase) if top else (0.0, 0.0)
        features = Features(
            tokens=len(query.tokens),
            top_score=top.score if top else 0.0,
            second_score=hits[1].score if len(hits) > 1 else 0.0,
            coverage=share,
            information=amount,
            phrase=top.phrase if top else "",
            chitchat=chitchat_only(norm, query.tokens, self.lexicon),
            out_of_scope=oos,
        )
        decision, reason = decide(features, self.config.thresholds)
        return SearchResult(question, decision, reason, tuple(hits), intents, tuple(query.tokens), share), features

    def best_documents(self, question: str, answer: str, limit: int = 2) -> list[str]:
        """Return the keys of an answer's documents that fit the question best (article:40 …)."""
        return [k for k, _ in self.index.rank_documents(self.index.parse(question[:MAX_QUESTION]), answer, limit)]

    def search(self, question: str) -> SearchResult:
        """Rank the catalogue for a question and decide how to answer it."""
        return self._features(question)[0]

    def features(self, question: str) -> tuple[SearchResult, Features]:
        """Return a search result and the features it was decided from (for calibration)."""
        return self._features(question)

