"""Which text of a questionnaire a person is asked: its variants.

A variant is its own definition file (own text, own version, own scoring) that is
asked in place of a base questionnaire. Schedules, assignments, drafts and responses
keep the base key, so what is due, done and charted stays one series; the response's
`questionnaire` (and its short title, shown to staff) says which text was answered.

- AUDIT-C: an organization whose locale is en-GB asks the UK form in units
  (`audit-c-uk`, DHSC/OHID 2020, positive at >= 5); others the US VA form.
- SDS (ketamine): the first SDS of a stay asks about the past 12 months (Gossop et al.
  1995); later ones in the same stay ask about the past month (`sds-ketamine-month`,
  as in the Chinese ketamine validation, Tung et al. 2014).
"""

from __future__ import annotations

from waymark.organizations.models import Locale, Organization
from waymark.patients.models import Episode, Patient

UK_AUDIT_C = "audit-c-uk"
SDS_PAST_MONTH = "sds-ketamine-month"
BASE_OF = {UK_AUDIT_C: "audit-c", SDS_PAST_MONTH: "sds-ketamine"}
# Rated by a clinician (clinician_entry.py), never put on a patient's own list.
CLINICIAN_ADMINISTERED = frozenset({"ciwa-ar"})


def base_key(key: str) -> str:
    """The key schedules and responses use for `key` (itself unless it is a variant)."""
    return BASE_OF.get(key, key)


def is_variant(key: str) -> bool:
    """A variant, or a clinician's rating: not something staff ask a patient to fill in."""
    return key in BASE_OF or key in CLINICIAN_ADMINISTERED


def variant_key(patient: Patient, key: str) -> str:
    """The definition `patient` should be asked for the base questionnaire `key`."""
    if key == "audit-c":
        locale = Organization.objects.values_list("locale", flat=True).get(
            pk=patient.organization_id
        )
        return UK_AUDIT_C if locale == Locale.EN_GB else key
    if key == "sds-ketamine" and _earlier_sds_this_stay(patient):
        return SDS_PAST_MONTH
    return key


def _earlier_sds_this_stay(patient: Patient) -> bool:
    from waymark.questionnaires.models import QuestionnaireResponse

    stay = (
        Episode.objects.filter(
            organization_id=patient.organization_id, patient=patient, discharged_on__isnull=True
        )
        .order_by("-admitted_on")
        .first()
    )
    if stay is None:
        return False
    return (
        QuestionnaireResponse.objects.standing()
        .filter(
            organization_id=patient.organization_id,
            patient=patient,
            questionnaire_key="sds-ketamine",
            submitted_on__gte=stay.admitted_on,
        )
        .exists()
    )
