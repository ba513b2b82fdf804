"""Statistics (answer rates, top unanswered, feedback, checks; per day and per check) and the query log as rows for export."""

from __future__ import annotations

from typing import Any

from .database import Database
from .rows import PURGED


class Stats:
    """Figures for /stats and the dashboard, and rows for CSV export."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def stats(self, days: int) -> dict[str, Any]:
        """Return answer rates, top unanswered texts, most-shown services, feedback and flow counts."""
        since = self.db.clock() - days * 86400
        (row,) = await self.db.read(
            "SELECT count(*) AS total, sum(decision = 'answered') AS answered, sum(decision = 'suggest') AS suggest, "
            "sum(decision = 'unanswered') AS unanswered FROM queries WHERE ts >= ?", (since,))
        (declined,) = await self.db.read(
            "SELECT count(*) AS n FROM queries WHERE ts >= ? AND decision = 'unanswered' AND reason = 'out_of_scope'",
            (since,))
        top_unanswered = await self.db.read(
            "SELECT coalesce(sample, ?) AS text, sum(count) AS count FROM review_items WHERE last_seen >= ? "
            "AND status = 'pending' AND queue IN ('unanswered', 'suggest', 'down', 'none') "
            "GROUP BY coalesce(norm, id) ORDER BY count DESC, max(last_seen) DESC LIMIT 5", (PURGED, since))
        shown = await self.db.read(
            "SELECT shown, count(*) AS n FROM queries WHERE ts >= ? AND shown IS NOT NULL GROUP BY shown "
            "ORDER BY n DESC LIMIT 5", (since,))
        fb = {r["kind"]: r["n"] for r in await self.db.read(
            "SELECT kind, count(*) AS n FROM feedback WHERE ts >= ? GROUP BY kind", (since,))}
        flows = await self.db.read("SELECT event, count(*) AS n FROM flow_events WHERE ts >= ? GROUP BY event", (since,))
        verdicts = await self.db.read(
            "SELECT verdict, count(*) AS n FROM flow_events WHERE ts >= ? AND event = 'verdict' GROUP BY verdict",
            (since,))
        total = row["total"] or 0
        answered, suggest, unanswered = row["answered"] or 0, row["suggest"] or 0, row["unanswered"] or 0
        return {
            "days": days,
            "questions": total,
            "answered": answered,
            "suggest": suggest,
            "unanswered": unanswered,
            "answer_rate": round(answered / total, 3) if total else None,
            "unanswered_rate": round(unanswered / total, 3) if total else None,
            "suggest_rate": round(suggest / total, 3) if total else None,
            "declined": declined["n"] or 0,
            "top_unanswered": [(r["text"], r["count"]) for r in top_unanswered],
            "top_services": [(r["shown"], r["n"]) for r in shown],
            "thumbs_up": fb.get("up", 0),
            "thumbs_down": fb.get("down", 0),
            "none_of_these": fb.get("none", 0),
            "flow_events": {r["event"]: r["n"] for r in flows},
            "verdicts": {r["verdict"]: r["n"] for r in verdicts},
        }

    async def daily(self, days: int) -> list[dict[str, Any]]:
        """Return per local day: questions by decision, declined topics, and 👍/👎/都不是 (days with activity only)."""
        since = self.db.clock() - days * 86400
        rows = await self.db.read(
            "SELECT date(ts, 'unixepoch', 'localtime') AS day, count(*) AS questions, "
            "sum(decision = 'answered') AS answered, sum(decision = 'suggest') AS suggest, "
            "sum(decision = 'unanswered') AS unanswered, "
            "sum(decision = 'unanswered' AND reason = 'out_of_scope') AS declined "
            "FROM queries WHERE ts >= ? GROUP BY day ORDER BY day", (since,))
        out = {r["day"]: {k: (r[k] or 0) if k != "day" else r[k] for k in r.keys()} for r in rows}
        for r in await self.db.read(
                "SELECT date(ts, 'unixepoch', 'localtime') AS day, kind, count(*) AS n FROM feedback WHERE ts >= ? "
                "GROUP BY day, kind", (since,)):
            day = out.setdefault(r["day"], {"day": r["day"], "questions": 0, "answered": 0, "suggest": 0,
                                            "unanswered": 0, "declined": 0})
            day[{"up": "thumbs_up", "down": "thumbs_down"}.get(r["kind"], "none_of_these")] = r["n"]
        result = []
        for day in sorted(out):
            entry = {"thumbs_up": 0, "thumbs_down": 0, "none_of_these": 0, **out[day]}
            result.append(entry)
        return result

    async def flow_stats(self, days: int) -> list[dict[str, Any]]:
        """Return per eligibility check: starts, completions (verdicts) and each verdict's count."""
        since = self.db.clock() - days * 86400
        flows: dict[str, dict[str, Any]] = {}
        for r in await self.db.read(
                "SELECT flow_id, event, verdict, count(*) AS n FROM flow_events WHERE ts >= ? "
                "GROUP BY flow_id, event, verdict", (since,)):
            f = flows.setdefault(r["flow_id"], {"flow": r["flow_id"], "starts": 0, "completions": 0, "verdicts": {}})
            if r["event"] == "start":
                f["starts"] += r["n"]
            elif r["event"] == "verdict":
                f["completions"] += r["n"]
                f["verdicts"][r["verdict"] or ""] = f["verdicts"].get(r["verdict"] or "", 0) + r["n"]
        return sorted(flows.values(), key=lambda f: (-f["starts"], f["flow"]))

    async def hot_services(self, days: int, limit: int = 5) -> list[tuple[str, int]]:
        """Return the services most users were shown in recent days (each user counts once per service)."""
        since = self.db.clock() - days * 86400
        rows = await self.db.read(
            "SELECT shown, count(DISTINCT user_key) AS users FROM queries WHERE ts >= ? AND shown IS NOT NULL "
            "GROUP BY shown ORDER BY users DESC, shown LIMIT ?", (since, limit))
        return [(r["shown"], int(r["users"])) for r in rows]

    async def export_rows(self, days: int | None = None) -> list[dict[str, Any]]:
        """Return the query log (of the last `days`, or all) joined with feedback, for CSV export."""
        since = self.db.clock() - days * 86400 if days else float("-inf")
        rows = await self.db.read(
            "SELECT q.id, q.ts, q.chat_type, q.text, q.decision, q.reason, q.hits, q.shown, "
            "(SELECT group_concat(kind) FROM feedback f WHERE f.query_id = q.id) AS feedback "
            "FROM queries q WHERE q.ts >= ? ORDER BY q.ts", (since,))
        return [dict(r) for r in rows]
