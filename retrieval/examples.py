"""Example questions kept as data (data/examples/), and the index that finds the nearest ones.

Three kinds of example, each a YAML file shape:
- `entries:` — questions about one catalogue answer (a service id or an appendix id), written from its text;
- `topics:` — questions the catalogue does not answer (other agencies, other regions, daily life), by topic;
- `intents:` — what kind of message it is (small talk, a self-description, 我能报吗, wanting a person).

A question is compared with every example by TF-IDF cosine over its words, its characters' bigrams and
(for English) its stemmed words, so that a scenario, a typo or an English question still lands near the
examples of its answer. What staff teach (a linked question, an out-of-scope mark) becomes an example of
the same kind in a new index; the shared one is never changed.
"""

from __future__ import annotations

import math
import marshal
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from .cache import code_version, key_of, private_dir, read_cache, write_cache
from .loader import DATA_DIR, CatalogueError, read_yaml
from .text import compact, normalise
from .tokenize import Tokenizer

# Kinds of example; an example's label is an answer id, a policy passage ("<document>/<passage>"), an
# out-of-scope topic, or an intent name.
ANSWER, POLICY, OUT_OF_SCOPE, INTENT = "answer", "policy", "oos", "intent"
# Intents recognised from examples (besides a question about an answer).
INTENTS: tuple[str, ...] = ("smalltalk", "profile", "can_apply", "human")

# How much a character bigram counts beside a word (bigrams also carry what a typo left intact).
BIGRAM_WEIGHT = 0.6
# Examples remembered per question for explanations (the staff console shows the nearest).
NEAREST = 5
# Nearest answer examples that vote on the answer.
VOTERS = 10
# File name of the examples' analysed features inside the cache directory.
EXAMPLES_CACHE = "examples-features.cache"
_CACHE_FORMAT = 1

_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Example:
    """One example question: its text, its kind and its label (answer id, topic or intent)."""

    text: str
    kind: str
    label: str
    source: str = ""


@dataclass(frozen=True)
class Near:
    """One example near a question, with its cosine similarity."""

    text: str
    kind: str
    label: str
    similarity: float


@dataclass(frozen=True)
class Neighbours:
    """How near a question comes to each label's examples (best similarity per label), and the nearest ones."""

    answers: dict[str, float]
    out_of_scope: float
    intents: dict[str, float]
    nearest: tuple[Near, ...] = ()
    oos_example: str = ""
    # Each answer's share of the similarity of the VOTERS nearest answer examples (a k-nearest-neighbour vote).
    votes: dict[str, float] = field(default_factory=dict)
    # The best similarity per policy passage.
    policies: dict[str, float] = field(default_factory=dict)
    # Each kind's share of the similarity of the VOTERS nearest examples of any kind (intents by name).
    kinds: dict[str, float] = field(default_factory=dict)

    def answer(self, answer_id: str) -> float:
        """Return the best similarity of the question to one answer's examples (0 when none is near)."""
        return self.answers.get(answer_id, 0.0)

    def ranked(self) -> list[tuple[str, float]]:
        """Return the answers by best similarity, highest first."""
        return list(self._ranked)

    def rank(self, answer_id: str) -> int:
        """Return an answer's place in ranked() (1 for the first), 0 when none of its examples is near."""
        return self._rank_of.get(answer_id, 0)

    def best_other(self, answer_id: str) -> float:
        """Return the best similarity to another answer's examples (0 when none is near)."""
        return next((v for a, v in self._ranked[:2] if a != answer_id), 0.0)

    @cached_property
    def _ranked(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted(self.answers.items(), key=lambda kv: (-kv[1], kv[0])))

    @cached_property
    def _rank_of(self) -> dict[str, int]:
        return {a: n for n, (a, _) in enumerate(self._ranked, 1)}

    def intent(self, name: str) -> float:
        """Return the best similarity of the question to one intent's examples."""
        return self.intents.get(name, 0.0)


class ExampleError(CatalogueError):
    """A malformed example file (one line naming file, entry and field)."""


