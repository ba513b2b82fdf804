"""Start-up caches: the index and jieba's dictionary come back identical, and bad files are rebuilt."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

import jieba
import pytest

from retrieval import cache as cache_module
from retrieval.config import RetrievalConfig
from retrieval.correct import CORRECTOR_CACHE, READINGS_CACHE
from retrieval.evaluate import load_questions
from retrieval.index import INDEX_CACHE, SearchIndex
from retrieval.examples import EXAMPLES_CACHE
from retrieval.policy_search import POLICY_CACHE
from retrieval.search import Searcher
from retrieval.tokenize import DICTIONARY_CACHE, Tokenizer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.cache


@lru_cache(maxsize=1)
def holdout() -> list[str]:
    """The holdout questions (read when a test needs them, not when the tests are collected)."""
    return [q.q for name in ("holdout_a.yaml", "holdout_b.yaml") for q in load_questions(ROOT / "eval" / name)]


def outcome(searcher: Searcher, question: str) -> tuple:
    r = searcher.search(question)
    features = [a.matrix().tolist() for a in searcher.versions(question)]
    return (r.decision, r.reason, r.hits, r.asks, r.tokens, r.coverage, r.intent, features)


def assert_same_answers(a: Searcher, b: Searcher, questions: list[str] | None = None) -> None:
    questions = holdout() if questions is None else questions
    for q in questions:
        assert outcome(a, q) == outcome(b, q), q


# Every tenth held-out question, for the tests that build several times.
def sample() -> list[str]:
    return holdout()[::10]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache") / "var"


@pytest.fixture(scope="module")
def cached(catalogue, cache_dir) -> Searcher:
    """A searcher whose index was written to the cache by a first build and read back by a second."""
    Searcher.build(catalogue, cache_dir=cache_dir)
    return Searcher.build(catalogue, cache_dir=cache_dir)


@pytest.fixture
def var(tmp_path, cached, cache_dir) -> Path:
    """An empty cache directory except for jieba's dictionary (parsing that is slow and tested apart)."""
    target = tmp_path / "var"
    target.mkdir()
    (target / DICTIONARY_CACHE).write_bytes((cache_dir / DICTIONARY_CACHE).read_bytes())
    return target


@pytest.fixture(scope="module")
def parts(catalogue, cache_dir, cached):
    """What an index is built from, with one tokeniser for the module (the slow part of a start)."""
    from retrieval.config import load_config
    from retrieval.documents import build_docs
    from retrieval.lexicon import load_lexicon

    lexicon = load_lexicon()
    config, docs = load_config(), build_docs(catalogue, lexicon)
    tokenizer = Tokenizer(lexicon, [p for d in docs for p in d.phrases], cache_dir=cache_dir)
    return catalogue, lexicon, config, docs, tokenizer


def from_cache(parts, directory: Path) -> Searcher:
    catalogue, lexicon, config, docs, tokenizer = parts
    return Searcher.assemble(catalogue, lexicon, tokenizer, config, directory)


def no_build(monkeypatch) -> None:
    def fail(self):
        raise AssertionError("the index was rebuilt instead of read from the cache")

    monkeypatch.setattr(SearchIndex, "_build_fields", fail)


def test_cached_index_answers_every_holdout_question_as_a_fresh_build(searcher, cached):
    assert_same_answers(searcher, cached)


def test_cached_index_gives_the_same_document_ranking_and_learned_aliases(catalogue, searcher, cached, var):
    for q in holdout()[:40]:
        for answer in ("enterprise-association-rules", "societies", "tast"):
            assert searcher.best_documents(q, answer) == cached.best_documents(q, answer)
    # Teaching adds words to a tokeniser: use searchers of this test's own.
    learned = {"13": ("年轻人才托举",), "41": ("创新大赛报名入口",)}
    a = Searcher.build(catalogue).with_learned(learned)
    b = Searcher.build(catalogue, cache_dir=var).with_learned(learned)
    for q in ("年轻人才托举", "创新大赛报名入口啊", *sample()):
        assert outcome(a, q) == outcome(b, q)


