from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def plan_lines(plan: Any, name: str) -> list[Any]:
    """The lines of one section of a plan version (none when there is no plan)."""
    return list(plan.lines(name)) if plan else []


@register.filter
def tel_href(phone: str) -> str:
    """A phone number as a tel: link target: digits and a leading + only."""
    digits = "".join(char for char in phone if char.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"
