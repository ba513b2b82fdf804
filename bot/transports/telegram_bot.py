"""Telegram adapter: python-telegram-bot's Application over the assistant core.

Handlers are thin (read the update, call the core, send the replies); one error handler logs the
traceback and apologises. Updates are handled concurrently; the core serialises each chat's own messages.

Delivery:
- Long polling is our own small loop over `bot.get_updates` + `Application.process_update`, so that an
  update is acknowledged (the next getUpdates offset) only after it was handled: a crash or kill -9
  loses nothing; the updates that were being handled at that moment are delivered again at the next
  start (at least once — such a message may be answered twice).
- Webhook mode runs a small Starlette app: the secret header is checked before the body is read, the
  body is capped, malformed JSON is a 400, and the 200 is sent after the update was handled (Telegram
  retries otherwise).
- Sending goes through python-telegram-bot's AIORateLimiter (flood limits, 429 Retry-After); a send that
  timed out is not repeated (it has often arrived — python-telegram-bot #1045), other network failures
  and 5xx are retried a few times.
- One bot per database (bot/transports/instance.py); a second poller with the same token elsewhere is told apart
  by Telegram's 409 Conflict at start (it stops with one line, exit status 3), while a running bot
  treats a later 409 as transient — the newcomer gives way, not production.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import signal
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Message,
                      MessageEntity, Update)
from telegram.constants import ChatType, ParseMode
from telegram.error import (BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter,
                            TelegramError, TimedOut)
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, ApplicationHandlerStop, CallbackQueryHandler,
                          ContextTypes, MessageHandler, TypeHandler, filters)

from ..app import StartupError, build_assistant, freeze_heap
from ..chat import texts
from ..chat.core import Assistant
from ..chat.replies import Reply, Sender
from ..settings import Settings
from .instance import InstanceLock, InstanceLocked

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
POLL_TIMEOUT = 30
# While updates are in flight a getUpdates returns at once (with them): ask again when one was handled, or
# after this long for new ones.
INFLIGHT_POLL_SECONDS = 0.25
# A getUpdates read may take its long-poll timeout plus this (python-telegram-bot's default read timeout).
READ_ALLOWANCE = 5.0
# A 409 Conflict this soon after start means another instance was polling first: this one gives way.
CONFLICT_GRACE_SECONDS = 20.0
# Telegram updates are a few kilobytes; anything near this is not from Telegram.
MAX_WEBHOOK_BODY = 256 * 1024
PURGE_EVERY = 3600.0

class SecondInstance(RuntimeError):
    """Another instance is polling with this token."""


class Recent:
    """A bounded set of recently seen keys (update ids, button presses), forgotten after `ttl` seconds."""

    def __init__(self, size: int = 10_000, ttl: float = 3600.0) -> None:
        self._items: OrderedDict[Any, float] = OrderedDict()
        self._size = size
        self._ttl = ttl

    def seen(self, key: Any, now: float | None = None) -> bool:
        """Return True if key was seen within ttl; remember it either way."""
        now = time.monotonic() if now is None else now
        while self._items and (len(self._items) > self._size or next(iter(self._items.values())) < now - self._ttl):
            self._items.popitem(last=False)
        if key in self._items and self._items[key] >= now - self._ttl:
            return True
        self._items[key] = now
        self._items.move_to_end(key)
        return False


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in reply.buttons])


def _chat(app: Application, chat_id: int) -> str:
    """Return how the logs name a chat: its keyed hash (a private chat's is its user's key), never its id."""
    front = app.bot_data.get("frontend")
    return front.assistant.chat_label(chat_id) if isinstance(front, TelegramFrontend) else "(unknown)"


async def deliver(app: Application, chat_id: int, reply: Reply, edit: Message | None = None,
                  backoff: float = 0.5) -> bool:
    """Send (or edit) one reply; return True on success.

    Rate limits are the rate limiter's job. A new message that timed out is not sent again (it has
    probably arrived); an edit is idempotent and may be. Other network failures are retried.
    """
    if not reply.html:
        return True
    target = reply.chat_id if reply.chat_id is not None else chat_id
    editing = edit is not None and reply.edit and reply.chat_id is None
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            if editing:
                assert edit is not None
                try:
                    await edit.edit_text(reply.html, parse_mode=ParseMode.HTML, reply_markup=_markup(reply),
                                         disable_web_page_preview=True)
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return True
                    raise
            else:
                await app.bot.send_message(target, reply.html, parse_mode=ParseMode.HTML,
                                           reply_markup=_markup(reply), disable_web_page_preview=True)
            return True
        except TimedOut:
            if not editing:
                log.warning("sending to chat %s timed out; not resending (it has probably arrived)", _chat(app, target))
                return False
            log.warning("editing a message timed out, attempt %d", attempt)
        except RetryAfter:
            log.error("Telegram kept asking to slow down; gave up a message to chat %s", _chat(app, target))
            return False
        except Forbidden as exc:
            log.info("chat %s cannot be messaged: %s", _chat(app, target), exc)
            return False
        except BadRequest:
            raise
        except NetworkError as exc:
            log.warning("sending to Telegram failed (%s), attempt %d", exc, attempt)
        await asyncio.sleep(min(backoff * 2 ** attempt, 8))
    log.error("gave up sending a message to chat %s after %d attempts", _chat(app, target), SEND_ATTEMPTS)
    return False


class TelegramFrontend:
    """The handlers, holding the assistant and what they need to filter updates."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.updates = Recent(size=50_000, ttl=24 * 3600)
        self.presses = Recent(size=10_000, ttl=10)

    def sender(self, update: Update) -> Sender | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        return Sender(user_id=user.id, chat_id=chat.id, chat_type=chat.type, is_staff=self.settings.is_staff(user.id))

    async def send_all(self, app: Application, chat_id: int, replies: list[Reply], edit: Message | None = None) -> None:
        for r in replies:
            await deliver(app, chat_id, r, edit)

    # -- handlers -------------------------------------------------------------------------------

    async def drop_duplicates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle each update once, even when Telegram delivers it twice (webhook retries)."""
        if self.updates.seen(update.update_id):
            log.info("duplicate update %s ignored", update.update_id)
            raise ApplicationHandlerStop

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, sender = update.effective_message, self.sender(update)
        if msg is None or sender is None or msg.text is None:
            return
        text = msg.text if sender.chat_type == ChatType.PRIVATE else _addressed_text(msg, context.bot.username)
        if text is None:
            return  # a group message that does not mention the bot
        await self.send_all(context.application, sender.chat_id,
                            await self.assistant.text(sender, text, update=_key(update)))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, sender = update.effective_message, self.sender(update)
        if msg is None or sender is None or not msg.text:
            return
        head = msg.text.split()[0]
        name, _, target = head[1:].partition("@")
        if target and target.lower() != (context.bot.username or "").lower():
            return  # a command for another bot in a group
        if sender.chat_type != ChatType.PRIVATE and not target and self.assistant.router.command(name) is None:
            return  # an unknown command in a group, not addressed to us
        args = msg.text[len(head):].strip()
        await self.send_all(context.application, sender.chat_id,
                            await self.assistant.command(sender, name, args, update=_key(update)))

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, sender = update.effective_message, self.sender(update)
        if msg is None or sender is None or sender.chat_type != ChatType.PRIVATE:
            return
        await deliver(context.application, sender.chat_id, Reply(texts.NOT_TEXT))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, sender = update.callback_query, self.sender(update)
        if query is None or sender is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        press_key = (sender.chat_id, message.message_id if message else None, query.data, sender.user_id)
        if self.presses.seen(press_key):
            await _answer(query, "")
            return
        replies = await self.assistant.press(sender, query.data, update=_key(update))
        notice = next((r.notice for r in replies if r.notice), "")
        await _answer(query, notice)
        await self.send_all(context.application, sender.chat_id, replies, edit=message)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update):
            if update.callback_query is not None:
                await _answer(update.callback_query, texts.ERROR_APOLOGY)
            chat = update.effective_chat
            if chat is not None:
                try:
                    await context.bot.send_message(chat.id, texts.ERROR_APOLOGY)
                except TelegramError:
                    log.warning("could not send the apology either")


def _key(update: Update) -> str:
    """Return the key under which the core remembers an update it handled (Telegram may deliver it again)."""
    return f"tg:{update.update_id}"


async def _answer(query: Any, text: str) -> None:
    """Answer a callback query (always, so the client stops its spinner); failures are logged only."""
    try:
        await query.answer(text[:200] or None)
    except TelegramError as exc:
        log.info("answering a callback query failed: %s", exc)


def _addressed_text(msg: Message, username: str | None) -> str | None:
    """Return the text of a group message that mentions the bot (mention removed), else None."""
    if not username or not msg.text:
        return None
    if msg.reply_to_message is not None and msg.reply_to_message.from_user is not None \
            and msg.reply_to_message.from_user.username == username:
        return msg.text
    for entity, value in msg.parse_entities([MessageEntity.MENTION]).items():
        if value.lstrip("@").lower() == username.lower():
            return (msg.text[: entity.offset] + msg.text[entity.offset + entity.length:]).strip()
    return None


def build_application(settings: Settings, assistant: Assistant, *, builder: ApplicationBuilder | None = None,
                      rate_limits: bool = True) -> Application:
    """Return the Application with every handler registered (used by serve and the tests).

    `rate_limits` off drops Telegram's flood limits (30 messages a second overall, 1 a second per chat):
    only for measuring the bot's own work (benchmarks/bot_load.py), never against Telegram.
    """
    builder = builder or Application.builder()
    builder = builder.token(settings.telegram_bot_token or "").concurrent_updates(True).updater(None)
    if rate_limits:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
    app = builder.build()
    front = TelegramFrontend(assistant, settings)
    app.bot_data["frontend"] = front
    app.add_handler(TypeHandler(Update, front.drop_duplicates), group=-1)
    new = filters.UpdateType.MESSAGE  # edits and channel posts are not new questions
    app.add_handler(MessageHandler(new & filters.COMMAND, front.on_command))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, front.on_text))
    app.add_handler(CallbackQueryHandler(front.on_button))
    app.add_handler(MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, front.on_not_text))
    app.add_error_handler(front.on_error)
    return app


async def set_commands(app: Application, assistant: Assistant, settings: Settings) -> None:
    """Publish the command menu from the route table; staff also see theirs (failure is logged, not fatal)."""
    public = [BotCommand(name, description) for name, description in assistant.router.menu()]
    staff = public + [BotCommand(name, description) for name, description in assistant.router.menu(staff=True)]
    try:
        await app.bot.set_my_commands(public)
        for user_id in settings.bot_staff_ids:
            await app.bot.set_my_commands(staff, scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)


async def deliver_outbox(app: Application, assistant: Assistant) -> int:
    """Send the replies staff wrote in the console (each once); return how many were handled."""
    messages = await assistant.storage.tickets.outbox()
    for m in messages:
        if not await deliver(app, m.chat_id, Reply(m.html)):
            log.warning("a console reply could not be delivered to its chat; dropped")
        await assistant.storage.tickets.outbox_done(m.id)
    return len(messages)


async def sync_loop(assistant: Assistant, every: float, app: Application | None = None) -> None:
    """Pick up what staff taught elsewhere, deliver console replies, retry queued writes, apply retention hourly."""
    last_purge = time.monotonic()
    while True:
        await asyncio.sleep(every)
        try:
            await assistant.sync_taught()
            if app is not None:
                await deliver_outbox(app, assistant)
            await assistant.storage.flush()
            if time.monotonic() - last_purge >= PURGE_EVERY:
                last_purge = time.monotonic()
                await assistant.storage.purge(assistant.settings.bot_retention_days)
                await assistant.storage.inbox.sweep_abandoned(assistant.settings.bot_abandoned_minutes)
        except Exception:  # noqa: BLE001 - keep syncing whatever happens
            log.exception("sync with the database failed")


async def _fetch(app: Application, offset: int | None, timeout: int) -> list[dict[str, Any]]:
    """Return the updates from `offset` on as Telegram sent them (JSON objects, not yet parsed).

    This is `Bot.get_updates` without its parsing (python-telegram-bot's own request path, `_post`, which its
    get_updates calls too): its get_updates parses every update of a batch, again for each update still in
    flight, and fails the whole batch — never acknowledging it — when it cannot read one.
    """
    data = {"offset": offset, "timeout": timeout, "allowed_updates": Update.ALL_TYPES}
    # getUpdates answers within `timeout` seconds; the read may take that long, plus the usual allowance.
    result = await app.bot._post("getUpdates", data, read_timeout=timeout + READ_ALLOWANCE)
    return [u for u in result if isinstance(u, dict) and isinstance(u.get("update_id"), int)] \
        if isinstance(result, list) else []


def parse_update(app: Application, raw: dict[str, Any]) -> Update | None:
    """Return the update, or None (logged once, without its content) when the library cannot read it."""
    try:
        update = Update.de_json(raw, app.bot)
        app.bot.insert_callback_data(update)
        return update
    except Exception as exc:  # noqa: BLE001 - whatever the library raises for a shape it does not know
        log.error("update %s cannot be read by python-telegram-bot (%s: %s; fields %s): skipped and acknowledged",
                  raw.get("update_id"), type(exc).__name__, str(exc)[:200], sorted(raw)[:10])
        return None


async def poll(app: Application, stop: asyncio.Event, grace: float = CONFLICT_GRACE_SECONDS) -> None:
    """Fetch and handle updates until `stop`; acknowledge an update only once it and all before it were handled.

    Updates are handled concurrently as they arrive. Telegram's offset confirms every update below it,
    so while some update is still being handled the offset stays at it and getUpdates returns it again
    at once: such a poll cannot wait for new updates. So while anything is in flight the loop asks again
    only once some handling finished (one getUpdates for all that finished meanwhile), or after
    INFLIGHT_POLL_SECONDS for new updates; what it gets back is JSON, and only updates not seen before
    are parsed and handled — an update in flight is neither parsed nor handled twice.
    """
    started = time.monotonic()
    inflight: dict[int, asyncio.Task[None]] = {}
    finished = asyncio.Event()  # something in flight was handled since the last getUpdates
    next_id: int | None = None
    failures = 0

    def done(update_id: int, _task: object = None) -> None:
        inflight.pop(update_id, None)
        finished.set()

    while not stop.is_set():
        if inflight and not finished.is_set():
            await _first(finished.wait(), stop.wait(), timeout=INFLIGHT_POLL_SECONDS)
            if stop.is_set():
                break
        finished.clear()
        offset = min(inflight) if inflight else next_id
        fetch = asyncio.ensure_future(_fetch(app, offset, 0 if inflight else POLL_TIMEOUT))
        if not await _first(fetch, stop.wait()):
            fetch.cancel()  # not acknowledged: Telegram delivers these again next time
            break
        try:
            raw = fetch.result()
        except Conflict as exc:
            if time.monotonic() - started < grace:
                raise SecondInstance(str(exc)) from None
            log.warning("Telegram reports another getUpdates with this token (%s); still polling", exc)
            await asyncio.sleep(1.0)
            continue
        except TimedOut:
            continue
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(min(wait if isinstance(wait, (int, float)) else wait.total_seconds(), 60.0))
            continue
        except InvalidToken:
            raise
        except NetworkError as exc:
            failures += 1
            wait = min(0.2 * 2 ** failures, 30.0)
            log.warning("polling for updates failed (%s); retrying in %.1f s", exc, wait)
            await asyncio.sleep(wait)
            continue
        failures = 0
        for data in raw:
            update_id = data["update_id"]
            if next_id is not None and update_id < next_id:
                continue  # in flight, or handled: parsed once already
            next_id = update_id + 1
            # One the library cannot read is logged and acknowledged with the rest: a poison update must not
            # stop the bot, nor come back at each start.
            update = parse_update(app, data)
            if update is None:
                continue
            task = asyncio.create_task(app.process_update(update))
            inflight[update_id] = task
            task.add_done_callback(functools.partial(done, update_id))
    if inflight:  # a graceful stop finishes what it started
        await asyncio.gather(*inflight.values(), return_exceptions=True)
    if next_id is not None:
        try:  # acknowledge what was handled, so that a clean stop leaves nothing to redo
            await _fetch(app, next_id, 0)
        except TelegramError:
            pass


async def _first(*waits: Any, timeout: float | None = None) -> bool:
    """Wait until the first of `waits` (coroutines or futures) is done, or `timeout`; return whether the first
    one given is done. The others are cancelled, unless the first one given is not done (it is the caller's)."""
    first = asyncio.ensure_future(waits[0])
    others = [asyncio.ensure_future(w) for w in waits[1:]]
    await asyncio.wait([first, *others], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for w in others:
        w.cancel()
    if not first.done() and not asyncio.isfuture(waits[0]):
        first.cancel()
    return first.done()


def webhook_app(app: Application, secret: str, path: str) -> Any:
    """Return the Starlette app that receives Telegram's webhook posts."""
    async def receive(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)  # refused before a byte of the body is read
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_WEBHOOK_BODY):
            return Response(status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_WEBHOOK_BODY:
                return Response(status_code=413)
        try:
            data = json.loads(body)
            json.dumps(data, ensure_ascii=False).encode()  # lone surrogates: not from Telegram
        except (ValueError, RecursionError):  # malformed, too deeply nested, or not UTF-8 (UnicodeError)
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        update = parse_update(app, data)
        if update is not None:  # one the library cannot read is logged and acknowledged, never retried
            await app.process_update(update)
        return Response()

    return Starlette(routes=[Route("/" + path, receive, methods=["POST"])])


async def serve(settings: Settings, assistant: Assistant, stop: asyncio.Event,
                builder: ApplicationBuilder | None = None, grace: float = CONFLICT_GRACE_SECONDS,
                rate_limits: bool = True) -> int:
    """Run polling or webhook until `stop` is set; return the exit status."""
    app = build_application(settings, assistant, builder=builder, rate_limits=rate_limits)
    status = 0
    try:
        async with app:
            await set_commands(app, assistant, settings)
            syncer = asyncio.create_task(sync_loop(assistant, settings.bot_sync_seconds, app))
            await app.start()
            try:
                if settings.telegram_webhook_url:
                    await _serve_webhook(app, settings, stop)
                else:
                    await app.bot.delete_webhook()
                    log.info("long polling started")
                    await poll(app, stop, grace)
            finally:
                syncer.cancel()
                await app.stop()
    except InvalidToken:
        print("error: TELEGRAM_BOT_TOKEN was rejected by the Bot API (invalid token)", flush=True)
        status = 2
    except SecondInstance as exc:
        log.error("another instance is polling with this bot token (Telegram: %s); stopping this one", exc)
        print("error: another instance is already polling with this TELEGRAM_BOT_TOKEN; stop it or use webhook "
              "mode", flush=True)
        status = 3
    return status


def _webhook_server_class() -> type:
    class Server(uvicorn.Server):
        """uvicorn's server, leaving SIGTERM and SIGINT to the bot's own handlers (they stop polling too)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server


async def _serve_webhook(app: Application, settings: Settings, stop: asyncio.Event) -> None:
    url = settings.telegram_webhook_url or ""
    path = urlsplit(url).path.lstrip("/") or "telegram"
    await app.bot.set_webhook(url, secret_token=settings.webhook_secret(), allowed_updates=Update.ALL_TYPES)
    config = uvicorn.Config(webhook_app(app, settings.webhook_secret(), path), host=settings.bot_webhook_listen,
                            port=settings.bot_webhook_port, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=10)
    server = _webhook_server_class()(config)
    task = asyncio.create_task(server.serve())
    log.info("webhook mode on %s:%d/%s", settings.bot_webhook_listen, settings.bot_webhook_port, path)
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopper.cancel()
    await task


def run_telegram(settings: Settings) -> int:
    """Entry point of `python -m bot` with a token: build everything, serve until a signal."""
    async def main() -> int:
        lock = InstanceLock(settings.bot_db_path)
        try:
            lock.acquire()
        except InstanceLocked as exc:
            raise StartupError(str(exc)) from None
        except OSError as exc:
            raise StartupError(f"BOT_DB_PATH {settings.bot_db_path}: cannot create the lock file "
                               f"({exc.strerror or exc})") from None
        try:
            assistant = await build_assistant(settings)
            freeze_heap()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, stop.set)
                except (NotImplementedError, RuntimeError):
                    pass
            try:
                return await serve(settings, assistant, stop)
            except NetworkError as exc:
                print(f"error: cannot reach the Bot API ({exc}); check TELEGRAM_API_BASE_URL and the network",
                      flush=True)
                return 2
            finally:
                left = await assistant.storage.close()
                if left:
                    print(f"error: {left} log rows could not be written to BOT_DB_PATH {settings.bot_db_path}",
                          flush=True)
        finally:
            lock.release()

    return asyncio.run(main())
