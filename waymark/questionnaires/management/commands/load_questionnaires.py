"""`manage.py load_questionnaires [FILE ...] [--organization SLUG]`

With no file, (re)loads Waymark's own definitions from waymark/questionnaires/definitions/
(migrate does this too). With files, loads those: for one organization with
--organization, otherwise as Waymark-wide definitions. Every file is checked first;
one bad file loads nothing and the command lists every problem it found.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waymark.organizations.models import Organization
from waymark.questionnaires.definition import DefinitionError
from waymark.questionnaires.loader import BUILTIN_DIR, load_files


class Command(BaseCommand):
    help = "Load questionnaire definition files (FHIR Questionnaire JSON with a waymark block)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="Definition files (default: Waymark's own)."
        )
        parser.add_argument("--organization", help="Slug of the organization the files belong to.")

    def handle(
        self, *args: Any, files: list[Path], organization: str | None, **options: Any
    ) -> None:
        owner = None
        if organization:
            owner = Organization.objects.filter(slug=organization).first()
            if owner is None:
                raise CommandError(f"No organization with the slug {organization!r}.")
        paths = files or sorted(BUILTIN_DIR.glob("*.json"))
        try:
            loaded = load_files(paths, organization=owner)
        except DefinitionError as error:
            problems = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{error.source or 'definition'} was not loaded:\n{problems}"
            ) from None
        for result in loaded:
            self.stdout.write(str(result))
