from __future__ import annotations

from django.http import HttpRequest

from waymark.access import actor_for
from waymark.notifications.models import Notification


def unread(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's unread notifications, counted for the navigation's badge."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"unread_notifications": 0}
    actor = actor_for(request)
    count = 0
    if actor.organization is not None:
        count = Notification.objects.filter(
            organization=actor.organization, recipient=actor.user, read_at__isnull=True
        ).count()
    return {"unread_notifications": count}
