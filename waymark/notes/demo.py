"""Demo clinical notes: signed DAP and SOAP notes, an addendum, and drafts.

Written through notes.services by each patient's primary clinician, so the audit
trail and the immutability rules are exercised as in real use. Patients who already
have notes are left as they are (the step runs on every `make demo`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.access import Actor
from waymark.demo.registry import DemoContext, demo_step
from waymark.notes.models import ClinicalNote, NoteFormat, ServiceType
from waymark.notes.services import NoteData, add_addendum, create_note
from waymark.organizations.models import Membership, Role
from waymark.patients.models import CareTeamMember, Patient

PATIENTS_PER_ORGANIZATION = 6

DAP_NOTES = (
    {
        "data": "Individual session, 50 minutes. {name} reports cravings most evenings, "
        "rated 6/10, strongest after contact with old friends. No use since the last session. "
        "Sleeping about five hours a night.",
        "assessment": "Engaged and reflective. Cravings are predictable and tied to social "
        "cues; coping strategies are working but not yet automatic. No safety concerns raised.",
        "plan": "Practise urge surfing daily and log cravings in the check-in. Add two evening "
        "alternatives to the relapse prevention plan. Review next week.",
    },
    {
        "data": "Group session and one-to-one follow-up. {name} describes low mood on waking "
        "and irritability. Daily check-ins completed 6 of the last 7 days.",
        "assessment": "Low mood consistent with early recovery; monitor with the next PHQ-9. "
        "Motivation remains good.",
        "plan": "PHQ-9 due this week. Encourage morning walks and a regular sleep time. "
        "Discuss mood with the prescriber if the score rises.",
    },
)
SOAP_NOTE = {
    "subjective": "{name} reports lower abdominal discomfort and needing to pass urine more "
    "often over the past weeks.",
    "objective": "Alert and oriented. Check-in symptoms match the report. No fever reported.",
    "assessment": "Urinary symptoms in a person with a history of ketamine use need prompt "
    "medical review; they often improve when use stops early.",
    "plan": "Referral to the GP/primary care today for urine tests and review. Explained why "
    "this matters. Follow up at the next session.",
}
DRAFT_NOTE = {
    "data": "Brief check-in call with {name}. Reports a difficult weekend.",
    "assessment": "",
    "plan": "",
}
ADDENDUM = "Correction: the session was 45 minutes, not 50. Content otherwise as recorded."


def primary_clinician_actor(patient: Patient) -> Actor | None:
    """The patient's primary clinician, acting in the patient's organization."""
    member = (
        CareTeamMember.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("clinician")
        .first()
    )
    if member is None:
        return None
    membership = Membership.objects.filter(
        organization_id=patient.organization_id, user=member.clinician, role=Role.CLINICIAN
    ).first()
    return Actor(user=member.clinician, membership=membership) if membership else None


def _fill(template: dict[str, str], patient: Patient) -> dict[str, str]:
    return {field: text.format(name=patient.preferred_name) for field, text in template.items()}


def _note(
    note_format: str,
    sections: dict[str, str],
    session: tuple[int, int, ServiceType],
    *,
    sign: bool = True,
) -> NoteData:
    """A note about a session (days ago, minutes, service type) that began at 10:00 UTC."""
    days_ago, minutes, service = session
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    return NoteData(
        note_format,
        sections,
        session_at=start - dt.timedelta(days=days_ago),
        duration_minutes=minutes,
        service_type=service,
        sign=sign,
    )


def _write_notes(actor: Actor, patient: Patient, number: int) -> None:
    dap = _fill(DAP_NOTES[number % 2], patient)
    first = create_note(actor, patient, _note(NoteFormat.DAP, dap, (7, 50, ServiceType.INDIVIDUAL)))
    if number % 3 == 0:
        add_addendum(actor, first, ADDENDUM)
    if number % 2 == 0:
        soap = _fill(SOAP_NOTE, patient)
        create_note(
            actor, patient, _note(NoteFormat.SOAP, soap, (2, 30, ServiceType.CASE_MANAGEMENT))
        )
    else:
        draft = _fill(DRAFT_NOTE, patient)
        session = (1, 60, ServiceType.GROUP)
        create_note(actor, patient, _note(NoteFormat.DAP, draft, session, sign=False))


@demo_step(order=700)
def seed_clinical_notes(ctx: DemoContext) -> None:
    """A few notes for the first patients in care of each organization."""
    in_care = {patient.pk for patient in ctx.patients_in_care()}
    chosen = [
        patient
        for demo_org in ctx.organizations
        for patient in [p for p in demo_org.patients if p.pk in in_care][:PATIENTS_PER_ORGANIZATION]
    ]
    done = set(ClinicalNote.objects.filter(patient__in=chosen).values_list("patient_id", flat=True))
    todo = [patient for patient in chosen if patient.pk not in done]
    ctx.progress.expect(len(todo))
    for number, patient in enumerate(todo):
        actor = primary_clinician_actor(patient)
        if actor is not None:
            _write_notes(actor, patient, number)
        ctx.progress.advance()
