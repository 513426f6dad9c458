"""Demo data: up to 90 days of check-ins for every demo patient in care, and withdrawal logs
for those in detox.

The shape is believable rather than random: craving starts high and eases with time in
care, with spikes (often before a lapse); mood and sleep move against craving; some days
are missed, a few are filled in late. Lapses: a patient whose recovery counts from later
than their admission used ketamine on that day; some others lapse with alcohol or
stimulants; smokers cut down and stop. A few answer yes to the safety question or report
ketamine bladder symptoms, raising the same alerts the services raise. The demo patient
you sign in as has not checked in today, so there is one to do.

Rows are bulk-created (a few thousand in well under a second); alerts go through the
same rules (`alert_for_checkin`) as a real check-in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from waymark.checkins.choices import WITHDRAWAL_FIELDS, Habit, KetamineSymptom, Meeting, Trigger
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.services import alert_for_checkin, celebrate_milestones
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, demo_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Episode, Patient, ProgramStay, Substance

HISTORY_DAYS = 90
SAFETY_PATIENTS = 3
SYMPTOM_PATIENTS = 2
NOTES = (
    "Hard evening, called my sister and it passed.",
    "Group today helped more than I expected.",
    "Slept badly, kept thinking about old friends.",
    "Good day. Walked to the park.",
    "Payday tomorrow, which is usually hard for me.",
    "Felt proud of myself today.",
    "Argument at home. Went to my room and breathed.",
)
LAPSE_NOTES = (
    "Ran into someone I used to use with. Next time I'll leave straight away.",
    "Was alone all weekend. Planning to go to a meeting on Saturdays.",
)
USE_AMOUNTS: dict[str, tuple[str, ...]] = {
    Substance.KETAMINE: ("a small amount", "one bump", ""),
    Substance.ALCOHOL: ("3 beers", "a bottle of wine", "2 drinks"),
    Substance.STIMULANTS: ("one line", ""),
    Substance.TOBACCO: ("a few cigarettes", "10 cigarettes", "vaped"),
    Substance.BENZODIAZEPINES: ("one pill", ""),
}


@dataclass
class PatientHistory:
    patient: Patient
    first_day: dt.date
    today: dt.date
    leave_today_open: bool
    checkins: list[CheckIn] = field(default_factory=list)
    uses: dict[dt.date, list[tuple[str, str]]] = field(default_factory=dict)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _some(rng: random.Random, choices: list[str], most: int, chance: float) -> list[str]:
    return [value for value in rng.sample(choices, most) if rng.random() < chance]


def plan_uses(rng: random.Random, patient: Patient, first: dt.date, today: dt.date) -> dict:
    """Days of use: the lapse behind a later recovery start, a slip or two, smokers quitting."""
    uses: dict[dt.date, list[tuple[str, str]]] = {}

    def add(day: dt.date, substance: str) -> None:
        uses.setdefault(day, []).append((substance, rng.choice(USE_AMOUNTS[substance])))

    start = patient.recovery_start_date
    if start is not None and first < start <= today:
        add(start, Substance.KETAMINE)
    others = [s for s in (Substance.ALCOHOL, Substance.STIMULANTS) if s in patient.substances]
    span = (today - first).days
    if others and span > 20 and rng.random() < 0.35:
        add(first + dt.timedelta(days=rng.randint(10, span - 3)), rng.choice(others))
    if Substance.TOBACCO in patient.substances and rng.random() < 0.6:
        quit_on = first + dt.timedelta(days=rng.randint(5, max(6, min(60, span))))
        for offset in range((quit_on - first).days):
            if rng.random() < 0.7:
                add(first + dt.timedelta(days=offset), Substance.TOBACCO)
    return uses


def plan_checkins(rng: random.Random, history: PatientHistory) -> None:
    """One check-in per day, except missed days; the answers follow a recovery-shaped curve."""
    patient = history.patient
    tz = zoneinfo.ZoneInfo(patient.timezone)
    miss_rate = rng.uniform(0.04, 0.2)
    spikes = {
        history.first_day + dt.timedelta(days=rng.randint(0, 89)) for _ in range(rng.randint(2, 6))
    }
    lapse_days = set(history.uses) - {
        day for day, used in history.uses.items() if all(s == Substance.TOBACCO for s, _ in used)
    }
    day = history.first_day
    while day <= history.today:
        if day == history.today and history.leave_today_open:
            break
        near_lapse = any(0 <= (lapse - day).days <= 1 for lapse in lapse_days)
        if rng.random() < miss_rate and not near_lapse and day not in history.uses:
            day += dt.timedelta(days=1)
            continue
        in_care = (day - history.first_day).days
        craving = 2 + 5 * math.exp(-in_care / 25) + rng.gauss(0, 1.2)
        if day in spikes or near_lapse:
            craving += rng.uniform(2.5, 4)
        late = day < history.today - dt.timedelta(days=1) and rng.random() < 0.05
        finished_on = day + dt.timedelta(days=1) if late else day
        hour = rng.randint(7, 10) if late else rng.randint(8, 22)
        completed = dt.datetime.combine(finished_on, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)
        completed = min(completed, timezone.now()).astimezone(tz)
        history.checkins.append(_checkin(rng, patient, day, craving, completed))
        day += dt.timedelta(days=1)


def _checkin(
    rng: random.Random, patient: Patient, day: dt.date, craving: float, completed: dt.datetime
) -> CheckIn:
    craving_value = _clamp(craving, 0, 10)
    sleep = max(3.0, min(10.0, 7.2 - craving_value * 0.25 + rng.gauss(0, 0.8)))
    return CheckIn(
        organization_id=patient.organization_id,
        patient=patient,
        local_date=day,
        craving=craving_value,
        mood=_clamp(4.3 - craving_value * 0.3 + rng.gauss(0, 0.6), 1, 5),
        sleep_hours=Decimal(str(round(sleep * 2) / 2)),
        sleep_quality=_clamp(sleep - 3.5 + rng.gauss(0, 0.7), 1, 5),
        stress=_clamp(craving_value * 0.8 + rng.gauss(1, 1.5), 0, 10),
        triggers=_some(rng, Trigger.values, 3, craving_value / 12),
        habits=_some(rng, Habit.values, 3, 0.55),
        meetings=_some(rng, Meeting.values, 1, 0.3),
        symptoms=[],
        safety_concern=False,
        note=rng.choice(NOTES) if rng.random() < 0.12 else "",
        completed_at=completed,
        completed_on=completed.date(),  # `completed` is in the patient's time zone
        submitted_at=completed,
        updated_at=completed,
    )


def add_concerns(rng: random.Random, histories: list[PatientHistory]) -> list[CheckIn]:
    """A few safety answers and ketamine symptom reports, on recent days; returns them."""
    with_recent = [h for h in histories if len(h.checkins) >= 10]
    flagged = []
    for history in rng.sample(with_recent, min(SAFETY_PATIENTS, len(with_recent))):
        checkin = rng.choice(history.checkins[-20:])
        checkin.safety_concern, checkin.mood = True, 1
        flagged.append(checkin)
    for history in rng.sample(with_recent, min(SYMPTOM_PATIENTS, len(with_recent))):
        for checkin in history.checkins[-rng.randint(2, 5) :]:
            checkin.symptoms = [KetamineSymptom.URGENCY, KetamineSymptom.BLADDER_PAIN]
        flagged.append(history.checkins[-1])
    return flagged


def _level_on(rng: random.Random, day: float, name: str) -> int:
    """Commonly reported shape: onset in 1–3 days, a peak around days 3–7, psychological
    symptoms lingering after."""
    psychological = name in {"craving", "low_mood", "anxiety", "sleep_problems", "fatigue"}
    peak = math.exp(-(((day - 5) / 2.6) ** 2))
    linger = 0.35 if psychological and day > 5 else 0.0
    return _clamp(3 * max(peak, linger) * rng.uniform(0.5, 1.2) + rng.gauss(0, 0.3), 0, 3)


def plan_withdrawal(rng: random.Random, patient: Patient, stay: ProgramStay) -> list:
    tz = zoneinfo.ZoneInfo(patient.timezone)
    now = timezone.now()
    entries = []
    day = stay.started_on
    while day <= now.astimezone(tz).date():
        for hour in sorted(rng.sample((8, 11, 14, 18, 21), rng.randint(2, 4))):
            at = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)
            if at > now:
                break
            day_of_stay = (at - dt.datetime.combine(stay.started_on, dt.time(), tzinfo=tz)).days + 1
            entries.append(
                WithdrawalEntry(
                    organization_id=patient.organization_id,
                    patient=patient,
                    stay=stay,
                    recorded_at=at,
                    submitted_at=at,
                    **{name: _level_on(rng, day_of_stay, name) for name in WITHDRAWAL_FIELDS},
                )
            )
        day += dt.timedelta(days=1)
    return entries


def _open_stays(patients: list[Patient]) -> dict:
    stays = ProgramStay.objects.filter(
        patient__in=patients, ended_on__isnull=True, episode__discharged_on__isnull=True
    ).select_related("program", "episode")
    return {stay.patient_id: stay for stay in stays}


def _store(histories: list[PatientHistory], rng: random.Random) -> None:
    checkins = [checkin for history in histories for checkin in history.checkins]
    CheckIn.objects.bulk_create(checkins, batch_size=500)
    uses = []
    for history in histories:
        by_day = {checkin.local_date: checkin for checkin in history.checkins}
        for day, used in history.uses.items():
            checkin = by_day.get(day)
            if checkin is None:
                continue
            for substance, amount in used:
                uses.append(
                    SubstanceUse(
                        organization_id=checkin.organization_id,
                        patient=history.patient,
                        checkin=checkin,
                        substance=substance,
                        used_on=day,
                        amount=amount,
                        note=rng.choice(LAPSE_NOTES)
                        if substance != Substance.TOBACCO and rng.random() < 0.5
                        else "",
                    )
                )
    SubstanceUse.objects.bulk_create(uses, batch_size=500)


@demo_step(order=500)
def seed_checkins(ctx: DemoContext) -> None:
    """Check-ins for patients in care who have none yet (so a re-run adds nothing)."""
    has_checkins = set(CheckIn.objects.values_list("patient_id", flat=True).distinct())
    patients = [p for p in ctx.patients_in_care() if p.pk not in has_checkins]
    ctx.progress.expect(len(patients))
    if not patients:
        return
    home = ctx.organization(NORTHSTAR.slug)
    signs_in = demo_patient(home, home.clinicians[0]).pk if home.clinicians else None
    stays = _open_stays(patients)
    admitted = dict(
        Episode.objects.filter(patient__in=patients, discharged_on__isnull=True).values_list(
            "patient_id", "admitted_on"
        )
    )
    histories, withdrawal = [], []
    for patient in patients:
        today = patient.local_today()
        first = max(today - dt.timedelta(days=HISTORY_DAYS - 1), admitted.get(patient.pk, today))
        history = PatientHistory(patient, first, today, leave_today_open=patient.pk == signs_in)
        history.uses = plan_uses(ctx.rng, patient, first, today)
        plan_checkins(ctx.rng, history)
        histories.append(history)
        stay = stays.get(patient.pk)
        if stay is not None and stay.program.level == LevelOfCare.DETOX:
            withdrawal += plan_withdrawal(ctx.rng, patient, stay)
        ctx.progress.advance()
    flagged = add_concerns(ctx.rng, histories)
    _store(histories, ctx.rng)
    WithdrawalEntry.objects.bulk_create(withdrawal, batch_size=500)
    for checkin in flagged:
        alert_for_checkin(checkin.patient, checkin, checkin.completed_at)
    # Milestones from before this week count as celebrated; recent ones are left to enjoy.
    for history in histories:
        celebrate_milestones(history.patient, now=timezone.now() - dt.timedelta(days=7))
