"""Staff review on the command line, on the same database as the running bot (safe to run alongside).

    python -m bot.review serve [--host H] [--port P]    the staff console in the browser (see README)
    python -m bot.review login-url [--base URL]         a one-time, 10-minute sign-in link to the console
    python -m bot.review list [--json]                  pending questions and open tickets, with ids
    python -m bot.review stats [--days N] [--json]      answer rate, top unanswered, feedback, checks
    python -m bot.review link QUERY_ID SERVICE_ID       teach a pending question as an alias of a service
    python -m bot.review out-of-scope QUERY_ID          teach a pending question as an out-of-scope example
    python -m bot.review term FROM TO                   teach a term for every question (青拖 → 青托)
    python -m bot.review aliases [--json]               learned aliases, with ids
    python -m bot.review unlink ALIAS_ID                remove a learned alias
    python -m bot.review dismiss QUERY_ID               mark a pending question as dealt with
    python -m bot.review history [--json]               staff changes, with ids
    python -m bot.review undo CHANGE_ID                 undo a staff change exactly
    python -m bot.review export --csv FILE [--days N]   the question log as CSV (UTF-8 with BOM, formula-safe)

QUERY_ID is the id `list` prints. Changes made here are recorded as made by "cli"; a running bot picks
them up within BOT_SYNC_SECONDS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import jieba
import uvicorn

from retrieval.loader import CatalogueError, load_catalogue

from ..chat.data import DataError
from ..chat.render import to_plain
from ..settings import Settings, SettingsError
from ..store import ChangeRefused, ReviewItem, Storage, StorageError
from . import changes, export, signin
from .commands import render_stats
from .console import open_console
from .web import create_app

CSV_COLUMNS = export.QUERY_COLUMNS
DEFAULT_BASE = "http://127.0.0.1:8080"
Command = Callable[[argparse.Namespace, Storage, Settings], Awaitable[int]]


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    storage = Storage(settings.bot_db_path, create=False)  # only the bot creates the database
    await storage.open()
    try:
        return await COMMANDS[args.cmd](args, storage, settings)
    finally:
        await storage.close()


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _dump(data: Any) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


async def _pending(storage: Storage, query_id: str) -> ReviewItem | None:
    item = await storage.inbox.review_item(query_id)
    return item if item is not None and item.status == "pending" else None


async def login_url(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Print a one-time sign-in link to the console."""
    base = args.base or settings.bot_admin_url or DEFAULT_BASE
    print(await signin.new_login_link(storage, base, signin.CLI))
    print(f"(valid once, for {int(signin.LOGIN_TTL // 60)} minutes)", file=sys.stderr)
    return 0


