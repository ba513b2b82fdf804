"""Staff review on the command line, on the same database as the running bot (safe to run alongside).

    python -m bot.review list [--json]            pending questions and open tickets, with ids
    python -m bot.review stats [--days N]         answer rate, top unanswered, feedback, checks
    python -m bot.review link QUERY_ID SERVICE_ID teach a pending question as an alias of a service
    python -m bot.review aliases [--json]         learned aliases, with ids
    python -m bot.review unlink ALIAS_ID          remove a learned alias
    python -m bot.review dismiss QUERY_ID         mark a pending question as dealt with
    python -m bot.review export --csv FILE        the question log as CSV (UTF-8 with BOM, for Excel)

QUERY_ID is the id `list` prints. A running bot picks up links and unlinks within BOT_SYNC_SECONDS.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import time
from retrieval.loader import CatalogueError, load_catalogue
from retrieval.text import normalise

from .settings import Settings, SettingsError
from .storage import Storage, StorageError

CSV_COLUMNS = (
    ("id", "编号 id"), ("time", "时间 time"), ("chat_type", "会话类型 chat type"), ("text", "问题 question"),
    ("decision", "处理结果 decision"), ("reason", "原因 reason"), ("hits", "候选 top hits"),
    ("shown", "展示的服务 service shown"), ("feedback", "反馈 feedback"),
)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else ""


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    storage = Storage(settings.bot_db_path)
    await storage.open()
    try:
        return await _command(args, storage)
    finally:
        await storage.close()


async def _command(args: argparse.Namespace, storage: Storage) -> int:
    out = sys.stdout
    if args.cmd == "list":
        items = await storage.review_items(limit=10_000)
        tickets = await storage.tickets(limit=10_000)
        if args.json:
            json.dump({"pending": [{"id": i.id, "text": i.sample, "count": i.count, "first_seen": i.first_seen,
                                    "last_seen": i.last_seen, "kinds": list(i.kinds), "guesses": list(i.guesses)}
                                   for i in items],
                       "tickets": [{"id": t.id, "time": t.ts, "text": t.text} for t in tickets]},
                      out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        if not items and not tickets:
            print("no pending questions")
        for i in items:
            print(f"{i.id}  x{i.count:<3} {_when(i.last_seen)}  [{','.join(i.kinds)}]  {i.sample}"
                  f"  (guesses: {', '.join(i.guesses) or '-'})")
        for t in tickets:
            print(f"{t.id}  ticket  {_when(t.ts)}  {t.text}  (answer it in Telegram: /review)")
        return 0
    if args.cmd == "stats":
        s = await storage.stats(args.days)
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    if args.cmd == "link":
        try:
            catalogue = load_catalogue()
        except CatalogueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        service_id = args.service_id.zfill(2)
        if service_id not in catalogue.by_id:
            print(f"error: {args.service_id!r} is not a service id (01–{len(catalogue.services)})", file=sys.stderr)
            return 1
        item = await storage.review_item(args.query_id)
        if item is None or item.status != "pending":
            print(f"error: no pending question with id {args.query_id!r} (see: python -m bot.review list)",
                  file=sys.stderr)
            return 1
        alias_id = await storage.link(item.id, service_id, item.sample, normalise(item.sample))
        print(f"linked {item.sample!r} to {service_id} {catalogue.by_id[service_id].title} (alias {alias_id})")
        return 0
    if args.cmd == "aliases":
        aliases = await storage.aliases()
        if args.json:
            json.dump([{"id": a.id, "text": a.text, "service": a.service_id, "created": a.created_at}
                       for a in aliases], out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            for a in aliases:
                print(f"{a.id}  {a.service_id}  {_when(a.created_at)}  {a.text}")
            if not aliases:
                print("no learned aliases")
        return 0
    if args.cmd == "unlink":
        if not await storage.remove_alias(args.alias_id):
            print(f"error: no learned alias with id {args.alias_id!r} (see: python -m bot.review aliases)",
                  file=sys.stderr)
            return 1
        print(f"removed alias {args.alias_id}")
        return 0
    if args.cmd == "dismiss":
        item = await storage.review_item(args.query_id)
        if item is None or item.status != "pending":
            print(f"error: no pending question with id {args.query_id!r}", file=sys.stderr)
            return 1
        await storage.dismiss(item.id)
        print(f"dismissed {item.sample!r}")
        return 0
    if args.cmd == "export":
        rows = await storage.export_rows()
        with open(args.csv, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([header for _, header in CSV_COLUMNS])
            for r in rows:
                r = dict(r, time=_when(r["ts"]), hits=" ".join(f"{h}:{s}" for h, s in json.loads(r["hits"] or "[]")))
                writer.writerow([r.get(key) if r.get(key) is not None else "" for key, _ in CSV_COLUMNS])
        print(f"exported {len(rows)} questions to {args.csv}")
        return 0
    raise AssertionError(args.cmd)


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(prog="python -m bot.review", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("list", help="pending questions and open tickets")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("stats", help="statistics")
    s.add_argument("--days", type=int, default=7)
    s = sub.add_parser("link", help="teach a pending question as an alias of a service")
    s.add_argument("query_id")
    s.add_argument("service_id")
    s = sub.add_parser("aliases", help="learned aliases")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("unlink", help="remove a learned alias")
    s.add_argument("alias_id")
    s = sub.add_parser("dismiss", help="mark a pending question as dealt with")
    s.add_argument("query_id")
    s = sub.add_parser("export", help="export the question log as CSV")
    s.add_argument("--csv", required=True, metavar="FILE")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    if args.cmd == "stats" and not 1 <= args.days <= 3650:
        print("error: --days must be 1–3650", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env(os.environ)
        return asyncio.run(_run(args, settings))
    except (SettingsError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
