"""The staff inbox: the queues, which questions are near-duplicates, and which depend on the answer before them.

Queues (what staff see, in this order): 未答出 (unanswered), 未选择 (suggestions shown and abandoned),
👎, 都不是, 留言 (tickets, read from their own table), 已拒答 (declined out-of-scope topics) and the
low-priority 噪声/闲聊 (very short, digit- or emoji-only messages, small talk, requests the assistant is not
for). The chat decides which queue a question enters (bot/chat/record.py, with data/review.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from retrieval.decide import Decision
from retrieval.followup import FollowUpWords
from retrieval.outcome import Reason
from retrieval.search import SearchResult
from retrieval.text import compact

from ..chat.record import own_words
from ..store import PURGED, ReviewItem

QUEUES = ("unanswered", "suggest", "down", "none", "ticket", "declined", "noise")
# What Telegram's /review and the "top unanswered" figures show: questions staff can teach from.
ACTIONABLE = ("unanswered", "suggest", "down", "none")
# Questions at least this similar (difflib ratio of their compact forms) are shown as one group.
NEAR_DUPLICATE = 0.8


# Declined as someone else's business, or not a question: a subject of its own, whatever came before.
OWN_SUBJECT = (Reason.OUT_OF_SCOPE, Reason.OTHER_LEVEL, Reason.SMALLTALK, Reason.HUMAN)


def _in_context(item: ReviewItem, alone: SearchResult) -> bool:
    """Return True when a question came right after an answer, is not answered alone and is not declined as
    a subject of its own (今天天津天气咋样)."""
    return bool(item.context_answer) and item.sample != PURGED and alone.decision is not Decision.ANSWERED \
        and alone.reason not in OWN_SUBJECT


def depends_on_context(item: ReviewItem, alone: SearchResult, marks: FollowUpWords) -> bool:
    """Return True when a queued question means nothing without the answer before it: no word of its own
    beyond what it asks about that answer (那年龄呢, 有年龄限制吗, 电话多少). Linking it alone would answer
    everyone who asks it with one service; it can only be taught in its context."""
    return _in_context(item, alone) and not alone.content


def needs_context(item: ReviewItem, alone: SearchResult, marks: FollowUpWords, service: str) -> bool:
    """Return True when linking a question to `service` should be taught in its context: it depends on it, or
    the service is the answer the user had just seen and the question alone does not lead there (网上能查进度吗
    after 13). A question of its own linked elsewhere (科协在哪办公 → 69 after 17) is linked as it is."""
    return depends_on_context(item, alone, marks) or (_in_context(item, alone) and service == item.context_answer)


def linkable(alone: SearchResult, marks: FollowUpWords) -> bool:
    """Return False for a question whose only words point back at what was shown (还有类似的吗): no service
    is what it asks."""
    return not alone.content or bool(own_words(alone, marks))


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
