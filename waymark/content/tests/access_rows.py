"""Every URL of the content app × persona (collected by test_access_matrix.py)."""

from __future__ import annotations

from waymark.organizations.tests.matrix import Row, everyone

MEMBERS = everyone(200, anonymous=302)

ROWS: dict[str, Row] = {
    "content:library": Row(MEMBERS),
    "content:article": Row(MEMBERS, kwargs=lambda world: {"slug": "withdrawal"}),
}
