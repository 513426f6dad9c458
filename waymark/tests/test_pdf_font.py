"""Issue 15, point 4: every PDF is in Waymark's Unicode font; names in any script the font
covers come back out of the PDF as they went in; a symbol it cannot draw is left out with
a note, never turned into "?"."""

from __future__ import annotations

import pytest

from waymark.pdf import DROPPED_NOTE, FONT_FILES, WaymarkPDF, drawable
from waymark.testing.pdf_text import pdf_fonts, pdf_text

NAMES = ["Zoë Ñúñez-Dvořák", "Ελένη Παπαδοπούλου", "Анна Иванова", "Şükrü Öztürk"]


def test_it_ships_its_font_and_licence() -> None:
    for path in FONT_FILES.values():
        assert path.stat().st_size > 100_000
    assert (next(iter(FONT_FILES.values())).parent / "LICENSE").read_text().count("Bitstream")


@pytest.mark.parametrize("name", NAMES)
def test_it_round_trips_a_name_in_any_covered_script(name: str) -> None:
    pdf = WaymarkPDF()
    pdf.heading(name)
    pdf.text_line(f"Prepared for {name}")
    content = pdf.to_bytes()

    text = pdf_text(content)
    assert name in text and f"Prepared for {name}" in text
    assert "?" not in text and DROPPED_NOTE not in text
    assert all("DejaVuSans" in font for font in pdf_fonts(content))


def test_it_drops_symbols_the_font_lacks_with_a_note() -> None:
    pdf = WaymarkPDF()
    pdf.text_line("Walk with Kai 🦄 every morning 🧠, 漢字")
    text = pdf_text(pdf.to_bytes())

    assert "Walk with Kai  every morning , " in text
    assert "?" not in text and "🦄" not in text and "漢" not in text
    assert DROPPED_NOTE in text


def test_it_keeps_symbols_the_font_has_without_a_note() -> None:
    pdf = WaymarkPDF()
    pdf.text_line("Feeling better 😀 ❤")  # DejaVu Sans draws these two
    text = pdf_text(pdf.to_bytes())
    assert "😀" in text and DROPPED_NOTE not in text


def test_it_leaves_joiners_and_selectors_out_silently() -> None:
    assert drawable("❤\ufe0f ok") == ("❤ ok", False)
    assert drawable("🧑\u200d🍳") == ("", True)
