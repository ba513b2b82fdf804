"""BM25 search over the catalogue: documents, fields, scoring and typed hits.

Each answer (a service id or an appendix pseudo-id) has one or more documents. A document is searched
through two rank-bm25 models:

- `words`: jieba's words of the title and aliases (repeated `name_repeat` times, so they weigh more
  while idf stays a whole-document statistic) followed by the words of everything else it prints;
- `parts`: the dictionary sub-words of the same text (托举 inside 青年人才托举工程), scored with the
  lighter `parts_weight`, so a partial mention still matches.

Each token is scored only on the documents that contain it (an inverted index), so BM25+'s lower
bound rewards presence instead of being added to every document. A whole title or alias found in the
question adds `phrase_bonus`. An answer's score is its best document's score.
"""

from __future__ import annotations

import gc
import logging
import marshal
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from .cache import code_version, key_of, private_dir, read_cache, write_cache
from .config import RetrievalConfig
from .text import compact
from .tokenize import Tokenizer

log = logging.getLogger(__name__)

_VARIANTS = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}


@dataclass(frozen=True)
class Doc:
    """One searchable document of an answer."""

    answer: str
    key: str
    name: str
    body: str
    phrases: tuple[str, ...] = ()
    # Phrases that count only when one of these cue words is in the question too (学会 names …).
    cued_phrases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    # Phrases that count only when they make up most of the question (中国科协 in 中国科协的地址).
    weak_phrases: tuple[str, ...] = ()
    # The part of the body that says what the answer is (a service's introduction and conditions), as
    # opposed to what it merely mentions; empty means the whole body.
    core: str = ""
    # Words one of which a question must contain for this document to count fully (学会 for a society,
    # 科协 for an article of the 通则): without them a single shared word would make a tiny document win.
    requires: tuple[str, ...] = ()


# Score kept by a document whose required words are all missing from the question.
UNCUED = 0.25

# A weak phrase must carry at least this share of the question's information.
WEAK_PHRASE_SHARE = 0.5
# Questions up to this many characters may match an alias loosely (科普之夜 → 直通科普之夜).
SHORT_QUESTION = 8


@dataclass(frozen=True)
class Hit:
    """A ranked answer with its score and what matched."""

    id: str
    score: float
    key: str = ""
    matched: tuple[str, ...] = ()
    phrase: str = ""
    # P(this is the right answer), from the fitted decision (0 before scoring).
    p: float = 0.0


@dataclass
class Query:
    """A tokenised question: weighted words, sub-words, and compact text for phrase matching."""

    text: str
    compact: str
    tokens: list[str]
    weighted: list[tuple[str, float]]
    parts: list[str]

    def token_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        """Return the weighted tokens and the sub-words as sets (made once: a query is read, never changed)."""
        sets = self.__dict__.get("_sets")
        if sets is None or sets[0] is not self.weighted or sets[1] is not self.parts:
            sets = self.__dict__["_sets"] = (self.weighted, self.parts, frozenset(t for t, _ in self.weighted),
                                             frozenset(self.parts))
        return sets[2], sets[3]


class _Found(Mapping[str, set[str]]):
    """For each answer id of a ranking: the question's tokens (and synonyms) found in its documents.

    Computed on first use of each answer: the decision reads only the best one.
    """

    def __init__(self, compute: Callable[[str], set[str]], answers: Iterable[str]) -> None:
        self._compute = compute
        self._answers = tuple(answers)
        self._done: dict[str, set[str]] = {}

    def __getitem__(self, answer: str) -> set[str]:
        if answer not in self._done:
            if answer not in self._answers:
                raise KeyError(answer)
            self._done[answer] = self._compute(answer)
        return self._done[answer]

    def __iter__(self) -> Iterator[str]:
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


@dataclass
class Ranking:
    """Scores for one question before the answer decision."""

    query: Query
    hits: list[Hit]
    # For each answer id: the question's tokens (and synonyms) found anywhere in its documents.
    found: Mapping[str, set[str]] = field(default_factory=dict)


@dataclass
class _Field:
    # token → (ids of the documents containing it, rank-bm25's score of the token in each of them).
    # A token's score in a document does not depend on the question, so it is computed once here.
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    # The distinct tokens of each document, sorted (a tuple takes a fifth of a set's memory; the sets
    # for matching are made for the documents that come up, see SearchIndex._token_sets).
    doc_tokens: list[tuple[str, ...]]


