"""The medication pages and the panel on the patient record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.audit.models import AuditAction, AuditEvent
from waymark.conftest import TODAY, actor
from waymark.medications.models import DrugClass, Medication
from waymark.medications.services import MedicationData, add_medication
from waymark.patients.models import Patient
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]


def form(**changes: Any) -> dict[str, Any]:
    values = {
        "name": "Methadone",
        "drug_class": "",
        "dose": "60 mg once a day",
        "started_on": "2026-10-01",
        "stopped_on": "",
        "prescribed_for": "opioid_use_disorder",
        "prescribed_for_detail": "",
    }
    return values | changes


@pytest.fixture
def methadone(alice: Patient, bob: User) -> Medication:
    return add_medication(
        actor(bob), alice, MedicationData(name="Methadone", started_on=dt.date(2026, 10, 1))
    ).medication


def test_it_lists_medications_with_flags_their_rationale_and_source(
    methadone: Medication, olivia: User, client_for: ClientFor
) -> None:
    add_medication(
        actor(methadone.added_by),
        methadone.patient,
        MedicationData(
            name="Diazepam",
            started_on=TODAY - dt.timedelta(days=9),
            stopped_on=TODAY - dt.timedelta(days=2),
        ),
    )
    response = client_for(olivia).get(reverse("medications:list", args=[methadone.patient_id]))
    assert [m.name for m in response.context["current"]] == ["Methadone"]
    assert [m.name for m in response.context["stopped"]] == ["Diazepam"]
    content = response.content.decode()
    assert "Risk of depressed breathing" in content
    reason = (
        "Risk of depressed breathing: Methadone (opioid agonist) with ketamine (substance of "
        "concern) and alcohol (substance of concern)."
    )
    assert content.count(reason) == 1  # the title is in the reason, shown once
    assert content.count("Risk of depressed breathing") == 1
    assert "Source: FDA Drug Safety Communications" in content
    assert "medication.depressed_breathing" in content
    assert reverse("medications:new", args=[methadone.patient_id]) not in content  # admin
    assert AuditEvent.objects.filter(actor=olivia, object_type="medications").exists()


def test_it_adds_a_medication_from_the_form_and_says_which_flag_it_raised(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    page = client.get(reverse("medications:new", args=[alice.pk])).content.decode()
    assert '<option value="Buprenorphine">' in page  # the vocabulary, as suggestions
    assert '<option value="Suboxone (buprenorphine/naloxone)">' in page
    response = client.post(reverse("medications:new", args=[alice.pk]), form(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("medications:list", args=[alice.pk])
    assert Medication.objects.get().drug_class == DrugClass.OPIOID_AGONIST
    assert "Safety flag raised for the care team: Risk of depressed breathing" in (
        response.content.decode()
    )
    assert Alert.objects.filter(rule_id="medication.depressed_breathing").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stopped_on": "2026-09-01"}, "stopped_on", "The stop date cannot be before the start"),
        ({"name": "  "}, "name", "Give the medication's name."),
        ({"name": "x" * 5000}, "name", "at most 120 characters (it has 5000)"),
        ({"dose": "x" * 5000}, "dose", "at most 120 characters"),
        ({"prescribed_for_detail": "x" * 5000}, "prescribed_for_detail", "at most 200"),
        ({"started_on": "31/02/2026"}, "started_on", "Enter a valid date."),
        ({"drug_class": "antidepressant"}, "drug_class", "choose that, or leave the class empty"),
    ],
)
def test_it_shows_bad_input_on_its_field_and_saves_nothing(
    alice: Patient,
    bob: User,
    client_for: ClientFor,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = client_for(bob).post(reverse("medications:new", args=[alice.pk]), form(**changes))
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not Medication.objects.exists() and not Alert.objects.exists()


def test_it_changes_a_medication_to_record_its_stop(
    methadone: Medication, bob: User, client_for: ClientFor
) -> None:
    address = reverse("medications:edit", args=[methadone.patient_id, methadone.pk])
    client = client_for(bob)
    assert client.get(address).context["form"].initial["name"] == "Methadone"
    client.post(address, form(stopped_on="2026-11-20"))
    methadone.refresh_from_db()
    assert methadone.stopped_on == dt.date(2026, 11, 20)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="medication").exists()


def test_it_answers_404_for_another_organization_or_another_patients_medication(
    methadone: Medication, dana: Patient, bob: User, carol: User, client_for: ClientFor
) -> None:
    own = reverse("medications:edit", args=[methadone.patient_id, methadone.pk])
    assert client_for(carol).get(own).status_code == 404
    under_dana = reverse("medications:edit", args=[dana.pk, methadone.pk])
    assert client_for(bob).get(under_dana).status_code == 404


def test_it_puts_flags_and_current_medications_on_the_patient_record(
    methadone: Medication, bob: User, olivia: User, client_for: ClientFor
) -> None:
    clinician_view = record_panel(client_for(bob), methadone.patient_id, "medications")
    admin_view = record_panel(client_for(olivia), methadone.patient_id, "medications")
    assert "Risk of depressed breathing" in clinician_view and "Methadone" in clinician_view
    add = reverse("medications:new", args=[methadone.patient_id])
    assert add in clinician_view and add not in admin_view


def test_it_accepts_a_brand_name_on_the_form_and_keeps_it_when_edited(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    response = client.post(
        reverse("medications:new", args=[alice.pk]),
        form(name="valium", prescribed_for="withdrawal"),
        follow=True,
    )
    stored = Medication.objects.get()
    assert (stored.name, stored.drug_class) == ("Valium (diazepam)", DrugClass.BENZODIAZEPINE)
    assert (
        "Safety flag raised for the care team: Risk of depressed breathing: Valium (diazepam, "
        "benzodiazepine) with ketamine"
    ) in response.content.decode()
    edit = reverse("medications:edit", args=[alice.pk, stored.pk])
    initial = client.get(edit).context["form"].initial
    assert (initial["name"], initial["drug_class"]) == ("Valium (diazepam)", "benzodiazepine")
    client.post(edit, form(name=initial["name"], drug_class="benzodiazepine", dose="5 mg"))
    stored.refresh_from_db()
    assert (stored.name, stored.dose) == ("Valium (diazepam)", "5 mg")


def test_it_marks_a_flag_from_substances_alone_as_information(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    add_medication(actor(bob), alice, MedicationData(name="Sertraline"))
    content = client_for(bob).get(reverse("medications:list", args=[alice.pk])).content.decode()
    assert (
        "Risk of depressed breathing: Ketamine (substance of concern) with alcohol (substance "
        "of concern)."
    ) in content
    assert "From substances of concern alone: shown here for information, no alert." in content
    assert not Alert.objects.exists()
