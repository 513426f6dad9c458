"""The installable app: manifest, service worker at the root, icons, offline scripts."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from django.test import Client

from waymark.checkins.pwa import OFFLINE_ASSETS

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_it_serves_the_service_worker_from_the_root_for_the_whole_site(client: Client) -> None:
    response = client.get("/sw.js")

    source = response.content.decode()
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "__VERSION__" not in source and "__ASSETS__" not in source
    assert '"/static/checkins/outbox.js"' in source
    assert 'var LOGOUT_URL = "/accounts/signout/"' in source


def test_it_describes_an_installable_app(client: Client) -> None:
    response = client.get("/manifest.webmanifest")

    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        png = STATIC / icon["src"].removeprefix("/static/")
        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        assert icon["sizes"] == f"{width}x{height}"


def test_it_caches_only_files_that_exist_and_no_cdn() -> None:
    for path in OFFLINE_ASSETS:
        assert (STATIC / path).is_file(), path
    for script in (STATIC / "checkins").glob("*.js"):
        assert "http://" not in script.read_text() and "https://" not in script.read_text()


def test_it_links_the_manifest_from_the_patient_pages(alice: object, client_for: object) -> None:
    client = client_for(alice.user)  # type: ignore[attr-defined, operator]

    html = client.get("/checkin/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/checkins/outbox.js"' in html
