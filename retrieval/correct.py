"""Typo and homophone correction over the catalogue's own vocabulary, keyed by toneless pinyin.

People type Chinese with pinyin input methods, so their mistakes are mostly homophones (青拖 for 青托,
科普大史 for 科普大使), a dropped or swapped character (院士作站), or pinyin typed as letters (qingtuo,
kpds). The corrector knows only the domain vocabulary — titles, aliases, dictionary terms, society names,
staff-taught aliases and terms — and proposes rewrites of windows of the question that sound like one of
those terms. It is guarded: the search calls it only when the question as typed is not answered, it
rewrites only windows on word boundaries, never a common one- or two-character word, and the search keeps
the reading (as typed or rewritten) whose best answer the model finds likeliest, saying so when it is a
rewrite (已按“青托”理解).

Its index (every term's readings, with one syllable dropped or two swapped, spelled out and as initials)
is built at start, or read from the start-up cache (`CorrectorIndex.cached`), together with the readings
of every Chinese character: a process with its caches in place never imports pypinyin. pypinyin is
imported to build them, with its phrase dictionary off (PYPINYIN_NO_PHRASES): the single characters'
readings (all of them, for 多音字) are what matching needs, and the phrase dictionary would cost about
45 MiB more. A searcher with taught terms extends the shared index with them (`CorrectorIndex.extended`).
"""

from __future__ import annotations

import itertools
import logging
import marshal
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .cache import code_version, key_of, private_dir, read_cache, write_cache

log = logging.getLogger(__name__)

# Pinyin input methods blur these: z/zh, c/ch, s/sh, an/ang, en/eng, in/ing; the corrector does too.
_FUZZY = ((re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
          (re.compile(r"ang$"), "an"), (re.compile(r"eng$"), "en"), (re.compile(r"ing$"), "in"))
# Longest text the corrector reads (of a normalised question): its work grows with the text, and a typo in a long
# message is read well enough from the words around it.
MAX_CORRECTED = 120
# Windows longer than this many characters are not tried (the longest title is about 30); pinyin typed
# as letters is longer than the characters it stands for.
MAX_WINDOW = 16
MAX_LATIN_WINDOW = 48
# A window spans at most this many words (spaces between typed syllables do not count).
MAX_WORDS = 6
# Windows whose candidates are remembered (see Corrector._candidates).
WINDOWS_REMEMBERED = 512
# At most this many readings combinations of one term or window are indexed (多音字 multiply them).
MAX_READINGS = 8
_LATIN = re.compile(r"^[a-z]+$")
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]{3,}")
# The characters _HAN matches: their readings are computed once and cached with the index.
_HAN_RANGE = range(0x3400, 0x9FFF + 1)
# File names of the corrector's index and of the characters' readings inside the cache directory.
CORRECTOR_CACHE = "corrector-index.cache"
READINGS_CACHE = "pinyin-readings.cache"
_CACHE_FORMAT = 1


@lru_cache(maxsize=None)
def _pinyin_module() -> Any:
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    import pypinyin

    return pypinyin


# The fuzzy readings of every character of _HAN_RANGE, once loaded (read_readings); None until then.
_READINGS: dict[str, tuple[str, ...]] | None = None


def readings(ch: str) -> tuple[str, ...]:
    """Return the fuzzy toneless readings of one Chinese character (several for 多音字); () for others."""
    if _READINGS is not None:
        return _READINGS.get(ch, ())
    return _pinyin_readings(ch)


@lru_cache(maxsize=20_000)
def _pinyin_readings(ch: str) -> tuple[str, ...]:
    if not _HAN.match(ch):
        return ()
    p = _pinyin_module()
    found = p.pinyin(ch, style=p.Style.NORMAL, heteronym=True, errors="ignore")
    out = []
    for r in (found[0] if found else ()):
        for pattern, repl in _FUZZY:
            r = pattern.sub(repl, r)
        if r and r not in out:
            out.append(r)
    return tuple(out)


