"""Point 6: CSV per table (formula injection neutralised, small numbers hidden) and the
de-identified patient file, audited as an export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.organizations.models import Organization, Program
from waymark.outcomes.exports import neutralise, research_rows, suppress
from waymark.outcomes.measures import PHQ9, measure_table
from waymark.outcomes.tests.conftest import checkins, day, patient, response, scope_for

ClientFor = Callable[[User | None], Client]


def rows_of(response: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))  # type: ignore[attr-defined]


def test_it_neutralises_formulas_and_hides_small_numbers() -> None:
    assert [neutralise(v) for v in ("=1+1", "+3", "-2", "@SUM(A1)", "\tx", "\rx", "ok", None)] == [
        "'=1+1", "'+3", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok", ""
    ]  # fmt: skip
    assert suppress(["a", 5, 12], n=20, counts=[1, 2]) == ["a", "<11", 12]
    assert suppress(["a", 0, 12], n=20, counts=[1, 2]) == ["a", 0, 12]
    assert suppress(["a", 50, 12], n=10, counts=[1]) == ["a", "<11", "<11"]


def test_it_exports_a_table_with_small_numbers_hidden(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    Program.objects.filter(organization=northstar, name="Residential treatment").update(
        name="=HYPERLINK(1)"
    )
    for n in range(12):
        patient(northstar, f"pat{n}", admitted=n)

    response = client_for(bob).get(reverse("outcomes:export", args=["retention"]), {"period": "30"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-retention.csv"'
    header, row = rows_of(response)
    assert header[:3] == ["program", "admissions", "stays_ended"]
    assert row[:3] == ["'=HYPERLINK(1)", "12", "0"]  # 0 is not a small number to hide
    assert client_for(bob).get(reverse("outcomes:export", args=["nope"])).status_code == 404


def test_it_hides_every_figure_of_a_small_group(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patient(northstar, "pat1")

    response = client_for(bob).get(
        reverse("outcomes:export", args=["abstinence"]), {"period": "30"}
    )

    assert rows_of(response)[1] == ["Ketamine", *["<11"] * 6]


def test_it_gives_a_de_identified_file_and_audits_it(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    one = patient(northstar, "pat1", admitted=3)
    checkins(one, range(3, 10), {6: ["ketamine"]})
    url = reverse("outcomes:research_export")

    first = rows_of(client_for(bob).get(url, {"period": "30"}))
    second = rows_of(client_for(bob).get(url, {"period": "30"}))

    header, row = first
    found = dict(zip(header, row, strict=True))
    assert found["checkin_days_in_period"] == "7"
    shifted_admission = dt.date.fromisoformat(found["admitted_on_shifted"])
    shifted_lapse = dt.date.fromisoformat(found["first_lapse_shifted"])
    assert shifted_lapse - shifted_admission == day(6) - day(3)  # intervals stay true
    assert abs((shifted_admission - day(3)).days) <= 180
    assert found["research_id"] != second[1][0]  # a new id each time
    content = "\n".join(",".join(r) for r in first)
    assert "Pat1" not in content and str(one.pk) not in content and one.pk.hex not in content
    events = AuditEvent.objects.filter(actor=bob, patient=one)
    assert (
        list(events.values_list("action", "object_type"))
        == [(AuditAction.EXPORT, AuditObject.OUTCOMES_RESEARCH_EXPORT)] * 2
    )


def test_it_takes_the_same_follow_up_as_the_dashboard_from_one_day(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -100, 20)  # baseline; week 12's target is day -16
    response(a, "phq-9", -18, 25, hour=12)
    response(a, "phq-9", -18, 4, hour=8)  # 2 days before the target: submitted first that day
    b = patient(northstar, "pat2", admitted=-100)
    response(b, "phq-9", -100, 20)
    response(b, "phq-9", -13, 6, hour=8)  # 3 days after the target: submitted first that day
    response(b, "phq-9", -13, 24, hour=12)
    scope = scope_for(bob, start=day(-120))

    header, rows, _ = research_rows(scope)
    twelve = measure_table(scope, PHQ9).total.weeks[12]

    week12 = header.index("phq9_week12")
    found = sorted(float(str(row[week12])) for row in rows)
    assert found == [4.0, 6.0]  # on each day, the first submitted, as on the dashboard
    assert (twelve.followed, twelve.mean_change) == (2, -15.0)  # 4 - 20 and 6 - 20
