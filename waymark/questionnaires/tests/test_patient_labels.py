"""No jargon for patients: every band and flag has a name in the patient's words, and the
patient's pages use it (stored scores from older versions lose the clinician's notes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.patients.models import Patient
from waymark.questionnaires.definition import plain_label
from waymark.questionnaires.loader import BUILTIN_DIR
from waymark.questionnaires.templatetags.questionnaires_tags import band_for_patient
from waymark.questionnaires.tests.helpers import bam_answers, definition, submitted

ClientFor = Callable[[User | None], Client]
JARGON = ("flag", ">=", "<=", "raw sum", "screen")
KEYS = sorted(path.stem for path in BUILTIN_DIR.glob("*.json"))


@pytest.mark.parametrize("key", KEYS)
def test_every_band_and_flag_has_a_patient_label_without_jargon(key: str) -> None:
    labels = [
        (thing.code, thing.patient_label)
        for form in definition(key).scoring.forms
        for scale in form.scales
        for thing in (*scale.bands, *scale.flags)
    ]

    assert all(label for _, label in labels), f"{key}: a band or flag has no patientLabel"
    for code, label in labels:
        assert not any(word in label.lower() for word in JARGON), f"{key} {code}: {label}"


def test_the_bam_result_and_history_pages_show_the_patients_words(
    frozen: object, alice: Patient, client_for: ClientFor
) -> None:
    response = submitted(alice, "bam", bam_answers(q4=3))
    client = client_for(alice.user)

    result = client.get(reverse("questionnaires:result", args=[response.pk])).content.decode()
    history = client.get(reverse("questionnaires:history", args=["bam"])).content.decode()
    home = client.get(reverse("patients:me")).content.decode()

    assert "Some use" in result
    for page in (result, history, home):
        assert "flag:" not in page and "&gt;=" not in page and ">= " not in page


def test_a_stored_band_from_an_older_version_loses_the_clinicians_notes() -> None:
    old = {"code": "high", "label": "High risk (flag: Risk >= 12)", "level": 3}

    assert band_for_patient(old) == "High risk"
    assert band_for_patient({**old, "patientLabel": "Several things"}) == "Several things"
    assert band_for_patient(None) == ""
    assert plain_label("Risk factors (raw sum)") == "Risk factors"


def test_the_loinc_notice_ships_next_to_the_definitions() -> None:
    from waymark.questionnaires.fhir import LOINC_NOTICE

    shipped = (BUILTIN_DIR.parent / "LOINC_NOTICE.txt").read_text()
    assert " ".join(LOINC_NOTICE.split()) in " ".join(shipped.split())
