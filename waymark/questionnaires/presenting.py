"""What people read: plain-language results for patients, trajectories and charts for both.

The explanations are Waymark's own words (kept in each definition file's bands),
written to be kind and careful: a score describes the last two weeks (or 30 days),
it is not a diagnosis, and the next step is always a person, not a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from waymark.questionnaires.definition import Definition, Scale, plain_label
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.scoring import number
from waymark.questionnaires.services import scale_band, scale_value
from waymark.questionnaires.trajectories import Marker, Point, Trajectory, chart_data, trajectory

# Shown instead of what a band says when a safety answer was given: a low total must never
# read as reassurance ("few or no signs … keep it going") next to thoughts of self-harm.
SAFETY_ANSWER_TEXT = (
    "One of your answers was about thoughts of being better off dead or of hurting "
    "yourself. That answer matters more than this score, whatever the total is, and we are "
    "glad you told us. Your care team has been told, so they can get in touch with you. "
    "If you need someone before then, the help at the top of this page is there for you."
)


@dataclass(frozen=True)
class ScaleResult:
    scale: Scale
    value: Decimal
    band_label: str
    band_level: int
    text: str
    flags: tuple[str, ...] = ()
    patient_band_label: str = ""  # the band (or flags) in the patient's words

    @property
    def shown_value(self) -> int | float:
        return number(self.value)


def _scale_from(definition: Definition, response: QuestionnaireResponse, scale_id: str) -> Scale:
    return definition.form(response.scoring_form).scale(scale_id)


def explain(response: QuestionnaireResponse) -> list[ScaleResult]:
    """Each scale's score, band and what it means, in plain words.

    With a safety answer, the words acknowledge that answer instead of the band's.
    """
    definition = response.definition
    form = definition.form(response.scoring_form)
    results = []
    for stored in response.scores.get("scales", []):
        scale = form.scale(stored["id"])
        band = scale.band_for(Decimal(str(stored["value"])))
        flag_codes = {flag["code"] for flag in stored.get("flags", [])}
        met = [flag for flag in scale.flags if flag.code in flag_codes]
        text = " ".join(flag.patient for flag in met if flag.patient) or (
            band.patient if band and band.patient else scale.patient_default
        )
        if response.has_safety_answer:  # said once, under the main score
            text = SAFETY_ANSWER_TEXT if scale.id == form.primary else ""
        results.append(
            ScaleResult(
                scale=scale,
                value=Decimal(str(stored["value"])),
                band_label=band.label if band else ", ".join(flag.label for flag in met),
                band_level=band.level if band else (3 if met else 0),
                text=text,
                flags=tuple(flag.label for flag in met),
                patient_band_label=band.for_patient
                if band
                else ", ".join(flag.for_patient for flag in met),
            )
        )
    return results


def band_words(band: dict[str, Any] | None) -> str:
    """A stored band in plain words (charts are read by patients and staff alike)."""
    if not band:
        return ""
    return str(band.get("patientLabel") or plain_label(str(band.get("label", ""))))


def offers_for(response: QuestionnaireResponse) -> list[tuple[str, str]]:
    """(what to tell the patient, questionnaire key) for each follow-up offered."""
    definition = response.definition
    offered = set(response.scores.get("offers", []))
    return [
        (offer.patient, offer.offer)
        for offer in definition.scoring.offers
        if offer.offer in offered
    ]


def trend_sentence(
    previous: QuestionnaireResponse | None, current: QuestionnaireResponse, scale: Scale
) -> str:
    """How this score compares with the last one, without praise or blame."""
    if previous is None:
        return (
            "This is your first result for this questionnaire. Next time you will see how it "
            "compares."
        )
    before, now = scale_value(previous, scale.id), scale_value(current, scale.id)
    if before is None or now is None:
        return ""
    when = f"{previous.submitted_on.day} {previous.submitted_on:%B}"
    meaning = "fewer difficulties" if scale.higher_is == "worse" else "better wellbeing"
    direction = "lower" if scale.higher_is == "worse" else "higher"
    if now == before:
        return f"Your score is the same as on {when}."
    difference = number(abs(now - before))
    change = "lower" if now < before else "higher"
    points = "point" if difference == 1 else "points"
    return (
        f"Your score is {difference} {points} {change} than on {when} "
        f"({direction} means {meaning})."
    )


@dataclass
class Series:
    """One questionnaire's (and scoring form's) results over time, per scale."""

    key: str
    title: str
    form_label: str
    responses: list[QuestionnaireResponse]
    charts: list[dict[str, Any]] = field(default_factory=list)
    paths: dict[str, Trajectory] = field(default_factory=dict)

    @property
    def latest(self) -> QuestionnaireResponse:
        return self.responses[-1]


def build_series(
    responses: Sequence[QuestionnaireResponse], *, primary_only: bool = False
) -> list[Series]:
    """Group standing responses by questionnaire and form; chart each scale."""
    groups: dict[tuple[str, str], list[QuestionnaireResponse]] = {}
    for response in sorted(responses, key=lambda r: r.submitted_at):
        groups.setdefault((response.questionnaire_key, response.scoring_form), []).append(response)
    found = []
    for (key, form_id), group in groups.items():
        definition = group[-1].definition
        form = definition.form(form_id)
        many_forms = len(definition.form_ids) > 1
        series = Series(key, definition.short_title, form.label if many_forms else "", group)
        scales = [form.primary_scale] if primary_only else form.scales
        rule = definition.scoring.change
        for scale in scales:
            points = [
                Point(
                    r.submitted_at,
                    value,
                    str(r.pk),
                    band_words(scale_band(r, scale.id)),
                    r.submitted_on,
                )
                for r in group
                if (value := scale_value(r, scale.id)) is not None
            ]
            path = trajectory(points, rule if rule and rule.scale == scale.id else None)
            series.paths[scale.id] = path
            title = (
                definition.short_title
                if len(scales) == 1
                else f"{definition.short_title}: {scale.label}"
            )
            series.charts.append(chart_data(title, scale, path))
        found.append(series)
    return sorted(found, key=lambda series: series.title)


def milestones(path: Trajectory) -> list[str]:
    """Sentences for the markers reached, e.g. "Remission first reached on 3 March"."""
    found = []
    for marker, entry in sorted(path.first_reached.items(), key=lambda kv: kv[1].point.when):
        day = entry.point.day or entry.point.when.date()
        found.append(f"{Marker(marker).explained(path.rule)}: first on {day.day} {day:%B %Y}")
    return found
