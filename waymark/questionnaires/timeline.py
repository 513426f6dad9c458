"""Questionnaire responses on the patient timeline.

Every standing response (none later corrects it) is an event with its primary score and
band; PHQ-9 and GAD-7 totals are also plotted, on the chart's questionnaire score axis
(a series named "… score": patients/timeline.py). The timeline view has already audited
the read; the query is scoped by the patient's organization like every other.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.alerts.models import Severity
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register
from waymark.questionnaires.models import QuestionnaireResponse

# Totals drawn on the score axis (0–30): both fit it, and both are followed over time.
PLOTTED = {"phq-9": "PHQ-9 score", "gad-7": "GAD-7 score"}


def _number(value: object) -> float | int:
    number = float(str(value))
    return int(number) if number.is_integer() else number


def response_event(patient: Patient, response: QuestionnaireResponse) -> TimelineEvent:
    primary = next(
        (
            scale
            for scale in response.scores.get("scales", [])
            if scale.get("id") == response.scores.get("primary")
        ),
        None,
    )
    score = _number(response.primary_score)
    band = (primary or {}).get("band") or {}
    title = f"{response.questionnaire.short_title}: {score}"
    if band.get("label"):
        title += f" ({str(band['label']).lower()})"
    series = PLOTTED.get(response.questionnaire_key)
    return TimelineEvent(
        at=response.submitted_at,
        kind="questionnaire",
        title=title,
        detail="A safety question was answered above 'not at all'."
        if response.has_safety_answer
        else "",
        url=reverse("questionnaires:patient_response", args=[patient.pk, response.pk]),
        severity=Severity.URGENT if response.has_safety_answer else 0,
        values={series: score} if series else {},
    )


@register("questionnaires")
def questionnaire_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    responses = (
        QuestionnaireResponse.objects.standing()
        .filter(organization_id=patient.organization_id, patient=patient, submitted_at__gte=since)
        .select_related("questionnaire")
    )
    return [response_event(patient, response) for response in responses]
