"""Follow-ups: a turn about something the chat showed, answered as retrieval's turn model reads it.

The session keeps the answer just shown and a few before it (bot/chat/session.py); retrieval/dialogue.py
says what a turn refers to — an answer shown (newest or earlier), one choice of a list, the answer beside
another, more like it, the same programme at the other level, the same question about something else — or
that it is a question of its own. This module draws the reply for each; it decides nothing itself.
"""

from __future__ import annotations

from dataclasses import replace

from retrieval.decide import Decision
from retrieval.dialogue import Relation, Shown, Target, TurnOutcome
from retrieval.followup import related_services
from retrieval.search import SearchResult
from retrieval.societies import SocietyMatch

from . import browse, record, render, stated, texts, views
from .core import Exchange
from .leads import leads_for
from .render import esc
from .routes import code_of
from .session import Context

# A context older than this is not referred to any more (how relevant it still is, the turn model decides).
FOLLOWUP_SECONDS = 30 * 60


def fresh_context(t: Exchange) -> Context | None:
    """Return the last answer when a follow-up may still refer to it."""
    ctx = t.session.context
    if ctx is None or not ctx.at or t.a.clock() - ctx.at > FOLLOWUP_SECONDS:
        return None
    return ctx


def state_of(t: Exchange, text: str) -> list[Shown]:
    """Return what the chat showed, newest first, as the turn model reads it. A list is kept without the choices
    that what the turn states about the asker rules out (我36了 哪个适合我: not the programme up to 35)."""
    now = t.a.clock()
    out: list[Shown] = []
    for ctx in (t.session.context, *t.session.history):
        if ctx is None or not ctx.at or now - ctx.at > FOLLOWUP_SECONDS or not (ctx.answer or ctx.choices):
            continue
        choices = ctx.choices
        if len(choices) > 1:
            fitting, _ = stated.sort_by_stated(t, text, list(choices), [], len(choices))
            choices = tuple(fitting) or choices
        shown = Shown(answer=ctx.answer, choices=choices if not ctx.answer else (), question=ctx.text)
        same = next((i for i, o in enumerate(out) if (o.answer, o.choices) == (shown.answer, shown.choices)), None)
        if same is None:
            out.append(shown)
        elif not out[same].question:
            # One answer shown twice in a row (its card, then a button of it) is one thing shown, with the
            # question it was found for: the turn model reads each thing shown once.
            out[same] = replace(out[same], question=shown.question)
    return out


async def follow_up(t: Exchange, text: str, result: SearchResult) -> TurnOutcome | None:
    """Answer a turn that refers to something shown; return None when it is a question of its own (the outcome,
    when the turn rejected what was shown, so that the search leaves that answer out)."""
    state = state_of(t, text)
    if not state:
        return None
    if "/" in state[0].answer:
        # A passage of a policy document: follow-ups stay in that document (the turn model knows catalogue
        # answers only).
        return TurnOutcome(Target(Relation.ABOUT, state[0].answer), (), result) \
            if await _policy_follow_up(t, text, result, state[0].answer) else None
    outcome = t.a.searcher.dialogue.relate(text, state, result)
    if outcome.rejected:
        # 不是这个，我说的是…: the rejected answer is recorded for staff like 都不是.
        ctx = t.session.context
        if ctx is not None and ctx.query:
            await record.record_feedback(t, ctx.query, "none")
    target = outcome.target
    if target is None:
        return outcome
    if target.relation in (Relation.ABOUT, Relation.NARROW):
        listed = next((sh.choices for sh in state if sh.choices and not sh.answer), ())
        others = [c for c in listed if c != target.answer] if outcome.unpicked else []
        await _about(t, text, result, target.answer, picked=target.relation is Relation.NARROW, others=others)
    elif target.relation is Relation.COMPARE:
        await _compare(t, text, result, target.answer, target.other)
    elif target.relation is Relation.RELATED:
        await _related(t, text, result, target.answer)
    elif target.relation is Relation.COUNTERPART:
        await _counterpart(t, text, result, target.answer)
    elif not await _sibling(t, text, result, target.answer):
        await _about(t, text, result, target.answer)
    return outcome


def _asked_before(t: Exchange, text: str, result: SearchResult) -> str:
    """Return the turn read with the one before when it asks nothing itself (跟PLUS培育计划比呢 after 年龄)."""
    previous = t.session.last_text
    return f"{previous}，{text}" if previous and not result.asks else text


