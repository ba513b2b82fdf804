"""Console chat over the assistant core: type a question, get the card; choices are numbered.

Works interactively and with piped standard input (answers each line, exits at end of input).
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import TextIO

from ..chat.core import Assistant
from ..chat.render import to_plain
from ..chat.replies import Button, Reply, Sender

CONSOLE_SENDER = Sender(user_id=0, chat_id=0, chat_type="console", is_staff=False)
QUIT = {"quit", "exit", "/quit", "/exit", "退出聊天"}


LETTERS = "abcdefghijklmnopqrstuvwxyz"


class ConsoleChat:
    """Line-oriented chat: remembers the last choices so that their number (or letter) can be typed.

    Choices are numbered, except under a question that wants a typed number or date: there they get
    letters, so that typing 1 answers the question instead of pressing a button.
    """

    def __init__(self, assistant: Assistant, out: TextIO, sender: Sender = CONSOLE_SENDER) -> None:
        self.assistant = assistant
        self.out = out
        self.sender = sender
        self.choices: dict[str, Button] = {}

    def show(self, replies: list[Reply]) -> None:
        """Print replies and label their buttons."""
        choices: dict[str, Button] = {}
        typed = any(r.typed for r in replies)
        for r in replies:
            if r.html:
                if r.chat_id is not None and r.chat_id != self.sender.chat_id:
                    self.out.write(f"[发往会话 {r.chat_id}]\n")
                self.out.write(to_plain(r.html) + "\n")
            elif r.notice:
                self.out.write(f"（{r.notice}）\n")
            for b in r.choices():
                label = LETTERS[len(choices) % len(LETTERS)] if typed else str(len(choices) + 1)
                choices[label] = b
                self.out.write(f"  [{label}] {b.label}\n")
            if r.html or r.notice or r.choices():
                self.out.write("\n")
        if choices or typed:
            self.choices = choices
        self.out.flush()

    async def handle(self, line: str) -> list[Reply]:
        """Answer one line: a choice's label presses it, /command runs a command, anything else is asked."""
        text = line.strip()
        if text.lower() in self.choices:
            return await self.assistant.press(self.sender, self.choices[text.lower()].data)
        m = re.fullmatch(r"/([A-Za-z_]+)(?:@\S+)?(?:\s+(.*))?", text)
        if m:
            return await self.assistant.command(self.sender, m.group(1), m.group(2) or "")
        return await self.assistant.text(self.sender, line)


async def run_console(assistant: Assistant, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Chat until end of input or 'quit'."""
    console = ConsoleChat(assistant, stdout)
    interactive = stdin.isatty()
    console.show(await assistant.command(console.sender, "start"))
    loop = asyncio.get_running_loop()
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
