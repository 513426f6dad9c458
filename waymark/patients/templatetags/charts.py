"""Small server-drawn charts: they need no JavaScript and print well."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

WIDTH, HEIGHT, TOP = 84, 22, 10


@register.simple_tag
def sparkline(
    values: Sequence[float | None] | None, label: str = "Craving, last 14 days"
) -> SafeString:
    """A 0–10 line over the given days; gaps where there was no value."""
    values = list(values or [])
    if not any(v is not None for v in values):
        return SafeString('<span class="muted small">no data</span>')
    step = WIDTH / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        y = HEIGHT - 1 - (min(max(value, 0), TOP) / TOP) * (HEIGHT - 2)
        segments[-1].append(f"{index * step:.1f},{y:.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(points)}" />' if len(points) > 1
        else f'<circle cx="{points[0].split(",")[0]}" cy="{points[0].split(",")[1]}" r="1.5" />'
        for points in segments if points
    )  # fmt: skip
    shown = ", ".join("–" if v is None else str(v) for v in values)
    known = [v for v in values if v is not None]
    low, high = min(known), max(known)
    # The scale is drawn (a faint top and bottom rule: 10 and 0) and the range is written
    # beside the line (issue 16): a flat line at 2 and one at 9 no longer look alike.
    frame = f'<line class="axis" x1="0" y1="0.5" x2="{WIDTH}" y2="0.5" />' + (
        f'<line class="axis" x1="0" y1="{HEIGHT - 0.5}" x2="{WIDTH}" y2="{HEIGHT - 0.5}" />'
    )
    span = f"{low}" if low == high else f"{low}–{high}"
    return format_html(
        '<span class="spark"><svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}, scale 0 to {}: {}">{}{}</svg>'
        '<span class="spark-range" title="Lowest and highest of these days, on a 0–{} scale">'
        "{}<span class=\"muted\">/{}</span></span></span>",
        WIDTH, HEIGHT, WIDTH, HEIGHT, label, TOP, shown, SafeString(frame), SafeString(lines),
        TOP, span, TOP,
    )  # fmt: skip
