"""Read-side queries for patient lists, built on the access layer's scoping."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from waymark.patients.models import Patient, ProgramStay


def with_current_program(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate each patient with the program of their open stay (None if not in care)."""
    open_stay = ProgramStay.objects.filter(
        patient=OuterRef("pk"), organization=OuterRef("organization"), ended_on__isnull=True
    ).order_by("-started_on")
    return patients.annotate(
        current_program=Subquery(open_stay.values("program__name")[:1]),
        current_level=Subquery(open_stay.values("program__level")[:1]),
        program_since=Subquery(open_stay.values("started_on")[:1]),
    )
