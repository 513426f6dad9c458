"""What feature apps plug into accounts (the core imports no feature app).

The password-reset e-mail and the invitation to set up an account go through the
delivery queue, which the notifications app owns: it registers the functions that queue
them with `password_reset_sender` and `invitation_sender`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waymark.accounts.models import User

AccountEmailSender = Callable[["User"], bool]


class _Senders:
    """The functions registered to queue one kind of account e-mail."""

    def __init__(self) -> None:
        self._senders: list[AccountEmailSender] = []

    def register(self, sender: AccountEmailSender) -> AccountEmailSender:
        """Register `sender(user) -> queued?`, called in the caller's transaction (the
        request's for a password reset, the enrolment's for an invitation)."""
        if sender not in self._senders:
            self._senders.append(sender)
        return sender

    def registered(self) -> tuple[AccountEmailSender, ...]:
        return tuple(self._senders)


_password_reset = _Senders()
password_reset_sender = _password_reset.register
password_reset_senders = _password_reset.registered

# Issue 16, point 7: invitations through the delivery queue (retries, a failed state,
# "try again" under Deliveries), in neutral words.
_invitation = _Senders()
invitation_sender = _invitation.register
invitation_senders = _invitation.registered