def test_second_start_reads_the_cache(catalogue, cache_dir, cached, monkeypatch):
    no_build(monkeypatch)
    Searcher.build(catalogue, cache_dir=cache_dir)


def test_cache_files_are_private_and_complete(cache_dir, cached):
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    for name in (INDEX_CACHE, DICTIONARY_CACHE):
        assert stat.S_IMODE((cache_dir / name).stat().st_mode) == 0o600
    # The characters' readings are read once per process (by whichever build comes first: maybe not this one).
    files = {p.name for p in cache_dir.iterdir()} - {READINGS_CACHE}
    assert sorted(files) == sorted([INDEX_CACHE, EXAMPLES_CACHE, POLICY_CACHE, DICTIONARY_CACHE, CORRECTOR_CACHE])


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_index_cache_is_rebuilt_and_rewritten(searcher, parts, var, damage, monkeypatch):
    from_cache(parts, var)
    path = var / INDEX_CACHE
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[-100] ^= 0x55
    elif damage == "garbage":
        data = bytearray(b"not a cache at all" * 10)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    rebuilt = from_cache(parts, var)
    assert_same_answers(searcher, rebuilt, sample())
    assert path.read_bytes() != bytes(data)
    no_build(monkeypatch)
    assert_same_answers(searcher, from_cache(parts, var), sample())


def test_cache_that_is_intact_but_not_an_index_is_rebuilt(searcher, parts, var):
    from_cache(parts, var)
    path = var / INDEX_CACHE
    head = path.read_bytes()[: len(cache_module.MAGIC) + 64]
    key = head[len(cache_module.MAGIC):].decode()
    cache_module.write_cache(path, key, b"\x00\x01 not marshal")
    assert_same_answers(searcher, from_cache(parts, var), sample())


def test_stale_cache_is_rebuilt_when_settings_or_data_change(catalogue, var, monkeypatch):
    Searcher.build(catalogue, cache_dir=var)
    built = []
    original = SearchIndex._build_fields

    def counting(self):
        if "/" not in self.docs[0].answer:  # the catalogue's index (the policy passages' has its own file)
            built.append(1)
        return original(self)

    monkeypatch.setattr(SearchIndex, "_build_fields", counting)
    other = RetrievalConfig(k1=1.5)
    a = Searcher.build(catalogue, config=other, cache_dir=var)
    assert built == [1]
    fresh = Searcher.build(catalogue, config=other)
    assert built == [1, 1]
    assert_same_answers(a, fresh, sample())
    # Another catalogue (a service's title changed) is another key as well.
    service = catalogue.services[0]
    from dataclasses import replace

    changed = replace(catalogue, services=(replace(service, title=service.title + "（新）"), *catalogue.services[1:]))
    Searcher.build(changed, config=other, cache_dir=var)
    assert built == [1, 1, 1]


def test_build_without_cache_dir_writes_no_index(catalogue, var, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(var.parent))
    var.rename(var.parent / "kechuang-assistant")
    monkeypatch.chdir(var.parent)
    Searcher.build(catalogue)
    # What belongs to the libraries (jieba's dictionary, pypinyin's readings) is kept per user, nothing else.
    kept = {p.name for p in (var.parent / "kechuang-assistant").iterdir()}
    assert DICTIONARY_CACHE in kept and kept <= {DICTIONARY_CACHE, READINGS_CACHE}
    assert not list(var.parent.rglob(INDEX_CACHE))


def test_dictionary_cache_equals_jieba_dictionary_and_never_uses_shared_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    reference = jieba.Tokenizer()
    freq, total = reference.gen_pfdict(reference.get_dict_file())
    from retrieval.lexicon import load_lexicon

    lexicon = load_lexicon()
    for _ in range(2):  # the first builds and writes the cache, the second reads it
        tok = Tokenizer(lexicon)
        assert tok._general_total == total
    fresh = jieba.Tokenizer()
    from retrieval.tokenize import load_dictionary

    load_dictionary(fresh, None)
    assert fresh.FREQ == freq and fresh.total == total
    assert (tmp_path / "xdg" / "kechuang-assistant" / DICTIONARY_CACHE).exists()
    # The cached dictionary cuts text exactly as jieba's own initialisation does.
    reference.initialize()
    text = "青年科技人才托举工程申报条件和联系电话"
    assert list(fresh.cut(text)) == list(reference.cut(text))
    assert list(fresh.cut_for_search(text)) == list(reference.cut_for_search(text))


