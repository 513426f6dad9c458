"""The accounting of disclosures as a PDF, in Waymark's Unicode font (waymark/pdf.py)."""

from __future__ import annotations

from collections.abc import Iterable

from waymark.patients.models import Patient
from waymark.pdf import WaymarkPDF, local_time
from waymark.support.models import Disclosure


def accounting_pdf(patient: Patient, rows: Iterable[Disclosure]) -> bytes:
    pdf = WaymarkPDF()
    pdf.heading(f"What {patient.preferred_name} shared with supporters (past 3 years)")
    written = False
    for row in rows:
        written = True
        pdf.text_line(
            f"{local_time(row.disclosed_at, patient.timezone)} - {row.recipient_name} - "
            f"{row.get_scope_display()} - {row.purpose}"
        )
    if not written:
        pdf.text_line("Nothing has been shared yet.")
    return pdf.to_bytes()
