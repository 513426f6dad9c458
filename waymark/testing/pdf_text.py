"""The text a PDF shows, as a reader's copy-and-paste would give it (pypdf)."""

from __future__ import annotations

import io
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(content: bytes) -> set[str]:
    """The base names of the fonts a PDF embeds (e.g. "ABCDEF+DejaVuSans")."""
    reader = PdfReader(io.BytesIO(content))
    names: set[str] = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        fonts = cast(DictionaryObject, resources["/Font"].get_object())
        names |= {str(cast(Any, font.get_object())["/BaseFont"]) for font in fonts.values()}
    return names
