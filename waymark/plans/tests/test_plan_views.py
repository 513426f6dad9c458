"""The relapse prevention plan: versions, who may see it, bad input, print and PDF."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.patients.models import Patient
from waymark.plans.models import PlanVersion
from waymark.plans.tests.conftest import PLAN_FORM, check_in, edited_by_the_clinician
from waymark.testing.audit import audited
from waymark.testing.pdf_text import pdf_text

ClientFor = Callable[[User | None], Client]
MY_PLAN = reverse("plans:my_plan")


def alices_plan(alice: Patient) -> str:
    return reverse("plans:patient_plan", kwargs={"patient_id": alice.pk})


def test_it_saves_every_edit_as_a_new_version(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    assert client.post(MY_PLAN, PLAN_FORM).status_code == 302
    assert client.post(MY_PLAN, {**PLAN_FORM, "reasons": "My health"}).status_code == 302

    versions = list(PlanVersion.objects.filter(patient=alice).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [v.author for v in versions] == [alice.user, alice.user]
    assert versions[0].content["reasons"] == ["To be there for my daughter"]
    assert versions[1].content["reasons"] == ["My health"]
    assert versions[1].content["contacts"] == [
        {"name": "Jo", "phone": "555-0100"},
        {"name": "Sponsor", "phone": "+1 (212) 555-0199"},
    ]
    page = client.get(MY_PLAN).content.decode()
    assert "Version 2" in page and "My health" in page


def test_it_lets_the_clinician_edit_and_see_who_changed_what_and_when(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    page = edited_by_the_clinician(
        client_for(alice.user),
        client_for(bob),
        MY_PLAN,
        alices_plan(alice),
        PLAN_FORM,
        avoid="The Anchor pub\nPayday evenings",
    )
    latest = PlanVersion.objects.get(patient=alice, number=2)
    assert (latest.author, latest.author_role) == (bob, "clinician")
    assert "Version 2" in page and "Bob (clinician)" in page
    assert "+ Payday evenings" in page
    assert audited(actor=bob, patient=alice, action=AuditAction.UPDATE, object_type="plan_version")
    assert audited(actor=bob, patient=alice, action=AuditAction.VIEW, object_type="relapse_plan")


def test_it_shows_a_removed_line_in_the_history(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    client_for(alice.user).post(MY_PLAN, {**PLAN_FORM, "warning_signs": ""})
    page = client_for(bob).get(alices_plan(alice)).content.decode()
    assert "− Skipping meals" in page


def test_it_answers_404_to_a_clinician_of_another_organization(
    alice: Patient, carol: User, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    carols = client_for(carol)
    assert carols.get(alices_plan(alice)).status_code == 404
    assert carols.post(alices_plan(alice), {**PLAN_FORM, "reasons": "x"}).status_code == 404
    assert carols.get(reverse("plans:patient_pdf", args=[alice.pk])).status_code == 404
    assert PlanVersion.objects.filter(patient=alice).count() == 1


def test_it_never_shows_a_patient_another_patients_plan(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    danas = client_for(dana.user)
    for url in (MY_PLAN, reverse("plans:print"), reverse("plans:coping")):
        assert "my daughter" not in danas.get(url).content.decode()
    assert "my daughter" not in pdf_text(danas.get(reverse("plans:pdf")).content)
    assert danas.get(alices_plan(alice)).status_code == 403
    assert danas.post(alices_plan(alice), PLAN_FORM).status_code == 403
    assert PlanVersion.objects.filter(patient=dana).count() == 0


def test_it_refuses_a_malformed_phone_number_and_saves_nothing(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(MY_PLAN, {**PLAN_FORM, "contacts": "Jo, call me"})
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    errors = response.context["form"].errors
    assert list(errors) == ["contacts"]
    assert '"call me" is not a phone number' in errors["contacts"][0]
    assert not PlanVersion.objects.filter(patient=alice).exists()


def test_a_clinicians_invalid_edit_answers_422_too_and_saves_nothing(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    response = client_for(bob).post(alices_plan(alice), {**PLAN_FORM, "contacts": "Jo, call me"})
    assert response.status_code == 422  # the same answer as the patient's own page
    assert '"call me" is not a phone number' in response.context["form"].errors["contacts"][0]
    assert PlanVersion.objects.filter(patient=alice).count() == 1


def test_it_asks_for_a_name_and_a_number_for_each_person(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(MY_PLAN, {**PLAN_FORM, "contacts": "5550100"})
    assert "write a name, a comma, then the phone number" in str(response.context["form"].errors)
    assert not PlanVersion.objects.exists()


def test_it_refuses_fields_of_unreasonable_length_and_saves_nothing(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    too_long = client.post(MY_PLAN, {**PLAN_FORM, "reasons": "x" * 2001})
    too_many = client.post(MY_PLAN, {**PLAN_FORM, "avoid": "\n".join(["pub"] * 31)})
    long_line = client.post(MY_PLAN, {**PLAN_FORM, "coping": "y" * 201})
    assert "at most 2000 characters" in str(too_long.context["form"].errors["reasons"])
    assert "30 lines or fewer" in str(too_many.context["form"].errors["avoid"])
    assert "under 200 characters" in str(long_line.context["form"].errors["coping"])
    assert not PlanVersion.objects.exists()


def test_it_suggests_triggers_from_the_patients_own_checkins(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    check_in(alice, 2, triggers=("stress", "lonely"))
    check_in(alice, 1, triggers=("stress",))
    check_in(dana, 1, triggers=("celebration",))
    response = client_for(alice.user).get(MY_PLAN)
    assert response.context["form"].initial["triggers"] == "Stress\nLonely"
    page = response.content.decode()
    assert 'Stress <span class="muted">(2 times)' in page
    assert "party" not in page


def test_it_offers_no_trigger_suggestions_without_checkins(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get(MY_PLAN)
    assert response.context["form"].initial["triggers"] == ""
    assert "From your check-ins" not in response.content.decode()


def test_it_downloads_the_plan_as_a_pdf(alice: Patient, bob: User, client_for: ClientFor) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    for client, url in (
        (client_for(alice.user), reverse("plans:pdf")),
        (client_for(bob), reverse("plans:patient_pdf", args=[alice.pk])),
    ):
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "To be there for my daughter" in pdf_text(response.content)
    assert AuditEvent.objects.filter(actor=bob, action=AuditAction.EXPORT).exists()


def test_it_prints_the_plan_on_one_page_with_print_css(
    alice: Patient, client_for: ClientFor
) -> None:
    client_for(alice.user).post(MY_PLAN, PLAN_FORM)
    page = client_for(alice.user).get(reverse("plans:print")).content.decode()
    assert "plans/print.css" in page
    assert "To be there for my daughter" in page
    assert 'href="tel:5550100"' in page
