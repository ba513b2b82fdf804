"""The log of what users did: questions with their decision and hits, 👍/👎/都不是, and check events (no answers)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .database import Database, new_id
from .rows import LoggedQuery


class QueryLog:
    """The query log: questions, their feedback, and eligibility-check events."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def log_query(self, *, user_key: str, chat_type: str, text: str, norm: str, decision: str,
                        reason: str, hits: Iterable[tuple[str, float]], shown: str | None,
                        ctx_query: str | None = None, ctx_answer: str | None = None) -> str:
        """Log a question (with the previous question and answer it may follow up) and return its id."""
        qid = new_id()
        hits_json = json.dumps([[h, round(s, 3) if s != float("inf") else 1e9] for h, s in hits][:5])
        await self.db.write(
            "INSERT INTO queries (id, ts, user_key, chat_type, text, norm, decision, reason, hits, shown, "
            "ctx_query, ctx_answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (qid, self.db.clock(), user_key, chat_type, text, norm, decision, reason, hits_json, shown,
             ctx_query, ctx_answer))
        return qid

    async def query(self, query_id: str) -> LoggedQuery | None:
        """Return one logged question."""
        rows = await self.db.read(
            "SELECT id, ts, user_key, text, norm, decision, reason, hits, shown, ctx_query, ctx_answer "
            "FROM queries WHERE id = ?", (query_id,))
        return LoggedQuery.from_row(rows[0]) if rows else None

    async def set_shown(self, query_id: str, service_id: str) -> bool:
        """Record which service a question ended up showing (after a suggestion was chosen)."""
        return await self.db.write("UPDATE queries SET shown = ? WHERE id = ?", (service_id, query_id))

    async def add_feedback(self, query_id: str, user_key: str, kind: str) -> bool:
        """Record 👍/👎/都不是 once per user and question."""
        return await self.db.write(
            "INSERT OR IGNORE INTO feedback (id, query_id, ts, user_key, kind) VALUES (?, ?, ?, ?, ?)",
            (new_id(), query_id, self.db.clock(), user_key, kind))

    async def feedback_exists(self, query_id: str, user_key: str, kind: str) -> bool:
        """Return True when this feedback was already given."""
        rows = await self.db.read("SELECT 1 FROM feedback WHERE query_id = ? AND user_key = ? AND kind = ?",
                                  (query_id, user_key, kind))
        return bool(rows)

    async def log_flow_event(self, user_key: str, flow_id: str, event: str, verdict: str | None = None) -> bool:
        """Record a flow start, verdict, cancel or expiry (no personal answers)."""
        return await self.db.write(
            "INSERT INTO flow_events (id, ts, user_key, flow_id, event, verdict) VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), self.db.clock(), user_key, flow_id, event, verdict))
