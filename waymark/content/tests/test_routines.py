"""Healthy routines: guides offered from a check-in when its sleep, stress or mood answers
call for them, linked from the plan's routines section; recovery stories are composites."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from waymark.accounts.models import User
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers as day_answers
from waymark.conftest import TODAY
from waymark.content.library import articles_for
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
ROUTINES = ("sleep-in-early-recovery", "eating-well", "mindfulness", "managing-stress")


def submit(patient: Patient, **answers: object) -> None:
    submit_checkin(patient, day_answers(TODAY, **answers), key=uuid.uuid4())


def _done(patient: Patient, client_for: ClientFor) -> str:
    return client_for(patient.user).get(f"/checkin/{TODAY.isoformat()}/").content.decode()


@pytest.mark.parametrize(
    ("answers", "offered", "not_offered"),
    [
        (
            {"sleep_hours": Decimal("4")},
            "/learn/sleep-in-early-recovery/",
            "/learn/managing-stress/",
        ),
        ({"sleep_quality": 1}, "/learn/sleep-in-early-recovery/", "/learn/mindfulness/"),
        ({"stress": 8}, "/learn/managing-stress/", "/learn/sleep-in-early-recovery/"),
        ({"mood": 1}, "/learn/movement-and-exercise/", "/learn/managing-stress/"),
    ],
)
def test_the_check_in_result_offers_the_guides_its_answers_call_for(
    alice: Patient,
    client_for: ClientFor,
    answers: dict[str, object],
    offered: str,
    not_offered: str,
) -> None:
    submit(alice, **answers)

    page = _done(alice, client_for)

    assert "Something that might help" in page
    section = page.split('id="routines-title"')[1].split("</section>")[0]
    assert offered in section and not_offered not in section


def test_a_calm_check_in_offers_no_guide(alice: Patient, client_for: ClientFor) -> None:
    submit(alice)  # 7.5 hours, good sleep, stress 2, mood good

    assert "Something that might help" not in _done(alice, client_for)


def test_the_plans_routines_section_links_to_the_guides(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    plan = client.get("/plan/").content.decode()
    assert "/learn/?q=routines" in plan

    library = client.get("/learn/?q=routines").content.decode()
    for slug in (*ROUTINES, "movement-and-exercise"):
        assert f"/learn/{slug}/" in library


def test_the_routine_guides_and_four_composite_stories_are_sourced_and_reviewed() -> None:
    articles = articles_for(None)
    for slug in (*ROUTINES, "movement-and-exercise"):
        assert articles[slug].sources and articles[slug].reviewed, slug
    stories = [a for a in articles.values() if "stories" in a.tags]
    assert len(stories) >= 4
    for story in stories:
        assert "composite" in story.body.lower(), f"{story.slug} is not marked as a composite"
        assert story.reviewed and story.reviewed <= dt.date(2026, 12, 31)
