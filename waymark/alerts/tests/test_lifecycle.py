"""The alert lifecycle: deduplicate only what is still open; every new safety answer tells.

Each test starts from a defect seen in the first version (issue 10): a resolved alert
silenced the next episode; a repeated safety answer notified nobody; escalation looked
only at alerts nobody had acknowledged.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from decimal import Decimal

import time_machine
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts import services
from waymark.alerts.models import Alert, AlertOccurrence, AlertStatus, Severity
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.conftest import TODAY, actor
from waymark.notifications.jobs import escalate_alerts
from waymark.notifications.models import Kind, Notification
from waymark.patients.models import Patient
from waymark.risk.registry import Score, Snapshot
from waymark.risk.services import alert_now, reassess

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ClientFor = Callable[[User | None], Client]


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=NEW_YORK)


def check_in(patient: Patient, day: dt.date, **answers: object) -> None:
    """The patient checks in on `day` (the clock moved there), through the real service."""
    values: dict[str, object] = {
        "local_date": day, "craving": 3, "mood": 4, "sleep_hours": Decimal("7.5"),
        "sleep_quality": 4, "stress": 2, "safety_concern": False,
    }  # fmt: skip
    values.update(answers)
    with time_machine.travel(at(day), tick=False):
        submit_checkin(patient, CheckInData(**values), key=uuid.uuid4())  # type: ignore[arg-type]


def told(user: User) -> list[str]:
    """The alert notifications `user` has received, oldest first."""
    return list(
        Notification.objects.filter(recipient=user, kind=Kind.ALERT)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )


def test_a_resolved_alert_does_not_silence_the_next_episode_of_use(
    alice: Patient, bob: User
) -> None:
    first = [TODAY - dt.timedelta(days=n) for n in (62, 61, 60)]
    for day in first:
        check_in(alice, day, uses=(UseData("ketamine"),))
    with time_machine.travel(at(first[-1], 20), tick=False):
        reassess(alice)
    alert = Alert.objects.get(rule_id="use.repeated")
    assert alert.severity == Severity.URGENT
    services.resolve(alert, actor(bob), note="Talked it through; plan updated.")
    before = len(told(bob))

    again = [TODAY - dt.timedelta(days=n) for n in (2, 1, 0)]
    for day in again:
        check_in(alice, day, uses=(UseData("ketamine"),))
    with time_machine.travel(at(TODAY, 20), tick=False):
        reassess(alice)

    alerts = list(Alert.objects.filter(rule_id="use.repeated").order_by("created_at"))
    assert [a.status for a in alerts] == [AlertStatus.RESOLVED, AlertStatus.OPEN]
    assert len(told(bob)) > before, "the care team hears about the new episode"
    with time_machine.travel(at(TODAY, 20) + dt.timedelta(minutes=16), tick=False):
        assert escalate_alerts(at(TODAY, 20) + dt.timedelta(minutes=16)) >= 1


def test_reassessing_again_tells_nobody_twice(alice: Patient, bob: User) -> None:
    for n in (2, 1, 0):
        check_in(alice, TODAY - dt.timedelta(days=n), uses=(UseData("ketamine"),))
    with time_machine.travel(at(TODAY, 20), tick=False):
        reassess(alice)
        count = len(told(bob))
        reassess(alice)
        reassess(alice)
    assert len(told(bob)) == count
    assert Alert.objects.get(rule_id="use.repeated").occurrences == 1


def yesterdays_safety_alert(alice: Patient) -> Alert:
    """The alert raised by Alice's check-in yesterday, in which she said she was not safe."""
    check_in(alice, TODAY - dt.timedelta(days=1), safety_concern=True)
    return Alert.objects.get(rule_id="checkin.safety")


def test_a_resolved_safety_alert_is_not_reopened_by_the_same_answer(
    alice: Patient, bob: User
) -> None:
    alert = yesterdays_safety_alert(alice)
    services.resolve(alert, actor(bob), note="Safety plan reviewed with Alice.")
    with time_machine.travel(at(TODAY), tick=False):
        reassess(alice)  # the worker sees the same answer, still within the week
    assert list(Alert.objects.values_list("status", flat=True)) == [AlertStatus.RESOLVED]
    assert len(told(bob)) == 1


def test_a_second_safety_answer_on_an_acknowledged_alert_tells_the_team_again(
    alice: Patient, bob: User
) -> None:
    alert = yesterdays_safety_alert(alice)
    services.acknowledge(alert, actor(bob), note="Called her; safe tonight.")

    check_in(alice, TODAY, safety_concern=True)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN, "news again: it needs acknowledging again"
    assert (alert.occurrences, alert.acknowledged_by) == (2, None)
    assert alert.evidence_type == "checkin"
    assert len(told(bob)) == 2
    occurrences = list(alert.occurrence_rows.all())
    assert [o.notified for o in occurrences] == [True, True]
    assert occurrences[0].evidence_id != occurrences[1].evidence_id


