"""Questionnaire workflows: what is due, drafts, submitting, correcting, assigning.

Every workflow runs in `transaction.atomic()`: a response, its safety alert and its
follow-up offer are stored together or not at all; a safety answer already raises its
alert when its page of the draft is saved (`safety.py`). Problems raise the app's one
domain error, `ServiceError` (waymark/errors.py, built by `refused`; its errors are keyed
by the question's linkId, so the API and the forms can name the question).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.access import Actor, Capability, require
from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.patients.models import Patient, ProgramStay
from waymark.questionnaires.definition import Definition
from waymark.questionnaires.due import Done, Occurrence, next_upcoming, occurrences, open_by_key
from waymark.questionnaires.models import (
    Assignment,
    AssignmentReason,
    Draft,
    Questionnaire,
    QuestionnaireResponse,
    Schedule,
    days_text,
    every_days,
)
from waymark.questionnaires.safety import (
    alert_on_draft_page,
    alert_on_response,
    draft_occurrence,
)
from waymark.questionnaires.scoring import (
    AnswerError,
    ScoreResult,
    clean_answers,
    clean_context,
    score,
)
from waymark.questionnaires.variants import base_key, is_variant, variant_key
from waymark.risk.services import reassess

CORRECTION_DAYS = 7  # a patient may correct their own response for this long
DUPLICATE_SECONDS = 600  # an identical submission within this time is the same one (double tap)
OFFER_DAYS = 7
ASSIGNMENT_DAYS = 7


def refused(errors: Mapping[str, str | list[str]]) -> ServiceError:
    """The one domain error, keyed by the question's linkId (or the field) at fault."""
    return ServiceError(
        errors={
            key: [value] if isinstance(value, str) else list(value) for key, value in errors.items()
        }
    )


def as_error(error: AnswerError) -> ServiceError:
    return refused(dict(error.errors))


# --- Definitions available to an organization -------------------------------------------


def available_questionnaires(organization_id: int) -> list[Questionnaire]:
    """What staff can schedule or ask for: variants are asked in place of their base."""
    return [
        q
        for q in Questionnaire.objects.available_to(organization_id).order_by("short_title")
        if not is_variant(q.key)
    ]


def current_questionnaire(organization_id: int, key: str) -> Questionnaire:
    questionnaire = Questionnaire.objects.available_to(organization_id).filter(key=key).first()
    if questionnaire is None:
        raise refused({"questionnaire": f"There is no questionnaire {key!r} here."})
    return questionnaire


def questionnaire_for(
    patient: Patient, key: str, *, corrects: QuestionnaireResponse | None = None
) -> Questionnaire:
    """The current text `patient` answers for `key` (see variants.py); a correction keeps
    the text of the response it corrects."""
    if is_variant(key):
        raise refused({"questionnaire": f"There is no questionnaire {key!r} here."})
    wanted = corrects.questionnaire.key if corrects is not None else variant_key(patient, key)
    return current_questionnaire(patient.organization_id, wanted)


def check_schedule(schedule: Schedule) -> None:
    """A schedule must name a questionnaire its organization has, and a form it defines."""
    errors: dict[str, str] = {}
    if schedule.program_id and schedule.program.organization_id != schedule.organization_id:
        errors["program"] = "That program belongs to another organization."
    questionnaire = (
        Questionnaire.objects.available_to(schedule.organization_id)
        .filter(key=schedule.questionnaire_key)
        .first()
    )
    if questionnaire is None:
        errors["questionnaire_key"] = f"No questionnaire {schedule.questionnaire_key!r} is loaded."
    elif schedule.scoring_form and schedule.scoring_form not in questionnaire.parsed.form_ids:
        forms = ", ".join(questionnaire.parsed.form_ids)
        errors["scoring_form"] = f"{questionnaire.short_title} has these scoring forms: {forms}."
    if schedule.repeat_every_days and schedule.anchor != "admission":
        errors["repeat_every_days"] = "Only schedules from admission can repeat."
    elif (message := _never_overdue(schedule)) is not None:
        errors["grace_days"] = message
    if errors:
        raise ValidationError(errors)


def _never_overdue(schedule: Schedule) -> str | None:
    """Why grace days this long would hide the overdue state, if they would (due.py: an
    occurrence closes `window_days` after its due day or the day before the next one, and
    a closed one is missed, grace days or not)."""
    window, every, grace = schedule.window_days, schedule.repeat_every_days, schedule.grace_days
    if window is None or grace is None:
        return None  # the field's own error says what is missing
    open_days = min(window, every - 1) if every else window
    if grace <= open_days:
        return None
    why = (
        f"A new one is due {every_days(every)}, so each can be answered for {days_text(open_days)}"
        if every and every - 1 < window
        else f"Each can be answered for {days_text(window)} (its window)"
    )
    return (
        f"{why} after its due day; with {days_text(grace)} of grace it would never show as "
        f"overdue. Set grace days to {open_days} or fewer."
    )


