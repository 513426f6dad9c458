"""Issue 18 point 3: BAM use and protection per 4-week block of care, in one query.

The Brief Addiction Monitor (Cacciola et al., J Subst Abuse Treat 2013) scores Use (0–12,
lower is better) and Protective factors (0–24, higher is better) on the same scales in its
Likert and day-count forms (the day-count form recodes days into the same 0–4 bands), so
both forms count. Block 1 is days 0–27 from the start of the patient's first matching
program stay, block 2 days 28–55, and so on. Only standing responses submitted in the
period, on or after that start, count; a block shows the mean of its responses and how
many patients gave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Subquery

from waymark.outcomes.scope import Scope, cohort, matching_stays
from waymark.outcomes.sql import days_sql

BLOCK_DAYS = 28


@dataclass(frozen=True)
class BamBlock:
    block: int  # 1: the first four weeks of care
    patients: int
    responses: int
    use: float
    protective: float

    @property
    def weeks(self) -> str:
        return f"{4 * self.block - 3}–{4 * self.block}"


def _protective() -> str:
    """The Protective scale's value from a response's stored scores, in this database's SQL."""
    if connection.vendor == "sqlite":
        return (
            "(SELECT json_extract(e.value, '$.value') FROM json_each(q.scores, '$.scales') e "
            "WHERE json_extract(e.value, '$.id') = 'protective')"
        )
    return (
        "(SELECT (e ->> 'value')::numeric FROM jsonb_array_elements(q.scores -> 'scales') e "
        "WHERE e ->> 'id' = 'protective')"
    )


def bam_trends(scope: Scope) -> list[BamBlock]:
    first = matching_stays(scope, of_outer_patient=True).order_by("started_on", "pk")
    base, params = (
        cohort(scope)
        .annotate(care_from=Subquery(first.values("started_on")[:1]))
        .values("id", "care_from")
        .query.sql_with_params()
    )
    since = days_sql("q.submitted_on", "b.care_from")
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH b AS MATERIALIZED ({base}) "  # noqa: S608
        f"SELECT {since} / {BLOCK_DAYS} + 1 AS block, COUNT(DISTINCT b.id), COUNT(*), "
        f"AVG(q.primary_score), AVG({_protective()}) "
        "FROM b JOIN questionnaires_questionnaireresponse q ON q.patient_id = b.id "
        "AND q.organization_id = %s AND q.questionnaire_key = 'bam' "
        "WHERE q.submitted_on >= b.care_from AND q.submitted_on BETWEEN %s AND %s "
        "AND NOT EXISTS (SELECT 1 FROM questionnaires_questionnaireresponse c "
        "WHERE c.corrects_id = q.id) GROUP BY 1 ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, scope.organization_id, scope.start, scope.end])
        rows: list[Any] = cursor.fetchall()
    return [
        BamBlock(block, patients, count, round(float(use), 1), round(float(protect or 0), 1))
        for block, patients, count, use, protect in rows
    ]


def bam_chart(blocks: list[BamBlock]) -> dict[str, Any]:
    return {
        "labels": [f"Weeks {b.weeks}" for b in blocks],
        "use": [b.use for b in blocks],
        "protective": [b.protective for b in blocks],
    }
