"""Private cache files for start-up work (jieba's dictionary, the search index): checked, atomic, 0600.

A cache file is `MAGIC`, the 64-hex-digit key it was built for, a BLAKE2b digest of the payload, then the
payload: one block of bytes, or records (each preceded by its length) that are read one at a time so a
large cache never sits in memory twice. A file with another key (stale) or a wrong digest (truncated, corrupt) reads as missing, so the
caller rebuilds and rewrites it; a cache can never change what the assistant answers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"kechuang-cache-1\n"
_KEY_LEN = 64
_DIGEST_LEN = 32
_HEAD = len(MAGIC) + _KEY_LEN + _DIGEST_LEN
_BLOCK = 1 << 20


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


def _digest(payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_LEN).digest()


def _check_head(path: Path, head: bytes, key: str) -> bytes | None:
    """Return the stored digest when head belongs to a cache for key, else None (logged)."""
    if len(head) < _HEAD or not head.startswith(MAGIC):
        log.warning("cache %s is corrupt; rebuilding it", path)
        return None
    if head[len(MAGIC):len(MAGIC) + _KEY_LEN] != key.encode("ascii"):
        log.info("cache %s is stale; rebuilding it", path)
        return None
    return head[len(MAGIC) + _KEY_LEN:_HEAD]


def read_cache(path: Path, key: str) -> memoryview | None:
    """Return the payload stored at path for key, or None when missing, stale, unreadable or corrupt."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, exc)
        return None
    digest = _check_head(path, data[:_HEAD], key)
    if digest is None:
        return None
    payload = memoryview(data)[_HEAD:]
    if _digest(payload) != digest:
        log.warning("cache %s is corrupt; rebuilding it", path)
        return None
    return payload


def read_cache_records(path: Path, key: str) -> Iterator[bytes] | None:
    """Return the records stored at path for key one at a time, or None when missing, stale or corrupt.

    The digest is checked in a first pass over the file, so the records come only from an intact file.
    """
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, exc)
        return None
    try:
        digest = _check_head(path, fh.read(_HEAD), key)
        if digest is None:
            fh.close()
            return None
        h = hashlib.blake2b(digest_size=_DIGEST_LEN)
        while block := fh.read(_BLOCK):
            h.update(block)
        if h.digest() != digest:
            log.warning("cache %s is corrupt; rebuilding it", path)
            fh.close()
            return None
        fh.seek(_HEAD)
    except OSError as exc:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, exc)
        fh.close()
        return None
    return _records(path, fh)


def _records(path: Path, fh: Any) -> Iterator[bytes]:
    with fh:
        left = os.fstat(fh.fileno()).st_size - _HEAD
        while size := fh.read(8):
            n = int.from_bytes(size, "big")
            left -= len(size) + n
            if len(size) != 8 or left < 0:
                raise ValueError(f"cache {path} ends inside a record")
            yield fh.read(n)


def write_cache(path: Path, key: str, payload: bytes) -> None:
    """Store payload for key at path atomically with mode 0600; a failure is logged, never raised."""
    _write(path, key, (payload,))


def write_cache_records(path: Path, key: str, records: Iterable[bytes]) -> None:
    """Store records for key at path (read back with read_cache_records); as write_cache."""
    _write(path, key, (part for r in records for part in (len(r).to_bytes(8, "big"), r)))


def _write(path: Path, key: str, parts: Iterable[bytes]) -> None:
    try:
        # mkstemp creates the file with mode 0600 in the same directory, so the rename is atomic.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    except OSError as exc:
        log.warning("could not write cache %s (%s)", path, exc)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + key.encode("ascii") + bytes(_DIGEST_LEN))
            h = hashlib.blake2b(digest_size=_DIGEST_LEN)
            for part in parts:
                h.update(part)
                fh.write(part)
            # The digest goes in last: a file cut short while being written can never look intact.
            fh.seek(len(MAGIC) + _KEY_LEN)
            fh.write(h.digest())
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write cache %s (%s)", path, exc)
        try:
            os.unlink(tmp)
        except OSError:
            pass
