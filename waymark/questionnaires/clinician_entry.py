"""Questionnaires a clinician fills in for a patient (clinician-administered ratings).

The CIWA-Ar (Sullivan et al. 1989) is rated by a clinician who observes and asks; it is
never put on a patient's own list. Recording one goes through the same checking,
scoring, safety and risk path as a patient's response (`build_response`,
`act_on_result`, `reassess`), is stored with the clinician as `submitted_by`, and is
audited as a change to the patient's record. A moderate or severe CIWA-Ar raises its alert
in the same transaction, before and whatever the reassessment (`questionnaires.rules`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from waymark.access import Actor, Capability, require
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.rules import RULE_ID as CIWA_RULE
from waymark.questionnaires.services import (
    act_on_result,
    build_response,
    current_questionnaire,
)
from waymark.questionnaires.variants import CLINICIAN_ADMINISTERED
from waymark.risk.registry import Snapshot
from waymark.risk.services import alert_now, reassess
from waymark.risk.snapshot import CIWA, ciwa_rating


@transaction.atomic
def record_by_clinician(
    actor: Actor, patient: Patient, key: str, answers: Mapping[str, object]
) -> QuestionnaireResponse:
    """Check, score and store a clinician-administered questionnaire for `patient`."""
    require(actor, Capability.ASSIGN_QUESTIONNAIRES, patient=patient)
    if key not in CLINICIAN_ADMINISTERED:
        raise ValueError(f"{key!r} is not filled in by a clinician")
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).first()  # one at a time
    questionnaire = current_questionnaire(patient.organization_id, key)
    response, result = build_response(patient, questionnaire, answers, by=actor.user)
    response.save()
    act_on_result(patient, response, result, questionnaire.parsed)
    if key == CIWA:
        _alert_on_rating(patient, response)
    reassess(patient)
    record(
        actor,
        AuditAction.CREATE,
        patient=patient,
        object_type=AuditObject.QUESTIONNAIRE_RESPONSE,
        object_id=str(response.pk),
    )
    return response


def _alert_on_rating(patient: Patient, response: QuestionnaireResponse) -> None:
    """The registry's CIWA-Ar rule over the rating just stored, now: withdrawal that can
    bring seizures does not wait for a reassessment (which finds the same occurrence)."""
    rating = ciwa_rating(
        patient,
        response.pk,
        response.primary_score,
        response.primary_band,
        response.submitted_at,
        now=response.submitted_at,
    )
    on = response.submitted_on
    alert_now(patient, Snapshot(today=on, tracking_since=on, ciwa=rating), [CIWA_RULE])
