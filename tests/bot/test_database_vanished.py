"""The database file deleted or replaced while in use: noticed (the file's identity), said loudly, writes kept in
memory until a database is back (restored, or a new one at stop) — never written into the deleted file."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.chat.replies import Sender
from bot.store import Storage, StorageBusy, StorageError


def _delete(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _count(path: str, table: str = "queries") -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _backup(path: str, to: Path) -> None:
    with sqlite3.connect(path) as src, sqlite3.connect(to) as dst:
        src.backup(dst)


async def _ask(assistant, n: int, first: int = 6000) -> None:
    for i in range(n):
        sender = Sender(user_id=first + i, chat_id=first + i)
        assert "022-27122522" in "\n".join(r.html for r in await assistant.text(sender, "青托申报"))


async def test_a_deleted_database_keeps_rows_in_memory_until_it_is_restored(assistant, storage, tmp_path, caplog):
    caplog.set_level(logging.ERROR, logger="bot.store.database")
    await _ask(assistant, 3)
    backup = tmp_path / "backup.sqlite3"
    _backup(storage.path, backup)
    _delete(storage.path)
    await _ask(assistant, 10, first=6100)  # still answered …
    assert storage.pending_writes >= 10     # … and what they wrote waits in memory, not in the deleted file
    loud = [r.getMessage() for r in caplog.records if "DELETED" in r.getMessage()]
    assert len(loud) == 1 and storage.path in loud[0]
    assert not Path(storage.path).exists()  # nothing created it again
    shutil.copyfile(backup, storage.path)   # the operator restores the backup
    assert await storage.flush() == 0
    assert _count(storage.path) == 13
    assert any("restored" in r.getMessage() for r in caplog.records)
    await _ask(assistant, 1, first=6200)    # and it goes on writing there
    assert _count(storage.path) == 14


async def test_stopping_with_the_database_still_gone_writes_what_waited_into_a_new_one(tmp_path, caplog):
    path = str(tmp_path / "gone.sqlite3")
    s = Storage(path, retry_seconds=3600)
    await s.open()
    await s.queries.log_flow_event("u", "f", "start")
    _delete(path)
    for _ in range(10):
        await s.queries.log_flow_event("u", "f", "cancel")
    assert s.pending_writes == 10
    assert await s.close() == 0
    assert _count(path, "flow_events") == 10  # the rows of the deleted file are gone with it; the new ones are not


async def test_staff_changes_are_refused_while_the_database_is_gone(storage):
    await storage.inbox.enqueue("问题", "问题", "unanswered", [])
    (item,) = await storage.inbox.review_items()
    _delete(storage.path)
    with pytest.raises(StorageBusy, match="gone"):
        await storage.taught.dismiss_items([item.id], "cli", "x")


async def test_the_staff_tools_never_create_a_database(tmp_path):
    with pytest.raises(StorageError, match="no database") as info:
        await Storage(tmp_path / "missing.sqlite3", create=False).open()
    assert "\n" not in str(info.value) and list(tmp_path.iterdir()) == []
