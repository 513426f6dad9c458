"""Every questionnaire URL in the URL × persona access matrix
(organizations/tests/test_access_matrix.py collects these rows).

Some rows prepare data first (their `kwargs` function runs inside the test): a PHQ-9
due today for Alice, a draft, a stored response — so the matrix reaches the real page
rather than a redirect. Dana (the other patient) has none of these: she gets a redirect
or a 404, never Alice's data.
"""

from __future__ import annotations

from typing import Any

from waymark.organizations.tests.matrix import (
    ALICE_RECORD,
    API_ALICE,
    PATIENTS_ONLY,
    STAFF_ONLY,
    Row,
    World,
    everyone,
)
from waymark.questionnaires.models import Draft, QuestionnaireResponse
from waymark.questionnaires.tests.helpers import make_due, phq9, recorded

PATIENT_ONLY_API = everyone(403, anonymous=401, patient=200, other_patient=200)
MEMBERS_API = everyone(200, anonymous=401, supporter=403)


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


def alice_id(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk}


ROWS: dict[str, Row] = {
    # The patient's pages. Dana has nothing due: the form sends her back to her list.
    "questionnaires:my_list": Row(PATIENTS_ONLY),
    "questionnaires:fill": Row(
        everyone(403, anonymous=302, patient=200, other_patient=302),
        kwargs=phq9_due,
        wrong_method="put",
    ),
    "questionnaires:review": Row(
        everyone(403, anonymous=302, patient=200, other_patient=302),
        kwargs=with_draft,
        wrong_method="put",
    ),
    "questionnaires:discard": Row(
        everyone(403, anonymous=302, patient=302, other_patient=302),
        method="post",
        kwargs=with_draft,
        wrong_method="get",
    ),
    "questionnaires:history": Row(
        everyone(403, anonymous=302, patient=200, other_patient=404), kwargs=history
    ),
    "questionnaires:result": Row(
        everyone(403, anonymous=302, patient=200, other_patient=404), kwargs=response_id
    ),
    "questionnaires:correct": Row(
        everyone(403, anonymous=302, patient=302, other_patient=404),
        method="post",
        kwargs=response_id,
        wrong_method="get",
    ),
    # Clinicians and admins.
    "questionnaires:completion": Row(STAFF_ONLY),
    "questionnaires:patient_questionnaires": Row(ALICE_RECORD, kwargs=alice_id),
    "questionnaires:patient_response": Row(ALICE_RECORD, kwargs=patient_and_response),
    "questionnaires:assign": Row(
        everyone(403, anonymous=302, clinician=302, other_org_clinician=404),
        method="post",
        kwargs=alice_id,
        data={"questionnaire": "gad-7", "days": "7"},
        wrong_method="get",
    ),
    # The API.
    "api:questionnaire_list": Row(MEMBERS_API),
    "api:questionnaire_detail": Row(MEMBERS_API, kwargs=lambda world: {"key": "phq-9"}),
    "api:my_questionnaires": Row(PATIENT_ONLY_API),
    "api:submit_questionnaire_response": Row(
        everyone(403, anonymous=401, patient=201, other_patient=422),
        method="post",
        kwargs=phq9_due,
        data={"answers": phq9()},
        wrong_method="get",
    ),
    "api:my_fhir": Row(PATIENT_ONLY_API),
    "api:patient_fhir": Row(API_ALICE, kwargs=alice_id),
    "api:patient_questionnaire_responses": Row(API_ALICE, kwargs=alice_id),
}
