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
    (5, [
        # The staff console: review items live in one queue each (unanswered, abandoned suggestion, 👎, 都不是,
        # declined, noise) and are grouped per context (the answer the user had just seen); tickets are no
        # longer copied into the queue (they are their own queue, read from `tickets`).
        """CREATE TABLE review_items_v5 (
            id TEXT PRIMARY KEY, queue TEXT NOT NULL, norm TEXT NOT NULL, context_answer TEXT NOT NULL DEFAULT '',
            sample TEXT, count INTEGER NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', kinds TEXT NOT NULL DEFAULT '', guesses TEXT NOT NULL DEFAULT '[]',
            service_id TEXT, resolved_at REAL, resolved_by TEXT, query_id TEXT,
            UNIQUE (queue, context_answer, norm))""",
        """INSERT INTO review_items_v5 (id, queue, norm, sample, count, first_seen, last_seen, status, kinds, guesses,
            service_id, resolved_at)
           SELECT id, CASE WHEN instr(',' || kinds || ',', ',unanswered,') > 0 THEN 'unanswered'
                           WHEN instr(',' || kinds || ',', ',down,') > 0 THEN 'down'
                           WHEN instr(',' || kinds || ',', ',none,') > 0 THEN 'none' ELSE 'unanswered' END,
                  norm, sample, count, first_seen, last_seen, status,
                  trim(replace(',' || kinds || ',', ',ticket,', ','), ','), guesses, service_id, resolved_at
           FROM review_items WHERE kinds != 'ticket'""",
        "DROP TABLE review_items",
        "ALTER TABLE review_items_v5 RENAME TO review_items",
        "CREATE INDEX IF NOT EXISTS review_items_queue ON review_items (status, queue, last_seen)",
        # What the user had just seen when asking (the previous logged question and its answer), and whether
        # an unanswered suggestion was already moved to the 未选择 queue.
        "ALTER TABLE queries ADD COLUMN ctx_query TEXT",
        "ALTER TABLE queries ADD COLUMN ctx_answer TEXT",
        "ALTER TABLE queries ADD COLUMN swept INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS queries_suggest ON queries (decision, swept, ts)",
        "ALTER TABLE learned_aliases ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE learned_aliases ADD COLUMN removed_by TEXT",
        # Terms (typed → meant) and out-of-scope examples taught by staff.
        """CREATE TABLE IF NOT EXISTS taught (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL, created_by TEXT NOT NULL, removed_at REAL, removed_by TEXT)""",
        # Every staff change: who, what (a readable summary), and what undoing it takes.
        """CREATE TABLE IF NOT EXISTS audit (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, summary TEXT,
            undo TEXT NOT NULL DEFAULT '{}', undoable INTEGER NOT NULL DEFAULT 1, undone_at REAL, undone_by TEXT)""",
        "CREATE INDEX IF NOT EXISTS audit_ts ON audit (ts)",
        # Console sign-in: only hashes of one-time login tokens and of session ids are stored.
        """CREATE TABLE IF NOT EXISTS login_tokens (
            hash TEXT PRIMARY KEY, who TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
            used_at REAL)""",
        """CREATE TABLE IF NOT EXISTS console_sessions (
            hash TEXT PRIMARY KEY, who TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
            ended_at REAL)""",
        # Replies written in the console, delivered by the running bot (which holds the Telegram token).
        """CREATE TABLE IF NOT EXISTS outbox (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, chat_id INTEGER, html TEXT, sent_at REAL)""",
        "INSERT OR IGNORE INTO meta (key, value) SELECT 'taught_version', value FROM meta WHERE key = 'alias_version'",
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
# A closed ticket keeps its chat id this long, so that closing it can be undone; then retention forgets it.
CLOSE_UNDO_SECONDS = 86400.0
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


class ChangeRefused(ValueError):
    """A staff change that cannot be made (already undone, not undoable, gone); str() is a reason code."""


class StorageBusy(StorageError):
    """A staff change could not be written now (the database is locked or full); nothing was changed."""


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
                        reason: str, hits: Iterable[tuple[str, float]], shown: str | None,
                        ctx_query: str | None = None, ctx_answer: str | None = None) -> str:
        """Log a question (with the previous question and answer it may follow up) and return its id."""
        qid = new_id()
        hits_json = json.dumps([[h, round(s, 3) if s != float("inf") else 1e9] for h, s in hits][:5])
        await self._write(
            "INSERT INTO queries (id, ts, user_key, chat_type, text, norm, decision, reason, hits, shown, "
            "ctx_query, ctx_answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (qid, self._clock(), user_key, chat_type, text, norm, decision, reason, hits_json, shown,
             ctx_query, ctx_answer))
        return qid

    async def query(self, query_id: str) -> LoggedQuery | None:
        """Return one logged question."""
        rows = await self._read(
            "SELECT id, ts, user_key, text, norm, decision, reason, hits, shown, ctx_query, ctx_answer "
            "FROM queries WHERE id = ?", (query_id,))
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

    async def enqueue(self, norm: str, sample: str, kind: str, guesses: Iterable[str], *, queue: str | None = None,
                      context_answer: str | None = None, query_id: str | None = None) -> bool:
        """Add a question to a review queue, grouped with the same normalised question in the same context.

        `kind` says why it is there (unanswered, down, none …), `queue` which list staff see it in (by
        default the kind's own), `context_answer` the answer the user had just seen, `query_id` the log row.
        """
        now = self._clock()
        return await self._write(_ENQUEUE, (new_id(), queue or kind, norm, context_answer or "", sample, now, now, kind,
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
        rows = await self._read(self._inbox_sql(where) + " ORDER BY r.count DESC, r.last_seen DESC LIMIT ? OFFSET ?",
                                (status, *(chosen or ()), limit, offset))
        return [ReviewItem.from_row(r) for r in rows]

    async def review_count(self, status: str = "pending", queues: Iterable[str] | None = None) -> int:
        """Return how many queue items have this status (in some queues, or all)."""
        chosen = list(queues) if queues is not None else None
        where = "status = ?" + (f" AND queue IN ({','.join('?' * len(chosen))})" if chosen is not None else "")
        rows = await self._read(f"SELECT count(*) AS n FROM review_items WHERE {where}", (status, *(chosen or ())))
        return int(rows[0]["n"])

    async def review_counts(self) -> dict[str, int]:
        """Return how many pending items each queue holds, and open tickets as 'ticket'."""
        rows = await self._read("SELECT queue, count(*) AS n FROM review_items WHERE status = 'pending' GROUP BY queue")
        counts = {r["queue"]: int(r["n"]) for r in rows}
        (t,) = await self._read("SELECT count(*) AS n FROM tickets WHERE status = 'open'")
        counts["ticket"] = int(t["n"])
        return counts

    async def review_item(self, item_id: str) -> ReviewItem | None:
        """Return one queue item, with its context."""
        rows = await self._read(self._inbox_sql("r.id = ?"), (item_id,))
        return ReviewItem.from_row(rows[0]) if rows else None

    async def sweep_abandoned(self, minutes: int) -> int:
        """Move questions that got only suggestions, none picked and 都不是 not pressed, to the 未选择 queue.

        A question counts as abandoned `minutes` after it was asked; each is moved once. Return how many.
        """
        cutoff = self._clock() - minutes * 60
        rows = await self._read(
            "SELECT q.id, q.ts, q.text, q.norm, q.hits, q.ctx_answer FROM queries q WHERE q.decision = 'suggest' "
            "AND q.swept = 0 AND q.ts <= ? AND q.shown IS NULL AND q.text IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.query_id = q.id) ORDER BY q.ts LIMIT 1000", (cutoff,))
        async with self._tx() as db:
            for r in rows:
                guesses = [h for h, _ in json.loads(r["hits"] or "[]")][:3]
                await db.execute(_ENQUEUE, (new_id(), "suggest", r["norm"], r["ctx_answer"] or "", r["text"], r["ts"],
                                            r["ts"], "suggest", json.dumps(guesses), r["id"]))
            # Every suggestion older than the cutoff is settled now: picked, refused, or moved above.
            await db.execute("UPDATE queries SET swept = 1 WHERE decision = 'suggest' AND swept = 0 AND ts <= ?",
                             (cutoff,))
        return len(rows)

    # -- staff changes: each one transaction, audited, undoable -------------------------------------

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a staff change as one transaction now; raise StorageBusy (nothing changed) if it cannot be written.

        Unlike the bot's own writes, a staff change is never queued: staff are told it failed and can retry.
        """
        async with self._lock:
            db = self.db
            try:
                await db.execute("BEGIN IMMEDIATE")
            except (sqlite3.Error, OSError) as exc:
                if is_transient(exc):
                    raise StorageBusy(f"BOT_DB_PATH {self.path}: the database is busy ({exc}); try again") from None
                raise
            try:
                yield db
                await db.execute("COMMIT")
            except BaseException as exc:
                try:
                    await db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, (sqlite3.Error, OSError)) and is_transient(exc):
                    raise StorageBusy(f"BOT_DB_PATH {self.path}: the change could not be written ({exc}); "
                                      f"try again") from None
                raise

    async def _audit(self, db: aiosqlite.Connection, who: str, action: str, summary: str,
                     undo: dict[str, Any] | None = None) -> str:
        audit_id = new_id()
        await db.execute("INSERT INTO audit (id, ts, who, action, summary, undo, undoable) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (audit_id, self._clock(), who, action, summary, json.dumps(undo or {}), int(undo is not None)))
        return audit_id

    @staticmethod
    async def _bump(db: aiosqlite.Connection) -> None:
        await db.execute("INSERT INTO meta (key, value) VALUES ('taught_version', '1') ON CONFLICT (key) "
                         "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")

    async def _resolve(self, db: aiosqlite.Connection, item_ids: Iterable[str], status: str, who: str,
                       service_id: str | None = None) -> list[str]:
        """Resolve the pending items among item_ids; return the ids that changed."""
        changed = []
        for item_id in dict.fromkeys(item_ids):
            cur = await db.execute(
                "UPDATE review_items SET status = ?, service_id = ?, resolved_at = ?, resolved_by = ? "
                "WHERE id = ? AND status = 'pending'", (status, service_id, self._clock(), who, item_id))
            if cur.rowcount:
                changed.append(item_id)
        return changed

    async def teach_alias(self, service_id: str, entries: Iterable[tuple[str, str]], who: str, summary: str,
                          item_ids: Iterable[str] = ()) -> tuple[str, list[str]]:
        """Teach questions (text, normalised) as aliases of a service and resolve the items they came from.

        Return (audit id, alias ids).
        """
        async with self._tx() as db:
            alias_ids = []
            for text, norm in entries:
                alias_ids.append(new_id())
                await db.execute("INSERT INTO learned_aliases (id, text, norm, service_id, created_at, created_by) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", (alias_ids[-1], text, norm, service_id, self._clock(), who))
            changed = await self._resolve(db, item_ids, "linked", who, service_id)
            await self._bump(db)
            audit_id = await self._audit(db, who, "link", summary,
                                         {"aliases": alias_ids, "items": changed, "status": "linked"})
        return audit_id, alias_ids

    async def teach_out_of_scope(self, texts: Iterable[str], who: str, summary: str,
                                 item_ids: Iterable[str] = ()) -> str:
        """Teach questions as out-of-scope examples (similar ones are declined); return the audit id."""
        async with self._tx() as db:
            taught_ids = []
            for text in dict.fromkeys(texts):
                taught_ids.append(new_id())
                await db.execute("INSERT INTO taught (id, kind, text, target, created_at, created_by) "
                                 "VALUES (?, 'out_of_scope', ?, '', ?, ?)", (taught_ids[-1], text, self._clock(), who))
            changed = await self._resolve(db, item_ids, "out_of_scope", who)
            await self._bump(db)
            return await self._audit(db, who, "out_of_scope", summary,
                                     {"taught": taught_ids, "items": changed, "status": "out_of_scope"})

    async def teach_term(self, typed: str, meant: str, who: str, summary: str) -> str:
        """Teach a term (a correction or synonym, typed → meant) that applies to every question; return the audit id."""
        async with self._tx() as db:
            taught_id = new_id()
            await db.execute("INSERT INTO taught (id, kind, text, target, created_at, created_by) "
                             "VALUES (?, 'term', ?, ?, ?, ?)", (taught_id, typed, meant, self._clock(), who))
            await self._bump(db)
            return await self._audit(db, who, "term", summary, {"taught": [taught_id]})

    async def dismiss_items(self, item_ids: Iterable[str], who: str, summary: str) -> str:
        """Mark items as dealt with, without teaching anything; return the audit id."""
        async with self._tx() as db:
            changed = await self._resolve(db, item_ids, "dismissed", who)
            return await self._audit(db, who, "dismiss", summary, {"items": changed, "status": "dismissed"})

    async def remove_taught(self, kind: str, row_id: str, who: str, summary: str) -> str | None:
        """Remove an alias ('alias') or a term / out-of-scope example ('taught'); return the audit id, or None."""
        table = {"alias": "learned_aliases", "taught": "taught"}[kind]
        async with self._tx() as db:
            cur = await db.execute(f"UPDATE {table} SET removed_at = ?, removed_by = ? WHERE id = ? "
                                   "AND removed_at IS NULL", (self._clock(), who, row_id))
            if not cur.rowcount:
                return None
            await self._bump(db)
            key = "restore_aliases" if kind == "alias" else "restore_taught"
            return await self._audit(db, who, "remove", summary, {key: [row_id]})

    async def undo(self, audit_id: str, who: str, summary: str) -> str:
        """Undo a staff change exactly; return the audit id of the undo. Raise ChangeRefused when it cannot be."""
        async with self._tx() as db:
            async with db.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                raise ChangeRefused("no_change")
            if row["undone_at"] is not None:
                raise ChangeRefused("already_undone")
            if not row["undoable"]:
                raise ChangeRefused("not_undoable")
            u = json.loads(row["undo"] or "{}")
            now = self._clock()
            for ticket_id in u.get("tickets", []):
                cur = await db.execute("UPDATE tickets SET status = 'open', closed_by = NULL, answered_at = NULL "
                                       "WHERE id = ? AND status = 'closed' AND chat_id IS NOT NULL", (ticket_id,))
                if not cur.rowcount:
                    raise ChangeRefused("ticket_gone")
            for alias_id in u.get("aliases", []):
                await db.execute("UPDATE learned_aliases SET removed_at = ?, removed_by = ? WHERE id = ? "
                                 "AND removed_at IS NULL", (now, who, alias_id))
            for taught_id in u.get("taught", []):
                await db.execute("UPDATE taught SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
                                 (now, who, taught_id))
            for alias_id in u.get("restore_aliases", []):
                await db.execute("UPDATE learned_aliases SET removed_at = NULL, removed_by = NULL WHERE id = ?",
                                 (alias_id,))
            for taught_id in u.get("restore_taught", []):
                await db.execute("UPDATE taught SET removed_at = NULL, removed_by = NULL WHERE id = ?", (taught_id,))
            for item_id in u.get("items", []):
                await db.execute("UPDATE review_items SET status = 'pending', service_id = NULL, resolved_at = NULL, "
                                 "resolved_by = NULL WHERE id = ? AND status = ?", (item_id, u.get("status")))
            if any(u.get(k) for k in ("aliases", "taught", "restore_aliases", "restore_taught")):
                await self._bump(db)
            await db.execute("UPDATE audit SET undone_at = ?, undone_by = ? WHERE id = ?", (now, who, audit_id))
            return await self._audit(db, who, "undo", summary)

    async def history(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Return staff changes, newest first."""
        rows = await self._read("SELECT * FROM audit ORDER BY ts DESC, rowid DESC LIMIT ? OFFSET ?", (limit, offset))
        return [AuditEntry.from_row(r) for r in rows]

    async def audit_entry(self, audit_id: str) -> AuditEntry | None:
        """Return one staff change."""
        rows = await self._read("SELECT * FROM audit WHERE id = ?", (audit_id,))
        return AuditEntry.from_row(rows[0]) if rows else None

    # -- compatibility wrappers used by the command line and Telegram ------------------------------

    async def dismiss(self, item_id: str, who: str = "", summary: str = "") -> bool:
        """Mark a queue item as dealt with, without teaching anything."""
        await self.dismiss_items([item_id], who or "cli", summary or f"dismiss {item_id}")
        return True

    async def link(self, item_id: str, service_id: str, text: str, norm: str, who: str = "",
                   summary: str = "") -> str:
        """Resolve a queue item by teaching its question as an alias of a service; return the alias id."""
        _, alias_ids = await self.teach_alias(service_id, [(text, norm)], who or "cli",
                                              summary or f"link {text} → {service_id}", [item_id])
        return alias_ids[0]

    async def add_alias(self, text: str, norm: str, service_id: str, who: str = "cli") -> str:
        """Store a learned alias (at once: a running index reloads it)."""
        _, alias_ids = await self.teach_alias(service_id, [(text, norm)], who, f"link {text} → {service_id}")
        return alias_ids[0]

    async def remove_alias(self, alias_id: str, who: str = "cli", summary: str = "") -> bool:
        """Remove a learned alias again."""
        return await self.remove_taught("alias", alias_id, who, summary or f"unlink {alias_id}") is not None

    # -- taught knowledge -----------------------------------------------------------------------

    async def aliases(self) -> list[Alias]:
        """Return the active learned aliases."""
        rows = await self._read("SELECT id, text, service_id, created_at, created_by FROM learned_aliases "
                                "WHERE removed_at IS NULL ORDER BY created_at")
        return [Alias.from_row(r) for r in rows]

    async def taught(self, kind: str | None = None) -> list[TaughtRow]:
        """Return the active terms and out-of-scope examples (or those of one kind), oldest first."""
        rows = await self._read("SELECT * FROM taught WHERE removed_at IS NULL AND (? IS NULL OR kind = ?) "
                                "ORDER BY created_at, rowid", (kind, kind))
        return [TaughtRow.from_row(r) for r in rows]

    async def taught_version(self) -> int:
        """Return a counter that changes whenever aliases, terms or out-of-scope examples change (in any process)."""
        value = await self.meta("taught_version")
        return int(value or 0)

    # -- console sign-in ------------------------------------------------------------------------

    async def add_login_token(self, token_hash: str, who: str, ttl: float) -> None:
        """Store (the hash of) a one-time login token."""
        now = self._clock()
        async with self._tx() as db:
            await db.execute("INSERT INTO login_tokens (hash, who, created_at, expires_at) VALUES (?, ?, ?, ?)",
                             (token_hash, who, now, now + ttl))

    async def use_login_token(self, token_hash: str) -> str | None:
        """Spend a login token: return who it was made for, or None if unknown, used or expired."""
        now = self._clock()
        async with self._tx() as db:
            cur = await db.execute("UPDATE login_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL "
                                   "AND expires_at > ?", (now, token_hash, now))
            if not cur.rowcount:
                return None
            async with db.execute("SELECT who FROM login_tokens WHERE hash = ?", (token_hash,)) as c:
                row = await c.fetchone()
            return str(row["who"]) if row is not None else None

    async def add_console_session(self, session_hash: str, who: str, ttl: float) -> float:
        """Store (the hash of) a console session; return when it expires."""
        now = self._clock()
        async with self._tx() as db:
            await db.execute("INSERT INTO console_sessions (hash, who, created_at, expires_at) VALUES (?, ?, ?, ?)",
                             (session_hash, who, now, now + ttl))
        return now + ttl

    async def console_session(self, session_hash: str) -> tuple[str, float] | None:
        """Return (who, expires at) of a live console session, or None."""
        rows = await self._read("SELECT who, expires_at FROM console_sessions WHERE hash = ? AND ended_at IS NULL "
                                "AND expires_at > ?", (session_hash, self._clock()))
        return (str(rows[0]["who"]), float(rows[0]["expires_at"])) if rows else None

    async def end_console_session(self, session_hash: str) -> None:
        """End a console session (sign out)."""
        async with self._tx() as db:
            await db.execute("UPDATE console_sessions SET ended_at = ? WHERE hash = ?", (self._clock(), session_hash))

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

    async def answer_ticket(self, ticket_id: str, answer: str, by: str = "", summary: str = "") -> bool:
        """Close a ticket with the staff answer (delivered by the caller) and forget the chat id."""
        await self._write(
            "UPDATE tickets SET status = 'answered', answer = ?, answered_at = ?, chat_id = NULL, closed_by = ? "
            "WHERE id = ? AND status = 'open'", (answer, self._clock(), by, ticket_id))
        return await self._write(
            "INSERT INTO audit (id, ts, who, action, summary, undo, undoable) VALUES (?, ?, ?, 'reply', ?, '{}', 0)",
            (new_id(), self._clock(), by or "cli", summary or f"reply {ticket_id}"))

    async def reply_ticket(self, ticket_id: str, answer: str, html: str, who: str, summary: str) -> str:
        """Answer a ticket from the console: queue the message for the running bot, close the ticket; audit id.

        Raise ChangeRefused when the ticket is no longer open. A reply that was sent cannot be undone.
        """
        async with self._tx() as db:
            async with db.execute("SELECT chat_id FROM tickets WHERE id = ? AND status = 'open' "
                                  "AND chat_id IS NOT NULL", (ticket_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                raise ChangeRefused("ticket_gone")
            await db.execute("INSERT INTO outbox (id, ts, chat_id, html) VALUES (?, ?, ?, ?)",
                             (new_id(), self._clock(), row["chat_id"], html))
            await db.execute("UPDATE tickets SET status = 'answered', answer = ?, answered_at = ?, chat_id = NULL, "
                             "closed_by = ? WHERE id = ?", (answer, self._clock(), who, ticket_id))
            return await self._audit(db, who, "reply", summary)

    async def close_ticket(self, ticket_id: str, by: str = "", summary: str = "") -> bool:
        """Close a ticket without a reply; undoable for a day, after which retention forgets its chat id."""
        try:
            await self.close_ticket_audited(ticket_id, by or "cli", summary or f"close {ticket_id}")
        except ChangeRefused:
            return False
        return True

    async def close_ticket_audited(self, ticket_id: str, who: str, summary: str) -> str:
        """Close a ticket without a reply; return the audit id (ChangeRefused when it is not open)."""
        async with self._tx() as db:
            cur = await db.execute("UPDATE tickets SET status = 'closed', answered_at = ?, closed_by = ? "
                                   "WHERE id = ? AND status = 'open'", (self._clock(), who, ticket_id))
            if not cur.rowcount:
                raise ChangeRefused("ticket_gone")
            return await self._audit(db, who, "close", summary, {"tickets": [ticket_id]})

    async def outbox(self, limit: int = 20) -> list[OutboxMessage]:
        """Return console replies waiting to be delivered, oldest first."""
        rows = await self._read("SELECT id, chat_id, html FROM outbox WHERE sent_at IS NULL AND chat_id IS NOT NULL "
                                "ORDER BY ts LIMIT ?", (limit,))
        return [OutboxMessage.from_row(r) for r in rows]

    async def outbox_done(self, message_id: str) -> bool:
        """Mark a console reply as handled (sent or undeliverable) and forget its chat id and text."""
        return await self._write("UPDATE outbox SET sent_at = ?, chat_id = NULL, html = NULL WHERE id = ?",
                                 (self._clock(), message_id))

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
        (declined,) = await self._read(
            "SELECT count(*) AS n FROM queries WHERE ts >= ? AND decision = 'unanswered' AND reason = 'out_of_scope'",
            (since,))
        top_unanswered = await self._read(
            "SELECT coalesce(sample, ?) AS text, sum(count) AS count FROM review_items WHERE last_seen >= ? "
            "AND status = 'pending' AND queue IN ('unanswered', 'suggest', 'down', 'none') "
            "GROUP BY coalesce(norm, id) ORDER BY count DESC, max(last_seen) DESC LIMIT 5", (PURGED, since))
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
            "suggest_rate": round(suggest / total, 3) if total else None,
            "declined": declined["n"] or 0,
            "top_unanswered": [(r["text"], r["count"]) for r in top_unanswered],
            "top_services": [(r["shown"], r["n"]) for r in shown],
            "thumbs_up": fb.get("up", 0),
            "thumbs_down": fb.get("down", 0),
            "none_of_these": fb.get("none", 0),
            "flow_events": {r["event"]: r["n"] for r in flows},
            "verdicts": {r["verdict"]: r["n"] for r in verdicts},
        }

    async def daily(self, days: int) -> list[dict[str, Any]]:
        """Return per local day: questions by decision, declined topics, and 👍/👎/都不是 (days with activity only)."""
        since = self._clock() - days * 86400
        rows = await self._read(
            "SELECT date(ts, 'unixepoch', 'localtime') AS day, count(*) AS questions, "
            "sum(decision = 'answered') AS answered, sum(decision = 'suggest') AS suggest, "
            "sum(decision = 'unanswered') AS unanswered, "
            "sum(decision = 'unanswered' AND reason = 'out_of_scope') AS declined "
            "FROM queries WHERE ts >= ? GROUP BY day ORDER BY day", (since,))
        out = {r["day"]: {k: (r[k] or 0) if k != "day" else r[k] for k in r.keys()} for r in rows}
        for r in await self._read(
                "SELECT date(ts, 'unixepoch', 'localtime') AS day, kind, count(*) AS n FROM feedback WHERE ts >= ? "
                "GROUP BY day, kind", (since,)):
            day = out.setdefault(r["day"], {"day": r["day"], "questions": 0, "answered": 0, "suggest": 0,
                                            "unanswered": 0, "declined": 0})
            day[{"up": "thumbs_up", "down": "thumbs_down"}.get(r["kind"], "none_of_these")] = r["n"]
        result = []
        for day in sorted(out):
            entry = {"thumbs_up": 0, "thumbs_down": 0, "none_of_these": 0, **out[day]}
            result.append(entry)
        return result

    async def flow_stats(self, days: int) -> list[dict[str, Any]]:
        """Return per eligibility check: starts, completions (verdicts) and each verdict's count."""
        since = self._clock() - days * 86400
        flows: dict[str, dict[str, Any]] = {}
        for r in await self._read(
                "SELECT flow_id, event, verdict, count(*) AS n FROM flow_events WHERE ts >= ? "
                "GROUP BY flow_id, event, verdict", (since,)):
            f = flows.setdefault(r["flow_id"], {"flow": r["flow_id"], "starts": 0, "completions": 0, "verdicts": {}})
            if r["event"] == "start":
                f["starts"] += r["n"]
            elif r["event"] == "verdict":
                f["completions"] += r["n"]
                f["verdicts"][r["verdict"] or ""] = f["verdicts"].get(r["verdict"] or "", 0) + r["n"]
        return sorted(flows.values(), key=lambda f: (-f["starts"], f["flow"]))

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
            # A ticket closed without reply kept its chat id so that closing could be undone; not for longer.
            await self._write("UPDATE tickets SET chat_id = NULL WHERE status = 'closed' AND chat_id IS NOT NULL "
                              "AND answered_at < ?", (self._clock() - CLOSE_UNDO_SECONDS,))
            # Sessions hold the last question of each chat: forget chats idle for the whole period.
            await self._write("DELETE FROM sessions WHERE updated_at < ?", (cutoff,))
            # Staff change summaries quote questions: they go with the questions.
            await self._write("UPDATE audit SET summary = NULL WHERE ts < ? AND summary IS NOT NULL", (cutoff,))
            await self._write("DELETE FROM outbox WHERE sent_at IS NOT NULL OR ts < ?", (cutoff,))
            now = self._clock()
            await self._write("DELETE FROM login_tokens WHERE expires_at < ?", (now - 86400,))
            await self._write("DELETE FROM console_sessions WHERE expires_at < ?", (now - 86400,))
        for key in [k for k, (_, at) in self._sessions.items() if at < cutoff and k not in self._dirty]:
            del self._sessions[key]

    async def export_rows(self, days: int | None = None) -> list[dict[str, Any]]:
        """Return the query log (of the last `days`, or all) joined with feedback, for CSV export."""
        since = self._clock() - days * 86400 if days else float("-inf")
        rows = await self._read(
            "SELECT q.id, q.ts, q.chat_type, q.text, q.decision, q.reason, q.hits, q.shown, "
            "(SELECT group_concat(kind) FROM feedback f WHERE f.query_id = q.id) AS feedback "
            "FROM queries q WHERE q.ts >= ? ORDER BY q.ts", (since,))
        return [dict(r) for r in rows]

    async def queue_export_rows(self, queue: str, days: int | None = None) -> list[dict[str, Any]]:
        """Return one queue's pending items (or open tickets) seen in the last `days`, for CSV export."""
        since = self._clock() - days * 86400 if days else float("-inf")
        if queue == "ticket":
            rows = await self._read("SELECT id, ts AS last_seen, ts AS first_seen, 1 AS count, text, status "
                                    "FROM tickets WHERE status = 'open' AND ts >= ? ORDER BY ts", (since,))
            return [dict(r, queue="ticket", context_text=None, context_answer="") for r in rows]
        rows = await self._read(
            self._inbox_sql("r.status = 'pending' AND r.queue = ? AND r.last_seen >= ?")
            + " ORDER BY r.count DESC, r.last_seen DESC", (queue, since))
        return [dict(r, text=r["sample"]) for r in rows]


def user_key(secret: str, user_id: int | str) -> str:
    """Return the pseudonymous key of a user: a keyed hash of the Telegram id."""
    return hashlib.blake2b(str(user_id).encode(), key=secret.encode()[:64], digest_size=12).hexdigest()
