"""The store: the SQLite database and a repository per domain — the only package with SQL in it.

    database.py  the connection, migrations (schema.py), batches, writes kept in memory while refused
    storage.py   Storage: the database and its repositories, opened and closed together; retention
    queries.py   the query log, feedback, check events      inbox.py    the review queue
    taught.py    aliases, terms, out-of-scope examples; every staff change and its undo (audit.py)
    tickets.py   messages for staff and the outbox           signin.py   console login tokens and sessions
    sessions.py  per-chat sessions (read-your-writes)        stats.py    figures and export rows
    handled.py   updates handled, with their replies (an update delivered again is written down once)
    rows.py      the typed rows returned                     keys.py     the keys kept beside the database

Imports nothing else of bot/ (nor retrieval/ or conversations/): the chat, the staff tools and the transports
reach the database only through it.
"""

from .database import ChangeRefused, Database, StorageBusy, StorageError, new_id
from .rows import PURGED, Alias, AuditEntry, LoggedQuery, OutboxMessage, ReviewItem, TaughtRow, Ticket
from .schema import MIGRATIONS, SCHEMA_VERSION
from .storage import Storage

__all__ = ["MIGRATIONS", "PURGED", "SCHEMA_VERSION", "Alias", "AuditEntry", "ChangeRefused", "Database", "LoggedQuery",
           "OutboxMessage", "ReviewItem", "Storage", "StorageBusy", "StorageError", "TaughtRow", "Ticket", "new_id"]
