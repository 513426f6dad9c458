"""The Django admin: only organization admins (and operators) get in, and an
organization admin sees and changes only their own organization's rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.organizations.models import Membership, Organization, Program, Role
from waymark.patients.models import Episode, Patient
from waymark.patients.transitions import organization_today

ClientFor = Callable[[User | None], Client]


# Cross-tenant tables: only operators (superusers) may open them.
OPERATOR_ONLY = {
    "admin:accounts_user_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
}


def changelist_urls() -> list[str]:
    return [
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("url_name", changelist_urls())
def test_it_lets_only_admins_into_each_admin_page(
    url_name: str,
    alice: Patient,
    bob: User,
    carol: User,
    olivia: User,
    sam: User,
    client_for: ClientFor,
) -> None:
    url = reverse(url_name)
    for outsider in (None, alice.user, bob, carol, sam):
        response = client_for(outsider).get(url)
        assert response.status_code == 302, (outsider, url)
        assert response["Location"].startswith(reverse("accounts:login")) or response[
            "Location"
        ].startswith(reverse("admin:login"))
    expected = 403 if url_name in OPERATOR_ONLY else 200
    assert client_for(olivia).get(url).status_code == expected


def test_it_lists_only_the_admins_own_patients(
    alice: Patient, dana: Patient, erin: Patient, olivia: User, client_for: ClientFor
) -> None:
    response = client_for(olivia).get(reverse("admin:patients_patient_changelist"))
    shown = set(response.context["cl"].result_list)
    assert shown == {alice, dana}
    listed = set(
        AuditEvent.objects.filter(action=AuditAction.LIST).values_list("patient", flat=True)
    )
    assert listed == {alice.pk, dana.pk}


def test_it_answers_404_for_another_organizations_object(
    erin: Patient, harbour: Organization, olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    assert client.get(reverse("admin:patients_patient_change", args=[erin.pk])).status_code == 404
    program = Program.objects.filter(organization=harbour).first()
    assert program is not None
    assert (
        client.get(reverse("admin:organizations_program_change", args=[program.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("admin:organizations_organization_change", args=[harbour.pk])
        ).status_code
        == 404
    )


def test_it_audits_an_admin_opening_a_patient(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    response = client_for(olivia).get(reverse("admin:patients_patient_change", args=[alice.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.patient, event.actor_role) == (olivia, alice, "admin")


def test_it_offers_only_own_organization_choices(
    alice: Patient,
    northstar: Organization,
    harbour: Organization,
    olivia: User,
    client_for: ClientFor,
) -> None:
    episode = Episode.objects.get(patient=alice)
    response = client_for(olivia).get(reverse("admin:patients_episode_change", args=[episode.pk]))
    program_field = response.context["inline_admin_formsets"][0].formset.forms[0].fields["program"]
    assert set(program_field.queryset) == set(Program.objects.filter(organization=northstar))
    patient_field = response.context["adminform"].form.fields["patient"]
    assert all(p.organization_id == northstar.pk for p in patient_field.queryset)


def test_it_enrols_a_patient_and_emails_an_invitation(
    northstar: Organization, olivia: User, client_for: ClientFor, run_tasks: Callable[[], None]
) -> None:
    outpatient = Program.objects.get(organization=northstar, name="Outpatient")
    response = client_for(olivia).post(
        reverse("admin:patients_patient_add"),
        {
            "username": "jordan",
            "email": "jordan@example.org",
            "preferred_name": "Jordan",
            "date_of_birth": "1990-02-03",
            "timezone": "America/New_York",
            "substances": ["ketamine", "alcohol"],
            "recovery_start_date": "2026-11-01",
            "program": outpatient.pk,
            "admitted_on": organization_today(northstar).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    run_tasks()  # the invitation goes through the delivery queue
    patient = Patient.objects.get(preferred_name="Jordan")
    assert patient.organization == northstar
    assert patient.substances == ["ketamine", "alcohol"]
    assert patient.recovery_start_date == dt.date(2026, 11, 1)
    assert Membership.objects.get(user=patient.user).role == Role.PATIENT
    assert not patient.user.has_usable_password()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient=patient).exists()
    (message,) = mail.outbox
    assert message.to == ["jordan@example.org"]
    assert "ketamine" not in (message.subject + message.body).lower()
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert link is not None

    # The invitation link lets Jordan choose a password and sign in.
    client = Client()
    path = urlsplit(link.group(0)).path  # made from SITE_URL by the worker
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long quiet river 7", "new_password2": "a long quiet river 7"},
    )
    assert done.status_code == 302
    signed_in = client.post(
        reverse("accounts:login"), {"username": "jordan", "password": "a long quiet river 7"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_it_refuses_a_bad_enrolment_and_saves_nothing(
    northstar: Organization, olivia: User, bob: User, client_for: ClientFor
) -> None:
    before = (User.objects.count(), Patient.objects.count(), Membership.objects.count())
    response = client_for(olivia).post(
        reverse("admin:patients_patient_add"),
        {
            "username": "bob",
            "email": "not-an-email",
            "preferred_name": "",
            "date_of_birth": "yesterday",
            "timezone": "Mars/Olympus",
            "substances": ["ketamine", "glue"],
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {
        "username",
        "email",
        "preferred_name",
        "date_of_birth",
        "timezone",
        "substances",
    }
    assert "already taken" in str(errors["username"])
    assert (User.objects.count(), Patient.objects.count(), Membership.objects.count()) == before
    assert not mail.outbox


def test_it_invites_staff_into_the_admins_organization(
    northstar: Organization, olivia: User, client_for: ClientFor, run_tasks: Callable[[], None]
) -> None:
    response = client_for(olivia).post(
        reverse("admin:organizations_membership_add"),
        {"username": "priya", "email": "priya@example.org", "role": "clinician", "is_active": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="priya")
    assert (membership.organization, membership.role) == (northstar, Role.CLINICIAN)
    run_tasks()  # through the delivery queue
    assert len(mail.outbox) == 1


def test_it_keeps_the_admins_changes_in_their_organization(
    northstar: Organization, harbour: Organization, olivia: User, client_for: ClientFor
) -> None:
    response = client_for(olivia).post(
        reverse("admin:organizations_program_add"),
        {"name": "Evening IOP", "level": "iop", "organization": harbour.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Program.objects.get(name="Evening IOP").organization == northstar


def test_it_keeps_patient_names_off_the_admin_index(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    """Django's "Recent actions" would name the patient the admin just changed on every
    visit to the index, with no audit row: the index leaves that box out (issue 12)."""
    LogEntry.objects.create(  # what the admin writes when Olivia renames Alice
        user=olivia,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(alice.pk),
        object_repr="Alicia Example",
        action_flag=CHANGE,
    )
    client = client_for(olivia)
    before = AuditEvent.objects.count()

    page = client.get(reverse("admin:index")).content.decode()

    assert "Alicia" not in page and "Recent actions" not in page
    assert AuditEvent.objects.count() == before
