"""Command line: print the loaded catalogue as JSON, or validate it.

    python -m retrieval.catalogue --json     # whole catalogue as one JSON object
    python -m retrieval.catalogue --check    # validate and print a one-line summary
"""

from __future__ import annotations

import sys

from .loader import data_cli, load_catalogue
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
    return data_cli(argv, "python -m retrieval.catalogue", __doc__.splitlines()[0], "catalogue", load_catalogue,
                    summary, lambda cat: cat.to_json())


if __name__ == "__main__":
    sys.exit(main())
