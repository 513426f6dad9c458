from __future__ import annotations

from django.http import HttpRequest

from waymark.access import actor_for, capabilities_of


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's role and organization, for the navigation, and `can`: what
    they may do (`{% if can.view_caseload %}`; waymark/access.py decides). The unread
    count is the notifications app's (notifications.context_processors.unread)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"role": None, "organization": None, "can": {}}
    actor = actor_for(request)
    return {
        "role": actor.role,
        "organization": actor.organization,
        "can": dict.fromkeys(capabilities_of(actor), True),
    }
