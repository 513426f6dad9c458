from __future__ import annotations

from typing import Any

from waymark.medications.models import DrugClass, Medication
from waymark.organizations.tests.matrix import ALICE_RECORD, API_ALICE, Row, World, everyone

CLINICIAN_PAGE = everyone(403, anonymous=302, clinician=200, other_org_clinician=404)


def alice_id(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk}


def alices_medication(world: World) -> dict[str, Any]:
    bob = world.users["clinician"]
    assert bob is not None
    medication = Medication.objects.create(
        organization=world.alice.organization,
        patient=world.alice,
        name="Sertraline",
        drug_class=DrugClass.ANTIDEPRESSANT,
        added_by=bob,
    )
    return {"patient_id": world.alice.pk, "medication_id": medication.pk}


ROWS: dict[str, Row] = {
    "medications:list": Row(ALICE_RECORD, kwargs=alice_id),
    "medications:new": Row(CLINICIAN_PAGE, kwargs=alice_id, wrong_method="put"),
    "medications:edit": Row(CLINICIAN_PAGE, kwargs=alices_medication, wrong_method="put"),
    "api:list_patient_medications": Row(API_ALICE, kwargs=alice_id, wrong_method="put"),
    "api:create_patient_medication": Row(
        everyone(403, anonymous=401, clinician=201, other_org_clinician=404),
        method="post",
        kwargs=alice_id,
        data={"name": "Sertraline", "dose": "50 mg"},
        wrong_method="put",
    ),
}
