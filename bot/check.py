"""python -m bot.check: validate every file the assistant reads at start, as it reads them.

    python -m bot.check [--data DIR] [--flows DIR]

The catalogue and its appendices, the policy documents, the lexicon, the example questions, the fitted
decision (data/decision.yaml), data/retrieval.yaml and data/review.yaml, the eligibility-check flows and the
finder. Prints one line: `ok: …` (exit status 0) or `error: <file>: <entry>: <field>: <problem>` (exit status 1).
"""

from __future__ import annotations

import argparse
import logging
import sys

from .chat.data import DataError, load_data


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bot.check", description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    parser.add_argument("--flows", metavar="DIR", help="flows directory (default: conversations/flows/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    import jieba  # jieba sets its own logger to DEBUG on import

    jieba.setLogLevel(logging.WARNING)
    try:
        data = load_data(args.data, args.flows)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {data.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
