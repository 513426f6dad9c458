from __future__ import annotations

from django.http import HttpRequest

from waymark.access import actor_for
from waymark.notifications.models import Notification


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's role, organization and unread count, for the navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"role": None, "organization": None, "unread_notifications": 0}
    actor = actor_for(request)
    unread = 0
    if actor.organization is not None:
        unread = Notification.objects.filter(
            organization=actor.organization, recipient=actor.user, read_at__isnull=True
        ).count()
    return {"role": actor.role, "organization": actor.organization, "unread_notifications": unread}
