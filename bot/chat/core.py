"""The assistant core, shared by the console and Telegram: text, a button press or a command in, replies out.

Every button, command and awaited input is a route (bot/chat/routes.py) declared by its handler in the
chat's modules (dialogue, answers, checks, browse) and bot/staff/commands.py; this module imports none of
them. It owns what all of them share: the `Exchange` being handled (who, their session, the replies being
built), identities, per-chat sessions and locks, per-user rate limits, the one transaction each exchange
writes in (with the update it answered, so that a re-delivered update is written down once), the staff-taught
knowledge a running bot picks up from the database, and the worker thread long questions are searched in, so
that the event loop stays free for every other chat.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from conversations.finder import Finder
from conversations.model import Flow
from retrieval.model import Catalogue
from retrieval.policies import Passage, PolicyDocument
from retrieval.search import Searcher, SearchResult

from ..settings import Settings
from ..store import Storage
from ..store.keys import user_key, user_key_secret
from . import texts
from .replies import Button, Replies, Reply, Sender
from .routes import APPENDIX_CODES, Bindings, Router, routes
from .session import Session
from .taught import FollowUps, read_followups, read_taught

log = logging.getLogger(__name__)


class RateLimiter:
    """A token bucket per key: `burst` messages at once, then `per_minute` on average.

    A refused key is told so at most once per `notice_every` seconds, however it goes on sending.
    """

    def __init__(self, burst: int, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 notice_every: float = 60.0) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.notice_every = notice_every
        self._buckets: OrderedDict[str, tuple[float, float, float]] = OrderedDict()

    def take(self, key: str) -> tuple[bool, bool]:
        """Spend one token; return (allowed, whether to tell the sender they were refused)."""
        now = self.clock()
        tokens, at, noticed = self._buckets.pop(key, (self.burst, now, float("-inf")))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now, noticed)
            allowed, tell = True, False
        else:
            tell = now - noticed >= self.notice_every
            self._buckets[key] = (tokens, now, now if tell else noticed)
            allowed = False
        while len(self._buckets) > 50_000:
            self._buckets.popitem(last=False)
        return allowed, tell


# A typed question longer than this is searched in a worker thread (its search may take a tenth of a second
# of CPU, during which the event loop — every other chat — would wait); a shorter one, what people ask, costs
# a few milliseconds and is searched where it is asked, sparing the hand-over between threads.
SHORT_QUESTION = 40
AHEAD_KEPT = 64


class Prefetching(Searcher):
    """The searcher, sharing every part of the one it wraps, with the results of the last questions worked out
    ahead in a worker thread (`work_out`): the answer path's `search` of such a question is a look-up."""

    def __init__(self, searcher: Searcher) -> None:
        self.__dict__.update(vars(searcher))
        self.wrapped = searcher
        self._ahead: OrderedDict[str, SearchResult] = OrderedDict()
        self._ahead_lock = threading.Lock()

    def search(self, question: str) -> SearchResult:
        """Return the result worked out ahead for this question, or search now."""
        with self._ahead_lock:
            found = self._ahead.get(question)
        return found if found is not None else super().search(question)

    def work_out(self, question: str) -> None:
        """Search a question (in a worker thread) and keep the result for `search`."""
        result = super().search(question)
        with self._ahead_lock:
            self._ahead[question] = result
            while len(self._ahead) > AHEAD_KEPT:
                self._ahead.popitem(last=False)


def _work_out(searcher: Prefetching, text: str) -> None:
    """In the worker: search, then rest as long as the search took, so that a flood of long questions takes
    at most half of the interpreter (the GIL) from the event loop and the short questions it runs."""
    start = time.thread_time()
    searcher.work_out(text)
    time.sleep(min(time.thread_time() - start, 1.0))


@dataclass
class Exchange:
    """One incoming message or press being handled: who, their session, and the replies being built."""

    a: Assistant
    sender: Sender
    key: str
    session: Session
    out: Replies = field(default_factory=Replies)

    def button(self, label: str, code: str, *args: str) -> Button:
        """Return a button that calls the route `code` with `args` when pressed."""
        return Button(label, self.a.router.encode(code, *args))


