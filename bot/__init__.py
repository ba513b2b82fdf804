"""科创服务助手: the assistant around retrieval/ and conversations/, in four rooms and a few entry points.

    bot/chat/        the conversation: core, route table, dialogue and handlers, cards   (retrieval, conversations,
                     store, settings)
    bot/staff/       staff tools: Telegram staff commands, the web console (pages, API), the review CLI, inbox,
                     changes, export, charts, sign-in                                     (the same, and chat)
    bot/transports/  Telegram and the console chat over the core                          (chat, settings, app)
    bot/store/       the SQLite database and one repository per domain; all SQL           (nothing of bot/)

    bot/settings.py  every setting, declared once                                         (nothing of bot/)
    bot/app.py       builds the assistant and imports the handler modules (declaring their routes)
    bot/__main__.py  python -m bot;  bot/evaluate.py  python -m bot.evaluate;  bot/review.py  python -m bot.review

In brackets, what each room may import besides itself; tests/test_structure.py checks it, and that no
module imports another in a circle.
"""
