"""Workflows: submit a daily check-in, log withdrawal symptoms, ask to talk to staff,
note a lapse, celebrate milestones.

Each runs in one transaction: the answers, the idempotency key and any alert for the
care team are written together or not at all. A patient's own submissions are not
audited (the audit trail is about other people's access); staff never submit here.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark import prepared
from waymark.access import one_of
from waymark.alerts.services import raise_alert
from waymark.checkins import idempotency, rules
from waymark.checkins.choices import (
    AMOUNT_MAX_LENGTH,
    LAPSE_NOTE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PRESCRIBED_CLASSES,
    WITHDRAWAL_FIELDS,
    Habit,
    KetamineSymptom,
    Meeting,
    SymptomLevel,
    Trigger,
)
from waymark.checkins.models import (
    CheckIn,
    Milestone,
    StaffRequest,
    SubmissionKind,
    SubstanceUse,
    WithdrawalEntry,
)
from waymark.checkins.queries import current_detox_stay, day_of_stay, human_day
from waymark.checkins.sobriety import Counter, counters_for, milestones_reached
from waymark.errors import ServiceError
from waymark.patients.models import Patient, Substance
from waymark.patients.queries import set_prefetched
from waymark.risk.registry import DayCheckIn, Flag, Snapshot
from waymark.risk.rules import USE_RULES
from waymark.risk.services import alert_now
from waymark.risk.snapshot import recent_lapses
from waymark.risk.tasks import reassess_soon, reassessment_queued

# A submission made offline may reach the server this long after it was made.
MAX_OFFLINE_DELAY = dt.timedelta(days=7)
# A phone's clock may run this far ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


# Each choice list once: `Choices.values` builds a new list on every call (on every check-in).
_VALUES = {
    choices: choices.values for choices in (Substance, Trigger, Habit, Meeting, KetamineSymptom)
}


def _ordered(values: Iterable[str], choices: list[str], field_name: str) -> tuple[str, ...]:
    """The chosen values in the order of `choices`, without repeats; unknown ones refused."""
    chosen = set(values)
    unknown = sorted(chosen - set(choices))
    if unknown:
        raise ServiceError(f"Unknown choice: {', '.join(unknown)}.", field=field_name)
    return tuple(value for value in choices if value in chosen)


@dataclass(frozen=True)
class UseData:
    """A reported use. `as_prescribed`: a prescribed medicine (opioids, benzodiazepines or
    stimulants only) taken as prescribed, which is not a lapse."""

    substance: str
    amount: str = ""
    as_prescribed: bool = False


def _prescribed_only_for_medicines(uses: tuple[UseData, ...]) -> None:
    for use in uses:
        if use.as_prescribed and use.substance not in PRESCRIBED_CLASSES:
            label = Substance(use.substance).label.split(" (")[0].lower()
            raise ServiceError(
                f"Only opioids, benzodiazepines and stimulants can be marked as taken as "
                f"prescribed, not {label}.",
                field="uses",
            )


@dataclass(frozen=True)
class CheckInData:
    """A check-in's answers, already checked for type and range by a form or schema."""

    local_date: dt.date
    craving: int
    mood: int
    sleep_hours: Decimal
    sleep_quality: int
    stress: int
    safety_concern: bool
    uses: tuple[UseData, ...] = ()
    triggers: tuple[str, ...] = ()
    habits: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    note: str = ""
    completed_at: dt.datetime | None = None

    def normalized(self) -> CheckInData:
        """Choices in a fixed order without repeats, text trimmed; unknown values refused."""
        if len(self.note) > NOTE_MAX_LENGTH:
            raise ServiceError(f"Keep the note to {NOTE_MAX_LENGTH} characters.", field="note")
        by_substance = {use.substance: use for use in self.uses}
        substances = _ordered(by_substance, _VALUES[Substance], "uses")
        uses = tuple(
            UseData(
                substance,
                by_substance[substance].amount.strip()[:AMOUNT_MAX_LENGTH],
                bool(by_substance[substance].as_prescribed),
            )
            for substance in substances
        )
        _prescribed_only_for_medicines(uses)
        return CheckInData(
            local_date=self.local_date,
            craving=self.craving,
            mood=self.mood,
            sleep_hours=Decimal(self.sleep_hours).quantize(Decimal("0.1")),
            sleep_quality=self.sleep_quality,
            stress=self.stress,
            safety_concern=self.safety_concern,
            uses=uses,
            triggers=_ordered(self.triggers, _VALUES[Trigger], "triggers"),
            habits=_ordered(self.habits, _VALUES[Habit], "habits"),
            meetings=_ordered(self.meetings, _VALUES[Meeting], "meetings"),
            symptoms=_ordered(self.symptoms, _VALUES[KetamineSymptom], "symptoms"),
            note=self.note.strip(),
            completed_at=self.completed_at,
        )

    def content(self) -> dict[str, Any]:
        """What the idempotency fingerprint covers: every answer, not when it was made."""
        data = dict(self.__dict__)
        data.pop("completed_at")
        # "as prescribed" is added only when ticked, so that a retry of a submission made
        # before the question existed still matches its stored fingerprint.
        data["uses"] = [
            [use.substance, use.amount, *(["as_prescribed"] if use.as_prescribed else [])]
            for use in self.uses
        ]
        return data


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool
    replayed: bool = False
    flags: list[Flag] = field(default_factory=list)


