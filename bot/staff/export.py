"""CSV export for Excel: UTF-8 with BOM, Chinese and English headers, and no cell that Excel would run.

A cell beginning with = + - @, a tab or a carriage return is read by spreadsheet programs as a formula
(「=HYPERLINK(…)」 becomes a live link); such cells get a leading apostrophe, which Excel shows as text.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

QUERY_COLUMNS = (
    ("id", "编号 id"), ("time", "时间 time"), ("chat_type", "会话类型 chat type"), ("text", "问题 question"),
    ("decision", "处理结果 decision"), ("reason", "原因 reason"), ("hits", "候选 top hits"),
    ("shown", "展示的服务 service shown"), ("feedback", "反馈 feedback"),
)
QUEUE_COLUMNS = (
    ("id", "编号 id"), ("queue", "队列 queue"), ("text", "问题 question"), ("count", "次数 count"),
    ("first", "首次 first seen"), ("last", "最近 last seen"), ("context_text", "上一轮问题 previous question"),
    ("context_answer", "上一轮答案 previous answer"), ("guesses", "猜测 guesses"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return a cell's text, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def when(ts: float | None) -> str:
    """Return a timestamp as local 'YYYY-MM-DD HH:MM' ('' for none)."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else ""


def short_when(ts: float) -> str:
    """Return a timestamp as local 'MM-DD HH:MM' (lists in Telegram and the console)."""
    return time.strftime("%m-%d %H:%M", time.localtime(ts))


def to_csv(columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> str:
    """Return CSV text with a BOM (Excel reads it as UTF-8), one header row, formula-safe cells."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([header for _, header in columns])
    for r in rows:
        writer.writerow([safe_cell(r.get(key)) for key, _ in columns])
    return out.getvalue()


def query_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return query-log rows with readable time and hits."""
    return [dict(r, time=when(r["ts"]), hits=" ".join(f"{h}:{s}" for h, s in json.loads(r["hits"] or "[]")))
            for r in rows]


def queue_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return queue rows with readable times and guesses."""
    return [dict(r, first=when(r.get("first_seen")), last=when(r.get("last_seen")),
                 guesses=" ".join(json.loads(r.get("guesses") or "[]"))) for r in rows]
