"""The staff tools: everything staff meet, over the same database as the running bot.

    commands.py  Telegram staff commands (/review, /stats, /admin and their buttons), routes of the chat's table
    web.py       the console app (routes); console.py  its state and what it shows; http.py  sessions, CSRF,
                 headers, refusals; pages.py  pages and sign-in; api.py  the JSON API
    cli.py       python -m bot.review
    inbox.py     the queues, near-duplicate groups, follow-up pairs;  changes.py  every staff change (audited,
                 undoable);  signin.py  login links, cookies, CSRF;  export.py  CSV;  charts.py  SVG charts

May import retrieval/, conversations/, bot/store/, bot/settings.py and bot/chat/ (what the assistant answers,
its words and its route table) — never a transport; the chat never imports the staff tools.
"""
