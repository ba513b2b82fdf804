"""The database: one SQLite connection (aiosqlite), migrations, one transaction per operation, and writes
that wait in memory while the database refuses them.

Writes: every operation runs in one transaction (a turn of the conversation collects its writes with
`batch()` and commits them together), sent to the connection's thread as one call: BEGIN, the
statements and COMMIT (or ROLLBACK) cost one hop between the event loop and aiosqlite's thread, not one
per statement; a read is one hop too (execute and fetch together). A transient failure — busy/locked, disk full, I/O, read-only —
keeps the writes in memory, in order, and retries them; anything else (a wrong column, a wrong
parameter count) is a bug and raises at once. The queue is flushed strictly in order, so an older
write never lands over a newer one; a write may carry a key (a session's) that stays in `dirty` until
it is committed, so that its owner can keep reading its own newest state meanwhile.

A staff change (`change()`) is never queued: it is written now or refused with StorageBusy.
Row ids are generated here rather than by SQLite, so a button can carry the id of a log row even while
its insert waits for a retry.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from .schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

# SQLite primary result codes that may go away by themselves (or when an operator frees disk space):
# BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_TRANSIENT_CODES = {5, 6, 8, 10, 13, 14, 15}
# How long one write waits for another connection's lock (the review CLI, the staff console) before it
# is queued for a retry instead; short, because a turn's reply waits for its write.
BUSY_TIMEOUT_MS = 2000
_DEGRADED_LOG_EVERY = 60.0


@dataclass(frozen=True)
class Write:
    """One write: SQL and parameters, and for a session save, which save it is."""

    sql: str
    params: tuple[Any, ...] = ()
    session: tuple[str, int] | None = None


_batch: contextvars.ContextVar[list[Write] | None] = contextvars.ContextVar("storage_batch", default=None)


class StorageError(RuntimeError):
    """The database cannot be opened; str() is one line naming the file."""


class StorageBusy(StorageError):
    """A staff change could not be written now (the database is locked or full); nothing was changed."""


class ChangeRefused(ValueError):
    """A staff change that cannot be made (already undone, not undoable, gone); str() is a reason code."""


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


def new_id() -> str:
    """Return a short random row id (fits in Telegram callback data)."""
    return secrets.token_hex(5)


def _open_error(where: str, exc: sqlite3.DatabaseError | OSError) -> StorageError:
    """Return the one-line error of a database that cannot be opened."""
    if isinstance(exc, OSError):
        return StorageError(f"{where}: {exc.strerror or exc}")
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return StorageError(f"{where}: the database file is damaged ({exc}); restore it from a backup or move it "
                            f"away to start a new one")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"{where}: the database is read-only ({exc}); give the bot's user write access to the "
                            f"file and its directory")
    if "unable to open" in text:
        return StorageError(f"{where}: cannot open the database file ({exc}); check the path and that its "
                            f"directory is accessible")
    return StorageError(f"{where}: cannot use the database ({exc})")


class Database:
    """The connection, its schema, and how writes reach it (batched, queued while refused)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time, retry_seconds: float = 5.0,
                 create: bool = True) -> None:
        self.path = str(path)
        self.create = create
        self.clock = clock
        self._conn: aiosqlite.Connection | None = None
        self._queue: deque[list[Write]] = deque()
        self._retry_seconds = retry_seconds
        self._retry_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        # Keys (sessions) whose newest write waits in the queue, with the sequence number of that write.
        self.dirty: dict[str, int] = {}
        self._degraded_logged = 0.0
        # The identity (device, inode) of the file opened, to notice it deleted or replaced while in use.
        self._identity: tuple[int, int] | None = None
        self._gone_logged: float | None = None

    async def open(self) -> None:
        """Open (creating if needed), check and migrate the database; raise StorageError if it is unusable."""
        where = f"BOT_DB_PATH {self.path}"
        uri = self.path.startswith("file:")  # SQLite URI (file:…?mode=ro …), as sqlite3 accepts it
        target = self.path
        if self.path != ":memory:" and not uri and not self.create:
            if not Path(self.path).is_file():
                raise StorageError(f"{where}: there is no database there (the bot creates it when it starts; "
                                   f"check the path)")
            target, uri = Path(self.path).resolve().as_uri() + "?mode=rw", True  # never created here
        elif self.path != ":memory:" and not uri:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"{where}: cannot create its directory ({exc.strerror or exc})") from None
        try:
            self._conn = await aiosqlite.connect(target, timeout=5.0, isolation_level=None, uri=uri)
            self._conn.row_factory = sqlite3.Row
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Erased text is overwritten, not merely unlinked, whatever the platform's SQLite defaults to.
            await self._conn.execute("PRAGMA secure_delete = ON")
            if self.path != ":memory:" and "mode=ro" not in self.path:
                await self._conn.execute("PRAGMA journal_mode = WAL")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            rows = await self.read("PRAGMA quick_check")
            if [tuple(r) for r in rows] != [("ok",)]:
                detail = " ".join(str(rows[0][0]).replace("*** in database main ***", "").split())[:160]
                raise StorageError(f"{where}: the database file is damaged (quick_check: {detail}); restore it "
                                   f"from a backup or move it away to start a new one")
            await self._migrate()
            # Prove that the file can be written now, rather than discovering it at the first question.
            await self.connection.execute("INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT (key) "
                                          "DO UPDATE SET value = excluded.value", (str(self.clock()),))
        except StorageError:
            await self._close_quietly()
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            await self._close_quietly()
            raise _open_error(where, exc) from None
        self._identity = self._file_identity()
        self._gone_logged = None

    async def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def _file_identity(self) -> tuple[int, int] | None:
        """Return (device, inode) of the file at the path (None for memory and URI databases, or no file)."""
        if self.path == ":memory:" or self.path.startswith("file:"):
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    async def _file_gone(self) -> bool:
        """Return True while the database file opened is gone from its path (deleted): writes then wait in memory.

        Noticed before every write and at every flush (a running bot flushes every BOT_SYNC_SECONDS), and
        said loudly; when a database is at the path again (restored from a backup, or another file moved
        there) it is opened instead and what waited is written to it. Call with the lock held.
        """
        if self._identity is None or self._conn is None:
            return False
        now = self._file_identity()
        if now == self._identity:
            return False
        was_gone = self._gone_logged is not None
        if now is not None and await self._reopen():
            log.error("BOT_DB_PATH %s was %s while in use: using the database now there, and writing into it the %d "
                      "rows that waited in memory", self.path, "restored" if was_gone else "replaced",
                      self.pending_writes)
            return False
        moment = time.monotonic()
        if self._gone_logged is None or moment - self._gone_logged >= _DEGRADED_LOG_EVERY:
            self._gone_logged = moment
            log.error("BOT_DB_PATH %s was %s while in use: nothing is written to it any more and %d rows wait in "
                      "memory; restore the database file from a backup (it is picked up within seconds), or stop "
                      "the bot, which then writes them into a new database there", self.path,
                      "DELETED" if now is None else "REPLACED by a file that cannot be used", self.pending_writes)
        return True

    async def _reopen(self) -> bool:
        """Open the database now at the path in place of the one opened before; False if it cannot be (the old
        connection then stays, for reading)."""
        old, identity, gone = self._conn, self._identity, self._gone_logged
        self._conn = None
        try:
            await self.open()
        except StorageError as exc:
            log.warning("the file now at BOT_DB_PATH cannot be used: %s", exc)
            self._conn, self._identity, self._gone_logged = old, identity, gone
            return False
        if old is not None:
            try:
                await old.close()
            except sqlite3.Error:
                pass
        return True

    async def close(self) -> int:
        """Flush what can be flushed, close the connection, and return how many rows could not be written.

        If the database file was deleted while in use, what waited in memory is written into a new one at the
        path (what the next start would create anyway) rather than lost.
        """
        if self._retry_task:
            self._retry_task.cancel()
            self._retry_task = None
        left = 0
        if self._queue and self.create and self._identity is not None and self._conn is not None \
                and self._file_identity() is None:
            async with self._lock:
                log.error("BOT_DB_PATH %s is still gone: writing the %d rows that waited in memory into a new "
                          "database there", self.path, self.pending_writes)
                await self._reopen()
        if self._conn is not None:
            left = await self.flush()
            if left:
                log.error("closing the database with %d unwritten rows (the database kept refusing writes)", left)
            await self._conn.close()
            self._conn = None
        return left

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Storage.open() was not called")
        return self._conn

    async def schema_version(self) -> int:
        """Return the schema version recorded in the database (0 for a new file)."""
        await self.connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        rows = await self.read("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(rows[0]["value"]) if rows else 0

    async def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        current = await self.schema_version()
        for version, statements in MIGRATIONS:
            if current < version <= target:
                await self.connection.execute("BEGIN IMMEDIATE")
                try:
                    for sql in statements:
                        await self.connection.execute(sql)
                    await self.connection.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
                    await self.connection.execute("COMMIT")
                except BaseException:
                    await self.connection.execute("ROLLBACK")
                    raise
                log.info("database %s migrated to schema version %d", self.path, version)

    @asynccontextmanager
    async def batch(self, own: bool = False) -> AsyncIterator[None]:
        """Collect the writes made inside into one transaction, committed at the end.

        Nested, it joins the outer batch — unless `own`, for an operation whose effect must be visible
        before the outer one ends (a staff link that the index reloads at once).
        """
        if _batch.get() is not None and not own:
            yield
            return
        ops: list[Write] = []
        token = _batch.set(ops)
        try:
            yield
        finally:
            _batch.reset(token)
        if ops:
            await self._commit(ops)

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> bool:
        """Run one write, or add it to the current batch; False when it was queued for a retry."""
        return await self.add(Write(sql, params))

    async def add(self, op: Write) -> bool:
        ops = _batch.get()
        if ops is not None:
            ops.append(op)
            return True
        return await self._commit([op])

    async def _commit(self, ops: list[Write]) -> bool:
        if self._queue:  # the database is refusing writes: keep the order, never overtake older writes
            self._enqueue(ops)
            return False
        async with self._lock:
            if self._queue or await self._file_gone():
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

    async def _run(self, ops: list[Write]) -> None:
        """Commit the writes as one transaction, in one call on the connection's thread."""
        db = self.connection
        await db._execute(self._transaction, db._conn, ops)  # aiosqlite's queue to its thread: one hop

    def _transaction(self, conn: sqlite3.Connection, ops: list[Write]) -> None:
        """On the connection's thread: BEGIN IMMEDIATE, every write, COMMIT; ROLLBACK if any fails."""
        self.execute_on_thread(conn, "BEGIN IMMEDIATE", ())
        try:
            for op in ops:
                self.execute_on_thread(conn, op.sql, op.params)
            self.execute_on_thread(conn, "COMMIT", ())
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def execute_on_thread(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> None:
        """Run one statement of a transaction on the connection's thread (the tests make it fail here)."""
        conn.execute(sql, params)

    def _enqueue(self, ops: list[Write]) -> None:
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
        if await self._file_gone() or self._conn is None:
            return
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

    def _committed(self, ops: list[Write]) -> None:
        for op in ops:
            if op.session is not None and self.dirty.get(op.session[0]) == op.session[1]:
                del self.dirty[op.session[0]]

    async def flush(self) -> int:
        """Retry queued writes now; return how many rows still wait."""
        async with self._lock:
            await self._flush_locked()
        return self.pending_writes

    async def truncate_log(self) -> None:
        """Fold the write-ahead log into the database file and empty it, so that its old frames do not keep what
        was just erased (best effort: while another connection reads, the next purge does it)."""
        if self._conn is None or self.path == ":memory:":
            return
        async with self._lock:
            try:
                rows = await self.read("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.warning("could not empty the write-ahead log after erasing: %s", exc)
                return
        if rows and rows[0][0]:
            log.info("the write-ahead log could not be emptied now (another connection reads); next time")

    @property
    def pending_writes(self) -> int:
        """Return how many rows wait for a retry."""
        return sum(len(ops) for ops in self._queue)

    async def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Return the rows of a query (executed and fetched in one call on the connection's thread)."""
        return list(await self.connection.execute_fetchall(sql, params))

    @asynccontextmanager
    async def change(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a staff change as one transaction now; raise StorageBusy (nothing changed) if it cannot be written.

        Unlike the bot's own writes, a staff change is never queued: staff are told it failed and can retry.
        """
        async with self._lock:
            if await self._file_gone() or self._conn is None:
                raise StorageBusy(f"BOT_DB_PATH {self.path}: the database file is gone (deleted while in use); "
                                  f"nothing was changed")
            db = self.connection
            try:
                await db.execute("BEGIN IMMEDIATE")
            except (sqlite3.Error, OSError) as exc:
                if is_transient(exc):
                    raise StorageBusy(f"BOT_DB_PATH {self.path}: the database is busy ({exc}); try again") from None
                raise
            try:
                yield db
                await db._execute(self.execute_on_thread, db._conn, "COMMIT", ())  # as every transaction commits
            except BaseException as exc:
                try:
                    await db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, (sqlite3.Error, OSError)) and is_transient(exc):
                    raise StorageBusy(f"BOT_DB_PATH {self.path}: the change could not be written ({exc}); "
                                      f"try again") from None
                raise

    async def meta(self, key: str) -> str | None:
        """Return a value from the meta table."""
        rows = await self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    async def set_meta(self, key: str, value: str) -> bool:
        """Store a value in the meta table."""
        return await self.write(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value))

    async def take_legacy_user_key_secret(self) -> str | None:
        """Return the user-key secret older versions kept in the database, and delete it from there."""
        secret = await self.meta("user_key_secret")
        if secret:
            await self.write("DELETE FROM meta WHERE key = 'user_key_secret'")
        return secret
