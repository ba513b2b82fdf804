"""Settings from the environment, declared once with defaults and help (see README, Configuration)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "var" / "assistant.sqlite3"


class SettingsError(ValueError):
    """A setting is missing or malformed; str() is one line naming it and the fix."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default, how to read it, and what it is for."""

    name: str
    default: str | None
    help: str
    parse: Callable[[str, str], Any]


def _text(name: str, value: str) -> str:
    return value.strip()


def _optional_url(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name}: {value!r} is not an http(s) URL, e.g. http://127.0.0.1:8081/bot")
    return value


def _token(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", value):
        raise SettingsError(f"{name}: does not look like a bot token (expected 123456:ABC-…, from @BotFather)")
    return value


def _int(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, value: str) -> int:
        try:
            n = int(value.strip())
        except ValueError:
            raise SettingsError(f"{name}: {value!r} is not a whole number") from None
        if not low <= n <= high:
            raise SettingsError(f"{name}: {n} is outside {low}–{high}")
        return n
    return parse


def _ids(name: str, value: str) -> frozenset[int]:
    parts = [p.strip() for p in value.replace("，", ",").split(",") if p.strip()]
    if not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise SettingsError(f"{name}: {value!r} is not a comma-separated list of numeric Telegram user ids, "
                            f"e.g. 12345,67890")
    return frozenset(int(p) for p in parts)


def _date(name: str, value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not a date like 2026-12-31") from None


def _secret(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise SettingsError(f"{name}: use 1–256 characters A–Z, a–z, 0–9, _ or -")
    return value


def _level(name: str, value: str) -> str:
    value = value.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"{name}: {value!r} is not one of DEBUG, INFO, WARNING, ERROR")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("TELEGRAM_BOT_TOKEN", "", "Bot token from @BotFather; when set, `python -m bot` runs the Telegram bot, "
            "otherwise a console chat.", _token),
    Setting("TELEGRAM_API_BASE_URL", "", "Another Bot API server in python-telegram-bot's base_url form, "
            "e.g. http://127.0.0.1:8081/bot (self-hosted or a local test server).", _optional_url),
    Setting("TELEGRAM_WEBHOOK_URL", "", "Public HTTPS URL Telegram posts updates to; when set, webhook mode "
            "instead of long polling.", _optional_url),
    Setting("BOT_WEBHOOK_LISTEN", "0.0.0.0", "Address the webhook server listens on.", _text),
    Setting("BOT_WEBHOOK_PORT", "8443", "Port the webhook server listens on.", _int(1, 65535)),
    Setting("BOT_WEBHOOK_SECRET", "", "Secret token Telegram sends with each webhook update (checked); "
            "default: derived from the bot token.", _secret),
    Setting("BOT_DB_PATH", str(DEFAULT_DB), "SQLite database file (created on first start).", _text),
    Setting("BOT_STAFF_IDS", "", "Comma-separated Telegram user ids of 科协 staff who may use /review, /stats.", _ids),
    Setting("BOT_USER_KEY_SECRET", "", "Secret for the keyed hash that pseudonymises user ids in the log; "
            "default: generated once and kept in the database.", _text),
    Setting("BOT_RETENTION_DAYS", "180", "Days raw question text is kept in the log; counts stay.", _int(1, 3650)),
    Setting("BOT_FLOW_TIMEOUT_MINUTES", "30", "Minutes after which an unfinished eligibility check expires.",
            _int(1, 10080)),
    Setting("BOT_REFERENCE_DATE", "", "Date ages are computed on in eligibility checks (YYYY-MM-DD); "
            "default: 31 December of the current year.", _date),
    Setting("BOT_HOT_DAYS", "30", "Days of traffic /hot looks at.", _int(1, 365)),
    Setting("BOT_HOT_MIN_QUESTIONS", "20", "Questions needed in those days before /start shows hot topics.",
            _int(0, 1_000_000)),
    Setting("BOT_SYNC_SECONDS", "3", "How often a running bot checks the database for aliases taught elsewhere.",
            _int(1, 3600)),
    Setting("BOT_LOG_LEVEL", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.", _level),
)


@dataclass(frozen=True)
class Settings:
    """The parsed settings."""

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    bot_webhook_listen: str = "0.0.0.0"
    bot_webhook_port: int = 8443
    bot_webhook_secret: str | None = None
    bot_db_path: str = str(DEFAULT_DB)
    bot_staff_ids: frozenset[int] = field(default_factory=frozenset)
    bot_user_key_secret: str = ""
    bot_retention_days: int = 180
    bot_flow_timeout_minutes: int = 30
    bot_reference_date: date | None = None
    bot_hot_days: int = 30
    bot_hot_min_questions: int = 20
    bot_sync_seconds: int = 3
    bot_log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every setting from env; raise SettingsError on the first bad one."""
        values = {}
        for s in SETTINGS:
            raw = env.get(s.name)
            values[s.name.lower()] = s.parse(s.name, raw if raw is not None else (s.default or ""))
        settings = cls(**values)
        if settings.telegram_webhook_url and not settings.telegram_bot_token:
            raise SettingsError("TELEGRAM_WEBHOOK_URL: webhook mode also needs TELEGRAM_BOT_TOKEN")
        return settings

    def reference_date(self, today: date) -> date:
        """Return the date eligibility ages are computed on."""
        return self.bot_reference_date or date(today.year, 12, 31)

    def webhook_secret(self) -> str:
        """Return the webhook secret token (derived from the bot token when not set)."""
        if self.bot_webhook_secret:
            return self.bot_webhook_secret
        return hashlib.sha256((self.telegram_bot_token or "").encode()).hexdigest()[:48]

    def is_staff(self, user_id: int) -> bool:
        """Return True for a staff Telegram user id."""
        return user_id in self.bot_staff_ids


def describe() -> str:
    """Return the settings table for --help."""
    return "\n".join(f"  {s.name:<26} {s.help} (default: {s.default or 'unset'})" for s in SETTINGS)
