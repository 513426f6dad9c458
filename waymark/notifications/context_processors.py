from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from waymark.access import actor_for
from waymark.notifications.models import Notification


def unread(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's unread notifications, counted for the navigation's badge."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"unread_notifications": 0}
    actor = actor_for(request)
    if actor.organization is None:
        return {"unread_notifications": 0}
    # Counted only if the page shows the badge: a record panel's fragment does not.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(
                organization=actor.organization, recipient=actor.user, read_at__isnull=True
            ).count()
        )
    }
