"""Filling in on a phone, without JavaScript: labelled radios in fieldsets, one page at a time,
answers kept on reload, a progress indicator; then the result in plain words and the trend."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.patients.models import Patient
from waymark.questionnaires.models import Draft, QuestionnaireResponse
from waymark.questionnaires.tests.helpers import (
    FILL,
    PUBLISHED_PHQ9,
    REVIEW,
    numbered,
    phq9,
    recorded,
    submitted,
)

ClientFor = Callable[[User | None], Client]


def page_data(answers: dict[str, int], link_ids: list[str]) -> dict[str, str]:
    return {f"a-{link_id}": str(answers[link_id]) for link_id in link_ids if link_id in answers}


def fill_in(client: Client, answers: dict[str, int]) -> None:
    pages = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["10"]]
    for number, page in enumerate(pages, start=1):
        response = client.post(f"{FILL}?page={number}", page_data(answers, page))
        assert response.status_code == 302, response.content.decode()[:2000]


def test_it_lists_what_is_due_with_a_way_to_start(phq9_due: Patient, client_for: ClientFor) -> None:
    page = client_for(phq9_due.user).get(reverse("questionnaires:my_list")).content.decode()
    assert "PHQ-9" in page and "Due now" in page
    assert f'href="{FILL}"' in page
    assert "Residential treatment: " in page


def test_it_shows_each_question_as_a_fieldset_of_labelled_radios(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    response = client_for(phq9_due.user).get(FILL)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<fieldset") == 3
    assert "<legend" in page and "Little interest or pleasure in doing things" in page
    assert "Over the last 2 weeks, how often have you been bothered" in page
    radios = re.findall(r'<input type="radio" name="a-1" value="(\d)" id="([^"]+)"', page)
    assert [value for value, _ in radios] == ["0", "1", "2", "3"]
    for _, element_id in radios:
        assert f'<label class="q-option" for="{element_id}">' in page
    assert 'tabindex="-1"' not in page.split("<form")[1]  # every control reachable by keyboard
    assert "Page 1 of 4" in page and '<progress max="5" value="1"' in page
    assert "0 of 10 questions answered" in page
    assert "© Pfizer Inc." in page


def test_it_names_a_missing_answer_and_saves_nothing_from_that_page(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    response = client_for(phq9_due.user).post(f"{FILL}?page=1", {"a-1": "1", "a-3": "0"})
    page = response.content.decode()
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    assert "Question 2 (Feeling down, depressed, or hopeless) needs an answer." in page
    assert 'role="alert"' in page
    assert not Draft.objects.exists()


def test_it_refuses_an_answer_outside_the_options(phq9_due: Patient, client_for: ClientFor) -> None:
    response = client_for(phq9_due.user).post(
        f"{FILL}?page=1", {"a-1": "1", "a-2": "7", "a-3": "0"}
    )
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    assert "Choose one of the answers to question 2." in response.content.decode()
    assert not Draft.objects.exists()


def test_it_keeps_answers_when_the_page_is_reloaded(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    client = client_for(phq9_due.user)
    response = client.post(f"{FILL}?page=1", {"a-1": "2", "a-2": "1", "a-3": "0"})
    assert response["Location"] == f"{FILL}?page=2"
    page = client.get(f"{FILL}?page=1").content.decode()
    assert re.search(r'name="a-1" value="2" id="[^"]+" checked', page)
    assert re.search(r'name="a-2" value="1" id="[^"]+" checked', page)
    assert "3 of 10 questions answered" in client.get(f"{FILL}?page=2").content.decode()
    listing = client.get(reverse("questionnaires:my_list")).content.decode()
    assert "Continue" in listing


def test_it_goes_page_by_page_to_a_review_and_a_result(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    client = client_for(phq9_due.user)
    fill_in(client, numbered(PUBLISHED_PHQ9))
    review = client.get(REVIEW).content.decode()
    assert "Check your answers" in review and "Nearly every day" not in review
    assert review.count("Change</a>") == 10 and "Not answered" in review  # question 10 skipped
    sent = client.post(REVIEW)
    stored = QuestionnaireResponse.objects.get()
    assert sent["Location"] == reverse("questionnaires:result", args=[stored.pk])
    assert stored.primary_score == 12 and not Draft.objects.exists()
    result = client.get(sent["Location"]).content.decode()
    assert "PHQ-9 total: 12" in result and "Moderate" in result
    assert "You do not have to handle this on your own" in result
    assert "This is your first result" in result
    assert "not a diagnosis" in result
    assert 'class="card crisis"' not in result


def test_it_shows_crisis_help_at_once_after_a_safety_answer(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    client = client_for(phq9_due.user)
    fill_in(client, phq9(item9=1))
    result = client.get(client.post(REVIEW)["Location"]).content.decode()
    crisis = result.split('class="card crisis"')[1].split("</section>")[0]
    assert "You don't have to face this alone" in crisis
    assert 'href="tel:911"' in crisis
    assert "988 Suicide &amp; Crisis Lifeline" in crisis and 'href="tel:988"' in crisis
    assert "We have let your care team know" in crisis and "bob@example.org" in crisis
    assert reverse("help") in crisis
    assert result.index("crisis") < result.index("PHQ-9 total")  # first thing on the page
    assert Alert.objects.get(patient=phq9_due).rule_id == "phq9.item9"


def test_it_does_not_show_crisis_help_without_a_safety_answer(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    response = submitted(phq9_due, "phq-9", phq9())
    page = client_for(phq9_due.user).get(reverse("questionnaires:result", args=[response.pk]))
    assert 'class="card crisis"' not in page.content.decode()


def test_it_explains_the_trend_since_last_time(phq9_due: Patient, client_for: ClientFor) -> None:
    recorded(phq9_due, "phq-9", numbered([3, 3, 3, 3, 2, 2, 2, 0, 0]), days_ago=14)  # 18
    latest = submitted(phq9_due, "phq-9", numbered(PUBLISHED_PHQ9))  # 12
    page = client_for(phq9_due.user).get(reverse("questionnaires:result", args=[latest.pk]))
    html = page.content.decode()
    assert (
        "Your score is 6 points lower than on 13 November (lower means fewer difficulties)." in html
    )
    assert '"markers": ["reliable_improvement"]' in html  # 18 -> 12: a reliable change


def test_it_lets_the_patient_correct_a_mistake(phq9_due: Patient, client_for: ClientFor) -> None:
    client = client_for(phq9_due.user)
    original = submitted(phq9_due, "phq-9", phq9(item9=3))
    result = client.get(reverse("questionnaires:result", args=[original.pk])).content.decode()
    assert "Correct my answers" in result
    started = client.post(reverse("questionnaires:correct", args=[original.pk]))
    assert started["Location"] == FILL
    page = client.get(FILL).content.decode()
    assert "You are correcting an earlier answer" in page
    client.post(f"{FILL}?page=3", {"a-7": "1", "a-8": "1", "a-9": "0"})
    sent = client.post(REVIEW)
    correction = QuestionnaireResponse.objects.get(corrects=original)
    assert sent["Location"] == reverse("questionnaires:result", args=[correction.pk])
    assert correction.answers["9"] == 0 and correction.answers["1"] == 1
    assert QuestionnaireResponse.objects.get(pk=original.pk).answers["9"] == 3  # kept as sent


def test_it_shows_the_patient_their_trend_as_a_chart_and_a_table(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    submitted(phq9_due, "phq-9", phq9())
    page = client_for(phq9_due.user).get(reverse("questionnaires:history", args=["phq-9"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-trajectory" in html and "chart.umd.min.js" in html and "trajectory.js" in html
    assert '<script id="q-chart-phq-9-1" type="application/json">' in html
    assert "<noscript><table" in html  # the values without JavaScript
    assert "Show as a table" in html


def test_it_sends_a_patient_back_to_their_list_when_nothing_is_due(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get(FILL)
    assert response.status_code == 302 and response["Location"] == reverse("questionnaires:my_list")


def test_it_keeps_each_patients_results_to_themselves(
    phq9_due: Patient, dana: Patient, client_for: ClientFor
) -> None:
    response = submitted(phq9_due, "phq-9", phq9())
    url = reverse("questionnaires:result", args=[response.pk])
    assert client_for(dana.user).get(url).status_code == 404
    assert (
        client_for(dana.user)
        .post(reverse("questionnaires:correct", args=[response.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(dana.user).get(reverse("questionnaires:history", args=["phq-9"])).status_code
        == 404
    )


def test_it_shows_the_to_do_list_and_latest_results_on_the_patient_home(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    page = client_for(phq9_due.user).get(reverse("patients:me")).content.decode()
    assert "Questionnaires" in page and "Due now" in page and f'href="{FILL}"' in page
    submitted(phq9_due, "phq-9", numbered(PUBLISHED_PHQ9))
    page = client_for(phq9_due.user).get(reverse("patients:me")).content.decode()
    assert "PHQ-9 12 (moderate)" in page
    assert "Nothing to fill in right now" in page


def test_it_lets_a_patient_clear_a_draft(phq9_due: Patient, client_for: ClientFor) -> None:
    client = client_for(phq9_due.user)
    client.post(f"{FILL}?page=1", {"a-1": "2", "a-2": "1", "a-3": "0"})
    response = client.post(reverse("questionnaires:discard", args=["phq-9"]))
    assert response.status_code == 302 and not Draft.objects.exists()


def test_it_asks_bam_day_counts_as_numbers_and_skips_7a_7g_without_drug_use(
    frozen: object, alice: Patient, client_for: ClientFor
) -> None:
    from waymark.questionnaires.tests.helpers import make_due

    make_due(alice, "bam")
    client = client_for(alice.user)
    fill = reverse("questionnaires:fill", args=["bam"])
    first = client.get(fill).content.decode()
    assert 'type="number" name="a-2"' in first and 'inputmode="numeric"' in first
    assert "Page 1 of 6" in first  # 7A-7G appear only once drug use is reported
    too_many = client.post(f"{fill}?page=1", {"a-1": "2", "a-2": "31", "a-3": "4"})
    assert too_many.status_code == 422  # an invalid form answers 422 everywhere
    assert "give a number from 0 to 30." in too_many.content.decode()
    assert client.post(f"{fill}?page=1", {"a-1": "2", "a-2": "3", "a-3": "4"}).status_code == 302
    response = client.post(f"{fill}?page=2", {"a-4": "0", "a-5": "0", "a-6": "0"})
    assert response["Location"] == f"{fill}?page=3"
    third = client.get(f"{fill}?page=3").content.decode()
    assert "Page 3 of 6" in third  # 7A-7G do not apply: no drug use reported
    assert "How confident are you in your ability" in third
    with_use = client.post(f"{fill}?page=2", {"a-4": "0", "a-5": "0", "a-6": "2"})
    assert with_use["Location"] == f"{fill}?page=3"
    assert "7A." in client.get(f"{fill}?page=3").content.decode()
