"""Shared by the bot tests: the staff console driven over HTTP in-process (httpx against the ASGI app)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import httpx

from bot.chat.core import Assistant
from bot.staff import signin
from bot.staff.console import StaffConsole
from bot.staff.web import create_app

BASE = "http://testserver"


@dataclass
class Browser:
    """An HTTP client on the console, with the signed-in session's CSRF token."""

    client: httpx.AsyncClient
    console: StaffConsole
    csrf: str = ""

    async def get(self, url: str, **kw: object) -> httpx.Response:
        return await self.client.get(url, **kw)  # type: ignore[arg-type]

    async def post(self, url: str, json: object | None = None, csrf: str | None = None) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf if csrf is None else csrf}
        return await self.client.post(url, json=json if json is not None else {}, headers=headers)

    async def queue(self, kind: str = "unanswered") -> list[dict]:
        r = await self.get(f"/api/queue?kind={kind}")
        assert r.status_code == 200, r.text
        return r.json()["items"]  # type: ignore[no-any-return]

    async def sign_in(self, who: str = "cli") -> None:
        link = await signin.new_login_link(self.console.storage, BASE, who)
        token = link.split("t=", 1)[1]
        assert (await self.get(f"/login?t={token}")).status_code == 200
        r = await self.client.post("/login", data={"t": token})
        assert r.status_code == 303, r.text
        session = (await self.get("/api/session")).json()
        assert session["who"] == who
        self.csrf = session["csrf"]


@asynccontextmanager
async def open_console(assistant: Assistant) -> AsyncIterator[Browser]:
    """Yield a browser on a console over the assistant's database, with the assistant's base search."""
    console = StaffConsole(assistant.settings, assistant.storage, assistant.catalogue, assistant.base_searcher,
                           b"k" * 32, clock=assistant.clock,
                           flow_titles={f.id: f.title for f in assistant.flows.values()})
    app = create_app(assistant.settings, console=console)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            yield Browser(client, console)
    finally:
        await console.close()


WEBHOOK_SECRET = "s3cret_token"


@asynccontextmanager
async def webhook_bot(assistant: Assistant, settings, fake_api) -> AsyncIterator[tuple[int, asyncio.Task]]:
    """Run the real bot in webhook mode against the fake Bot API; yield its port (listening) and its task."""
    from bot.transports.telegram_bot import serve
    from tests.conftest import free_port, listening

    port = free_port()
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url, bot_webhook_listen="127.0.0.1",
                  bot_webhook_port=port, telegram_webhook_url="https://bot.example.org/hook",
                  bot_webhook_secret=WEBHOOK_SECRET)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop))
    try:
        await asyncio.to_thread(fake_api.wait_for, lambda: listening(port), 10)  # setWebhook precedes listening
        yield port, task
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
