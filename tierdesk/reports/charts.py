"""Charts drawn on the server as SVG: a trend line against its goal, and a bar per key.

The numbers become coordinates here; the templates draw them (escaped like any page), so
no chart library ships to the browser. Right-to-left pages get the time axis mirrored:
the newest period sits on the left, where an Arabic reader ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 320, 120, 28


@dataclass
class Point:
    x: float
    y: float
    label: str
    value: str


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:g}%"
    if unit == "duration":
        minutes = value / 60
        return f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.0f} min"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _scale(values: list[float], target: float | None) -> tuple[float, float]:
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    top = max(known) if known else 1.0
    return 0.0, (top * 1.15) or 1.0


def trend(series: list[dict[str, Any]], unit: str, title: str, target: float | None = None,
          rtl: bool = False) -> SafeString:
    """A line through each period's value, the goal dashed across."""
    values = [p["value"] for p in series]
    low, high = _scale(values, target)
    n = max(len(series) - 1, 1)
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    points = []
    for i, p in enumerate(series):
        x = PAD + plot_w * ((n - i) if rtl else i) / n
        y = None if p["value"] is None else PAD + plot_h * (1 - (p["value"] - low) / (high - low))
        points.append(Point(round(x, 1), round(y, 1) if y is not None else None,
                            p["period"], _fmt(p["value"], unit)))
    line = " ".join(f"{p.x},{p.y}" for p in points if p.y is not None)
    goal_y = (round(PAD + plot_h * (1 - (target - low) / (high - low)), 1)
              if target is not None else None)
    return render_to_string("reports/_trend.svg", {
        "w": WIDTH, "h": HEIGHT, "pad": PAD, "points": points, "line": line,
        "goal_y": goal_y, "goal": _fmt(target, unit) if target is not None else "",
        "title": title, "rtl": rtl, "baseline": HEIGHT - PAD, "right": WIDTH - PAD,
    })


def bars(breakdown: dict[str, Any], unit: str, title: str, rtl: bool = False) -> SafeString:
    """One horizontal bar per key, longest first as given."""
    items = [(k, v) for k, v in breakdown.items() if v is not None][:12]
    top = max((v for _, v in items), default=1) or 1
    row, label_w = 22, 110
    bar_w = WIDTH - label_w - 50
    rows = []
    for i, (key, v) in enumerate(items):
        length = round(bar_w * v / top, 1)
        x = WIDTH - label_w - length if rtl else label_w
        rows.append({"y": 8 + i * row, "key": key, "length": length, "x": x,
                     "text_x": WIDTH - label_w + 6 if rtl else label_w - 6,
                     "value_x": x - 4 if rtl else x + length + 4, "value": _fmt(v, unit)})
    return render_to_string("reports/_bars.svg", {
        "w": WIDTH, "h": 16 + row * max(len(items), 1), "rows": rows, "title": title,
        "rtl": rtl, "empty": not items,
    })
