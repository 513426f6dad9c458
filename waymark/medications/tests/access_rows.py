from __future__ import annotations

from typing import Any

from waymark.access import Capability
from waymark.medications.models import DrugClass, Medication
from waymark.organizations.tests.matrix import Row, Target, World, alice_id, created

READ, WRITE = Capability.VIEW_PATIENT_RECORD, Capability.RECORD_MEDICATIONS
ALICE = Target.ALICE


def alices_medication(world: World) -> dict[str, Any]:
    medication = Medication.objects.create(
        organization=world.alice.organization,
        patient=world.alice,
        name="Sertraline",
        drug_class=DrugClass.ANTIDEPRESSANT,
        added_by=world.user("clinician"),
    )
    return {"patient_id": world.alice.pk, "medication_id": medication.pk}


ROWS: dict[str, Row] = {
    "medications:list": Row(READ, target=ALICE, kwargs=alice_id),
    "medications:new": Row(WRITE, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "medications:edit": Row(WRITE, target=ALICE, kwargs=alices_medication, wrong_method="put"),
    "api:list_patient_medications": Row(READ, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "api:create_patient_medication": created(
        WRITE, target=ALICE, kwargs=alice_id, data={"name": "Sertraline", "dose": "50 mg"}
    ),
}
