"""Mutual-help meetings (issue 17): the organization's list, a patient's favourites and
the meetings they went to.

The list is kept by the organization admin in the admin site. A patient logs going to a
meeting in one tap; once per meeting per day, so a second tap changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class Fellowship(models.TextChoices):
    NA = "na", "Narcotics Anonymous (NA)"
    AA = "aa", "Alcoholics Anonymous (AA)"
    SMART = "smart", "SMART Recovery"
    FAMILY = "family", "Al-Anon / Nar-Anon (for family and friends)"
    OTHER = "other", "Another support group"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Meeting(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    fellowship = models.CharField(max_length=10, choices=Fellowship.choices)
    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices)
    starts_at = models.TimeField("time", help_text="In the organization's time zone, e.g. 19:30.")
    place = models.CharField(max_length=200, blank=True, help_text="An address or a room.")
    online_link = models.URLField("online link", blank=True)
    notes = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField("shown to patients", default=True)

    class Meta:
        ordering = ["weekday", "starts_at", "name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="meeting_has_name"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="meeting_weekday"),
            models.CheckConstraint(
                condition=~models.Q(place="", online_link=""), name="meeting_has_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_weekday_display()} {self.starts_at:%H:%M})"

    def clean(self) -> None:
        if not self.place.strip() and not self.online_link.strip():
            raise ValidationError({"place": "Give a place, an online link, or both."})


class FavouriteMeeting(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "meeting"], name="favourite_meeting_once"
            )
        ]

    def __str__(self) -> str:
        return f"Favourite {self.meeting_id}"


class MeetingAttendance(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, related_name="+")
    fellowship = models.CharField(max_length=10, choices=Fellowship.choices)
    local_date = models.DateField()
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-local_date", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "local_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "meeting", "local_date"],
                name="attendance_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_fellowship_display()} on {self.local_date}"