def test_a_resubmitted_yes_on_the_same_day_is_a_new_answer(alice: Patient, bob: User) -> None:
    check_in(alice, TODAY, safety_concern=True, craving=8)
    services.acknowledge(Alert.objects.get(), actor(bob))
    check_in(alice, TODAY, safety_concern=True, craving=5)
    assert len(told(bob)) == 2
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_escalation_starts_over_for_a_new_safety_answer(
    alice: Patient, bob: User, olivia: User
) -> None:
    check_in(alice, TODAY, safety_concern=True)
    alert = Alert.objects.get()
    later = alert.notified_at + dt.timedelta(minutes=16)
    assert escalate_alerts(later) == 1
    services.acknowledge(alert, actor(bob))
    assert escalate_alerts(later + dt.timedelta(minutes=1)) == 0, "acknowledged: no escalation"

    with time_machine.travel(later + dt.timedelta(hours=2), tick=False):
        submit_checkin(
            alice,
            CheckInData(TODAY, 3, 4, Decimal(7), 4, 2, True),
            key=uuid.uuid4(),
        )
    alert.refresh_from_db()
    assert alert.escalated_at is None and alert.status == AlertStatus.OPEN
    assert escalate_alerts(alert.notified_at + dt.timedelta(minutes=5)) == 0, "not yet due"
    assert escalate_alerts(alert.notified_at + dt.timedelta(minutes=16)) == 1
    escalations = Notification.objects.filter(kind=Kind.ESCALATION, recipient=bob)
    assert escalations.count() == 2


def test_every_new_phq9_item9_answer_tells_again(alice: Patient, bob: User) -> None:
    def answered(response_id: str, value: int) -> None:
        score = Score(total=12, on=TODAY, response_id=response_id, item9=value)
        alert_now(alice, Snapshot(today=TODAY, tracking_since=TODAY, phq9=(score,)), ["phq9.item9"])

    answered("r1", 1)
    services.acknowledge(Alert.objects.get(), actor(bob))
    answered("r1", 1)  # the same response seen again: not news
    assert len(told(bob)) == 1
    answered("r2", 2)
    assert len(told(bob)) == 2
    alert = Alert.objects.get()
    assert (alert.status, alert.occurrences) == (AlertStatus.OPEN, 2)


def test_a_non_safety_repeat_updates_the_open_alert_quietly(alice: Patient, bob: User) -> None:
    check_in(alice, TODAY - dt.timedelta(days=1), symptoms=["urgency"])
    check_in(alice, TODAY, symptoms=["urgency", "blood_in_urine"])
    alert = Alert.objects.get(rule_id="checkin.ketamine_symptoms")
    assert alert.occurrences == 2 and "blood in the urine" in alert.reason
    assert len(told(bob)) == 1
    assert [o.notified for o in alert.occurrence_rows.all()] == [True, False]


def test_the_history_shows_each_occurrence_with_its_time_and_evidence(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    check_in(alice, TODAY - dt.timedelta(days=1), safety_concern=True)
    alert = Alert.objects.get()
    with time_machine.travel(at(TODAY - dt.timedelta(days=1), 18), tick=False):
        services.acknowledge(alert, actor(bob), note="Called her.")
    check_in(alice, TODAY, safety_concern=True)

    page = client_for(bob).get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    history = page[page.index("<h2>History</h2>") :]
    assert history.count('class="occurrence"') == 2
    assert history.index("raised by Waymark") < history.index("Acknowledged by")
    assert history.index("Acknowledged by") < history.index("seen again by Waymark")
    assert history.count("care team told") == 2
    yesterday = (TODAY - dt.timedelta(days=1)).strftime("%-d %b")
    assert f"on {yesterday}" in history and f"on {TODAY:%-d %b}" in history
    assert AlertOccurrence.objects.filter(alert=alert).count() == 2


def test_a_rise_to_urgent_is_news_again_and_restarts_the_escalation_clock(
    alice: Patient, bob: User
) -> None:
    from waymark.risk.rules import CHECKIN_MISSED

    with time_machine.travel(at(TODAY - dt.timedelta(days=4)), tick=False):
        alert = services.raise_alert(
            alice, CHECKIN_MISSED.flag("No check-in for 7 days.", level=Severity.HIGH)
        )
        assert alert is not None
        services.acknowledge(alert, actor(bob), note="Left a voicemail.")
    with time_machine.travel(at(TODAY), tick=False):
        services.raise_alert(
            alice, CHECKIN_MISSED.flag("No check-in for 11 days.", level=Severity.URGENT)
        )
    alert.refresh_from_db()
    assert (alert.severity, alert.status, alert.escalated_at) == (
        Severity.URGENT, AlertStatus.OPEN, None,
    )  # fmt: skip
    assert alert.notified_at == at(TODAY)
    assert len(told(bob)) == 2
    assert escalate_alerts(at(TODAY) + dt.timedelta(minutes=1)) == 0, "time to acknowledge"
    assert escalate_alerts(at(TODAY) + dt.timedelta(minutes=16)) == 1
