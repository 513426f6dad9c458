from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.notifications.models import Kind, Notification, NotificationPreference
from waymark.notifications.services import Message, notify
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]


def hello(patient: Patient, key: str) -> None:
    notify(
        patient.organization, patient.user,
        Message(kind=Kind.CHECKIN_REMINDER, title="Time for your check-in", url="/me/"),
        dedupe_key=key,
    )  # fmt: skip


def test_it_counts_unread_notifications_in_the_navigation(
    alice: Patient, client_for: ClientFor
) -> None:
    hello(alice, "a")
    hello(alice, "b")
    page = client_for(alice.user).get(reverse("patients:me"))
    assert page.context["unread_notifications"] == 2
    assert b'aria-label="2 unread"' in page.content


def test_it_marks_a_notification_read_and_follows_its_link(
    alice: Patient, client_for: ClientFor
) -> None:
    hello(alice, "a")
    notification = Notification.objects.get()
    client = client_for(alice.user)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == "/me/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("patients:me")).context["unread_notifications"] == 0


def test_it_does_not_follow_a_link_to_another_site(alice: Patient, client_for: ClientFor) -> None:
    hello(alice, "a")
    Notification.objects.update(url="https://evil.example/")
    notification = Notification.objects.get()
    response = client_for(alice.user).post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_it_lists_only_my_notifications(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    hello(alice, "a")
    hello(dana, "b")
    page = client_for(alice.user).get(reverse("notifications:inbox"))
    assert [n.recipient for n in page.context["page"]] == [alice.user]


def test_it_saves_reminder_time_quiet_hours_and_time_zone(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(
        reverse("notifications:preferences"),
        {
            "reminders_enabled": "on", "reminder_time": "19:30", "email_enabled": "",
            "quiet_start": "22:00", "quiet_end": "07:00", "timezone": "Europe/London",
        },
    )  # fmt: skip
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=alice.user)
    assert (preference.reminder_time, preference.email_enabled) == (dt.time(19, 30), False)
    assert (preference.quiet_start, preference.quiet_end) == (dt.time(22), dt.time(7))
    alice.refresh_from_db()
    assert alice.timezone == "Europe/London"


def test_it_explains_bad_settings_and_saves_nothing(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    cases = [
        ({"reminder_time": "25:61"}, "reminder_time", "Enter a valid time."),
        (
            {"reminder_time": "20:00", "timezone": "Mars/Olympus"},
            "timezone",
            "Select a valid choice",
        ),
        (
            {"reminder_time": "20:00", "quiet_start": "22:00", "quiet_end": "22:00"},
            "quiet_end",
            "every hour quiet",
        ),
        (
            {"reminder_time": "23:00", "quiet_start": "22:00", "quiet_end": "07:00"},
            "reminder_time",
            "inside your quiet hours",
        ),
        ({"reminder_time": "20:00", "quiet_start": "22:00"}, "__all__", "both a start and an end"),
    ]
    for data, field, words in cases:
        response = client.post(
            reverse("notifications:preferences"), {"reminders_enabled": "on", **data}
        )
        assert response.status_code == 422  # an invalid form answers 422 everywhere, data
        errors = response.context["form"].errors
        assert words in str(errors[field]), (data, errors)
    assert not NotificationPreference.objects.exists()
    alice.refresh_from_db()
    assert alice.timezone == "America/New_York"


def test_it_offers_staff_only_channels_and_quiet_hours(bob: User, client_for: ClientFor) -> None:
    form = client_for(bob).get(reverse("notifications:preferences")).context["form"]
    assert set(form.fields) == {"email_enabled", "quiet_start", "quiet_end"}


def test_it_groups_staff_notifications_by_severity_then_time(
    alice: Patient, bob: User, client_for: ClientFor, frozen: Any
) -> None:
    """Issue 16: an urgent alert is above a moderate one that came after it; newest first
    within each group."""
    from waymark.alerts.models import Severity

    def tell(key: str, title: str, severity: int = 0) -> None:
        notify(
            alice.organization, bob, Message(kind=Kind.ALERT, title=title, severity=severity),
            dedupe_key=key, patient=alice,
        )  # fmt: skip
        frozen.shift(dt.timedelta(minutes=1))

    tell("1", "Old urgent", Severity.URGENT)
    tell("2", "Moderate", Severity.MODERATE)
    tell("3", "System news")
    tell("4", "New urgent", Severity.URGENT)
    tell("5", "High", Severity.HIGH)
    html = client_for(bob).get(reverse("notifications:inbox")).content.decode()
    order = ["<h2", "New urgent", "Old urgent", "<h2", "High", "<h2", "Moderate", "<h2", "System"]
    at = [html.find(">Urgent</h2>")]
    for text in order[1:]:
        at.append(html.find(text, at[-1] + 1))
    assert -1 not in at and at == sorted(at), at
    headings = re.findall(r'<h2 class="notification-group"[^>]*>([^<]+)</h2>', html)
    assert headings == ["Urgent", "High", "Moderate", "Other"]
    assert html.count('<ul class="notifications">') == 4
