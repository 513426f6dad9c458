"""Sign-in, the home that routes by role, choosing a password, and device tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as end_session
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from waymark.access import actor_for, must_use_second_factor
from waymark.accounts import mfa
from waymark.accounts.forms import ApiTokenForm, PasswordResetRequestForm
from waymark.accounts.models import ApiToken
from waymark.accounts.services import issue_api_token, request_password_reset
from waymark.accounts.tokens import link_tokens
from waymark.errors import form_status
from waymark.organizations.models import Role

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()
set_password = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/set_password.html",
    success_url=reverse_lazy("accounts:login"),
    post_reset_login=False,
    token_generator=link_tokens,
)
# Issue 12 point 2: a new password ends the person's other sessions (the session hash) and
# revokes their device tokens (User.save); this session goes on.
change_password = require_http_methods(["GET", "POST"])(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/change_password.html",
        success_url=reverse_lazy("accounts:account"),
    )
)

HOME_BY_ROLE = {
    Role.PATIENT: "patients:me",
    Role.CLINICIAN: "patients:caseload",
    Role.ADMIN: "admin:index",
    Role.SUPPORTER: "support:home",  # issue 14: the people they support
}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their day starts."""
    role = actor_for(request).role
    if role in HOME_BY_ROLE:
        return redirect(HOME_BY_ROLE[Role(role)])
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "accounts/no_access_yet.html", {"role": role})


@require_http_methods(["GET", "POST"])
@login_required
@never_cache  # the page may carry a new secret: no browser or proxy may keep a copy
def tokens(request: HttpRequest) -> HttpResponse:
    new_secret = None
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _, new_secret = issue_api_token(actor_for(request).user, form.cleaned_data["name"])
        form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": ApiToken.objects.filter(user=actor_for(request).user),
        },
    )


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=actor_for(request).user)
    token.revoke()
    messages.success(request, f"“{token.name}” can no longer use your account.")
    return redirect("accounts:tokens")


# --- Issue 12 point 2: the account page, signing out everywhere, forgotten passwords ----


@require_GET
@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context = {
        "has_second_factor": mfa.has_second_factor(actor.user),
        "second_factor_required": must_use_second_factor(actor),
    }
    return render(request, "accounts/account.html", context)


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this person, this one too (device tokens stay: see Devices)."""
    actor_for(request).user.end_every_session()
    end_session(request)
    messages.success(request, "You are signed out on every browser.")
    return redirect("accounts:login")


def _reset_rate_limited(request: HttpRequest, email: str) -> bool:
    """Counted per requester's address and per e-mail address asked for, known or not."""
    limits = (
        ("ip", settings.PASSWORD_RESET_RATE_PER_IP),
        (lambda group, request: email.lower(), settings.PASSWORD_RESET_RATE_PER_EMAIL),
    )
    return any(
        is_ratelimited(request, group=f"password-reset:{index}", key=key, rate=rate, increment=True)
        for index, (key, rate) in enumerate(limits)
    )


@require_http_methods(["GET", "POST"])
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same for an address Waymark knows or not."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        if _reset_rate_limited(request, email):
            return render(request, "accounts/password_reset.html", {"limited": True}, status=429)
        request_password_reset(email)
        return render(request, "accounts/password_reset.html", {"sent": True})
    return render(request, "accounts/password_reset.html", {"form": form}, status=form_status(form))
