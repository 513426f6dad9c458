"""Care transitions made by clinicians: admit, move between levels of care, discharge;
and the watch after a discharge as the caseload and the census show it.

Each transition checks the dates against the patient's history, writes the audit entry
and the change in one transaction, and names the field at fault when it refuses; in the
same transaction it sends `hooks.transition_made`, on which the risk app reassesses.

A discharge needs an aftercare plan or the reason there is none, and a follow-up date:
the day someone should have been in touch by. For the organization's window after it
(`hooks.watch_days`: the risk settings' transition_days, 30 days by default) the patient
stays on the caseload as "recently discharged" (`patients.watch.watch_day` says which
days; `watched_after_discharge` is the same test in SQL).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from waymark.access import Actor
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import refuses
from waymark.organizations.models import Organization, Program
from waymark.patients.hooks import transition_made, watch_days
from waymark.patients.models import Episode, Patient, ProgramStay
from waymark.patients.queries import last_stay
from waymark.patients.services import admit, discharge, move_to_program
from waymark.patients.watch import FOLLOW_UP_RULE_ID, follow_up_range, watch_day


def _not_in_future(on: dt.date, today: dt.date, what: str) -> None:
    if on > today:
        raise ValidationError({"on": f"The {what} cannot be in the future."})


def open_episode(patient: Patient) -> Episode | None:
    return patient.episodes.filter(discharged_on__isnull=True).first()


def _transitioned(
    actor: Actor, patient: Patient, action: AuditAction, what: AuditObject, pk: object
) -> None:
    """Every transition: audited, then announced in the same transaction (risk reassesses)."""
    record(actor, action, patient=patient, object_type=what, object_id=str(pk))
    transition_made.send(sender=Patient, patient=patient)


@refuses
@transaction.atomic
def admit_patient(
    actor: Actor,
    patient: Patient,
    program: Program,
    *,
    on: dt.date,
    planned_discharge_on: dt.date | None,
    today: dt.date,
) -> Episode:
    _not_in_future(on, today, "admission")
    episode = admit(patient, program, on=on, planned_discharge_on=planned_discharge_on)
    _transitioned(actor, patient, AuditAction.CREATE, AuditObject.EPISODE, episode.pk)
    return episode


@refuses
@transaction.atomic
def move_patient(
    actor: Actor, patient: Patient, program: Program, *, on: dt.date, today: dt.date
) -> ProgramStay:
    episode = open_episode(patient)
    if episode is None:
        raise ValidationError("This patient is not in care; admit them first.")
    _not_in_future(on, today, "move")
    stay = move_to_program(episode, program, on=on)
    _transitioned(actor, patient, AuditAction.CREATE, AuditObject.PROGRAM_STAY, stay.pk)
    return stay


def check_discharge_plan(
    on: dt.date,
    *,
    aftercare_plan: str,
    no_aftercare_reason: str,
    follow_up_on: dt.date | None,
    window: int,
) -> None:
    """An aftercare plan or the reason there is none (not both), and a follow-up date from
    the day after the discharge to inside the watch. Every fault at once, by field."""
    errors: dict[str, str] = {}
    if not aftercare_plan.strip() and not no_aftercare_reason.strip():
        errors["aftercare_plan"] = "Write the aftercare plan, or say below why there is none."
    elif aftercare_plan.strip() and no_aftercare_reason.strip():
        errors["no_aftercare_reason"] = (
            "There is an aftercare plan: leave this empty, or clear the plan."
        )
    earliest, latest = follow_up_range(on, window)
    if follow_up_on is None:
        errors["follow_up_on"] = "Set the day someone should have been in touch by."
    elif follow_up_on < earliest:
        errors["follow_up_on"] = "The follow-up must be after the discharge day."
    elif follow_up_on > latest:
        errors["follow_up_on"] = (
            f"The follow-up must be by {latest:%-d %b %Y}, inside the {window}-day watch "
            "after discharge."
        )
    if errors:
        raise ValidationError(errors)


@refuses
@transaction.atomic
def discharge_patient(
    actor: Actor,
    patient: Patient,
    *,
    on: dt.date,
    destination: str,
    aftercare_plan: str,
    today: dt.date,
    no_aftercare_reason: str = "",
    follow_up_on: dt.date | None = None,
) -> Episode:
    episode = open_episode(patient)
    if episode is None:
        raise ValidationError("This patient is not in care.")
    _not_in_future(on, today, "discharge")
    check_discharge_plan(
        on,
        aftercare_plan=aftercare_plan,
        no_aftercare_reason=no_aftercare_reason,
        follow_up_on=follow_up_on,
        window=watch_days(patient.organization_id),
    )
    discharge(episode, on=on, destination=destination, aftercare_plan=aftercare_plan.strip())
    episode.no_aftercare_reason = no_aftercare_reason.strip()
    episode.follow_up_on = follow_up_on
    episode.full_clean()
    episode.save(update_fields=["no_aftercare_reason", "follow_up_on"])
    _transitioned(actor, patient, AuditAction.UPDATE, AuditObject.DISCHARGE, episode.pk)
    return episode


def organization_today(organization: Organization) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organization.timezone)).date()


def watched_after_discharge(today: dt.date, window: int) -> Q:
    """Episodes whose watch runs on `today`: `patients.watch.watch_day` in SQL."""
    return Q(discharged_on__isnull=False, discharged_on__lte=today) & (
        Q(discharged_on__gte=today - dt.timedelta(days=window))
        | Q(follow_up_on__gte=today - dt.timedelta(days=1))
    )


def _in_care() -> Exists:
    return Exists(Episode.objects.filter(patient=OuterRef("pk"), discharged_on__isnull=True))


def _watched(today: dt.date, window: int) -> Exists:
    return Exists(
        Episode.objects.filter(watched_after_discharge(today, window), patient=OuterRef("pk"))
    )


def in_care_or_recently_discharged(
    patients: QuerySet[Patient], today: dt.date, window: int
) -> QuerySet[Patient]:
    """The caseload's default: patients in care, and those in the watch after a discharge."""
    return patients.filter(Q(_in_care()) | Q(_watched(today, window)))


