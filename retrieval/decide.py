"""The answer decision (answered / suggest / unanswered) and what the user asks about (intents)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from .config import Thresholds
from .evidence import Evidence
from .lexicon import INTENTS, Lexicon


class Decision(str, Enum):
    """What the assistant does with a question."""

    ANSWERED = "answered"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Features:
    """The numbers and flags a decision is made from."""

    tokens: int
    top_score: float
    second_score: float
    coverage: float
    information: float
    phrase: str
    chitchat: bool
    out_of_scope: str
    # How much of the question's content the best answer explains, and the nearest out-of-scope example.
    evidence: Evidence = Evidence()
    oos: Evidence = Evidence()
    content: int = 0
    # The question names one level of government and the best answer's title only the other.
    conflict: bool = False
    # The best answer is from the appendix (societies, 通则, 科协 introductions): what identifies it is its text.
    appendix: bool = False
    # The whole question is the best answer's title or an alias, and no other answer's.
    exact: bool = False
    # The best document needs a cue word the question lacks (a society's name without 学会/协会: 电影 is not
    # a question about 天津市科教电影电视协会).
    uncued: bool = False
    # Every content word is one character (怎么学): too little to name a service outright.
    characters: bool = False
    # The best answer's name is found in the question and the runner-up's is not, or only as part of it
    # (创新方法大赛天津赛区 over 创新方法大赛): the names decide, whatever the scores' ratio.
    phrase_lead: bool = False
    # The question names a programme (…工程, …计划, …基金) whose characters the best answer's names mostly lack
    # (天津市131创新型人才培养工程 against 18's 高研班, which only gives it priority): at most a suggestion.
    unnamed_programme: bool = False
    # The question names another government body (市教委) that the best answer's text never mentions.
    other_agency: bool = False


def decide(f: Features, th: Thresholds) -> tuple[Decision, str]:
    """Return the decision and a short machine-readable reason.

    Declined: small talk; nothing but filler; a listed out-of-scope topic or another region's body; no
    match; too little of the question's content explained; an out-of-scope example that explains more
    than the best answer does; or an answer whose name explains none of the question and whose text
    explains too little (a passing mention). Answered outright only when the answer's own name and what
    it is explain enough and it clearly leads; otherwise suggested.
    """
    e, o = f.evidence, f.oos
    if f.chitchat:
        return Decision.UNANSWERED, "chitchat"
    if f.tokens == 0:
        return Decision.UNANSWERED, "empty"
    if f.out_of_scope:
        return Decision.UNANSWERED, "out_of_scope"
    if f.top_score <= 0:
        return Decision.UNANSWERED, "no_match"
    if f.content == 0 and not f.phrase:
        return Decision.UNANSWERED, "aspect_only"
    # Too little of the question explained — unless a long question's explained part is itself a lot
    # (a scenario told in many everyday words around the few that matter).
    if e.explained < th.min_coverage and not f.phrase and e.explained * e.information < th.min_explained:
        return Decision.UNANSWERED, "low_coverage"
    # Nearer to a known out-of-scope question than to the best answer — unless that answer's own name carries
    # much of the question (职称, 科协负责人培训: words an example happens to share).
    if o.explained >= th.oos_min and e.name_bigrams < 0.5 and (
            o.bigrams > e.bigrams + th.oos_margin or (o.explained >= e.core + th.oos_margin and o.bigrams >= e.bigrams)):
        return Decision.UNANSWERED, "out_of_scope"
    if e.name <= 0 and not f.phrase and (e.explained - e.core >= th.passing_gap or o.explained >= e.core - 0.05
                                         or (f.content <= 4 and e.core < th.passing_coverage)):
        # Nothing in the answer's name says it is what the question asks about: what explains the question
        # is a passing mention (a list in its 服务对象), or a known out-of-scope question explains as much.
        return Decision.UNANSWERED, "passing_mention"
    # Answered outright only when the answer's own name carries the question's words in the question's
    # order (so 企业技术中心 is not answered by a title that has 中心 and 认定), what it is explains the rest,
    # it clearly leads, no out-of-scope example comes as close, and it is at the level the question names.
    if f.uncued or (f.characters and not f.phrase) or f.unnamed_programme or f.other_agency:
        return Decision.SUGGEST, "close"
    if f.exact and not f.conflict:
        return Decision.ANSWERED, "phrase"
    # The question names a national programme by the very name of a Tianjin one (国家科学技术进步奖 and
    # 提名天津市科学技术奖): the catalogue has the Tianjin one only; say so rather than offer it as the answer.
    if f.conflict and e.name >= th.min_core and not f.appendix:
        return Decision.UNANSWERED, "other_level"
    # An appendix answer's text is long: it identifies the answer only when the question also names it
    # (企业科协, 中国科协, 学会) — 港澳台 alone is not a question about 中国科协.
    identity = (e.core_bigrams if e.name > 0 else 0.0) if f.appendix else e.name_bigrams
    leads = f.top_score >= th.answer_ratio * f.second_score or f.phrase_lead
    if identity >= th.min_name and e.core >= th.min_core and leads and o.explained < e.core and not f.conflict:
        return Decision.ANSWERED, "phrase" if f.phrase else "clear"
    return Decision.SUGGEST, "close"


_COMBINED = re.compile(r"(申报|申请|报名|参评|参选|入选)(条件|资格|要求|对象)")


def detect_intents(normalised: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Return what the question asks about, in card order; () when it just names a service."""
    text = _COMBINED.sub(r"\2", normalised)
    found = [name for name in INTENTS if any(w in text for w in lexicon.intents[name])]
    return tuple(found)


