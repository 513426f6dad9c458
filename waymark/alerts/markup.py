"""An open alert's state as one line of HTML: "New" (to acknowledge) or who acknowledged it
and when, in the organization's zone, linking to the alert, then its title.

Python, not a template include: the caseload draws it on every flagged row of every page,
and the caseload's rows are built in Python for speed (patients/templatetags/caseload.py).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from waymark.alerts.models import Alert, AlertStatus


def alert_state(alert: Alert) -> SafeString:
    new = alert.status == AlertStatus.OPEN
    if new:
        state = "New"
    else:
        when = alert.acknowledged_at
        shown = date_format(localtime(when), "j M H:i") if when else ""
        state = f"Acknowledged by {alert.acknowledged_by} {shown}"
    times = (
        format_html(' <span class="muted small">({} times)</span>', alert.occurrences)
        if alert.occurrences > 1
        else ""
    )
    return format_html(
        '<a class="sev sev-{} {}" href="{}">{}</a> {}{}',
        str(alert.get_severity_display()).lower(),
        "alert-new" if new else "alert-acked",
        reverse("alerts:detail", args=[alert.pk]),
        state,
        alert.title,
        times,
    )
