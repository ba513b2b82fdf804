"""People describing themselves: 「我是35岁的女工程师，有哪些奖项或人才计划可以申报」 asks for a list.

Such a question is answered with a short list of fitting services (and the offer of the service finder
and the eligibility checks), not with one card; the words are in data/lexicon/profile.yaml, the pattern of a stated age or gender in patterns.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon
from .loader import CatalogueError
from .text import compact, normalise

# 「女，41岁」「35岁男」: an age or gender given about oneself.
# Longest first clause read as a self-description (中学科学老师, 自由职业, 区科协企业部负责人).
ROLE_CLAUSE = 10
_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")


@dataclass(frozen=True)
class ProfileWords:
    """Words that mark a self-description and a request for what fits, and the tags they point to."""

    self: tuple[str, ...]
    asks: tuple[str, ...]
    audience: dict[str, tuple[str, ...]]
    need: dict[str, tuple[str, ...]]
    # 「女，41岁」「35岁男」: an age or gender given about oneself (data/lexicon/patterns.yaml).
    described: re.Pattern[str] = re.compile("(?!)")

    def tags(self, question: str) -> tuple[set[str], set[str]]:
        """Return the finder tags (audiences, needs) a profile question's words point to.

        Who the asker is comes from the whole question; what they want from the clauses that ask, when
        those name it — 「副高，…有啥人才奖项可以报」 wants awards, not titles.
        """
        q = compact(question)

        def needs(text: str) -> set[str]:
            return {t for t, ws in self.need.items() if any(w in text for w in ws)}

        return ({t for t, ws in self.audience.items() if any(w in q for w in ws)},
                needs(compact(self.want(question))) or needs(q))

    def about(self, question: str) -> str:
        """Return the clauses of a question that do not ask (我是民营企业的工程师), or the question when all do."""
        clauses = [c for c in _CLAUSE.split(question) if c.strip()]
        telling = [c for c in clauses if not any(w in compact(c) for w in self.asks)]
        return "，".join(telling) if telling else question

    def want(self, question: str) -> str:
        """Return the clauses of a profile question that ask (想找…, 有什么…), or the question when none do."""
        clauses = [c for c in _CLAUSE.split(question) if c.strip()]
        asking = [c for c in clauses if any(w in compact(c) for w in self.asks)]
        return "，".join(asking) if asking and len(asking) < len(clauses) else question

    def is_profile(self, question: str) -> bool:
        """Return True when the question describes the asker and asks what fits them."""
        q = compact(question)
        described = any(w in q for w in self.self) or bool(self.described.search(q)) or self._opens_with_who(question)
        return described and any(w in q for w in self.asks)

    def _opens_with_who(self, question: str) -> bool:
        """Return True when the first clause only says who is asking (中学科学老师，… / 自由职业，…)."""
        clauses = [c for c in _CLAUSE.split(question) if c.strip()]
        if len(clauses) < 2:
            return False
        first = compact(clauses[0])
        return len(first) <= ROLE_CLAUSE and not any(w in first for w in self.asks) and any(
            w in first for ws in self.audience.values() for w in ws)


def load_profile(lexicon: Lexicon, tags: dict[str, dict[str, str]] | None = None) -> ProfileWords:
    """Return the profile words of the lexicon (data/lexicon/profile.yaml); its tags must be the finder's."""
    raw = lexicon.profile
    path = "data/lexicon/profile.yaml"
    if raw is None:
        raise CatalogueError(path, None, None, "missing")
    groups = {}
    for group in ("audience", "need"):
        given: dict[str, tuple[str, ...]] = getattr(raw, group)
        known = set((tags or {}).get(group) or given)
        for tag in given:
            if tag not in known:
                raise CatalogueError(path, group, tag, f"not a tag of data/tags.yaml ({', '.join(sorted(known))})")
        groups[group] = {t: _words(v) for t, v in given.items()}
    return ProfileWords(_words(raw.me), _words(raw.asks), groups["audience"], groups["need"],
                        lexicon.pattern("self_description"))


def _words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise(w).replace(" ", "") for w in words)
