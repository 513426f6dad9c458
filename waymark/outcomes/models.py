"""What the outcomes dashboard keeps between reports: one roll-up, `StayScores`."""

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

    A cache, refreshed at report time (`stay_scores.refresh`), never written on the
    check-in or questionnaire submit path: a row is recomputed when the stay's start, or
    the count of the patient's responses to the questionnaire that can be its baseline or
    follow-up (`stay_scores.REACH`) plus their corrections, differ from what it was made
    from. Responses are never changed or deleted, only added (a correction is a new
    response), so a count that differs is the only change there is; a stay or patient
    deleted takes its rows with it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    stay = models.ForeignKey(ProgramStay, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    questionnaire_key = models.SlugField(max_length=60)
    started_on = models.DateField(help_text="The stay's start it was computed for.")
    responses = models.PositiveIntegerField(
        help_text="Then: the patient's responses to it in the stay's reach, and corrections."
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
