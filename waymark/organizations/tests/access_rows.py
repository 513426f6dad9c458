"""The organizations app's own URLs × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.organizations.tests.matrix import Access, Row

ROWS: dict[str, Row] = {
    # Crisis help for the service worker's offline pages: open to everyone, like /help/.
    "help_offline": Row(Access.PUBLIC),
}
