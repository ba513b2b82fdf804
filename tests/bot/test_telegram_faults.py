"""The real Application through Telegram-side faults: conflicts, hostile webhook posts, time-outs, stops and kills."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.transports.telegram_bot import serve
from tests.bot.conftest import webhook_bot
from tests.conftest import free_port, listening, sent
from tests.fake_bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow



def _raw_post(port: int, head: str, body: bytes = b"", timeout: float = 5.0) -> int:
    """Send a raw HTTP request (headers may promise more body than is sent); return the status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode() + body)
        data = s.recv(1024)
    return int(data.split()[1])


async def test_a_running_bot_treats_a_later_conflict_as_transient(assistant, settings, fake_api):
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop, grace=0.0))  # past its start: production
    try:
        await asyncio.to_thread(fake_api.wait_for, lambda: fake_api.calls("setMyCommands"), 10)
        fake_api.fail("getUpdates", "conflict", times=3)
        fake_api.send_text("科技小院", user_id=301)
        assert "54 推动" in (await sent(fake_api, 301, timeout=15))[0].params["text"]
        assert not task.done()
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0


async def test_webhook_refuses_hostile_posts_before_reading_them(assistant, settings, fake_api):
    async with webhook_bot(assistant, settings, fake_api) as (port, task):
        huge = 95 * 1024 * 1024
        head = ("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {huge}\r\nX-Telegram-Bot-Api-Secret-Token: {{secret}}\r\n\r\n")
        # Only a few bytes of the promised 95 MiB are sent: an answer proves the body was never awaited.
        assert await asyncio.to_thread(_raw_post, port, head.format(secret="wrong"), b"{") == 403
        assert await asyncio.to_thread(_raw_post, port, head.format(secret="s3cret_token"), b"{") == 413
        chunked = ("POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   "X-Telegram-Bot-Api-Secret-Token: s3cret_token\r\n\r\n")
        body = b"".join(b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(6))
        assert await asyncio.to_thread(_raw_post, port, chunked, body) == 413
        bad = b"{not json"
        head = ("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(bad)}\r\nX-Telegram-Bot-Api-Secret-Token: s3cret_token\r\n\r\n")
        assert await asyncio.to_thread(_raw_post, port, head, bad) == 400
        update = json.dumps(fake_api.message_update("科技小院", user_id=302)).encode()
        head = ("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(update)}\r\nX-Telegram-Bot-Api-Secret-Token: s3cret_token\r\n\r\n")
        assert await asyncio.to_thread(_raw_post, port, head, update) == 200
        assert "54 推动" in (await sent(fake_api, 302))[0].params["text"]


async def test_a_send_that_timed_out_is_not_sent_again(assistant, settings, fake_api):
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url)
    builder = Application.builder().read_timeout(0.5).write_timeout(0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop, builder=builder))
    try:
        await asyncio.to_thread(fake_api.wait_for, lambda: fake_api.calls("setMyCommands"), 10)
        fake_api.fail("sendMessage", "slow", delay=1.5)  # the server got it, the bot timed out waiting
        fake_api.send_text("科技小院", user_id=303)
        await sent(fake_api, 303)
        await asyncio.sleep(2.0)
        assert len(fake_api.sent(303)) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


# -- stopping and killing the real process mid-burst ---------------------------------------------------

