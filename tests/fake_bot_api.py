"""A local fake Telegram Bot API server for tests and benchmarks (no network beyond 127.0.0.1).

It speaks the HTTP shape python-telegram-bot uses (POST /bot<token>/<method>, form-encoded
parameters, JSON replies), long-polls getUpdates, records what the bot sends, and can inject
faults: 429 Retry-After, 5xx, slow replies (time-outs) and 409 Conflict on getUpdates.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT_ID = 900000001
BOT_USERNAME = "kechuang_test_bot"
TOKEN = "123456789:TEST_TOKEN_abcdefghijklmnopqrstuvwxyz"

_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id", "cache_time"}
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "reply_parameters"}


@dataclass
class Sent:
    """One call the bot made: method, parameters, and when it arrived."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Fault:
    """A fault to inject on the next call(s) of a method."""

    kind: str          # "429", "500", "slow", "conflict"
    times: int = 1
    retry_after: int = 1
    delay: float = 0.0


class _Server(ThreadingHTTPServer):
    """The HTTP server: a deep accept queue, so a burst of connections is never dropped and retried."""

    daemon_threads = True
    # socketserver's default backlog is 5: 50 chats connecting at once overflowed it (SYN retried after 1 s).
    request_queue_size = 1024


@dataclass
class FakeState:
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    calls: list[Sent] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    pushed_at: dict[int, float] = field(default_factory=dict)
    delivered_at: dict[int, float] = field(default_factory=dict)
    webhook: str = ""


