"""Drawing answers: cards of services and appendix answers with their buttons, and the lines around them.

Drawing a card also remembers it in the session (for follow-ups). Buttons name their route by code
(bot/chat/routes.py), so nothing here imports a handler module.
"""

from __future__ import annotations

from dataclasses import replace

from retrieval.aspects import Lead
from retrieval.model import Catalogue, Service
from retrieval.outcome import Reason
from retrieval.search import SearchResult

from . import render, texts
from .core import Exchange
from .leads import leads_for
from .render import esc
from .routes import code_of
from .replies import Button
from .session import Context


def answer_label(t: Exchange, answer_id: str) -> str:
    """Return a button label for an answer id."""
    cat = t.a.catalogue
    s = cat.service(answer_id)
    if s is not None:
        return f"{s.id} {s.title}"[:60]
    if answer_id == "societies":
        return cat.societies.name
    if answer_id == "enterprise-association-rules":
        return f"《{cat.rules.name}》"
    return cat.organisation(answer_id).name


def feedback_row(t: Exchange, query_id: str | None) -> list[list[Button]]:
    """Return the 👍/👎 row for an answer to a logged question."""
    if not query_id:
        return []
    return [[t.button(texts.BTN_UP, "fb", query_id, "up"),
             t.button(texts.BTN_DOWN, "fb", query_id, "down")]]


def card_buttons(t: Exchange, s: Service, query_id: str | None, related: list[str] | None = None,
                 choices: list[str] | None = None) -> list[list[Button]]:
    """Return the buttons under a service card (`choices`: the other choices of a list it was taken from)."""
    # A section the entry does not print gets no button; the card itself ends with the whole contact block,
    # so no 联系方式 button either.
    sections = [t.button(texts.BTN_CONDITIONS, "sec", s.id, "cond")] if s.conditions is not None else []
    if s.how_to_apply is not None:
        sections.append(t.button(texts.BTN_APPLY, "sec", s.id, "apply"))
    rows = [sections] if sections else []
    rows.append([t.button(texts.BTN_FULL, "sec", s.id, "full")])
    flow = t.a.flows_by_service.get(s.id)
    if flow is not None:
        rows.append([t.button(texts.BTN_CHECK, "k", flow.id)])
    for cid in choices or []:
        label = answer_label(t, cid)
        rows.append([t.button(label[:60], "s", code_of(cid))])
    for rid in ([] if choices else related or [])[:2]:
        other = t.a.catalogue.service(rid)
        if other is not None and other.id != s.id:
            rows.append([t.button(texts.BTN_RELATED.format(title=f"{other.id} {other.title}")[:60], "s",
                                  other.id)])
    return rows + feedback_row(t, query_id)


