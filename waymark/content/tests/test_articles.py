"""Each shipped article, one by one: it renders, its links go somewhere, it is listed
for the people it is written for, and the family and healthy-routines sets are whole
(issue 14 point 7: Learn for families; issue 15: guides on healthy routines)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import resolve, reverse

from waymark.accounts.models import User
from waymark.content.library import shipped
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
FAMILY_TOPICS = {
    "craft-for-families", "looking-after-yourself-as-a-supporter", "family-groups",
    "talking-about-ketamine-use",
}  # fmt: skip
ROUTINE_TOPICS = {
    "sleep-in-early-recovery", "eating-well", "mindfulness", "movement-and-exercise",
}  # fmt: skip
LINK = re.compile(r"\]\((/[^)\s]*)\)")


@pytest.mark.parametrize("slug", sorted(shipped()))
def test_it_renders_the_article_as_sanitised_html(slug: str) -> None:
    article = shipped()[slug]
    html = article.html
    assert "<p>" in html and "<script" not in html
    assert not re.search(r"^\s*(title|audience|sources):", article.body, re.M), slug


def test_it_links_only_to_pages_its_readers_can_open(
    alice: Patient, sam: User, bob: User, client_for: ClientFor
) -> None:
    """A patient article's links open for a patient; a family article's for a supporter
    (who would get a 403 from the patient's own pages, such as Coping tools); an evidence
    note's for a clinician."""
    reader = {
        "patient": client_for(alice.user),
        "family": client_for(sam),
        "clinician": client_for(bob),
    }
    for article in shipped().values():
        for path in LINK.findall(article.body):
            resolve(path)  # raises Resolver404 for a path that is not a Waymark page
            response = reader[article.audience].get(path)
            assert response.status_code == 200, (article.slug, path, response.status_code)


def test_it_ships_the_family_articles_for_supporters(sam: User, client_for: ClientFor) -> None:
    articles = shipped()
    for slug in FAMILY_TOPICS:
        assert articles[slug].audience == "family", slug
        assert len(articles[slug].sources) >= 2, slug
    listed = client_for(sam).get(reverse("content:library"))
    assert {article.slug for article in listed.context["articles"]} >= FAMILY_TOPICS
    assert "for family and friends" in listed.content.decode()
    page = client_for(sam).get(reverse("content:article", args=["craft-for-families"]))
    assert "Community Reinforcement and Family Training" in page.content.decode()
    assert "Roozen HG" in page.content.decode()  # the sources are shown with the article


def test_it_tells_supporters_what_to_do_in_a_crisis() -> None:
    body = shipped()["looking-after-yourself-as-a-supporter"].body
    for line in ("911", "999", "988", "116 123", "85258", "naloxone"):
        assert line in body, line


def test_it_tells_families_when_a_lapse_or_a_symptom_needs_help_quickly() -> None:
    body = shipped()["talking-about-ketamine-use"].body
    for words in ("blood in the urine", "cannot pass urine", "988", "116 123", "911"):
        assert words in body, words
    assert "shame" in body  # after a lapse: no blame


def test_it_keeps_family_articles_off_the_patients_for_you_rail() -> None:
    """The rail (for_you.py) picks by tag, whatever the audience: a supporter's guide to
    talking after a lapse is not what a patient who has just lapsed needs to read."""
    rail_tags = {"detox", "bladder", "lapse"}
    for slug in FAMILY_TOPICS:
        assert not rail_tags & set(shipped()[slug].tags), slug


def test_it_sends_bladder_symptoms_to_a_doctor_not_to_the_kitchen() -> None:
    body = shipped()["eating-well"].body
    assert "needs a medical review soon" in body
    assert "Caffeine and alcohol can irritate the bladder" in body
    assert "cannot pass urine" in body


def test_it_ships_the_healthy_routines_guides_for_patients() -> None:
    articles = shipped()
    for slug in ROUTINE_TOPICS:
        assert articles[slug].audience == "patient", slug
        assert "routines" in articles[slug].tags, slug
        assert len(articles[slug].sources) >= 2, slug
        assert "/coping/" in articles[slug].body, slug  # leads on to the coping tools
