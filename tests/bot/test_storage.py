"""Storage: migrations, concurrency, grouping, retention, broken databases, CSV export."""

from __future__ import annotations

import asyncio
import csv
import sqlite3

import pytest

from bot import review
from bot.store import MIGRATIONS, SCHEMA_VERSION, Storage, StorageError
from tests.conftest import USER


async def test_new_database_is_current_and_in_wal_mode(storage):
    assert await storage.database.schema_version() == SCHEMA_VERSION
    rows = await storage.database.read("PRAGMA journal_mode")
    assert rows[0][0] == "wal"


async def test_migration_from_an_older_schema_keeps_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    for sql in MIGRATIONS[0][1]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO queries (id, ts, user_key, chat_type, text, norm, decision) "
                "VALUES ('aaaaaaaaaa', 1, 'u', 'private', '旧问题', '旧问题', 'unanswered')")
    con.commit()
    con.close()
    s = Storage(path)
    await s.open()
    try:
        assert await s.database.schema_version() == SCHEMA_VERSION
        q = await s.queries.query("aaaaaaaaaa")
        assert q is not None and q.text == "旧问题" and q.reason == ""
        await s.queries.log_flow_event("u", "youth_talent_lift", "start")
        assert (await s.stats.stats(36500))["flow_events"] == {"start": 1}
    finally:
        await s.close()


async def test_hundreds_of_concurrent_questions_are_all_logged(assistant, storage):
    from bot.chat.replies import Sender

    questions = ["青托申报", "科技小院怎么申请", "天津明天会下雨吗", "科普大使电话"]
    await asyncio.gather(*(assistant.text(Sender(user_id=1000 + i, chat_id=1000 + i), questions[i % 4])
                           for i in range(300)))
    assert (await storage.stats.stats(1))["questions"] == 300
    assert storage.pending_writes == 0


async def test_unanswered_questions_are_grouped_by_normalised_text(storage):
    for text in ["天津明天会下雨吗", "天津明天会下雨吗 ", "天津明天會下雨嗎"]:
        from retrieval.text import normalise

        await storage.inbox.enqueue(normalise(text), text, "unanswered", ["53"])
    await storage.inbox.enqueue("另一个问题", "另一个问题", "down", [])
    items = await storage.inbox.review_items()
    assert [i.count for i in items] == [3, 1]
    assert items[0].guesses == ("53",)


async def test_retention_purges_text_but_keeps_counts(assistant, storage, clock):
    await assistant.text(USER, "天津明天会下雨吗")
    clock.now += 200 * 86400
    await storage.purge(180)
    rows = await storage.stats.export_rows()
    assert rows[0]["text"] is None and rows[0]["decision"] == "unanswered"
    item = (await storage.inbox.review_items())[0]
    assert item.count == 1 and item.sample == "（已按保存期限清除）"
    assert (await storage.stats.stats(365))["questions"] == 1


async def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    s = Storage(path)
    with pytest.raises(StorageError) as info:
        await s.open()
    assert str(path) in str(info.value) and "\n" not in str(info.value)


