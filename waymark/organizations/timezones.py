"""The time zones people choose from: current IANA zones, by region (issue 16, point 7).

The tz database also keeps old names (US/Eastern, Etc/GMT+5, GB, EST5EDT) for old
software; a person picking where they live sees only the regional ones, plus UTC.
"""

from __future__ import annotations

import functools
import zoneinfo

REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip


@functools.cache
def current_zones() -> tuple[str, ...]:
    names = {name for name in zoneinfo.available_timezones() if name.split("/")[0] in REGIONS}
    return ("UTC", *sorted(names))


def timezone_choices(keep: str = "") -> list[tuple[str, str]]:
    """Choices for a select; `keep` (a value already saved) stays choosable."""
    names = list(current_zones())
    if keep and keep not in names:
        names.append(keep)
    return [(name, name.replace("_", " ")) for name in names]
