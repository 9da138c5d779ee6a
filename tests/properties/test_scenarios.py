"""Properties of the simulator over generated valid scenarios (DESIGN.md §6; issue 2 point 9).

- any valid scenario simulates without solver failure, NaN, or a negative concentration,
  and with finite summaries;
- the same scenario and seed give identical results;
- a scenario gives the same numbers alone and inside a batch.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import somatosim
from somatosim import Scenario
from somatosim.testing import assert_result_finite, assert_results_identical, scenarios

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_valid_scenarios_simulate_to_finite_nonnegative_results(scenario: Scenario) -> None:
    result = somatosim.simulate(scenario)  # a solver failure raises SimulationError
    assert_result_finite(result)
    assert len(result.daily) == scenario.days


def test_absent_gh_secretion_is_not_a_silent_nan() -> None:
    result = somatosim.simulate({"days": 1, "subject": {"gh_reserve": 0.0}}, seed=0)
    assert_result_finite(result)
    assert result.daily.gh_sleep_fraction.iloc[0] == 0.0


def test_overlapping_arginine_challenges_keep_somatostatin_nonnegative() -> None:
    two = [{"agent": "arginine", "time": "08:00"}, {"agent": "arginine", "time": "08:00"}]
    result = somatosim.simulate({"days": 1, "challenges": two}, seed=0)
    assert_result_finite(result)
    assert float(result.timeseries.somatostatin.min()) >= 0.0


@settings(SETTINGS, max_examples=10)
@given(scenarios())
def test_same_seed_gives_identical_results(scenario: Scenario) -> None:
    assert_results_identical(somatosim.simulate(scenario), somatosim.simulate(scenario))


@settings(SETTINGS, max_examples=10)
@given(st.integers(min_value=1, max_value=3).flatmap(lambda n: st.tuples(*[scenarios(days=n)] * 3)))
def test_batch_equals_single(abc: tuple[Scenario, Scenario, Scenario]) -> None:
    a, b, c = abc
    assert_results_identical(somatosim.simulate_many([a, b, c])[1], somatosim.simulate(b))
