"""The staff console's state and what its pages and API show: queue items with what the assistant answers
to them now, grouped near-duplicates, the figures of the dashboard.

It keeps its own searcher, rebuilt from the base one whenever what staff taught changed (here or in
another process), so that 试一试 and the queues show exactly what a running bot answers. What a user
would see is the chat's own reply: the question is put to an assistant of the console's own (the chat's
code, this searcher, a fresh session, a scratch database in memory) and its replies turned to plain text.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from conversations.finder import load_finder
from conversations.loader import load_flows
from retrieval.decide import Decision
from retrieval.model import Catalogue
from retrieval.search import Searcher, SearchResult

from ..chat import texts
from ..chat.core import Assistant, RateLimiter
from ..chat.data import load_data
from ..chat.render import to_plain
from ..chat.replies import Reply, Sender
from ..chat.taught import read_taught
from ..settings import Settings
from ..store import ReviewItem, Storage, StorageBusy, Ticket
from ..store.keys import console_key
from . import signin
from .inbox import QUEUES, depends_on_context, group_items, linkable

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


MAX_IDS = 50


QUEUE_WINDOW = 500        # items read per queue before grouping near-duplicates


SWEEP_EVERY = 10.0        # seconds between sweeps for abandoned suggestions


SIGN_IN_BURST = 10        # sign-in attempts one address may make at once …
SIGN_IN_PER_MINUTE = 10   # … and then per minute


DECISIONS = {"answered": "直接回答", "suggest": "给出候选（您是不是想问）", "unanswered": "未答出"}


REASONS = {"chitchat": "闲聊", "empty": "没有内容", "out_of_scope": "范围外，已拒答", "no_match": "没有匹配",
           "low_coverage": "匹配太少", "low_information": "信息太少", "clear": "明确", "phrase": "名称匹配",
           "learned": "工作人员已关联", "close": "几项接近", "other_level": "别的层级的项目，已拒答",
           "passing_mention": "只是顺带提到", "aspect_only": "只问了方面没说服务", "profile": "按身份列出",
           "societies": "学会名单", "related": "相关服务", "followup": "接着问", "choices": "几项都有可能",
           "context": "接着上一轮", "human": "想找工作人员"}


ACTIONS = {"link": "关联", "out_of_scope": "范围外", "term": "术语", "dismiss": "忽略", "reply": "回复留言",
           "close": "关闭留言", "remove": "删除", "undo": "撤销"}


class ApiError(Exception):
    """An API refusal: HTTP status and a Chinese message (plus extra JSON fields)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def replies_text(replies: list[Reply]) -> str:
    """Return replies as a user sees them, in plain text: each message, and its buttons in brackets."""
    blocks = []
    for r in replies:
        lines = [to_plain(r.html)] if r.html else []
        if r.choices():
            lines.append(" ".join(f"［{b.label}］" for b in r.choices()))
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class StaffConsole:
    """What the console's pages and API share: storage, catalogue, the current searcher, the signer."""

    def __init__(self, settings: Settings, storage: Storage, catalogue: Catalogue, searcher: Searcher, key: bytes,
                 *, clock: Callable[[], float] = time.time, flow_titles: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.storage = storage
        self.catalogue = catalogue
        self.base_searcher = searcher
        self.searcher = searcher
        self.signer = signin.Signer(key)
        self.clock = clock
        self.flow_titles = flow_titles or {}
        self.secure = (settings.bot_admin_url or "").startswith("https://")
        # Sign-in attempts per address: 10 at once, then 10 a minute (guessing a token is hopeless anyway).
        self.sign_in_attempts = RateLimiter(SIGN_IN_BURST, SIGN_IN_PER_MINUTE)
        self._version = -1
        self._swept = float("-inf")
        self._preview: Assistant | None = None
        self._preview_lock = asyncio.Lock()
        self._askers = itertools.count(1)
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["when"] = lambda ts: time.strftime("%m-%d %H:%M", time.localtime(ts)) if ts else ""
        self.env.filters["pct"] = lambda v: "—" if v is None else f"{v:.0%}"
        self.env.filters["person"] = texts.person
        self.env.globals.update(queue_names=texts.QUEUE_NAMES, queues=QUEUES, actions=ACTIONS)

    # -- knowledge ------------------------------------------------------------------------------

    async def sync(self) -> None:
        """Rebuild the searcher from the base when what staff taught changed (here or in another process)."""
        version = await self.storage.taught.version()
        if version != self._version:
            taught = await read_taught(self.storage)
            self.searcher = (self.base_searcher if taught == self.base_searcher.taught
                             else self.base_searcher.with_taught(taught))
            self._version = version

    async def sweep(self) -> None:
        """Move abandoned suggestions into the 未选择 queue (at most every few seconds)."""
        now = time.monotonic()
        if now - self._swept >= SWEEP_EVERY:
            self._swept = now
            try:
                await self.storage.inbox.sweep_abandoned(self.settings.bot_abandoned_minutes)
            except StorageBusy as exc:  # best effort: the next read tries again
                log.warning("could not move abandoned suggestions now: %s", exc)

    def title(self, answer_id: str) -> str:
        """Return "13 实施…" for a service, the name of an appendix answer, or the id."""
        s = self.catalogue.service(answer_id)
        if s is not None:
            return f"{s.id} {s.title}"
        names = {"societies": self.catalogue.societies.name, "enterprise-association-rules": self.catalogue.rules.name}
        if answer_id in names:
            return names[answer_id]
        return next((o.name for o in self.catalogue.organisations if o.id == answer_id), answer_id)

    async def preview(self, question: str) -> str:
        """Return, in plain text, exactly what the chat replies to a question asked first thing in a fresh chat
        with what staff taught now (nothing is logged or queued: the console's assistant has a scratch database)."""
        async with self._preview_lock:
            if self._preview is None:
                self._preview = await self._previewer()
        self._preview.searcher = self.searcher
        n = next(self._askers)
        return replies_text(await self._preview.text(Sender(user_id=-n, chat_id=-n), question))

    async def _previewer(self) -> Assistant:
        storage = Storage(":memory:")
        await storage.open()
        settings = replace(self.settings, bot_db_path=":memory:", bot_staff_ids=frozenset(),
                           bot_user_key_secret="preview")
        flows = load_flows(None, set(self.catalogue.by_id))
        assistant = Assistant(self.catalogue, self.base_searcher, flows, load_finder(catalogue=self.catalogue),
                              storage, settings, secret="preview")
        await assistant.start()
        return assistant

    async def close(self) -> None:
        """Close the scratch database of the previews."""
        if self._preview is not None:
            await self._preview.storage.close()
            self._preview = None

    async def answer_of(self, result: SearchResult) -> dict[str, Any]:
        """Return what the assistant does with a question now: decision, reason, answer, corrections, and the
        reply a user sees."""
        best = result.best
        answer = best.id if best and result.decision is Decision.ANSWERED else None
        reason = str(getattr(result.reason, "value", result.reason))
        return {"decision": result.decision.value, "decision_label": DECISIONS[result.decision.value],
                "reason": result.reason, "reason_label": REASONS.get(reason, reason),
                "answer": answer, "title": self.title(answer) if answer else None,
                "corrections": [list(c) for c in result.corrections], "reply": await self.preview(result.question)}

    def guesses(self, result: SearchResult, limit: int = 3) -> list[dict[str, Any]]:
        """Return the top hits with their scores."""
        return [{"id": h.id, "title": self.title(h.id),
                 "score": None if h.score == float("inf") else round(h.score, 2)} for h in result.hits[:limit]]

    # -- queue items ----------------------------------------------------------------------------

    async def item_json(self, members: list[ReviewItem]) -> dict[str, Any]:
        """Return a group of near-duplicate questions as the API and the pages show it."""
        lead = members[0]
        result = self.searcher.search(lead.sample)
        marks = self.searcher.parts.followup
        context = depends_on_context(lead, result, marks)
        return {
            "id": lead.id, "text": lead.sample, "kind": lead.queue, "kinds": list(lead.kinds),
            "count": sum(m.count for m in members), "first_seen": min(m.first_seen for m in members),
            "last_seen": max(m.last_seen for m in members),
            "members": [{"id": m.id, "text": m.sample, "count": m.count} for m in members],
            "context": {"text": lead.context_text, "answer": lead.context_answer,
                        "title": self.title(lead.context_answer)} if lead.context_answer else None,
            "shown": {"answer": lead.shown, "title": self.title(lead.shown)} if lead.shown else None,
            "answer": await self.answer_of(result), "guesses": self.guesses(result),
            "followup": {"context": lead.context_answer, "title": self.title(lead.context_answer)} if context else None,
            "linkable": linkable(result, marks),
        }

    async def ticket_json(self, t: Ticket) -> dict[str, Any]:
        """Return a ticket as a 留言 queue item."""
        result = self.searcher.search(t.text or "")
        return {"id": t.id, "text": t.text or "", "kind": "ticket", "kinds": ["ticket"], "count": 1,
                "first_seen": t.ts, "last_seen": t.ts, "members": [], "context": None, "shown": None,
                "answer": await self.answer_of(result), "guesses": self.guesses(result), "followup": None,
                "linkable": False, "can_reply": t.chat_id is not None}

    async def queue(self, kind: str, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Return one page of a queue's grouped items, and how many groups it holds."""
        await self.sync()
        await self.sweep()
        if kind == "ticket":
            tickets = await self.storage.tickets.tickets(limit=QUEUE_WINDOW)
            return [await self.ticket_json(t) for t in tickets[offset: offset + limit]], len(tickets)
        items = await self.storage.inbox.review_items(limit=QUEUE_WINDOW, queues=[kind])
        groups = group_items(items)
        return [await self.item_json(g.items) for g in groups[offset: offset + limit]], len(groups)

    async def pending(self, item_id: str, ids: Any) -> list[ReviewItem]:
        """Return the pending items an action is for: the item and the other members of its group."""
        if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "ids 应为问题编号的列表（最多 50 个）。")
        chosen: list[ReviewItem] = []
        for i in dict.fromkeys([item_id, *ids]):
            item = await self.storage.inbox.review_item(i)
            if item is not None and item.status == "pending":
                chosen.append(item)
        if not chosen or chosen[0].id != item_id:
            raise ApiError(409, "这个问题已经处理过了（请刷新页面）。")
        return chosen


async def stats_json(c: StaffConsole, days: int) -> dict[str, Any]:
    """Return the dashboard's figures: totals, every day of the range, checks by flow."""
    s = await c.storage.stats.stats(days)
    by_day = {d["day"]: d for d in await c.storage.stats.daily(days)}
    today = date.fromtimestamp(c.clock())
    empty = {"questions": 0, "answered": 0, "suggest": 0, "unanswered": 0, "declined": 0, "thumbs_up": 0,
             "thumbs_down": 0, "none_of_these": 0}
    span = [(today - timedelta(days=n)).isoformat() for n in range(min(days, 90) - 1, -1, -1)]
    s["daily"] = [{**empty, **by_day.get(day, {}), "day": day} for day in span]
    s["flows"] = [{**f, "title": c.flow_titles.get(f["flow"], f["flow"])} for f in await c.storage.stats.flow_stats(days)]
    s["queues"] = await c.storage.inbox.review_counts()
    return s


async def open_console(settings: Settings) -> tuple[StaffConsole, Storage]:
    """Open the database (never creating one: only the bot does) and load the catalogue, search and flow titles.

    Raise StorageError or DataError, each one line, when either cannot be used.
    """
    storage = Storage(settings.bot_db_path, create=False)
    await storage.open()
    try:
        data = load_data()
        console = StaffConsole(settings, storage, data.catalogue, data.searcher, console_key(settings.bot_db_path),
                               flow_titles={f.id: f.title for f in data.flows.values()})
        try:
            await storage.purge(settings.bot_retention_days)
        except StorageBusy as exc:  # the running bot purges too; the console starts anyway
            log.warning("could not apply retention now: %s", exc)
    except BaseException:
        await storage.close()
        raise
    return console, storage
