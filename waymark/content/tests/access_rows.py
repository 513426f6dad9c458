"""Every URL of the content app × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row

ROWS: dict[str, Row] = {
    "content:library": Row(Capability.READ_LEARN),
    "content:evidence": Row(Capability.READ_EVIDENCE),
    "content:article": Row(Capability.READ_LEARN, kwargs=lambda world: {"slug": "withdrawal"}),
}
