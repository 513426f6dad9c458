"""Every URL of the plans app × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row, Target, alice_id, posted

OWN, CLINICIANS = Capability.USE_PATIENT_APP, Capability.EDIT_PLAN_FOR_PATIENT

ROWS: dict[str, Row] = {
    "plans:my_plan": Row(OWN, wrong_method="put"),
    "plans:print": Row(OWN),
    "plans:pdf": Row(OWN),
    "plans:my_safety_plan": posted(
        OWN, data={"people": "Jo, 555-0100", "reasons": "My daughter"}, wrong_method="put"
    ),
    "plans:safety_print": Row(OWN),
    "plans:coping": Row(OWN),
    "plans:coping_use": posted(
        OWN, data={"tool": "breathing", "craving_before": "7", "craving_after": "4"}
    ),
    "plans:patient_plan": Row(CLINICIANS, target=Target.ALICE, kwargs=alice_id, wrong_method="put"),
    "plans:patient_pdf": Row(CLINICIANS, target=Target.ALICE, kwargs=alice_id),
    "plans:patient_safety_plan": Row(
        CLINICIANS, target=Target.ALICE, kwargs=alice_id, wrong_method="put"
    ),
}
