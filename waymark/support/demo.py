"""The support demo step: the demo patient has two supporters. Sam shares milestones and
reach-out requests (active); Lena's consent for a weekly summary has expired. Jordan
supports nobody yet. Nothing new on a re-run."""

from __future__ import annotations

import datetime as dt

from waymark.access import Actor
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, demo_step
from waymark.organizations.services import current_membership
from waymark.support.models import ExpiryKind, Relationship, Scope, SupporterLink
from waymark.support.services import ConsentData, InviteData, invite_supporter, sign_consent

NOON = dt.time(12, 0)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, NOON, tzinfo=dt.UTC)


@demo_step(order=800)
def seed_supporters(ctx: DemoContext) -> None:
    home = ctx.organizations[0]
    if len(home.supporters) < 2 or not home.clinicians:
        return
    patient = demo_patient(home, home.clinicians[0])
    actor = Actor(user=patient.user, membership=current_membership(patient.user), request_id="demo")
    plans = [
        # (supporter, relationship, scopes, signed days ago, expires in days)
        (home.supporters[0], Relationship.FAMILY, [Scope.MILESTONES, Scope.REACH_OUT], 10, 180),
        (home.supporters[1], Relationship.FRIEND, [Scope.WEEKLY_SUMMARY], 60, -5),
    ]
    ctx.progress.expect(len(plans))
    for supporter, relationship, scopes, signed_ago, expires_in in plans:
        ctx.progress.advance()
        if SupporterLink.objects.filter(patient=patient, supporter=supporter).exists():
            continue
        signed_on = ctx.today - dt.timedelta(days=signed_ago)
        link = invite_supporter(
            actor,
            patient,
            InviteData(supporter.first_name, relationship, supporter.email, "555-0142"),
            _at(signed_on),
        )
        data = ConsentData(
            scopes=[str(scope) for scope in scopes],
            expiry_kind=ExpiryKind.DATE,
            expires_on=ctx.today + dt.timedelta(days=expires_in),
            signature=patient.preferred_name,
        )
        sign_consent(actor, patient, link, data, _at(signed_on))
