"""Idempotent submissions: every submission carries a key the client made up (a UUID).

The first submission with a key stores what it created and a fingerprint of its
content. A retry with the same key and the same content gets the same object back
(nothing new is written); the same key with different content is refused, because
the client has mixed up two different submissions.

Call these inside the transaction that writes the submission, after locking the
patient row (`lock_patient`), so two retries racing each other are serialized. The
check-in, the hot path, locks nothing: it inserts the key with its write (`key_for`),
under its unique constraint, and asks `seen_before` only when that insert (or the day's
check) fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import connection

from waymark import prepared
from waymark.checkins.models import SubmissionKey, SubmissionKind
from waymark.errors import ServiceError
from waymark.patients.models import Patient

KEY_REUSED = (
    "This submission key was already used for different answers. "
    "Nothing was changed: send the new answers again as a new submission."
)


def fingerprint(content: Mapping[str, Any]) -> str:
    """SHA-256 of a canonical JSON form of the content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_patient(patient: Patient) -> None:
    """Serialize this patient's submissions (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already take the write lock when the transaction begins). FOR NO KEY
    UPDATE: it excludes the others who lock the patient so, but not the key-share lock a
    row referring to the patient takes when its transaction commits (the deferred
    foreign-key check): a check-in, which locks nothing, committing while this is held
    would otherwise wait for this transaction, which may be waiting for that check-in."""
    if connection.vendor != "sqlite":
        Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list(
            "pk"
        ).first()


def seen_before(
    patient: Patient, key: uuid.UUID, kind: SubmissionKind, content_fingerprint: str
) -> str | None:
    """The id of the object this key already made, None for a new key; refuses a reuse."""
    seen = SubmissionKey.objects.filter(
        organization_id=patient.organization_id, patient=patient, key=key
    ).first()
    if seen is None:
        return None
    if seen.kind != kind or seen.fingerprint != content_fingerprint:
        raise ServiceError(KEY_REUSED, field="idempotency_key", status=409, code="key_reused")
    return seen.object_id


def remember(
    patient: Patient,
    key: uuid.UUID,
    kind: SubmissionKind,
    content_fingerprint: str,
    object_id: object,
    now: dt.datetime,
) -> None:
    """Store the key with what it made (SubmissionKey.objects.create(…), its SQL built once)."""
    found = key_for(patient, key, kind, content_fingerprint, now)
    found.instance.object_id = str(object_id)  # type: ignore[attr-defined]
    prepared.insert(found.instance)


def key_for(
    patient: Patient,
    key: uuid.UUID,
    kind: SubmissionKind,
    content_fingerprint: str,
    now: dt.datetime,
) -> prepared.Then:
    """`remember`'s write, to make with the write of what it made (its id goes in)."""
    row = SubmissionKey(
        organization_id=patient.organization_id,
        patient=patient,
        key=key,
        kind=kind,
        fingerprint=content_fingerprint,
        created_at=now,
    )
    return prepared.Then(row, id_into="object_id")
