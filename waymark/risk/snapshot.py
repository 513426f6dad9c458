"""Gather a patient's recent data into a Snapshot for the rules (a handful of queries)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from waymark.checkins.choices import WITHDRAWAL_FIELDS, SymptomLevel
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.medications.rules import PatientFacts
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Patient, ProgramStay
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.risk.registry import BamScore, DayCheckIn, Score, Snapshot, Use

INTENSIVE = {LevelOfCare.RESIDENTIAL: "residential treatment", LevelOfCare.DETOX: "detox"}
PHQ9, BAM = "phq-9", "bam"


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


def _uses(patient: Patient, today: dt.date) -> tuple[Use, ...]:
    rows = (
        SubstanceUse.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            used_on__gte=today - dt.timedelta(days=6),
        )
        .order_by("-used_on", "-id")
        .values_list("substance", "used_on", "checkin_id")
    )
    return tuple(
        Use(substance, used_on, str(checkin_id)) for substance, used_on, checkin_id in rows
    )


def _scores(patient: Patient) -> tuple[tuple[Score, ...], BamScore | None]:
    responses = QuestionnaireResponse.objects.standing().filter(
        organization_id=patient.organization_id, patient=patient
    )
    phq9 = tuple(
        Score(
            int(r.primary_score),
            r.submitted_on,
            str(r.pk),
            int(r.answers.get("9", 0)),
            r.primary_band,
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


def _severe_withdrawal(patient: Patient, now: dt.datetime) -> tuple[tuple[str, ...], str] | None:
    for entry in WithdrawalEntry.objects.filter(
        organization_id=patient.organization_id, patient=patient,
        recorded_at__gte=now - dt.timedelta(hours=24),
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
    phq9, bam = _scores(patient)
    in_detox, left = _stays(patient)
    return Snapshot(
        today=today,
        tracking_since=since,
        checkins=_checkins(patient, today),
        uses=_uses(patient, today),
        phq9=phq9,
        bam=bam,
        in_detox=in_detox,
        severe_withdrawal=_severe_withdrawal(patient, now) if in_detox else None,
        left_intensive=left,
        medications=_medications(patient),
    )
