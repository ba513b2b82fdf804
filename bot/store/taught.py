"""What staff taught and the history of staff changes: each change is one transaction, recorded with who
made it and what undoing it takes; undo restores exactly what was before."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import aiosqlite

from . import audit
from .database import ChangeRefused, Database, new_id
from .rows import Alias, AuditEntry, TaughtRow


async def _bump(db: aiosqlite.Connection) -> None:
    """Count one more change of what staff taught (a running bot and console reload when it changes)."""
    await db.execute("INSERT INTO meta (key, value) VALUES ('taught_version', '1') ON CONFLICT (key) "
                     "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")


class Taught:
    """What staff taught (aliases, terms, out-of-scope examples) and every staff change, undoable."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _claim(self, db: aiosqlite.Connection, item_ids: Iterable[str], status: str, who: str,
                     service_id: str | None = None, *, taught_from: bool = False) -> tuple[list[str], list[str]]:
        """Resolve the items still pending; return (their ids, their texts), in order.

        Checked and written in the change's own transaction: of staff acting on one item at once (two
        consoles, the console and Telegram, a double click) exactly one does. Raise ChangeRefused, nothing
        changed, when the first item (the one acted on) is no longer pending ("item_gone") or, when its text
        is to be taught (`taught_from`), was purged by retention ("item_purged"); other items in that state
        are left out.
        """
        changed: list[str] = []
        samples: list[str] = []
        for n, item_id in enumerate(dict.fromkeys(item_ids)):
            async with db.execute("SELECT status, sample FROM review_items WHERE id = ?", (item_id,)) as cur:
                row = await cur.fetchone()
            if row is None or row["status"] != "pending" or (taught_from and row["sample"] is None):
                if n == 0:
                    raise ChangeRefused("item_gone" if row is None or row["status"] != "pending" else "item_purged")
                continue
            await db.execute("UPDATE review_items SET status = ?, service_id = ?, resolved_at = ?, resolved_by = ? "
                             "WHERE id = ?", (status, service_id, self.db.clock(), who, item_id))
            changed.append(item_id)
            samples.append(row["sample"])
        return changed, samples

    async def teach_alias(self, service_id: str, who: str, summary: str, item_ids: Iterable[str], *,
                          normalise: Callable[[str], str], text: str | None = None) -> tuple[str, list[str]]:
        """Teach the questions of pending items (or one given text, such as a follow-up with its context) as
        aliases of a service and resolve the items; return (audit id, alias ids).

        ChangeRefused when the first item is no longer pending or its text was purged (see `_claim`).
        """
        async with self.db.change() as db:
            changed, samples = await self._claim(db, item_ids, "linked", who, service_id, taught_from=True)
            alias_ids = []
            for alias in [text] if text is not None else list(dict.fromkeys(samples)):
                alias_ids.append(new_id())
                await db.execute("INSERT INTO learned_aliases (id, text, norm, service_id, created_at, created_by) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 (alias_ids[-1], alias, normalise(alias), service_id, self.db.clock(), who))
            await _bump(db)
            audit_id = await audit.record(db, self.db.clock(), who, "link", summary,
                                          {"aliases": alias_ids, "items": changed, "status": "linked"})
        return audit_id, alias_ids

    async def teach_out_of_scope(self, who: str, summary: str, item_ids: Iterable[str]) -> str:
        """Teach the questions of pending items as out-of-scope examples (similar ones are declined); audit id.

        ChangeRefused when the first item is no longer pending or its text was purged (see `_claim`).
        """
        async with self.db.change() as db:
            changed, samples = await self._claim(db, item_ids, "out_of_scope", who, taught_from=True)
            taught_ids = []
            for text in dict.fromkeys(samples):
                taught_ids.append(new_id())
                await db.execute("INSERT INTO taught (id, kind, text, target, created_at, created_by) "
                                 "VALUES (?, 'out_of_scope', ?, '', ?, ?)", (taught_ids[-1], text, self.db.clock(), who))
            await _bump(db)
            return await audit.record(db, self.db.clock(), who, "out_of_scope", summary,
                                      {"taught": taught_ids, "items": changed, "status": "out_of_scope"})

    async def teach_followup(self, context_answer: str, question: str, service_id: str, who: str, summary: str,
                             item_ids: Iterable[str] = ()) -> str:
        """Teach a follow-up: `question` asked right after the answer `context_answer` means `service_id` (and
        nothing when asked after anything else); resolve the items it came from; return the audit id."""
        async with self.db.change() as db:
            # The same pending check as every change (exactly one of racing staff wins; a purged text is refused).
            changed, _ = await self._claim(db, item_ids, "linked", who, service_id, taught_from=True)
            taught_id = new_id()
            await db.execute("INSERT INTO taught (id, kind, text, target, created_at, created_by) "
                             "VALUES (?, 'followup', ?, ?, ?, ?)",
                             (taught_id, question, f"{context_answer}>{service_id}", self.db.clock(), who))
            await _bump(db)
            return await audit.record(db, self.db.clock(), who, "link", summary,
                                      {"taught": [taught_id], "items": changed, "status": "linked"})

    async def teach_term(self, typed: str, meant: str, who: str, summary: str) -> str:
        """Teach a term (a correction or synonym, typed → meant) that applies to every question; return the audit id."""
        async with self.db.change() as db:
            taught_id = new_id()
            await db.execute("INSERT INTO taught (id, kind, text, target, created_at, created_by) "
                             "VALUES (?, 'term', ?, ?, ?, ?)", (taught_id, typed, meant, self.db.clock(), who))
            await _bump(db)
            return await audit.record(db, self.db.clock(), who, "term", summary, {"taught": [taught_id]})

    async def dismiss_items(self, item_ids: Iterable[str], who: str, summary: str) -> str:
        """Mark items as dealt with, without teaching anything; return the audit id (ChangeRefused: see `_claim`)."""
        async with self.db.change() as db:
            changed, _ = await self._claim(db, item_ids, "dismissed", who)
            return await audit.record(db, self.db.clock(), who, "dismiss", summary, {"items": changed, "status": "dismissed"})

    async def remove_taught(self, kind: str, row_id: str, who: str, summary: str) -> str | None:
        """Remove an alias ('alias') or a term / out-of-scope example ('taught'); return the audit id, or None."""
        table = {"alias": "learned_aliases", "taught": "taught"}[kind]
        async with self.db.change() as db:
            cur = await db.execute(f"UPDATE {table} SET removed_at = ?, removed_by = ? WHERE id = ? "
                                   "AND removed_at IS NULL", (self.db.clock(), who, row_id))
            if not cur.rowcount:
                return None
            await _bump(db)
            key = "restore_aliases" if kind == "alias" else "restore_taught"
            return await audit.record(db, self.db.clock(), who, "remove", summary, {key: [row_id]})

    async def undo(self, audit_id: str, who: str, summary: str) -> str:
        """Undo a staff change exactly; return the audit id of the undo. Raise ChangeRefused when it cannot be."""
        async with self.db.change() as db:
            async with db.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                raise ChangeRefused("no_change")
            if row["undone_at"] is not None:
                raise ChangeRefused("already_undone")
            if not row["undoable"]:
                raise ChangeRefused("not_undoable")
            u = json.loads(row["undo"] or "{}")
            now = self.db.clock()
            for ticket_id in u.get("tickets", []):
                cur = await db.execute("UPDATE tickets SET status = 'open', closed_by = NULL, answered_at = NULL "
                                       "WHERE id = ? AND status = 'closed' AND chat_id IS NOT NULL", (ticket_id,))
                if not cur.rowcount:
                    raise ChangeRefused("ticket_gone")
            for alias_id in u.get("aliases", []):
                await db.execute("UPDATE learned_aliases SET removed_at = ?, removed_by = ? WHERE id = ? "
                                 "AND removed_at IS NULL", (now, who, alias_id))
            for taught_id in u.get("taught", []):
                await db.execute("UPDATE taught SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
                                 (now, who, taught_id))
            for alias_id in u.get("restore_aliases", []):
                await db.execute("UPDATE learned_aliases SET removed_at = NULL, removed_by = NULL WHERE id = ?",
                                 (alias_id,))
            for taught_id in u.get("restore_taught", []):
                await db.execute("UPDATE taught SET removed_at = NULL, removed_by = NULL WHERE id = ?", (taught_id,))
            for item_id in u.get("items", []):
                await db.execute("UPDATE review_items SET status = 'pending', service_id = NULL, resolved_at = NULL, "
                                 "resolved_by = NULL WHERE id = ? AND status = ?", (item_id, u.get("status")))
            if any(u.get(k) for k in ("aliases", "taught", "restore_aliases", "restore_taught")):
                await _bump(db)
            await db.execute("UPDATE audit SET undone_at = ?, undone_by = ? WHERE id = ?", (now, who, audit_id))
            return await audit.record(db, self.db.clock(), who, "undo", summary)

    async def history(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Return staff changes, newest first."""
        rows = await self.db.read("SELECT * FROM audit ORDER BY ts DESC, rowid DESC LIMIT ? OFFSET ?", (limit, offset))
        return [AuditEntry.from_row(r) for r in rows]

    async def audit_entry(self, audit_id: str) -> AuditEntry | None:
        """Return one staff change."""
        rows = await self.db.read("SELECT * FROM audit WHERE id = ?", (audit_id,))
        return AuditEntry.from_row(rows[0]) if rows else None

    async def link(self, item_id: str, service_id: str, text: str, norm: str, who: str = "",
                   summary: str = "") -> str:
        """Resolve a queue item by teaching its question as an alias of a service; return the alias id."""
        _, alias_ids = await self.teach_alias(service_id, who or "cli", summary or f"link {text} → {service_id}",
                                              [item_id], normalise=lambda _: norm, text=text)
        return alias_ids[0]

    async def aliases(self) -> list[Alias]:
        """Return the active learned aliases."""
        rows = await self.db.read("SELECT id, text, service_id, created_at, created_by FROM learned_aliases "
                                  "WHERE removed_at IS NULL ORDER BY created_at")
        return [Alias.from_row(r) for r in rows]

    async def rows(self, kind: str | None = None) -> list[TaughtRow]:
        """Return the active terms and out-of-scope examples (or those of one kind), oldest first."""
        rows = await self.db.read("SELECT * FROM taught WHERE removed_at IS NULL AND (? IS NULL OR kind = ?) "
                                  "ORDER BY created_at, rowid", (kind, kind))
        return [TaughtRow.from_row(r) for r in rows]

    async def version(self) -> int:
        """Return a counter that changes whenever aliases, terms or out-of-scope examples change (in any process)."""
        value = await self.db.meta("taught_version")
        return int(value or 0)
