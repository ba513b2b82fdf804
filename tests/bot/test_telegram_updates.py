"""The real Application against the fake Bot API: updates python-telegram-bot cannot read (logged once,
acknowledged, skipped), odd webhook posts, and what the logs may say about a chat."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from dataclasses import replace

from telegram.ext import Application

from bot.chat.replies import Sender
from bot.transports.telegram_bot import serve
from tests.bot.conftest import webhook_bot
from tests.conftest import sent
from tests.fake_bot_api import FakeBotAPI

# A poll without the `question` python-telegram-bot 22 requires: Update.de_json raises TypeError on it.
POISON = {"poll": {"id": "1", "options": [], "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                   "type": "regular", "allows_multiple_answers": False}}


def _unread(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cannot be read by python-telegram-bot" in r.getMessage()]


async def test_a_poison_update_is_logged_once_acknowledged_and_skipped(running_bot, caplog):
    api = running_bot
    caplog.set_level(logging.ERROR, logger="bot.transports.telegram_bot")
    api.send_text("科技小院", user_id=401)          # in flight while the poison is fetched again with it
    poison = api.push(dict(POISON))
    api.send_text("青托申报", user_id=402)          # queued behind the poison
    assert "022-27122522" in (await sent(api, 402, timeout=15))[0].params["text"]
    await sent(api, 401)
    # Acknowledged: the fake Bot API forgets an update once a getUpdates offset passed it.
    await asyncio.to_thread(api.wait_for, lambda: not any(u["update_id"] == poison for u in api.state.updates), 10)
    assert len(_unread(caplog)) == 1 and f"update {poison} " in _unread(caplog)[0]
    assert "科技小院" not in _unread(caplog)[0]  # no content in the log line
    api.send_text("科技小院", user_id=403)          # and the bot keeps going
    assert (await sent(api, 403))[0]


def _post(url: str, body: bytes, secret: str = "s3cret_token") -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_webhook_acknowledges_a_poison_update_and_refuses_odd_json_with_400(assistant, settings, fake_api,
                                                                                   caplog):
    caplog.set_level(logging.ERROR, logger="bot.transports.telegram_bot")
    async with webhook_bot(assistant, settings, fake_api) as (port, task):
        url = f"http://127.0.0.1:{port}/hook"
        # A poison update is acknowledged (200: Telegram does not retry it) and logged once.
        assert await asyncio.to_thread(_post, url, json.dumps({"update_id": 77, **POISON}).encode()) == 200
        assert len(_unread(caplog)) == 1
        # Odd JSON is a 400, not a 500: deep nesting, lone surrogates, no update id.
        assert await asyncio.to_thread(_post, url, b"[" * 100_000 + b"]" * 100_000) == 400
        deep = b'{"update_id": 78, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        assert await asyncio.to_thread(_post, url, deep) == 400
        lone = b'{"update_id": 79, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, ' \
               b'"from": {"id": 5, "is_bot": false, "first_name": "x"}, "text": "\\ud800"}}'
        assert await asyncio.to_thread(_post, url, lone) == 400
        assert await asyncio.to_thread(_post, url, b'{"message": {}}') == 400
        update = json.dumps(fake_api.message_update("科技小院", user_id=404)).encode()
        assert await asyncio.to_thread(_post, url, update) == 200
        assert (await sent(fake_api, 404))[0]
        assert not task.done()


async def test_a_send_that_fails_logs_the_chats_keyed_hash_not_its_id(assistant, settings, fake_api, caplog):
    caplog.set_level(logging.INFO, logger="bot.transports.telegram_bot")
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop, builder=Application.builder().read_timeout(0.3)))
    try:
        await asyncio.to_thread(fake_api.wait_for, lambda: fake_api.calls("setMyCommands"), 10)
        fake_api.fail("sendMessage", "slow", delay=1.0)
        fake_api.send_text("科技小院", user_id=555000111)
        await sent(fake_api, 555000111)
        await asyncio.to_thread(fake_api.wait_for, lambda: "timed out" in caplog.text, 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert "555000111" not in caplog.text
    assert assistant.chat_label(555000111) in caplog.text
    assert assistant.chat_label(555000111) == assistant.key(Sender(user_id=555000111, chat_id=555000111))[:8]


async def _answer_once(assistant, settings, api, update: dict) -> str:
    """Run the bot until it answered `update`; return the reply's text."""
    cfg = replace(settings, telegram_api_base_url=api.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop))
    try:
        api.push(dict(update))
        (reply,) = await sent(api, update["message"]["chat"]["id"])
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    return str(reply.params["text"])


async def test_an_update_delivered_again_after_a_restart_is_answered_the_same_and_logged_once(assistant, settings,
                                                                                              storage):
    with FakeBotAPI() as telegram:
        update = telegram.message_update("青托申报", user_id=405)
        first = await _answer_once(assistant, settings, telegram, update)
    # As after kill -9: the update was handled but not acknowledged, so Telegram delivers it again to the
    # restarted bot (which remembers nothing in memory).
    with FakeBotAPI() as telegram:
        again = await _answer_once(assistant, settings, telegram, update)
    assert again == first
    rows = await storage.database.read("SELECT count(*) AS n FROM queries")
    assert rows[0]["n"] == 1
