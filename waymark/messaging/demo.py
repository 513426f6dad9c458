"""A short demo thread per organization: the demo patient asked something, the clinician
replied (the patient has not read the reply yet), and a newer message waits unread for
the care team. Written through messaging.services, so the notifications are real too."""

from __future__ import annotations

import datetime as dt

from waymark.access import Actor
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, demo_step
from waymark.messaging.models import Message, Thread
from waymark.messaging.services import MessageData, reply, start_thread
from waymark.organizations.services import current_membership
from waymark.patients.models import CareTeamMember


def _backdate(message: Message, when: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(sent_at=when)
    Thread.objects.filter(pk=message.thread_id).update(last_message_at=when)


@demo_step(order=820)
def seed_messages(ctx: DemoContext) -> None:
    ctx.progress.expect(len(ctx.organizations))
    for demo_org in ctx.organizations:
        ctx.progress.advance()
        if (
            not demo_org.clinicians
            or Thread.objects.filter(organization=demo_org.organization).exists()
        ):
            continue
        try:
            patient = demo_patient(demo_org, demo_org.clinicians[0])
        except LookupError:
            continue
        member = CareTeamMember.objects.filter(patient=patient).select_related("clinician")
        clinician = member.first()
        if clinician is None:
            continue
        as_patient = Actor(patient.user, current_membership(patient.user))
        as_clinician = Actor(clinician.clinician, current_membership(clinician.clinician))
        noon = dt.datetime.combine(ctx.today, dt.time(12), tzinfo=dt.UTC)
        first = start_thread(
            as_patient,
            patient,
            MessageData(
                subject="Next week's appointment",
                body="Hi, could we move my Thursday session? I have a job interview that morning.",
            ),
        )
        _backdate(first, noon - dt.timedelta(days=1, hours=3))
        first.thread.patient = patient
        answer = reply(
            as_clinician,
            first.thread,
            MessageData(
                body="Good luck with the interview! Thursday at 3 pm works — see you then.",
            ),
        )
        _backdate(answer, noon - dt.timedelta(days=1, hours=1))
        Message.objects.filter(pk=first.pk).update(read_at=noon - dt.timedelta(days=1, hours=2))
        second = start_thread(
            as_patient,
            patient,
            MessageData(
                subject="Sleep",
                body="My sleep has been better this week. Is it OK to stop the evening walk?",
            ),
        )
        _backdate(second, noon - dt.timedelta(hours=2))
