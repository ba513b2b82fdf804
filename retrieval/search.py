"""The public search API: build once from the catalogue, then search(question) → SearchResult.

A search ranks the catalogue (retrieval/index.py), lets a question about Tianjin's societies or about
天津市科协 / 中国科协 themselves lead with that answer, measures how much of the question the best answer
explains and how near it is to a known out-of-scope question (retrieval/evidence.py, outofscope.py), and
decides (retrieval/decide.py). A question that is not answered is tried again through the typo corrector
(retrieval/correct.py). What staff taught — aliases, terms, out-of-scope examples — is one `Taught` value;
a searcher with taught items is built from the base parts, which nothing ever changes.
"""

from __future__ import annotations

import re

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import RetrievalConfig, load_config
from .correct import Corrector
from .decide import (
    Decision,
    Features,
    chitchat_only,
    decide,
    detect_intents,
    level_conflict,
    levels,
    programme_share,
    strip_levels,
    other_region,
    out_of_scope_topic,
)
from .documents import build_docs
from .evidence import Evidence, Words, explain
from .index import Hit, Query, SearchIndex
from .lexicon import Lexicon, load_lexicon
from .loader import load_catalogue
from .model import Catalogue
from .aspects import Aspect, load_aspects
from .followup import FollowUpWords, load_followup
from .outofscope import OutOfScope
from .profile import ProfileWords, load_profile
from .societies import Societies, SocietyMatch, load_fields
from .text import compact, normalise
from .tokenize import Tokenizer

# Longest question text searched; the rest is ignored (Telegram allows 4096 characters).
MAX_QUESTION = 500
# A question whose last word is 科协 asks about 科协 organisations (天津一共有多少个街道乡镇科协).
_ENDS_KEXIE = re.compile(r"科协[吗呢么]?$")

# Shortest name that decides between close answers by itself (天津赛区 is a part of a name, not one).
PHRASE_LEAD = 5

# Questions about the societies list are short; a longer one naming a society is about something else.
SOCIETY_QUESTION = 24

# A programme the question names is the best service's when its names hold at least this share of its characters.
PROGRAMME_SHARE = 0.5

# Profile lists: how many ranked services to choose from, and what a fitting audience or need tag adds to a
# score scaled to the best one.
PROFILE_POOL = 30
PROFILE_AUDIENCE = 0.1
PROFILE_NEED = 0.3

# The shortest name, level words aside, that makes two services one programme at two levels (青年科技奖).
COUNTERPART_SHARED = 4


