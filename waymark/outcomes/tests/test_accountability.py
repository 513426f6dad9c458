"""Point 4 on a hand-built set of alerts: nearest-rank median and 90th percentile, counts."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.conftest import NOW
from waymark.organizations.models import LevelOfCare, Organization, Program
from waymark.outcomes.accountability import alert_accountability
from waymark.outcomes.tests.conftest import patient, scope_for
from waymark.patients.models import Patient

MINUTE, HOUR = dt.timedelta(minutes=1), dt.timedelta(hours=1)
RAISED = NOW - dt.timedelta(days=3)


def alert(
    person: Patient,
    severity: int,
    *,
    raised: dt.datetime = RAISED,
    ack: dt.timedelta | None = None,
    resolve: dt.timedelta | None = None,
    note: str = "Called her.",
    escalated: bool = False,
    occurrences: int = 1,
) -> Alert:
    return Alert.objects.create(
        organization_id=person.organization_id,
        patient=person,
        rule_id=f"rule-{Alert.objects.count()}",
        severity=severity,
        reason="For the test.",
        created_at=raised,
        last_seen_at=raised,
        acknowledged_at=raised + ack if ack else None,
        resolved_at=raised + resolve if resolve else None,
        resolution_note=note if resolve else "",
        escalated_at=raised + HOUR if escalated else None,
        occurrences=occurrences,
        status="resolved" if resolve else "acknowledged" if ack else "open",
    )


def test_it_gives_nearest_rank_times_and_counts_per_program_and_severity(
    northstar: Organization, bob: User, erin: Patient
) -> None:
    one = patient(northstar, "pat1")
    two = patient(northstar, "pat2", LevelOfCare.DETOX, admitted=20)
    for minutes, resolve in ((30, 2), (10, 1), (50, None), (20, 3), (40, None)):
        alert(
            one,
            Severity.URGENT,
            ack=minutes * MINUTE,
            resolve=resolve and resolve * HOUR,
            note="" if resolve == 3 else "Called her.",
            escalated=minutes > 30,
        )
    alert(one, Severity.URGENT, occurrences=3)  # never acknowledged
    alert(two, Severity.MODERATE, ack=5 * MINUTE)
    alert(one, Severity.URGENT, raised=NOW - dt.timedelta(days=40), ack=MINUTE)  # before
    alert(erin, Severity.URGENT, ack=HOUR)  # another organization
    scope = scope_for(bob)

    with CaptureQueriesContext(connection) as queries:
        rows = alert_accountability(scope)

    table = {(row.program, row.severity): row for row in rows}
    assert list(table) == [
        ("Residential treatment", Severity.URGENT),
        ("Withdrawal management", Severity.MODERATE),
        ("", Severity.URGENT),
        ("", Severity.MODERATE),
    ]
    urgent = table[("Residential treatment", Severity.URGENT)]
    assert (urgent.raised, urgent.acknowledged, urgent.resolved) == (6, 5, 3)
    assert (urgent.escalated, urgent.repeats, urgent.resolved_without_note) == (2, 2, 1)
    assert urgent.to_acknowledge == {50: 30 * MINUTE, 90: 50 * MINUTE}
    assert urgent.to_resolve == {50: 2 * HOUR, 90: 3 * HOUR}
    assert table[("", Severity.MODERATE)].to_acknowledge == {50: 5 * MINUTE, 90: 5 * MINUTE}
    assert table[("", Severity.URGENT)].to_resolve == urgent.to_resolve
    assert len(queries) <= 7


def test_it_files_an_alert_under_the_program_of_the_day_it_was_raised(
    northstar: Organization, bob: User
) -> None:
    one = patient(northstar, "pat1", LevelOfCare.DETOX, admitted=-10)
    from waymark.patients.services import move_to_program

    move_to_program(
        one.episodes.get(),
        Program.objects.get(organization=northstar, name="Residential treatment"),
        on=(NOW - dt.timedelta(days=5)).date(),
    )
    alert(one, Severity.HIGH, raised=NOW - dt.timedelta(days=7), ack=HOUR)
    alert(one, Severity.HIGH, raised=NOW - dt.timedelta(days=2), ack=2 * HOUR)
    residential = Program.objects.get(organization=northstar, level=LevelOfCare.RESIDENTIAL)

    rows = alert_accountability(scope_for(bob, program_id=residential.pk))

    assert [(row.program, row.raised, row.to_acknowledge[50]) for row in rows] == [
        ("Residential treatment", 1, 2 * HOUR),
        ("", 1, 2 * HOUR),
    ]
    assert alert_accountability(scope_for(bob, level=LevelOfCare.OUTPATIENT)) == []
