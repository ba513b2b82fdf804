"""The floor of the bot load benchmark: a minimal python-telegram-bot bot, as anyone would write it.

One MessageHandler replies to every text with a fixed 300-character HTML text and four buttons; no
database, no search. It polls with python-telegram-bot's own Updater (which acknowledges each update as
soon as it is fetched) and handles updates concurrently, with Telegram's flood limits off — the same
Application, HTTP client and update handling as the project's bot, and nothing else. What the project's
bot costs beyond it is the assistant's own work and the guarantees of its polling.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters

# 300 characters of HTML, like a short answer card: a bold title, a few lines, a phone number.
_LINE = "这是一段固定的回复，用来衡量最简单的机器人每条消息需要多少处理时间。"
REPLY = "<b>科创服务助手</b>\n" + (_LINE * 8)[:268] + "\n联系电话：022-00000000"
BUTTONS = InlineKeyboardMarkup([[InlineKeyboardButton("申请条件", callback_data="a"),
                                  InlineKeyboardButton("办理方式", callback_data="b")],
                                 [InlineKeyboardButton("联系方式", callback_data="c"),
                                  InlineKeyboardButton("👍", callback_data="d")]])


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text with the fixed card."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, REPLY, parse_mode=ParseMode.HTML, reply_markup=BUTTONS,
                                       disable_web_page_preview=True)


def floor_application(token: str, base_url: str) -> Application:
    """Return the minimal bot's Application (start it, then `app.updater.start_polling()`)."""
    app = Application.builder().token(token).base_url(base_url).concurrent_updates(True).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, reply))
    return app
