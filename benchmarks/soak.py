"""Soak run: the real bot process for minutes under steady traffic, with the database locked every minute.

    python -m benchmarks.soak [--minutes 10] [--chats 200] [--every 10] [--lock-seconds 8]

Three processes, as in production: the fake Bot API server (tests/fake_bot_api.py), the bot
(`python -m bot` with a token pointing at it) and this driver. Every chat sends a question every
`--every` seconds; once a minute the driver takes an exclusive lock on the bot's database for
`--lock-seconds` (longer than the bot's 5 s busy timeout, so writes fail and wait in memory). At the
end the bot is stopped with SIGTERM and the figures are printed: questions sent, answered, logged and
lost, and the bot's resident memory at start and at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.fake_bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]
# Questions whose answer is one message each, so replies can be counted per chat.
QUESTIONS = ["科技小院怎么申请", "青托对年龄有什么要求", "科普大使归哪个部门管，电话多少", "创交会 报名",
             "天津明天会下雨吗", "院士专家工作站怎么建"]


def _call(base: str, path: str, body: Any = None) -> Any:
    url = base.removesuffix("/bot") + path
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["result"]


def rss_mib(pid: int) -> float:
    """Return a process's resident memory in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hold_lock(db: Path, seconds: float) -> None:
    """Hold an exclusive write lock on the database while traffic goes on."""
    blocker = sqlite3.connect(db, timeout=30)
    blocker.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    blocker.rollback()
    blocker.close()


def replies_per_chat(base: str) -> dict[int, int]:
    """Return how many messages the bot sent to each chat."""
    counts: dict[int, int] = {}
    for c in _call(base, "/control/state")["calls"]:
        if c["method"] == "sendMessage":
            counts[c["chat_id"]] = counts.get(c["chat_id"], 0) + 1
    return counts


def run(minutes: float, chats: int, every: float, lock_seconds: float) -> int:
    server = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    builder = FakeBotAPI()  # only to build update payloads
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.sqlite3"
        try:
            assert server.stdout is not None
            base = server.stdout.readline().strip()
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base,
                   "BOT_DB_PATH": str(db), "BOT_LOG_LEVEL": "WARNING", "BOT_SYNC_SECONDS": "2"}
            bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env)
            while not any(c["method"] == "setMyCommands" for c in _call(base, "/control/state")["calls"]):
                time.sleep(0.1)
            rss_start = rss_mib(bot.pid)
            print(f"soak: {chats} chats, a question each every {every:g} s, for {minutes:g} min; database locked "
                  f"for {lock_seconds:g} s every minute; bot RSS at start {rss_start:.0f} MiB", flush=True)
            sent: dict[int, int] = {}
            start = time.monotonic()
            next_lock = start + 60
            tick = 0
            while time.monotonic() - start < minutes * 60:
                users = range(100_000, 100_000 + chats)
                updates = [builder.message_update(QUESTIONS[(u + tick) % len(QUESTIONS)], user_id=u) for u in users]
                _call(base, "/control/push", updates)
                for u in users:
                    sent[u] = sent.get(u, 0) + 1
                tick += 1
                if time.monotonic() >= next_lock:
                    next_lock += 60
                    threading.Thread(target=hold_lock, args=(db, lock_seconds), daemon=True).start()
                    print(f"  {time.monotonic() - start:5.0f} s: locking the database for {lock_seconds:g} s; "
                          f"bot RSS {rss_mib(bot.pid):.0f} MiB", flush=True)
                time.sleep(max(0.0, start + tick * every - time.monotonic()))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                got = replies_per_chat(base)
                if all(got.get(u, 0) >= n for u, n in sent.items()):
                    break
                time.sleep(0.5)
            rss_end = rss_mib(bot.pid)
            bot.send_signal(signal.SIGTERM)
            bot.wait(60)
            got = replies_per_chat(base)
            total = sum(sent.values())
            answered = sum(min(got.get(u, 0), n) for u, n in sent.items())
            with sqlite3.connect(db) as con:
                logged = con.execute("SELECT count(*) FROM queries").fetchone()[0]
            print(f"sent {total}, answered {answered}, logged {logged}, lost {total - min(answered, logged)}; "
                  f"bot RSS {rss_start:.0f} MiB at start, {rss_end:.0f} MiB at the end; exit status {bot.returncode}")
        finally:
            server.terminate()
            server.wait(10)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the soak."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between a chat's questions")
    parser.add_argument("--lock-seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    return run(args.minutes, args.chats, args.every, args.lock_seconds)


if __name__ == "__main__":
    sys.exit(main())
