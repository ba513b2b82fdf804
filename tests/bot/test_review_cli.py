"""The review command line: readable stats, login links, terms, out-of-scope, history and undo."""

from __future__ import annotations

import asyncio
import json
import time

from bot import review
from tests.bot.conftest import open_console
from tests.conftest import USER


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(review.main, list(argv))


async def test_stats_prints_a_readable_chinese_summary_and_json_on_request(assistant, storage, monkeypatch, capsys):
    monkeypatch.setenv("BOT_DB_PATH", storage.path)
    await assistant.text(USER, "青托申报")
    await assistant.text(USER, "想咨询一下管科技馆讲解员那个事")
    assert await cli("stats", "--days", "3650") == 0
    out = capsys.readouterr().out
    assert "提问 2 次" in out and "13 实施天津市青年人才托举工程" in out and "{" not in out and "<b>" not in out
    assert await cli("stats", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] >= 0 and "answer_rate" in data


async def test_login_url_term_out_of_scope_history_and_undo(assistant, storage, monkeypatch, capsys, clock):
    clock.now = time.time()  # the command line runs on the real clock
    monkeypatch.setenv("BOT_DB_PATH", storage.path)
    monkeypatch.delenv("BOT_ADMIN_URL", raising=False)
    assert await cli("login-url", "--base", "http://127.0.0.1:9999") == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("http://127.0.0.1:9999/login?t=")
    async with open_console(assistant) as b:
        r = await b.client.post("/login", data={"t": link.split("t=", 1)[1]})
        assert r.status_code == 303

    assert await cli("term", "科协之家", "科技工作者之家") == 0
    assert await cli("term", "青", "青托") == 1
    await assistant.text(USER, "天津的共享单车怎么退押金")
    item = (await storage.inbox.review_items())[0]
    assert await cli("out-of-scope", item.id) == 0
    assert await cli("out-of-scope", item.id) == 1  # no longer pending
    await assistant.sync_taught()
    assert assistant.searcher.search("科协之家怎么订会议室").corrections == (("科协之家", "科技工作者之家"),)
    assert assistant.searcher.search("天津的共享单车怎么退押金").reason == "out_of_scope"
    capsys.readouterr()
    assert await cli("history", "--json") == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries] == ["out_of_scope", "term"] and {e["who"] for e in entries} == {"cli"}
    for e in entries:
        assert await cli("undo", e["id"]) == 0
    assert await cli("undo", entries[0]["id"]) == 1
    await assistant.sync_taught()
    assert assistant.searcher.search("科协之家怎么订会议室").corrections == ()
    assert assistant.searcher.search("天津的共享单车怎么退押金").reason != "out_of_scope"
    assert (await storage.inbox.review_item(item.id)).status == "pending"


def test_serve_and_export_reject_bad_arguments(capsys):
    assert review.main(["serve", "--port", "0"]) == 2
    assert review.main(["export", "--csv", "x.csv", "--days", "0"]) == 2