def load_readings(cache_dir: str | Path | None) -> None:
    """Make `readings` a table lookup: every character's readings, read from cache_dir or, when None, the
    per-user cache directory (computed with pypinyin and written there when missing, stale or unusable)."""
    global _READINGS
    if _READINGS is not None:
        return
    directory = private_dir(cache_dir)  # None: the per-user cache directory (the readings belong to pypinyin)
    path = directory / READINGS_CACHE if directory is not None else None
    key = key_of(code_version(), str(_CACHE_FORMAT), "readings", _pinyin_version())
    payload = read_cache(path, key) if path is not None else None
    if payload is not None:
        try:
            table = marshal.loads(payload)
            if isinstance(table, dict) and len(table) > 20_000:
                _READINGS = table
                return
        except (ValueError, EOFError, TypeError):
            pass
        log.warning("pinyin readings cache %s does not hold the readings; rebuilding it", path)
    table = {ch: found for ch in map(chr, _HAN_RANGE) if (found := _pinyin_readings(ch))}
    if path is not None:
        write_cache(path, key, marshal.dumps(table))
    _READINGS = table


def _pinyin_version() -> str:
    """Return pypinyin's version (from its package metadata: importing it is what the cache saves)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pypinyin")
    except PackageNotFoundError:
        return "unknown"


def _keys(text: str) -> list[tuple[str, ...]]:
    """Return the syllable sequences a text may be read as (first MAX_READINGS combinations)."""
    options = [readings(ch) for ch in text]
    if not all(options):
        return []
    return [tuple(k) for k in itertools.islice(itertools.product(*options), MAX_READINGS)]


def _drops(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _swaps(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {key[:i] + (key[i + 1], key[i]) + key[i + 2:] for i in range(len(key) - 1) if key[i] != key[i + 1]}


@dataclass(frozen=True)
class Rewrite:
    """A proposed correction: the question rewritten, and which typed text became which term."""

    text: str
    changes: tuple[tuple[str, str], ...]
    cost: int


class CorrectorIndex:
    """The terms' readings, keyed for lookup: as they sound, with one syllable dropped or two swapped, spelled
    out in letters and as initials. Built once per vocabulary; never changed after it is built."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self.vocabulary: tuple[str, ...] = ()
        self.exact: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.dropped: dict[tuple[str, ...], set[str]] = defaultdict(set)   # a term with one syllable dropped
        self.swapped: dict[tuple[str, ...], set[str]] = defaultdict(set)   # two neighbours swapped
        self.spelled: dict[str, set[str]] = defaultdict(set)                # pinyin typed as letters
        self.initials: dict[str, set[str]] = defaultdict(set)               # initials typed (kpds)
        self._starts: frozenset[tuple[str, ...]] | None = None
        self._add(_terms(vocabulary))

    def starts(self) -> frozenset[tuple[str, ...]]:
        """Return the first two syllables of every term's readings (a window whose deletions start otherwise
        sounds like no term)."""
        if self._starts is None:
            self._starts = frozenset(key[:2] for key in self.exact)
        return self._starts

    def _add(self, terms: Iterable[str]) -> None:
        known = set(self.vocabulary)
        added = tuple(dict.fromkeys(t for t in terms if t not in known))
        self._starts = None
        self.vocabulary += added
        for term in added:
            for key in _keys(term):
                self.exact[key].add(term)
                if len(key) >= 5:
                    for d in _drops(key):
                        self.dropped[d].add(term)
                if len(key) >= 3:
                    for s in _swaps(key):
                        self.swapped[s].add(term)
            plain = [readings(ch) for ch in term]
            if all(plain):
                self.spelled["".join(_unfuzzy(ch) for ch in term)].add(term)
                if len(term) >= 3:
                    self.initials["".join(_unfuzzy(ch)[0] for ch in term)].add(term)

    def extended(self, vocabulary: Iterable[str]) -> CorrectorIndex:
        """Return the index of this vocabulary and more terms (taught ones); this one is unchanged."""
        known = set(self.vocabulary)
        extra = [t for t in _terms(vocabulary) if t not in known]
        if not extra:
            return self
        out = CorrectorIndex()
        out.vocabulary = self.vocabulary
        pairs: tuple[tuple[Any, Any], ...] = ((out.exact, self.exact), (out.dropped, self.dropped),
                                              (out.swapped, self.swapped), (out.spelled, self.spelled),
                                              (out.initials, self.initials))
        for mine, theirs in pairs:
            mine.update({k: set(v) for k, v in theirs.items()})
        out._add(extra)
        return out

    def _dump(self) -> bytes:
        return marshal.dumps((self.vocabulary, *(dict(t) for t in (self.exact, self.dropped, self.swapped,
                                                                    self.spelled, self.initials))))

    @classmethod
    def cached(cls, vocabulary: Iterable[str], cache_dir: str | Path | None) -> CorrectorIndex:
        """Return the index of a vocabulary, read from cache_dir when it was built from the same one (else built
        and written there); the characters' readings are loaded from there first."""
        load_readings(cache_dir)
        terms = _terms(vocabulary)
        directory = private_dir(cache_dir) if cache_dir is not None else None
        if directory is None:
            return cls(terms)
        path = directory / CORRECTOR_CACHE
        key = key_of(code_version(), str(_CACHE_FORMAT), _pinyin_version(), "\n".join(terms))
        payload = read_cache(path, key)
        if payload is not None:
            try:
                vocab, *tables = marshal.loads(payload)
                if vocab == terms and len(tables) == 5 and all(isinstance(t, dict) for t in tables):
                    index = cls()
                    index.vocabulary = vocab
                    mine: Any
                    for mine, table in zip((index.exact, index.dropped, index.swapped, index.spelled,
                                            index.initials), tables):
                        mine.update(table)
                    return index
            except (ValueError, EOFError, TypeError):
                pass
            log.warning("corrector index cache %s does not hold an index; rebuilding it", path)
        index = cls(terms)
        write_cache(path, key, index._dump())
        return index