def _when_made(claimed: dt.datetime | None, now: dt.datetime, field_name: str) -> dt.datetime:
    """When the patient made a submission: the phone's word for an offline one, within reason."""
    if claimed is None:
        return now
    if timezone.is_naive(claimed):
        raise ServiceError("Give the time with its time zone offset.", field=field_name)
    if claimed > now + CLOCK_SKEW:
        raise ServiceError("This time is in the future.", field=field_name)
    if claimed < now - MAX_OFFLINE_DELAY:
        raise ServiceError(
            "This was made more than 7 days ago and can no longer be added.", field=field_name
        )
    return min(claimed, now)


def _check_day(local_date: dt.date, today: dt.date, completed_on: dt.date) -> None:
    if local_date > today:
        raise ServiceError("That day has not started yet where you are.", field="date")
    if local_date > completed_on:
        raise ServiceError("A check-in cannot be for a day after it was filled in.", field="date")
    if (completed_on - local_date).days > 1:
        raise ServiceError(
            "Only yesterday's check-in can be filled in late; earlier days are closed.",
            field="date",
        )


def submit_checkin(
    patient: Patient, data: CheckInData, *, key: uuid.UUID, now: dt.datetime | None = None
) -> CheckInResult:
    """Store the patient's check-in for a local day, or change today's; raise its alerts.

    One check-in per local day (the patient's time zone). It can be changed until the end
    of the day it was filled in on; yesterday's can be filled in late (and is marked late).

    Written optimistically under the unique constraints, without reading first or locking
    the patient: the day's row is inserted (an edit when the day already has one), with
    the reassessment queued and the key after it — on PostgreSQL all three in one
    statement (prepared.upsert's `then`: one round trip, not three). A key seen before
    makes the key's insert fail, or, for a retry of a day that has closed since, the day's
    check; either way the whole write rolls back and the retry gets its first answer (or
    the key-reused refusal). Two retries racing each other wait on the same unique index,
    so the second sees the first's key.
    """
    now = now or timezone.now()
    data = data.normalized()
    tz = zoneinfo.ZoneInfo(patient.timezone)
    content_fingerprint = idempotency.fingerprint(data.content())
    try:
        with transaction.atomic():
            completed_at = _when_made(data.completed_at, now, "completed_at")
            completed_on = completed_at.astimezone(tz).date()
            _check_day(data.local_date, now.astimezone(tz).date(), completed_on)
            # With the day's row, in its statement where the database allows: the caseload's
            # risk and reasons queued, and the key with the check-in it made.
            then = (
                reassessment_queued(patient),
                idempotency.key_for(patient, key, SubmissionKind.CHECKIN, content_fingerprint, now),
            )
            checkin, created = _save_checkin(
                patient, data, completed_at, completed_on, now, then=then
            )
            flags = alert_for_checkin(patient, checkin, now, reported_use=bool(data.uses))
    except (IntegrityError, ServiceError):
        seen = idempotency.seen_before(patient, key, SubmissionKind.CHECKIN, content_fingerprint)
        if seen is None:
            raise  # a new key: the refusal (or failure) is this submission's own
        replayed = CheckIn.objects.get(pk=seen, organization_id=patient.organization_id)
        return CheckInResult(replayed, created=False, replayed=True)
    return CheckInResult(checkin, created=created, flags=flags)


