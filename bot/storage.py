"""SQLite storage through aiosqlite: the only module with SQL in it.

One database file holds the query log, feedback, the unanswered queue, hand-off tickets, learned
aliases, flow events and per-user sessions. The schema is versioned and migrated forward at start
(never dropped). Row ids are generated here rather than by SQLite, so a button can carry the id of
a log row even while its insert waits in the retry queue: a write that fails (locked, read-only,
disk full) is logged, kept in memory and retried, and the user notices nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

# Each migration moves the schema one version forward; applied in order, each in one transaction.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS queries (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, chat_type TEXT NOT NULL,
            text TEXT, norm TEXT NOT NULL, decision TEXT NOT NULL, hits TEXT NOT NULL DEFAULT '[]',
            shown TEXT)""",
        "CREATE INDEX IF NOT EXISTS queries_ts ON queries (ts)",
        """CREATE TABLE IF NOT EXISTS feedback (
            id TEXT PRIMARY KEY, query_id TEXT NOT NULL, ts REAL NOT NULL, user_key TEXT NOT NULL,
            kind TEXT NOT NULL, UNIQUE (query_id, user_key, kind))""",
        """CREATE TABLE IF NOT EXISTS review_items (
            id TEXT PRIMARY KEY, norm TEXT NOT NULL UNIQUE, sample TEXT, count INTEGER NOT NULL,
            first_seen REAL NOT NULL, last_seen REAL NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
            kinds TEXT NOT NULL DEFAULT '', guesses TEXT NOT NULL DEFAULT '[]', service_id TEXT,
            resolved_at REAL)""",
        """CREATE TABLE IF NOT EXISTS learned_aliases (
            id TEXT PRIMARY KEY, text TEXT NOT NULL, norm TEXT NOT NULL, service_id TEXT NOT NULL,
            created_at REAL NOT NULL, removed_at REAL)""",
        """CREATE TABLE IF NOT EXISTS sessions (
            user_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)""",
    ]),
    (2, [
        "ALTER TABLE queries ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE IF NOT EXISTS flow_events (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, flow_id TEXT NOT NULL,
            event TEXT NOT NULL, verdict TEXT)""",
        "CREATE INDEX IF NOT EXISTS flow_events_ts ON flow_events (ts)",
    ]),
    (3, [
        """CREATE TABLE IF NOT EXISTS tickets (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, chat_id INTEGER,
            text TEXT, status TEXT NOT NULL DEFAULT 'open', answer TEXT, answered_at REAL)""",
        "CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status)",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
_REVIEW_COLUMNS = "id, sample, count, first_seen, last_seen, kinds, guesses, status, service_id"
_TICKET_COLUMNS = "id, ts, user_key, chat_id, text, status"


class StorageError(RuntimeError):
    """The database cannot be opened; str() is one line naming the file."""


@dataclass(frozen=True)
class ReviewItem:
    """A pending question (or group of identical questions) for staff."""

    id: str
    sample: str
    count: int
    first_seen: float
    last_seen: float
    kinds: tuple[str, ...]
    guesses: tuple[str, ...]
    status: str
    service_id: str | None


@dataclass(frozen=True)
class Ticket:
    """A message a user left for staff."""

    id: str
    ts: float
    user_key: str
    chat_id: int | None
    text: str
    status: str


@dataclass(frozen=True)
class Alias:
    """A question staff linked to a service."""

    id: str
    text: str
    service_id: str
    created_at: float


def new_id() -> str:
    """Return a short random row id (fits in Telegram callback data)."""
    return secrets.token_hex(5)


class Storage:
    """All reads and writes of the assistant's SQLite database."""

    def __init__(self, path: str | Path, *, clock: Any = time.time, retry_seconds: float = 5.0) -> None:
        self.path = str(path)
        self._db: aiosqlite.Connection | None = None
        self._clock = clock
        self._pending: deque[tuple[str, tuple[Any, ...]]] = deque(maxlen=100_000)
        self._retry_seconds = retry_seconds
        self._retry_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        """Open (creating if needed) and migrate the database; raise StorageError if it is unusable."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = await aiosqlite.connect(self.path, timeout=5.0)
            await self._db.execute("PRAGMA busy_timeout = 5000")
            if self.path != ":memory:":
                await self._db.execute("PRAGMA journal_mode = WAL")
            await self._db.execute("PRAGMA synchronous = NORMAL")
            await self._migrate()
        except sqlite3.DatabaseError as exc:
            if self._db is not None:
                await self._db.close()
                self._db = None
            raise StorageError(f"BOT_DB_PATH {self.path}: cannot use the database ({exc})") from None
        except OSError as exc:
            raise StorageError(f"BOT_DB_PATH {self.path}: {exc.strerror or exc}") from None

    async def close(self) -> None:
        """Flush what can be flushed and close the connection."""
        if self._retry_task:
            self._retry_task.cancel()
            self._retry_task = None
        if self._db is not None:
            await self.flush()
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("Storage.open() was not called")
        return self._db

    async def schema_version(self) -> int:
        """Return the schema version recorded in the database (0 for a new file)."""
        await self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        async with self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        current = await self.schema_version()
        for version, statements in MIGRATIONS:
            if current < version <= target:
                try:
                    await self.db.execute("BEGIN")
                    for sql in statements:
                        await self.db.execute(sql)
                    await self.db.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
                    await self.db.commit()
                except Exception:
                    await self.db.rollback()
                    raise
                log.info("database %s migrated to schema version %d", self.path, version)

    # -- writes with retry ----------------------------------------------------------------------

    async def _write(self, sql: str, params: tuple[Any, ...] = ()) -> bool:
        """Run one write; on failure keep it for retry and return False (never raises)."""
        async with self._lock:
            if self._pending:
                await self._flush_locked()
            try:
                await self.db.execute(sql, params)
                await self.db.commit()
                return True
            except (sqlite3.Error, OSError, ValueError) as exc:
                log.error("database write failed, will retry (%s): %s", exc, sql.split("(")[0].strip())
                self._pending.append((sql, params))
                self._schedule_retry()
                return False

    def _schedule_retry(self) -> None:
        if self._retry_task is None or self._retry_task.done():
            try:
                self._retry_task = asyncio.get_running_loop().create_task(self._retry_loop())
            except RuntimeError:
                pass

    async def _retry_loop(self) -> None:
        while self._pending:
            await asyncio.sleep(self._retry_seconds)
            async with self._lock:
                await self._flush_locked()

    async def _flush_locked(self) -> None:
        while self._pending:
            sql, params = self._pending[0]
            try:
                await self.db.execute(sql, params)
                await self.db.commit()
            except (sqlite3.Error, OSError, ValueError) as exc:
                log.warning("retry of a database write failed again: %s", exc)
                return
            self._pending.popleft()

    async def flush(self) -> int:
        """Retry queued writes now; return how many are still waiting."""
        async with self._lock:
            await self._flush_locked()
        return len(self._pending)

    @property
    def pending_writes(self) -> int:
        """Return how many writes wait for a retry."""
        return len(self._pending)

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        async with self.db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    # -- meta -----------------------------------------------------------------------------------

    async def meta(self, key: str) -> str | None:
        """Return a value from the meta table."""
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    async def set_meta(self, key: str, value: str) -> bool:
        """Store a value in the meta table."""
        return await self._write(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value))

    async def user_key_secret(self) -> str:
        """Return the secret for pseudonymous user keys, creating it on first use."""
        secret = await self.meta("user_key_secret")
        if not secret:
            secret = secrets.token_hex(32)
            await self.set_meta("user_key_secret", secret)
        return secret

    # -- query log ------------------------------------------------------------------------------

    async def log_query(self, *, user_key: str, chat_type: str, text: str, norm: str, decision: str,
                        reason: str, hits: Iterable[tuple[str, float]], shown: str | None) -> str:
        """Log a question and return its id."""
        qid = new_id()
        hits_json = json.dumps([[h, round(s, 3) if s != float("inf") else 1e9] for h, s in hits][:5])
        await self._write(
            "INSERT INTO queries (id, ts, user_key, chat_type, text, norm, decision, reason, hits, shown) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (qid, self._clock(), user_key, chat_type, text, norm, decision, reason, hits_json, shown))
        return qid

    async def query(self, query_id: str) -> dict[str, Any] | None:
        """Return one logged question."""
        rows = await self._read(
            "SELECT id, ts, user_key, text, norm, decision, reason, hits, shown FROM queries WHERE id = ?",
            (query_id,))
        if not rows:
            return None
        r = rows[0]
        return {"id": r[0], "ts": r[1], "user_key": r[2], "text": r[3], "norm": r[4], "decision": r[5],
                "reason": r[6], "hits": json.loads(r[7]), "shown": r[8]}

    async def set_shown(self, query_id: str, service_id: str) -> bool:
        """Record which service a question ended up showing (after a suggestion was chosen)."""
        return await self._write("UPDATE queries SET shown = ? WHERE id = ?", (service_id, query_id))

    async def add_feedback(self, query_id: str, user_key: str, kind: str) -> bool:
        """Record 👍/👎/都不是 once per user and question."""
        return await self._write(
            "INSERT OR IGNORE INTO feedback (id, query_id, ts, user_key, kind) VALUES (?, ?, ?, ?, ?)",
            (new_id(), query_id, self._clock(), user_key, kind))

    async def feedback_exists(self, query_id: str, user_key: str, kind: str) -> bool:
        """Return True when this feedback was already given."""
        rows = await self._read("SELECT 1 FROM feedback WHERE query_id = ? AND user_key = ? AND kind = ?",
                                (query_id, user_key, kind))
        return bool(rows)

    # -- unanswered queue -----------------------------------------------------------------------

    async def enqueue(self, norm: str, sample: str, kind: str, guesses: Iterable[str]) -> bool:
        """Add a question to the unanswered queue, grouped with identical normalised questions."""
        now = self._clock()
        guess_json = json.dumps(list(guesses)[:3])
        return await self._write(
            "INSERT INTO review_items (id, norm, sample, count, first_seen, last_seen, status, kinds, guesses) "
            "VALUES (?, ?, ?, 1, ?, ?, 'pending', ?, ?) "
            "ON CONFLICT (norm) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen, "
            "sample = excluded.sample, status = 'pending', "
            "kinds = CASE WHEN instr(',' || kinds || ',', ',' || excluded.kinds || ',') > 0 THEN kinds "
            "ELSE trim(kinds || ',' || excluded.kinds, ',') END, "
            "guesses = CASE WHEN excluded.guesses != '[]' THEN excluded.guesses ELSE guesses END",
            (new_id(), norm, sample, now, now, kind, guess_json))

    async def review_items(self, status: str = "pending", limit: int = 5, offset: int = 0) -> list[ReviewItem]:
        """Return queue items, most frequent and newest first."""
        rows = await self._read(
            f"SELECT {_REVIEW_COLUMNS} FROM review_items "
            "WHERE status = ? ORDER BY count DESC, last_seen DESC LIMIT ? OFFSET ?", (status, limit, offset))
        return [_review(r) for r in rows]

    async def review_count(self, status: str = "pending") -> int:
        """Return how many queue items have this status."""
        rows = await self._read("SELECT count(*) FROM review_items WHERE status = ?", (status,))
        return int(rows[0][0])

    async def review_item(self, item_id: str) -> ReviewItem | None:
        """Return one queue item."""
        rows = await self._read(
            f"SELECT {_REVIEW_COLUMNS} FROM review_items "
            "WHERE id = ?", (item_id,))
        return _review(rows[0]) if rows else None

    async def dismiss(self, item_id: str) -> bool:
        """Mark a queue item as dealt with, without teaching anything."""
        return await self._write("UPDATE review_items SET status = 'dismissed', resolved_at = ? WHERE id = ?",
                                 (self._clock(), item_id))

    async def link(self, item_id: str, service_id: str, text: str, norm: str) -> str:
        """Resolve a queue item by teaching its question as an alias of a service; return the alias id."""
        alias_id = new_id()
        now = self._clock()
        await self._write("UPDATE review_items SET status = 'linked', service_id = ?, resolved_at = ? WHERE id = ?",
                          (service_id, now, item_id))
        await self.add_alias(text, norm, service_id, alias_id=alias_id)
        return alias_id

    # -- learned aliases ------------------------------------------------------------------------

    async def add_alias(self, text: str, norm: str, service_id: str, alias_id: str | None = None) -> str:
        """Store a learned alias and bump the alias version other processes watch."""
        alias_id = alias_id or new_id()
        await self._write(
            "INSERT INTO learned_aliases (id, text, norm, service_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (alias_id, text, norm, service_id, self._clock()))
        await self._bump_alias_version()
        return alias_id

    async def remove_alias(self, alias_id: str) -> bool:
        """Remove a learned alias again."""
        rows = await self._read("SELECT 1 FROM learned_aliases WHERE id = ? AND removed_at IS NULL", (alias_id,))
        if not rows:
            return False
        await self._write("UPDATE learned_aliases SET removed_at = ? WHERE id = ?", (self._clock(), alias_id))
        await self._bump_alias_version()
        return True

    async def aliases(self) -> list[Alias]:
        """Return the active learned aliases."""
        rows = await self._read(
            "SELECT id, text, service_id, created_at FROM learned_aliases WHERE removed_at IS NULL ORDER BY created_at")
        return [Alias(*r) for r in rows]

    async def _bump_alias_version(self) -> None:
        await self._write(
            "INSERT INTO meta (key, value) VALUES ('alias_version', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")

    async def alias_version(self) -> int:
        """Return a counter that changes whenever aliases change (in this or another process)."""
        value = await self.meta("alias_version")
        return int(value or 0)

    # -- tickets (hand-off to staff) ------------------------------------------------------------

    async def open_ticket(self, user_key: str, chat_id: int, text: str) -> str:
        """Store a user's message for staff; the chat id is kept only while the ticket is open."""
        tid = new_id()
        await self._write("INSERT INTO tickets (id, ts, user_key, chat_id, text, status) VALUES (?, ?, ?, ?, ?, 'open')",
                          (tid, self._clock(), user_key, chat_id, text))
        return tid

    async def tickets(self, status: str = "open", limit: int = 5, offset: int = 0) -> list[Ticket]:
        """Return tickets, oldest first."""
        rows = await self._read(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE status = ? "
                                "ORDER BY ts LIMIT ? OFFSET ?", (status, limit, offset))
        return [Ticket(*r) for r in rows]

    async def ticket(self, ticket_id: str) -> Ticket | None:
        """Return one ticket."""
        rows = await self._read(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?",
                                (ticket_id,))
        return Ticket(*rows[0]) if rows else None

    async def answer_ticket(self, ticket_id: str, answer: str) -> bool:
        """Close a ticket with the staff answer and forget the chat id."""
        return await self._write(
            "UPDATE tickets SET status = 'answered', answer = ?, answered_at = ?, chat_id = NULL WHERE id = ?",
            (answer, self._clock(), ticket_id))

    # -- flows and sessions ---------------------------------------------------------------------

    async def log_flow_event(self, user_key: str, flow_id: str, event: str, verdict: str | None = None) -> bool:
        """Record a flow start, verdict, cancel or expiry (no personal answers)."""
        return await self._write(
            "INSERT INTO flow_events (id, ts, user_key, flow_id, event, verdict) VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), self._clock(), user_key, flow_id, event, verdict))

    async def session(self, user_key: str) -> tuple[dict[str, Any], float] | None:
        """Return a user's saved session and when it was saved."""
        try:
            rows = await self._read("SELECT state, updated_at FROM sessions WHERE user_key = ?", (user_key,))
        except sqlite3.Error as exc:
            log.error("reading a session failed: %s", exc)
            return None
        if not rows:
            return None
        try:
            return json.loads(rows[0][0]), float(rows[0][1])
        except (ValueError, TypeError):
            log.warning("ignoring an unreadable session row")
            return None

    async def save_session(self, user_key: str, state: dict[str, Any]) -> bool:
        """Save a user's session (flow state, last service, pending input)."""
        return await self._write(
            "INSERT INTO sessions (user_key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_key) "
            "DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (user_key, json.dumps(state, ensure_ascii=False), self._clock()))

    # -- statistics and retention ---------------------------------------------------------------

    async def stats(self, days: int) -> dict[str, Any]:
        """Return answer rates, top unanswered texts, most-shown services, feedback and flow counts."""
        since = self._clock() - days * 86400
        (total, answered, suggest, unanswered), = await self._read(
            "SELECT count(*), sum(decision = 'answered'), sum(decision = 'suggest'), sum(decision = 'unanswered') "
            "FROM queries WHERE ts >= ?", (since,))
        top_unanswered = await self._read(
            "SELECT coalesce(sample, '（已按保存期限清除）'), count FROM review_items WHERE last_seen >= ? "
            "AND status = 'pending' ORDER BY count DESC, last_seen DESC LIMIT 5", (since,))
        shown = await self._read(
            "SELECT shown, count(*) FROM queries WHERE ts >= ? AND shown IS NOT NULL GROUP BY shown "
            "ORDER BY count(*) DESC LIMIT 5", (since,))
        fb = dict(await self._read("SELECT kind, count(*) FROM feedback WHERE ts >= ? GROUP BY kind", (since,)))
        flows = await self._read("SELECT event, count(*) FROM flow_events WHERE ts >= ? GROUP BY event", (since,))
        verdicts = await self._read(
            "SELECT verdict, count(*) FROM flow_events WHERE ts >= ? AND event = 'verdict' GROUP BY verdict", (since,))
        total = total or 0
        return {
            "days": days,
            "questions": total,
            "answered": answered or 0,
            "suggest": suggest or 0,
            "unanswered": unanswered or 0,
            "answer_rate": round((answered or 0) / total, 3) if total else None,
            "unanswered_rate": round((unanswered or 0) / total, 3) if total else None,
            "top_unanswered": [(t, c) for t, c in top_unanswered],
            "top_services": [(s, c) for s, c in shown],
            "thumbs_up": fb.get("up", 0),
            "thumbs_down": fb.get("down", 0),
            "none_of_these": fb.get("none", 0),
            "flow_events": dict(flows),
            "verdicts": dict(verdicts),
        }

    async def hot_services(self, days: int, limit: int = 5) -> list[tuple[str, int]]:
        """Return the services shown most often in recent days."""
        since = self._clock() - days * 86400
        rows = await self._read(
            "SELECT shown, count(*) FROM queries WHERE ts >= ? AND shown IS NOT NULL GROUP BY shown "
            "ORDER BY count(*) DESC, shown LIMIT ?", (since, limit))
        return [(r[0], int(r[1])) for r in rows]

    async def purge(self, retention_days: int) -> None:
        """Erase raw question text older than the retention period; counts and decisions stay."""
        cutoff = self._clock() - retention_days * 86400
        await self._write("UPDATE queries SET text = NULL, norm = '' WHERE ts < ? AND text IS NOT NULL", (cutoff,))
        await self._write(
            "UPDATE review_items SET sample = NULL, norm = 'purged:' || id WHERE last_seen < ? AND sample IS NOT NULL",
            (cutoff,))
        await self._write("UPDATE tickets SET text = NULL, answer = NULL, chat_id = NULL "
                          "WHERE ts < ? AND status != 'open' AND text IS NOT NULL", (cutoff,))
        # Sessions hold the last question text of each user: forget users idle for the whole period.
        await self._write("DELETE FROM sessions WHERE updated_at < ?", (cutoff,))

    async def export_rows(self) -> list[dict[str, Any]]:
        """Return the query log joined with feedback, for CSV export."""
        rows = await self._read(
            "SELECT q.id, q.ts, q.chat_type, q.text, q.decision, q.reason, q.hits, q.shown, "
            "(SELECT group_concat(kind) FROM feedback f WHERE f.query_id = q.id) FROM queries q ORDER BY q.ts")
        keys = ("id", "ts", "chat_type", "text", "decision", "reason", "hits", "shown", "feedback")
        return [dict(zip(keys, r)) for r in rows]


def _review(r: tuple[Any, ...]) -> ReviewItem:
    return ReviewItem(id=r[0], sample=r[1] or "（已按保存期限清除）", count=int(r[2]), first_seen=r[3],
                      last_seen=r[4], kinds=tuple(k for k in (r[5] or "").split(",") if k),
                      guesses=tuple(json.loads(r[6] or "[]")), status=r[7], service_id=r[8])


def user_key(secret: str, user_id: int | str) -> str:
    """Return the pseudonymous key of a user: a keyed hash of the Telegram id."""
    return hashlib.blake2b(str(user_id).encode(), key=secret.encode()[:64], digest_size=12).hexdigest()
