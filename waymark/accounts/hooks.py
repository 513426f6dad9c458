"""What feature apps plug into accounts (the core imports no feature app).

The password-reset e-mail goes through the delivery queue, which the notifications app
owns: it registers the function that queues one with `password_reset_sender`.
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
