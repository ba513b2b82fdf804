"""The search vocabulary of data/lexicon: every file read by one schema-driven loader.

Each YAML file has a schema (a msgspec Struct or a mapping type below) in the table `SCHEMAS`; each text file is
a list of words (jieba's user dictionary: word, frequency). A file that does not fit its schema stops the start
with one line naming the file, the entry and the field. Every Chinese word or pattern the readings use lives in
these files, never in code (patterns.yaml holds the regular expressions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from .loader import DATA_DIR, CatalogueError, read_yaml
from .text import normalise

INTENTS: tuple[str, ...] = ("contact", "conditions", "cycle", "how_to_apply", "what")

Words = tuple[str, ...]


class _Schema(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A lexicon file's shape (unknown keys are errors)."""


class Intents(_Schema, frozen=True):
    """intents.yaml: what a question asks about a service, in card order."""

    contact: Words = ()
    conditions: Words = ()
    cycle: Words = ()
    how_to_apply: Words = ()
    what: Words = ()


class OutOfScopeWords(_Schema, frozen=True):
    """out_of_scope.yaml: topics, other regions, levels of government, programme endings, other agencies."""

    topics: Words = ()
    regions: Words = ()
    region_orgs: Words = ()
    national: Words = ()
    local: Words = ()
    programme_ends: Words = ()
    programme_not_before: Words = ()
    agencies: Words = ()


class Chitchat(_Schema, frozen=True):
    """chitchat.yaml: small-talk phrases, and which of them thank or say goodbye."""

    phrases: Words
    thanks: Words = ()
    bye: Words = ()


class FollowUp(_Schema, frozen=True):
    """followup.yaml: asking for more like the last answer, the 那…呢 marks, and the turn model's marks."""

    related: Words
    sibling_start: Words
    sibling_end: Words
    pronoun: Words = ()
    back: Words = ()
    compare: Words = ()
    correct: Words = ()


class Profile(_Schema, frozen=True):
    """profile.yaml: words of a self-description, of asking what fits, and the finder tags they point to."""

    me: Words = msgspec.field(name="self")
    asks: Words = ()
    audience: dict[str, Words] = {}
    need: dict[str, Words] = {}


class AspectWords(_Schema, frozen=True):
    """One aspect of aspects.yaml."""

    asks: Words
    cues: Words
    missing: str
    answers: Words = ()
    labels: bool = False


class PolicyWords(_Schema, frozen=True):
    """policy.yaml: asking for a figure, who leads, how things stand now."""

    number: Words
    lead: Words
    now: Words = ()


class Patterns(_Schema, frozen=True):
    """patterns.yaml: the regular expressions and small word lists the readings use."""

    aspect_merge: str
    nationality: str
    candidates: str
    self_description: str
    society_cues: Words
    society_listing: str
    society_national: str
    society_suffix: str
    city_prefix: str
    discipline_tails: Words
    short_name: str
    number_token: str
    year: str
    counted: str
    asks_year: str
    date: str
    counted_number: str
    societies_list_names: Words
    societies_summary: str
    organisation_extra_names: Words
    contact_words: Words
    rules_cues: Words


PATTERN_FIELDS = ("aspect_merge", "nationality", "candidates", "self_description", "society_listing",
                  "society_national", "society_suffix", "city_prefix", "short_name", "number_token", "year",
                  "counted", "asks_year", "date", "counted_number")

SCHEMAS: dict[str, Any] = {
    "synonyms.yaml": dict[str, Words],
    "intents.yaml": Intents,
    "out_of_scope.yaml": OutOfScopeWords,
    "chitchat.yaml": Chitchat,
    "followup.yaml": FollowUp,
    "profile.yaml": Profile,
    "disciplines.yaml": dict[str, Words],
    "aspects.yaml": dict[str, AspectWords],
    "policy.yaml": PolicyWords,
    "patterns.yaml": Patterns,
}
TEXT_FILES = ("userdict.txt", "stopwords.txt", "function_chars.txt", "aspect_words.txt", "organisation_words.txt",
              "english_stopwords.txt")


