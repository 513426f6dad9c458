"""Demo data: questionnaire schedules for every program, and 90 days of responses.

Each patient follows one believable course: most improve with time in care (their PHQ-9
falls, WHO-5 rises, BAM risk eases, protective factors grow), some stay about the same,
some get worse. They complete most of what falls due — a few days late now and then, some
missed. The patient you sign in as is improving. One other patient of the on-call
clinician answered PHQ-9 item 9 above zero two days ago, after their clinician asked for a
PHQ-9: that raises the same urgent alert as a real response.

Responses are checked and scored by services.build_response (the same path as a real
submission) and stored with bulk_create. Each patient's shape comes from a generator
seeded by their username, so a re-run (which skips patients who already have responses)
creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from waymark.access import Actor
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, DemoOrganization, demo_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.organizations.models import LevelOfCare
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient, ProgramStay, Substance
from waymark.questionnaires.clinician_entry import record_by_clinician
from waymark.questionnaires.models import (
    Anchor,
    Assignment,
    AssignmentReason,
    Questionnaire,
    QuestionnaireResponse,
    Schedule,
)
from waymark.questionnaires.scoring import ScoreResult
from waymark.questionnaires.services import act_on_result, build_response, patient_occurrences
from waymark.risk.snapshot import CIWA

HISTORY_DAYS = 90
ADM, DIS, AFTER = Anchor.ADMISSION, Anchor.DISCHARGE, Anchor.AFTER_DISCHARGE
# (questionnaire, anchor, offset days, repeat every N days or None) per level of care.
SCHEDULES: dict[str, tuple[tuple[str, str, int, int | None], ...]] = {
    LevelOfCare.DETOX: (
        ("phq-9", ADM, 2, None),
        ("audit-c", ADM, 1, None),
        ("sds-ketamine", ADM, 1, None),
    ),
    LevelOfCare.RESIDENTIAL: (
        ("phq-9", ADM, 0, 14),
        ("gad-7", ADM, 0, 14),
        ("who-5", ADM, 7, 14),
        ("bam", ADM, 0, 30),
        ("sds-ketamine", DIS, -3, None),
        ("phq-9", AFTER, 30, None),
    ),
    LevelOfCare.DAY: (("phq-9", ADM, 0, 14), ("gad-7", ADM, 0, 14), ("bam", ADM, 0, 30)),
    LevelOfCare.INTENSIVE_OUTPATIENT: (
        ("phq-9", ADM, 0, 14),
        ("gad-7", ADM, 0, 14),
        ("bam", ADM, 0, 30),
    ),
    LevelOfCare.OUTPATIENT: (
        ("phq-9", ADM, 0, 28),
        ("who-5", ADM, 0, 28),
        ("bam", ADM, 0, 30),
        ("audit-c", ADM, 0, None),
        ("bam", AFTER, 30, None),
    ),
    LevelOfCare.AFTERCARE: (
        ("phq-9", ADM, 0, 30),
        ("who-5", ADM, 0, 30),
        ("bam", ADM, 0, 30),
        ("phq-9", AFTER, 30, None),
    ),
    LevelOfCare.CONTINUING: (("phq-9", ADM, 0, 30), ("who-5", ADM, 0, 30), ("bam", ADM, 0, 30)),
}


def seed_schedules(demo_org: DemoOrganization, today: dt.date) -> None:
    for level, program in demo_org.programs.items():
        for key, anchor, offset, repeat in SCHEDULES.get(level, ()):
            Schedule.objects.get_or_create(
                organization=demo_org.organization,
                program=program,
                questionnaire_key=key,
                anchor=anchor,
                offset_days=offset,
                defaults={
                    "repeat_every_days": repeat,
                    "active_from": today - dt.timedelta(days=365),
                    "scoring_form": "likert" if key == "bam" else "",
                },
            )


@dataclass(frozen=True)
class Course:
    """How unwell someone is (0 = well, 1 = very unwell) from the start to today."""

    start: float
    end: float
    noise: float

    def at(self, share: float, rng: random.Random) -> float:
        # Most of the change comes early in care, then it levels off.
        eased = 1 - (1 - share) ** 1.6
        level = self.start + (self.end - self.start) * eased + rng.gauss(0, self.noise)
        return min(1.0, max(0.0, level))


def course_for(rng: random.Random, kind: str) -> Course:
    if kind == "improving":
        return Course(rng.uniform(0.55, 0.85), rng.uniform(0.08, 0.3), 0.035)
    if kind == "worsening":
        return Course(rng.uniform(0.25, 0.4), rng.uniform(0.6, 0.8), 0.035)
    middle = rng.uniform(0.3, 0.5)
    return Course(middle, middle + rng.uniform(-0.05, 0.05), 0.03)


def _pick(rng: random.Random, level: float, top: int, spread: float = 0.35) -> int:
    """An answer near level × top; rounded at random in proportion, so totals move smoothly."""
    wanted = level * top + rng.gauss(0, spread)
    floor = math.floor(wanted)
    return min(top, max(0, floor + (rng.random() < wanted - floor)))


def _days(rng: random.Random, level: float, most: int = 30) -> int:
    return min(most, max(0, round(level * most + rng.gauss(0, 2))))


def phq9_answers(rng: random.Random, level: float) -> dict[str, int]:
    answers = {str(i): _pick(rng, level, 3) for i in range(1, 9)}
    answers["9"] = 0
    answers["10"] = _pick(rng, level, 3)
    return answers


def gad7_answers(rng: random.Random, level: float) -> dict[str, int]:
    return {str(i): _pick(rng, level, 3) for i in range(1, 8)}


def who5_answers(rng: random.Random, level: float) -> dict[str, int]:
    return {str(i): _pick(rng, 1 - level, 5, 0.7) for i in range(1, 6)}


def sds_answers(rng: random.Random, level: float) -> dict[str, int]:
    return {str(i): _pick(rng, level, 3) for i in range(1, 6)}


def audit_answers(rng: random.Random, level: float, drinks: bool) -> dict[str, int]:
    if not drinks:
        return {"1": 0, "2": 0, "3": 0}
    return {"1": _pick(rng, level, 4), "2": _pick(rng, level, 3), "3": _pick(rng, level * 0.8, 4)}


def bam_answers(rng: random.Random, level: float, drinks: bool) -> dict[str, int]:
    use = max(0.0, level - 0.45)  # little or no use unless things are going badly
    alcohol = _days(rng, use, 12) if drinks else 0
    answers = {
        "1": _pick(rng, level, 4),
        "2": _days(rng, level * 0.7),
        "3": _days(rng, level * 0.6),
        "4": alcohol,
        "5": min(alcohol, _days(rng, use * 0.5, 8)),
        "6": _days(rng, use, 10),
        "8": _pick(rng, level, 4),
        "9": _pick(rng, 1 - level, 4),
        "10": _days(rng, 1 - level, 20),
        "11": _days(rng, level * 0.4, 15),
        "12": _pick(rng, 0.5, 4, 1.2),
        "13": _days(rng, 1 - level, 22),
        "14": 4 if rng.random() < 0.8 else 0,
        "15": _pick(rng, level * 0.8, 4),
        "16": _days(rng, 1 - level, 25),
        "17": _pick(rng, 1 - level, 4),
    }
    if answers["6"] > 0:
        answers["7g"] = answers["6"]  # ketamine is "other drugs" on the BAM
    return answers


def answers_for(key: str, rng: random.Random, level: float, patient: Patient) -> dict[str, int]:
    drinks = Substance.ALCOHOL in patient.substances
    makers: dict[str, Callable[[], dict[str, int]]] = {
        "phq-9": lambda: phq9_answers(rng, level),
        "gad-7": lambda: gad7_answers(rng, level),
        "who-5": lambda: who5_answers(rng, level),
        "sds-ketamine": lambda: sds_answers(rng, level),
        "audit-c": lambda: audit_answers(rng, level, drinks),
        "bam": lambda: bam_answers(rng, level, drinks),
    }
    return makers[key]()


def _when(patient: Patient, day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)))
    return min(local.replace(tzinfo=zoneinfo.ZoneInfo(patient.timezone)), now)


def history_for(
    patient: Patient,
    kind: str,
    rng: random.Random,
    questionnaires: dict[str, Questionnaire],
    now: dt.datetime,
    *,
    leave_open: bool = False,
) -> list[QuestionnaireResponse]:
    """The responses one patient sent over the last 90 days, following their course."""
    today = patient.local_today()
    since = today - dt.timedelta(days=HISTORY_DAYS)
    course = course_for(rng, kind)
    completion = 0.6 if kind == "worsening" else 0.88
    responses = []
    for occurrence in patient_occurrences(patient, today):
        if occurrence.due_on < since or occurrence.due_on > today or rng.random() > completion:
            continue
        if leave_open and occurrence.status.is_open:
            continue  # something for the signed-in patient to do
        day = min(today, occurrence.due_on + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 5])))
        share = (day - since).days / HISTORY_DAYS
        answers = answers_for(occurrence.key, rng, course.at(share, rng), patient)
        response, _ = build_response(
            patient,
            questionnaires[occurrence.key],
            answers,
            by=patient.user,
            scoring_form=occurrence.scoring_form,
            submitted_at=_when(patient, day, rng, now),
        )
        responses.append(response)
    return responses


def _safety_response(
    patient: Patient,
    clinician_id: int,
    questionnaires: dict[str, Questionnaire],
    now: dt.datetime,
    rng: random.Random,
) -> tuple[QuestionnaireResponse, ScoreResult]:
    """A clinician asked for a PHQ-9 three days ago; two days ago item 9 was answered 1."""
    today = patient.local_today()
    asked = now - dt.timedelta(days=3)
    _clinician_asks_for_phq9(
        patient, clinician_id, "Mood seemed low at group", today - dt.timedelta(days=3), at=asked
    )
    answers = {**phq9_answers(rng, 0.7), "9": 1}
    return build_response(
        patient,
        questionnaires["phq-9"],
        answers,
        by=patient.user,
        submitted_at=_when(patient, today - dt.timedelta(days=2), rng, now),
    )


def _something_to_do(patient: Patient, clinician_id: int) -> None:
    """The patient you sign in as finds a PHQ-9 on their list (their clinician asked)."""
    if any(o.key == "phq-9" and o.status.is_open for o in patient_occurrences(patient)):
        return
    _clinician_asks_for_phq9(
        patient, clinician_id, "Check in on mood before our session", patient.local_today()
    )


def _clinician_asks_for_phq9(
    patient: Patient,
    clinician_id: int,
    note: str,
    due_on: dt.date,
    *,
    at: dt.datetime | None = None,
) -> Assignment:
    """A PHQ-9 the clinician asked for, open for a week from `due_on`."""
    return Assignment.objects.create(
        created_at=at or timezone.now(),
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire_key="phq-9",
        reason=AssignmentReason.CLINICIAN,
        assigned_by_id=clinician_id,
        note=note,
        due_on=due_on,
        closes_on=due_on + dt.timedelta(days=7),
    )


def _safety_patient(ctx: DemoContext) -> Patient | None:
    """One of the on-call clinician's patients in care, not the one you sign in as."""
    home = ctx.organization(NORTHSTAR.slug)
    clinician = home.clinicians[0]
    signed_in = demo_patient(home, clinician)
    in_care = {p.pk for p in ctx.patients_in_care()}
    mine = home.organization.patients.filter(
        care_team__clinician=clinician, care_team__is_primary=True
    )
    candidates = [p for p in home.patients if p.pk in in_care and p.pk != signed_in.pk]
    ids = set(mine.values_list("pk", flat=True))
    return next((p for p in sorted(candidates, key=lambda p: p.user.username) if p.pk in ids), None)


