"""The outcomes dashboard's engagement figure for mutual-help meetings (issue 18 point 5).

Patients of the chosen cohort (a matching program stay that overlapped the period) who
went to at least one meeting in the period: logged from the meeting list, or ticked in a
check-in. One query; registered with `waymark.outcomes.engagement` when the app loads.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from waymark.checkins.models import CheckIn
from waymark.meetings.models import MeetingAttendance
from waymark.outcomes.engagement import EngagementFigure, register_engagement
from waymark.outcomes.scope import Scope, matching_stays
from waymark.patients.models import Patient


@register_engagement("meetings")
def meetings_attended(scope: Scope) -> list[EngagementFigure]:
    in_period = {"local_date__gte": scope.start, "local_date__lte": scope.end}
    stays = (
        matching_stays(scope)
        .filter(patient_id=OuterRef("pk"), started_on__lte=scope.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
    )
    # Who went, each list read once (a pass over the period's check-ins), not a search of
    # each patient's year of check-ins: 5 s on PostgreSQL at 10,000 patients × 365 days.
    here = {"organization_id": scope.organization_id, **in_period}
    logged = MeetingAttendance.objects.filter(**here).values("patient_id")
    ticked = CheckIn.objects.filter(**here).exclude(meetings=[]).values("patient_id")
    went = Q(pk__in=logged) | Q(pk__in=ticked)
    totals = Patient.objects.filter(Exists(stays), organization_id=scope.organization_id).aggregate(
        n=Count("pk"), count=Count("pk", filter=went)
    )
    return [
        EngagementFigure(
            "Patients who went to a mutual-help meeting",
            totals["count"],
            totals["n"],
            "Patients in care during the period (a stay in the chosen program, level or "
            "clinician's care that overlapped it) who logged at least one meeting from the "
            "meeting list or ticked one in a check-in, in the period.",
        )
    ]
