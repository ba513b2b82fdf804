"""Answers: typed questions, answer cards, suggestions, follow-ups, feedback and the hand-off to staff."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from retrieval.aspects import Lead
from retrieval.decide import Decision
from retrieval.model import Catalogue, Service
from retrieval.search import MAX_QUESTION, SearchResult
from retrieval.text import compact, normalise, strip_invisible

from . import browse, checks, followups, inbox, render, texts
from .core import APPENDIX_CODES
from .render import esc
from .replies import Button
from .routes import ANSWER, ROW, SERVICE, Turn, choice, routes
from .session import Context, Pending

log = logging.getLogger(__name__)

# Longest text accepted as a question (Telegram itself allows 4096 characters).
MAX_TEXT = 1000
_ANSWER_OF_CODE = {code: answer for answer, code in APPENDIX_CODES.items()}


def code_of(answer_id: str) -> str:
    """Return the button code of an answer id (services keep their id)."""
    return APPENDIX_CODES.get(answer_id, answer_id)


def answer_of(code: str) -> str:
    """Return the answer id of a button code."""
    return _ANSWER_OF_CODE.get(code, code)


# -- typed text ------------------------------------------------------------------------------------

async def on_text(t: Turn, raw: str) -> None:
    """Answer a typed message: awaited input first, then a running check, then a search."""
    text = re.sub(r"\s+", " ", strip_invisible(raw or "")).strip()
    if not text or not compact(text):
        t.out.add(esc(texts.EMPTY.format(example=texts.EXAMPLES[0])))
        return
    if len(text) > MAX_TEXT:
        t.out.add(esc(texts.TOO_LONG.format(limit=MAX_TEXT)))
        return
    pending = t.session.pending
    if pending is not None:
        t.session.pending = None
        route = t.a.router.awaiting(pending.kind)
        if route is not None and (not route.staff or t.a._staff_here(t.sender)):
            await route.handler(t, text, pending.ref)
            return
    if t.session.check is not None:
        if await checks.on_check_text(t, text):
            return
    await respond(t, text)


async def respond(t: Turn, text: str, quiet: bool = False) -> bool:
    """Answer a question (a follow-up about the last answer, or a search); return False if nothing fit.

    `quiet` (a question typed during a check): a question nothing fits adds no reply, so that the check
    can ask its own question again instead.
    """
    result = t.a.searcher.search(text)
    if await followups.follow_up(t, text, result):
        return True
    if result.decision is Decision.UNANSWERED and followups.fresh_context(t) is not None:
        # 电化 after a card: a mistyped follow-up, read as the corrector reads it (已按“电话”理解).
        for rewrite in t.a.searcher.corrector.rewrites(normalise(text)):
            again = replace(t.a.searcher.search(rewrite.text), question=text, corrections=rewrite.changes)
            if again.reason != "chitchat" and await followups.follow_up(t, rewrite.text, again):
                return True
    result = followups.in_context(t, text, result)
    if quiet and result.decision is Decision.UNANSWERED:
        return False
    await answer(t, text, result)
    return True


async def log_question(t: Turn, text: str, result: SearchResult, *, shown: str | None,
                       decision: str | None = None, reason: str | None = None) -> str:
    """Log a question with its decision and hits, and the answer it may follow up; return the query id."""
    ctx_query, ctx_answer = inbox.context_of(t)
    return await t.a.storage.log_query(
        user_key=t.key, chat_type=t.sender.chat_type, text=text[:MAX_QUESTION], norm=normalise(text)[:MAX_QUESTION],
        decision=decision or result.decision.value, reason=reason or result.reason,
        hits=[(h.id, h.score) for h in result.hits], shown=shown, ctx_query=ctx_query, ctx_answer=ctx_answer)


async def answer(t: Turn, text: str, result: SearchResult) -> None:
    """Reply to a searched question according to the decision, and log it."""
    s = t.session
    if result.decision is Decision.ANSWERED and result.best is not None:
        qid = await log_question(t, text, result, shown=result.best.id)
        s.last_query, s.last_text = qid, text
        show_answer(t, result.best.id, text, result, qid)
        return
    if result.decision is Decision.SUGGEST:
        qid = await log_question(t, text, result, shown=None)
        s.last_query, s.last_text = qid, text
        if result.reason == "profile":  # who they are and what fits: a longer list and the ways to narrow it
            fitting, excluded = checks.sort_by_stated(t, text, [h.id for h in result.hits[:PROFILE_LIST]],
                                                      [h.id for h in result.hits[PROFILE_LIST:]], PROFILE_LIST)
            rows = [[t.button(answer_label(t, sid), choose_suggestion, qid, code_of(sid))] for sid in fitting]
            rows.append([t.button(texts.BTN_FINDER, checks.start_check, "finder")])
            rows.append([t.button(texts.NONE_OF_THESE, none_of_these, qid)])
            t.out.add(corrected(result) + esc(texts.PROFILE_HEADER) + "\n" + esc(texts.PROFILE_MORE)
                      + ("\n\n" + excluded if excluded else ""), rows)
            # Who they said they are still counts for the next question (职称几月评): see followups.in_context.
            s.context = Context(answer="", query=qid, text=text, at=t.a.clock())
            return
        shown = result.hits[: t.a.searcher.config.suggest_count]
        rows = [[t.button(answer_label(t, h.id), choose_suggestion, qid, code_of(h.id))] for h in shown]
        rows.append([t.button(texts.NONE_OF_THESE, none_of_these, qid)])
        t.out.add(corrected(result) + esc(texts.SUGGEST_HEADER), rows)
        # A follow-up before a choice (电话多少) is answered for the first suggestion, saying so.
        s.context = Context(answer="", query=qid, text=text, at=t.a.clock(), choices=tuple(h.id for h in shown))
        return
    qid = await log_question(t, text, result, shown=None)
    s.last_query, s.last_text = qid, text
    await inbox.enqueue_unanswered(t, text, result, qid)  # small talk and noise go to their own low queue
    if result.reason == "chitchat":
        t.out.add(esc(chitchat_reply(t, text)))
        return
    t.out.add(esc(decline_message(t.a.catalogue, result, t.a.switchboard)) + "\n" + esc(texts.NO_ANSWER_HANDOFF),
              [[t.button(texts.BTN_HANDOFF, start_handoff)], [t.button("/browse", browse.browse_root)]])


PROFILE_LIST = 5


def decline_message(catalogue: Catalogue, result: SearchResult, switchboard: str) -> str:
    """Return the text of a declined question's reply (plain): out of scope, another level's programme, or not found."""
    local = catalogue.service(result.best.id) if result.reason == "other_level" and result.best else None
    if local is not None:  # 国家科学技术进步奖: not ours; Tianjin's own award is, by name and phone
        return texts.OTHER_LEVEL.format(id=local.id, title=local.title, department=local.contact.department,
                                        phones="、".join(local.contact.phones), phone=switchboard)
    return (texts.OUT_OF_SCOPE if result.reason == "out_of_scope" else texts.NO_ANSWER).format(phone=switchboard)


def corrected(result: SearchResult | None) -> str:
    """Return the line that says how a mistyped question was read (已按“青托”理解), or ''."""
    if result is None or not result.corrections:
        return ""
    return esc(texts.CORRECTED.format(terms="”“".join(meant for _, meant in result.corrections))) + "\n"


def card_intents(result: SearchResult | None, leads: list[Lead]) -> tuple[str, ...]:
    """Return the card sections to lead with: when the entry's own sentences answered the question (资助多少钱,
    有年龄限制吗), the whole 申报条件 section is not repeated under them."""
    intents = result.intents if result else ()
    if any(lead.sentences for lead in leads):
        return tuple(i for i in intents if i != "conditions")
    return intents


def chitchat_reply(t: Turn, text: str) -> str:
    """Return the reply to small talk: thanks and goodbyes in kind, anything else the introduction."""
    q = normalise(text)
    lexicon = t.a.searcher.lexicon
    if any(w in q for w in lexicon.thanks):
        return texts.THANKS
    if any(w in q for w in lexicon.bye):
        return texts.BYE
    return texts.CHITCHAT.format(example=texts.EXAMPLES[0])


# -- cards ------------------------------------------------------------------------------------------

def answer_label(t: Turn, answer_id: str) -> str:
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


def feedback_row(t: Turn, query_id: str | None) -> list[list[Button]]:
    """Return the 👍/👎 row for an answer to a logged question."""
    if not query_id:
        return []
    return [[t.button(texts.BTN_UP, give_feedback, query_id, "up"),
             t.button(texts.BTN_DOWN, give_feedback, query_id, "down")]]


def card_buttons(t: Turn, s: Service, query_id: str | None, related: list[str] | None = None) -> list[list[Button]]:
    """Return the buttons under a service card."""
    rows = [[t.button(texts.BTN_CONDITIONS, show_section, s.id, "cond"),
             t.button(texts.BTN_APPLY, show_section, s.id, "apply")],
            [t.button(texts.BTN_CONTACT, show_section, s.id, "contact"),
             t.button(texts.BTN_FULL, show_section, s.id, "full")]]
    flow = t.a.flows_by_service.get(s.id)
    if flow is not None:
        rows.append([t.button(texts.BTN_CHECK, checks.start_check, flow.id)])
    for rid in (related or [])[:2]:
        other = t.a.catalogue.service(rid)
        if other is not None and other.id != s.id:
            rows.append([t.button(texts.BTN_RELATED.format(title=f"{other.id} {other.title}")[:60], show_card,
                                  other.id)])
    return rows + feedback_row(t, query_id)


def show_answer(t: Turn, answer_id: str, question: str, result: SearchResult | None, query_id: str | None) -> None:
    """Add the card for an answer id (service or appendix) to the replies, and remember it for follow-ups."""
    a, s = t.a, t.session
    service = a.catalogue.service(answer_id)
    s.context = Context(answer=answer_id, query=query_id, text=question, at=a.clock())
    note = corrected(result) if result and result.best and result.best.id == answer_id else ""
    if service is not None:
        related = [h.id for h in result.hits[1:4] if a.catalogue.service(h.id)] if result else []
        if not related:
            related = [x.id for x in a.catalogue.services if x.section == service.section and x.id != service.id]
        leads = followups.leads_for(t, service.id, question) if result and question else []
        t.out.add(note + render.service_card(service, card_intents(result, leads), leads),
                  card_buttons(t, service, query_id, related), about=service.id)
        return
    feedback = feedback_row(t, query_id)
    if answer_id == "societies":
        groups = a.catalogue.societies.by_discipline()
        disciplines = [[t.button(texts.BTN_DISCIPLINE.format(discipline=d, count=len(v)), browse.show_discipline, str(i))
                        for i, (d, v) in enumerate(groups.items())]]
        match = result.societies if result else a.searcher.societies.match(question)
        s.context = replace(s.context, detail="|".join(match.names))
        t.out.add(note + render.societies_card(a.catalogue, match), disciplines + feedback, about=answer_id)
    elif answer_id in ("tast", "cast"):
        key = result.best.key if result and result.best and result.best.id == answer_id else ""
        if not key and question:
            key = next(iter(a.searcher.best_documents(question, answer_id, 1)), "")
        leads = followups.leads_for(t, answer_id, question) if question else []
        t.out.add(note + render.organisation_card(a.catalogue, answer_id, key, leads), feedback, about=answer_id)
    else:
        keys = a.searcher.best_documents(question, answer_id, 2) if question else []
        numbers = [int(k.split(":")[1]) for k in keys if k.startswith("article:")] or [12, 13]
        contact = a.catalogue.service(a.catalogue.rules.contact_service)
        rows: list[list[Button]] = []
        if "enterprise_kx" in a.flows:
            rows.append([t.button(texts.BTN_CHECK, checks.start_check, "enterprise_kx")])
        s.context = replace(s.context, detail=",".join(map(str, numbers)))
        t.out.add(note + render.rules_card(a.catalogue, numbers, contact), rows + feedback, about=answer_id)


@routes.button("s", ANSWER)
async def show_card(t: Turn, code: str) -> None:
    """Open the card of a service or appendix answer."""
    t.session.last_query = None
    show_answer(t, answer_of(code), "", None, None)


@routes.button("sec", SERVICE, choice("cond", "apply", "contact", "full"))
async def show_section(t: Turn, service_id: str, which: str) -> None:
    """Show one part of a service in full."""
    s = t.a.catalogue.by_id[service_id]
    t.session.context = Context(answer=s.id, at=t.a.clock())
    if which == "contact":
        t.out.add("\n".join([render.title_line(s), ""] + render.contact_lines(s.contact)))
    else:
        t.out.add(render.service_section(s, which))


@routes.button("sg", ROW, ANSWER)
async def choose_suggestion(t: Turn, query_id: str, code: str) -> None:
    """Show the suggestion the user picked, and record that the question ended there."""
    answer_id = answer_of(code)
    question, _ = await logged_question(t, query_id)
    if t.a.catalogue.service(answer_id):
        await t.a.storage.set_shown(query_id, answer_id)
    result = t.a.searcher.search(question) if question else None
    show_answer(t, answer_id, question, result, query_id)


async def logged_question(t: Turn, query_id: str) -> tuple[str, list[str]]:
    """Return the text and top guesses of a logged question of this user (the session's copy while it waits)."""
    q = await t.a.storage.query(query_id)
    if q is not None and q.user_key != t.key:
        return "", []
    text = (q.text if q else None) or (t.session.last_text if t.session.last_query == query_id else "")
    return text or "", [h for h, _ in q.hits][:3] if q else []


async def _own_query(t: Turn, query_id: str) -> bool:
    """Return True when the query was asked by the presser (or is their own question still being written)."""
    q = await t.a.storage.query(query_id)
    if q is None:
        return t.session.last_query == query_id
    return q.user_key == t.key


async def record_feedback(t: Turn, query_id: str, kind: str) -> bool:
    """Record feedback once per user and question; 👎 and 都不是 also queue the question for staff.

    Return False when this feedback was already given (or the question is not the presser's).
    """
    storage = t.a.storage
    if not await _own_query(t, query_id) or await storage.feedback_exists(query_id, t.key, kind):
        return False
    await storage.add_feedback(query_id, t.key, kind)
    if kind != "up":
        text, guesses = await logged_question(t, query_id)
        if text:
            await inbox.enqueue_feedback(t, query_id, kind, text, guesses)
    return True


@routes.button("fb", ROW, choice("up", "down"))
async def give_feedback(t: Turn, query_id: str, kind: str) -> None:
    """Record 👍 or 👎 on an answer."""
    if not await record_feedback(t, query_id, kind):
        t.out.add("", notice=texts.FEEDBACK_AGAIN)
    elif kind == "up":
        t.out.add("", notice=texts.FEEDBACK_UP)
    else:
        t.out.add(esc(texts.FEEDBACK_DOWN), [[t.button(texts.BTN_HANDOFF, start_handoff)]],
                  notice=texts.FEEDBACK_AGAIN)


@routes.button("ng", ROW)
async def none_of_these(t: Turn, query_id: str) -> None:
    """None of the suggestions fits: queue the question for staff and offer the ways on."""
    if not await record_feedback(t, query_id, "none"):
        t.out.add("", notice=texts.FEEDBACK_AGAIN)
        return
    t.out.add(esc(texts.NONE_OF_THESE_DONE) + "\n" + esc(texts.NO_ANSWER.format(phone=t.a.switchboard)),
              [[t.button(texts.BTN_HANDOFF, start_handoff)], [t.button("/browse", browse.browse_root)]], edit=True)


# -- hand-off to staff ------------------------------------------------------------------------------

@routes.button("ho")
async def start_handoff(t: Turn) -> None:
    """Wait for a message to staff, in this chat."""
    t.session.pending = Pending("ticket", str(t.sender.chat_id))
    t.out.add(esc(texts.HANDOFF_PROMPT), [[t.button(texts.BTN_CANCEL_INPUT, cancel)]])


@routes.awaiting("ticket")
async def leave_message(t: Turn, text: str, chat_ref: str) -> None:
    """Turn the awaited message into a ticket whose answer goes back to the chat it was started in."""
    if chat_ref and chat_ref != str(t.sender.chat_id):
        t.session.pending = Pending("ticket", chat_ref)  # started in another chat: keep waiting there
        await on_text_without_pending(t, text)
        return
    await t.a.storage.open_ticket(t.key, t.sender.chat_id, text[:MAX_TEXT])  # staff see it in 留言 only
    t.out.add(esc(texts.HANDOFF_DONE.format(phone=t.a.switchboard)))


async def on_text_without_pending(t: Turn, text: str) -> None:
    """Answer text as a question even though input is awaited elsewhere."""
    pending, t.session.pending = t.session.pending, None
    await on_text(t, text)
    if t.session.pending is None:
        t.session.pending = pending


@routes.button("x")
async def cancel(t: Turn) -> None:
    """Leave a running check or awaited input."""
    await cancel_anything(t)


async def cancel_anything(t: Turn) -> None:
    """Leave a running check or awaited input, saying which."""
    s = t.session
    if s.check is not None:
        await t.a.storage.log_flow_event(t.key, s.check.state.flow, "cancel")
        s.check = None
        t.out.add(esc(texts.CHECK_CANCELLED))
    elif s.pending is not None:
        s.pending = None
        t.out.add(esc(texts.PENDING_CANCELLED))
    else:
        t.out.add(esc(texts.CHECK_NOTHING))


# -- commands -----------------------------------------------------------------------------------------

@routes.command("start", menu="开始使用", order=1)
async def start(t: Turn, args: str) -> None:
    """Welcome, or open a service from a deep link (/start s13)."""
    m = re.fullmatch(r"s(\d{1,2})", args)
    if m and t.a.catalogue.service(f"{int(m.group(1)):02d}"):
        show_answer(t, f"{int(m.group(1)):02d}", "", None, None)
        return
    bests = [(q, t.a.searcher.search(q).best) for q in texts.EXAMPLES]
    rows = [[t.button(q, show_card, code_of(best.id))] for q, best in bests if best is not None]
    html = texts.WELCOME.format(count=len(t.a.catalogue.services))
    html += "\n" + "\n".join(f"• {esc(q)}" for q in texts.EXAMPLES)
    hot = await hot_rows(t)
    if hot:
        html += esc(texts.HOT_HEADER)
        rows += hot
    rows.append([t.button(texts.BTN_FINDER, checks.start_check, "finder")])
    t.out.add(html, rows)


@routes.command("help", menu="使用说明", order=2)
async def help_(t: Turn, args: str) -> None:
    """Explain what the assistant does and how to use it."""
    html = texts.HELP.format(example=esc(texts.EXAMPLES[0]))
    if t.a._staff_here(t.sender):
        html += texts.STAFF_HELP
    t.out.add(html)


@routes.command("hot", menu="热点问题", order=6)
async def hot(t: Turn, args: str) -> None:
    """List the services most people looked at recently."""
    rows = await hot_rows(t, always=True)
    if not rows:
        t.out.add(esc(texts.HOT_EMPTY))
        return
    t.out.add(esc(texts.HOT_HEADER_FULL.format(days=t.a.settings.bot_hot_days)), rows)


async def hot_rows(t: Turn, always: bool = False) -> list[list[Button]]:
    """Return buttons for the most-viewed services (on /start only once enough people asked)."""
    stats = await t.a.storage.hot_services(t.a.settings.bot_hot_days, 5)
    if not always and sum(c for _, c in stats) < t.a.settings.bot_hot_min_questions:
        return []
    return [[t.button(f"{sid} {t.a.catalogue.by_id[sid].title}"[:60], show_card, sid)]
            for sid, _ in stats if sid in t.a.catalogue.by_id]


@routes.command("cancel", menu="退出自查或留言", order=7)
async def cancel_command(t: Turn, args: str) -> None:
    """Leave a running check or awaited input."""
    await cancel_anything(t)