# --- What is due -------------------------------------------------------------------------


def done_list(patient: Patient) -> list[Done]:
    rows = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).values_list("questionnaire_key", "submitted_on", "submitted_at", "pk")
    return sorted(
        (Done(key, on, at, str(pk)) for key, on, at, pk in rows), key=lambda d: d.submitted_at
    )


def every_response(patient: Patient) -> list[QuestionnaireResponse]:
    """Every response of the patient, corrected or not, oldest first, with its
    questionnaire: one read for a page that shows the standing ones and what is due."""
    return list(
        QuestionnaireResponse.objects.filter(
            organization_id=patient.organization_id, patient=patient
        )
        .select_related("questionnaire")
        .order_by("submitted_at")
    )


def standing_of(responses: list[QuestionnaireResponse]) -> list[QuestionnaireResponse]:
    """`standing_responses` from every response of a patient (`every_response`)."""
    corrected = {response.corrects_id for response in responses if response.corrects_id}
    return [response for response in responses if response.pk not in corrected]


def done_of(responses: list[QuestionnaireResponse]) -> list[Done]:
    """`done_list` from every response of a patient (`every_response`)."""
    return sorted(
        (Done(r.questionnaire_key, r.submitted_on, r.submitted_at, str(r.pk)) for r in responses),
        key=lambda d: d.submitted_at,
    )


def patient_occurrences(
    patient: Patient,
    today: dt.date | None = None,
    *,
    stays: list[ProgramStay] | None = None,
    done: list[Done] | None = None,
) -> list[Occurrence]:
    """What is due for the patient. `stays` (every stay, oldest first, with episode and
    program) and `done` (`done_list`), when the caller has read them already."""
    today = today or patient.local_today()
    organization_id = patient.organization_id
    if stays is None:
        stays = list(
            ProgramStay.objects.filter(organization_id=organization_id, patient=patient)
            .select_related("episode", "program")
            .order_by("started_on", "pk")
        )
    return occurrences(
        schedules=Schedule.objects.filter(organization_id=organization_id, is_active=True),
        stays=stays,
        assignments=Assignment.objects.filter(organization_id=organization_id, patient=patient),
        done=done_list(patient) if done is None else done,
        today=today,
        labels={stay.program_id: stay.program.name for stay in stays},
    )


@dataclass(frozen=True)
class TodoRow:
    occurrence: Occurrence
    questionnaire: Questionnaire
    draft: Draft | None = None

    @property
    def key(self) -> str:
        return self.questionnaire.key


@dataclass
class Todo:
    """A patient's questionnaire to-do list: open now (due or overdue), and coming up."""

    open: list[TodoRow]
    upcoming: list[TodoRow]

    def open_for(self, key: str) -> TodoRow | None:
        return next((row for row in self.open if row.key == key), None)


def todo_for(patient: Patient, today: dt.date | None = None) -> Todo:
    found = patient_occurrences(patient, today)
    by_key = {q.key: q for q in available_questionnaires(patient.organization_id)}
    drafts = {
        d.questionnaire_key: d
        for d in Draft.objects.filter(organization_id=patient.organization_id, patient=patient)
    }
    now_open = [o for o in open_by_key(found).values() if o.key in by_key]
    now_open.sort(key=lambda o: (o.status != "overdue", o.due_on))
    upcoming = [o for o in next_upcoming(found, [o.key for o in now_open]) if o.key in by_key]
    return Todo(
        open=[TodoRow(o, by_key[o.key], drafts.get(o.key)) for o in now_open],
        upcoming=[TodoRow(o, by_key[o.key]) for o in upcoming],
    )


def open_occurrence(patient: Patient, key: str) -> Occurrence | None:
    return open_by_key(patient_occurrences(patient)).get(key)


# --- Drafts ------------------------------------------------------------------------------


def draft_for(patient: Patient, key: str) -> Draft | None:
    return Draft.objects.filter(
        organization_id=patient.organization_id, patient=patient, questionnaire_key=key
    ).first()


