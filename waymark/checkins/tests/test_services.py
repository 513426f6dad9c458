"""submit_checkin: one per local day, editable until the day ends, yesterday's late,
idempotent by key, alerts in the same transaction, nothing half-saved."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waymark.alerts.models import Alert, Severity
from waymark.checkins.models import CheckIn, SubmissionKey, SubstanceUse
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import Submit, answers
from waymark.conftest import NEW_YORK, TODAY
from waymark.errors import ServiceError
from waymark.patients.models import Patient

YESTERDAY = TODAY - dt.timedelta(days=1)
pytestmark = pytest.mark.usefixtures("frozen")


def test_it_stores_a_checkin_for_the_patients_local_day(alice: Patient, submit: Submit) -> None:
    result = submit(alice, craving=6, uses=[("ketamine", "a little")], triggers=["lonely"])

    checkin = CheckIn.objects.get()
    assert result.created and not result.replayed
    assert (checkin.local_date, checkin.craving, checkin.triggers) == (TODAY, 6, ["lonely"])
    assert checkin.organization_id == alice.organization_id
    assert not checkin.is_late
    use = SubstanceUse.objects.get()
    assert (use.substance, use.amount, use.used_on, use.patient) == (
        "ketamine",
        "a little",
        TODAY,
        alice,
    )


def test_it_changes_todays_checkin_instead_of_adding_a_second(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, craving=6, uses=[("ketamine", ""), ("alcohol", "2 beers")])

    result = submit(alice, craving=2, uses=[("alcohol", "1 beer")])

    assert not result.created
    assert CheckIn.objects.count() == 1
    assert CheckIn.objects.get().craving == 2
    assert list(SubstanceUse.objects.values_list("substance", "amount")) == [("alcohol", "1 beer")]


def test_it_keeps_a_note_on_a_lapse_when_todays_answers_change(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, uses=[("alcohol", "2 beers")])
    SubstanceUse.objects.update(note="After the argument.")

    submit(alice, craving=5, uses=[("alcohol", "3 beers")])

    assert SubstanceUse.objects.get().note == "After the argument."


def test_it_lets_yesterday_be_filled_in_late_and_marks_it(alice: Patient, submit: Submit) -> None:
    result = submit(alice, day=YESTERDAY)

    assert result.checkin.is_late
    assert result.checkin.completed_on == TODAY


def test_it_refuses_a_day_before_yesterday(alice: Patient, submit: Submit) -> None:
    with pytest.raises(ServiceError) as refused:
        submit(alice, day=TODAY - dt.timedelta(days=2))

    assert (refused.value.field, refused.value.status) == ("date", 422)
    assert not CheckIn.objects.exists()


def test_it_refuses_a_future_day(alice: Patient, submit: Submit) -> None:
    with pytest.raises(ServiceError, match="not started yet") as refused:
        submit(alice, day=TODAY + dt.timedelta(days=1))

    assert refused.value.field == "date"
    assert not CheckIn.objects.exists()


def test_it_closes_a_checkin_when_the_day_it_was_made_ends(
    alice: Patient, submit: Submit, frozen: time_machine.Traveller
) -> None:
    submit(alice, craving=4)
    frozen.move_to(dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(9), NEW_YORK))

    with pytest.raises(ServiceError) as refused:
        submit(alice, day=TODAY, craving=1)

    assert (refused.value.status, refused.value.code) == (409, "day_closed")
    assert CheckIn.objects.get().craving == 4


def test_it_refuses_yesterday_late_when_yesterday_was_done_on_time(
    alice: Patient, submit: Submit, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(dt.datetime.combine(YESTERDAY, dt.time(20), NEW_YORK))
    submit(alice, day=YESTERDAY, craving=7)
    frozen.move_to(dt.datetime.combine(TODAY, dt.time(8), NEW_YORK))

    with pytest.raises(ServiceError, match="can no longer be changed"):
        submit(alice, day=YESTERDAY, craving=1)

    assert CheckIn.objects.get().craving == 7


def test_it_returns_the_same_checkin_for_a_retry_with_the_same_key(
    alice: Patient, submit: Submit
) -> None:
    key = uuid.uuid4()
    first = submit(alice, key=key, craving=5, uses=[("alcohol", "wine")])

    retry = submit(alice, key=key, craving=5, uses=[("alcohol", "wine")])

    assert retry.replayed and not retry.created
    assert retry.checkin.pk == first.checkin.pk
    assert (
        CheckIn.objects.count(),
        SubstanceUse.objects.count(),
        SubmissionKey.objects.count(),
    ) == (
        1,
        1,
        1,
    )


def test_it_treats_a_retry_with_answers_in_another_order_as_the_same(
    alice: Patient, submit: Submit
) -> None:
    key = uuid.uuid4()
    submit(alice, key=key, triggers=["lonely", "tired"], uses=[("alcohol", ""), ("ketamine", "")])

    retry = submit(
        alice, key=key, triggers=["tired", "lonely"], uses=[("ketamine", ""), ("alcohol", "")]
    )

    assert retry.replayed


def test_it_refuses_the_same_key_with_different_answers(alice: Patient, submit: Submit) -> None:
    key = uuid.uuid4()
    submit(alice, key=key, craving=5)

    with pytest.raises(ServiceError) as refused:
        submit(alice, key=key, craving=9)

    assert (refused.value.status, refused.value.code) == (409, "key_reused")
    assert "already used for different answers" in refused.value.message
    assert CheckIn.objects.get().craving == 5


def test_it_keeps_keys_per_patient(alice: Patient, dana: Patient, submit: Submit) -> None:
    key = uuid.uuid4()
    submit(alice, key=key)

    result = submit(dana, key=key, craving=9)

    assert result.created
    assert result.checkin.patient == dana


def test_it_raises_an_urgent_alert_for_a_safety_answer(alice: Patient, submit: Submit) -> None:
    result = submit(alice, safety_concern=True)

    alert = Alert.objects.get()
    assert (alert.rule_id, alert.severity, alert.patient) == (
        "checkin.safety",
        Severity.URGENT,
        alice,
    )
    assert (alert.evidence_type, alert.evidence_id) == ("checkin", str(result.checkin.pk))
    assert alert.organization_id == alice.organization_id
    assert "safety question" in alert.reason
    assert alert.source


def test_it_raises_a_high_alert_for_ketamine_bladder_symptoms(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, symptoms=["blood_in_urine", "urgency"])

    alert = Alert.objects.get()
    assert (alert.rule_id, alert.severity) == ("checkin.ketamine_symptoms", Severity.HIGH)
    assert "blood in the urine" in alert.reason
    assert "medical review" in alert.reason


def test_it_raises_no_alert_for_a_calm_day(alice: Patient, submit: Submit) -> None:
    submit(alice)

    assert not Alert.objects.exists()


def test_a_calm_checkin_reads_no_risk_data_on_the_write_path(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, craving=4)  # the first of the day; then an edit, then a yes
    with CaptureQueriesContext(connection) as calm:
        submit(alice, craving=3)
    with CaptureQueriesContext(connection) as safety:
        submit(alice, craving=3, safety_concern=True)
    read = [q["sql"] for q in calm.captured_queries]
    assert not any("risk_risksettings" in sql or "alerts_alert" in sql for sql in read)
    assert any("alerts_alert" in q["sql"] for q in safety.captured_queries)


def test_an_edit_that_still_answers_yes_is_a_new_safety_answer(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, safety_concern=True, craving=8)
    submit(alice, safety_concern=True, craving=6)

    alert = Alert.objects.get(rule_id="checkin.safety")
    assert alert.occurrences == 2
    assert [o.notified for o in alert.occurrence_rows.all()] == [True, True]


def test_it_does_not_repeat_the_symptom_alert_when_the_same_day_is_edited(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, symptoms=["urgency"], craving=8)
    submit(alice, symptoms=["urgency"], craving=6)

    assert Alert.objects.get(rule_id="checkin.ketamine_symptoms").occurrences == 1


def test_it_raises_the_alert_when_an_edit_adds_a_safety_answer(
    alice: Patient, submit: Submit
) -> None:
    submit(alice)
    submit(alice, safety_concern=True)

    assert Alert.objects.get().rule_id == "checkin.safety"


def test_it_saves_nothing_when_raising_the_alert_fails(alice: Patient, submit: Submit) -> None:
    with (
        mock.patch("waymark.risk.services.raise_alert", side_effect=RuntimeError("queue down")),
        pytest.raises(RuntimeError),
    ):
        submit(alice, safety_concern=True, uses=[("ketamine", "")])

    assert not CheckIn.objects.exists()
    assert not SubstanceUse.objects.exists()
    assert not SubmissionKey.objects.exists()


def test_it_refuses_an_unknown_substance_and_saves_nothing(alice: Patient, submit: Submit) -> None:
    with pytest.raises(ServiceError) as refused:
        submit(alice, uses=[("glitter", "")])

    assert refused.value.field == "uses"
    assert not CheckIn.objects.exists()


def test_it_refuses_an_overlong_note(alice: Patient) -> None:
    with pytest.raises(ServiceError) as refused:
        submit_checkin(alice, answers(note="x" * 2001), key=uuid.uuid4())

    assert refused.value.field == "note"
    assert not CheckIn.objects.exists()


def test_it_accepts_a_checkin_made_offline_and_sent_days_later(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    made = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time(21), NEW_YORK)

    result = submit_checkin(alice, answers(day=made.date(), completed_at=made), key=uuid.uuid4())

    assert result.checkin.local_date == made.date()
    assert not result.checkin.is_late  # it was made on its day; only the delivery was late
    assert result.checkin.submitted_at > result.checkin.completed_at


@pytest.mark.parametrize(
    ("offset", "message"),
    [(dt.timedelta(hours=1), "in the future"), (dt.timedelta(days=-8), "more than 7 days")],
)
def test_it_refuses_an_implausible_time_made(
    alice: Patient, offset: dt.timedelta, message: str
) -> None:
    made = dt.datetime.combine(TODAY, dt.time(15), NEW_YORK) + offset

    with pytest.raises(ServiceError, match=message) as refused:
        submit_checkin(alice, answers(day=made.date(), completed_at=made), key=uuid.uuid4())

    assert refused.value.field == "completed_at"


def test_it_rounds_sleep_to_a_tenth_of_an_hour(alice: Patient, submit: Submit) -> None:
    result = submit(alice, sleep_hours=Decimal("6.5"))

    assert result.checkin.sleep_hours == Decimal("6.5")
