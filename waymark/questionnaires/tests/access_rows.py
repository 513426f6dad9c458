"""Every questionnaire URL in the URL × persona access matrix
(organizations/tests/test_access_matrix.py collects these rows).

Some rows prepare data first (their `kwargs` function runs inside the test): a PHQ-9
due today for Alice, a draft, a stored response — so the matrix reaches the real page
rather than a redirect. Dana (the other patient) has none of these: she gets a redirect
or a 404, never Alice's data.
"""

from __future__ import annotations

from typing import Any

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row, Target, World, alice_id, posted
from waymark.questionnaires.models import Draft, QuestionnaireResponse
from waymark.questionnaires.tests.helpers import make_due, phq9, recorded

OWN, RECORD = Capability.USE_PATIENT_APP, Capability.VIEW_PATIENT_RECORD
ALICE = Target.ALICE
NOTHING_DUE_FOR_DANA = {"other_patient": 302}  # the form sends her back to her list


def phq9_due(world: World) -> dict[str, Any]:
    make_due(world.alice, "phq-9")
    return {"key": "phq-9"}


def with_draft(world: World) -> dict[str, Any]:
    kwargs = phq9_due(world)
    Draft.objects.create(
        organization_id=world.alice.organization_id,
        patient=world.alice,
        questionnaire_key="phq-9",
        answers=phq9(),
    )
    return kwargs


def alices_response(world: World) -> QuestionnaireResponse:
    return recorded(world.alice, "phq-9", phq9(), days_ago=1)


def response_id(world: World) -> dict[str, Any]:
    return {"response_id": alices_response(world).pk}


def patient_and_response(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk, "response_id": alices_response(world).pk}


def history(world: World) -> dict[str, Any]:
    alices_response(world)
    return {"key": "phq-9"}


ROWS: dict[str, Row] = {
    # The patient's pages. Dana has nothing due: the form sends her back to her list.
    "questionnaires:my_list": Row(OWN),
    "questionnaires:fill": Row(
        OWN, overrides=NOTHING_DUE_FOR_DANA, kwargs=phq9_due, wrong_method="put"
    ),
    "questionnaires:review": Row(
        OWN, overrides=NOTHING_DUE_FOR_DANA, kwargs=with_draft, wrong_method="put"
    ),
    "questionnaires:discard": posted(OWN, kwargs=with_draft),
    "questionnaires:history": Row(OWN, target=ALICE, kwargs=history),
    "questionnaires:result": Row(OWN, target=ALICE, kwargs=response_id),
    "questionnaires:correct": posted(OWN, target=ALICE, kwargs=response_id),
    # Clinicians and admins.
    "questionnaires:completion": Row(Capability.VIEW_CASELOAD),
    "questionnaires:patient_questionnaires": Row(RECORD, target=ALICE, kwargs=alice_id),
    "questionnaires:patient_response": Row(RECORD, target=ALICE, kwargs=patient_and_response),
    "questionnaires:assign": posted(
        Capability.ASSIGN_QUESTIONNAIRES,
        target=ALICE,
        kwargs=alice_id,
        data={"questionnaire": "gad-7", "days": "7"},
    ),
    # The API.
    "api:questionnaire_list": Row(Capability.READ_QUESTIONNAIRES),
    "api:questionnaire_detail": Row(
        Capability.READ_QUESTIONNAIRES, kwargs=lambda world: {"key": "phq-9"}
    ),
    "api:my_questionnaires": Row(OWN),
    # Nothing is due for Dana: her answers are refused (422).
    "api:submit_questionnaire_response": posted(
        OWN, ok=201, overrides={"other_patient": 422}, kwargs=phq9_due, data={"answers": phq9()}
    ),
    "api:my_fhir": Row(OWN),
    "api:patient_fhir": Row(RECORD, target=ALICE, kwargs=alice_id),
    "api:patient_questionnaire_responses": Row(RECORD, target=ALICE, kwargs=alice_id),
}


def ciwa(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk, "key": "ciwa-ar"}


ROWS["questionnaires:record_rating"] = Row(
    Capability.ASSIGN_QUESTIONNAIRES, target=ALICE, kwargs=ciwa, wrong_method="put"
)
