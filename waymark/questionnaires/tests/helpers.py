"""Helpers shared by the questionnaire tests and their access-matrix rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import timezone

from waymark.patients.models import Patient, ProgramStay
from waymark.questionnaires.definition import Definition, parse_definition
from waymark.questionnaires.loader import BUILTIN_DIR
from waymark.questionnaires.models import Anchor, QuestionnaireResponse, Schedule
from waymark.questionnaires.services import build_response, current_questionnaire, submit_response

# The PHQ-9's pages for a patient: filling it in, and the review before submitting.
FILL = reverse("questionnaires:fill", args=["phq-9"])
REVIEW = reverse("questionnaires:review", args=["phq-9"])

PUBLISHED_PHQ9 = [2, 2, 2, 2, 1, 1, 2, 0, 0]  # → 12, moderate
PUBLISHED_GAD7 = [1, 1, 1, 1, 0, 1, 2]  # → 7, mild


def builtin(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUILTIN_DIR / f"{key}.json").read_text())
    return data


def definition(key: str) -> Definition:
    return parse_definition(builtin(key), source=key)


def numbered(values: list[int]) -> dict[str, int]:
    """Answers to questions "1", "2", … in order."""
    return {str(number): value for number, value in enumerate(values, start=1)}


def phq9(values: list[int] | None = None, *, item9: int = 0) -> dict[str, int]:
    answers = numbered(values or [1, 1, 1, 1, 1, 1, 1, 1, 0])
    if values is None:
        answers["9"] = item9
    return answers


def bam_answers(**overrides: int) -> dict[str, int]:
    answers = {
        "1": 2,
        "2": 5,
        "3": 2,
        "4": 0,
        "5": 0,
        "6": 0,
        "8": 1,
        "9": 3,
        "10": 8,
        "11": 1,
        "12": 2,
        "13": 20,
        "14": 4,
        "15": 1,
        "16": 25,
        "17": 3,
    }
    answers.update({key.removeprefix("q"): value for key, value in overrides.items()})
    return answers


def current_stay(patient: Patient) -> ProgramStay:
    stay = ProgramStay.objects.filter(patient=patient, ended_on__isnull=True).first()
    assert stay is not None, "the patient is not in a program"
    return stay


def make_due(patient: Patient, key: str, *, on: dt.date | None = None, **fields: Any) -> Schedule:
    """A schedule on the patient's current program that makes `key` due on `on` (today)."""
    stay = current_stay(patient)
    on = on or patient.local_today()
    schedule, _ = Schedule.objects.get_or_create(
        organization_id=patient.organization_id,
        program=stay.program,
        questionnaire_key=key,
        anchor=Anchor.ADMISSION,
        offset_days=(on - stay.started_on).days,
        defaults={"active_from": dt.date(2000, 1, 1), **fields},
    )
    return schedule


def submitted(
    patient: Patient, key: str, answers: dict[str, Any], **kwargs: Any
) -> QuestionnaireResponse:
    """Make `key` due today and submit `answers` as the patient."""
    make_due(patient, key)
    return submit_response(patient, key, answers, by=patient.user, **kwargs)


def recorded(
    patient: Patient, key: str, answers: dict[str, Any], *, days_ago: int, form: str = ""
) -> QuestionnaireResponse:
    """A response stored as if sent `days_ago` days ago (no schedule needed)."""
    questionnaire = current_questionnaire(patient.organization_id, key)
    at = timezone.now() - dt.timedelta(days=days_ago)
    response, _ = build_response(
        patient, questionnaire, answers, by=patient.user, scoring_form=form, submitted_at=at
    )
    response.save()
    return response


def write_definition(tmp_path: Path, data: dict[str, Any], name: str = "custom.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def custom_definition(key: str = "northstar-craving", version: str = "1") -> dict[str, Any]:
    """An organization's own three-item questionnaire, with one reversed item."""
    options = [
        {
            "valueCoding": {"system": "urn:northstar", "code": f"c{value}", "display": label},
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                    "valueDecimal": value,
                }
            ],
        }
        for value, label in [(0, "Never"), (1, "Sometimes"), (2, "Often"), (3, "Always")]
    ]
    return {
        "resourceType": "Questionnaire",
        "id": key,
        "url": f"https://northstar.example/Questionnaire/{key}",
        "version": version,
        "title": "Northstar craving check",
        "status": "active",
        "copyright": "© Northstar Recovery",
        "item": [
            {
                "linkId": "1",
                "text": "I had strong urges to use",
                "type": "choice",
                "required": True,
                "answerOption": options,
            },
            {
                "linkId": "2",
                "text": "I thought about using",
                "type": "choice",
                "required": True,
                "answerOption": options,
            },
            {
                "linkId": "3",
                "text": "I felt able to resist urges",
                "type": "choice",
                "required": True,
                "answerOption": options,
            },
        ],
        "waymark": {
            "shortTitle": "Craving",
            "sources": ["Northstar clinical team, 2026 (local measure, not validated)."],
            "defaultForm": "standard",
            "forms": [
                {
                    "id": "standard",
                    "label": "Standard",
                    "primary": "total",
                    "scales": [
                        {
                            "id": "total",
                            "label": "Craving",
                            "items": ["1", "2", "3"],
                            "reversed": ["3"],
                            "min": 0,
                            "max": 9,
                            "bands": [
                                {"code": "low", "label": "Low", "min": 0, "max": 3},
                                {"code": "high", "label": "High", "min": 4, "max": 9, "level": 3},
                            ],
                        }
                    ],
                }
            ],
        },
    }


_REPEATED_RUN = re.compile(r"(?<!\S)(\S+(?: \S+)*) \1(?!\S)")


def repeated_run(text: str) -> str:
    """The first run of words said twice in a row ("PHQ-9 PHQ-9 total" → "PHQ-9"), or ""."""
    found = _REPEATED_RUN.search(text)
    return found.group(1) if found else ""
