"""Answers to typed questions: the search's decision (answer, suggestions, decline), small talk, the cards'
buttons (sections, picked suggestions, 👍/👎/都不是) and the welcome, help and hot-topic commands."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from retrieval.decide import Decision
from retrieval.outcome import Intent, Reason
from retrieval.search import MAX_CORRECTED, SearchResult
from retrieval.text import normalise

from . import followups, record, render, stated, texts, views
from .core import Exchange
from .render import esc
from .replies import Button
from .routes import ANSWER, ROW, SERVICE, answer_of, choice, code_of, routes
from .session import Context

log = logging.getLogger(__name__)


async def respond(t: Exchange, text: str, quiet: bool = False) -> bool:
    """Answer a question (a follow-up about something shown, or a search); return False if nothing fit.

    `quiet` (a question typed during a check): a question nothing fits adds no reply, so that the check
    can ask its own question again instead.
    """
    searcher = t.a.searcher
    result = searcher.search(text)
    outcome = await followups.follow_up(t, text, result)
    if outcome is not None and outcome.target is not None:
        return True
    if result.decision is Decision.UNANSWERED and result.intent in (Intent.QUESTION, Intent.SMALLTALK) \
            and followups.fresh_context(t) is not None:
        # 电化 after a card: a mistyped follow-up, read as the corrector reads it (已按“电话”理解). A word
        # nothing knows looks like small talk to the intent model, so small talk is read again too — and
        # taken only when the rewrite is a question.
        for rewrite in searcher.corrector.rewrites(normalise(text)[:MAX_CORRECTED]):
            again = replace(searcher.search(rewrite.text), question=text, corrections=rewrite.changes)
            if again.intent is not Intent.QUESTION:
                continue
            turned = await followups.follow_up(t, rewrite.text, again)
            if turned is not None and turned.target is not None:
                return True
    if outcome is not None and outcome.rejected:
        result = searcher.excluding(result, outcome.rejected)  # 不是这个，…: never the answer just rejected
    if quiet and result.decision is Decision.UNANSWERED and not _policy_shown(result):
        return False
    await answer(t, text, result)
    return True


def _policy_shown(result: SearchResult) -> bool:
    """Return True when the policy documents answer (or likely answer) the question."""
    return result.policy is not None and result.policy.decision is not Decision.UNANSWERED


async def answer(t: Exchange, text: str, result: SearchResult) -> None:
    """Reply to a searched question by its typed outcome: a card, a guess, a list, a passage, or a decline."""
    s = t.session
    if result.decision is Decision.ANSWERED and result.best is not None:
        qid = await record.log_question(t, text, result, shown=result.best.id)
        s.last_query, s.last_text = qid, text
        views.show_answer(t, result.best.id, text, result, qid)
        if result.policy is not None and result.policy.decision is Decision.ANSWERED:
            # Asked about both: the document's passage too — follow-ups stay with the card, the main answer.
            policy_answer(t, text, result, qid, remember=False)
        return
    qid = ""
    if _policy_shown(result) and not (result.decision is Decision.SUGGEST and result.reason is Reason.PROFILE):
        qid = await record.log_question(t, text, result, shown=None)
        s.last_query, s.last_text = qid, text
        policy_answer(t, text, result, qid)
        if result.decision is not Decision.SUGGEST:
            return
        # The services that may answer it are offered too: the passage may be what was asked, or they may.
    if result.decision is Decision.SUGGEST:
        if not qid:
            qid = await record.log_question(t, text, result, shown=None)
            s.last_query, s.last_text = qid, text
        if result.reason is Reason.PROFILE:
            profile_list(t, text, result, qid)
        elif result.reason is Reason.GUESS:
            guess(t, text, result, qid)
        else:
            choices(t, text, result, qid)
        return
    qid = await record.log_question(t, text, result, shown=None)
    s.last_query, s.last_text = qid, text
    await record.enqueue_unanswered(t, text, result, qid)  # small talk and noise go to their own low queue
    if result.reason is Reason.SMALLTALK:
        t.out.add(esc(chitchat_reply(t, text)))
        return
    if result.reason is Reason.HUMAN:
        t.out.add(esc(texts.HUMAN_REPLY.format(phone=t.a.switchboard)), [[t.button(texts.BTN_HANDOFF, "ho")]])
        return
    nearest = result.policy.best if result.policy is not None else None
    if nearest is not None and result.policy is not None and t.a.searcher.policy_near(result.policy):
        # A figure the documents do not print: say so, with the nearest passage.
        t.out.add(esc(texts.POLICY_NOT_STATED.format(citation=nearest.passage.citation, phone=t.a.switchboard)),
                  [[t.button(texts.BTN_HANDOFF, "ho")]])
        policy_answer(t, text, result, qid, quote_only=True)
        return
    t.out.add(esc(views.decline_message(t.a.catalogue, result, t.a.switchboard)) + "\n" + esc(texts.NO_ANSWER_HANDOFF),
              [[t.button(texts.BTN_HANDOFF, "ho")], [t.button("/browse", "br")]])


def profile_list(t: Exchange, text: str, result: SearchResult, qid: str) -> None:
    """Who they are and what fits: a short list, what their stated age or gender rules out, the ways to narrow."""
    fitting, excluded = stated.sort_by_stated(t, text, [h.id for h in result.hits[:PROFILE_LIST]],
                                              [h.id for h in result.hits[PROFILE_LIST:]], PROFILE_LIST)
    rows = [[t.button(views.answer_label(t, sid), "sg", qid, code_of(sid))] for sid in fitting]
    rows.append([t.button(texts.BTN_FINDER, "k", "finder")])
    rows.append([t.button(texts.NONE_OF_THESE, "ng", qid)])
    # The list first, then what was left out of it (the note says "above").
    t.out.add(views.corrected(result) + esc(texts.PROFILE_HEADER) + "\n" + esc(texts.PROFILE_MORE), rows)
    if excluded:
        t.out.add(excluded)
    # A turn that adds a need (主要想要资金支持的) narrows this list: see bot/chat/followups.py.
    t.session.remember(Context(answer="", query=qid, text=text, at=t.a.clock(), choices=tuple(fitting)))


def choices(t: Exchange, text: str, result: SearchResult, qid: str) -> None:
    """Not sure enough for a guess: the candidates to choose from, and 都不是."""
    shown = result.hits[: t.a.searcher.config.suggest_count]
    rows = [[t.button(views.answer_label(t, h.id), "sg", qid, code_of(h.id))] for h in shown]
    rows.append([t.button(texts.NONE_OF_THESE, "ng", qid)])
    t.out.add(views.corrected(result) + esc(texts.SUGGEST_HEADER), rows)
    # A follow-up before a choice (电话多少) is about the first of them, saying so.
    t.session.remember(Context(answer="", query=qid, text=text, at=t.a.clock(), choices=tuple(h.id for h in shown)))


def guess(t: Exchange, text: str, result: SearchResult, qid: str) -> None:
    """The model is fairly sure but not sure enough: the best card marked as a guess, the others as buttons."""
    assert result.best is not None
    best = result.best.id
    others = [h for h in result.hits[1: t.a.searcher.config.suggest_count] if h.id != best]
    t.out.add(esc(texts.GUESS_HEADER))
    views.show_answer(t, best, text, result, qid)
    rows = [[t.button(views.answer_label(t, h.id), "sg", qid, code_of(h.id))] for h in others]
    rows.append([t.button(texts.NONE_OF_THESE, "ng", qid)])
    t.out.add(esc(texts.GUESS_OTHERS), rows)
    # A follow-up before a choice (电话多少) is about the card shown; the others stay choices.
    ctx = t.session.context
    if ctx is not None:
        t.session.context = replace(ctx, choices=(best, *(h.id for h in others)))


def policy_answer(t: Exchange, text: str, result: SearchResult, qid: str, quote_only: bool = False,
                  remember: bool = True) -> None:
    """Quote the policy passage that answers, with its citation, and the catalogue services that carry it out
    (`remember`: follow-ups are about it)."""
    pol = result.policy
    if pol is None or pol.best is None:
        return
    hit = pol.best
    document = next(d for d in t.a.searcher.parts.policy.documents if d.id == hit.document)  # type: ignore[union-attr]
    header = "" if quote_only or pol.decision is Decision.ANSWERED else esc(texts.POLICY_GUESS) + "\n"
    rows = [[t.button(texts.POLICY_SERVICE.format(id=sid, title=t.a.catalogue.by_id[sid].title)[:60], "s", sid)]
            for sid in hit.passage.services if sid in t.a.catalogue.by_id][:3]
    others = [h for h in pol.hits[1:3]] if pol.decision is not Decision.ANSWERED and not quote_only else []
    rows += [[t.button(h.passage.citation[:60], "pp", h.key)] for h in others]
    t.out.add(header + render.policy_card(hit.passage, document, "" if quote_only else hit.lead_sentence),
              rows + views.feedback_row(t, qid), about=hit.key)
    if remember:
        t.session.remember(Context(answer=hit.key, query=qid, text=text, at=t.a.clock()))


PROFILE_LIST = 5


def chitchat_reply(t: Exchange, text: str) -> str:
    """Return the reply to small talk: thanks and goodbyes in kind, anything else the introduction."""
    q = normalise(text)
    lexicon = t.a.searcher.lexicon
    if any(w in q for w in lexicon.thanks):
        return texts.THANKS
    if any(w in q for w in lexicon.bye):
        return texts.BYE
    return texts.CHITCHAT.format(example=texts.EXAMPLES[0])


@routes.button("s", ANSWER)
async def show_card(t: Exchange, code: str) -> None:
    """Open the card of a service or appendix answer."""
    t.session.last_query = None
    views.show_answer(t, answer_of(code), "", None, None)


@routes.button("sec", SERVICE, choice("cond", "apply", "contact", "full"))
async def show_section(t: Exchange, service_id: str, which: str) -> None:
    """Show one part of a service in full."""
    s = t.a.catalogue.by_id[service_id]
    t.session.remember(Context(answer=s.id, at=t.a.clock()))
    if which == "contact":
        t.out.add("\n".join([render.title_line(s), ""] + render.contact_lines(s.contact)))
    else:
        t.out.add(render.service_section(s, which))


@routes.button("sg", ROW, ANSWER)
async def choose_suggestion(t: Exchange, query_id: str, code: str) -> None:
    """Show the suggestion the user picked, and record that the question ended there."""
    answer_id = answer_of(code)
    if await record.asked_by_another(t, query_id):  # its asker's choice (and the statistics) are theirs
        t.out.add("", notice=texts.NOT_YOUR_QUESTION)
        return
    question, _ = await record.logged_question(t, query_id)
    await t.a.storage.queries.set_shown(query_id, answer_id)  # picked: not abandoned (an appendix answer too)
    result = t.a.searcher.search(question) if question else None
    views.show_answer(t, answer_id, question, result, query_id)


@routes.button("fb", ROW, choice("up", "down"))
async def give_feedback(t: Exchange, query_id: str, kind: str) -> None:
    """Record 👍 or 👎 on an answer."""
    if not await record.record_feedback(t, query_id, kind):
        t.out.add("", notice=texts.FEEDBACK_AGAIN)
    elif kind == "up":
        t.out.add("", notice=texts.FEEDBACK_UP)
    else:
        t.out.add(esc(texts.FEEDBACK_DOWN), [[t.button(texts.BTN_HANDOFF, "ho")]],
                  notice=texts.FEEDBACK_AGAIN)


@routes.button("ng", ROW)
async def none_of_these(t: Exchange, query_id: str) -> None:
    """None of the suggestions fits: queue the question for staff and offer the ways on."""
    if not await record.record_feedback(t, query_id, "none"):
        t.out.add("", notice=texts.FEEDBACK_AGAIN)
        return
    t.out.add(esc(texts.NONE_OF_THESE_DONE) + "\n" + esc(texts.NO_ANSWER.format(phone=t.a.switchboard)),
              [[t.button(texts.BTN_HANDOFF, "ho")], [t.button("/browse", "br")]], edit=True)


@routes.command("start", menu="开始使用", order=1)
async def start(t: Exchange, args: str) -> None:
    """Welcome, or open a service from a deep link (/start s13)."""
    m = re.fullmatch(r"s(\d{1,2})", args)
    if m and t.a.catalogue.service(f"{int(m.group(1)):02d}"):
        views.show_answer(t, f"{int(m.group(1)):02d}", "", None, None)
        return
    bests = [(q, t.a.searcher.search(q).best) for q in texts.EXAMPLES]
    rows = [[t.button(q, "s", code_of(best.id))] for q, best in bests if best is not None]
    html = texts.WELCOME.format(count=len(t.a.catalogue.services))  # the examples are the buttons below
    hot = await hot_rows(t)
    if hot:
        html += esc(texts.HOT_HEADER)
        rows += hot
    rows.append([t.button(texts.BTN_FINDER, "k", "finder")])
    t.out.add(html, rows)


@routes.command("help", menu="使用说明", order=2)
async def help_(t: Exchange, args: str) -> None:
    """Explain what the assistant does and how to use it."""
    html = texts.HELP.format(example=esc(texts.EXAMPLES[0]))
    if t.a.staff_here(t.sender):
        html += texts.STAFF_HELP
    t.out.add(html)


@routes.command("hot", menu="热点问题", order=6)
async def hot(t: Exchange, args: str) -> None:
    """List the services most people looked at recently."""
    rows = await hot_rows(t, always=True)
    if not rows:
        t.out.add(esc(texts.HOT_EMPTY))
        return
    t.out.add(esc(texts.HOT_HEADER_FULL.format(days=t.a.settings.bot_hot_days)), rows)


async def hot_rows(t: Exchange, always: bool = False) -> list[list[Button]]:
    """Return buttons for the most-viewed services (on /start only once enough people asked)."""
    stats = await t.a.storage.stats.hot_services(t.a.settings.bot_hot_days, 5)
    if not always and sum(c for _, c in stats) < t.a.settings.bot_hot_min_questions:
        return []
    return [[t.button(f"{sid} {t.a.catalogue.by_id[sid].title}"[:60], "s", sid)]
            for sid, _ in stats if sid in t.a.catalogue.by_id]
