"""Demo clinical notes: signed DAP and SOAP notes, an addendum, and drafts.

Written through notes.services by each patient's primary clinician, so the audit
trail and the immutability rules are exercised as in real use. Patients who already
have notes are left as they are (the step runs on every `make demo`).
"""

from __future__ import annotations

from waymark.access import Actor
from waymark.demo.registry import DemoContext, demo_step
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.notes.services import add_addendum, start_note
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


def _write_notes(actor: Actor, patient: Patient, number: int) -> None:
    first = start_note(
        actor,
        patient,
        note_format=NoteFormat.DAP,
        sections=_fill(DAP_NOTES[number % 2], patient),
        sign=True,
    )
    if number % 3 == 0:
        add_addendum(actor, first, ADDENDUM)
    if number % 2 == 0:
        start_note(
            actor,
            patient,
            note_format=NoteFormat.SOAP,
            sections=_fill(SOAP_NOTE, patient),
            sign=True,
        )
    else:
        start_note(actor, patient, note_format=NoteFormat.DAP, sections=_fill(DRAFT_NOTE, patient))


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
