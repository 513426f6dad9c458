from __future__ import annotations

import uuid
from typing import Any

from waymark.access import Capability
from waymark.alerts.services import raise_alert
from waymark.organizations.tests.matrix import Row, Target, World, posted
from waymark.risk.rules import CRAVING_HIGH


def alices_alert(world: World, step: str = "") -> dict[str, Any]:
    flag = CRAVING_HIGH.flag("For the matrix.", evidence=("checkin", str(uuid.uuid4())))
    alert = raise_alert(world.alice, flag)
    assert alert is not None
    return {"alert_id": alert.pk, **({"step": step} if step else {})}


ROWS: dict[str, Row] = {
    "alerts:inbox": Row(Capability.ACT_ON_ALERTS, wrong_method="put"),
    "alerts:detail": Row(Capability.ACT_ON_ALERTS, target=Target.ALICE, kwargs=alices_alert),
    "alerts:act": posted(
        Capability.ACT_ON_ALERTS,
        target=Target.ALICE,
        kwargs=lambda world: alices_alert(world, "acknowledge"),
    ),
}