# `has_uses` of the day's row: whether it has reported uses stored (an edit without any
# then reads and removes none).
_HAS_USES = (
    "has_uses",
    f'EXISTS (SELECT 1 FROM "{SubstanceUse._meta.db_table}" u '  # noqa: S608 - no values
    'WHERE u."checkin_id" = {table}."id")',
)


def _refuse_closed_day(patient: Patient, local_date: dt.date, completed_on: dt.date) -> None:
    """Refuse a change to the day's check-in when it was made on a day that has ended."""
    made_on = (
        CheckIn.objects.filter(
            organization_id=patient.organization_id, patient=patient, local_date=local_date
        )
        .values_list("completed_on", flat=True)
        .first()
    )
    if made_on is not None and made_on != completed_on:
        raise ServiceError(
            f"The check-in for {human_day(local_date)} is done and can no longer be changed.",
            field="date",
            status=409,
            code="day_closed",
        )


def alert_for_checkin(
    patient: Patient, checkin: CheckIn, now: dt.datetime, *, reported_use: bool = False
) -> list[Flag]:
    """The rules that must not wait, on this check-in, in this transaction.

    Each save is a new answer (its revision is in the occurrence), so a safety yes in an
    edited or resubmitted check-in tells the care team again; ketamine symptoms repeat
    only as one occurrence per check-in. When the check-in reports a use, the use rules
    run too, over the lapses of the last 7 days (each with the days without before it):
    the care team hears of a lapse at once, as the result page tells the patient. A
    check-in without use reads nothing more.
    """
    if not (checkin.safety_concern or checkin.symptoms or reported_use):
        return []  # nothing the immediate rules look at: a calm check-in stays a short write
    day = DayCheckIn(
        day=checkin.local_date,
        craving=checkin.craving,
        safety=checkin.safety_concern,
        symptoms=tuple(checkin.symptoms),
        checkin_id=str(checkin.pk),
        revision=checkin.revision,
    )
    today = now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
    uses = recent_lapses(patient, today) if reported_use else ()
    snapshot = Snapshot(today=today, tracking_since=checkin.local_date, checkins=(day,), uses=uses)
    return alert_now(patient, snapshot, (*rules.IMMEDIATE, *(USE_RULES if uses else ())))


ANSWER_FIELDS = ("craving", "mood", "sleep_hours", "sleep_quality", "stress", "safety_concern")
CHOICE_FIELDS = ("triggers", "habits", "meetings", "symptoms")
# What an edit writes: every answer and when it was completed (the first submission stays).
EDITED_FIELDS = (
    *ANSWER_FIELDS,
    *CHOICE_FIELDS,
    "note",
    "completed_at",
    "completed_on",
    "updated_at",
)


def _answers(data: CheckInData) -> dict[str, Any]:
    answers: dict[str, Any] = {name: getattr(data, name) for name in ANSWER_FIELDS}
    answers.update((name, list(getattr(data, name))) for name in CHOICE_FIELDS)
    answers["note"] = data.note
    return answers


def _save_checkin(
    patient: Patient,
    data: CheckInData,
    completed_at: dt.datetime,
    completed_on: dt.date,
    now: dt.datetime,
    *,
    then: Sequence[prepared.Then] = (),
) -> tuple[CheckIn, bool]:
    """Insert the day's check-in; when the day has one already, change it instead, in the
    same statement (INSERT … ON CONFLICT DO UPDATE: its answers, when it was completed,
    one more revision), unless the day it was made on has ended. The check-in and whether
    it is new."""
    checkin = CheckIn(
        organization_id=patient.organization_id,
        patient=patient,
        local_date=data.local_date,
        submitted_at=now,
        completed_at=completed_at,
        completed_on=completed_on,
        updated_at=now,
        **_answers(data),
    )
    # One statement, its SQL built once (waymark/prepared.py); an edit's row comes back
    # with its id, first submission and revision, and whether it has uses stored.
    created = prepared.upsert(
        checkin,
        key=("organization", "patient", "local_date"),
        update=EDITED_FIELDS,
        counter="revision",  # a changed check-in is a new answer (a new safety yes notifies)
        same="completed_on",  # only while the day it was made on lasts
        extra=[_HAS_USES],
        then=then,
    )
    if created is None:  # the day's row was made on another day: closed (refused here)
        _refuse_closed_day(patient, data.local_date, completed_on)
        raise IntegrityError("The day's check-in changed while it was being saved.")
    _sync_uses(patient, checkin, data.uses, stored=bool(checkin.has_uses))  # type: ignore[attr-defined]
    return checkin, created


