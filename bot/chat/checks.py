"""Eligibility checks and the service finder inside the conversation (their state lives in the session).

A check runs one flow of conversations/flows/ with conversations.engine; this module asks its questions,
reads typed and pressed answers, answers questions typed mid-check (then offers to resume), and gives the
verdict quoting the catalogue.
"""

from __future__ import annotations

import re

from conversations import engine
from conversations.answers import looks_like_answer
from conversations.engine import Ask, State, Verdict
from conversations.finder import find
from conversations.model import Flow, number_span, rule_compares
from conversations.rules import age_span
from retrieval.decide import Decision
from retrieval.model import Service
from retrieval.text import compact

from . import answers, render, texts, views
from .core import Exchange
from .render import esc
from .routes import FLOW, NAME, TAG, VALUE, routes
from .session import Check, Context, Pending

_BACK_WORDS = ("上一步", "上一题", "返回", "back")


_CANCEL_WORDS = ("取消", "退出", "退出自查", "结束", "cancel")


@routes.command("check", menu="资格自查", order=4)
async def check_command(t: Exchange, args: str) -> None:
    """/check lists the checks; /check 13 starts the check of service 13."""
    a = t.a
    if not args:
        rows = [[t.button(f"{f.service} {a.catalogue.by_id[f.service].title}"[:60], "k", f.id)]
                for f in sorted(a.flows.values(), key=lambda f: (f.service, f.id))]
        rows.append([t.button(texts.BTN_FINDER, "k", "finder")])
        t.out.add(esc(texts.CHECK_LIST), rows)
        t.session.pending = Pending("check")  # a service's number or name may be typed instead
        return
    service = _named_service(t, args)
    if service is None:
        t.out.add(esc(texts.CHECK_NOT_FOUND.format(arg=args[:20])))
        return
    flow = a.flows_by_service.get(service.id)
    if flow is None:
        t.out.add(esc(texts.CHECK_UNKNOWN.format(service=service.id)))
        views.show_answer(t, service.id, "", None, None)
        return
    await begin(t, flow)


