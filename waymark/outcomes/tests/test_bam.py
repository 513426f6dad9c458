"""BAM use and protection per 4-week block of care, on a hand-built cohort."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from waymark.accounts.models import User
from waymark.organizations.models import Organization
from waymark.outcomes.bam import bam_trends
from waymark.outcomes.tests.conftest import day, patient, scope_for
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]


def bam(person: Patient, on: int, use: int, protective: int, *, corrects: object = None) -> object:
    from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

    scales = [{"id": "use", "value": use}, {"id": "protective", "value": protective}]
    return QuestionnaireResponse.objects.create(
        organization_id=person.organization_id, patient=person,
        questionnaire=Questionnaire.objects.filter(key="bam", is_current=True).first(),
        questionnaire_key="bam", answers={}, scoring_form="likert",
        scores={"form": "likert", "primary": "use", "scales": scales}, primary_score=use,
        submitted_at=timezone.make_aware(dt.datetime.combine(day(on), dt.time(10))),
        submitted_on=day(on), submitted_by=person.user, corrects=corrects,
    )  # fmt: skip


def test_it_averages_use_and_protection_per_four_weeks_of_care(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-40)
    bam(a, -40, 8, 6)  # block 1 (day 0 of care)
    bam(a, -13, 4, 12)  # day 27: still block 1
    bam(a, -12, 2, 16)  # day 28: block 2
    b = patient(northstar, "pat2", admitted=-10)
    wrong = bam(b, -10, 12, 0)
    bam(b, -9, 6, 10, corrects=wrong)  # the correction counts, not the first
    bam(b, 20, 0, 20)  # day 30 of care: block 2

    blocks = bam_trends(scope_for(bob, start=day(-60)))

    assert [(x.block, x.patients, x.responses) for x in blocks] == [(1, 2, 3), (2, 2, 2)]
    assert (blocks[0].use, blocks[0].protective) == (6.0, 9.3)  # (8+4+6)/3, (6+12+10)/3
    assert (blocks[1].use, blocks[1].protective) == (1.0, 18.0)
    assert blocks[1].weeks == "5–8"


def test_it_counts_only_the_period_and_the_viewers_organization(
    northstar: Organization, harbour: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-40)
    bam(a, -40, 8, 6)  # before the period
    bam(a, 5, 2, 20)
    other = patient(harbour, "pat9", admitted=-40)
    bam(other, 5, 12, 0)

    blocks = bam_trends(scope_for(bob))

    assert [(x.block, x.patients, x.use, x.protective) for x in blocks] == [(2, 1, 2.0, 20.0)]


def test_it_shows_the_blocks_as_a_table_and_chart_data(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    a = patient(northstar, "pat1", admitted=-40)
    bam(a, 5, 3, 17)

    page = client_for(bob).get("/outcomes/", {"period": "30"}).content.decode()

    assert 'id="bam-data"' in page
    assert '<th scope="row" data-label="Weeks of care">5–8</th>' in page
    assert '"use": [3.0]' in page and '"protective": [17.0]' in page
