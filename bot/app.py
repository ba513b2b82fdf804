"""Build the shared objects once at start: catalogue, search, flows, storage, assistant.

This is where the rooms meet: it imports the handler modules of the chat and the staff's Telegram
commands, which declares their routes (bot/chat/routes.py), and builds the assistant the transports run.
"""

from __future__ import annotations

import gc
from pathlib import Path

from .chat import answers, browse, checks, dialogue, policy  # noqa: F401 - importing them declares their routes
from .chat.core import Assistant
from .chat.data import DataError, load_data
from .settings import Settings
from .staff import commands  # noqa: F401 - the staff's Telegram commands: importing declares their routes
from .store import Storage, StorageError


class StartupError(RuntimeError):
    """The assistant cannot start; str() is one line saying why."""


def cache_dir(db_path: str) -> Path | None:
    """Return where start-up caches live: beside the database (none for an in-memory or URI database)."""
    if db_path == ":memory:" or db_path.startswith("file:"):
        return None
    return Path(db_path).resolve().parent


async def build_assistant(settings: Settings, data_dir: str | Path | None = None,
                          flows_dir: str | Path | None = None) -> Assistant:
    """Load and validate everything, open the database and return a started assistant."""
    try:
        data = load_data(data_dir, flows_dir, cache_dir(settings.bot_db_path))
    except DataError as exc:
        raise StartupError(str(exc)) from None
    storage = Storage(settings.bot_db_path)
    try:
        await storage.open()
    except StorageError as exc:
        raise StartupError(str(exc)) from None
    data.searcher.warm()  # what searches would compute on first use, computed before the first user waits
    assistant = Assistant(data.catalogue, data.searcher, data.flows, data.finder, storage, settings)
    try:
        await assistant.start()
    except StorageError as exc:
        await storage.close()
        raise StartupError(str(exc)) from None
    return assistant


def freeze_heap() -> None:
    """Keep what was built at start out of the cycle collector's walks: the catalogue, the indexes and the models
    live as long as the process, and every collection of the oldest generation would walk them all again."""
    gc.collect()
    gc.freeze()
