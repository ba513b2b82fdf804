"""SQLite storage through aiosqlite: the only module with SQL in it.

One database file holds the query log, feedback, the review queue, hand-off tickets, learned aliases,
flow events and per-chat sessions. The schema is versioned and migrated forward at start (never
dropped). Row ids are generated here rather than by SQLite, so a button can carry the id of a log row
even while its insert waits for a retry.

Writes: every operation runs in one transaction (a turn of the conversation collects its writes with
`batch()` and commits them together). A transient failure — busy/locked, disk full, I/O, read-only —
keeps the writes in memory, in order, and retries them; anything else (a wrong column, a wrong
parameter count) is a bug and raises at once. Sessions read their own writes: the latest state of a
session is kept in memory until it is committed, so a failing database never sends a conversation back
in time, and the queue never writes an older state over a newer one (it is flushed strictly in order).
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
import secrets
import sqlite3
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
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
    (4, [
        "CREATE INDEX IF NOT EXISTS queries_shown ON queries (shown, ts)",
        "ALTER TABLE tickets ADD COLUMN closed_by TEXT",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
PURGED = "（已按保存期限清除）"

# SQLite primary result codes that may go away by themselves (or when an operator frees disk space):
# BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_TRANSIENT_CODES = {5, 6, 8, 10, 13, 14, 15}
_SESSION_CACHE = 10_000
# How long one write waits for another connection's lock (the review CLI, the staff console) before it
# is queued for a retry instead; short, because a turn's reply waits for its write.
BUSY_TIMEOUT_MS = 2000
_DEGRADED_LOG_EVERY = 60.0



@dataclass(frozen=True)
class _Op:
    """One write: SQL and parameters, and for a session save, which save it is."""

    sql: str
    params: tuple[Any, ...] = ()
    session: tuple[str, int] | None = None


_batch: contextvars.ContextVar[list[_Op] | None] = contextvars.ContextVar("storage_batch", default=None)


class StorageError(RuntimeError):
    """The database cannot be opened; str() is one line naming the file."""


def is_transient(exc: BaseException) -> bool:
    """Return True for a write failure worth retrying (busy, locked, full, I/O, read-only), not for bugs."""
    if isinstance(exc, OSError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            return (code & 0xFF) in _TRANSIENT_CODES
        text = str(exc).lower()
        return any(w in text for w in ("locked", "busy", "full", "disk i/o", "readonly", "read-only",
                                       "unable to open"))
    return False


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

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> ReviewItem:
        """Build from a review_items row, by column name."""
        return cls(id=r["id"], sample=r["sample"] or PURGED, count=int(r["count"]), first_seen=r["first_seen"],
                   last_seen=r["last_seen"], kinds=tuple(k for k in (r["kinds"] or "").split(",") if k),
                   guesses=tuple(json.loads(r["guesses"] or "[]")), status=r["status"],
                   service_id=r["service_id"])


@dataclass(frozen=True)
class Ticket:
    """A message a user left for staff."""

    id: str
    ts: float
    user_key: str
    chat_id: int | None
    text: str | None
    status: str

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> Ticket:
        """Build from a tickets row, by column name."""
        return cls(id=r["id"], ts=r["ts"], user_key=r["user_key"], chat_id=r["chat_id"], text=r["text"],
                   status=r["status"])


@dataclass(frozen=True)
class Alias:
    """A question staff linked to a service."""

    id: str
    text: str
    service_id: str
    created_at: float

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> Alias:
        """Build from a learned_aliases row, by column name."""
        return cls(id=r["id"], text=r["text"], service_id=r["service_id"], created_at=r["created_at"])


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

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> LoggedQuery:
        """Build from a queries row, by column name."""
        return cls(id=r["id"], ts=r["ts"], user_key=r["user_key"], text=r["text"], norm=r["norm"],
                   decision=r["decision"], reason=r["reason"],
                   hits=tuple((h, s) for h, s in json.loads(r["hits"] or "[]")), shown=r["shown"])


def new_id() -> str:
    """Return a short random row id (fits in Telegram callback data)."""
    return secrets.token_hex(5)


class Storage:
    """All reads and writes of the assistant's SQLite database."""

    def __init__(self, path: str | Path, *, clock: Any = time.time, retry_seconds: float = 5.0) -> None:
        self.path = str(path)
        self._db: aiosqlite.Connection | None = None
        self._clock = clock
        self._queue: deque[list[_Op]] = deque()
        self._retry_seconds = retry_seconds
        self._retry_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        # Latest state of each recently used session, and which of them wait in the queue.
        self._sessions: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._dirty: dict[str, int] = {}
        self._seq = 0
        self._degraded_logged = 0.0

    # -- lifecycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        """Open (creating if needed), check and migrate the database; raise StorageError if it is unusable."""
        where = f"BOT_DB_PATH {self.path}"
        uri = self.path.startswith("file:")  # SQLite URI (file:…?mode=ro …), as sqlite3 accepts it
        if self.path != ":memory:" and not uri:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"{where}: cannot create its directory ({exc.strerror or exc})") from None
        try:
            self._db = await aiosqlite.connect(self.path, timeout=5.0, isolation_level=None, uri=uri)
            self._db.row_factory = sqlite3.Row
            await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if self.path != ":memory:" and "mode=ro" not in self.path:
                await self._db.execute("PRAGMA journal_mode = WAL")
            await self._db.execute("PRAGMA synchronous = NORMAL")
            rows = await self._read("PRAGMA quick_check")
            if [tuple(r) for r in rows] != [("ok",)]:
                detail = " ".join(str(rows[0][0]).replace("*** in database main ***", "").split())[:160]
                raise StorageError(f"{where}: the database file is damaged (quick_check: {detail}); restore it "
                                   f"from a backup or move it away to start a new one")
            await self._migrate()
            # Prove that the file can be written now, rather than discovering it at the first question.
            await self.db.execute("INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT (key) "
                                  "DO UPDATE SET value = excluded.value", (str(self._clock()),))
        except StorageError:
            await self._close_quietly()
            raise
        except sqlite3.DatabaseError as exc:
            await self._close_quietly()
            text = str(exc)
            if "malformed" in text or "not a database" in text:
                raise StorageError(f"{where}: the database file is damaged ({exc}); restore it from a backup or "
                                   f"move it away to start a new one") from None
            if "readonly" in text or "read-only" in text:
                raise StorageError(f"{where}: the database is read-only ({exc}); give the bot's user write "
                                   f"access to the file and its directory") from None
            if "unable to open" in text:
                raise StorageError(f"{where}: cannot open the database file ({exc}); check the path and that "
                                   f"its directory is accessible") from None
            raise StorageError(f"{where}: cannot use the database ({exc})") from None
        except OSError as exc:
            await self._close_quietly()
            raise StorageError(f"{where}: {exc.strerror or exc}") from None

    async def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                await self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    async def close(self) -> int:
        """Flush what can be flushed, close the connection, and return how many rows could not be written."""
        if self._retry_task:
            self._retry_task.cancel()
            self._retry_task = None
        left = 0
        if self._db is not None:
            left = await self.flush()
            if left:
                log.error("closing the database with %d unwritten rows (the database kept refusing writes)", left)
            await self._db.close()
            self._db = None
        return left

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("Storage.open() was not called")
        return self._db

    async def schema_version(self) -> int:
        """Return the schema version recorded in the database (0 for a new file)."""
        await self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        rows = await self._read("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(rows[0]["value"]) if rows else 0

    async def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        current = await self.schema_version()
        for version, statements in MIGRATIONS:
            if current < version <= target:
                await self.db.execute("BEGIN IMMEDIATE")
                try:
                    for sql in statements:
                        await self.db.execute(sql)
                    await self.db.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
                    await self.db.execute("COMMIT")
                except BaseException:
                    await self.db.execute("ROLLBACK")
                    raise
                log.info("database %s migrated to schema version %d", self.path, version)

    # -- writes: one transaction per operation, transient failures queued in order -----------------

    @asynccontextmanager
    async def batch(self, own: bool = False) -> AsyncIterator[None]:
        """Collect the writes made inside into one transaction, committed at the end.

        Nested, it joins the outer batch — unless `own`, for an operation whose effect must be visible
        before the outer one ends (a staff link that the index reloads at once).
        """
        if _batch.get() is not None and not own:
            yield
            return
        ops: list[_Op] = []
        token = _batch.set(ops)
        try:
            yield
        finally:
            _batch.reset(token)
        if ops:
            await self._commit(ops)

    async def _write(self, sql: str, params: tuple[Any, ...] = ()) -> bool:
        """Run one write, or add it to the current batch; False when it was queued for a retry."""
        return await self._add(_Op(sql, params))

    async def _add(self, op: _Op) -> bool:
        ops = _batch.get()
        if ops is not None:
            ops.append(op)
            return True
        return await self._commit([op])

    async def _commit(self, ops: list[_Op]) -> bool:
        if self._queue:  # the database is refusing writes: keep the order, never overtake older writes
            self._enqueue(ops)
            return False
        async with self._lock:
            if self._queue:
                self._enqueue(ops)
                return False
            try:
                await self._run(ops)
            except (sqlite3.Error, OSError) as exc:
                if not is_transient(exc):
                    raise
                log.error("database write failed, will retry (%s): %s", exc, ops[0].sql.split("(")[0].strip())
                self._enqueue(ops)
                return False
            self._committed(ops)
            return True

    async def _run(self, ops: list[_Op]) -> None:
        db = self.db
        await db.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                await db.execute(op.sql, op.params)
            await db.execute("COMMIT")
        except BaseException:
            try:
                await db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def _enqueue(self, ops: list[_Op]) -> None:
        self._queue.append(ops)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry_task is None or self._retry_task.done():
            try:
                self._retry_task = asyncio.get_running_loop().create_task(self._retry_loop())
            except RuntimeError:
                pass

    async def _retry_loop(self) -> None:
        while self._queue:
            await asyncio.sleep(self._retry_seconds)
            async with self._lock:
                await self._flush_locked()

    async def _flush_locked(self) -> None:
        while self._queue:
            ops = self._queue[0]
            try:
                await self._run(ops)
            except (sqlite3.Error, OSError) as exc:
                if not is_transient(exc):
                    # A queued batch that now fails for good (a schema changed under us) must not block the
                    # rest forever: drop it loudly.
                    self._queue.popleft()
                    log.error("dropping %d queued writes that can no longer succeed: %s", len(ops), exc)
                    continue
                now = time.monotonic()
                if now - self._degraded_logged >= _DEGRADED_LOG_EVERY:
                    self._degraded_logged = now
                    log.warning("database still refuses writes (%s); %d rows wait in memory", exc,
                                self.pending_writes)
                return
            self._queue.popleft()
            self._committed(ops)

    def _committed(self, ops: list[_Op]) -> None:
        for op in ops:
            if op.session is not None and self._dirty.get(op.session[0]) == op.session[1]:
                del self._dirty[op.session[0]]

    async def flush(self) -> int:
        """Retry queued writes now; return how many rows still wait."""
        async with self._lock:
            await self._flush_locked()
        return self.pending_writes

    @property
    def pending_writes(self) -> int:
        """Return how many rows wait for a retry."""
        return sum(len(ops) for ops in self._queue)

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        async with self.db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    # -- meta -----------------------------------------------------------------------------------

    async def meta(self, key: str) -> str | None:
        """Return a value from the meta table."""
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    async def set_meta(self, key: str, value: str) -> bool:
        """Store a value in the meta table."""
        return await self._write(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value))

    async def take_legacy_user_key_secret(self) -> str | None:
        """Return the user-key secret older versions kept in the database, and delete it from there."""
        secret = await self.meta("user_key_secret")
        if secret:
            await self._write("DELETE FROM meta WHERE key = 'user_key_secret'")
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

    async def query(self, query_id: str) -> LoggedQuery | None:
        """Return one logged question."""
        rows = await self._read(
            "SELECT id, ts, user_key, text, norm, decision, reason, hits, shown FROM queries WHERE id = ?",
            (query_id,))
        return LoggedQuery.from_row(rows[0]) if rows else None

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

    # -- review queue ---------------------------------------------------------------------------

    async def enqueue(self, norm: str, sample: str, kind: str, guesses: Iterable[str]) -> bool:
        """Add a question to the review queue, grouped with identical normalised questions."""
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
            "SELECT * FROM review_items WHERE status = ? ORDER BY count DESC, last_seen DESC LIMIT ? OFFSET ?",
            (status, limit, offset))
        return [ReviewItem.from_row(r) for r in rows]

    async def review_count(self, status: str = "pending") -> int:
        """Return how many queue items have this status."""
        rows = await self._read("SELECT count(*) AS n FROM review_items WHERE status = ?", (status,))
        return int(rows[0]["n"])

    async def review_item(self, item_id: str) -> ReviewItem | None:
        """Return one queue item."""
        rows = await self._read("SELECT * FROM review_items WHERE id = ?", (item_id,))
        return ReviewItem.from_row(rows[0]) if rows else None

    async def dismiss(self, item_id: str) -> bool:
        """Mark a queue item as dealt with, without teaching anything."""
        return await self._write("UPDATE review_items SET status = 'dismissed', resolved_at = ? WHERE id = ?",
                                 (self._clock(), item_id))

    async def link(self, item_id: str, service_id: str, text: str, norm: str) -> str:
        """Resolve a queue item by teaching its question as an alias of a service; return the alias id."""
        alias_id = new_id()
        async with self.batch(own=True):
            await self._write(
                "UPDATE review_items SET status = 'linked', service_id = ?, resolved_at = ? WHERE id = ?",
                (service_id, self._clock(), item_id))
            await self._insert_alias(alias_id, text, norm, service_id)
        return alias_id

    # -- learned aliases ------------------------------------------------------------------------

    async def add_alias(self, text: str, norm: str, service_id: str) -> str:
        """Store a learned alias (in its own transaction: a running index reloads it at once)."""
        alias_id = new_id()
        async with self.batch(own=True):
            await self._insert_alias(alias_id, text, norm, service_id)
        return alias_id

    async def _insert_alias(self, alias_id: str, text: str, norm: str, service_id: str) -> None:
        await self._write(
            "INSERT INTO learned_aliases (id, text, norm, service_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (alias_id, text, norm, service_id, self._clock()))
        await self._bump_alias_version()

    async def remove_alias(self, alias_id: str) -> bool:
        """Remove a learned alias again."""
        rows = await self._read("SELECT 1 FROM learned_aliases WHERE id = ? AND removed_at IS NULL", (alias_id,))
        if not rows:
            return False
        async with self.batch(own=True):
            await self._write("UPDATE learned_aliases SET removed_at = ? WHERE id = ?", (self._clock(), alias_id))
            await self._bump_alias_version()
        return True

    async def aliases(self) -> list[Alias]:
        """Return the active learned aliases."""
        rows = await self._read(
            "SELECT id, text, service_id, created_at FROM learned_aliases WHERE removed_at IS NULL ORDER BY created_at")
        return [Alias.from_row(r) for r in rows]

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
        rows = await self._read("SELECT * FROM tickets WHERE status = ? ORDER BY ts LIMIT ? OFFSET ?",
                                (status, limit, offset))
        return [Ticket.from_row(r) for r in rows]

    async def ticket(self, ticket_id: str) -> Ticket | None:
        """Return one ticket."""
        rows = await self._read("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return Ticket.from_row(rows[0]) if rows else None

    async def answer_ticket(self, ticket_id: str, answer: str, by: str = "") -> bool:
        """Close a ticket with the staff answer and forget the chat id."""
        return await self._write(
            "UPDATE tickets SET status = 'answered', answer = ?, answered_at = ?, chat_id = NULL, closed_by = ? "
            "WHERE id = ? AND status = 'open'", (answer, self._clock(), by, ticket_id))

    async def close_ticket(self, ticket_id: str, by: str = "") -> bool:
        """Close a ticket without a reply and forget the chat id."""
        return await self._write(
            "UPDATE tickets SET status = 'closed', answered_at = ?, chat_id = NULL, closed_by = ? "
            "WHERE id = ? AND status = 'open'", (self._clock(), by, ticket_id))

    # -- flows and sessions ---------------------------------------------------------------------

    async def log_flow_event(self, user_key: str, flow_id: str, event: str, verdict: str | None = None) -> bool:
        """Record a flow start, verdict, cancel or expiry (no personal answers)."""
        return await self._write(
            "INSERT INTO flow_events (id, ts, user_key, flow_id, event, verdict) VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), self._clock(), user_key, flow_id, event, verdict))

    async def session(self, key: str) -> dict[str, Any] | None:
        """Return a session's saved state: the newest one, even while its write waits for a retry."""
        cached = self._sessions.get(key)
        if cached is not None:
            self._sessions.move_to_end(key)
            return json.loads(json.dumps(cached[0]))
        try:
            rows = await self._read("SELECT state, updated_at FROM sessions WHERE user_key = ?", (key,))
        except sqlite3.Error as exc:
            log.error("reading a session failed: %s", exc)
            return None
        if not rows:
            return None
        try:
            state = json.loads(rows[0]["state"])
        except (ValueError, TypeError):
            log.warning("ignoring an unreadable session row")
            return None
        self._remember(key, state, float(rows[0]["updated_at"]))
        return state

    async def save_session(self, key: str, state: dict[str, Any]) -> bool:
        """Save a session (check state, context, awaited input)."""
        self._seq += 1
        now = self._clock()
        self._remember(key, state, now)
        self._dirty[key] = self._seq
        return await self._add(_Op(
            "INSERT INTO sessions (user_key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_key) "
            "DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (key, json.dumps(state, ensure_ascii=False), now), session=(key, self._seq)))

    def _remember(self, key: str, state: dict[str, Any], at: float) -> None:
        self._sessions[key] = (state, at)
        self._sessions.move_to_end(key)
        while len(self._sessions) > _SESSION_CACHE:
            oldest = next(iter(self._sessions))
            if oldest in self._dirty:  # its newest state is not in the database yet: keep it
                self._sessions.move_to_end(oldest)
                if all(k in self._dirty for k in self._sessions):
                    break
                continue
            del self._sessions[oldest]

    # -- statistics and retention ---------------------------------------------------------------

    async def stats(self, days: int) -> dict[str, Any]:
        """Return answer rates, top unanswered texts, most-shown services, feedback and flow counts."""
        since = self._clock() - days * 86400
        (row,) = await self._read(
            "SELECT count(*) AS total, sum(decision = 'answered') AS answered, sum(decision = 'suggest') AS suggest, "
            "sum(decision = 'unanswered') AS unanswered FROM queries WHERE ts >= ?", (since,))
        top_unanswered = await self._read(
            "SELECT coalesce(sample, ?) AS text, count FROM review_items WHERE last_seen >= ? "
            "AND status = 'pending' ORDER BY count DESC, last_seen DESC LIMIT 5", (PURGED, since))
        shown = await self._read(
            "SELECT shown, count(*) AS n FROM queries WHERE ts >= ? AND shown IS NOT NULL GROUP BY shown "
            "ORDER BY n DESC LIMIT 5", (since,))
        fb = {r["kind"]: r["n"] for r in await self._read(
            "SELECT kind, count(*) AS n FROM feedback WHERE ts >= ? GROUP BY kind", (since,))}
        flows = await self._read("SELECT event, count(*) AS n FROM flow_events WHERE ts >= ? GROUP BY event", (since,))
        verdicts = await self._read(
            "SELECT verdict, count(*) AS n FROM flow_events WHERE ts >= ? AND event = 'verdict' GROUP BY verdict",
            (since,))
        total = row["total"] or 0
        answered, suggest, unanswered = row["answered"] or 0, row["suggest"] or 0, row["unanswered"] or 0
        return {
            "days": days,
            "questions": total,
            "answered": answered,
            "suggest": suggest,
            "unanswered": unanswered,
            "answer_rate": round(answered / total, 3) if total else None,
            "unanswered_rate": round(unanswered / total, 3) if total else None,
            "top_unanswered": [(r["text"], r["count"]) for r in top_unanswered],
            "top_services": [(r["shown"], r["n"]) for r in shown],
            "thumbs_up": fb.get("up", 0),
            "thumbs_down": fb.get("down", 0),
            "none_of_these": fb.get("none", 0),
            "flow_events": {r["event"]: r["n"] for r in flows},
            "verdicts": {r["verdict"]: r["n"] for r in verdicts},
        }

    async def hot_services(self, days: int, limit: int = 5) -> list[tuple[str, int]]:
        """Return the services most users were shown in recent days (each user counts once per service)."""
        since = self._clock() - days * 86400
        rows = await self._read(
            "SELECT shown, count(DISTINCT user_key) AS users FROM queries WHERE ts >= ? AND shown IS NOT NULL "
            "GROUP BY shown ORDER BY users DESC, shown LIMIT ?", (since, limit))
        return [(r["shown"], int(r["users"])) for r in rows]

    async def purge(self, retention_days: int) -> None:
        """Erase raw text older than the retention period (questions, queue samples, tickets, idle sessions)."""
        cutoff = self._clock() - retention_days * 86400
        async with self.batch():
            await self._write("UPDATE queries SET text = NULL, norm = '' WHERE ts < ? AND text IS NOT NULL",
                              (cutoff,))
            await self._write("UPDATE review_items SET sample = NULL, norm = 'purged:' || id "
                              "WHERE last_seen < ? AND sample IS NOT NULL", (cutoff,))
            # Tickets go with the same period whether or not anyone answered them: text, answer and chat id.
            await self._write("UPDATE tickets SET status = CASE status WHEN 'open' THEN 'expired' ELSE status END, "
                              "text = NULL, answer = NULL, chat_id = NULL WHERE ts < ? "
                              "AND (text IS NOT NULL OR chat_id IS NOT NULL)", (cutoff,))
            # Sessions hold the last question of each chat: forget chats idle for the whole period.
            await self._write("DELETE FROM sessions WHERE updated_at < ?", (cutoff,))
        for key in [k for k, (_, at) in self._sessions.items() if at < cutoff and k not in self._dirty]:
            del self._sessions[key]

    async def export_rows(self) -> list[dict[str, Any]]:
        """Return the query log joined with feedback, for CSV export."""
        rows = await self._read(
            "SELECT q.id, q.ts, q.chat_type, q.text, q.decision, q.reason, q.hits, q.shown, "
            "(SELECT group_concat(kind) FROM feedback f WHERE f.query_id = q.id) AS feedback "
            "FROM queries q ORDER BY q.ts")
        return [dict(r) for r in rows]


def user_key(secret: str, user_id: int | str) -> str:
    """Return the pseudonymous key of a user: a keyed hash of the Telegram id."""
    return hashlib.blake2b(str(user_id).encode(), key=secret.encode()[:64], digest_size=12).hexdigest()
