"""Small SVG charts drawn on the server (no script, no build step); every label is escaped here.

Colours come from classes the console's stylesheet defines (s0, s1 …), so the pages need no inline styles.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup

W, H = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 64, 10, 10, 34
# At most this many day labels under a time chart (on a phone they are drawn twice as large: see console.css).
DAY_LABELS = 7


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _axis(days: Sequence[str], top: float, unit: str = "") -> list[str]:
    parts = [f'<line class="axis" x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}"/>']
    for frac in (0.0, 0.5, 1.0):
        y = H - PAD_B - frac * (H - PAD_T - PAD_B)
        label = f"{top * frac:.0%}" if unit == "%" else f"{top * frac:.0f}"
        parts.append(f'<line class="grid" x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">{_e(label)}</text>')
    step = max(1, -(-len(days) // DAY_LABELS))
    slot = (W - PAD_L - PAD_R) / max(1, len(days))
    for i, day in enumerate(days):
        if i % step == 0:
            x = PAD_L + slot * (i + 0.5)
            parts.append(f'<text class="tick" x="{x:.1f}" y="{H - PAD_B + 24}" text-anchor="middle">{_e(day[5:])}</text>')
    return parts


def _svg(parts: list[str], title: str) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{_e(title)}">'
                  f'<title>{_e(title)}</title>{"".join(parts)}</svg>')


def stacked_bars(title: str, days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """Return bars per day, each stacked from the series (name, values per day)."""
    totals = [sum(s[1][i] for s in series) for i in range(len(days))]
    top = max(totals + [1])
    slot = (W - PAD_L - PAD_R) / max(1, len(days))
    parts = _axis(days, top)
    for i, day in enumerate(days):
        y: float = H - PAD_B
        for k, (name, values) in enumerate(series):
            h = values[i] / top * (H - PAD_T - PAD_B)
            if h > 0:
                y -= h
                parts.append(f'<rect class="s{k}" x="{PAD_L + slot * i + slot * 0.15:.1f}" y="{y:.1f}" '
                             f'width="{slot * 0.7:.1f}" height="{h:.1f}"><title>{_e(day)} {_e(name)}：'
                             f'{values[i]}</title></rect>')
    return _svg(parts, title)


def lines(title: str, days: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Markup:
    """Return one line per series of shares (0–1) over the days; days without data are gaps."""
    slot = (W - PAD_L - PAD_R) / max(1, len(days))
    parts = _axis(days, 1.0, "%")
    for k, (name, values) in enumerate(series):
        points = []
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = PAD_L + slot * (i + 0.5), H - PAD_B - v * (H - PAD_T - PAD_B)
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle class="s{k}" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{_e(days[i])} {_e(name)}：'
                         f'{v:.0%}</title></circle>')
        if len(points) > 1:
            parts.append(f'<polyline class="line l{k}" points="{" ".join(points)}"/>')
    return _svg(parts, title)


def hbars(title: str, rows: Sequence[tuple[str, int]], tone: str = "") -> Markup:
    """Return horizontal bars for a top list, each label on its own line above its bar (so that it is readable on
    a phone); `tone` "bad" draws the bars in the colour of what went wrong (the console's stylesheet)."""
    if not rows:
        return Markup("")
    top = max(v for _, v in rows) or 1
    width, row_h, label = 420, 42, 28
    height = row_h * len(rows) + 4
    parts = []
    for i, (text, value) in enumerate(rows):
        y = 2 + i * row_h
        w = value / top * (width - 60)
        short = text if len(text) <= label else text[:label - 1] + "…"
        parts.append(f'<text class="label" x="0" y="{y + 16}">{_e(short)}<title>{_e(text)}</title></text>')
        parts.append(f'<rect class="bar" x="0" y="{y + 22}" width="{max(w, 1):.1f}" height="14"/>')
        parts.append(f'<text class="value" x="{w + 6:.1f}" y="{y + 34}">{value}</text>')
    return Markup(f'<svg class="chart bars {_e(tone)}" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{_e(title)}"><title>{_e(title)}</title>{"".join(parts)}</svg>')