def _start_bot(api: FakeBotAPI, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
           "BOT_DB_PATH": str(db), "BOT_USER_KEY_SECRET": "faults", "BOT_LOG_LEVEL": "WARNING",
           "BOT_USER_BURST": "1000", "BOT_USER_PER_MINUTE": "6000", "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _answered(api: FakeBotAPI, chats: range) -> set[int]:
    return {c for c in chats if api.sent(c)}


def _burst_then(api: FakeBotAPI, db: Path, how: int) -> tuple[set[int], set[int]]:
    """Send 200 questions, stop the bot with `how` after some replies; return (answered before, after restart)."""
    chats = range(7000, 7200)
    bot = _start_bot(api, db)
    try:
        api.wait_for(lambda: api.calls("setMyCommands"), 30)
        for c in chats:
            api.send_text("青托申报", user_id=c)
        api.wait_for(lambda: len(_answered(api, chats)) >= 20, 30)
        bot.send_signal(how)
        bot.wait(30)
    finally:
        if bot.poll() is None:
            bot.kill()
    before = _answered(api, chats)
    bot = _start_bot(api, db)
    try:
        api.wait_for(lambda: len(_answered(api, chats)) == len(chats), 60)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(30)
    return before, _answered(api, chats)


def test_sigterm_mid_burst_loses_nothing(tmp_path):
    with FakeBotAPI() as api:
        before, after = _burst_then(api, tmp_path / "term.sqlite3", signal.SIGTERM)
        assert len(after) == 200
        # A graceful stop finishes what it fetched and acknowledges it: nothing is answered twice.
        assert all(len(api.sent(c)) == 1 for c in range(7000, 7200))


def test_kill_9_mid_burst_loses_nothing(tmp_path):
    with FakeBotAPI() as api:
        before, after = _burst_then(api, tmp_path / "kill.sqlite3", signal.SIGKILL)
        assert len(before) < 200 and len(after) == 200
        twice = [c for c in range(7000, 7200) if len(api.sent(c)) > 1]
        # At least once: only what was being handled at the moment of the kill may be answered again …
        assert len(twice) <= 100
        print(f"kill -9 after {len(before)} answers: {len(twice)} answered twice after the restart")
    # … and written down once (an update is remembered with its replies in the transaction of its turn).
    import sqlite3

    with sqlite3.connect(tmp_path / "kill.sqlite3") as conn:
        per_user = [n for (n,) in conn.execute("SELECT count(*) FROM queries GROUP BY user_key")]
    assert len(per_user) == 200 and set(per_user) == {1}


def test_sigterm_in_webhook_mode_stops_cleanly(tmp_path):
    """SIGTERM stops a webhook bot through its own handler (not the web server's) with exit status 0."""
    port = free_port()
    with FakeBotAPI() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
               "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook", "BOT_WEBHOOK_LISTEN": "127.0.0.1",
               "BOT_WEBHOOK_PORT": str(port), "BOT_DB_PATH": str(tmp_path / "hook.sqlite3"),
               "BOT_USER_KEY_SECRET": "faults", "BOT_LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "utf-8"}
        bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            api.wait_for(lambda: api.calls("setWebhook"), 30)
            api.wait_for(lambda: listening(port), 20)
            bot.send_signal(signal.SIGTERM)
            out, err = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        assert bot.returncode == 0, err
        assert "Traceback" not in err



def _queries(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM queries").fetchone()[0])


def test_the_database_deleted_under_a_running_bot_is_noticed_and_its_new_rows_kept(tmp_path):
    db = tmp_path / "deleted.sqlite3"
    with FakeBotAPI() as api:
        bot = _start_bot(api, db)
        try:
            api.wait_for(lambda: api.calls("setMyCommands"), 30)
            for c in range(8000, 8003):
                api.send_text("青托申报", user_id=c)
            api.wait_for(lambda: len(_answered(api, range(8000, 8003))) == 3, 30)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            for c in range(8100, 8110):
                api.send_text("青托申报", user_id=c)
            api.wait_for(lambda: len(_answered(api, range(8100, 8110))) == 10, 30)
            review = subprocess.run([sys.executable, "-m", "bot.review", "list"], cwd=ROOT, capture_output=True,
                                    text=True, timeout=60, env={**os.environ, "BOT_DB_PATH": str(db)})
            assert review.returncode != 0 and "no database" in review.stderr and not db.exists()
            bot.send_signal(signal.SIGTERM)
            _, err = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        assert bot.returncode == 0 and "DELETED" in err and "Traceback" not in err, err
        assert _queries(db) == 10  # written into a new database at stop, not lost with the deleted file
        bot = _start_bot(api, db)  # and a restart keeps them
        try:
            api.wait_for(lambda: api.calls("setMyCommands") and len(api.calls("setMyCommands")) >= 2, 30)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(30)
        assert _queries(db) == 10


def _webhook_bot(api: FakeBotAPI, db: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
           "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook", "BOT_WEBHOOK_LISTEN": "127.0.0.1",
           "BOT_WEBHOOK_PORT": str(port), "BOT_WEBHOOK_SECRET": "s3cret_token", "BOT_DB_PATH": str(db),
           "BOT_USER_KEY_SECRET": "faults", "BOT_LOG_LEVEL": "WARNING", "BOT_USER_BURST": "1000",
           "BOT_USER_PER_MINUTE": "6000", "PYTHONIOENCODING": "utf-8"}
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, text=True)
    api.wait_for(lambda: listening(port), 60)
    return bot


def _telegram_posts(port: int, updates: list[dict]) -> set[int]:
    """Post updates to the webhook as Telegram does, 20 at a time; return the update ids acknowledged (2xx)."""
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def post(update: dict) -> int | None:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "X-Telegram-Bot-Api-Secret-Token": "s3cret_token"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return update["update_id"] if resp.status == 200 else None
        except (OSError, urllib.error.URLError):
            return None  # refused, reset by the kill, or an error status: Telegram delivers it again

    with ThreadPoolExecutor(20) as pool:
        return {u for u in pool.map(post, updates) if u is not None}


def test_kill_9_mid_burst_in_webhook_mode_logs_each_question_once(tmp_path):
    import sqlite3
    import threading

    port, db, chats = free_port(), tmp_path / "hook.sqlite3", range(7300, 7500)
    with FakeBotAPI() as api:
        updates = [api.message_update("青托申报", user_id=c) for c in chats]
        bot = _webhook_bot(api, db, port)
        acknowledged: set[int] = set()
        try:
            poster = threading.Thread(target=lambda: acknowledged.update(_telegram_posts(port, updates)))
            poster.start()
            api.wait_for(lambda: len(_answered(api, chats)) >= 40, 60)
            bot.kill()  # kill -9 mid-burst
            bot.wait(30)
            poster.join(60)
        finally:
            if bot.poll() is None:
                bot.kill()
        assert len(acknowledged) < 200
        bot = _webhook_bot(api, db, port)  # Telegram delivers again what it got no 200 for
        try:
            _telegram_posts(port, [u for u in updates if u["update_id"] not in acknowledged])
            api.wait_for(lambda: len(_answered(api, chats)) == 200, 60)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(30)
    with sqlite3.connect(db) as conn:
        per_user = [n for (n,) in conn.execute("SELECT count(*) FROM queries GROUP BY user_key")]
    assert len(per_user) == 200 and set(per_user) == {1}, f"{sum(n > 1 for n in per_user)} questions logged twice"
