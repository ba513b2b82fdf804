"""The public search API: build once from the catalogue, then search(question) → SearchResult.

A search reads the question (normalise, cut, the word lists' readings), gathers candidate answers — the
best by BM25 over the entries (retrieval/index.py), the answers of the nearest example questions
(retrieval/examples.py), the societies list or an organisation when the question names them — and
describes each by generic features (retrieval/features.py). One fitted model (a conditional logit over
the candidates) gives each candidate P(right answer) (retrieval/scorer.py); the best one's probability
against the fitted thresholds decides (retrieval/decide.py). Small talk, a self-description and a wish for a person are
recognised first from example questions. A question not answered outright is tried again through the
typo corrector (retrieval/correct.py), whose rewrites are candidates like any other, marked as corrected.
What staff taught — aliases, terms, out-of-scope examples — is one `Taught` value; a searcher with taught
items is built from the base parts, which nothing ever changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .aspects import Aspect, AspectPatterns, Lead, lead, load_aspects
from .config import RetrievalConfig, load_config
from .correct import MAX_CORRECTED, Corrector, CorrectorIndex
from .decide import decide
from .dialogue import TURN_FEATURES, Dialogue
from .passages import PASSAGE_FEATURES, Passages
from .documents import build_docs
from .evidence import Evidence, Words, explain
from .examples import (ANSWER, INTENT, INTENTS, OUT_OF_SCOPE, Analyser, Example, ExampleIndex, Near, Neighbours,
                       is_english, load_examples)
from .features import (FEATURES, Candidate, QuestionFacts, candidate_ids, candidate_vector, characters_only,
                       question_vector)
from .followup import FollowUpWords, load_followup
from .index import Doc, Hit, Query, SearchIndex
from .intents import INTENT_FEATURES, intent_vector
from .lexicon import Lexicon, load_lexicon
from .loader import DATA_DIR, load_catalogue
from .model import APPENDIX_IDS, Catalogue
from .outcome import Decision, Intent, Reason
from .parts import Parts
from .policies import load_policies
from .policy_search import POLICY_FEATURES, PolicyCandidates, PolicyResult, PolicySearch, load_policy_words
from .profile import ProfileWords, load_profile
from .readings import (chitchat_only, detect_aspects, level_conflict, levels, other_region, out_of_scope_topic,
                       programme_share, strip_levels)
from .scorer import DECISION_FILE, DecisionModel, load_decision
from .societies import Societies, SocietyMatch
from .text import bounded, compact, normalise
from .tokenize import Tokenizer

# Longest question text kept in the log and shown to staff (Telegram allows 4096 characters); the search reads
# the first MAX_READ (retrieval/text.py), the typo corrector the first MAX_CORRECTED (retrieval/correct.py).
MAX_QUESTION = 500
# Longest text of a service read to find similar ones.
MAX_SIMILAR = 500

# Shortest name that decides between close answers by itself (天津赛区 is a part of a name, not one).
PHRASE_LEAD = 5
# A programme the question names is the best service's when its names hold at least this share of its characters.
PROGRAMME_SHARE = 0.5

# Questions searched once at start (Searcher.warm): one of each kind, so that no user's first one pays for a path.
WARM_QUESTIONS = ("青托对年龄有什么要求", "青拖申报条件", "kpds", "我是高校老师35岁有什么适合我的", "天津市化学学会电话",
                  "发展科技小院这项工作由市科协哪个部门牵头", "how to apply for the youth talent program",
                  "天津明天会下雨吗", "你好", "我想找人工客服")

# Profile lists: how many ranked services to choose from, and what a fitting audience or need tag adds to a
# probability-ordered list.
PROFILE_POOL = 30
PROFILE_AUDIENCE = 0.1
PROFILE_NEED = 0.3
PROFILE_EXAMPLES = 0.5

# The shortest name, level words aside, that makes two services one programme at two levels (青年科技奖).
COUNTERPART_SHARED = 4
# An intent is recognised when its model gives it at least this probability (the more likely of two).
INTENT_P = 0.5
# A declined question is called out of scope (not just unmatched) when a known out-of-scope example shares at
# least this much of it (cosine): the wording of the reply and the staff queue, not the decision.
OOS_SHARE = 0.5


@dataclass(frozen=True)
class Taught:
    """What staff taught from review: aliases of services, terms (typed → meant), out-of-scope examples."""

    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    terms: tuple[tuple[str, str], ...] = ()
    out_of_scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mechanisms:
    """Which parts of understanding are on (calibration switches each off to measure what it adds)."""

    corrector: bool = True   # typo and homophone correction
    examples: bool = True    # example questions (answers, out of scope, intents)


@dataclass(frozen=True)
class SearchResult:
    """The typed outcome: the kind of message, the decision and its reason, ranked hits with probabilities."""

    question: str
    decision: Decision
    reason: Reason
    hits: tuple[Hit, ...]
    asks: tuple[str, ...]
    tokens: tuple[str, ...]
    coverage: float
    # Rewrites applied before searching (typed → meant), for a reply that says so: 已按“青托”理解.
    corrections: tuple[tuple[str, str], ...] = ()
    # The question's content words (what it is about, beyond 条件, 电话 and filler).
    content: tuple[str, ...] = ()
    societies: SocietyMatch = SocietyMatch()
    intent: Intent = Intent.QUESTION
    # P(the best hit is right), from the fitted model (1.0 for what staff taught, 0 when nothing was scored).
    confidence: float = 0.0
    # The question asks whether the asker may apply (offer the eligibility check of the answer).
    can_apply: bool = False
    # The question is in English (the card adds one English line).
    english: bool = False
    nearest: tuple[Near, ...] = ()
    # What the policy documents answer (None when they were not searched).
    policy: PolicyResult | None = None

    @property
    def best(self) -> Hit | None:
        """Return the top hit, or None."""
        return self.hits[0] if self.hits else None

    @property
    def answered(self) -> bool:
        """Return True when there is one clear answer."""
        return self.decision is Decision.ANSWERED

    @property
    def intents(self) -> tuple[str, ...]:
        """Return what the question asks about (contact, conditions …); the older name of `asks`."""
        return self.asks


@dataclass(frozen=True)
class Analysis:
    """One reading of a question (as typed, or as the corrector rewrote it): its facts and scored candidates."""

    text: str
    facts: QuestionFacts
    candidates: tuple[Candidate, ...]
    corrections: tuple[tuple[str, str], ...] = ()
    probabilities: tuple[float, ...] = ()

    @property
    def confidence(self) -> float:
        """Return the best candidate's probability (0 with none)."""
        return max(self.probabilities, default=0.0)

    def matrix(self) -> np.ndarray:
        """Return the candidates' feature rows."""
        return np.array([c.features for c in self.candidates], dtype=float).reshape(-1, len(FEATURES))