async def test_locked_database_keeps_answering_and_retries(assistant, storage):
    blocker = sqlite3.connect(storage.path, timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    await storage.database.connection.execute("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 5 s
    try:
        replies = await assistant.text(USER, "青托申报")
        assert "022-27122522" in replies[0].html  # the user still gets the answer
        assert storage.pending_writes >= 1
    finally:
        blocker.rollback()
        blocker.close()
    assert await storage.flush() == 0
    assert (await storage.stats.stats(1))["questions"] == 1


async def test_unwritable_database_does_not_break_answers(assistant, storage, monkeypatch):
    execute = storage.database.execute_on_thread

    def broken(conn, sql, params):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return execute(conn, sql, params)

    monkeypatch.setattr(storage.database, "execute_on_thread", broken)
    replies = await assistant.text(USER, "科技小院")
    assert "54 推动天津科技小院建设" in replies[0].html
    assert storage.pending_writes >= 1


async def test_review_cli_list_link_unlink_dismiss_export(tmp_path, monkeypatch, capsys, assistant, storage):
    await assistant.text(USER, "想咨询一下管科技馆讲解员那个事")
    await assistant.text(USER, "天津明天会下雨吗")
    monkeypatch.setenv("BOT_DB_PATH", storage.path)

    async def cli(*argv: str) -> int:
        return await asyncio.to_thread(review.main, list(argv))

    assert await cli("list", "--json") == 0
    import json

    pending = json.loads(capsys.readouterr().out)["pending"]
    ids = {p["text"]: p["id"] for p in pending}
    assert await cli("link", ids["想咨询一下管科技馆讲解员那个事"], "52") == 0
    assert await cli("dismiss", ids["天津明天会下雨吗"]) == 0
    assert await cli("aliases", "--json") == 0
    out = capsys.readouterr().out
    aliases = json.loads(out[out.index("["):])
    assert aliases[0]["service"] == "52"
    assert await assistant.sync_taught()  # a running bot picks the link up
    assert assistant.searcher.search("想咨询一下管科技馆讲解员那个事").best.id == "52"
    assert await cli("unlink", aliases[0]["id"]) == 0
    assert await assistant.sync_taught()
    assert assistant.searcher.search("想咨询一下管科技馆讲解员那个事").reason != "learned"
    target = tmp_path / "log.csv"
    assert await cli("export", "--csv", str(target)) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "编号 id" and "问题 question" in rows[0]
    assert {r[3] for r in rows[1:]} == {"想咨询一下管科技馆讲解员那个事", "天津明天会下雨吗"}
    assert await cli("link", "0000000000", "52") == 1
    assert await cli("unlink", "nope") == 1


def test_review_cli_rejects_a_corrupt_database(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 200)
    monkeypatch.setenv("BOT_DB_PATH", str(bad))
    assert review.main(["list"]) == 2
    err = capsys.readouterr().err.strip()
    assert str(bad) in err and "\n" not in err


async def test_retention_forgets_idle_sessions(assistant, storage, clock):
    await assistant.text(USER, "青托申报")
    assert await storage.sessions.load(assistant.key(USER)) is not None
    clock.now += 200 * 86400
    await storage.purge(180)
    assert await storage.sessions.load(assistant.key(USER)) is None


async def test_migration_moves_review_items_into_queues_and_drops_ticket_copies(tmp_path):
    path = tmp_path / "v4.sqlite3"
    con = sqlite3.connect(path)
    for version, statements in MIGRATIONS[:4]:
        for sql in statements:
            con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '4')")
    con.execute("INSERT INTO meta VALUES ('alias_version', '7')")
    rows = [("a", "问一", "unanswered,ticket"), ("b", "问二", "ticket"), ("c", "问三", "down"), ("d", "问四", "none")]
    for rid, text, kinds in rows:
        con.execute("INSERT INTO review_items (id, norm, sample, count, first_seen, last_seen, kinds) "
                    "VALUES (?, ?, ?, 1, 1, 1, ?)", (rid, text, text, kinds))
    con.commit()
    con.close()
    s = Storage(path)
    await s.open()
    try:
        items = {i.id: i for i in await s.inbox.review_items(limit=10)}
        assert {k: (i.queue, i.kinds) for k, i in items.items()} == {
            "a": ("unanswered", ("unanswered",)), "c": ("down", ("down",)), "d": ("none", ("none",))}
        assert await s.taught.version() == 7  # a running bot does not mistake the new counter for no change
    finally:
        await s.close()


async def test_a_turn_is_one_hop_to_the_database_thread_per_transaction(assistant, storage, monkeypatch):
    """A turn reads the chat's session once (then from memory) and commits its writes in one call."""
    conn = storage.database.connection
    hops: list[str] = []
    queue = conn._execute

    async def counted(fn, *args, **kwargs):
        hops.append(getattr(fn, "__name__", repr(fn)))
        return await queue(fn, *args, **kwargs)

    monkeypatch.setattr(conn, "_execute", counted)
    await assistant.text(USER, "青托对年龄有什么要求")  # a new chat: its session is read, the turn committed
    assert len(hops) == 2, hops
    hops.clear()
    await assistant.text(USER, "电话多少")  # its session is in memory now: the commit alone
    assert len(hops) == 1, hops
    assert (await storage.stats.stats(1))["questions"] == 2
