"""Settings: defaults, parsing, and one-line errors naming the setting."""

from datetime import date

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_without_token_mean_console():
    s = Settings.from_env({})
    assert s.telegram_bot_token is None and s.bot_staff_ids == frozenset()
    assert s.bot_db_path.endswith("var/assistant.sqlite3")
    assert s.reference_date(date(2026, 11, 22)) == date(2026, 12, 31)


def test_values_are_parsed():
    s = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "BOT_STAFF_IDS": "1, 2，3",
                           "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot", "BOT_REFERENCE_DATE": "2025-12-31"})
    assert s.bot_staff_ids == {1, 2, 3} and s.is_staff(2) and not s.is_staff(4)
    assert s.reference_date(date(2026, 1, 1)) == date(2025, 12, 31)
    assert s.webhook_secret() and len(s.webhook_secret()) <= 256


@pytest.mark.parametrize("env,name", [
    ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
    ({"BOT_STAFF_IDS": "alice"}, "BOT_STAFF_IDS"),
    ({"BOT_WEBHOOK_PORT": "99999"}, "BOT_WEBHOOK_PORT"),
    ({"BOT_REFERENCE_DATE": "31/12/2026"}, "BOT_REFERENCE_DATE"),
    ({"BOT_RETENTION_DAYS": "forever"}, "BOT_RETENTION_DAYS"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.example/hook"}, "TELEGRAM_WEBHOOK_URL"),
])
def test_bad_settings_name_the_setting(env, name):
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert str(info.value).startswith(name) and "\n" not in str(info.value)