class ModelMissing(RuntimeError):
    """The fitted decision (data/decision.yaml) is not there: run python -m retrieval.calibrate --write."""


class Searcher:
    """Catalogue search over shared parts, with what staff taught and the mechanisms switched on."""

    def __init__(self, parts: Parts, taught: Taught | None = None, mechanisms: Mechanisms | None = None) -> None:
        self.parts = parts
        self.taught = taught or Taught()
        self.mechanisms = mechanisms or Mechanisms()
        self.catalogue, self.lexicon, self.tokenizer = parts.catalogue, parts.lexicon, parts.tokenizer
        self.config, self.societies, self.words = parts.config, parts.societies, parts.words
        self.learned: dict[str, tuple[str, ...]] = {
            sid: tuple(a for a in aliases if a.strip()) for sid, aliases in self.taught.aliases.items()
            if sid in self.catalogue.by_id and any(a.strip() for a in aliases)}
        self.index = parts.index.with_phrases(self.learned)
        self._exact = {compact(a): sid for sid, aliases in self.learned.items() for a in aliases if compact(a)}
        self._terms = sorted(((normalise(a), normalise(b)) for a, b in self.taught.terms if normalise(a)),
                             key=lambda ab: -len(ab[0]))
        self._taught_out = {compact(q) for q in self.taught.out_of_scope if compact(q)}
        # What staff linked or marked out of scope becomes an example of the same kind.
        taught_examples = [Example(q, ANSWER, sid, "taught") for sid, qs in self.learned.items() for q in qs] + \
            [Example(q, OUT_OF_SCOPE, "staff", "taught") for q in self.taught.out_of_scope]
        self.examples = parts.examples.extended(taught_examples)
        self.corrector = Corrector(vocabulary(parts, self.index.docs, self.learned, self.taught.terms),
                                   self.tokenizer.is_common, self.tokenizer.cut,
                                   quiet=self.lexicon.stopwords | self.lexicon.function_chars, known=self.index.knows,
                                   index=parts.corrector)
        self._fields = tuple(w for words in self.societies.fields.values() for w in words)
        self.passages = Passages(parts)
        self.dialogue = Dialogue(self)
        self._namings: dict[str, _Naming] = {}
        self._last_named: dict[int, tuple[tuple[str, tuple[str, ...]], tuple[str, ...]]] = {}
        self._answer_text: dict[str, str] = {}
        for doc in self.index.docs:
            self._answer_text[doc.answer] = self._answer_text.get(doc.answer, "") + compact(doc.name + doc.body)

    @classmethod
    def build(cls, catalogue: Catalogue | None = None, data_dir: str | Path | None = None,
              config: RetrievalConfig | None = None, lexicon: Lexicon | None = None,
              cache_dir: str | Path | None = None, decision: DecisionModel | None = None, fitted: bool = True
              ) -> Searcher:
        """Load what is missing from data_dir and build the indexes (and, with `fitted`, the fitted decision).

        With cache_dir (the bot passes its database's directory) jieba's dictionary and the built indexes
        are kept there and reused while the data, settings, lexicon, jieba and this code are unchanged;
        without it the indexes are built every time and jieba's dictionary is cached per user.
        """
        catalogue = catalogue or load_catalogue(data_dir)
        lexicon = lexicon or load_lexicon(data_dir)
        config = config or load_config(data_dir)
        docs = build_docs(catalogue, lexicon)
        tokenizer = Tokenizer(lexicon, [p for d in docs for p in d.phrases], cache_dir=cache_dir)
        return cls.assemble(catalogue, lexicon, tokenizer, config, cache_dir, data_dir, decision, fitted)

    @classmethod
    def assemble(cls, catalogue: Catalogue, lexicon: Lexicon, tokenizer: Tokenizer, config: RetrievalConfig,
                 cache_dir: str | Path | None = None, data_dir: str | Path | None = None,
                 decision: DecisionModel | None = None, fitted: bool = True) -> Searcher:
        """Build the indexes (or read them from cache_dir) over a tokeniser built already."""
        words = Words(lexicon, tokenizer)
        policies = load_policies(data_dir, [s.id for s in catalogue.services])
        answers = [s.id for s in catalogue.services] + list(APPENDIX_IDS) + \
            [f"{d.id}/{p.id}" for d in policies for p in d.passages]
        examples = load_examples(answers, data_dir) + name_examples(catalogue)
        analyser = Analyser(tokenizer, lexicon.english_stopwords)
        if decision is None and fitted and ((Path(data_dir) if data_dir else DATA_DIR) / DECISION_FILE).exists():
            decision = load_decision(FEATURES, INTENT_FEATURES, INTENTS, data_dir, POLICY_FEATURES, TURN_FEATURES,
                                     PASSAGE_FEATURES)
        parts = Parts(
            catalogue=catalogue, lexicon=lexicon, tokenizer=tokenizer, config=config,
            index=SearchIndex.cached(build_docs(catalogue, lexicon), tokenizer, config, cache_dir),
            examples=ExampleIndex.cached(examples, analyser, cache_dir),
            societies=Societies(catalogue, lexicon, tokenizer.cut), words=words,
            profile=load_profile(lexicon, catalogue.tags), decision=decision,
            policy=PolicySearch(policies, tokenizer, config, words, load_policy_words(lexicon), cache_dir),
            aspects=load_aspects(lexicon), aspect_patterns=AspectPatterns.of(lexicon),
            followup=load_followup(lexicon))
        parts = replace(parts, corrector=CorrectorIndex.cached(vocabulary(parts, parts.index.docs), cache_dir))
        return cls(parts)

    def warm(self) -> Searcher:
        """Compute at start what searches would otherwise compute on first use, while users wait: every answer's
        words and bigrams at each level (entries and policy passages), every service's names, and the readings
        of a few questions of each kind (typo, profile, society, policy, English). Return this searcher."""
        self.index.warm()
        if self.parts.policy is not None:
            self.parts.policy.warm()
        for service in self.catalogue.services:
            self._naming(service.id)
        for question in WARM_QUESTIONS:
            self.search(question)
        return self

    def with_taught(self, taught: Taught) -> Searcher:
        """Return a searcher with these taught items (built from the shared parts; this one is unchanged)."""
        return Searcher(self.parts, taught, self.mechanisms)

    def with_learned(self, learned: Mapping[str, Iterable[str]]) -> Searcher:
        """Return a searcher whose taught aliases are these {service id: [question, …]}."""
        return self.with_taught(replace(self.taught, aliases={k: tuple(v) for k, v in learned.items()}))

    def without(self, mechanism: str) -> Searcher:
        """Return a searcher with one mechanism switched off (corrector, examples)."""
        return Searcher(self.parts, self.taught, replace(self.mechanisms, **{mechanism: False}))

    def with_decision(self, decision: DecisionModel) -> Searcher:
        """Return a searcher deciding with another fitted model (calibration scores each fold's fit)."""
        return Searcher(replace(self.parts, decision=decision), self.taught, self.mechanisms)

    # -- searching -------------------------------------------------------------------------------

    def search(self, question: str) -> SearchResult:
        """Read a question, score its candidates, and decide how to answer it."""
        model = self.parts.decision
        if model is None:
            raise ModelMissing("data/decision.yaml is missing: run python -m retrieval.calibrate --write")
        question = bounded(question)
        text, terms = self._apply_terms(question)
        taught = self._taught(question, text, terms)
        if taught is not None:
            return taught
        first = self.scored(self.analyse(text, terms))
        intent, can_apply = self.intent_of(first)
        best = first
        if first.confidence < model.thresholds.answer and intent is not Intent.SMALLTALK and self.mechanisms.corrector:
            for rewrite in self.corrector.rewrites(normalise(text)):
                again = self.scored(self.analyse(rewrite.text, terms + rewrite.changes, rewrite.cost))
                if again.confidence > best.confidence:
                    best = again
        result = self.outcome(question, best, intent, can_apply)
        if intent in (Intent.QUESTION, Intent.PROFILE) and self.parts.policy is not None and model.policy is not None:
            result = replace(result, policy=self.parts.policy.decide(
                text, self.policy_candidates(text, best), model.policy))
        return result

    def excluding(self, result: SearchResult, answer: str) -> SearchResult:
        """Return the outcome without one answer (the one a correction rejected), decided again on the rest."""
        model = self.parts.decision
        hits = tuple(h for h in result.hits if h.id != answer)
        if model is None or len(hits) == len(result.hits) or result.intent is not Intent.QUESTION:
            return replace(result, hits=hits)
        p = hits[0].p if hits else 0.0
        decision, reason = decide(p, result.intent, model.thresholds, nothing=not hits, english=result.english)
        if decision is Decision.UNANSWERED and reason is Reason.EMPTY:
            reason = Reason.NO_MATCH
        return replace(result, hits=hits, decision=decision, reason=reason, confidence=p)

    def policy_near(self, policy: PolicyResult) -> bool:
        """Return True when a declined policy question's nearest passage is near enough to point to (half the
        fitted suggest threshold): the documents speak of it, they just do not say what was asked."""
        model = self.parts.decision.policy if self.parts.decision is not None else None
        return model is not None and policy.confidence >= model.thresholds.suggest / 2

    def policy_candidates(self, text: str, a: Analysis) -> PolicyCandidates:
        """Return a question's candidate passages of the policy documents, with their features."""
        assert self.parts.policy is not None
        return self.parts.policy.candidates(text, a.facts.neighbours, a.confidence, (self.index, a.facts.query))

    def outcome(self, question: str, a: Analysis, intent: Intent, can_apply: bool) -> SearchResult:
        """Return the typed outcome of a scored analysis."""
        model = self.parts.decision
        assert model is not None
        facts = a.facts
        asks = detect_aspects(normalise(a.text), self.lexicon)
        english = is_english(a.text, self.lexicon.english_stopwords)
        order = sorted(range(len(a.candidates)), key=lambda i: (-a.probabilities[i], -a.candidates[i].hit.score))
        hits = tuple(replace(a.candidates[i].hit, p=a.probabilities[i]) for i in order)
        top = a.candidates[order[0]] if order else None
        audiences, needs = self.parts.profile.tags(question) if intent is Intent.PROFILE else (set(), set())
        named = any(c.hit.phrase for c in a.candidates)
        decision, reason = decide(a.confidence, intent, model.thresholds, profiled=bool(audiences or needs),
                                  nothing=not facts.content and not named, english=english)
        if reason in (Reason.SMALLTALK, Reason.HUMAN, Reason.EMPTY):
            hits = ()
        if decision is Decision.UNANSWERED and reason is Reason.NO_MATCH:
            reason = self._why_not(facts, top)
        if reason is Reason.PROFILE:
            hits = self._fitting_first(hits, facts, question)
        return SearchResult(question, decision, reason, hits, asks=asks, tokens=tuple(facts.query.tokens),
                            coverage=top.evidence.explained if top else 0.0, corrections=a.corrections,
                            content=facts.content, societies=facts.societies, intent=intent,
                            confidence=a.confidence, can_apply=can_apply, english=english,
                            nearest=facts.neighbours.nearest)

    def _taught(self, question: str, text: str, terms: tuple[tuple[str, str], ...]) -> SearchResult | None:
        """Return the outcome staff decided for this very question (linked or out of scope), or None."""
        out = bool(self._taught_out) and compact(question) in self._taught_out
        learned = self._exact.get(compact(text))
        if not out and not learned:
            return None
        query = self.index.parse(text)
        content = tuple(self.words.content(query.tokens))
        asks = detect_aspects(normalise(text), self.lexicon)
        if out:
            return SearchResult(question, Decision.UNANSWERED, Reason.OUT_OF_SCOPE, (), asks, tuple(query.tokens),
                                0.0, terms, content)
        hit = Hit(id=learned or "", score=float("inf"), matched=tuple(query.tokens), phrase=compact(text), p=1.0)
        return SearchResult(question, Decision.ANSWERED, Reason.TAUGHT, (hit,), asks, tuple(query.tokens), 1.0, terms,
                            content, confidence=1.0)

    def _why_not(self, facts: QuestionFacts, top: Candidate | None) -> Reason:
        """Return why a declined question is declined (what the reply says; the decline itself is the model's):
        another level's programme; out of scope when a word list names another body's or region's business or
        the nearest example of all is a known out-of-scope question that shares most of it; else no match."""
        if top is not None and top.conflict and top.evidence.name >= 0.5:
            return Reason.OTHER_LEVEL
        nearest = facts.neighbours.nearest[0] if facts.neighbours.nearest else None
        known = nearest is not None and nearest.kind == OUT_OF_SCOPE and nearest.similarity >= OOS_SHARE
        if facts.oos_topic or facts.other_region or known:
            return Reason.OUT_OF_SCOPE
        return Reason.NO_MATCH

    def scored(self, a: Analysis) -> Analysis:
        """Return the analysis with each candidate's probability from the fitted model."""
        model = self.parts.decision
        if model is None or not a.candidates:
            return a
        return replace(a, probabilities=tuple(model.candidate.scores(a.matrix()).tolist()))

    def intent_of(self, a: Analysis) -> tuple[Intent, bool]:
        """Return what kind of message the question is, and whether it asks if the asker may apply."""
        model = self.parts.decision
        if model is None or not model.intents:
            return Intent.QUESTION, False
        row = np.asarray([intent_vector(a.facts, a.candidates)], dtype=float)
        p = {name: float(m.probability(row)[0]) for name, m in model.intents.items()}
        exclusive = {Intent.SMALLTALK: p.get("smalltalk", 0.0), Intent.PROFILE: p.get("profile", 0.0),
                     Intent.HUMAN: p.get("human", 0.0)}
        kind, best = max(exclusive.items(), key=lambda kv: kv[1])
        return (kind if best >= INTENT_P else Intent.QUESTION), p.get("can_apply", 0.0) >= INTENT_P

    def versions(self, question: str) -> list[Analysis]:
        """Return every reading of a question — as typed, then each rewrite of the corrector — unscored."""
        question = bounded(question)
        text, terms = self._apply_terms(question)
        out = [self.analyse(text, terms)]
        if self.mechanisms.corrector:
            out += [self.analyse(r.text, terms + r.changes, r.cost)
                    for r in self.corrector.rewrites(normalise(text))]
        return out

    def analyse(self, text: str, corrections: tuple[tuple[str, str], ...] = (), cost: int = 0,
                exclude: Iterable[int] = ()) -> Analysis:
        """Read a question and return its candidates with their features (not yet scored); `exclude` leaves
        examples out of the nearest ones (calibration reads each example against the others)."""
        text = bounded(text)
        norm = normalise(text)
        query = self.index.parse(text)
        content = tuple(self.words.content(query.tokens))
        ranking = self.index.rank(query, limit=PROFILE_POOL)
        neighbours = self.examples.neighbours(text, exclude) if self.mechanisms.examples else Neighbours({}, 0.0, {})
        societies = self.societies.match(text)
        organisation = self._organisation(query)
        topic_text = self.parts.profile.want(text) if self.parts.profile.is_profile(text) else text
        facts = QuestionFacts(
            query=query, content=content,
            information=sum(self.words.information(t) for t in content), neighbours=neighbours,
            societies=societies, organisation=organisation,
            oos_topic=bool(out_of_scope_topic(normalise(topic_text), self.lexicon)),
            other_region=bool(other_region(norm, self.lexicon)),
            smalltalk_words=chitchat_only(norm, query.tokens, self.lexicon),
            profile_words=self.parts.profile.is_profile(text),
            correction_cost=float(cost + len(corrections) if corrections else 0))
        extra = (["societies"] if societies.found else []) + ([organisation] if organisation else [])
        scores = {h.id: h.score for h in ranking.hits}
        by_id = {h.id: h for h in ranking.hits}
        qv = question_vector(facts)
        candidates = []
        for n, answer in enumerate(candidate_ids(ranking.hits, neighbours, extra)):
            hit = by_id.get(answer) or Hit(id=answer, score=0.0, key=self._best_key(query, answer))
            rank = next((k for k, h in enumerate(ranking.hits, 1) if h.id == answer), 0)
            evidence = explain(self.words, self.index, query, list(content), answer, hit.phrase)
            flags = self._flags(norm, query, content, hit, ranking.hits)
            candidates.append(Candidate(hit, evidence, tuple(qv + candidate_vector(facts, hit, scores, rank, evidence,
                                                                                     flags)),
                                        conflict=flags["level_conflict"], flags=flags))
        return Analysis(text, facts, tuple(candidates), corrections)

    def _best_key(self, query: Query, answer: str) -> str:
        """Return the best document key of an answer that BM25 did not rank (an appendix answer's article …)."""
        found = self.index.rank_documents(query, answer, 1)
        return found[0][0] if found else ""

    def _flags(self, norm: str, query: Query, content: tuple[str, ...], hit: Hit, hits: list[Hit]) -> dict[str, bool]:
        """Return what the word lists say about one candidate (level, programme, agency, cue words)."""
        service = self.catalogue.by_id.get(hit.id)
        others = [h for h in hits if h.id != hit.id]
        text = self._answer_text.get(hit.id, "")
        return {
            "exact": len(query.compact) >= 2 and hit.phrase == query.compact and not any(
                h.phrase == query.compact for h in others),
            "phrase_lead": self._phrase_leads(hit, others[:2], norm),
            "appendix": service is None,
            "uncued": self.index.uncued(hit.key, query),
            "characters": characters_only(content) and not hit.phrase,
            "unnamed_programme": service is not None and programme_share(
                norm, self._naming(hit.id).names, self.lexicon, self._fields) < PROGRAMME_SHARE,
            "other_agency": any(g not in text for g in self._named_in(query.compact, self.lexicon.agencies)),
            # 上海市科普大使: a place the question names that the answer's text never mentions.
            "other_place": any(r not in text for r in self._named_in(query.compact, self.lexicon.regions)),
            "level_conflict": service is not None and level_conflict(norm, normalise(service.title), self.lexicon),
        }

    def _named_in(self, q: str, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the words (agencies, regions) a compact question holds, in their order (remembered for the last
        question: each of its candidates asks)."""
        key = (q, words)
        last = self._last_named.get(id(words))
        if last is None or last[0] != key:
            last = self._last_named[id(words)] = (key, tuple(w for w in words if w in q))
        return last[1]

    def _organisation(self, query: Query) -> str:
        """Return tast or cast when the question is about the organisation itself: it starts with its name and
        asks about it in words of data/lexicon/organisation_words.txt, or says nothing else."""
        q = query.compact
        for org in self.catalogue.organisations:
            city = self.lexicon.city
            name = next((n for n in _org_names(org.name, org.short_name, city)
                         if q.startswith(n) or q.startswith(city + n)), "")
            # 天津有多少个区科协: a question that starts with the city and asks in organisation words is about its 科协.
            if not name and city and org.short_name.startswith(city) and q.startswith(city) and any(
                    w in q for w in self.lexicon.organisation_words if len(w) >= 2):
                return org.id
            if not name:
                continue
            rest = [t for t in self.words.content(query.tokens) if t not in name and name not in t]
            asks = [t for t in query.tokens if t in self.lexicon.organisation_words] or \
                [w for w in self.lexicon.organisation_words if len(w) >= 2 and w in q[len(name):]]
            if asks or not rest:
                return org.id
        return ""

    def explain(self, question: str, answer: str, words: tuple[str, ...] | None = None) -> Evidence:
        """Return how much of a question's content (or of `words`) one answer explains."""
        query = self.index.parse(bounded(question))
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
            hits = self.index.rank(self.index.parse(text[:MAX_SIMILAR]), limit=limit + 4).hits
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
        turn = compact(self.parts.followup.strip_marks(bounded(question)))
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
        """Return a service's names as the level and programme readings use them (computed once per service)."""
        found = self._namings.get(service_id)
        if found is None:
            s = self.catalogue.by_id[service_id]
            names = (s.title, *s.aliases)
            found = _Naming(names=tuple(normalise(n) for n in names),
                            bare=tuple(strip_levels(compact(n), self.lexicon) for n in names),
                            levels=levels(normalise(" ".join(names)), self.lexicon, name=True))
            self._namings[service_id] = found
        return found

    def lead(self, source: object, question: str, words: list[str], aspect: Aspect | None, limit: int = 2,
             related: tuple[str, ...] = ()) -> Lead | None:
        """Return the sentences of an entry (or of a sentence list) that answer the question (retrieval/aspects.py)."""
        assert self.parts.aspect_patterns is not None
        return lead(source, bounded(question), words, aspect, self.parts.aspect_patterns, limit,  # type: ignore[arg-type]
                    related)

    def best_documents(self, question: str, answer: str, limit: int = 2) -> list[str]:
        """Return the keys of an answer's documents that fit the question best (article:40 …)."""
        return [k for k, _ in self.index.rank_documents(self.index.parse(bounded(question)), answer, limit)]

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

    def _phrase_leads(self, top: Hit, others: list[Hit], question: str) -> bool:
        """Return True when the answer's name, found whole in the question, is no other close answer's: the
        runners-up match no name or only a part of it, and none of their names holds it (创新方法大赛 is in
        both 33's and 34's titles: the names do not decide) — unless the question's level rules that one out."""
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
        """Return True when the question names one level only and the rival's names are Tianjin's where the
        top answer's are not (or the other way round)."""
        if len(asked) != 1 or top not in self.catalogue.by_id or rival not in self.catalogue.by_id:
            return False
        mine, theirs = self._naming(top).levels, self._naming(rival).levels
        if asked == {"national"}:
            return "local" in theirs and "local" not in mine
        return "local" in mine and "local" not in theirs

    def _fitting_first(self, hits: tuple[Hit, ...], facts: QuestionFacts, question: str) -> tuple[Hit, ...]:
        """Order a profile question's list: every service whose finder tags fit who they are and what the asking
        clauses want joins the candidates; each is ranked by the model's probability, how near the question
        comes to its examples, its BM25 score, and how its tags fit."""
        audiences, needs = self.parts.profile.tags(question)
        if not hits or not (audiences or needs):
            return hits
        seen = {h.id for h in hits}
        ranked = self.index.rank(facts.query, limit=PROFILE_POOL).hits
        pool = list(hits) + [h for h in ranked if h.id not in seen]
        seen |= {h.id for h in ranked}
        pool += [Hit(id=s.id, score=0.0) for s in self.catalogue.services if s.id not in seen
                 and audiences & set(s.tags.audience) and needs & set(s.tags.need)]
        top = max(h.score for h in pool) or 1.0
        by_audience = PROFILE_AUDIENCE if needs else PROFILE_NEED

        def fit(h: Hit) -> float:
            base = h.p + PROFILE_EXAMPLES * facts.neighbours.answer(h.id) + 0.1 * h.score / top
            s = self.catalogue.service(h.id)
            if s is None:
                return base
            return base + by_audience * bool(audiences & set(s.tags.audience)) \
                + PROFILE_NEED * bool(needs & set(s.tags.need))

        return tuple(sorted(pool, key=fit, reverse=True))


@dataclass(frozen=True)
class _Naming:
    """A service's names for the level and programme readings."""

    names: tuple[str, ...]       # title and aliases, normalised
    bare: tuple[str, ...]        # … compacted, level words taken out (中国创新方法大赛 → 创新方法大赛)
    levels: frozenset[str]       # the levels they name ("national", "local")


def vocabulary(parts: Parts, docs: Iterable[Doc], learned: Mapping[str, tuple[str, ...]] | None = None,
               terms: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Return the terms a typo may be corrected to: names of everything the catalogue answers, and taught."""
    out: list[str] = []
    for s in parts.catalogue.services:
        out += [s.title, *s.aliases]
    for doc in docs:
        out += list(doc.phrases) + list(doc.cued_phrases)
    out += [w for w, _ in parts.lexicon.user_words]
    out += [a for aliases in (learned or {}).values() for a in aliases]
    out += [meant for _, meant in terms]
    # What a follow-up asks (电话, 放宽): 电化 after a card is a typo of a question about it.
    out += [w for words in parts.lexicon.intents.values() for w in words]
    out += [w for aspect in parts.aspects for w in aspect.asks]
    return [normalise(t).replace(" ", "") for t in out]


def name_examples(catalogue: Catalogue) -> tuple[Example, ...]:
    """Return every answer's names as examples of it: a title or alias typed alone is a question about it."""
    out = [Example(n, ANSWER, s.id, "names") for s in catalogue.services for n in (s.title, *s.aliases)]
    out += [Example(n, ANSWER, o.id, "names") for o in catalogue.organisations for n in (o.name, o.short_name)]
    out += [Example(n, ANSWER, "societies", "names") for n in (catalogue.societies.name,
                                                                *(x.name for x in catalogue.societies.societies))]
    out.append(Example(catalogue.rules.name, ANSWER, "enterprise-association-rules", "names"))
    # English names (data/english.yaml): an English question names a service in English.
    out += [Example(name, ANSWER, answer, "names") for answer, name in catalogue.english.items()]
    return tuple(out)


def _org_names(name: str, short: str, city: str) -> list[str]:
    """Return the ways people name an organisation: 天津市科学技术协会, 天津市科协, 天津科协, 市科协."""
    out = [compact(name), compact(short)]
    if city and short.startswith(city + "市"):
        out += [compact(city + short[len(city) + 1:]), compact(short[len(city):])]
    return list(dict.fromkeys(out))


__all__ = ["Analysis", "Decision", "Intent", "ModelMissing", "Reason", "SearchResult", "Searcher", "Taught",
           "INTENT", "MAX_CORRECTED", "MAX_QUESTION"]
