"""The staff inbox: which queue a question goes to, what it followed, and which questions are near-duplicates.

Queues (what staff see, in this order): 未答出 (unanswered), 未选择 (suggestions shown and abandoned),
👎, 都不是, 留言 (tickets, read from their own table), 已拒答 (declined out-of-scope topics) and the
low-priority 噪声/闲聊 (very short, digit- or emoji-only messages, small talk, requests the assistant is not
for). Words used to sort them live in data/review.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.decide import Decision
from retrieval.loader import DATA_DIR, CatalogueError, read_yaml
from retrieval.search import MAX_QUESTION, SearchResult
from retrieval.text import compact, normalise

from .storage import PURGED, ReviewItem

if TYPE_CHECKING:
    from .routes import Turn

QUEUES = ("unanswered", "suggest", "down", "none", "ticket", "declined", "noise")
# What Telegram's /review and the "top unanswered" figures show: questions staff can teach from.
ACTIONABLE = ("unanswered", "suggest", "down", "none")
# A previous answer older than this is not what a question followed up.
CONTEXT_SECONDS = 3600.0
# Questions at least this similar (difflib ratio of their compact forms) are shown as one group.
NEAR_DUPLICATE = 0.8


@dataclass(frozen=True)
class ReviewWords:
    """data/review.yaml: noise phrases and follow-up openings and endings."""

    noise: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()


def _words(path: Path, raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and compact(w) for w in raw):
        raise CatalogueError(path, None, where, "expected a list of words")
    return tuple(compact(w) for w in raw)


@lru_cache(maxsize=4)
def load_review_words(data_dir: str | None = None) -> ReviewWords:
    """Load and validate data/review.yaml."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "review.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"noise", "followup"}:
        raise CatalogueError(path, None, None, "expected keys noise and followup")
    follow = raw["followup"]
    if not isinstance(follow, dict) or set(follow) != {"starts", "ends"}:
        raise CatalogueError(path, None, "followup", "expected keys starts and ends")
    return ReviewWords(_words(path, raw["noise"], "noise"), _words(path, follow["starts"], "followup.starts"),
                       _words(path, follow["ends"], "followup.ends"))


def is_noise(text: str, words: ReviewWords | None = None) -> bool:
    """Return True for a message too short, digit-only or off-purpose to be worth teaching from."""
    words = words or load_review_words()
    c = compact(text)
    if len(c) <= 1 or c.isdigit() or re.fullmatch(r"[a-z]{1,2}", c):
        return True
    return any(p in c for p in words.noise)


def queue_for(kind: str, text: str, reason: str = "", words: ReviewWords | None = None) -> str:
    """Return the queue a question goes to: its kind's own, or 已拒答 / 噪声 for an unanswered one."""
    if kind != "unanswered":
        return kind
    if reason in ("chitchat", "empty") or is_noise(text, words):
        return "noise"
    if reason in ("out_of_scope", "other_level"):
        return "declined"
    return "unanswered"


def context_of(t: Turn) -> tuple[str | None, str | None]:
    """Return (logged question, answer id) of the answer the user had just seen, if it is recent."""
    ctx = t.session.context
    if ctx is None or not ctx.at or t.a.clock() - ctx.at > CONTEXT_SECONDS:
        return None, None
    return ctx.query, ctx.answer


async def enqueue_unanswered(t: Turn, text: str, result: SearchResult, query_id: str) -> None:
    """Queue a question the assistant did not answer, with what the user had just seen."""
    _, answer = context_of(t)
    await t.a.storage.enqueue(normalise(text), text[:MAX_QUESTION], "unanswered", [h.id for h in result.hits[:3]],
                              queue=queue_for("unanswered", text, result.reason), context_answer=answer,
                              query_id=query_id)


async def enqueue_feedback(t: Turn, query_id: str, kind: str, text: str, guesses: Iterable[str]) -> None:
    """Queue a question given 👎 or 都不是, with the answer its asker had seen before asking it."""
    q = await t.a.storage.query(query_id)
    answer = q.ctx_answer if q is not None else context_of(t)[1]
    await t.a.storage.enqueue(normalise(text), text[:MAX_QUESTION], kind, guesses, queue=kind,
                              context_answer=answer, query_id=query_id)


def followup_pair(item: ReviewItem, alone: SearchResult, title: Callable[[str], str],
                  words: ReviewWords | None = None) -> str | None:
    """Return the combined question to teach instead of a context-dependent follow-up, or None.

    A follow-up is a question asked right after an answer that, searched alone, is not answered and
    reads like a continuation (short, or opening with 那/还有…, or ending with 呢): 「那年龄呢」 after 13.
    """
    if not item.context_answer or alone.decision is Decision.ANSWERED or item.sample == PURGED:
        return None
    words = words or load_review_words()
    c = compact(item.sample)
    if not (len(c) <= 8 or any(c.startswith(w) for w in words.starts) or any(c.endswith(w) for w in words.ends)):
        return None
    before = item.context_text if item.context_text and item.context_text != PURGED else title(item.context_answer)
    return f"{before} {item.sample}"[:MAX_QUESTION]


@dataclass
class Group:
    """Near-duplicate questions of one queue and context, shown and handled together."""

    items: list[ReviewItem] = field(default_factory=list)

    @property
    def lead(self) -> ReviewItem:
        """Return the most frequent question of the group."""
        return self.items[0]

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)

    @property
    def first_seen(self) -> float:
        return min(i.first_seen for i in self.items)

    @property
    def last_seen(self) -> float:
        return max(i.last_seen for i in self.items)


def group_items(items: Iterable[ReviewItem]) -> list[Group]:
    """Group near-duplicate questions (same queue and context, similar text), most asked first."""
    groups: list[tuple[str, Group]] = []
    for item in sorted(items, key=lambda i: (-i.count, -i.last_seen)):
        key = compact(item.sample)
        for lead_key, g in groups:
            lead = g.lead
            if (lead.queue, lead.context_answer) == (item.queue, item.context_answer) and item.sample != PURGED \
                    and lead.sample != PURGED and similar(key, lead_key):
                g.items.append(item)
                break
        else:
            groups.append((key, Group([item])))
    return sorted((g for _, g in groups), key=lambda g: (-g.count, -g.last_seen))


def similar(a: str, b: str) -> bool:
    """Return True when two compact questions are near-duplicates."""
    if a == b:
        return True
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= NEAR_DUPLICATE and m.quick_ratio() >= NEAR_DUPLICATE and m.ratio() >= NEAR_DUPLICATE
