"""Command line: print the loaded catalogue as JSON, or validate it.

    python -m retrieval.catalogue --json     # whole catalogue as one JSON object
    python -m retrieval.catalogue --check    # validate and print a one-line summary
"""

from __future__ import annotations

import argparse
import json
import sys

from .loader import CatalogueError, load_catalogue
from .model import Catalogue


def summary(cat: Catalogue) -> str:
    """Return the one-line summary printed by --check."""
    parts = len({s.part_number for s in cat.services})
    return (
        f"ok: {len(cat.services)} services in {parts} parts, {len(cat.societies.societies)} societies, "
        f"{len(cat.organisations)} organisation introductions, {len(cat.rules.articles)} articles, "
        f"{len(cat.departments)} departments"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.catalogue", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--json", action="store_true", help="print the whole loaded catalogue as JSON")
    mode.add_argument("--check", action="store_true", help="validate data/ and print a one-line summary")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    try:
        cat = load_catalogue(args.data)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(cat.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(summary(cat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
