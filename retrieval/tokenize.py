"""Tokenise Chinese text with jieba plus the project's user dictionary; separate from scoring."""

from __future__ import annotations

import hashlib
import logging
import marshal
import math
import sys
from array import array
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

# jieba imports the deprecated pkg_resources (about 0.1 s of every start) only to open its own data
# files, and opens them directly when that import fails: make it fail, unless something already paid for it.
_SKIP_PKG_RESOURCES = "pkg_resources" not in sys.modules
if _SKIP_PKG_RESOURCES:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
try:
    import jieba
finally:
    if _SKIP_PKG_RESOURCES:
        del sys.modules["pkg_resources"]

from .cache import key_of, private_dir, read_cache_records, write_cache_records
from .lexicon import Lexicon
from .text import normalise

log = logging.getLogger(__name__)

# Frequency given to short catalogue terms (青托, 创交会) so jieba keeps each as one word.
PHRASE_FREQ = 5000
# Longer titles and aliases are not added: as one opaque word they would hide their parts (天津, 青年,
# 科技奖) from the search; the phrase matcher finds them whole instead.
MAX_DICT_PHRASE = 4
# Texts whose analysis is remembered (the words of the last questions; documents are read once, at build).
ANALYSED_TEXTS = 64
# File name of jieba's parsed dictionary inside the cache directory.
DICTIONARY_CACHE = "jieba-dictionary.cache"