class FakeBotAPI:
    """Start with `with FakeBotAPI() as api:`; point the bot at `api.base_url`."""

    def __init__(self, token: str = TOKEN, poll_interval: float = 0.005) -> None:
        self.token = token
        self.state = FakeState()
        self.cond = threading.Condition()
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._poll_interval = poll_interval
        self.server = _Server(("127.0.0.1", 0), self._handler())
        # A short poll interval: shutdown() waits for the serving loop to look up (0.5 s by default).
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> FakeBotAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self.cond:
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        """python-telegram-bot's base_url form: http://127.0.0.1:PORT/bot."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    # -- driving the bot as a user would ----------------------------------------------------------

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": "zh-hans"}

    def _chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"用户{chat_id}"
        else:
            chat["title"] = "测试群"
        return chat

    def push(self, update: dict[str, Any]) -> int:
        """Queue a raw update; return its update_id."""
        with self.cond:
            update.setdefault("update_id", next(self._update_ids))
            self.state.updates.append(update)
            self.state.pushed_at[update["update_id"]] = time.monotonic()
            self.cond.notify_all()
        return update["update_id"]

    def message_update(self, text: str | None, user_id: int = 111, chat_id: int | None = None,
                       chat_type: str = "private", **extra: Any) -> dict[str, Any]:
        """Return an update carrying a message from a user (text, or other content via extra)."""
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                   "chat": self._chat(chat_id, chat_type), "from": self._user(user_id)}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message.update(extra)
        return {"update_id": next(self._update_ids), "message": message}

    def send_text(self, text: str | None, user_id: int = 111, chat_id: int | None = None,
                  chat_type: str = "private", **extra: Any) -> int:
        """A user sends a message; return the update id."""
        return self.push(self.message_update(text, user_id, chat_id, chat_type, **extra))

    def press(self, data: str, message: dict[str, Any] | None = None, user_id: int = 111,
              chat_id: int | None = None) -> int:
        """A user presses an inline button with this callback data under `message` (a sent message)."""
        chat_id = user_id if chat_id is None else chat_id
        msg = message or {"message_id": next(self._message_ids), "date": int(time.time()),
                          "chat": self._chat(chat_id, "private"), "text": "…"}
        msg = {**msg, "from": {"id": BOT_ID, "is_bot": True, "first_name": "科创服务助手", "username": BOT_USERNAME}}
        return self.push({"update_id": next(self._update_ids), "callback_query": {
            "id": str(next(self._message_ids)), "from": self._user(user_id), "chat_instance": "ci",
            "data": data, "message": msg}})

    def fail(self, method: str, kind: str, times: int = 1, retry_after: int = 1, delay: float = 0.0) -> None:
        """Make the next `times` calls of `method` fail in the given way."""
        with self.cond:
            for _ in range(times):
                self.state.faults[method].append(Fault(kind, 1, retry_after, delay))

    # -- reading what the bot did -----------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[Sent]:
        with self.cond:
            return [c for c in self.state.calls if (method is None or c.method == method)
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def sent(self, chat_id: int | None = None) -> list[Sent]:
        """Return sendMessage calls (optionally to one chat)."""
        return self.calls("sendMessage", chat_id)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until predicate() returns something truthy; return it (raise on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            with self.cond:
                self.cond.wait(0.01)
        raise AssertionError("timed out waiting for the bot")

    def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[Sent]:
        """Wait until at least `count` messages were sent to a chat; return them."""
        return self.wait_for(lambda: (lambda s: s if len(s) >= count else None)(self.sent(chat_id)), timeout)

    def wait_first_replies(self, updates: dict[str, int], timeout: float = 60.0) -> dict[str, Any]:
        """Wait until each chat in {chat id: update id} got a sendMessage; return the times (monotonic).

        For benchmarks: the caller blocks in one request instead of polling the whole state.
        """
        chats = {int(c): u for c, u in updates.items()}
        deadline = time.monotonic() + timeout
        first: dict[int, float] = {}
        seen = 0
        with self.cond:
            while True:
                for c in self.state.calls[seen:]:
                    chat = c.params.get("chat_id")
                    if c.method == "sendMessage" and chat in chats and chat not in first:
                        first[chat] = c.at
                seen = len(self.state.calls)
                left = deadline - time.monotonic()
                if len(first) == len(chats) or left <= 0:
                    break
                self.cond.wait(left)
            return {"replied": {str(c): t for c, t in first.items()},
                    "pushed": {str(c): self.state.pushed_at.get(u) for c, u in chats.items()},
                    "delivered": {str(c): self.state.delivered_at.get(u) for c, u in chats.items()}}

    # -- HTTP -------------------------------------------------------------------------------------

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id", 0)
        return {"message_id": params.get("message_id") or next(self._message_ids), "date": int(time.time()),
                "chat": self._chat(chat_id, "private" if chat_id > 0 else "group"),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "科创服务助手", "username": BOT_USERNAME},
                "text": params.get("text", ""),
                **({"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {})}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset") or 0
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.state.updates and self.state.updates[0]["update_id"] < offset:
                    self.state.updates.popleft()
                if self.state.updates or time.monotonic() >= deadline:
                    batch = list(self.state.updates)[: int(params.get("limit") or 100)]
                    now = time.monotonic()
                    for u in batch:
                        self.state.delivered_at.setdefault(u["update_id"], now)
                    return batch
                self.cond.wait(min(self._poll_interval * 20, max(deadline - time.monotonic(), 0.001)))

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.cond:
            faults = self.state.faults.get(method)
            fault = faults.popleft() if faults else None
        if fault is not None:
            if fault.kind == "429":
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry later",
                             "parameters": {"retry_after": fault.retry_after}}
            if fault.kind == "500":
                return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            if fault.kind == "conflict":
                return 409, {"ok": False, "error_code": 409, "description":
                             "Conflict: terminated by other getUpdates request; make sure that only one bot "
                             "instance is running"}
            if fault.kind == "slow":
                time.sleep(fault.delay)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self.cond:
            self.state.calls.append(Sent(method, params, time.monotonic()))
            self.cond.notify_all()
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": BOT_ID, "is_bot": True, "first_name": "科创服务助手",
                                                "username": BOT_USERNAME, "can_join_groups": True,
                                                "can_read_all_group_messages": False,
                                                "supports_inline_queries": False}}
        if method in ("sendMessage", "editMessageText"):
            return 200, {"ok": True, "result": self._message(params)}
        if method in ("answerCallbackQuery", "setMyCommands", "deleteWebhook", "close", "logOut",
                      "deleteMyCommands"):
            return 200, {"ok": True, "result": True}
        if method == "setWebhook":
            with self.cond:
                self.state.webhook = str(params.get("url", ""))
            return 200, {"ok": True, "result": True}
        if method == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": self.state.webhook, "has_custom_certificate": False,
                                                "pending_update_count": 0}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY on every accepted socket: with Nagle's algorithm a reply waits for the
            # client's delayed ACK of the previous segment (about 40 ms on Linux).
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _params(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                raw: dict[str, Any] = {}
                if "json" in ctype and body:
                    raw = json.loads(body)
                elif body:
                    raw = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
                raw.update({k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()})
                params: dict[str, Any] = {}
                for k, v in raw.items():
                    if k in _INT_FIELDS and isinstance(v, str) and v.lstrip("-").isdigit():
                        params[k] = int(v)
                    elif k in _JSON_FIELDS and isinstance(v, str):
                        params[k] = json.loads(v)
                    else:
                        params[k] = v
                return params

            def _control(self) -> None:
                """Benchmark control when the server runs in its own process (see main())."""
                path = urlsplit(self.path).path
                if path == "/control/push":
                    length = int(self.headers.get("Content-Length") or 0)
                    updates = json.loads(self.rfile.read(length) or b"[]")
                    self._reply(200, {"ok": True, "result": [api.push(u) for u in updates]})
                    return
                if path == "/control/wait":
                    length = int(self.headers.get("Content-Length") or 0)
                    self._reply(200, {"ok": True, "result": api.wait_first_replies(**json.loads(self.rfile.read(length)))})
                    return
                if path == "/control/state":
                    with api.cond:
                        calls = [{"method": c.method, "chat_id": c.params.get("chat_id"), "at": c.at}
                                 for c in api.state.calls]
                        body = {"calls": calls, "pushed_at": api.state.pushed_at,
                                "delivered_at": api.state.delivered_at}
                    self._reply(200, {"ok": True, "result": body})
                    return
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            def _serve(self) -> None:
                if self.path.startswith("/control/"):
                    self._control()
                    return
                parts = urlsplit(self.path).path.strip("/").split("/")
                if len(parts) != 2 or parts[0] != f"bot{api.token}":
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                if parts[0] != f"bot{api.token}":
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                status, body = api.answer(parts[1], self._params())
                self._reply(status, body)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                """Send status line, headers and body in one write (one segment, no waiting for an ACK)."""
                data = json.dumps(body, ensure_ascii=False).encode()
                head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                        f"Server: fake-bot-api\r\nDate: {self.date_time_string()}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
                try:
                    self.wfile.write(head.encode("latin-1") + data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve

        return Handler


def main() -> None:
    """Run the fake server on its own (for benchmarks): prints its base URL, serves until killed."""
    import sys

    with FakeBotAPI() as api:
        print(api.base_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            sys.exit(0)


if __name__ == "__main__":
    main()
