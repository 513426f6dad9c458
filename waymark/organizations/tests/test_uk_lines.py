"""UK help lines include NHS 111 and Shout (text 85258): for a new UK organization, and for
an existing one through the data migration (issue 15 point 7; DESIGN.md "UK help")."""

from __future__ import annotations

import importlib

from django.apps import apps

from waymark.organizations.crisis import crisis_help_for
from waymark.organizations.models import CrisisLine
from waymark.organizations.services import create_organization

MIGRATION = importlib.import_module(
    "waymark.organizations.migrations.0006_uk_crisis_lines_nhs111_shout"
)


def test_a_new_uk_organization_lists_nhs_111_and_shout(db: None) -> None:
    organization = create_organization(name="Thames Recovery", slug="thames", locale="en-GB")

    lines = {line.name: line for line in crisis_help_for(organization).crisis_lines}

    assert {"Samaritans", "Shout", "NHS 111", "FRANK"} <= set(lines)
    assert (lines["Shout"].phone, lines["Shout"].text_number) == ("", "85258")
    assert lines["NHS 111"].phone == "111"


def test_the_migration_adds_them_once_to_an_existing_uk_organization_only(db: None) -> None:
    uk = create_organization(name="Thames Recovery", slug="thames", locale="en-GB")
    us = create_organization(name="Lakeside", slug="lakeside", locale="en-US")
    CrisisLine.objects.filter(organization=uk, name__in=["Shout", "NHS 111"]).delete()
    kept = CrisisLine.objects.get(organization=uk, name="Samaritans")
    kept.description = "Edited by the organization"
    kept.save()

    MIGRATION.add_uk_lines(apps, None)
    MIGRATION.add_uk_lines(apps, None)  # a second run changes nothing

    uk_names = list(CrisisLine.objects.filter(organization=uk).values_list("name", flat=True))
    assert uk_names.count("Shout") == 1 and uk_names.count("NHS 111") == 1
    assert uk_names[-2:] == ["Shout", "NHS 111"], "after the lines the organization has"
    assert CrisisLine.objects.get(pk=kept.pk).description == "Edited by the organization"
    us_names = set(CrisisLine.objects.filter(organization=us).values_list("name", flat=True))
    assert not us_names & {"Shout", "NHS 111"}
