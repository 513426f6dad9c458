"""The plan as a PDF, in Waymark's Unicode font (waymark/pdf.py): the relapse prevention
plan, then the safety plan on its own page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waymark.pdf import WaymarkPDF, local_time
from waymark.plans.fields import SAFETY_SECTIONS, SECTIONS
from waymark.plans.services import _as_text

if TYPE_CHECKING:
    from waymark.organizations.crisis import CrisisHelp
    from waymark.patients.models import Patient
    from waymark.plans.models import PlanVersion, SafetyPlanVersion


def plan_pdf(
    patient: Patient,
    plan: PlanVersion | None,
    safety: SafetyPlanVersion | None = None,
    crisis: CrisisHelp | None = None,
) -> bytes:
    pdf = WaymarkPDF()
    pdf.heading(f"{patient.preferred_name}’s relapse prevention plan", 15)
    # Issue 15, point 4: the save time in the patient's own zone.
    saved = (
        f"Version {plan.number}, saved {local_time(plan.created_at, patient.timezone)}"
        if plan
        else "Not filled in yet"
    )
    pdf.text_line(saved, 8)
    for section in SECTIONS:
        lines = _as_text(plan.lines(section.name)) if plan else []
        pdf.text_line(section.label, 10, bold=True)
        for line in lines or ["-"]:
            pdf.text_line(f"- {line}" if lines else line)
    if safety is not None:
        _safety_plan(pdf, patient, safety, crisis)
    return pdf.to_bytes()


def _safety_plan(
    pdf: WaymarkPDF, patient: Patient, safety: SafetyPlanVersion, crisis: CrisisHelp | None
) -> None:
    """The safety plan on its own page, its professionals with the organization's lines."""
    pdf.add_page()
    pdf.heading(f"{patient.preferred_name}’s safety plan", 15)
    pdf.text_line(
        f"Version {safety.number}, saved {local_time(safety.created_at, patient.timezone)}", 8
    )
    for step, section in enumerate(SAFETY_SECTIONS, start=1):
        lines = _as_text(safety.lines(section.name))
        if section.name == "professionals" and crisis is not None:
            lines.append(f"Emergency: {crisis.emergency_number}")
            lines += [f"{line.name}, {line.phone or 'text ' + line.text_number}"
                      for line in crisis.crisis_lines]  # fmt: skip
        pdf.text_line(f"{step}. {section.label}", 10, bold=True)
        for line in lines or ["-"]:
            pdf.text_line(f"- {line}" if lines else line)
