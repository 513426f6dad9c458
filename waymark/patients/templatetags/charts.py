"""Small server-drawn charts: they need no JavaScript and print well."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

register = template.Library()

WIDTH, HEIGHT, TOP = 84, 22, 10


# The line's y for a 0–10 value, clamped (craving is whole numbers: most come from here).
def _y(value: float) -> str:
    return f"{HEIGHT - 1 - (min(max(value, 0), TOP) / TOP) * (HEIGHT - 2):.1f}"


_Y = {value: _y(value) for value in range(TOP + 1)}
# The scale (a faint top and bottom rule: 10 and 0), the same on every line.
_FRAME = (
    f'<line class="axis" x1="0" y1="0.5" x2="{WIDTH}" y2="0.5" />'
    f'<line class="axis" x1="0" y1="{HEIGHT - 0.5}" x2="{WIDTH}" y2="{HEIGHT - 0.5}" />'
)


@register.simple_tag
def sparkline(
    values: Sequence[float | None] | None, label: str = "Craving, last 14 days"
) -> SafeString:
    """A 0–10 line over the given days; gaps where there was no value.

    Written as text rather than through format_html: the caseload draws 50 of them per
    page, and every part but the label is numbers this function formats itself (the
    label is escaped)."""
    values = list(values or [])
    known = [v for v in values if v is not None]
    if not known:
        return SafeString('<span class="muted small">no data</span>')
    step = WIDTH / max(len(values) - 1, 1)
    segments: list[list[tuple[str, str]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        y = _Y.get(value) if type(value) is int else None
        segments[-1].append((f"{index * step:.1f}", y or _y(value)))
    lines = "".join(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in points)}" />' if len(points) > 1
        else f'<circle cx="{points[0][0]}" cy="{points[0][1]}" r="1.5" />'
        for points in segments if points
    )  # fmt: skip
    shown = ", ".join("–" if v is None else str(v) for v in values)
    low, high = min(known), max(known)
    # The range is written beside the line (issue 16): a flat line at 2 and one at 9 no
    # longer look alike.
    span = f"{low}" if low == high else f"{low}–{high}"
    return SafeString(
        f'<span class="spark"><svg class="sparkline" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}, scale 0 to '
        f'{TOP}: {escape(shown)}">{_FRAME}{lines}</svg><span class="spark-range" '
        f'title="Lowest and highest of these days, on a 0–{TOP} scale">{escape(span)}'
        f'<span class="muted">/{TOP}</span></span></span>'
    )
