"""Console chat over the assistant core: type a question, get the card; each choice shows what to type.

Works interactively and with piped standard input (answers each line, exits at end of input). While it
runs it picks up what staff taught and delivers their replies to this chat's messages (留言) every
BOT_SYNC_SECONDS, as the Telegram bot does.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from typing import TextIO

from ..chat import texts
from ..chat.core import Assistant
from ..chat.render import to_plain
from ..chat.replies import Button, Reply, Sender

log = logging.getLogger(__name__)

CONSOLE_SENDER = Sender(user_id=0, chat_id=0, chat_type="console", is_staff=False)
QUIT = {"quit", "exit", "/quit", "/exit", "退出聊天"}


LETTERS = "abcdefghijklmnopqrstuvwxyz"


class ConsoleChat:
    """Line-oriented chat: remembers the last choices so that what their brackets show can be typed.

    A choice that is a service is typed as the service's number ([13] 实施天津市青年人才托举工程), so that
    typing 13 always means service 13. The other choices are numbered — or lettered when services are
    listed beside them, or under a question that wants a typed number or date (typing 1 answers it).
    """

    def __init__(self, assistant: Assistant, out: TextIO, sender: Sender = CONSOLE_SENDER) -> None:
        self.assistant = assistant
        self.out = out
        self.sender = sender
        self.choices: dict[str, Button] = {}

    def service_of(self, button: Button) -> str | None:
        """Return the service id a button is labelled with ("13 实施…"), or None."""
        m = re.match(r"(\d{2}) ", button.label)
        service = self.assistant.catalogue.service(m.group(1)) if m else None
        if service is None or not f"{service.id} {service.title}".startswith(button.label):
            return None
        return service.id

    def keys(self, replies: list[Reply]) -> list[tuple[str, str, Button]]:
        """Return (key to type, label to show, button) for every button of the replies, in reading order."""
        buttons = [b for r in replies for b in r.choices()]
        typed = any(r.typed for r in replies)
        services = [None if typed else self.service_of(b) for b in buttons]
        lettered = typed or any(services)
        out: list[tuple[str, str, Button]] = []
        used: set[str] = set()
        others = 0
        for b, sid in zip(buttons, services):
            if sid is not None and sid not in used:
                key, label = sid, b.label[len(sid) + 1:]
            else:
                key = LETTERS[others % len(LETTERS)] if lettered else str(others + 1)
                label, others = b.label, others + 1
            used.add(key)
            out.append((key, label, b))
        return out

    def show(self, replies: list[Reply]) -> None:
        """Print replies and what to type for each of their buttons."""
        keyed = iter(self.keys(replies))
        choices: dict[str, Button] = {}
        typed = any(r.typed for r in replies)
        for r in replies:
            if r.html:
                if r.chat_id is not None and r.chat_id != self.sender.chat_id:
                    self.out.write(f"[发往会话 {r.chat_id}]\n")
                self.out.write(to_plain(r.html) + "\n")
            elif r.notice:
                self.out.write(f"（{r.notice}）\n")
            for _ in r.choices():
                key, label, b = next(keyed)
                choices[key] = b
                if key.isdigit() and len(key) == 2 and key.startswith("0"):
                    choices.setdefault(key[1], b)  # 1 for 01
                self.out.write(f"  [{key}] {label}\n")
            if r.html or r.notice or r.choices():
                self.out.write("\n")
        if choices or typed:
            self.choices = choices
        self.out.flush()

    async def handle(self, line: str) -> list[Reply]:
        """Answer one line: a choice's key presses it, /command runs a command, anything else is asked."""
        text = line.strip()
        if text.lower() in self.choices:
            return await self.assistant.press(self.sender, self.choices[text.lower()].data)
        m = re.fullmatch(r"/([A-Za-z_]+)(?:@\S+)?(?:\s+(.*))?", text)
        if m:
            replies = await self.assistant.command(self.sender, m.group(1), m.group(2) or "")
            if m.group(1).lower() == "help":
                replies.append(Reply(texts.CONSOLE_HELP))  # how to choose and how to leave, here
            return replies
        return await self.assistant.text(self.sender, line)

    async def deliver(self) -> int:
        """Print the replies staff wrote to this chat's messages (each once); return how many."""
        tickets = self.assistant.storage.tickets
        messages = await tickets.outbox(chat_id=self.sender.chat_id)
        for m in messages:
            self.out.write(to_plain(m.html) + "\n\n")
            await tickets.outbox_done(m.id)
        if messages:
            self.out.flush()
        return len(messages)

    async def sync(self) -> int:
        """Pick up what staff taught, deliver staff replies, retry queued writes; return replies delivered."""
        await self.assistant.sync_taught()
        delivered = await self.deliver()
        await self.assistant.storage.flush()
        return delivered


async def _keep_syncing(console: ConsoleChat, every: float, interactive: bool) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            if await console.sync() and interactive:
                console.out.write("> ")
                console.out.flush()
        except Exception:  # noqa: BLE001 - keep chatting whatever the database does
            log.exception("console sync with the database failed")


async def run_console(assistant: Assistant, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      every: float | None = None) -> None:
    """Chat until end of input or 'quit', syncing with the database every `every` seconds meanwhile."""
    console = ConsoleChat(assistant, stdout)
    interactive = stdin.isatty()
    console.show(await assistant.command(console.sender, "start"))
    stdout.write(texts.CONSOLE_HINT + "\n\n")
    syncer = asyncio.create_task(_keep_syncing(console, every or assistant.settings.bot_sync_seconds, interactive))
    loop = asyncio.get_running_loop()
    try:
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            if line.strip() in QUIT:
                break
            if not interactive:
                stdout.write(f"> {line.rstrip()}\n")
            console.show(await console.handle(line))
    finally:
        syncer.cancel()
