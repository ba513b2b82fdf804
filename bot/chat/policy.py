"""The policy documents (data/policies/): /policy lists them, then their passages; a passage's button shows it."""

from __future__ import annotations

from retrieval.policies import Passage

from . import render, texts, views
from .core import Exchange
from .render import esc
from .routes import DOCUMENT, INDEX, PASSAGE, routes
from .session import Context

# Passages listed per page of a document.
PAGE = 12


@routes.command("policy", menu="政策文件", order=4)
async def policy_command(t: Exchange, args: str) -> None:
    """List the policy documents."""
    await list_documents(t)


@routes.button("pl")
async def list_documents(t: Exchange) -> None:
    """Show the policy documents, one button each."""
    docs = t.a.documents
    rows = [[t.button(f"《{d.title}》"[:60], "pd", d.id, "0")] for d in docs]
    t.out.add(texts.POLICY_LIST.format(count=len(docs)), rows, edit=True)


@routes.button("pd", DOCUMENT, INDEX)
async def list_passages(t: Exchange, document_id: str, start: str) -> None:
    """Show one page of a document's passages (their labels and headings)."""
    doc = next((d for d in t.a.documents if d.id == document_id), None)
    first = int(start) if start.isdigit() else 0
    if doc is None or first >= max(len(doc.passages), 1):
        t.out.add(esc(texts.POLICY_NONE))
        return
    rows = [[t.button(_label(p)[:60], "pp", f"{doc.id}/{p.id}")] for p in doc.passages[first:first + PAGE]]
    nav = []
    if first > 0:
        nav.append(t.button(texts.BTN_PREV_PAGE, "pd", doc.id, str(max(first - PAGE, 0))))
    if first + PAGE < len(doc.passages):
        nav.append(t.button(texts.BTN_NEXT_PAGE, "pd", doc.id, str(first + PAGE)))
    rows += [nav] if nav else []
    rows.append([t.button(texts.BTN_TOP, "pl")])
    t.out.add(texts.POLICY_PARTS.format(title=esc(doc.title)), rows, edit=True)


@routes.button("pp", PASSAGE)
async def show_passage(t: Exchange, key: str) -> None:
    """Show one passage with its citation; follow-ups then stay in its document."""
    document_id, _, passage_id = key.partition("/")
    doc = next((d for d in t.a.documents if d.id == document_id), None)
    passage = doc.passage(passage_id) if doc is not None else None
    if doc is None or passage is None:
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    rows = [[t.button(texts.POLICY_SERVICE.format(id=sid, title=t.a.catalogue.by_id[sid].title)[:60], "s", sid)]
            for sid in passage.services if sid in t.a.catalogue.by_id][:3]
    t.out.add(render.policy_card(passage, doc), rows + views.feedback_row(t, None), about=key)
    t.session.remember(Context(answer=key, at=t.a.clock()))


def _label(p: Passage) -> str:
    """Return a passage's button label: its place in the document and its heading (or its first words)."""
    return f"{''.join(p.path)}{p.label} {p.heading or p.text[:24]}".strip()
