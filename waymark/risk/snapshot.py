"""Gather a patient's recent data into a Snapshot for the rules (a handful of queries)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from waymark.checkins.choices import WITHDRAWAL_FIELDS, SymptomLevel
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.sobriety import abstinence_goals, counting_start
from waymark.medications.rules import PatientFacts
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Patient, ProgramStay
from waymark.patients.queries import last_stay
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.risk.registry import (
    BamScore,
    DayCheckIn,
    Discharge,
    Rating,
    Score,
    Snapshot,
    Use,
)

INTENSIVE = {LevelOfCare.RESIDENTIAL: "residential treatment", LevelOfCare.DETOX: "detox"}
PHQ9, BAM, CIWA = "phq-9", "bam", "ciwa-ar"


def _checkins(patient: Patient, today: dt.date) -> tuple[DayCheckIn, ...]:
    rows = CheckIn.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        local_date__gte=today - dt.timedelta(days=20),
        local_date__lte=today,
    ).order_by("-local_date")
    fields = ("pk", "local_date", "craving", "safety_concern", "symptoms", "revision")
    return tuple(
        DayCheckIn(
            c.local_date, c.craving, c.safety_concern, tuple(c.symptoms), str(c.pk), c.revision
        )
        for c in rows.only(*fields)
    )


USE_WINDOW_DAYS = 7  # the use rules read the lapses of the last 7 days
LOOKBACK_DAYS = 365  # how far back the use before a lapse is looked for


def lapses_between(patient: Patient, first: dt.date, last: dt.date) -> tuple[Use, ...]:
    """The patient's lapses from `first` to `last`, newest first (one query, or two).

    A lapse is a use against an abstinence goal that was not a medicine taken as
    prescribed (`checkins.sobriety`). Each carries `days_without_before`: the days since
    the previous use of that substance, whatever it was (a use as prescribed or under an
    earlier goal keeps tolerance up too), looked for up to a year back; with none, since
    the day the patient counts their recovery from (or their first check-in), which is
    when we last knew they were not using. None when nothing is known before the lapse.
    """
    goals = abstinence_goals(patient)
    if not goals:
        return ()
    window_start = first - dt.timedelta(days=LOOKBACK_DAYS)
    rows = list(
        SubstanceUse.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            substance__in=goals,
            used_on__gte=window_start,
            used_on__lte=last,
        )
        .order_by("used_on", "id")
        .values_list("substance", "used_on", "checkin_id", "as_prescribed")
    )
    if not any(day >= first and not prescribed for _, day, _, prescribed in rows):
        return ()
    start = counting_start(patient)
    known_from = max(start, window_start) if start is not None else None
    previous: dict[str, dt.date] = {}
    found = []
    for substance, day, checkin_id, prescribed in rows:
        if day >= first and not prescribed:
            before = [d for d in (previous.get(substance), known_from) if d is not None and d < day]
            gap = (day - max(before)).days if before else None
            found.append(Use(substance, day, str(checkin_id), days_without_before=gap))
        previous[substance] = day
    return tuple(reversed(found))


def recent_lapses(patient: Patient, today: dt.date) -> tuple[Use, ...]:
    """The lapses the use rules read (the Snapshot's `uses`): the last 7 days, newest first."""
    return lapses_between(patient, today - dt.timedelta(days=USE_WINDOW_DAYS - 1), today)


def _scores(patient: Patient, now: dt.datetime) -> tuple[tuple[Score, ...], BamScore | None]:
    responses = QuestionnaireResponse.objects.standing().filter(
        organization_id=patient.organization_id, patient=patient, submitted_at__lte=now
    )
    phq9 = tuple(
        Score(
            int(r.primary_score),
            r.submitted_on,
            str(r.pk),
            int(r.answers.get("9", 0)),
            r.primary_band,
            occurrence=r.safety_occurrence,
        )
        for r in responses.filter(questionnaire_key=PHQ9).order_by("-submitted_at")[:2]
    )
    latest_bam = (
        responses.filter(questionnaire_key=BAM, scoring_form="likert")
        .order_by("-submitted_at")
        .first()
    )
    bam = None
    if latest_bam is not None:
        scales = {scale["id"]: scale["value"] for scale in latest_bam.scores.get("scales", [])}
        if "risk" in scales and "protective" in scales:
            bam = BamScore(
                int(scales["risk"]),
                int(scales["protective"]),
                latest_bam.submitted_on,
                str(latest_bam.pk),
            )
    return phq9, bam


def ciwa_rating(
    patient: Patient,
    response_id: uuid.UUID | str,
    total: Decimal | int,
    band: str,
    at: dt.datetime,
    *,
    now: dt.datetime,
) -> Rating:
    """A stored CIWA-Ar response as the rules read it (at the patient's local time)."""
    return Rating(
        total=int(total),
        band=band,
        at=at.astimezone(zoneinfo.ZoneInfo(patient.timezone)),
        response_id=str(response_id),
        age=max(now - at, dt.timedelta(0)),
    )


def _ciwa(patient: Patient, now: dt.datetime) -> Rating | None:
    """The latest standing CIWA-Ar, one indexed query like the PHQ-9's; the rule decides
    whether it is recent enough to count."""
    latest = (
        QuestionnaireResponse.objects.standing()
        .filter(
            organization_id=patient.organization_id,
            patient=patient,
            questionnaire_key=CIWA,
            submitted_at__lte=now,
        )
        .order_by("-submitted_at")
        .values_list("pk", "primary_score", "primary_band", "submitted_at")
        .first()
    )
    if latest is None:
        return None
    pk, total, band, at = latest
    return ciwa_rating(patient, pk, total, band, at, now=now)


def _stays(patient: Patient) -> tuple[bool, tuple[str, dt.date] | None]:
    stays = list(
        ProgramStay.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("program")
        .order_by("-started_on", "-id")[:5]
    )
    current = next((s for s in stays if s.ended_on is None), None)
    in_detox = current is not None and current.program.level == LevelOfCare.DETOX
    if current is not None and current.program.level in INTENSIVE:
        return in_detox, None
    ended = next((s for s in stays if s.ended_on and s.program.level in INTENSIVE), None)
    left = (
        (INTENSIVE[LevelOfCare(ended.program.level)], ended.ended_on)
        if ended and ended.ended_on
        else None
    )
    return in_detox, left


def _discharge(patient: Patient, today: dt.date) -> Discharge | None:
    """The patient's latest discharge (call only when they are not back in care).

    `contact_since` is looked up only once the follow-up date has passed, which is all
    the follow-up rule needs; before that it is False.
    """
    episode = (
        patient.episodes.filter(
            organization_id=patient.organization_id, discharged_on__isnull=False
        )
        .annotate(last_level=last_stay("program__level"))
        .order_by("-discharged_on", "-admitted_on", "-pk")
        .first()
    )
    if episode is None or episode.discharged_on is None:
        return None
    follow_up = episode.follow_up_on
    return Discharge(
        on=episode.discharged_on,
        from_level=episode.last_level or "",
        follow_up_on=follow_up,
        contact_since=follow_up is not None
        and today > follow_up
        and contact_since(patient, episode.discharged_on),
    )


def contact_since(patient: Patient, discharged_on: dt.date) -> bool:
    """Whether anyone has been in touch after the discharge day (the day itself does not
    count: a follow-up is a later contact, as in NCQA's FUI measure).

    Contact is what Waymark records of it: a check-in or a questionnaire response from the
    patient, a clinical note signed by the care team (the record of a call or a visit), or
    an alert about the patient acknowledged by a clinician (who says what they are doing).
    Messages are not part of Waymark yet.
    """
    from waymark.alerts.models import Alert
    from waymark.notes.models import ClinicalNote

    after = dt.datetime.combine(
        discharged_on + dt.timedelta(days=1), dt.time(), tzinfo=zoneinfo.ZoneInfo(patient.timezone)
    )
    mine = {"organization_id": patient.organization_id, "patient": patient}
    return (
        CheckIn.objects.filter(**mine, local_date__gt=discharged_on).exists()
        or QuestionnaireResponse.objects.filter(**mine, submitted_at__gte=after).exists()
        or ClinicalNote.objects.filter(**mine, signed_at__gte=after).exists()
        or Alert.objects.filter(**mine, acknowledged_at__gte=after).exists()
    )


def _severe_withdrawal(patient: Patient, now: dt.datetime) -> tuple[tuple[str, ...], str] | None:
    for entry in WithdrawalEntry.objects.filter(
        organization_id=patient.organization_id, patient=patient,
        recorded_at__gte=now - dt.timedelta(hours=24), recorded_at__lte=now,
    ).order_by("-recorded_at"):  # fmt: skip
        severe = tuple(
            name for name in WITHDRAWAL_FIELDS if getattr(entry, name) == SymptomLevel.SEVERE
        )
        if severe:
            return severe, str(entry.pk)
    return None


def _medications(patient: Patient) -> PatientFacts:
    from waymark.medications.services import facts_for, medications_for

    return facts_for(patient, medications_for(patient))


def build(patient: Patient, *, now: dt.datetime | None = None) -> Snapshot:
    now = now or timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
    open_episode = patient.episodes.filter(discharged_on__isnull=True).first()
    enrolled = patient.created_at.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
    since = max(open_episode.admitted_on, enrolled) if open_episode else enrolled
    phq9, bam = _scores(patient, now)
    in_detox, left = _stays(patient)
    return Snapshot(
        today=today,
        tracking_since=since,
        checkins=_checkins(patient, today),
        uses=recent_lapses(patient, today),
        phq9=phq9,
        bam=bam,
        ciwa=_ciwa(patient, now),
        in_detox=in_detox,
        severe_withdrawal=_severe_withdrawal(patient, now) if in_detox else None,
        left_intensive=left,
        discharge=_discharge(patient, today) if open_episode is None else None,
        medications=_medications(patient),
    )
