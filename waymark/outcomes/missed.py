"""Issue 18 point 3: questionnaires missed, and answers nobody has looked at.

"A measure not looked at is a finding too." Two counts per patient and questionnaire,
for the dashboard's cohort (`scope.cohort`), each computed in one SQL statement:

- **Missed**: occurrences that came due in the period (due date within it) and closed
  without an answer, by the rules of `questionnaires.due` — the program schedules of
  the patient's matching stays (at admission, every N days while the stay lasts, at
  leaving the program, N days after discharge from care; from the schedule's
  `active_from`) and the care team's one-off requests. An occurrence closes
  `window_days` after its due date, or the day before the schedule's next one, and is
  missed once the patient's own today is past that day with no response to the
  questionnaire submitted between the due date and the close (for a request: submitted
  after it was made). Occurrences still open are not counted against anyone yet.

  *Why a query rather than a stored "missed" row*: due.py stores nothing because a
  changed schedule or a late-recorded discharge must be reflected at once; a stored row
  would go stale at exactly those edits and need its own repair job. The due dates are
  arithmetic on days since admission, so the query counts by arithmetic: each date becomes
  a day number (`date.toordinal()`). A repeating schedule's occurrences in one stay are
  due on d0 + k·step, so those due in the period and closed are a range of k. Their
  windows never overlap (each closes `window_days` after it is due or the day before the
  next, whichever is first; only the stay's last runs its full window), so an answer on
  day x can answer only occurrence k = ⌊(x − d0)/step⌋ (the last one, past it), and the
  answered ones are the distinct k that the answers in one index range per stay and
  schedule hit. One-off schedules and the care team's requests are few and are listed one
  by one. `tests/test_missed.py` checks the counts against due.py, on hand-built cohorts
  and on two dozen random stays, schedules and answers.

- **Not reviewed**: standing responses submitted in the period that no clinician has
  looked at since. Looking is what the audit trail records (it is written in the same
  transaction as every read, and is append-only): a clinician (a role that may ask for
  questionnaires, `Capability.ASSIGN_QUESTIONNAIRES`) opened that response
  (`questionnaire_response` with its id) or the patient's questionnaires page, which
  shows every answer and score (`questionnaire_responses`), at or after the response
  was submitted — or a clinician entered the answers themselves. Not used: the
  caseload's "reviewed" marker (`RecordReview`) says the record was opened, whose panel
  shows only score lines, not the answers; an alert acknowledgement concerns only the
  few responses that raise an alert.

The page lists the patients with a missed occurrence or an unreviewed response, most
missed first, then the oldest unreviewed; the counts table per questionnaire names no
one and is what the CSV export carries.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from waymark.access import Actor, Capability, audit_shown, can, roles_with
from waymark.audit.models import AuditAction, AuditObject
from waymark.outcomes.scope import Scope, cohort, matching_stays
from waymark.outcomes.sql import (
    date_of_sql,
    date_plus_sql,
    day_number_date_sql,
    day_number_sql,
    dict_rows,
    indexed_by,
    outer_first_join,
    unflattened,
    uuid_sql,
)
from waymark.patients.models import Patient
from waymark.questionnaires.models import Anchor

LIST_CAP = 50  # patients named on the page; the rest are "and N more"
_NO_DAY = 99_999_999  # sorts a patient with nothing unreviewed after every real day


@dataclass
class KeyCounts:
    """One questionnaire's counts, for one patient or for everyone."""

    key: str
    title: str = ""
    closed: int = 0  # occurrences due in the period that have closed
    missed: int = 0
    completed: int = 0  # standing responses submitted in the period
    unreviewed: int = 0
    patients_missed: int = 0
    patients_unreviewed: int = 0

    @property
    def missed_rate(self) -> float | None:
        return round(100 * self.missed / self.closed, 1) if self.closed else None


@dataclass
class ListedPatient:
    patient_id: uuid.UUID
    missed: int = 0
    unreviewed: int = 0
    oldest_unreviewed: dt.date | None = None
    keys: list[KeyCounts] = field(default_factory=list)
    patient: Patient | None = None  # filled only for a viewer who may see the record


