"""Read-side queries for patient lists, built on the access layer's scoping."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from waymark.patients.models import CareTeamMember, Patient, ProgramStay


def _open_stay() -> QuerySet[ProgramStay]:
    return ProgramStay.objects.filter(
        patient=OuterRef("pk"), organization=OuterRef("organization"), ended_on__isnull=True
    ).order_by("-started_on")


def last_stay(field: str) -> Subquery:
    """For an Episode query: `field` of the episode's last program stay (e.g. "program__level")."""
    return Subquery(
        ProgramStay.objects.filter(episode=OuterRef("pk"))
        .order_by("-started_on", "-id")
        .values(field)[:1]
    )


def with_current_program(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate each patient with the program of their open stay (None if not in care)."""
    open_stay = _open_stay()
    return patients.annotate(
        current_program=Subquery(open_stay.values("program__name")[:1]),
        current_level=Subquery(open_stay.values("program__level")[:1]),
        program_since=Subquery(open_stay.values("started_on")[:1]),
    )


def caseload(
    patients: QuerySet[Patient],
    *,
    program_id: int | None = None,
    level: str = "",
    clinician_id: int | None = None,
) -> QuerySet[Patient]:
    """The caseload's patients (filtered) with what each row shows from its PatientRisk row.

    Not ordered: `waymark.patients.keyset.caseload_page` reads it in the caseload's order
    a page at a time (open alerts first, then risk, then recency; DESIGN's safety net).
    Everything shown comes from the patient's PatientRisk row, joined once; a patient
    without one counts as none.
    """
    if program_id:
        patients = patients.filter(Exists(_open_stay().filter(program_id=program_id)))
    if level:
        patients = patients.filter(Exists(_open_stay().filter(program__level=level)))
    if clinician_id:
        team = CareTeamMember.objects.filter(patient=OuterRef("pk"), clinician_id=clinician_id)
        patients = patients.filter(Exists(team))
    # issue 12 point 9: a closed account (rights.AccountClosure) leaves the caseload.
    patients = patients.filter(closure__isnull=True)
    return patients.annotate(
        risk_id=F("risks__pk"),
        risk_organization_id=F("risks__organization_id"),
        # The order's own columns, uncoalesced, so the database can walk the index
        # patientrisk_caseload_keyset instead of sorting the whole organization.
        order_urgent=F("risks__urgent_unacked"),
        order_level=F("risks__sort_level"),
        order_patient=F("risks__patient_id"),
        urgent_unacked=Coalesce(F("risks__urgent_unacked"), Value(False)),
        sort_level=Coalesce(F("risks__sort_level"), Value(0)),
        risk_level=Coalesce(F("risks__level"), Value(0)),
        risk_reasons=F("risks__reasons"),
        last_checkin_on=F("risks__last_checkin_on"),
        last_activity_at=F("risks__last_activity_at"),
        craving_14d=F("risks__craving_14d"),
        phq9_score=F("risks__phq9_score"),
        phq9_band=F("risks__phq9_band"),
    )


def attach_current_programs(patients: list[Patient]) -> list[Patient]:
    """Set current_program / current_level / program_since on a page of patients.

    One query for the page, after sorting and slicing: computing it per row inside the
    sorted query would cost a subquery for every patient of the caseload, not 50.
    """
    stays = ProgramStay.objects.filter(
        patient__in=[p.pk for p in patients], ended_on__isnull=True
    ).select_related("program")
    current = {stay.patient_id: stay for stay in stays}
    for patient in patients:
        stay = current.get(patient.pk)
        patient.current_program = stay.program.name if stay else None  # type: ignore[attr-defined]
        patient.current_level = stay.program.level if stay else None  # type: ignore[attr-defined]
        patient.program_since = stay.started_on if stay else None  # type: ignore[attr-defined]
    return patients
