"""Questionnaire definitions: a FHIR R4 Questionnaire plus one `waymark` key for scoring.

A definition file (see `definitions/*.json`) is a FHIR R4 `Questionnaire` resource —
items, answer options with their ordinal value (the `ordinalValue` extension), LOINC
codes where they exist, the copyright line — with one extra top-level key,
`waymark`, holding what FHIR has no place for: how to score it (scales, reversed
items, recoding, multipliers, severity bands, thresholds that depend on the
person's sex), safety items, reliable-change rules, follow-up offers and paging.

`parse_definition()` checks everything before a definition can be used: the FHIR
part with the `fhir.resources` R4B models, the `waymark` block with pydantic, and
then the meaning — every scored item exists and is required, every score the
scales can reach falls in exactly one band, the declared range is the real one.
A problem raises `DefinitionError` listing every message, each naming where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
LOINC = "http://loinc.org"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$")
DEFAULT_PAGE_SIZE = 3
# Enumerating every reachable total is exact and cheap for real questionnaires; past
# this many distinct totals the band check falls back to the declared range only.
MAX_REACHABLE = 20_000


class DefinitionError(ValueError):
    """A definition file that cannot be used, with every problem found."""

    def __init__(self, problems: list[str], *, source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(problems))


# --- The `waymark` block -------------------------------------------------------------


_JARGON = re.compile(r"\s*\((?:flag:[^)]*|raw sum)\)", re.IGNORECASE)


def plain_label(label: str) -> str:
    """A band or flag name without the clinician's notes in brackets ("(flag: Risk >= 12)"),
    for definitions and stored scores that have no patient label of their own."""
    return _JARGON.sub("", label).strip()


class _Block(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class Coding(_Block):
    system: str
    code: str
    display: str = ""


class Band(_Block):
    code: str
    label: str
    min: Decimal
    max: Decimal
    level: int = Field(0, ge=0, le=4, description="0 = none/minimal … 4 = most severe")
    patient: str = ""
    patient_label: str = Field("", description="The band's name as the patient reads it.")

    @property
    def for_patient(self) -> str:
        return self.patient_label or plain_label(self.label)

    def contains(self, value: Decimal) -> bool:
        return self.min <= value <= self.max


class Flag(_Block):
    """A threshold: `atLeast` or `atMost` a value, which may depend on context (e.g. sex)."""

    code: str
    label: str
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    by_context: dict[str, dict[str, Decimal]] = {}
    patient: str = ""
    patient_label: str = Field("", description="The flag's name as the patient reads it.")
    source: str = ""

    @property
    def for_patient(self) -> str:
        return self.patient_label or plain_label(self.label)

    def threshold(self, context: Mapping[str, str]) -> Decimal:
        default = self.at_least if self.at_least is not None else self.at_most
        assert default is not None
        for context_id, values in self.by_context.items():
            if context.get(context_id) in values:
                return values[context[context_id]]
        return default

    def is_met(self, value: Decimal, context: Mapping[str, str]) -> bool:
        limit = self.threshold(context)
        return value >= limit if self.at_least is not None else value <= limit


class Scale(_Block):
    id: str
    label: str
    items: list[str]
    reversed: list[str] = []
    multiplier: Decimal = Decimal(1)
    min: Decimal
    max: Decimal
    higher_is: Literal["worse", "better"] = "worse"
    code: Coding | None = None
    unit: str = "{score}"
    bands: list[Band] = []
    flags: list[Flag] = []
    patient_default: str = ""
    when_skipped: Decimal | None = Field(
        None, description="Points of a scored question skipped by its enableWhen (e.g. 0)."
    )

    def band_for(self, value: Decimal) -> Band | None:
        return next((band for band in self.bands if band.contains(value)), None)


class Bin(_Block):
    min: int
    max: int
    value: int


class Recode(_Block):
    items: list[str]
    bins: list[Bin]

    def apply(self, raw: int) -> int:
        for bin_ in self.bins:
            if bin_.min <= raw <= bin_.max:
                return bin_.value
        raise ValueError(f"{raw} is in no recoding bin")


class Form(_Block):
    id: str
    label: str
    primary: str
    scales: list[Scale]
    recode: list[Recode] = []

    def scale(self, scale_id: str) -> Scale:
        return next(scale for scale in self.scales if scale.id == scale_id)

    @property
    def primary_scale(self) -> Scale:
        return self.scale(self.primary)

    def recoding_for(self, link_id: str) -> Recode | None:
        return next((recode for recode in self.recode if link_id in recode.items), None)


class SafetyRule(_Block):
    """An answer above `above` to `item` fires the registry rule `rule_id` (risk/rules.py),
    which holds the rule's words, severity and source: those are what Waymark uses.

    `severity`, `source` and `reason` are documentation for a reader of the file; they
    stay optional so that versions already stored (and answered) still parse.
    """

    item: str
    above: int
    rule_id: str
    severity: Literal["low", "moderate", "high", "urgent"] | None = None
    source: str = ""
    reason: str = ""


class ChangeRule(_Block):
    scale: str
    reliable_change: Decimal | None = None
    response_reduction: Decimal | None = Field(None, gt=0, le=1)
    remission_below: Decimal | None = None
    source: str


class Offer(_Block):
    scale: str
    at_most: Decimal | None = None
    at_least: Decimal | None = None
    offer: str
    patient: str
    source: str

    def applies(self, value: Decimal) -> bool:
        if self.at_most is not None and value > self.at_most:
            return False
        return not (self.at_least is not None and value < self.at_least)


class ContextOption(_Block):
    code: str
    display: str


class ContextQuestion(_Block):
    id: str
    text: str
    help: str = ""
    required: bool = False
    options: list[ContextOption]


class Constraint(_Block):
    item: str
    not_above_item: str
    message: str


class Scoring(_Block):
    short_title: str
    about: str = ""
    sources: list[str] = Field(min_length=1)
    pages: list[list[str]] = []
    default_form: str
    forms: list[Form] = Field(min_length=1)
    safety: list[SafetyRule] = []
    change: ChangeRule | None = None
    offers: list[Offer] = []
    context: list[ContextQuestion] = []
    constraints: list[Constraint] = []


# --- Items, read from the FHIR part ---------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: int
    system: str
    code: str
    display: str


@dataclass(frozen=True)
class Condition:
    """FHIR `enableWhen`: this item applies only when `question` compares true to `value`."""

    question: str
    operator: str
    value: int

    def holds(self, answer: int | None) -> bool:
        if self.operator == "exists":
            return (answer is not None) == bool(self.value)
        if answer is None:
            return False
        return {
            "=": answer == self.value,
            "!=": answer != self.value,
            ">": answer > self.value,
            "<": answer < self.value,
            ">=": answer >= self.value,
            "<=": answer <= self.value,
        }[self.operator]


@dataclass(frozen=True)
class Item:
    link_id: str
    prefix: str
    text: str
    type: Literal["choice", "integer"]
    required: bool
    options: tuple[Option, ...] = ()
    min_value: int = 0
    max_value: int = 0
    code: str = ""  # LOINC, where one exists
    enable_when: tuple[Condition, ...] = ()

    @property
    def values(self) -> tuple[int, ...]:
        if self.type == "choice":
            return tuple(option.value for option in self.options)
        return tuple(range(self.min_value, self.max_value + 1))

    def option(self, value: int) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    def display(self, value: int) -> str:
        option = self.option(value)
        return option.display if option else str(value)

    @property
    def label(self) -> str:
        """How a person refers to it: "question 9"."""
        return f"question {self.prefix.rstrip('.')}" if self.prefix else f"question {self.link_id}"


@dataclass(frozen=True)
class Definition:
    key: str
    version: str
    url: str
    title: str
    description: str
    copyright: str
    panel_code: Coding | None
    items: tuple[Item, ...]
    scoring: Scoring
    resource: Mapping[str, Any]  # the FHIR part, without `waymark`

    @property
    def short_title(self) -> str:
        return self.scoring.short_title

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}"

    def item(self, link_id: str) -> Item:
        return next(item for item in self.items if item.link_id == link_id)

    def has_item(self, link_id: str) -> bool:
        return any(item.link_id == link_id for item in self.items)

    def form(self, form_id: str | None = None) -> Form:
        wanted = form_id or self.scoring.default_form
        for form in self.scoring.forms:
            if form.id == wanted:
                return form
        raise KeyError(f"{self.short_title} has no scoring form {wanted!r}")

    @property
    def form_ids(self) -> list[str]:
        return [form.id for form in self.scoring.forms]

    @property
    def pages(self) -> list[list[str]]:
        if self.scoring.pages:
            return self.scoring.pages
        ids = [item.link_id for item in self.items]
        return [ids[i : i + DEFAULT_PAGE_SIZE] for i in range(0, len(ids), DEFAULT_PAGE_SIZE)]


# --- Parsing -----------------------------------------------------------------------


def parse_definition(data: Mapping[str, Any], *, source: str = "") -> Definition:
    """A checked Definition from a definition file's JSON, or DefinitionError."""
    problems: list[str] = []
    if not isinstance(data, Mapping) or data.get("resourceType") != "Questionnaire":
        raise DefinitionError(['resourceType must be "Questionnaire"'], source=source)
    resource = {key: value for key, value in data.items() if key != "waymark"}
    try:
        FhirQuestionnaire.model_validate(resource)
    except PydanticValidationError as error:
        raise DefinitionError(
            _pydantic_problems(error, "FHIR Questionnaire"), source=source
        ) from None
    if "waymark" not in data:
        raise DefinitionError(["the `waymark` scoring block is missing"], source=source)
    try:
        scoring = Scoring.model_validate(data["waymark"])
    except PydanticValidationError as error:
        raise DefinitionError(_pydantic_problems(error, "waymark"), source=source) from None

    key = str(resource.get("id", ""))
    if not KEY_PATTERN.match(key):
        problems.append(f"id {key!r} must be 2-60 lower-case letters, digits or dashes")
    for field in ("version", "url", "title"):
        if not resource.get(field):
            problems.append(f"{field} is required")
    if resource.get("status") not in {"active", "draft"}:
        problems.append('status must be "active" or "draft"')
    items = _items(resource.get("item", []), problems)
    codes = [c for c in resource.get("code", []) if isinstance(c, Mapping)]
    panel = Coding.model_validate(codes[0]) if codes else None
    definition = Definition(
        key=key,
        version=str(resource.get("version", "")),
        url=str(resource.get("url", "")),
        title=str(resource.get("title", "")),
        description=str(resource.get("description", "")),
        copyright=str(resource.get("copyright", "")),
        panel_code=panel,
        items=tuple(items),
        scoring=scoring,
        resource=resource,
    )
    if not problems:
        from waymark.questionnaires.checks import check_meaning

        problems.extend(check_meaning(definition))
    if problems:
        raise DefinitionError(problems, source=source)
    return definition


