"""Issue 16 point 4: a note records its session, may answer an open alert (signing it
acknowledges the alert), and is co-signed by a supervising clinician when the
organization asks for it; a signed note still never changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus
from waymark.alerts.services import acknowledge, history, raise_alert
from waymark.conftest import NEW_YORK, actor, make_member
from waymark.errors import ServiceError
from waymark.notes.models import ClinicalNote, CosignRequirement, NoteCosignature, ServiceType
from waymark.notes.services import NoteData, cosign_note, create_note, sign_note
from waymark.notes.tests.conftest import COMPLETE_DAP, SESSION
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Patient
from waymark.risk.rules import CRAVING_HIGH

ClientFor = Callable[[User | None], Client]


@pytest.fixture(autouse=True)
def _clock(frozen: time_machine.Traveller) -> None:
    """3 pm on 27 Nov 2026 in New York (Northstar's zone)."""


def open_alert(patient: Patient) -> Alert:
    flag = CRAVING_HIGH.flag("Craving 9 of 10 three days running.", evidence=("checkin", "1"))
    alert = raise_alert(patient, flag)
    assert alert is not None
    return alert


def new_note(client: Client, patient: Patient, **fields: object) -> object:
    body = {"format": "dap", **SESSION, **COMPLETE_DAP, **fields}
    return client.post(reverse("notes:new", args=[patient.pk]), body)


def test_it_stores_the_session_in_the_organizations_zone(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = new_note(client_for(bob), alice, service_type="crisis", session_time="21:15")
    note = ClinicalNote.objects.get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert note.session_at == dt.datetime(2026, 1, 15, 21, 15, tzinfo=NEW_YORK)
    assert (note.duration_minutes, note.service_type) == (50, ServiceType.CRISIS)
    page = client_for(bob).get(reverse("notes:detail", args=[alice.pk, note.pk])).content
    assert "Thu 15 Jan 2026, 21:15" in page.decode() and "Crisis contact" in page.decode()


@pytest.mark.parametrize("minutes", ["0", "601", "-5"])
def test_it_refuses_a_duration_outside_1_to_600_minutes(
    alice: Patient, bob: User, client_for: ClientFor, minutes: str
) -> None:
    response = new_note(client_for(bob), alice, duration_minutes=minutes)
    assert response.status_code == 422  # type: ignore[attr-defined]
    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert errors["duration_minutes"] == ["Give the duration in minutes, from 1 to 600."]
    assert not ClinicalNote.objects.exists()


def test_it_refuses_a_session_after_today_in_the_organizations_zone(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    tomorrow = new_note(client, alice, session_date="2026-11-28", session_time="09:00")
    assert tomorrow.status_code == 422  # type: ignore[attr-defined]
    assert tomorrow.context["form"].errors["session_date"] == [  # type: ignore[attr-defined]
        "The session date cannot be after today (27 Nov 2026)."
    ]
    assert not ClinicalNote.objects.exists()
    # 11 pm tonight in New York is already tomorrow in UTC: still today for Northstar.
    tonight = new_note(client, alice, session_date="2026-11-27", session_time="23:00")
    assert tonight.status_code == 302  # type: ignore[attr-defined]


def test_the_api_refuses_bad_session_fields_naming_them(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    url = f"/api/v1/patients/{alice.pk}/notes"
    client = client_for(bob)

    def post(**fields: object) -> dict[str, object]:
        body = {"format": "dap", "data": "Seen.", **fields}
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 422
        return dict(response.json()["errors"])

    assert list(post(duration_minutes=601)) == ["duration_minutes"]
    assert list(post(session_at="2026-11-29T10:00:00-05:00")) == ["session_at"]
    assert list(post(service_type="therapy")).pop().endswith("service_type")
    assert not ClinicalNote.objects.exists()
    ok = client.post(
        url,
        json.dumps({"format": "dap", "data": "Seen.", "duration_minutes": 30,
                    "service_type": "family", "session_at": "2026-11-27T10:00:00-05:00"}),
        content_type="application/json",
    )  # fmt: skip
    assert (ok.status_code, ok.json()["service_type"], ok.json()["duration_minutes"]) == (
        201,
        "family",
        30,
    )


def test_signing_a_note_acknowledges_the_alert_it_answers(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alert = open_alert(alice)
    client = client_for(bob)
    new_note(client, alice, answers_alert=str(alert.pk), save="")
    note = ClinicalNote.objects.get()
    alert.refresh_from_db()
    assert note.answers_alert == alert and alert.status == AlertStatus.OPEN  # a draft: not yet
    client.post(reverse("notes:sign", args=[alice.pk, note.pk]))
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, bob)
    [step] = [entry.action for entry in history(alert) if entry.action]
    assert step.note == "Acknowledged with a note: DAP note (session of 15 Jan 2026 10:30)."
    page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "Acknowledged with a note" in page


def test_a_note_cannot_answer_another_patients_or_organizations_alert(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    danas, erins = open_alert(dana), open_alert(erin)
    for other in (danas, erins):
        response = new_note(client_for(bob), alice, answers_alert=str(other.pk), sign="1")
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert "answers_alert" in response.context["form"].errors  # type: ignore[attr-defined]
        with pytest.raises(ServiceError) as refused:
            create_note(actor(bob), alice, NoteData("dap", COMPLETE_DAP, answers_alert_id=other.pk))
        assert refused.value.errors == {
            "answers_alert": ["Choose one of this patient's open alerts."]
        }
    assert not ClinicalNote.objects.exists()
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 2


@pytest.fixture
def trainee(northstar: Organization) -> User:
    """A clinician whose notes Northstar asks a supervisor to co-sign."""
    user = make_member(northstar, "tara", Role.CLINICIAN)
    CosignRequirement.objects.create(organization=northstar, clinician=user)
    return user


def trainees_note(alice: Patient, trainee: User) -> ClinicalNote:
    data = NoteData("dap", COMPLETE_DAP, sign=True)
    return create_note(actor(trainee), alice, data)


def test_only_the_named_clinicians_notes_need_cosignature(
    alice: Patient, bob: User, trainee: User, northstar: Organization
) -> None:
    assert trainees_note(alice, trainee).needs_cosign
    bobs = create_note(actor(bob), alice, NoteData("dap", COMPLETE_DAP, sign=True))
    assert not bobs.needs_cosign
    with pytest.raises(ServiceError, match="does not need co-signature"):
        cosign_note(actor(trainee), bobs)
    CosignRequirement.objects.create(organization=northstar)  # now every note
    draft = create_note(actor(bob), alice, NoteData("dap", COMPLETE_DAP))
    assert sign_note(actor(bob), draft).needs_cosign


def test_a_supervisor_cosigns_once_and_the_author_never(
    alice: Patient, bob: User, trainee: User, client_for: ClientFor
) -> None:
    note = trainees_note(alice, trainee)
    url = reverse("notes:cosign", args=[alice.pk, note.pk])
    own = client_for(trainee).post(url)
    assert own.status_code == 403 and "not its author" in own.content.decode()
    assert not NoteCosignature.objects.exists()
    assert client_for(bob).post(url).status_code == 302
    again = client_for(make_member(alice.organization, "grace", Role.CLINICIAN)).post(url)
    assert again.status_code == 409 and "already co-signed by Bob" in again.content.decode()
    assert NoteCosignature.objects.get().cosigner == bob
    page = client_for(trainee).get(reverse("notes:detail", args=[alice.pk, note.pk]))
    assert "Co-signed by Bob" in page.content.decode()


def test_an_admin_or_an_inactive_clinician_cannot_cosign(
    alice: Patient, olivia: User, trainee: User, northstar: Organization
) -> None:
    note = trainees_note(alice, trainee)
    with pytest.raises(ServiceError):
        cosign_note(actor(olivia), note)
    assert not NoteCosignature.objects.exists()


def test_a_cosigned_note_and_its_cosignature_still_refuse_update_in_the_database(
    alice: Patient, bob: User, trainee: User
) -> None:
    note = trainees_note(alice, trainee)
    cosign_note(actor(bob), note)
    for change in (
        lambda: ClinicalNote.objects.filter(pk=note.pk).update(plan="Rewritten."),
        lambda: ClinicalNote.objects.filter(pk=note.pk).update(duration_minutes=5),
        lambda: NoteCosignature.objects.filter(note=note).update(cosigner=trainee),
        lambda: NoteCosignature.objects.filter(note=note).delete(),
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            change()
    assert ClinicalNote.objects.get(pk=note.pk).plan == COMPLETE_DAP["plan"]
    assert NoteCosignature.objects.get().cosigner == bob


def test_the_api_cosigns_and_shows_who(
    alice: Patient, bob: User, carol: User, trainee: User, client_for: ClientFor
) -> None:
    note = trainees_note(alice, trainee)
    url = f"/api/v1/patients/{alice.pk}/notes/{note.pk}/cosign"
    assert client_for(trainee).post(url).status_code == 403
    done = client_for(bob).post(url)
    assert (done.status_code, done.json()["cosigned_by"]) == (200, "Bob")
    assert client_for(bob).post(url).status_code == 409
    assert client_for(carol).post(url).status_code == 404  # another organization's note
    assert NoteCosignature.objects.count() == 1


def test_a_draft_keeps_its_alert_when_a_colleague_acknowledged_it_first(
    alice: Patient, bob: User, olivia: User, client_for: ClientFor
) -> None:
    alert = open_alert(alice)
    client = client_for(bob)
    new_note(client, alice, answers_alert=str(alert.pk), save="")
    note = ClinicalNote.objects.get()
    acknowledge(alert, actor(olivia), note="Seen.")
    edit = reverse("notes:edit", args=[alice.pk, note.pk])
    body = {**SESSION, **COMPLETE_DAP, "answers_alert": str(alert.pk), "sign": "1"}
    assert client.post(edit, body).status_code == 302
    note.refresh_from_db()
    alert.refresh_from_db()
    assert note.is_signed and note.answers_alert == alert
    assert alert.acknowledged_by == olivia  # not acknowledged twice
    assert [e.action.note for e in history(alert) if e.action] == ["Seen."]
