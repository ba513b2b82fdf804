"""The typed outcome of a search: what kind of message it is, what was decided, and why (one enum each).

The bot renders an outcome by these values; it never compares reason strings of its own.
"""

from __future__ import annotations

from enum import Enum


class Decision(str, Enum):
    """What the assistant does with a question."""

    ANSWERED = "answered"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"


class Intent(str, Enum):
    """What kind of message it is, recognised before the answer is decided (from data/examples/intents.yaml)."""

    QUESTION = "question"      # a question for the catalogue (or one it cannot answer)
    SMALLTALK = "smalltalk"    # greetings, thanks, questions about the assistant itself
    PROFILE = "profile"        # someone describing themselves and asking what fits
    HUMAN = "human"            # wants a person or to leave a message for staff


class Reason(str, Enum):
    """Why a decision was made. The values are what the query log stores."""

    CONFIDENT = "clear"            # answered: the fitted model is sure enough
    TAUGHT = "learned"             # answered: staff linked this very question to the answer
    CONTEXT = "context"            # answered: a follow-up about the answer in context
    FOLLOWUP = "followup"          # answered: a follow-up (aspect, sibling, comparison …)
    GUESS = "close"                # suggested: the best answer shown as a guess, with the other candidates
    CHOICES = "choices"            # suggested: less sure still — the candidates as a list to choose from
    PROFILE = "profile"            # suggested: a list of what fits someone who described themselves
    RELATED = "related"            # suggested: services like the one in context
    SMALLTALK = "chitchat"         # declined: small talk, answered in kind
    HUMAN = "human"                # declined: wants a person; offered 留言
    EMPTY = "empty"                # declined: nothing but filler
    OUT_OF_SCOPE = "out_of_scope"  # declined: another agency's, another region's or everyday business
    OTHER_LEVEL = "other_level"    # declined: the national programme of a Tianjin one (the Tianjin one named)
    NO_MATCH = "no_match"          # declined: nothing in the catalogue is near enough
