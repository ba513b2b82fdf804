"""Telegram adapter: python-telegram-bot's Application over the assistant core.

Handlers are thin (read the update, call the core, send the replies). One error handler logs the
traceback and apologises. Updates are handled concurrently; the core serialises each user's own
messages. Sending retries 429 Retry-After, time-outs and network loss; polling recovers by itself;
a second instance polling with the same token stops with one clear message.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
import warnings
from collections import OrderedDict
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from . import texts
from .core import Assistant
from .replies import Reply, Sender
from .settings import Settings

log = logging.getLogger(__name__)

COMMANDS = tuple(name for name, _ in texts.COMMANDS) + ("review", "stats")
SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 60.0


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


def _retry_after(exc: RetryAfter) -> float:
    """Return the wait Telegram asked for, in seconds (an int or a timedelta, by PTB version)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type will become timedelta
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in reply.buttons])


async def deliver(app: Application, chat_id: int, reply: Reply, edit: Message | None = None) -> bool:
    """Send (or edit) one reply, retrying rate limits and network trouble; return True on success."""
    if not reply.html:
        return True
    target = reply.chat_id if reply.chat_id is not None else chat_id
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            if edit is not None and reply.edit and reply.chat_id is None:
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
        except RetryAfter as exc:
            wait = min(_retry_after(exc), MAX_RETRY_AFTER)
            log.warning("Telegram asked to retry after %.1f s (attempt %d)", wait, attempt)
            await asyncio.sleep(wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            log.warning("sending to Telegram failed (%s), attempt %d", exc, attempt)
            await asyncio.sleep(min(0.5 * 2 ** attempt, 8))
        except Forbidden as exc:
            log.info("chat %s cannot be messaged: %s", target, exc)
            return False
    log.error("gave up sending a message to chat %s after %d attempts", target, SEND_ATTEMPTS)
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
        text = msg.text
        if sender.chat_type != ChatType.PRIVATE:
            text = _addressed_text(msg, context.bot.username)
            if text is None:
                return
        await self.send_all(context.application, sender.chat_id, await self.assistant.text(sender, text))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, sender = update.effective_message, self.sender(update)
        if msg is None or sender is None or not msg.text:
            return
        name = msg.text.split()[0][1:].split("@")[0]
        args = " ".join(context.args or [])
        await self.send_all(context.application, sender.chat_id, await self.assistant.command(sender, name, args))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, sender = update.effective_message, self.sender(update)
        if msg is None or sender is None or not msg.text:
            return
        target = msg.text.split()[0].partition("@")[2]
        if target and target.lower() != (context.bot.username or "").lower():
            return  # a command for another bot in a group
        if sender.chat_type != ChatType.PRIVATE and not target:
            return
        await self.send_all(context.application, sender.chat_id,
                            await self.assistant.command(sender, "__unknown__"))

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
        replies = await self.assistant.press(sender, query.data)
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


def build_application(settings: Settings, assistant: Assistant, *, builder: ApplicationBuilder | None = None) -> Application:
    """Return the Application with every handler registered (used by run_telegram and the tests)."""
    builder = builder or Application.builder()
    builder = builder.token(settings.telegram_bot_token or "").concurrent_updates(True)
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
    app = builder.build()
    front = TelegramFrontend(assistant, settings)
    app.bot_data["frontend"] = front
    app.add_handler(TypeHandler(Update, front.drop_duplicates), group=-1)
    new = filters.UpdateType.MESSAGE  # edits and channel posts are not new questions
    app.add_handler(CommandHandler(list(COMMANDS), front.on_command, filters=new))
    app.add_handler(MessageHandler(new & filters.COMMAND, front.on_unknown_command))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, front.on_text))
    app.add_handler(CallbackQueryHandler(front.on_button))
    app.add_handler(MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, front.on_not_text))
    app.add_error_handler(front.on_error)
    return app


async def set_commands(app: Application) -> None:
    """Publish the command menu (failure is logged, not fatal)."""
    try:
        await app.bot.set_my_commands([BotCommand(name, description) for name, description in texts.COMMANDS])
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)


PURGE_EVERY = 3600.0


async def sync_loop(assistant: Assistant, every: float) -> None:
    """Pick up aliases taught from the command line, retry queued writes, apply retention hourly."""
    last_purge = time.monotonic()
    while True:
        await asyncio.sleep(every)
        try:
            await assistant.sync_aliases()
            await assistant.storage.flush()
            if time.monotonic() - last_purge >= PURGE_EVERY:
                last_purge = time.monotonic()
                await assistant.storage.purge(assistant.settings.bot_retention_days)
        except Exception:  # noqa: BLE001 - keep syncing whatever happens
            log.exception("sync with the database failed")


async def serve(settings: Settings, assistant: Assistant, stop: asyncio.Event,
                builder: ApplicationBuilder | None = None) -> int:
    """Run polling or webhook until `stop` is set; return the exit status."""
    app = build_application(settings, assistant, builder=builder)
    status = 0
    conflict = asyncio.Event()

    def polling_error(exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            if not conflict.is_set():
                log.error("another instance is polling with this bot token (Telegram: %s); stopping this one", exc)
                print("error: another instance is already polling with this TELEGRAM_BOT_TOKEN; "
                      "stop it or use webhook mode", flush=True)
            conflict.set()
            stop.set()
        else:
            log.warning("polling for updates failed, retrying: %s", exc)

    try:
        async with app:
            await set_commands(app)
            syncer = asyncio.create_task(sync_loop(assistant, settings.bot_sync_seconds))
            if settings.telegram_webhook_url:
                path = urlsplit(settings.telegram_webhook_url).path.lstrip("/") or "telegram"
                await app.updater.start_webhook(
                    listen=settings.bot_webhook_listen, port=settings.bot_webhook_port, url_path=path,
                    webhook_url=settings.telegram_webhook_url, secret_token=settings.webhook_secret(),
                    allowed_updates=Update.ALL_TYPES)
                log.info("webhook mode on %s:%d/%s", settings.bot_webhook_listen, settings.bot_webhook_port, path)
            else:
                await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, error_callback=polling_error,
                                                timeout=30)
                log.info("long polling started")
            await app.start()
            await stop.wait()
            syncer.cancel()
            await app.updater.stop()
            await app.stop()
    except InvalidToken:
        print("error: TELEGRAM_BOT_TOKEN was rejected by the Bot API (invalid token)", flush=True)
        status = 2
    if conflict.is_set():
        status = 3
    return status


def run_telegram(settings: Settings) -> int:
    """Entry point of `python -m bot` with a token: build everything, serve until a signal."""
    from .app import build_assistant

    async def main() -> int:
        assistant = await build_assistant(settings)
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
            print(f"error: cannot reach the Bot API ({exc}); check TELEGRAM_API_BASE_URL and the network", flush=True)
            return 2
        finally:
            await assistant.storage.close()

    return asyncio.run(main())
