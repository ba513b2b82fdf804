"""The history of staff changes: one row per change, with who, a readable summary and what undoing it takes."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from .database import new_id


async def record(db: aiosqlite.Connection, now: float, who: str, action: str, summary: str,
                 undo: dict[str, Any] | None = None) -> str:
    """Write one staff change inside its transaction; return its id (undo None: it cannot be undone)."""
    audit_id = new_id()
    await db.execute("INSERT INTO audit (id, ts, who, action, summary, undo, undoable) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (audit_id, now, who, action, summary, json.dumps(undo or {}), int(undo is not None)))
    return audit_id
