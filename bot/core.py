"""The assistant core, shared by the console and Telegram: text or a button press in, replies out.

It owns the conversation logic (answer cards, suggestions, follow-ups, feedback, hand-off to staff)
and delegates eligibility checks to bot.checks and staff review to bot.staff. Everything it needs is
built once at start and passed in.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from conversations.finder import Finder
from conversations.model import Flow
from retrieval.decide import Decision
from retrieval.documents import society_matches
from retrieval.model import Catalogue, Service
from retrieval.search import MAX_QUESTION, Searcher, SearchResult
from retrieval.text import compact, normalise, strip_invisible

from . import render, texts
from .render import esc
from .replies import STAFF_KINDS, Button, Replies, Reply, Sender, decode, encode
from .settings import Settings
from .storage import Storage, user_key

log = logging.getLogger(__name__)

APPENDIX_SHORT = {"rules": "enterprise-association-rules"}
APPENDIX_CODE = {v: k for k, v in APPENDIX_SHORT.items()}
# Longest text accepted as a question (Telegram itself allows 4096 characters).
MAX_TEXT = 1000


@dataclass
class Session:
    """Per-user conversation state kept in the database between messages."""

    last_service: str | None = None
    last_query: str | None = None
    last_text: str = ""
    flow: dict[str, Any] | None = None
    flow_at: float = 0.0
    pending: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"last_service": self.last_service, "last_query": self.last_query, "last_text": self.last_text,
                "flow": self.flow, "flow_at": self.flow_at, "pending": self.pending, "extra": self.extra}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        s = cls()
        for key in ("last_service", "last_query", "last_text", "flow", "flow_at", "pending", "extra"):
            if key in data:
                setattr(s, key, data[key])
        return s


class Assistant:
    """Transport-neutral assistant: `text`, `press` and `command` return the replies to send."""

    def __init__(self, catalogue: Catalogue, searcher: Searcher, flows: dict[str, Flow], finder: Finder,
                 storage: Storage, settings: Settings, *, clock: Callable[[], float] = time.time,
                 today: Callable[[], date] = date.today) -> None:
        from .checks import Checks
        from .staff import Staff

        self.catalogue = catalogue
        self.searcher = searcher
        self.flows = flows
        self.flows_by_service = {f.service: f for f in flows.values()}
        self.finder = finder
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.today = today
        self.switchboard = catalogue.organisation("tast").contact.phones[0]
        self.checks = Checks(self)
        self.staff = Staff(self)
        self._secret = settings.bot_user_key_secret
        self._locks: dict[str, asyncio.Lock] = {}
        self._alias_version = -1

    async def start(self) -> None:
        """Load what the database holds: the user-key secret and staff-taught aliases."""
        if not self._secret:
            self._secret = await self.storage.user_key_secret()
        await self.storage.purge(self.settings.bot_retention_days)
        await self.sync_aliases()

    # -- identities, locks, sessions ------------------------------------------------------------

    def key(self, sender: Sender) -> str:
        """Return the pseudonymous key of the sender."""
        return user_key(self._secret or "unset", sender.user_id)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) > 10_000:  # forget idle locks now and then
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def load_session(self, key: str) -> Session:
        saved = await self.storage.session(key)
        return Session.from_json(saved[0]) if saved else Session()

    async def save_session(self, key: str, session: Session) -> None:
        await self.storage.save_session(key, session.to_json())

    # -- entry points ---------------------------------------------------------------------------

    async def text(self, sender: Sender, text: str) -> list[Reply]:
        """Handle a text message."""
        key = self.key(sender)
        async with self._lock(key):
            session = await self.load_session(key)
            out = Replies()
            await self._text(sender, key, session, text, out)
            await self.save_session(key, session)
            return out.items

    async def press(self, sender: Sender, data: str | None) -> list[Reply]:
        """Handle a button press (its callback data)."""
        parsed = decode(data)
        if parsed is None:
            return [Reply("", notice=texts.STALE_BUTTON)]
        kind, args = parsed
        if kind in STAFF_KINDS and not sender.is_staff:
            return [Reply("", notice=texts.STAFF_ONLY)]
        key = self.key(sender)
        async with self._lock(key):
            session = await self.load_session(key)
            out = Replies()
            await self._press(sender, key, session, kind, args, out)
            await self.save_session(key, session)
            return out.items or [Reply("", notice="")]

    async def command(self, sender: Sender, name: str, args: str = "") -> list[Reply]:
        """Handle a /command."""
        key = self.key(sender)
        async with self._lock(key):
            session = await self.load_session(key)
            out = Replies()
            await self._command(sender, key, session, name.lower(), args.strip(), out)
            await self.save_session(key, session)
            return out.items

    async def sync_aliases(self) -> bool:
        """Reload staff-taught aliases when the database says they changed; return True if reloaded."""
        try:
            version = await self.storage.alias_version()
            if version == self._alias_version:
                return False
            aliases = await self.storage.aliases()
        except Exception:  # noqa: BLE001 - a broken database must not stop answering
            log.exception("could not read learned aliases")
            return False
        learned: dict[str, list[str]] = {}
        for a in aliases:
            learned.setdefault(a.service_id, []).append(a.text)
        self.searcher = self.searcher.with_learned(learned)
        self._alias_version = version
        log.info("loaded %d learned aliases (version %d)", len(aliases), version)
        return True

    # -- text -----------------------------------------------------------------------------------

    async def _text(self, sender: Sender, key: str, session: Session, raw: str, out: Replies) -> None:
        text = re.sub(r"\s+", " ", strip_invisible(raw or "")).strip()
        if not text or not compact(text):
            out.add(esc(texts.EMPTY.format(example=texts.EXAMPLES[0])))
            return
        if len(text) > MAX_TEXT:
            out.add(esc(texts.TOO_LONG.format(limit=MAX_TEXT)))
            return
        if session.pending:
            if await self._pending_input(sender, key, session, text, out):
                return
        if session.flow:
            if await self.checks.on_text(sender, key, session, text, out):
                return
        result = self.searcher.search(text)
        if session.last_service and not result.tokens and result.intents and result.reason != "chitchat":
            service = self.catalogue.service(session.last_service)
            if service is not None:
                await self._log(key, sender, text, result, shown=service.id, decision_override="answered")
                out.add(esc(texts.FOLLOWUP_HINT.format(title=service.title)) + "\n" +
                        render.service_card(service, result.intents), self.card_buttons(service, session.last_query))
                return
        await self.answer(sender, key, session, text, result, out)

    async def answer(self, sender: Sender, key: str, session: Session, text: str, result: SearchResult,
                     out: Replies) -> None:
        """Reply to a searched question according to the decision, and log it."""
        if result.decision is Decision.ANSWERED and result.best is not None:
            qid = await self._log(key, sender, text, result, shown=result.best.id)
            session.last_query, session.last_text = qid, text
            self.show_answer(session, result.best.id, text, result, qid, out)
            return
        if result.decision is Decision.SUGGEST:
            qid = await self._log(key, sender, text, result, shown=None)
            session.last_query, session.last_text = qid, text
            rows = [[Button(self._answer_label(h.id), encode("sg", qid, self._code(h.id)))]
                    for h in result.hits[: self.searcher.config.suggest_count]]
            rows.append([Button(texts.NONE_OF_THESE, encode("ng", qid))])
            out.add(esc(texts.SUGGEST_HEADER), rows)
            return
        qid = await self._log(key, sender, text, result, shown=None)
        session.last_query, session.last_text = qid, text
        if result.reason == "chitchat":
            out.add(esc(texts.CHITCHAT.format(example=texts.EXAMPLES[0])))
            return
        if result.reason != "empty":
            await self.storage.enqueue(normalise(text), text[:MAX_QUESTION], "unanswered",
                                       [h.id for h in result.hits[:3]])
        message = texts.OUT_OF_SCOPE if result.reason == "out_of_scope" else texts.NO_ANSWER
        out.add(esc(message.format(phone=self.switchboard)) + "\n" + esc(texts.NO_ANSWER_HANDOFF),
                [[Button(texts.BTN_HANDOFF, encode("ho"))], [Button("/browse", encode("br"))]])

    async def _log(self, key: str, sender: Sender, text: str, result: SearchResult, *, shown: str | None,
                   decision_override: str | None = None) -> str:
        return await self.storage.log_query(
            user_key=key, chat_type=sender.chat_type, text=text[:MAX_QUESTION], norm=normalise(text)[:MAX_QUESTION],
            decision=decision_override or result.decision.value, reason=result.reason,
            hits=[(h.id, h.score) for h in result.hits], shown=shown)

    # -- answers ----------------------------------------------------------------------------------

    @staticmethod
    def _code(answer_id: str) -> str:
        return APPENDIX_CODE.get(answer_id, answer_id)

    @staticmethod
    def _answer_id(code: str) -> str:
        return APPENDIX_SHORT.get(code, code)

    def _answer_label(self, answer_id: str) -> str:
        s = self.catalogue.service(answer_id)
        if s is not None:
            return f"{s.id} {s.title}"
        if answer_id == "societies":
            return self.catalogue.societies.name
        if answer_id == "enterprise-association-rules":
            return f"《{self.catalogue.rules.name}》"
        return self.catalogue.organisation(answer_id).name

    def card_buttons(self, s: Service, query_id: str | None, related: list[str] | None = None) -> list[list[Button]]:
        """Return the buttons under a service card."""
        rows = [[Button(texts.BTN_CONDITIONS, encode("sec", s.id, "cond")),
                 Button(texts.BTN_APPLY, encode("sec", s.id, "apply"))],
                [Button(texts.BTN_CONTACT, encode("sec", s.id, "contact")),
                 Button(texts.BTN_FULL, encode("sec", s.id, "full"))]]
        flow = self.flows_by_service.get(s.id)
        if flow is not None:
            rows.append([Button(texts.BTN_CHECK, encode("k", flow.id))])
        for rid in (related or [])[:2]:
            other = self.catalogue.service(rid)
            if other is not None and other.id != s.id:
                rows.append([Button(texts.BTN_RELATED.format(title=f"{other.id} {other.title}")[:60],
                                    encode("s", other.id))])
        if query_id:
            rows.append([Button(texts.BTN_UP, encode("fb", query_id, "up")),
                         Button(texts.BTN_DOWN, encode("fb", query_id, "down"))])
        return rows

    def show_answer(self, session: Session, answer_id: str, question: str, result: SearchResult | None,
                    query_id: str | None, out: Replies) -> None:
        """Add the card for an answer id (service or appendix) to the replies."""
        intents = result.intents if result else ()
        feedback = [[Button(texts.BTN_UP, encode("fb", query_id, "up")),
                     Button(texts.BTN_DOWN, encode("fb", query_id, "down"))]] if query_id else []
        service = self.catalogue.service(answer_id)
        if service is not None:
            session.last_service = service.id
            related = [h.id for h in result.hits[1:4] if self.catalogue.service(h.id)] if result else []
            if not related:
                related = [s.id for s in self.catalogue.services if s.section == service.section and s.id != service.id]
            out.add(render.service_card(service, intents), self.card_buttons(service, query_id, related))
            return
        session.last_service = None
        if answer_id == "societies":
            groups = self.catalogue.societies.by_discipline()
            rows = [[Button(texts.BTN_DISCIPLINE.format(discipline=d, count=len(v)), encode("soc", str(i)))
                     for i, (d, v) in enumerate(groups.items())]]
            out.add(render.societies_card(self.catalogue, society_matches(self.catalogue, question)), rows + feedback)
        elif answer_id in ("tast", "cast"):
            key = result.best.key if result and result.best and result.best.id == answer_id else ""
            out.add(render.organisation_card(self.catalogue, answer_id, key), feedback)
        else:
            keys = self.searcher.best_documents(question, answer_id, 2) if question else []
            numbers = [int(k.split(":")[1]) for k in keys if k.startswith("article:")] or [12, 13]
            contact = self.catalogue.service(self.catalogue.rules.contact_service)
            rows = [[Button(texts.BTN_CHECK, encode("k", "enterprise_kx"))]] if "enterprise_kx" in self.flows else []
            out.add(render.rules_card(self.catalogue, numbers, contact), rows + feedback)

    # -- pending input (hand-off message, staff reply, staff search) -----------------------------

    async def _pending_input(self, sender: Sender, key: str, session: Session, text: str, out: Replies) -> bool:
        pending, session.pending = session.pending, None
        if pending == "ticket":
            await self.storage.open_ticket(key, sender.chat_id, text[:MAX_TEXT])
            await self.storage.enqueue(normalise(text), text[:MAX_QUESTION], "ticket", [])
            out.add(esc(texts.HANDOFF_DONE.format(phone=self.switchboard)))
            return True
        if pending and pending.startswith("staff_") and sender.is_staff:
            return await self.staff.on_pending(sender, key, session, pending, text, out)
        return False

    # -- buttons ---------------------------------------------------------------------------------

    async def _press(self, sender: Sender, key: str, session: Session, kind: str, args: tuple[str, ...],
                     out: Replies) -> None:
        if kind == "s":
            answer_id = self._answer_id(args[0])
            session.last_query = None
            self.show_answer(session, answer_id, "", None, None, out)
        elif kind == "sec":
            s = self.catalogue.service(args[0])
            if s is None:
                out.add("", notice=texts.STALE_BUTTON)
                return
            session.last_service = s.id
            which = args[1]
            html = render.service_section(s, which) if which != "contact" else \
                "\n".join([render.title_line(s), ""] + render.contact_lines(s.contact))
            out.add(html)
        elif kind == "fb":
            await self._feedback(sender, key, session, args[0], args[1], out)
        elif kind == "sg":
            answer_id = self._answer_id(args[1])
            question, _ = await self._logged_question(session, args[0])
            if self.catalogue.service(answer_id):
                await self.storage.set_shown(args[0], answer_id)
            result = self.searcher.search(question) if question else None
            self.show_answer(session, answer_id, question, result, args[0], out)
        elif kind == "ng":
            await self._none_of_these(key, session, args[0], out)
        elif kind == "ho":
            session.pending = "ticket"
            out.add(esc(texts.HANDOFF_PROMPT), [[Button(texts.BTN_CANCEL, encode("x"))]])
        elif kind == "x":
            await self.cancel(key, session, out)
        elif kind in ("br", "bp", "bs", "ba", "soc"):
            self._browse(kind, args, out)
        elif kind in ("k", "a", "bk", "rs", "fa", "fn"):
            await self.checks.on_press(sender, key, session, kind, args, out)
        elif kind in STAFF_KINDS:
            await self.staff.on_press(sender, key, session, kind, args, out)

    async def _logged_question(self, session: Session, query_id: str) -> tuple[str, list[str]]:
        """Return the text and top guesses of a logged question (the session's copy while its write waits)."""
        q = await self.storage.query(query_id) or {}
        text = q.get("text") or (session.last_text if session.last_query == query_id else "")
        return text, [h[0] for h in q.get("hits", [])][:3]

    async def _record_feedback(self, key: str, session: Session, query_id: str, kind: str) -> bool:
        """Record feedback once per user and question; 👎 and 都不是 also queue the question for staff.

        Return False when this feedback was already given.
        """
        if await self.storage.feedback_exists(query_id, key, kind):
            return False
        await self.storage.add_feedback(query_id, key, kind)
        if kind != "up":
            text, guesses = await self._logged_question(session, query_id)
            if text:
                await self.storage.enqueue(normalise(text), text, kind, guesses)
        return True

    async def _feedback(self, sender: Sender, key: str, session: Session, query_id: str, kind: str,
                        out: Replies) -> None:
        if not await self._record_feedback(key, session, query_id, kind):
            out.add("", notice=texts.FEEDBACK_AGAIN)
        elif kind == "up":
            out.add("", notice=texts.FEEDBACK_UP)
        else:
            out.add(esc(texts.FEEDBACK_DOWN), [[Button(texts.BTN_HANDOFF, encode("ho"))]],
                    notice=texts.FEEDBACK_AGAIN)

    async def _none_of_these(self, key: str, session: Session, query_id: str, out: Replies) -> None:
        if not await self._record_feedback(key, session, query_id, "none"):
            out.add("", notice=texts.FEEDBACK_AGAIN)
            return
        out.add(esc(texts.NONE_OF_THESE_DONE) + "\n" + esc(texts.NO_ANSWER.format(phone=self.switchboard)),
                [[Button(texts.BTN_HANDOFF, encode("ho"))], [Button("/browse", encode("br"))]], edit=True)

    async def cancel(self, key: str, session: Session, out: Replies) -> None:
        """Leave a running check or pending input."""
        if session.flow:
            await self.storage.log_flow_event(key, session.flow.get("flow", "?"), "cancel")
            session.flow = None
            out.add(esc(texts.CHECK_CANCELLED))
        elif session.pending:
            session.pending = None
            out.add(esc(texts.PENDING_CANCELLED))
        else:
            out.add(esc(texts.CHECK_NOTHING))

    # -- browsing --------------------------------------------------------------------------------

    def _browse(self, kind: str, args: tuple[str, ...], out: Replies) -> None:
        parts = self.catalogue.parts()
        if kind == "br":
            rows = [[Button(name, encode("bp", str(n)))] for n, name, _ in parts]
            rows.append([Button(texts.BROWSE_APPENDIX, encode("ba"))])
            out.add(esc(texts.BROWSE_ROOT.format(count=len(self.catalogue.services))), rows, edit=True)
            return
        if kind == "ba":
            rows = [[Button(self._answer_label(a), encode("s", self._code(a)))]
                    for a in ("tast", "cast", "societies", "enterprise-association-rules")]
            rows.append([Button(texts.BTN_TOP, encode("br"))])
            out.add(esc(texts.BROWSE_APPENDIX), rows, edit=True)
            return
        if kind == "soc":
            groups = list(self.catalogue.societies.by_discipline())
            index = int(args[0])
            if index >= len(groups):
                out.add("", notice=texts.STALE_BUTTON)
                return
            out.add(render.societies_of(self.catalogue, groups[index]))
            return
        part_no = int(args[0])
        part = next((p for p in parts if p[0] == part_no), None)
        if part is None:
            out.add("", notice=texts.STALE_BUTTON)
            return
        if kind == "bp":
            rows = [[Button(sec, encode("bs", str(part_no), str(i)))] for i, sec in enumerate(part[2])]
            rows.append([Button(texts.BTN_TOP, encode("br"))])
            out.add(texts.BROWSE_PART.format(part=esc(part[1])), rows, edit=True)
            return
        index = int(args[1])
        if index >= len(part[2]):
            out.add("", notice=texts.STALE_BUTTON)
            return
        section = part[2][index]
        services = [s for s in self.catalogue.services if s.part_number == part_no and s.section == section]
        rows = [[Button(f"{s.id} {s.title}"[:60], encode("s", s.id))] for s in services]
        rows.append([Button(texts.BTN_TOP, encode("br"))])
        out.add(texts.BROWSE_SECTION.format(section=esc(section), count=len(services)), rows, edit=True)

    # -- commands --------------------------------------------------------------------------------

    async def _command(self, sender: Sender, key: str, session: Session, name: str, args: str,
                       out: Replies) -> None:
        if name == "start":
            m = re.fullmatch(r"s(\d{1,2})", args)
            if m and self.catalogue.service(f"{int(m.group(1)):02d}"):
                self.show_answer(session, f"{int(m.group(1)):02d}", "", None, None, out)
                return
            await self._welcome(out)
        elif name == "help":
            html = texts.HELP.format(example=esc(texts.EXAMPLES[0]))
            out.add(html + (texts.STAFF_HELP if sender.is_staff else ""))
        elif name == "browse":
            self._browse("br", (), out)
        elif name == "contact":
            out.add(render.contact_directory(self.catalogue))
        elif name == "check":
            await self.checks.command(sender, key, session, args, out)
        elif name == "cancel":
            await self.cancel(key, session, out)
        elif name == "hot":
            await self._hot(out, always=True)
        elif name in ("review", "stats"):
            if not sender.is_staff:
                out.add(esc(texts.STAFF_ONLY))
                return
            await self.staff.command(sender, key, session, name, args, out)
        else:
            out.add(esc(texts.UNKNOWN_COMMAND))

    async def _welcome(self, out: Replies) -> None:
        bests = [(q, self.searcher.search(q).best) for q in texts.EXAMPLES]
        rows = [[Button(q, encode("s", self._code(best.id)))] for q, best in bests if best is not None]
        html = texts.WELCOME.format(count=len(self.catalogue.services))
        html += "\n" + "\n".join(f"• {esc(q)}" for q in texts.EXAMPLES)
        hot = await self._hot_rows()
        if hot:
            html += esc(texts.HOT_HEADER)
            rows += hot
        rows.append([Button(texts.BTN_FINDER, encode("k", "finder"))])
        out.add(html, rows)

    async def _hot_rows(self, always: bool = False) -> list[list[Button]]:
        stats = await self.storage.hot_services(self.settings.bot_hot_days, 5)
        if not always and sum(c for _, c in stats) < self.settings.bot_hot_min_questions:
            return []
        return [[Button(f"{sid} {self.catalogue.by_id[sid].title}"[:60], encode("s", sid))]
                for sid, _ in stats if sid in self.catalogue.by_id]

    async def _hot(self, out: Replies, always: bool) -> None:
        rows = await self._hot_rows(always)
        if not rows:
            out.add(esc(texts.HOT_EMPTY))
            return
        out.add(esc(texts.HOT_HEADER_FULL.format(days=self.settings.bot_hot_days)), rows)
