"""/healthz: what a load balancer sees. No sign-in, no secrets."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_ok_when_the_database_answers(client: Client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"], "a cached 'ok' would hide an outage"


def test_it_answers_a_head_probe(client: Client) -> None:
    response = client.head(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b""


def test_it_refuses_post(client: Client) -> None:
    response = client.post(reverse("healthz"))
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_it_reports_503_when_the_database_is_down(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # Mocked on purpose: taking the test database down for real would end the run.
    down = OperationalError('connection to server at "db.internal" failed: password rejected')
    with mock.patch.object(connection, "cursor", side_effect=down), caplog.at_level(logging.ERROR):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"db.internal" not in response.content, "the public body names no hosts"
    assert "the database did not answer" in caplog.text, "operators see why in the log"