async def _about(t: Exchange, text: str, result: SearchResult, answer: str, picked: bool = False,
                 others: list[str] | None = None) -> None:
    """Answer the turn about one answer shown (or picked from a list): its card, leading with what was asked
    (`others`: the list's other choices, when the turn picked none of it and the first answers it)."""
    a = t.a
    qid = await record.log_question(t, text, result, shown=answer if answer in a.catalogue.by_id else None,
                                    decision="answered", reason="followup")
    question = _asked_before(t, text, result) if a.searcher.parts.followup.is_sibling(text) else text
    t.session.last_query, t.session.last_text = qid, text
    service = a.catalogue.service(answer)
    ctx = t.session.context
    if service is None:
        # About the societies: the field or society the turn names (医学类的有哪些), else the list shown.
        if answer == "societies" and await _sibling(t, text, result, answer):
            return
        if answer == "societies" and ctx is not None and ctx.answer == "societies":
            match = SocietyMatch(tuple(n for n in ctx.detail.split("|") if n))
            t.out.add(render.societies_card(a.catalogue, match), views.feedback_row(t, qid), about="societies")
            t.session.context = replace(ctx, at=a.clock())
            return
        views.show_answer(t, answer, question if result.content else (ctx.text if ctx else text), None, qid)
        return
    leads = leads_for(t, service.id, question, follow_up=bool(result.content) or bool(result.asks))
    if any(not lead.sentences for lead in leads):
        # Asked about it, and the entry does not say: staff see it among what the assistant could not answer.
        await record.enqueue_unanswered(t, text, result, qid)
    hint = views.corrected(result) + esc((texts.FOLLOWUP_FIRST_CHOICE if others else texts.FOLLOWUP_HINT)
                                         .format(title=service.title))
    t.out.add(hint + "\n" + render.service_card(service, views.card_intents(result, leads), leads)
              + views.english_line(t, service.id, result),
              views.card_buttons(t, service, qid, choices=others), about=service.id)
    if picked or ctx is None or ctx.answer != service.id:
        t.session.remember(Context(answer=service.id, query=qid, text=text, at=a.clock()))
    else:
        t.session.context = replace(ctx, at=a.clock(), turns=ctx.turns + 1)


async def _compare(t: Exchange, text: str, result: SearchResult, first: str, second: str) -> None:
    """Set two answers side by side on what was asked, each quoted from its entry with its phone."""
    a = t.a
    question = _asked_before(t, text, result)
    qid = await record.log_question(t, text, result, shown=first if first in a.catalogue.by_id else None,
                                    decision="answered", reason="followup")
    t.session.last_query, t.session.last_text = qid, text
    parts = []
    for answer in (first, second):
        service = a.catalogue.service(answer)
        if service is None:
            parts.append(esc(views.answer_label(t, answer)))
            continue
        parts.append(render.compare_block(service, leads_for(t, service.id, question)))
    rows = [[t.button(views.answer_label(t, x), "s", code_of(x))] for x in (first, second)]
    t.out.add(esc(texts.COMPARE_HEADER) + "\n\n" + "\n\n".join(parts), rows + views.feedback_row(t, qid),
              about=first)
    # A turn after a comparison (我36了 哪个能报) chooses between the two.
    t.session.remember(Context(answer="", query=qid, text=question, at=a.clock(), choices=(first, second)))


async def _counterpart(t: Exchange, text: str, result: SearchResult, other: str) -> None:
    """The same programme at the other level (全国的那个呢), asked what the turn before asked when it asks nothing."""
    a = t.a
    ctx = t.session.context
    previous = a.catalogue.service(ctx.answer) if ctx is not None else None
    qid = await record.log_question(t, text, result, shown=other, decision="answered", reason="followup")
    question = _asked_before(t, a.searcher.parts.followup.strip_marks(text), result)
    if previous is not None and not result.asks and t.session.last_text:
        # The same question of the other programme: what answered it there says what to look for here (全国总决赛
        # 设置…3个规定环节 → 天津赛区比赛设置…两个环节).
        leads = leads_for(t, previous.id, t.session.last_text)
        answered = [s for lead in leads for s in lead.sentences]
        # A question that only named the other programme asked nothing to carry over: the turn is the question.
        question = "，".join([question, *answered]) if leads else a.searcher.parts.followup.strip_marks(text)
    t.session.last_query, t.session.last_text = qid, text
    now = a.catalogue.by_id[other]
    if previous is not None:
        t.out.add(esc(texts.COUNTERPART_HINT.format(previous=previous.title, title=now.title)))
    views.show_answer(t, other, question, result, qid)


