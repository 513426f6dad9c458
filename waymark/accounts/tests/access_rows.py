"""The accounts app's issue-12 URLs × persona (collected by test_access_matrix.py); the
older account URLs are in the matrix's core rows."""

from __future__ import annotations

from typing import Any

from waymark.access import Capability
from waymark.organizations.tests.matrix import Access, Row, World, posted

SIGNED_IN = Access.SIGNED_IN
STAFF = ("clinician", "other_org_clinician", "org_admin")
NOT_STAFF = ("patient", "other_patient", "supporter")


def bob(world: World) -> dict[str, Any]:
    return {"user_id": world.user("clinician").pk}


ROWS: dict[str, Row] = {
    # Staff in the matrix have enrolled (conftest's client_for); the others have not, so the
    # code step sends them to enrolment and enrolment sends staff to their account page.
    "accounts:verify": Row(SIGNED_IN, wrong_method="put", overrides=dict.fromkeys(NOT_STAFF, 302)),
    "accounts:enrol": Row(SIGNED_IN, wrong_method="put", overrides=dict.fromkeys(STAFF, 302)),
    "accounts:reset_second_factor": Row(
        Capability.ADMINISTER_ORGANIZATION, kwargs=bob, wrong_method="put"
    ),
    "accounts:account": Row(SIGNED_IN, wrong_method="put"),
    "accounts:change_password": Row(SIGNED_IN, wrong_method="put"),
    "accounts:sign_out_everywhere": posted(SIGNED_IN),
    "accounts:password_reset": Row(Access.PUBLIC, wrong_method="put"),
}
