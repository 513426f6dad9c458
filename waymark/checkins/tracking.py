"""The patient's own counters: start tracking a substance, correct its start date, set an
amount a day for money saved, or stop the counter. Each change is one transaction.

A start date changed here is a correction, not a lapse: no use is recorded, nothing is sent
to the care team, and the change is kept (`CounterStartChange`) so the counter's history
stays readable. Starting to track a substance makes not using it one of the patient's goals
(a use of it then counts as a lapse, as for any abstinence goal; see sobriety.py). Stopping
hides the counter only: the goal and what the patient reports stay as they were.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from waymark.checkins import idempotency
from waymark.checkins.models import CounterStartChange, TrackedSubstance
from waymark.checkins.sobriety import abstinence_goals, counting_start
from waymark.errors import ServiceError
from waymark.patients.models import Goal, Patient, Substance

AMOUNT_PER_DAY_MAX = Decimal("100000")


def _check_substance(substance: str) -> None:
    if substance not in Substance.values:
        raise ServiceError("Choose a substance from the list.", field="substance")


def _check_start(patient: Patient, started_on: dt.date, today: dt.date) -> None:
    if started_on > today:
        raise ServiceError(
            "The start date can't be in the future: choose today or an earlier day.",
            field="started_on",
        )
    if started_on < patient.date_of_birth:
        raise ServiceError("The start date can't be before your date of birth.", field="started_on")


def _check_amount(amount: Decimal | None) -> None:
    if amount is not None and not (0 <= amount < AMOUNT_PER_DAY_MAX):
        raise ServiceError(
            "The amount a day must be 0 or more (leave it empty if you'd rather not say).",
            field="amount_per_day",
        )


@transaction.atomic
def save_counter(
    patient: Patient,
    substance: str,
    *,
    started_on: dt.date,
    amount_per_day: Decimal | None = None,
    now: dt.datetime | None = None,
) -> TrackedSubstance:
    """Track `substance` from `started_on` (start, restart or correct the date), with an
    optional amount a day. A changed date is kept in the counter's history."""
    now = now or timezone.now()
    _check_substance(substance)
    _check_start(patient, started_on, patient.local_today())
    _check_amount(amount_per_day)
    idempotency.lock_patient(patient)  # two taps at once make one change
    patient.refresh_from_db(fields=["substances", "substance_goals"])
    if substance not in abstinence_goals(patient):
        goals = patient.substance_goals if isinstance(patient.substance_goals, dict) else {}
        patient.substance_goals = {**goals, substance: Goal.ABSTINENCE}
        if substance not in patient.substances:
            wanted = {*patient.substances, substance}
            patient.substances = [s for s in Substance.values if s in wanted]
        patient.save(update_fields=["substances", "substance_goals"])
    row = TrackedSubstance.objects.filter(
        organization_id=patient.organization_id, patient=patient, substance=substance
    ).first()
    previous = row.started_on if row is not None else counting_start(patient)
    if row is None:
        row = TrackedSubstance(
            organization_id=patient.organization_id, patient=patient, substance=substance
        )
    row.started_on, row.amount_per_day = started_on, amount_per_day
    row.tracking, row.updated_at = True, now
    row.save()
    if previous != started_on:
        CounterStartChange.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            substance=substance,
            previous_start=previous,
            new_start=started_on,
            changed_at=now,
        )
    return row


@transaction.atomic
def stop_tracking(patient: Patient, substance: str, *, now: dt.datetime | None = None) -> None:
    """Hide the counter of `substance`; its start date and amount are kept for a restart."""
    now = now or timezone.now()
    _check_substance(substance)
    idempotency.lock_patient(patient)
    row = TrackedSubstance.objects.filter(
        organization_id=patient.organization_id, patient=patient, substance=substance
    ).first()
    if row is None:
        start = counting_start(patient) or patient.local_today()
        row = TrackedSubstance(
            organization_id=patient.organization_id,
            patient=patient,
            substance=substance,
            started_on=start,
        )
    row.tracking, row.updated_at = False, now
    row.save()


def start_changes(patient: Patient) -> list[CounterStartChange]:
    """The patient's corrections of their counters' start dates, newest first."""
    return list(
        CounterStartChange.objects.filter(organization_id=patient.organization_id, patient=patient)
    )


def untracked_substances(patient: Patient) -> list[tuple[str, str]]:
    """The substances the patient could start a counter for: (value, label)."""
    stopped = set(
        TrackedSubstance.objects.filter(
            organization_id=patient.organization_id, patient=patient, tracking=False
        ).values_list("substance", flat=True)
    )
    tracked = abstinence_goals(patient) - stopped
    return [(value, label) for value, label in Substance.choices if value not in tracked]