@dataclass
class MissedReport:
    by_key: list[KeyCounts]
    listed: list[ListedPatient]
    listed_total: int  # patients with a missed occurrence or an unreviewed response
    names_shown: bool = False
    cap: int = LIST_CAP

    @property
    def more(self) -> int:
        return self.listed_total - len(self.listed)

    @property
    def total(self) -> KeyCounts:
        total = KeyCounts("all", "All questionnaires")
        for row in self.by_key:
            for name in ("closed", "missed", "completed", "unreviewed"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def _quoted(choice: str) -> str:
    """A choice's value as an SQL literal, not a parameter: the planner then sees that the
    audit's partial index of questionnaire looks applies (values are Waymark's constants)."""
    return "'" + str(choice).replace("'", "''") + "'"


def _todays(patient_timezones: list[str]) -> tuple[str, list[Any]]:
    """Each patient's today (due.py's `patient.local_today()`) as a CASE over the time
    zones of the cohort (read just before, so the ELSE is only for a patient who moved
    zone in between: UTC's today)."""
    now = timezone.now()
    when: list[str] = []
    params: list[Any] = []
    for name in sorted(set(patient_timezones)):
        when.append("WHEN %s THEN %s")
        params += [name, now.astimezone(zoneinfo.ZoneInfo(name)).date().toordinal()]
    default = now.astimezone(dt.UTC).date().toordinal()
    if not when:
        return "%s", [default]
    return f"CASE c.timezone {' '.join(when)} ELSE %s END", [*params, default]


def _statement(scope: Scope, cap: int) -> tuple[str, list[Any]]:
    """The one statement: `pt` the cohort, each patient numbered (`n`: sorting and grouping
    by an integer, not a UUID) with their today; `st` their matching stays; `sc` the active
    schedules; `rp` per stay and repeating schedule its first due day `d0`, the index
    `kend` of its last occurrence (an ended stay: its window runs `win` days, the others'
    `cmin`) and the range `klo`…`ktop` of those due in the period and closed (`kc` the last
    closed by today), with `rpa` how many of them its answers answered (one index range of
    the patient's responses: a count, no occurrence listed; listing the 380,000 of a year
    of 10,000 patients one by one and probing each for an answer was ~1.6 s of SQLite's
    2.5 s; each answer's day number is computed once, in subqueries SQLite may not fold
    into their caller, not in each of the seven places that use it: 0.43 -> 0.29 s);
    `once` the one-off due dates;
    `occ` those and the care team's requests, with their closing days; `due_in` those due
    in the period and closed; `closed` each with `missed` 1 when no response answered it
    (an index range on the patient's responses to that questionnaire, from
    the first day that can answer it: the due day, or for a request two days before it was
    made, as a response's own day is at most a day before its UTC date; the exact test
    stays beside it. Without that lower end each probe read all the earlier responses:
    ~18 % of the statement at 10,000 patients × a year with schedules); `page`
    each patient's last look at their questionnaires page and `one` each response's last
    look of its own (both grouped in one pass over the audit index of questionnaire looks);
    `rq` per patient and questionnaire the standing responses of the period, how many no
    clinician has looked at since and the day of the oldest of those: the organization's
    patients in primary-key order, each with its range of the covering (organization,
    patient, questionnaire, day, …) index, so the rows arrive grouped and no table row is
    read; kept for the cohort only where `pk` joins `pt` (joining the cohort per response
    made PostgreSQL hash all 810,000 responses of a year of 10,000 patients, and SQLite
    sort them to group them: 2.3 s; looking each response's patient up: 1.0 s; now 0.3 s);
    `pk` per patient and questionnaire; `listed` the patients ranked. Rows: 'p' per listed
    patient and questionnaire (the first `cap` patients), 'k' per questionnaire for all."""
    patients = cohort(scope).order_by().values("pk", "timezone")
    cohort_sql, cohort_params = patients.query.sql_with_params()
    zones = list(patients.values_list("timezone", flat=True).distinct().order_by())
    today_sql, today_params = _todays(zones)
    stays = matching_stays(scope).annotate(discharged=F("episode__discharged_on"))
    stays_sql, stays_params = stays.values(
        "patient_id", "program_id", "started_on", "ended_on", "planned_end_on", "discharged"
    ).query.sql_with_params()
    start, end = scope.start.toordinal(), scope.end.toordinal()
    org = scope.organization_id
    first = "st.started + sc.off"
    # A repeating schedule's occurrence k of one stay (`rp`) is due on d0 + k·step; x, an
    # answer's day number; `k` the one occurrence an answer on day x can answer, which it
    # answers when x is at most `win` days after its due day (the window can close sooner,
    # the day before the next is due, but x is before that day when k is ⌊(x − d0)/step⌋).
    k = "CASE WHEN (a.x - rp.d0) / rp.step > rp.kend THEN rp.kend ELSE (a.x - rp.d0) / rp.step END"
    low = f"CASE WHEN sc.active > {start} THEN sc.active ELSE {start} END"
    responses = "questionnaires_questionnaireresponse"
    # Whose look counts: the roles that act on questionnaires (ask for one), i.e. clinicians
    looking_roles = roles_with(Capability.ASSIGN_QUESTIONNAIRES)
    lookers = ", ".join(["%s"] * len(looking_roles))
    # Entered by someone else (a clinician), or looked at since: on its own or on the page.
    reviewed = (
        "q.submitted_by_id <> p.user_id OR page.at >= q.submitted_at OR one.at >= q.submitted_at"
    )
    sql = f"""
WITH
pt AS MATERIALIZED (SELECT c.pk AS id, {today_sql} AS today,
  ROW_NUMBER() OVER (ORDER BY c.pk) AS n FROM ({cohort_sql}) c),
st AS MATERIALIZED (
  SELECT pt.n AS pn, s.program_id, pt.today, {day_number_sql("s.started_on")} AS started,
    {day_number_sql("s.ended_on")} AS ended, {day_number_sql("s.planned_end_on")} AS planned,
    {day_number_sql("s.discharged")} AS discharged
  FROM ({stays_sql}) s JOIN pt ON pt.id = s.patient_id),
sc AS (
  SELECT program_id, questionnaire_key AS qkey, anchor, offset_days AS off,
    NULLIF(repeat_every_days, 0) AS step, window_days AS win,
    {day_number_sql("active_from")} AS active
  FROM questionnaires_schedule WHERE organization_id = %s AND is_active = %s),
once AS (
  SELECT st.pn, st.today, sc.qkey, sc.active, sc.win, sc.off + CASE sc.anchor
      WHEN '{Anchor.ADMISSION}' THEN st.started
      WHEN '{Anchor.DISCHARGE}' THEN COALESCE(st.ended, st.planned)
      ELSE st.discharged END AS due,
    CASE sc.anchor
      WHEN '{Anchor.ADMISSION}' THEN st.ended IS NULL OR {first} <= st.ended
      WHEN '{Anchor.DISCHARGE}' THEN COALESCE(st.ended, st.planned) IS NOT NULL
      ELSE st.discharged IS NOT NULL AND st.ended = st.discharged END AS valid
  FROM st JOIN sc ON sc.program_id = st.program_id WHERE sc.step IS NULL),
rp AS MATERIALIZED (
  SELECT pn, qkey, d0, step, win, kend, klo, CASE WHEN khi < kc THEN khi ELSE kc END AS ktop
  FROM (SELECT pn, qkey, d0, step, win, kend, klo, khi,
      CASE WHEN kend IS NOT NULL AND kc >= kend
        THEN CASE WHEN d0 + kend * step + win < today THEN kend ELSE kend - 1 END
        ELSE kc END AS kc
    FROM (SELECT pn, today, qkey, d0, step, win, cmin,
        CASE WHEN ended < d0 THEN -1 ELSE (ended - d0) / step END AS kend,
        CASE WHEN lo > d0 THEN (lo - d0 + step - 1) / step ELSE 0 END AS klo,
        CASE WHEN hi < d0 THEN -1 ELSE (hi - d0) / step END AS khi,
        CASE WHEN today - 1 - cmin < d0 THEN -1 ELSE (today - 1 - cmin - d0) / step END AS kc
      FROM (SELECT st.pn, CAST(st.today AS INTEGER) AS today, sc.qkey, sc.step, sc.win,
          st.ended, CAST({first} AS INTEGER) AS d0, {low} AS lo,
          CASE WHEN st.ended < {end} THEN st.ended ELSE {end} END AS hi,
          CASE WHEN sc.step - 1 < sc.win THEN sc.step - 1 ELSE sc.win END AS cmin
        FROM st JOIN sc ON sc.program_id = st.program_id
        WHERE sc.step IS NOT NULL AND sc.anchor = '{Anchor.ADMISSION}') r0) r1) r2),
rpa AS (
  SELECT rp.pn, rp.qkey, rp.ktop - rp.klo + 1 AS closed, (
      SELECT COUNT(DISTINCT a.k) FROM (SELECT a.x, {k} AS k FROM (
          SELECT {day_number_sql("r.submitted_on")} AS x FROM {responses} r
          WHERE r.organization_id = %s AND r.patient_id = pt.id AND r.questionnaire_key = rp.qkey
          AND r.submitted_on >= {day_number_date_sql("rp.d0 + rp.klo * rp.step")}
          AND r.submitted_on <= {day_number_date_sql("rp.d0 + rp.ktop * rp.step + rp.win")}
          {unflattened()}) a {unflattened()}) a
      WHERE a.k <= rp.ktop AND a.x <= rp.d0 + a.k * rp.step + rp.win
    ) AS answered
  FROM rp JOIN pt ON pt.n = rp.pn WHERE rp.ktop >= rp.klo),
occ AS (
  SELECT pt.n AS pn, pt.today, a.questionnaire_key AS qkey, {day_number_sql("a.due_on")} AS due,
    {day_number_sql("a.closes_on")} AS closes, {day_number_sql("a.due_on")} AS active, a.created_at
  FROM questionnaires_assignment a JOIN pt ON pt.id = a.patient_id
  WHERE a.organization_id = %s
  UNION ALL SELECT pn, today, qkey, due, due + win, active, NULL FROM once WHERE valid),
due_in AS (
  SELECT pn, qkey, due, closes, created_at FROM occ
  WHERE due BETWEEN {start} AND {end} AND due >= active AND closes < today),
closed AS (
  SELECT d.pn, d.qkey, CASE WHEN EXISTS (
      SELECT 1 FROM {responses} r WHERE r.organization_id = %s
      AND r.patient_id = pt.id AND r.questionnaire_key = d.qkey
      AND r.submitted_at >= COALESCE(d.created_at, {day_number_date_sql("d.due - 1")})
      AND r.submitted_at < {day_number_date_sql("d.closes + 2")}
      AND r.submitted_on <= {day_number_date_sql("d.closes")}
      AND (d.created_at IS NOT NULL OR r.submitted_on >= {day_number_date_sql("d.due")})
      AND r.submitted_on >= CASE WHEN d.created_at IS NULL THEN {day_number_date_sql("d.due")}
        ELSE {date_plus_sql(date_of_sql("d.created_at"), -2)} END
    ) THEN 0 ELSE 1 END AS missed
  FROM due_in d JOIN pt ON pt.n = d.pn),
page AS (
  SELECT e.patient_id, MAX(e.at) AS at FROM audit_auditevent e
  WHERE e.organization_id = %s AND e.action = {_quoted(AuditAction.VIEW)}
  AND e.object_type = {_quoted(AuditObject.QUESTIONNAIRE_RESPONSES)}
  AND e.actor_role IN ({lookers}) GROUP BY e.patient_id),
one AS (
  SELECT {uuid_sql("e.object_id")} AS response_id, MAX(e.at) AS at
  FROM audit_auditevent e JOIN pt ON pt.id = e.patient_id
  WHERE e.organization_id = %s AND e.action = {_quoted(AuditAction.VIEW)}
  AND e.object_type = {_quoted(AuditObject.QUESTIONNAIRE_RESPONSE)}
  AND e.actor_role IN ({lookers}) GROUP BY e.object_id),
rq AS (
  SELECT p.id AS patient_id, q.questionnaire_key AS qkey, COUNT(*) AS completed,
    SUM(CASE WHEN {reviewed} THEN 0 ELSE 1 END) AS unreviewed,
    MIN(CASE WHEN {reviewed} THEN NULL ELSE q.submitted_on END) AS oldest
  FROM patients_patient p
  {outer_first_join()} {responses} q {indexed_by("response_patient_day_cover")}
    ON q.organization_id = p.organization_id AND q.patient_id = p.id
  LEFT JOIN page ON page.patient_id = p.id LEFT JOIN one ON one.response_id = q.id
  WHERE p.organization_id = %s AND q.submitted_on BETWEEN %s AND %s
  AND q.id NOT IN (SELECT c.corrects_id FROM {responses} c WHERE c.organization_id = %s
    AND c.corrects_id IS NOT NULL)
  GROUP BY p.id, q.questionnaire_key),
pk AS (
  SELECT pn, qkey, SUM(missed) AS missed, SUM(closed) AS closed,
    SUM(unreviewed) AS unreviewed, SUM(completed) AS completed, MIN(oldest) AS oldest
  FROM (SELECT pn, qkey, SUM(missed) AS missed, COUNT(*) AS closed, 0 AS unreviewed,
      0 AS completed, NULL AS oldest FROM closed GROUP BY pn, qkey
    UNION ALL SELECT pn, qkey, closed - answered, closed, 0, 0, CAST(NULL AS INTEGER) FROM rpa
    UNION ALL SELECT pt.n, rq.qkey, 0, 0, rq.unreviewed, rq.completed,
      {day_number_sql("rq.oldest")} FROM rq JOIN pt ON pt.id = rq.patient_id) u
  GROUP BY pn, qkey),
pp AS (
  SELECT pk.*, SUM(missed) OVER (PARTITION BY pn) AS p_missed,
    SUM(unreviewed) OVER (PARTITION BY pn) AS p_unreviewed,
    MIN(oldest) OVER (PARTITION BY pn) AS p_oldest FROM pk),
listed AS (
  SELECT pp.*, DENSE_RANK() OVER (ORDER BY p_missed DESC,
    COALESCE(p_oldest, {_NO_DAY}), pn) AS rnk
  FROM pp WHERE p_missed > 0 OR p_unreviewed > 0)
SELECT 'p' AS part, pt.id AS patient_id, qkey, missed, closed, unreviewed, completed,
  oldest, rnk,
  (SELECT MAX(rnk) FROM listed) AS listed_total, 0 AS patients_missed,
  0 AS patients_unreviewed
FROM listed JOIN pt ON pt.n = listed.pn WHERE rnk <= {cap}
UNION ALL
SELECT 'k', NULL, qkey, SUM(missed), SUM(closed), SUM(unreviewed), SUM(completed), NULL,
  0, 0, SUM(CASE WHEN missed > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN unreviewed > 0 THEN 1 ELSE 0 END)
FROM pk GROUP BY qkey
"""  # noqa: S608 -- Django's compiled SQL, integers and constants; values are parameters
    params = [
        *today_params,
        *cohort_params,
        *stays_params,
        org,
        True,
        org,  # rpa's answers
        org,  # occ's requests
        org,  # closed's answers
        org,  # page
        *looking_roles,
        org,
        *looking_roles,
        org,
        scope.start,
        scope.end,
        org,
    ]
    return sql, params


def missed_counts(scope: Scope, *, cap: int = LIST_CAP) -> MissedReport:
    """Per questionnaire and per listed patient (the first `cap`, by most missed then
    oldest unreviewed): two queries (the cohort's time zones, then the counts)."""
    from waymark.questionnaires.panels import short_titles

    sql, params = _statement(scope, cap)
    # No JIT on PostgreSQL: Waymark's connections turn it off (settings.py); compiling this
    # statement took ~2 s of a ~3 s run (EXPLAIN ANALYZE, 3,000 patients).
    rows = dict_rows(sql, params)
    titles = short_titles({row["qkey"] for row in rows}, scope.organization_id)
    by_key: list[KeyCounts] = []
    listed: dict[uuid.UUID, ListedPatient] = {}
    ranks: dict[uuid.UUID, int] = {}
    total = 0
    for row in rows:
        counts = KeyCounts(
            row["qkey"],
            titles.get(row["qkey"]) or row["qkey"],
            closed=int(row["closed"] or 0),
            missed=int(row["missed"] or 0),
            completed=int(row["completed"] or 0),
            unreviewed=int(row["unreviewed"] or 0),
            patients_missed=int(row["patients_missed"] or 0),
            patients_unreviewed=int(row["patients_unreviewed"] or 0),
        )
        if row["part"] == "k":
            by_key.append(counts)
            continue
        total = int(row["listed_total"])
        patient_id = uuid.UUID(str(row["patient_id"]))
        ranks[patient_id] = int(row["rnk"])
        entry = listed.setdefault(patient_id, ListedPatient(patient_id))
        entry.missed += counts.missed
        entry.unreviewed += counts.unreviewed
        if row["oldest"] is not None:
            oldest = dt.date.fromordinal(int(row["oldest"]))
            if entry.oldest_unreviewed is None or oldest < entry.oldest_unreviewed:
                entry.oldest_unreviewed = oldest
        if counts.missed or counts.unreviewed:
            entry.keys.append(counts)
    for entry in listed.values():
        entry.keys.sort(key=lambda k: k.title)
    return MissedReport(
        sorted(by_key, key=lambda k: k.title),
        sorted(listed.values(), key=lambda p: ranks[p.patient_id]),
        total,
        cap=cap,
    )


def missed_and_unreviewed(actor: Actor, scope: Scope) -> MissedReport:
    """The report, with the listed patients' names (`with_names`)."""
    return with_names(actor, scope, missed_counts(scope))


def with_names(actor: Actor, scope: Scope, report: MissedReport) -> MissedReport:
    """The listed patients' names for a viewer who may open their records; naming them is
    a read by someone else, so each one named is audited (in the caller's transaction, or
    one of its own)."""
    if not report.listed or not can(actor, Capability.VIEW_PATIENT_RECORD):
        return report
    with transaction.atomic(savepoint=False):  # no savepoint inside the caller's
        found = scope.patients.in_bulk([entry.patient_id for entry in report.listed])
        for entry in report.listed:
            entry.patient = found.get(entry.patient_id)
        report.listed = [entry for entry in report.listed if entry.patient is not None]
        audit_shown(
            actor,
            (entry.patient for entry in report.listed if entry.patient is not None),
            object_type=AuditObject.OUTCOMES_MISSED_LIST,
        )
        report.names_shown = True
    return report


def per_patient(report: MissedReport) -> dict[uuid.UUID, dict[str, tuple[int, int]]]:
    """{patient: {key: (missed, unreviewed)}}: the list as plain numbers (tests)."""
    found: dict[uuid.UUID, dict[str, tuple[int, int]]] = defaultdict(dict)
    for entry in report.listed:
        for counts in entry.keys:
            found[entry.patient_id][counts.key] = (counts.missed, counts.unreviewed)
    return dict(found)


def counts_table(scope: Scope, anchor: str) -> tuple[list[str], list[list[object]]]:
    """The counts per questionnaire as a CSV table (exports.TABLES): no patient named."""
    from waymark.outcomes.exports import suppress

    header = ["questionnaire", "due_and_closed", "missed", "patients_missed", "answered",
              "not_looked_at", "patients_not_looked_at"]  # fmt: skip
    rows = []
    for row in missed_counts(scope, cap=0).by_key:
        line: list[object] = [row.title, row.closed, row.missed, row.patients_missed,
                              row.completed, row.unreviewed, row.patients_unreviewed]  # fmt: skip
        rows.append(suppress(line, n=max(row.closed, row.completed), counts=range(1, len(line))))
    return header, rows