def _terms(vocabulary: Iterable[str]) -> tuple[str, ...]:
    """Return the distinct Chinese terms of two characters or more of a vocabulary, in order; a name in two scripts
    (PLUS培育计划) is corrected by its Chinese part: PLUS陪育计划 → PLUS培育计划."""
    terms = [part for v in vocabulary for part in ([v] if _HAN.match(v) else _HAN_RUN.findall(v))]
    return tuple(dict.fromkeys(v for v in terms if len(v) >= 2 and _HAN.match(v)))


class Corrector:
    """Propose rewrites of a question towards the domain vocabulary."""

    def __init__(self, vocabulary: Iterable[str], is_common: Callable[[str], bool],
                 cut: Callable[[str], list[str]], quiet: Iterable[str] = (),
                 known: Callable[[str], bool] | None = None, index: CorrectorIndex | None = None) -> None:
        # The shared index when it was built for this very vocabulary; with taught terms, it extended.
        vocabulary = tuple(vocabulary)
        self.index = index.extended(vocabulary) if index is not None else CorrectorIndex(vocabulary)
        self.vocabulary = self.index.vocabulary
        self._is_common = is_common
        self._cut = cut
        # Words the catalogue itself uses: a window made of them only is no typo of a catalogue term.
        self._known = known or (lambda word: False)
        # Function characters and filler words: a window never starts or ends with one (的学会 is not 土地学会).
        self._quiet = frozenset(quiet)
        self._windows: dict[str, list[tuple[str, int]]] = {}

    def _candidates(self, window: str) -> list[tuple[str, int]]:
        """Return (term, cost) for a window of the question: 0 sounds the same, 1 one syllable off (remembered for
        the last windows read: a message is read again as a follow-up)."""
        found = self._windows.get(window)
        if found is None:
            if len(self._windows) >= WINDOWS_REMEMBERED:
                self._windows.clear()
            found = self._windows[window] = self._lookup(window)
        return found

    def _lookup(self, window: str) -> list[tuple[str, int]]:
        ix = self.index
        if _LATIN.match(window):
            found = [(t, 0) for t in ix.spelled.get(window, ())]
            if not found and len(window) >= 3:
                found = [(t, 1) for t in ix.initials.get(window, ())]
            return sorted(found, key=lambda tc: tc[0])
        out: dict[str, int] = {}
        starts = ix.starts()
        for key in _keys(window):
            for t in ix.exact.get(key, ()):
                out[t] = 0
            if len(key) >= 5:
                # The window has one syllable too many. A term's reading starts with the first two syllables left:
                # (k0, k1) when a later one is dropped, (k1, k2) or (k0, k2) when the first or the second is.
                drops = [key[:i] + key[i + 1:] for i in range(2, len(key))] if key[:2] in starts else []
                drops += [key[1:]] if key[1:3] in starts else []
                drops += [key[:1] + key[2:]] if (key[0], key[2]) in starts else []
                for d in drops:
                    for t in ix.exact.get(d, ()):
                        out.setdefault(t, 1)
            if len(key) >= 4:
                for t in ix.dropped.get(key, ()):  # … or one too few
                    out.setdefault(t, 1)
            if len(key) >= 3:
                for t in ix.swapped.get(key, ()):  # … or two swapped
                    out.setdefault(t, 1)
        # Ties are ordered by the term itself, not by where a set happened to keep it.
        return sorted(((t, c) for t, c in out.items() if t != window), key=lambda tc: (tc[1], -len(tc[0]), tc[0]))

    def rewrites(self, text: str, limit: int = 4) -> list[Rewrite]:
        """Return the most promising rewrites of a (normalised) question, best first (its first MAX_CORRECTED
        characters are read)."""
        text = text[:MAX_CORRECTED]
        tokens = [t for t in self._cut(text) if t]
        spans: list[tuple[int, int, str]] = []
        pos = 0
        for t in tokens:
            spans.append((pos, pos + len(t), t))
            pos += len(t)
        proposals: list[tuple[int, int, int, str, str]] = []
        # Where a typo can be: a word the catalogue does not use, or a lone character (将 for 奖).
        strange = [not self._known(t) or (len(t) == 1 and t not in self._quiet) for t in tokens]
        if not any(strange):
            return []
        latin_runs: list[tuple[int, int, str, str]] = []  # pinyin windows, for the whole-question rewrite
        for a in range(len(spans)):
            words = 0
            for b in range(a + 1, len(spans) + 1):
                words += not spans[b - 1][2].isspace()
                if words > MAX_WORDS:
                    break
                start, end = spans[a][0], spans[b - 1][1]
                window = text[start:end]
                inner = [t for _, _, t in spans[a:b]]
                # A function character may not start or end a window (的学会 is not 土地学会) — unless jieba
                # could make no word of it at all (创焦会: 创, 焦, 会 — a typo of 创交会).
                unsegmented = b - a >= 3 and all(len(t) == 1 for t in inner)
                if ((inner[0] in self._quiet or inner[-1] in self._quiet) and not unsegmented) or not any(strange[a:b]):
                    continue
                latin = window.replace(" ", "")
                longest = MAX_LATIN_WINDOW if _LATIN.match(latin) else MAX_WINDOW
                if window.strip() != window or len(window) > longest or len(window) < 2:
                    continue
                if _LATIN.match(latin):
                    window_key = latin
                elif _HAN.match(window):
                    # Never rewrite a common one- or two-character word standing alone (申报, 条件, 工作), nor
                    # a window of everyday words: a typo shows as a word jieba does not know, or a stray character.
                    if b - a == 1 and len(window) <= 2 and self._is_common(window):
                        continue
                    if not any(len(t) == 1 or not self._is_common(t) for t in inner):
                        continue
                    window_key = window
                else:
                    continue
                for n, (term, cost) in enumerate(self._candidates(window_key)[:3]):
                    if term in window or window in term:
                        # 院士专家讲 → 院士专家 corrects nothing (the term is there as typed), and 科学家奖 →
                        # 女科学家奖 is not a typo but another name: only a changed or lost character is one.
                        continue
                    proposals.append((cost, -(end - start), start, window, term))
                    if n == 0 and window_key is latin:
                        latin_runs.append((start, end, window, term))
        proposals.sort()
        out: list[Rewrite] = []
        seen: set[str] = set()
        whole = _cover(text, latin_runs)
        if whole is not None:  # minying qiye zhicheng → 民营企业职称: every pinyin run read at once
            seen.add(whole.text)
            out.append(whole)
        for cost, _, start, window, term in proposals:
            new = text[:start] + term + text[start + len(window):]
            if new not in seen:
                seen.add(new)
                out.append(Rewrite(new, ((window, term),), cost))
            if len(out) >= limit:
                break
        return out


def _cover(text: str, runs: list[tuple[int, int, str, str]]) -> Rewrite | None:
    """Return the rewrite that reads every pinyin run of a question at once (longest windows first), when
    there are two or more; None otherwise."""
    chosen: list[tuple[int, int, str, str]] = []
    for run in sorted(runs, key=lambda r: (-(r[1] - r[0]), r[0])):
        if all(run[1] <= c[0] or run[0] >= c[1] for c in chosen):
            chosen.append(run)
    if len(chosen) < 2:
        return None
    out, pos = [], 0
    for start, end, _, term in sorted(chosen):
        out += [text[pos:start], term]
        pos = end
    out.append(text[pos:])
    return Rewrite("".join(out), tuple((w, t) for _, _, w, t in sorted(chosen)), 0)


@lru_cache(maxsize=20_000)
def _unfuzzy(ch: str) -> str:
    """Return a character's most common toneless reading, spelled as typed (zh, ang kept)."""
    p = _pinyin_module()
    found = p.pinyin(ch, style=p.Style.NORMAL, errors="ignore")
    return found[0][0] if found and found[0] else ""
