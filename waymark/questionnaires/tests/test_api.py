"""The questionnaire API: definitions, the patient's list, submitting (201 or a 422 naming
each bad answer), crisis help in the answer, and clinicians' audited reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.audit.models import AuditEvent
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.tests.helpers import PUBLISHED_PHQ9, numbered, phq9, submitted

ClientFor = Callable[[User | None], Client]
SUBMIT = "/api/v1/me/questionnaires/phq-9/responses"


def post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_it_lists_the_questionnaires_of_the_organization(
    alice: Patient, sam: User, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get("/api/v1/questionnaires")
    found = {q["key"]: q for q in response.json()}
    assert set(found) == {"phq-9", "gad-7", "audit-c", "who-5", "sds-ketamine", "bam"}
    assert found["bam"]["scoring_forms"] == ["likert", "day_count"]
    assert found["phq-9"]["own_to_organization"] is False
    assert client_for(sam).get("/api/v1/questionnaires").status_code == 403


def test_it_gives_the_patient_their_list(phq9_due: Patient, client_for: ClientFor) -> None:
    body = client_for(phq9_due.user).get("/api/v1/me/questionnaires").json()
    assert [(o["questionnaire"], o["status"]) for o in body["open"]] == [("phq-9", "due")]
    assert body["latest"] == []


def test_it_takes_a_response_and_returns_its_scores(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    response = post(client_for(phq9_due.user), SUBMIT, {"answers": numbered(PUBLISHED_PHQ9)})
    assert response.status_code == 201
    body = response.json()
    assert body["scores"]["scales"][0]["value"] == 12
    assert body["scores"]["scales"][0]["band"]["label"] == "Moderate"
    assert body["crisis_help"] is None
    assert str(QuestionnaireResponse.objects.get().pk) == body["id"]


def test_it_returns_crisis_help_with_a_safety_answer(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    body = post(client_for(phq9_due.user), SUBMIT, {"answers": phq9(item9=1)}).json()
    assert body["crisis_help"]["emergency_number"] == "911"
    assert body["crisis_help"]["crisis_lines"][0]["phone"] == "988"


def test_it_names_each_bad_answer_and_stores_nothing(
    phq9_due: Patient, client_for: ClientFor
) -> None:
    answers: dict[str, object] = {**numbered(PUBLISHED_PHQ9), "2": 5, "11": 1}
    del answers["9"]
    response = post(client_for(phq9_due.user), SUBMIT, {"answers": answers})
    assert response.status_code == 422
    detail = response.json()["errors"]
    assert set(detail) == {"2", "9", "11"}
    assert detail["11"] == ["PHQ-9 has no question '11'."]
    assert not QuestionnaireResponse.objects.exists()


def test_it_refuses_a_questionnaire_not_on_the_list(alice: Patient, client_for: ClientFor) -> None:
    response = post(client_for(alice.user), SUBMIT, {"answers": numbered(PUBLISHED_PHQ9)})
    assert response.status_code == 422
    assert "not on your list" in response.json()["errors"]["questionnaire"][0]


def test_it_accepts_a_correction_through_the_api(phq9_due: Patient, client_for: ClientFor) -> None:
    from waymark.questionnaires.services import start_correction

    original = submitted(phq9_due, "phq-9", phq9(item9=2))
    start_correction(phq9_due, original)
    body = post(
        client_for(phq9_due.user), SUBMIT, {"answers": phq9(), "corrects": str(original.pk)}
    ).json()
    assert body["corrects"] == str(original.pk)


def test_it_works_with_a_device_token(phq9_due: Patient) -> None:
    _token, secret = issue_api_token(phq9_due.user, "Phone")
    response = post(Client(), SUBMIT, {"answers": phq9()}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201


def test_it_lets_clinicians_read_scores_with_an_audit_entry(
    phq9_due: Patient, bob: User, carol: User, client_for: ClientFor
) -> None:
    submitted(phq9_due, "phq-9", phq9())
    url = f"/api/v1/patients/{phq9_due.pk}/questionnaire-responses"
    body = client_for(bob).get(url).json()
    assert [r["questionnaire"] for r in body] == ["phq-9"]
    assert AuditEvent.objects.get().object_type == "questionnaire_responses"
    assert client_for(carol).get(url).status_code == 404
