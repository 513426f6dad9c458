"""An organization's own articles, and its changes to the shipped ones.

A row whose slug matches a shipped article replaces it for that organization (or hides
it when `hidden`); any other slug adds an article. Organization admins edit these in
the Django admin. A row's audience is the organization's choice: a row with an evidence
note's slug and audience "People in recovery" publishes that note to its patients.
"""

from __future__ import annotations

from django.db import models

from waymark.organizations.models import Organization


class Audience(models.TextChoices):
    PATIENT = "patient", "People in recovery"
    FAMILY = "family", "Family and friends"
    CLINICIAN = "clinician", "Clinicians (evidence library)"


class OrganizationArticle(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(
        max_length=80, help_text="Use a shipped article's slug to replace or hide it."
    )
    title = models.CharField(max_length=200, blank=True)
    # Blank keeps the shipped article's own readers, so a row that only retitles or
    # re-sources an evidence note never publishes it to patients by accident.
    audience = models.CharField(
        max_length=20,
        choices=Audience.choices,
        blank=True,
        default="",
        help_text=(
            "Who reads it. Leave empty to keep the shipped article's readers (an article of "
            "your own is then for people in recovery). Choose People in recovery or Family "
            "and friends on an evidence note's row only to publish it to them."
        ),
    )
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated.")
    sources = models.TextField(blank=True, help_text="One source per line.")
    reviewed_on = models.DateField(null=True, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    hidden = models.BooleanField(default=False, help_text="Hide this article from your people.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="org_article_slug_once"),
        ]

    def __str__(self) -> str:
        return self.title or self.slug
