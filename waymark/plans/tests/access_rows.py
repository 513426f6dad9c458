"""Every URL of the plans app × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.organizations.tests.matrix import PATIENTS_ONLY, Row, alice_id, everyone

ALICES_PLAN = everyone(403, anonymous=302, clinician=200, other_org_clinician=404)

ROWS: dict[str, Row] = {
    "plans:my_plan": Row(PATIENTS_ONLY, wrong_method="put"),
    "plans:print": Row(PATIENTS_ONLY),
    "plans:pdf": Row(PATIENTS_ONLY),
    "plans:coping": Row(PATIENTS_ONLY),
    "plans:coping_use": Row(
        everyone(403, anonymous=302, patient=302, other_patient=302),
        method="post",
        data={"tool": "breathing", "craving_before": "7", "craving_after": "4"},
        wrong_method="get",
    ),
    "plans:patient_plan": Row(ALICES_PLAN, kwargs=alice_id, wrong_method="put"),
    "plans:patient_pdf": Row(ALICES_PLAN, kwargs=alice_id),
}
