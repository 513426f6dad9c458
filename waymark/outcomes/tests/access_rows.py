from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row

ROWS: dict[str, Row] = {
    "outcomes:dashboard": Row(Capability.VIEW_OUTCOMES),
}
