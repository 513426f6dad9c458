"""Small helpers for this app's own templates (its panels on other apps' pages are in
panels.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.text import slugify

from waymark.questionnaires.presenting import band_words

register = template.Library()


@register.simple_tag
def dom_id(*parts: object) -> str:
    """A unique, valid element id from parts: {% dom_id "chart" key forloop.counter as id %}."""
    return "-".join(slugify(str(part)) for part in parts if part not in (None, ""))


@register.filter
def primary_scale(scores: dict[str, Any]) -> dict[str, Any] | None:
    """The stored primary scale of a response's scores."""
    for scale in scores.get("scales", []):
        if scale.get("id") == scores.get("primary"):
            found: dict[str, Any] = scale
            return found
    return None


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def band_for_patient(band: dict[str, Any] | None) -> str:
    """A stored band's name in the patient's words (older scores: the clinician's name
    without the notes in brackets)."""
    return band_words(band)
