from __future__ import annotations

from waymark.organizations.tests.matrix import ALICE_RECORD, STAFF_ONLY, Row

ROWS: dict[str, Row] = {
    "patients:transition": Row(
        ALICE_RECORD,
        kwargs=lambda world: {"patient_id": world.alice.pk, "kind": "move"},
        wrong_method="put",
    ),
    "patients:census": Row(STAFF_ONLY),
    "patients:timeline": Row(ALICE_RECORD, kwargs=lambda world: {"patient_id": world.alice.pk}),
}
