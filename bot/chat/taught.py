"""What staff taught, read from the database as one value for `Searcher.with_taught` (the running bot and
the staff console both rebuild their searcher from it)."""

from __future__ import annotations

from retrieval.search import Taught

from ..store import Storage


async def read_taught(storage: Storage) -> Taught:
    """Return the active aliases, terms and out-of-scope examples."""
    aliases: dict[str, list[str]] = {}
    for a in await storage.taught.aliases():
        aliases.setdefault(a.service_id, []).append(a.text)
    rows = await storage.taught.rows()
    return Taught(aliases={sid: tuple(texts) for sid, texts in aliases.items()},
                  terms=tuple((r.text, r.target) for r in rows if r.kind == "term"),
                  out_of_scope=tuple(r.text for r in rows if r.kind == "out_of_scope"))
