"""Updates handled already, by their transport's id (Telegram's update id), with the replies they got.

Written in the same transaction as everything the update's turn wrote, so that an update delivered again
after a crash (Telegram re-delivers what was not acknowledged) is answered with the same replies and written
down once. Kept a day (Telegram keeps undelivered updates that long); retention deletes them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from .database import Database

log = logging.getLogger(__name__)

KEEP_SECONDS = 86400.0


class HandledUpdates:
    """The replies of updates handled in the last day, by update key."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def replies(self, key: str) -> list[dict[str, Any]] | None:
        """Return the replies an update got when it was handled before, or None if it was not."""
        try:
            rows = await self.db.read("SELECT replies FROM handled_updates WHERE key = ?", (key,))
        except sqlite3.Error as exc:  # cannot tell: handle it (at least once)
            log.warning("could not look up whether an update was handled: %s", exc)
            return None
        if not rows:
            return None
        try:
            replies = json.loads(rows[0]["replies"])
        except (TypeError, ValueError):
            return None
        return replies if isinstance(replies, list) else None

    async def remember(self, key: str, replies: list[dict[str, Any]]) -> bool:
        """Record that an update was handled and what it was answered (joins the turn's transaction)."""
        return await self.db.write("INSERT OR IGNORE INTO handled_updates (key, ts, replies) VALUES (?, ?, ?)",
                                   (key, self.db.clock(), json.dumps(replies, ensure_ascii=False)))