class Assistant:
    """Transport-neutral assistant: `text`, `press` and `command` return the replies to send."""

    def passage(self, key: str) -> tuple[PolicyDocument | None, Passage | None]:
        """Return the policy document and passage of a key "<document>/<passage>" (None, None otherwise)."""
        document_id, _, passage_id = key.partition("/")
        doc = next((d for d in self.documents if d.id == document_id), None) if passage_id else None
        return doc, doc.passage(passage_id) if doc is not None else None

    def __init__(self, catalogue: Catalogue, searcher: Searcher, flows: dict[str, Flow], finder: Finder,
                 storage: Storage, settings: Settings, *, clock: Callable[[], float] = time.time,
                 today: Callable[[], date] = date.today, secret: str = "") -> None:
        self.catalogue = catalogue
        self._searcher = Prefetching(searcher)
        self.base_searcher = searcher
        self.search_off_loop = True  # off only to measure the difference (benchmarks/loop_latency.py)
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="search")
        self.flows = flows
        self.flows_by_service = {f.service: f for f in flows.values()}
        self.finder = finder
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.today = today
        self.switchboard = catalogue.organisation("tast").contact.phones[0]
        self.documents = searcher.parts.policy.documents if searcher.parts.policy is not None else ()
        self.router: Router = routes.bind(Bindings(
            services=list(catalogue.by_id),
            answers=list(catalogue.by_id) + list(APPENDIX_CODES.values()),
            flows=list(flows) + ["finder"],
            parts=[str(n) for n, _, _ in catalogue.parts()],
            tags=[t for group in catalogue.tags.values() for t in group],
            documents=[d.id for d in self.documents],
            passages=[f"{d.id}/{p.id}" for d in self.documents for p in d.passages],
        ))
        self._secret = secret or settings.bot_user_key_secret or ""
        self._locks: dict[str, asyncio.Lock] = {}
        self._taught_version = -1
        self.followups: FollowUps = {}  # follow-ups staff taught in their context (bot/chat/taught.py)
        self.limiter = RateLimiter(settings.bot_user_burst, settings.bot_user_per_minute)

    @property
    def searcher(self) -> Searcher:
        """The current searcher (what staff taught included)."""
        return self._searcher

    @searcher.setter
    def searcher(self, searcher: Searcher) -> None:
        self._searcher = searcher if isinstance(searcher, Prefetching) else Prefetching(searcher)

    async def search_ahead(self, text: str) -> None:
        """Search a long typed question in the worker thread, so that the event loop — every other chat — is
        free meanwhile (a long random message costs a tenth of a second of search); the answer path's search of
        the same text then finds the result. Long questions wait for each other there, never short ones."""
        if self.search_off_loop and len(text) > SHORT_QUESTION:
            await asyncio.get_running_loop().run_in_executor(self._worker, _work_out, self._searcher, text)

    async def start(self) -> None:
        """Load what the database holds: the user-key secret and what staff taught; apply retention."""
        if not self._secret:
            self._secret = await user_key_secret(self.settings.bot_user_key_secret, self.storage)
        await self.storage.purge(self.settings.bot_retention_days)
        await self.sync_taught()

    # -- identities, locks, sessions ------------------------------------------------------------

    def key(self, sender: Sender) -> str:
        """Return the pseudonymous key of the sender (the same in every chat)."""
        return user_key(self._secret or "unset", sender.user_id)

    def chat_label(self, chat_id: int) -> str:
        """Return how logs name a chat: the start of its keyed hash (a private chat's is its user's key)."""
        return user_key(self._secret or "unset", chat_id)[:8]

    def session_key(self, sender: Sender) -> str:
        """Return the key of the sender's session in this chat (private chats keep the user key)."""
        if sender.chat_id == sender.user_id or sender.chat_type in ("private", "console"):
            return self.key(sender)
        return user_key(self._secret or "unset", f"{sender.user_id}@{sender.chat_id}")

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) > 10_000:  # forget idle locks now and then
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def _allowed(self, key: str, sender: Sender) -> tuple[bool, bool]:
        if sender.chat_type == "console":  # one local user at a keyboard, or a piped file: never throttled
            return True, False
        allowed, first = self.limiter.take(key)
        if first:
            log.info("user %s is sending too fast; replies paused", key[:8])
        return allowed, first

    async def _turn(self, sender: Sender, body: Callable[[Exchange], object], update: str | None = None
                    ) -> list[Reply]:
        """Run one exchange under the chat's lock, in one database transaction with the session it changes.

        `update` (the transport's id of the update, when it may deliver one again) is written in that
        transaction with the replies: an update handled before a crash gets the same replies again and
        writes nothing twice.
        """
        skey = self.session_key(sender)
        async with self._lock(skey):
            if update is not None:
                done = await self.storage.handled.replies(update)
                if done is not None:
                    log.info("update %s was handled before; its replies are sent again, nothing written twice",
                             update)
                    return [Reply.from_json(r) for r in done]
            saved = await self.storage.sessions.load(skey)
            turn = Exchange(self, sender, self.key(sender), Session.from_json(saved))
            async with self.storage.batch():
                await body(turn)  # type: ignore[misc]
                await self.storage.sessions.save(skey, turn.session.to_json())
                if update is not None:
                    await self.storage.handled.remember(update, [r.to_json() for r in turn.out.items])
            return turn.out.items

    # -- entry points ---------------------------------------------------------------------------

    async def text(self, sender: Sender, text: str, update: str | None = None) -> list[Reply]:
        """Handle a text message (`update`: see `_turn`)."""
        allowed, first = self._allowed(self.key(sender), sender)
        if not allowed:
            return [Reply(texts.SLOW_DOWN)] if first else []
        on_text = self.router.text()
        return await self._turn(sender, lambda t: on_text(t, text), update)

    async def press(self, sender: Sender, data: str | None, update: str | None = None) -> list[Reply]:
        """Handle a button press (its callback data; `update`: see `_turn`)."""
        parsed = self.router.decode(data)
        if parsed is None:
            return [Reply("", notice=texts.STALE_BUTTON)]
        route, args = parsed
        if route.staff and not self.staff_here(sender):
            return [Reply("", notice=texts.STAFF_ONLY if not sender.is_staff else texts.STAFF_PRIVATE_ONLY)]
        allowed, _ = self._allowed(self.key(sender), sender)
        if not allowed:
            return [Reply("", notice=texts.SLOW_DOWN)]
        replies = await self._turn(sender, lambda t: route.handler(t, *args), update)
        return replies or [Reply("", notice="")]

    async def command(self, sender: Sender, name: str, args: str = "", update: str | None = None) -> list[Reply]:
        """Handle a /command (`update`: see `_turn`)."""
        allowed, first = self._allowed(self.key(sender), sender)
        if not allowed:
            return [Reply(texts.SLOW_DOWN)] if first else []
        route = self.router.command(name)
        if route is None:
            return [Reply(texts.unknown_command(self.router.menu()))]
        if route.staff and not self.staff_here(sender):
            return [Reply(texts.STAFF_ONLY if not sender.is_staff else texts.STAFF_PRIVATE_ONLY)]
        return await self._turn(sender, lambda t: route.handler(t, args.strip()), update)

    def staff_here(self, sender: Sender) -> bool:
        """Staff tools show citizens' questions: only to staff, and only in a private chat."""
        return sender.is_staff and sender.chat_type in ("private", "console")

    async def sync_taught(self) -> bool:
        """Reload what staff taught (aliases, terms, out-of-scope examples, follow-ups in context) when it changed;
        True if reloaded."""
        try:
            version = await self.storage.taught.version()
            if version == self._taught_version:
                return False
            taught = await read_taught(self.storage)
            followups = await read_followups(self.storage, self.base_searcher.parts.followup)
        except Exception:  # noqa: BLE001 - a broken database must not stop answering
            log.exception("could not read what staff taught")
            return False
        # Always built from the searcher made at start, so that an undo restores the exact previous answers;
        # with nothing taught it is that searcher itself (a searcher is a pure function of its parts and what
        # was taught; sharing it keeps its typo corrector, which is built once, on first use).
        self.searcher = (self.base_searcher if taught == self.base_searcher.taught
                         else self.base_searcher.with_taught(taught))
        self.followups = followups
        self._taught_version = version
        log.info("loaded %d aliases, %d terms, %d out-of-scope examples (version %d)",
                 sum(len(v) for v in taught.aliases.values()), len(taught.terms), len(taught.out_of_scope), version)
        return True