def test_corrupt_dictionary_cache_is_rebuilt(var):
    from retrieval.tokenize import _dictionary_key, load_dictionary

    first = jieba.Tokenizer()
    load_dictionary(first, var)
    path = var / DICTIONARY_CACHE
    # Cut short (the digest catches it), then intact but not a dictionary (the reader catches it).
    for damage in ("truncate", "not a dictionary"):
        if damage == "truncate":
            path.write_bytes(path.read_bytes()[:-5000])
        else:
            cache_module.write_cache_records(path, _dictionary_key(), [b"\x00 not marshal", b"x"])
        again = jieba.Tokenizer()
        load_dictionary(again, var)
        assert again.FREQ == first.FREQ and again.total == first.total
        assert path.stat().st_size > 1_000_000


def test_unusable_cache_directory_still_builds(catalogue, searcher, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    s = Searcher.build(catalogue, cache_dir=blocker / "var")
    assert outcome(s, holdout()[0]) == outcome(searcher, holdout()[0])


def test_cache_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "x.cache"
    key = "0" * 64
    cache_module.write_cache(path, key, b"first")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    cache_module.write_cache(path, key, b"second")
    assert bytes(cache_module.read_cache(path, key)) == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["x.cache"]


async def test_the_assistant_keeps_its_caches_beside_its_database(tmp_path, settings):
    from dataclasses import replace

    from bot.app import build_assistant

    db = tmp_path / "state" / "assistant.sqlite3"
    db.parent.mkdir()
    first = await build_assistant(replace(settings, bot_db_path=str(db)))
    try:
        answer = first.searcher.search("青托申报条件").best
    finally:
        await first.storage.close()
    caches = sorted(p for p in db.parent.iterdir() if not p.name.startswith("assistant.sqlite3"))
    assert caches and all(p.stat().st_mode & 0o077 == 0 for p in caches)
    again = await build_assistant(replace(settings, bot_db_path=str(db)))
    try:
        assert again.searcher.search("青托申报条件").best == answer
    finally:
        await again.storage.close()


def test_cached_corrector_index_equals_a_fresh_build_and_a_bad_file_is_rebuilt(searcher, parts, var):
    from retrieval.correct import CorrectorIndex

    vocabulary = searcher.corrector.vocabulary
    fresh = CorrectorIndex(vocabulary)
    written = CorrectorIndex.cached(vocabulary, var)
    read = CorrectorIndex.cached(vocabulary, var)
    for index in (written, read):
        assert index.vocabulary == fresh.vocabulary
        assert (index.exact, index.dropped, index.swapped, index.spelled, index.initials) == \
            (fresh.exact, fresh.dropped, fresh.swapped, fresh.spelled, fresh.initials)
    path = var / CORRECTOR_CACHE
    path.write_bytes(path.read_bytes()[:100])
    assert CorrectorIndex.cached(vocabulary, var).exact == fresh.exact
    head = path.read_bytes()[: len(cache_module.MAGIC) + 64]
    cache_module.write_cache(path, head[len(cache_module.MAGIC):].decode(), b"\x00\x01 not marshal")
    assert CorrectorIndex.cached(vocabulary, var).exact == fresh.exact
    for q in ("青拖申报", "kpds", "院士作站", "qingtuo shenbao tiaojian", "科普大史", "创焦会"):
        assert searcher.corrector.rewrites(q) == from_cache(parts, var).corrector.rewrites(q)


def test_readings_table_holds_pypinyins_readings_of_every_character():
    from retrieval import correct

    correct.load_readings(None)
    table = correct._READINGS
    assert table is not None and len(table) > 20_000
    for ch in "青托行长重乐的了科普大使创交会院士工作站㐀龥":
        assert table.get(ch, ()) == correct._pinyin_readings(ch), ch
    assert correct.readings("a") == () and correct.readings("，") == ()
