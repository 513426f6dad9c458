"""The appointments demo step: a week of appointments, a group with a filed note; once."""

from __future__ import annotations

from waymark.alerts.models import Alert
from waymark.appointments import demo
from waymark.appointments.models import Appointment, Attendance, GroupNote, GroupNoteLine
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import row_counts, step_of
from waymark.patients.models import Patient


def test_it_seeds_a_week_of_appointments_and_a_group_with_its_note_once(
    care_team_ctx: DemoContext, alice: Patient, dana: Patient
) -> None:
    step = step_of(demo.seed_appointments)
    run_step(care_team_ctx, step)
    individual = Appointment.objects.filter(group__isnull=True)
    assert individual.count() == len(demo.WEEK)
    assert individual.exclude(outcome="").count() == 3
    assert Alert.objects.filter(rule_id="appointments.missed").count() == 1
    assert Appointment.objects.filter(group__isnull=False).count() == 2
    note = GroupNote.objects.get()
    assert Attendance.objects.filter(appointment=note.appointment).count() == 2
    assert set(GroupNoteLine.objects.values_list("patient", flat=True)) == {alice.pk, dana.pk}
    before = row_counts()
    run_step(care_team_ctx, step)
    assert row_counts() == before
