"""The evidence library for clinicians (issue 16 point 8): sourced, dated notes with what
they mean for practice and their limits, read with READ_EVIDENCE (clinicians and
organization admins) and never reaching a patient or a supporter unless their
organization republishes a note for them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.access import Capability, roles_with
from waymark.accounts.models import User
from waymark.content.for_you import for_you
from waymark.content.library import ARTICLES, EVIDENCE, shipped
from waymark.content.models import OrganizationArticle
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
LIBRARY = reverse("content:library")
EVIDENCE_LIBRARY = reverse("content:evidence")
NOTES = sorted(path.stem for path in EVIDENCE.glob("*.md"))
REQUIRED_NOTES = {
    "ketamine-glutamate-and-gaba", "ketamine-stress-and-noradrenaline",
    "ketamine-glia-myelin-microglia", "ketamine-gut-microbiota", "ketamine-brain-oscillations",
    "ketamine-in-depression", "ketamine-and-parkinsons-disease",
    "why-conditions-travel-with-substance-use", "stimulants-alcohol-and-the-heart",
    "adhd-treatment-cognition-and-sud-risk", "digital-recovery-support-a-chess-and-reset",
    "contingency-management", "cognitive-behavioural-therapy", "mutual-help-groups",
    "ketamine-uropathy",
}  # fmt: skip
# A word from each note that a clinician might search for → the note it finds.
SEARCHES = {
    "hydronephrosis": "ketamine-uropathy", "cocaethylene": "stimulants-alcohol-and-the-heart",
    "circDYM": "ketamine-glia-myelin-microglia", "Takotsubo": "stimulants-alcohol-and-the-heart",
    "A-CHESS": "digital-recovery-support-a-chess-and-reset",
    "dyskinesia": "ketamine-and-parkinsons-disease",
    "self-medication": "why-conditions-travel-with-substance-use",
}  # fmt: skip


def note_url(slug: str) -> str:
    return reverse("content:article", args=[slug])


def slugs(response: object, key: str = "articles") -> list[str]:
    return [article.slug for article in response.context[key]]  # type: ignore[attr-defined]


def test_it_ships_the_notes_the_issue_asks_for() -> None:
    assert set(NOTES) >= REQUIRED_NOTES
    assert {path.stem for path in ARTICLES.glob("*.md")}.isdisjoint(NOTES)
    assert "evidence" not in shipped()  # /learn/evidence/ is the library, never an article


@pytest.mark.parametrize("slug", NOTES)
def test_it_sources_dates_and_qualifies_every_evidence_note(slug: str) -> None:
    note = shipped()[slug]
    assert note.audience == "clinician"
    assert note.sources and all(len(source) > 30 for source in note.sources)
    assert note.reviewed is not None
    body = note.body
    assert body.startswith("**Kind of evidence:**"), "say what is animal and what is human"
    assert "\n## What it means for practice\n" in body
    assert "\n## Limits of the evidence\n" in body
    assert body.index("## What it means for practice") < body.index("## Limits of the evidence")
    assert " will " not in f" {body.lower()} "  # no promises


def test_it_keeps_every_other_article_out_of_the_evidence_folder() -> None:
    for article in shipped().values():
        in_evidence = (EVIDENCE / f"{article.slug}.md").exists()
        assert in_evidence == (article.audience == "clinician"), article.slug


def test_it_gives_a_patient_a_404_on_every_evidence_note(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    for slug in NOTES:
        assert client.get(note_url(slug)).status_code == 404, slug
    assert client.get(EVIDENCE_LIBRARY).status_code == 403


def test_it_never_lists_or_finds_an_evidence_note_for_a_patient(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    listed = client.get(LIBRARY)
    assert set(slugs(listed)).isdisjoint(NOTES)
    assert "evidence library" not in listed.content.decode()
    for word in (*SEARCHES, "evidence"):
        found = client.get(LIBRARY, {"q": word})
        assert set(slugs(found)).isdisjoint(NOTES), word
    assert slugs(client.get(LIBRARY, {"q": "hydronephrosis"})) == []


def test_it_keeps_evidence_notes_from_a_supporter(sam: User, client_for: ClientFor) -> None:
    client = client_for(sam)
    assert set(slugs(client.get(LIBRARY, {"q": "evidence"}))).isdisjoint(NOTES)
    assert client.get(note_url("ketamine-uropathy")).status_code == 404


def test_it_leads_with_family_articles_for_a_supporter(
    sam: User, alice: Patient, client_for: ClientFor
) -> None:
    listed = slugs(client_for(sam).get(LIBRARY))
    audiences = [shipped()[slug].audience for slug in listed]
    assert audiences[0] == "family" and "patient" in audiences
    assert audiences == sorted(audiences, key=["family", "patient"].index)
    page = client_for(sam).get(LIBRARY).content.decode()
    assert page.index("· for family and friends") < page.index("· for people in recovery")
    # a patient's library leads with the articles for people in recovery
    theirs = [shipped()[slug].audience for slug in slugs(client_for(alice.user).get(LIBRARY))]
    assert theirs == sorted(theirs, key=["patient", "family"].index)


def test_it_lets_a_clinician_search_the_evidence_library(bob: User, client_for: ClientFor) -> None:
    client = client_for(bob)
    assert set(slugs(client.get(EVIDENCE_LIBRARY), "notes")) == set(NOTES)
    for word, slug in SEARCHES.items():
        found = client.get(EVIDENCE_LIBRARY, {"q": word})
        assert slug in slugs(found, "notes"), word
        assert {shipped()[each].audience for each in slugs(found, "notes")} == {"clinician"}
    nothing = client.get(EVIDENCE_LIBRARY, {"q": "zzzz"})
    assert "No notes match" in nothing.content.decode()
    page = client.get(note_url("ketamine-uropathy")).content.decode()
    assert "Limits of the evidence" in page and "Chu PS" in page  # sources shown
    assert "Reviewed 3 December 2026" in page
    assert "evidence library" in client.get(LIBRARY).content.decode()  # a way in from Learn


def test_it_gives_the_evidence_library_to_staff_only() -> None:
    assert roles_with(Capability.READ_EVIDENCE) == [Role.CLINICIAN, Role.ADMIN]


def test_it_opens_the_evidence_library_to_an_org_admin(olivia: User, client_for: ClientFor) -> None:
    assert client_for(olivia).get(note_url("ketamine-uropathy")).status_code == 200
    assert client_for(olivia).get(EVIDENCE_LIBRARY).status_code == 200


def test_it_lets_an_organization_publish_a_note_to_its_patients(
    northstar: Organization, alice: Patient, erin: Patient, client_for: ClientFor
) -> None:
    OrganizationArticle.objects.create(
        organization=northstar, slug="ketamine-uropathy", audience="patient"
    )
    page = client_for(alice.user).get(note_url("ketamine-uropathy"))
    assert page.status_code == 200 and "Chu PS" in page.content.decode()
    assert "ketamine-uropathy" in slugs(client_for(alice.user).get(LIBRARY))
    assert client_for(erin.user).get(note_url("ketamine-uropathy")).status_code == 404


def test_it_keeps_a_retitled_note_for_clinicians_unless_the_row_chooses_readers(
    northstar: Organization, alice: Patient, bob: User, client_for: ClientFor
) -> None:
    OrganizationArticle.objects.create(
        organization=northstar, slug="ketamine-uropathy", title="Bladder: our summary"
    )
    assert client_for(alice.user).get(note_url("ketamine-uropathy")).status_code == 404
    assert "ketamine-uropathy" not in slugs(client_for(alice.user).get(LIBRARY))
    page = client_for(bob).get(note_url("ketamine-uropathy")).content.decode()
    assert "Bladder: our summary" in page


def test_it_gives_an_organizations_own_article_without_readers_to_patients(
    northstar: Organization, alice: Patient, client_for: ClientFor
) -> None:
    OrganizationArticle.objects.create(
        organization=northstar, slug="our-groups", title="Our groups", body="Tuesdays at 6."
    )
    assert client_for(alice.user).get(note_url("our-groups")).status_code == 200


def test_it_never_suggests_a_clinicians_note_on_the_for_you_rail(
    northstar: Organization, dana: Patient
) -> None:
    OrganizationArticle.objects.create(
        organization=northstar, slug="our-detox-protocol", title="Detox protocol",
        audience="clinician", tags="detox", sources="Northstar", body="For staff.",
    )  # fmt: skip
    rail = {suggestion.article.slug for suggestion in for_you(dana)}
    assert "withdrawal" in rail and "our-detox-protocol" not in rail
