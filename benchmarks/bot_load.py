"""Bot load benchmark: the project's bot and a minimal bot (the floor) against the fake Bot API server, N chats.

    python -m benchmarks.bot_load [--chats 50] [--rounds 3] [--runs 3] [--telegram-limits] [--json]

The fake Bot API server (tests/fake_bot_api.py) runs in its own process, as a real one would. Each
round, every chat sends one question at the same moment. Per run (a fresh bot and server) it reports
messages per second, the first-reply latency the bot adds (from the moment it received the update in a
getUpdates response to its sendMessage reaching the server) and end to end (from the moment the update
was queued), and the bot process's CPU time per message (event loop and its worker threads, over the
rounds).

Two bots are measured in the same run, alternately (floor, project, project, floor, …), with Telegram's
flood limits off so that each bot's own work is measured: the project's bot, started as `python -m bot`
starts it, and the floor (benchmarks/floor.py): a minimal python-telegram-bot bot replying a fixed
300-character HTML text with four buttons, no database. The figures printed last are the medians over
the runs, with their ratios and the machine's load average: the machine is shared, so a busy neighbour
shows up there rather than as a mystery. `--telegram-limits` also measures the project's bot as deployed,
with python-telegram-bot's AIORateLimiter keeping to Telegram's flood limits (at most 30 messages a
second overall — so a burst of 50 chats takes at least 50/30 s to answer, whatever the bot does).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import build_assistant, freeze_heap
from bot.settings import Settings
from bot.transports.telegram_bot import serve
from retrieval.bench import percentile
from tests.fake_bot_api import TOKEN, FakeBotAPI

from .floor import floor_application

QUESTIONS = ["青托对年龄有什么要求", "我们公司想查国外专利", "科普大使归哪个部门管，电话多少", "科技小院怎么申请",
             "创交会 报名", "天津明天会下雨吗", "中国青年科技奖男女年龄限制", "企业科协的活动经费从哪儿来"]
ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("cpu_ms_per_message", "messages_per_s", "bot_p50_ms", "bot_p99_ms", "end_to_end_p50_ms",
           "end_to_end_p99_ms")
BOTS = ("project", "floor")


def _call(base: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    url = base.removesuffix("/bot") + path
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())["result"]


@asynccontextmanager
async def _running(bot: str, base: str, rate_limits: bool) -> AsyncIterator[None]:
    """Run one bot against the server at `base` until the block ends."""
    if bot == "floor":
        app = floor_application(TOKEN, base)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            await app.bot.set_my_commands([("start", "start")])  # ready, as the project's bot says it is
            try:
                yield
            finally:
                await app.updater.stop()
                await app.stop()
        return
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(telegram_bot_token=TOKEN, telegram_api_base_url=base,
                            bot_db_path=str(Path(tmp) / "bench.sqlite3"), bot_user_key_secret="bench")
        assistant = await build_assistant(settings)
        freeze_heap()  # as run_telegram does after start-up
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, assistant, stop, rate_limits=rate_limits))
        try:
            yield
        finally:
            stop.set()
            await task
            await assistant.storage.close()
            gc.unfreeze()


async def one_run(chats: int, rounds: int, bot: str = "project", rate_limits: bool = False) -> dict[str, float]:
    """Start a fake server and a bot, send `rounds` bursts of `chats` questions; return the figures."""
    server = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        builder = FakeBotAPI()  # only builds update payloads; its server is never started
        builder.server.server_close()
        async with _running(bot, base, rate_limits):
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
    finally:
        server.terminate()
        server.wait(10)
    messages = chats * rounds
    return {"cpu_ms_per_message": round(cpu * 1000 / messages, 2), "messages_per_s": round(messages / busy, 1),
            "bot_p50_ms": round(statistics.median(added), 1), "bot_p99_ms": round(percentile(added, 99), 1),
            "end_to_end_p50_ms": round(statistics.median(e2e), 1), "end_to_end_p99_ms": round(percentile(e2e, 99), 1)}


def _line(figures: dict[str, float]) -> str:
    return (f"CPU {figures['cpu_ms_per_message']:.2f} ms per message; {figures['messages_per_s']:.0f} messages/s; "
            f"added by the bot p50 {figures['bot_p50_ms']:.0f} ms, p99 {figures['bot_p99_ms']:.0f} ms; "
            f"end to end p50 {figures['end_to_end_p50_ms']:.0f} ms, p99 {figures['end_to_end_p99_ms']:.0f} ms")


def _median(results: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in results), 2) for k in FIGURES}


async def run(chats: int, rounds: int, runs: int, as_json: bool, telegram_limits: bool = False) -> dict[str, Any]:
    """Run both bots `runs` times, interleaved; print each run, the medians and their ratios; return the report."""
    load_before = os.getloadavg()
    results: dict[str, list[dict[str, float]]] = {b: [] for b in BOTS}
    for n in range(runs):
        for bot in (BOTS if n % 2 else BOTS[::-1]):  # floor first, then project first, …
            figures = await one_run(chats, rounds, bot)
            results[bot].append(figures)
            if not as_json:
                print(f"run {n + 1} {bot}: {_line(figures)}", flush=True)
    report: dict[str, Any] = {b: _median(results[b]) for b in BOTS}
    project, floor = report["project"], report["floor"]
    report["ratios"] = {"cpu_per_message": round(project["cpu_ms_per_message"] / floor["cpu_ms_per_message"], 2),
                        "bot_p99": round(project["bot_p99_ms"] / floor["bot_p99_ms"], 2)}
    report["targets"] = {"cpu_per_message": 1.5, "bot_p99": 2.0}
    if telegram_limits:
        limited = [await one_run(chats, rounds, "project", rate_limits=True) for _ in range(runs)]
        report["project_telegram_limits"] = _median(limited)
    report["runs"] = results
    report["setup"] = {"chats": chats, "rounds": rounds, "runs": runs, "cpus": os.cpu_count(),
                       "rate_limits": False}
    report["load"] = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    if as_json:
        print(json.dumps(report, indent=2))
        return report
    for bot in BOTS:
        print(f"{bot}: median of {runs} runs ({chats} concurrent chats × {rounds} rounds, flood limits off): "
              f"{_line(report[bot])}")
    print(f"project / floor: CPU per message {report['ratios']['cpu_per_message']:.2f}× [≤ 1.5], "
          f"bot-added p99 {report['ratios']['bot_p99']:.2f}× [≤ 2]")
    if telegram_limits:
        print(f"project with Telegram's flood limits (as deployed): {_line(report['project_telegram_limits'])}")
    print(f"machine: {os.cpu_count()} CPUs, load average {report['load']['before']} before, "
          f"{report['load']['after']} after")
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bot_load", description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="independent runs of each bot; medians are reported")
    parser.add_argument("--telegram-limits", action="store_true",
                        help="also measure the project's bot with Telegram's flood limits (as deployed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.chats, args.rounds, args.runs, args.json, args.telegram_limits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
