"""The patient record and the patient's home are assembled from the panels apps register,
and showing them never writes (but for the audit trail of a clinician's read)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.checkins.models import Milestone
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.notes.models import NoteFormat
from waymark.notes.services import start_note
from waymark.notes.tests.conftest import COMPLETE_DAP
from waymark.notes.tests.conftest import actor as actor_of
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, Panel, register_panel
from waymark.questionnaires.services import submit_response
from waymark.questionnaires.tests.helpers import make_due, phq9
from waymark.registries import Registry
from waymark.tests.test_core_imports import features

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "patients"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
AUDIT_INSERT = re.compile(r'^\s*INSERT INTO "audit_auditevent"', re.IGNORECASE)
# Issue 16: opening the record is reviewing it; the view (never a panel) moves the
# reader's "last reviewed" marker forward in one upsert.
REVIEW_UPSERT = re.compile(r'^\s*INSERT INTO "patients_recordreview"', re.IGNORECASE)
RENDERING = "-- rendering starts --"


@pytest.fixture
def full_record(alice: Patient, bob: User) -> Patient:
    """Something in every panel: check-ins (a safety answer, so an alert), a PHQ-9, a note."""
    submit_checkin(alice, answers(craving=7, safety_concern=True), key=uuid.uuid4())
    make_due(alice, "phq-9")
    submit_response(alice, "phq-9", phq9(), by=alice.user)
    start_note(actor_of(bob), alice, note_format=NoteFormat.DAP, sections=COMPLETE_DAP)
    return alice


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run, in order, with a marker where template rendering starts."""
    ran: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        ran.append(sql)
        return execute(sql, params, many, context)

    def rendered(sender: Any, **kwargs: Any) -> None:
        if RENDERING not in ran:
            ran.append(RENDERING)

    template_rendered.connect(rendered)
    try:
        with connection.execute_wrapper(record):
            yield ran
    finally:
        template_rendered.disconnect(rendered)


def writes(ran: list[str]) -> list[str]:
    return [sql for sql in ran if WRITE.match(sql)]


def after_rendering_starts(ran: list[str]) -> list[str]:
    assert RENDERING in ran, "nothing was rendered"
    return ran[ran.index(RENDERING) :]


