"""Safety answers (PHQ-9 question 9 above 'not at all') are acted on when they are given.

A safety answer raises its alert as soon as its page of the draft is saved, whether or
not the questionnaire is ever finished. The care team is told once per answer: the
draft's safety answers have an occurrence key (`draft_occurrence`), and the response sent
from that draft keeps it (`QuestionnaireResponse.safety_occurrence`), so saving the page
again, moving on and sending the response are the same occurrence to the alert. A changed
answer, a correction or the next questionnaire is a new occurrence, and tells again.

The rule itself (its words, severity and source) is the registry's (`risk/rules.py`);
this module only builds what the rule reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from waymark.patients.models import Patient
from waymark.questionnaires.definition import Definition
from waymark.questionnaires.models import Draft, QuestionnaireResponse
from waymark.questionnaires.scoring import SafetyHit, safety_hits
from waymark.risk import registry
from waymark.risk.registry import Score, Snapshot
from waymark.risk.services import alert_now, raise_flags, settings_for


def draft_occurrence(draft: Draft, hits: Sequence[SafetyHit]) -> str:
    """What makes a draft's safety answers one occurrence for the alert.

    The same answers in the same draft, saved again or sent as its response, are the same
    occurrence; a changed answer, or a new draft (the next time the questionnaire is
    asked, or a correction), is a new one. Draft ids are never reused.
    """
    answered = ",".join(f"{hit.item}={hit.value}" for hit in hits)
    return f"questionnaire_draft:{draft.pk}:{answered}"[:120]


def alert_on_draft_page(
    patient: Patient, definition: Definition, draft: Draft, page: Iterable[str]
) -> None:
    """A safety answer on the page just saved raises its alert now (in the caller's
    transaction). The alert points at the draft: there is no response to show yet."""
    if not safety_hits(definition, draft.answers, only=page):
        return
    hits = safety_hits(definition, draft.answers)
    score = Score(
        total=0,  # not known until the questionnaire is finished; the rule reads item 9
        on=patient.local_today(),
        response_id="",
        item9=int(draft.answers.get("9", 0) or 0),
        occurrence=draft_occurrence(draft, hits),
    )
    _raise(patient, score, hits, evidence=("questionnaire_draft", str(draft.pk)))


def alert_on_response(
    patient: Patient, response: QuestionnaireResponse, hits: Sequence[SafetyHit]
) -> None:
    """A submitted response's safety answers: the alert's evidence is the response."""
    _raise(patient, safety_score(response), hits)


def safety_score(response: QuestionnaireResponse) -> Score:
    return Score(
        total=int(response.primary_score or 0),
        on=response.submitted_on,
        response_id=str(response.pk),
        item9=int(response.answers.get("9", 0) or 0),
        band=response.primary_band,
        occurrence=response.safety_occurrence,
    )


def _raise(
    patient: Patient,
    score: Score,
    hits: Sequence[SafetyHit],
    *,
    evidence: tuple[str, str] | None = None,
) -> None:
    """The registry's safety rules over this one score, now (`risk.services.alert_now`).

    `evidence` replaces the rule's own (a response) for an answer with no response yet,
    so the clinician is sent to the patient's timeline rather than to a page that 404s.
    """
    snapshot = Snapshot(today=score.on, tracking_since=score.on, phq9=(score,))
    rule_ids = [hit.rule_id for hit in hits]
    if evidence is None:
        alert_now(patient, snapshot, rule_ids)
        return
    flags = registry.evaluate(snapshot, settings_for(patient.organization_id), only=rule_ids)
    kind, evidence_id = evidence
    raise_flags(patient, [replace(f, evidence_type=kind, evidence_id=evidence_id) for f in flags])
