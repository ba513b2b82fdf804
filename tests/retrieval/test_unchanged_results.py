"""Speed-ups that must not change a single result: each fast path equals the code it replaced."""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.config import RetrievalConfig
from retrieval.evaluate import load_questions
from retrieval.index import SHORT_QUESTION, SearchIndex, _Alias, _alias, _lcs_length
from retrieval.text import compact, normalise

ROOT = Path(__file__).resolve().parents[2]

# Hundreds of generated questions and every alias window, each through the old and the new code.
pytestmark = pytest.mark.slow


@lru_cache(maxsize=1)
def eval_questions() -> list[str]:
    """Every question of the evaluation files (read when a test needs them, not at collection)."""
    return [q.q for f in sorted((ROOT / "eval").glob("*.yaml")) if not f.name.startswith(("conversations", "policy"))
            for q in load_questions(f)]


def reference_lcs(a: str, b: str) -> int:
    """The dynamic-programming LCS the loose matcher used before."""
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def reference_loose_hits(index: SearchIndex, q: str, lcs=reference_lcs) -> dict[int, str]:
    """The loose matcher before the character-count bound (LCS over every candidate alias)."""
    found: dict[int, str] = {}
    counts: dict[int, int] = defaultdict(int)
    for ch in set(q):
        for i in index._phrase_chars.get(ch, ()):
            counts[i] += 1
    need = 0.8 * len(set(q))
    for i in sorted(i for i, n in counts.items() if n >= need):
        for p in index.docs[i].phrases:
            c = _compact(p)
            if len(c) < 3:
                continue
            common = lcs(q, c)
            if (q in c) or (common >= 0.8 * len(q) and common >= 0.6 * len(c)):
                found[i] = q
                break
    return found


@lru_cache(maxsize=None)
def _compact(text: str) -> str:
    return compact(text)


def reference_analyse(tokenizer, text: str) -> tuple[list[str], list[str]]:
    """Tokenizer.analyse before the single cut: jieba's cut, then cut_for_search over the text again."""
    norm = normalise(text)
    tok = tokenizer._jieba
    words = [t for t in tok.cut(norm, HMM=False) if any(ch.isalnum() for ch in t)]
    content = [t for t in words if t not in tokenizer.stopwords]
    whole = set(words)
    parts = [t for t in tok.cut_for_search(norm, HMM=False)
             if t not in whole and t not in tokenizer.stopwords and any(ch.isalnum() for ch in t)]
    return content, parts


def short_questions(index: SearchIndex) -> set[str]:
    """Every window of 3 to SHORT_QUESTION characters of every compacted title and alias."""
    out: set[str] = set()
    for doc in index.docs:
        for p in doc.phrases:
            c = compact(p)
            for n in range(3, SHORT_QUESTION + 1):
                out.update(c[i:i + n] for i in range(len(c) - n + 1))
    return out


