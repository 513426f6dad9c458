"""Issue 16, point 7: an organization admin adds a patient in one step; the invitation
goes through the delivery queue in neutral words; bad input saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.notifications.models import Delivery, DeliveryStatus, Kind
from waymark.notifications.tasks import MAX_ATTEMPTS
from waymark.organizations.models import Membership, Organization, Program, Role
from waymark.organizations.timezones import current_zones
from waymark.patients.models import CareTeamMember, Episode, Patient
from waymark.patients.transitions import organization_today

ClientFor = Callable[[User | None], Client]
ADD = reverse("admin:patients_patient_add")


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


def enrolment(organization: Organization, **changes: object) -> dict[str, object]:
    program = Program.objects.get(organization=organization, name="Outpatient")
    return {
        "username": "maria.lopez",
        "email": "maria@example.org",
        "legal_name": "María José López Ñúñez",
        "preferred_name": "Majo",
        "date_of_birth": "1988-04-09",
        "phone": "+1 212 555 0100",
        "timezone": "Pacific/Auckland",
        "program": program.pk,
        "admitted_on": organization_today(organization).isoformat(),
        "allergies": "Penicillin",
        "substances": ["ketamine"],
        **changes,
    }


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (User, Patient, Membership, Episode, CareTeamMember, Delivery)
    )


def test_it_adds_admits_and_invites_a_patient_in_one_step(
    northstar: Organization, olivia: User, bob: User, client_for: ClientFor,
    run_tasks: Callable[[], None],
) -> None:  # fmt: skip
    response = client_for(olivia).post(
        ADD, enrolment(northstar, care_team=[bob.pk], primary_clinician=bob.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    patient = Patient.objects.get(user__username="maria.lopez")
    assert response["Location"] == reverse("admin:patients_patient_changelist")
    assert (patient.legal_name, patient.preferred_name) == ("María José López Ñúñez", "Majo")
    assert (patient.phone, patient.timezone, patient.allergies) == (
        "+1 212 555 0100", "Pacific/Auckland", "Penicillin",
    )  # fmt: skip
    assert patient.record_number == "NR-000001"
    episode = Episode.objects.get(patient=patient, discharged_on__isnull=True)
    assert [stay.program.name for stay in episode.stays.all()] == ["Outpatient"]
    assert list(patient.care_team.values_list("clinician__username", "is_primary")) == [
        ("bob", True)
    ]
    assert {
        (e.action, e.object_type) for e in AuditEvent.objects.filter(actor=olivia, patient=patient)
    } >= {(AuditAction.CREATE, AuditObject.ENROLMENT), (AuditAction.CREATE, AuditObject.EPISODE)}

    (delivery,) = Delivery.objects.filter(notification__kind=Kind.ACCOUNT_INVITATION)
    assert (delivery.to_address, delivery.status) == ("maria@example.org", DeliveryStatus.PENDING)
    assert not mail.outbox  # sent by the worker, not the request
    run_tasks()
    (message,) = mail.outbox
    assert message.subject == "You have been invited to set up an account"
    words = (message.subject + message.body + str(message.alternatives)).lower()
    for revealing in ("northstar", "recovery", "ketamine", "treatment", "patient", "majo"):
        assert revealing not in words
    assert "maria.lopez" in message.body and "/accounts/set-password/" in message.body
    assert "the link works once, for 7 days" in message.body  # an invitation: days, not an hour
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_it_offers_current_zones_defaulting_to_the_organizations(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    form = client_for(olivia).get(ADD).context["adminform"].form
    zones = [value for value, _ in form.fields["timezone"].choices]
    assert form["timezone"].value() == "America/New_York"
    assert "Pacific/Auckland" in zones and "UTC" in zones
    assert "US/Eastern" not in zones and "Etc/GMT+5" not in zones
    assert zones == list(current_zones())
    assert "maria.lopez" in form.fields["username"].help_text.replace("e.g. ", "")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date_of_birth": "2031-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "31/31/1990"}, "date_of_birth", "Enter the date of birth as a date"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice"),
        ({"timezone": "US/Eastern"}, "timezone", "Select a valid choice"),
        ({"username": "maria lopez"}, "username", "Enter a valid username"),
        ({"username": "BOB"}, "username", "already taken"),
        ({"admitted_on": "2031-01-01"}, "admitted_on", "cannot be in the future"),
        ({"program": ""}, "program", "required"),
    ],
)
def test_it_refuses_bad_input_and_creates_nothing(
    changes: dict[str, object], field: str, words: str,
    northstar: Organization, olivia: User, bob: User, client_for: ClientFor,
) -> None:  # fmt: skip
    before = counts()
    response = client_for(olivia).post(ADD, enrolment(northstar, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field] and words in str(errors[field])
    assert counts() == before
    assert not User.objects.filter(username="maria.lopez").exists()


def test_it_refuses_another_organizations_program_and_clinician(
    northstar: Organization, harbour: Organization, olivia: User, carol: User,
    client_for: ClientFor,
) -> None:  # fmt: skip
    before = counts()
    theirs = Program.objects.get(organization=harbour, name="Outpatient")
    response = client_for(olivia).post(
        ADD, enrolment(northstar, program=theirs.pk, care_team=[carol.pk])
    )
    assert set(response.context["adminform"].form.errors) == {"program", "care_team"}
    assert counts() == before


def test_a_failed_invitation_shows_as_failed_and_can_be_tried_again(
    northstar: Organization, olivia: User, client_for: ClientFor,
    run_tasks: Callable[[], None], settings: Any,
) -> None:  # fmt: skip
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    client = client_for(olivia)
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False) as clock:
        assert client.post(ADD, enrolment(northstar)).status_code == 302
        for _ in range(MAX_ATTEMPTS):
            run_tasks()
            delivery = Delivery.objects.get()
            clock.move_to(delivery.not_before + dt.timedelta(seconds=1))
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)

    page = client.get(reverse("admin:notifications_delivery_changelist") + "?status=failed")
    assert [d.to_address for d in page.context["cl"].result_list] == ["maria@example.org"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    (message,) = mail.outbox
    assert message.to == ["maria@example.org"]


def test_staff_usernames_may_have_dots(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    response = client_for(olivia).post(
        reverse("admin:organizations_membership_add"),
        {"username": "dr.priya.shah", "email": "priya@example.org", "role": "clinician",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Membership.objects.filter(user__username="dr.priya.shah", role=Role.CLINICIAN).exists()
    assert Delivery.objects.filter(notification__kind=Kind.ACCOUNT_INVITATION).count() == 1


def test_admin_labels_are_plain_words() -> None:
    from django.contrib import admin
    from django.utils.text import capfirst

    from waymark.risk.models import RiskSettings

    assert capfirst(RiskSettings._meta.get_field("phq9_high").verbose_name) == "PHQ-9 score high"
    for model in admin.site._registry:
        if not model.__module__.startswith("waymark."):
            continue
        for field in model._meta.concrete_fields:
            label = str(field.verbose_name)
            # A label made from a field's name ("phq9 high", "bam risk high", "ip").
            assert label.lower() != field.name.replace("_", " ") or not any(
                ch.isdigit() for ch in label
            ), f"{model.__name__}.{field.name}: {label!r}"
            where = f"{model.__name__}.{field.name}"
            assert label.lower() not in {"ip", "id"} or label.isupper(), where
