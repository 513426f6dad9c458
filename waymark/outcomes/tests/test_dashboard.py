"""The dashboard page: who may see it, its filters, and what it shows."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.organizations.models import LevelOfCare, Organization, Program
from waymark.outcomes.scope import REPORT_WORK_MEM
from waymark.outcomes.tests.conftest import checkins, patient
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
URL = reverse("outcomes:dashboard")


def test_it_shows_each_figure_with_its_n_and_definition(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    one = patient(northstar, "pat1")
    checkins(one, range(10), {3: ["ketamine"]})
    two = patient(northstar, "pat2", LevelOfCare.DETOX, admitted=5)
    checkins(two, range(5, 9))

    response = client_for(bob).get(URL, {"period": "30"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>N = 2</strong> patients" in page
    assert page.count("<summary>How this is counted</summary>") >= 3
    assert 'id="abstinence-data"' in page and 'id="lapse-data"' in page
    assert "Residential treatment" in page
    for title in ("Retention and transitions", "Days abstinent", "Time to first lapse",
                  "PHQ-9 (depression)", "Alert accountability"):  # fmt: skip
        assert title in page
    assert "Pat1" not in page and "Pat2" not in page  # aggregate figures name no patient
    assert not AuditEvent.objects.filter(actor=bob).exists()
    # each curve day by day: residential, Pat1's lapse on day 3; detox, Pat2 censored on day 3
    assert "<tr><td>3</td><td>1</td><td>1</td><td>0</td><td>0.000</td><td>0.000–0.000</td>" in page
    assert "<tr><td>3</td><td>1</td><td>0</td><td>1</td><td>1.000</td><td>1.000–1.000</td>" in page


def test_it_narrows_by_program_and_ignores_unknown_filter_values(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patient(northstar, "pat1")
    patient(northstar, "pat2", LevelOfCare.DETOX, admitted=5)
    detox = Program.objects.get(organization=northstar, level=LevelOfCare.DETOX)
    client = client_for(bob)

    narrowed = client.get(URL, {"program": detox.pk, "period": "30"})
    nonsense = client.get(URL, {"program": "999999", "period": "forever", "level": "x"})

    assert "<strong>N = 1</strong> patient " in narrowed.content.decode()
    assert nonsense.status_code == 200
    assert "<strong>N = 2</strong> patients" in nonsense.content.decode()


def test_it_counts_only_the_viewers_organization(
    northstar: Organization, carol: User, erin: Patient, alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(carol).get(URL)

    assert "<strong>N = 1</strong> patient " in response.content.decode()


def test_it_is_for_staff_only(
    alice: Patient, sam: User, olivia: User, client_for: ClientFor
) -> None:
    assert client_for(alice.user).get(URL).status_code == 403
    assert client_for(sam).get(URL).status_code == 403
    assert client_for(olivia).get(URL).status_code == 200
    assert client_for(olivia).post(URL).status_code == 405
    assert client_for(None).get(URL).status_code == 302


def test_it_computes_the_figures_in_one_transaction_with_report_memory_on_postgresql(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    checkins(patient(northstar, "pat1"), range(3))
    seen: list[tuple[int, str | None]] = []

    def watch(execute: Callable[..., object], sql: str, *rest: object) -> object:
        if "outcomes" not in sql and "questionnaires_schedule" in sql:  # the missed list
            seen.append((len(connection.atomic_blocks), work_mem()))
        return execute(sql, *rest)

    before, outer = work_mem(), len(connection.atomic_blocks)  # the test's own transaction
    with connection.execute_wrapper(watch):
        assert client_for(bob).get(URL, {"period": "30"}).status_code == 200

    assert seen, "the missed list ran"
    inside = REPORT_WORK_MEM if connection.vendor == "postgresql" else None
    assert seen == [(outer + 1, inside)] * len(seen)
    assert work_mem() == before  # SET LOCAL: the connection's own value comes back


def work_mem() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return str(cursor.fetchone()[0])


def test_it_rounds_the_curve_tables_as_floatformat_does() -> None:
    from django.template.defaultfilters import floatformat

    from waymark.outcomes.survival import Step
    from waymark.outcomes.templatetags.outcomes import step_rows

    halves = Step(5, 16, 1, 0, 0.0625, 0.0005, 0.9995)  # ties: half up, not half to even

    row = str(step_rows([halves]))

    assert (
        row
        == "<tr><td>5</td><td>16</td><td>1</td><td>0</td><td>0.063</td><td>0.001–1.000</td></tr>"
    )
    assert [floatformat(v, 3) for v in (0.0625, 0.0005, 0.9995)] == ["0.063", "0.001", "1.000"]
