"""CIWA-Ar (Sullivan et al. 1989): scoring, a clinician recording it for a patient, and the
care team told of moderate or severe withdrawal (the registry's "ciwa.withdrawal")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertOccurrence, AlertStatus, Severity
from waymark.alerts.services import resolve
from waymark.conftest import NOW, TODAY, actor
from waymark.notifications.models import Kind, Notification
from waymark.patients.models import Patient
from waymark.questionnaires import clinician_entry
from waymark.questionnaires.clinician_entry import record_by_clinician
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.scoring import clean_answers, score
from waymark.questionnaires.services import available_questionnaires
from waymark.questionnaires.tests.helpers import definition, numbered
from waymark.risk import registry
from waymark.risk.models import PatientRisk, RiskSettings
from waymark.risk.registry import Rating, Snapshot
from waymark.risk.services import reassess
from waymark.risk.snapshot import build
from waymark.risk.tasks import reassess_soon
from waymark.testing.audit import audited

ClientFor = Callable[[User | None], Client]

# A worked example: nausea 1, tremor 4, sweats 1, anxiety 4, agitation 1, tactile 0,
# auditory 0, visual 1, headache 2, orientation 0 = 14, moderate (8-15).
MODERATE = [1, 4, 1, 4, 1, 0, 0, 1, 2, 0]


def _band(answers: list[int]) -> tuple[Decimal, str]:
    ciwa = definition("ciwa-ar")
    (total,) = score(ciwa, clean_answers(ciwa, numbered(answers))).scales
    assert total.band is not None
    return total.value, total.band.code


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0] * 10, 0, "minimal"),
        ([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], 7, "minimal"),
        (MODERATE, 14, "moderate"),
        ([2, 4, 2, 4, 1, 0, 0, 1, 2, 0], 16, "severe"),
        ([7] * 9 + [4], 67, "severe"),
    ],
)
def test_it_scores_the_ciwa_ar_in_the_published_range(
    answers: list[int], total: int, band: str
) -> None:
    assert _band(answers) == (Decimal(total), band)


def test_it_refuses_an_orientation_rating_above_4() -> None:
    ciwa = definition("ciwa-ar")
    with pytest.raises(Exception):  # noqa: B017 - AnswerError names the question
        clean_answers(ciwa, numbered([0] * 9 + [5]))


def _url(patient: Patient) -> str:
    return reverse("questionnaires:record_rating", args=[patient.pk, "ciwa-ar"])


def _post(answers: list[int]) -> dict[str, str]:
    return {f"a-{n}": str(v) for n, v in numbered(answers).items()}


def test_it_lets_a_clinician_record_a_ciwa_ar(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    assert "Tremor" in client.get(_url(alice)).content.decode()

    sent = client.post(_url(alice), _post(MODERATE))

    response = QuestionnaireResponse.objects.get(patient=alice, questionnaire_key="ciwa-ar")
    assert sent.status_code == 302 and str(response.pk) in sent["Location"]
    assert response.primary_score == 14 and response.primary_band == "moderate"
    assert response.submitted_by == bob
    assert audited(
        object_type="questionnaire_response", object_id=str(response.pk), action="create"
    )


def test_it_names_a_missing_rating_and_saves_nothing(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    answers = _post(MODERATE)
    del answers["a-10"]

    sent = client_for(bob).post(_url(alice), answers)

    assert sent.status_code == 422
    assert not QuestionnaireResponse.objects.filter(patient=alice).exists()


def test_it_hides_another_organizations_patient(
    erin: Patient, bob: User, client_for: ClientFor
) -> None:
    assert client_for(bob).get(_url(erin)).status_code == 404


def test_it_refuses_a_patient(alice: Patient, client_for: ClientFor) -> None:
    assert client_for(alice.user).post(_url(alice), _post(MODERATE)).status_code == 403
    assert not QuestionnaireResponse.objects.filter(patient=alice).exists()


def test_it_records_only_clinician_ratings(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    url = reverse("questionnaires:record_rating", args=[alice.pk, "phq-9"])
    assert client_for(bob).get(url).status_code == 404


def test_it_never_puts_the_ciwa_ar_on_a_patients_list(alice: Patient) -> None:
    assert "ciwa-ar" not in {q.key for q in available_questionnaires(alice.organization_id)}


# --- The care team is told (questionnaires.rules, the registry's "ciwa.withdrawal") --------

SEVERE = [2, 4, 2, 4, 1, 0, 0, 1, 2, 2]  # 18, severe (over 15)
MINIMAL = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]  # 3, minimal to mild
RULE = "ciwa.withdrawal"


def _rate(patient: Patient, clinician: User, answers: list[int]) -> QuestionnaireResponse:
    return record_by_clinician(actor(clinician), patient, "ciwa-ar", numbered(answers))


def _told(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=Kind.ALERT)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    )


def _rating(total: int, band: str, hours_ago: float = 0) -> Rating:
    at = NOW - dt.timedelta(hours=hours_ago)
    return Rating(total, band, at, "r1", age=NOW - at)


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [(18, "severe", Severity.URGENT), (12, "moderate", Severity.MODERATE), (3, "minimal", None)],
)
def test_the_rule_reads_the_definitions_band(total: int, band: str, level: int | None) -> None:
    snapshot = Snapshot(today=TODAY, tracking_since=TODAY, ciwa=_rating(total, band))
    found = registry.evaluate(snapshot, RiskSettings(), only=[RULE])
    assert [f.level for f in found] == ([level] if level else [])


def test_the_reason_names_the_score_its_band_and_when() -> None:
    snapshot = Snapshot(today=TODAY, tracking_since=TODAY, ciwa=_rating(18, "severe", 0.9))
    (flag,) = registry.evaluate(snapshot, RiskSettings(), only=[RULE])
    assert flag.reason.startswith("CIWA-Ar 18 (severe) at 14:06 on 27 Nov: risk of withdrawal")
    assert (flag.evidence_type, flag.evidence_id) == ("questionnaire_response", "r1")


@pytest.mark.parametrize(("hours_ago", "counts"), [(23.9, True), (24.1, False), (24 * 30, False)])
def test_only_a_rating_of_the_last_24_hours_counts(hours_ago: float, counts: bool) -> None:
    snapshot = Snapshot(today=TODAY, tracking_since=TODAY, ciwa=_rating(18, "severe", hours_ago))
    assert bool(registry.evaluate(snapshot, RiskSettings(), only=[RULE])) is counts


def test_a_severe_rating_alerts_the_care_team_at_once(
    alice: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    client_for(bob).post(_url(alice), _post(SEVERE))

    response = QuestionnaireResponse.objects.get(patient=alice, questionnaire_key="ciwa-ar")
    alert = Alert.objects.get(patient=alice, rule_id=RULE)
    assert (alert.severity, alert.status, alert.occurrences) == (
        Severity.URGENT, AlertStatus.OPEN, 1,
    )  # fmt: skip
    assert alert.reason.startswith("CIWA-Ar 18 (severe) at 15:00 on 27 Nov")
    assert (alert.evidence_type, alert.evidence_id) == ("questionnaire_response", str(response.pk))
    assert alert.source.startswith("Sullivan JT et al.") and "1989" in alert.source
    assert _told(bob) == [alert.reason], "told once, though the reassessment saw it too"
    risk = PatientRisk.objects.get(patient=alice)
    assert risk.urgent_unacked and risk.level == Severity.URGENT
    assert [r["rule"] for r in risk.reasons] == [RULE]


def test_the_alert_does_not_wait_for_the_reassessment(
    alice: Patient, bob: User, frozen: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were the reassessment queued (as the check-in's is), the alert is still raised now.
    monkeypatch.setattr(clinician_entry, "reassess", reassess_soon)
    _rate(alice, bob, SEVERE)
    assert Alert.objects.get(patient=alice, rule_id=RULE).severity == Severity.URGENT
    assert len(_told(bob)) == 1


def test_a_moderate_rating_is_a_lower_alert_and_a_severe_one_after_it_is_news(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, MODERATE)
    alert = Alert.objects.get(patient=alice, rule_id=RULE)
    assert alert.severity == Severity.MODERATE and alert.reason.startswith("CIWA-Ar 14 (moderate)")

    frozen.shift(dt.timedelta(hours=2))
    _rate(alice, bob, SEVERE)

    alert.refresh_from_db()
    assert (alert.severity, alert.occurrences) == (Severity.URGENT, 2)
    assert alert.reason.startswith("CIWA-Ar 18 (severe) at 17:00")
    assert len(_told(bob)) == 2, "a rise to urgent tells the care team again"


def test_a_minimal_rating_raises_nothing(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, MINIMAL)
    assert not Alert.objects.filter(patient=alice).exists()
    assert PatientRisk.objects.get(patient=alice).level == 0


def test_a_second_severe_rating_updates_the_open_alert(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    first = _rate(alice, bob, SEVERE)
    frozen.shift(dt.timedelta(hours=1, minutes=5))
    second = _rate(alice, bob, SEVERE)

    alert = Alert.objects.get(patient=alice, rule_id=RULE)
    assert alert.occurrences == 2
    assert alert.evidence_id == str(second.pk) and alert.reason.startswith(
        "CIWA-Ar 18 (severe) at 16:05"
    )
    keys = set(AlertOccurrence.objects.filter(alert=alert).values_list("evidence_id", flat=True))
    assert keys == {str(first.pk), str(second.pk)}
    assert len(_told(bob)) == 1, "a repeat of an open alert updates it quietly"


def test_a_severe_rating_after_the_alert_was_resolved_is_a_new_alert_that_tells(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    first = Alert.objects.get(patient=alice, rule_id=RULE)
    resolve(first, actor(bob), note="Diazepam given per protocol; rated again in an hour.")
    frozen.shift(dt.timedelta(hours=1))
    reassess(alice)  # the same rating, still within 24 h, does not reopen it
    assert Alert.objects.filter(patient=alice, rule_id=RULE).count() == 1

    frozen.shift(dt.timedelta(hours=3))
    _rate(alice, bob, SEVERE)

    alerts = list(Alert.objects.filter(patient=alice, rule_id=RULE).order_by("created_at"))
    assert [a.status for a in alerts] == [AlertStatus.RESOLVED, AlertStatus.OPEN]
    assert len(_told(bob)) == 2
    assert PatientRisk.objects.get(patient=alice).urgent_unacked


def test_a_minimal_rating_after_a_severe_one_does_not_close_the_alert(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    frozen.shift(dt.timedelta(hours=1))
    _rate(alice, bob, MINIMAL)

    # Like every rule: an alert closes only when a clinician resolves it, with a note.
    alert = Alert.objects.get(patient=alice, rule_id=RULE)
    assert (alert.status, alert.occurrences, alert.severity) == (
        AlertStatus.OPEN, 1, Severity.URGENT,
    )  # fmt: skip
    risk = PatientRisk.objects.get(patient=alice)
    assert risk.level == 0, "the rolling risk follows the latest rating"
    assert risk.urgent_unacked, "the open alert keeps the patient on top"


def test_a_rating_from_last_month_keeps_no_risk_and_raises_nothing_new(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    resolve(Alert.objects.get(patient=alice), actor(bob), note="Settled; off the scale now.")
    frozen.shift(dt.timedelta(days=30))

    reassess(alice)

    assert Alert.objects.filter(patient=alice, rule_id=RULE).count() == 1
    assert RULE not in {r["rule"] for r in PatientRisk.objects.get(patient=alice).reasons}
    assert sum(body.startswith("CIWA-Ar") for body in _told(bob)) == 1


def test_the_patient_rises_to_the_top_of_the_caseload(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    PatientRisk.objects.create(
        organization_id=dana.organization_id, patient=dana, level=Severity.HIGH,
        last_activity_at=timezone.now(), assessed_at=timezone.now(),
    )  # fmt: skip
    client = client_for(bob)
    before = [p.pk for p in client.get(reverse("patients:caseload")).context["page"]]
    assert before.index(dana.pk) < before.index(alice.pk)

    _rate(alice, bob, SEVERE)

    after = [p.pk for p in client.get(reverse("patients:caseload")).context["page"]]
    assert after[0] == alice.pk


def test_only_clinicians_hear_of_it_never_the_patient_or_a_supporter(
    alice: Patient, bob: User, sam: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    alert = Alert.objects.get(patient=alice, rule_id=RULE)

    assert not Notification.objects.filter(recipient__in=[alice.user, sam]).exists()
    for page in (reverse("home"), reverse("notifications:inbox")):
        shown = client_for(alice.user).get(page, follow=True).content.decode()
        assert alert.title not in shown and "risk of withdrawal seizures" not in shown


def test_another_organizations_patient_is_untouched(
    alice: Patient, bob: User, erin: Patient, carol: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    assert not Alert.objects.filter(patient=erin).exists() and not _told(carol)

    _rate(erin, carol, SEVERE)

    assert Alert.objects.get(patient=erin, rule_id=RULE).organization_id == erin.organization_id
    assert len(_told(bob)) == 1 and len(_told(carol)) == 1
    assert Alert.objects.get(patient=alice, rule_id=RULE).occurrences == 1


def test_the_snapshot_reads_the_latest_rating_in_one_query_however_many(
    alice: Patient, bob: User, frozen: time_machine.Traveller
) -> None:
    _rate(alice, bob, SEVERE)
    with CaptureQueriesContext(connection) as one:
        build(alice)
    for hours in (1, 2, 3):
        frozen.shift(dt.timedelta(hours=1))
        latest = _rate(alice, bob, MODERATE if hours < 3 else MINIMAL)
    with CaptureQueriesContext(connection) as four:
        snapshot = build(alice)

    assert len(four.captured_queries) == len(one.captured_queries)
    assert sum("ciwa-ar" in q["sql"] for q in four.captured_queries) == 1
    assert snapshot.ciwa is not None
    assert (snapshot.ciwa.total, snapshot.ciwa.band, snapshot.ciwa.response_id) == (
        3, "minimal", str(latest.pk),
    )  # fmt: skip
    assert f"{snapshot.ciwa.at:%H:%M}" == "18:00" and snapshot.ciwa.age == dt.timedelta(0)
