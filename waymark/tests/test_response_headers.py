"""Issue 12, points 3 and 7: no response with patient data may be cached, every page
carries a Content-Security-Policy with no inline script or style and a Permissions-Policy,
and no template brings inline code back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.patients.models import Patient
from waymark.response_headers import (
    CACHE_KEY_HEADER,
    SESSION_EXPIRES_HEADER,
    offline_cache_key,
    permissions_policy,
)

ClientFor = Callable[[User | None], Client]
WAYMARK = Path(__file__).resolve().parents[1]
# Every URL of the matrix, as every persona, is checked for the headers below in the
# matrix's own walk (one request each): organizations/tests/test_access_matrix.py
# (TestEveryUrl) with matrix.assert_private_answer.


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:patients_patient_changelist",
        "admin:audit_auditevent_changelist",
    ],
)
def test_it_forbids_caching_the_admin(url: str, olivia: User, client_for: ClientFor) -> None:
    response = client_for(olivia).get(reverse(url))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_it_forbids_caching_an_api_answer_to_a_device_token(alice: Patient) -> None:
    from waymark.accounts.services import issue_api_token

    _, secret = issue_api_token(alice.user, "Phone")
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_it_forbids_caching_a_patient_page_even_when_the_view_allowed_it(
    alice: Patient, client_for: ClientFor
) -> None:
    # The manifest says max-age=3600 to everyone; to a signed-in person nothing is cacheable.
    response = client_for(alice.user).get(reverse("checkins:manifest"))
    assert response["Cache-Control"] == "no-store, private"
    assert "Expires" not in response


def test_it_leaves_static_files_cacheable(alice: Patient, client_for: ClientFor) -> None:
    response = client_for(alice.user).get("/static/css/waymark.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert CACHE_KEY_HEADER not in response


def test_it_names_each_persons_offline_cache_without_saying_who_they_are(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get(reverse("patients:me"))
    key = response[CACHE_KEY_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key != offline_cache_key(dana.user.pk)
    assert alice.user.username not in key and str(alice.user.pk) != key
    assert 0 < int(response[SESSION_EXPIRES_HEADER]) <= settings.SESSION_COOKIE_AGE


def test_it_allows_no_inline_script_or_style_and_no_other_origin(client: Client) -> None:
    policy = directives(client.get(reverse("accounts:login")))
    for directive in ("default-src", "script-src", "style-src", "connect-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]
    everything = [value for values in policy.values() for value in values]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:"} & set(everything)


def test_it_turns_off_the_browser_features_waymark_never_uses(client: Client) -> None:
    header = client.get(reverse("accounts:login"))["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_it_writes_a_permissions_policy_allowlist() -> None:
    assert permissions_policy({"fullscreen": ["self"], "camera": []}) == (
        "camera=(), fullscreen=(self)"
    )


# A script element without src (JSON data blocks aside), a style element or attribute, or
# an event handler attribute.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|<style|\sstyle=|\son\w+="
)


def test_it_finds_no_inline_script_style_or_handler_in_any_page_template() -> None:
    """The CSP would block them; e-mails are not pages (mail clients ignore the CSP)."""
    templates = [
        path for path in WAYMARK.rglob("templates/**/*.html") if "/email/" not in path.as_posix()
    ]
    assert templates
    inline = [
        f"{path.relative_to(WAYMARK)}: {match.group(0).strip()}"
        for path in templates
        for match in INLINE_CODE.finditer(path.read_text())
    ]
    assert inline == []


def test_it_finds_no_inline_style_in_the_service_workers_own_pages() -> None:
    source = (WAYMARK / "static" / "checkins" / "sw.js").read_text()
    assert not re.search(r"style=|<style|<script>", source)


def test_it_keeps_every_admin_changelist_free_of_inline_code(
    olivia: User, client_for: ClientFor
) -> None:
    """Django's admin templates keep their scripts in files; a changelist shows the policy."""
    client = client_for(olivia)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code == 200:
            assert "'unsafe-inline'" not in response["Content-Security-Policy"]
            assert not re.search(rb"<script>|<style", response.content), url


def test_it_serves_a_favicon_at_the_root_and_links_the_svg(client: Client) -> None:
    # issue 15 point 5: browsers ask for /favicon.ico whatever the page links.
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # type: ignore[attr-defined]
    assert "no-store" not in response.get("Cache-Control", "")
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    page = client.get(reverse("help")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
