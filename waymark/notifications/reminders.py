"""Daily check-in reminders, missed check-in detection and the watch after a discharge.

Reminders go out at the time each patient chooses, in their own time zone, only if
today's check-in is not done yet, at most once per local day. Local times come from
zoneinfo, so daylight-saving changes are handled: a reminder set for a time that does
not exist that day (02:30 when clocks jump from 02:00 to 03:00) goes at 03:00, and a
time that happens twice (01:30 when clocks fall back) sends once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo

from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from waymark.checkins.models import CheckIn
from waymark.notifications.models import Kind, NotificationPreference
from waymark.notifications.services import Message, notify
from waymark.organizations.models import Membership, Role
from waymark.patients.models import Episode, Patient
from waymark.patients.watch import watch_day
from waymark.risk.services import reassess, settings_for

# Reminders are not sent more than this long after the chosen time (e.g. after downtime).
REMINDER_WINDOW = dt.timedelta(hours=2)
DEFAULT_REMINDER_TIME = dt.time(20, 0)

REMINDER = Message(
    kind=Kind.CHECKIN_REMINDER,
    title="Time for your daily check-in",
    body="It takes about a minute. However today has gone, it helps to note it.",
)


def active_patients() -> list[Patient]:
    """Patients whose membership is active, with their organization."""
    active_users = Membership.objects.filter(role=Role.PATIENT, is_active=True).values("user_id")
    return list(
        Patient.objects.filter(user_id__in=active_users, user__is_active=True).select_related(
            "organization", "user"
        )
    )


def reminder_instant(day: dt.date, reminder_time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of `reminder_time` on `day` in `tz`.

    A wall time that happens twice counts from its first occurrence; one that does not
    exist (skipped by a spring-forward change) becomes the first minute after the gap.
    """
    wanted = dt.datetime.combine(day, reminder_time, tzinfo=tz)
    first = wanted.replace(fold=0).astimezone(dt.UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wanted.replace(tzinfo=None):
        return first
    # In a gap: walk forward from just before it to the first wall time at or after.
    instant = wanted.replace(fold=1).astimezone(dt.UTC).replace(second=0, microsecond=0)
    while instant.astimezone(tz).time() < reminder_time or instant.astimezone(tz).date() < day:
        instant += dt.timedelta(minutes=1)
    return instant


def is_due(reminder_time: dt.time, local_now: dt.datetime) -> bool:
    """Whether `local_now` is within the window after today's reminder time."""
    tz = local_now.tzinfo
    assert isinstance(tz, zoneinfo.ZoneInfo)
    wanted = reminder_instant(local_now.date(), reminder_time, tz)
    now = local_now.astimezone(dt.UTC)
    return wanted <= now < wanted + REMINDER_WINDOW


def at_reminder_time(now: dt.datetime) -> list[tuple[Patient, dt.datetime]]:
    """Active patients whose chosen reminder time has just come, with their local time.

    Patients without preferences get the default time; those who turned reminders off
    are left out. Two queries, whatever the number of patients.
    """
    patients = active_patients()
    preferences = {
        (p.organization_id, p.user_id): p
        for p in NotificationPreference.objects.filter(user_id__in=[x.user_id for x in patients])
    }
    due = []
    for patient in patients:
        preference = preferences.get((patient.organization_id, patient.user_id))
        if preference is not None and not preference.reminders_enabled:
            continue
        local_now = now.astimezone(zoneinfo.ZoneInfo(patient.timezone))
        if is_due(preference.reminder_time if preference else DEFAULT_REMINDER_TIME, local_now):
            due.append((patient, local_now))
    return due


def send_checkin_reminders(now: dt.datetime) -> int:
    """Remind every patient whose time has come and who has not checked in today."""
    due = {patient: local_now.date() for patient, local_now in at_reminder_time(now)}
    done = set(
        CheckIn.objects.filter(patient__in=list(due), local_date__in=set(due.values())).values_list(
            "patient_id", "local_date"
        )
    )
    sent = 0
    for patient, local_date in due.items():
        if (patient.pk, local_date) in done:
            continue
        message = Message(**{**REMINDER.__dict__, "url": reverse("checkins:today")})
        if notify(
            patient.organization,
            patient.user,
            message,
            dedupe_key=f"checkin-reminder:{patient.pk}:{local_date.isoformat()}",
            patient=patient,
            now=now,
        ):
            sent += 1
    return sent


def detect_missed_checkins(now: dt.datetime) -> int:
    """Reassess the patients whose silence or follow-up needs noticing without new data.

    - Patients in care who have gone quiet, so the missed check-in rule can flag them.
    - Patients in the watch after a discharge (`risk.rules.watch_day`): when they have gone
      quiet (missed check-ins weigh one level more there), once their follow-up date has
      passed (the follow-up rule alerts the care team if nobody has been in touch), and on
      the day after the watch ends, so their caseload reasons stop saying they are watched.
    The rules themselves (thresholds adjustable per organization) live in risk/rules.py.
    A constant number of queries before the reassessments, whatever the number of patients.
    """
    in_care = Episode.objects.filter(patient=OuterRef("pk"), discharged_on__isnull=True)
    in_care_ids = set(Patient.objects.filter(Exists(in_care)).values_list("pk", flat=True))
    discharges = _recent_discharges(now)
    patients = [p for p in active_patients() if p.pk in in_care_ids or p.pk in discharges]
    last = dict(
        CheckIn.objects.filter(patient__in=patients)
        .values("patient_id")
        .annotate(day=Max("local_date"))
        .values_list("patient_id", "day")
    )
    settings = {
        organization_id: settings_for(organization_id)
        for organization_id in {p.organization_id for p in patients}
    }
    reassessed = 0
    for patient in patients:
        today = now.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
        quiet_since = last.get(patient.pk) or patient.created_at.date()
        risk_settings = settings[patient.organization_id]
        quiet = (today - quiet_since).days >= risk_settings.missed_days_moderate
        if patient.pk in in_care_ids:
            due = quiet
        else:
            on, follow_up = discharges[patient.pk]
            window = risk_settings.transition_days
            watched = watch_day(on, follow_up, today, window) is not None
            follow_up_passed = follow_up is not None and today > follow_up
            just_ended = not watched and (
                watch_day(on, follow_up, today - dt.timedelta(days=1), window) is not None
            )
            due = (watched and (quiet or follow_up_passed)) or just_ended
        if due:
            reassess(patient, now=now)
            reassessed += 1
    return reassessed


def _recent_discharges(now: dt.datetime) -> dict[object, tuple[dt.date, dt.date | None]]:
    """{patient id: (discharged on, follow-up on)} of the latest discharge of each patient
    not back in care whose watch may be running or have ended yesterday (one query; the
    exact day, in the patient's time zone and the organization's window, is the caller's)."""
    from waymark.risk.models import RiskSettings

    windows = RiskSettings.objects.values_list("transition_days", flat=True)
    widest = max([RiskSettings().transition_days, *windows])
    # A day either side for time zones, and two for the day after the watch.
    earliest = now.date() - dt.timedelta(days=widest + 4)
    back_in_care = Episode.objects.filter(patient=OuterRef("patient"), discharged_on__isnull=True)
    rows = (
        Episode.objects.filter(
            Q(discharged_on__gte=earliest)
            | Q(discharged_on__isnull=False, follow_up_on__gte=earliest + dt.timedelta(days=widest))
        )
        .exclude(Exists(back_in_care))
        .order_by("patient_id", "discharged_on", "pk")
        .values_list("patient_id", "discharged_on", "follow_up_on")
    )
    return {patient_id: (on, follow_up) for patient_id, on, follow_up in rows if on is not None}


QUESTIONNAIRE_DUE = Message(
    kind=Kind.QUESTIONNAIRE_DUE,
    title="A questionnaire is ready for you",
    body="It helps you and your care team see how things are changing. It takes a few minutes.",
)


def questionnaires_message(count: int) -> Message:
    """The reminder for `count` open questionnaires: one notification that says how many,
    linking to the list, never naming one (a name or a key in a link could reveal a
    diagnosis on a lock screen or in an e-mail)."""
    title = QUESTIONNAIRE_DUE.title if count == 1 else f"{count} questionnaires are ready for you"
    return Message(
        **{**QUESTIONNAIRE_DUE.__dict__, "title": title, "url": reverse("questionnaires:my_list")}
    )


def send_questionnaire_reminders(now: dt.datetime) -> int:
    """At each patient's reminder time: one reminder when a questionnaire falls due, and
    one more if it becomes overdue. Patients choose the time (and can turn reminders off).

    All that is open is merged into one notification ("2 questionnaires are ready for you");
    a new one is sent only when something falls due or becomes overdue (the dedupe key is
    the set of open occurrences and their stages)."""
    from waymark.questionnaires.services import todo_for

    sent = 0
    for patient, local_now in at_reminder_time(now):
        stages = sorted(
            f"{'overdue' if local_now.date() >= row.occurrence.overdue_from else 'due'}:"
            f"{row.key}:{row.occurrence.due_on.isoformat()}"
            for row in todo_for(patient, local_now.date()).open
        )
        if not stages:
            continue
        digest = hashlib.sha256("|".join(stages).encode()).hexdigest()[:32]
        if notify(
            patient.organization,
            patient.user,
            questionnaires_message(len(stages)),
            dedupe_key=f"questionnaires:{patient.pk}:{digest}",
            patient=patient,
            now=now,
        ):
            sent += 1
    return sent