def recently_discharged(
    patients: QuerySet[Patient], today: dt.date, window: int
) -> QuerySet[Patient]:
    """Patients not back in care whose latest discharge is being watched today."""
    return patients.filter(_watched(today, window)).exclude(_in_care())


def _follow_up_due(reasons: Any) -> bool:
    return any(reason.get("rule") == FOLLOW_UP_RULE_ID for reason in reasons or [])


def watch_label(day: int, window: int) -> str:
    if day == 0:
        return "Recently discharged (today)"
    if day > window:  # only when a follow-up date outlasts a very short window
        return f"Recently discharged ({day} days ago)"
    return f"Recently discharged (day {day} of {window})"


def attach_watch(patients: list[Patient], today: dt.date, window: int) -> list[Patient]:
    """Set `watch_day`, `watch_label` and `follow_up_due` on a page of the caseload.

    One query for the page's patients not in a program, after sorting and slicing (like
    `queries.attach_current_programs`, which must run first); `follow_up_due` reads the
    reasons the caseload row already carries.
    """
    rows = Episode.objects.filter(
        patient__in=[p.pk for p in patients if p.current_program is None],  # type: ignore[attr-defined]
        discharged_on__isnull=False,
    ).order_by("patient_id", "discharged_on", "pk")
    latest = {e.patient_id: e for e in rows.only("patient_id", "discharged_on", "follow_up_on")}
    for patient in patients:
        episode = latest.get(patient.pk)
        day = (
            watch_day(episode.discharged_on, episode.follow_up_on, today, window)
            if episode is not None and episode.discharged_on is not None
            else None
        )
        patient.watch_day = day  # type: ignore[attr-defined]
        patient.watch_label = watch_label(day, window) if day is not None else ""  # type: ignore[attr-defined]
        patient.follow_up_due = day is not None and _follow_up_due(  # type: ignore[attr-defined]
            getattr(patient, "risk_reasons", None)
        )
    return patients


@dataclass(frozen=True)
class RecentDischarge:
    """A census row: a patient in the watch after a discharge."""

    episode: Episode
    program: str
    day: int
    label: str
    follow_up_due: bool


def recent_discharges(
    patients: QuerySet[Patient], today: dt.date, window: int
) -> list[RecentDischarge]:
    """The census's "recently discharged" section, most recent discharge first (two queries)."""
    episodes = (
        Episode.objects.filter(
            watched_after_discharge(today, window),
            patient__in=recently_discharged(patients, today, window),
        )
        .select_related("patient")
        .annotate(last_program=last_stay("program__name"))
        .order_by("-discharged_on", "-pk")
    )
    latest: dict[object, Episode] = {}
    for found in episodes:
        latest.setdefault(found.patient_id, found)
    # The risk app keeps each patient's reasons (a `risks` row per patient).
    reasons = dict(Patient.objects.filter(pk__in=list(latest)).values_list("pk", "risks__reasons"))
    rows = []
    for episode in latest.values():
        assert episode.discharged_on is not None
        day = watch_day(episode.discharged_on, episode.follow_up_on, today, window)
        if day is None:
            continue
        rows.append(
            RecentDischarge(
                episode=episode,
                program=episode.last_program or "",  # type: ignore[attr-defined]
                day=day,
                label=watch_label(day, window),
                follow_up_due=_follow_up_due(reasons.get(episode.patient_id)),
            )
        )
    return rows
