"""Sign-in, the home that routes by role, choosing a password, and device tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import actor_for
from waymark.accounts.forms import ApiTokenForm
from waymark.accounts.models import ApiToken
from waymark.accounts.services import issue_api_token
from waymark.organizations.models import Role

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()
set_password = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/set_password.html",
    success_url=reverse_lazy("accounts:login"),
    post_reset_login=False,
)

HOME_BY_ROLE = {
    Role.PATIENT: "patients:me",
    Role.CLINICIAN: "patients:caseload",
    Role.ADMIN: "admin:index",
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
