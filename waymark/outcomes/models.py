"""What the outcomes dashboard keeps between reports: the measures' roll-up, `StayScores`,
the change marker that tells which of its rows are stale, `ResponseTally`, and the days
with a check-in, `CheckInDays`."""

from __future__ import annotations

from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient, ProgramStay


class StayScores(models.Model):
    """Per program stay and questionnaire, measures.py's scores as that stay would make
    them: the baseline near the stay's start (`first`: 'time submitted#day score', the
    earliest) and each week's nearest follow-up from it (`nearest_<week>`: the sortable
    code `stay_scores.nearest_sql` gives). A patient's baseline is the earliest `first`
    of their matching stays, and its follow-ups are that stay's.

    A cache, refreshed at report time (`stay_scores.refresh`): a row is recomputed when
    the stay's start, or the patient's `ResponseTally` for the questionnaire, differ from
    what it was made from. A stay or patient deleted takes its rows with it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    stay = models.ForeignKey(ProgramStay, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    questionnaire_key = models.SlugField(max_length=60)
    started_on = models.DateField(help_text="The stay's start it was computed for.")
    tally = models.PositiveBigIntegerField(
        help_text="The patient's ResponseTally.changes for the questionnaire it was made from."
    )
    # NULL, not '': none in the window, as the SQL MIN that fills them says (DJ001).
    first = models.TextField(null=True, help_text="The baseline: 'time#day score'.")  # noqa: DJ001
    nearest_4 = models.TextField(null=True)  # noqa: DJ001
    nearest_8 = models.TextField(null=True)  # noqa: DJ001
    nearest_12 = models.TextField(null=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stay", "questionnaire_key"], name="stay_scores_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_key} scores of stay {self.stay_id}"


class ResponseTally(models.Model):
    """Per patient and questionnaire, how many times their responses to it changed: each
    response added (a correction is one) or deleted adds 1. Kept by database triggers on
    the responses table (migration 0002), so no write path can forget it, and read by
    `stay_scores.refresh` as its change marker: a StayScores row made from another tally is
    stale. It replaced a count of each stay's responses in reach at every report (30,000
    index ranges, ~0.45 s of the dashboard at 10,000 patients × a year, issue 18 point 7).

    Never written by Python. A deleted response only bumps an existing row (the trigger
    inserts none), so erasing a patient, which deletes this row too, leaves nothing behind.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    questionnaire_key = models.SlugField(max_length=60)
    changes = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "questionnaire_key"],
                name="response_tally_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_key} tally of patient {self.patient_id}"


class CheckInDays(models.Model):
    """Per patient and block of 32 days, which days have a check-in: bit i of `days` is
    day number 32 · `block` + i (`date.toordinal()`). A check-in is one per patient and
    day, so the bits are exact. The dashboard counts days with a check-in from it
    (`checkin_days.py`): about 12 rows per patient-year instead of about 300 check-ins
    (issue 18 point 7).

    Kept by database triggers on the check-ins table (migration 0003), whoever writes:
    a check-in added sets its day's bit, one deleted clears it, one moved to another day
    or patient does both; an edit of the same day costs nothing. Never written by Python.
    """

    # No index of their own: the unique one below begins with both, and every check-in of
    # a new day writes this row, so each index is one more write on that path (issue 13).
    # Erasing a patient then reads the table rather than an index: a rare, small cost.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+", db_index=False)
    block = models.IntegerField(help_text="Day number // 32.")
    days = models.BigIntegerField(help_text="Bit i: a check-in on day number 32 · block + i.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "block"], name="checkin_days_once"
            ),
        ]

    def __str__(self) -> str:
        return f"check-in days {self.block} of patient {self.patient_id}"
