"""Every URL of the rights app × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row, Target, alice_id, posted

OWN, ADMIN = Capability.USE_PATIENT_APP, Capability.ADMINISTER_ORGANIZATION
REFUSED_WHILE_OPEN = {"org_admin": 409}  # Alice's account is open (the data, not the policy)

ROWS: dict[str, Row] = {
    # Dana downloads her own record: 200 too.
    "rights:export_json": Row(OWN),
    "rights:export_fhir": Row(OWN),
    # A clinician's or admin's "Export FHIR" of Alice's record (Carol: 404).
    "rights:patient_export_fhir": Row(
        Capability.VIEW_PATIENT_RECORD, target=Target.ALICE, kwargs=alice_id
    ),
    "rights:manage": Row(ADMIN, target=Target.ALICE, kwargs=alice_id),
    "rights:close": posted(ADMIN, target=Target.ALICE, kwargs=alice_id),
    # Alice's account is open: a hold or an erasure is refused (409) for that reason, not
    # by the policy. Their 405 is tested in rights/tests/test_closure.py (no persona
    # succeeds here for the matrix's own 405 test to use).
    "rights:legal_hold": posted(
        ADMIN,
        ok=200,
        target=Target.ALICE,
        kwargs=alice_id,
        data={"hold": "on", "reason": "Case 2026-17"},
        wrong_method=None,
        overrides=REFUSED_WHILE_OPEN,
    ),
    "rights:erase": posted(
        ADMIN,
        ok=200,
        target=Target.ALICE,
        kwargs=alice_id,
        data={"confirm": "on"},
        wrong_method=None,
        overrides=REFUSED_WHILE_OPEN,
    ),
}
