"""Each patient's baseline and follow-up scores computed apart from `measures.py`'s one
query, by correlated ORM subqueries per patient and week (what the research export used
before it read the dashboard's own scores): the reference the figures must equal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from waymark.outcomes.measures import WEEKS, Instrument, _groups
from waymark.outcomes.scope import Scope, days_between, matching_stays
from waymark.outcomes.stay_scores import WINDOW
from waymark.questionnaires.models import QuestionnaireResponse


def _follow_ups(key: str) -> Any:
    return QuestionnaireResponse.objects.filter(
        patient_id=OuterRef("pk"), questionnaire_key=key, corrections__isnull=True
    )


def _standing(key: str) -> Any:
    """The outer patient's standing responses (not among the corrected ones; `_follow_ups`
    keeps a join on corrections: Django loses an alias when its annotation sits over one
    more subquery)."""
    corrected = QuestionnaireResponse.objects.filter(corrects__isnull=False).values("corrects_id")
    return QuestionnaireResponse.objects.filter(
        organization_id=OuterRef("organization_id"), patient_id=OuterRef("pk"),
        questionnaire_key=key,
    ).exclude(pk__in=corrected)  # fmt: skip


def _baseline_of(scope: Scope, instrument: Instrument) -> tuple[Subquery, Subquery]:
    """The outer patient's baseline date and score for one instrument."""
    near_a_start = (
        matching_stays(scope)
        .filter(patient_id=OuterRef("patient_id"))
        .annotate(gap=days_between(OuterRef("submitted_on"), "started_on"))
        .filter(gap__gte=-dt.timedelta(days=7), gap__lte=dt.timedelta(days=14))
    )
    baseline = _standing(instrument.key).filter(Exists(near_a_start)).order_by("submitted_at")
    return (
        Subquery(baseline.values("submitted_on")[:1]),
        Subquery(baseline.values("primary_score")[:1]),
    )


def _baseline(scope: Scope, instrument: Instrument) -> Any:
    """Per patient of the cohort: program, primary clinician, baseline date and score."""
    baseline_on, baseline_score = _baseline_of(scope, instrument)
    return _groups(scope).annotate(baseline_on=baseline_on, baseline_score=baseline_score)


def annotated(scope: Scope, instrument: Instrument) -> Any:
    """Per patient: program, clinician, baseline and `score_<week>`."""
    patients = _baseline(scope, instrument)
    for week in WEEKS:
        patients = patients.annotate(**_nearest(instrument.key, week))
    return patients


def _nearest(key: str, week: int) -> dict[str, Any]:
    """`score_<week>`: the score nearest to baseline + `week` weeks, within ± WINDOW (ties:
    the earlier day, then the earlier submitted), from the last day on or before that day
    and the first after it (SQLite cannot order a nested subquery by a reference two levels
    out)."""
    target = dt.timedelta(days=7 * week)
    since = _follow_ups(key).annotate(since=days_between("submitted_on", OuterRef("baseline_on")))
    before = since.filter(since__gte=target - WINDOW, since__lte=target).order_by(
        "-submitted_on", "submitted_at"
    )
    after = since.filter(since__gt=target, since__lte=target + WINDOW).order_by(
        "submitted_on", "submitted_at"
    )
    score: DecimalField[Any, Any] = DecimalField(max_digits=8, decimal_places=2)
    found: dict[str, Any] = {
        f"before_{week}": Subquery(before.values("since")[:1], output_field=DurationField()),
        f"before_score_{week}": Subquery(before.values("primary_score")[:1], output_field=score),
        f"after_{week}": Subquery(after.values("since")[:1], output_field=DurationField()),
        f"after_score_{week}": Subquery(after.values("primary_score")[:1], output_field=score),
    }
    after_is_nearer = Q(**{f"before_{week}__isnull": True}) | Q(
        **{f"after_{week}__lt": _minus(Value(2 * target), F(f"before_{week}"))}
    )
    found[f"score_{week}"] = Case(
        When(after_is_nearer, then=F(f"after_score_{week}")),
        default=F(f"before_score_{week}"),
        output_field=score,
    )
    return found


def _minus(later: Any, earlier: Any) -> ExpressionWrapper:
    return ExpressionWrapper(later - earlier, output_field=DurationField())
