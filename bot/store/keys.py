"""The keys kept beside the database, never in it: the user-key secret and the console's cookie key.

The log stores keyed hashes of Telegram ids. Whoever holds the database file alone cannot reverse them
(the id space is small enough to try every id, so the key must not sit in the same file): the key comes
from BOT_USER_KEY_SECRET, or from a key file beside the database (BOT_DB_PATH + ".key", mode 0600)
created on first start. A key that older versions kept in the database is moved to the key file once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from .database import StorageError
from .storage import Storage


def key_file(db_path: str) -> Path:
    """Return where the key file of a database lives."""
    return Path(db_path + ".key")


async def user_key_secret(configured: str | None, storage: Storage) -> str:
    """Return the user-key secret: the configured one, the key file's, a legacy one moved out, or a new one."""
    legacy = await storage.database.take_legacy_user_key_secret()
    if configured:
        return configured
    if storage.path == ":memory:":
        return legacy or secrets.token_hex(32)
    path = key_file(storage.path)
    try:
        if path.exists():
            secret = path.read_text(encoding="ascii").strip()
            if secret:
                return secret
        secret = legacy or secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secret + "\n")
        return secret
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"BOT_DB_PATH {storage.path}: cannot read or create the key file {path} "
                           f"({getattr(exc, 'strerror', None) or exc}); or set BOT_USER_KEY_SECRET") from None


def console_key_file(db_path: str) -> Path:
    """Return where the staff console's cookie-signing key lives."""
    return Path(db_path + ".console-key")


def console_key(db_path: str) -> bytes:
    """Return the key that signs console cookies: read from, or created in, a 0600 file beside the database.

    It is kept out of the database for the same reason as the user key: a copy of the database alone must
    not let anyone forge a staff session.
    """
    if db_path == ":memory:" or db_path.startswith("file:"):
        return secrets.token_bytes(32)
    path = console_key_file(db_path)
    try:
        if path.exists():
            text = path.read_text(encoding="ascii").strip()
            if len(text) >= 32:
                return bytes.fromhex(text)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        return key
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StorageError(f"BOT_DB_PATH {db_path}: cannot read or create the console key file {path} "
                           f"({getattr(exc, 'strerror', None) or exc}); delete it to make a new one") from None


def user_key(secret: str, user_id: int | str) -> str:
    """Return the pseudonymous key of a user: a keyed hash of the Telegram id."""
    return hashlib.blake2b(str(user_id).encode(), key=secret.encode()[:64], digest_size=12).hexdigest()
