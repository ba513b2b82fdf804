"""python -m bot: the Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise a console chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from .settings import Settings, SettingsError, describe


def main(argv: list[str] | None = None) -> int:
    """Start the assistant; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="科创服务助手. Runs the Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise a console chat "
                    "(works with piped input).", epilog="settings (environment variables):\n" + describe())
    parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.bot_log_level if settings.telegram_bot_token else "WARNING",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import jieba  # jieba sets its own logger to DEBUG on import; quieten it after that

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from .app import StartupError

    try:
        if settings.telegram_bot_token:
            from .transports.telegram_bot import run_telegram

            return run_telegram(settings)
        return asyncio.run(_console(settings))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


async def _console(settings: Settings) -> int:
    from .app import build_assistant, freeze_heap
    from .transports.console import run_console

    assistant = await build_assistant(settings)
    freeze_heap()
    try:
        await run_console(assistant)
    finally:
        await assistant.storage.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
