"""Hand-built cohorts for the outcomes tests: a few patients whose every figure is known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest
from django.utils import timezone

from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.conftest import NOW, TODAY, actor, make_user, program
from waymark.organizations.models import LevelOfCare, Organization
from waymark.outcomes.scope import Scope
from waymark.patients.models import Patient, Substance
from waymark.patients.services import admit, enroll_patient

START = TODAY - dt.timedelta(days=29)  # a 30-day period ending TODAY


@pytest.fixture(autouse=True)
def _frozen(frozen: object) -> None:
    """Every outcomes test runs at the personas' NOW."""


def day(n: int) -> dt.date:
    """Day n of the period (day 0 is START)."""
    return START + dt.timedelta(days=n)


def patient(
    organization: Organization,
    name: str,
    level: LevelOfCare = LevelOfCare.RESIDENTIAL,
    *,
    admitted: int = 0,
    substances: Iterable[str] = (Substance.KETAMINE, Substance.ALCOHOL),
    goals: dict[str, str] | None = None,
) -> Patient:
    """A patient admitted on day `admitted` of the period."""
    found = enroll_patient(
        organization, make_user(name), preferred_name=name.capitalize(),
        date_of_birth=dt.date(1990, 1, 1), substances=list(substances), substance_goals=goals,
    )  # fmt: skip
    admit(found, program(organization, level), on=day(admitted))
    return found


def new_checkin(person: Patient, on: dt.date) -> CheckIn:
    """An unsaved check-in of `person` for the day `on` (for bulk_create too)."""
    now = timezone.now()
    return CheckIn(
        organization_id=person.organization_id, patient=person, local_date=on, craving=2,
        mood=3, sleep_hours=7, sleep_quality=3, stress=2, safety_concern=False,
        completed_at=now, completed_on=on, submitted_at=now, updated_at=now,
    )  # fmt: skip


def checkins(
    person: Patient, days: Iterable[int], uses: dict[int, list[str]] | None = None
) -> None:
    """Check-ins on the given period days, with the uses reported on some of them."""
    uses = uses or {}
    for n in days:
        checkin = new_checkin(person, day(n))
        checkin.save()
        for substance in uses.get(n, []):
            prescribed = substance.endswith(":prescribed")
            SubstanceUse.objects.create(
                organization_id=person.organization_id, patient=person, checkin=checkin,
                substance=substance.split(":")[0], used_on=day(n), as_prescribed=prescribed,
            )  # fmt: skip


def scope_for(user: object, **filters: object) -> Scope:
    from waymark.access import visible_patients

    who = actor(user)  # type: ignore[arg-type]
    assert who.organization is not None
    return Scope(
        organization_id=who.organization.pk,
        patients=visible_patients(who),
        end=TODAY,
        **{"start": START, **filters},  # type: ignore[arg-type]
    )


def response(
    person: Patient, key: str, on: int, score: float, *, corrects: object = None, hour: int = 10
) -> object:
    """A standing questionnaire response with this total, submitted at `hour` o'clock of
    period day `on` (two on one day: different hours)."""
    from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

    when = timezone.make_aware(dt.datetime.combine(day(on), dt.time(hour)))
    return QuestionnaireResponse.objects.create(
        organization_id=person.organization_id, patient=person,
        questionnaire=Questionnaire.objects.filter(key=key, is_current=True).first(),
        questionnaire_key=key, answers={}, scoring_form="standard", scores={},
        primary_score=score, submitted_at=when, submitted_on=day(on), submitted_by=person.user,
        corrects=corrects,
    )  # fmt: skip


__all__ = ["NOW", "START", "checkins", "day", "patient", "response", "scope_for"]
