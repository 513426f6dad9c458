"""Use is specific: a lapse is a use against an abstinence goal, not a medicine taken as
prescribed; after a break a depressant means lower tolerance, and the patient is told how
to stay safe at once."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.checkins.tests.conftest import answers, api_body, form_data
from waymark.conftest import TODAY
from waymark.errors import ServiceError
from waymark.patients.models import Patient
from waymark.risk.models import RiskSettings
from waymark.risk.registry import Use
from waymark.risk.snapshot import recent_lapses

ClientFor = Callable[[User | None], Client]
USE_RULES = ("use.reported", "use.repeated", "use.lower_tolerance")


def use_alerts(patient: Patient) -> dict[str, int]:
    """The use alerts raised so far (no worker has run: these were raised at once)."""
    alerts = Alert.objects.filter(patient=patient, rule_id__in=USE_RULES)
    return dict(alerts.values_list("rule_id", "severity"))


def with_goals(patient: Patient, **goals: str) -> Patient:
    patient.substance_goals = goals
    patient.save()
    return patient


def test_three_days_of_tobacco_without_a_goal_raise_no_use_flag(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    for back in (2, 1, 0):
        check_in(alice, back, uses=[("tobacco", "10 a day")])

    assert SubstanceUse.objects.filter(substance="tobacco").count() == 3, "it is recorded"
    assert recent_lapses(alice, TODAY) == ()
    assert use_alerts(alice) == {}


def test_tobacco_counts_once_the_patient_chooses_to_stop(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    with_goals(alice, ketamine="abstinence", tobacco="abstinence")
    for back in (2, 1, 0):
        check_in(alice, back, uses=[("tobacco", "")])

    assert use_alerts(alice) == {"use.reported": Severity.HIGH, "use.repeated": Severity.URGENT}


def test_a_reduction_goal_makes_a_use_no_lapse(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    with_goals(alice, ketamine="abstinence", alcohol="reduction")
    for back in (2, 1, 0):
        check_in(alice, back, uses=[("alcohol", "2 beers")])

    assert recent_lapses(alice, TODAY) == ()
    assert use_alerts(alice) == {}


def test_prescribed_buprenorphine_taken_as_prescribed_is_no_lapse(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    with_goals(alice, ketamine="abstinence", opioids="abstinence")
    check_in(alice, uses=[UseData("opioids", "buprenorphine 16 mg", as_prescribed=True)])

    assert SubstanceUse.objects.get().as_prescribed is True
    assert recent_lapses(alice, TODAY) == ()
    assert use_alerts(alice) == {}


def test_the_same_medicine_not_as_prescribed_is_a_lapse_and_the_care_team_knows_at_once(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    with_goals(alice, ketamine="abstinence", opioids="abstinence")
    check_in(alice, uses=[UseData("opioids", "extra buprenorphine", as_prescribed=False)])

    [lapse] = recent_lapses(alice, TODAY)
    assert (lapse.substance, lapse.day) == ("opioids", TODAY)
    # No use before it since recovery began 20 days ago: after a break, lower tolerance.
    assert lapse.days_without_before == 20
    assert use_alerts(alice) == {
        "use.reported": Severity.HIGH,
        "use.lower_tolerance": Severity.HIGH,
    }


def test_a_use_as_prescribed_keeps_tolerance_so_the_next_lapse_is_not_after_a_break(
    alice: Patient, check_in: Callable[..., None]
) -> None:
    with_goals(alice, ketamine="abstinence", opioids="abstinence")
    check_in(alice, 1, uses=[UseData("opioids", "", as_prescribed=True)])
    check_in(alice, 0, uses=[UseData("opioids", "", as_prescribed=False)])

    assert [u.days_without_before for u in recent_lapses(alice, TODAY)] == [1]
    assert use_alerts(alice) == {"use.reported": Severity.HIGH}


def test_alcohol_after_ten_days_without_is_lower_tolerance_with_guidance_at_once(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, 10, uses=[("alcohol", "a bottle of wine")])
    Alert.objects.all().delete()  # that one is not what this test is about
    check_in(alice, 0, uses=[("alcohol", "3 glasses")])

    assert recent_lapses(alice, TODAY) == (Use("alcohol", TODAY, _checkin_id(alice), 10),)
    assert use_alerts(alice) == {
        "use.reported": Severity.HIGH,
        "use.lower_tolerance": Severity.HIGH,
    }
    page = _result_page(alice, client_for)
    assert "your tolerance is likely lower" in page
    assert "10 days without alcohol" in page
    assert "naloxone" in page.lower()
    assert "Don't use alone" in page
    assert f'href="tel:{alice.organization.emergency_number}"' in page
    assert "Strang et al., BMJ 2003" in page
    assert "this has gone to your care team" in page


def test_alcohol_three_days_after_the_last_time_is_not_after_a_break(
    alcohol_three_days_apart: Patient, client_for: ClientFor
) -> None:
    alice = alcohol_three_days_apart

    assert [u.days_without_before for u in recent_lapses(alice, TODAY)] == [3, 1]
    assert "use.lower_tolerance" not in use_alerts(alice)
    page = _result_page(alice, client_for)
    assert "tolerance" not in page
    assert "this has gone to your care team" in page, "still a lapse: what happens next"


def test_an_organization_may_wait_longer_before_calling_it_a_break(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    RiskSettings.objects.create(organization=alice.organization, tolerance_days=14)
    check_in(alice, 10, uses=[("alcohol", "")])
    Alert.objects.all().delete()
    check_in(alice, 0, uses=[("alcohol", "")])

    assert use_alerts(alice) == {"use.reported": Severity.HIGH}
    assert "tolerance" not in _result_page(alice, client_for)


def test_a_use_that_is_no_lapse_says_nothing_about_lapses_or_the_care_team(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, uses=[("tobacco", "")])

    page = _result_page(alice, client_for)
    assert "Tobacco / nicotine" in page, "the answer is shown as given"
    assert "lapse" not in page.lower() and "gone to your care team" not in page


def test_the_result_page_marks_a_medicine_taken_as_prescribed(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, uses=[UseData("benzodiazepines", "diazepam 5 mg", as_prescribed=True)])
    assert "diazepam 5 mg) — as prescribed" in _result_page(alice, client_for)


def test_a_check_in_without_use_reads_no_use_history(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    with CaptureQueriesContext(connection) as calm:
        submit_checkin(alice, answers(), key=uuid.uuid4())
    with CaptureQueriesContext(connection) as lapse:
        submit_checkin(alice, answers(TODAY - dt.timedelta(days=1), uses=[("ketamine", "")]),
                       key=uuid.uuid4())  # fmt: skip

    assert not [q for q in calm.captured_queries if "used_on" in q["sql"]]
    assert [q for q in lapse.captured_queries if "used_on" in q["sql"]], "the lapse reads them"


# The service, the form and the API: as prescribed is asked only for prescribed classes.


def test_the_service_refuses_as_prescribed_for_alcohol_and_saves_nothing(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    data = answers(uses=[UseData("alcohol", "", as_prescribed=True)])
    with pytest.raises(ServiceError) as refused:
        submit_checkin(alice, data, key=uuid.uuid4())
    assert refused.value.field == "uses"
    assert "not alcohol" in refused.value.message
    assert not CheckIn.objects.exists()


def test_as_prescribed_is_part_of_the_idempotency_fingerprint(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    key = uuid.uuid4()
    submit_checkin(alice, answers(uses=[UseData("opioids", "")]), key=key)
    changed = answers(uses=[UseData("opioids", "", as_prescribed=True)])
    with pytest.raises(ServiceError) as refused:
        submit_checkin(alice, changed, key=key)
    assert refused.value.code == "key_reused"
    unchanged = CheckInData(**{**answers().__dict__, "uses": (UseData("opioids", ""),)})
    assert submit_checkin(alice, unchanged, key=key).replayed


def test_the_form_asks_as_prescribed_only_for_prescribed_classes(
    alice: Patient, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    html = client_for(alice.user).get("/checkin/").content.decode()

    for name in ("prescribed_opioids", "prescribed_benzodiazepines", "prescribed_stimulants"):
        assert f'name="{name}"' in html
    for name in ("prescribed_alcohol", "prescribed_ketamine", "prescribed_tobacco"):
        assert f'name="{name}"' not in html
    assert "I was prescribed this and took it as prescribed" in html


def test_the_form_stores_as_prescribed_and_shows_it_again_to_change(
    alice: Patient, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    client = client_for(alice.user)
    posted = form_data(use_opioids="on", amount_opioids="methadone 60 mg")
    response = client.post("/checkin/", {**posted, "prescribed_opioids": "on"})

    assert response.status_code == 302
    assert SubstanceUse.objects.get().as_prescribed is True
    assert Alert.objects.filter(rule_id__startswith="use.").count() == 0
    html = client.get("/checkin/").content.decode()
    assert re.search(r'<input[^>]*name="prescribed_opioids"[^>]*checked', html)


def test_the_form_names_as_prescribed_ticked_without_the_substance(
    alice: Patient, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    response = client_for(alice.user).post("/checkin/", form_data(prescribed_stimulants="on"))

    assert response.status_code == 422  # an invalid form answers 422 everywhere
    errors = response.context["form"].errors
    assert "Please tick stimulants above as well" in errors["prescribed_stimulants"][0]
    assert not CheckIn.objects.exists()


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/checkins", json.dumps(body), content_type="application/json")


def test_the_api_stores_and_returns_as_prescribed(
    alice: Patient, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    uses = [{"substance": "benzodiazepines", "amount": "", "as_prescribed": True}]
    response = _post(client_for(alice.user), api_body(uses=uses))

    assert response.status_code == 201
    assert response.json()["uses"][0]["as_prescribed"] is True
    assert SubstanceUse.objects.get().as_prescribed is True


@pytest.mark.parametrize(
    ("use", "message"),
    [
        ({"substance": "alcohol", "as_prescribed": True}, "not alcohol"),
        ({"substance": "opioids", "as_prescribed": "yes"}, "valid boolean"),
    ],
)
def test_the_api_names_a_bad_as_prescribed_and_saves_nothing(
    alice: Patient,
    client_for: ClientFor,
    frozen: time_machine.Traveller,
    use: dict[str, Any],
    message: str,
) -> None:
    response = _post(client_for(alice.user), api_body(uses=[use]))

    assert response.status_code == 422
    [(field, [error])] = response.json()["errors"].items()
    assert field.split(".")[-1] == "as_prescribed"
    assert message in error
    assert not CheckIn.objects.exists()


def _checkin_id(patient: Patient) -> str:
    return str(CheckIn.objects.get(patient=patient, local_date=TODAY).pk)


def _result_page(patient: Patient, client_for: ClientFor) -> str:
    url = reverse("checkins:done", kwargs={"day": TODAY.isoformat()})
    response = client_for(patient.user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_api_returns_the_overdose_guidance_after_a_break_and_not_otherwise(
    alice: Patient,
    check_in: Callable[..., None],
    client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:
    check_in(alice, 10, uses=[("alcohol", "")])
    client = client_for(alice.user)
    after_break = _post(client, api_body(uses=[{"substance": "alcohol", "amount": "4 beers"}]))

    assert after_break.status_code == 201
    guidance = after_break.json()["lower_tolerance"]
    assert guidance["substances"] == ["alcohol"]
    assert "naloxone" in guidance["message"] and "don't use alone" in guidance["message"]
    assert guidance["emergency_number"] == alice.organization.emergency_number
    assert guidance["learn_more"].endswith("/after-a-break-overdose-risk/")

    calm = _post(client, api_body(date=(TODAY - dt.timedelta(days=1)).isoformat()))
    assert calm.status_code == 201 and calm.json()["lower_tolerance"] is None
