"""The fake Bot API server answers promptly: one write per reply, no Nagle stall, a deep accept queue."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time

from tests.fake_bot_api import TOKEN


def test_reply_is_one_write_with_headers_and_body(fake_api):
    handler_class = fake_api.server.RequestHandlerClass
    handler = handler_class.__new__(handler_class)
    writes: list[bytes] = []

    class Recorder(io.RawIOBase):
        def write(self, b):
            writes.append(bytes(b))
            return len(b)

    handler.wfile = Recorder()
    handler._reply(200, {"ok": True, "result": "好"})
    assert len(writes) == 1
    head, body = writes[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Content-Length: %d" % len(body) in head
    assert json.loads(body) == {"ok": True, "result": "好"}


def test_accepted_sockets_disable_nagle_and_backlog_is_deep(fake_api):
    assert fake_api.server.RequestHandlerClass.disable_nagle_algorithm is True
    assert fake_api.server.request_queue_size >= 1024
    seen: list[int] = []
    original = fake_api.server.RequestHandlerClass.setup

    def setup(self):
        original(self)
        seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    fake_api.server.RequestHandlerClass.setup = setup
    try:
        conn = http.client.HTTPConnection("127.0.0.1", fake_api.server.server_address[1], timeout=5)
        conn.request("POST", f"/bot{TOKEN}/getMe")
        assert json.loads(conn.getresponse().read())["ok"]
        conn.close()
    finally:
        fake_api.server.RequestHandlerClass.setup = original
    assert seen and all(seen)


def test_keep_alive_requests_do_not_wait_for_delayed_acks(fake_api):
    """Before: headers and body went out in two sends with Nagle on, ~40 ms per reply."""
    conn = http.client.HTTPConnection("127.0.0.1", fake_api.server.server_address[1], timeout=5)
    conn.request("POST", f"/bot{TOKEN}/getMe")
    conn.getresponse().read()
    start = time.monotonic()
    for _ in range(30):
        conn.request("POST", f"/bot{TOKEN}/sendMessage", body="chat_id=5&text=hi",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert json.loads(conn.getresponse().read())["ok"]
    elapsed = time.monotonic() - start
    conn.close()
    assert elapsed < 0.6, f"30 replies took {elapsed:.2f} s"


def test_a_burst_of_connections_is_served_at_once(fake_api):
    port = fake_api.server.server_address[1]
    times: list[float] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            start = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", f"/bot{TOKEN}/getMe")
            conn.getresponse().read()
            conn.close()
            times.append(time.monotonic() - start)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(times) == 100
    # A dropped SYN is retried after a second; none of the 100 waited that long.
    assert max(times) < 0.9


def test_wait_first_replies_reports_the_times_of_each_chats_first_reply(fake_api):
    u1 = fake_api.send_text("你好", user_id=31)
    u2 = fake_api.send_text("你好", user_id=32)
    fake_api.answer("getUpdates", {"offset": 0})

    def reply() -> None:
        time.sleep(0.05)
        fake_api.answer("sendMessage", {"chat_id": 31, "text": "a"})
        fake_api.answer("sendMessage", {"chat_id": 32, "text": "b"})
        fake_api.answer("sendMessage", {"chat_id": 31, "text": "c"})

    threading.Thread(target=reply).start()
    got = fake_api.wait_first_replies({"31": u1, "32": u2}, timeout=5)
    assert set(got["replied"]) == {"31", "32"}
    for chat in ("31", "32"):
        assert got["pushed"][chat] <= got["delivered"][chat] <= got["replied"][chat]
