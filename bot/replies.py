"""What the assistant core returns (transport-neutral), and the button data it understands.

Button data is at most 64 bytes (Telegram's limit) and is parsed strictly on the way back in:
anything that does not match a known kind and its argument patterns is treated as stale or forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_CALLBACK_BYTES = 64
TELEGRAM_LIMIT = 4096
CHUNK = 3900


@dataclass(frozen=True)
class Button:
    """A choice under a reply: its label and the data sent back when pressed."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to send: Telegram HTML text (already escaped), optional button rows."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False          # replace the message the pressed button belongs to
    chat_id: int | None = None  # deliver to another chat (a staff answer to a ticket)
    notice: str = ""            # short pop-up answer to a button press

    def choices(self) -> list[Button]:
        """Return all buttons in reading order (the console numbers them)."""
        return [b for row in self.buttons for b in row]


@dataclass(frozen=True)
class Sender:
    """Who sent an update and where to."""

    user_id: int
    chat_id: int
    chat_type: str = "private"
    is_staff: bool = False


_ID = r"(?:0[1-9]|[1-6]\d|7[0-2]|societies|tast|cast|rules)"
_SID = r"(?:0[1-9]|[1-6]\d|7[0-2])"
_HEX = r"[0-9a-f]{10}"
_NAME = r"[a-z][a-z0-9_]{0,29}"
_VAL = r"[a-z0-9_]{1,16}"
_NUM = r"\d{1,3}"

KINDS: dict[str, tuple[str, ...]] = {
    "s": (_ID,),                    # open an answer card
    "sec": (_ID, r"cond|apply|contact|full"),
    "k": (_NAME,),                  # start an eligibility check
    "a": (_NAME, _NAME, _VAL),      # answer: flow, question, option value
    "bk": (_NAME,),                 # back one question
    "x": (),                        # leave the check / pending input
    "rs": (_NAME,),                 # resume the check
    "fa": (_NAME,),                 # finder: audience chosen
    "fn": (_NAME, _NAME),           # finder: audience and need chosen
    "br": (),                       # browse: parts
    "bp": (r"[1-5]",),              # browse: a part's sections
    "bs": (r"[1-5]", _NUM),         # browse: a section's services
    "ba": (),                       # browse: appendix
    "soc": (_NUM,),                 # societies of one discipline
    "fb": (_HEX, r"up|down"),       # feedback on a logged answer
    "sg": (_HEX, _ID),              # a suggestion chosen
    "ng": (_HEX,),                  # none of the suggestions
    "ho": (),                       # leave a message for staff
    "rv": (_NUM,),                  # staff: review page
    "rl": (_HEX,),                  # staff: link menu for an item
    "rk": (_HEX, _SID),             # staff: link item to service
    "rd": (_HEX,),                  # staff: dismiss item
    "rq": (_HEX,),                  # staff: search services for an item
    "rt": (_HEX,),                  # staff: reply to a ticket
    "ru": (_HEX,),                  # staff: remove a learned alias
}
STAFF_KINDS = frozenset({"rv", "rl", "rk", "rd", "rq", "rt", "ru"})
_PATTERNS = {k: [re.compile(p) for p in v] for k, v in KINDS.items()}


def encode(kind: str, *args: str) -> str:
    """Return button data for a kind and its arguments (checked against the same patterns)."""
    data = "|".join((kind, *args))
    if decode(data) is None or len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"invalid button data {data!r}")
    return data


def decode(data: str | None) -> tuple[str, tuple[str, ...]] | None:
    """Return (kind, args) for well-formed button data, or None for anything else."""
    if not isinstance(data, str) or not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    kind, *args = data.split("|")
    patterns = _PATTERNS.get(kind)
    if patterns is None or len(args) != len(patterns):
        return None
    if not all(p.fullmatch(a) for p, a in zip(patterns, args)):
        return None
    return kind, tuple(args)


def split_html(html: str, limit: int = CHUNK) -> list[str]:
    """Split a message into chunks under Telegram's limit, only between lines (tags never span lines)."""
    if len(html) <= limit:
        return [html]
    chunks: list[str] = []
    current = ""
    for line in html.split("\n"):
        while len(line) > limit:  # one enormous line: cut it (escaped text, no tags inside)
            if current:
                chunks.append(current)
                current = ""
            cut = line[:limit]
            amp = cut.rfind("&")
            if amp > limit - 8 and ";" not in cut[amp:]:
                cut = cut[:amp]
            chunks.append(cut)
            line = line[len(cut):]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


@dataclass
class Replies:
    """A small builder used by the core."""

    items: list[Reply] = field(default_factory=list)

    def add(self, html: str, buttons: list[list[Button]] | None = None, **kw: object) -> None:
        parts = split_html(html)
        rows = tuple(tuple(r) for r in (buttons or []) if r)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            self.items.append(Reply(part, rows if last else (), **kw))  # type: ignore[arg-type]