def _sync_uses(
    patient: Patient, checkin: CheckIn, uses: tuple[UseData, ...], *, stored: bool
) -> None:
    """Make the check-in's reported uses match the answers (a note on a kept one stays),
    and keep them on the check-in for the answer. With none `stored` (a new check-in, or an
    edit of one without uses) nothing needs reading or removing first; with none wanted
    either, there is nothing to do at all."""
    wanted = {use.substance: use for use in uses}
    kept = {use.substance: use for use in checkin.uses.all()} if stored else {}
    if kept.keys() - wanted.keys():
        checkin.uses.exclude(substance__in=wanted).delete()
    result = []
    for substance, answer in wanted.items():
        use = kept.get(substance)
        if use is None:
            use = SubstanceUse.objects.create(
                organization_id=patient.organization_id,
                patient=patient,
                checkin=checkin,
                substance=substance,
                used_on=checkin.local_date,
                amount=answer.amount,
                as_prescribed=answer.as_prescribed,
            )
        elif (use.amount, use.as_prescribed) != (answer.amount, answer.as_prescribed):
            use.amount, use.as_prescribed = answer.amount, answer.as_prescribed
            use.save(update_fields=["amount", "as_prescribed"])
        result.append(use)
    _keep_uses(checkin, result)


def _keep_uses(checkin: CheckIn, uses: list[SubstanceUse]) -> None:
    """Put the check-in's uses where `checkin.uses.all()` finds them (as prefetch_related
    would), so the answer built from it reads nothing again."""
    set_prefetched(checkin, "uses", uses)


@dataclass(frozen=True)
class WithdrawalData:
    ratings: dict[str, int]
    note: str = ""
    recorded_at: dt.datetime | None = None

    def content(self) -> dict[str, Any]:
        return {"ratings": dict(sorted(self.ratings.items())), "note": self.note.strip()}


@dataclass(frozen=True)
class WithdrawalResult:
    entry: WithdrawalEntry
    created: bool
    care_team_told: bool = False  # a severe rating raised the care team's alert at once


def _severe_symptoms(entry: WithdrawalEntry) -> tuple[str, ...]:
    return tuple(name for name in WITHDRAWAL_FIELDS if getattr(entry, name) == SymptomLevel.SEVERE)


def _not_in_detox() -> ServiceError:
    return ServiceError(
        "The withdrawal log is open while you are in withdrawal management (detox).",
        status=409,
        code="not_in_detox",
    )


