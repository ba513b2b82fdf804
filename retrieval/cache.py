"""Private cache files for start-up work (jieba's dictionary, the search index): checked, atomic, 0600.

A cache file is `MAGIC`, the 64-hex-digit key it was built for, a BLAKE2b digest of the payload, then the
payload. A file with another key (stale) or a wrong digest (truncated, corrupt) reads as missing, so the
caller rebuilds and rewrites it; a cache can never change what the assistant answers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"kechuang-cache-1\n"
_KEY_LEN = 64
_DIGEST_LEN = 32


def default_cache_dir() -> Path:
    """Return the per-user cache directory: $XDG_CACHE_HOME (or ~/.cache) / kechuang-assistant."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kechuang-assistant"


def private_dir(directory: str | Path | None) -> Path | None:
    """Return directory (the per-user one when None), created with mode 0700 if missing; None if impossible."""
    path = Path(directory) if directory is not None else default_cache_dir()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("cache directory %s is not usable (%s); building without a cache", path, exc)
        return None
    return path


def key_of(*parts: str | bytes) -> str:
    """Return a 64-hex-digit key over parts (each length-prefixed, so parts cannot run together)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """Return a key over the retrieval package's own source and the Python version (marshal's format)."""
    here = Path(__file__).resolve().parent
    return key_of(sys.version, *(p.name.encode() + p.read_bytes() for p in sorted(here.glob("*.py"))))


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_LEN).digest()


def read_cache(path: Path, key: str) -> bytes | None:
    """Return the payload stored at path for key, or None when missing, stale, unreadable or corrupt."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, exc)
        return None
    head = len(MAGIC) + _KEY_LEN + _DIGEST_LEN
    if len(data) < head or not data.startswith(MAGIC):
        log.warning("cache %s is corrupt; rebuilding it", path)
        return None
    if data[len(MAGIC):len(MAGIC) + _KEY_LEN] != key.encode("ascii"):
        log.info("cache %s is stale; rebuilding it", path)
        return None
    payload = memoryview(data)[head:]
    if _digest(payload) != data[len(MAGIC) + _KEY_LEN:head]:
        log.warning("cache %s is corrupt; rebuilding it", path)
        return None
    return bytes(payload)


def write_cache(path: Path, key: str, payload: bytes) -> None:
    """Store payload for key at path atomically with mode 0600; a failure is logged, never raised."""
    data = b"".join((MAGIC, key.encode("ascii"), _digest(payload), payload))
    try:
        # mkstemp creates the file with mode 0600 in the same directory, so the rename is atomic.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    except OSError as exc:
        log.warning("could not write cache %s (%s)", path, exc)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write cache %s (%s)", path, exc)
        try:
            os.unlink(tmp)
        except OSError:
            pass
