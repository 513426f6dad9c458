"""The token in a set-password link, for an invitation or a password reset.

Django's reset token, signed over the account's password hash and last sign-in (so it
works once), with one change: an invitation (an active account that has never had a
password) stays open for INVITATION_DAYS, where a reset lasts PASSWORD_RESET_TIMEOUT.
Someone invited at intake may read the e-mail the next evening; a reset they asked for
themselves they use at once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from waymark.accounts.models import User


def lifetime_seconds(user: User) -> int:
    """How long a link made for `user` now works."""
    if user.is_active and not user.has_usable_password():
        return int(settings.INVITATION_DAYS) * 24 * 60 * 60
    return int(settings.PASSWORD_RESET_TIMEOUT)


def lifetime_words(user: User) -> str:
    """The link's lifetime as an e-mail says it: "7 days", "60 minutes"."""
    seconds = lifetime_seconds(user)
    days, minutes = seconds // 86400, seconds // 60
    if days and not seconds % 86400:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class LinkTokenGenerator(PasswordResetTokenGenerator):
    def check_token(self, user: User | None, token: str | None) -> bool:
        """As Django's check, with the account's own lifetime (`lifetime_seconds`)."""
        if user is None or not token:
            return False
        try:
            made_at = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, made_at, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - made_at <= lifetime_seconds(user)


link_tokens = LinkTokenGenerator()