def _questions(path: Path, value: object, entry: str, field: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ExampleError(path, entry, field, "expected a non-empty list of questions")
    out = []
    for n, q in enumerate(value):
        if not isinstance(q, str) or not q.strip():
            raise ExampleError(path, entry, f"{field}[{n}]", "expected question text")
        out.append(q.strip())
    return out


def read_example_file(path: Path, answers: Iterable[str]) -> list[Example]:
    """Read one example file (entries, topics or intents); raise ExampleError naming file, entry and field."""
    known = set(answers)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("entries", "topics", "intents"):
        raise ExampleError(path, None, None, "expected one key: entries, topics or intents")
    key, body = next(iter(raw.items()))
    out: list[Example] = []
    source = path.name
    if key == "intents":
        if not isinstance(body, dict):
            raise ExampleError(path, None, "intents", "expected intent: [questions]")
        for name, qs in body.items():
            if name not in INTENTS:
                raise ExampleError(path, str(name), "intents", f"unknown intent (known: {', '.join(INTENTS)})")
            out += [Example(q, INTENT, name, source) for q in _questions(path, qs, name, "questions")]
        return out
    if not isinstance(body, list):
        raise ExampleError(path, None, key, "expected a list")
    for n, item in enumerate(body):
        where = f"{key}[{n}]"
        if key == "entries":
            if not isinstance(item, dict) or set(item) != {"id", "questions"}:
                raise ExampleError(path, where, None, "expected id and questions")
            answer = str(item["id"])
            if answer not in known:
                raise ExampleError(path, answer, "id", "not a service id, appendix id or policy passage "
                                                       "(<document>/<passage>) of the data")
            kind = POLICY if "/" in answer else ANSWER
            out += [Example(q, kind, answer, source) for q in _questions(path, item["questions"], answer, "questions")]
        else:
            if not isinstance(item, dict) or not {"topic", "examples"} <= set(item) or set(item) - {"topic", "kind", "examples"}:
                raise ExampleError(path, where, None, "expected topic, kind (optional) and examples")
            topic = item["topic"]
            if not isinstance(topic, str) or not topic.strip():
                raise ExampleError(path, where, "topic", "expected the topic's name")
            out += [Example(q, OUT_OF_SCOPE, topic, source) for q in _questions(path, item["examples"], topic, "examples")]
    return out


def load_examples(answers: Iterable[str], data_dir: str | Path | None = None) -> tuple[Example, ...]:
    """Load every data/examples/*.yaml file (sorted by name); answers are the ids an entry may name."""
    root = (Path(data_dir) if data_dir else DATA_DIR) / "examples"
    answers = tuple(answers)
    out: list[Example] = []
    for path in sorted(root.glob("*.yaml")):
        out += read_example_file(path, answers)
    return tuple(out)


class Analyser:
    """Turn text into weighted features: words, character bigrams, stemmed English words."""

    def __init__(self, tokenizer: Tokenizer, english_stop: frozenset[str]) -> None:
        self.tokenizer = tokenizer
        self.english_stop = english_stop

    def features(self, text: str) -> dict[str, float]:
        """Return a question's features with their raw weights (before idf)."""
        norm = normalise(text)
        out: dict[str, float] = {}
        words, _ = self.tokenizer.analyse(norm)
        for w in words:
            if w.isascii():
                continue  # English and pinyin words are read below, stemmed
            out["w:" + w] = 1.0
        for run in _CJK.findall(norm):
            for j in range(len(run) - 1):
                out["b:" + run[j:j + 2]] = BIGRAM_WEIGHT
            if len(run) == 1:
                out["c:" + run] = BIGRAM_WEIGHT
        for w in _LATIN.findall(norm):
            if len(w) > 1 and w not in self.english_stop:
                out["e:" + stem(w)] = 1.0
        return out


def is_english(text: str, stopwords: frozenset[str]) -> bool:
    """Return True for a question in English: mostly Latin letters and at least two English function words (so
    that pinyin typed for Chinese, qingtuo shenbao tiaojian, is not English)."""
    norm = normalise(text)
    letters = sum(1 for ch in norm if "a" <= ch <= "z")
    visible = sum(1 for ch in norm if not ch.isspace())
    words = _LATIN.findall(norm)
    return visible > 0 and letters / visible >= 0.5 and sum(1 for w in words if w in stopwords) >= 2


def stem(word: str) -> str:
    """Return a crude English stem (awards → award, held → held, applying → apply) — enough to match forms."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


class ExampleIndex:
    """TF-IDF cosine search over example questions; build once, extend into a new index for taught ones."""

    def __init__(self, examples: Sequence[Example], analyser: Analyser,
                 analysed: Sequence[dict[str, float]] | None = None) -> None:
        self.examples = tuple(examples)
        self.analyser = analyser
        self._raw = list(analysed) if analysed is not None else [analyser.features(e.text) for e in self.examples]
        n = len(self.examples)
        df: dict[str, int] = defaultdict(int)
        for feats in self._raw:
            for f in feats:
                df[f] += 1
        self.idf = {f: math.log((n + 1) / (d + 1)) + 1.0 for f, d in df.items()}
        self._labels = sorted({(e.kind, e.label) for e in self.examples})
        label_no = {kl: i for i, kl in enumerate(self._labels)}
        self._label_of = np.array([label_no[(e.kind, e.label)] for e in self.examples], dtype=np.int64)
        self._is_answer = np.array([e.kind == ANSWER for e in self.examples], dtype=bool)
        ids: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, list[float]] = defaultdict(list)
        for i, feats in enumerate(self._raw):
            vec = {f: v * self.idf[f] for f, v in feats.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for f, v in vec.items():
                ids[f].append(i)
                weights[f].append(v / norm)
        self._postings = {f: (np.array(ids[f], dtype=np.int64), np.array(weights[f])) for f in ids}
        self._by_text: defaultdict[str, list[int]] | None = None
        # The examples of each label, for the nearest out-of-scope example of the nearest topic; all of them in
        # label order, with where each label's begin (every label has an example).
        self._members = [np.flatnonzero(self._label_of == i) for i in range(len(self._labels))]
        self._by_label = np.concatenate(self._members) if self._members else np.zeros(0, dtype=np.int64)
        self._label_starts = np.cumsum([0] + [len(m) for m in self._members[:-1]]).astype(np.int64)

    @classmethod
    def cached(cls, examples: Sequence[Example], analyser: Analyser, cache_dir: str | Path | None) -> ExampleIndex:
        """Build the index, reading the examples' analysed features from cache_dir when they are unchanged."""
        directory = private_dir(cache_dir) if cache_dir is not None else None
        if directory is None:
            return cls(examples, analyser)
        path = directory / EXAMPLES_CACHE
        key = key_of(code_version(), str(_CACHE_FORMAT), analyser.tokenizer.fingerprint(),
                     repr(sorted(analyser.english_stop)), repr(tuple(e.text for e in examples)))
        payload = read_cache(path, key)
        if payload is not None:
            try:
                analysed = marshal.loads(payload)
                if isinstance(analysed, list) and len(analysed) == len(examples):
                    return cls(examples, analyser, analysed)
            except (ValueError, EOFError, TypeError):
                pass
        index = cls(examples, analyser)
        write_cache(path, key, marshal.dumps(index._raw))
        return index

    def extended(self, extra: Sequence[Example]) -> ExampleIndex:
        """Return a new index with more examples (what staff taught); this one is unchanged."""
        if not extra:
            return self
        return ExampleIndex(self.examples + tuple(extra), self.analyser,
                            self._raw + [self.analyser.features(e.text) for e in extra])

    def same_text(self, i: int) -> list[int]:
        """Return the examples whose text is example i's (itself included)."""
        key = compact(self.examples[i].text)
        if self._by_text is None:
            self._by_text = defaultdict(list)
            for j, e in enumerate(self.examples):
                self._by_text[compact(e.text)].append(j)
        return self._by_text[key]

    def without(self, drop: Iterable[str]) -> ExampleIndex:
        """Return an index without the examples from these source files (for measuring what they add)."""
        gone = set(drop)
        keep = [i for i, e in enumerate(self.examples) if e.source not in gone]
        return ExampleIndex([self.examples[i] for i in keep], self.analyser, [self._raw[i] for i in keep])

    def similarities(self, text: str) -> np.ndarray:
        """Return the cosine similarity of a question to every example."""
        sims = np.zeros(len(self.examples))
        feats = self.analyser.features(text)
        vec = {f: v * self.idf[f] for f, v in feats.items() if f in self.idf}
        # The norm counts the question's unknown features too: words no example has make it less like all.
        unknown = sum((v * (math.log(len(self.examples) + 1) + 1.0)) ** 2 for f, v in feats.items() if f not in self.idf)
        norm = math.sqrt(sum(v * v for v in vec.values()) + unknown) or 1.0
        if not vec:
            return sims
        # Each example's sum in the order of the question's features, as `sims[ix] += (v / norm) * w` feature
        # after feature would add them (bincount adds its weights in order), in one pass.
        postings = [self._postings[f] for f in vec]
        ix = np.concatenate([p[0] for p in postings])
        weights = np.concatenate([(v / norm) * p[1] for v, p in zip(vec.values(), postings)])
        return np.bincount(ix, weights=weights, minlength=len(self.examples)).astype(float, copy=False)

    def neighbours(self, text: str, exclude: Iterable[int] = ()) -> Neighbours:
        """Return the best similarity per label and the nearest examples of a question (without the examples
        at `exclude`: calibration scores each example against the others)."""
        if not self.examples:
            return Neighbours({}, 0.0, {})
        sims = self.similarities(text)
        for i in exclude:
            sims[i] = 0.0
        # Each label's best similarity: the maximum over its examples (listed together by _by_label).
        best = np.maximum.reduceat(sims[self._by_label], self._label_starts) if len(sims) else np.zeros(0)
        best = np.maximum(best, 0.0)
        answers: dict[str, float] = {}
        policies: dict[str, float] = {}
        intents: dict[str, float] = {}
        oos = 0.0
        oos_at = -1
        near = np.flatnonzero(best)
        for i, value in zip(near.tolist(), best[near].tolist()):
            kind, label = self._labels[i]
            if kind == ANSWER:
                answers[label] = value
            elif kind == INTENT:
                intents[label] = value
            elif kind == POLICY:
                policies[label] = value
            elif value > oos:
                oos, oos_at = value, i
        ordered = top_indices(sims, max(NEAREST, VOTERS))
        nearest = tuple(Near(self.examples[i].text, self.examples[i].kind, self.examples[i].label, float(sims[i]))
                        for i in ordered[:NEAREST].tolist() if sims[i] > 0)
        oos_example = ""
        if oos_at >= 0:
            members = self._members[oos_at]
            oos_example = self.examples[int(members[np.argmax(sims[members])])].text
        voters = np.where(self._is_answer, sims, 0.0)
        top_answers = [i for i in top_indices(voters, VOTERS).tolist() if voters[i] > 0]
        total = float(sum(voters[i] for i in top_answers)) or 1.0
        votes: dict[str, float] = {}
        for i in top_answers:
            label = self.examples[i].label
            votes[label] = votes.get(label, 0.0) + float(voters[i]) / total
        everyone = [i for i in ordered[:VOTERS].tolist() if sims[i] > 0]
        total_all = float(sum(sims[i] for i in everyone)) or 1.0
        kinds: dict[str, float] = {}
        for i in everyone:
            e = self.examples[i]
            key = e.label if e.kind == INTENT else e.kind
            kinds[key] = kinds.get(key, 0.0) + float(sims[i]) / total_all
        return Neighbours(answers, oos, intents, nearest, oos_example, votes, policies, kinds)


def top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """Return the indexes of the k largest values, largest first, ties in index order: exactly
    `np.argsort(-values, kind="stable")[:k]`, without sorting all of them."""
    if len(values) <= 4 * k:
        return np.argsort(-values, kind="stable")[:k]
    neg = -values
    kth = neg[np.argpartition(neg, k - 1)[:k]].max()  # the k-th largest value (negated)
    better = np.flatnonzero(neg < kth)
    chosen = np.concatenate([better, np.flatnonzero(neg == kth)[:k - len(better)]])
    return chosen[np.argsort(neg[chosen], kind="stable")]


def answer_examples(examples: Iterable[Example]) -> dict[str, list[str]]:
    """Return the answer examples grouped by answer id (for tests and the staff console)."""
    out: dict[str, list[str]] = defaultdict(list)
    for e in examples:
        if e.kind == ANSWER:
            out[e.label].append(e.text)
    return dict(out)


def _grams(text: str) -> set[str]:
    x = compact(text)
    return {x[i:i + 2] for i in range(len(x) - 1)} or {x}


def near_duplicate(a: str, b: str) -> bool:
    """Return True when two questions are the same or nearly so: their character bigrams overlap by 80%."""
    x, y = compact(a), compact(b)
    if x == y:
        return True
    if not x or not y or min(len(x), len(y)) < 0.8 * max(len(x), len(y)):
        return False
    gx, gy = _grams(x), _grams(y)
    return len(gx & gy) / len(gx | gy) >= 0.8


def near_duplicates(texts: Iterable[str], others: Iterable[str]) -> list[tuple[str, str]]:
    """Return every (text, other) pair that is a near duplicate, found through shared bigrams (fast)."""
    others = list(dict.fromkeys(others))
    postings: dict[str, list[int]] = defaultdict(list)
    grams = [_grams(o) for o in others]
    for i, g in enumerate(grams):
        for gram in g:
            postings[gram].append(i)
    found = []
    for text in dict.fromkeys(texts):
        g = _grams(text)
        shared: dict[int, int] = defaultdict(int)
        for gram in g:
            for i in postings.get(gram, ()):
                shared[i] += 1
        for i, n in shared.items():
            # Jaccard ≥ 0.8 needs at least 0.8 of the larger bigram set in common.
            if n >= 0.8 * max(len(g), len(grams[i])) and near_duplicate(text, others[i]):
                found.append((text, others[i]))
    return found
