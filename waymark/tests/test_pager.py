"""One pager for every paginated page, and it keeps the rest of the query string."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
WAYMARK = Path(__file__).resolve().parent.parent


def links(html: str, label: str) -> list[str]:
    return [
        href.replace("&amp;", "&") for href in re.findall(rf'<a href="([^"]*)">{label}</a>', html)
    ]


def resolved_alerts(patient: Patient, count: int) -> None:
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            organization_id=patient.organization_id,
            patient=patient,
            rule_id="checkin.craving_high",
            severity=Severity.MODERATE,
            status=AlertStatus.RESOLVED,
            reason=f"Resolved alert {number}",
            created_at=now,
            last_seen_at=now,
            resolved_at=now - dt.timedelta(minutes=number),
        )
        for number in range(count)
    )


def test_it_keeps_the_status_filter_on_the_alerts_pager(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    resolved_alerts(alice, 51)
    client = client_for(bob)
    first = client.get(reverse("alerts:inbox"), {"status": "resolved"})
    (next_page,) = links(first.content.decode(), "Next")
    assert next_page == "?status=resolved&page=2"
    second = client.get(reverse("alerts:inbox") + next_page)
    assert [alert.reason for alert in second.context["page"]] == ["Resolved alert 50"]


def test_it_keeps_every_caseload_filter_on_its_pager(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("waymark.patients.views.CASELOAD_PAGE_SIZE", 1)
    client = client_for(bob)
    first = client.get(reverse("patients:caseload"), {"show": "all", "level": "", "program": ""})
    (next_page,) = links(first.content.decode(), "Next")
    # issue 13, point 3: the caseload pages by keyset ("after" the last row shown)
    after = first.context["page"].next_cursor
    assert next_page == f"?show=all&level=&program=&after={after}"
    second = client.get(reverse("patients:caseload") + next_page)
    (back,) = links(second.content.decode(), "First")
    assert back == "?show=all&level=&program="
    shown = [patient for page in (first, second) for patient in page.context["page"]]
    assert sorted(patient.preferred_name for patient in shown) == ["Alice", "Dana"]


def test_it_links_to_a_page_with_the_rest_of_the_query_unchanged() -> None:
    request = RequestFactory().get("/alerts/", {"status": "resolved", "page": "3", "mine": "on"})
    html = Template("{% load pager %}{% page_url 4 %}").render(Context({"request": request}))
    assert html == "?status=resolved&amp;mine=on&amp;page=4"


def test_it_has_one_pager_that_every_paginated_page_includes() -> None:
    templates = [*WAYMARK.glob("templates/**/*.html"), *WAYMARK.glob("*/templates/**/*.html")]
    own_pagers = [
        str(path.relative_to(WAYMARK))
        for path in templates
        if 'class="pager"' in path.read_text() and path.name != "pager.html"
    ]
    assert own_pagers == []
    including = {
        path.name for path in templates if '{% include "includes/pager.html"' in path.read_text()
    }
    assert {
        "_caseload_rows.html",
        "_inbox_rows.html",
        "list.html",
        "my_access_log.html",
        "inbox.html",
    } <= including
