"""The speed-ups of issue 23 change no result: the search with each fast path replaced by the code it replaced
gives the same SearchResult, to the last bit of every float, for every question of every evaluation file and
every turn of every conversation file (and the policy passages' candidates, rewrites and explanations).

Each reference below is the code before the speed-up (what it computed per call, in the same order); the
reference searcher is the shared one with these put back (monkeypatched), so this test keeps comparing the
fast paths with their slow equivalents while the decision itself changes around them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from retrieval import evidence, examples, features, index, policy_search, readings, search, societies, text
from retrieval.correct import CorrectorIndex
from retrieval.evidence import Evidence
from retrieval.examples import NEAREST, VOTERS, Neighbours, Near
from retrieval.policy_search import (EXAMPLE_CANDIDATES, EXAMPLE_FLOOR, POLICY_CANDIDATES, POLICY_FEATURES,
                                     PolicyCandidates, _votes)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@lru_cache(maxsize=1)
def every_text() -> list[str]:
    """Every question (q) and conversation turn (say) of eval/*.yaml, once each."""
    out: list[str] = []
    for path in sorted((ROOT / "eval").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and isinstance(item.get("q"), str):
                out.append(item["q"])
            for turn in (item.get("turns") or []) if isinstance(item, dict) else []:
                if isinstance(turn, dict) and isinstance(turn.get("say"), str):
                    out.append(turn["say"])
    return list(dict.fromkeys(out))


# -- the code before the speed-ups -------------------------------------------------------------------

def reference_compact(t: str) -> str:
    return "".join(ch for ch in text.normalise(t) if ch.isalnum())


def reference_explain(words, index_, query, content, answer, phrase=""):
    docs = index_.docs_of(answer)
    if not content or not docs:
        return Evidence()
    info = {t: words.information(t) for t in content}
    total = sum(info.values()) or 1.0
    levels = {level: frozenset().union(*(index_.terms(i, level) for i in docs)) for level in ("name", "core", "all")}

    def has(t, level):
        found = levels[level]
        return t in found or bool(phrase and t in phrase) or any(s in found for s in words.synonyms.get(t, ()))

    def share(level):
        return sum(v for t, v in info.items() if has(t, level)) / total

    telling = sorted(info, key=lambda t: -info[t])[:2]
    focus = sum(info[t] for t in telling if has(t, "core")) / (sum(info[t] for t in telling) or 1.0)
    grams = words.bigrams(query.compact, content)

    def gram_share(level):
        if not grams:
            return 1.0
        found = frozenset().union(*(index_.bigrams(i, level) for i in docs))
        return sum(1 for g in grams if g in found) / len(grams)

    unknown = max((v for t, v in info.items()
                   if not index_.knows(t) and not any(index_.knows(s) for s in words.synonyms.get(t, ()))),
                  default=0.0)
    missing = max((v for t, v in info.items() if not has(t, "all")), default=0.0)
    return Evidence(information=total, explained=share("all"), core=share("core"), name=share("name"),
                    bigrams=gram_share("all"), core_bigrams=gram_share("core"), name_bigrams=gram_share("name"),
                    unknown=unknown, focus=focus, missing=missing)


def reference_similarities(self, t):
    sims = np.zeros(len(self.examples))
    feats = self.analyser.features(t)
    vec = {f: v * self.idf[f] for f, v in feats.items() if f in self.idf}
    unknown = sum((v * (math.log(len(self.examples) + 1) + 1.0)) ** 2 for f, v in feats.items() if f not in self.idf)
    norm = math.sqrt(sum(v * v for v in vec.values()) + unknown) or 1.0
    for f, v in vec.items():
        ix, w = self._postings[f]
        sims[ix] += (v / norm) * w
    return sims


def reference_neighbours(self, t, exclude=()):
    if not self.examples:
        return Neighbours({}, 0.0, {})
    sims = self.similarities(t)
    for i in exclude:
        sims[i] = 0.0
    best = np.zeros(len(self._labels))
    np.maximum.at(best, self._label_of, sims)
    answers, policies, intents = {}, {}, {}
    oos, oos_at = 0.0, -1
    for i in np.flatnonzero(best).tolist():
        kind, label = self._labels[i]
        value = float(best[i])
        if kind == examples.ANSWER:
            answers[label] = value
        elif kind == examples.INTENT:
            intents[label] = value
        elif kind == examples.POLICY:
            policies[label] = value
        elif value > oos:
            oos, oos_at = value, i
    top = np.argsort(-sims, kind="stable")[:NEAREST]
    nearest = tuple(Near(self.examples[i].text, self.examples[i].kind, self.examples[i].label, float(sims[i]))
                    for i in top.tolist() if sims[i] > 0)
    oos_example = ""
    if oos_at >= 0:
        members = np.flatnonzero(self._label_of == oos_at)
        oos_example = self.examples[int(members[np.argmax(sims[members])])].text
    voters = np.where(self._is_answer, sims, 0.0)
    top_answers = [i for i in np.argsort(-voters, kind="stable")[:VOTERS].tolist() if voters[i] > 0]
    total = float(sum(voters[i] for i in top_answers)) or 1.0
    votes: dict[str, float] = {}
    for i in top_answers:
        label = self.examples[i].label
        votes[label] = votes.get(label, 0.0) + float(voters[i]) / total
    everyone = [i for i in np.argsort(-sims, kind="stable")[:VOTERS].tolist() if sims[i] > 0]
    total_all = float(sum(sims[i] for i in everyone)) or 1.0
    kinds: dict[str, float] = {}
    for i in everyone:
        e = self.examples[i]
        key = e.label if e.kind == examples.INTENT else e.kind
        kinds[key] = kinds.get(key, 0.0) + float(sims[i]) / total_all
    return Neighbours(answers, oos, intents, nearest, oos_example, votes, policies, kinds)


def reference_rank_of(self, answer_id):
    return next((n for n, (a, _) in enumerate(self.ranked(), 1) if a == answer_id), 0)


def reference_best_other(self, answer_id):
    return max((v for a, v in self.ranked() if a != answer_id), default=0.0)


def reference_matched(self, i, query):
    words, parts = self._token_sets(i)
    return {t for t, _ in query.weighted if t in words or t in parts} | {p for p in query.parts if p in parts}


def reference_candidates(self, t, neighbours, catalogue_p, parsed=None):
    if self.index is None:
        return PolicyCandidates([], np.zeros((0, len(POLICY_FEATURES))))
    t = text.bounded(t)
    query = self.index.parse(t)
    content = self.words.content(query.tokens)
    hits = self.index.rank(query, limit=POLICY_CANDIDATES).hits
    keys = [h.id for h in hits]
    ranked = sorted(neighbours.policies.items(), key=lambda kv: (-kv[1], kv[0]))
    for key, sim in ranked[:EXAMPLE_CANDIDATES]:
        if sim >= EXAMPLE_FLOOR and key not in keys:
            keys.append(key)
    scores = {h.id: h.score for h in hits}
    q = query.compact
    named = {d: reference_named(self, q, d) for d in self._names}
    norm = text.normalise(t)
    asks_number = any(w in norm for w in self.policy_words.number)
    asks_lead = any(w in norm for w in self.policy_words.lead)
    years = set(policy_search._YEAR.findall(q))
    asks_now = float(any(w in norm for w in self.policy_words.now))
    places = [r for r in self.policy_words.regions if r in q]
    best = max(scores.values(), default=0.0)
    votes = _votes(ranked)
    latin = sum(1 for ch in q if "a" <= ch <= "z")
    qv = [math.log1p(len(q)) / 5, min(len(content), 10) / 10, latin / len(q) if q else 0.0, catalogue_p,
          neighbours.out_of_scope, ranked[0][1] if ranked else 0.0, max(named.values(), default=0.0)]
    rows, found = [], []
    for key in keys:
        p = self.passages[key]
        hit = next((h for h in hits if h.id == key), index.Hit(id=key, score=0.0))
        e = reference_explain(self.words, self.index, query, content, key, hit.phrase)
        score = scores.get(key, 0.0)
        others = max((v for k, v in scores.items() if k != key), default=0.0)
        rank = keys.index(key) + 1 if key in scores else 0
        ex = neighbours.policies.get(key, 0.0)
        ex_rank = next((n for n, (k, _) in enumerate(ranked, 1) if k == key), 0)
        ex_other = max((v for k, v in ranked if k != key), default=0.0)
        body = reference_compact(p.text + "".join(p.lead))
        rows.append(qv + [
            math.log1p(score) / 4, score / best if best > 0 else 0.0, 1.0 / rank if rank else 0.0,
            math.log((score + 1.0) / (others + 1.0)),
            e.explained, e.core, e.name, e.bigrams, e.name_bigrams, e.missing / 20,
            ex, 1.0 / ex_rank if ex_rank else 0.0, ex - ex_other, votes.get(key, 0.0),
            named.get(p.document_id, 0.0),
            float(asks_number and bool(policy_search._DIGIT.search(p.text))), float(asks_lead and bool(p.lead)),
            float(bool(years) and all(y in body for y in years)) - float(bool(years) and not any(y in body for y in years)),
            asks_now, float(any(r not in self._texts[p.document_id] for r in places)),
        ])
        found.append(e)
    return PolicyCandidates(keys, np.array(rows, dtype=float).reshape(-1, len(POLICY_FEATURES)), found)


def reference_named(self, q, document):
    best = 0.0
    for name in self._names.get(document, ()):
        grams = {name[i:i + 2] for i in range(len(name) - 1)}
        if grams:
            best = max(best, sum(1 for g in grams if g in q) / len(grams))
    return best


def reference_lead_sentence(self, passage, t):
    norm = text.normalise(text.bounded(t))
    if any(w in norm for w in self.policy_words.lead) and passage.lead:
        return "；".join(passage.lead)
    sentences = [s.strip() for s in policy_search._SENTENCE.split(passage.text) if s.strip()]
    if not sentences:
        return ""
    asks_number = any(w in norm for w in self.policy_words.number)
    grams = {norm[i:i + 2] for i in range(len(norm) - 1)}

    def score(s):
        shared = sum(1 for i in range(len(s) - 1) if s[i:i + 2] in grams)
        return (shared + (5 if asks_number and policy_search._DIGIT.search(s) else 0), -len(s))

    return max(sentences, key=score)


def reference_named_in(self, q, words):
    return tuple(w for w in words if w in q)


def reference_content(self, tokens):
    return [t for t in dict.fromkeys(tokens) if not self._number.match(t) and not self._filler(t)]


def reference_programmes_named(normalised, lexicon, fields):
    import re

    ends = readings._any_of(lexicon.programme_ends)
    not_before = f"(?![{re.escape(lexicon.programme_not_before)}])" if lexicon.programme_not_before else ""
    t = readings.strip_levels(re.sub(r"\s+", "", normalised), lexicon)
    found = []
    for m in re.finditer(ends + not_before, t):
        before = re.sub(r"[\d_a-z]+$", "", t[:m.start()])
        if not before or (m.group(0) in fields and any(before.endswith(f) for f in fields)):
            continue
        found.append(before)
    return tuple(found)


def reference_society_match(self, question):
    q = reference_compact(question)
    if not any(w.endswith(c) for w in self._cut(q) for c in self.cues):
        return societies.SocietyMatch()
    self_compact, self_short = self._compact, self._short
    try:
        self._compact = {n: reference_compact(n) for n in self_compact}
        self._short = {n: reference_compact(self._prefix.sub("", n)) for n in self_short}
        return original_society_match(self, question)
    finally:
        self._compact, self._short = self_compact, self_short


original_society_match = societies.Societies.match


def put_back(mp: pytest.MonkeyPatch, searcher):
    """Return the searcher with the code before the speed-ups put back (until mp is undone)."""
    for module in (evidence, search, features, policy_search):
        mp.setattr(module, "explain", reference_explain)
    mp.setattr(examples.ExampleIndex, "similarities", reference_similarities)
    mp.setattr(examples.ExampleIndex, "neighbours", reference_neighbours)
    mp.setattr(examples.Neighbours, "rank", reference_rank_of)
    mp.setattr(examples.Neighbours, "best_other", reference_best_other)
    mp.setattr(index.SearchIndex, "_matched", reference_matched)
    mp.setattr(policy_search.PolicySearch, "candidates", reference_candidates)
    mp.setattr(policy_search.PolicySearch, "lead_sentence", reference_lead_sentence)
    mp.setattr(search.Searcher, "_named_in", reference_named_in)
    mp.setattr(evidence.Words, "content", reference_content)
    mp.setattr(readings, "_programmes_named", reference_programmes_named)
    mp.setattr(societies.Societies, "match", reference_society_match)
    mp.setattr(searcher.tokenizer, "analyse", searcher.tokenizer._analyse)
    return searcher


def test_every_evaluation_text_gets_the_same_result_as_before_the_speed_ups(searcher):
    texts = every_text()
    assert len(texts) > 2500
    fast = [searcher.search(t) for t in texts]
    with pytest.MonkeyPatch.context() as mp:
        slow = [put_back(mp, searcher).search(t) for t in texts]
    for t, a, b in zip(texts, fast, slow):
        assert a == b, t


def test_rewrites_explanations_and_compact_texts_are_the_same_as_before(searcher):
    texts = every_text()[::5]

    def readings(s):
        return [(s.corrector.rewrites(text.normalise(t)), s.explain(t, "13"), s.best_documents(t, "societies"),
                 s.parts.policy.candidates(t, s.examples.neighbours(t), 0.5).x.tolist()) for t in texts]

    fast = readings(searcher)
    with pytest.MonkeyPatch.context() as mp:
        assert fast == readings(put_back(mp, searcher))
    assert all(text.compact(t) == reference_compact(t) for t in every_text())
    fresh = CorrectorIndex(searcher.corrector.vocabulary)
    assert fresh.exact == searcher.corrector.index.exact and fresh.spelled == searcher.corrector.index.spelled


def test_top_indices_is_the_stable_argsort(searcher):
    rng = np.random.default_rng(7)
    for n in range(1, 400, 7):
        for k in (1, 5, 10):
            values = rng.integers(0, 4, size=n) / 3.0
            assert examples.top_indices(values, k).tolist() == np.argsort(-values, kind="stable")[:k].tolist()
