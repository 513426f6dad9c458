"""Creating people and inviting them to set their own password."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from waymark.accounts.hooks import invitation_senders, password_reset_senders
from waymark.accounts.models import ApiToken, User, hash_token
from waymark.accounts.tokens import link_tokens


def create_invited_user(
    *, username: str, email: str, first_name: str = "", last_name: str = ""
) -> User:
    """A new user with no usable password: they choose one from the invitation link."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is already taken."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def password_reset_link(user: User, base_url: str) -> str:
    """A one-time link to choose a new password (it stops working once the password changes,
    or after its lifetime: accounts/tokens.py). Made when the e-mail is sent, never stored."""
    return invitation_link(user, base_url)


def request_password_reset(email: str) -> int:
    """Queue a reset e-mail to each active account using `email` (usually one); 0 for an
    address nobody uses. The caller answers the same whatever this returns.

    The e-mail goes through the delivery queue (notifications registers the sender in
    accounts.hooks), in this transaction; its link is made when the worker sends it.
    """
    queued = 0
    with transaction.atomic():
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
            queued += sum(bool(send(user)) for send in password_reset_senders())
    return queued


def invitation_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = link_tokens.make_token(user)
    path = reverse("accounts:set_password", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def send_invitation(user: User) -> int:
    """Queue the e-mail with a set-your-password link, in the caller's transaction, through
    the delivery queue (notifications registers the sender in accounts.hooks); the link is
    made when the worker sends it. Neutral words: no organization, nothing clinical."""
    if not user.email:
        return 0
    return sum(bool(send(user)) for send in invitation_senders())


def issue_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a device token; the secret is returned once and only its hash is kept."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(secret), hint=secret[:8]
    )
    return token, secret
