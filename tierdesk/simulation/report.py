"""The simulation's answer, current and candidate side by side: text, CSV and one SVG
chart per measure (hand-drawn SVG, no script), and JSON for scripts (pure)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")


def _fmt(value: Any, suffix: str = "") -> str:
    return "-" if value is None else f"{value}{suffix}"


def text_report(runs: list[dict[str, Any]], *, period: str, seed: int) -> str:
    """A plain-text comparison of the runs (current first)."""
    names = [r["label"] for r in runs]
    width = max(14, *(len(n) + 2 for n in names))
    head = "".join(f"{n:>{width}}" for n in names)
    lines = [f"simulated {period}: {runs[0]['tickets']} tickets, plan {runs[0]['plan']!r}, "
             f"seed {seed}, times in {runs[0]['timezone']}",
             "  " + ", ".join(f"{r['label']} = {r['pack']}" for r in runs), "",
             f"{'':36}{head}"]

    def row(label: str, key: str, suffix: str = "") -> None:
        lines.append(f"{label:36}" + "".join(f"{_fmt(r[key], suffix):>{width}}" for r in runs))

    row("first response met", "first_response_met_pct", "%")
    row("resolution met", "resolution_met_pct", "%")
    lines.append(f"{'breaches (first response/resolution)':36}" + "".join(
        f"{r['breaches']['first_response']}/{r['breaches']['resolution']:<}".rjust(width)
        for r in runs))
    row("escalations", "escalations")
    row("mean wait for first response (min)", "mean_wait_minutes")
    row("never answered in the period+14 d", "unanswered")
    lines += ["", "SLA compliance by plan, priority and metric (met %, breaches)"]
    keyed = [{(c["plan"], c["priority"], c["metric"]): c for c in r["compliance"]}
             for r in runs]
    order = list(dict.fromkeys(k for table in keyed for k in table))
    for key in order:
        cells = "".join((f"{k[key]['met_pct']}% ({k[key]['breached']})" if key in k else "-")
                        .rjust(width) for k in keyed)
        lines.append(f"  {key[0]:14} {key[1]:6} {key[2]:14}{cells}")
    lines += ["", "queue wait by hour of arrival (mean min / p90 min)"]
    for h in range(24):
        cells = "".join(f"{_fmt(r['waits_by_hour'][h]['mean_wait_minutes'])}/"
                        f"{_fmt(r['waits_by_hour'][h]['p90_wait_minutes'])}".rjust(width)
                        for r in runs)
        lines.append(f"  {h:02d}:00 ({runs[0]['waits_by_hour'][h]['tickets']:>5} tickets)"
                     f"{'':12}{cells}")
    lines += ["", "agent utilisation (busy / on shift)"]
    for i, group in enumerate(runs[0]["utilisation"]):
        cells = "".join(f"{_fmt(r['utilisation'][i]['utilisation_pct'], '%')}".rjust(width)
                        for r in runs)
        lines.append(f"  {group['group']:20} x{group['agents']:<3} "
                     f"{group['shift_hours']:>8} h on shift{'':0}{cells}")
    lines += ["", f"agents needed per hour of the week (Erlang C for the median first-"
                  f"response allowance at {runs[-1]['goal_pct']}%; {runs[-1]['label']}) vs "
                  f"planned; '!' where fewer are planned", "       " +
              "".join(f"{h:>4}" for h in range(0, 24))]
    need = runs[-1]["agents_needed"]
    for d in range(7):
        cells = need[d * 24:(d + 1) * 24]
        lines.append(f"  {cells[0]['day']} need" + "".join(
            f"{c['erlang_c_agents']:>3}{'!' if c['planned_agents'] < c['erlang_c_agents'] else ' '}"
            for c in cells))
        lines.append("      plan" + "".join(f"{c['planned_agents']:>4g}" for c in cells))
    return "\n".join(lines)


MEASURES = ("compliance", "waits_by_hour", "utilisation", "agents_needed")


def csv_tables(runs: list[dict[str, Any]]) -> dict[str, str]:
    """One CSV per measure, a ``run`` column telling current from candidate."""
    out = {}
    for measure in MEASURES:
        rows = [{"run": r["label"], "pack": r["pack"], **row} for r in runs for row in r[measure]]
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        out[f"{measure}.csv"] = buffer.getvalue()
    summary = io.StringIO()
    keys = ["run", "pack", "plan", "tickets", "first_response_met_pct", "resolution_met_pct",
            "escalations", "mean_wait_minutes", "unanswered"]
    writer = csv.DictWriter(summary, fieldnames=keys, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for r in runs:
        writer.writerow({**r, "run": r["label"]})
    out["summary.csv"] = summary.getvalue()
    return out


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# -- SVG ---------------------------------------------------------------------------------
W, H, LEFT, RIGHT, TOP, BOTTOM = 860, 360, 60, 20, 40, 70


def _frame(title: str, ymax: float, ylabel: str) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}'
             f'</text>']
    for i in range(5):
        value = ymax * i / 4
        y = H - BOTTOM - (H - TOP - BOTTOM) * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{value:g}</text>')
    parts.append(f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" '
                 f'text-anchor="middle">{escape(ylabel)}</text>')
    return parts


def _legend(parts: list[str], names: list[str]) -> None:
    for i, name in enumerate(names):
        x = LEFT + i * 200
        parts.append(f'<rect x="{x}" y="{H - 18}" width="12" height="12" '
                     f'fill="{COLOURS[i % 4]}"/><text x="{x + 16}" y="{H - 8}">'
                     f'{escape(name)}</text>')


def _top(series: list[list[float | None]]) -> float:
    """A round top for the axis: four gridlines at whole numbers."""
    highest = max([v for s in series for v in s if v is not None] + [1]) * 1.1
    return float(math.ceil(highest / 4) * 4)


def _bars(title: str, ylabel: str, labels: list[str], series: list[list[float | None]],
          names: list[str], ymax: float | None = None) -> str:
    top = ymax or _top(series)
    parts = _frame(title, top, ylabel)
    slot = (W - LEFT - RIGHT) / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.1
        for j, s in enumerate(series):
            value = s[i]
            if value is None:
                continue
            h = (H - TOP - BOTTOM) * value / top
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{H - BOTTOM - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{COLOURS[j % 4]}">'
                         f'<title>{escape(names[j])} {escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{H - BOTTOM + 12}" '
                     f'text-anchor="end" transform="rotate(-40 {x0 + slot * 0.4:.1f} '
                     f'{H - BOTTOM + 12})">{escape(label)}</text>')
    _legend(parts, names)
    return "\n".join([*parts, "</svg>"])


def _lines(title: str, ylabel: str, labels: list[str], series: list[list[float | None]],
           names: list[str], every: int = 1) -> str:
    top = _top(series)
    parts = _frame(title, top, ylabel)
    step = (W - LEFT - RIGHT) / max(len(labels) - 1, 1)
    for j, s in enumerate(series):
        points = " ".join(f"{LEFT + i * step:.1f},{H - BOTTOM - (H - TOP - BOTTOM) * v / top:.1f}"
                          for i, v in enumerate(s) if v is not None)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS[j % 4]}" '
                     f'stroke-width="2"/>')
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{LEFT + i * step:.1f}" y="{H - BOTTOM + 14}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    _legend(parts, names)
    return "\n".join([*parts, "</svg>"])


def svg_charts(runs: list[dict[str, Any]]) -> dict[str, str]:
    """One chart per measure."""
    names = [f"{r['label']} ({r['pack']})" for r in runs]
    keys = sorted({(c["priority"], c["metric"]) for r in runs for c in r["compliance"]})
    by_priority = []
    for r in runs:
        values = []
        for priority, metric in keys:
            cells = [c for c in r["compliance"] if (c["priority"], c["metric"]) == (priority,
                                                                                   metric)]
            total = sum(c["tickets"] for c in cells)
            values.append(round(100 * sum(c["met"] for c in cells) / total, 1)
                          if total else None)
        by_priority.append(values)
    need = runs[-1]["agents_needed"]
    return {
        "compliance.svg": _bars("SLA met, by priority and metric (%)", "% met",
                                [f"{p} {m.replace('_', ' ')}" for p, m in keys], by_priority,
                                names, ymax=100),
        "waits_by_hour.svg": _lines(
            "Mean wait for first response by hour of arrival (minutes)", "minutes",
            [f"{h:02d}" for h in range(24)],
            [[w["mean_wait_minutes"] for w in r["waits_by_hour"]] for r in runs], names),
        "utilisation.svg": _bars(
            "Agent utilisation by group (%)", "% busy", [u["group"] for u in runs[0]
                                                        ["utilisation"]],
            [[u["utilisation_pct"] for u in r["utilisation"]] for r in runs], names, ymax=100),
        "agents_needed.svg": _lines(
            f"Agents needed (Erlang C, {runs[-1]['label']}) vs planned, hour of the week",
            "agents", [f"{c['day']}" if c["hour"] == 0 else "" for c in need],
            [[c["erlang_c_agents"] for c in need], [c["planned_agents"] for c in need]],
            ["needed (Erlang C)", "planned"], every=24),
    }
