"""One running bot per database: an exclusive lock file held for the life of the process.

The lock is a kernel file lock (flock) on BOT_DB_PATH + ".lock", so it is released when the process
ends, however it ends; a second instance on the same database refuses to start with one line. A second
instance elsewhere (another machine, another database) is detected by Telegram's 409 Conflict at start
(bot/transports/telegram_bot.py).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class InstanceLocked(RuntimeError):
    """Another process holds the lock; str() is one line."""


class InstanceLock:
    """Hold with `with InstanceLock(path):` or acquire()/release()."""

    def __init__(self, db_path: str) -> None:
        self.path = Path(db_path + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise InstanceLocked naming the holder."""
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise InstanceLocked(f"another bot is already running on BOT_DB_PATH {self.path.with_suffix('')} "
                                 f"(pid {holder}); stop it first") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Let the lock go."""
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
