"""The notification centre and each person's notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import Capability, actor_for, audit_shown, capability_required
from waymark.audit.models import AuditObject
from waymark.errors import form_status
from waymark.notifications.forms import PreferenceForm
from waymark.notifications.models import Notification
from waymark.notifications.services import preference_for
from waymark.patients.models import Patient


@require_GET
@capability_required(Capability.USE_NOTIFICATIONS)
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    # Issue 16: grouped by severity (an urgent alert above a moderate one), newest first
    # within each group; the template writes a heading where a group starts.
    notifications = (
        Notification.objects.filter(organization=actor.organization, recipient=actor.user)
        .select_related("patient")
        .order_by("-severity", "-created_at", "-id")
    )
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    # A notification about a patient names them (issue 12, point 4): audited before shown.
    about = [n.patient for n in page.object_list if n.patient is not None]
    audit_shown(actor, about, object_type=AuditObject.NOTIFICATIONS)
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@capability_required(Capability.USE_NOTIFICATIONS)
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one as read and follow its link."""
    actor = actor_for(request)
    notification = get_object_or_404(
        Notification, pk=notification_id, organization=actor.organization, recipient=actor.user
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
@capability_required(Capability.USE_NOTIFICATIONS)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    Notification.objects.filter(
        organization=actor.organization, recipient=actor.user, read_at__isnull=True
    ).update(read_at=timezone.now())
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_NOTIFICATIONS)
def preferences(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    assert actor.organization is not None
    patient = Patient.objects.filter(organization=actor.organization, user=actor.user).first()
    form = PreferenceForm(
        request.POST or None,
        instance=preference_for(actor.organization, actor.user),
        is_patient=patient is not None,
        initial={"timezone": patient.timezone if patient else ""},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if patient is not None and form.cleaned_data.get("timezone"):
                patient.timezone = form.cleaned_data["timezone"]
                patient.save(update_fields=["timezone"])
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    context = {"form": form}
    return render(request, "notifications/preferences.html", context, status=form_status(form))
