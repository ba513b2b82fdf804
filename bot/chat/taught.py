"""What staff taught, read from the database: one value for `Searcher.with_taught` (the running bot and the
staff console both rebuild their searcher from it), and the follow-ups taught in their context (a question
that means a service only right after a given answer — 网上能查进度吗 after 13), which the chat matches itself
(bot/chat/dialogue.py) and the searcher never sees, so that the same words asked anywhere else are untouched."""

from __future__ import annotations

from retrieval.followup import FollowUpWords
from retrieval.search import Taught
from retrieval.text import compact

from ..store import Storage

# (the answer just shown, the follow-up's key) → the service it means
FollowUps = dict[tuple[str, str], str]


async def read_taught(storage: Storage) -> Taught:
    """Return the active aliases, terms and out-of-scope examples."""
    aliases: dict[str, list[str]] = {}
    for a in await storage.taught.aliases():
        aliases.setdefault(a.service_id, []).append(a.text)
    rows = await storage.taught.rows()
    return Taught(aliases={sid: tuple(texts) for sid, texts in aliases.items()},
                  terms=tuple((r.text, r.target) for r in rows if r.kind == "term"),
                  out_of_scope=tuple(r.text for r in rows if r.kind == "out_of_scope"))


def followup_key(question: str, marks: FollowUpWords) -> str:
    """Return what a follow-up is matched by: its words without 那…呢 and spaces or punctuation."""
    return compact(marks.strip_marks(question))


async def read_followups(storage: Storage, marks: FollowUpWords) -> FollowUps:
    """Return the active follow-ups taught in their context."""
    out: FollowUps = {}
    for r in await storage.taught.rows("followup"):
        context, _, service = r.target.partition(">")
        if context and service:
            out[(context, followup_key(r.text, marks))] = service
    return out
