"""Guideline GH dose titration and weekly IGF-1 sampling (issue 4 points 4 and 6).

Anchors: starting dose by age and 0.1-0.2 mg/day steps every 1-2 months (Molitch 2011,
published_results.md 8.1); target IGF-1 SDS 0 to +1 (8.2); weekly somapacitan: day-4 IGF-1
estimates the weekly mean, day 2 the peak (Kildemoes 2021, row 8.10).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from somatosim.clinical.titration import (
    START_DOSES,
    TITRATION_RULES,
    TitrationResult,
    WeeklyProfile,
    next_dose,
    starting_dose,
    titrate,
    weekly_sampling_profile,
)
from somatosim.errors import InputError

MAN_40 = {"age_years": 40, "sex": "male", "gh_reserve": 0.1}
WOMAN_40 = {"age_years": 40, "sex": "female", "gh_reserve": 0.1}


@pytest.fixture(scope="module")
def daily_man() -> TitrationResult:
    return titrate(MAN_40, regimen="daily", seed=1)


@pytest.fixture(scope="module")
def daily_woman() -> TitrationResult:
    return titrate(WOMAN_40, regimen="daily", seed=1)


@pytest.fixture(scope="module")
def weekly_man() -> TitrationResult:
    return titrate(MAN_40, regimen="weekly", seed=1)


@pytest.fixture(scope="module")
def steady_week(weekly_man: TitrationResult) -> WeeklyProfile:
    return weekly_sampling_profile(MAN_40, weekly_man.final_dose_mg, seed=1, n_seeds=2)


# --- the rules -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("subject", "regimen", "dose"),
    [
        ({"age_years": 22}, "daily", 0.45),
        ({"age_years": 29.9}, "daily", 0.45),
        ({"age_years": 30}, "daily", 0.25),
        ({"age_years": 59}, "daily", 0.25),
        ({"age_years": 60}, "daily", 0.15),
        ({"age_years": 85}, "daily", 0.15),
        ({"age_years": 45}, "weekly", 1.5),
        ({"age_years": 70}, "weekly", 1.0),
        ({"age_years": 45, "sex": "female", "estrogen": "oral"}, "weekly", 2.0),
        ({"age_years": 45, "sex": "female", "estrogen": "transdermal"}, "weekly", 1.5),
    ],
)
def test_starting_dose_by_age(subject: dict[str, object], regimen: str, dose: float) -> None:
    assert starting_dose(subject, regimen) == dose


def test_start_doses_lie_in_the_guideline_ranges() -> None:
    for row in START_DOSES:
        assert row.range_mg[0] <= row.dose_mg <= row.range_mg[1]
        assert row.source


def test_decision_rule() -> None:
    assert next_dose(0.3, -1.5) == (0.5, "increase")  # far below: +0.2 mg/day
    assert next_dose(0.3, -0.5) == (0.4, "increase")  # close: +0.1 mg/day
    assert next_dose(0.3, 1.4) == (0.2, "decrease")
    assert next_dose(0.3, 2.5) == (0.1, "decrease")
    assert next_dose(0.3, 0.0) == (0.3, "in target")
    assert next_dose(0.95, -1.5) == (1.0, "increase")  # capped at the label maximum
    assert next_dose(1.0, -1.5) == (1.0, "at maximum dose")
    assert next_dose(0.1, 1.5) == (0.1, "at minimum dose")
    assert next_dose(1.5, -0.3, regimen="weekly") == (2.0, "increase")
    assert next_dose(1.5, -2.0, regimen="weekly", max_dose_mg=2.0) == (2.0, "increase")
    assert next_dose(0.3, -0.5, target=(-1.0, 1.0)) == (0.3, "in target")
    assert TITRATION_RULES["daily"].step_weeks_range == (4, 8)


# --- daily somatropin --------------------------------------------------------------------------
def test_untreated_deficiency_is_below_minus_2(daily_man: TitrationResult) -> None:
    # day 0 ends with the first injection at 21:00: its mean IGF-1 is the untreated level
    assert daily_man.trajectory["igf1_sds"].iloc[0] < -2.0


def test_deficient_man_reaches_the_target_window(daily_man: TitrationResult) -> None:
    t = daily_man
    assert t.reached_target and t.stop_reason == "in target"
    assert 0.0 <= t.steps["igf1_sds"].iloc[-1] <= 1.0
    assert t.start_dose_mg == 0.25  # 30-60 y
    assert t.final_dose_mg <= 1.0
    assert t.weeks_to_target is not None and t.weeks_to_target <= 6 * 6
    assert not t.warnings


def test_deficient_woman_needs_several_guideline_steps(daily_woman: TitrationResult) -> None:
    t = daily_woman
    assert t.reached_target
    assert len(t.steps) >= 2  # women need more GH for the same IGF-1 (published_results 9.x)
    doses = t.steps["dose_mg"].to_numpy()
    steps = np.diff(doses)
    assert np.all(steps > 0) and np.all(steps <= 0.2 + 1e-9)  # 0.1-0.2 mg/day per step
    # one dose change every step_weeks (6) weeks
    assert list(t.steps["start_day"]) == [42 * k for k in range(len(t.steps))]
    sds = t.steps["igf1_sds"].to_numpy()
    assert np.all(np.diff(sds) > 0)  # each increase raises IGF-1
    assert t.final_dose_mg > 0.3


def test_step_measurements_are_points_of_the_final_trajectory(daily_woman: TitrationResult) -> None:
    ts = daily_woman.result.timeseries
    for row in daily_woman.steps.itertuples():
        igf = float(np.interp(row.sample_hours, ts["hours"].values, ts["igf1_total"].values))
        assert igf == pytest.approx(row.igf1_ng_ml, rel=1e-9)
    traj = daily_woman.trajectory
    assert list(traj.columns) == ["dose_mg", "dose_mg_per_week", "igf1_mean_ng_ml", "igf1_sds"]
    assert traj["dose_mg"].iloc[0] == 0.25 and traj["dose_mg"].iloc[-1] == (
        daily_woman.final_dose_mg
    )
    json.dumps(daily_woman.as_dict(), allow_nan=False)


def test_titration_stops_at_the_maximum_dose() -> None:
    t = titrate({**WOMAN_40, "estrogen": "oral"}, max_dose=0.45, seed=1)
    assert t.stop_reason == "at maximum dose" and not t.reached_target
    assert t.final_dose_mg == 0.45
    assert t.weeks_to_target is None
    assert any(w.startswith("oral_estrogen_response") for w in t.warnings)


# --- weekly somapacitan --------------------------------------------------------------------------
def test_weekly_titration_reaches_the_target(weekly_man: TitrationResult) -> None:
    t = weekly_man
    assert t.drug == "somapacitan" and t.dose_unit == "mg/week"
    assert t.reached_target and t.start_dose_mg == 1.5
    assert 0.5 <= t.final_dose_mg <= 8.0
    # IGF-1 sampled on day 4 after the last injection of each 4-week step
    assert list(t.steps["sample_day"]) == [28 * k + 25 for k in range(len(t.steps))]
    assert t.weekly_profile is not None


def test_day_2_sample_is_the_weekly_peak(steady_week: WeeklyProfile) -> None:
    w = steady_week
    assert 1.5 <= w.peak_day <= 2.5
    assert abs(w.days.loc[2, "sds_minus_peak"]) < 0.2
    assert w.best_day_for_peak == 2
    # IGF-1 falls back through the weekly mean between day 3 and day 6
    assert 3.0 <= w.mean_crossing_day <= 6.0
    assert w.trough_sds < w.weekly_mean_sds < w.peak_sds
    json.dumps(w.as_dict(), allow_nan=False)


def test_day_4_sample_estimates_the_weekly_mean(steady_week: WeeklyProfile) -> None:
    assert abs(steady_week.days.loc[4, "sds_minus_mean"]) < 0.2


# --- errors --------------------------------------------------------------------------------------
def test_titration_errors() -> None:
    with pytest.raises(InputError, match="step_weeks = 2 is out of range for the daily"):
        titrate(MAN_40, step_weeks=2)
    with pytest.raises(InputError, match="regimen = 'monthly' is not allowed"):
        titrate(MAN_40, regimen="monthly")
    with pytest.raises(InputError, match="low < high"):
        titrate(MAN_40, target=(1.0, 0.0))
    with pytest.raises(InputError, match="start_dose = 2 mg"):
        titrate(MAN_40, start_dose=2.0)
    with pytest.raises(InputError, match="does not fit in the 730"):
        titrate(MAN_40, step_weeks=8, max_steps=24)
    with pytest.raises(InputError, match="injection_time"):
        titrate(MAN_40, injection_time="9 pm")
    with pytest.raises(InputError, match="dose_mg = 0 is out of range"):
        weekly_sampling_profile(MAN_40, 0.0)
