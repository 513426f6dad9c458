"""Reassessing in the background: a check-in's write stays short, the risk follows at once.

The check-in service queues a reassessment in its own transaction (so it exists exactly
when the check-in does); a worker runs it within about half a second. Urgent alerts (a
safety answer, ketamine symptoms) do not wait for it: the check-in raises them itself.

The queue is the table of pending reassessments (models.PendingReassessment), one row per
patient, which the task workers claim as they claim task rows (notifications/wakeup.py):
a check-in writes that one row and no task row (issue 13, point 2: the task row was the
largest cost left that only a check-in paid). A second check-in before a worker has
claimed the first's reassessment adds nothing, since that reassessment will read both.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from waymark import prepared
from waymark.patients.models import Patient
from waymark.risk.models import PendingReassessment
from waymark.risk.services import reassess

logger = logging.getLogger(__name__)

# Workers run tasks of a higher priority first (an urgent alert's e-mail: 50), then the
# queued reassessments, then the other tasks (reminders: 0).
PRIORITY = 10


def reassess_soon(patient: Patient, now: dt.datetime | None = None) -> None:
    """Queue a reassessment in the caller's transaction, unless one is queued already.

    The pending row is inserted, or the one there locked until the caller's transaction
    ends (INSERT … ON CONFLICT DO UPDATE … WHERE, one statement, its SQL built once), so
    no worker can claim it between this check and the commit; a row a worker has claimed
    already is put back in the queue (its claim cleared), so this check-in is read too."""
    queued = reassessment_queued(patient, now)
    prepared.insert(
        queued.instance, unless_taken=queued.unless_taken, renew_if_set=queued.renew_if_set
    )


def reassessment_queued(patient: Patient, now: dt.datetime | None = None) -> prepared.Then:
    """`reassess_soon`'s write, to make with another (the check-in's: one statement)."""
    pending = PendingReassessment(
        organization_id=patient.organization_id,
        patient=patient,
        queued_at=now or timezone.now(),
        claimed_at=None,
        claimed_by="",
    )
    return prepared.Then(
        pending, unless_taken=("organization", "patient"), renew_if_set="claimed_at"
    )


def claim_reassessment(
    worker_id: str, now: dt.datetime | None = None
) -> PendingReassessment | None:
    """The longest-queued reassessment nobody holds, claimed for `worker_id` in a
    transaction of its own (committed before the patient's data is read); None when there
    is none, or when the database is locked (SQLite: another writer; the next poll tries
    again). A dead worker's claims are released by `recover_stalled_tasks`."""
    unclaimed = PendingReassessment.objects.filter(claimed_at__isnull=True)
    try:
        with exclusive_transaction(unclaimed.db):
            # SKIP LOCKED: a row a check-in holds (not committed yet) waits for a later poll.
            pending = unclaimed.order_by("queued_at").select_for_update(skip_locked=True).first()
            if pending is None:
                return None
            pending.claimed_at, pending.claimed_by = now or timezone.now(), worker_id
            pending.save(update_fields=["claimed_at", "claimed_by"])
    except OperationalError as error:
        if not is_locked_database_exception(error):
            raise
        return None
    return pending


def run_reassessment(pending: PendingReassessment) -> None:
    """Reassess the claimed row's patient, then remove the row if the claim is still this
    one's (a check-in since has put it back in the queue, to be read by another run). A
    failure is logged and leaves the row claimed until its worker stops (then it is
    released and run again); the patient's next check-in queues it at once."""
    patient = Patient.objects.select_related("organization").filter(pk=pending.patient_id).first()
    try:
        if patient is not None:
            reassess(patient)
    except Exception:
        logger.exception("reassessment of patient %s failed", pending.patient_id)
        return
    PendingReassessment.objects.filter(
        pk=pending.pk, claimed_at=pending.claimed_at, claimed_by=pending.claimed_by
    ).delete()


def reassess_next(worker_id: str) -> bool:
    """Claim and run one queued reassessment; False when none could be claimed."""
    pending = claim_reassessment(worker_id)
    if pending is None:
        return False
    run_reassessment(pending)
    return True
