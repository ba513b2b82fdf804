"""The console chat and `python -m bot`: piped input, numbered choices, one-line start-up errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chat.render import to_plain
from bot.transports.console import ConsoleChat, run_console

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
