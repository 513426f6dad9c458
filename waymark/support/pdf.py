"""The accounting of disclosures as a PDF, with fpdf2 as the plan's PDF is made
(plans/pdf.py: core fonts, Latin-1 text only)."""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF

from waymark.patients.models import Patient
from waymark.plans.pdf import _latin1
from waymark.support.models import Disclosure


def accounting_pdf(patient: Patient, rows: Iterable[Disclosure]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text streams: small, and testable
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(14, 12, 14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    title = f"What {patient.preferred_name} shared with supporters (past 3 years)"
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    written = False
    for row in rows:
        written = True
        line = (
            f"{row.disclosed_at:%d %b %Y %H:%M} UTC - {row.recipient_name} - "
            f"{row.get_scope_display()} - {row.purpose}"
        )
        pdf.multi_cell(0, 4.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    if not written:
        pdf.cell(0, 5, "Nothing has been shared yet.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
