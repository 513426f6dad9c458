"""Loading definition files into the database.

Waymark's own definitions (`definitions/*.json`) are loaded after every `migrate`
(a post_migrate signal, see apps.py) and by `manage.py load_questionnaires`. An
organization adds its own with `load_questionnaires FILE --organization SLUG` or
by uploading the file in the admin. Loading is idempotent: an unchanged file
changes nothing. A version that already has responses can never be rewritten —
responses must keep pointing at the exact text that was answered — so a changed
text needs a new `version`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from waymark.organizations.models import Organization
from waymark.questionnaires.definition import DefinitionError, parse_definition
from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

BUILTIN_DIR = Path(__file__).resolve().parent / "definitions"


@dataclass(frozen=True)
class Loaded:
    questionnaire: Questionnaire
    outcome: str  # created, updated, unchanged

    def __str__(self) -> str:
        q = self.questionnaire
        owner = q.organization.slug if q.organization else "Waymark"
        return f"{q.key} v{q.version} ({owner}): {self.outcome}"


def read_definition_file(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DefinitionError(
            [f"cannot read the file: {error.strerror}"], source=path.name
        ) from None
    except json.JSONDecodeError as error:
        raise DefinitionError(
            [f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"],
            source=path.name,
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(["the file must hold one JSON object"], source=path.name)
    return data


def builtin_keys() -> set[str]:
    return {path.stem for path in BUILTIN_DIR.glob("*.json")}


def checksum(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_installable(
    data: Mapping[str, Any], *, organization: Organization | None = None, source: str = ""
) -> Questionnaire | None:
    """Raise DefinitionError unless `data` can be installed; return the stored same version."""
    definition = parse_definition(data, source=source)
    if organization is not None and (
        definition.key in builtin_keys()
        or Questionnaire.objects.filter(organization__isnull=True, key=definition.key).exists()
    ):
        raise DefinitionError(
            [f"{definition.key!r} is one of Waymark's own questionnaires; give yours another id"],
            source=source,
        )
    existing = Questionnaire.objects.filter(
        organization=organization, key=definition.key, version=definition.version
    ).first()
    changed = existing is not None and existing.checksum != checksum(data)
    if changed and QuestionnaireResponse.objects.filter(questionnaire=existing).exists():
        raise DefinitionError(
            [
                f"version {definition.version} of {definition.key} already has responses "
                "and cannot change; give the new text a new version"
            ],
            source=source,
        )
    return existing


@transaction.atomic
def install_definition(
    data: Mapping[str, Any],
    *,
    organization: Organization | None = None,
    source: str = "",
    into: Questionnaire | None = None,
) -> Loaded:
    """Store one definition (checked first) and make it the current version of its id."""
    existing = check_installable(data, organization=organization, source=source)
    definition = parse_definition(data, source=source)
    digest = checksum(data)
    if existing is not None:
        existing = Questionnaire.objects.select_for_update().get(pk=existing.pk)
        if existing.checksum == digest:
            return Loaded(existing, "unchanged")
    target = existing or into or Questionnaire()
    outcome = "updated" if existing is not None else "created"
    target.organization = organization
    target.key, target.version = definition.key, definition.version
    target.title, target.short_title = definition.title, definition.short_title
    target.definition, target.checksum = dict(data), digest
    target.source, target.is_current, target.loaded_at = source[:300], True, timezone.now()
    target.save()
    Questionnaire.objects.filter(organization=organization, key=definition.key).exclude(
        pk=target.pk
    ).update(is_current=False)
    return Loaded(target, outcome)


def load_files(paths: Iterable[Path], *, organization: Organization | None = None) -> list[Loaded]:
    """Load several files in one transaction: all of them, or none if one is bad."""
    with transaction.atomic():
        return [
            install_definition(
                read_definition_file(path), organization=organization, source=Path(path).name
            )
            for path in sorted(paths)
        ]


def load_builtin_definitions() -> list[Loaded]:
    return load_files(BUILTIN_DIR.glob("*.json"))
