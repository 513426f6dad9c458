"""Questionnaires a clinician fills in for a patient (clinician-administered ratings).

The CIWA-Ar (Sullivan et al. 1989) is rated by a clinician who observes and asks; it is
never put on a patient's own list. Recording one goes through the same checking,
scoring, safety and risk path as a patient's response (`build_response`,
`act_on_result`, `reassess`), is stored with the clinician as `submitted_by`, and is
audited as a change to the patient's record.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from waymark.access import Actor, Capability, require
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import (
    act_on_result,
    build_response,
    current_questionnaire,
)
from waymark.questionnaires.variants import CLINICIAN_ADMINISTERED
from waymark.risk.services import reassess


@transaction.atomic
def record_by_clinician(
    actor: Actor, patient: Patient, key: str, answers: Mapping[str, object]
) -> QuestionnaireResponse:
    """Check, score and store a clinician-administered questionnaire for `patient`."""
    require(actor, Capability.ASSIGN_QUESTIONNAIRES, patient=patient)
    if key not in CLINICIAN_ADMINISTERED:
        raise ValueError(f"{key!r} is not filled in by a clinician")
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one at a time
    questionnaire = current_questionnaire(patient.organization_id, key)
    response, result = build_response(patient, questionnaire, answers, by=actor.user)
    response.save()
    act_on_result(patient, response, result, questionnaire.parsed)
    reassess(patient)
    record(
        actor,
        AuditAction.CREATE,
        patient=patient,
        object_type=AuditObject.QUESTIONNAIRE_RESPONSE,
        object_id=str(response.pk),
    )
    return response