@transaction.atomic
def save_page(
    patient: Patient,
    questionnaire: Questionnaire,
    page: list[str],
    answers: Mapping[str, object],
    context: Mapping[str, object] | None = None,
) -> Draft:
    """Check one page of answers and keep them (with the earlier pages') in the draft."""
    definition = questionnaire.parsed
    draft, _ = Draft.objects.select_for_update().get_or_create(
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire_key=base_key(questionnaire.key),
    )
    merged = {**draft.answers, **{k: v for k, v in answers.items() if k in page}}
    for link_id in page:
        if answers.get(link_id) in (None, ""):
            merged.pop(link_id, None)
    try:
        draft.answers = clean_answers(definition, merged, only=page)
        if context is not None:
            draft.context = clean_context(definition, {**draft.context, **context})
    except AnswerError as error:
        raise as_error(error) from None
    draft.save()
    alert_on_draft_page(patient, definition, draft, page)
    return draft


@transaction.atomic
def start_correction(patient: Patient, response: QuestionnaireResponse) -> Draft:
    """A draft filled in with an earlier response's answers, to be corrected and resent."""
    check_correctable(patient, response)
    # A new draft (not the old one refilled): its safety answers are a new occurrence.
    discard_draft(patient, response.questionnaire_key)
    return Draft.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire_key=response.questionnaire_key,
        answers=response.answers,
        context=response.context,
        corrects=response,
    )


def discard_draft(patient: Patient, key: str) -> None:
    Draft.objects.filter(
        organization_id=patient.organization_id, patient=patient, questionnaire_key=key
    ).delete()


def can_correct(response: QuestionnaireResponse, now: dt.datetime | None = None) -> bool:
    age = (now or timezone.now()) - response.submitted_at
    return age <= dt.timedelta(days=CORRECTION_DAYS) and not response.corrections.exists()


def check_correctable(patient: Patient, response: QuestionnaireResponse) -> None:
    if response.patient_id != patient.pk or response.organization_id != patient.organization_id:
        raise refused({"corrects": "That response is not yours."})
    if response.corrections.exists():
        raise refused({"corrects": "That response has already been corrected."})
    if not can_correct(response):
        raise refused({"corrects": f"Responses can be corrected for {CORRECTION_DAYS} days."})


# --- Submitting --------------------------------------------------------------------------


def build_response(
    patient: Patient,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    *,
    by: User,
    context: Mapping[str, object] | None = None,
    scoring_form: str = "",
    corrects: QuestionnaireResponse | None = None,
    submitted_at: dt.datetime | None = None,
    draft: Draft | None = None,
) -> tuple[QuestionnaireResponse, ScoreResult]:
    """A checked and scored response, not yet saved (the demo saves these in bulk).

    Sent from a `draft`, its safety answers keep the draft's alert occurrence.
    """
    definition = questionnaire.parsed
    form_id = scoring_form or definition.scoring.default_form
    if form_id not in definition.form_ids:
        raise refused({"scoring_form": f"{definition.short_title} has no form {form_id!r}."})
    try:
        cleaned = clean_answers(definition, answers)
        cleaned_context = clean_context(definition, context or {})
    except AnswerError as error:
        raise as_error(error) from None
    result = score(definition, cleaned, form_id=form_id, context=cleaned_context)
    at = submitted_at or timezone.now()
    response = QuestionnaireResponse(
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire=questionnaire,
        questionnaire_key=base_key(questionnaire.key),
        answers=cleaned,
        context=cleaned_context,
        scoring_form=form_id,
        scores=result.as_json(),
        primary_score=result.primary.value,
        primary_band=result.primary.band.code if result.primary.band else "",
        has_safety_answer=bool(result.safety),
        submitted_at=at,
        submitted_on=at.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date(),
        submitted_by=by,
        corrects=corrects,
    )
    if result.safety:
        response.safety_occurrence = (
            draft_occurrence(draft, result.safety)
            if draft is not None
            else f"questionnaire_response:{response.pk}"
        )
    return response, result


def act_on_result(
    patient: Patient, response: QuestionnaireResponse, result: ScoreResult, definition: Definition
) -> None:
    """Safety answers raise their alert; follow-up offers become assignments. Same transaction.

    The safety rules are the registry's (`risk/rules.py`): the definition names the item
    and the rule id; the rule's words and severity live in one place.
    """
    if result.safety:
        alert_on_response(patient, response, result.safety)
    for key in result.offers:
        offer_questionnaire(patient, key, reason_note=f"After {definition.short_title}")


