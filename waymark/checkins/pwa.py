"""The installable app: web manifest and service worker, served from the site root so the
service worker's scope is the whole site ("/").

Neither holds any patient data, so both are public.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
STATIC_DIR = STATIC_ROOT / "checkins"
# Files the service worker keeps so the pages that matter work offline.
OFFLINE_ASSETS = (
    "css/waymark.css",
    "checkins/checkins.css",
    "checkins/outbox.js",
    "checkins/checkin-form.js",
    "checkins/charts.js",
    "plans/coping.css",
    "plans/coping.js",
    "plans/print.css",
    "vendor/htmx/htmx.min.js",
    "vendor/chartjs/chart.umd.min.js",
    "checkins/icons/icon-192.png",
    "favicon.svg",
)
# Issue 15 point 1: the pages that matter work offline. These are kept (for the signed-in
# person only) the first time any of their pages loads online, and again on each visit.
WARM_PAGES = (
    "checkins:today",
    "help",
    "plans:my_plan",
    "plans:my_safety_plan",
    "plans:coping",
)
# Kept as they are opened: the patient's home and recovery pages, the withdrawal log,
# the printable plans, and (under a prefix) the Learn library and each article read.
OPENED_PAGES = (
    "home",
    "patients:me",
    "checkins:recovery",
    "checkins:withdrawal",
    "plans:print",
    "plans:safety_print",
)
KEPT_PREFIXES = ("content:library",)
THEME_COLOR = "#1f6f78"


@cache
def _service_worker_source() -> str:
    """sw.js with its cache version and asset URLs filled in.

    The version is a hash of the worker and the scripts it caches, so a deploy that
    changes any of them installs a new worker and drops the old caches.
    """
    source = (STATIC_DIR / "sw.js").read_text()
    digest = hashlib.sha256(source.encode())
    for path in OFFLINE_ASSETS:
        digest.update((STATIC_ROOT / path).read_bytes())
    return (
        source.replace("__VERSION__", digest.hexdigest()[:12])
        .replace("__LOGOUT_URL__", reverse("accounts:logout"))
        .replace("__CRISIS_URL__", reverse("help_offline"))
        .replace('"__ASSETS__"', _js_list(static(path) for path in OFFLINE_ASSETS))
        .replace('"__WARM_PAGES__"', _js_list(reverse(name) for name in WARM_PAGES))
        .replace('"__OPENED_PAGES__"', _js_list(reverse(name) for name in OPENED_PAGES))
        .replace('"__KEPT_PREFIXES__"', _js_list(reverse(name) for name in KEPT_PREFIXES))
    )


def _js_list(urls: Iterable[str]) -> str:
    return ",\n  ".join(json.dumps(url) for url in urls)


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def _icon(name: str, size: int, purpose: str = "any") -> dict[str, str]:
    return {
        "src": static(f"checkins/icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "Waymark",
            "short_name": "Waymark",
            "description": "Your daily check-in and recovery companion.",
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f6f8f9",
            "theme_color": THEME_COLOR,
            "icons": [
                _icon("icon-192.png", 192),
                _icon("icon-512.png", 512),
                _icon("maskable-512.png", 512, purpose="maskable"),
            ],
            "shortcuts": [
                {"name": "Check in", "url": "/checkin/"},
                {"name": "Get help now", "url": "/help/"},
            ],
        },
        content_type="application/manifest+json",
    )
