from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from waymark.admin_site import AuditedReads, OrganizationScopedAdmin
from waymark.audit.models import AuditObject
from waymark.notifications.models import Delivery, DeliveryStatus
from waymark.notifications.tasks import deliver_email
from waymark.patients.models import Patient


@admin.register(Delivery)
class DeliveryAdmin(AuditedReads, OrganizationScopedAdmin):
    """E-mails and why any failed. Read-only, with a retry for failed ones.

    An e-mail to a patient (their address) or about one is that patient's data: audited."""

    audit_object, audit_list = AuditObject.ADMIN_DELIVERY, AuditObject.ADMIN_DELIVERY_LIST
    list_select_related = ["notification"]

    list_display = ["created_at", "to_address", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = [
        "notification", "channel", "to_address", "status", "dedupe_key", "attempts",
        "not_before", "last_error", "created_at", "sent_at",
    ]  # fmt: skip
    exclude = ["lease_until"]
    actions = ["retry"]

    def patients_shown(self, objects: Sequence[Delivery]) -> Iterable[Patient]:
        about = {d.notification.patient_id for d in objects} - {None}
        to = Q()
        for delivery in objects:
            to |= Q(
                user_id=delivery.notification.recipient_id, organization=delivery.organization_id
            )
        return Patient.objects.filter(Q(pk__in=about) | to) if objects else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Try the selected failed e-mails again")
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        failed = list(queryset.filter(status=DeliveryStatus.FAILED))
        for delivery in failed:
            delivery.status = DeliveryStatus.PENDING
            delivery.attempts = 0
            delivery.save(update_fields=["status", "attempts"])
            deliver_email.enqueue(delivery.pk)
        self.message_user(request, f"{len(failed)} e-mail(s) will be sent again.")


# Issue 12, point 4: a task's arguments and result name patients by id (operators only).
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class AuditedTaskResultAdmin(AuditedReads, DBTaskResultAdmin):
    """django-tasks-db's own admin of the task queue, with the patients its tasks name
    (in their arguments or results) audited when an operator looks."""

    audit_object, audit_list = AuditObject.ADMIN_TASK, AuditObject.ADMIN_TASK_LIST

    def patients_shown(self, objects: Sequence[DBTaskResult]) -> Iterable[Patient]:
        text = json.dumps([[t.args_kwargs, t.return_value] for t in objects], default=str)
        return Patient.objects.filter(pk__in=set(_UUID.findall(text)))
