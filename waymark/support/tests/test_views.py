"""The pages, as the patient and the supporter use them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.conftest import NOW, TODAY, program
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Patient
from waymark.patients.transitions import admit_patient, discharge_patient, move_patient
from waymark.support.access import REDISCLOSURE_NOTICE, decide
from waymark.support.models import Consent, ConsentEnding, Disclosure, Scope, SupporterLink
from waymark.support.tests.conftest import actor, consent, invite
from waymark.testing.panels import record_panel
from waymark.testing.pdf_text import pdf_text

ClientFor = Callable[[User | None], Client]


def test_it_the_patient_invites_signs_and_sees_the_supporter(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    response = client.post(
        reverse("support:invite"),
        {"name": "Zoe", "relationship": "friend", "email": "zoe@example.net", "phone": ""},
    )
    link = SupporterLink.objects.get()
    assert response["Location"] == reverse("support:sign", args=[link.pk])
    page = client.get(response["Location"]).content.decode()
    for element in (
        "Northstar Recovery",
        "Zoe (Friend), zoe@example.net",
        "revoke",
        REDISCLOSURE_NOTICE,
    ):
        assert element in page
    assert "checked>" not in page.split("What may be shared")[1].split("</fieldset>")[0]
    response = client.post(
        response["Location"],
        {
            "scopes": ["milestones", "reach_out"],
            "purpose": "To support me",
            "expiry_kind": "date",
            "expires_on": (TODAY + dt.timedelta(days=60)).isoformat(),
            "agreed": "on",
            "signature": "Alice Example",
        },
    )
    assert response["Location"] == reverse("support:mine")
    assert Consent.objects.get().scopes == ["milestones", "reach_out"]
    mine = client.get(reverse("support:mine")).content.decode()
    assert "Zoe" in mine and "Stop sharing with Zoe" in mine


def test_it_the_sign_page_shows_clear_errors_and_writes_nothing(
    sams_link: SupporterLink, alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(
        reverse("support:sign", args=[sams_link.pk]),
        {"purpose": "p", "expiry_kind": "date", "expires_on": "2020-01-01", "signature": "A"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose at least one thing to share" in page and "That date has passed" in page
    assert not Consent.objects.exists()


def test_it_the_invite_page_refuses_oneself_with_a_message(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(
        reverse("support:invite"),
        {"name": "Me", "relationship": "friend", "email": alice.user.email},
    )
    assert response.status_code == 422
    assert "your own e-mail address" in response.content.decode()
    assert not SupporterLink.objects.exists()


def test_it_the_supporter_sees_only_the_permitted_scopes_and_the_notice(
    sams_consent: Consent, alice: Patient, sam: User, client_for: ClientFor
) -> None:
    client = client_for(sam)
    home = client.get(reverse("support:home")).content.decode()
    assert "Alice" in home and REDISCLOSURE_NOTICE in home
    assert reverse("support:consent_copy", args=[alice.pk]) in home
    page = client.get(reverse("support:person", args=[alice.pk])).content.decode()
    assert "Milestones" in page and "days" in page
    assert "Check-ins this week" not in page and "This week" not in page
    assert REDISCLOSURE_NOTICE in page
    assert reverse("support:consent_copy", args=[alice.pk]) in page
    assert sorted(Disclosure.objects.values_list("scope", flat=True)) == [
        Scope.MILESTONES, Scope.REACH_OUT,
    ]  # fmt: skip
    copy = client.get(reverse("support:consent_copy", args=[alice.pk])).content.decode()
    assert "Alice" in copy and REDISCLOSURE_NOTICE in copy and "milestones" in copy


def test_it_after_revocation_the_supporters_next_page_shows_nothing(
    sams_consent: Consent, alice: Patient, sam: User, client_for: ClientFor
) -> None:
    client = client_for(sam)
    api = f"/api/v1/support/people/{alice.pk}"
    shared = client.get(api).json()
    assert shared["scopes"] == ["milestones", "reach_out"] and shared["checkins"] == []
    assert shared["notice"] == REDISCLOSURE_NOTICE
    client_for(alice.user).post(reverse("support:revoke", args=[sams_consent.pk]))
    assert client.get(api).status_code == 404
    assert client.get(reverse("support:person", args=[alice.pk])).status_code == 404
    assert client.get(reverse("support:consent_copy", args=[alice.pk])).status_code == 404
    assert "Alice" not in client.get(reverse("support:home")).content.decode()


def test_it_a_supporter_guessing_another_patients_pages_gets_404(
    sams_consent: Consent, dana: Patient, sam: User, client_for: ClientFor
) -> None:
    client = client_for(sam)
    for patient_id in (dana.pk, uuid.uuid4()):
        for name in ("support:person", "support:consent_copy"):
            assert client.get(reverse(name, args=[patient_id])).status_code == 404
        assert client.post(reverse("support:in_touch", args=[patient_id])).status_code == 404
    assert not Disclosure.objects.filter(patient=dana).exists()


def test_it_the_patient_cannot_reach_another_patients_consent(
    sams_consent: Consent, dana: Patient, client_for: ClientFor
) -> None:
    client = client_for(dana.user)
    assert client.get(reverse("support:my_consent", args=[sams_consent.pk])).status_code == 404
    assert client.post(reverse("support:revoke", args=[sams_consent.pk])).status_code == 404
    assert not ConsentEnding.objects.exists()


def test_it_the_accounting_lists_and_downloads_each_disclosure(
    sams_consent: Consent, alice: Patient, sam: User, client_for: ClientFor
) -> None:
    client_for(sam).get(reverse("support:person", args=[alice.pk]))
    client = client_for(alice.user)
    page = client.get(reverse("support:accounting")).content.decode()
    assert page.count("<tr><td") == 2 and "Sam (Family)" in page
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("support:accounting_csv")).content.decode()))
    )
    assert rows[0][:4] == ["Date (UTC)", "Shared with", "What", "Purpose"]
    assert {row[2] for row in rows[1:]} == {Scope.MILESTONES.label, Scope.REACH_OUT.label}
    pdf = client.get(reverse("support:accounting_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and "Sam (Family)" in pdf_text(pdf.content)


def test_it_the_patient_reaches_out_from_home_and_sees_who_answered(
    sams_consent: Consent, alice: Patient, sam: User, client_for: ClientFor
) -> None:
    patient = client_for(alice.user)
    home = patient.get(reverse("patients:me")).content.decode()
    assert "let my people know" in home and reverse("support:reach_out") in home
    patient.post(reverse("support:reach_out"), {"phone": "555 0199"})
    supporter = client_for(sam)
    page = supporter.get(reverse("support:person", args=[alice.pk])).content.decode()
    assert "would like to hear from you" in page and 'href="tel:555 0199"' in page
    supporter.post(reverse("support:in_touch", args=[alice.pk]))
    status = patient.get(reverse("support:reach_out")).content.decode()
    assert "Sam: <strong>has been in touch</strong>" in status


def test_it_the_clinician_sees_the_consents_on_the_record(
    sams_consent: Consent,
    sams_link: SupporterLink,
    alice: Patient,
    bob: User,
    client_for: ClientFor,
) -> None:
    expired_for = invite(alice, "lena@example.net", name="Lena")
    consent(expired_for, [Scope.WEEKLY_SUMMARY], expires_on=TODAY)
    page = record_panel(client_for(bob), alice.pk, "support_record")
    assert "Consents to share with supporters" in page
    assert "Sam (Family)" in page and "Lena (Family)" in page
    assert page.count("data-consent-status>Active") == 2


def test_it_the_help_page_lists_supporters_to_call(
    sams_link: SupporterLink, alice: Patient, client_for: ClientFor
) -> None:
    page = client_for(alice.user).get(reverse("help")).content.decode()
    assert "Sam" in page and "tel:555-0100" in page


def test_it_the_help_page_offers_to_let_my_people_know(
    sams_consent: Consent, alice: Patient, client_for: ClientFor
) -> None:
    page = client_for(alice.user).get(reverse("help")).content.decode()
    assert "let my people know" in page and reverse("support:reach_out") in page
    assert "let my people know" not in client_for(None).get(reverse("help")).content.decode()


def test_it_changing_a_consent_revoked_meanwhile_says_so_and_writes_nothing(
    sams_consent: Consent, sams_link: SupporterLink, alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    mine = client.get(reverse("support:mine")).content.decode()
    change = f"{reverse('support:sign', args=[sams_link.pk])}?replaces={sams_consent.pk}"
    assert change in mine
    assert f'name="replaces" value="{sams_consent.pk}"' in client.get(change).content.decode()
    client.post(reverse("support:revoke", args=[sams_consent.pk]))  # in another tab
    response = client.post(
        change,
        {
            "scopes": ["weekly_summary"], "purpose": "p", "expiry_kind": "date",
            "expires_on": TODAY.isoformat(), "agreed": "on", "signature": "Alice",
            "replaces": sams_consent.pk,
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert "cannot be changed or brought back" in response.content.decode()
    assert Consent.objects.count() == 1


def test_it_the_supporter_can_read_the_family_articles(sam: User, client_for: ClientFor) -> None:
    library = client_for(sam).get(reverse("content:library")).content.decode()
    assert "CRAFT: a way for families to help that has been tested" in library
    assert "Looking after yourself as a supporter" in library


def test_it_the_streak_and_summary_say_done_or_not_and_never_the_answers(
    sams_link: SupporterLink, alice: Patient, sam: User, client_for: ClientFor
) -> None:
    import uuid as uuid_module
    from decimal import Decimal

    from waymark.checkins.services import CheckInData, submit_checkin

    answers = CheckInData(
        local_date=TODAY, craving=9, mood=1, sleep_hours=Decimal("3.5"), sleep_quality=1,
        stress=9, safety_concern=False, note="Private-note-for-my-team-41c7",
    )  # fmt: skip
    submit_checkin(alice, answers, key=uuid_module.uuid4())
    consent(sams_link, [Scope.CHECKIN_STREAK, Scope.WEEKLY_SUMMARY])
    page = client_for(sam).get(reverse("support:person", args=[alice.pk])).content.decode()
    assert f"{TODAY:%a} {TODAY.day} {TODAY:%b}: done" in page
    yesterday = TODAY - dt.timedelta(days=1)
    assert f"{yesterday:%a} {yesterday.day} {yesterday:%b}: not done" in page
    assert "Alice checked in on 1 of the last 7 days." in page
    assert "Private-note-for-my-team-41c7" not in page and "3.5" not in page
    assert "Milestones" not in page


def test_it_keeps_sharing_through_a_move_a_discharge_and_a_readmission(
    sams_consent: Consent, alice: Patient, bob: User, sam: User, client_for: ClientFor
) -> None:
    """Consent is the patient's, not the programme's: moving between levels of care
    changes nothing a supporter sees, each time; only revocation or expiry ends it."""
    staff, northstar = actor(bob), alice.organization
    steps = {
        "moved": lambda: move_patient(
            staff, alice, program(northstar, LevelOfCare.DAY), on=TODAY, today=TODAY
        ),
        "discharged": lambda: discharge_patient(
            staff, alice, on=TODAY, destination="home", today=TODAY,
            aftercare_plan="Weekly group.", follow_up_on=TODAY + dt.timedelta(days=7),
        ),
        "readmitted": lambda: admit_patient(
            staff, alice, program(northstar, LevelOfCare.OUTPATIENT),
            on=TODAY, planned_discharge_on=None, today=TODAY,
        ),
    }  # fmt: skip
    for step, transition in steps.items():
        transition()
        page = client_for(sam).get(reverse("support:person", args=[alice.pk]))
        assert page.status_code == 200, step
        assert "Milestones" in page.content.decode(), step
        assert decide(sam, alice, Scope.MILESTONES, NOW).consent == sams_consent, step
    assert Disclosure.objects.filter(consent=sams_consent, scope=Scope.MILESTONES).count() == 3
