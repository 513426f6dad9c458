"""The gabapentinoid class: medications recorded before it move into it."""

from __future__ import annotations

import importlib

from django.apps import apps

from waymark.accounts.models import User
from waymark.medications.models import DrugClass, Medication
from waymark.patients.models import Patient

migration = importlib.import_module("waymark.medications.migrations.0002_gabapentinoid_class")


def test_it_files_gabapentin_and_pregabalin_recorded_as_other_under_the_new_class(
    alice: Patient, bob: User
) -> None:
    def add(name: str, drug_class: str) -> Medication:
        return Medication.objects.create(
            organization=alice.organization,
            patient=alice,
            name=name,
            drug_class=drug_class,
            added_by=bob,
        )

    moved = [add("Gabapentin", "other"), add("pregabalin", "other"), add("Lyrica", "other")]
    kept = [add("Sertraline", "antidepressant"), add("Clonidine", "other")]
    migration.file_gabapentinoids(apps, None)
    assert {
        m.name: m.drug_class for m in Medication.objects.filter(pk__in=[m.pk for m in moved])
    } == {
        "Gabapentin": DrugClass.GABAPENTINOID,
        "pregabalin": DrugClass.GABAPENTINOID,
        "Lyrica": DrugClass.GABAPENTINOID,
    }
    assert [m.drug_class for m in Medication.objects.filter(pk__in=[m.pk for m in kept])] == [
        "other",  # Clonidine (ordered by name)
        "antidepressant",
    ]
    migration.file_them_back(apps, None)
    assert set(Medication.objects.values_list("drug_class", flat=True)) == {
        "other",
        "antidepressant",
    }
