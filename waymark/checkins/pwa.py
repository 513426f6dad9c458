"""The installable app: web manifest and service worker, served from the site root so the
service worker's scope is the whole site ("/").

Neither holds any patient data, so both are public.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "checkins"
# Files the service worker keeps so the check-in page works offline.
OFFLINE_ASSETS = (
    "css/waymark.css",
    "checkins/checkins.css",
    "checkins/outbox.js",
    "checkins/checkin-form.js",
    "checkins/charts.js",
    "vendor/htmx/htmx.min.js",
    "vendor/chartjs/chart.umd.min.js",
    "checkins/icons/icon-192.png",
)
THEME_COLOR = "#1f6f78"


@cache
def _service_worker_source() -> str:
    """sw.js with its cache version and asset URLs filled in.

    The version is a hash of the worker and the scripts it caches, so a deploy that
    changes any of them installs a new worker and drops the old caches.
    """
    source = (STATIC_DIR / "sw.js").read_text()
    digest = hashlib.sha256(source.encode())
    for name in ("outbox.js", "checkin-form.js", "charts.js", "checkins.css"):
        digest.update((STATIC_DIR / name).read_bytes())
    assets = ",\n  ".join(f'"{static(path)}"' for path in OFFLINE_ASSETS)
    return (
        source.replace("__VERSION__", digest.hexdigest()[:12])
        .replace("__LOGOUT_URL__", reverse("accounts:logout"))
        .replace("__CRISIS_URL__", reverse("help_offline"))
        .replace('"__ASSETS__"', assets)
    )


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
