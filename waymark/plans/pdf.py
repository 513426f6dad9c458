"""The plan as a one-page PDF, in Waymark's Unicode font (waymark/pdf.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waymark.pdf import WaymarkPDF, local_time
from waymark.plans.fields import SECTIONS
from waymark.plans.services import _as_text

if TYPE_CHECKING:
    from waymark.patients.models import Patient
    from waymark.plans.models import PlanVersion


def plan_pdf(patient: Patient, plan: PlanVersion | None) -> bytes:
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
    return pdf.to_bytes()
