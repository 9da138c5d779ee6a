"""Built-in scenarios (somatosim.scenario.presets)."""

from __future__ import annotations

import math
import re

import pytest

from somatosim.errors import InputError
from somatosim.scenario import PRESETS, Scenario, get_preset, list_presets, load_scenario
from somatosim.scenario.io import scenario_to_yaml

REQUIRED = (
    "demo",
    "young-man",
    "older-woman",
    "fast-5d-refeed",
    "protein-restriction",
    "deficit-high-protein",
    "deficit-low-protein",
    "short-sleep-week",
    "resistance-12wk",
    "endurance-training",
    "zinc-deficiency-repletion",
    "ghd-somatropin",
)


def test_the_issue_presets_exist() -> None:
    assert set(REQUIRED) <= set(PRESETS)
    assert [name for name, _ in list_presets()] == list(PRESETS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_is_named_described_and_cited(name: str) -> None:
    sc = PRESETS[name]
    assert isinstance(sc, Scenario)
    assert sc.name == name
    summary = dict(list_presets())[name]
    assert summary and len(summary) <= 80 and summary.endswith(".")
    # the description says why the numbers are physiological: author-year citations
    assert re.search(r"[A-Z][a-z]+(-[A-Z][a-z]+)? (19|20)\d\d", sc.description), sc.description
    assert "  " not in sc.description


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_round_trips_through_yaml(name: str) -> None:
    assert load_scenario(scenario_to_yaml(PRESETS[name])) == PRESETS[name]


def test_presets_are_read_only() -> None:
    with pytest.raises(TypeError):
        PRESETS["mine"] = Scenario()  # type: ignore[index]


def test_unknown_preset_lists_the_names() -> None:
    with pytest.raises(InputError, match="unknown preset 'nope'; the presets are: demo, young-man"):
        get_preset("nope")


def test_names_are_forgiving_about_case_and_underscores() -> None:
    assert get_preset("Young_Man") is PRESETS["young-man"]


def test_demo_is_a_healthy_young_man_for_a_week() -> None:
    sc = get_preset("demo")
    assert (sc.days, sc.subject.sex, sc.subject.gh_reserve) == (7, "male", 1.0)
    assert 18 <= sc.subject.age_years < 35
    assert not sc.phases and not sc.therapy and not sc.exercise


def test_older_woman() -> None:
    sc = get_preset("older-woman")
    assert (sc.subject.age_years, sc.subject.sex, sc.subject.estrogen) == (68, "female", "none")


def test_fast_is_five_water_only_days_then_refeeding() -> None:
    sc = get_preset("fast-5d-refeed")
    assert sc.days == 14
    fasting = [d for d in range(sc.days) if sc.diet_on(d).is_fasting]
    assert fasting == [2, 3, 4, 5, 6]
    assert all(sc.diet_on(d).protein_g_per_kg == 0 for d in fasting)
    assert sc.diet_on(7).protein_g_per_kg == sc.diet.protein_g_per_kg > 0


def test_protein_restriction() -> None:
    sc = get_preset("protein-restriction")
    assert sc.days == 28
    assert sc.diet_on(2).protein_g_per_kg == 1.2
    assert {sc.diet_on(d).protein_g_per_kg for d in range(3, 28)} == {0.6}
    assert sc.diet_on(10).energy_percent_of_need == 100


def test_deficit_pair_differs_only_in_protein() -> None:
    high, low = get_preset("deficit-high-protein"), get_preset("deficit-low-protein")
    assert high.days == low.days == 21 and high.seed == low.seed
    assert high.subject == low.subject
    for sc, protein in ((high, 2.0), (low, 0.8)):
        diet = sc.diet_on(10)
        assert diet.energy_percent_of_need == 60  # -40 % energy
        assert diet.protein_g_per_kg == protein
    strip = {"name": "x", "description": "", "phases": []}
    assert high.replace(**strip) == low.replace(**strip)


def test_short_sleep_week_is_seven_four_hour_nights_after_three_normal() -> None:
    sc = get_preset("short-sleep-week")
    hours = [sc.sleep_on(d).hours for d in range(sc.days)]
    assert hours[:3] == [8.0] * 3
    assert hours[3:10] == [4.0] * 7
    assert set(hours[10:]) == {8.0}


def test_resistance_training_three_times_a_week_for_twelve_weeks() -> None:
    sc = get_preset("resistance-12wk")
    assert sc.days == 84 and sc.subject.sex == "male" and sc.subject.age_years >= 40
    sessions = [d for d in range(sc.days) if sc.exercise_on(d)]
    assert len(sessions) == 36
    assert all(s.type == "resistance" for d in sessions for s in sc.exercise_on(d))


def test_endurance_training_below_threshold() -> None:
    sc = get_preset("endurance-training")
    (session,) = sc.exercise
    assert (session.type, session.minutes, session.effective_lt_multiple()) == ("aerobic", 60, 0.8)
    assert sum(1 for d in range(7) if sc.exercise_on(d)) == 5
    assert sc.days == 56


def test_zinc_deficiency_then_repletion() -> None:
    sc = get_preset("zinc-deficiency-repletion")
    assert sc.days == 84
    assert sc.micronutrients_on(27).zinc_ug_dl == 50
    assert sc.micronutrients_on(28).zinc_ug_dl == 95


def test_ghd_on_daily_somatropin() -> None:
    sc = get_preset("ghd-somatropin")
    assert sc.subject.gh_reserve == 0.05 and sc.days == 56
    assert sc.therapy_on(6) == ()
    (dose,) = sc.therapy_on(7)
    assert (dose.drug, dose.dose_mg, dose.time, dose.interval_days) == (
        "somatropin",
        0.3,
        "21:00",
        1,
    )
    assert all(sc.therapy_on(d) for d in range(7, 56))


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_simulates(name: str) -> None:
    from somatosim import simulate

    result = simulate(get_preset(name).replace(days=2), save_every_min=60)
    assert len(result.daily) == 2
    assert math.isfinite(result.summary["igf1_final_ng_ml"])
    assert result.summary["igf1_final_ng_ml"] > 0
