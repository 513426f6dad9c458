"""The sign-in's second step, enrolling an authenticator, and an admin's reset of a lost one
(issue 12 point 1). The rules are in waymark/accounts/mfa.py and waymark/access.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from waymark.access import Capability, actor_for, capability_required, get_staff_member
from waymark.accounts import mfa
from waymark.accounts.forms import CodeForm
from waymark.accounts.middleware import SECOND_FACTOR_DUE_KEY
from waymark.accounts.models import User
from waymark.errors import ServiceError, form_status


def _next(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else resolve_url("home")


def _verified(request: HttpRequest, device: object) -> None:
    request.session.cycle_key()  # a new session id for the stronger sign-in
    otp_login(request, device)
    request.session[SECOND_FACTOR_DUE_KEY] = True


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: one code field."""
    user = actor_for(request).user
    if not mfa.has_second_factor(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            device = mfa.verify_second_factor(user, form.cleaned_data["code"])
        except ServiceError as error:
            form.add_service_error(error)
            status = error.status
        else:
            _verified(request, device)
            return redirect(_next(request))
    status = max(status, form_status(form))
    return render(
        request, "accounts/verify.html", {"form": form, "next": _next(request)}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache  # the page carries the new secret and the recovery codes
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan, type a code, keep the recovery codes."""
    user = actor_for(request).user
    if mfa.has_second_factor(user):
        verified = getattr(request.user, "is_verified", lambda: False)()
        return redirect("accounts:account" if verified else "accounts:verify")
    device = mfa.pending_authenticator(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            codes = mfa.confirm_enrolment(user, device, form.cleaned_data["code"])
        except ServiceError as error:
            form.add_service_error(error)
            status = error.status
        else:
            _verified(request, device)
            shown = {"codes": codes, "next": _next(request)}
            return render(request, "accounts/recovery_codes.html", shown)
    context: dict[str, object] = {
        "form": form,
        "next": _next(request),
        "qr_code": mfa.qr_code_svg(device),
        "secret": mfa.secret_base32(device),
    }
    return render(request, "accounts/enrol.html", context, status=max(status, form_status(form)))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.ADMINISTER_ORGANIZATION)
def reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    """An organization admin removes a member of staff's lost authenticator (audited)."""
    actor = actor_for(request)
    member: User = get_staff_member(actor, user_id)
    if request.method == "POST":
        mfa.reset_second_factor(actor, member)
        messages.success(
            request, f"{member} is signed out and will set up a new authenticator next time."
        )
        return redirect("admin:organizations_membership_changelist")
    context = {"member": member, "enrolled": mfa.has_second_factor(member)}
    return render(request, "accounts/reset_second_factor.html", context)
