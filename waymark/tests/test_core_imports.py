"""The core apps import no feature app: features plug into the core through registries
(patient record and home panels, timeline providers, caseload rows, transition hooks,
crisis help's people), never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

WAYMARK = Path(__file__).resolve().parent.parent
CORE = ("organizations", "patients", "accounts", "audit")
# Not a feature: the registry every app adds its demo data through (demo/README.md).
INFRASTRUCTURE = ("demo",)
NAMED_FEATURES = {
    "alerts", "risk", "checkins", "questionnaires", "notifications", "notes",
    "medications", "plans", "content",
}  # fmt: skip


def features() -> set[str]:
    """Every Waymark app that is neither core nor infrastructure (future apps included)."""
    names = {
        config.name.removeprefix("waymark.")
        for config in apps.get_app_configs()
        if config.name.startswith("waymark.")
    }
    return names - set(CORE) - set(INFRASTRUCTURE)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def core_sources() -> list[Path]:
    return [
        path
        for app in CORE
        for path in sorted((WAYMARK / app).rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_it_knows_every_feature_app() -> None:
    assert features() >= NAMED_FEATURES


def test_it_finds_a_feature_import_when_there_is_one(tmp_path: Path) -> None:
    source = tmp_path / "views.py"
    source.write_text("def f():\n    from waymark.alerts.models import Alert\n")
    assert (2, "waymark.alerts.models") in imported_modules(source)


def test_it_keeps_the_core_apps_free_of_feature_imports() -> None:
    sources = core_sources()
    assert len(sources) > 20
    offending = [
        f"{path.relative_to(WAYMARK.parent)}:{line} imports {module}"
        for path in sources
        for line, module in imported_modules(path)
        if module.split(".")[:2][-1] in features() and module.startswith("waymark.")
    ]
    assert offending == []
