"""Friendly error pages (issue 15 point 5): kind words, "Get help now" and the emergency
number, for signed-in and signed-out people; the API keeps its one JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from waymark.patients.models import Patient
from waymark.views import server_error

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def test_it_answers_an_unknown_page_kindly_when_signed_out(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "Get help now" in page and f'href="{reverse("help")}"' in page
    assert 'href="tel:911"' in page and 'href="tel:999"' in page, "every locale's number"


def test_it_answers_an_unknown_page_with_the_patients_own_emergency_number(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Get help now" in page
    assert f'href="tel:{alice.organization.emergency_number}"' in page
    assert 'href="tel:999"' not in page, "only her organization's number"


def test_it_tells_a_patient_opening_the_caseload_kindly(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get(reverse("patients:caseload"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not open to you" in page
    assert "Get help now" in page and "If you are in danger now, call" in page


def test_it_renders_the_500_page_without_the_database(
    django_assert_num_queries: Callable[..., object],
) -> None:
    request = RequestFactory().get("/me/")
    with django_assert_num_queries(0):  # type: ignore[attr-defined]
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "Get help now" in page and 'href="tel:911"' in page


def test_it_keeps_answering_json_under_the_api(client: Client) -> None:
    response = client.get("/api/v1/no-such-path/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "not_found",
        "message": "No such API path.",
        "errors": {"__all__": ["No such API path."]},
    }


def test_it_keeps_a_crash_under_the_api_in_json() -> None:
    response = server_error(RequestFactory().get("/api/v1/me/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert b"Get help now" not in response.content
