"""The two e-mails a supporter gets, rendered when the delivery queue sends them.

Both are neutral: no name, treatment, substance or organization, and both carry the
redisclosure notice (42 CFR §2.32). The invitation's link lets a new supporter choose a
password (made at sending, never stored); the reach-out's offers a one-tap call when the
patient gave a number.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from waymark.accounts.services import invitation_link
from waymark.accounts.tokens import lifetime_words
from waymark.notifications.models import Kind, Notification
from waymark.notifications.tasks import email_templates
from waymark.organizations.crisis import tel_href
from waymark.support.access import REDISCLOSURE_NOTICE
from waymark.support.models import ReachOut


def _sign_in(site_url: str) -> str:
    return site_url.rstrip("/") + reverse("accounts:login")


@email_templates.register(Kind.SUPPORTER_INVITATION)
def invitation(notification: Notification, site_url: str) -> tuple[str, dict[str, Any]]:
    user = notification.recipient
    new = not user.has_usable_password()
    context = {
        "link": invitation_link(user, site_url) if new else _sign_in(site_url),
        "new_account": new,
        "lifetime": lifetime_words(user),
        "username": user.username,
        "notice": REDISCLOSURE_NOTICE,
    }
    return "support/email/invitation", context


@email_templates.register(Kind.REACH_OUT)
def reach_out(notification: Notification, site_url: str) -> tuple[str, dict[str, Any]]:
    # The dedupe key names the reach-out: "reach-out:<id>:<link id>".
    reach_out_id = notification.dedupe_key.split(":")[1]
    request = ReachOut.objects.filter(pk=reach_out_id).only("phone").first()
    phone = request.phone if request else ""
    consent = ""
    if notification.patient_id is not None:
        path = reverse("support:consent_copy", args=[notification.patient_id])
        consent = site_url.rstrip("/") + path
    return "support/email/reach_out", {
        "consent_link": consent,
        "phone": phone,
        "tel": tel_href(phone) if phone else "",
        "notice": REDISCLOSURE_NOTICE,
    }
