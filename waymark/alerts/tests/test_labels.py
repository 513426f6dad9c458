"""Words, not ids (issue 16, point 5): staff read a rule's title, never its id.

Seen before: the alerts inbox showed `checkin.safety` and `use.repeated`, and the record
said "Open now: gad-7 (overdue)".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts import services
from waymark.alerts.models import Alert
from waymark.patients.models import Patient
from waymark.questionnaires.models import Schedule
from waymark.questionnaires.panels import short_titles
from waymark.risk import registry
from waymark.risk.models import PatientRisk
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags (attributes are not shown)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_no_rule_id_is_shown_on_the_inbox_the_alert_the_caseload_or_notifications(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    rules = registry.all_rules()
    assert {"checkin.safety", "use.repeated"} <= {rule.id for rule in rules}
    for rule in rules:
        services.raise_alert(alice, rule.flag(f"Seen on {timezone.now():%-d %b}."))
    PatientRisk.objects.filter(patient=alice).update(
        reasons=[{"rule": r.id, "title": r.title, "level": 40, "reason": "Why.", "source": "S"}
                 for r in rules],
    )  # fmt: skip
    client = client_for(bob)
    inbox = client.get(reverse("alerts:inbox")).content.decode()
    pages = {
        "inbox": inbox,
        "caseload": client.get(reverse("patients:caseload")).content.decode(),
        "notifications": client.get(reverse("notifications:inbox")).content.decode(),
    }
    for alert in Alert.objects.all():
        pages[alert.rule_id] = client.get(
            reverse("alerts:detail", args=[alert.pk])
        ).content.decode()
    for name, html in pages.items():
        text = visible_text(html)
        leaked = [rule.id for rule in rules if rule.id in text]
        assert leaked == [], f"{name} shows rule ids"
    for rule in rules:
        assert rule.title in visible_text(inbox).replace("&#x27;", "'")


def test_the_record_names_open_questionnaires_by_title(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    stay = alice.stays.get()
    Schedule.objects.create(
        organization=alice.organization, program=stay.program, questionnaire_key="gad-7",
        anchor="admission", offset_days=0, grace_days=1, window_days=30,
        active_from=dt.date(2020, 1, 1),
    )  # fmt: skip
    html = record_panel(client_for(bob), alice.pk, "questionnaires")
    assert "Open now: GAD-7 (overdue)" in html
    assert "gad-7 (overdue)" not in html


def test_it_names_an_organizations_own_questionnaire_by_its_title_too(
    alice: Patient, django_assert_num_queries: Callable
) -> None:
    with django_assert_num_queries(0):
        assert short_titles({"phq-9", "gad-7"}, alice.organization_id) == {
            "phq-9": "PHQ-9", "gad-7": "GAD-7",
        }  # fmt: skip
    with django_assert_num_queries(1):
        assert short_titles({"phq-9", "ours"}, alice.organization_id) == {"phq-9": "PHQ-9"}


def test_the_alert_history_dates_are_the_organizations(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    rule = registry.get("checkin.safety")
    assert rule is not None
    alert = services.raise_alert(alice, rule.flag("Answered yes."))
    assert alert is not None
    html = client_for(bob).get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    local = timezone.localtime(alert.created_at, dt.timezone(dt.timedelta(hours=-5)))
    assert f"{local:%-d %b %Y %H:%M}" in html, "New York (UTC−5 in November), not UTC"