def _pydantic_problems(error: PydanticValidationError, where: str) -> list[str]:
    return [
        f"{where}.{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors()
    ]


def _extension(node: Mapping[str, Any], url: str) -> Any:
    for extension in node.get("extension", []):
        if extension.get("url") == url:
            return next(
                (value for name, value in extension.items() if name.startswith("value")), None
            )
    return None


def _items(raw_items: Iterable[Mapping[str, Any]], problems: list[str]) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for raw in raw_items:
        link_id = str(raw.get("linkId", ""))
        where = f"item {link_id}"
        if link_id in seen:
            problems.append(f"{where}: linkId is used twice")
        seen.add(link_id)
        kind = raw.get("type")
        if kind == "display":
            continue
        if raw.get("item"):
            problems.append(f"{where}: nested items are not supported; list items flat")
            continue
        codes = [c.get("code", "") for c in raw.get("code", []) if c.get("system") == LOINC]
        item = Item(
            link_id=link_id,
            prefix=str(raw.get("prefix", "")),
            text=str(raw.get("text", "")),
            type="choice",
            required=bool(raw.get("required", False)),
            code=codes[0] if codes else "",
            enable_when=_conditions(raw, where, problems),
        )
        if not item.text:
            problems.append(f"{where}: text is required")
        if kind == "choice":
            items.append(replace(item, options=_options(raw, where, problems)))
        elif kind == "integer":
            low, high = _extension(raw, MIN_VALUE), _extension(raw, MAX_VALUE)
            if not isinstance(low, int) or not isinstance(high, int) or low > high:
                problems.append(f"{where}: an integer item needs minValue <= maxValue extensions")
                continue
            items.append(replace(item, type="integer", min_value=low, max_value=high))
        else:
            problems.append(f"{where}: type {kind!r} is not supported (choice, integer, display)")
    return items


