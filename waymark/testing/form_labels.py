"""Which form controls of an HTML page have no accessible name (WCAG 2.2, 1.3.1 and
4.1.2: a screen reader announces such a control as just "combo box" or "edit text").

A control is named by a `<label for>` its id, a `<label>` around it, `aria-label`,
`aria-labelledby` or `title` (HTML-AAM's order of sources). Hidden inputs and buttons
(named by their own text or value) are not form fields a person fills in. A placeholder
is not a name: it disappears as one types, and not every screen reader reads it.
"""

from __future__ import annotations

from html.parser import HTMLParser

_NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}
_NAMING_ATTRIBUTES = ("aria-label", "aria-labelledby", "title")


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels_for: set[str] = set()
        self.open_labels = 0
        self.controls: list[tuple[str, dict[str, str | None], bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if found.get("for"):
                self.labels_for.add(str(found["for"]))
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and (found.get("type") or "").lower() in _NOT_FIELDS:
                return
            self.controls.append((tag, found, self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)


def unlabelled_controls(html: str) -> list[str]:
    """Each control of `html` without an accessible name, as `<tag name=…>`."""
    parser = _Controls()
    parser.feed(html)
    missing = []
    for tag, found, inside_label in parser.controls:
        named = inside_label or any(found.get(name) for name in _NAMING_ATTRIBUTES)
        if not named and not (found.get("id") and found["id"] in parser.labels_for):
            missing.append(f"<{tag} name={found.get('name')}>")
    return missing
