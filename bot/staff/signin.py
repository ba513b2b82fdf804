"""Staff console sign-in without passwords: one-time login links, signed session cookies, CSRF tokens.

A login link carries a random token; the database keeps only its SHA-256, when it expires and whether it
was used, so a copy of the database holds no usable link. Spending it starts a session: the cookie is
`<session id>.<expiry>.<HMAC>` signed with the key in BOT_DB_PATH + ".console-key"; the database again
keeps only the session id's hash (so that signing out ends it everywhere). The CSRF token is an HMAC of
the session id: bound to the session, never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from ..store import Storage

LOGIN_TTL = 600.0           # a login link works once, for 10 minutes
SESSION_TTL = 8 * 3600.0    # a console session lasts a working day
COOKIE = "kc_console"
CLI = "cli"


def digest(secret: str) -> str:
    """Return the stored form of a login token or session id."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def new_login_link(storage: Storage, base_url: str, who: str) -> str:
    """Return a one-time sign-in link to the console for `who` (a Telegram staff id or "cli")."""
    token = secrets.token_urlsafe(32)
    await storage.signin.add_login_token(digest(token), who, LOGIN_TTL)
    return f"{base_url.rstrip('/')}/login?t={token}"


def looks_like_token(value: str) -> bool:
    """Return True when value has the shape of a login token or session id (anything else is refused unread)."""
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{20,100}", value))


class Signer:
    """Signs and checks session cookies and CSRF tokens with the console key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, message: str) -> str:
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def cookie(self, session_id: str, expires: float) -> str:
        """Return the cookie value of a session."""
        body = f"{session_id}.{int(expires)}"
        return f"{body}.{self._mac('session:' + body)}"

    def session_id(self, cookie: str | None, now: float) -> str | None:
        """Return the session id of a well-signed, unexpired cookie, else None."""
        if not cookie or len(cookie) > 300:
            return None
        parts = cookie.split(".")
        if len(parts) != 3 or not looks_like_token(parts[0]) or not parts[1].isdigit():
            return None
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2], self._mac("session:" + body)) or int(parts[1]) <= now:
            return None
        return parts[0]

    def csrf(self, session_id: str) -> str:
        """Return the CSRF token of a session."""
        return self._mac("csrf:" + session_id)[:40]

    def csrf_ok(self, session_id: str, token: str | None) -> bool:
        """Return True when token is the session's CSRF token."""
        return bool(token) and hmac.compare_digest(str(token), self.csrf(session_id))
