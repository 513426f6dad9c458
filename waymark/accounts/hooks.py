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

PasswordResetSender = Callable[["User"], bool]
_senders: list[PasswordResetSender] = []


def password_reset_sender(sender: PasswordResetSender) -> PasswordResetSender:
    """Register `sender(user) -> queued?`, called in the request's transaction."""
    if sender not in _senders:
        _senders.append(sender)
    return sender


def password_reset_senders() -> tuple[PasswordResetSender, ...]:
    return tuple(_senders)


# Issue 16, point 7: invitations through the delivery queue (retries, a failed state,
# "try again" under Deliveries), in neutral words.
_invitation_senders: list[PasswordResetSender] = []


def invitation_sender(sender: PasswordResetSender) -> PasswordResetSender:
    """Register `sender(user) -> queued?`, called in the enrolment's transaction."""
    if sender not in _invitation_senders:
        _invitation_senders.append(sender)
    return sender


def invitation_senders() -> tuple[PasswordResetSender, ...]:
    return tuple(_invitation_senders)
