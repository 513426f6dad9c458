"""Issue 16, point 2: a record header that identifies the person, its print view and its
one-page PDF summary; record numbers unique within an organization."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.conftest import NOW, TODAY, make_user
from waymark.organizations.models import Organization
from waymark.patients.models import (
    DischargeDestination,
    Episode,
    Patient,
    RecordNumberSequence,
    record_prefix,
)
from waymark.patients.services import discharge, enroll_patient
from waymark.testing.audit import audited
from waymark.testing.pdf_text import pdf_text

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def test_it_numbers_records_per_organization_in_enrolment_order(
    alice: Patient, dana: Patient, erin: Patient, northstar: Organization
) -> None:
    assert (alice.record_number, dana.record_number) == ("NR-000001", "NR-000002")
    assert erin.record_number == "HH-000001"  # Harbour House has its own sequence
    later = enroll_patient(
        northstar, make_user("zoe"), preferred_name="Zoë", date_of_birth=dt.date(1990, 1, 2)
    )
    assert later.record_number == "NR-000003"
    later.preferred_name = "Zoe"
    later.save()  # an edit keeps the number
    later.refresh_from_db()
    assert later.record_number == "NR-000003"


def test_it_refuses_a_number_twice_in_one_organization_but_not_across_two(
    alice: Patient, dana: Patient, erin: Patient
) -> None:
    erin.record_number = alice.record_number
    erin.save()  # another organization may use the same number
    dana.record_number = alice.record_number
    with pytest.raises(IntegrityError), transaction.atomic():
        dana.save()


def test_it_backfills_numbers_for_patients_who_had_none(
    alice: Patient, dana: Patient, erin: Patient, northstar: Organization
) -> None:
    """The migration's step, on rows as the migration finds them (the constraint allows
    only one empty number per organization once it exists, so one here)."""
    migration = importlib.import_module(
        "waymark.patients.migrations.0005_record_number_and_identity"
    )
    Patient.objects.filter(pk__in=[dana.pk, erin.pk]).update(record_number="")
    Patient.objects.filter(pk=alice.pk).update(record_number="old-1")
    Patient.objects.filter(pk=dana.pk).update(created_at=NOW + dt.timedelta(minutes=1))
    RecordNumberSequence.objects.all().delete()

    migration.number_existing_patients(apps, None)

    numbers = dict(Patient.objects.values_list("preferred_name", "record_number"))
    assert numbers == {"Alice": "NR-000001", "Dana": "NR-000002", "Erin": "HH-000001"}
    assert RecordNumberSequence.objects.get(organization=northstar).last_value == 2
    nick = enroll_patient(
        northstar, make_user("nick"), preferred_name="Nick", date_of_birth=dt.date(1990, 1, 2)
    )
    assert nick.record_number == "NR-000003"


def record_who(patient: Patient, *, legal_name: str, allergies: str) -> None:
    """The patient's legal name and allergies, as the header and the summary show them."""
    patient.legal_name = legal_name
    patient.allergies = allergies
    patient.save()


def test_it_makes_a_prefix_from_the_organization_name(northstar: Organization) -> None:
    assert record_prefix(northstar) == "NR"
    northstar.name = "Ålesund"
    assert record_prefix(northstar) == "ÅL"


def test_it_shows_who_the_person_is_at_the_top_of_the_record(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    record_who(alice, legal_name="Alice Marie Dvořák", allergies="Penicillin (rash)")
    Alert.objects.create(
        organization=alice.organization, patient=alice, rule_id="checkin.safety",
        severity=Severity.URGENT, reason="Safety answer", created_at=NOW, last_seen_at=NOW,
    )  # fmt: skip

    page = client_for(bob).get(reverse("patients:detail", args=[alice.pk])).content.decode()
    header = page[
        page.index('class="record-header"') : page.index("</header>", page.index("record-header"))
    ]

    assert "Alice Marie Dvořák" in header and "NR-000001" in header
    assert "17 May 1994 (age 32)" in header
    assert "Residential · day 21 of planned 90" in header
    assert "Bob" in header and "primary" in header
    assert "Penicillin (rash)" in header and "Open urgent alert" in header
    assert 'href="{}"'.format(reverse("rights:patient_export_fhir", args=[alice.pk])) in page
    assert reverse("patients:summary_pdf", args=[alice.pk]) in page


def test_it_flags_the_watch_after_a_discharge(
    dana: Patient, olivia: User, client_for: ClientFor
) -> None:
    discharge(Episode.objects.get(patient=dana), on=TODAY, destination=DischargeDestination.HOME)
    page = client_for(olivia).get(reverse("patients:detail", args=[dana.pk])).content.decode()
    assert "Recently discharged: day 0 after discharge" in page
    assert "Not in care now" in page and "none known" in page


def test_it_prints_the_record_and_audits_the_read(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(reverse("patients:print", args=[alice.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "NR-000001" in page and "Residential treatment" in page and "@media print" not in page
    assert audited(
        actor=bob, patient=alice, action=AuditAction.VIEW, object_type=AuditObject.RECORD_PRINT
    )


def test_it_makes_a_one_page_summary_in_any_script_and_audits_it(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    record_who(alice, legal_name="Αλίκη Ζωή Иванова-Müller", allergies="Latex 🧤")
    response = client_for(bob).get(reverse("patients:summary_pdf", args=[alice.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Αλίκη Ζωή Иванова-Müller" in text and "NR-000001" in text
    assert "day 21 of planned 90" in text and "Latex" in text and "?" not in text
    assert "Some symbols could not be shown" in text
    assert text.count("Record summary") == 1 and b"/Count 1" in response.content
    assert audited(
        actor=bob, patient=alice, action=AuditAction.EXPORT, object_type=AuditObject.RECORD_SUMMARY
    )


@pytest.mark.parametrize("name", ["patients:print", "patients:summary_pdf"])
def test_it_keeps_the_printouts_to_the_care_team(
    name: str, alice: Patient, carol: User, sam: User, client_for: ClientFor
) -> None:
    url = reverse(name, args=[alice.pk])
    assert client_for(carol).get(url).status_code == 404  # another organization
    assert client_for(sam).get(url).status_code == 403  # a supporter
    assert client_for(alice.user).get(url).status_code == 403  # the patient: their own pages
    assert client_for(None).get(url).status_code == 302
    assert not AuditEvent.objects.filter(
        object_type__in=[AuditObject.RECORD_PRINT, AuditObject.RECORD_SUMMARY]
    ).exists()
