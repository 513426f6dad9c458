"""The outcomes dashboard's engagement figures for appointments and group sessions
(issue 18 point 5): of the sessions in the period whose outcome was recorded, how many the
patient came to. Individual and family appointments by their outcome (attended, cancelled
late, did not attend); group sessions by the register (attended or late, of every member
recorded). One query each; registered with `waymark.outcomes.engagement`.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from waymark.appointments.models import Appointment, Attendance, AttendanceStatus, Outcome
from waymark.outcomes.engagement import EngagementFigure, register_engagement
from waymark.outcomes.scope import Scope, matching_stays


@register_engagement("appointments")
def sessions_attended(scope: Scope) -> list[EngagementFigure]:
    in_cohort = matching_stays(scope).filter(patient_id=OuterRef("patient_id"))
    when = {"starts_at__date__gte": scope.start, "starts_at__date__lte": scope.end}
    own = Appointment.objects.filter(
        Exists(in_cohort), organization_id=scope.organization_id, **when
    ).exclude(outcome="")
    one_to_one = own.aggregate(n=Count("pk"), count=Count("pk", filter=Q(outcome=Outcome.ATTENDED)))
    register = Attendance.objects.filter(
        Exists(in_cohort),
        organization_id=scope.organization_id,
        **{f"appointment__{key}": value for key, value in when.items()},
    )
    groups = register.aggregate(
        n=Count("pk"),
        count=Count("pk", filter=Q(status__in=[AttendanceStatus.ATTENDED, AttendanceStatus.LATE])),
    )
    return [
        EngagementFigure(
            "Individual and family appointments attended",
            one_to_one["count"],
            one_to_one["n"],
            "Appointments of patients in the chosen cohort that started in the period and "
            "have an outcome recorded; attended out of attended, cancelled late and did not "
            "attend.",
        ),
        EngagementFigure(
            "Group session places attended",
            groups["count"],
            groups["n"],
            "Group sessions in the period: members of the cohort marked attended or late, out "
            "of every member on the register (absent and excused included).",
        ),
    ]
