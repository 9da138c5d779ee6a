"""Clinical safety rules (M13; published_results.md 8.2, 8.3, 8.6, 8.13)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from somatosim.clinical import (
    DEFAULT_REFERENCE_NAME,
    SAFETY_RULES,
    SafetyRule,
    evaluate_safety,
    safety_rule,
)
from somatosim.scenario.schema import Scenario


def scenario(
    *,
    age: float = 40,
    reserve: float = 1.0,
    estrogen: str = "none",
    therapy: list[dict[str, Any]] | None = None,
    phases: list[dict[str, Any]] | None = None,
    days: int = 14,
    sex: str = "male",
) -> Scenario:
    return Scenario.model_validate(
        {
            "days": days,
            "subject": {
                "age_years": age,
                "sex": sex,
                "gh_reserve": reserve,
                "estrogen": estrogen,
            },
            "therapy": therapy or [],
            "phases": phases or [],
        }
    )


def ids(warnings: tuple[str, ...]) -> list[str]:
    return [w.split(":", 1)[0] for w in warnings]


def daily(sds: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"igf1_sds": sds}, index=pd.Index(range(len(sds)), name="day"))


GH = [{"drug": "somatropin", "dose_mg": 0.3}]


# --- the rules as data ----------------------------------------------------------------------
def test_rules_are_data_with_sources() -> None:
    assert [r.id for r in SAFETY_RULES] == [
        "gh_not_indicated",
        "igf1_above_2sds",
        "dose_above_label_max",
        "oral_estrogen_response",
    ]
    for rule in SAFETY_RULES:
        assert isinstance(rule, SafetyRule)
        assert rule.message and rule.source
        assert safety_rule(rule.id) is rule
    with pytest.raises(KeyError, match="gh_not_indicated"):
        safety_rule("nope")
    assert "Liu H" in safety_rule("gh_not_indicated").source
    assert "Beers" in safety_rule("gh_not_indicated").source
    assert "Molitch" in safety_rule("igf1_above_2sds").source
    assert "Wolthers" in safety_rule("oral_estrogen_response").source


def test_no_therapy_healthy_subject_gets_no_warning() -> None:
    assert evaluate_safety(scenario(age=70), daily([0.5, 0.1]), {"igf1_final_sds": 0.1}) == ()


# --- gh_not_indicated -----------------------------------------------------------------------
def test_gh_not_indicated_in_healthy_adult() -> None:
    (warning,) = evaluate_safety(scenario(age=40, therapy=GH))
    assert warning.startswith("gh_not_indicated: ")
    assert "not recommended for healthy adults without GH deficiency" in warning
    assert "illegal and unapproved" in warning
    assert "42%" not in warning  # the older-adult evidence is for age >= 60 only
    assert "[source: Liu H" in warning


def test_gh_not_indicated_in_healthy_older_adult_names_the_reasons() -> None:
    (warning,) = evaluate_safety(scenario(age=65, therapy=GH))
    for text in (
        "small body-composition gains",
        "no gain in strength or function",
        "oedema 42%",
        "carpal tunnel syndrome 18%",
        "arthralgia 16%",
        "impaired glucose tolerance 13%",
        "new diabetes 4%",
        "Beers",
        "65 y",
    ):
        assert text in warning
    assert ids(evaluate_safety(scenario(age=60, therapy=GH))) == ["gh_not_indicated"]
    assert "42%" in evaluate_safety(scenario(age=60, therapy=GH))[0]
    assert "42%" not in evaluate_safety(scenario(age=59.9, therapy=GH))[0]


@pytest.mark.parametrize(
    ("reserve", "fires"), [(1.0, True), (0.5, True), (0.49, False), (0.0, False)]
)
def test_gh_not_indicated_depends_on_gh_reserve(reserve: float, fires: bool) -> None:
    warnings = evaluate_safety(scenario(age=70, reserve=reserve, therapy=GH))
    assert ("gh_not_indicated" in ids(warnings)) is fires


def test_gh_not_indicated_sees_therapy_in_phases_only() -> None:
    s = scenario(phases=[{"start_day": 3, "end_day": 10, "therapy": GH}])
    assert ids(evaluate_safety(s)) == ["gh_not_indicated"]


def test_gh_not_indicated_ignores_zero_dose_and_therapy_after_the_run() -> None:
    assert evaluate_safety(scenario(therapy=[{"drug": "somatropin", "dose_mg": 0}])) == ()
    late = [{"drug": "somatropin", "dose_mg": 0.3, "start_day": 20}]
    assert evaluate_safety(scenario(days=14, therapy=late)) == ()
    # a phase that replaces the base therapy with none for the whole run
    s = scenario(therapy=GH, phases=[{"start_day": 0, "end_day": 14, "therapy": []}])
    assert evaluate_safety(s) == ()


# --- igf1_above_2sds ------------------------------------------------------------------------
def test_igf1_above_2sds_reports_first_day_and_value() -> None:
    s = scenario(reserve=0.1, therapy=GH)
    (warning,) = evaluate_safety(s, daily([1.0, 2.0, 2.5, math.nan, 2.2, 1.9]), None)
    assert warning.startswith("igf1_above_2sds: ")
    assert "on day 2 (+2.50 SDS) and on 1 more day(s)" in warning
    assert "highest +2.50 SDS" in warning
    assert DEFAULT_REFERENCE_NAME in warning


def test_igf1_above_2sds_does_not_fire_at_or_below_2() -> None:
    s = scenario(reserve=0.1, therapy=GH)
    assert evaluate_safety(s, daily([2.0, 1.5, -2.5, math.nan]), {"igf1_final_sds": 1.5}) == ()


def test_igf1_above_2sds_uses_day_column_and_reference_name() -> None:
    df = pd.DataFrame({"day": [10, 11, 12], "igf1_sds": [1.0, 1.2, 2.3]})
    (warning,) = evaluate_safety(scenario(), df, None, reference_name="assay X")
    assert "on day 12 (+2.30 SDS)" in warning and "assay X" in warning


def test_igf1_above_2sds_falls_back_to_summary() -> None:
    s = scenario()
    (warning,) = evaluate_safety(s, None, {"igf1_final_sds": 2.31})
    assert "on the last day (+2.31 SDS)" in warning
    assert evaluate_safety(s, None, {"igf1_final_sds": 1.0}) == ()
    assert evaluate_safety(s, None, {"igf1_final_sds": None}) == ()
    assert evaluate_safety(s, None, None) == ()
    # the daily table wins over the summary when it has the SDS column
    assert evaluate_safety(s, daily([1.0]), {"igf1_final_sds": 3.0}) == ()


# --- dose_above_label_max -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("therapy", "fires", "text"),
    [
        ([{"drug": "somatropin", "dose_mg": 1.2}], True, "somatropin at 1.20 mg/day (from day 0)"),
        ([{"drug": "somatropin", "dose_mg": 1.0}], False, ""),
        ([{"drug": "somatropin", "dose_mg": 1.5, "every_days": 2}], False, ""),
        (
            [
                {"drug": "somatropin", "dose_mg": 1.5, "every_days": 2},
                {"drug": "somatropin", "dose_mg": 1.5, "every_days": 2, "start_day": 1},
            ],
            True,
            "1.50 mg/day (from day 1)",
        ),
        ([{"drug": "somapacitan", "dose_mg": 8.0}], False, ""),
        ([{"drug": "somapacitan", "dose_mg": 9.0}], True, "somapacitan at 9.00 mg/week"),
        ([{"drug": "somapacitan", "dose_mg": 5.0, "every_days": 3}], True, "11.67 mg/week"),
        ([{"drug": "somatropin", "dose_mg": 3.0, "every_days": 7}], False, ""),
    ],
)
def test_dose_above_label_max(therapy: list[dict[str, Any]], fires: bool, text: str) -> None:
    warnings = evaluate_safety(scenario(reserve=0.0, therapy=therapy))
    assert ("dose_above_label_max" in ids(warnings)) is fires
    if fires:
        (warning,) = warnings
        assert text in warning
        assert "labelled adult maximum" in warning
        assert "Saizen" in warning and "label value" in warning


def test_dose_above_label_max_in_a_phase_and_per_drug() -> None:
    s = scenario(
        reserve=0.0,
        therapy=GH,
        phases=[{"start_day": 5, "end_day": 8, "therapy": [{"drug": "somatropin", "dose_mg": 2}]}],
    )
    (warning,) = evaluate_safety(s)
    assert "2.00 mg/day (from day 5)" in warning
    both = scenario(
        reserve=0.0,
        therapy=[{"drug": "somatropin", "dose_mg": 1.1}, {"drug": "somapacitan", "dose_mg": 10}],
    )
    assert ids(evaluate_safety(both)) == ["dose_above_label_max", "dose_above_label_max"]


# --- oral_estrogen_response -----------------------------------------------------------------
def test_oral_estrogen_response() -> None:
    on = evaluate_safety(scenario(sex="female", reserve=0.0, estrogen="oral", therapy=GH))
    (warning,) = on
    assert warning.startswith("oral_estrogen_response: ")
    assert "lowers the IGF-1 response to GH" in warning and "transdermal" in warning
    assert evaluate_safety(scenario(sex="female", reserve=0.0, estrogen="oral")) == ()
    assert (
        evaluate_safety(scenario(sex="female", reserve=0.0, estrogen="transdermal", therapy=GH))
        == ()
    )


def test_all_rules_fire_together_in_rule_order() -> None:
    s = scenario(
        age=70,
        sex="female",
        estrogen="oral",
        therapy=[{"drug": "somatropin", "dose_mg": 1.5}],
    )
    warnings = evaluate_safety(s, daily([1.0, 2.6]), None)
    assert ids(warnings) == [r.id for r in SAFETY_RULES]
    assert all("[source: " in w for w in warnings)