async def _related(t: Exchange, text: str, result: SearchResult, answer: str) -> None:
    """More like the answer shown — of the topic the turn names, if it names one."""
    a = t.a
    ctx = t.session.context
    qid = await record.log_question(t, text, result, shown=None, decision="suggest", reason="related")
    service = a.catalogue.service(answer)
    if service is None:  # an appendix answer: its own list
        await browse.browse_appendix(t)
        return
    marks = a.searcher.parts.followup.related
    # A topic word names what more is wanted: rare in Chinese, or an everyday word (培训, 比赛) that only a
    # few catalogue texts use — not 服务 or 活动, which nearly every entry has.
    rare = max(len(a.searcher.index.docs) // 20, 1)
    words = dict.fromkeys(w for w in result.tokens if w not in a.searcher.lexicon.function_chars)
    topic = [w for w in words if not any(w in m or m in w for m in marks)
             and (not a.searcher.tokenizer.is_common(w, 10.0) or 0 < a.searcher.index.doc_freq(w) <= rare)]
    shown = set(ctx.related) if ctx is not None else set()
    if topic:  # 还有别的跟院士有关的吗: more about that, not just more like the last answer
        # (the topic alone may be too little to search — 对接 — and then the whole turn's ranking is used)
        hits = a.searcher.search("".join(topic)).hits or result.hits
        others = [s for h in hits for s in [a.catalogue.service(h.id)] if s is not None and s.id != service.id][:4]
    else:
        others = related_services(a.catalogue, service, a.searcher.similar(service.id, 8), shown)
    if not others:
        t.out.add(esc(texts.RELATED_NONE.format(title=service.title)), [[t.button("/browse", "br")]])
        return
    rows = [[t.button(f"{o.id} {o.title}"[:60], "sg", qid, o.id)] for o in others]
    t.out.add(esc(texts.RELATED_HEADER.format(title=service.title)), rows)
    if ctx is not None:
        t.session.context = replace(ctx, related=ctx.related + tuple(o.id for o in others), turns=ctx.turns + 1,
                                    at=a.clock())


async def _policy_follow_up(t: Exchange, text: str, result: SearchResult, key: str) -> bool:
    """After a policy passage: more of its document (还有别的措施吗), the same passage asked again (牵头单位是谁,
    到哪年 — a turn with no words of its own), or the passage of that document that answers; False otherwise."""
    a = t.a
    search = a.searcher.parts.policy
    document, passage = a.passage(key)
    model = a.searcher.parts.decision.policy if a.searcher.parts.decision is not None else None
    if search is None or document is None or passage is None or model is None:
        return False
    marks = a.searcher.parts.followup.related
    if any(m in text for m in marks) and len(result.content) <= 2:
        qid = await record.log_question(t, text, result, shown=None, decision="suggest", reason="related")
        rows = [[t.button(f"{''.join(p.path)}{p.label} {p.heading or p.text[:24]}".strip()[:60], "pp",
                          f"{document.id}/{p.id}")] for p in document.passages if p.id != passage.id][:8]
        t.out.add(esc(texts.POLICY_MORE), rows + views.feedback_row(t, qid))
        return True
    target = passage
    if result.content and result.decision is Decision.UNANSWERED:
        analysis = a.searcher.scored(a.searcher.analyse(text))
        found = search.decide(text, a.searcher.policy_candidates(text, analysis), model)
        same = [h for h in found.hits if h.document == document.id and h.p >= model.thresholds.suggest]
        if not same:
            return False
        target = same[0].passage
    elif result.content:
        return False  # words of its own that the catalogue answers: a question of its own
    qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
    t.session.last_query, t.session.last_text = qid, text
    t.out.add(render.policy_card(target, document, search.lead_sentence(target, text)), views.feedback_row(t, qid),
              about=f"{document.id}/{target.id}")
    t.session.remember(Context(answer=f"{document.id}/{target.id}", query=qid, text=text, at=a.clock()))
    return True


async def _sibling(t: Exchange, text: str, result: SearchResult, answer: str) -> bool:
    """那激光方面的呢 after a society: a society of that field; after an article: the article on that."""
    a = t.a
    ctx = t.session.context
    if answer == "societies":
        match = a.searcher.societies.match(text + a.searcher.societies.cues[0])
        if not match.found:
            return False
        qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
        t.out.add(render.societies_card(a.catalogue, match), views.feedback_row(t, qid), about="societies")
        if ctx is not None:
            t.session.context = replace(ctx, detail="|".join(match.names), turns=ctx.turns + 1, at=a.clock())
        return True
    qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
    views.show_answer(t, answer, (ctx.text + " " if ctx is not None else "") + text, None, qid)
    return True
