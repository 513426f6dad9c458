"""The check-ins demo step: 90 days that look like recovery, with lapses, spikes, missed days
and a few safety answers that raised their alerts; withdrawal logs in detox; nothing added on
a re-run. Run on a small demo (waymark/demo/tests/small.py), not the whole seed_demo."""

from __future__ import annotations

import pytest
from django.db.models import F, Max, Min

from waymark.alerts.models import Alert
from waymark.checkins import demo
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.queries import current_detox_stay
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.demo.tests.small import run_step_at, step_of
from waymark.patients.models import Patient, Substance


@pytest.fixture
def seeded(small_demo_ctx: DemoContext) -> DemoContext:
    run_step_at(small_demo_ctx, demo.seed_checkins, 500)
    return small_demo_ctx


def in_care() -> list[Patient]:
    return list(Patient.objects.in_care())


def test_it_gives_every_patient_in_care_up_to_90_days_that_look_like_recovery(
    seeded: DemoContext,
) -> None:
    spans = []
    for patient in in_care():
        days = CheckIn.objects.filter(patient=patient).aggregate(
            first=Min("local_date"), last=Max("local_date")
        )
        assert days["first"] is not None, patient
        span = (patient.local_today() - days["first"]).days + 1
        assert span <= 90
        spans.append(span)
    assert max(spans) == 90
    assert not CheckIn.objects.exclude(organization_id=F("patient__organization_id")).exists()
    # Missed days and a few check-ins filled in late.
    patient_days = [
        (CheckIn.objects.filter(patient=p).count(), (p.local_today() - first).days + 1)
        for p in in_care()
        if (first := CheckIn.objects.filter(patient=p).aggregate(f=Min("local_date"))["f"])
    ]
    missed = sum(span - count for count, span in patient_days)
    assert missed > len(patient_days)  # more than one missed day per patient on average
    assert CheckIn.objects.filter(completed_on__gt=F("local_date")).exists()
    # Craving spikes and lapses, some with a note.
    assert CheckIn.objects.filter(craving__gte=8).exists()
    lapses = SubstanceUse.objects.exclude(substance=Substance.TOBACCO)
    assert lapses.filter(substance=Substance.KETAMINE).exists()
    assert lapses.count() >= 3
    assert lapses.exclude(note="").exists()
    for use in SubstanceUse.objects.select_related("checkin"):
        assert use.used_on == use.checkin.local_date


def test_it_raises_the_alerts_of_its_safety_answers_and_logs_withdrawal_in_detox(
    seeded: DemoContext,
) -> None:
    safety = CheckIn.objects.filter(safety_concern=True)
    assert 1 <= safety.count() <= 5
    alerts = Alert.objects.filter(rule_id="checkin.safety")
    assert {a.evidence_id for a in alerts} == {str(c.pk) for c in safety}
    assert Alert.objects.filter(rule_id="checkin.ketamine_symptoms").exists()
    # Withdrawal logs for the patients in detox, and only for them.
    in_detox = [p for p in in_care() if current_detox_stay(p) is not None]
    assert in_detox
    for patient in in_detox:
        entries = WithdrawalEntry.objects.filter(patient=patient)
        assert entries.exists(), patient
        assert entries.values("recorded_at__date").distinct().count() >= 1
    assert not WithdrawalEntry.objects.exclude(patient__in=in_detox).exists()


def test_it_leaves_today_to_the_demo_patient_and_adds_nothing_on_a_second_run(
    seeded: DemoContext,
) -> None:
    home = seeded.organization(NORTHSTAR.slug)
    patient = demo_patient(home, home.clinicians[0])  # the patient you sign in as

    assert CheckIn.objects.filter(patient=patient).count() >= 7
    assert not CheckIn.objects.filter(patient=patient, local_date=patient.local_today()).exists()
    # A second run adds nothing.
    before = (CheckIn.objects.count(), WithdrawalEntry.objects.count(), Alert.objects.count())

    run_step(seeded, step_of(demo.seed_checkins))

    assert (CheckIn.objects.count(), WithdrawalEntry.objects.count(), Alert.objects.count()) == (
        before
    )