async def list_pending(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Print pending questions and open tickets."""
    await storage.inbox.sweep_abandoned(settings.bot_abandoned_minutes)
    items = await storage.inbox.review_items(limit=10_000)
    tickets = await storage.tickets.tickets(limit=10_000)
    if args.json:
        return _dump({"pending": [{"id": i.id, "text": i.sample, "queue": i.queue, "count": i.count,
                                   "first_seen": i.first_seen, "last_seen": i.last_seen, "kinds": list(i.kinds),
                                   "guesses": list(i.guesses), "context_answer": i.context_answer or None,
                                   "context_text": i.context_text} for i in items],
                      "tickets": [{"id": t.id, "time": t.ts, "text": t.text} for t in tickets]})
    if not items and not tickets:
        print("no pending questions")
    for i in items:
        context = f"  (after {i.context_answer}: {i.context_text or '-'})" if i.context_answer else ""
        print(f"{i.id}  x{i.count:<3} {export.when(i.last_seen)}  [{i.queue}]  {i.sample}"
              f"  (guesses: {', '.join(i.guesses) or '-'}){context}")
    for t in tickets:
        print(f"{t.id}  ticket  {export.when(t.ts)}  {t.text}  (answer it in the console or Telegram: /review)")
    return 0


async def stats(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Print statistics: a readable summary, or JSON."""
    s = await storage.stats.stats(args.days)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    try:
        by_id = load_catalogue().by_id
    except CatalogueError:
        by_id = {}

    def title(sid: str) -> str:
        return f"{sid} {by_id[sid].title}" if sid in by_id else sid

    print(to_plain(render_stats(title, s)))
    return 0


async def teach(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """link, out-of-scope and dismiss: act on one pending question."""
    item = await _pending(storage, args.query_id)
    if item is None:
        return _error(f"no pending question with id {args.query_id!r} (see: python -m bot.review list)")
    try:
        return await _teach(args, storage, item)
    except ChangeRefused as exc:  # checked again in the change's transaction: someone was quicker, or purged
        reason = "its text was purged (retention)" if str(exc) == "item_purged" else "it was dealt with meanwhile"
        return _error(f"question {args.query_id!r} cannot be changed: {reason}")


async def _teach(args: argparse.Namespace, storage: Storage, item: ReviewItem) -> int:
    if args.cmd == "dismiss":
        await changes.dismiss(storage, [item], signin.CLI)
        print(f"dismissed {item.sample!r}")
        return 0
    if args.cmd == "out-of-scope":
        change = await changes.out_of_scope(storage, [item], signin.CLI)
        print(f"taught {item.sample!r} as out of scope (change {change})")
        return 0
    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        return _error(str(exc))
    service_id = args.service_id.zfill(2)
    if service_id not in catalogue.by_id:
        return _error(f"{args.service_id!r} is not a service id (01–{len(catalogue.services)})")
    change = await changes.link(storage, catalogue, [item], service_id, signin.CLI)
    print(f"linked {item.sample!r} to {service_id} {catalogue.by_id[service_id].title} (change {change})")
    return 0


async def term(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Teach a term for every question."""
    try:
        change = await changes.term(storage, args.typed, args.meant, signin.CLI)
    except changes.Invalid as exc:
        return _error(str(exc))
    print(f"taught {args.typed!r} → {args.meant!r} (change {change})")
    return 0


async def aliases(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Print the learned aliases."""
    found = await storage.taught.aliases()
    if args.json:
        return _dump([{"id": a.id, "text": a.text, "service": a.service_id, "created": a.created_at,
                       "by": a.created_by} for a in found])
    for a in found:
        print(f"{a.id}  {a.service_id}  {export.when(a.created_at)}  {a.text}")
    if not found:
        print("no learned aliases")
    return 0


async def unlink(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Remove a learned alias."""
    if await changes.remove(storage, "alias", args.alias_id, signin.CLI) is None:
        return _error(f"no learned alias with id {args.alias_id!r} (see: python -m bot.review aliases)")
    print(f"removed alias {args.alias_id}")
    return 0


async def history(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Print staff changes."""
    entries = await storage.taught.history(limit=1000)
    if args.json:
        return _dump([{"id": e.id, "time": e.ts, "who": e.who, "action": e.action, "summary": e.summary,
                       "undoable": e.undoable and e.undone_at is None, "undone_at": e.undone_at}
                      for e in entries])
    for e in entries:
        state = " (undone)" if e.undone_at else ""
        print(f"{e.id}  {export.when(e.ts)}  {e.who:<18} {e.summary}{state}")
    if not entries:
        print("no staff changes yet")
    return 0


async def undo(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Undo a staff change."""
    try:
        await changes.undo(storage, args.change_id, signin.CLI)
    except ChangeRefused as exc:
        return _error(f"cannot undo {args.change_id!r}: {str(exc).replace('_', ' ')} "
                      f"(see: python -m bot.review history)")
    print(f"undone {args.change_id}")
    return 0


async def export_csv(args: argparse.Namespace, storage: Storage, settings: Settings) -> int:
    """Export the question log as CSV."""
    rows = await storage.stats.export_rows(args.days)
    with open(args.csv, "w", encoding="utf-8", newline="") as fh:
        fh.write(export.to_csv(export.QUERY_COLUMNS, export.query_rows(rows)))
    print(f"exported {len(rows)} questions to {args.csv}")
    return 0


COMMANDS: dict[str, Command] = {
    "login-url": login_url, "list": list_pending, "stats": stats, "link": teach, "out-of-scope": teach,
    "dismiss": teach, "term": term, "aliases": aliases, "unlink": unlink, "history": history, "undo": undo,
    "export": export_csv,
}


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(prog="python -m bot.review", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="the staff console in the browser")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s = sub.add_parser("login-url", help="a one-time sign-in link to the console")
    s.add_argument("--base", help=f"the console's address (default: BOT_ADMIN_URL, else {DEFAULT_BASE})")
    s = sub.add_parser("list", help="pending questions and open tickets")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("stats", help="statistics (a readable summary; --json for the machine form)")
    s.add_argument("--days", type=int, default=7)
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("link", help="teach a pending question as an alias of a service")
    s.add_argument("query_id")
    s.add_argument("service_id")
    s = sub.add_parser("out-of-scope", help="teach a pending question as an out-of-scope example")
    s.add_argument("query_id")
    s = sub.add_parser("term", help="teach a term (typed → meant) that applies to every question")
    s.add_argument("typed")
    s.add_argument("meant")
    s = sub.add_parser("aliases", help="learned aliases")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("unlink", help="remove a learned alias")
    s.add_argument("alias_id")
    s = sub.add_parser("dismiss", help="mark a pending question as dealt with")
    s.add_argument("query_id")
    s = sub.add_parser("history", help="staff changes")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("undo", help="undo a staff change")
    s.add_argument("change_id")
    s = sub.add_parser("export", help="export the question log as CSV")
    s.add_argument("--csv", required=True, metavar="FILE")
    s.add_argument("--days", type=int, default=None, help="only the last N days")
    return p


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the staff console until interrupted (the database opened and the data loaded first: one line if not)."""
    logging.basicConfig(level=settings.bot_log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jieba.setLogLevel(logging.WARNING)

    async def run() -> int:
        console, storage = await open_console(settings)
        try:
            print(f"staff console on http://{host}:{port} — sign in with a link from `python -m bot.review "
                  f"login-url` or /admin in Telegram", file=sys.stderr)
            config = uvicorn.Config(create_app(settings, console=console), host=host, port=port, log_level="warning",
                                    proxy_headers=True, server_header=False)
            await uvicorn.Server(config).serve()
        finally:
            await storage.close()
        return 0

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    if args.cmd == "stats" and not 1 <= args.days <= 3650:
        print("error: --days must be 1–3650", file=sys.stderr)
        return 2
    if args.cmd == "export" and args.days is not None and not 1 <= args.days <= 3650:
        print("error: --days must be 1–3650", file=sys.stderr)
        return 2
    if args.cmd == "serve" and not 1 <= args.port <= 65535:
        print("error: --port must be 1–65535", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env(os.environ)
        if args.cmd == "serve":
            return serve(settings, args.host, args.port)
        return asyncio.run(_run(args, settings))
    except (SettingsError, StorageError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
