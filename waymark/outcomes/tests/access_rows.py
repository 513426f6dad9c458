from __future__ import annotations

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row

ROWS: dict[str, Row] = {
    "outcomes:dashboard": Row(Capability.VIEW_OUTCOMES),
    "outcomes:export": Row(Capability.VIEW_OUTCOMES, kwargs=lambda world: {"table": "retention"}),
    "outcomes:research_export": Row(Capability.VIEW_OUTCOMES),
}
