"""Per-chat conversation state, typed, with its JSON form for the database.

A session belongs to one user in one chat. It holds what a reply may refer back to (the answer just
shown, for follow-ups), a running eligibility check, and input the assistant is waiting for (a message
for staff, a staff reply). Unknown or malformed saved fields are dropped, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conversations.engine import State


@dataclass(frozen=True)
class Pending:
    """Free text the assistant is waiting for: its kind (a route name) and a reference (a ticket id …)."""

    kind: str
    ref: str = ""


@dataclass(frozen=True)
class Context:
    """What the last answer was about, so that a follow-up without a service name can refer to it."""

    answer: str                        # a service id or appendix pseudo-id
    detail: str = ""                   # a society name, article numbers "12,13", an introduction section
    query: str | None = None           # the logged question it answered
    text: str = ""                     # that question's text (for staff context and re-ranking)
    at: float = 0.0                    # when it was shown
    turns: int = 0                     # follow-ups answered from it since
    related: tuple[str, ...] = ()      # services already offered as related (for 「还有别的吗」)
    choices: tuple[str, ...] = ()      # a suggestion list's answers, when no single answer was shown


@dataclass(frozen=True)
class Check:
    """A running eligibility check: the engine's state and when it last moved."""

    state: State
    at: float


# Answers shown before the last one that a turn may still refer back to (刚才那个…).
HISTORY = 3


@dataclass
class Session:
    """Conversation state of one user in one chat."""

    context: Context | None = None
    # What was shown before `context`, newest first (at most HISTORY).
    history: tuple[Context, ...] = ()
    last_query: str | None = None
    last_text: str = ""
    check: Check | None = None
    pending: Pending | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def remember(self, context: Context) -> None:
        """Show something new: the last answer moves into the history, this one becomes the context."""
        old = self.context
        if old is not None and (old.answer or old.choices) and old != context:
            self.history = ((old,) + tuple(h for h in self.history if h.answer != old.answer or h.choices))[:HISTORY]
        self.context = context

    @property
    def last_service(self) -> str | None:
        """Return the service id the last answer was about, if it was a service."""
        return self.context.answer if self.context else None

    def to_json(self) -> dict[str, Any]:
        """Return the session as JSON-ready data."""
        return {
            "v": 2,
            "context": _context_json(self.context),
            "history": [_context_json(h) for h in self.history],
            "last_query": self.last_query,
            "last_text": self.last_text,
            "check": None if self.check is None else {"state": self.check.state.to_json(), "at": self.check.at},
            "pending": None if self.pending is None else {"kind": self.pending.kind, "ref": self.pending.ref},
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: Any) -> Session:
        """Rebuild a session; fields that do not parse are dropped (a fresh start beats a wrong one)."""
        s = cls()
        if not isinstance(data, dict):
            return s
        last_query, last_text, extra = data.get("last_query"), data.get("last_text"), data.get("extra")
        s.last_query = last_query if isinstance(last_query, str) else None
        s.last_text = last_text if isinstance(last_text, str) else ""
        s.extra = extra if isinstance(extra, dict) else {}
        s.context = _context(data.get("context"), data)
        raw = data.get("history")
        if isinstance(raw, list):
            s.history = tuple(h for h in (_context(x, {}) for x in raw[:HISTORY]) if h is not None)
        s.check = _check(data)
        s.pending = _pending(data.get("pending"))
        return s


def _context_json(ctx: Context | None) -> dict[str, Any] | None:
    if ctx is None:
        return None
    return {"answer": ctx.answer, "detail": ctx.detail, "query": ctx.query, "text": ctx.text, "at": ctx.at,
            "turns": ctx.turns, "related": list(ctx.related), "choices": list(ctx.choices)}


def _context(raw: Any, data: dict[str, Any]) -> Context | None:
    try:
        if isinstance(raw, dict):
            return Context(answer=str(raw["answer"]), detail=str(raw.get("detail") or ""),
                           query=raw.get("query") if isinstance(raw.get("query"), str) else None,
                           text=str(raw.get("text") or ""), at=float(raw.get("at") or 0.0),
                           turns=int(raw.get("turns") or 0),
                           related=tuple(str(x) for x in raw.get("related") or ()),
                           choices=tuple(str(x) for x in raw.get("choices") or ()))
        if isinstance(data.get("last_service"), str):  # version 1 kept only the service id
            return Context(answer=data["last_service"])
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _check(data: dict[str, Any]) -> Check | None:
    raw = data.get("check")
    try:
        if isinstance(raw, dict):
            return Check(State.from_json(raw["state"]), float(raw["at"]))
        if isinstance(data.get("flow"), dict):  # version 1
            return Check(State.from_json(data["flow"]), float(data.get("flow_at") or 0.0))
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _pending(raw: Any) -> Pending | None:
    if isinstance(raw, dict) and isinstance(raw.get("kind"), str):
        return Pending(raw["kind"], str(raw.get("ref") or ""))
    if isinstance(raw, str) and raw:  # version 1: "ticket" or "staff_reply:<id>"
        kind, _, ref = raw.partition(":")
        return Pending(kind, ref)
    return None
