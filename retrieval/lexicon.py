"""Load the search vocabulary kept in data/lexicon: user dictionary, stop words, synonyms, intents, topics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import DATA_DIR, CatalogueError, read_yaml
from .text import normalise

INTENTS: tuple[str, ...] = ("contact", "conditions", "cycle", "how_to_apply", "what")


@dataclass(frozen=True)
class Lexicon:
    """Words the tokeniser and the answer decision read from data/lexicon."""

    user_words: tuple[tuple[str, int], ...]
    stopwords: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]
    intents: dict[str, tuple[str, ...]]
    oos_topics: tuple[str, ...]
    regions: tuple[str, ...]
    region_orgs: tuple[str, ...]
    chitchat: tuple[str, ...]
    thanks: tuple[str, ...] = ()
    bye: tuple[str, ...] = ()
    # Single characters and words that never explain what a question is about (see the data files).
    function_chars: frozenset[str] = frozenset()
    aspect_words: frozenset[str] = frozenset()
    # (topic, question) examples of what the catalogue does not answer (kept in data/examples/ now; staff's
    # are added by the searcher).
    oos_examples: tuple[tuple[str, str], ...] = ()
    # English words that say nothing about which service an English question is about.
    english_stopwords: frozenset[str] = frozenset()
    # Words that ask about 天津市科协 or 中国科协 themselves (their history, leaders, structure).
    organisation_words: frozenset[str] = frozenset()
    # Words that place a programme at the national or at the local (Tianjin) level.
    national: tuple[str, ...] = ()
    local: tuple[str, ...] = ()

    @property
    def city(self) -> str:
        """Return the city's own name: the first of the local level's words (天津)."""
        return self.local[0] if self.local else ""
    # Endings of a programme's name (工程, 计划, 基金) and the characters that make them another word (工程师).
    programme_ends: tuple[str, ...] = ()
    programme_not_before: str = ""
    # Other government bodies: a question that names one the best answer's text never mentions asks about theirs.
    agencies: tuple[str, ...] = ()


def _yaml(path: Path) -> Any:
    return read_yaml(path)


def _words(path: Path, data: Any, field: str) -> tuple[str, ...]:
    if not isinstance(data, list) or not all(isinstance(w, str) and w.strip() for w in data):
        raise CatalogueError(path, None, field, "expected a list of words")
    return tuple(normalise(w) for w in data)


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(path, None, None, "file not found") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def load_lexicon(data_dir: str | Path | None = None) -> Lexicon:
    """Load and validate data/lexicon."""
    root = (Path(data_dir) if data_dir else DATA_DIR) / "lexicon"
    user_words = []
    for n, line in enumerate(_lines(root / "userdict.txt"), 1):
        parts = line.split()
        if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
            raise CatalogueError(root / "userdict.txt", None, f"line {n}", f"expected 'word [frequency] [tag]', got {line!r}")
        user_words.append((normalise(parts[0]), int(parts[1]) if len(parts) > 1 else 1000))
    stopwords = frozenset(normalise(w) for w in _lines(root / "stopwords.txt"))

    syn_path = root / "synonyms.yaml"
    raw = _yaml(syn_path)
    if not isinstance(raw, dict):
        raise CatalogueError(syn_path, None, None, "expected a mapping of word: [words]")
    synonyms = {normalise(str(k)): _words(syn_path, v, str(k)) for k, v in raw.items()}

    int_path = root / "intents.yaml"
    raw = _yaml(int_path)
    if not isinstance(raw, dict):
        raise CatalogueError(int_path, None, None, "expected a mapping of intent: [words]")
    unknown = sorted(set(raw) - set(INTENTS))
    if unknown:
        raise CatalogueError(int_path, None, unknown[0], f"unknown intent (known: {', '.join(INTENTS)})")
    intents = {name: _words(int_path, raw.get(name) or [], name) for name in INTENTS}

    oos_path = root / "out_of_scope.yaml"
    raw = _yaml(oos_path)
    if not isinstance(raw, dict) or set(raw) - {"topics", "regions", "region_orgs", "national", "local",
                                                "programme_ends", "programme_not_before", "agencies"}:
        raise CatalogueError(oos_path, None, None, "expected keys topics, regions, region_orgs, national, local, "
                                                   "programme_ends, programme_not_before, agencies")
    chat_path = root / "chitchat.yaml"
    chat = _yaml(chat_path)
    if not isinstance(chat, dict) or "phrases" not in chat or set(chat) - {"phrases", "thanks", "bye"}:
        raise CatalogueError(chat_path, None, None, "expected keys phrases (and thanks, bye)")
    return Lexicon(
        user_words=tuple(user_words),
        stopwords=stopwords,
        synonyms=synonyms,
        intents=intents,
        oos_topics=_words(oos_path, raw.get("topics") or [], "topics"),
        regions=_words(oos_path, raw.get("regions") or [], "regions"),
        region_orgs=_words(oos_path, raw.get("region_orgs") or [], "region_orgs"),
        chitchat=_words(chat_path, chat["phrases"], "phrases"),
        thanks=_words(chat_path, chat.get("thanks") or [], "thanks"),
        bye=_words(chat_path, chat.get("bye") or [], "bye"),
        function_chars=frozenset(normalise(w) for line in _lines(root / "function_chars.txt") for w in line.split()),
        aspect_words=frozenset(normalise(w) for line in _lines(root / "aspect_words.txt") for w in line.split()),
        english_stopwords=frozenset(w for line in _lines(root / "english_stopwords.txt") for w in line.split()),
        organisation_words=frozenset(normalise(w) for line in _lines(root / "organisation_words.txt")
                                     for w in line.split()),
        national=_words(oos_path, raw.get("national") or [], "national"),
        local=_words(oos_path, raw.get("local") or [], "local"),
        programme_ends=_words(oos_path, raw.get("programme_ends") or [], "programme_ends"),
        agencies=tuple(sorted(_words(oos_path, raw.get("agencies") or [], "agencies"), key=len, reverse=True)),
        programme_not_before="".join(_words(oos_path, raw.get("programme_not_before") or [], "programme_not_before")),
    )
