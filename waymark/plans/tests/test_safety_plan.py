"""The personal safety plan: sections, versions, who may see or write it (audited), bad
input, its people in every crisis help, print and PDF."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.organizations.crisis import Person, crisis_help_for
from waymark.patients.models import Patient
from waymark.plans.fields import SAFETY_SECTIONS
from waymark.plans.models import PlanVersion, SafetyPlanVersion
from waymark.plans.tests.conftest import PLAN_FORM, SAFETY_FORM, edited_by_the_clinician
from waymark.testing.audit import audited
from waymark.testing.pdf_text import pdf_text

ClientFor = Callable[[User | None], Client]
MINE = reverse("plans:my_safety_plan")
PRINT = reverse("plans:safety_print")


def alices(alice: Patient) -> str:
    return reverse("plans:patient_safety_plan", kwargs={"patient_id": alice.pk})


def test_it_has_the_seven_sections_of_a_safety_plan_in_order() -> None:
    assert [section.label for section in SAFETY_SECTIONS] == [
        "My warning signs",
        "Things I can do on my own",
        "People and places that take my mind off it",
        "People I can ask for help",
        "Professionals and crisis lines",
        "Making my surroundings safer",
        "My reasons for living",
    ]
    safer = next(s for s in SAFETY_SECTIONS if s.name == "safer_surroundings")
    assert "medicines and drugs" in safer.help


def test_it_saves_every_edit_as_a_new_version_and_keeps_the_old_one(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    assert client.post(MINE, SAFETY_FORM).status_code == 302
    assert client.post(MINE, {**SAFETY_FORM, "reasons": "My dog"}).status_code == 302

    first, second = SafetyPlanVersion.objects.filter(patient=alice).order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.content["reasons"] == ["My daughter", "Seeing the sea again"]
    assert second.content["reasons"] == ["My dog"]
    assert second.content["people"] == [
        {"name": "Jo", "phone": "555-0100"},
        {"name": "Mum", "phone": "+44 7700 900123"},
    ]
    assert second.author == alice.user and second.author_role == "patient"
    assert not PlanVersion.objects.filter(patient=alice).exists()  # the other plan untouched
    # Alice's own saves are not audited: only others' reads and writes are.
    assert not AuditEvent.objects.filter(patient=alice, object_type="safety_plan").exists()


def test_a_saved_version_cannot_be_changed_in_the_database(
    alice: Patient, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MINE, SAFETY_FORM)
    version = SafetyPlanVersion.objects.get(patient=alice)
    version.content = {"reasons": ["rewritten"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()
    assert SafetyPlanVersion.objects.get(pk=version.pk).content["reasons"][0] == "My daughter"


@pytest.fixture
def alices_client(alice: Patient, client_for: ClientFor) -> Client:
    """Alice, signed in, once she has saved her safety plan (SAFETY_FORM)."""
    client = client_for(alice.user)
    assert client.post(MINE, SAFETY_FORM).status_code == 302
    return client


def test_it_shows_the_plan_as_steps_with_one_tap_calls_and_the_organizations_lines(
    alices_client: Client,
) -> None:
    page = alices_client.get(MINE).content.decode()
    steps = page[page.index('class="safety-steps"') :]
    assert steps.index("Not sleeping") < steps.index("Hot shower") < steps.index("My daughter")
    assert 'href="tel:5550100"' in steps and 'href="tel:+447700900123"' in steps
    professionals = steps[steps.index('id="step-professionals"') :]
    professionals = professionals[: professionals.index('id="step-safer_surroundings"')]
    assert "Dr Patel" in professionals and 'href="tel:5550177"' in professionals
    assert (
        'href="tel:911"' in professionals and "988 Suicide &amp; Crisis Lifeline" in professionals
    )
    assert "Version 1" in page and "Make or open your safety plan" not in steps


def test_a_new_patient_gets_an_empty_form_and_the_crisis_lines_come_later(
    dana: Patient, client_for: ClientFor
) -> None:
    page = client_for(dana.user).get(MINE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Write my safety plan" in html and 'class="safety-steps"' not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("people", "Jo 555-0100", "write a name, a comma, then the phone number"),
        ("professionals", "Dr Patel, call me", "is not a phone number"),
        ("reasons", "x" * 201, "under 200 characters"),
        ("warning_signs", "\n".join(["a"] * 31), "30 lines or fewer"),
    ],
)
def test_it_answers_bad_input_with_a_field_message_and_saves_nothing(
    alice: Patient, client_for: ClientFor, field: str, value: str, message: str
) -> None:
    response = client_for(alice.user).post(MINE, {**SAFETY_FORM, field: value})

    assert response.status_code == 422
    html = response.content.decode()
    errors = html[html.index(f'id="id_{field}_errors"') :]
    assert message in errors[: errors.index("</ul>")]
    assert not SafetyPlanVersion.objects.filter(patient=alice).exists()


def test_the_clinician_writes_it_with_the_patient_and_every_read_and_write_is_audited(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    page = edited_by_the_clinician(
        client_for(alice.user),
        client_for(bob),
        MINE,
        alices(alice),
        SAFETY_FORM,
        safer_surroundings="Jo keeps my tablets",
    )
    latest = SafetyPlanVersion.objects.get(patient=alice, number=2)
    assert (latest.author, latest.author_role) == (bob, "clinician")
    assert "Bob (clinician)" in page and "+ Jo keeps my tablets" in page
    assert "− Take old medicines back to the pharmacy" in page
    events = AuditEvent.objects.filter(actor=bob, patient=alice, object_type="safety_plan")
    assert set(events.values_list("action", flat=True)) == {AuditAction.VIEW, AuditAction.UPDATE}
    assert events.filter(action=AuditAction.VIEW).count() == 2  # the post's read and the get's
    # The patient sees it in her own words: who has looked at her record.
    assert AuditObject("safety_plan").label == "your safety plan"


def test_a_clinician_of_another_organization_gets_404_and_writes_nothing(
    alice: Patient, carol: User, client_for: ClientFor
) -> None:
    carols = client_for(carol)
    assert carols.get(alices(alice)).status_code == 404
    assert carols.post(alices(alice), SAFETY_FORM).status_code == 404
    assert not SafetyPlanVersion.objects.filter(patient=alice).exists()


def test_a_supporter_and_another_patient_never_reach_it(
    alice: Patient, dana: Patient, sam: User, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MINE, SAFETY_FORM)

    sams = client_for(sam)
    assert sams.get(MINE).status_code == 403
    assert sams.get(PRINT).status_code == 403
    assert sams.get(alices(alice)).status_code == 403
    danas = client_for(dana.user)
    assert "My daughter" not in danas.get(MINE).content.decode()
    assert danas.get(alices(alice)).status_code == 403
    assert not AuditEvent.objects.filter(patient=alice, object_type="safety_plan").exists()


def test_it_answers_405_to_other_methods(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    assert client.put(MINE).status_code == 405
    assert client.post(PRINT).status_code == 405


def test_it_prints_on_one_page_with_the_lines_to_call(alices_client: Client) -> None:
    html = alices_client.get(PRINT).content.decode()
    assert "plans/print.css" in html and "Alice's safety plan" in html
    assert 'href="tel:5550100"' in html and 'href="tel:988"' in html
    assert "Ask Jo to keep my tablets" in html


def test_the_pdf_carries_the_safety_plan_after_the_relapse_plan(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    client.post(reverse("plans:my_plan"), PLAN_FORM)
    without = pdf_text(client.get(reverse("plans:pdf")).content)
    assert "safety plan" not in without
    client.post(MINE, SAFETY_FORM)

    pdf = pdf_text(client.get(reverse("plans:pdf")).content)
    assert "relapse prevention plan" in pdf and "Alice’s safety plan" in pdf
    assert "5. Professionals and crisis lines" in pdf and "988 Suicide" in pdf
    assert "Ask Jo to keep my tablets" in pdf

    exported = client_for(bob).get(reverse("plans:patient_pdf", args=[alice.pk]))
    assert "Alice’s safety plan" in pdf_text(exported.content)
    assert audited(actor=bob, patient=alice, action=AuditAction.EXPORT, object_type="safety_plan")


def test_its_people_join_the_crisis_help_once_each(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    client.post(reverse("plans:my_plan"), PLAN_FORM)  # Jo, 555-0100 is in both plans
    client.post(MINE, SAFETY_FORM)

    people = crisis_help_for(alice).people
    assert people == (
        Person("Jo", "555-0100"),
        Person("Sponsor", "+1 (212) 555-0199"),
        Person("Mum", "+44 7700 900123"),
        Person("Dr Patel", "555-0177"),
    )
    help_page = client.get(reverse("help")).content.decode()
    assert help_page.count('href="tel:555-0100"') == 1
    assert 'href="tel:+447700900123"' in help_page
    assert f'href="{MINE}"' in help_page and "Make or open your safety plan" in help_page


def test_the_patients_and_the_clinicians_plan_pages_link_to_the_safety_plan(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    mine = client_for(alice.user).get(reverse("plans:my_plan")).content.decode()
    coping = client_for(alice.user).get(reverse("plans:coping")).content.decode()
    bobs = client_for(bob).get(reverse("plans:patient_plan", args=[alice.pk])).content.decode()

    assert f'href="{MINE}"' in mine and f'href="{MINE}"' in coping
    assert f'href="{alices(alice)}"' in bobs