@demo_step(order=600)
def seed_questionnaires(ctx: DemoContext) -> None:
    """Schedules for every program, then 90 days of responses for every demo patient."""
    for demo_org in ctx.organizations:
        seed_schedules(demo_org, ctx.today)
    answered = set(
        QuestionnaireResponse.objects.filter(patient__in=ctx.patients).values_list(
            "patient", flat=True
        )
    )
    todo = [p for p in ctx.patients if p.pk not in answered]
    ctx.progress.expect(len(todo))
    home = ctx.organization(NORTHSTAR.slug)
    signed_in = demo_patient(home, home.clinicians[0])
    flagged = _safety_patient(ctx)
    now = timezone.now()
    questionnaires = {
        q.key: q for q in Questionnaire.objects.filter(organization__isnull=True, is_current=True)
    }
    stored: list[QuestionnaireResponse] = []
    safety: tuple[QuestionnaireResponse, ScoreResult] | None = None
    for patient in todo:
        rng = ctx.rng_for(f"questionnaires:{patient.user.username}")
        roll = rng.random()
        kind = "improving" if roll < 0.55 else "stable" if roll < 0.75 else "worsening"
        if patient.pk == signed_in.pk:
            kind = "improving"
        if flagged is not None and patient.pk == flagged.pk:
            kind = "worsening"
            safety = _safety_response(patient, home.clinicians[0].pk, questionnaires, now, rng)
        is_signed_in = patient.pk == signed_in.pk
        stored.extend(history_for(patient, kind, rng, questionnaires, now, leave_open=is_signed_in))
        if is_signed_in:
            _something_to_do(patient, home.clinicians[0].pk)
        ctx.progress.advance()
    QuestionnaireResponse.objects.bulk_create(stored, batch_size=500)
    if safety is not None and flagged is not None:
        response, result = safety
        response.save()
        act_on_result(flagged, response, result, response.questionnaire.parsed)


