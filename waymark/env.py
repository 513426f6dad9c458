"""Typed readers for settings that come from the environment.

Each reader names the variable in its error, so a typo in a deployment stops
start-up with a message that says exactly what to fix.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "", environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(name, default).strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    # Empty counts as unset, so `SECURE_COOKIES=` cannot switch a safe default off.
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use one of 1, 0, true, false, yes, no, on, off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return value


def env_list(
    name: str, default: list[str] | None = None, environ: Mapping[str, str] = os.environ
) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: Iterable[str], environ: Mapping[str, str] = os.environ
) -> str:
    """One of `choices` (compared case-insensitively, returned as spelled in `choices`)."""
    allowed = {choice.lower(): choice for choice in choices}
    value = env_str(name, default, environ) or default
    if value.lower() not in allowed:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not allowed; use one of {', '.join(allowed.values())}."
        )
    return allowed[value.lower()]


def env_timezone(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    value = env_str(name, default, environ) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):  # tzdata: "America"
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone; use an IANA name such as 'UTC' "
            "or 'Europe/London'."
        ) from None
    return value


def env_url(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """An absolute http(s) address with no query or fragment, without its trailing
    slash (so `f"{base}/Patient"` never doubles it)."""
    value = (env_str(name, default, environ) or default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an absolute http(s) address without a query, "
            "e.g. 'https://care.example.org/fhir'."
        )
    return value


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_database(
    name: str, default: str, environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """Parse DATABASE_URL; only SQLite and PostgreSQL are supported.

    Connections persist between requests on both databases (issue 13): each web or worker
    process keeps one for up to DATABASE_CONN_MAX_AGE seconds (0: a new one per request),
    so a request does not pay for connecting (and, on SQLite, for the PRAGMAs, which run
    once per connection). DATABASE_CONN_HEALTH_CHECKS checks a kept PostgreSQL connection
    once per request before using it, so a restarted server costs no failed request;
    SQLite has nothing to check (a file does not go away under a process).

    Errors never echo the URL itself: it usually carries a password.
    """
    import dj_database_url

    max_age = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0, environ=environ)
    health_checks = env_bool("DATABASE_CONN_HEALTH_CHECKS", True, environ=environ)
    url = env_str(name, "", environ) or default
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _DATABASE_SCHEMES:
        got = f"scheme {scheme!r}" if scheme else "no scheme"
        raise ImproperlyConfigured(f"{name} must start with sqlite:// or postgres:// (got {got}).")
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(
                url,
                conn_max_age=max_age,
                conn_health_checks=health_checks and scheme != "sqlite",
            )
        )
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} could not be read; check that the user, password, host and port are "
            "URL-quoted and the port is a number."
        ) from None
    return config
