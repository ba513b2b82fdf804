"""Staff console sign-in: only hashes of one-time login tokens and of session ids are stored."""

from __future__ import annotations

from .database import Database


class SignIn:
    """Hashes of one-time login tokens and of console sessions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_login_token(self, token_hash: str, who: str, ttl: float) -> None:
        """Store (the hash of) a one-time login token."""
        now = self.db.clock()
        async with self.db.change() as db:
            await db.execute("INSERT INTO login_tokens (hash, who, created_at, expires_at) VALUES (?, ?, ?, ?)",
                             (token_hash, who, now, now + ttl))

    async def sign_in(self, token_hash: str, session_hash: str, ttl: float) -> tuple[str, float] | None:
        """Spend a login token and start a console session, in one transaction; return (who, expires at), or
        None when the token is unknown, used or expired. StorageBusy (the database is busy or full) changes
        nothing: the link still works."""
        now = self.db.clock()
        async with self.db.change() as db:
            cur = await db.execute("UPDATE login_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL "
                                   "AND expires_at > ?", (now, token_hash, now))
            if not cur.rowcount:
                return None
            async with db.execute("SELECT who FROM login_tokens WHERE hash = ?", (token_hash,)) as c:
                row = await c.fetchone()
            who = str(row["who"]) if row is not None else ""
            await db.execute("INSERT INTO console_sessions (hash, who, created_at, expires_at) VALUES (?, ?, ?, ?)",
                             (session_hash, who, now, now + ttl))
        return who, now + ttl

    async def console_session(self, session_hash: str) -> tuple[str, float] | None:
        """Return (who, expires at) of a live console session, or None."""
        rows = await self.db.read("SELECT who, expires_at FROM console_sessions WHERE hash = ? AND ended_at IS NULL "
                                  "AND expires_at > ?", (session_hash, self.db.clock()))
        return (str(rows[0]["who"]), float(rows[0]["expires_at"])) if rows else None

    async def end_console_session(self, session_hash: str) -> None:
        """End a console session (sign out)."""
        async with self.db.change() as db:
            await db.execute("UPDATE console_sessions SET ended_at = ? WHERE hash = ?", (self.db.clock(), session_hash))
