"""The real staff console process (python -m bot.review serve) under faults, over HTTP: racing staff actions,
a database another process holds locked at sign-in, guessing sign-in tokens, odd JSON."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.store import Storage
from tests.conftest import free_port, listening

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

QUESTION = "想咨询一下管科技馆讲解员那个事"


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return {**env, "BOT_DB_PATH": str(db), "BOT_LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "utf-8"}


@pytest.fixture
def console(tmp_path) -> Iterator[tuple[str, Path]]:
    """A database with two pending questions, and the console process serving it; yields (base URL, db)."""
    db = tmp_path / "console.sqlite3"

    async def prepare() -> None:
        s = Storage(db)
        await s.open()
        for text in (QUESTION, "天津的共享单车怎么退押金"):
            await s.inbox.enqueue(text, text, "unanswered", [])
        await s.close()

    asyncio.run(prepare())
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot.review", "serve", "--port", str(port)], cwd=ROOT,
                            env=_env(db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            if listening(port) or proc.poll() is not None:
                break
            asyncio.run(asyncio.sleep(0.1))
        assert listening(port), proc.stderr.read() if proc.stderr else ""
        yield f"http://127.0.0.1:{port}", db
    finally:
        proc.terminate()
        proc.wait(30)


def _link(base: str, db: Path) -> str:
    run = subprocess.run([sys.executable, "-m", "bot.review", "login-url", "--base", base], cwd=ROOT, env=_env(db),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().split("t=", 1)[1]


def _signed_in(base: str, db: Path) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    assert client.post("/login", data={"t": _link(base, db)}).status_code == 303
    return client, client.get("/api/session").json()["csrf"]


def _items(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT sample, id FROM review_items"))


def _taught(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT (SELECT count(*) FROM learned_aliases WHERE removed_at IS NULL) + "
                                "(SELECT count(*) FROM taught WHERE removed_at IS NULL)").fetchone()[0])


def test_racing_staff_actions_on_the_real_console_one_wins(console):
    base, db = console
    client, csrf = _signed_in(base, db)
    items = _items(db)
    headers = {"X-CSRF-Token": csrf}
    with ThreadPoolExecutor(8) as pool:
        same = list(pool.map(lambda _: client.post(f"/api/queue/{items[QUESTION]}/link", json={"service": "52"},
                                                   headers=headers), range(5)))
        other = items["天津的共享单车怎么退押金"]
        mixed = list(pool.map(lambda call: client.post(f"/api/queue/{other}/{call[0]}", json=call[1], headers=headers),
                              [("link", {"service": "13"}), ("link", {"service": "57"}), ("out-of-scope", {})]))
    assert sorted(r.status_code for r in same) == [200, 409, 409, 409, 409]
    assert sorted(r.status_code for r in mixed) == [200, 409, 409]
    assert _taught(db) == 2
    for change in client.get("/api/history").json()["items"]:
        assert client.post(f"/api/history/{change['id']}/undo", headers=headers).status_code == 200
    assert _taught(db) == 0
    with sqlite3.connect(db) as conn:
        assert {s for (s,) in conn.execute("SELECT status FROM review_items")} == {"pending"}


def test_sign_in_while_another_process_holds_the_database_is_a_503_then_works(console):
    base, db = console
    token = _link(base, db)
    client = httpx.Client(base_url=base, timeout=30)
    blocker = sqlite3.connect(db, timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        busy = client.post("/login", data={"t": token})
    finally:
        blocker.rollback()
        blocker.close()
    assert busy.status_code == 503 and "数据库正忙" in busy.text
    assert client.post("/login", data={"t": token}).status_code == 303  # the link was not spent


def test_guessing_sign_in_tokens_on_the_real_console_is_limited(console):
    base, _ = console
    client = httpx.Client(base_url=base, timeout=30)
    codes = [client.post("/login", data={"t": "A" * 43}).status_code for _ in range(40)]
    assert codes[:10] == [401] * 10 and set(codes[12:]) == {429}


def test_odd_json_on_the_real_console_is_a_400(console):
    base, db = console
    client, csrf = _signed_in(base, db)
    item = _items(db)[QUESTION]
    for body in (b"[" * 30_000 + b"]" * 30_000, b'{"service": "\\ud800"}', b'{"service": "13", "ids": ["\\udfff"]}'):
        r = client.post(f"/api/queue/{item}/link", content=body,
                        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
        assert r.status_code == 400, (body[:20], r.status_code, r.text[:200])
