"""The chat: everything a user meets, transport-neutral — text, a button or a command in, replies out.

    core.py       Assistant (identities, sessions, locks, rate limits, one transaction per exchange) and the
                  Exchange being handled; imports no handler
    routes.py     the route table: every command, button and awaited input, declared by its handler; button
                  data built and parsed by route code
    session.py    per-chat state;  replies.py  what the core returns;  texts.py, render.py  words and HTML
    dialogue.py   where a typed message goes (awaited input, a running check, a follow-up staff taught for the
                  answer just shown, a question) and the hand-off
    answers.py    the search's decision as a reply, the cards' buttons, /start /help /hot
    followups.py  turns about the last answer;  leads.py  the sentence that answers (清单原文)
    checks.py     eligibility checks and the service finder;  stated.py  what a stated age rules out
    browse.py     browsing and the directory;  views.py  cards and their buttons
    record.py     the question log, feedback, and which staff queue a question enters
    taught.py     what staff taught, read for the searcher, and the follow-ups taught in their context

May import retrieval/, conversations/, bot/store/ and bot/settings.py — never bot/staff/ or a transport.
Handlers never import each other to draw a button: a button names its route by code.
"""