def add_withdrawal_entry(
    patient: Patient, data: WithdrawalData, *, key: uuid.UUID, now: dt.datetime | None = None
) -> WithdrawalResult:
    """Add an entry to the withdrawal log of the patient's current detox stay."""
    now = now or timezone.now()
    if set(data.ratings) != set(WITHDRAWAL_FIELDS):
        raise ServiceError("Rate every symptom (none, mild, moderate or severe).")
    for name, level in data.ratings.items():
        if level not in SymptomLevel.values:
            raise ServiceError("Choose none, mild, moderate or severe.", field=name)
    if len(data.note) > LAPSE_NOTE_MAX_LENGTH:
        raise ServiceError(f"Keep the note to {LAPSE_NOTE_MAX_LENGTH} characters.", field="note")
    content_fingerprint = idempotency.fingerprint(data.content())
    with transaction.atomic():
        idempotency.lock_patient(patient)
        kind = SubmissionKind.WITHDRAWAL
        seen = idempotency.seen_before(patient, key, kind, content_fingerprint)
        if seen is not None:
            entry = WithdrawalEntry.objects.get(pk=seen, organization_id=patient.organization_id)
            return WithdrawalResult(entry, False, care_team_told=bool(_severe_symptoms(entry)))
        stay = current_detox_stay(patient)
        if stay is None:
            raise _not_in_detox()
        recorded_at = _when_made(data.recorded_at, now, "recorded_at")
        entry = WithdrawalEntry.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            stay=stay,
            recorded_at=recorded_at,
            submitted_at=now,
            note=data.note.strip(),
            **data.ratings,
        )
        # The queued reassessment's row before the risk row an alert locks, as the check-in
        # takes them (its write queues the reassessment): one order, so the two never wait
        # for each other (a deadlock).
        reassess_soon(patient)
        told = False
        if severe := _severe_symptoms(entry):
            # Severe symptoms in detox cannot wait for the worker: the registry's rule, now.
            snapshot = Snapshot(
                today=now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date(),
                tracking_since=stay.started_on,
                in_detox=True,
                severe_withdrawal=(severe, str(entry.pk)),
            )
            told = bool(alert_now(patient, snapshot, ["detox.severe_withdrawal"]))
        idempotency.remember(patient, key, kind, content_fingerprint, entry.pk, now)
    return WithdrawalResult(entry, created=True, care_team_told=told)


def request_staff(
    patient: Patient, *, key: uuid.UUID, now: dt.datetime | None = None
) -> StaffRequest:
    """ "Talk to staff now": record the request and raise an urgent alert for the care team.

    A double tap (same key) makes one request.
    """
    now = now or timezone.now()
    with transaction.atomic():
        idempotency.lock_patient(patient)
        kind = SubmissionKind.STAFF_REQUEST
        seen = idempotency.seen_before(patient, key, kind, "talk-to-staff")
        if seen is not None:
            return StaffRequest.objects.get(pk=seen, organization_id=patient.organization_id)
        stay = current_detox_stay(patient)
        if stay is None:
            raise _not_in_detox()
        request = StaffRequest.objects.create(
            organization_id=patient.organization_id, patient=patient, stay=stay, requested_at=now
        )
        today = now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
        raise_alert(patient, rules.talk_to_staff_flag(day_of_stay(stay, today), str(request.pk)))
        idempotency.remember(patient, key, kind, "talk-to-staff", request.pk, now)
    return request


def own_lapse(patient: Patient, use_id: int) -> SubstanceUse:
    """One of the patient's own reported uses, or 404."""
    uses = SubstanceUse.objects.filter(organization_id=patient.organization_id, patient=patient)
    return one_of(uses, use_id, "No such entry.")


@transaction.atomic
def set_lapse_note(use: SubstanceUse, note: str) -> SubstanceUse:
    note = note.strip()
    if len(note) > LAPSE_NOTE_MAX_LENGTH:
        raise ServiceError(f"Keep the note to {LAPSE_NOTE_MAX_LENGTH} characters.", field="note")
    use.note = note
    use.save(update_fields=["note"])
    return use


def celebrate_milestones(
    patient: Patient, now: dt.datetime | None = None, counters: list[Counter] | None = None
) -> list[Milestone]:
    """Record the milestones reached since the patient last looked; return the new ones.

    Each milestone of each run of days is celebrated once: once recorded, it is not new.
    `counters` (today's) saves working them out again when the caller has them.
    """
    now = now or timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
    if counters is None:
        counters = counters_for(patient, today)
    with transaction.atomic():
        recorded = set(
            Milestone.objects.filter(
                organization_id=patient.organization_id, patient=patient
            ).values_list("substance", "run_started_on", "days")
        )
        new = [
            Milestone(
                organization_id=patient.organization_id,
                patient=patient,
                substance=counter.substance,
                days=days,
                run_started_on=counter.streaks.counting_from,
                reached_on=reached_on,
                celebrated_at=now,
            )
            for counter in counters
            for days, reached_on in milestones_reached(counter.streaks.counting_from, today)
            if (counter.substance, counter.streaks.counting_from, days) not in recorded
        ]
        Milestone.objects.bulk_create(new, ignore_conflicts=True)
    return new