def test_it_assembles_the_record_from_every_registered_panel_in_order(
    full_record: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(reverse("patients:detail", args=[full_record.pk]))

    html = response.content.decode()
    shown = [panel.name for panel in response.context["panels"]]
    assert shown == [
        "alerts",
        "checkins",
        "messaging_record",
        "questionnaires",
        "medications",
        "appointments_record",
        "notes",
        "support_record",
        "meetings_record",
    ]
    headings = ["<h2>Alerts</h2>", ">Check-ins</h2>", ">Clinical notes</h2>"]
    assert [html.index(heading) for heading in headings] == sorted(
        html.index(heading) for heading in headings
    )
    assert 'class="card alert-card"' in html
    assert html.index(">Clinical notes</h2>") < html.index("<h2>Episodes of care</h2>")


def test_it_assembles_the_home_from_the_home_panels(alice: Patient, client_for: ClientFor) -> None:
    response = client_for(alice.user).get(reverse("patients:me"))

    assert [panel.name for panel in response.context["panels"]] == [
        "checkins_home",
        "messaging_home",
        "support_home",
        "questionnaires_home",
        "appointments_home",
        "meetings_home",
    ]
    html = response.content.decode()
    assert 'class="checkins-home"' in html and "Not checked in yet" in html


def test_a_panel_an_app_registers_shows_on_the_pages_it_names_in_its_order(
    alice: Patient,
    bob: User,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
) -> None:
    from waymark.patients import panels as registry

    (tmp_path / "extra_panel.html").write_text("<p>{{ word }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    registered: Registry[Panel] = Registry()  # this test's panel goes away with it
    for name, panel in registry._panels.as_dict().items():
        registered.add(name, panel)
    monkeypatch.setattr(registry, "_panels", registered)
    register_panel("extra", order=15, where={RECORD}, template="extra_panel.html")(
        lambda request, patient: {"word": f"Extra for {patient.preferred_name}"}
    )

    record = client_for(bob).get(reverse("patients:detail", args=[alice.pk])).content.decode()
    home = client_for(alice.user).get(reverse("patients:me")).content.decode()

    assert "<p>Extra for Alice</p>" in record and "Extra for" not in home
    assert record.index("Extra for Alice") < record.index(">Check-ins</h2>")
    with pytest.raises(ValueError, match="where"):
        register_panel("nowhere", order=1, where={"sidebar"}, template="x.html")


def test_the_record_and_the_home_load_no_feature_apps_tag_library() -> None:
    libraries = engines["django"].engine.libraries  # name -> module
    feature_modules = {f"waymark.{name}." for name in features()}
    for page in ("detail.html", "me.html"):
        source = (TEMPLATES / page).read_text()
        loaded = {
            name for tags in re.findall(r"{%\s*load\s+([^%]+)%}", source) for name in tags.split()
        }
        assert loaded, page
        for name in loaded:
            module = libraries.get(name, "django")
            assert not any(module.startswith(prefix) for prefix in feature_modules), (page, name)


def test_showing_the_record_writes_nothing_but_the_audit_trail(
    full_record: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    with statements() as ran:
        response = client.get(reverse("patients:detail", args=[full_record.pk]))

    assert response.status_code == 200
    assert writes(ran), "the read is audited"
    others = [sql for sql in writes(ran) if not AUDIT_INSERT.match(sql)]
    assert len(others) == 1 and REVIEW_UPSERT.match(others[0]), writes(ran)


def test_showing_the_home_writes_nothing_once_its_milestones_are_celebrated(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    with statements() as ran:
        first = client.get(reverse("patients:me")).content.decode()
    with statements() as ran_again:
        second = client.get(reverse("patients:me")).content.decode()

    # Alice is 20 days in: her 2 weeks are celebrated once, recorded by the view before
    # anything is rendered, never by a template.
    assert "2 weeks without ketamine" in first and "2 weeks without" not in second
    assert writes(ran) and all('"checkins_milestone"' in sql for sql in writes(ran))
    assert writes(after_rendering_starts(ran)) == []
    assert Milestone.objects.filter(patient=alice, days=14).exists()
    assert writes(ran_again) == []


def test_it_loads_a_lazy_panel_after_the_record_or_on_its_own_page_without_javascript(
    full_record: Patient, bob: User, client_for: ClientFor
) -> None:
    """Issue 13 point 4: the notes panel is lazy. The record holds its place (htmx fetches
    it once in view) with a plain link; the fragment is the panel alone; the link opens the
    panel on a page of its own."""
    client = client_for(bob)
    url = reverse("patients:panel", args=[full_record.pk, "notes"])

    record = client.get(reverse("patients:detail", args=[full_record.pk])).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    page = client.get(url).content.decode()

    assert f'hx-get="{url}" hx-trigger="intersect once"' in record
    assert f'<a href="{url}">Show clinical notes</a>' in record
    summary = COMPLETE_DAP["assessment"]  # the note's, in the panel's list
    assert summary not in record
    assert summary in fragment and "<nav" not in fragment
    assert summary in page and "<nav" in page
    assert reverse("patients:detail", args=[full_record.pk]) in page  # back to the record


def test_it_audits_each_lazy_panel_read_and_writes_nothing_else(
    full_record: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    for name in ("notes", "checkins"):
        url = reverse("patients:panel", args=[full_record.pk, name])
        with statements() as ran:
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        assert [sql for sql in writes(ran)] == [sql for sql in ran if AUDIT_INSERT.match(sql)]
        assert len(writes(ran)) == 1, name  # one audited read per panel


@pytest.mark.parametrize(
    ("name", "object_type", "label"),
    [
        ("checkins", "checkins", "your check-ins"),
        ("notes", "clinical_notes", "the clinical notes about you"),
        ("medications", "medications", "your medications"),
        ("questionnaires", "questionnaire_responses", "your questionnaire answers"),
        ("appointments_record", "appointments", "your appointments"),
        ("messaging_record", "messages", "your messages with your care team"),
        ("meetings_record", "meetings", "the mutual-help meetings you went to"),
        ("support_record", "supporter_consents", "who supports you and what you share with them"),
    ],
)
def test_each_lazy_panel_read_says_what_was_read_in_the_patients_words(
    full_record: Patient,
    bob: User,
    client_for: ClientFor,
    name: str,
    object_type: str,
    label: str,
) -> None:
    """Reading the record panel by panel leaves one entry per panel that names what was
    read, not nine entries of "your record", in the patient's accounting of who looked."""
    url = reverse("patients:panel", args=[full_record.pk, name])
    client = client_for(bob)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    (event,) = AuditEvent.objects.exclude(pk__in=before)
    assert (event.actor, event.patient) == (bob, full_record)
    assert (event.action, event.object_type) == (AuditAction.VIEW, object_type)
    assert AuditObject(object_type).label == label


def test_it_loads_only_a_lazy_record_panel(
    full_record: Patient, bob: User, carol: User, client_for: ClientFor
) -> None:
    """The alerts panel comes with the page; a home panel and an unknown one are no
    panels of the record; another organization's patient is not found."""
    for name in ("alerts", "checkins_home", "nothing"):
        url = reverse("patients:panel", args=[full_record.pk, name])
        assert client_for(bob).get(url).status_code == 404, name
    url = reverse("patients:panel", args=[full_record.pk, "notes"])
    assert client_for(carol).get(url).status_code == 404


def test_only_a_record_panel_with_a_title_can_be_lazy() -> None:
    with pytest.raises(ValueError, match="lazy"):
        register_panel("home_lazy", order=1, where={HOME}, template="x.html", lazy=True, title="X")
    with pytest.raises(ValueError, match="lazy"):
        register_panel("untitled", order=1, where={RECORD}, template="x.html", lazy=True)


def test_it_shows_a_panel_and_its_place_only_to_those_it_is_for(
    alice: Patient, bob: User, olivia: User, client_for: ClientFor
) -> None:
    """The messages panel is for those who may message patients: an organization admin
    sees neither its place on the record nor the panel itself."""
    url = reverse("patients:panel", args=[alice.pk, "messaging_record"])
    record = reverse("patients:detail", args=[alice.pk])

    assert url in client_for(bob).get(record).content.decode()
    assert client_for(bob).get(url).status_code == 200
    assert url not in client_for(olivia).get(record).content.decode()
    assert client_for(olivia).get(url).status_code == 404
