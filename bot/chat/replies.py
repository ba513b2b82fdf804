"""What the assistant core returns, transport-neutral: replies with buttons, and who sent the update.

Button data is built and parsed by the route table (bot/chat/routes.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    typed: bool = False         # asks for a typed answer (a number, a date): digits typed are that answer
    about: str = ""             # the answer id (service or appendix) the reply is a card of

    def choices(self) -> list[Button]:
        """Return all buttons in reading order (the console numbers them)."""
        return [b for row in self.buttons for b in row]

    def to_json(self) -> dict[str, Any]:
        """Return the reply as JSON data (kept with the update it answered, see Assistant._turn)."""
        return {"html": self.html, "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
                "edit": self.edit, "chat_id": self.chat_id, "notice": self.notice, "typed": self.typed,
                "about": self.about}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        """Return the reply `to_json` gave."""
        return cls(str(data["html"]), tuple(tuple(Button(str(label), str(value)) for label, value in row)
                                            for row in data.get("buttons", [])),
                   edit=bool(data.get("edit")), chat_id=data.get("chat_id"), notice=str(data.get("notice", "")),
                   typed=bool(data.get("typed")), about=str(data.get("about", "")))


@dataclass(frozen=True)
class Sender:
    """Who sent an update and where to."""

    user_id: int
    chat_id: int
    chat_type: str = "private"
    is_staff: bool = False


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
