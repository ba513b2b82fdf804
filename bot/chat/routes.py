"""One route table for every button, command and awaited text input.

A handler is declared once, where it is written:

    @routes.button("sec", SERVICE, choice("cond", "apply", "contact", "full"))
    async def show_section(t: Exchange, service: str, which: str) -> None: ...

    @routes.command("browse", menu="按分类浏览服务")
    async def browse(t: Exchange, args: str) -> None: ...

A button names its route by code — ``t.button("全部条件", "sec", "13", "cond")`` — never by the handler
function, so a module that draws a button never imports the module that handles it. Button data
(``sec|13|cond``, at most 64 bytes — Telegram's limit) is built and parsed from the declaration; an
unknown code or an argument that does not fit its pattern raises at once. Argument patterns come from
the loaded catalogue and flows (service ids, part numbers, flow ids), never from literals. The staff
check, the Telegram command menu and the unknown-command text are derived from the table.

The table is filled when the handler modules are imported: bot/app.py imports them (the chat's and the
staff's Telegram commands); this module and bot/chat/core.py import none of them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

MAX_CALLBACK_BYTES = 64
Handler = Callable[..., Awaitable[None]]

# Appendix answers have short codes in button data; services use their ids.
APPENDIX_CODES = {"societies": "societies", "tast": "tast", "cast": "cast", "enterprise-association-rules": "rules"}
_ANSWER_OF_CODE = {code: answer for answer, code in APPENDIX_CODES.items()}


def code_of(answer_id: str) -> str:
    """Return the button code of an answer id (services keep their id)."""
    return APPENDIX_CODES.get(answer_id, answer_id)


def answer_of(code: str) -> str:
    """Return the answer id of a button code."""
    return _ANSWER_OF_CODE.get(code, code)


@dataclass(frozen=True)
class Bindings:
    """What argument patterns are built from: the ids the loaded data defines."""

    services: Collection[str]
    answers: Collection[str]
    flows: Collection[str]
    parts: Collection[str]
    tags: Collection[str]
    # Policy documents and their passages ("<document>/<passage>").
    documents: Collection[str] = ()
    passages: Collection[str] = ()


@dataclass(frozen=True)
class Arg:
    """One argument of a button: a regular expression, or the values a binding lists."""

    name: str
    regex: str = ""
    values: Callable[[Bindings], Iterable[str]] | None = None

    def pattern(self, b: Bindings) -> str:
        """Return the regular expression this argument must match fully."""
        if self.values is not None:
            return "|".join(re.escape(v) for v in sorted(self.values(b), key=len, reverse=True)) or "(?!)"
        return self.regex


SERVICE = Arg("service", values=lambda b: b.services)
ANSWER = Arg("answer", values=lambda b: b.answers)
FLOW = Arg("flow", values=lambda b: b.flows)
DOCUMENT = Arg("document", values=lambda b: b.documents)
PASSAGE = Arg("passage", values=lambda b: b.passages)
PART = Arg("part", values=lambda b: b.parts)
TAG = Arg("tag", values=lambda b: b.tags)
ROW = Arg("row", regex=r"[0-9a-f]{10}")
INDEX = Arg("index", regex=r"\d{1,3}")
NAME = Arg("name", regex=r"[a-z][a-z0-9_]{0,29}")
VALUE = Arg("value", regex=r"[a-z0-9_]{1,16}")


def choice(*values: str) -> Arg:
    """Return an argument that is one of a fixed set of words."""
    return Arg("choice", regex="|".join(re.escape(v) for v in values))


@dataclass(frozen=True)
class Route:
    """A button kind, a command or an awaited input, with its handler."""

    name: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    staff: bool = False
    menu: str = ""          # command menu description; empty = not in the menu
    order: int = 100        # position in the command menu


class RouteTable:
    """Declarations, collected at import time by decorators."""

    def __init__(self) -> None:
        self.buttons: dict[str, Route] = {}
        self.commands: dict[str, Route] = {}
        self.inputs: dict[str, Route] = {}
        self.on_text: Handler | None = None

    @staticmethod
    def _add(table: dict[str, Route], route: Route) -> None:
        if route.name in table:
            raise ValueError(f"route {route.name!r} is declared twice")
        table[route.name] = route

    def button(self, code: str, *args: Arg, staff: bool = False) -> Callable[[Handler], Handler]:
        """Declare a button kind: its short code, argument patterns, and whether only staff may press it."""
        def register(fn: Handler) -> Handler:
            self._add(self.buttons, Route(code, fn, args, staff))
            return fn
        return register

    def command(self, name: str, *, menu: str = "", order: int = 100,
                staff: bool = False) -> Callable[[Handler], Handler]:
        """Declare a /command; `menu` is its description in Telegram's command menu, `order` its place there."""
        def register(fn: Handler) -> Handler:
            self._add(self.commands, Route(name, fn, (), staff, menu, order))
            return fn
        return register

    def awaiting(self, kind: str, *, staff: bool = False) -> Callable[[Handler], Handler]:
        """Declare a kind of free-text input the assistant can wait for (a message for staff …)."""
        def register(fn: Handler) -> Handler:
            self._add(self.inputs, Route(kind, fn, (), staff))
            return fn
        return register

    def text(self) -> Callable[[Handler], Handler]:
        """Declare the handler of every typed message (there is one)."""
        def register(fn: Handler) -> Handler:
            if self.on_text is not None:
                raise ValueError("the text handler is declared twice")
            self.on_text = fn
            return fn
        return register

    def bind(self, bindings: Bindings) -> Router:
        """Return the router for the loaded data."""
        return Router(self, bindings)


