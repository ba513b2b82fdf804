"""The store: the only package with SQL in it (bot/store/storage.py lists its repositories).

It imports nothing from the rest of bot/; the chat, the staff tools and the transports reach the database
only through it.
"""

from .database import ChangeRefused, Database, StorageBusy, StorageError, new_id
from .rows import PURGED, Alias, AuditEntry, LoggedQuery, OutboxMessage, ReviewItem, TaughtRow, Ticket
from .schema import MIGRATIONS, SCHEMA_VERSION
from .storage import Storage

__all__ = ["MIGRATIONS", "PURGED", "SCHEMA_VERSION", "Alias", "AuditEntry", "ChangeRefused", "Database", "LoggedQuery",
           "OutboxMessage", "ReviewItem", "Storage", "StorageBusy", "StorageError", "TaughtRow", "Ticket", "new_id"]
