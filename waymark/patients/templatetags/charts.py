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
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}: {}">{}</svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, label, shown, SafeString(lines),
    )  # fmt: skip
