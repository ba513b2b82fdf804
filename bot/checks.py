"""Eligibility checks and the service finder inside the conversation (state lives in the session)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from conversations import engine
from conversations.engine import Ask, State, Verdict
from conversations.finder import find
from conversations.model import Flow, rule_compares
from retrieval.decide import Decision

from . import render, texts
from .render import esc
from .replies import Button, Replies, Sender, encode

if TYPE_CHECKING:
    from .core import Assistant, Session

_BACK_WORDS = ("上一步", "上一题", "返回", "back")
_CANCEL_WORDS = ("取消", "退出", "退出自查", "结束", "cancel")


class Checks:
    """The /check command, the 「检查我是否符合条件」 button and the finder."""

    def __init__(self, assistant: Assistant) -> None:
        self.a = assistant

    # -- starting -----------------------------------------------------------------------------

    async def command(self, sender: Sender, key: str, session: Session, args: str, out: Replies) -> None:
        """/check lists the checks; /check 13 starts the check of service 13."""
        if not args:
            rows = [[Button(f"{f.service} {self.a.catalogue.by_id[f.service].title}"[:60], encode("k", f.id))]
                    for f in sorted(self.a.flows.values(), key=lambda f: (f.service, f.id))]
            rows.append([Button(texts.BTN_FINDER, encode("k", "finder"))])
            out.add(esc(texts.CHECK_LIST), rows)
            return
        m = re.fullmatch(r"\s*(\d{1,2})\s*", args)
        service = self.a.catalogue.service(f"{int(m.group(1)):02d}") if m else None
        if service is None:
            out.add(esc(texts.CHECK_NOT_FOUND.format(arg=args[:20])))
            return
        flow = self.a.flows_by_service.get(service.id)
        if flow is None:
            out.add(esc(texts.CHECK_UNKNOWN.format(service=service.id)))
            self.a.show_answer(session, service.id, "", None, None, out)
            return
        await self.begin(key, session, flow, out)

    async def begin(self, key: str, session: Session, flow: Flow, out: Replies) -> None:
        """Start a check (replacing any running one)."""
        reference = self.a.settings.reference_date(self.a.today())
        state, step = engine.start(flow, reference)
        session.flow, session.flow_at = state.to_json(), self.a.clock()
        session.pending = None
        await self.a.storage.log_flow_event(key, flow.id, "start")
        out.add(texts.CHECK_START.format(title=esc(flow.title), intro=esc(flow.intro)))
        await self._show(key, session, flow, state, step, out)

    # -- during a check -----------------------------------------------------------------------

    def _current(self, session: Session) -> tuple[Flow, State] | None:
        if not session.flow:
            return None
        try:
            state = State.from_json(session.flow)
        except (KeyError, TypeError, ValueError):
            session.flow = None
            return None
        flow = self.a.flows.get(state.flow)
        if flow is None or not engine.is_valid_state(flow, state):
            session.flow = None  # the flow file changed since: start over rather than guess
            return None
        return flow, state

    async def _expired(self, key: str, session: Session, out: Replies) -> bool:
        timeout = self.a.settings.bot_flow_timeout_minutes * 60
        if session.flow and self.a.clock() - session.flow_at > timeout:
            await self.a.storage.log_flow_event(key, session.flow.get("flow", "?"), "expire")
            session.flow = None
            out.add(esc(texts.CHECK_EXPIRED.format(minutes=self.a.settings.bot_flow_timeout_minutes)))
            return True
        return False

    async def on_text(self, sender: Sender, key: str, session: Session, text: str, out: Replies) -> bool:
        """Treat text as an answer to the running check; return False to let it be searched instead."""
        if await self._expired(key, session, out):
            return False
        current = self._current(session)
        if current is None:
            return False
        flow, state = current
        if text.strip() in _CANCEL_WORDS:
            await self.a.cancel(key, session, out)
            return True
        if text.strip() in _BACK_WORDS:
            state, step = engine.back(flow, state)
            await self._show(key, session, flow, state, step, out)
            return True
        new_state, step = engine.answer(flow, state, text)
        if isinstance(step, Ask) and step.error:
            # Not an answer. A question typed mid-check is answered, and the check waits to be resumed.
            result = self.a.searcher.search(text)
            if result.decision is not Decision.UNANSWERED and result.tokens and not re.fullmatch(r"[\d\s.,-]+", text):
                await self.a.answer(sender, key, session, text, result, out)
                number = step.number
                out.add(esc(texts.CHECK_PAUSED), [[Button(texts.BTN_RESUME.format(number=number),
                                                          encode("rs", flow.id))]])
                session.flow_at = self.a.clock()
                return True
        await self._show(key, session, flow, new_state, step, out)
        return True

    async def on_press(self, sender: Sender, key: str, session: Session, kind: str, args: tuple[str, ...],
                       out: Replies) -> None:
        """Handle check and finder buttons."""
        if kind == "k":
            if args[0] == "finder":
                self._finder_audience(out)
                return
            flow = self.a.flows.get(args[0])
            if flow is None:
                out.add("", notice=texts.STALE_BUTTON)
                return
            await self.begin(key, session, flow, out)
            return
        if kind == "fa":
            self._finder_need(args[0], out)
            return
        if kind == "fn":
            self._finder_results(args[0], args[1], out)
            return
        if await self._expired(key, session, out):
            return
        current = self._current(session)
        if current is None or current[0].id != args[0]:
            out.add("", notice=texts.STALE_BUTTON)
            return
        flow, state = current
        if kind == "rs":
            await self._show(key, session, flow, state, engine.next_step(flow, state), out)
        elif kind == "bk":
            state, step = engine.back(flow, state)
            await self._show(key, session, flow, state, step, out)
        elif kind == "a":
            step = engine.next_step(flow, state)
            if not isinstance(step, Ask) or step.question.id != args[1]:
                out.add(esc(texts.CHECK_STALE), notice=texts.CHECK_STALE)
                await self._show(key, session, flow, state, step, out)
                return
            state, step = engine.answer(flow, state, args[2])
            await self._show(key, session, flow, state, step, out)

    async def _show(self, key: str, session: Session, flow: Flow, state: State, step: engine.Step,
                    out: Replies) -> None:
        if isinstance(step, Verdict):
            session.flow = None
            await self.a.storage.log_flow_event(key, flow.id, "verdict", step.verdict)
            self._verdict(flow, step, out)
            return
        session.flow, session.flow_at = state.to_json(), self.a.clock()
        q = step.question
        lines = []
        if step.error:
            lines.append(esc(step.error))
        lines.append(texts.CHECK_QUESTION.format(number=step.number, prompt=esc(q.prompt)))
        rows = [[Button(o.label, encode("a", flow.id, q.id, o.value)) for o in q.options[i:i + 3]]
                for i in range(0, len(q.options), 3)]
        controls = [Button(texts.BTN_CANCEL, encode("x"))]
        if state.order:
            controls.insert(0, Button(texts.BTN_BACK, encode("bk", flow.id)))
        rows.append(controls)
        out.add("\n".join(lines), rows)

    def _verdict(self, flow: Flow, v: Verdict, out: Replies) -> None:
        service = self.a.catalogue.by_id[flow.service]
        lines = [f"<b>{esc(texts.VERDICT_TITLE[v.verdict])}</b>", render.title_line(service), ""]
        lines.append(esc(texts.VERDICT_INTRO[v.verdict].format(title=flow.title)))
        status = {"不符合": engine.NOT_MET, "需人工确认": engine.UNKNOWN, "符合": engine.MET}[v.verdict]
        seen = set()
        for c in v.with_status(status):
            if c.quote in seen and not c.note:
                continue
            seen.add(c.quote)
            lines.append(f"• {esc(c.quote)}")
            if c.note and v.verdict != "符合":
                lines.append(f"　<i>{esc(c.note)}</i>")
        if any(cmp.as_age for c in flow.conditions for cmp in rule_compares(c.holds)):
            lines += ["", esc(texts.VERDICT_REFERENCE.format(date=v.reference_date.isoformat()))]
        nexts = [s for s in (service.how_to_apply, service.cycle) if s is not None]
        if nexts:
            lines += ["", texts.VERDICT_NEXT]
            for sec in nexts:
                lines += render.section_lines(sec, 600, texts.BTN_APPLY)
        lines += ["", esc(texts.VERDICT_CONTACT)] + render.contact_lines(service.contact)
        rows = [[Button(texts.BTN_APPLY, encode("sec", service.id, "apply")),
                 Button(texts.BTN_FULL, encode("sec", service.id, "full"))],
                [Button("🔁 重新自查", encode("k", flow.id))]]
        out.add("\n".join(lines), rows)

    # -- finder -------------------------------------------------------------------------------

    def _finder_audience(self, out: Replies) -> None:
        f = self.a.finder
        rows = [[Button(o.label, encode("fa", o.value))] for o in f.audiences]
        out.add(texts.FINDER_AUDIENCE.format(title=esc(f.title), intro=esc(f.intro), prompt=esc(f.audience_prompt)),
                rows)

    def _finder_need(self, audience: str, out: Replies) -> None:
        f = self.a.finder
        if audience not in {o.value for o in f.audiences}:
            out.add("", notice=texts.STALE_BUTTON)
            return
        rows = [[Button(o.label, encode("fn", audience, o.value))] for o in f.needs]
        out.add(esc(f.need_prompt), rows, edit=True)

    def _finder_results(self, audience: str, need: str, out: Replies) -> None:
        f = self.a.finder
        labels_a = {o.value: o.label for o in f.audiences}
        labels_n = {o.value: o.label for o in f.needs}
        if audience not in labels_a or need not in labels_n:
            out.add("", notice=texts.STALE_BUTTON)
            return
        services, exact = find(self.a.catalogue, audience, need)
        header = texts.FINDER_RESULTS if exact else texts.FINDER_RESULTS_LOOSE
        rows = [[Button(f"{s.id} {s.title}"[:60], encode("s", s.id))] for s in services]
        for flow_id in f.extra_checks.get(need, ()):
            flow = self.a.flows.get(flow_id)
            if flow is not None:
                rows.append([Button(f"{texts.BTN_CHECK}：{flow.title}"[:60], encode("k", flow.id))])
        out.add(esc(header.format(audience=labels_a[audience], need=labels_n[need])), rows, edit=True)

