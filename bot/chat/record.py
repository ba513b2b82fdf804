"""What the chat writes down: the question log, feedback, and what it hands to staff's review queues.

Which queue a question goes to (未答出, or the low 已拒答 / 噪声 for declined topics, small talk and noise) is
decided here, with the words of data/review.yaml; staff read the queues (bot/staff/inbox.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from retrieval.followup import FollowUpWords
from retrieval.loader import DATA_DIR, CatalogueError, read_yaml
from retrieval.search import MAX_QUESTION, SearchResult
from retrieval.text import compact, normalise

from .core import Exchange

# A previous answer older than this is not what a question followed up.
CONTEXT_SECONDS = 3600.0


@dataclass(frozen=True)
class ReviewWords:
    """data/review.yaml: the requests that go to the 噪声/闲聊 queue."""

    noise: tuple[str, ...] = ()


def _words(path: Path, raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and compact(w) for w in raw):
        raise CatalogueError(path, None, where, "expected a list of words")
    return tuple(compact(w) for w in raw)


@lru_cache(maxsize=4)
def load_review_words(data_dir: str | None = None) -> ReviewWords:
    """Load and validate data/review.yaml."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "review.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"noise"}:
        raise CatalogueError(path, None, None, "expected the key noise")
    return ReviewWords(_words(path, raw["noise"], "noise"))


def is_noise(text: str, words: ReviewWords | None = None) -> bool:
    """Return True for a message too short, digit-only or off-purpose to be worth teaching from."""
    words = words or load_review_words()
    c = compact(text)
    if len(c) <= 1 or c.isdigit() or re.fullmatch(r"[a-z]{1,2}", c):
        return True
    return any(p in c for p in words.noise)


def own_words(result: SearchResult, marks: FollowUpWords) -> tuple[str, ...]:
    """Return a question's content words that are its own: not the words that only point back at what was
    shown (还有类似的吗, 这个呢, 刚才那个)."""
    pointers = (*marks.related, *marks.pronoun, *marks.back, *marks.compare, *marks.correct)
    return tuple(w for w in result.content if not any(w in p or p in w for p in pointers))


def queue_for(kind: str, text: str, reason: str = "", words: ReviewWords | None = None, pointer: bool = False) -> str:
    """Return the queue a question goes to: its kind's own, or 已拒答 / 噪声 for an unanswered one. A `pointer`
    (a question whose only words point back at an answer: 还有类似的吗) has nothing to teach: 噪声."""
    if kind != "unanswered":
        return kind
    if reason in ("chitchat", "empty") or pointer or is_noise(text, words):
        return "noise"
    if reason in ("out_of_scope", "other_level"):
        return "declined"
    return "unanswered"


def context_of(t: Exchange) -> tuple[str | None, str | None]:
    """Return (logged question, answer id) of the answer the user had just seen, if it is recent."""
    ctx = t.session.context
    if ctx is None or not ctx.at or t.a.clock() - ctx.at > CONTEXT_SECONDS:
        return None, None
    return ctx.query, ctx.answer


async def enqueue_unanswered(t: Exchange, text: str, result: SearchResult, query_id: str) -> None:
    """Queue a question the assistant did not answer, with what the user had just seen."""
    _, answer = context_of(t)
    pointer = bool(result.content) and not own_words(result, t.a.searcher.parts.followup)
    await t.a.storage.inbox.enqueue(normalise(text), text[:MAX_QUESTION], "unanswered", [h.id for h in result.hits[:3]],
                                    queue=queue_for("unanswered", text, result.reason, pointer=pointer),
                                    context_answer=answer, query_id=query_id)


async def enqueue_feedback(t: Exchange, query_id: str, kind: str, text: str, guesses: Iterable[str]) -> None:
    """Queue a question given 👎 or 都不是, with the answer its asker had seen before asking it."""
    q = await t.a.storage.queries.query(query_id)
    answer = q.ctx_answer if q is not None else context_of(t)[1]
    await t.a.storage.inbox.enqueue(normalise(text), text[:MAX_QUESTION], kind, guesses, queue=kind,
                                    context_answer=answer, query_id=query_id)


async def log_question(t: Exchange, text: str, result: SearchResult, *, shown: str | None,
                       decision: str | None = None, reason: str | None = None) -> str:
    """Log a question with its decision and hits, and the answer it may follow up; return the query id."""
    ctx_query, ctx_answer = context_of(t)
    return await t.a.storage.queries.log_query(
        user_key=t.key, chat_type=t.sender.chat_type, text=text[:MAX_QUESTION], norm=normalise(text)[:MAX_QUESTION],
        decision=decision or result.decision.value, reason=reason or result.reason,
        hits=[(h.id, h.score) for h in result.hits], shown=shown, ctx_query=ctx_query, ctx_answer=ctx_answer)


async def logged_question(t: Exchange, query_id: str) -> tuple[str, list[str]]:
    """Return the text and top guesses of a logged question of this user (the session's copy while it waits)."""
    q = await t.a.storage.queries.query(query_id)
    if q is not None and q.user_key != t.key:
        return "", []
    text = (q.text if q else None) or (t.session.last_text if t.session.last_query == query_id else "")
    return text or "", [h for h, _ in q.hits][:3] if q else []


async def asked_by_another(t: Exchange, query_id: str) -> bool:
    """Return True when the logged question was asked by someone else (a suggestion list in a group)."""
    q = await t.a.storage.queries.query(query_id)
    return q is not None and q.user_key != t.key


async def _own_query(t: Exchange, query_id: str) -> bool:
    """Return True when the query was asked by the presser (or is their own question still being written)."""
    q = await t.a.storage.queries.query(query_id)
    if q is None:
        return t.session.last_query == query_id
    return q.user_key == t.key


async def record_feedback(t: Exchange, query_id: str, kind: str) -> bool:
    """Record feedback once per user and question; 👎 and 都不是 also queue the question for staff.

    Return False when this feedback was already given (or the question is not the presser's).
    """
    storage = t.a.storage
    if not await _own_query(t, query_id) or await storage.queries.feedback_exists(query_id, t.key, kind):
        return False
    await storage.queries.add_feedback(query_id, t.key, kind)
    if kind != "up":
        text, guesses = await logged_question(t, query_id)
        if text:
            await enqueue_feedback(t, query_id, kind, text, guesses)
    return True
