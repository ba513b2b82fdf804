"""What the chat (and the staff console beside it) read at start: data/ (the catalogue, policies, lexicon,
examples, the fitted decision, retrieval.yaml, review.yaml) and conversations/ (flows, the finder), loaded and
checked once.

Any malformed or missing file is one DataError whose str() is one line naming the file (and the entry and
field where there is one): every entry point — python -m bot, python -m bot.review, python -m bot.evaluate,
python -m bot.check — prints that line instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conversations.finder import Finder, FinderError, load_finder
from conversations.loader import FlowError, load_flows
from conversations.model import Flow
from retrieval.loader import CatalogueError, load_catalogue
from retrieval.model import Catalogue
from retrieval.search import Searcher

from .record import load_review_words


class DataError(ValueError):
    """A data or flow file cannot be used; str() is one line saying which and why."""


@dataclass(frozen=True)
class ChatData:
    """Everything read from files at start."""

    catalogue: Catalogue
    searcher: Searcher
    flows: dict[str, Flow]
    finder: Finder

    def summary(self) -> str:
        """Return one line saying what was loaded (python -m bot.check prints it after "ok:")."""
        policy = self.searcher.parts.policy
        documents = len(policy.documents) if policy is not None else 0
        return (f"{len(self.catalogue.services)} services, {documents} policy documents, "
                f"{len(self.searcher.examples.examples)} example questions, the fitted decision, "
                f"{len(self.flows)} eligibility checks and the finder")


def _line(text: str) -> str:
    return " ".join(text.split())


def load_data(data_dir: str | Path | None = None, flows_dir: str | Path | None = None,
              cache_dir: str | Path | None = None) -> ChatData:
    """Load and check every file the chat reads; raise DataError (one line) for the first that is wrong."""
    try:
        catalogue = load_catalogue(data_dir)
        searcher = Searcher.build(catalogue, data_dir, cache_dir=cache_dir)
        flows = load_flows(flows_dir, set(catalogue.by_id))
        finder = load_finder(catalogue=catalogue)
        load_review_words(str(data_dir) if data_dir else None)
    except (CatalogueError, FlowError, FinderError) as exc:
        raise DataError(_line(str(exc))) from None
    except OSError as exc:  # a data file or folder that cannot be read (permissions, I/O)
        raise DataError(_line(f"{exc.filename or 'data'}: {exc.strerror or exc}")) from None
    if searcher.parts.decision is None:
        where = Path(data_dir) if data_dir else Path("data")
        raise DataError(f"{where / 'decision.yaml'}: file not found (the fitted decision; "
                        f"python -m retrieval.calibrate --write makes it)")
    return ChatData(catalogue, searcher, flows, finder)
