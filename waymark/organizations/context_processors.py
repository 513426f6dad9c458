from __future__ import annotations

from django.http import HttpRequest

from waymark.access import actor_for


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's role and organization, for the navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"role": None, "organization": None}
    actor = actor_for(request)
    return {"role": actor.role, "organization": actor.organization}
