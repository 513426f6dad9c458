"""The caseload's sortable column headers (links that work without JavaScript) and its rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from waymark.patients.keyset import ORDERS, Order
from waymark.patients.templatetags.charts import sparkline

register = template.Library()

# Which way each sort reads first, as a person sees the column: risk and PHQ-9 highest
# first, the latest check-in first, the most days in the program first, names A to Z.
READS_DESCENDING = {"risk": True, "name": False, "checkin": True, "days": True, "phq9": True}


def _sort_query(context: dict[str, Any], param: str) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("after", None)
    query["sort"] = param
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_url(context: dict[str, Any], param: str) -> str:
    """The caseload in the order `param` ("risk", "-name"), filters and search kept, from
    its first page."""
    return f"?{_sort_query(context, param)}"


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], name: str, label: str) -> SafeString:
    """A `<th>` whose link sorts by `name` (again: the other way round)."""
    current: Order = context["order"]
    chosen = current.name == name
    reverse = chosen and ORDERS[name].reversible and not current.reverse
    aria = "none"
    if chosen:
        aria = "descending" if READS_DESCENDING[name] != current.reverse else "ascending"
    arrow = {"descending": " ↓", "ascending": " ↑"}.get(aria, "")
    return format_html(
        '<th aria-sort="{}" data-sort="{}"><a href="?{}">{}{}</a></th>',
        aria, name, _sort_query(context, f"-{name}" if reverse else name), label, arrow,
    )  # fmt: skip


@register.filter
def days_since(day: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `day` to `today` (a stay that started today: 0)."""
    return None if day is None else (today - day).days


# --- One caseload row, built in Python ---------------------------------------------------
# Like the admin's change-list rows (django.contrib.admin.templatetags.admin_list): the
# page draws 50 rows a minute per clinician, and the template language's lookups, tags and
# includes took ~60 % of the request (issue 13, point 3); the same markup from format_html
# takes a fraction of that. The columns' headers stay in _caseload_rows.html.

RISK_BADGES = ((40, "urgent", "Urgent"), (30, "high", "High"), (20, "moderate", "Moderate"))
NO_VALUE = SafeString('<span class="muted">—</span>')
NEVER = SafeString('<span class="muted">never</span>')


def _risk_cell(level: int | None) -> SafeString:
    for floor, name, label in RISK_BADGES:
        if level is not None and level >= floor:
            return format_html('<span class="sev sev-{}">{}</span>', name, label)
    return SafeString('<span class="sev sev-low">Low</span>') if level else NO_VALUE


def _reviewed(reviewed_at: dt.datetime | None) -> SafeString:
    if not reviewed_at:
        return SafeString('<span class="reviewed small never">not reviewed by you</span>')
    local = localtime(reviewed_at)
    return format_html(
        '<span class="reviewed small"><span class="visually-hidden">Last reviewed by you '
        '</span><time datetime="{}" title="Last reviewed by you">✓ {}</time></span>',
        date_format(local, "c"), date_format(local, "j M"),
    )  # fmt: skip


def _program_cell(patient: Any, today: dt.date) -> SafeString:
    parts = [conditional_escape(patient.current_program or "Not in a program")]
    if patient.program_since:
        parts.append(format_html(
            ' <span class="muted small">· <abbr title="days in this program">{} d</abbr></span>',
            localize(days_since(patient.program_since, today)),
        ))  # fmt: skip
    if getattr(patient, "watch_label", ""):
        parts.append(format_html(' <span class="badge">{}</span>', patient.watch_label))
    if getattr(patient, "follow_up_due", False):
        parts.append(SafeString(' <span class="sev sev-high">Follow-up due</span>'))
    return SafeString("".join(parts))


def _why_cell(patient: Any) -> SafeString:
    """The first open alert's state and why (or the first reason) on one line; with more
    than one flag, the rest open in place under it."""
    alerts = getattr(patient, "unresolved_alerts", None) or []
    states = getattr(patient, "alert_states", None) or []
    reasons = getattr(patient, "risk_reasons", None) or []
    if not alerts and not reasons:
        return SafeString('<span class="muted">No flags</span>')
    if alerts:
        line = format_html('{}: <span class="muted">{}</span>', states[0], alerts[0].reason)
    else:
        line = conditional_escape(reasons[0].get("reason", ""))
    if len(alerts) + len(reasons) == 1:
        return format_html('<div class="why-line">{}</div>', line)
    more = format_html_join("", "<li>{}</li>", ((state,) for state in states[1:]))
    rest = reasons if alerts else reasons[1:]
    listed = format_html_join(
        "", '<li title="{}">{}</li>', ((r.get("source", ""), r.get("reason", "")) for r in rest)
    )
    return format_html(
        "<details><summary>{}</summary>\n          {}<ul class=\"reasons\">{}</ul>\n"
        "        </details>",
        line, format_html('<ul class="alert-states">{}</ul>', more) if more else "", listed,
    )  # fmt: skip


# Stands for a patient's id in the record's URL, reversed once per page (_record_url).
_ANY_ID = uuid.UUID(int=0)


def _record_url(context: Any, patient_id: uuid.UUID) -> str:
    """The patient's record URL; the URL is reversed once per rendering of the page (its
    render_context), not for each of its 50 rows."""
    cache = context.render_context
    if "caseload_record_url" not in cache:
        cache["caseload_record_url"] = reverse("patients:detail", args=[_ANY_ID])
    return str(cache["caseload_record_url"]).replace(str(_ANY_ID), str(patient_id), 1)


@register.simple_tag(takes_context=True)
def caseload_rows(context: Any, patients: Any) -> SafeString:
    """The rows of a page of the caseload (the columns of _caseload_rows.html), in one tag
    rather than one per row: the template language's loop cost as much as a row."""
    return SafeString("\n    ".join(caseload_row(context, patient) for patient in patients))


def caseload_row(context: Any, patient: Any) -> str:
    """One patient's row. Written as an f-string: every cell helper returns safe HTML, and
    the only text from the database (the name, the PHQ-9 band) is escaped here."""
    phq9: str = NO_VALUE
    if patient.phq9_score is not None:
        band = conditional_escape(patient.phq9_band or "")
        phq9 = f'{patient.phq9_score} <span class="muted">{band}</span>'
    recovery = patient.days_in_recovery()
    days = "—" if recovery is None else localize(recovery)
    last = patient.last_checkin_on
    url = conditional_escape(_record_url(context, patient.pk))
    needs_ack = ' class="needs-ack"' if getattr(patient, "urgent_unacked", False) else ""
    return (
        f'<tr id="patient-{patient.pk}" data-risk="{patient.sort_level}"{needs_ack}>\n'
        f'      <td data-label="Risk">{_risk_cell(patient.sort_level)}</td>\n'
        f'      <td data-label="Patient"><a href="{url}">'
        f"{conditional_escape(patient.preferred_name)}</a>\n"
        f"        {_reviewed(getattr(patient, 'reviewed_at', None))}</td>\n"
        f'      <td data-label="Program">{_program_cell(patient, context["today"])}</td>\n'
        f'      <td data-label="Days in recovery">{days}</td>\n'
        f'      <td data-label="Last check-in">'
        f"{date_format(last, 'j M') if last else NEVER}</td>\n"
        f'      <td data-label="Craving (14 days)">{sparkline(patient.craving_14d)}</td>\n'
        f'      <td data-label="PHQ-9">{phq9}</td>\n'
        f'      <td data-label="Why" class="why">{_why_cell(patient)}</td>\n'
        "    </tr>"
    )
