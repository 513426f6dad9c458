"""The questionnaires app's rule over a clinician's rating: alcohol withdrawal (CIWA-Ar).

Stopping alcohol can cause seizures and delirium; a severe CIWA-Ar rating is something the
rest of the care team (the prescriber, the night staff) must see, not only the clinician
who recorded it. The rule reads the band the score fell in, so its thresholds are the
definition's (`definitions/ciwa-ar.json`: 0-7 minimal to mild, 8-15 moderate, above 15
severe), not a second copy of them here. Scores of 15 or more carried a higher risk of
severe withdrawal (seizures, delirium) in Foy et al., Alcohol Clin Exp Res 1988;12:360-4
(the US VA's PAWS guidance gives the same bands). Other cut-offs are in use (the ASAM
guideline of 2020 has 10-18 moderate, 19 or more severe); a definition with other bands
moves the rule with it.

Only a rating of the last 24 hours counts (`RECENT`). While withdrawal is treated the
CIWA-Ar is repeated every hour or every few hours (hourly in the symptom-triggered trial
of Saitz et al., JAMA 1994;272:519-23), so a rating a day old has been replaced several
times over, or monitoring has stopped: it no longer says how the patient is. The same 24
hours bound the withdrawal log's severe entries (`risk.snapshot`). An alert the rating
raised stays open until a clinician resolves it, as every alert does (a later minimal
rating does not close it); the window only keeps an old rating from holding up the
patient's rolling risk in the caseload. It is Waymark's choice, the same for every
organization (it is not one of the RiskSettings).

The clinician's save runs the rule at once (`RULE_ID`, `clinician_entry`) and every
reassessment runs it again over the snapshot; both name the same response, so they are
one occurrence of one alert.
"""

from __future__ import annotations

import datetime as dt

from waymark.alerts.models import Severity
from waymark.risk.models import RiskSettings
from waymark.risk.registry import ClinicalRule, Flag, Snapshot, register

RECENT = dt.timedelta(hours=24)

# The definition's band codes and the alert level each raises; "minimal" raises none.
LEVELS = {"severe": Severity.URGENT, "moderate": Severity.MODERATE}


def _ciwa_withdrawal(s: Snapshot, t: RiskSettings) -> Flag | None:
    rating = s.ciwa
    if rating is None or rating.age > RECENT or rating.band not in LEVELS:
        return None
    reason = f"CIWA-Ar {rating.total} ({rating.band}) at {rating.at:%H:%M} on {rating.at:%-d %b}"
    if rating.band == "severe":
        reason += ": risk of withdrawal seizures and delirium; needs a prescriber's review now."
    else:
        reason += ": moderate alcohol withdrawal; review treatment and rate again."
    return CIWA_WITHDRAWAL.flag(
        reason,
        level=LEVELS[rating.band],
        evidence=("questionnaire_response", rating.response_id),
    )


CIWA_WITHDRAWAL = ClinicalRule(
    id="ciwa.withdrawal",
    title="Alcohol withdrawal rated moderate or severe (CIWA-Ar)",
    severity=Severity.URGENT,
    rationale=(
        "Severe alcohol withdrawal can bring seizures and delirium: the prescriber and the "
        "next shift must know at once. Moderate withdrawal is shown at a lower level. Only a "
        "rating of the last 24 hours counts: it is repeated every few hours while withdrawal "
        "is active."
    ),
    source=(
        'Sullivan JT et al., "Assessment of alcohol withdrawal: the revised Clinical Institute '
        'Withdrawal Assessment for Alcohol scale (CIWA-Ar)", Br J Addict 1989;84(11):1353-1357; '
        "bands 8-15 moderate, over 15 severe (Foy et al., Alcohol Clin Exp Res 1988;12:360-4). "
        "Last 24 h only: Waymark's choice."
    ),
    check=_ciwa_withdrawal,
)
register(CIWA_WITHDRAWAL)

RULE_ID = CIWA_WITHDRAWAL.id