# A CIWA-Ar a nurse rated this morning: nausea 1, tremor 3, sweats 1, anxiety 3, agitation 1,
# tactile 0, auditory 0, visual 1, headache 2, orientation 0 = 12, moderate (8-15).
CIWA_DEMO = [1, 3, 1, 3, 1, 0, 0, 1, 2, 0]


@demo_step(order=610)
def seed_withdrawal_rating(ctx: DemoContext) -> None:
    """One CIWA-Ar recorded by the on-call clinician for a patient of theirs in detox who
    drinks (any in detox if none does), through the clinician's own path, so its alert
    (ciwa.withdrawal) is on the caseload and in the alerts inbox. Once only."""
    if QuestionnaireResponse.objects.filter(
        patient__in=ctx.patients, questionnaire_key=CIWA
    ).exists():
        return
    home = ctx.organization(NORTHSTAR.slug)
    if not home.clinicians:
        return
    clinician = home.clinicians[0]
    membership = current_membership(clinician)
    in_detox = (
        ProgramStay.objects.filter(
            organization=home.organization,
            ended_on__isnull=True,
            episode__discharged_on__isnull=True,
            program__level=LevelOfCare.DETOX,
            patient__care_team__clinician=clinician,
        )
        .select_related("patient")
        .order_by("patient__user__username")
    )
    patients = [stay.patient for stay in in_detox]
    drinkers = [p for p in patients if Substance.ALCOHOL in p.substances]
    if not patients or membership is None:
        return
    chosen = (drinkers or patients)[0]
    answers = {str(number): value for number, value in enumerate(CIWA_DEMO, start=1)}
    record_by_clinician(Actor(clinician, membership), chosen, CIWA, answers)
