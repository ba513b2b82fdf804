"""Staff acting at once on one question, and on questions retention purged: the check and the write are one
transaction, so exactly one action wins (the rest get 409), undo restores the previous answers exactly, and
a purged question's placeholder is never taught."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.staff import changes
from bot.store import PURGED, ChangeRefused
from tests.bot.conftest import open_console
from tests.conftest import STAFF, USER, html, press

QUESTION = "想咨询一下管科技馆讲解员那个事"


def answer(result) -> tuple:
    return (result.decision, result.reason, [(h.id, round(h.score, 6)) for h in result.hits])


async def _item(storage, text: str = QUESTION) -> str:
    await storage.inbox.enqueue(text, text, "unanswered", [])
    return next(i.id for i in await storage.inbox.review_items(limit=100) if i.sample == text)


async def test_five_identical_links_at_once_make_one_alias_and_undo_restores_the_answer(assistant, storage,
                                                                                         fresh_searcher):
    assistant.searcher = assistant.base_searcher = fresh_searcher
    item = await _item(storage)
    before = answer(fresh_searcher.search(QUESTION))
    async with open_console(assistant) as b:
        await b.sign_in()
        url = f"/api/queue/{item}/link"
        replies = await asyncio.gather(*[b.post(url, {"service": "52"}) for _ in range(5)])
        assert sorted(r.status_code for r in replies) == [200, 409, 409, 409, 409], [r.text for r in replies]
        assert all("已经处理过" in r.json()["error"] for r in replies if r.status_code == 409)
        assert [a.text for a in await storage.taught.aliases()] == [QUESTION]
        (link,) = (await b.get("/api/history")).json()["items"]
        assert (await b.post(f"/api/history/{link['id']}/undo")).status_code == 200
        await b.console.sync()
        assert answer(b.console.searcher.search(QUESTION)) == before
    assert await storage.taught.aliases() == []
    assert (await storage.inbox.review_item(item)).status == "pending"


async def test_link_to_two_services_and_out_of_scope_at_once_one_wins(assistant, storage):
    item = await _item(storage)
    async with open_console(assistant) as b:
        await b.sign_in()
        replies = await asyncio.gather(b.post(f"/api/queue/{item}/link", {"service": "13"}),
                                       b.post(f"/api/queue/{item}/link", {"service": "57"}),
                                       b.post(f"/api/queue/{item}/out-of-scope", {}),
                                       b.post(f"/api/queue/{item}/dismiss", {}))
        assert sorted(r.status_code for r in replies) == [200, 409, 409, 409], [r.text for r in replies]
        assert len(await storage.taught.aliases()) + len(await storage.taught.rows()) <= 1
        (change,) = (await b.get("/api/history")).json()["items"]
        assert (await b.post(f"/api/history/{change['id']}/undo")).status_code == 200
    assert await storage.taught.aliases() == [] and await storage.taught.rows() == []
    assert (await storage.inbox.review_item(item)).status == "pending"


async def test_two_changes_on_one_item_from_anywhere_one_wins(storage, catalogue):
    """The store itself: what the console, the command line and Telegram all go through."""
    item = await _item(storage)
    (read,) = [i for i in await storage.inbox.review_items() if i.id == item]  # both read it while pending
    results = await asyncio.gather(changes.link(storage, catalogue, [read], "13", "a"),
                                   changes.out_of_scope(storage, [read], "b"), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ChangeRefused", "str"]
    assert len(await storage.taught.aliases()) + len(await storage.taught.rows()) == 1


async def _purged_item(storage, clock, settings) -> str:
    item = await _item(storage)
    clock.now += (settings.bot_retention_days + 1) * 86400
    await storage.purge(settings.bot_retention_days)
    assert (await storage.inbox.review_item(item)).sample == PURGED
    return item


async def test_a_purged_question_is_never_taught(assistant, storage, clock, settings):
    item = await _purged_item(storage, clock, settings)
    async with open_console(assistant) as b:
        await b.sign_in()
        for url, body in ((f"/api/queue/{item}/link", {"service": "13"}), (f"/api/queue/{item}/out-of-scope", {})):
            r = await b.post(url, body)
            assert r.status_code == 409 and "保存期限" in r.json()["error"], r.text
        with pytest.raises(ChangeRefused, match="item_purged"):
            await storage.taught.link(item, "13", PURGED, PURGED)
        assert await storage.taught.aliases() == [] and await storage.taught.rows() == []
        assert (await b.post(f"/api/queue/{item}/dismiss", {})).status_code == 200  # it can still be put away


async def test_telegram_staff_linking_a_purged_question_is_told_so(assistant, storage, clock, settings):
    item = await _purged_item(storage, clock, settings)
    replies = await assistant.press(STAFF, f"rk|{item}|13")
    assert "保存期限" in html(replies)
    assert await storage.taught.aliases() == []


async def test_two_staff_replies_to_one_ticket_at_once_send_one(assistant, storage):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    await assistant.press(USER, press(replies, "✉️"))
    await assistant.text(USER, "请问科协大楼周末开放吗")
    (ticket,) = await storage.tickets.tickets()
    other = replace(STAFF, user_id=STAFF.user_id + 1, chat_id=STAFF.user_id + 1)
    assistant.settings = replace(assistant.settings, bot_staff_ids=frozenset({STAFF.user_id, other.user_id}))
    for who in (STAFF, other):
        await assistant.press(who, f"rt|{ticket.id}")
    first, second = await asyncio.gather(assistant.text(STAFF, "周末开放"), assistant.text(other, "周末不开放"))
    to_user = [r for r in first + second if r.chat_id == USER.chat_id]
    assert len(to_user) == 1


async def test_a_group_is_linked_together_and_a_member_handled_meanwhile_is_left_out(assistant, storage):
    lead, member, gone = [await _item(storage, t) for t in (QUESTION, QUESTION + "呢", QUESTION + "吗")]
    await storage.taught.dismiss_items([gone], "other", "dismissed elsewhere")
    async with open_console(assistant) as b:
        await b.sign_in()
        r = await b.post(f"/api/queue/{lead}/link", {"service": "52", "ids": [member, gone]})
        assert r.status_code == 200, r.text
    assert sorted(a.text for a in await storage.taught.aliases()) == sorted([QUESTION, QUESTION + "呢"])
    assert [(await storage.inbox.review_item(i)).status for i in (lead, member, gone)] == ["linked", "linked",
                                                                                          "dismissed"]
