"""What every searcher shares, built once at start and never changed (retrieval/search.py builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from .aspects import Aspect, AspectPatterns
from .config import RetrievalConfig
from .correct import CorrectorIndex
from .evidence import Words
from .examples import ExampleIndex
from .followup import FollowUpWords
from .index import SearchIndex
from .lexicon import Lexicon
from .model import Catalogue
from .policy_search import PolicySearch
from .profile import ProfileWords
from .scorer import DecisionModel
from .societies import Societies
from .tokenize import Tokenizer


@dataclass(frozen=True)
class Parts:
    """What every searcher shares, built once at start and never changed."""

    catalogue: Catalogue
    lexicon: Lexicon
    tokenizer: Tokenizer
    config: RetrievalConfig
    index: SearchIndex
    examples: ExampleIndex
    societies: Societies
    words: Words
    profile: ProfileWords
    decision: DecisionModel | None
    policy: PolicySearch | None = None
    aspects: tuple[Aspect, ...] = ()
    aspect_patterns: AspectPatterns | None = None
    followup: FollowUpWords = FollowUpWords((), (), ())
    # The typo corrector's index of the catalogue's vocabulary (what staff taught extends it per searcher).
    corrector: CorrectorIndex | None = None
