"""The staff inbox: the queues, which questions are near-duplicates, and what a follow-up should be taught as.

Queues (what staff see, in this order): 未答出 (unanswered), 未选择 (suggestions shown and abandoned),
👎, 都不是, 留言 (tickets, read from their own table), 已拒答 (declined out-of-scope topics) and the
low-priority 噪声/闲聊 (very short, digit- or emoji-only messages, small talk, requests the assistant is not
for). The chat decides which queue a question enters (bot/chat/record.py, with data/review.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from retrieval.decide import Decision
from retrieval.search import MAX_QUESTION, SearchResult
from retrieval.text import compact

from ..chat.record import ReviewWords, load_review_words
from ..store import PURGED, ReviewItem

QUEUES = ("unanswered", "suggest", "down", "none", "ticket", "declined", "noise")
# What Telegram's /review and the "top unanswered" figures show: questions staff can teach from.
ACTIONABLE = ("unanswered", "suggest", "down", "none")
# Questions at least this similar (difflib ratio of their compact forms) are shown as one group.
NEAR_DUPLICATE = 0.8


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
