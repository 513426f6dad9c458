"""Groups: one screen for everyone's attendance and the group note, filed in each record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.appointments.models import Attendance, GroupMember, GroupNote, GroupNoteLine
from waymark.appointments.tests.conftest import stored_group, stored_session
from waymark.audit.models import AuditAction, AuditEvent
from waymark.conftest import make_member
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Patient
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]


def form(alice: Patient, dana: Patient, **extra: str) -> dict[str, str]:
    return {
        f"status_{alice.pk}": "attended", f"line_{alice.pk}": "Shared her plan for the weekend.",
        f"status_{dana.pk}": "late", f"line_{dana.pk}": "Arrived at 10:20; listened.",
        "note": "Topic: coping with cravings at weekends. Role play of refusal skills.", **extra,
    }  # fmt: skip


def test_it_files_one_group_note_in_every_attendees_record(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice, dana))
    client = client_for(bob)
    response = client.post(f"/appointments/{session.pk}/attendance/", form(alice, dana))
    assert response.status_code == 302
    note = GroupNote.objects.get(appointment=session)
    assert note.author == bob and note.signed_at is not None
    lines = {line.patient: line.line for line in GroupNoteLine.objects.filter(note=note)}
    assert lines == {alice: "Shared her plan for the weekend.", dana: "Arrived at 10:20; listened."}
    for patient, own_line in ((alice, "weekend"), (dana, "10:20")):
        record = record_panel(client, patient.pk, "appointments_record")
        assert "coping with cravings at weekends" in record and own_line in record
    # The second time is refused: the note is signed and filed.
    again = client.post(f"/appointments/{session.pk}/attendance/", form(alice, dana))
    assert GroupNote.objects.count() == 1 and Attendance.objects.count() == 2
    assert "Signed by" in again.content.decode()


def test_it_never_shows_a_group_note_to_the_patient_or_a_supporter(
    alice: Patient, dana: Patient, bob: User, sam: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice, dana))
    client_for(bob).post(f"/appointments/{session.pk}/attendance/", form(alice, dana))
    home = client_for(alice.user).get("/me/").content.decode()
    assert "coping with cravings" not in home and "weekend" not in home
    assert client_for(sam).get(f"/appointments/{session.pk}/attendance/").status_code == 403
    assert client_for(alice.user).get(f"/patients/{alice.pk}/").status_code == 403


def test_it_refuses_a_line_for_someone_not_in_the_group_and_writes_nothing(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice))
    extra = {f"line_{erin.pk}": "Not a member."}
    response = client_for(bob).post(
        f"/appointments/{session.pk}/attendance/",
        {k: v for k, v in form(alice, dana, **extra).items() if str(dana.pk) not in k},
    )
    assert response.status_code == 422
    assert "not a member of this group" in response.content.decode()
    assert not GroupNote.objects.exists() and not Attendance.objects.exists()


def test_it_names_each_missing_status_and_the_missing_note(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice, dana))
    response = client_for(bob).post(
        f"/appointments/{session.pk}/attendance/", {f"status_{alice.pk}": "attended", "note": ""}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Write the group note" in body or "This field is required" in body
    assert not Attendance.objects.exists()


def test_it_counts_an_absence_as_a_missed_appointment_but_not_an_excused_one(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice, dana))
    data = form(alice, dana)
    data.update({f"status_{alice.pk}": "absent", f"line_{alice.pk}": "",
                 f"status_{dana.pk}": "excused", f"line_{dana.pk}": ""})  # fmt: skip
    assert client_for(bob).post(f"/appointments/{session.pk}/attendance/", data).status_code == 302
    assert Alert.objects.filter(rule_id="appointments.missed", patient=alice).exists()
    assert not Alert.objects.filter(rule_id="appointments.missed", patient=dana).exists()
    # Nobody attended: the note is filed in nobody's record.
    assert not GroupNoteLine.objects.exists()


@pytest.mark.parametrize(
    ("by_the_facilitator", "hours_from_now", "status"),
    [
        pytest.param(False, -1, 403, id="only-the-facilitator-records-attendance"),
        pytest.param(True, 2, 422, id="not-before-the-session-starts"),
    ],
)
def test_it_refuses_attendance_and_writes_nothing(
    alice: Patient,
    dana: Patient,
    bob: User,
    northstar: Organization,
    client_for: ClientFor,
    by_the_facilitator: bool,
    hours_from_now: int,
    status: int,
) -> None:
    nina = make_member(northstar, "nina", Role.CLINICIAN)  # a colleague of Bob's
    session = stored_session(stored_group(bob, alice, dana), hours_from_now=hours_from_now)
    recorder = client_for(bob if by_the_facilitator else nina)
    response = recorder.post(f"/appointments/{session.pk}/attendance/", form(alice, dana))
    assert response.status_code == status
    assert not GroupNote.objects.exists()


def test_it_makes_a_filed_group_note_immutable_in_the_database(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    session = stored_session(stored_group(bob, alice, dana))
    client_for(bob).post(f"/appointments/{session.pk}/attendance/", form(alice, dana))
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupNote.objects.update(body="Changed.")
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupNoteLine.objects.filter(patient=alice).update(line="Changed.")
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupNoteLine.objects.filter(patient=alice).delete()
    assert GroupNoteLine.objects.get(patient=alice).line == "Shared her plan for the weekend."


def test_it_shows_this_weeks_attendance_per_program_on_the_census(
    alice: Patient, dana: Patient, bob: User, northstar: Organization, client_for: ClientFor
) -> None:
    from waymark.organizations.models import Program

    group = stored_group(bob, alice, dana)
    group.program = Program.objects.filter(organization=northstar).order_by("pk").first()
    group.save()
    session = stored_session(group)
    data = form(alice, dana)
    data[f"status_{dana.pk}"], data[f"line_{dana.pk}"] = "absent", ""
    client_for(bob).post(f"/appointments/{session.pk}/attendance/", data)
    census = client_for(bob).get("/census/").content.decode()
    assert "Group attendance" in census
    assert group.program is not None and group.program.name in census
    assert "1 of 2" in census


def test_it_creates_a_group_with_members_of_the_organization_only(
    alice: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    refused = client.post("/groups/new/", {"name": "IOP", "facilitator": bob.pk,
                                           "members": [str(erin.pk)]})  # fmt: skip
    assert refused.status_code == 422
    made = client.post("/groups/new/", {"name": "IOP", "facilitator": bob.pk,
                                        "members": [str(alice.pk)]})  # fmt: skip
    assert made.status_code == 302
    page = client.get(made["Location"]).content.decode()
    assert "Alice" in page and "Erin" not in page
    duplicate = client.post("/groups/new/", {"name": "IOP", "facilitator": bob.pk})
    assert duplicate.status_code == 422 and "exists already" in duplicate.content.decode()


def test_the_facilitator_changes_the_members_and_the_next_register_follows(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    group = stored_group(bob, alice)
    client = client_for(bob)
    page = client.get(f"/groups/{group.pk}/members/").content.decode()
    assert f'value="{alice.pk}"' in page and f'value="{dana.pk}"' in page

    response = client.post(f"/groups/{group.pk}/members/", {"members": [str(dana.pk)]})

    assert response.status_code == 302
    assert list(GroupMember.objects.filter(group=group).values_list("patient", flat=True)) == [
        dana.pk
    ]
    register = client.get(f"/appointments/{stored_session(group).pk}/attendance/").content
    assert (
        f"status_{dana.pk}".encode() in register and f"status_{alice.pk}".encode() not in register
    )
    left = AuditEvent.objects.filter(
        actor=bob, patient=alice, action=AuditAction.DELETE, object_type="group_members"
    )
    assert left.count() == 1
    # The same list again changes nothing and audits nothing more.
    client.post(f"/groups/{group.pk}/members/", {"members": [str(dana.pk)]})
    assert GroupMember.objects.filter(group=group).count() == 1 and left.count() == 1


def test_it_refuses_another_organizations_patient_as_a_member_and_changes_nothing(
    alice: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    group = stored_group(bob, alice)
    response = client_for(bob).post(f"/groups/{group.pk}/members/", {"members": [str(erin.pk)]})
    assert response.status_code == 422
    assert list(GroupMember.objects.filter(group=group).values_list("patient", flat=True)) == [
        alice.pk
    ]
