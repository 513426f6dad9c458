"""The caseload's sortable column headers: links that work without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from waymark.patients.keyset import ORDERS, Order

register = template.Library()

# Which way each sort reads first, as a person sees the column: risk and PHQ-9 highest
# first, the latest check-in first, the most days in the program first, names A to Z.
READS_DESCENDING = {"risk": True, "name": False, "checkin": True, "days": True, "phq9": True}


def _sort_query(context: dict[str, Any], param: str) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("after", None)
    query["sort"] = param
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_url(context: dict[str, Any], param: str) -> str:
    """The caseload in the order `param` ("risk", "-name"), filters and search kept, from
    its first page."""
    return f"?{_sort_query(context, param)}"


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], name: str, label: str) -> SafeString:
    """A `<th>` whose link sorts by `name` (again: the other way round)."""
    current: Order = context["order"]
    chosen = current.name == name
    reverse = chosen and ORDERS[name].reversible and not current.reverse
    aria = "none"
    if chosen:
        aria = "descending" if READS_DESCENDING[name] != current.reverse else "ascending"
    arrow = {"descending": " ↓", "ascending": " ↑"}.get(aria, "")
    return format_html(
        '<th aria-sort="{}" data-sort="{}"><a href="?{}">{}{}</a></th>',
        aria, name, _sort_query(context, f"-{name}" if reverse else name), label, arrow,
    )  # fmt: skip


@register.filter
def days_since(day: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `day` to `today` (a stay that started today: 0)."""
    return None if day is None else (today - day).days
