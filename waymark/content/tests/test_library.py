"""The Learn library: articles as data files, search, sanitised HTML, the "for you"
rules, and an organization's own additions, replacements and hidden articles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.content.for_you import for_you
from waymark.content.library import render_markdown, shipped
from waymark.content.models import OrganizationArticle
from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.plans.tests.conftest import check_in

ClientFor = Callable[[User | None], Client]
LIBRARY = reverse("content:library")
REQUIRED_TOPICS = {
    "what-is-ketamine-addiction", "withdrawal", "bladder-and-stomach",
    "mixing-and-adulterated-supply", "levels-of-care", "peer-and-family-support",
    "depression-anxiety-urgent-help", "story-mia", "after-a-lapse",
}  # fmt: skip


def test_it_ships_every_article_with_its_front_matter_and_sources() -> None:
    articles = shipped()
    assert articles.keys() >= REQUIRED_TOPICS
    for article in articles.values():
        assert article.title and article.sources and article.reviewed, article.slug
        assert article.audience in {"patient", "family", "clinician"}
        assert " will " not in f" {article.body.lower()} ", article.slug  # no promises
    assert "fictional" in articles["story-mia"].title.lower()


def test_it_sanitises_rendered_markdown() -> None:
    html = render_markdown("**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_it_searches_titles_bodies_and_tags(alice: Patient, client_for: ClientFor) -> None:
    response = client_for(alice.user).get(LIBRARY, {"q": "K-cramps"})
    slugs = [article.slug for article in response.context["articles"]]
    assert set(slugs) == {"bladder-and-stomach", "talking-about-ketamine-use"}
    nothing = client_for(alice.user).get(LIBRARY, {"q": "zzzz"})
    assert "No articles match" in nothing.content.decode()


def test_it_shows_an_article_with_its_sources(bob: User, client_for: ClientFor) -> None:
    page = client_for(bob).get(reverse("content:article", args=["bladder-and-stomach"]))
    text = page.content.decode()
    assert "<h2>Bladder warning signs</h2>" in text
    assert "Ketamine-associated ulcerative cystitis" in text
    missing = client_for(bob).get(reverse("content:article", args=["no-such-thing"]))
    assert missing.status_code == 404


def rail(patient: Patient) -> dict[str, str]:
    return {s.article.slug: s.reason for s in for_you(patient)}


def test_it_suggests_detox_articles_to_a_patient_in_detox(alice: Patient, dana: Patient) -> None:
    assert {"withdrawal", "levels-of-care"} <= rail(dana).keys()
    assert rail(dana)["withdrawal"] == "You're in detox"
    assert rail(alice) == {}  # residential, no symptoms, no lapse


def test_it_suggests_the_bladder_article_after_a_urinary_symptom(alice: Patient) -> None:
    check_in(alice, 1, symptoms=("abdominal_pain",))
    assert "bladder-and-stomach" not in rail(alice)
    check_in(alice, 0, symptoms=("urgency",))
    assert "bladder-and-stomach" in rail(alice)


def test_it_forgets_a_urinary_symptom_after_14_days(alice: Patient, frozen: object) -> None:
    check_in(alice, 0, symptoms=("blood_in_urine",))
    import datetime as dt

    frozen.shift(dt.timedelta(days=15))  # type: ignore[attr-defined]
    assert "bladder-and-stomach" not in rail(alice)


def test_it_suggests_lapse_articles_after_a_lapse(alice: Patient, client_for: ClientFor) -> None:
    check_in(alice, 1, uses=(("ketamine", "a bump"),))
    assert {"after-a-lapse", "relapse-prevention-plan"} <= rail(alice).keys()
    page = client_for(alice.user).get(LIBRARY).content.decode()
    assert "For you" in page and "After a lapse" in page


def test_it_shows_no_for_you_rail_to_staff(bob: User, dana: Patient, client_for: ClientFor) -> None:
    assert client_for(bob).get(LIBRARY).context["suggestions"] == []


@pytest.mark.parametrize("hidden", [True, False])
def test_it_lets_an_organization_hide_or_replace_an_article(
    hidden: bool, northstar: Organization, alice: Patient, erin: Patient, client_for: ClientFor
) -> None:
    OrganizationArticle.objects.create(
        organization=northstar, slug="withdrawal", hidden=hidden, title="Our detox guide"
    )
    url = reverse("content:article", args=["withdrawal"])
    ours = client_for(alice.user).get(url)
    if hidden:
        assert ours.status_code == 404
        assert "withdrawal" not in [
            a.slug for a in client_for(alice.user).get(LIBRARY).context["articles"]
        ]
    else:
        assert "Our detox guide" in ours.content.decode()
        assert "commonly report" in ours.content.decode()  # the shipped body is kept
    theirs = client_for(erin.user).get(url).content.decode()
    assert "Ketamine withdrawal" in theirs  # another organization is not affected


def test_it_lets_an_org_admin_add_an_article_in_the_admin(
    northstar: Organization, olivia: User, alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(olivia).post(
        reverse("admin:content_organizationarticle_add"),
        {"slug": "our-groups", "title": "Our Tuesday group", "audience": "patient",
         "tags": "support", "sources": "Northstar Recovery", "body": "Room 4 <script>x</script>"},
    )  # fmt: skip
    assert response.status_code == 302
    assert OrganizationArticle.objects.get(slug="our-groups").organization == northstar
    page = client_for(alice.user).get(reverse("content:article", args=["our-groups"]))
    assert "Room 4" in page.content.decode() and "<script>x" not in page.content.decode()
