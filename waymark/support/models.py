"""Supporters the patient invites, the consent that lets Waymark share with them, and the
record of every disclosure (42 CFR Part 2 §2.31, §2.32; DESIGN.md "Consent for supporters").

- `SupporterLink`: the patient's invitation of one person (name, relationship, e-mail),
  and that person's account. A supporter may support several patients: one link each.
- `Consent`: every element §2.31 asks for, as data. Deny by default: a link with no
  consent shares nothing, and every scope is off until the patient ticks it. A consent is
  signed when it is written and never changes again: database triggers (migration 0002)
  refuse UPDATE and DELETE, on SQLite and PostgreSQL. A change is a new consent that
  supersedes the old; a revocation is a `ConsentEnding` row beside it.
- `Disclosure`: one row per permitted read by a supporter (when, to whom, what, purpose,
  which consent), for the patient's accounting. Append-only, like the consent.
- `ReachOut`: "I'm struggling — let my people know", and who answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from waymark.errors import ServiceError
from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class Relationship(models.TextChoices):
    FAMILY = "family", "Family"
    FRIEND = "friend", "Friend"
    SPONSOR = "sponsor", "Sponsor"
    PEER_MENTOR = "peer_mentor", "Peer mentor"


class Scope(models.TextChoices):
    """What a consent may share. Clinical notes, free-text journal entries, check-in and
    questionnaire answers and lapse details are never a scope."""

    MILESTONES = "milestones", "My milestones and days-in-recovery counters"
    CHECKIN_STREAK = "checkin_streak", "Whether I checked in each day (done or not, never answers)"
    WEEKLY_SUMMARY = "weekly_summary", "A weekly summary in plain words (no scores)"
    HOW_TO_HELP = "how_to_help", 'What I write under "How you can help me"'
    REACH_OUT = "reach_out", 'My "let my people know" requests when I am struggling'


class SupporterLink(models.Model):
    """One person a patient invited to support them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="supporter_links")
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporting"
    )
    name = models.CharField("their name", max_length=80)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    email = models.EmailField("their e-mail")
    phone = models.CharField("their phone (optional)", max_length=30, blank=True)
    how_to_help = models.TextField("how you can help me", max_length=1000, blank=True)
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "supporter"], name="supporter_link_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class ExpiryKind(models.TextChoices):
    DATE = "date", "On a date I choose"
    ACCOUNT_CLOSED = "account_closed", "When my Waymark account is closed"


class Consent(models.Model):
    """A signed consent to share chosen scopes with one supporter. Never changed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(SupporterLink, on_delete=models.CASCADE, related_name="consents")
    supersedes = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # §2.31(a): each element, as the patient read it when signing.
    patient_name = models.CharField(max_length=160)
    discloser = models.CharField("who may disclose", max_length=160)
    scopes = models.JSONField(help_text="The Scope values shared, sorted.")
    recipient_name = models.CharField(max_length=160)
    purpose = models.CharField(max_length=300)
    revocation = models.TextField("the right to revoke, and how")
    expiry_kind = models.CharField(max_length=20, choices=ExpiryKind.choices)
    expires_on = models.DateField(null=True, blank=True)
    if_refused = models.TextField("what happens if the patient does not sign")
    redisclosure_notice = models.TextField()
    signature = models.CharField("electronic signature (typed name)", max_length=160)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "-signed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(expiry_kind=ExpiryKind.DATE, expires_on__isnull=False))
                | (models.Q(expiry_kind=ExpiryKind.ACCOUNT_CLOSED, expires_on__isnull=True)),
                name="consent_expiry_date_or_event",
            ),
            models.CheckConstraint(condition=~models.Q(signature=""), name="consent_signed"),
            # A consent is replaced once: a revoked or replaced one cannot be re-used.
            models.UniqueConstraint(
                fields=["organization", "supersedes"], name="consent_superseded_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent for {self.recipient_name} signed {self.signed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ServiceError(
                "A signed consent cannot be changed. Sign a new one instead.",
                status=409,
                code="signed",
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ServiceError("A signed consent cannot be deleted.", status=409, code="signed")

    @property
    def ending(self) -> ConsentEnding | None:
        """When and why it stopped early, if it did (prefetch `endings` for lists)."""
        return next(iter(self.endings.all()), None)

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(value).label for value in self.scopes]

    def expiry_text(self) -> str:
        if self.expiry_kind == ExpiryKind.DATE and self.expires_on is not None:
            return f"At the end of {self.expires_on:%-d %B %Y}"
        return ExpiryKind(self.expiry_kind).label

    def expired_on(self, day: dt.date) -> bool:
        """Whether the expiry date has passed on `day` (the patient's local date)."""
        return self.expires_on is not None and day > self.expires_on


class EndingReason(models.TextChoices):
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Replaced by a newer consent"


class ConsentEnding(models.Model):
    """When and why a consent stopped before its expiry (revoked, or replaced)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="endings")
    reason = models.CharField(max_length=20, choices=EndingReason.choices)
    ended_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "consent"], name="consent_ends_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.ended_at:%Y-%m-%d}"


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Replaced"


class Disclosure(models.Model):
    """One thing shown or sent to a supporter under a consent (append-only)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    recipient_name = models.CharField(max_length=160)
    scope = models.CharField(max_length=30, choices=Scope.choices)
    purpose = models.CharField(max_length=300)
    disclosed_at = models.DateTimeField()

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "-disclosed_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} to {self.recipient_name}"


class ReachOut(models.Model):
    """The patient asked their people to get in touch."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reach_outs")
    phone = models.CharField("a number they can call you on", max_length=30, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reach-out {self.created_at:%Y-%m-%d %H:%M}"


class ReachOutRecipient(models.Model):
    """One supporter told of a reach-out, and whether they have been in touch."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    reach_out = models.ForeignKey(ReachOut, on_delete=models.CASCADE, related_name="recipients")
    link = models.ForeignKey(SupporterLink, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reach_out", "link"], name="reach_out_once_per_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link.name}: {'in touch' if self.answered_at else 'told'}"
