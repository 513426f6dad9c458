"""The patient's pages: daily check-in, its result, recovery counters, the detox withdrawal
log and "talk to staff now". Every page works without JavaScript (plain forms, then a
redirect); JavaScript adds the offline outbox and the charts.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import Capability, actor_for, capability_required, own_patient_record
from waymark.checkins import queries
from waymark.checkins.choices import SAFETY_QUESTION, WITHDRAWAL_SYMPTOMS, SymptomLevel
from waymark.checkins.forms import (
    EXPIRED,
    CheckInForm,
    LapseNoteForm,
    StaffRequestForm,
    WithdrawalForm,
)
from waymark.checkins.guidance import (
    EVERYONE_IS_DIFFERENT,
    MEDICAL_REVIEW_ADVICE,
    SUPPORT_MESSAGES,
    guidance_for_day,
)
from waymark.checkins.models import CheckIn, Milestone, StaffRequest, WithdrawalEntry
from waymark.checkins.services import (
    add_withdrawal_entry,
    celebrate_milestones,
    own_lapse,
    request_staff,
    set_lapse_note,
    submit_checkin,
)
from waymark.checkins.sobriety import counters_for, currency_symbol
from waymark.checkins.tracking import start_changes
from waymark.content.for_you import routines_for
from waymark.errors import ServiceError, ServiceErrorFormMixin, form_status
from waymark.organizations.crisis import crisis_help_for
from waymark.patients.models import Patient, Substance
from waymark.risk.rules import (
    SEVERE_WITHDRAWAL,
    TOLERANCE_SUBSTANCES,
    USE_RULES,
    after_a_break,
    substance_name,
)
from waymark.risk.services import settings_for
from waymark.risk.snapshot import lapses_between

# "Talk to staff now" shows as pending on the withdrawal page for this long.
STAFF_REQUEST_SHOWN_FOR = dt.timedelta(minutes=30)


def _show_error(form: Form, error: ServiceError) -> None:
    """Put a service's refusal on its field, or at the top of the form."""
    if error.code == "key_reused" and hasattr(form, "with_new_key"):
        form.with_new_key()
        error.message = (
            "These answers differ from the ones you sent before. Press Save to send them."
        )
        error.errors = {error.field: [error.message]}
    cast(ServiceErrorFormMixin, form).add_service_error(error)


def _form_day(patient: Patient, requested: str | None) -> dt.date:
    """Today, or yesterday when asked for (to fill it in late)."""
    today = patient.local_today()
    yesterday = today - dt.timedelta(days=1)
    return yesterday if requested == yesterday.isoformat() else today


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def today(request: HttpRequest) -> HttpResponse:
    """The daily check-in (today's, or yesterday's filled in late)."""
    patient = own_patient_record(actor_for(request))
    day = _form_day(patient, request.POST.get("date") or request.GET.get("date"))
    existing = queries.checkin_for(patient, day)
    if request.method == "POST":
        form = CheckInForm(request.POST, patient=patient)
        if form.is_valid():
            try:
                result = submit_checkin(
                    patient, form.to_data(), key=form.cleaned_data["idempotency_key"]
                )
            except ServiceError as error:
                _show_error(form, error)
            else:
                return redirect("checkins:done", day=result.checkin.local_date.isoformat())
    elif existing is not None and not existing.is_editable(patient.local_today()):
        return redirect("checkins:done", day=day.isoformat())
    else:
        initial = CheckInForm.initial_from(existing) if existing else {}
        form = CheckInForm(initial={**initial, "date": day}, patient=patient)
    context = {"form": form, "day": day, "existing": existing, "patient": patient}
    context |= {"is_late": day < patient.local_today(), "safety_question": SAFETY_QUESTION}
    context["help"] = crisis_help_for(patient)  # shown at once if a "yes" is kept offline
    return render(request, "checkins/checkin_form.html", context, status=form_status(form))


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("No such day.") from None


