"""Only clinicians receive clinical alerts (issue 10): the care team is clinicians only.

Seen in the first version: an organization admin could put a supporter or a patient on
a patient's care team, and that supporter then received the patient's self-harm alert.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.services import care_team_users, raise_alert
from waymark.notifications.jobs import escalate_alerts
from waymark.notifications.models import Notification
from waymark.organizations.models import Membership, Organization
from waymark.patients.models import CareTeamMember, Patient
from waymark.patients.services import assign_clinician
from waymark.risk.rules import CHECKIN_SAFETY

ClientFor = Callable[[User | None], Client]


def test_the_admin_offers_only_active_clinicians_for_the_care_team(
    alice: Patient, bob: User, olivia: User, sam: User, carol: User, client_for: ClientFor
) -> None:
    page = client_for(olivia).get(reverse("admin:patients_patient_change", args=[alice.pk]))
    assert page.status_code == 200
    [formset] = [f for f in page.context["inline_admin_formsets"] if f.opts.model is CareTeamMember]
    choices = set(formset.formset.empty_form.fields["clinician"].queryset)
    assert choices == {bob}, "not Sam (supporter), Olivia (admin), Alice (patient) or Carol"


def test_the_service_refuses_anyone_but_a_clinician_of_the_organization(
    alice: Patient, sam: User, olivia: User, carol: User, dana: Patient
) -> None:
    for person in (sam, olivia, carol, dana.user):
        with pytest.raises(ValidationError, match="Only a clinician"):
            assign_clinician(alice, person)
    assert list(CareTeamMember.objects.values_list("clinician__username", flat=True)) == ["bob"]


@pytest.mark.parametrize("who", ["sam", "olivia", "carol"])
def test_the_database_refuses_a_care_team_row_for_a_non_clinician(
    who: str, alice: Patient, sam: User, olivia: User, carol: User
) -> None:
    person = {"sam": sam, "olivia": olivia, "carol": carol}[who]
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.create(
            organization=alice.organization, patient=alice, clinician=person
        )


def test_the_database_refuses_a_clinician_whose_membership_has_ended(
    alice: Patient, bob: User, northstar: Organization
) -> None:
    from waymark.conftest import make_user
    from waymark.organizations.models import Role
    from waymark.organizations.services import add_member

    former = make_user("former")
    add_member(northstar, former, Role.CLINICIAN)
    Membership.objects.filter(user=former).update(is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.create(organization=northstar, patient=alice, clinician=former)


def test_supporters_and_patients_never_receive_an_alert(
    alice: Patient, dana: Patient, bob: User, olivia: User, sam: User
) -> None:
    raise_alert(alice, CHECKIN_SAFETY.flag("Yes.", evidence=("checkin", "1")))  # Bob's patient
    raise_alert(dana, CHECKIN_SAFETY.flag("Yes.", evidence=("checkin", "2")))  # no care team
    escalate_alerts(timezone.now() + timezone.timedelta(hours=1))
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"bob"}
    assert not ({"sam", "olivia", "alice", "dana"} & recipients)


def test_a_clinician_who_left_is_no_longer_told(
    alice: Patient, bob: User, northstar: Organization
) -> None:
    Membership.objects.filter(user=bob, organization=northstar).update(is_active=False)
    assert bob not in care_team_users(alice)


def test_a_care_team_clinician_who_becomes_a_supporter_is_no_longer_told(
    alice: Patient, bob: User, northstar: Organization
) -> None:
    from waymark.organizations.models import Role

    Membership.objects.filter(user=bob, organization=northstar).update(role=Role.SUPPORTER)
    assert CareTeamMember.objects.filter(patient=alice, clinician=bob).exists(), "row kept"
    raise_alert(alice, CHECKIN_SAFETY.flag("Yes.", evidence=("checkin", "1")))
    assert bob not in care_team_users(alice)
    assert not Notification.objects.filter(recipient=bob).exists()


def test_escalation_is_not_marked_done_when_no_clinician_can_receive_it(
    alice: Patient, bob: User, olivia: User, northstar: Organization
) -> None:
    from waymark.alerts.models import Alert

    Membership.objects.filter(user=bob, organization=northstar).update(is_active=False)
    alert = raise_alert(alice, CHECKIN_SAFETY.flag("Yes.", evidence=("checkin", "1")))
    assert alert is not None
    assert escalate_alerts(timezone.now() + timezone.timedelta(hours=1)) == 0
    assert Alert.objects.get(pk=alert.pk).escalated_at is None, "still to be escalated"
    assert not Notification.objects.filter(recipient=olivia).exists(), "admins get no alerts"
