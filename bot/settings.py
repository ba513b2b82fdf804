"""Settings from the environment, each declared once: default, parser and help (see README, Configuration)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "var" / "assistant.sqlite3"


class SettingsError(ValueError):
    """A setting is missing or malformed; str() is one line naming it and the fix."""


def _text(name: str, value: str) -> str:
    return value.strip()


def _optional_text(name: str, value: str) -> str | None:
    return value.strip() or None


def _optional_url(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name}: {value!r} is not an http(s) URL, e.g. http://127.0.0.1:8081/bot")
    return value


def _https_url(name: str, value: str) -> str | None:
    url = _optional_url(name, value)
    if url and urlsplit(url).scheme != "https":
        raise SettingsError(f"{name}: {value!r} must be an https:// URL (Telegram only posts to HTTPS)")
    return url


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


def setting(default: str, parse: Callable[[str, str], Any], help: str) -> Any:
    """Declare one environment setting: its default as the environment would spell it, its parser, its help."""
    return field(default=parse("default", default), metadata={"env": default, "parse": parse, "help": help})


@dataclass(frozen=True)
class Settings:
    """The parsed settings; each field is the environment variable of the same name in upper case."""

    telegram_bot_token: str | None = setting(
        "", _token, "Bot token from @BotFather; when set, `python -m bot` runs the Telegram bot, otherwise a "
        "console chat.")
    telegram_api_base_url: str | None = setting(
        "", _optional_url, "Another Bot API server in python-telegram-bot's base_url form, e.g. "
        "http://127.0.0.1:8081/bot (self-hosted or a local test server).")
    telegram_webhook_url: str | None = setting(
        "", _https_url, "Public HTTPS URL Telegram posts updates to; when set, webhook mode instead of long polling.")
    bot_webhook_listen: str = setting(
        "127.0.0.1", _text, "Address the webhook server listens on (behind the HTTPS reverse proxy).")
    bot_webhook_port: int = setting("8443", _int(1, 65535), "Port the webhook server listens on.")
    bot_webhook_secret: str | None = setting(
        "", _secret, "Secret token Telegram sends with each webhook update (checked); default: derived from the "
        "bot token.")
    bot_db_path: str = setting(str(DEFAULT_DB), _text, "SQLite database file (created on first start).")
    bot_staff_ids: frozenset[int] = setting(
        "", _ids, "Comma-separated Telegram user ids of 科协 staff who may use /review, /stats, /admin.")
    bot_user_key_secret: str | None = setting(
        "", _optional_text, "Secret for the keyed hash that pseudonymises user ids in the log; default: generated "
        "once into a key file beside the database (BOT_DB_PATH + .key, mode 0600).")
    bot_retention_days: int = setting(
        "180", _int(1, 3650), "Days raw question text and tickets are kept; counts stay.")
    bot_flow_timeout_minutes: int = setting(
        "30", _int(1, 10080), "Minutes after which an unfinished eligibility check expires.")
    bot_reference_date: date | None = setting(
        "", _date, "Date ages are computed on in eligibility checks (YYYY-MM-DD); default: 31 December of the "
        "current year.")
    bot_hot_days: int = setting("30", _int(1, 365), "Days of traffic /hot looks at.")
    bot_hot_min_questions: int = setting(
        "20", _int(0, 1_000_000), "Distinct users needed in those days before /start shows hot topics.")
    bot_sync_seconds: int = setting(
        "3", _int(1, 3600), "How often a running bot or console chat picks up what staff taught and their replies.")
    bot_user_burst: int = setting(
        "8", _int(1, 1000), "Messages one user may send in a quick burst before being asked to slow down.")
    bot_user_per_minute: int = setting(
        "20", _int(1, 6000), "Sustained messages per minute one user may send.")
    bot_admin_url: str | None = setting(
        "", _optional_url, "Public base URL of the staff console (python -m bot.review serve); when set, staff "
        "get a sign-in link from /admin.")
    bot_abandoned_minutes: int = setting(
        "10", _int(1, 10080), "Minutes after which a question that got only suggestions, and whose asker did nothing "
        "more, counts as abandoned and enters the console's 未选择 queue.")
    bot_log_level: str = setting("INFO", _level, "Logging level: DEBUG, INFO, WARNING or ERROR.")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every setting from env; raise SettingsError on the first bad one."""
        values = {}
        for f in fields(cls):
            name = f.name.upper()
            raw = env.get(name)
            values[f.name] = f.metadata["parse"](name, raw if raw is not None else f.metadata["env"])
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
    return "\n".join(f"  {f.name.upper():<26} {f.metadata['help']} (default: {f.metadata['env'] or 'unset'})"
                     for f in fields(Settings))
