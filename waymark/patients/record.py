"""The header that identifies the person at the top of their record, its print view and
its one-page PDF summary (issue 16, point 2).

Reads only: the view has checked access and audited the read before any of this runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from waymark.organizations.models import LevelOfCare
from waymark.patients.hooks import RecordFlag, flag_providers, watch_days
from waymark.patients.models import CareTeamMember, Episode, Patient, ProgramStay
from waymark.patients.queries import episodes_with_stays
from waymark.patients.watch import watch_day
from waymark.pdf import WaymarkPDF


@dataclass(frozen=True)
class CurrentStay:
    program: str
    level: str
    day: int  # day 1 is the day the stay started
    planned_days: int | None

    def describe(self) -> str:
        planned = f" of planned {self.planned_days}" if self.planned_days else ""
        return f"{self.program} ({self.level}), day {self.day}{planned}"


@dataclass(frozen=True)
class RecordHeader:
    patient: Patient
    today: dt.date
    episodes: list[Episode]
    stay: CurrentStay | None
    care_team: list[CareTeamMember]
    flags: list[RecordFlag] = field(default_factory=list)

    @property
    def age(self) -> int:
        return self.patient.age(self.today)

    @property
    def care_team_names(self) -> str:
        return ", ".join(
            f"{m.clinician}{' (primary)' if m.is_primary else ''}" for m in self.care_team
        )


def planned_days(stay: ProgramStay) -> int | None:
    """The stay's planned length in days (a stay planned from 1 to 31 March is 30 days, as
    the program's planned length counts them): to its own planned end, else the episode's
    planned discharge, else the longest stay the program plans."""
    end = stay.planned_end_on or stay.episode.planned_discharge_on
    if end is not None:
        return max(1, (end - stay.started_on).days)
    return stay.program.planned_max_days


def current_stay(episodes: list[Episode], today: dt.date) -> CurrentStay | None:
    for episode in episodes:
        for stay in episode.stays.all():
            if episode.is_open and stay.ended_on is None:
                return CurrentStay(
                    program=stay.program.name,
                    level=LevelOfCare(stay.program.level).label,
                    day=stay.days_in_program(today) + 1,
                    planned_days=planned_days(stay),
                )
    return None


def discharge_flags(patient: Patient, episodes: list[Episode], today: dt.date) -> list[RecordFlag]:
    """The watch after a discharge (patients/watch.py), while it lasts."""
    if any(episode.is_open for episode in episodes):
        return []
    window = watch_days(patient.organization_id)
    for episode in episodes:
        if episode.discharged_on is None:
            continue
        day = watch_day(episode.discharged_on, episode.follow_up_on, today, window)
        if day is not None:
            return [RecordFlag(f"Recently discharged: day {day} after discharge", "urgent")]
    return []


def record_header(patient: Patient) -> RecordHeader:
    today = patient.local_today()
    episodes = episodes_with_stays(patient)
    care_team = list(
        CareTeamMember.objects.filter(
            patient=patient, organization=patient.organization
        ).select_related("clinician")
    )
    flags = discharge_flags(patient, episodes, today)
    for provider in flag_providers():
        flags += provider(patient)
    flags.sort(key=lambda flag: flag.tone != "urgent")
    return RecordHeader(patient, today, episodes, current_stay(episodes, today), care_team, flags)


def summary_pdf(header: RecordHeader) -> bytes:
    """One page: who the person is, where they are in care, who cares for them, and what a
    reader must know first (allergies, key flags)."""
    patient = header.patient
    pdf = WaymarkPDF()
    pdf.heading(patient.legal_name or patient.preferred_name, 15)
    printed = f"{header.today:%-d %b %Y}"
    pdf.text_line(f"Record summary · {patient.organization.name} · printed {printed}", 8)
    pdf.ln(2)
    rows = [
        ("Preferred name", patient.preferred_name),
        ("Legal name", patient.legal_name),
        ("Record number", patient.record_number),
        ("Date of birth", f"{patient.date_of_birth:%-d %b %Y} (age {header.age})"),
        ("Current care", header.stay.describe() if header.stay else "Not in care now"),
        ("Care team", header.care_team_names),
        ("Allergies", patient.allergies or "None known"),
        ("Key flags", "; ".join(flag.label for flag in header.flags) or "None"),
        ("Substances", ", ".join(patient.substance_labels())),
        ("Phone", patient.phone),
        ("E-mail", patient.user.email),
        ("Time zone", patient.timezone),
    ]
    for label, value in rows:
        pdf.pair(label, value)
    pdf.ln(2)
    pdf.text_line("Episodes of care", 10, bold=True)
    for episode in header.episodes[:8]:
        ended = f" to {episode.discharged_on:%-d %b %Y}" if episode.discharged_on else ", in care"
        stays = ", ".join(stay.program.name for stay in episode.stays.all())
        pdf.text_line(f"From {episode.admitted_on:%-d %b %Y}{ended}: {stays or 'no program'}")
    pdf.ln(2)
    pdf.text_line("Confidential health information. Keep it safe; shred it when done.", 7)
    return pdf.to_bytes()
