"""Out of scope, learned from examples: questions nearer to a known out-of-scope question than to any service.

The examples (data/lexicon/out_of_scope_examples.yaml, plus what staff mark out of scope in review)
are indexed with the same tokeniser and BM25 settings as the catalogue, and explained the same way
(retrieval/evidence.py). The decision compares how much of a question the nearest example explains
with how much the best service does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from dataclasses import dataclass

from .config import RetrievalConfig
from .evidence import Evidence, Words, explain
from .index import Doc, Query, SearchIndex
from .tokenize import Tokenizer

# File name of the examples' index inside the cache directory.
OOS_CACHE = "out-of-scope-index.cache"


@dataclass(frozen=True)
class Nearest:
    """The out-of-scope example nearest to a question, and how much of the question it explains."""

    topic: str = ""
    example: str = ""
    score: float = 0.0
    evidence: Evidence = Evidence()


class OutOfScope:
    """An index of out-of-scope example questions."""

    def __init__(self, examples: Sequence[tuple[str, str]], tokenizer: Tokenizer, config: RetrievalConfig,
                 words: Words, cache_dir: str | Path | None = None) -> None:
        self.examples = tuple(examples)
        self.words = words
        docs = [Doc(answer=f"oos{n}", key=topic, name="", body=text, core=text)
                for n, (topic, text) in enumerate(self.examples)]
        self.index = SearchIndex.cached(docs, tokenizer, config, cache_dir, OOS_CACHE) if docs else None

    def with_examples(self, extra: Sequence[tuple[str, str]]) -> OutOfScope:
        """Return a new matcher with more examples (staff-taught); this one is unchanged."""
        if not extra:
            return self
        base = self.index
        return OutOfScope(self.examples + tuple(extra), base.tokenizer, base.config, self.words) if base else \
            self

    def nearest(self, query: Query, content: list[str]) -> Nearest:
        """Return the nearest example to a parsed question."""
        if self.index is None or not content:
            return Nearest()
        hits = self.index.rank(query, limit=3).hits
        best: Nearest = Nearest()
        for hit in hits:
            ev = explain(self.words, self.index, query, content, hit.id)
            n = int(hit.id[3:])
            candidate = Nearest(self.examples[n][0], self.examples[n][1], hit.score, ev)
            if (ev.explained, ev.bigrams) > (best.evidence.explained, best.evidence.bigrams):
                best = candidate
        return best
