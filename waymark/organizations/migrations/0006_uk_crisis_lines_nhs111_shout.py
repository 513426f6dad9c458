"""UK organizations get the new default help lines (NHS 111 and Shout 85258) after the ones
they have, unless they already have a line of that name (issue 15 point 7)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

NEW_LINES = (
    (
        "Shout",
        "",
        "85258",
        "Text SHOUT to 85258 to talk by text with a trained volunteer, any time (free).",
    ),
    (
        "NHS 111",
        "111",
        "",
        "Urgent help or advice when it is not a life-threatening emergency, day or night (free).",
    ),
)


def add_uk_lines(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("organizations", "Organization")
    Line = apps.get_model("organizations", "CrisisLine")  # the historical model, writing
    for organization in Organization.objects.filter(locale="en-GB"):
        lines = Line.objects.filter(organization=organization)
        names = set(lines.values_list("name", flat=True))
        position = max(lines.values_list("position", flat=True), default=-1)
        for name, phone, text_number, description in NEW_LINES:
            if name in names:
                continue
            position += 1
            Line.objects.create(
                organization=organization,
                name=name,
                phone=phone,
                text_number=text_number,
                description=description,
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_merge_issue_12_branches")]

    operations = [migrations.RunPython(add_uk_lines, migrations.RunPython.noop)]
