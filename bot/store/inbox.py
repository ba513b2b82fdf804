"""The review queue staff work through: 未答出, 未选择, 👎, 都不是, 已拒答, 噪声 (tickets are their own table).

A question asked again in the same queue and context adds to its row (count, first and last seen)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .database import Database, new_id
from .rows import ReviewItem

# One question asked again in the same queue and context adds to its group.
_ENQUEUE = (
    "INSERT INTO review_items (id, queue, norm, context_answer, sample, count, first_seen, last_seen, status, kinds, "
    "guesses, query_id) VALUES (?, ?, ?, ?, ?, 1, ?, ?, 'pending', ?, ?, ?) "
    "ON CONFLICT (queue, context_answer, norm) DO UPDATE SET count = count + 1, "
    "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen), "
    "sample = excluded.sample, status = 'pending', query_id = coalesce(excluded.query_id, query_id), "
    "kinds = CASE WHEN instr(',' || kinds || ',', ',' || excluded.kinds || ',') > 0 THEN kinds "
    "ELSE trim(kinds || ',' || excluded.kinds, ',') END, "
    "guesses = CASE WHEN excluded.guesses != '[]' THEN excluded.guesses ELSE guesses END")


class ReviewQueue:
    """The review queue: questions waiting for staff, one queue each, grouped per context."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, norm: str, sample: str, kind: str, guesses: Iterable[str], *, queue: str | None = None,
                      context_answer: str | None = None, query_id: str | None = None) -> bool:
        """Add a question to a review queue, grouped with the same normalised question in the same context.

        `kind` says why it is there (unanswered, down, none …), `queue` which list staff see it in (by
        default the kind's own), `context_answer` the answer the user had just seen, `query_id` the log row.
        """
        now = self.db.clock()
        return await self.db.write(_ENQUEUE, (new_id(), queue or kind, norm, context_answer or "", sample, now, now, kind,
                                              json.dumps(list(guesses)[:3]), query_id))

    def _inbox_sql(self, where: str) -> str:
        return ("SELECT r.*, q.shown AS shown, c.text AS context_text FROM review_items r "
                "LEFT JOIN queries q ON q.id = r.query_id LEFT JOIN queries c ON c.id = q.ctx_query "
                f"WHERE {where}")

    async def review_items(self, status: str = "pending", limit: int = 5, offset: int = 0,
                           queues: Iterable[str] | None = None) -> list[ReviewItem]:
        """Return queue items (of some queues, or all), most frequent and newest first, with their context."""
        chosen = list(queues) if queues is not None else None
        where = "r.status = ?" + (f" AND r.queue IN ({','.join('?' * len(chosen))})" if chosen is not None else "")
        rows = await self.db.read(self._inbox_sql(where) + " ORDER BY r.count DESC, r.last_seen DESC LIMIT ? OFFSET ?",
                                  (status, *(chosen or ()), limit, offset))
        return [ReviewItem.from_row(r) for r in rows]

    async def review_count(self, status: str = "pending", queues: Iterable[str] | None = None) -> int:
        """Return how many queue items have this status (in some queues, or all)."""
        chosen = list(queues) if queues is not None else None
        where = "status = ?" + (f" AND queue IN ({','.join('?' * len(chosen))})" if chosen is not None else "")
        rows = await self.db.read(f"SELECT count(*) AS n FROM review_items WHERE {where}", (status, *(chosen or ())))
        return int(rows[0]["n"])

    async def review_counts(self) -> dict[str, int]:
        """Return how many pending items each queue holds, and open tickets as 'ticket'."""
        rows = await self.db.read("SELECT queue, count(*) AS n FROM review_items WHERE status = 'pending' GROUP BY queue")
        counts = {r["queue"]: int(r["n"]) for r in rows}
        (t,) = await self.db.read("SELECT count(*) AS n FROM tickets WHERE status = 'open'")
        counts["ticket"] = int(t["n"])
        return counts

    async def review_item(self, item_id: str) -> ReviewItem | None:
        """Return one queue item, with its context."""
        rows = await self.db.read(self._inbox_sql("r.id = ?"), (item_id,))
        return ReviewItem.from_row(rows[0]) if rows else None

    async def sweep_abandoned(self, minutes: int) -> int:
        """Move questions that got only suggestions and whose asker did nothing more — picked none, gave no
        feedback (都不是 included) and asked nothing else within `minutes` — to the 未选择 queue. A list of more
        like an answer (还有类似的吗, reason 'related') is not a question that failed and is never moved.

        A question counts as abandoned `minutes` after it was asked; each is moved once. Return how many.
        """
        window = minutes * 60
        cutoff = self.db.clock() - window
        rows = await self.db.read(
            "SELECT q.id, q.ts, q.text, q.norm, q.hits, q.ctx_answer FROM queries q WHERE q.decision = 'suggest' "
            "AND q.swept = 0 AND q.ts <= ? AND q.shown IS NULL AND q.text IS NOT NULL AND q.reason != 'related' "
            "AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.query_id = q.id) "
            "AND NOT EXISTS (SELECT 1 FROM queries n WHERE n.ts > q.ts AND n.ts <= q.ts + ? AND n.user_key = q.user_key) "
            "ORDER BY q.ts LIMIT 1000", (cutoff, window))
        async with self.db.change() as db:
            for r in rows:
                guesses = [h for h, _ in json.loads(r["hits"] or "[]")][:3]
                await db.execute(_ENQUEUE, (new_id(), "suggest", r["norm"], r["ctx_answer"] or "", r["text"], r["ts"],
                                            r["ts"], "suggest", json.dumps(guesses), r["id"]))
            # Every suggestion older than the cutoff is settled now: picked, refused, or moved above.
            await db.execute("UPDATE queries SET swept = 1 WHERE decision = 'suggest' AND swept = 0 AND ts <= ?",
                             (cutoff,))
        return len(rows)

    async def queue_export_rows(self, queue: str, days: int | None = None) -> list[dict[str, Any]]:
        """Return one queue's pending items (or open tickets) seen in the last `days`, for CSV export."""
        since = self.db.clock() - days * 86400 if days else float("-inf")
        if queue == "ticket":
            rows = await self.db.read("SELECT id, ts AS last_seen, ts AS first_seen, 1 AS count, text, status "
                                      "FROM tickets WHERE status = 'open' AND ts >= ? ORDER BY ts", (since,))
            return [dict(r, queue="ticket", context_text=None, context_answer="") for r in rows]
        rows = await self.db.read(
            self._inbox_sql("r.status = 'pending' AND r.queue = ? AND r.last_seen >= ?")
            + " ORDER BY r.count DESC, r.last_seen DESC", (queue, since))
        return [dict(r, text=r["sample"]) for r in rows]
