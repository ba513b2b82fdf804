"""Bot load benchmark: the real Telegram Application against the fake Bot API server, N concurrent chats.

    python -m benchmarks.bot_load [--chats 50] [--rounds 3] [--runs 3] [--json]

The fake Bot API server (tests/fake_bot_api.py) runs in its own process, as a real one would. Each
round, every chat sends one question at the same moment. Per run (a fresh bot and server) it reports
messages per second, the first-reply latency the bot adds (from the moment it received the update in a
getUpdates response to its sendMessage reaching the server) and end to end (from the moment the update
was queued), and the bot process's CPU time per message (event loop and its worker threads, over the
rounds). The figures printed last are the medians over the runs, with the machine's load average: the
machine is shared, so a busy neighbour shows up there rather than as a mystery.

Everything is measured twice: as deployed, with python-telegram-bot's AIORateLimiter keeping to
Telegram's flood limits (at most 30 messages a second overall — so a burst of 50 chats takes at least
50/30 s to answer, whatever the bot does), and with the limiter off, which measures the bot's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
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
from bot.transports.telegram_bot import serve
from retrieval.bench import percentile
from tests.fake_bot_api import TOKEN, FakeBotAPI

QUESTIONS = ["青托对年龄有什么要求", "我们公司想查国外专利", "科普大使归哪个部门管，电话多少", "科技小院怎么申请",
             "创交会 报名", "天津明天会下雨吗", "中国青年科技奖男女年龄限制", "企业科协的活动经费从哪儿来"]
ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("messages_per_s", "bot_p50_ms", "bot_p99_ms", "end_to_end_p50_ms", "end_to_end_p99_ms",
           "cpu_ms_per_message")


def _call(base: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    url = base.removesuffix("/bot") + path
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())["result"]


async def one_run(chats: int, rounds: int, rate_limits: bool = True) -> dict[str, float]:
    """Start a fake server and a bot, send `rounds` bursts of `chats` questions; return the figures."""
    server = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        builder = FakeBotAPI()  # only builds update payloads; its server is never started
        builder.server.server_close()
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(telegram_bot_token=TOKEN, telegram_api_base_url=base,
                                bot_db_path=str(Path(tmp) / "bench.sqlite3"), bot_user_key_secret="bench")
            assistant = await build_assistant(settings)
            stop = asyncio.Event()
            task = asyncio.create_task(serve(settings, assistant, stop, rate_limits=rate_limits))
            while not any(c["method"] == "setMyCommands" for c in _call(base, "/control/state")["calls"]):
                await asyncio.sleep(0.05)
            e2e: list[float] = []
            added: list[float] = []
            busy = 0.0
            next_user = 10_000
            cpu = time.process_time()
            for r in range(rounds):
                users = list(range(next_user, next_user + chats))
                next_user += chats
                updates = [builder.message_update(QUESTIONS[(u + r) % len(QUESTIONS)], user_id=u) for u in users]
                ids = dict(zip(users, await asyncio.to_thread(_call, base, "/control/push", updates)))
                # One blocking request per round (in a thread): the benchmark itself costs no CPU here.
                got = await asyncio.to_thread(_call, base, "/control/wait",
                                              {"updates": {str(u): i for u, i in ids.items()}, "timeout": 60}, 90)
                if len(got["replied"]) != chats:
                    raise RuntimeError(f"only {len(got['replied'])} of {chats} chats got a reply within 60 s")
                replied = {int(c): t for c, t in got["replied"].items()}
                pushed = {int(c): t for c, t in got["pushed"].items()}
                delivered = {int(c): t for c, t in got["delivered"].items()}
                e2e += [(replied[u] - pushed[u]) * 1000 for u in users]
                added += [(replied[u] - delivered[u]) * 1000 for u in users]
                busy += max(replied.values()) - min(pushed.values())
            cpu = time.process_time() - cpu
            stop.set()
            await task
            await assistant.storage.close()
    finally:
        server.terminate()
        server.wait(10)
    messages = chats * rounds
    return {"messages_per_s": round(messages / busy, 1),
            "bot_p50_ms": round(statistics.median(added), 1), "bot_p99_ms": round(percentile(added, 99), 1),
            "end_to_end_p50_ms": round(statistics.median(e2e), 1), "end_to_end_p99_ms": round(percentile(e2e, 99), 1),
            "cpu_ms_per_message": round(cpu * 1000 / messages, 2)}


def _line(figures: dict[str, float]) -> str:
    return (f"{figures['messages_per_s']:.0f} messages/s; added by the bot p50 {figures['bot_p50_ms']:.0f} ms, "
            f"p99 {figures['bot_p99_ms']:.0f} ms; end to end p50 {figures['end_to_end_p50_ms']:.0f} ms, "
            f"p99 {figures['end_to_end_p99_ms']:.0f} ms; CPU {figures['cpu_ms_per_message']:.2f} ms per message")


async def run(chats: int, rounds: int, runs: int, as_json: bool) -> int:
    """Run the benchmark `runs` times and print each run and the medians."""
    load_before = os.getloadavg()
    report: dict[str, Any] = {"chats": chats, "rounds": rounds, "cpus": os.cpu_count()}
    for mode, limits in (("telegram_limits", True), ("bot_only", False)):
        results = []
        for n in range(runs):
            figures = await one_run(chats, rounds, rate_limits=limits)
            results.append(figures)
            if not as_json:
                print(f"{mode} run {n + 1}: {_line(figures)}", flush=True)
        median = {k: round(statistics.median(r[k] for r in results), 2) for k in FIGURES}
        report[mode] = {"runs": results, "median": median}
        if not as_json:
            print(f"{mode}: median of {runs} runs ({chats} concurrent chats × {rounds} rounds, fake Bot API server "
                  f"in its own process): {_line(median)}")
    report["load_average_before"] = [round(x, 2) for x in load_before]
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print(f"machine: {os.cpu_count()} CPUs, load average {report['load_average_before']} before, "
              f"{report['load_average_after']} after")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bot_load", description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="independent runs; medians are reported")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args.chats, args.rounds, args.runs, args.json))


if __name__ == "__main__":
    sys.exit(main())