def chitchat_only(normalised: str, content_tokens: list[str], lexicon: Lexicon) -> bool:
    """Return True when the question is small talk: chitchat phrases and filler, nothing else."""
    compact = re.sub(r"[\W_]+", "", normalised)
    if not compact:
        return False
    rest = compact
    hit = False
    for p in sorted(lexicon.chitchat, key=len, reverse=True):
        if p in rest:
            hit = True
            rest = rest.replace(p, " ")
    if not hit:
        return False
    remaining = [t for t in content_tokens if t in rest]
    return not remaining


def out_of_scope_topic(normalised: str, lexicon: Lexicon) -> str:
    """Return the out-of-scope topic the question names, or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for t in lexicon.oos_topics:
        if t in compact:
            return t
    return ""


_NATIONALITY = re.compile(r"中国(?=国?籍|公民|境内|大陆|人)")


def levels(normalised: str, lexicon: Lexicon, name: bool = False) -> frozenset[str]:
    """Return the levels ("national", "local") a question — or, with name, a service's name — belongs to."""
    # 中国籍, 中国公民: a nationality, not the national level.
    text = _NATIONALITY.sub("", normalised)
    if name:
        # 推荐“最美科技工作者”天津市候选人: Tianjin's candidates for a national award — a national award.
        text = re.sub(_any_of(lexicon.local) + "(?=候选)", "", text)
    found = {"national"} if any(w in text for w in lexicon.national) else set()
    if any(w in text for w in lexicon.local):
        found.add("local")
    return frozenset(found)


def strip_levels(name: str, lexicon: Lexicon) -> str:
    """Return a name without its level words (中国创新方法大赛天津赛区 → 创新方法大赛赛区)."""
    words = (*lexicon.national, *lexicon.local)
    return re.sub(_any_of(words), "", name) if words else name


@functools.lru_cache(maxsize=32)
def _any_of(words: tuple[str, ...]) -> str:
    """Return a regular expression group matching any of the words, longest first (天津市 before 天津)."""
    return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"


# How many characters before a programme ending name it (托举 in 青年托举计划, 培养 in 131创新型人才培养工程).
PROGRAMME_NAME = 4


def programme_share(normalised: str, names: Sequence[str], lexicon: Lexicon, fields: Iterable[str] = ()) -> float:
    """Return how much of a programme the question names (…工程, …计划, …基金) the best of names holds: the
    run of characters right before the ending that the name has, out of PROGRAMME_NAME; 1.0 when the question
    names no programme. A field before 工程 (土木工程, 电气工程) is a discipline, not a programme."""
    if not lexicon.programme_ends:
        return 1.0
    ends = _any_of(lexicon.programme_ends)
    not_before = f"(?![{re.escape(lexicon.programme_not_before)}])" if lexicon.programme_not_before else ""
    text = strip_levels(re.sub(r"\s+", "", normalised), lexicon)
    fields = tuple(fields)
    shares = []
    for m in re.finditer(ends + not_before, text):
        before = re.sub(r"[\d_a-z]+$", "", text[:m.start()])  # 131工程: a number is in no name's words
        # 土木工程: a field, then an ending that is itself a field word, is a discipline, not a programme.
        if not before or (m.group(0) in fields and any(before.endswith(f) for f in fields)):
            continue

        def run(name: str) -> int:
            n = 0
            while n < min(PROGRAMME_NAME, len(before)) and before[-1 - n] in name:
                n += 1
            return n

        shares.append(max((run(n) for n in names), default=0) / PROGRAMME_NAME)
    return min(shares, default=1.0)


def level_conflict(normalised: str, title: str, lexicon: Lexicon) -> bool:
    """Return True when the question names the national level only and the title only Tianjin's."""
    return levels(normalised, lexicon) == {"national"} and levels(title, lexicon, name=True) == {"local"}


def other_region(normalised: str, lexicon: Lexicon) -> str:
    """Return a region named right before an organisation word (河北省科协 …), or ''."""
    compact = re.sub(r"\s+", "", normalised)
    for r in lexicon.regions:
        start = compact.find(r)
        while start >= 0:
            tail = compact[start + len(r): start + len(r) + 5]
            if any(tail.startswith(o) or tail[1:].startswith(o) for o in lexicon.region_orgs):
                return r
            start = compact.find(r, start + 1)
    return ""

