"""The transports: the same core over Telegram (python-telegram-bot: polling, webhook, the one-bot lock)
and as a console chat (typed or piped).

May import bot/chat/ (the core and its replies), bot/settings.py and bot/app.py (which builds the assistant);
never the staff tools or the store directly.
"""
