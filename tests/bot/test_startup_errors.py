"""Every entry point, started as a real process on a broken data file, a full disk or a missing database, says
so in one line (no traceback) and exits with a non-zero status; the staff tools never create a database."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_bot_api import TOKEN

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the code and data to break (the processes run from it, so they read its data/)."""
    target = tmp_path / "project"
    for name in ("bot", "retrieval", "conversations", "data"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None, preexec=None, stdin: str = "") \
        -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    full.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", **(env or {})})
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=full, input=stdin, capture_output=True,
                          text=True, timeout=180, preexec_fn=preexec)


def _one_line(run: subprocess.CompletedProcess[str], *words: str) -> None:
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode != 0 and len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in run.stderr
    assert all(w in lines[0] for w in words), lines[0]


def _database(path: Path) -> None:
    """Create the database as the bot does at its first start."""
    run = _run(ROOT, "bot", env={"BOT_DB_PATH": str(path)})
    assert run.returncode == 0, run.stderr


def test_every_entry_point_reports_a_broken_data_file_in_one_line(project, tmp_path):
    db = tmp_path / "assistant.sqlite3"
    _database(db)
    (project / "data" / "catalogue" / "part2.yaml").write_text("{: [unclosed\n", encoding="utf-8")
    conversations = tmp_path / "conversations.yaml"
    conversations.write_text("- id: c1\n  style: plain\n  turns:\n    - say: 青托申报\n      expect: ['13']\n",
                             encoding="utf-8")
    env = {"BOT_DB_PATH": str(db)}
    for args, extra in [(("bot",), {}),
                        (("bot",), {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}),
                        (("bot.review", "serve", "--port", "18931"), {}),
                        (("bot.evaluate", "--conversations", str(conversations)), {}),
                        (("bot.check",), {})]:
        _one_line(_run(project, *args, env={**env, **extra}), "data/catalogue/part2.yaml", "YAML error")


def _full_disk() -> None:
    """In the child: files may not grow past 1 KB, as on a full disk (writes fail instead of killing it)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def test_the_console_on_a_full_disk_is_one_line(tmp_path):
    db = tmp_path / "assistant.sqlite3"
    _database(db)
    _one_line(_run(ROOT, "bot.review", "serve", "--port", "18932", env={"BOT_DB_PATH": str(db)},
                   preexec=_full_disk), str(db))


def test_staff_tools_never_create_a_database(tmp_path):
    db = tmp_path / "nothing-here.sqlite3"
    for args in (("list",), ("stats",), ("aliases",), ("history",), ("login-url",),
                 ("export", "--csv", str(tmp_path / "x.csv")), ("serve", "--port", "18933")):
        _one_line(_run(ROOT, "bot.review", *args, env={"BOT_DB_PATH": str(db)}), str(db), "no database")
        assert sorted(p.name for p in tmp_path.iterdir()) == [], args