@given(st.text(alphabet="科技协会天津青年人才", min_size=0, max_size=10),
       st.text(alphabet="科技协会天津青年人才", min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_bit_parallel_lcs_equals_dynamic_programming(a, b):
    assert _lcs_length(a, _alias(b)) == reference_lcs(a, b)


def test_loose_matching_is_unchanged_on_every_alias_window(searcher):
    index = searcher.index
    questions = short_questions(index)
    assert len(questions) > 1000
    aliases: dict[str, _Alias] = {}

    def fast_lcs(a: str, b: str) -> int:
        if b not in aliases:
            aliases[b] = _alias(b)
        return _lcs_length(a, aliases[b])

    # The reference computes the LCS of every candidate alias (bit-parallel, to keep this test quick:
    # it equals the dynamic-programming LCS, tested above and on a sample here).
    for n, q in enumerate(sorted(questions)):
        found: dict[int, str] = {}
        index._loose_hits(q, found)
        lcs = reference_lcs if n % 50 == 0 else fast_lcs
        assert found == reference_loose_hits(index, q, lcs), q


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_loose_matching_is_unchanged_on_edited_aliases(searcher, data):
    index = searcher.index
    aliases = sorted({compact(p) for d in index.docs for p in d.phrases if len(compact(p)) >= 3})
    alias = data.draw(st.sampled_from(aliases))
    chars = list(alias[:SHORT_QUESTION + 2])
    # Drop, swap in and insert characters of other aliases: near misses of the 0.8 / 0.6 thresholds.
    for _ in range(data.draw(st.integers(0, 3))):
        where = data.draw(st.integers(0, len(chars)))
        edit = data.draw(st.sampled_from(["drop", "insert", "replace"]))
        other = data.draw(st.sampled_from(aliases))
        ch = other[data.draw(st.integers(0, len(other) - 1))]
        if edit == "drop" and chars:
            del chars[min(where, len(chars) - 1)]
        elif edit == "insert":
            chars.insert(where, ch)
        elif chars:
            chars[min(where, len(chars) - 1)] = ch
    q = "".join(chars)
    if 3 <= len(q) <= SHORT_QUESTION:
        found: dict[int, str] = {}
        index._loose_hits(q, found)
        assert found == reference_loose_hits(index, q)


def test_one_cut_analyse_equals_two_cuts(searcher):
    tokenizer = searcher.tokenizer
    texts = [t for d in searcher.index.docs for t in (d.name, d.body)] + eval_questions()
    texts += [s for syns in tokenizer.synonyms.values() for s in syns]
    assert len(eval_questions()) > 300
    for text in texts:
        assert tokenizer.analyse(text) == reference_analyse(tokenizer, text), text


def test_word_information_uses_general_frequencies(searcher):
    """Information reads jieba's frequencies from before the domain words were added, as the full copy did."""
    tokenizer = searcher.tokenizer
    general = jieba.Tokenizer()
    freq, total = general.gen_pfdict(general.get_dict_file())
    words = {t for d in searcher.index.docs for t in tokenizer.analyse(d.name + d.body)[0]}
    words |= {t for q in eval_questions() for t in tokenizer.analyse(q)[0]}
    words |= {w for w, _ in searcher.lexicon.user_words} | set(tokenizer.synonyms)
    assert tokenizer._general_total == total
    for t in words:
        assert tokenizer.information(t) == math.log((total + 1) / (freq.get(t, 0) + 1)), t


def test_synonyms_tokenised_once_until_jieba_learns_a_word(fresh_searcher):
    tokenizer = fresh_searcher.tokenizer

    def reference_expand(tokens, weight):
        out = dict.fromkeys(tokens, 1.0)
        for t in tokens:
            for syn in tokenizer.synonyms.get(t, ()):
                for s in reference_analyse(tokenizer, syn)[0]:
                    out.setdefault(s, weight)
        return list(out.items())

    questions = eval_questions() + [k for k in tokenizer.synonyms]
    for q in questions:
        tokens = tokenizer.analyse(q)[0]
        assert tokenizer.expand(tokens, 0.6) == reference_expand(tokens, 0.6)
    # A taught alias can change how a synonym is cut: the remembered cuts are dropped.
    key, syns = next((k, v) for k, v in tokenizer.synonyms.items() if any(len(s) > 3 for s in v))
    long_syn = next(s for s in syns if len(s) > 3)
    tokenizer.add_phrases([long_syn[:3]])
    assert tokenizer.expand([key], 0.6) == reference_expand([key], 0.6)


def test_found_words_are_computed_as_before(searcher):
    """Ranking.found (now computed when read) holds what the eager loop computed for every hit."""
    index = searcher.index
    for q in eval_questions():
        query = index.parse(q)
        ranking = index.rank(query)
        assert list(ranking.found) == [h.id for h in ranking.hits]
        for hit in ranking.hits:
            assert ranking.found[hit.id] == reference_found(index, query, hit), (q, hit.id)
        assert ranking.found.get("no such answer", set()) == set()


def test_document_token_sets_are_the_documents_tokens(searcher):
    """_matched reads each document's distinct tokens, as it read rank-bm25's per-document counts."""
    index = searcher.index
    corpora = index._corpora()
    for name, corpus in corpora.items():
        assert index._fields[name].doc_tokens == [tuple(sorted(set(toks))) for toks in corpus]


def reference_found(index: SearchIndex, query, hit) -> set[str]:
    import numpy as np

    scores = np.zeros(len(index.docs))
    index._score("words", query.weighted, 1.0, scores)
    index._score("parts", list(query.weighted) + [(p, 1.0) for p in query.parts], index.config.parts_weight, scores)
    info = {t: index.tokenizer.information(t) for t in query.tokens}
    phrases = index._phrase_hits(query, info)
    total = sum(info.values()) or 1.0
    for i, phrase in phrases.items():
        inside = sum(v for t, v in info.items() if t in phrase)
        scores[i] += index.config.phrase_bonus * min(1.0, len(phrase) / 4) * max(inside / total, 0.25)
    seen: set[str] = set()
    for j in index._docs_of[hit.id]:
        if scores[j] > 0:
            words = index._fields["words"].doc_tokens[j]
            parts = index._fields["parts"].doc_tokens[j]
            seen |= {t for t, _ in query.weighted if t in words or t in parts}
            seen |= {p for p in query.parts if p in parts}
    if hit.phrase:
        seen |= {t for t, _ in query.weighted if t in hit.phrase}
    return seen


def test_token_set_cache_is_bounded_and_changes_nothing(searcher, monkeypatch):
    from retrieval import index as index_module

    index = searcher.index
    expected = [searcher.search(q).hits for q in eval_questions()[:80]]
    monkeypatch.setattr(index_module, "TOKEN_SET_CACHE", 5)
    index._sets.clear()
    assert [searcher.search(q).hits for q in eval_questions()[:80]] == expected
    assert len(index._sets) <= 5
    index._sets.clear()


@pytest.mark.parametrize("variant", ["plus", "okapi", "l"])
def test_postings_are_rank_bm25_scores_to_the_bit(searcher, variant):
    """Scores computed for all tokens at once equal rank-bm25's get_batch_scores token by token."""
    import numpy as np

    from retrieval.index import _VARIANTS

    config = RetrievalConfig(bm25_variant=variant, k1=1.3, b=0.7, delta=0.6)
    index = SearchIndex(searcher.index.docs, searcher.tokenizer, config, _cache=searcher.index._cache)
    kwargs = {"k1": 1.3, "b": 0.7, **({"delta": 0.6} if variant != "okapi" else {})}
    for name, corpus in index._corpora().items():
        model = _VARIANTS[variant]([list(toks) or ["\u2400"] for toks in corpus], **kwargs)
        postings = index._fields[name].postings
        expected: dict[str, list[int]] = defaultdict(list)
        for i, toks in enumerate(corpus):
            for t in set(toks):
                expected[t].append(i)
        assert set(postings) == set(expected)
        for t, ix in expected.items():
            got_ix, got_scores = postings[t]
            assert got_ix.tolist() == ix
            want = np.asarray(model.get_batch_scores([t], ix))
            assert got_scores.dtype == want.dtype and got_scores.tobytes() == want.tobytes(), (name, t)