def _named_service(t: Exchange, args: str) -> Service | None:
    """Return the service /check names: by number (/check 13) or by name (/check 青托)."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*", args)
    if m:
        return t.a.catalogue.service(f"{int(m.group(1)):02d}")
    result = t.a.searcher.search(args)
    if result.decision is Decision.UNANSWERED or result.best is None:
        return None
    checkable = [h for h in result.hits[:3] if h.id in t.a.flows_by_service]
    best = checkable[0] if checkable and (checkable[0] is result.best or result.best.id not in t.a.catalogue.by_id) \
        else result.best
    return t.a.catalogue.service(best.id)


@routes.awaiting("check")
async def pick_check(t: Exchange, text: str, ref: str) -> None:
    """After /check's list: a typed number is /check with it, a service's own name starts its check; anything
    else is a message like any other."""
    if re.fullmatch(r"\d{1,2}", text.strip()):
        await check_command(t, text.strip())
        return
    typed = compact(text)
    flow = next((f for f in t.a.flows_by_service.values()
                 if typed in {compact(n) for n in (t.a.catalogue.by_id[f.service].title,
                                                   *t.a.catalogue.by_id[f.service].aliases)}), None)
    if flow is not None:
        await begin(t, flow)
        return
    await t.a.router.text()(t, text)


@routes.button("k", FLOW)
async def start_check(t: Exchange, flow_id: str) -> None:
    """Start a check (or the finder)."""
    t.session.pending = None
    if flow_id == "finder":
        finder_audience(t)
        return
    await begin(t, t.a.flows[flow_id])


async def begin(t: Exchange, flow: Flow) -> None:
    """Start a check (replacing any running one)."""
    reference = t.a.settings.reference_date(t.a.today())
    state, step = engine.start(flow, reference)
    t.session.check = Check(state, t.a.clock())
    t.session.pending = None
    # A question asked during the check ("电话多少") is about the check's service.
    t.session.remember(Context(answer=flow.service, at=t.a.clock()))
    await t.a.storage.queries.log_flow_event(t.key, flow.id, "start")
    t.out.add(texts.CHECK_START.format(title=esc(flow.title), intro=esc(flow.intro), most=len(flow.questions)))
    await show_step(t, flow, state, step)


def current(t: Exchange) -> tuple[Flow, State] | None:
    """Return the running check, or None (dropping one whose flow changed since it was saved)."""
    check = t.session.check
    if check is None:
        return None
    flow = t.a.flows.get(check.state.flow)
    if flow is None or not engine.is_valid_state(flow, check.state):
        t.session.check = None  # the flow file changed since: start over rather than guess
        return None
    return flow, check.state


async def expired(t: Exchange) -> bool:
    """End a check nobody touched for too long, with a notice; return True if it ended."""
    check = t.session.check
    minutes = t.a.settings.bot_flow_timeout_minutes
    if check is not None and t.a.clock() - check.at > minutes * 60:
        await t.a.storage.queries.log_flow_event(t.key, check.state.flow, "expire")
        t.session.check = None
        t.out.add(esc(texts.CHECK_EXPIRED.format(minutes=minutes)))
        return True
    return False


async def on_check_text(t: Exchange, text: str) -> bool:
    """Treat text as an answer to the running check; return False to let it be searched instead."""
    if await expired(t):
        return False
    running = current(t)
    if running is None:
        return False
    flow, state = running
    if text.strip() in _CANCEL_WORDS:
        await cancel_anything(t)
        return True
    if text.strip() in _BACK_WORDS:
        state, step = engine.back(flow, state)
        await show_step(t, flow, state, step)
        return True
    asked = engine.next_step(flow, state)
    if isinstance(asked, Ask) and not looks_like_answer(asked.question, text):
        # Not an attempt at an answer: a question typed mid-check ("电话多少") is answered — about the
        # check's service when it names no other — and the check waits to be resumed.
        if await answers.respond(t, text, quiet=True):
            t.out.add(esc(texts.CHECK_PAUSED), [[t.button(texts.BTN_RESUME.format(number=asked.number), "rs", flow.id)]])
            t.session.check = Check(state, t.a.clock())
            return True
    new_state, step = engine.answer(flow, state, text)
    await show_step(t, flow, new_state, step)
    return True


async def _running(t: Exchange, flow_id: str) -> tuple[Flow, State] | None:
    if await expired(t):
        return None
    running = current(t)
    if running is None or running[0].id != flow_id:
        t.out.add("", notice=texts.STALE_BUTTON)
        return None
    return running


@routes.button("rs", FLOW)
async def resume_check(t: Exchange, flow_id: str) -> None:
    """Ask the current question of a paused check again."""
    running = await _running(t, flow_id)
    if running is not None:
        flow, state = running
        await show_step(t, flow, state, engine.next_step(flow, state))


@routes.button("bk", FLOW)
async def step_back(t: Exchange, flow_id: str) -> None:
    """Undo the last answer."""
    running = await _running(t, flow_id)
    if running is not None:
        state, step = engine.back(*running)
        await show_step(t, running[0], state, step)


@routes.button("a", FLOW, NAME, VALUE)
async def choose_answer(t: Exchange, flow_id: str, question_id: str, value: str) -> None:
    """Answer the current question with a button."""
    running = await _running(t, flow_id)
    if running is None:
        return
    flow, state = running
    step = engine.next_step(flow, state)
    if not isinstance(step, Ask) or step.question.id != question_id:
        t.out.add(esc(texts.CHECK_STALE), notice=texts.CHECK_STALE)
        await show_step(t, flow, state, step)
        return
    state, step = engine.answer(flow, state, value)
    await show_step(t, flow, state, step)


async def show_step(t: Exchange, flow: Flow, state: State, step: engine.Step) -> None:
    """Ask the next question, or give the verdict."""
    if isinstance(step, Verdict):
        t.session.check = None
        t.session.remember(Context(answer=flow.service, at=t.a.clock()))
        await t.a.storage.queries.log_flow_event(t.key, flow.id, "verdict", step.verdict)
        verdict(t, flow, step)
        return
    t.session.check = Check(state, t.a.clock())
    q = step.question
    lines = []
    if step.error:
        lines.append(esc(step.error))
    lines.append(texts.CHECK_QUESTION.format(number=step.number, prompt=esc(q.prompt)))
    if step.hint:
        lines.append(f"<i>{esc(step.hint)}</i>")
    rows = [[t.button(o.label, "a", flow.id, q.id, o.value) for o in q.options[i:i + 3]]
            for i in range(0, len(q.options), 3)]
    controls = [t.button(texts.BTN_CANCEL, "x")]
    if state.order:
        controls.insert(0, t.button(texts.BTN_BACK, "bk", flow.id))
    rows.append(controls)
    t.out.add("\n".join(lines), rows, typed=q.type in ("number", "date"))


def verdict(t: Exchange, flow: Flow, v: Verdict) -> None:
    """Add the verdict: reasons quoted from the catalogue, caveats, the next step and whom to call."""
    service = t.a.catalogue.by_id[flow.service]
    lines = [f"<b>{esc(texts.VERDICT_TITLE[v.verdict])}</b>", render.title_line(service), ""]
    lines.append(esc(texts.VERDICT_INTRO[v.verdict].format(title=flow.title)))
    status = {"不符合": engine.NOT_MET, "需人工确认": engine.UNKNOWN, "符合": engine.MET}[v.verdict]
    shown = v.with_status(status)
    for quote in dict.fromkeys(c.quote for c in shown):
        lines.append(f"• {esc(quote)}")
    # Caveats go with every verdict: what a ✅ still depends on matters as much as why a ❓ needs a person.
    notes = list(dict.fromkeys(c.note for c in (shown if v.verdict != "符合" else flow.conditions) if c.note))
    if notes:
        lines += ["", f"<b>{esc(texts.VERDICT_NOTES)}</b>"] + [f"　<i>{esc(n)}</i>" for n in notes]
    lines += _age_lines(t, flow, v)
    lines += ["", texts.VERDICT_NEXT] + _next_lines(flow, service)
    lines += ["", esc(texts.VERDICT_CONTACT)] + render.contact_lines(service.contact)
    rows = [[t.button(texts.BTN_APPLY, "sec", service.id, "apply"),
             t.button(texts.BTN_FULL, "sec", service.id, "full")],
            [t.button(texts.BTN_RESTART_CHECK, "k", flow.id)]]
    t.out.add("\n".join(lines), rows)


def _next_lines(flow: Flow, service: Service) -> list[str]:
    """Return the verdict's next step: the flow's own, or the entry's 申报方式 and cycle — and when the entry
    prints no 申报方式, whom to ask for this round's dates, way and papers, with the cycle it does print."""
    if flow.next_step:
        return [esc(flow.next_step)]
    lines = []
    if service.how_to_apply is not None:
        lines += render.section_lines(service.how_to_apply, 600, texts.BTN_APPLY)
    else:
        lines.append(esc(texts.VERDICT_NEXT_CALL))
    cycle = service.cycle
    if cycle is not None and "\n" not in cycle.plain() and len(cycle.plain()) <= render.INTRO_SHORT:
        lines.append(f"<b>{esc(cycle.heading)}</b>：{esc(cycle.plain())}")
    elif cycle is not None:
        lines += render.section_lines(cycle, 600, texts.BTN_APPLY)
    return lines


