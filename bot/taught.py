"""What staff taught, read from the database as one value for `Searcher.with_taught`."""

from __future__ import annotations

from retrieval.search import Taught

from .storage import Storage


async def read_taught(storage: Storage) -> Taught:
    """Return the active aliases, terms and out-of-scope examples."""
    aliases: dict[str, list[str]] = {}
    for a in await storage.aliases():
        aliases.setdefault(a.service_id, []).append(a.text)
    rows = await storage.taught()
    return Taught(aliases={sid: tuple(texts) for sid, texts in aliases.items()},
                  terms=tuple((r.text, r.target) for r in rows if r.kind == "term"),
                  out_of_scope=tuple(r.text for r in rows if r.kind == "out_of_scope"))
