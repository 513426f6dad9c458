"""The shipped definition files: FHIR-shaped, exact wording and codes, copyright kept;
and a broken definition is refused with messages that say what and where."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from waymark.questionnaires.definition import DefinitionError, parse_definition
from waymark.questionnaires.loader import BUILTIN_DIR, builtin_keys
from waymark.questionnaires.tests.helpers import builtin, custom_definition, definition

PHQ9_LOINC = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
    "69722-7",
]
GAD7_LOINC = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


def test_it_ships_its_questionnaires_and_nothing_unlicensed() -> None:
    assert builtin_keys() == {
        "phq-9",
        "gad-7",
        "audit-c",
        "who-5",
        "sds-ketamine",
        "bam",
        "audit-c-uk",
        "ciwa-ar",
        "sds-ketamine-month",
    }
    text = " ".join(path.read_text().lower() for path in BUILTIN_DIR.glob("*.json"))
    for unlicensed in ("dast", "c-ssrs", "columbia", "promis"):
        assert unlicensed not in text


@pytest.mark.parametrize("key", sorted(builtin_keys()))
def test_it_keeps_each_file_a_fhir_questionnaire_with_copyright_and_sources(key: str) -> None:
    data = builtin(key)
    parsed = definition(key)
    assert data["resourceType"] == "Questionnaire"
    assert data["id"] == key == parsed.key
    assert parsed.copyright and parsed.scoring.sources
    for item in parsed.items:
        if item.type == "choice":
            assert [option.value for option in item.options] != []


def test_it_codes_phq9_with_loinc_and_keeps_its_wording() -> None:
    phq9 = definition("phq-9")
    assert phq9.panel_code is not None and phq9.panel_code.code == "44249-1"
    assert [item.code for item in phq9.items] == PHQ9_LOINC
    assert phq9.item("9").text == (
        "Thoughts that you would be better off dead, or of hurting yourself in some way"
    )
    assert phq9.description == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert [(o.value, o.code, o.display) for o in phq9.item("1").options] == [
        (0, "LA6568-5", "Not at all"),
        (1, "LA6569-3", "Several days"),
        (2, "LA6570-1", "More than half the days"),
        (3, "LA6571-9", "Nearly every day"),
    ]
    total = phq9.form().primary_scale
    assert total.code is not None and total.code.code == "44261-6"
    assert "© Pfizer Inc." in phq9.copyright


def test_it_codes_gad7_and_audit_c_with_loinc() -> None:
    gad7, audit = definition("gad-7"), definition("audit-c")
    assert [item.code for item in gad7.items] == GAD7_LOINC
    assert gad7.panel_code is not None and gad7.panel_code.code == "69737-5"
    assert gad7.form().primary_scale.code.code == "70274-6"  # type: ignore[union-attr]
    assert [item.code for item in audit.items] == ["68518-0", "68519-8", "68520-6"]
    assert audit.form().primary_scale.code.code == "75626-2"  # type: ignore[union-attr]


def test_it_words_the_sds_for_ketamine_and_bands_nothing() -> None:
    sds = definition("sds-ketamine")
    assert next(item.text for item in sds.items) == (
        "Did you ever think your use of ketamine was out of control?"
    )
    assert [o.display for o in sds.item("5").options] == [
        "Not difficult",
        "Quite difficult",
        "Very difficult",
        "Impossible",
    ]
    total = sds.form().primary_scale
    assert (total.min, total.max, total.bands) == (0, 15, [])  # continuous: no cut-off


def test_it_defines_both_bam_scoring_forms_with_the_va_subscales() -> None:
    bam = definition("bam")
    assert bam.form_ids == ["likert", "day_count"]
    for form_id in bam.form_ids:
        form = bam.form(form_id)
        assert form.scale("use").items == ["4", "5", "6"]
        assert form.scale("risk").items == ["1", "2", "3", "8", "11", "15"]
        assert form.scale("protective").items == ["9", "10", "12", "13", "14", "16"]
    likert = bam.form("likert")
    assert [(s.min, s.max) for s in likert.scales] == [(0, 12), (0, 24), (0, 24)]
    scored = {i for scale in likert.scales for i in scale.items}
    assert "17" not in scored and not any(i.startswith("7") for i in scored)


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, source="broken.json")
    assert str(caught.value).startswith("broken.json: ")
    return caught.value.problems


def _scale(data: dict[str, Any]) -> dict[str, Any]:
    scale: dict[str, Any] = data["waymark"]["forms"][0]["scales"][0]
    return scale


def test_it_refuses_a_file_without_the_scoring_block() -> None:
    data = custom_definition()
    del data["waymark"]
    assert _problems(data) == ["the `waymark` scoring block is missing"]


def test_it_refuses_invalid_fhir_with_the_path_of_the_problem() -> None:
    data = custom_definition()
    data["item"][0]["required"] = "sometimes"
    problems = _problems(data)
    assert any(p.startswith("FHIR Questionnaire.item.0.required") for p in problems)


def test_it_refuses_a_typo_in_the_scoring_block() -> None:
    data = custom_definition()
    _scale(data)["multipler"] = 4
    assert any("multipler" in p and "Extra inputs" in p for p in _problems(data))


def test_it_refuses_bands_that_leave_a_score_out() -> None:
    data = custom_definition()
    _scale(data)["bands"][1]["min"] = 5
    assert _problems(data) == [
        "waymark.forms[standard].scales[total]: the score 4 falls in 0 bands, not one"
    ]


def test_it_refuses_overlapping_bands() -> None:
    data = custom_definition()
    _scale(data)["bands"][1]["min"] = 3
    assert "falls in 2 bands" in _problems(data)[0]


def test_it_refuses_a_declared_range_the_items_cannot_reach() -> None:
    data = custom_definition()
    _scale(data)["max"] = 12
    _scale(data)["bands"][1]["max"] = 12
    assert _problems(data) == [
        "waymark.forms[standard].scales[total]: declared range 0-12, reachable 0-9"
    ]


def test_it_refuses_a_scale_with_an_unknown_or_optional_question() -> None:
    data = custom_definition()
    _scale(data)["items"] = ["1", "2", "3", "4"]
    assert "unknown question 4" in _problems(data)[0]
    data = custom_definition()
    data["item"][1]["required"] = False
    assert "must be required" in _problems(data)[0]


def test_it_refuses_answer_options_without_ordinal_values() -> None:
    data = custom_definition()
    data["item"][0]["answerOption"][0]["extension"] = []
    assert "ordinalValue" in _problems(data)[0]
    data = custom_definition()
    data["item"][0]["answerOption"][1]["extension"][0]["valueDecimal"] = 0
    assert "same ordinal value" in _problems(data)[0]


def test_it_refuses_a_safety_rule_or_threshold_that_points_nowhere() -> None:
    data = custom_definition()
    data["waymark"]["safety"] = [
        {"item": "9", "above": 0, "ruleId": "x", "severity": "urgent", "source": "s", "reason": "r"}
    ]
    assert _problems(data) == [
        "waymark.safety: unknown question 9",
        "waymark.safety: x is not a registered safety rule",
    ]
    data = custom_definition()
    _scale(data)["flags"] = [{"code": "f", "label": "F", "atLeast": 3, "byContext": {"sex": {}}}]
    assert "unknown context 'sex'" in _problems(data)[0]


def test_it_collects_several_problems_at_once() -> None:
    data = copy.deepcopy(custom_definition(key="BadKey"))
    del data["version"]
    problems = _problems(data)
    assert any("id 'BadKey' must be" in p for p in problems)
    assert "version is required" in problems


def test_it_reads_the_shipped_files_as_utf8() -> None:
    assert "—" in (BUILTIN_DIR / "phq-9.json").read_text(encoding="utf-8")
