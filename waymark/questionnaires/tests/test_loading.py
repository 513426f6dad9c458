"""Definitions reach the database on migrate and through a command; an organization adds its
own (command or admin upload) and only it sees them; a version with responses never changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.questionnaires.models import Questionnaire
from waymark.questionnaires.services import available_questionnaires
from waymark.questionnaires.tests.helpers import (
    custom_definition,
    numbered,
    submitted,
    write_definition,
)

ClientFor = Callable[[User | None], Client]


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_questionnaires", *args, stdout=out)
    return out.getvalue()


def test_it_loads_waymarks_definitions_on_migrate(db: None) -> None:
    rows = Questionnaire.objects.filter(organization__isnull=True, is_current=True)
    assert sorted(rows.values_list("key", flat=True)) == [
        "audit-c",
        "audit-c-uk",
        "bam",
        "ciwa-ar",
        "gad-7",
        "phq-9",
        "sds-ketamine",
        "sds-ketamine-month",
        "who-5",
    ]
    phq9 = rows.get(key="phq-9")
    assert (phq9.short_title, phq9.version) == ("PHQ-9", "2")
    assert phq9.definition["copyright"].endswith("© Pfizer Inc.")


def test_it_changes_nothing_when_loaded_again(db: None) -> None:
    before = list(Questionnaire.objects.values_list("pk", "checksum", "loaded_at"))
    output = load()
    assert "phq-9 v2 (Waymark): unchanged" in output
    assert list(Questionnaire.objects.values_list("pk", "checksum", "loaded_at")) == before


def test_it_loads_an_organizations_own_definition_for_it_alone(
    northstar: Organization, harbour: Organization, tmp_path: Path
) -> None:
    path = write_definition(tmp_path, custom_definition())
    assert "northstar-craving v1 (northstar): created" in load(
        str(path), "--organization", "northstar"
    )
    own = Questionnaire.objects.get(key="northstar-craving")
    assert own.organization == northstar
    assert "northstar-craving" in {q.key for q in available_questionnaires(northstar.pk)}
    assert "northstar-craving" not in {q.key for q in available_questionnaires(harbour.pk)}


def test_it_lets_a_patient_answer_an_organizations_own_questionnaire(
    frozen: object, alice: Patient, tmp_path: Path
) -> None:
    load(str(write_definition(tmp_path, custom_definition())), "--organization", "northstar")
    response = submitted(alice, "northstar-craving", numbered([2, 2, 3]))
    assert response.primary_score == 4  # item 3 reversed: Always resisting counts 0
    assert response.primary_band == "high"


def test_it_refuses_an_organization_taking_the_id_of_a_waymark_questionnaire(
    northstar: Organization, tmp_path: Path
) -> None:
    path = write_definition(tmp_path, custom_definition(key="phq-9"))
    with pytest.raises(CommandError, match="'phq-9' is one of Waymark's own questionnaires"):
        load(str(path), "--organization", "northstar")


def test_it_lists_every_problem_and_loads_nothing_from_a_bad_batch(
    northstar: Organization, tmp_path: Path
) -> None:
    good = write_definition(tmp_path, custom_definition(key="a-good-one"), "a.json")
    broken = custom_definition(key="b-broken")
    broken["waymark"]["forms"][0]["scales"][0]["items"] = ["1", "2", "9"]
    bad = write_definition(tmp_path, broken, "b.json")
    with pytest.raises(CommandError) as caught:
        load(str(good), str(bad), "--organization", "northstar")
    assert "b.json was not loaded" in str(caught.value)
    assert "unknown question 9" in str(caught.value)
    assert not Questionnaire.objects.filter(organization=northstar).exists()


def test_it_explains_a_file_that_is_not_json(db: None, tmp_path: Path) -> None:
    path = tmp_path / "oops.json"
    path.write_text('{"resourceType": "Questionnaire",')
    with pytest.raises(CommandError, match=r"not valid JSON: .* line 1"):
        load(str(path))


def test_it_makes_a_new_version_current_and_keeps_old_responses_on_theirs(
    frozen: object, alice: Patient, tmp_path: Path
) -> None:
    load(str(write_definition(tmp_path, custom_definition())), "--organization", "northstar")
    first = submitted(alice, "northstar-craving", numbered([1, 1, 1]))
    changed = custom_definition()
    changed["title"] = "Northstar craving check (revised)"
    path = write_definition(tmp_path, changed, "v1-changed.json")
    with pytest.raises(CommandError, match="already has responses and cannot change"):
        load(str(path), "--organization", "northstar")
    changed["version"] = "2"
    load(str(write_definition(tmp_path, changed, "v2.json")), "--organization", "northstar")
    current = Questionnaire.objects.get(key="northstar-craving", is_current=True)
    assert current.version == "2"
    first.refresh_from_db()
    assert first.questionnaire.version == "1"
    listed = {q.key: q.version for q in available_questionnaires(alice.organization_id)}
    assert listed["northstar-craving"] == "2"


def test_it_lets_an_admin_upload_a_definition_for_their_organization(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    upload = SimpleUploadedFile("craving.json", json.dumps(custom_definition()).encode())
    response = client_for(olivia).post(
        reverse("admin:questionnaires_questionnaire_add"), {"definition_file": upload}
    )
    assert response.status_code == 302
    assert Questionnaire.objects.get(key="northstar-craving").organization == northstar
    listing = client_for(olivia).get(reverse("admin:questionnaires_questionnaire_changelist"))
    assert "Craving" in listing.content.decode() and "PHQ-9" in listing.content.decode()


def test_it_shows_an_admin_what_is_wrong_with_an_upload(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    broken = custom_definition()
    broken["waymark"]["forms"][0]["scales"][0]["max"] = 12
    upload = SimpleUploadedFile("craving.json", json.dumps(broken).encode())
    response = client_for(olivia).post(
        reverse("admin:questionnaires_questionnaire_add"), {"definition_file": upload}
    )
    assert response.status_code == 200
    assert "declared range 0-12, reachable 0-9" in response.content.decode()
    assert not Questionnaire.objects.filter(organization=northstar).exists()


def test_it_lets_an_admin_schedule_a_questionnaire_for_a_program(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    from waymark.organizations.models import Program
    from waymark.questionnaires.models import Schedule

    program = Program.objects.filter(organization=northstar, level="residential").get()
    response = client_for(olivia).post(
        reverse("admin:questionnaires_schedule_add"),
        {
            "program": program.pk,
            "questionnaire_key": "bam",
            "anchor": "admission",
            "offset_days": "30",
            "repeat_every_days": "30",
            "grace_days": "3",
            "window_days": "14",
            "scoring_form": "likert",
            "active_from": "2026-11-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    schedule = Schedule.objects.get()
    assert (schedule.organization, schedule.describe()) == (northstar, "every 30 days")
    bad = client_for(olivia).post(
        reverse("admin:questionnaires_schedule_add"),
        {
            "program": program.pk,
            "questionnaire_key": "bam",
            "anchor": "admission",
            "offset_days": "0",
            "grace_days": "3",
            "window_days": "14",
            "scoring_form": "weekly",
            "active_from": "2026-11-01",
        },
    )
    assert bad.status_code == 200
    assert "likert, day_count" in bad.content.decode()
    daily = client_for(olivia).post(
        reverse("admin:questionnaires_schedule_add"),
        {"program": program.pk, "questionnaire_key": "who-5", "anchor": "admission",
         "offset_days": "0", "repeat_every_days": "1", "grace_days": "3", "window_days": "14",
         "active_from": "2026-11-01"},
    )  # fmt: skip
    assert daily.status_code == 200
    assert "A new one is due every day" in daily.content.decode()
    assert Schedule.objects.count() == 1  # the first one only
