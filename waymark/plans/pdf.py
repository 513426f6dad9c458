"""The plan as a one-page PDF (fpdf2, core fonts: Latin-1 text only, so other
characters are replaced rather than breaking the download)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf import FPDF

from waymark.plans.fields import SAFETY_SECTIONS, SECTIONS
from waymark.plans.services import _as_text

if TYPE_CHECKING:
    from waymark.organizations.crisis import CrisisHelp
    from waymark.patients.models import Patient
    from waymark.plans.models import PlanVersion, SafetyPlanVersion


def _latin1(text: str) -> str:
    replaced = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")


def plan_pdf(
    patient: Patient,
    plan: PlanVersion | None,
    safety: SafetyPlanVersion | None = None,
    crisis: CrisisHelp | None = None,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text streams: small, and testable
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(14, 12, 14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(
        0,
        8,
        _latin1(f"{patient.preferred_name}'s relapse prevention plan"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 8)
    saved = (
        f"Version {plan.number}, saved {plan.created_at:%d %b %Y}" if plan else "Not filled in yet"
    )
    pdf.cell(0, 5, _latin1(saved), new_x="LMARGIN", new_y="NEXT")
    for section in SECTIONS:
        lines = _as_text(plan.lines(section.name)) if plan else []
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, _latin1(section.label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in lines or ["-"]:
            pdf.multi_cell(
                0, 4.5, _latin1(f"- {line}" if lines else line), new_x="LMARGIN", new_y="NEXT"
            )
    if safety is not None:
        _safety_plan(pdf, patient, safety, crisis)
    return bytes(pdf.output())


def _safety_plan(
    pdf: FPDF, patient: Patient, safety: SafetyPlanVersion, crisis: CrisisHelp | None
) -> None:
    """The safety plan on its own page, its professionals with the organization's lines."""
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    title = f"{patient.preferred_name}'s safety plan"
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    saved = f"Version {safety.number}, saved {safety.created_at:%d %b %Y}"
    pdf.cell(0, 5, _latin1(saved), new_x="LMARGIN", new_y="NEXT")
    for step, section in enumerate(SAFETY_SECTIONS, start=1):
        lines = _as_text(safety.lines(section.name))
        if section.name == "professionals" and crisis is not None:
            lines.append(f"Emergency: {crisis.emergency_number}")
            lines += [f"{line.name}, {line.phone or 'text ' + line.text_number}"
                      for line in crisis.crisis_lines]  # fmt: skip
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, _latin1(f"{step}. {section.label}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for line in lines or ["-"]:
            text = f"- {line}" if lines else line
            pdf.multi_cell(0, 4.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
