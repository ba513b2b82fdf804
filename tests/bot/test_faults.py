"""Faults a reliability engineer would inject: failing databases, second instances, floods, forged presses."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat

import pytest

from bot.chat.core import RateLimiter
from bot.chat.replies import Sender
from bot.store import Storage, StorageError
from bot.store.keys import key_file, user_key, user_key_secret
from bot.transports.instance import InstanceLock, InstanceLocked
from tests.conftest import STAFF, USER


def html(replies) -> str:
    return "\n".join(r.html for r in replies)


def button(replies, starts: str) -> str:
    return next(b.data for r in replies for b in r.choices() if b.label.startswith(starts))


class FailingWrites:
    """Make every COMMIT fail like a full disk until `stop()`."""

    def __init__(self, storage: Storage, monkeypatch, message: str = "database or disk is full") -> None:
        self.storage = storage
        execute = storage.database.execute_on_thread

        def broken(conn, sql, params):
            if sql == "COMMIT" and self.on:
                raise sqlite3.OperationalError(message)
            return execute(conn, sql, params)

        self.on = True
        monkeypatch.setattr(storage.database, "execute_on_thread", broken)

    def stop(self) -> None:
        self.on = False


async def saved_session(storage: Storage, key: str) -> dict | None:
    rows = await storage.database.read("SELECT state FROM sessions WHERE user_key = ?", (key,))
    import json

    return json.loads(rows[0]["state"]) if rows else None


# -- the database fails mid-conversation -------------------------------------------------------------

async def test_message_for_staff_becomes_a_ticket_while_the_database_is_full(assistant, storage, monkeypatch):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    faults = FailingWrites(storage, monkeypatch)
    prompt = await assistant.press(USER, button(replies, "✉️"))
    assert "请直接发送" in html(prompt)
    done = await assistant.text(USER, "请问科协大楼周末开放吗")
    assert "已转给工作人员" in html(done)  # the awaited input was not forgotten
    assert storage.pending_writes > 0
    faults.stop()
    assert await storage.flush() == 0
    assert [t.text for t in await storage.tickets.tickets()] == ["请问科协大楼周末开放吗"]


async def test_check_keeps_its_place_while_writes_fail_and_nothing_older_overwrites_it(assistant, storage,
                                                                                       monkeypatch):
    await assistant.command(USER, "check", "13")
    faults = FailingWrites(storage, monkeypatch)
    assert "第 2 题" in html(await assistant.text(USER, "是"))
    third = await assistant.text(USER, "是")
    assert "第 3 题" in html(third) and "已经回答过" not in html(third)
    assert "第 4 题" in html(await assistant.text(USER, "30"))
    faults.stop()
    assert await storage.flush() == 0
    saved = await saved_session(storage, assistant.key(USER))
    assert saved["check"]["state"]["order"] == ["citizen", "fulltime_tianjin", "age"]


async def test_locked_database_does_not_lose_log_rows(assistant, storage):
    blocker = sqlite3.connect(storage.path, timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    await storage.database.connection.execute("PRAGMA busy_timeout = 50")
    try:
        for q in ("青托申报", "科技小院", "天津明天会下雨吗"):
            assert html(await assistant.text(USER, q))
        assert storage.pending_writes >= 3
    finally:
        blocker.rollback()
        blocker.close()
    assert await storage.flush() == 0
    assert (await storage.stats.stats(1))["questions"] == 3


async def test_a_programming_error_is_raised_at_once_not_retried(storage):
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        await storage.database.write("UPDATE queries SET no_such_column = 1")
    assert storage.pending_writes == 0
    with pytest.raises(sqlite3.ProgrammingError):
        await storage.database.write("INSERT INTO meta (key, value) VALUES (?, ?)", ("only one",))
    assert storage.pending_writes == 0


async def test_link_is_one_transaction(storage, monkeypatch):
    await storage.inbox.enqueue("问题", "问题", "unanswered", [])
    item = (await storage.inbox.review_items())[0]
    await storage.database.connection.execute("DROP TABLE learned_aliases")  # the second step of the link will fail
    with pytest.raises(sqlite3.OperationalError):
        await storage.taught.link(item.id, "13", "问题", "问题")
    assert (await storage.inbox.review_item(item.id)).status == "pending"  # the first step was rolled back


async def test_closing_with_unwritten_rows_reports_their_count(tmp_path, monkeypatch, caplog):
    s = Storage(tmp_path / "x.sqlite3", retry_seconds=3600)
    await s.open()
    FailingWrites(s, monkeypatch)
    await s.queries.log_flow_event("u", "f", "start")
    await s.queries.log_flow_event("u", "f", "cancel")
    assert await s.close() == 2
    assert "2 unwritten rows" in caplog.text


# -- the database is unusable at start ----------------------------------------------------------------

async def test_read_only_database_is_one_clear_line_at_start(tmp_path):
    path = tmp_path / "ro.sqlite3"
    s = Storage(path)
    await s.open()
    await s.close()
    ro = Storage(f"file:{path}?mode=ro")
    with pytest.raises(StorageError) as info:
        await ro.open()
    message = str(info.value)
    assert "read-only" in message and "\n" not in message


async def test_inaccessible_directory_is_one_clear_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        await Storage(blocker / "db.sqlite3").open()
    assert str(blocker) in str(info.value) and "\n" not in str(info.value)


async def _damaged_copy(tmp_path, assistant, storage) -> str:
    for i in range(400):
        await assistant.text(Sender(user_id=5000 + i, chat_id=5000 + i), f"第{i}个关于青托申报的问题，" + "内容" * 20)
    await storage.close()
    path = str(tmp_path / "damaged.sqlite3")
    shutil.copy(storage.path, path)
    with open(path, "r+b") as fh:
        size = os.path.getsize(path)
        for page in range(4, size // 4096 - 1, 3):
            fh.seek(page * 4096 + 200)
            fh.write(b"\x00\x01" * 100)
    return path


async def test_partly_damaged_database_is_refused_with_one_line(tmp_path, assistant, storage):
    path = await _damaged_copy(tmp_path, assistant, storage)
    with pytest.raises(StorageError) as info:
        await Storage(path).open()
    assert "damaged" in str(info.value) and path in str(info.value) and "\n" not in str(info.value)


# -- the pseudonymisation key -------------------------------------------------------------------------

async def test_user_key_lives_in_a_private_key_file_not_in_the_database(tmp_path):
    s = Storage(tmp_path / "k.sqlite3")
    await s.open()
    try:
        secret = await user_key_secret(None, s)
        path = key_file(s.path)
        assert path.read_text().strip() == secret
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert await s.database.meta("user_key_secret") is None
        assert await user_key_secret(None, s) == secret  # stable across starts
    finally:
        await s.close()


async def test_a_key_kept_in_the_database_by_an_older_version_is_moved_out(tmp_path):
    s = Storage(tmp_path / "old.sqlite3")
    await s.open()
    try:
        await s.database.set_meta("user_key_secret", "legacy-secret")
        assert await user_key_secret(None, s) == "legacy-secret"  # the same pseudonyms as before
        assert await s.database.meta("user_key_secret") is None
        assert key_file(s.path).read_text().strip() == "legacy-secret"
    finally:
        await s.close()


async def test_the_database_alone_does_not_give_away_user_ids(assistant, storage):
    await assistant.text(Sender(user_id=424242, chat_id=424242), "青托申报")
    keys = [r["user_key"] for r in await storage.database.read("SELECT user_key FROM queries")]
    metas = [r["value"] for r in await storage.database.read("SELECT value FROM meta")]
    assert keys and all(user_key(m, 424242) not in keys for m in metas)


# -- one bot per database -----------------------------------------------------------------------------

def test_second_instance_on_the_same_database_is_refused(tmp_path):
    db = str(tmp_path / "a.sqlite3")
    with InstanceLock(db):
        with pytest.raises(InstanceLocked) as info:
            InstanceLock(db).acquire()
        assert "already running" in str(info.value) and "\n" not in str(info.value)
    InstanceLock(db).acquire()  # released when the first one stopped


# -- floods and forged presses ------------------------------------------------------------------------

class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_flood_from_one_user_gets_one_polite_notice_and_is_not_logged(assistant, storage):
    clock = FakeTime()
    assistant.limiter = RateLimiter(burst=5, per_minute=30, clock=clock)
    flooder = Sender(user_id=777, chat_id=777)
    replies = [await assistant.text(flooder, "青托申报") for _ in range(100)]
    answered = [r for r in replies if r and "022-27122522" in html(r)]
    notices = [r for r in replies if r and "请稍等片刻再试" in html(r)]
    assert len(answered) == 5 and len(notices) == 1
    assert (await storage.stats.stats(1))["questions"] == 5
    assert "022-27122522" in html(await assistant.text(USER, "青托申报"))  # others are not affected
    clock.now += 10  # tokens come back over time
    assert "022-27122522" in html(await assistant.text(flooder, "青托申报"))


async def test_one_user_cannot_set_the_hot_topics(assistant):
    for _ in range(25):
        await assistant.text(USER, "科技小院")
    assert "最近大家常问" not in html(await assistant.command(USER, "start"))


async def test_forged_feedback_creates_nothing(assistant, storage):
    await assistant.press(USER, "fb|0123456789|down")
    assert await storage.database.read("SELECT * FROM feedback") == []
    other = Sender(user_id=888, chat_id=888)
    replies = await assistant.text(other, "科技小院")
    down = button(replies, "👎")
    await assistant.press(USER, down)  # someone else's question id
    assert await storage.database.read("SELECT * FROM feedback") == []
    assert await storage.inbox.review_count() == 0


async def test_staff_tools_are_refused_in_a_group(assistant, storage):
    await assistant.text(USER, "天津明天会下雨吗")
    in_group = Sender(user_id=STAFF.user_id, chat_id=-100, chat_type="supergroup", is_staff=True)
    refused = html(await assistant.command(in_group, "review"))
    assert "私聊" in refused and "天津明天会下雨吗" not in refused
    item = (await storage.inbox.review_items())[0]
    pressed = await assistant.press(in_group, f"rd|{item.id}")
    assert pressed[0].notice and (await storage.inbox.review_item(item.id)).status == "pending"


async def test_a_handoff_started_in_private_is_not_finished_from_a_group(assistant, storage):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    await assistant.press(USER, button(replies, "✉️"))
    group = Sender(user_id=USER.user_id, chat_id=-200, chat_type="group")
    await assistant.text(group, "科技小院")
    assert await storage.tickets.tickets() == []
    assert "已转给工作人员" in html(await assistant.text(USER, "我的留言"))
    assert [t.chat_id for t in await storage.tickets.tickets()] == [USER.chat_id]
