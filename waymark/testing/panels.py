"""A lazy panel of the patient record, as htmx loads it after the page (patients/panels.py,
issue 13 point 4): tests of what a panel shows read it here, not from the record page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse


def record_panel(client: Client, patient_id: object, name: str) -> str:
    """The panel `name` of the patient's record (the fragment), as `client` sees it."""
    url = reverse("patients:panel", args=[patient_id, name])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()
