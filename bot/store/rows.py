"""The rows the store returns: typed, frozen, built from SQLite rows by column name."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

# What a purged text reads as (after BOT_RETENTION_DAYS).
PURGED = "（已按保存期限清除）"


def _col(r: sqlite3.Row, name: str, default: Any = None) -> Any:
    """Return a column of a row, or the default when the query did not select it."""
    return r[name] if name in r.keys() else default


@dataclass(frozen=True)
class ReviewItem:
    """A pending question (or group of identical questions in one queue and context) for staff."""

    id: str
    sample: str
    count: int
    first_seen: float
    last_seen: float
    kinds: tuple[str, ...]
    guesses: tuple[str, ...]
    status: str
    service_id: str | None
    queue: str = "unanswered"
    context_answer: str = ""      # the answer the user had just seen when asking ('' for none)
    context_text: str | None = None  # the question that answer was for (None when unknown or purged)
    shown: str | None = None      # what the latest occurrence showed (the card a 👎 was given on)
    query_id: str | None = None   # the latest occurrence in the query log

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> ReviewItem:
        """Build from a review_items row (optionally joined with its query and context), by column name."""
        return cls(id=r["id"], sample=r["sample"] or PURGED, count=int(r["count"]), first_seen=r["first_seen"],
                   last_seen=r["last_seen"], kinds=tuple(k for k in (r["kinds"] or "").split(",") if k),
                   guesses=tuple(json.loads(r["guesses"] or "[]")), status=r["status"],
                   service_id=r["service_id"], queue=_col(r, "queue", "unanswered"),
                   context_answer=_col(r, "context_answer", "") or "", context_text=_col(r, "context_text"),
                   shown=_col(r, "shown"), query_id=_col(r, "query_id"))


@dataclass(frozen=True)
class Ticket:
    """A message a user left for staff."""

    id: str
    ts: float
    user_key: str
    chat_id: int | None
    text: str | None
    status: str
    answer: str | None = None
    closed_by: str | None = None

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> Ticket:
        """Build from a tickets row, by column name."""
        return cls(id=r["id"], ts=r["ts"], user_key=r["user_key"], chat_id=r["chat_id"], text=r["text"],
                   status=r["status"], answer=_col(r, "answer"), closed_by=_col(r, "closed_by"))


@dataclass(frozen=True)
class Alias:
    """A question staff linked to a service."""

    id: str
    text: str
    service_id: str
    created_at: float
    created_by: str = ""

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> Alias:
        """Build from a learned_aliases row, by column name."""
        return cls(id=r["id"], text=r["text"], service_id=r["service_id"], created_at=r["created_at"],
                   created_by=_col(r, "created_by", "") or "")


@dataclass(frozen=True)
class TaughtRow:
    """A term (typed → meant) or an out-of-scope example taught by staff."""

    id: str
    kind: str          # 'term' or 'out_of_scope'
    text: str
    target: str        # what a term means ('' for an out-of-scope example)
    created_at: float
    created_by: str

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> TaughtRow:
        """Build from a taught row, by column name."""
        return cls(id=r["id"], kind=r["kind"], text=r["text"], target=r["target"], created_at=r["created_at"],
                   created_by=r["created_by"])


@dataclass(frozen=True)
class AuditEntry:
    """One staff change: when, who, what, and whether it can be (or was) undone."""

    id: str
    ts: float
    who: str
    action: str
    summary: str
    undoable: bool
    undone_at: float | None
    undone_by: str | None

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> AuditEntry:
        """Build from an audit row, by column name."""
        return cls(id=r["id"], ts=r["ts"], who=r["who"], action=r["action"], summary=r["summary"] or PURGED,
                   undoable=bool(r["undoable"]), undone_at=r["undone_at"], undone_by=r["undone_by"])


@dataclass(frozen=True)
class OutboxMessage:
    """A reply written in the console, waiting for the running bot to deliver it."""

    id: str
    chat_id: int
    html: str

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> OutboxMessage:
        """Build from an outbox row, by column name."""
        return cls(id=r["id"], chat_id=int(r["chat_id"]), html=r["html"])


@dataclass(frozen=True)
class LoggedQuery:
    """One logged question."""

    id: str
    ts: float
    user_key: str
    text: str | None
    norm: str
    decision: str
    reason: str
    hits: tuple[tuple[str, float], ...]
    shown: str | None
    ctx_query: str | None = None
    ctx_answer: str | None = None

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> LoggedQuery:
        """Build from a queries row, by column name."""
        return cls(id=r["id"], ts=r["ts"], user_key=r["user_key"], text=r["text"], norm=r["norm"],
                   decision=r["decision"], reason=r["reason"],
                   hits=tuple((h, s) for h, s in json.loads(r["hits"] or "[]")), shown=r["shown"],
                   ctx_query=_col(r, "ctx_query"), ctx_answer=_col(r, "ctx_answer"))
