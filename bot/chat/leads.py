"""The entry's own sentences that answer what a question asks (清单原文), for the card to lead with."""

from __future__ import annotations

from retrieval.aspects import Lead

from .core import Exchange


def leads_for(t: Exchange, answer_id: str, question: str, follow_up: bool = False) -> list[Lead]:
    """Return the sentences of an answer the fitted passage model leads with (retrieval/passages.py): the
    sentence that answers, or a lead with no sentences when what was asked the entry does not state."""
    chosen = t.a.searcher.passages.choose(answer_id, question, follow_up=follow_up)
    return [chosen.lead] if chosen.lead is not None else []
