"""Bot load benchmark: the project's bot and a minimal bot (the floor) against the fake Bot API server, N chats.

    python -m benchmarks.bot_load [--chats 50] [--rounds 3] [--runs 3] [--long-text 10] [--telegram-limits] [--json]

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
shows up there rather than as a mystery. `--long-text K` also measures the project's bot while K of the
chats send 1,000 characters of random text drawn from the catalogue's own characters (the costliest text
to read) instead of questions — the other chats' latency is reported, to compare with the runs without —
and the event-loop time of single messages: the CPU time of the assistant handling one message at a time
(questions, and long random texts as a first message and right after an answer card, where the follow-up
reading and the corrector run too). `--telegram-limits` also measures the project's bot as deployed,
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
import random
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
from bot.chat.replies import Sender
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
LONG_TEXT = 1000
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


def random_texts(count: int, seed: int) -> list[str]:
    """Return `count` texts of LONG_TEXT characters drawn from the catalogue's titles and introductions."""
    from retrieval.loader import load_catalogue

    alphabet = "".join(s.title + s.introduction.plain() for s in load_catalogue().services)
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(LONG_TEXT)) for _ in range(count)]


async def message_costs(texts: list[str]) -> dict[str, float]:
    """Return the most event-loop time (ms of the loop thread's CPU) one message took: each question alone, each
    long text alone, each long text right after an answer card (median of three tries each)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(bot_db_path=str(Path(tmp) / "costs.sqlite3"), bot_user_key_secret="bench",
                            bot_user_burst=10_000, bot_user_per_minute=100_000)
        assistant = await build_assistant(settings)
        try:
            async def cost(user: int, text: str, after: str | None = None) -> float:
                sender = Sender(user_id=user, chat_id=user, chat_type="private", is_staff=False)
                if after is not None:
                    await assistant.text(sender, after)
                start = time.thread_time()
                await assistant.text(sender, text)
                return (time.thread_time() - start) * 1000

            def worst(values: list[list[float]]) -> float:
                return round(max(statistics.median(v) for v in values), 2)

            questions = [[await cost(100 + n, q) for _ in range(3)] for n, q in enumerate(QUESTIONS)]
            fresh = [[await cost(200 + n, t) for _ in range(3)] for n, t in enumerate(texts)]
            after = [[await cost(300 + n, t, "青托对年龄有什么要求") for _ in range(3)] for n, t in enumerate(texts)]
        finally:
            await assistant.storage.close()
    return {"question_max_ms": worst(questions), "long_text_max_ms": worst(fresh),
            "long_text_after_a_card_max_ms": worst(after), "long_texts": len(texts)}


async def one_run(chats: int, rounds: int, bot: str = "project", rate_limits: bool = False,
                  long_text: int = 0) -> dict[str, float]:
    """Start a fake server and a bot, send `rounds` bursts of `chats` questions; return the figures (of the chats
    that sent questions, when `long_text` of them sent long random text instead)."""
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
                noise = dict(zip(users[:long_text], random_texts(long_text, r)))
                updates = [builder.message_update(noise.get(u) or QUESTIONS[(u + r) % len(QUESTIONS)], user_id=u)
                           for u in users]
                ids = dict(zip(users, await asyncio.to_thread(_call, base, "/control/push", updates)))
                # One blocking request per round (in a thread): the benchmark itself costs no CPU here.
                got = await asyncio.to_thread(_call, base, "/control/wait",
                                              {"updates": {str(u): i for u, i in ids.items()}, "timeout": 60}, 90)
                if len(got["replied"]) != chats:
                    raise RuntimeError(f"only {len(got['replied'])} of {chats} chats got a reply within 60 s")
                replied = {int(c): t for c, t in got["replied"].items()}
                pushed = {int(c): t for c, t in got["pushed"].items()}
                delivered = {int(c): t for c, t in got["delivered"].items()}
                asked = [u for u in users if u not in noise]
                e2e += [(replied[u] - pushed[u]) * 1000 for u in asked]
                added += [(replied[u] - delivered[u]) * 1000 for u in asked]
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


async def run(chats: int, rounds: int, runs: int, as_json: bool, telegram_limits: bool = False,
              long_text: int = 0) -> dict[str, Any]:
    """Run both bots `runs` times, interleaved; print each run, the medians and their ratios; return the report."""
    load_before = os.getloadavg()
    results: dict[str, list[dict[str, float]]] = {b: [] for b in BOTS}
    noisy: list[dict[str, float]] = []
    for n in range(runs):
        for bot in (BOTS if n % 2 else BOTS[::-1]):  # floor first, then project first, …
            figures = await one_run(chats, rounds, bot)
            results[bot].append(figures)
            if not as_json:
                print(f"run {n + 1} {bot}: {_line(figures)}", flush=True)
        if long_text:
            noisy.append(await one_run(chats, rounds, "project", long_text=long_text))
            if not as_json:
                print(f"run {n + 1} project, {long_text} chats sending {LONG_TEXT} random characters: "
                      f"{_line(noisy[-1])}", flush=True)
    report: dict[str, Any] = {b: _median(results[b]) for b in BOTS}
    project, floor = report["project"], report["floor"]
    report["ratios"] = {"cpu_per_message": round(project["cpu_ms_per_message"] / floor["cpu_ms_per_message"], 2),
                        "bot_p99": round(project["bot_p99_ms"] / floor["bot_p99_ms"], 2)}
    report["targets"] = {"cpu_per_message": 1.5, "bot_p99": 2.0}
    if long_text:
        report["project_long_text"] = {"chats_sending_long_text": long_text, **_median(noisy)}
        report["loop_time_per_message"] = await message_costs(random_texts(10, 99))
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
    if long_text:
        print(f"project while {long_text} of the chats send {LONG_TEXT} random characters (the others' figures): "
              f"{_line(report['project_long_text'])}")
        costs = report["loop_time_per_message"]
        print(f"event-loop time of one message, the most: a question {costs['question_max_ms']:.1f} ms; "
              f"{LONG_TEXT} random characters {costs['long_text_max_ms']:.1f} ms, right after a card "
              f"{costs['long_text_after_a_card_max_ms']:.1f} ms [≤ 20]")
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
    parser.add_argument("--long-text", type=int, default=0, metavar="K",
                        help=f"also measure the project's bot while K chats send {LONG_TEXT} random characters")
    parser.add_argument("--telegram-limits", action="store_true",
                        help="also measure the project's bot with Telegram's flood limits (as deployed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.chats, args.rounds, args.runs, args.json, args.telegram_limits, args.long_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
