"""The audit trail: one append-only table.

Rows are written in the same transaction as the action they record. The
database itself refuses UPDATE and DELETE (triggers in migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from waymark.organizations.models import Organization


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Saw in a list"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"


class AuditObject(models.TextChoices):
    """What an audit entry is about, in the words the patient reads.

    On "who has looked at my record" each entry reads as the verb of its action and
    this label: "Looked at" + "your check-ins", "Saw" + "your name on the caseload".
    `record()` refuses any other object type, so every entry has its plain words.
    The stored values never change (the table is append-only): a new kind of entry
    gets a new choice.
    """

    # The record as a whole
    PATIENT = "patient", "your record"
    ENROLMENT = "enrolment", "you as a new patient"
    TIMELINE = "timeline", "your timeline"
    # Issue 16, point 2: the record printed, or its one-page summary downloaded
    RECORD_PRINT = "record_print", "your record, to print it"
    RECORD_SUMMARY = "record_summary", "a one-page summary of your record (PDF)"
    # Lists that show a patient's name
    CASELOAD = "caseload", "your name on the caseload"
    CENSUS = "census", "your name on the list of who is in each program"
    ALERTS_INBOX = "alerts_inbox", "an alert about you in the list of alerts"
    QUESTIONNAIRE_OVERDUE_LIST = (
        "questionnaire_overdue_list",
        "your name on the list of questionnaires not yet filled in",
    )
    PATIENT_LIST = "patient_list", "your name in a list of patients (through an app)"
    ADMIN_PATIENT_LIST = "admin_patient_list", "your name in the admin's list of patients"
    ADMIN_EPISODE_LIST = "admin_episode_list", "your stays in care in the admin's list"
    # Care: admissions, moves, discharges
    EPISODE = "episode", "your stay in care"
    PROGRAM_STAY = "program_stay", "a move to another program"
    DISCHARGE = "discharge", "your stay in care to record your discharge"
    TRANSITION_ADMIT = "transition_admit", "your record to admit you"
    TRANSITION_MOVE = "transition_move", "your record to move you to another program"
    TRANSITION_DISCHARGE = "transition_discharge", "your record to discharge you"
    # Issue 14: a supporter's read, under the patient's consent (also a Disclosure row)
    SUPPORTER_VIEW = "supporter_view", "what you chose to share with them, as your supporter"
    # What the patient records
    CHECKINS = "checkins", "your check-ins"
    RELAPSE_PLAN = "relapse_plan", "your relapse prevention plan"
    PLAN_VERSION = "plan_version", "your relapse prevention plan"
    SAFETY_PLAN = "safety_plan", "your safety plan"
    QUESTIONNAIRE_RESPONSES = "questionnaire_responses", "your questionnaire answers"
    QUESTIONNAIRE_RESPONSE = "questionnaire_response", "one of your questionnaires"
    QUESTIONNAIRE_EXPORT = "questionnaire_fhir", "your questionnaire answers"
    QUESTIONNAIRE_REQUEST = "questionnaire_request", "a request for you to fill in a questionnaire"
    # What the care team records
    CLINICAL_NOTES = "clinical_notes", "the clinical notes about you"
    CLINICAL_NOTE = "clinical_note", "a clinical note about you"
    CLINICAL_NOTE_ADDENDUM = "clinical_note_addendum", "an addition to a clinical note about you"
    MEDICATIONS = "medications", "your medications"
    MEDICATION = "medication", "one of your medications"
    # Issue 17: appointments and group sessions
    APPOINTMENTS = "appointments", "your appointments"
    APPOINTMENT = "appointment", "one of your appointments"
    SCHEDULE = "schedule", "your name on a clinician's schedule"
    GROUP_MEMBERS = "group_members", "your name in a group's list of members"
    GROUP_CHOICE = "group_choice", "your name in the list of patients who may join a group"
    GROUP_ATTENDANCE = "group_attendance", "your attendance at a group session"
    GROUP_NOTE = "group_note", "the note of a group session you attended"
    # Issue 17: messages with the care team
    MESSAGES = "messages", "your messages with your care team"
    MESSAGE_THREAD = "message_thread", "a conversation with your care team"
    MESSAGE_INBOX = "message_inbox", "your name in the care team's list of messages"
    MEETINGS = "meetings", "the mutual-help meetings you went to"
    SUPPORTER_CONSENTS = "supporter_consents", "who supports you and what you share with them"
    # Alerts
    ALERT = "alert", "an alert about you"
    ALERT_ACKNOWLEDGED = "alert_acknowledged", "an alert about you: acknowledged it"
    ALERT_ASSIGNED = "alert_assigned", "an alert about you: gave it to a clinician"
    ALERT_RESOLVED = "alert_resolved", "an alert about you: marked it resolved"
    ALERT_NOTE = "alert_note", "an alert about you: added a note"
    ALERT_ESCALATION = (
        "alert_escalation",
        "an alert about you: told the clinicians on call, as nobody had seen it yet",
    )
    # Issue 12, point 4: every other read that shows a patient's name or data
    NOTIFICATIONS = "notifications", "a notification about you in their notifications"
    ADMIN_SEARCH = "admin_search", "your name in the admin's search suggestions"
    ADMIN_MEMBERSHIP_LIST = "admin_membership_list", "your account in the admin's list of members"
    ADMIN_MEMBERSHIP = "admin_membership", "your account in the admin"
    ADMIN_AUDIT_LIST = (
        "admin_audit_list",
        "the record of who looked at your record, in the admin's list",
    )
    ADMIN_AUDIT_EVENT = "admin_audit_event", "an entry of who looked at your record"
    ADMIN_DELIVERY_LIST = "admin_delivery_list", "an e-mail to you or about you, in a list"
    ADMIN_DELIVERY = "admin_delivery", "an e-mail to you or about you"
    ADMIN_USER_LIST = "admin_user_list", "your account in the operator's list of accounts"
    ADMIN_USER = "admin_user", "your account, opened by an operator"
    ADMIN_TASK_LIST = "admin_task_list", "a background job about you, in the operator's list"
    ADMIN_TASK = "admin_task", "a background job about you, opened by an operator"
    # Staff accounts (issue 12): entries with no patient, never on a patient's page
    SECOND_FACTOR_RESET = (
        "second_factor_reset",
        "a staff member's second factor: removed it so they enrol again",
    )
    # Data rights (issue 12 point 9)
    DATA_EXPORT = "data_export", "your whole record, as a download (JSON)"
    DATA_EXPORT_FHIR = "data_export_fhir", "your whole record, as a download (FHIR)"
    ACCOUNT_CLOSURE = "account_closure", "your account, to close it"
    LEGAL_HOLD = "legal_hold", "the legal hold on your record"
    ERASURE = "erasure", "your record, to erase it after its retention period"
    # Issue 18: outcomes for research, without your name (dates shifted, ids replaced)
    OUTCOMES_RESEARCH_EXPORT = (
        "outcomes_research_export",
        "your care in a research download, without your name or real dates",
    )
    OUTCOMES_MISSED_LIST = (
        "outcomes_missed_list",
        "your name on the outcomes list of questionnaires missed or not yet looked at",
    )


VERBS = {
    AuditAction.VIEW: "Looked at",
    AuditAction.LIST: "Saw",
    AuditAction.CREATE: "Recorded",
    AuditAction.UPDATE: "Changed",
    AuditAction.DELETE: "Removed",
    AuditAction.EXPORT: "Exported",
}


def describe(action: str, object_type: str, times: int = 1) -> str:
    """One entry (or `times` alike on one day) in plain words: "Saw your name on the
    caseload 14 times"."""
    if object_type in AuditObject.values:
        thing = str(AuditObject(object_type).label)
    else:  # written before its object had a choice
        thing = "your name in a list of patients" if action == AuditAction.LIST else "your record"
    return f"{VERBS[AuditAction(action)]} {thing}" + (f" {times} times" if times > 1 else "")


