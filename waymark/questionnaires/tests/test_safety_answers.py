"""A safety answer (PHQ-9 question 9 above 'not at all') is acted on when its page is saved:
crisis help on the next page, the care team told at once and only once for that answer,
and a result page that never reassures under it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertOccurrence, Severity
from waymark.notifications.models import Notification
from waymark.patients.models import Patient
from waymark.questionnaires.models import Draft, QuestionnaireResponse
from waymark.questionnaires.presenting import SAFETY_ANSWER_TEXT
from waymark.questionnaires.services import (
    current_questionnaire,
    save_page,
    start_correction,
    submit_response,
)
from waymark.questionnaires.tests.helpers import FILL, REVIEW, phq9, submitted

ClientFor = Callable[[User | None], Client]
CRISIS = 'class="card crisis"'
PAGES = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["10"]]


def page(number: int, answers: dict[str, int]) -> dict[str, str]:
    return {f"a-{i}": str(answers[i]) for i in PAGES[number - 1] if i in answers}


def told(bob: User) -> int:
    """How many times the care team (Bob) was told of a PHQ-9 question 9 answer."""
    return Notification.objects.filter(recipient=bob, title__contains="PHQ-9 question 9").count()


@pytest.fixture
def client(phq9_due: Patient, client_for: ClientFor) -> Client:
    return client_for(phq9_due.user)


def test_it_alerts_and_shows_crisis_help_as_soon_as_the_page_is_saved(
    phq9_due: Patient, bob: User, client: Client
) -> None:
    answers = phq9(item9=2)
    for number in (1, 2):
        client.post(f"{FILL}?page={number}", page(number, answers))
    assert not Alert.objects.exists()
    assert CRISIS not in client.get(f"{FILL}?page=3").content.decode()

    saved = client.post(f"{FILL}?page=3", page(3, answers))
    next_page = client.get(saved["Location"]).content.decode()

    assert saved["Location"] == f"{FILL}?page=4"
    crisis = next_page.split(CRISIS)[1].split("</section>")[0]
    assert "You don't have to face this alone" in crisis and 'href="tel:988"' in crisis
    assert "We have let your care team know" in crisis
    alert = Alert.objects.get(patient=phq9_due)
    assert (alert.rule_id, alert.severity) == ("phq9.item9", Severity.URGENT)
    assert "'More than half the days'" in alert.reason
    assert (alert.evidence_type, alert.evidence_id) == (
        "questionnaire_draft",
        str(Draft.objects.get().pk),
    )
    assert alert.evidence_url() == reverse("patients:timeline", args=[phq9_due.pk])
    assert told(bob) == 1
    assert not QuestionnaireResponse.objects.exists()  # never finished: still told


def test_it_tells_the_care_team_once_for_one_answer(
    phq9_due: Patient, bob: User, client: Client
) -> None:
    answers = phq9(item9=1)
    for number in (1, 2, 3, 3, 4):  # page 3 saved twice, then on to the end
        client.post(f"{FILL}?page={number}", page(number, answers))
    assert CRISIS in client.get(REVIEW).content.decode()

    result = client.get(client.post(REVIEW)["Location"]).content.decode()

    response = QuestionnaireResponse.objects.get()
    assert response.safety_occurrence.startswith("questionnaire_draft:")
    assert CRISIS in result
    assert told(bob) == 1
    assert AlertOccurrence.objects.filter(patient=phq9_due, notified=True).count() == 1
    assert Alert.objects.get(patient=phq9_due).occurrences == 1


def test_it_tells_again_when_the_answer_changes(
    phq9_due: Patient, bob: User, client: Client
) -> None:
    client.post(f"{FILL}?page=3", {"a-7": "1", "a-8": "1", "a-9": "0"})
    assert told(bob) == 0

    client.post(f"{FILL}?page=3", {"a-7": "1", "a-8": "1", "a-9": "1"})
    client.post(f"{FILL}?page=3", {"a-7": "1", "a-8": "1", "a-9": "3"})

    assert told(bob) == 2
    assert "'Nearly every day'" in Alert.objects.get(patient=phq9_due).reason


def test_it_treats_the_next_questionnaire_as_a_new_answer(phq9_due: Patient, bob: User) -> None:
    questionnaire = current_questionnaire(phq9_due.organization_id, "phq-9")
    answers = phq9(item9=2)
    save_page(phq9_due, questionnaire, PAGES[2], answers)
    submit_response(phq9_due, "phq-9", answers, by=phq9_due.user)
    assert told(bob) == 1

    save_page(phq9_due, questionnaire, PAGES[2], answers)  # the next PHQ-9, a new draft

    assert told(bob) == 2


def test_it_tells_again_for_a_correction_that_keeps_the_answer(
    phq9_due: Patient, bob: User
) -> None:
    original = submitted(phq9_due, "phq-9", phq9(item9=2))
    questionnaire = current_questionnaire(phq9_due.organization_id, "phq-9")
    draft = start_correction(phq9_due, original)

    save_page(phq9_due, questionnaire, PAGES[0], draft.answers)  # no safety question here
    assert told(bob) == 1
    save_page(phq9_due, questionnaire, PAGES[2], draft.answers)
    submit_response(phq9_due, "phq-9", draft.answers, by=phq9_due.user, corrects=original)

    assert told(bob) == 2  # a corrected response is a new answer, told once


def test_it_shares_the_drafts_occurrence_with_a_response_sent_through_the_api(
    phq9_due: Patient, bob: User, client: Client
) -> None:
    answers = phq9(item9=1)
    client.post(f"{FILL}?page=3", page(3, answers))

    sent = client.post(
        "/api/v1/me/questionnaires/phq-9/responses",
        json.dumps({"answers": answers}),
        content_type="application/json",
    )

    assert sent.status_code == 201 and sent.json()["crisis_help"]["emergency_number"] == "911"
    assert told(bob) == 1
    assert not Draft.objects.exists()


def test_it_never_reassures_under_a_positive_question_9(phq9_due: Patient, client: Client) -> None:
    response = submitted(phq9_due, "phq-9", phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]))  # total 1
    assert response.primary_band == "minimal"

    html = client.get(reverse("questionnaires:result", args=[response.pk])).content.decode()

    assert "few or no signs of depression" not in html and "keep it going" not in html
    assert SAFETY_ANSWER_TEXT in html
    assert "Your care team has been told" in html
    assert html.index(CRISIS) < html.index("PHQ-9 total")


def test_it_keeps_the_band_words_without_a_safety_answer(phq9_due: Patient, client: Client) -> None:
    response = submitted(phq9_due, "phq-9", phq9([0, 0, 0, 0, 0, 0, 0, 1, 0]))

    html = client.get(reverse("questionnaires:result", args=[response.pk])).content.decode()

    assert "few or no signs of depression" in html and SAFETY_ANSWER_TEXT not in html
    assert CRISIS not in html
