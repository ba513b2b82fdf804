"""Updates python-telegram-bot cannot read (a poison update), against the real Application and the fake Bot API:
logged once, acknowledged, skipped; the questions queued behind them are answered."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from dataclasses import replace

from bot.transports.telegram_bot import serve
from tests.conftest import free_port, listening, sent

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
    port = free_port()
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url, bot_webhook_listen="127.0.0.1",
                  bot_webhook_port=port, telegram_webhook_url="https://bot.example.org/hook",
                  bot_webhook_secret="s3cret_token")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop))
    try:
        await asyncio.to_thread(fake_api.wait_for, lambda: listening(port), 10)
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
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