def offer_questionnaire(patient: Patient, key: str, *, reason_note: str) -> Assignment | None:
    """Ask for `key` now, unless it is not available here or already open."""
    if not Questionnaire.objects.available_to(patient.organization_id).filter(key=key).exists():
        return None
    if open_occurrence(patient, key) is not None:
        return None
    today = patient.local_today()
    return Assignment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire_key=key,
        reason=AssignmentReason.OFFER,
        note=reason_note[:300],
        due_on=today,
        closes_on=today + dt.timedelta(days=OFFER_DAYS),
    )


def _recent_duplicate(
    patient: Patient, key: str, answers: Mapping[str, object], context: Mapping[str, object]
) -> QuestionnaireResponse | None:
    since = timezone.now() - dt.timedelta(seconds=DUPLICATE_SECONDS)
    latest = (
        QuestionnaireResponse.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            questionnaire_key=key,
            submitted_at__gte=since,
        )
        .order_by("-submitted_at")
        .first()
    )
    if latest is None:
        return None
    same = {k: str(v) for k, v in latest.answers.items()} == {
        k: str(v) for k, v in answers.items() if v not in (None, "")
    }
    return latest if same and latest.context == dict(context) else None


@transaction.atomic
def submit_response(
    patient: Patient,
    key: str,
    answers: Mapping[str, object],
    *,
    by: User,
    context: Mapping[str, object] | None = None,
    corrects: QuestionnaireResponse | None = None,
) -> QuestionnaireResponse:
    """Check, score and store a response; raise its safety alert; clear the draft.

    Allowed when the questionnaire is open on the patient's list (due or overdue), or
    when it corrects one of their own recent responses. Sending the same answers twice
    within a few minutes (a double tap, a retry) returns the first response.
    """
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).first()  # one at a time
    context = dict(context or {})
    questionnaire = questionnaire_for(patient, key, corrects=corrects)
    if corrects is not None:
        check_correctable(patient, corrects)
        if corrects.questionnaire_key != key:
            raise refused({"corrects": "A correction must be of the same questionnaire."})
        form = corrects.scoring_form
    else:
        duplicate = _recent_duplicate(patient, key, answers, context)
        if duplicate is not None:
            return duplicate
        occurrence = open_occurrence(patient, key)
        if occurrence is None:
            raise refused(
                {
                    "questionnaire": f"{questionnaire.short_title} is not on your list right "
                    "now. Your care team can ask you to fill it in."
                }
            )
        form = occurrence.scoring_form
    response, result = build_response(
        patient,
        questionnaire,
        answers,
        by=by,
        context=context,
        scoring_form=form,
        corrects=corrects,
        draft=draft_for(patient, key),
    )
    response.save()
    act_on_result(patient, response, result, questionnaire.parsed)
    discard_draft(patient, key)
    reassess(patient)  # the caseload's risk and PHQ-9 column, in this same transaction
    return response


# --- Clinicians ----------------------------------------------------------------------------


@transaction.atomic
def assign_questionnaire(
    actor: Actor, patient: Patient, key: str, *, note: str = "", days: int = ASSIGNMENT_DAYS
) -> Assignment:
    """A clinician asks the patient to complete a questionnaire within `days`."""
    require(actor, Capability.ASSIGN_QUESTIONNAIRES, patient=patient)
    questionnaire = current_questionnaire(patient.organization_id, key)
    today = patient.local_today()
    assignment = Assignment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        questionnaire_key=base_key(questionnaire.key),
        reason=AssignmentReason.CLINICIAN,
        note=note[:300],
        assigned_by=actor.user,
        due_on=today,
        closes_on=today + dt.timedelta(days=days),
    )
    record(
        actor,
        AuditAction.CREATE,
        patient=patient,
        object_type=AuditObject.QUESTIONNAIRE_REQUEST,
        object_id=str(assignment.pk),
    )
    return assignment


def standing_responses(patient: Patient, key: str | None = None) -> list[QuestionnaireResponse]:
    """The responses that count (no later correction), oldest first."""
    responses = (
        QuestionnaireResponse.objects.standing()
        .filter(organization_id=patient.organization_id, patient=patient)
        .select_related("questionnaire")
        .order_by("submitted_at")
    )
    if key is not None:
        responses = responses.filter(questionnaire_key=key)
    return list(responses)


def scale_value(response: QuestionnaireResponse, scale_id: str) -> Decimal | None:
    for scale in response.scores.get("scales", []):
        if scale.get("id") == scale_id:
            return Decimal(str(scale["value"]))
    return None


def scale_band(response: QuestionnaireResponse, scale_id: str) -> dict[str, Any] | None:
    for scale in response.scores.get("scales", []):
        if scale.get("id") == scale_id:
            band: dict[str, Any] | None = scale.get("band")
            return band
    return None
