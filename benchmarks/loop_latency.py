"""Event-loop latency benchmark: what normal users wait while others send long random text.

    python -m benchmarks.loop_latency [--seconds 5] [--normal 20] [--others 4] [--length 1000]

One assistant core (a temporary database, no Telegram), one event loop, as the bot runs it. For `--seconds`,
`--normal` users each ask an everyday question every 0.5–1.5 s, and `--others` users each send random
`--length`-character Chinese text back to back (a search of such text costs a tenth of a second of CPU). A
ticker measures how late the event loop wakes it (every 5 ms): the time every chat waits behind whatever
holds the loop. Printed as one JSON object, for the search in worker threads (as deployed) and on the
event loop (`search_off_loop` off, as before), each with and without the others:

    {"worker": {"quiet": {...}, "flooded": {...}}, "loop": {...}, "machine": {...}}

each run giving the normal users' reply latency (p50, p95, max in ms, and how many replies), the loop's
lag (p50, p95, max in ms) and how many long messages were answered meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import build_assistant
from bot.chat.core import Assistant
from bot.chat.replies import Sender
from bot.settings import Settings
from retrieval.bench import percentile

QUESTIONS = ["青托对年龄有什么要求", "我们公司想查国外专利", "科普大使归哪个部门管，电话多少", "科技小院怎么申请",
             "创交会 报名", "天津明天会下雨吗", "中国青年科技奖男女年龄限制", "企业科协的活动经费从哪儿来"]
CJK = [chr(c) for c in range(0x4E00, 0x9FA5)]
TICK = 0.005


def random_text(rng: random.Random, length: int) -> str:
    """Return `length` random common CJK characters (what a red team sends)."""
    return "".join(rng.choice(CJK) for _ in range(length))


def _ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0, "n": 0}
    return {"p50": round(statistics.median(values) * 1000, 1), "p95": round(percentile(values, 95) * 1000, 1),
            "max": round(max(values) * 1000, 1), "n": len(values)}


async def measure(assistant: Assistant, seconds: float, normal: int = 20, others: int = 4, length: int = 1000,
                  seed: int = 7) -> dict[str, Any]:
    """Run normal users and flooders side by side on the running loop; return the figures."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    lags: list[float] = []
    long_answered = 0

    async def ticker() -> None:
        while time.monotonic() < deadline:
            start = time.monotonic()
            await asyncio.sleep(TICK)
            lags.append(max(0.0, time.monotonic() - start - TICK))

    async def user(n: int) -> None:
        sender = Sender(user_id=900_000 + n, chat_id=900_000 + n)
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            start = time.monotonic()
            await assistant.text(sender, rng.choice(QUESTIONS))
            latencies.append(time.monotonic() - start)

    async def flooder(n: int) -> None:
        nonlocal long_answered
        sender = Sender(user_id=800_000 + n, chat_id=800_000 + n)
        texts = [random_text(rng, length) for _ in range(8)]
        i = 0
        while time.monotonic() < deadline:
            tag = str(i)  # never the same text twice, never longer than `length`
            await assistant.text(sender, texts[i % len(texts)][: length - len(tag)] + tag)
            long_answered += 1
            i += 1
            await asyncio.sleep(0)

    await asyncio.gather(ticker(), *(user(n) for n in range(normal)), *(flooder(n) for n in range(others)))
    return {"normal_latency_ms": _ms(latencies), "loop_lag_ms": _ms(lags), "long_messages": long_answered}


async def run(seconds: float, normal: int, others: int, length: int) -> dict[str, Any]:
    """Measure each way of searching, quiet and flooded."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(bot_db_path=str(Path(tmp) / "bench.sqlite3"), bot_user_key_secret="bench",
                            bot_user_burst=1_000_000, bot_user_per_minute=1_000_000)
        assistant = await build_assistant(settings)
        try:
            for n, question in enumerate(QUESTIONS):  # warm up: the corrector is built once, on first use
                await assistant.text(Sender(user_id=10 + n, chat_id=10 + n), question)
            result: dict[str, Any] = {}
            for mode, off_loop in (("worker", True), ("loop", False)):
                assistant.search_off_loop = off_loop
                result[mode] = {"quiet": await measure(assistant, seconds, normal, 0, length),
                                "flooded": await measure(assistant, seconds, normal, others, length)}
        finally:
            assistant.search_off_loop = True
            await assistant.storage.close()
    result["machine"] = {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}
    result["settings"] = {"seconds": seconds, "normal": normal, "others": others, "length": length}
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loop_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run (default 5)")
    parser.add_argument("--normal", type=int, default=20, help="users asking everyday questions (default 20)")
    parser.add_argument("--others", type=int, default=4, help="users sending long random text (default 4)")
    parser.add_argument("--length", type=int, default=1000, help="characters of each long message (default 1000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    result = asyncio.run(run(args.seconds, args.normal, args.others, args.length))
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
