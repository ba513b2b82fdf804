"""Purged text is gone from the bytes on disk — the database file and its write-ahead log — even where the
platform's SQLite does not overwrite deleted content by default."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.store import Storage
from bot.store import database as database_module

SECRET = "绝密测试问题 QX7-PURGE-MARKER 的原文"


def _platform_without_secure_delete(monkeypatch) -> None:
    """Connections start with secure_delete off, as SQLite's compile-time default is on many platforms."""
    connect = aiosqlite.connect

    def connect_plain(*args, **kwargs):
        async def opened():
            conn = await connect(*args, **kwargs)
            await conn.execute("PRAGMA secure_delete = 0")
            return conn
        return opened()

    monkeypatch.setattr(database_module.aiosqlite, "connect", connect_plain)


def _on_disk(path: str) -> bytes:
    return b"".join(Path(path + suffix).read_bytes() for suffix in ("", "-wal") if Path(path + suffix).exists())


@pytest.mark.parametrize("platform", ["as installed", "secure_delete off by default"])
async def test_purged_text_is_not_in_the_files(tmp_path, clock, monkeypatch, platform):
    if platform != "as installed":
        _platform_without_secure_delete(monkeypatch)
    path = str(tmp_path / "purge.sqlite3")
    s = Storage(path, clock=clock)
    await s.open()
    try:
        await s.queries.log_query(user_key="u", chat_type="private", text=SECRET, norm=SECRET, decision="unanswered",
                                  reason="no_match", hits=[], shown=None)
        await s.inbox.enqueue(SECRET, SECRET, "unanswered", [])
        await s.tickets.open_ticket("u", 5, SECRET)
        await s.sessions.save("u", {"last_text": SECRET})
        marker = "QX7-PURGE-MARKER".encode()
        assert marker in _on_disk(path)
        clock.now += 400 * 86400
        await s.purge(180)
        assert marker not in _on_disk(path)
    finally:
        await s.close()
    assert marker not in _on_disk(path)
