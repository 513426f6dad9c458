"""The watch after a discharge, in dates: its days and the follow-up date.

DESIGN, safety-net semantics: lapse and overdose risk are highest soon after leaving care
(Strang et al., BMJ 2003), so for the organization's window (`hooks.watch_days`, 30 days
by default) a discharged patient stays on the caseload as "recently discharged", and a
follow-up date that passes with no contact alerts the care team. Pure functions: the
caseload and the census (transitions.py) and the risk rules (risk/watch.py) use the same.
"""

from __future__ import annotations

import datetime as dt

FOLLOW_UP_DEFAULT_DAYS = 7  # suggested on the discharge form: the 7-day follow-up rate (FUI)
# The id of the risk rule that flags a follow-up date passed without contact (risk/watch.py);
# the caseload marks a row "Follow-up due" when that rule is among its reasons.
FOLLOW_UP_RULE_ID = "discharge.follow_up_due"


def watch_last_day(discharged_on: dt.date, follow_up_on: dt.date | None, window: int) -> dt.date:
    """The last day of the watch after a discharge.

    The watch is the discharge day and the `window` days after it ("the first 30 days
    after discharge"), and never ends before the day after the follow-up date, so a
    follow-up that passes without contact is always noticed.
    """
    last = discharged_on + dt.timedelta(days=window)
    if follow_up_on is not None:
        last = max(last, follow_up_on + dt.timedelta(days=1))
    return last


def watch_day(
    discharged_on: dt.date, follow_up_on: dt.date | None, today: dt.date, window: int
) -> int | None:
    """Days since the discharge (0 on its day) when `today` is inside its watch, else None."""
    if discharged_on <= today <= watch_last_day(discharged_on, follow_up_on, window):
        return (today - discharged_on).days
    return None


def follow_up_range(discharged_on: dt.date, window: int) -> tuple[dt.date, dt.date]:
    """The days a follow-up may be set for: from the day after the discharge (a contact on
    the discharge day is not a follow-up) to the day before the watch's last day, so that a
    follow-up that passes is noticed while the patient is still watched."""
    earliest = discharged_on + dt.timedelta(days=1)
    return earliest, max(earliest, discharged_on + dt.timedelta(days=window - 1))
