"""Group pages: the groups, a new group, one group and its sessions, scheduling a session,
and the facilitator's one screen for everyone's attendance and the group note."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import (
    Capability,
    actor_for,
    audit_shown,
    capability_required,
    visible_patients,
)
from waymark.appointments import groups, services
from waymark.appointments.forms import (
    AttendanceForm,
    GroupForm,
    GroupMembersForm,
    GroupSessionForm,
)
from waymark.appointments.models import AppointmentKind, GroupNote
from waymark.appointments.views import run_form
from waymark.audit.models import AuditObject
from waymark.errors import form_status
from waymark.organizations.models import Program


@require_GET
@capability_required(Capability.RUN_GROUPS)
def group_list(request: HttpRequest) -> HttpResponse:
    rows = groups.groups_for(actor_for(request))
    return render(request, "appointments/groups.html", {"groups": rows})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RUN_GROUPS)
def group_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    assert actor.organization is not None
    patients = list(visible_patients(actor).order_by("preferred_name"))
    audit_shown(actor, patients, object_type=AuditObject.GROUP_CHOICE)
    form = GroupForm(
        request.POST or None,
        clinicians=list(services.clinicians_of(actor.organization)),
        programs=list(Program.objects.filter(organization=actor.organization)),
        patients=patients,
        initial={"facilitator": actor.user.pk},
    )
    made: list[int] = []

    def save() -> None:
        made.append(groups.create_group(actor, form.to_data()).pk)

    done = run_form(request, form, save, "/groups/")
    if done is not None:
        done["Location"] = f"/groups/{made[0]}/"
    return done or render(request, "appointments/group_form.html", {"form": form},
                          status=form_status(form))  # fmt: skip


@require_GET
@capability_required(Capability.RUN_GROUPS)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = actor_for(request)
    group = groups.group_for(actor, group_id)
    context = {
        "group": group,
        "members": services.members_of(group),
        "sessions": list(group.sessions.order_by("-starts_at")[:30]),
        "zone": services.zone_of(group.organization),
    }
    return render(request, "appointments/group.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RUN_GROUPS)
def group_members(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = actor_for(request)
    group = groups.group_for(actor, group_id)
    patients = list(visible_patients(actor).order_by("preferred_name"))
    audit_shown(actor, patients, object_type=AuditObject.GROUP_CHOICE)
    current = [str(patient.pk) for patient in services.members_of(group)]
    form = GroupMembersForm(request.POST or None, patients=patients, initial={"members": current})

    def save() -> None:
        groups.set_members(actor, group, form.member_ids())

    done = run_form(request, form, save, f"/groups/{group.pk}/")
    context = {"group": group, "form": form}
    return done or render(request, "appointments/group_members.html", context,
                          status=form_status(form))  # fmt: skip


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RUN_GROUPS)
def session_new(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = actor_for(request)
    group = groups.group_for(actor, group_id)
    form = GroupSessionForm(
        request.POST or None, clinicians=list(services.clinicians_of(group.organization)),
        initial={"clinician": group.facilitator_id, "minutes": 90},
    )  # fmt: skip

    def save() -> None:
        services.schedule_group_session(actor, group, form.to_data())

    done = run_form(request, form, save, f"/groups/{group.pk}/")
    context = {"group": group, "form": form, "zone": group.organization.timezone}
    return done or render(request, "appointments/form.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RUN_GROUPS)
def attendance(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_for(request)
    session = services.staff_appointment(actor, appointment_id)
    if session.kind != AppointmentKind.GROUP or session.group is None:
        raise Http404("No such group session.")
    note = GroupNote.objects.filter(appointment=session).first()
    members = services.members_of(session.group)
    form = AttendanceForm(request.POST or None, members=members)

    def save() -> None:
        groups.record_attendance(actor, session, form.to_data())

    done = (
        None if note else run_form(request, form, save, f"/appointments/{session.pk}/attendance/")
    )
    context = {
        "session": session, "form": form, "note": note,
        "attendance": list(session.attendance.select_related("patient")),
        "started": session.has_started(timezone.now()),
        "zone": services.zone_of(session.organization),
    }  # fmt: skip
    return done or render(request, "appointments/attendance.html", context,
                          status=form_status(form))  # fmt: skip
