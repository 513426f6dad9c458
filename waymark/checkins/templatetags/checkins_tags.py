"""Small filters for this app's own templates (its panels on other apps' pages are in
panels.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db import models

from waymark.checkins.choices import Habit, KetamineSymptom, Meeting, Trigger
from waymark.checkins.models import Milestone
from waymark.checkins.sobriety import milestone_name

register = template.Library()

_CHOICES: dict[str, type[models.TextChoices]] = {
    "trigger": Trigger,
    "habit": Habit,
    "meeting": Meeting,
    "symptom": KetamineSymptom,
}


@register.filter(name="milestone_name")
def milestone_label(days: int) -> str:
    """e.g. 7 → "1 week", 730 → "2 years"."""
    return milestone_name(days)


@register.filter
def choice_labels(values: Iterable[str], kind: str) -> list[str]:
    """The labels of stored choice codes, e.g. ["lonely"] → ["Lonely"]."""
    choices = dict(_CHOICES[kind].choices)
    return [str(choices.get(value, value)) for value in values]


@register.filter
def biggest_milestone(milestones: Iterable[Milestone]) -> Milestone | None:
    """The one to celebrate when several were reached at once."""
    return max(milestones, key=lambda milestone: milestone.days, default=None)