class Router:
    """The route table with argument patterns compiled for the loaded data."""

    def __init__(self, table: RouteTable, bindings: Bindings) -> None:
        self.table = table
        self._patterns = {code: [re.compile(a.pattern(bindings)) for a in r.args] for code, r in table.buttons.items()}

    def encode(self, code: str, *args: str) -> str:
        """Return the button data of route `code` with `args`; raise ValueError if it could not come back."""
        if code not in self.table.buttons:
            raise ValueError(f"{code!r} is not declared as a button")
        data = "|".join((code, *args))
        if self.decode(data) is None:
            raise ValueError(f"invalid button data {data!r}: an argument does not match its pattern or it is "
                             f"longer than {MAX_CALLBACK_BYTES} bytes")
        return data

    def decode(self, data: Any) -> tuple[Route, tuple[str, ...]] | None:
        """Return (route, args) for well-formed button data, or None for anything stale or forged."""
        if not isinstance(data, str) or not data or len(data.encode()) > MAX_CALLBACK_BYTES:
            return None
        code, *args = data.split("|")
        patterns = self._patterns.get(code)
        if patterns is None or len(args) != len(patterns):
            return None
        if not all(p.fullmatch(a) for p, a in zip(patterns, args)):
            return None
        return self.table.buttons[code], tuple(args)

    def text(self) -> Handler:
        """Return the handler of typed messages."""
        if self.table.on_text is None:
            raise RuntimeError("no text handler is declared: import bot.app (it imports the handler modules)")
        return self.table.on_text

    def command(self, name: str) -> Route | None:
        """Return the route of a /command, or None."""
        return self.table.commands.get(name.lower())

    def awaiting(self, kind: str) -> Route | None:
        """Return the route of an awaited input kind, or None."""
        return self.table.inputs.get(kind)

    def menu(self, staff: bool = False) -> list[tuple[str, str]]:
        """Return (command, description) for the command menu: public commands, or staff ones."""
        chosen = [r for r in self.table.commands.values() if r.menu and r.staff == staff]
        return [(r.name, r.menu) for r in sorted(chosen, key=lambda r: r.order)]

    def command_names(self) -> list[str]:
        """Return every declared command name."""
        return list(self.table.commands)


routes = RouteTable()
