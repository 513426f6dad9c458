from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.services import raise_alert
from waymark.audit.models import AuditEvent
from waymark.patients.models import Patient, ProgramStay
from waymark.patients.timeline import TimelineEvent, register, timeline_chart
from waymark.risk.rules import CRAVING_HIGH

ClientFor = Callable[[User | None], Client]


def test_it_merges_every_source_newest_first(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    raise_alert(alice, CRAVING_HIGH.flag("Craving 9/10."))
    response = client_for(bob).get(reverse("patients:timeline", args=[alice.pk]))
    events = response.context["events"]
    kinds = [event.kind for event in events]
    assert kinds[0] == "alert", "the alert happened today, after the admission"
    assert "transition" in kinds
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert "High alert: Craving 9/10." in response.content.decode()
    assert AuditEvent.objects.filter(object_type="timeline", actor=bob, patient=alice).exists()


def test_it_limits_the_range(alice: Patient, bob: User, client_for: ClientFor) -> None:
    forty_days_ago = timezone.localdate() - dt.timedelta(days=40)
    ProgramStay.objects.filter(patient=alice).update(started_on=forty_days_ago)
    url = reverse("patients:timeline", args=[alice.pk])
    client = client_for(bob)
    month = [e.title for e in client.get(url + "?days=30").context["events"]]
    quarter = [e.title for e in client.get(url + "?days=90").context["events"]]
    assert "Started Residential treatment" not in month
    assert "Started Residential treatment" in quarter


def test_the_chart_separates_series_from_markers() -> None:
    at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    chart = timeline_chart(
        [
            TimelineEvent(at=at, kind="checkin", title="Check-in", values={"craving": 7}),
            TimelineEvent(at=at + day, kind="alert", title="Alert", severity=40),
            TimelineEvent(at=at - day, kind="checkin", title="In", values={"craving": 3}),
        ]
    )
    assert chart["series"] == {
        "craving": [{"x": "2026-11-19", "y": 3}, {"x": "2026-11-20", "y": 7}]
    }
    assert chart["markers"] == [
        {"x": "2026-11-21", "kind": "alert", "title": "Alert", "severity": 40}
    ]


def test_a_registered_provider_feeds_the_timeline(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    @register("test-provider")
    def provide(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
        return [
            TimelineEvent(at=timezone.now(), kind="test", title=f"Hello {patient.preferred_name}")
        ]

    try:
        content = (
            client_for(bob).get(reverse("patients:timeline", args=[alice.pk])).content.decode()
        )
        assert "Hello Alice" in content
    finally:
        from waymark.patients import timeline

        timeline._providers.pop("test-provider")
