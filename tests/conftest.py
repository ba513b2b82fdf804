"""Shared fixtures and helpers: the catalogue, a search index, a temporary database, an assistant, a fake Bot API,
a running bot; reading replies, local ports, and driving a flow through the engine with typed answers."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import bot.app  # noqa: F401 - declares every route (the handler modules)
from bot.chat.core import Assistant
from bot.chat.replies import Sender
from bot.settings import Settings
from bot.store import Storage
from bot.transports.telegram_bot import serve
from conversations.engine import Ask, Verdict, answer, start
from conversations.finder import load_finder
from conversations.loader import FLOWS_DIR, load_flow, load_flows
from conversations.model import UNSURE, Flow, Option
from retrieval.loader import DATA_DIR, load_catalogue
from retrieval.search import Searcher
from tests.fake_bot_api import TOKEN, FakeBotAPI

logging.getLogger("jieba").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STAFF_ID = 999
USER = Sender(user_id=111, chat_id=111)
STAFF = Sender(user_id=STAFF_ID, chat_id=STAFF_ID, is_staff=True)


def _shared_folders() -> list[Path]:
    """Return where ../shared may be: beside this checkout, or beside the local repository it was cloned from."""
    found = [SHARED]
    try:
        origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    if origin and "://" not in origin and Path(origin).is_dir():
        found.append(Path(origin).resolve().parent / "shared")
    return found


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder (source tests only); fail in one line when it is not there."""
    for folder in _shared_folders():
        if (folder / "seeds").is_dir():
            return folder
    pytest.fail(f"needs {SHARED} (the catalogue seed and the development sample) beside the repository; "
                f"clone or copy the shared folder there", pytrace=False)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def searcher(catalogue):
    return Searcher.build(catalogue)


@pytest.fixture
def fresh_searcher(catalogue):
    """A searcher of its own, for tests that teach aliases (they add words to its tokeniser)."""
    return Searcher.build(catalogue)


@pytest.fixture(scope="session")
def flows(catalogue):
    return load_flows(service_ids=set(catalogue.by_id))


@pytest.fixture(scope="session")
def finder(catalogue):
    return load_finder(catalogue=catalogue)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of data/ for tests that break files on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(telegram_bot_token=TOKEN, bot_db_path=str(tmp_path / "assistant.sqlite3"),
                    bot_staff_ids=frozenset({STAFF_ID}), bot_user_key_secret="test-secret",
                    bot_reference_date=date(2026, 12, 31), bot_sync_seconds=1, bot_hot_min_questions=3,
                    bot_user_burst=1000, bot_user_per_minute=6000)


class Clock:
    """A settable clock for expiry and retention tests."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An empty database at the current schema, made once (tests/bot/test_storage.py migrates new and old files)."""
    path = tmp_path_factory.mktemp("template") / "assistant.sqlite3"

    async def create() -> None:
        s = Storage(path)
        await s.open()
        await s.close()

    asyncio.run(create())
    return path


@pytest.fixture
async def storage(settings, clock, migrated_database) -> AsyncIterator[Storage]:
    """A database of the test's own (a copy of the migrated empty one), with a settable clock."""
    shutil.copyfile(migrated_database, settings.bot_db_path)
    s = Storage(settings.bot_db_path, clock=clock, retry_seconds=0.05)
    await s.open()
    yield s
    await s.close()


@pytest.fixture
async def assistant(catalogue, searcher, flows, finder, storage, settings, clock) -> Assistant:
    a = Assistant(catalogue, searcher, flows, finder, storage, settings, clock=clock,
                  today=lambda: date(2026, 11, 22))
    await a.start()
    return a


@pytest.fixture
def fake_api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def running_bot(assistant, settings, fake_api):
    """The real python-telegram-bot Application polling the fake Bot API; yields the fake API."""
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url)
    assistant.settings = cfg
    stop = asyncio.Event()
    task = asyncio.create_task(serve(cfg, assistant, stop))
    await asyncio.to_thread(fake_api.wait_for, lambda: fake_api.calls("setMyCommands") or task.done(), 10)
    if task.done():
        task.result()  # surface a start-up failure
    yield fake_api
    stop.set()
    await asyncio.wait_for(task, 15)


# -- replies ---------------------------------------------------------------------------------------------

def html(replies) -> str:
    """Return the HTML of all replies, one per line."""
    return "\n".join(r.html for r in replies)


def labels(replies) -> list[str]:
    """Return the labels of every button, in reading order."""
    return [b.label for r in replies for b in r.choices()]


def press(replies, starts: str) -> str:
    """Return the data of the first button whose label starts with `starts`."""
    return next(b.data for r in replies for b in r.choices() if b.label.startswith(starts))


async def sent(api, chat_id, count=1, timeout=10.0):
    """Wait until the fake Bot API sent `count` messages to a chat; return them."""
    return await asyncio.to_thread(api.wait_sent, chat_id, count, timeout)


# -- local sockets, for tests that start servers ---------------------------------------------------------

def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    """Return True when something accepts connections on 127.0.0.1:port."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


# -- flows driven through the engine with scripted answers -------------------------------------------------

REFERENCE = date(2026, 12, 31)


def flow(flow_id: str) -> Flow:
    """Load a flow from conversations/flows by id."""
    return load_flow(Path(FLOWS_DIR) / f"{flow_id}.yaml")


def lenient(f: Flow) -> Flow:
    """Return the flow with 不确定 accepted by every yes/no question (some files still say `unsure: false`).

    Flows must not rely on `unsure: false`: the answer reader is to accept 不确定 for every yes/no question,
    so verdict tests answer 不确定 to fact questions through this copy.
    """
    questions = tuple(
        replace(q, options=q.options + (Option(UNSURE, "不确定"),))
        if q.type == "yesno" and UNSURE not in {o.value for o in q.options} else q
        for q in f.questions)
    return replace(f, questions=questions, by_id={})


def run(f: Flow, answers: dict[str, Any], reference: date = REFERENCE) -> Verdict:
    """Answer every question the engine asks from `answers` (as typed text) and return the verdict.

    Fails if the engine asks a question missing from `answers` or rejects an answer.
    """
    state, step = start(f, reference)
    asked = []
    while isinstance(step, Ask):
        qid = step.question.id
        assert qid in answers, f"engine asked {qid!r}, which the test did not script (asked so far: {asked})"
        asked.append(qid)
        state, step = answer(f, state, str(answers[qid]))
        assert not (isinstance(step, Ask) and step.error), f"answer {answers[qid]!r} to {qid!r} rejected: {step.error}"
    return step


def reasons(v: Verdict, status: str) -> set[str]:
    """Return the ids of the conditions with this outcome status (met / not_met / unknown)."""
    return {c.id for c in v.with_status(status)}
