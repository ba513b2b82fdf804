"""Bot load benchmark: the real Telegram Application against the fake Bot API server, N concurrent chats.

    python -m benchmarks.bot_load [--chats 50] [--rounds 3]

The fake Bot API server (tests/fake_bot_api.py) runs in its own process, as a real one would. Each
round, every chat sends one question at the same moment. Reported per round and overall: messages
per second, and first-reply latency p50/p99 measured two ways — from the moment the update was
queued at the server (end to end), and from the moment the bot received it in a getUpdates response
(what the bot adds, without the server's own polling delay).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bot.app import build_assistant
from bot.settings import Settings
from bot.telegram_bot import serve
from retrieval.bench import percentile
from tests.fake_bot_api import TOKEN, FakeBotAPI

QUESTIONS = ["青托对年龄有什么要求", "我们公司想查国外专利", "科普大使归哪个部门管，电话多少", "科技小院怎么申请",
             "创交会 报名", "天津明天会下雨吗", "中国青年科技奖男女年龄限制", "企业科协的活动经费从哪儿来"]
ROOT = Path(__file__).resolve().parents[1]


def _call(base: str, path: str, body: Any = None) -> Any:
    url = base.removesuffix("/bot") + path
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["result"]


async def run(chats: int, rounds: int) -> int:
    server = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        base = server.stdout.readline().strip()
        builder = FakeBotAPI.__new__(FakeBotAPI)  # only to build update payloads in this process
        builder.__init__()
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(telegram_bot_token=TOKEN, telegram_api_base_url=base,
                                bot_db_path=str(Path(tmp) / "bench.sqlite3"), bot_user_key_secret="bench")
            assistant = await build_assistant(settings)
            stop = asyncio.Event()
            task = asyncio.create_task(serve(settings, assistant, stop))
            while not any(c["method"] == "setMyCommands" for c in _call(base, "/control/state")["calls"]):
                await asyncio.sleep(0.05)
            print(f"{chats} concurrent chats × {rounds} rounds (fake Bot API server in its own process)")
            all_e2e, all_bot, next_user = [], [], 10_000
            for r in range(rounds):
                users = list(range(next_user, next_user + chats))
                next_user += chats
                updates = [builder.message_update(QUESTIONS[(u + r) % len(QUESTIONS)], user_id=u) for u in users]
                ids = dict(zip(users, await asyncio.to_thread(_call, base, "/control/push", updates)))
                start = time.monotonic()
                while True:
                    state = await asyncio.to_thread(_call, base, "/control/state")
                    firsts: dict[int, float] = {}
                    for c in state["calls"]:
                        if c["method"] == "sendMessage" and c["chat_id"] in ids:
                            firsts[c["chat_id"]] = min(firsts.get(c["chat_id"], c["at"]), c["at"])
                    if len(firsts) == chats or time.monotonic() - start > 60:
                        break
                    await asyncio.sleep(0.02)
                last = max(firsts.values())
                pushed = {int(k): v for k, v in state["pushed_at"].items()}
                delivered = {int(k): v for k, v in state["delivered_at"].items()}
                e2e = [(firsts[u] - pushed[ids[u]]) * 1000 for u in users]
                added = [(firsts[u] - delivered[ids[u]]) * 1000 for u in users]
                all_e2e += e2e
                all_bot += added
                rate = chats / max(last - min(pushed[ids[u]] for u in users), 1e-6)
                print(f"round {r + 1}: {rate:.0f} messages/s; first reply p50 {statistics.median(e2e):.0f} ms, "
                      f"p99 {percentile(e2e, 99):.0f} ms end to end; added by the bot p50 "
                      f"{statistics.median(added):.0f} ms, p99 {percentile(added, 99):.0f} ms")
            print(f"overall: first reply p50 {statistics.median(all_e2e):.0f} ms, p99 {percentile(all_e2e, 99):.0f} ms "
                  f"end to end; added by the bot p50 {statistics.median(all_bot):.0f} ms, "
                  f"p99 {percentile(all_bot, 99):.0f} ms")
            stop.set()
            await task
            await assistant.storage.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bot_load", description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return asyncio.run(run(args.chats, args.rounds))


if __name__ == "__main__":
    sys.exit(main())