@dataclass(frozen=True)
class _Alias:
    """A compacted alias (three characters or more) ready for loose matching."""

    text: str
    counts: dict[str, int]
    # For each character, the bit set of its positions in text (bit-parallel LCS).
    masks: dict[str, int]


def _alias(text: str) -> _Alias:
    counts: dict[str, int] = {}
    masks: dict[str, int] = {}
    for j, ch in enumerate(text):
        counts[ch] = counts.get(ch, 0) + 1
        masks[ch] = masks.get(ch, 0) | (1 << j)
    return _Alias(text, counts, masks)


# Documents whose token sets are kept for matching; beyond this the sets are dropped and made again.
TOKEN_SET_CACHE = 4096
# File name of the search index inside the cache directory.
INDEX_CACHE = "search-index.cache"
# Bumped whenever the layout of the cached state changes (the code hash covers it too).
_CACHE_FORMAT = 1

# Text → (words, sub-words), as tuples of interned strings.
_Analysed = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


class SearchIndex:
    """Immutable BM25 index; build once at start, derive a new one to add learned aliases."""

    def __init__(self, docs: Sequence[Doc], tokenizer: Tokenizer, config: RetrievalConfig,
                 _cache: _Analysed | None = None, *, _state: tuple[_Analysed, dict[str, _Field]] | None = None
                 ) -> None:
        if not docs:
            raise ValueError("cannot build a search index with no documents; check the catalogue data")
        self.docs = tuple(docs)
        self.tokenizer = tokenizer
        self.config = config
        if _state is not None:
            self._cache, self._fields = _state
        else:
            self._cache = dict(_cache or {})
            with _gc_paused():
                self._fields = self._build_fields()
        self._docs_of: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.docs):
            self._docs_of[d.answer].append(i)
        self._doc_freq = {t: len(ix) for t, (ix, _) in self._fields["words"].postings.items()}
        self._phrases = self._phrase_table()
        self._phrase_chars = self._char_table()
        # Each document's compacted phrases of three characters or more, in order, for loose matching;
        # prepared when a short question first needs them.
        self._aliases: dict[int, tuple[_Alias, ...]] = {}
        self._sets: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        # Per document and level (name, core, all): its words, and its compact text's character bigrams;
        # filled for the documents the decision looks at.
        self._terms: dict[tuple[int, str], frozenset[str]] = {}
        self._cued = [i for i, d in enumerate(self.docs) if d.requires]
        self._cues = tuple(sorted({w for i in self._cued for w in self.docs[i].requires}))
        self._requires = {d.key: d.requires for d in self.docs if d.requires}
        self._bigrams: dict[tuple[int, str], frozenset[str]] = {}
        self._last_bm25: tuple[Query, object, object, np.ndarray] | None = None
        # The same, per answer: the union over its documents (explain reads an answer's at each level).
        self._answer_terms: dict[tuple[str, str], frozenset[str]] = {}
        self._answer_bigrams: dict[tuple[str, str], frozenset[str]] = {}

    @classmethod
    def cached(cls, docs: Sequence[Doc], tokenizer: Tokenizer, config: RetrievalConfig,
               cache_dir: str | Path | None, name: str = INDEX_CACHE) -> SearchIndex:
        """Load the index from cache_dir when it was built from the same inputs; else build and store it.

        The cache is keyed by the documents, the settings, the tokeniser's words and the retrieval code,
        so a stale, unreadable or corrupt file is rebuilt and rewritten; cache_dir None builds without one.
        """
        directory = private_dir(cache_dir) if cache_dir is not None else None
        if directory is None:
            return cls(docs, tokenizer, config)
        path = directory / name
        key = key_of(code_version(), str(_CACHE_FORMAT), tokenizer.fingerprint(), repr(config), repr(tuple(docs)))
        payload = read_cache(path, key)
        if payload is not None:
            try:
                return cls(docs, tokenizer, config, _state=_restore(marshal.loads(payload), len(docs)))
            except (ValueError, EOFError, TypeError, KeyError, IndexError) as exc:
                log.warning("search index cache %s does not hold an index (%s); rebuilding it", path, exc)
        index = cls(docs, tokenizer, config)
        index.warm()  # so that the cache holds every text a search reads (the documents' cores too)
        write_cache(path, key, marshal.dumps(index._dump()))
        return index

    def _build_fields(self) -> dict[str, _Field]:
        config = self.config
        variant = _VARIANTS[config.bm25_variant]
        kwargs = {"k1": config.k1, "b": config.b}
        if config.bm25_variant in ("l", "plus"):
            kwargs["delta"] = config.delta
        fields: dict[str, _Field] = {}
        for name, corpus in self._corpora().items():
            doc_tokens = [tuple(sorted(set(toks))) for toks in corpus]
            # rank-bm25 cannot take an empty document; a placeholder token never matches a question.
            model = variant([list(toks) or ["\u2400"] for toks in corpus], **kwargs)
            counts = [freqs if toks else {} for toks, freqs in zip(corpus, model.doc_freqs)]
            fields[name] = _Field(_postings(model, counts), doc_tokens)
        return fields

    def _corpora(self) -> dict[str, list[tuple[str, ...]]]:
        """Return each field's tokens of every document (names repeated name_repeat times)."""
        corpora: dict[str, list[tuple[str, ...]]] = {"words": [], "parts": []}
        repeat = self.config.name_repeat
        for doc in self.docs:
            name_w, name_p = self._analyse(doc.name)
            body_w, body_p = self._analyse(doc.body)
            corpora["words"].append(name_w * repeat + body_w)
            corpora["parts"].append(name_p * repeat + body_p)
        return corpora

    def _dump(self) -> Any:
        """Return the built state as plain values for marshal (postings as raw arrays)."""
        fields = {}
        for name, fld in self._fields.items():
            tokens = list(fld.postings)
            ix = [fld.postings[t][0] for t in tokens]
            fields[name] = (tokens, [len(a) for a in ix],
                            np.concatenate(ix).astype(np.int64).tobytes() if ix else b"",
                            np.concatenate([fld.postings[t][1] for t in tokens]).astype(np.float64).tobytes()
                            if ix else b"")
        return (_CACHE_FORMAT, {text: (list(w), list(p)) for text, (w, p) in self._cache.items()}, fields)

    def _analyse(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if text not in self._cache:
            # Interned, so the many copies of a token across documents are one string in memory.
            words, parts = self.tokenizer.analyse(text)
            self._cache[text] = (tuple(map(sys.intern, words)), tuple(map(sys.intern, parts)))
        return self._cache[text]

    def _phrase_table(self) -> dict[str, list[tuple[str, int, str]]]:
        """Map each phrase's first two characters to (phrase, doc index, kind) for fast substring lookup."""
        table: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            kinds = [(p, "") for p in doc.phrases] + [(p, "cued") for p in doc.cued_phrases] + \
                [(p, "weak") for p in doc.weak_phrases]
            for p, kind in kinds:
                c = compact(p)
                if len(c) >= 2:
                    table[c[:2]].append((c, i, kind))
        return table

    def _char_table(self) -> dict[str, tuple[int, ...]]:
        """Map each character to the documents whose phrases contain it (for loose matching)."""
        table: dict[str, set[int]] = defaultdict(set)
        for i, doc in enumerate(self.docs):
            for p in doc.phrases:
                for ch in compact(p):
                    table[ch].add(i)
        return {ch: tuple(sorted(ix)) for ch, ix in table.items()}

    def with_phrases(self, extra: Mapping[str, Iterable[str]]) -> SearchIndex:
        """Return a new index where answer ids gain extra name phrases (staff-taught aliases)."""
        phrases = {k: tuple(v) for k, v in extra.items() if v}
        if not phrases:
            return self
        # The shared tokeniser is never taught these phrases (it would keep them after an undo, and change
        # how every other index cuts text): learned aliases match as whole phrases and exact questions.
        docs = []
        for doc in self.docs:
            added = phrases.get(doc.answer, ())
            if added and doc.key in ("", "list", "summary"):
                doc = replace(doc, name=doc.name + "\n" + "\n".join(added), phrases=doc.phrases + added)
            docs.append(doc)
        return SearchIndex(docs, self.tokenizer, self.config, _cache=self._cache)

    # -- what a document says, by level ---------------------------------------------------------

    def _level_text(self, i: int, level: str) -> str:
        doc = self.docs[i]
        if level == "name":
            return doc.name
        if level == "core":
            return doc.name + "\n" + (doc.core or doc.body)
        return doc.name + "\n" + doc.body

    def terms(self, i: int, level: str) -> frozenset[str]:
        """Return the words and sub-words of document i at a level: name, core (what it is) or all."""
        key = (i, level)
        found = self._terms.get(key)
        if found is None:
            if level == "all":
                words, parts = self._token_sets(i)
                found = words | parts
            else:
                doc = self.docs[i]
                w, p = self._analyse(doc.name)
                found = frozenset(w) | frozenset(p)
                if level == "core":
                    cw, cp = self._analyse(doc.core or doc.body)
                    found |= frozenset(cw) | frozenset(cp)
            self._terms[key] = found
        return found

    def bigrams(self, i: int, level: str) -> frozenset[str]:
        """Return the character bigrams of document i's compact text at a level."""
        key = (i, level)
        found = self._bigrams.get(key)
        if found is None:
            text = compact(self._level_text(i, level))
            found = self._bigrams[key] = frozenset(text[j:j + 2] for j in range(len(text) - 1))
        return found

    def answer_terms(self, answer: str, level: str) -> frozenset[str]:
        """Return the words and sub-words of all of an answer's documents at a level (see terms)."""
        key = (answer, level)
        found = self._answer_terms.get(key)
        if found is None:
            if len(self._answer_terms) >= TOKEN_SET_CACHE:
                self._answer_terms.clear()
            found = self._answer_terms[key] = frozenset().union(*(self.terms(i, level) for i in self.docs_of(answer)))
        return found

    def answer_bigrams(self, answer: str, level: str) -> frozenset[str]:
        """Return the character bigrams of all of an answer's documents at a level (see bigrams)."""
        key = (answer, level)
        found = self._answer_bigrams.get(key)
        if found is None:
            if len(self._answer_bigrams) >= TOKEN_SET_CACHE:
                self._answer_bigrams.clear()
            found = self._answer_bigrams[key] = frozenset().union(
                *(self.bigrams(i, level) for i in self.docs_of(answer)))
        return found

    def warm(self) -> None:
        """Compute what a search would compute on first use: every answer's words and bigrams at each level."""
        for answer in self._docs_of:
            for level in ("name", "core", "all"):
                self.answer_terms(answer, level)
                self.answer_bigrams(answer, level)

    def knows(self, token: str) -> bool:
        """Return True when some document contains the word (as a word or a sub-word)."""
        return token in self._fields["words"].postings or token in self._fields["parts"].postings

    def uncued(self, key: str, query: Query) -> bool:
        """Return True when a document needs a cue word (学会, 通则) the question does not have."""
        requires = self._requires.get(key, ())
        return bool(requires) and not any(w in query.compact for w in requires)

    def docs_of(self, answer: str) -> list[int]:
        """Return the indexes of an answer's documents."""
        return self._docs_of.get(answer, [])

    # -- querying -------------------------------------------------------------------------------

    def parse(self, text: str) -> Query:
        """Tokenise a question and add synonyms."""
        words, parts = self.tokenizer.analyse(text)
        return Query(text=text, compact=compact(text), tokens=words,
                     weighted=self.tokenizer.expand(words, self.config.synonym_weight), parts=parts)

    def reads_like(self, other: SearchIndex) -> bool:
        """Return True when `other` parses a question into the same Query (same tokeniser, same synonym weight)."""
        return other.tokenizer is self.tokenizer and other.config.synonym_weight == self.config.synonym_weight

    def doc_freq(self, token: str) -> int:
        """Return how many documents contain the word."""
        return self._doc_freq.get(token, 0)

    def _phrase_hits(self, query: Query, info: dict[str, float]) -> dict[int, str]:
        """Return doc index → longest title/alias phrase of that doc found in the question."""
        q = query.compact
        total = sum(info.values()) or 1.0
        found: dict[int, str] = {}
        for start in range(len(q) - 1):
            for phrase, i, kind in self._phrases.get(q[start:start + 2], ()):
                if not q.startswith(phrase, start) or len(phrase) <= len(found.get(i, "")):
                    continue
                if kind == "cued" and not any(c in q for c in self.docs[i].cues):
                    continue
                if kind == "weak" and sum(v for t, v in info.items() if t in phrase) / total < WEAK_PHRASE_SHARE:
                    continue
                found[i] = phrase
        if 3 <= len(q) <= SHORT_QUESTION:
            self._loose_hits(q, found)
        return found

    def _loose_hits(self, q: str, found: dict[int, str]) -> None:
        """Match a short question to an alias that contains it or nearly does (企业科协指南 → 企事业科协工作指南)."""
        counts: dict[int, int] = defaultdict(int)
        q_counts: dict[str, int] = {}
        for ch in q:
            q_counts[ch] = q_counts.get(ch, 0) + 1
        for ch in q_counts:
            for i in self._phrase_chars.get(ch, ()):
                counts[i] += 1
        need = 0.8 * len(q_counts)
        q_need = 0.8 * len(q)
        for i in sorted(i for i, n in counts.items() if n >= need):
            if i in found:
                continue
            aliases = self._aliases.get(i)
            if aliases is None:
                aliases = self._aliases[i] = tuple(_alias(c) for c in map(compact, self.docs[i].phrases) if len(c) >= 3)
            for alias in aliases:
                c = alias.text
                if q in c:
                    found[i] = q
                    break
                # The common subsequence cannot be longer than the characters both share: most aliases
                # fail on that count alone, without computing it.
                shared = sum(min(n, alias.counts.get(ch, 0)) for ch, n in q_counts.items())
                if shared < q_need or shared < 0.6 * len(c):
                    continue
                common = _lcs_length(q, alias)
                if common >= q_need and common >= 0.6 * len(c):
                    found[i] = q
                    break

    def _score(self, field_name: str, tokens: Iterable[tuple[str, float]], weight: float, scores: np.ndarray) -> None:
        fld = self._fields[field_name]
        for token, w in tokens:
            posting = fld.postings.get(token)
            if posting is not None:
                scores[posting[0]] += weight * w * posting[1]

    def _matched(self, i: int, query: Query) -> frozenset[str]:
        """Return the question's tokens (and synonyms, sub-words) that document i contains."""
        words, parts = self._token_sets(i)
        weighted, subwords = query.token_sets()
        return (weighted & words) | (weighted & parts) | (subwords & parts)

    def _token_sets(self, i: int) -> tuple[frozenset[str], frozenset[str]]:
        """Return the words and sub-words of document i as sets (made on first use, kept for TOKEN_SET_CACHE)."""
        sets = self._sets.get(i)
        if sets is None:
            if len(self._sets) >= TOKEN_SET_CACHE:
                self._sets.clear()
            sets = self._sets[i] = (frozenset(self._fields["words"].doc_tokens[i]),
                                    frozenset(self._fields["parts"].doc_tokens[i]))
        return sets

    def rank_documents(self, query: Query, answer: str, limit: int = 3) -> list[tuple[str, float]]:
        """Return the best documents (key, score) of one answer for the query (articles of the rules …)."""
        scores = self._bm25(query)
        own = [(self.docs[i].key, float(scores[i])) for i in self._docs_of.get(answer, ()) if scores[i] > 0]
        return sorted(own, key=lambda x: -x[1])[:limit]

    def _bm25(self, query: Query) -> np.ndarray:
        """Return every document's BM25 score of the query's words and sub-words (read-only; remembered for the
        last query: its ranking, its profile pool and its answers' best documents all start from it)."""
        last = self._last_bm25
        if last is not None and last[0] is query and last[1] is query.weighted and last[2] is query.parts:
            return last[3]
        scores = np.zeros(len(self.docs))
        self._score("words", query.weighted, 1.0, scores)
        part_tokens = [(t, w) for t, w in query.weighted] + [(p, 1.0) for p in query.parts]
        self._score("parts", part_tokens, self.config.parts_weight, scores)
        scores.flags.writeable = False
        self._last_bm25 = (query, query.weighted, query.parts, scores)
        return scores

    def rank(self, query: Query, limit: int = 10) -> Ranking:
        """Score every answer for the query and return the best `limit` hits."""
        cfg = self.config
        scores = self._bm25(query).copy()
        info = {t: self.tokenizer.information(t) for t in query.tokens}
        phrases = self._phrase_hits(query, info)
        total = sum(info.values()) or 1.0
        for i, phrase in phrases.items():
            # The bonus grows with how much of the question the phrase explains: 青托 alone is a
            # clear request for 青托; 青托 inside a long question is one clue among several.
            inside = sum(v for t, v in info.items() if t in phrase)
            scores[i] += cfg.phrase_bonus * min(1.0, len(phrase) / 4) * max(inside / total, 0.25)
        present = {w for w in self._cues if w in query.compact}  # once, not once per cued document
        for i in self._cued:
            if present.isdisjoint(self.docs[i].requires):
                scores[i] *= UNCUED
        positive = np.flatnonzero(scores > 0)
        order = positive[np.argsort(-scores[positive], kind="stable")]
        best: dict[str, int] = {}
        for i in order.tolist():
            answer = self.docs[i].answer
            if answer not in best:
                best[answer] = i
                if len(best) == limit:
                    break
        phrase_of: dict[str, str] = {}
        for i, phrase in phrases.items():
            answer = self.docs[i].answer
            if answer in best and len(phrase) > len(phrase_of.get(answer, "")):
                phrase_of[answer] = phrase
        hits = [Hit(id=answer, score=float(scores[i]), key=self.docs[i].key,
                    matched=tuple(sorted(self._matched(i, query))), phrase=phrase_of.get(answer, ""))
                for answer, i in best.items()]

        def found(answer: str) -> set[str]:
            seen: set[str] = set()
            for j in self._docs_of[answer]:
                if scores[j] > 0:
                    seen |= self._matched(j, query)
            phrase = phrase_of.get(answer, "")
            if phrase:
                seen |= {t for t, _ in query.weighted if t in phrase}
            return seen

        return Ranking(query=query, hits=hits, found=_Found(found, best))


def _postings(model: BM25Okapi | BM25L | BM25Plus, counts: list[dict[str, int]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return token → (documents containing it, in order; rank-bm25's score of the token in each).

    The scores are what model.get_batch_scores([token], documents) returns: the same formula in the same
    order of operations (so the same floats), without its per-call copy of every document length and
    its Python loops over the documents.
    """
    docs_of: dict[str, list[int]] = defaultdict(list)
    freqs_of: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(counts):
        for t, n in doc.items():
            docs_of[t].append(i)
            freqs_of[t].append(n)
    all_len = np.asarray(model.doc_len)
    k1, b, avgdl = model.k1, model.b, model.avgdl
    delta = getattr(model, "delta", 0.0)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for t, ids in docs_of.items():
        ix = np.array(ids)
        q_freq = np.array(freqs_of[t])
        doc_len = all_len[ix]
        idf = model.idf.get(t) or 0
        score = np.zeros(len(ix))
        if isinstance(model, BM25Plus):
            score += idf * (delta + (q_freq * (k1 + 1)) / (k1 * (1 - b + b * doc_len / avgdl) + q_freq))
        elif isinstance(model, BM25L):
            ctd = q_freq / (1 - b + b * doc_len / avgdl)
            score += idf * q_freq * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
        else:
            score += idf * (q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl)))
        out[t] = (ix, score)
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector: a build allocates millions of tuples and no cycles, and the collector
    would walk the growing heap again and again (a tenth of the build time at 3,000 services)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lcs_length(q: str, alias: _Alias) -> int:
    """Return the length of the longest common subsequence of q and the alias (bit-parallel, Hyyrö 2004)."""
    n = len(alias.text)
    full = (1 << n) - 1
    v = full
    masks = alias.masks
    for ch in q:
        u = v & masks.get(ch, 0)
        v = (v + u) | (v - u)
    return n - (v & full).bit_count()


def _restore(state: object, n_docs: int) -> tuple[_Analysed, dict[str, _Field]]:
    """Return the analysed texts and fields from a cached state; raise ValueError when it does not fit."""
    if not isinstance(state, tuple) or len(state) != 3 or state[0] != _CACHE_FORMAT:
        raise ValueError("unknown cache layout")
    _, texts, raw_fields = state
    if not isinstance(texts, dict) or not isinstance(raw_fields, dict) or set(raw_fields) != {"words", "parts"}:
        raise ValueError("unknown cache layout")
    analysed: _Analysed = {}
    for text, (words, parts) in texts.items():
        analysed[text] = (tuple(map(sys.intern, words)), tuple(map(sys.intern, parts)))
    fields = {}
    for name, (tokens, lengths, ix_bytes, score_bytes) in raw_fields.items():
        ix_all = np.frombuffer(ix_bytes, dtype=np.int64)
        scores_all = np.frombuffer(score_bytes, dtype=np.float64)
        if len(tokens) != len(lengths) or len(ix_all) != sum(lengths) or len(scores_all) != len(ix_all):
            raise ValueError("postings do not match their tokens")
        if len(ix_all) and (ix_all.min() < 0 or ix_all.max() >= n_docs):
            raise ValueError("postings name documents that do not exist")
        postings = {}
        docs_tokens: list[list[str]] = [[] for _ in range(n_docs)]
        start = 0
        for t, n in zip(tokens, lengths):
            t = sys.intern(t)
            ix = ix_all[start:start + n]
            postings[t] = (ix, scores_all[start:start + n])
            for i in ix.tolist():
                docs_tokens[i].append(t)
            start += n
        fields[name] = _Field(postings, [tuple(sorted(d)) for d in docs_tokens])
    return analysed, fields
