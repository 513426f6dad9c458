"""Asserting on the audit trail."""

from __future__ import annotations

from typing import Any

from waymark.audit.models import AuditEvent


def audited(**fields: Any) -> bool:
    """Whether the trail holds an entry with these fields (actor=, patient=, action=,
    object_type=, object_id=…)."""
    return AuditEvent.objects.filter(**fields).exists()
