"""The staff console under faults, over HTTP in-process: a busy or full database at sign-in, odd JSON, guessing
sign-in tokens. (tests/bot/test_console_process.py does the same against the real console process.)"""

from __future__ import annotations

import pytest

from bot.chat.core import RateLimiter
from bot.staff import signin
from tests.bot.conftest import BASE, open_console
from tests.bot.test_faults import FailingWrites


async def _token(storage) -> str:
    return (await signin.new_login_link(storage, BASE, "cli")).split("t=", 1)[1]


@pytest.mark.parametrize("message", ["database or disk is full", "database is locked"])
async def test_sign_in_while_the_database_refuses_writes_is_a_503_that_spends_nothing(assistant, storage, monkeypatch,
                                                                                        message):
    token = await _token(storage)
    async with open_console(assistant) as b:
        faults = FailingWrites(storage, monkeypatch, message)
        r = await b.client.post("/login", data={"t": token})
        assert r.status_code == 503 and "数据库正忙" in r.text and "仍然有效" in r.text
        assert token in r.text  # the page offers the same sign-in button again
        faults.stop()
        r = await b.client.post("/login", data={"t": token})
        assert r.status_code == 303  # the link was not spent by the failed attempt
        assert (await b.get("/api/session")).json()["who"] == "cli"


async def test_signing_out_while_the_database_is_full_is_a_503(assistant, storage, monkeypatch):
    async with open_console(assistant) as b:
        await b.sign_in()
        FailingWrites(storage, monkeypatch)
        r = await b.client.post("/logout", headers={"X-CSRF-Token": b.csrf})
        assert r.status_code == 503 and "数据库正忙" in r.json()["error"]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_sign_in_attempts_are_limited_per_address(assistant, storage):
    clock = FakeTime()
    async with open_console(assistant) as b:
        b.console.sign_in_attempts = RateLimiter(10, 10, clock=clock)
        guesses = [await b.client.post("/login", data={"t": "x" * 43}) for _ in range(30)]
        assert [r.status_code for r in guesses] == [401] * 10 + [429] * 20
        assert "太频繁" in guesses[-1].text and guesses[-1].headers["retry-after"] == "60"
        token = await _token(storage)
        assert (await b.client.post("/login", data={"t": token})).status_code == 429  # even a good one, for now
        clock.now += 6  # one attempt a minute per 6 s comes back
        assert (await b.client.post("/login", data={"t": token})).status_code == 303


ODD = [
    b"[" * 30_000 + b"]" * 30_000,                         # RecursionError in json.loads (under the 64 KB cap)
    b'{"service": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"service": "\\ud800"}',                               # a lone surrogate
    b'{"service": "13", "ids": ["\\udfff"]}',
    b'{"text": "\\ud83d"}',
    b"\xff\xfe{}",                                           # not UTF-8
]


async def test_odd_json_is_a_400_never_a_500(assistant, storage):
    await storage.inbox.enqueue("问题", "问题", "unanswered", [])
    (item,) = await storage.inbox.review_items()
    ticket = await storage.tickets.open_ticket("u", 5, "留言")
    async with open_console(assistant) as b:
        await b.sign_in()
        for url in (f"/api/queue/{item.id}/link", f"/api/queue/{item.id}/out-of-scope",
                    f"/api/tickets/{ticket}/reply", "/api/terms"):
            for body in ODD:
                r = await b.client.post(url, content=body, headers={"X-CSRF-Token": b.csrf,
                                                                    "Content-Type": "application/json"})
                assert r.status_code == 400 and r.json()["error"], (url, body[:20], r.text[:200])
    assert (await storage.inbox.review_item(item.id)).status == "pending"
    assert [t.status for t in await storage.tickets.tickets()] == ["open"]