def show_answer(t: Exchange, answer_id: str, question: str, result: SearchResult | None, query_id: str | None) -> None:
    """Add the card for an answer id (service or appendix) to the replies, and remember it for follow-ups."""
    a, s = t.a, t.session
    service = a.catalogue.service(answer_id)
    ctx = Context(answer=answer_id, query=query_id, text=question, at=a.clock())
    s.remember(ctx)
    note = corrected(result) if result and result.best and result.best.id == answer_id else ""
    if service is not None:
        related = [h.id for h in result.hits[1:4] if a.catalogue.service(h.id)] if result else []
        if not related:
            related = [x.id for x in a.catalogue.services if x.section == service.section and x.id != service.id]
        leads = leads_for(t, service.id, question) if result and question else []
        head = (esc(texts.CAN_APPLY_HINT) + "\n\n") if result is not None and result.can_apply \
            and service.id in a.flows_by_service else ""
        t.out.add(note + head + render.service_card(service, card_intents(result, leads), leads)
                  + english_line(t, service.id, result), card_buttons(t, service, query_id, related),
                  about=service.id)
        return
    feedback = feedback_row(t, query_id)
    document, passage = a.passage(answer_id)
    if document is not None and passage is not None:  # a policy passage, asked about again
        lead = a.searcher.parts.policy.lead_sentence(passage, question) if question and a.searcher.parts.policy else ""
        t.out.add(render.policy_card(passage, document, lead), feedback, about=answer_id)
        return
    if answer_id == "societies":
        groups = a.catalogue.societies.by_discipline()
        disciplines = [[t.button(texts.BTN_DISCIPLINE.format(discipline=d, count=len(v)), "soc", str(i))
                        for i, (d, v) in enumerate(groups.items())]]
        match = result.societies if result else a.searcher.societies.match(question)
        s.context = replace(ctx, detail="|".join(match.names))
        t.out.add(note + render.societies_card(a.catalogue, match), disciplines + feedback, about=answer_id)
    elif answer_id in ("tast", "cast"):
        key = result.best.key if result and result.best and result.best.id == answer_id else ""
        if not key and question:
            key = next(iter(a.searcher.best_documents(question, answer_id, 1)), "")
        leads = leads_for(t, answer_id, question) if question else []
        t.out.add(note + render.organisation_card(a.catalogue, answer_id, key, leads), feedback, about=answer_id)
    else:
        keys = a.searcher.best_documents(question, answer_id, 2) if question else []
        numbers = [int(k.split(":")[1]) for k in keys if k.startswith("article:")] or [12, 13]
        contact = a.catalogue.service(a.catalogue.rules.contact_service)
        rows: list[list[Button]] = []
        if "enterprise_kx" in a.flows:
            rows.append([t.button(texts.BTN_CHECK, "k", "enterprise_kx")])
        s.context = replace(ctx, detail=",".join(map(str, numbers)))
        t.out.add(note + render.rules_card(a.catalogue, numbers, contact), rows + feedback, about=answer_id)


def english_line(t: Exchange, answer_id: str, result: SearchResult | None) -> str:
    """Return the one English line an English question gets under its Chinese card (name, department, phone)."""
    if result is None or not result.english:
        return ""
    cat = t.a.catalogue
    name = cat.english.get(answer_id, "")
    service = cat.service(answer_id if answer_id != "enterprise-association-rules" else cat.rules.contact_service)
    contact = service.contact if service is not None else None
    if contact is None:
        org = t.a.catalogue.organisation("tast" if answer_id != "cast" else "cast")
        return "\n\n" + esc(texts.ENGLISH_LINE.format(name=name, department=org.name,
                                                      phones=", ".join(org.contact.phones) or t.a.switchboard))
    return "\n\n" + esc(texts.ENGLISH_LINE.format(name=name, department=contact.department,
                                                  phones=", ".join(contact.phones)))


def corrected(result: SearchResult | None) -> str:
    """Return the line that says how a mistyped question was read (已按“青托”理解), or ''."""
    if result is None or not result.corrections:
        return ""
    return esc(texts.CORRECTED.format(terms="”“".join(meant for _, meant in result.corrections))) + "\n"


def card_intents(result: SearchResult | None, leads: list[Lead]) -> tuple[str, ...]:
    """Return the card sections to lead with: when the entry's own sentences answered the question (资助多少钱,
    有年龄限制吗), the whole 申报条件 section is not repeated under them."""
    intents = result.asks if result else ()
    if any(lead.sentences for lead in leads):
        return tuple(i for i in intents if i != "conditions")
    return intents


def decline_message(catalogue: Catalogue, result: SearchResult, switchboard: str) -> str:
    """Return the text of a declined question's reply (plain): out of scope, another level's programme, or not found."""
    local = catalogue.service(result.best.id) if result.reason is Reason.OTHER_LEVEL and result.best else None
    if local is not None:  # 国家科学技术进步奖: not ours; Tianjin's own award is, by name and phone
        return texts.OTHER_LEVEL.format(id=local.id, title=local.title, department=local.contact.department,
                                        phones="、".join(local.contact.phones), phone=switchboard)
    return (texts.OUT_OF_SCOPE if result.reason is Reason.OUT_OF_SCOPE else texts.NO_ANSWER).format(phone=switchboard)
