"""What every benchmark shares: choosing the database and reading percentiles."""

from __future__ import annotations

import os


def use_database(name: str) -> None:
    """Point the fresh database real_database() makes at SQLite or the local PostgreSQL."""
    if name == "postgres":
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"
    elif name == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        raise SystemExit(f"Unknown database {name!r}: use sqlite or postgres.")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q between 0 and 1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
