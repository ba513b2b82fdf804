"""Long random text does not take the event loop: its search runs in a worker thread, so every other chat goes on
being served (benchmarks/loop_latency.py measures the latency normal users see meanwhile)."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from benchmarks.loop_latency import random_text
from bot.chat.replies import Sender
from retrieval.search import Searcher
from tests.conftest import html

ROOT = Path(__file__).resolve().parents[2]


async def test_long_random_text_is_searched_off_the_event_loop(assistant, monkeypatch):
    rng = random.Random(3)
    floods = [random_text(rng, 990) for _ in range(4)]
    where: list[tuple[int, str]] = []
    analyse = Searcher.analyse

    def recording(self, text, *args, **kwargs):
        where.append((threading.get_ident(), text))
        return analyse(self, text, *args, **kwargs)

    monkeypatch.setattr(Searcher, "analyse", recording)
    replies = await asyncio.gather(*(assistant.text(Sender(user_id=700 + n, chat_id=700 + n), text)
                                     for n, text in enumerate(floods)))
    assert all(r for r in replies)  # each was answered (declined, most likely)
    # Every reading of the long texts (as typed and each rewrite) was searched in the worker, none on the loop.
    loop = threading.get_ident()
    read = [ident for ident, text in where if any(text and text[:20] in f for f in floods)]
    assert read and loop not in read


async def test_a_question_worked_out_ahead_is_answered_as_if_searched_in_place(assistant, searcher):
    question = "我们公司是高新技术企业，想了解一下科协有没有帮助企业申请专利和查询国外专利的服务项目"
    assert len(question) > 40
    expected = searcher.search(question)
    await assistant.search_ahead(question)
    assert assistant.searcher.search(question) == expected
    assert "专利" in html(await assistant.text(Sender(user_id=61, chat_id=61), question))


@pytest.mark.bench
def test_the_benchmark_prints_its_figures_as_json():
    run = subprocess.run([sys.executable, "-m", "benchmarks.loop_latency", "--seconds", "1", "--normal", "3",
                          "--others", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    for mode in ("worker", "loop"):
        for case in ("quiet", "flooded"):
            assert set(figures[mode][case]) == {"normal_latency_ms", "loop_lag_ms", "long_messages"}
    assert figures["worker"]["flooded"]["long_messages"] > 0
