"""GH deficiency and GH stimulation tests (issue 4 point 2).

Cut-offs: GHRH + arginine 11 / 8 / 4 µg/L by BMI < 25 / 25-30 / > 30 (Corneli 2005, as rounded
by Molitch 2011 and AACE 2019); macimorelin 2.8 ng/mL (Garcia 2018; Macrilen label).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

import somatosim
from somatosim.calibration.constraints import ghrh_arginine_with_age
from somatosim.clinical.stimulation import (
    GHD_SEVERITY,
    STIMULATION_CUTOFFS,
    STIMULATION_PROTOCOLS,
    StimulationResult,
    _test_scenario,
    classify_peak,
    cutoff_for,
    gh_deficient,
    stimulation_test,
)
from somatosim.errors import InputError
from somatosim.scenario.schema import Scenario, Subject

HEALTHY = {"age_years": 30, "sex": "male"}
SEVERE = gh_deficient("severe", age_years=40)
PARTIAL = gh_deficient("partial", age_years=40)


@pytest.fixture(scope="module")
def macimorelin() -> dict[str, StimulationResult]:
    return {
        name: stimulation_test(subj, "macimorelin", seed=1, n_seeds=3)
        for name, subj in (("healthy", HEALTHY), ("partial", PARTIAL), ("severe", SEVERE))
    }


@pytest.fixture(scope="module")
def ghrh_arginine() -> dict[str, StimulationResult]:
    return {
        name: stimulation_test(subj, "ghrh_arginine", seed=1, n_seeds=3)
        for name, subj in (("healthy", HEALTHY), ("partial", PARTIAL), ("severe", SEVERE))
    }


# --- cut-offs as data --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("test", "bmi", "cutoff"),
    [
        ("ghrh_arginine", 21.0, 11.0),
        ("ghrh_arginine", 24.99, 11.0),
        ("ghrh_arginine", 25.0, 8.0),
        ("ghrh_arginine", 29.9, 8.0),
        ("ghrh_arginine", 30.0, 4.0),
        ("ghrh_arginine", 45.0, 4.0),
        ("ghrh-arginine", 22.0, 11.0),
        ("macimorelin", 22.0, 2.8),
        ("macimorelin", 38.0, 2.8),
    ],
)
def test_cutoff_by_test_and_bmi(test: str, bmi: float, cutoff: float) -> None:
    assert cutoff_for(test, bmi).cutoff_ng_ml == cutoff


def test_cutoffs_cover_every_bmi_once_and_name_their_source() -> None:
    for test in STIMULATION_PROTOCOLS:
        bands = sorted((c.bmi_min, c.bmi_max) for c in STIMULATION_CUTOFFS if c.test == test)
        assert bands[0][0] == 0.0 and math.isinf(bands[-1][1])
        assert all(a[1] == b[0] for a, b in itertools.pairwise(bands))
    sources = {c.test: c.source for c in STIMULATION_CUTOFFS}
    assert "Corneli" in sources["ghrh_arginine"] and "2005" in sources["ghrh_arginine"]
    assert "Garcia" in sources["macimorelin"] and "2018" in sources["macimorelin"]


def test_verdict_is_deficient_below_the_cutoff() -> None:
    assert classify_peak(2.79, 2.8) == "deficient"
    assert classify_peak(2.8, 2.8) == "sufficient"
    assert classify_peak(15.0, 11.0) == "sufficient"


def test_severity_levels() -> None:
    assert GHD_SEVERITY["severe"] < GHD_SEVERITY["partial"] < 0.5  # below the safety threshold
    assert SEVERE.gh_reserve == GHD_SEVERITY["severe"] and SEVERE.age_years == 40
    with pytest.raises(InputError, match="severity = 'mild' is not allowed"):
        gh_deficient("mild")


# --- protocol --------------------------------------------------------------------------------
def test_protocol_scenarios() -> None:
    heavy = Scenario(subject=Subject(weight_kg=100))
    light = Scenario(subject=Subject(weight_kg=50))
    ga = STIMULATION_PROTOCOLS["ghrh_arginine"]
    sc = _test_scenario(heavy, ga, "08:00", 3, fasting=True)
    doses = {c.agent: c.effective_dose for c in sc.challenges}
    assert doses == {"ghrh": 1.0, "arginine": 30.0}  # 0.5 g/kg capped at 30 g
    assert {
        c.agent: c.effective_dose for c in _test_scenario(light, ga, "08:00", 3, True).challenges
    }["arginine"] == 25.0
    assert sc.seed == 3 and sc.days == 1
    # fasting: breakfast (07:30) and lunch before the last sample at 10:00 are dropped
    assert sc.diet_on(0).meals == ("12:30", "19:00")
    fed = _test_scenario(heavy, ga, "08:00", 3, fasting=False)
    assert fed.diet_on(0).meals == ("07:30", "12:30", "19:00")
    mac = STIMULATION_PROTOCOLS["macimorelin"]
    assert mac.sample_minutes == (30, 45, 60, 90)
    assert [c.agent for c in _test_scenario(heavy, mac, "09:00", 0, True).challenges] == [
        "macimorelin"
    ]


def test_result_structure_and_reproducibility(macimorelin: dict[str, StimulationResult]) -> None:
    r = macimorelin["healthy"]
    assert r.test == "macimorelin" and r.seeds == (1, 2, 3)
    assert list(r.samples.index) == [30, 45, 60, 90]
    assert list(r.series.columns) == [1, 2, 3]
    assert r.series.index[0] == -30 and r.series.index[-1] == 180
    assert r.peaks == tuple(float(r.samples[s].max()) for s in r.seeds)
    assert r.peak_gh == pytest.approx(float(np.median(r.peaks)))
    assert r.time_of_peak in (30, 45, 60, 90)
    assert r.cutoff == 2.8
    again = stimulation_test(HEALTHY, "macimorelin", seed=1)
    assert again.peaks[0] == r.peaks[0]  # same seed, same numbers
    json.dumps(r.as_dict(), allow_nan=False)


# --- simulated tests against the cut-offs --------------------------------------------------
def test_severe_deficiency_fails_both_tests(
    macimorelin: dict[str, StimulationResult], ghrh_arginine: dict[str, StimulationResult]
) -> None:
    for res in (macimorelin["severe"], ghrh_arginine["severe"]):
        assert res.verdict == "deficient"
        assert res.fraction_deficient == 1.0
        assert res.peak_gh < 0.5 * res.cutoff


def test_healthy_adult_passes_macimorelin(macimorelin: dict[str, StimulationResult]) -> None:
    r = macimorelin["healthy"]
    assert r.verdict == "sufficient"
    assert r.fraction_deficient == 0.0
    # the peak comes from the test, not from a spontaneous pulse: GH before the dose is low
    assert r.series.loc[-30:0].to_numpy().mean() < 0.5 * r.peak_gh


def test_healthy_adult_passes_ghrh_arginine(ghrh_arginine: dict[str, StimulationResult]) -> None:
    # Corneli 2005: the 11 µg/L cut-off (BMI < 25) is far below the peaks of lean healthy adults,
    # so no seed of a healthy man may read as deficient, and the peak comes from the test
    r = ghrh_arginine["healthy"]
    assert r.verdict == "sufficient"
    assert r.fraction_deficient == 0.0
    assert r.series.loc[-30:0].to_numpy().mean() < 0.25 * r.peak_gh


def test_arginine_potentiates_the_ghrh_response() -> None:
    # Alba-Roth 1988: arginine suppresses somatostatin and augments the GH response to GHRH;
    # in the model the withdrawn somatostatin also lets the pool refill during the test
    base = Scenario.model_validate({"days": 1, "subject": HEALTHY})
    proto = STIMULATION_PROTOCOLS["ghrh_arginine"]
    peaks: dict[str, float] = {}
    for arm in ("ghrh", "arginine", "both"):
        arm_peaks = []
        for seed in (1, 2, 3):
            sc = _test_scenario(base, proto, "08:00", seed, True)
            sc = sc.replace(challenges=[c for c in sc.challenges if arm in ("both", c.agent)])
            gh = somatosim.simulate(sc).timeseries.gh.sel(hours=slice(8.0, 10.0))
            arm_peaks.append(float(gh.max()))
        peaks[arm] = float(np.median(arm_peaks))
    assert peaks["both"] > 1.5 * peaks["ghrh"]
    assert peaks["both"] > peaks["arginine"]


def test_ghrh_arginine_response_does_not_fall_with_age() -> None:
    # Ghigo E et al., JCEM 1990;71:1481: the GH response to GHRH + arginine does not vary with
    # age in healthy adults, which is why the test is used in older adults
    # medians over 24 pulse patterns: 3 patterns put the ratio anywhere within about ±0.08
    # measured by the function the calibration's constraints use
    peaks = ghrh_arginine_with_age()
    assert peaks["old_over_cutoff"] >= 1.0  # the 65-year-old reads "sufficient"
    assert peaks["old_over_young"] > 0.7


def test_partial_deficiency_fails_ghrh_arginine(
    ghrh_arginine: dict[str, StimulationResult],
) -> None:
    assert ghrh_arginine["partial"].verdict == "deficient"


def test_peak_falls_with_gh_reserve(
    macimorelin: dict[str, StimulationResult], ghrh_arginine: dict[str, StimulationResult]
) -> None:
    for results in (macimorelin, ghrh_arginine):
        assert results["healthy"].peak_gh > 1.5 * results["partial"].peak_gh
        assert results["partial"].peak_gh > 1.5 * results["severe"].peak_gh


def test_obese_subject_is_read_against_the_obese_cutoff() -> None:
    r = stimulation_test({"age_years": 30, "weight_kg": 105}, "ghrh_arginine", seed=1)
    assert r.bmi > 30 and r.cutoff == 4.0


# --- errors ------------------------------------------------------------------------------------
def test_errors_name_the_field() -> None:
    with pytest.raises(InputError, match="insulin tolerance test"):
        stimulation_test(HEALTHY, "itt")
    with pytest.raises(InputError, match="n_seeds = 0 is out of range"):
        stimulation_test(HEALTHY, n_seeds=0)
    with pytest.raises(InputError, match="start"):
        stimulation_test(HEALTHY, start="25:00")
    with pytest.raises(InputError, match="age_years"):
        stimulation_test({"age_years": 10})
    with pytest.raises(InputError, match="subject must be"):
        stimulation_test(42)  # type: ignore[arg-type]
