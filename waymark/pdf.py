"""Every PDF Waymark makes: an A4 page in Waymark's own Unicode font (issue 15, point 4).

The font is DejaVu Sans, vendored under `waymark/fonts/` with its licence (Debian's
fonts-dejavu-core, Bitstream Vera licence; the DejaVu changes are in the public domain),
so a PDF looks the same on every machine, CI included. It covers Latin (accented names),
Greek and Cyrillic, among many others. It has no Chinese, Japanese or Korean: a font
that does (Noto Sans CJK) is 16 MB or more per weight, too large to ship in the repo.

A character the font cannot draw (an emoji, a CJK character) is left out, never turned
into "?", and the document ends with a short note that some symbols could not be shown.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
import zoneinfo
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "WaymarkSans"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
DROPPED_NOTE = "Some symbols could not be shown in this document."
# Joiners and emoji presentation selectors: invisible by themselves, dropped silently.
_INVISIBLE = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}


@functools.cache
def font_codepoints() -> frozenset[int]:
    """The characters the regular face can draw (the bold face covers the same ones)."""
    with TTFont(str(FONT_FILES[""]), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> tuple[str, bool]:
    """`text` without the characters the font cannot draw, and whether any was dropped."""
    covered = font_codepoints()
    kept: list[str] = []
    dropped = False
    for char in unicodedata.normalize("NFC", text):
        if char in _INVISIBLE:
            continue
        if char in "\n\r\t" or ord(char) in covered:
            kept.append(char)
        else:
            dropped = True
    return "".join(kept), dropped


class WaymarkPDF(FPDF):
    """An A4 document in Waymark's font, uncompressed (small, and its text testable)."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.dropped_symbols = False
        for style, path in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(path))
        self.set_compression(False)
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(14, 12, 14)
        self.add_page()
        self.set_font(FONT_FAMILY, "", 9)

    def normalize_text(self, text: str) -> str:
        """Every piece of text fpdf2 draws passes here: keep what the font can draw."""
        kept, dropped = drawable(text)
        self.dropped_symbols = self.dropped_symbols or dropped
        return super().normalize_text(kept)

    def heading(self, text: str, size: float = 14) -> None:
        self.set_font(FONT_FAMILY, "B", size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")

    def text_line(self, text: str, size: float = 9, *, bold: bool = False) -> None:
        self.set_font(FONT_FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def pair(self, label: str, value: str, *, width: float = 42) -> None:
        """A label and its value on one line (the value wraps under itself)."""
        self.set_font(FONT_FAMILY, "B", 9)
        self.cell(width, 4.8, label)
        self.set_font(FONT_FAMILY, "", 9)
        self.multi_cell(0, 4.8, value or "—", new_x="LMARGIN", new_y="NEXT")

    def to_bytes(self) -> bytes:
        if self.dropped_symbols:
            self.ln(3)
            self.text_line(DROPPED_NOTE, 8)
        return bytes(self.output())


def local_time(moment: dt.datetime, zone: str) -> str:
    """A moment as a person reads it in their own time zone: "3 Dec 2026, 14:05 NZDT"."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local:%-d %b %Y, %H:%M} {local.tzname()}"