def _age_lines(t: Exchange, flow: Flow, v: Verdict) -> list[str]:
    """Say, in plain words, on which date ages are reckoned, why, and what age that gives: from a birth date,
    the age on that date; from an age typed in years, that age — and that a birthday before then counts."""
    compares = [cmp for c in flow.conditions for cmp in rule_compares(c.holds)]
    born = [cmp.question for cmp in compares if cmp.as_age]
    typed = [cmp.question for cmp in compares if not cmp.as_age and flow.question(cmp.question).type == "number"
             and flow.question(cmp.question).unit.endswith("岁")]
    if not born and not typed:
        return []
    d = v.reference_date
    why = texts.AGE_WHY_SET if t.a.settings.bot_reference_date else texts.AGE_WHY_DEFAULT
    line = texts.VERDICT_AGE_DATE.format(year=d.year, month=d.month, day=d.day, why=why)
    for qid in dict.fromkeys(born):
        span = age_span(v.answers[qid], d) if v.answers.get(qid) not in (None, "unsure") else None
        if span is not None:
            low, high = int(span.low), int(span.high)
            age = str(low) if low == high else f"{low}–{high}"
            line += texts.VERDICT_AGE_VALUE.format(age=age)
            break
    else:
        for qid in dict.fromkeys(typed):
            span = number_span(v.answers.get(qid))
            if span is not None and span.is_point:
                line += texts.VERDICT_AGE_TYPED.format(age=int(span.low))
                if t.a.today() < d:
                    line += texts.VERDICT_AGE_BIRTHDAY.format(next=int(span.low) + 1)
                break
    return ["", esc(line + "。")]


