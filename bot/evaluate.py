"""Measure whole conversations: follow-ups, switches, related lists, facts in the replies.

    python -m bot.evaluate --conversations eval/conversations_a.yaml [--json]

The file is a YAML list of conversations {id, style, turns: [{say, expect | list, facts}]} (see
eval/README.md). Each conversation runs in a fresh chat of the real assistant core (a temporary
database, no Telegram), so what is measured is what a user would get, context included. A turn is right when:
  expect [ids]  the reply is a card of one of those answers, or a suggestion list led by one of them;
  expect []     the reply declines (no card and no list of services);
  list [ids]    the reply offers several services, one of them in the list, and no single card;
and every `facts` string appears in the reply. A conversation is fully right when all its turns are.
Turns also count as answered outright when the reply is a card of an expected answer (not a list).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from retrieval.evaluate import read_list

from .app import StartupError, build_assistant
from .chat.replies import Reply, Sender
from .settings import Settings

_CHOICE = re.compile(r"^(?:sg\|[0-9a-f]{10}\||s\|)(\w+)$")


class ConversationFileError(ValueError):
    """The conversations file is malformed; str() is one line naming file, conversation and field."""


@dataclass(frozen=True)
class Step:
    """One user turn and what the reply must do."""

    say: str
    expect: tuple[str, ...] | None
    listed: tuple[str, ...] | None
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Conversation:
    """A conversation run in a fresh chat."""

    id: str
    style: str
    steps: tuple[Step, ...]


def load_conversations(path: str | Path) -> list[Conversation]:
    """Read and validate a conversations file."""
    path = Path(path)
    raw = read_list(path, ConversationFileError, "conversations")
    out = []
    for n, item in enumerate(raw):
        where = f"{path}: conversation {item.get('id', n) if isinstance(item, dict) else n}"
        if not isinstance(item, dict) or not isinstance(item.get("turns"), list) or not item["turns"]:
            raise ConversationFileError(f"{where}: field turns: expected a list of turns")
        steps = []
        for k, turn in enumerate(item["turns"]):
            if not isinstance(turn, dict) or not isinstance(turn.get("say"), str):
                raise ConversationFileError(f"{where}: turn {k + 1}: field say: expected text")
            if ("expect" in turn) == ("list" in turn):
                raise ConversationFileError(f"{where}: turn {k + 1}: give exactly one of expect or list")
            ids = turn.get("expect", turn.get("list"))
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ConversationFileError(f"{where}: turn {k + 1}: expect/list: expected a list of quoted ids")
            facts = turn.get("facts") or []
            if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
                raise ConversationFileError(f"{where}: turn {k + 1}: field facts: expected a list of text")
            steps.append(Step(turn["say"], tuple(ids) if "expect" in turn else None,
                              tuple(ids) if "list" in turn else None, tuple(facts)))
        out.append(Conversation(str(item.get("id") or n), str(item.get("style") or "unspecified"), tuple(steps)))
    return out


def _plain(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def judge(step: Step, replies: list[Reply]) -> dict[str, Any]:
    """Return whether the replies to one turn do what the turn expects, and what they showed."""
    cards = [r.about for r in replies if r.about]
    choices = [m.group(1) for r in replies for b in r.choices() for m in [_CHOICE.match(b.data)] if m]
    choices = ["enterprise-association-rules" if c == "rules" else c for c in choices]
    text = _plain("\n".join(r.html for r in replies))
    facts = all(_plain(f) in text for f in step.facts)
    if step.listed is not None:
        shown = not cards and len(choices) >= 2 and any(c in step.listed for c in choices)
        outright = False
    elif step.expect:
        outright = bool(cards) and cards[0] in step.expect
        shown = outright or (not cards and bool(choices) and choices[0] in step.expect)
    else:
        shown = not cards and not choices
        outright = shown
    return {"right": shown and facts, "shown": shown, "facts": facts, "outright": outright,
            "cards": cards, "choices": choices[:5]}


async def run(conversations: list[Conversation], data_dir: str | None = None) -> dict[str, Any]:
    """Run every conversation through the assistant core and return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(bot_db_path=str(Path(tmp) / "evaluate.sqlite3"), bot_user_key_secret="evaluate",
                            bot_reference_date=date(date.today().year, 12, 31), bot_user_burst=1000,
                            bot_user_per_minute=6000)
        assistant = await build_assistant(settings, data_dir)
        try:
            rows = []
            for n, conv in enumerate(conversations):
                sender = Sender(user_id=10_000 + n, chat_id=10_000 + n, chat_type="private")
                turns = []
                for step in conv.steps:
                    turns.append((step, judge(step, await assistant.text(sender, step.say))))
                rows.append((conv, turns))
        finally:
            await assistant.storage.close()
    return figures(rows)


def figures(rows: list[tuple[Conversation, list[tuple[Step, dict[str, Any]]]]]) -> dict[str, Any]:
    """Return the headline figures, figures by style, and the turns that went wrong."""
    def summary(part: list[tuple[Conversation, list[tuple[Step, dict[str, Any]]]]]) -> dict[str, Any]:
        turns = [j for _, ts in part for _, j in ts]
        answer_turns = [j for _, ts in part for s, j in ts if s.expect]
        return {
            "conversations": len(part),
            "fully_right": round(sum(all(j["right"] for _, j in ts) for _, ts in part) / len(part), 4) if part else None,
            "turns": len(turns),
            "turns_right": round(sum(j["right"] for j in turns) / len(turns), 4) if turns else None,
            "facts_right": round(sum(j["facts"] for j in turns) / len(turns), 4) if turns else None,
            "answered_outright": round(sum(j["outright"] for j in answer_turns) / len(answer_turns), 4)
            if answer_turns else None,
        }

    by_style: dict[str, list[Any]] = defaultdict(list)
    for conv, turns in rows:
        by_style[conv.style].append((conv, turns))
    misses = [{"id": conv.id, "turn": k + 1, "say": s.say, "expect": list(s.expect or ()), "list": list(s.listed or ()),
               "facts": list(s.facts), "cards": j["cards"], "choices": j["choices"], "facts_found": j["facts"]}
              for conv, turns in rows for k, (s, j) in enumerate(turns) if not j["right"]]
    return {**summary(rows), "by_style": {k: summary(v) for k, v in sorted(by_style.items())}, "misses": misses}


def report(result: dict[str, Any]) -> str:
    """Return the human-readable report."""
    lines = [f"conversations {result['conversations']}: fully right {result['fully_right']}; turns {result['turns']}: "
             f"right {result['turns_right']}, facts {result['facts_right']}, answered outright "
             f"{result['answered_outright']}", "", f"{'style':<12}{'n':>4}{'fully':>8}{'turns':>8}"]
    for style, m in result["by_style"].items():
        lines.append(f"{style:<12}{m['conversations']:>4}{m['fully_right']:>8.3f}{m['turns_right']:>8.3f}")
    if result["misses"]:
        lines += ["", f"turns not right ({len(result['misses'])}):"]
        for m in result["misses"]:
            want = f"expect {m['expect'] or '[]'}" if not m["list"] else f"list {m['list']}"
            lines.append(f"  {m['id']}#{m['turn']} {m['say']}  {want}  cards {m['cards']} choices {m['choices']}"
                         + ("" if m["facts_found"] else f"  facts missing {m['facts']}"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", required=True, metavar="FILE", help="conversations file (YAML)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    try:
        conversations = load_conversations(args.conversations)
        result = asyncio.run(run(conversations, args.data))
    except ConversationFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except StartupError as exc:  # a malformed data or flow file: one line, as for python -m bot
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