def _lapses_on(patient: Patient, checkin: CheckIn) -> dict[str, object]:
    """The day's lapses in words; whether the care team was told (an alert of the use rules
    on this check-in's lapses is in their inbox, so "we've told your care team" is only said
    when it is true); the depressants used (overdose guidance), and those after a break
    (lower tolerance: more overdose risk)."""
    day = checkin.local_date
    lapses = lapses_between(patient, day, day)[::-1]  # in the order they were asked
    if not lapses:
        return {"lapses": [], "after_a_break": [], "depressants": []}
    settings = settings_for(patient.organization_id)
    keys = [f"use:{checkin.pk}:{use.substance}" for use in lapses]
    return {
        "lapses": [substance_name(use.substance) for use in lapses],
        "care_team_told": queries.alert_raised(patient, USE_RULES, keys),
        "depressants": [
            substance_name(use.substance) for use in lapses if use.substance in TOLERANCE_SUBSTANCES
        ],
        "after_a_break": [
            {
                "substance": substance_name(use.substance),
                "days": use.days_without_before,
                "a_year_or_more": (use.days_without_before or 0) >= 365,
            }
            for use in lapses
            if after_a_break(use, settings)
        ],
    }


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def done(request: HttpRequest, day: str) -> HttpResponse:
    """A check-in as stored: thanks, and at once crisis help, medical advice or overdose
    guidance if needed, and what happens after a lapse."""
    patient = own_patient_record(actor_for(request))
    checkin = queries.checkin_for(patient, _parse_day(day))
    if checkin is None:
        raise Http404("No check-in for that day.")
    today = patient.local_today()
    counters = counters_for(patient, today)
    return render(
        request,
        "checkins/checkin_done.html",
        {
            **_lapses_on(patient, checkin),
            "checkin": checkin,
            "patient": patient,
            "editable": checkin.is_editable(today),
            "help": crisis_help_for(patient),
            "medical_advice": MEDICAL_REVIEW_ADVICE,
            "milestones": celebrate_milestones(patient, counters=counters),
            "counters": counters,
            "streak": queries.checkin_streak(patient, today),
            "routines": routines_for(patient, checkin),
        },
    )


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def recovery(request: HttpRequest) -> HttpResponse:
    """Sobriety counters per substance, lapses with notes, milestones."""
    patient = own_patient_record(actor_for(request))
    counters = counters_for(patient, patient.local_today())
    return render(
        request,
        "checkins/recovery.html",
        {
            "patient": patient,
            "counters": counters,
            "new_milestones": celebrate_milestones(patient, counters=counters),
            "milestones": Milestone.objects.filter(
                organization_id=patient.organization_id, patient=patient
            ),
            "note_form": LapseNoteForm(),
            "currency": currency_symbol(patient.organization.locale),
            "start_changes": start_changes(patient),
        },
    )


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def lapse_note(request: HttpRequest, use_id: int) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    use = own_lapse(patient, use_id)
    form = LapseNoteForm(request.POST)
    if form.is_valid():
        set_lapse_note(use, form.cleaned_data["note"])
        messages.success(request, "Your note is saved.")
    else:
        messages.error(request, " ".join(str(error) for error in form.errors["note"]))
    return redirect(reverse("checkins:recovery") + f"#lapse-{use.pk}")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def withdrawal(request: HttpRequest) -> HttpResponse:
    """The detox withdrawal log: several entries a day, a timeline, guidance and support."""
    patient = own_patient_record(actor_for(request))
    stay = queries.current_detox_stay(patient)
    if stay is None:
        status = 409 if request.method == "POST" else 200
        return render(request, "checkins/withdrawal_closed.html", status=status)
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            saved = add_withdrawal_entry(
                patient, form.to_data(), key=form.cleaned_data["idempotency_key"]
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            if not saved.care_team_told:  # a severe entry gets its own words (_withdrawal_severe)
                messages.success(request, "Thank you. Your entry is in your log.")
            return redirect("checkins:withdrawal")
    day = queries.day_of_stay(stay, patient.local_today())
    return render(
        request,
        "checkins/withdrawal.html",
        {
            "patient": patient,
            "form": form,
            "stay": stay,
            "day": day,
            "guidance": guidance_for_day(day),
            "everyone_is_different": EVERYONE_IS_DIFFERENT,
            "support": SUPPORT_MESSAGES,
            "timeline": queries.withdrawal_timeline(patient, stay),
            "staff_form": StaffRequestForm(),
            "staff_request": _pending_staff_request(patient),
            **_severe_just_logged(patient),
            "help": crisis_help_for(patient),
            "drinks_alcohol": Substance.ALCOHOL in patient.substances,
        },
        status=form_status(form),
    )


def _pending_staff_request(patient: Patient) -> StaffRequest | None:
    return StaffRequest.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        requested_at__gte=timezone.now() - STAFF_REQUEST_SHOWN_FOR,
    ).first()


def _severe_just_logged(patient: Patient) -> dict[str, object]:
    """The symptoms rated severe in the patient's latest entry ("tremor and sweating"), if
    it was sent just now (here or from the app), and whether the care team was told (the
    severe-withdrawal alert for that entry is in their inbox): the page says only what is true."""
    latest = (
        WithdrawalEntry.objects.filter(organization_id=patient.organization_id, patient=patient)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if latest is None or latest.submitted_at < timezone.now() - STAFF_REQUEST_SHOWN_FOR:
        return {"severe_symptoms": ""}
    severe = [
        label.lower()
        for name, label in WITHDRAWAL_SYMPTOMS
        if getattr(latest, name) == SymptomLevel.SEVERE
    ]
    key = f"withdrawal_entry:{latest.pk}"
    return {
        "severe_symptoms": " and ".join(
            [", ".join(severe[:-1]), severe[-1]] if len(severe) > 1 else severe
        ),
        "severe_told": bool(severe)
        and queries.alert_raised(patient, [SEVERE_WITHDRAWAL.id], [key]),
    }


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def talk_to_staff(request: HttpRequest) -> HttpResponse:
    """One tap: the care team gets an urgent alert that the patient wants to talk now."""
    patient = own_patient_record(actor_for(request))
    form = StaffRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, EXPIRED)
        return redirect("checkins:withdrawal")
    try:
        request_staff(patient, key=form.cleaned_data["idempotency_key"])
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your care team has been told you want to talk now.")
    return redirect("checkins:withdrawal")
