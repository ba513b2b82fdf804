"""The database schema: each migration moves it one version forward, applied in order at start, each in one
transaction; nothing is ever dropped that holds data."""

from __future__ import annotations

# Each migration moves the schema one version forward; applied in order, each in one transaction.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS queries (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, chat_type TEXT NOT NULL,
            text TEXT, norm TEXT NOT NULL, decision TEXT NOT NULL, hits TEXT NOT NULL DEFAULT '[]',
            shown TEXT)""",
        "CREATE INDEX IF NOT EXISTS queries_ts ON queries (ts)",
        """CREATE TABLE IF NOT EXISTS feedback (
            id TEXT PRIMARY KEY, query_id TEXT NOT NULL, ts REAL NOT NULL, user_key TEXT NOT NULL,
            kind TEXT NOT NULL, UNIQUE (query_id, user_key, kind))""",
        """CREATE TABLE IF NOT EXISTS review_items (
            id TEXT PRIMARY KEY, norm TEXT NOT NULL UNIQUE, sample TEXT, count INTEGER NOT NULL,
            first_seen REAL NOT NULL, last_seen REAL NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
            kinds TEXT NOT NULL DEFAULT '', guesses TEXT NOT NULL DEFAULT '[]', service_id TEXT,
            resolved_at REAL)""",
        """CREATE TABLE IF NOT EXISTS learned_aliases (
            id TEXT PRIMARY KEY, text TEXT NOT NULL, norm TEXT NOT NULL, service_id TEXT NOT NULL,
            created_at REAL NOT NULL, removed_at REAL)""",
        """CREATE TABLE IF NOT EXISTS sessions (
            user_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)""",
    ]),
    (2, [
        "ALTER TABLE queries ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE IF NOT EXISTS flow_events (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, flow_id TEXT NOT NULL,
            event TEXT NOT NULL, verdict TEXT)""",
        "CREATE INDEX IF NOT EXISTS flow_events_ts ON flow_events (ts)",
    ]),
    (3, [
        """CREATE TABLE IF NOT EXISTS tickets (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, user_key TEXT NOT NULL, chat_id INTEGER,
            text TEXT, status TEXT NOT NULL DEFAULT 'open', answer TEXT, answered_at REAL)""",
        "CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status)",
    ]),
    (4, [
        "CREATE INDEX IF NOT EXISTS queries_shown ON queries (shown, ts)",
        "ALTER TABLE tickets ADD COLUMN closed_by TEXT",
    ]),
    (5, [
        # The staff console: review items live in one queue each (unanswered, abandoned suggestion, 👎, 都不是,
        # declined, noise) and are grouped per context (the answer the user had just seen); tickets are no
        # longer copied into the queue (they are their own queue, read from `tickets`).
        """CREATE TABLE review_items_v5 (
            id TEXT PRIMARY KEY, queue TEXT NOT NULL, norm TEXT NOT NULL, context_answer TEXT NOT NULL DEFAULT '',
            sample TEXT, count INTEGER NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', kinds TEXT NOT NULL DEFAULT '', guesses TEXT NOT NULL DEFAULT '[]',
            service_id TEXT, resolved_at REAL, resolved_by TEXT, query_id TEXT,
            UNIQUE (queue, context_answer, norm))""",
        """INSERT INTO review_items_v5 (id, queue, norm, sample, count, first_seen, last_seen, status, kinds, guesses,
            service_id, resolved_at)
           SELECT id, CASE WHEN instr(',' || kinds || ',', ',unanswered,') > 0 THEN 'unanswered'
                           WHEN instr(',' || kinds || ',', ',down,') > 0 THEN 'down'
                           WHEN instr(',' || kinds || ',', ',none,') > 0 THEN 'none' ELSE 'unanswered' END,
                  norm, sample, count, first_seen, last_seen, status,
                  trim(replace(',' || kinds || ',', ',ticket,', ','), ','), guesses, service_id, resolved_at
           FROM review_items WHERE kinds != 'ticket'""",
        "DROP TABLE review_items",
        "ALTER TABLE review_items_v5 RENAME TO review_items",
        "CREATE INDEX IF NOT EXISTS review_items_queue ON review_items (status, queue, last_seen)",
        # What the user had just seen when asking (the previous logged question and its answer), and whether
        # an unanswered suggestion was already moved to the 未选择 queue.
        "ALTER TABLE queries ADD COLUMN ctx_query TEXT",
        "ALTER TABLE queries ADD COLUMN ctx_answer TEXT",
        "ALTER TABLE queries ADD COLUMN swept INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS queries_suggest ON queries (decision, swept, ts)",
        "ALTER TABLE learned_aliases ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE learned_aliases ADD COLUMN removed_by TEXT",
        # Terms (typed → meant) and out-of-scope examples taught by staff.
        """CREATE TABLE IF NOT EXISTS taught (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL, created_by TEXT NOT NULL, removed_at REAL, removed_by TEXT)""",
        # Every staff change: who, what (a readable summary), and what undoing it takes.
        """CREATE TABLE IF NOT EXISTS audit (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, summary TEXT,
            undo TEXT NOT NULL DEFAULT '{}', undoable INTEGER NOT NULL DEFAULT 1, undone_at REAL, undone_by TEXT)""",
        "CREATE INDEX IF NOT EXISTS audit_ts ON audit (ts)",
        # Console sign-in: only hashes of one-time login tokens and of session ids are stored.
        """CREATE TABLE IF NOT EXISTS login_tokens (
            hash TEXT PRIMARY KEY, who TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
            used_at REAL)""",
        """CREATE TABLE IF NOT EXISTS console_sessions (
            hash TEXT PRIMARY KEY, who TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
            ended_at REAL)""",
        # Replies written in the console, delivered by the running bot (which holds the Telegram token).
        """CREATE TABLE IF NOT EXISTS outbox (
            id TEXT PRIMARY KEY, ts REAL NOT NULL, chat_id INTEGER, html TEXT, sent_at REAL)""",
        "INSERT OR IGNORE INTO meta (key, value) SELECT 'taught_version', value FROM meta WHERE key = 'alias_version'",
    ]),
    (6, [
        # Updates handled already (by Telegram's update id) and the replies they got, kept a day: an update
        # delivered again after a crash is answered the same and written down once.
        """CREATE TABLE IF NOT EXISTS handled_updates (
            key TEXT PRIMARY KEY, ts REAL NOT NULL, replies TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS handled_updates_ts ON handled_updates (ts)",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