class AuditEvent(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, choices=AuditObject.choices)
    object_id = models.CharField("object ID", max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)
    request_id = models.CharField(
        "request ID", max_length=64, blank=True
    )  # made by Waymark, never the client
    # The client's or proxy's own X-Request-ID, if it sent a well-formed one
    # (waymark/middleware.py). Nullable so that SQLite adds the column in place: a
    # NOT NULL column would make Django rebuild the table, dropping its triggers.
    client_request_id = models.CharField(  # noqa: DJ001
        "app's request ID", max_length=64, null=True, blank=True
    )
    ip = models.GenericIPAddressField("IP address", null=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "patient", "-at"]),
            # The outcomes list of answers nobody has looked at (outcomes/missed.py) asks,
            # per patient, when a clinician last opened their questionnaire answers; the
            # index above would walk every audit row of the patient (each caseload view
            # writes one). Only those looks are in this one, so it stays small.
            models.Index(
                fields=["organization", "patient", "-at"],
                condition=models.Q(
                    action=AuditAction.VIEW,
                    object_type__in=[
                        AuditObject.QUESTIONNAIRE_RESPONSES,
                        AuditObject.QUESTIONNAIRE_RESPONSE,
                    ],
                ),
                name="audit_questionnaire_looks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_role} {self.action} {self.object_type} {self.object_id}"

    def describe(self) -> str:
        """What happened, in words the patient reads on "who has looked at my record"."""
        return describe(self.action, self.object_type)
