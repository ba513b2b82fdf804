"""python -m bot.review: staff review on the command line (the commands live in bot/staff/cli.py)."""

from __future__ import annotations

import sys

from .staff.cli import main, parser

__all__ = ["main", "parser"]

if __name__ == "__main__":
    sys.exit(main())
