"""The console chat and `python -m bot`: piped input, numbered choices, one-line start-up errors."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.chat.render import to_plain
from bot.staff import changes
from bot.transports.console import ConsoleChat, run_console
from tests.conftest import html

ROOT = Path(__file__).resolve().parents[2]


class Piped(io.StringIO):
    def isatty(self) -> bool:
        return False


async def test_piped_lines_are_each_answered_and_numbers_pick_choices(assistant):
    stdin = Piped("青托对年龄有什么要求\n1\n天津明天会下雨吗\n")
    stdout = io.StringIO()
    await run_console(assistant, stdin, stdout)
    out = stdout.getvalue()
    assert "> 青托对年龄有什么要求" in out and "13 实施天津市青年人才托举工程" in out
    assert "[1] 📋 全部条件" in out
    assert "（四）应有不少于3名具有正高级职称的同行专家进行推荐" in out  # choice 1 after the card
    assert "022-27126422" in out  # no-answer reply gives the switchboard
    assert "<b>" not in out


async def test_console_runs_commands_and_checks(assistant):
    console = ConsoleChat(assistant, io.StringIO())
    console.show(await console.handle("/check 13"))
    replies = await console.handle("1")
    assert "第 2 题" in replies[0].html


def test_to_plain_unescapes():
    assert to_plain("<b>A&amp;B</b> &lt;x&gt;") == "A&B <x>"


def _run(args, stdin="", env=None):
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env=full, timeout=120)


def test_python_m_bot_answers_piped_input(tmp_path):
    result = _run(["bot"], "科技小院怎么申请\n", {"BOT_DB_PATH": str(tmp_path / "c.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "54 推动天津科技小院建设" in result.stdout and "022-27128948" in result.stdout


def test_malformed_setting_is_one_line(tmp_path):
    result = _run(["bot"], "", {"BOT_STAFF_IDS": "alice,bob", "BOT_DB_PATH": str(tmp_path / "c.sqlite3")})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "BOT_STAFF_IDS" in result.stderr


def test_corrupt_database_is_one_line(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not sqlite" * 100)
    result = _run(["bot"], "青托\n", {"BOT_DB_PATH": str(bad)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and str(bad) in result.stderr


async def test_a_service_is_chosen_by_its_own_number(assistant):
    out = io.StringIO()
    console = ConsoleChat(assistant, out)
    console.show(await console.handle("/check"))
    listing = out.getvalue()
    # Services are typed by their number; the other choice beside them by a letter (no number to clash).
    assert "  [13] 实施天津市青年人才托举工程\n" in listing and "  [21] 认定天津市科学家精神教育基地\n" in listing
    assert "  [a] 🔎 帮我找服务\n" in listing and "[1]" not in listing
    assert "青年人才托举工程（青托）资格自查" in html(await console.handle("13"))
    console.show(await console.handle("/check"))
    assert "中国青年科技奖 资格自查" in html(await console.handle("2"))  # 2 for [02]
    console.show(await console.handle("/check"))
    assert "青年人才托举工程（青托）资格自查" in html(await console.handle("青托"))  # or its name


async def test_the_console_says_type_not_tap_and_how_to_leave(assistant):
    stdin = Piped("/help\n想咨询一下管科技馆讲解员那个事\n/check\n")
    stdout = io.StringIO()
    await run_console(assistant, stdin, stdout)
    out = stdout.getvalue()
    for tap in ("请点", "可以点", "点“", "点一", "点下面"):
        assert tap not in out, tap
    assert "输入 quit 或 退出聊天，或按 Ctrl-D，结束对话" in out and "服务输入它的编号（例如 13）" in out
    assert "请选“留言给工作人员”" in out
    welcome = out[:out.index("> /help")]
    for example in ("青托对年龄有什么要求", "我们公司想查国外专利"):
        assert welcome.count(example) == 1, example  # once, as a choice
    assert "quit 或 Ctrl-D 退出" in welcome


class Waiting(io.StringIO):
    """Piped input whose end waits until `done` is set (a console left open while staff work)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.done = threading.Event()

    def isatty(self) -> bool:
        return False

    def readline(self, *args) -> str:
        line = super().readline(*args)
        if not line:
            self.done.wait(30)
        return line


async def _until(check, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_staff_replies_and_teaching_reach_a_running_console(assistant, storage, catalogue, fresh_searcher):
    assistant.searcher = assistant.base_searcher = fresh_searcher
    question = "想咨询一下管科技馆讲解员那个事"
    stdin = Waiting(f"{question}\n1\n我想咨询科协大楼的停车安排\n")  # 1: ✉️ 留言给工作人员
    stdout = io.StringIO()
    chat = asyncio.create_task(run_console(assistant, stdin, stdout, every=0.05))
    try:
        await _until(lambda: _async(bool(stdout.getvalue().count("已转给工作人员"))))
        (ticket,) = await storage.tickets.tickets()
        await changes.reply_ticket(storage, ticket, "停车请走南门。", "telegram:999")
        item = next(i for i in await storage.inbox.review_items() if i.sample == question)
        await changes.link(storage, catalogue, [item], "52", "telegram:999")
        await _until(lambda: _async("停车请走南门。" in stdout.getvalue()))
        # The link reaches the running chat at its next sync (an earlier sync, for the reply, may come first).
        await _until(lambda: _async(assistant.searcher is not fresh_searcher
                                    and getattr(assistant.searcher.search(question).best, "id", "") == "52"))
    finally:
        stdin.done.set()
        await asyncio.wait_for(chat, 30)
    out = stdout.getvalue()
    assert "【工作人员回复】" in out and "您的问题：我想咨询科协大楼的停车安排" in out
    assert await storage.tickets.outbox() == []  # delivered once
    assert html(await ConsoleChat(assistant, io.StringIO()).handle(question)).startswith("<b>52 组织推荐全国科普教育基地</b>")


async def _async(value):
    return value
