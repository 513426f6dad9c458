"""The patient's pages: my supporters, invite, sign a consent, revoke, what was shared
(and its CSV and PDF), and "let my people know"."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import Capability, actor_for, capability_required, own_patient_record
from waymark.errors import ServiceError, form_status
from waymark.support import services
from waymark.support.access import local_day
from waymark.support.forms import ConsentForm, InviteForm, ReachOutForm
from waymark.support.pdf import accounting_pdf as make_pdf

PATIENT = Capability.USE_PATIENT_APP


@require_GET
@capability_required(PATIENT)
def my_supporters(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    now = timezone.now()
    context = {
        "patient": patient,
        "supporters": services.supporters_of(patient, now),
        "reach_outs": services.reach_outs_of(patient),
        "reach_out_form": ReachOutForm(),
    }
    return render(request, "support/mine.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(PATIENT)
def invite(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    patient = own_patient_record(actor)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.invite_supporter(actor, patient, form.to_data(), timezone.now())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{link.name} has been invited. Choose what to share.")
            return redirect("support:sign", link.pk)
    return render(request, "support/invite.html", {"form": form}, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(PATIENT)
def sign(request: HttpRequest, link_id: int) -> HttpResponse:
    actor = actor_for(request)
    patient = own_patient_record(actor)
    link = services.link_of(patient, link_id)
    now = timezone.now()
    replaces = request.GET.get("replaces", "")
    initial = {"replaces": int(replaces)} if replaces.isdigit() else {}
    form = ConsentForm(request.POST or None, today=local_day(patient, now), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_consent(actor, patient, link, form.to_data(), now)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Signed. {link.name} can now see what you chose.")
            return redirect("support:mine")
    elements = services.consent_elements(patient, link)
    context = {"form": form, "link": link, "elements": elements, "patient": patient}
    return render(request, "support/sign.html", context, status=form_status(form))


@require_GET
@capability_required(PATIENT)
def my_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    consent = services.consent_of(patient, consent_id)
    status = services.status_of(consent, timezone.now())
    return render(request, "support/consent.html", {"consent": consent, "status": status})


@require_POST
@capability_required(PATIENT)
def revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    actor = actor_for(request)
    patient = own_patient_record(actor)
    consent = services.consent_of(patient, consent_id)
    try:
        services.revoke_consent(actor, patient, consent, timezone.now())
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Revoked. Nothing more is shared with {consent.link.name}.")
    return redirect("support:mine")


@require_GET
@capability_required(PATIENT)
def accounting(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    rows = services.accounting(patient, timezone.now()).select_related("consent")[:500]
    return render(request, "support/accounting.html", {"patient": patient, "rows": rows})


@require_GET
@capability_required(PATIENT)
def accounting_csv(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shared-with-supporters.csv"'
    writer = csv.writer(response)
    writer.writerow(["Date (UTC)", "Shared with", "What", "Purpose", "Consent signed"])
    for row in services.accounting(patient, timezone.now()).select_related("consent"):
        writer.writerow(services.accounting_row(row))
    return response


@require_GET
@capability_required(PATIENT)
def accounting_pdf(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    rows = services.accounting(patient, timezone.now()).select_related("consent")
    response = HttpResponse(make_pdf(patient, rows), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="shared-with-supporters.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@capability_required(PATIENT)
def reach_out(request: HttpRequest) -> HttpResponse:
    """GET: who was told and who answered; POST: "let my people know"."""
    actor = actor_for(request)
    patient = own_patient_record(actor)
    # Bound on every POST: a one-tap button may send no field at all.
    form = ReachOutForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            now = timezone.now()
            sent = services.reach_out(actor, patient, form.cleaned_data["phone"], now)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            names = ", ".join(r.link.name for r in sent.recipients.select_related("link"))
            if sent.created_at < now:
                messages.info(
                    request,
                    f"We let {names} know a few minutes ago, and they have your message. "
                    "While you wait, you can call them or one of the numbers below.",
                )
            else:
                messages.success(request, f"We have let {names} know. You did the right thing.")
        return redirect("support:reach_out")
    context = {"patient": patient, "reach_outs": services.reach_outs_of(patient), "form": form}
    return render(request, "support/reach_out.html", context, status=form_status(form))
