from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row, Target, alice_id

ROWS: dict[str, Row] = {
    "patients:transition": Row(
        Capability.MANAGE_TRANSITIONS,
        target=Target.ALICE,
        kwargs=lambda world: {"patient_id": world.alice.pk, "kind": "move"},
        wrong_method="put",
    ),
    "patients:census": Row(Capability.VIEW_CASELOAD),
    # Issue 13 point 4: a lazy panel of the record, loaded on its own (patients/panels.py)
    "patients:panel": Row(
        Capability.VIEW_PATIENT_RECORD,
        target=Target.ALICE,
        kwargs=lambda world: {"patient_id": world.alice.pk, "name": "notes"},
    ),
    "patients:timeline": Row(Capability.VIEW_PATIENT_RECORD, target=Target.ALICE, kwargs=alice_id),
    # Issue 16, point 2: the record's print view and one-page summary (PDF)
    "patients:print": Row(Capability.VIEW_PATIENT_RECORD, target=Target.ALICE, kwargs=alice_id),
    "patients:summary_pdf": Row(
        Capability.VIEW_PATIENT_RECORD, target=Target.ALICE, kwargs=alice_id
    ),
}
