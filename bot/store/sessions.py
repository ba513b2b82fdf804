"""Per-chat sessions as saved JSON, read back newest first: while a save waits for the database, the
session is read from memory, so a failing database never sends a conversation back in time."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import OrderedDict
from typing import Any

from .database import Database, Write

log = logging.getLogger(__name__)

_SESSION_CACHE = 10_000


class Sessions:
    """Saved sessions, with the newest state of recently used ones kept in memory."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._seq = 0

    async def load(self, key: str) -> dict[str, Any] | None:
        """Return a session's saved state: the newest one, even while its write waits for a retry."""
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return json.loads(json.dumps(cached[0]))
        try:
            rows = await self.db.read("SELECT state, updated_at FROM sessions WHERE user_key = ?", (key,))
        except sqlite3.Error as exc:
            log.error("reading a session failed: %s", exc)
            return None
        if not rows:
            return None
        try:
            state = json.loads(rows[0]["state"])
        except (ValueError, TypeError):
            log.warning("ignoring an unreadable session row")
            return None
        self._remember(key, state, float(rows[0]["updated_at"]))
        return state

    async def save(self, key: str, state: dict[str, Any]) -> bool:
        """Save a session (check state, context, awaited input)."""
        self._seq += 1
        now = self.db.clock()
        self._remember(key, state, now)
        self.db.dirty[key] = self._seq
        return await self.db.add(Write(
            "INSERT INTO sessions (user_key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_key) "
            "DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (key, json.dumps(state, ensure_ascii=False), now), session=(key, self._seq)))

    def _remember(self, key: str, state: dict[str, Any], at: float) -> None:
        self._cache[key] = (state, at)
        self._cache.move_to_end(key)
        while len(self._cache) > _SESSION_CACHE:
            oldest = next(iter(self._cache))
            if oldest in self.db.dirty:  # its newest state is not in the database yet: keep it
                self._cache.move_to_end(oldest)
                if all(k in self.db.dirty for k in self._cache):
                    break
                continue
            del self._cache[oldest]

    def forget_idle(self, cutoff: float) -> None:
        """Drop from memory the sessions idle since before `cutoff` whose newest state is in the database."""
        for key in [k for k, (_, at) in self._cache.items() if at < cutoff and k not in self.db.dirty]:
            del self._cache[key]
