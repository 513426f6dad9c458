"""Messages between Alice and her care team (Bob): write, reply, read receipts, unread
counts, notifications, audit, who may see what, and bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.audit.models import AuditEvent, AuditObject
from waymark.conftest import actor
from waymark.messaging.models import BODY_MAX_LENGTH, Message, MessagingSettings, Thread
from waymark.messaging.services import (
    MessageData,
    reply,
    start_thread,
    unread_for_patient,
    unread_for_staff,
)
from waymark.notifications.models import Delivery, Kind, Notification
from waymark.patients.models import Patient
from waymark.testing.audit import audited
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]


def alice_writes(alice: Patient, body: str = "Can we move Thursday?") -> Message:
    return start_thread(actor(alice.user), alice, MessageData(body=body, subject="Thursday"))


def test_it_lets_the_patient_start_a_conversation_and_tells_her_care_team(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    response = client.post(reverse("messaging:mine"), {"subject": "Sleep", "body": "Bad nights."})
    thread = Thread.objects.get(patient=alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:thread", args=[thread.pk])
    assert thread.messages.get().from_patient
    notice = Notification.objects.get(recipient=bob)
    assert notice.kind == Kind.CARE_MESSAGE
    assert notice.url == reverse("messaging:patient_thread", args=[alice.pk, thread.pk])
    assert Delivery.objects.filter(notification=notice).exists()
    assert unread_for_staff(actor(bob)) == 1


def test_it_sends_an_email_with_no_clinical_words(
    alice: Patient, bob: User, run_tasks: Callable[[], None]
) -> None:
    alice_writes(alice, "My cravings for ketamine are back and I feel depressed")
    run_tasks()
    [email] = mail.outbox
    assert email.to == [bob.email]
    assert email.subject == "You have a new message in Waymark"
    for word in ("ketamine", "craving", "depress", "Alice", "alice"):
        assert word not in email.subject + email.body


def test_it_marks_read_when_the_other_side_opens_it_with_the_time_in_the_readers_zone(
    alice: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    message = alice_writes(alice)
    thread = message.thread
    # Alice opening her own conversation does not mark her message read.
    client_for(alice.user).get(reverse("messaging:thread", args=[thread.pk]))
    message.refresh_from_db()
    assert message.read_at is None
    frozen.shift(dt.timedelta(minutes=5))  # 15:05 in New York
    page = client_for(bob).get(reverse("messaging:patient_thread", args=[alice.pk, thread.pk]))
    assert page.status_code == 200
    message.refresh_from_db()
    assert message.read_by == bob
    assert unread_for_staff(actor(bob)) == 0
    again = client_for(alice.user).get(reverse("messaging:thread", args=[thread.pk]))
    assert "Read 15:05" in again.content.decode()
    # In London the same moment is 20:05 (the viewer's own zone).
    alice.timezone = "Europe/London"
    alice.save()
    london = client_for(alice.user).get(reverse("messaging:thread", args=[thread.pk]))
    assert "Read 20:05" in london.content.decode()


def test_it_counts_unread_for_the_patient_until_she_reads_the_reply(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    thread = alice_writes(alice).thread
    thread.patient = alice
    reply(actor(bob), thread, MessageData(body="Yes, Friday at 10?"))
    assert unread_for_patient(alice) == 1
    home = client_for(alice.user).get(reverse("patients:me"))
    assert "1 new" in home.content.decode()
    assert Notification.objects.filter(recipient=alice.user, kind=Kind.CARE_MESSAGE).exists()
    client_for(alice.user).get(reverse("messaging:thread", args=[thread.pk]))
    assert unread_for_patient(alice) == 0
    # Bob's reply marked Alice's message read.
    assert thread.messages.get(from_patient=True).read_by == bob


def test_it_lets_the_clinician_reply_from_the_record(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alice_writes(alice)
    client = client_for(bob)
    record = record_panel(client, alice.pk, "messaging_record")
    assert "Thursday" in record and "1 unread" in record
    assert audited(actor=bob, patient=alice, object_type=AuditObject.MESSAGES)
    response = client.post(
        reverse("messaging:patient", args=[alice.pk]), {"subject": "Plan", "body": "See you."}
    )
    assert response.status_code == 302
    assert Thread.objects.filter(patient=alice, subject="Plan", started_by=bob).exists()


def test_it_audits_every_staff_read(alice: Patient, bob: User, client_for: ClientFor) -> None:
    thread = alice_writes(alice).thread
    url = reverse("messaging:patient_thread", args=[alice.pk, thread.pk])
    client = client_for(bob)
    client.get(url)
    client.get(url)
    reads = AuditEvent.objects.filter(
        actor=bob, patient=alice, object_type=AuditObject.MESSAGE_THREAD, action="view"
    )
    assert reads.count() == 2
    client.get(reverse("messaging:inbox"))
    assert audited(actor=bob, patient=alice, object_type=AuditObject.MESSAGE_INBOX)


def test_it_says_every_time_that_messages_are_not_for_emergencies(
    alice: Patient, northstar: object, client_for: ClientFor
) -> None:
    MessagingSettings.objects.create(organization=northstar, reading_hours="weekdays 8 to 6")
    thread = alice_writes(alice).thread
    client = client_for(alice.user)
    for url in (reverse("messaging:mine"), reverse("messaging:thread", args=[thread.pk])):
        page = client.get(url).content.decode()
        assert "Messages are not for emergencies." in page
        assert "Get help now" in page and reverse("help") in page
        assert "weekdays 8 to 6" in page


def test_it_offers_crisis_help_after_a_worrying_message_but_never_relies_on_it(
    alice: Patient, client_for: ClientFor
) -> None:
    """A message is not a safety net: it raises no alert and changes no question. The
    check-in's safety question and its urgent alert stay the way a crisis is caught; the
    help shown after sending is an extra, not the mechanism."""
    client = client_for(alice.user)
    response = client.post(
        reverse("messaging:mine"), {"subject": "Tonight", "body": "I want to kill myself"}
    )
    assert response["Location"].endswith("?sent=help")
    page = client.get(response["Location"]).content.decode()
    assert "data-crisis-help" in page
    assert not Alert.objects.filter(patient=alice).exists()
    checkin = client.get(reverse("checkins:today")).content.decode()
    assert "data-crisis-help" in checkin  # crisis help stays on the check-in
    assert 'name="safety"' in checkin  # and so does the safety question
    calm = client.post(reverse("messaging:mine"), {"subject": "Hi", "body": "All fine today."})
    assert not calm["Location"].endswith("?sent=help")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"subject": "Hi", "body": "   "}, "body", "Write your message."),
        ({"subject": "", "body": "Hello"}, "subject", "Give the conversation a subject"),
        ({"subject": "Hi", "body": "x" * (BODY_MAX_LENGTH + 1)}, "body", "under 2,000"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(
    alice: Patient, client_for: ClientFor, data: dict[str, str], field: str, words: str
) -> None:
    response = client_for(alice.user).post(reverse("messaging:mine"), data)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert words in " ".join(response.context["form"].errors[field])
    assert not Thread.objects.exists() and not Message.objects.exists()
    assert not Notification.objects.exists()


def test_it_answers_404_for_another_organizations_patient_and_writes_nothing(
    erin: Patient, bob: User, carol: User, alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(bob).post(
        reverse("messaging:patient", args=[erin.pk]), {"subject": "Hi", "body": "Hello"}
    )
    assert response.status_code == 404
    thread = alice_writes(alice).thread
    assert (
        client_for(carol)
        .post(reverse("messaging:patient_thread", args=[alice.pk, thread.pk]), {"body": "Hi"})
        .status_code
        == 404
    )
    assert Message.objects.count() == 1


def test_it_answers_404_for_a_conversation_of_another_patient(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    thread = alice_writes(alice).thread
    assert (
        client_for(dana.user).get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    )
    assert (
        client_for(bob)
        .get(reverse("messaging:patient_thread", args=[dana.pk, thread.pk]))
        .status_code
        == 404
    )


def test_it_never_shows_messages_to_a_supporter_or_an_admin(
    alice: Patient, sam: User, olivia: User, client_for: ClientFor
) -> None:
    thread = alice_writes(alice, "A private worry").thread
    for user in (sam, olivia):
        client = client_for(user)
        for url in (
            reverse("messaging:patient", args=[alice.pk]),
            reverse("messaging:patient_thread", args=[alice.pk, thread.pk]),
            reverse("messaging:thread", args=[thread.pk]),
            reverse("messaging:inbox"),
        ):
            response = client.get(url)
            assert response.status_code == 403, (user, url)
            assert "A private worry" not in response.content.decode()
    record = client_for(olivia).get(reverse("patients:detail", args=[alice.pk]))
    assert "Thursday" not in record.content.decode()
    assert unread_for_staff(actor(sam)) == 0 and unread_for_staff(actor(olivia)) == 0


def test_it_has_no_attachments(alice: Patient, client_for: ClientFor) -> None:
    page = client_for(alice.user).get(reverse("messaging:mine")).content.decode()
    assert 'type="file"' not in page and "multipart" not in page


def test_an_admin_sets_the_hours_the_team_reads_messages_once(
    alice: Patient, northstar: object, olivia: User, bob: User, client_for: ClientFor
) -> None:
    url = "/admin/messaging/messagingsettings/add/"
    admin = client_for(olivia)
    assert client_for(bob).get(url).status_code in {302, 403}
    data = {"reading_hours": "Mon–Thu, 10 am to 4 pm", "reply_time": "within two working days"}
    assert admin.post(url, data).status_code == 302
    assert MessagingSettings.objects.get().organization == northstar
    assert admin.get(url).status_code == 403, "one row per organization: change it instead"
    page = client_for(alice.user).get(reverse("messaging:mine")).content.decode()
    assert "Mon–Thu, 10 am to 4 pm" in page and "within two working days" in page
    empty = admin.post(
        f"/admin/messaging/messagingsettings/{MessagingSettings.objects.get().pk}/change/",
        {"reading_hours": ""},
    )
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
