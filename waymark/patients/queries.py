"""Read-side queries for patient lists, built on the access layer's scoping."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Exists, F, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from waymark.organizations.models import LevelOfCare, Program
from waymark.patients.models import CareTeamMember, Episode, Patient, ProgramStay

_RECORD = "_record_episodes_and_stays"


def _episodes_and_stays(patient: Patient) -> tuple[list[Episode], list[ProgramStay]]:
    """The patient's episodes (newest first) and stays (oldest first, each with its episode
    and program) in one query: the episodes LEFT JOIN their stays and programs, so an
    episode without a stay is there too. Kept on this request's patient object."""
    kept: tuple[list[Episode], list[ProgramStay]] | None = patient.__dict__.get(_RECORD)
    if kept is not None:
        return kept
    models = (Episode, ProgramStay, Program)
    prefixes = ("", "stays__", "stays__program__")
    names = [[f.attname for f in model._meta.concrete_fields] for model in models]
    columns = [
        [prefix + name for name in some] for some, prefix in zip(names, prefixes, strict=True)
    ]
    rows = (
        Episode.objects.filter(organization_id=patient.organization_id, patient=patient)
        .order_by("-admitted_on", "pk", "stays__started_on", "stays__pk")
        .values_list(*columns[0], *columns[1], *columns[2])
    )
    episodes: dict[int, Episode] = {}
    stays: list[ProgramStay] = []
    first_stay, first_program = len(columns[0]), len(columns[0]) + len(columns[1])
    for row in rows:
        episode = episodes.get(row[0])
        if episode is None:
            episode = Episode.from_db(rows.db, names[0], row[:first_stay])
            episodes[row[0]] = episode
        if row[first_stay] is None:
            continue  # an episode without a stay
        stay = ProgramStay.from_db(rows.db, names[1], row[first_stay:first_program])
        stay.episode = episode
        stay.program = Program.from_db(rows.db, names[2], row[first_program:])
        stays.append(stay)
    stays.sort(key=lambda stay: (stay.started_on, stay.pk))
    kept = (list(episodes.values()), stays)
    patient.__dict__[_RECORD] = kept
    return kept


def patient_stays(patient: Patient) -> list[ProgramStay]:
    """Every stay of the patient, oldest first, with its episode and program.

    Read once for the patient record, whose view (the episodes), check-ins panel (the
    detox stay) and questionnaires panel (the schedules) all need it, with the episodes
    in the same query, and kept on this request's patient object (issue 13, point 4).
    Only readers use it; a workflow that changes stays reads them itself.
    """
    return _episodes_and_stays(patient)[1]


def current_detox_stay_of(stays: Iterable[ProgramStay]) -> ProgramStay | None:
    """The latest open stay in a withdrawal management (detox) program of an open episode."""
    found = [
        stay
        for stay in stays
        if stay.ended_on is None
        and stay.episode.discharged_on is None
        and stay.program.level == LevelOfCare.DETOX
    ]
    return max(found, key=lambda stay: stay.started_on) if found else None


def set_prefetched(instance: Model, name: str, related: list[Any]) -> None:
    """Give `instance.<name>.all()` rows already read, as `prefetch_related` would, so a
    template iterating over it runs no query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = related
    queryset._prefetch_done = True
    # Replaces what was kept before (as the check-in's answer after an edit needs).
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def episodes_with_stays(patient: Patient) -> list[Episode]:
    """The patient's episodes, newest first, each with its stays (`episode.stays.all`,
    oldest first), read with `patient_stays` in one query."""
    episodes, stays = _episodes_and_stays(patient)
    by_episode: dict[int, list[ProgramStay]] = {}
    for stay in stays:
        by_episode.setdefault(stay.episode_id, []).append(stay)
    for episode in episodes:
        set_prefetched(episode, "stays", by_episode.get(episode.pk, []))
    return episodes


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


def search_fields() -> list[str]:
    """The Patient fields the caseload's search matches: every name field (preferred and
    legal) and the per-organization `record_number`. Read from the model, so a name field
    added later is searched with nothing to change here."""
    return [
        field.name
        for field in Patient._meta.concrete_fields
        if field.name == "record_number"
        or (isinstance(field, CharField) and field.name.endswith("name"))
    ]


def matching(patients: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Patients one of whose names or record number contains every word of `text`."""
    for word in text.split()[:5]:
        found = Q()
        for name in search_fields():
            found |= Q(**{f"{name}__icontains": word})
        patients = patients.filter(found)
    return patients


def without_closed_accounts(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Issue 12 point 9: a closed account (rights.AccountClosure) leaves the caseload.

    As NOT EXISTS (an anti-join), not a LEFT JOIN … IS NULL: on the latter PostgreSQL's
    planner expected a handful of rows and sorted the whole organization (34 ms at 5,000
    patients) instead of walking patientrisk_caseload_keyset to the first page (1 ms)."""
    # Reached through the relation rather than imported: rights is a feature app.
    closures: Any = Patient._meta.get_field("closure").related_model
    return patients.filter(~Exists(closures.objects.filter(patient=OuterRef("pk"))))


def caseload(
    patients: QuerySet[Patient],
    *,
    program_id: int | None = None,
    level: str = "",
    clinician_id: int | None = None,
) -> QuerySet[Patient]:
    """The caseload's patients (filtered) with what each row shows from its PatientRisk row.

    Not ordered: `waymark.patients.keyset.caseload_page` reads it in the order asked for
    a page at a time (by default open alerts first, then risk, then recency; DESIGN's
    safety net). Everything shown comes from the patient's PatientRisk row, joined once;
    a patient without one counts as none.
    """
    if program_id:
        patients = patients.filter(Exists(_open_stay().filter(program_id=program_id)))
    if level:
        patients = patients.filter(Exists(_open_stay().filter(program__level=level)))
    if clinician_id:
        team = CareTeamMember.objects.filter(patient=OuterRef("pk"), clinician_id=clinician_id)
        patients = patients.filter(Exists(team))
    patients = without_closed_accounts(patients)
    return patients.annotate(
        risk_id=F("risks__pk"),
        risk_organization_id=F("risks__organization_id"),
        # The order's own columns, uncoalesced, so the database can walk the index
        # patientrisk_caseload_keyset instead of sorting the whole organization.
        order_urgent=F("risks__urgent_unacked"),
        order_level=F("risks__sort_level"),
        order_patient=F("risks__patient_id"),
        order_checkin=F("risks__last_checkin_on"),
        order_phq9=F("risks__phq9_score"),
        order_program=F("risks__program_since"),
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
    ).values_list("patient_id", "program__name", "program__level", "started_on")
    current = {patient_id: rest for patient_id, *rest in stays}  # values: no model instances
    for patient in patients:
        name, level, since = current.get(patient.pk, (None, None, None))
        patient.current_program = name  # type: ignore[attr-defined]
        patient.current_level = level  # type: ignore[attr-defined]
        patient.program_since = since  # type: ignore[attr-defined]
    return patients
