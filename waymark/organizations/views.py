from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import actor_for
from waymark.organizations.defaults import CRISIS_LINES, EMERGENCY_NUMBER
from waymark.patients.models import CareTeamMember


@require_GET
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis help. Open to everyone, signed in or not: nobody should hit a sign-in wall here."""
    organization = actor_for(request).organization if request.user.is_authenticated else None
    care_team = []
    if organization is not None:
        lines = list(organization.crisis_lines.all())
        emergency = organization.emergency_number
        care_team = list(
            CareTeamMember.objects.filter(
                organization=organization, patient__user=actor_for(request).user
            ).select_related("clinician")
        )
        default_sets = []
    else:
        lines, emergency = [], ""
        default_sets = [
            {"locale": locale, "emergency": EMERGENCY_NUMBER[locale], "lines": lines_}
            for locale, lines_ in CRISIS_LINES.items()
        ]
    return render(
        request,
        "organizations/help.html",
        {
            "lines": lines,
            "emergency": emergency,
            "care_team": care_team,
            "default_sets": default_sets,
        },
    )