@dataclass(frozen=True)
class Lexicon:
    """Words the tokeniser and the readings use, from data/lexicon."""

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
    # English words that say nothing about which service an English question is about.
    english_stopwords: frozenset[str] = frozenset()
    # Words that ask about 天津市科协 or 中国科协 themselves (their history, leaders, structure).
    organisation_words: frozenset[str] = frozenset()
    # Words that place a programme at the national or at the local (Tianjin) level.
    national: tuple[str, ...] = ()
    local: tuple[str, ...] = ()
    # Endings of a programme's name (工程, 计划, 基金) and the characters that make them another word (工程师).
    programme_ends: tuple[str, ...] = ()
    programme_not_before: str = ""
    # Other government bodies: a question that names one the best answer's text never mentions asks about theirs.
    agencies: tuple[str, ...] = ()
    followup: FollowUp = FollowUp((), (), ())
    profile: Profile | None = None
    disciplines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aspects: dict[str, AspectWords] = field(default_factory=dict)
    policy: PolicyWords = PolicyWords((), ())
    patterns: Patterns | None = None
    compiled: dict[str, re.Pattern[str]] = field(default_factory=dict)

    @property
    def city(self) -> str:
        """Return the city's own name: the first of the local level's words (天津)."""
        return self.local[0] if self.local else ""

    def pattern(self, name: str) -> re.Pattern[str]:
        """Return one compiled pattern of patterns.yaml."""
        return self.compiled[name]


_PATH = re.compile(r"\$((?:\.[^.\[]+|\[\d+\])*)")


def _error(path: Path, exc: msgspec.ValidationError) -> CatalogueError:
    """Turn msgspec's message (… - at `$.topics[3]`) into one line naming file, entry and field."""
    message = str(exc)
    problem, _, where = message.partition(" - at ")
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", where.strip("`$"))
    names = [a or f"[{b}]" for a, b in parts]
    entry = names[0] if names else None
    rest = "".join(("." + n if not n.startswith("[") else n) for n in names[1:]).lstrip(".") or None
    return CatalogueError(path, entry, rest, problem)


def read_lexicon_file(path: Path, schema: Any) -> Any:
    """Read one YAML lexicon file and check it against its schema."""
    raw = read_yaml(path)
    try:
        return msgspec.convert(raw, schema)
    except msgspec.ValidationError as exc:
        raise _error(path, exc) from None


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(path, None, None, "file not found") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _norm(words: Words) -> tuple[str, ...]:
    return tuple(normalise(w) for w in words)


def _compile(path: Path, patterns: Patterns) -> dict[str, re.Pattern[str]]:
    out = {}
    for name in PATTERN_FIELDS:
        try:
            out[name] = re.compile(getattr(patterns, name))
        except re.error as exc:
            raise CatalogueError(path, name, None, f"not a regular expression ({exc})") from None
    return out


def load_lexicon(data_dir: str | Path | None = None) -> Lexicon:
    """Load and validate every file of data/lexicon."""
    root = (Path(data_dir) if data_dir else DATA_DIR) / "lexicon"
    files = {name: read_lexicon_file(root / name, schema) for name, schema in SCHEMAS.items()}
    user_words = []
    for n, line in enumerate(_lines(root / "userdict.txt"), 1):
        parts = line.split()
        if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
            raise CatalogueError(root / "userdict.txt", f"line {n}", None,
                                 f"expected 'word [frequency] [tag]', got {line!r}")
        user_words.append((normalise(parts[0]), int(parts[1]) if len(parts) > 1 else 1000))
    text = {name: frozenset(normalise(w) for line in _lines(root / name) for w in line.split())
            for name in TEXT_FILES if name != "userdict.txt"}
    oos: OutOfScopeWords = files["out_of_scope.yaml"]
    chat: Chitchat = files["chitchat.yaml"]
    intents: Intents = files["intents.yaml"]
    patterns: Patterns = files["patterns.yaml"]
    followup: FollowUp = files["followup.yaml"]
    return Lexicon(
        user_words=tuple(user_words),
        stopwords=text["stopwords.txt"],
        synonyms={normalise(k): _norm(v) for k, v in files["synonyms.yaml"].items()},
        intents={name: _norm(getattr(intents, name)) for name in INTENTS},
        oos_topics=_norm(oos.topics), regions=_norm(oos.regions), region_orgs=_norm(oos.region_orgs),
        chitchat=_norm(chat.phrases), thanks=_norm(chat.thanks), bye=_norm(chat.bye),
        function_chars=text["function_chars.txt"], aspect_words=text["aspect_words.txt"],
        english_stopwords=text["english_stopwords.txt"], organisation_words=text["organisation_words.txt"],
        national=_norm(oos.national), local=_norm(oos.local), programme_ends=_norm(oos.programme_ends),
        programme_not_before="".join(_norm(oos.programme_not_before)),
        agencies=tuple(sorted(_norm(oos.agencies), key=len, reverse=True)),
        followup=FollowUp(*(tuple(normalise(w).replace(" ", "") for w in getattr(followup, k))
                            for k in ("related", "sibling_start", "sibling_end", "pronoun", "back", "compare",
                                      "correct"))),
        profile=files["profile.yaml"], disciplines=files["disciplines.yaml"], aspects=files["aspects.yaml"],
        policy=files["policy.yaml"], patterns=patterns, compiled=_compile(root / "patterns.yaml", patterns),
    )