def _options(raw: Mapping[str, Any], where: str, problems: list[str]) -> tuple[Option, ...]:
    options = []
    for raw_option in raw.get("answerOption", []):
        coding = raw_option.get("valueCoding") or {}
        value = _extension(raw_option, ORDINAL_VALUE)
        if value is None or Decimal(str(value)) != int(value):
            problems.append(f"{where}: every answer option needs a whole-number ordinalValue")
            continue
        if not coding.get("code") or not coding.get("display"):
            problems.append(f"{where}: every answer option needs valueCoding code and display")
            continue
        options.append(
            Option(int(value), coding.get("system", ""), coding["code"], coding["display"])
        )
    if not options:
        problems.append(f"{where}: a choice item needs answer options")
    if len({option.value for option in options}) != len(options):
        problems.append(f"{where}: two answer options have the same ordinal value")
    return tuple(options)


def _conditions(raw: Mapping[str, Any], where: str, problems: list[str]) -> tuple[Condition, ...]:
    conditions = []
    for condition in raw.get("enableWhen", []):
        value = condition.get("answerInteger", condition.get("answerBoolean"))
        if value is None:
            problems.append(f"{where}: enableWhen supports answerInteger or answerBoolean only")
            continue
        conditions.append(Condition(str(condition["question"]), condition["operator"], int(value)))
    if len(conditions) > 1 and raw.get("enableBehavior") != "all":
        problems.append(f'{where}: several enableWhen conditions need enableBehavior "all"')
    return tuple(conditions)
