"""Plan and coping workflows: save a version of a plan (relapse prevention or safety),
record a coping use, summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Avg, Count, F, Max, QuerySet
from django.utils import timezone

from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.checkins.choices import Trigger
from waymark.plans.fields import SAFETY_SECTIONS, SECTIONS, Section
from waymark.plans.models import (
    CopingTool,
    CopingUse,
    PlanVersion,
    SafetyPlanVersion,
    VersionedPlan,
)

if TYPE_CHECKING:
    from waymark.access import Actor
    from waymark.patients.models import Patient


@dataclass(frozen=True)
class PlanKind:
    """What differs between the relapse prevention plan and the safety plan."""

    model: type[VersionedPlan]
    sections: tuple[Section, ...]
    audit_object: AuditObject

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(section.name for section in self.sections)


RELAPSE = PlanKind(PlanVersion, SECTIONS, AuditObject.PLAN_VERSION)
SAFETY = PlanKind(SafetyPlanVersion, SAFETY_SECTIONS, AuditObject.SAFETY_PLAN)


def _of(patient: Patient) -> dict[str, Any]:
    # Each concrete plan has its own `patient` (its own related name), not the abstract base.
    return {"organization_id": patient.organization_id, "patient": patient}


def _versions(patient: Patient, kind: PlanKind) -> QuerySet[Any]:
    return kind.model._default_manager.filter(**_of(patient)).order_by("-number")


def current_plan(patient: Patient) -> PlanVersion | None:
    return PlanVersion.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).first()


def current_safety_plan(patient: Patient) -> SafetyPlanVersion | None:
    return SafetyPlanVersion.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).first()


@transaction.atomic
def save_plan(
    patient: Patient, content: dict[str, Any], *, actor: Actor, kind: PlanKind = RELAPSE
) -> Any:
    """A new version (never an edit of the last one), audited. Returns the version."""
    # Lock the patient row so two saves at once take different numbers.
    type(patient).objects.select_for_update(no_key=True).filter(pk=patient.pk).first()
    last = _versions(patient, kind).aggregate(number=Max("number"))["number"]
    version = kind.model._default_manager.create(
        **_of(patient),
        number=(last or 0) + 1,
        author=actor.user,
        author_role=actor.role,
        created_at=timezone.now(),
        content={name: content.get(name, []) for name in kind.names},
    )
    record(
        actor,
        AuditAction.UPDATE,
        patient=patient,
        object_type=kind.audit_object,
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


def diff(
    before: VersionedPlan | None, after: VersionedPlan, kind: PlanKind = RELAPSE
) -> list[FieldChange]:
    """Which sections changed between two versions: lines added and lines removed."""
    changes = []
    for section in kind.sections:
        old = _as_text(before.lines(section.name)) if before else []
        new = _as_text(after.lines(section.name))
        added = [line for line in new if line not in old]
        removed = [line for line in old if line not in new]
        if added or removed:
            changes.append(FieldChange(section.label, added, removed))
    return changes


def history(
    patient: Patient, kind: PlanKind = RELAPSE
) -> list[tuple[VersionedPlan, list[FieldChange]]]:
    """Each version, newest first, with what it changed from the one before."""
    versions: list[VersionedPlan] = list(_versions(patient, kind).select_related("author"))
    older: list[VersionedPlan | None] = [*versions[1:], None][: len(versions)]
    return [(v, diff(previous, v, kind)) for v, previous in zip(versions, older, strict=True)]


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
