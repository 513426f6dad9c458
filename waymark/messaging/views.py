"""Messages between a patient and their care team: the patient's pages and the care team's.

Patients need MESSAGE_CARE_TEAM, clinicians MESSAGE_PATIENTS (waymark/access.py). Staff
reads are audited (get_patient, services.open_thread, page_and_audit); another
organization's patient or conversation is a 404.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import (
    Actor,
    Capability,
    actor_for,
    capability_required,
    get_patient,
    own_patient_record,
    page_and_audit,
    visible_patients,
)
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status
from waymark.messaging.forms import MessageForm
from waymark.messaging.models import Message, Thread
from waymark.messaging.services import (
    MessageData,
    mentions_crisis,
    open_thread,
    reply,
    settings_for,
    start_thread,
    thread_of,
    threads_of,
    threads_with_unread,
)
from waymark.organizations.crisis import crisis_help_for
from waymark.patients.models import Patient


@dataclass(frozen=True)
class Shown:
    """A message as the viewer sees it: their own or the other side's, times in their zone."""

    message: Message
    mine: bool
    receipt: str  # "Read 14:05" on the viewer's own messages once the other side read them


def shown(messages: list[Message], *, as_patient: bool, tz: zoneinfo.ZoneInfo) -> list[Shown]:
    rows = []
    for message in messages:
        mine = message.from_patient == as_patient
        receipt = ""
        if mine and message.read_at is not None:
            read = message.read_at.astimezone(tz)
            sent = message.sent_at.astimezone(tz)
            day = "" if read.date() == sent.date() else read.strftime("%-d %b ")
            receipt = f"Read {day}{read:%H:%M}"
        rows.append(Shown(message, mine, receipt))
    return rows


def _compose(
    request: HttpRequest, form: MessageForm, save: Callable[[MessageData], Message], done: str
) -> HttpResponse | None:
    """Send a valid message and go to its conversation; None: show the form's errors."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message = save(form.to_data())
    except ServiceError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        form.add_service_error(error)
        return None
    flash.success(request, "Message sent.")
    match = request.resolver_match
    kwargs = {**(match.kwargs if match else {}), "thread_id": message.thread_id}
    url = reverse(done, kwargs=kwargs)
    return redirect(url + ("?sent=help" if mentions_crisis(message.body) else ""))


def _patient_context(patient: Patient) -> dict[str, object]:
    return {"patient": patient, "settings": settings_for(patient.organization)}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MESSAGE_CARE_TEAM)
def my_messages(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    patient = own_patient_record(actor)
    form = MessageForm(request.POST or None, new_thread=True)
    sent = _compose(request, form, lambda d: start_thread(actor, patient, d), "messaging:thread")
    if sent is not None:
        return sent
    threads = threads_with_unread(threads_of(patient), from_patient=False)
    context = {**_patient_context(patient), "threads": threads, "form": form}
    return render(request, "messaging/mine.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MESSAGE_CARE_TEAM)
def my_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    actor = actor_for(request)
    patient = own_patient_record(actor)
    thread = thread_of(patient, thread_id)
    form = MessageForm(request.POST or None)
    sent = _compose(request, form, lambda d: reply(actor, thread, d), "messaging:thread")
    if sent is not None:
        return sent
    tz = zoneinfo.ZoneInfo(patient.timezone)
    rows = shown(open_thread(actor, thread), as_patient=True, tz=tz)
    context = {**_patient_context(patient), "thread": thread, "rows": rows, "form": form,
               "tz": tz, "help": _help_after_sending(request, patient)}  # fmt: skip
    return render(request, "messaging/thread.html", context, status=form_status(form))


def _help_after_sending(request: HttpRequest, patient: Patient) -> object:
    """Crisis help after a message that sounded like a crisis: offered, never relied on."""
    return crisis_help_for(patient) if request.GET.get("sent") == "help" else None


@require_GET
@capability_required(Capability.MESSAGE_PATIENTS)
def staff_inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    threads = threads_with_unread(
        Thread.objects.filter(patient__in=visible_patients(actor)).select_related("patient"),
        from_patient=True,
    )
    page = page_and_audit(
        actor,
        threads,
        request,
        object_type=AuditObject.MESSAGE_INBOX,
        per_page=50,
        patient_of=lambda t: t.patient,
    )
    return render(request, "messaging/inbox.html", {"page": page, "threads": page.object_list})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MESSAGE_PATIENTS)
def patient_messages(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MESSAGES)
    form = MessageForm(request.POST or None, new_thread=True)
    save = lambda d: start_thread(actor, patient, d)  # noqa: E731
    sent = _compose(request, form, save, "messaging:patient_thread")
    if sent is not None:
        return sent
    threads = threads_with_unread(threads_of(patient), from_patient=True)
    context = {"patient": patient, "threads": threads, "form": form}
    return render(request, "messaging/patient.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MESSAGE_PATIENTS)
def patient_thread(request: HttpRequest, patient_id: uuid.UUID, thread_id: int) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(
        actor, patient_id, object_type=AuditObject.MESSAGE_THREAD, object_id=str(thread_id)
    )
    thread = thread_of(patient, thread_id)
    form = MessageForm(request.POST or None)
    sent = _compose(request, form, lambda d: reply(actor, thread, d), "messaging:patient_thread")
    if sent is not None:
        return sent
    return _staff_thread_page(request, actor, thread, form)


def _staff_thread_page(
    request: HttpRequest, actor: Actor, thread: Thread, form: MessageForm
) -> HttpResponse:
    tz = zoneinfo.ZoneInfo(thread.patient.organization.timezone)
    rows = shown(open_thread(actor, thread, audited=True), as_patient=False, tz=tz)
    context = {"patient": thread.patient, "thread": thread, "rows": rows, "form": form, "tz": tz}
    return render(request, "messaging/staff_thread.html", context, status=form_status(form))
