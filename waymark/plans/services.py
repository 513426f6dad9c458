"""Plan and coping workflows: save a plan version, record a coping use, summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Avg, Count, F, Max
from django.utils import timezone

from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.checkins.choices import Trigger
from waymark.plans.fields import LABELS, SECTION_NAMES
from waymark.plans.models import CopingTool, CopingUse, PlanVersion

if TYPE_CHECKING:
    from waymark.access import Actor
    from waymark.patients.models import Patient


def current_plan(patient: Patient) -> PlanVersion | None:
    return PlanVersion.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).first()


@transaction.atomic
def save_plan(patient: Patient, content: dict[str, Any], *, actor: Actor) -> PlanVersion:
    """A new version (never an edit of the last one); audited when not the patient."""
    # Lock the patient row so two saves at once take different numbers.
    type(patient).objects.select_for_update().filter(pk=patient.pk).first()
    last = PlanVersion.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).aggregate(number=Max("number"))["number"]
    version = PlanVersion.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        number=(last or 0) + 1,
        author=actor.user,
        author_role=actor.role,
        created_at=timezone.now(),
        content={name: content.get(name, []) for name in SECTION_NAMES},
    )
    record(
        actor,
        AuditAction.UPDATE,
        patient=patient,
        object_type=AuditObject.PLAN_VERSION,
        object_id=str(version.pk),
    )
    return version


@dataclass(frozen=True)
class FieldChange:
    label: str
    added: list[str]
    removed: list[str]


def _as_text(items: list[Any]) -> list[str]:
    return [f"{i['name']}, {i['phone']}" if isinstance(i, dict) else str(i) for i in items]


def diff(before: PlanVersion | None, after: PlanVersion) -> list[FieldChange]:
    """Which sections changed between two versions: lines added and lines removed."""
    changes = []
    for name in SECTION_NAMES:
        old = _as_text(before.lines(name)) if before else []
        new = _as_text(after.lines(name))
        added = [line for line in new if line not in old]
        removed = [line for line in old if line not in new]
        if added or removed:
            changes.append(FieldChange(LABELS[name], added, removed))
    return changes


def history(patient: Patient) -> list[tuple[PlanVersion, list[FieldChange]]]:
    """Each version, newest first, with what it changed from the one before."""
    versions = list(
        PlanVersion.objects.filter(
            organization_id=patient.organization_id, patient=patient
        ).select_related("author")
    )
    older: list[PlanVersion | None] = [*versions[1:], None]
    return [
        (v, diff(previous, v)) for v, previous in zip(versions, older[: len(versions)], strict=True)
    ]


def trigger_suggestions(patient: Patient, limit: int = 200) -> list[tuple[str, int]]:
    """The triggers the patient named in recent check-ins, most frequent first."""
    counts: dict[str, int] = {}
    recent = patient.checkins.filter(organization_id=patient.organization_id)[:limit]
    for triggers in recent.values_list("triggers", flat=True):
        for value in triggers or []:
            if value in Trigger.values and value != Trigger.OTHER:
                counts[value] = counts.get(value, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(Trigger(value).label, count) for value, count in ordered]


@transaction.atomic
def record_coping_use(
    patient: Patient, tool: str, *, before: int | None, after: int | None
) -> CopingUse:
    return CopingUse.objects.create(
        organization_id=patient.organization_id, patient=patient, tool=tool,
        used_at=timezone.now(), craving_before=before, craving_after=after,
    )  # fmt: skip


@dataclass(frozen=True)
class ToolSummary:
    label: str
    uses: int
    mean_drop: float | None


def what_helps(patient: Patient) -> list[ToolSummary]:
    """Uses per tool and the mean craving drop (before − after, where both were given)."""
    rows = (
        CopingUse.objects.filter(organization_id=patient.organization_id, patient=patient)
        .values("tool")
        .annotate(
            uses=Count("id"),
            drop=Avg(F("craving_before") - F("craving_after")),
        )
        .order_by("-uses", "tool")
    )
    return [
        ToolSummary(
            CopingTool(row["tool"]).label,
            row["uses"],
            round(float(row["drop"]), 1) if row["drop"] is not None else None,
        )
        for row in rows
    ]
