"""Tickets (a user's message for staff) and the outbox (replies written in the console, sent by the running bot).

A ticket keeps its chat id only while it is open (and for a day after it is closed without reply)."""

from __future__ import annotations

import aiosqlite

from . import audit
from .database import ChangeRefused, Database, new_id
from .rows import OutboxMessage, Ticket


class Tickets:
    """Messages users left for staff, and staff replies waiting for the running bot to send."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def open_ticket(self, user_key: str, chat_id: int, text: str) -> str:
        """Store a user's message for staff; the chat id is kept only while the ticket is open."""
        tid = new_id()
        await self.db.write("INSERT INTO tickets (id, ts, user_key, chat_id, text, status) VALUES (?, ?, ?, ?, ?, 'open')",
                            (tid, self.db.clock(), user_key, chat_id, text))
        return tid

    async def tickets(self, status: str = "open", limit: int = 5, offset: int = 0) -> list[Ticket]:
        """Return tickets, oldest first."""
        rows = await self.db.read("SELECT * FROM tickets WHERE status = ? ORDER BY ts LIMIT ? OFFSET ?",
                                  (status, limit, offset))
        return [Ticket.from_row(r) for r in rows]

    async def ticket(self, ticket_id: str) -> Ticket | None:
        """Return one ticket."""
        rows = await self.db.read("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return Ticket.from_row(rows[0]) if rows else None

    async def answer_ticket(self, ticket_id: str, answer: str, by: str = "", summary: str = "") -> int:
        """Close an open ticket with the staff answer and forget its chat id; return the chat id (the caller
        delivers the answer there). Checked and written in one transaction: ChangeRefused("ticket_gone") when
        it is no longer open (another member of staff answered it first) or its chat id was purged."""
        async with self.db.change() as db:
            chat_id = await self._answer_open(db, ticket_id, answer, by)
            await audit.record(db, self.db.clock(), by or "cli", "reply", summary or f"reply {ticket_id}")
        return chat_id

    async def reply_ticket(self, ticket_id: str, answer: str, html: str, who: str, summary: str) -> str:
        """Answer a ticket from the console: queue the message for the running bot, close the ticket; audit id.

        Raise ChangeRefused when the ticket is no longer open. A reply that was sent cannot be undone.
        """
        async with self.db.change() as db:
            chat_id = await self._answer_open(db, ticket_id, answer, who)
            await db.execute("INSERT INTO outbox (id, ts, chat_id, html) VALUES (?, ?, ?, ?)",
                             (new_id(), self.db.clock(), chat_id, html))
            return await audit.record(db, self.db.clock(), who, "reply", summary)

    async def _answer_open(self, db: aiosqlite.Connection, ticket_id: str, answer: str, who: str) -> int:
        """In the change's transaction: close an open ticket with its answer and forget its chat id; return the
        chat id. ChangeRefused("ticket_gone") when it is no longer open or its chat id was purged."""
        async with db.execute("SELECT chat_id FROM tickets WHERE id = ? AND status = 'open' "
                              "AND chat_id IS NOT NULL", (ticket_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise ChangeRefused("ticket_gone")
        await db.execute("UPDATE tickets SET status = 'answered', answer = ?, answered_at = ?, chat_id = NULL, "
                         "closed_by = ? WHERE id = ?", (answer, self.db.clock(), who, ticket_id))
        return int(row["chat_id"])

    async def close_ticket(self, ticket_id: str, who: str, summary: str) -> str:
        """Close a ticket without a reply; return the audit id (ChangeRefused when it is not open)."""
        async with self.db.change() as db:
            cur = await db.execute("UPDATE tickets SET status = 'closed', answered_at = ?, closed_by = ? "
                                   "WHERE id = ? AND status = 'open'", (self.db.clock(), who, ticket_id))
            if not cur.rowcount:
                raise ChangeRefused("ticket_gone")
            return await audit.record(db, self.db.clock(), who, "close", summary, {"tickets": [ticket_id]})

    async def outbox(self, limit: int = 20, chat_id: int | None = None) -> list[OutboxMessage]:
        """Return console replies waiting to be delivered (to one chat, or to any), oldest first."""
        chat = "" if chat_id is None else " AND chat_id = ?"
        rows = await self.db.read("SELECT id, chat_id, html FROM outbox WHERE sent_at IS NULL AND chat_id IS NOT NULL"
                                  f"{chat} ORDER BY ts LIMIT ?", ((chat_id,) if chat_id is not None else ()) + (limit,))
        return [OutboxMessage.from_row(r) for r in rows]

    async def outbox_done(self, message_id: str) -> bool:
        """Mark a console reply as handled (sent or undeliverable) and forget its chat id and text."""
        return await self.db.write("UPDATE outbox SET sent_at = ?, chat_id = NULL, html = NULL WHERE id = ?",
                                   (self.db.clock(), message_id))
