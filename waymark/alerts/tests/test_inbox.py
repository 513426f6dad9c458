from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertAction, AlertStatus, Severity
from waymark.alerts.services import raise_alert
from waymark.organizations.models import CaseloadScope, Organization
from waymark.patients.models import Patient
from waymark.risk.rules import CHECKIN_SAFETY, CRAVING_HIGH
from waymark.testing.audit import audited

ClientFor = Callable[[User | None], Client]
SAFETY = CHECKIN_SAFETY
CRAVING = dataclasses.replace(CRAVING_HIGH, severity=Severity.MODERATE)


def act(client: Client, alert: Alert, step: str, **data: object) -> Client:
    client.post(reverse("alerts:act", args=[alert.pk, step]), data)
    return client


def test_it_lists_alerts_most_severe_first_with_reasons(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    raise_alert(dana, CRAVING.flag("Craving 7 of 10."))
    raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    raise_alert(erin, SAFETY.flag("Another organization's patient."))
    page = client_for(bob).get(reverse("alerts:inbox"))
    assert [(a.patient, a.reason) for a in page.context["page"]] == [
        (alice, "Answered yes to the safety question."),
        (dana, "Craving 7 of 10."),
    ]
    assert b"Safety answer in a check-in" in page.content
    assert b"checkin.safety" not in page.content, "staff read words, not rule ids"


def test_it_respects_care_team_scope(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    northstar.caseload_scope = CaseloadScope.CARE_TEAM
    northstar.save()
    raise_alert(dana, CRAVING.flag("Craving 7 of 10."))
    dana_alert = Alert.objects.get()
    client = client_for(bob)
    assert list(client.get(reverse("alerts:inbox")).context["page"]) == []
    assert client.get(reverse("alerts:detail", args=[dana_alert.pk])).status_code == 404


def test_it_acknowledges_with_a_note_and_keeps_the_history(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alert = raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    act(client_for(bob), alert, "acknowledge", note="Called Alice; she is safe with her sister.")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.assigned_to) == (
        AlertStatus.ACKNOWLEDGED,
        bob,
        bob,
    )
    assert alert.acknowledgement_note == "Called Alice; she is safe with her sister."
    (step,) = AlertAction.objects.all()
    assert (step.step, step.actor, step.note) == ("acknowledged", bob, alert.acknowledgement_note)
    assert audited(object_type="alert_acknowledged", actor=bob, patient=alice)
    detail = client_for(bob).get(reverse("alerts:detail", args=[alert.pk]))
    assert "she is safe with her sister" in detail.content.decode()


def test_it_assigns_only_to_staff_of_the_organization(
    alice: Patient, bob: User, olivia: User, carol: User, client_for: ClientFor
) -> None:
    alert = raise_alert(alice, CRAVING.flag("Craving 7 of 10."))
    client = client_for(bob)
    act(client, alert, "assign", assignee=carol.pk)
    alert.refresh_from_db()
    assert alert.assigned_to is None
    act(client, alert, "assign", assignee=olivia.pk, note="Olivia knows her best.")
    alert.refresh_from_db()
    assert alert.assigned_to == olivia


def test_it_needs_a_note_to_resolve_and_then_leaves_the_inbox(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alert = raise_alert(alice, CRAVING.flag("Craving 7 of 10."))
    client = client_for(bob)
    response = client.post(
        reverse("alerts:act", args=[alert.pk, "resolve"]), {"note": "  "}, follow=True
    )
    assert "Say in a note what was done" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    act(client, alert, "resolve", note="Talked it through; plan updated.")
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == (AlertStatus.RESOLVED, bob)
    assert list(client.get(reverse("alerts:inbox")).context["page"]) == []
    resolved = client.get(reverse("alerts:inbox") + "?status=resolved").context["page"]
    assert list(resolved) == [alert]


def test_a_new_alert_for_the_same_rule_opens_after_resolution(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alert = raise_alert(alice, CRAVING.flag("Craving 7 of 10.", evidence=("checkin", "1")))
    act(client_for(bob), alert, "resolve", note="Done.")
    assert raise_alert(alice, CRAVING.flag("Craving 7.", evidence=("checkin", "1"))) is None
    again = raise_alert(alice, CRAVING.flag("Craving 8 of 10.", evidence=("checkin", "2")))
    assert again is not None and again.pk != alert.pk
    assert Alert.objects.count() == 2


def test_it_refuses_to_acknowledge_twice_with_a_message(
    alice: Patient, bob: User, olivia: User, client_for: ClientFor
) -> None:
    alert = raise_alert(alice, SAFETY.flag("Answered yes."))
    act(client_for(bob), alert, "acknowledge")
    response = client_for(olivia).post(
        reverse("alerts:act", args=[alert.pk, "acknowledge"]), {}, follow=True
    )
    assert "already acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == bob


def test_it_refreshes_the_rows_as_a_fragment_for_htmx(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    raise_alert(alice, SAFETY.flag("Answered yes."))
    fragment = client_for(bob).get(reverse("alerts:inbox"), HTTP_HX_REQUEST="true")
    assert b"<table" in fragment.content and b"<html" not in fragment.content


def test_it_links_each_alert_to_its_evidence(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    rule = dataclasses.replace(CRAVING_HIGH, id="medication.x")
    by_medication = raise_alert(alice, rule.flag("Flag.", evidence=("medication", "1")))
    by_checkin = raise_alert(alice, CRAVING.flag("Craving 7.", evidence=("checkin", "2")))
    assert by_medication is not None and by_checkin is not None
    assert by_medication.evidence_url() == reverse("medications:list", args=[alice.pk])
    assert by_checkin.evidence_url() == reverse("patients:timeline", args=[alice.pk])
    detail = client_for(bob).get(reverse("alerts:detail", args=[by_medication.pk]))
    assert reverse("medications:list", args=[alice.pk]) in detail.content.decode()