def finder_audience(t: Exchange) -> None:
    """Ask who the user is."""
    f = t.a.finder
    rows = [[t.button(o.label, "fa", o.value)] for o in f.audiences]
    t.out.add(texts.FINDER_AUDIENCE.format(title=esc(f.title), intro=esc(f.intro), prompt=esc(f.audience_prompt)),
              rows)


@routes.button("fa", TAG)
async def finder_need(t: Exchange, audience: str) -> None:
    """Ask what the user needs."""
    f = t.a.finder
    if audience not in {o.value for o in f.audiences}:
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    rows = [[t.button(o.label, "fn", audience, o.value)] for o in f.needs]
    t.out.add(esc(f.need_prompt), rows, edit=True)


@routes.button("fn", TAG, TAG)
async def finder_results(t: Exchange, audience: str, need: str) -> None:
    """List the services for an audience and a need."""
    f = t.a.finder
    labels_a = {o.value: o.label for o in f.audiences}
    labels_n = {o.value: o.label for o in f.needs}
    if audience not in labels_a or need not in labels_n:
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    services, exact = find(t.a.catalogue, audience, need)
    header = texts.FINDER_RESULTS
    if not exact:  # nothing is for this audience and need: say so rather than list loosely related services
        header, services = texts.FINDER_NONE, []
    rows = [[t.button(f"{s.id} {s.title}"[:60], "s", s.id)] for s in services]
    for flow_id in f.extra_checks.get(need, ()):
        flow = t.a.flows.get(flow_id)
        if flow is not None:
            rows.append([t.button(f"{texts.BTN_CHECK}：{flow.title}"[:60], "k", flow.id)])
    rows.append([t.button(texts.BTN_FINDER_AGAIN, "k", "finder")])
    t.out.add(esc(header.format(audience=labels_a[audience], need=labels_n[need], phone=t.a.switchboard)), rows,
              edit=True)


@routes.button("x")
async def cancel(t: Exchange) -> None:
    """Leave a running check or awaited input."""
    await cancel_anything(t)


async def cancel_anything(t: Exchange) -> None:
    """Leave a running check or awaited input, saying which."""
    s = t.session
    if s.check is not None:
        await t.a.storage.queries.log_flow_event(t.key, s.check.state.flow, "cancel")
        s.check = None
        t.out.add(esc(texts.CHECK_CANCELLED))
    elif s.pending is not None:
        s.pending = None
        t.out.add(esc(texts.PENDING_CANCELLED))
    else:
        t.out.add(esc(texts.CHECK_NOTHING))


@routes.command("cancel", menu="退出自查或留言", order=7)
async def cancel_command(t: Exchange, args: str) -> None:
    """Leave a running check or awaited input."""
    await cancel_anything(t)
