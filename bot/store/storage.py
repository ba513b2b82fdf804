"""The store: one database and a small repository per domain, opened and closed together.

    storage = Storage(path); await storage.open()
    storage.queries   the query log, feedback, check events        (bot/store/queries.py)
    storage.inbox     the review queue                             (bot/store/inbox.py)
    storage.taught    aliases, terms, out-of-scope examples; staff changes and undo (bot/store/taught.py)
    storage.tickets   messages for staff and the outbox of replies (bot/store/tickets.py)
    storage.signin    console login tokens and sessions            (bot/store/signin.py)
    storage.sessions  per-chat sessions                            (bot/store/sessions.py)
    storage.stats     figures and export rows                      (bot/store/stats.py)
    storage.handled   updates handled, with their replies (a day)  (bot/store/handled.py)

Retention (`purge`) spans every table, so it lives here.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from .database import Database
from .handled import KEEP_SECONDS, HandledUpdates
from .inbox import ReviewQueue
from .queries import QueryLog
from .sessions import Sessions
from .signin import SignIn
from .stats import Stats
from .taught import Taught
from .tickets import Tickets

# A closed ticket keeps its chat id this long, so that closing it can be undone; then retention forgets it.
CLOSE_UNDO_SECONDS = 86400.0


class Storage:
    """The assistant's SQLite database and its repositories."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time, retry_seconds: float = 5.0,
                 create: bool = True) -> None:
        """`create` False: open an existing database only (the staff tools; only the bot creates one)."""
        self.database = Database(path, clock=clock, retry_seconds=retry_seconds, create=create)
        self.queries = QueryLog(self.database)
        self.inbox = ReviewQueue(self.database)
        self.taught = Taught(self.database)
        self.tickets = Tickets(self.database)
        self.signin = SignIn(self.database)
        self.sessions = Sessions(self.database)
        self.stats = Stats(self.database)
        self.handled = HandledUpdates(self.database)

    @property
    def path(self) -> str:
        """Return the database path (BOT_DB_PATH)."""
        return self.database.path

    async def open(self) -> None:
        """Open (creating if needed), check and migrate the database; raise StorageError if it is unusable."""
        await self.database.open()

    async def close(self) -> int:
        """Flush what can be flushed, close the connection, and return how many rows could not be written."""
        return await self.database.close()

    async def flush(self) -> int:
        """Retry queued writes now; return how many rows still wait."""
        return await self.database.flush()

    @property
    def pending_writes(self) -> int:
        """Return how many rows wait for a retry."""
        return self.database.pending_writes

    @asynccontextmanager
    async def batch(self, own: bool = False) -> AsyncIterator[None]:
        """Collect the writes made inside into one transaction (see Database.batch)."""
        async with self.database.batch(own):
            yield

    async def purge(self, retention_days: int) -> None:
        """Erase raw text older than the retention period (questions, queue samples, tickets, idle sessions)."""
        db = self.database
        cutoff = db.clock() - retention_days * 86400
        async with db.batch():
            await db.write("UPDATE queries SET text = NULL, norm = '' WHERE ts < ? AND text IS NOT NULL",
                           (cutoff,))
            await db.write("UPDATE review_items SET sample = NULL, norm = 'purged:' || id "
                           "WHERE last_seen < ? AND sample IS NOT NULL", (cutoff,))
            # Tickets go with the same period whether or not anyone answered them: text, answer and chat id.
            await db.write("UPDATE tickets SET status = CASE status WHEN 'open' THEN 'expired' ELSE status END, "
                           "text = NULL, answer = NULL, chat_id = NULL WHERE ts < ? "
                           "AND (text IS NOT NULL OR chat_id IS NOT NULL)", (cutoff,))
            # A ticket closed without reply kept its chat id so that closing could be undone; not for longer.
            await db.write("UPDATE tickets SET chat_id = NULL WHERE status = 'closed' AND chat_id IS NOT NULL "
                           "AND answered_at < ?", (db.clock() - CLOSE_UNDO_SECONDS,))
            # Sessions hold the last question of each chat: forget chats idle for the whole period.
            await db.write("DELETE FROM sessions WHERE updated_at < ?", (cutoff,))
            # Staff change summaries quote questions: they go with the questions.
            await db.write("UPDATE audit SET summary = NULL WHERE ts < ? AND summary IS NOT NULL", (cutoff,))
            await db.write("DELETE FROM outbox WHERE sent_at IS NOT NULL OR ts < ?", (cutoff,))
            now = db.clock()
            await db.write("DELETE FROM login_tokens WHERE expires_at < ?", (now - 86400,))
            await db.write("DELETE FROM console_sessions WHERE expires_at < ?", (now - 86400,))
            await db.write("DELETE FROM handled_updates WHERE ts < ?", (now - min(KEEP_SECONDS, retention_days * 86400),))
        self.sessions.forget_idle(cutoff)
        # secure_delete (set at open) overwrote the erased text in the database file; the log's old frames
        # still hold it until they are folded in and the log emptied.
        await db.truncate_log()