class Tokenizer:
    """jieba search-mode tokeniser with the domain dictionary and stop words.

    One instance is built at start and shared; it owns its own jieba.Tokenizer so that adding learned
    aliases never touches jieba's global default tokeniser.
    """

    def __init__(self, lexicon: Lexicon, phrases: Iterable[str] = (), cache_dir: str | Path | None = None) -> None:
        self._jieba = jieba.Tokenizer()
        load_dictionary(self._jieba, cache_dir)
        # General-language frequencies before the domain words are added: the information measure
        # must not mistake catalogue terms (given a high frequency so jieba keeps them whole) for filler.
        # Only the words the project re-weights are remembered; every other word still has its general
        # frequency in jieba's live table (a full copy of the table would cost ~15 MiB).
        self._general: dict[str, int] = {}
        self._general_total = self._jieba.total
        # What this tokeniser knows beyond jieba's dictionary, for cache keys of tokenised text.
        self._state = hashlib.sha256(repr((sorted(lexicon.stopwords), lexicon.synonyms)).encode("utf-8"))
        self.stopwords = lexicon.stopwords
        self.synonyms = lexicon.synonyms
        # Content words of each synonym, tokenised once; cleared whenever jieba learns a word.
        self._synonym_words: dict[str, list[str]] = {}
        # Each word's information, once computed (see information).
        self._information: dict[str, float] = {}
        # The last texts analysed, with their words (see analyse); cleared whenever jieba learns a word.
        self._analysed: dict[str, tuple[list[str], list[str]]] = {}
        for word, freq in lexicon.user_words:
            self._add_word(word, freq)
        self.add_phrases(phrases)
        for key in self.synonyms:
            if len(key) > 1:
                self._add_word(key, PHRASE_FREQ // 5)

    def _add_word(self, word: str, freq: int) -> None:
        if word not in self._general:
            self._general[word] = self._jieba.FREQ.get(word, 0)
        self._jieba.add_word(word, freq)
        self._state.update(f"{word}\t{freq}\n".encode("utf-8"))
        self._synonym_words.clear()
        self._analysed.clear()

    def fingerprint(self) -> str:
        """Return a key over everything that decides how this tokeniser cuts text."""
        return key_of(_dictionary_key(), self._state.hexdigest())

    def add_phrases(self, phrases: Iterable[str]) -> None:
        """Teach jieba short catalogue terms (aliases up to MAX_DICT_PHRASE characters) as whole words."""
        for phrase in phrases:
            word = normalise(phrase).replace(" ", "")
            if 1 < len(word) <= MAX_DICT_PHRASE:
                self._add_word(word, PHRASE_FREQ)

    def analyse(self, text: str) -> tuple[list[str], list[str]]:
        """Return (content words, their dictionary sub-words) of text.

        Sub-words are what jieba's search mode adds (托举 inside 青年人才托举工程) and let a partial
        mention match; they are scored in a separate, lighter field. They are derived from the one cut
        exactly as jieba's cut_for_search derives them, instead of cutting the text a second time. The
        last few texts' results are remembered: one question is read by the index, the examples and the
        policy passages alike (forgotten whenever jieba learns a word).
        """
        key = normalise(text)  # what is analysed: texts that normalise alike are read alike
        found = self._analysed.get(key)
        if found is None:
            if len(self._analysed) >= ANALYSED_TEXTS:
                self._analysed.clear()
            found = self._analysed[key] = self._analyse(text)
        return list(found[0]), list(found[1])

    def _analyse(self, text: str) -> tuple[list[str], list[str]]:
        freq = self._jieba.FREQ
        stop = self.stopwords
        # HMM off: jieba's guessing of unknown words glues neighbours into words no document has (成立科协,
        # 那女, 要交); every word the catalogue needs is in the dictionary or the project's user words.
        cut = list(self._jieba.cut(normalise(text), HMM=False))
        words = [t for t in cut if _has_alnum(t)]
        content = [t for t in words if t not in stop]
        whole = set(words)
        parts: list[str] = []
        for w in cut:
            n = len(w)
            if n > 2:
                for i in range(n - 1):
                    g = w[i:i + 2]
                    if freq.get(g):
                        parts.append(g)
                if n > 3:
                    for i in range(n - 2):
                        g = w[i:i + 3]
                        if freq.get(g):
                            parts.append(g)
        parts = [t for t in parts if t not in whole and t not in stop and _has_alnum(t)]
        return content, parts

    def cut(self, text: str) -> list[str]:
        """Return jieba's words of already normalised text, every character kept (spaces included)."""
        return list(self._jieba.cut(text, HMM=False))

    def is_common(self, word: str, information: float = 12.0) -> bool:
        """Return True for a word of everyday Chinese (jieba knows it and it is frequent)."""
        return self.information(word) < information

    def information(self, token: str) -> float:
        """Return how much a word says in general Chinese, from jieba's frequencies (rare says more)."""
        found = self._information.get(token)
        if found is None:
            # A word jieba learns keeps its general frequency (_general): the value never changes.
            general = self._general.get(token)
            if general is None:
                general = self._jieba.FREQ.get(token, 0)
            if len(self._information) >= 100_000:
                self._information.clear()
            found = self._information[token] = math.log((self._general_total + 1) / (general + 1))
        return found

    def synonym_words(self, synonym: str) -> list[str]:
        """Return the content words of a synonym (tokenised once, until jieba learns a new word)."""
        words = self._synonym_words.get(synonym)
        if words is None:
            words = self._synonym_words[synonym] = self.analyse(synonym)[0]
        return words

    def expand(self, tokens: list[str], weight: float) -> list[tuple[str, float]]:
        """Return (token, weight) pairs: the tokens at 1.0 plus their synonyms at `weight`."""
        out: dict[str, float] = {}
        for t in tokens:
            out[t] = 1.0
        for t in tokens:
            for syn in self.synonyms.get(t, ()):
                for s in self.synonym_words(syn):
                    if s not in out:
                        out[s] = weight
        return list(out.items())


def _has_alnum(token: str) -> bool:
    # Most tokens are all letters or digits: one call decides them without a loop over characters.
    return token.isalnum() or any(map(str.isalnum, token))


def _dictionary_key() -> str:
    # The dictionary belongs to the jieba release; its size guards against an edited dict.txt.
    size = (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).stat().st_size
    return key_of("jieba dictionary", str(_DICTIONARY_FORMAT), jieba.__version__, str(size), sys.version)


def load_dictionary(tok: jieba.Tokenizer, cache_dir: str | Path | None = None) -> None:
    """Initialise a jieba tokeniser with its default dictionary, through a cache file in cache_dir.

    jieba's own cache is one file in the shared temporary directory, read with marshal.load on a file
    object (slow); this one lives in the caller's directory (or a per-user one when None), is read in
    slices, and is rebuilt when stale or corrupt.
    """
    directory = private_dir(cache_dir)
    path = directory / DICTIONARY_CACHE if directory else None
    key = _dictionary_key()
    records = read_cache_records(path, key) if path else None
    if records is not None:
        try:
            tok.FREQ, tok.total = _read_dictionary(records)
            tok.initialized = True
            return
        except (ValueError, EOFError, TypeError, IndexError) as exc:
            log.warning("jieba dictionary cache %s does not hold a dictionary (%s); rebuilding it", path, exc)
    freq, total = tok.gen_pfdict(tok.get_dict_file())
    # Equal frequencies share one int object (about 10 MiB less).
    shared: dict[int, int] = {}
    for w, f in freq.items():
        freq[w] = shared.setdefault(f, f)
    tok.FREQ, tok.total = freq, total
    tok.initialized = True
    if path:
        write_cache_records(path, key, _dictionary_records(tok.FREQ, tok.total))


# Bumped whenever the layout of the dictionary cache changes.
_DICTIONARY_FORMAT = 2
# Words per record of the dictionary cache: small enough that no record costs much memory while read.
_SLICE = 50_000


def _dictionary_records(freq: dict[str, int], total: int) -> Iterator[bytes]:
    """Yield the dictionary as records: (total, distinct frequencies), then (words, frequency numbers)."""
    values = sorted(set(freq.values()))
    number = {v: n for n, v in enumerate(values)}
    yield marshal.dumps((total, values))
    items = iter(freq.items())
    while part := list(islice(items, _SLICE)):
        # jieba's words never contain a newline (its dictionary is one word per line).
        yield marshal.dumps(("\n".join(w for w, _ in part), array("I", [number[f] for _, f in part]).tobytes()))


def _read_dictionary(records: Iterator[bytes]) -> tuple[dict[str, int], int]:
    """Return (frequencies, total) from the records of _dictionary_records."""
    total, values = marshal.loads(next(records))
    if not isinstance(total, int) or not isinstance(values, list):
        raise ValueError("no header record")
    freq: dict[str, int] = {}
    for record in records:
        words, numbers = marshal.loads(record)
        ns = array("I")
        ns.frombytes(numbers)
        keys = words.split("\n")
        if len(keys) != len(ns):
            raise ValueError("words and frequencies differ in number")
        freq.update(zip(keys, map(values.__getitem__, ns)))
    if not freq:
        raise ValueError("no words")
    return freq, total