@dataclass(frozen=True)
class Taught:
    """What staff taught from review: aliases of services, terms (typed → meant), out-of-scope examples."""

    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    terms: tuple[tuple[str, str], ...] = ()
    out_of_scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mechanisms:
    """Which parts of understanding are on (calibration switches each off to measure what it adds)."""

    corrector: bool = True       # typo and homophone correction
    content_words: bool = True   # coverage on content words (off: every token counts)
    examples: bool = True        # out-of-scope examples
    topics: bool = True          # the hand-kept out-of-scope topic list


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits with scores, the decision, and what the user asked about."""

    question: str
    decision: Decision
    reason: str
    hits: tuple[Hit, ...]
    intents: tuple[str, ...]
    tokens: tuple[str, ...]
    coverage: float
    # Rewrites applied before searching (typed → meant), for a reply that says so: 已按“青托”理解.
    corrections: tuple[tuple[str, str], ...] = ()
    # The question's content words (what it is about, beyond 条件, 电话 and filler).
    content: tuple[str, ...] = ()
    societies: SocietyMatch = SocietyMatch()

    @property
    def best(self) -> Hit | None:
        """Return the top hit, or None."""
        return self.hits[0] if self.hits else None

    @property
    def answered(self) -> bool:
        """Return True when there is one clear answer."""
        return self.decision is Decision.ANSWERED


@dataclass(frozen=True)
class Parts:
    """What every searcher shares, built once at start and never changed."""

    catalogue: Catalogue
    lexicon: Lexicon
    tokenizer: Tokenizer
    config: RetrievalConfig
    index: SearchIndex
    out_of_scope: OutOfScope
    societies: Societies
    words: Words
    profile: ProfileWords
    aspects: tuple[Aspect, ...] = ()
    followup: FollowUpWords = FollowUpWords((), (), ())


class Searcher:
    """Catalogue search over shared parts, with what staff taught and the mechanisms switched on."""

    def __init__(self, parts: Parts, taught: Taught | None = None, mechanisms: Mechanisms | None = None) -> None:
        self.parts = parts
        self.taught = taught or Taught()
        self.mechanisms = mechanisms or Mechanisms()
        self.catalogue, self.lexicon, self.tokenizer = parts.catalogue, parts.lexicon, parts.tokenizer
        self.config, self.societies = parts.config, parts.societies
        self.learned: dict[str, tuple[str, ...]] = {
            sid: tuple(a for a in aliases if a.strip()) for sid, aliases in self.taught.aliases.items()
            if sid in self.catalogue.by_id and any(a.strip() for a in aliases)}
        self.index = parts.index.with_phrases(self.learned)
        self._exact = {compact(a): sid for sid, aliases in self.learned.items() for a in aliases if compact(a)}
        self._terms = sorted(((normalise(a), normalise(b)) for a, b in self.taught.terms if normalise(a)),
                             key=lambda ab: -len(ab[0]))
        self._taught_out = {compact(q) for q in self.taught.out_of_scope if compact(q)}
        self.words = parts.words if self.mechanisms.content_words else _AllWords(parts.words)
        self.out_of_scope = parts.out_of_scope.with_examples([("staff", q) for q in self.taught.out_of_scope])
        self.corrector = Corrector(self._vocabulary(), self.tokenizer.is_common, self.tokenizer.cut,
                                   quiet=self.lexicon.stopwords | self.lexicon.function_chars, known=self.index.knows)
        self._fields = tuple(w for words in self.societies.fields.values() for w in words)
        self._namings: dict[str, _Naming] = {}
        self._answer_text: dict[str, str] = {}
        for doc in self.index.docs:
            self._answer_text[doc.answer] = self._answer_text.get(doc.answer, "") + compact(doc.name + doc.body)

    @classmethod
    def build(cls, catalogue: Catalogue | None = None, data_dir: str | Path | None = None,
              config: RetrievalConfig | None = None, lexicon: Lexicon | None = None,
              cache_dir: str | Path | None = None) -> Searcher:
        """Load what is missing from data_dir and build the index.

        With cache_dir (the bot passes its database's directory) jieba's dictionary and the built indexes
        are kept there and reused while the data, settings, lexicon, jieba and this code are unchanged;
        without it the indexes are built every time and jieba's dictionary is cached per user.
        """
        catalogue = catalogue or load_catalogue(data_dir)
        lexicon = lexicon or load_lexicon(data_dir)
        config = config or load_config(data_dir)
        docs = build_docs(catalogue)
        tokenizer = Tokenizer(lexicon, [p for d in docs for p in d.phrases], cache_dir=cache_dir)
        return cls.assemble(catalogue, lexicon, tokenizer, config, cache_dir, data_dir)

    @classmethod
    def assemble(cls, catalogue: Catalogue, lexicon: Lexicon, tokenizer: Tokenizer, config: RetrievalConfig,
                 cache_dir: str | Path | None = None, data_dir: str | Path | None = None) -> Searcher:
        """Build the indexes (or read them from cache_dir) over a tokeniser built already."""
        words = Words(lexicon, tokenizer)
        parts = Parts(
            catalogue=catalogue, lexicon=lexicon, tokenizer=tokenizer, config=config,
            index=SearchIndex.cached(build_docs(catalogue), tokenizer, config, cache_dir),
            out_of_scope=OutOfScope(lexicon.oos_examples, tokenizer, config, words, cache_dir),
            societies=Societies(catalogue, load_fields(data_dir), tokenizer.cut), words=words,
            profile=load_profile(data_dir, catalogue.tags), aspects=load_aspects(data_dir),
            followup=load_followup(data_dir))
        return cls(parts)

    def with_taught(self, taught: Taught) -> Searcher:
        """Return a searcher with these taught items (built from the shared parts; this one is unchanged)."""
        return Searcher(self.parts, taught, self.mechanisms)

    def with_learned(self, learned: Mapping[str, Iterable[str]]) -> Searcher:
        """Return a searcher whose taught aliases are these {service id: [question, …]}."""
        return self.with_taught(replace(self.taught, aliases={k: tuple(v) for k, v in learned.items()}))

    def without(self, mechanism: str) -> Searcher:
        """Return a searcher with one mechanism switched off (corrector, content_words, examples, topics)."""
        return Searcher(self.parts, self.taught, replace(self.mechanisms, **{mechanism: False}))

    def with_config(self, config: RetrievalConfig) -> Searcher:
        """Return a searcher with other settings (thresholds only share the built indexes)."""
        return Searcher(replace(self.parts, config=config), self.taught, self.mechanisms)

    def _vocabulary(self) -> list[str]:
        """Return the terms a typo may be corrected to: names of everything the catalogue answers, and taught."""
        terms: list[str] = []
        for s in self.catalogue.services:
            terms += [s.title, *s.aliases]
        for doc in self.index.docs:
            terms += list(doc.phrases) + list(doc.cued_phrases)
        terms += [w for w, _ in self.lexicon.user_words]
        terms += [a for aliases in self.learned.values() for a in aliases]
        terms += [meant for _, meant in self.taught.terms]
        # What a follow-up asks (电话, 放宽): 电化 after a card is a typo of a question about it.
        terms += [w for words in self.lexicon.intents.values() for w in words]
        terms += [w for aspect in self.parts.aspects for w in aspect.asks]
        return [normalise(t).replace(" ", "") for t in terms]

    # -- searching -------------------------------------------------------------------------------

    def search(self, question: str) -> SearchResult:
        """Rank the catalogue for a question and decide how to answer it."""
        return self.features(question)[0]

    def features(self, question: str) -> tuple[SearchResult, Features]:
        """Return a search result and the features it was decided from (for calibration)."""
        question = question[:MAX_QUESTION]
        if self._taught_out and compact(question) in self._taught_out:
            result, f = self._features(question)
            return replace(result, decision=Decision.UNANSWERED, reason="out_of_scope"), f
        text, corrections = self._apply_terms(question)
        result, f = self._features(text)
        if corrections:
            result = replace(result, question=question, corrections=corrections)
        if result.decision is Decision.ANSWERED or result.reason == "chitchat" or not self.mechanisms.corrector:
            return result, f
        for again, g, changes in self.rewrites(text):
            if again.decision is Decision.ANSWERED or (
                    again.decision is Decision.SUGGEST and result.decision is Decision.UNANSWERED):
                return replace(again, question=question, corrections=corrections + changes), g
        return result, f

    def rewrites(self, text: str) -> list[tuple[SearchResult, Features, tuple[tuple[str, str], ...]]]:
        """Return the corrector's rewrites of a question, each searched (for the search and calibration)."""
        out = []
        for rewrite in self.corrector.rewrites(normalise(text)):
            result, f = self._features(rewrite.text)
            out.append((result, f, rewrite.changes))
        return out

    def explain(self, question: str, answer: str, words: tuple[str, ...] | None = None) -> Evidence:
        """Return how much of a question's content (or of `words`) one answer explains."""
        query = self.index.parse(question[:MAX_QUESTION])
        content = list(words) if words is not None else self.words.content(query.tokens)
        return explain(self.words, self.index, query, content, answer)

    def mentions(self, answer: str, words: Iterable[str]) -> float:
        """Return the share of the words an answer's text contains, as characters if not as words."""
        text, words = self._answer_text.get(answer, ""), list(words)
        return sum(w in text for w in words) / len(words) if text and words else 0.0

    def similar(self, service_id: str, limit: int = 6) -> list[str]:
        """Return the services whose texts are most like what one service is (its title and introduction)."""
        service = self.catalogue.service(service_id)
        if service is None:
            return []
        # Two readings, fused by rank: the title alone says what kind of thing it is (青年…人才), the title
        # with the introduction says what it does; either alone drifts to one shared word.
        fused: dict[str, float] = {}
        for text in (service.title, service.title + " " + service.introduction.plain()):
            hits = self.index.rank(self.index.parse(text[:MAX_QUESTION]), limit=limit + 4).hits
            ranked = [h.id for h in hits if h.id != service_id and h.id in self.catalogue.by_id]
            for n, sid in enumerate(ranked):
                fused[sid] = fused.get(sid, 0.0) + 1.0 / (3 + n)
        return sorted(fused, key=lambda sid: (-fused[sid], sid))[:limit]

    def counterpart(self, service_id: str, question: str) -> str | None:
        """Return the same programme at the other level a turn names (全国的那个 after Tianjin's 最美科技工作者).

        The turn starts with the level (after 那); the counterpart is of that level, the service is not only of
        it, and with level words taken out one of its names holds one of the service's whole (最美科技工作者).
        """
        service = self.catalogue.service(service_id)
        turn = compact(self.parts.followup.strip_marks(question))
        # The level is what the turn is about only when it leads (全国的那个…, 那全国总决赛呢); in 推荐到全国的有几个
        # it is where Tianjin's own programme sends people.
        lead = next((w for w in (*self.lexicon.national, *self.lexicon.local) if turn.startswith(w)), "")
        asked = levels(lead, self.lexicon)
        if service is None or len(asked) != 1 or self._naming(service.id).levels == asked:
            return None
        mine = self._naming(service.id).bare
        best, length = None, COUNTERPART_SHARED - 1
        for other in self.catalogue.services:
            if other.id == service.id or not asked <= self._naming(other.id).levels:
                continue
            for a in mine:
                for b in self._naming(other.id).bare:
                    if (a in b or b in a) and min(len(a), len(b)) > length:
                        best, length = other.id, min(len(a), len(b))
        return best

    def _naming(self, service_id: str) -> _Naming:
        """Return a service's names as the level and programme rules read them (computed once per service)."""
        found = self._namings.get(service_id)
        if found is None:
            s = self.catalogue.by_id[service_id]
            names = (s.title, *s.aliases)
            found = _Naming(names=tuple(normalise(n) for n in names),
                            bare=tuple(strip_levels(compact(n), self.lexicon) for n in names),
                            levels=levels(normalise(" ".join(names)), self.lexicon, name=True))
            self._namings[service_id] = found
        return found

    def best_documents(self, question: str, answer: str, limit: int = 2) -> list[str]:
        """Return the keys of an answer's documents that fit the question best (article:40 …)."""
        return [k for k, _ in self.index.rank_documents(self.index.parse(question[:MAX_QUESTION]), answer, limit)]

    def _apply_terms(self, question: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Apply taught terms (typed → meant) to a question; return the text to search and what changed."""
        if not self._terms:
            return question, ()
        text, done = normalise(question), []
        for typed, meant in self._terms:
            if typed in text and meant not in text:
                text = text.replace(typed, meant)
                done.append((typed, meant))
        return (text, tuple(done)) if done else (question, ())

    def _features(self, question: str) -> tuple[SearchResult, Features]:
        norm = normalise(question)
        intents = detect_intents(norm, self.lexicon)
        query = self.index.parse(question)
        content = self.words.content(query.tokens)
        learned = self._exact.get(compact(question))
        if learned:
            hit = Hit(id=learned, score=float("inf"), matched=tuple(query.tokens), phrase=compact(question))
            result = SearchResult(question, Decision.ANSWERED, "learned", (hit,), intents, tuple(query.tokens), 1.0,
                                  content=tuple(content))
            return result, Features(len(query.tokens), hit.score, 0.0, 1.0, float("inf"), hit.phrase, False, "",
                                    content=len(content))
        societies = self.societies.match(question)
        hits = self._society_first(self.index.rank(query).hits, societies, query)
        if not societies.found:
            hits = self._organisation_first(hits, query)
        top = hits[0] if hits else None
        topic = ""
        if self.mechanisms.topics and not (top and top.phrase):
            # Who the asker is (持外国人永久居留身份证) is not what they ask about: a profile question's topic
            # is read from the clauses that ask.
            asking = self.parts.profile.want(question) if self.parts.profile.is_profile(question) else question
            topic = out_of_scope_topic(normalise(asking), self.lexicon)
            if topic and top and topic in self._answer_text.get(top.id, ""):
                topic = ""  # 注销 is another agency's word, but the 通则 rule on it too: the evidence decides
        region = other_region(norm, self.lexicon)
        if region and top and region not in self._answer_text.get(top.id, ""):
            topic = topic or region
        evidence = explain(self.words, self.index, query, content, top.id, top.phrase) if top else Evidence()
        nearest = self.out_of_scope.nearest(query, content) if self.mechanisms.examples else None
        features = Features(
            tokens=len(query.tokens),
            top_score=top.score if top else 0.0,
            second_score=hits[1].score if len(hits) > 1 else 0.0,
            coverage=evidence.explained,
            information=evidence.information,
            phrase=top.phrase if top else "",
            chitchat=chitchat_only(norm, query.tokens, self.lexicon),
            out_of_scope=topic,
            evidence=evidence,
            oos=nearest.evidence if nearest else Evidence(),
            content=len(content),
            conflict=top is not None and top.id in self.catalogue.by_id and level_conflict(
                norm, normalise(self.catalogue.by_id[top.id].title), self.lexicon),
            appendix=top is not None and top.id not in self.catalogue.by_id,
            uncued=top is not None and self.index.uncued(top.key, query),
            characters=bool(content) and all(len(w) == 1 for w in content),
            phrase_lead=top is not None and self._phrase_leads(top, hits[1:3], norm),
            unnamed_programme=top is not None and top.id in self.catalogue.by_id and programme_share(
                norm, self._naming(top.id).names, self.lexicon, self._fields) < PROGRAMME_SHARE,
            other_agency=top is not None and any(
                g in query.compact and g not in self._answer_text.get(top.id, "") for g in self.lexicon.agencies),
            exact=top is not None and len(query.compact) >= 2 and top.phrase == query.compact
            and not any(h.phrase == query.compact for h in hits[1:]),
        )
        decision, reason = decide(features, self.config.thresholds)
        if top and top.id == "societies" and societies.found and len(query.compact) <= SOCIETY_QUESTION \
                and reason not in ("chitchat", "empty"):
            # The list answers any question about Tianjin's societies — including that none has that name.
            decision, reason = Decision.ANSWERED, "societies"
        elif top and reason not in ("chitchat", "out_of_scope", "empty") and self.parts.profile.is_profile(question) \
                and evidence.explained >= self.config.thresholds.min_coverage / 2:
            # Someone describing themselves and asking what fits: a short list, never one card, led by the
            # services whose finder tags fit who they are and what they want.
            decision, reason = Decision.SUGGEST, "profile"
            hits = self._fitting_first(hits, query, question)
        return SearchResult(question, decision, reason, tuple(hits), intents, tuple(query.tokens), evidence.explained,
                            content=tuple(content), societies=societies), features

    def _title(self, answer: str) -> str:
        s = self.catalogue.service(answer)
        return s.title if s is not None else ""

    def _phrase_leads(self, top: Hit, others: list[Hit], question: str) -> bool:
        """Return True when the best answer's name, found whole in the question, is no other close answer's:
        the runners-up match no name or only a part of it, and none of their names holds it (创新方法大赛 is in
        both 33's and 34's titles: the names do not decide) — unless the question's level rules that one out
        (全国总决赛: not 34, the Tianjin round)."""
        if len(top.phrase) < PHRASE_LEAD or not others:
            return False
        asked = levels(question, self.lexicon)
        for h in others:
            if self._other_level(asked, top.id, h.id):
                continue
            if h.phrase and (h.phrase == top.phrase or h.phrase not in top.phrase):
                return False
            s = self.catalogue.service(h.id)
            if s is not None and any(top.phrase in compact(n) for n in (s.title, *s.aliases)):
                return False
        return True

    def _other_level(self, asked: frozenset[str], top: str, rival: str) -> bool:
        """Return True when the question names one level only (`asked`) and the rival's names are Tianjin's where
        the top answer's are not (or the other way round)."""
        if len(asked) != 1 or top not in self.catalogue.by_id or rival not in self.catalogue.by_id:
            return False
        mine, theirs = self._naming(top).levels, self._naming(rival).levels
        if asked == {"national"}:
            return "local" in theirs and "local" not in mine
        return "local" in mine and "local" not in theirs

    def _fitting_first(self, hits: list[Hit], query: Query, question: str) -> list[Hit]:
        """Reorder a profile question's hits: the search's score, plus how well each service's tags fit
        who they are and what the asking clauses want."""
        audiences, needs = self.parts.profile.tags(question)
        if not hits or not (audiences or needs):
            return hits
        # A wider pool than the answer's: a self-description's words (秘书长, 科研处) rank services loosely.
        seen = {h.id for h in hits}
        hits = hits + [h for h in self.index.rank(query, limit=PROFILE_POOL).hits if h.id not in seen]
        top = max(h.score for h in hits) or 1.0
        # Who they are counts for more when they do not say what they want (学会能申报哪些项目).
        by_audience = PROFILE_AUDIENCE if needs else PROFILE_NEED

        def fit(h: Hit) -> float:
            s = self.catalogue.service(h.id)
            if s is None:
                return h.score / top
            # Small enough to break near-ties only: the search's own order stays the main evidence.
            return h.score / top + by_audience * bool(audiences & set(s.tags.audience)) \
                + PROFILE_NEED * bool(needs & set(s.tags.need))

        return sorted(hits, key=fit, reverse=True)

    def _society_first(self, hits: list[Hit], match: SocietyMatch, query: Query) -> list[Hit]:
        """Put the societies list first for a question about Tianjin's societies (化学学会, 有哪些学会).

        Not for a long question that mentions a society in passing (我们学会想跟俄罗斯那边的工程师协会搞个交流):
        there the ranking decides.
        """
        if not match.found or len(query.compact) > SOCIETY_QUESTION:
            return hits
        rest = [h for h in hits if h.id != "societies"]
        lead = max((h.score for h in rest), default=1.0)
        named = "".join(compact(n) for n in match.names) or match.discipline or "学会"
        return [Hit(id="societies", score=lead * 1.5 + self.config.phrase_bonus, key="list", phrase=named)] + rest

    def _organisation_first(self, hits: list[Hit], query: Query) -> list[Hit]:
        """Put 天津市科协 or 中国科协 first when the question is about the organisation itself.

        That is when the question starts with its name and asks about it in words of
        data/lexicon/organisation_words.txt (中国科协现任主席是谁, 市科协是什么单位) — or says nothing else —
        and no service's own name explains the rest (中国科协求是奖 is service 03).
        """
        q = query.compact
        for org in self.catalogue.organisations:
            name = next((n for n in _org_names(org.name, org.short_name) if q.startswith(n) or q.startswith("天津" + n)),
                        "")
            by_city = not name and org.id == "tast" and q.startswith("天津")  # 天津有多少个区科协: about 天津市科协
            if by_city:
                name = "天津"
            if not name:
                continue
            rest = [t for t in self.words.content(query.tokens) if t not in name and name not in t]
            asks = [t for t in query.tokens if t in self.lexicon.organisation_words] or \
                [w for w in self.lexicon.organisation_words if len(w) >= 2 and w in q[len(name):]]
            if (rest or by_city) and not asks:
                continue
            rival = next((h for h in hits if h.id != org.id), None)
            if rival and rest:
                named = explain(self.words, self.index, query, rest, rival.id, rival.phrase)
                # 中国科协求是奖 is service 03; 天津科技工作者之家… is service 20, not a question about 天津市科协 —
                # but 天津有多少个街道乡镇科协 counts 科协 organisations, which no service's name is.
                counts_kexie = bool(_ENDS_KEXIE.search(q)) and "科协" not in compact(self._title(rival.id))
                if not counts_kexie and (named.name_bigrams >= 0.5 or (by_city and named.name > 0)):
                    continue
                # 中国科协弄的那个让科学家找到企业家的网站: the organisation only runs what is asked about, which
                # a service's own text describes in words the question does not spend on the organisation.
                described = [t for t in rest if t not in asks and "科协" not in t]
                if not counts_kexie and len(described) >= 2 \
                        and explain(self.words, self.index, query, described, rival.id, rival.phrase).core >= 0.9:
                    continue
            others = [h for h in hits if h.id != org.id]
            lead = max((h.score for h in others), default=1.0)
            best = self.index.rank_documents(query, org.id, 1)
            return [Hit(id=org.id, score=lead * 1.25 + self.config.phrase_bonus, key=best[0][0] if best else "",
                        phrase=name)] + others
        return hits


@dataclass(frozen=True)
class _Naming:
    """A service's names for the level and programme rules."""

    names: tuple[str, ...]       # title and aliases, normalised
    bare: tuple[str, ...]        # … compacted, level words taken out (中国创新方法大赛 → 创新方法大赛)
    levels: frozenset[str]       # the levels they name ("national", "local")


class _AllWords(Words):
    """Every token counts as content (the content-word mechanism switched off)."""

    def __init__(self, words: Words) -> None:
        self.__dict__.update(words.__dict__)

    def content(self, tokens: list[str]) -> list[str]:
        """Return the distinct tokens."""
        return list(dict.fromkeys(tokens))


def _org_names(name: str, short: str) -> list[str]:
    """Return the ways people name an organisation: 天津市科学技术协会, 天津市科协, 天津科协, 市科协."""
    out = [compact(name), compact(short)]
    if short.startswith("天津市"):
        out += [compact("天津" + short[3:]), compact(short[2:])]
    return list(dict.fromkeys(out))
