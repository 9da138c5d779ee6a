"""The healthy-adult sampler behind the reference-range check (issue 3, point 4)."""

from __future__ import annotations

import numpy as np

from somatosim.calibration.population import RANDOM_EFFECTS, sample_reference_population


def test_age_bands_are_centred_on_the_tabulated_age() -> None:
    pop = sample_reference_population(600, seed=5, ages=(20, 50, 80), days=7)
    for centre in (20, 50, 80):
        ages = np.array(
            [
                s.scenario.subject.age_years
                for s in pop
                if abs(s.scenario.subject.age_years - centre) <= 5
            ]
        )
        assert abs(ages.mean() - centre) < 0.6
    young = [s.scenario.subject.age_years for s in pop if s.scenario.subject.age_years < 25]
    assert min(young) >= 18.0 and max(young) <= 22.0  # 18-22 y: the band stops at 18 y


def test_only_men_vary_in_their_rate_of_ageing() -> None:
    assert RANDOM_EFFECTS["sst_age_rise_per_decade"][1] == 0.0
    pop = sample_reference_population(200, seed=6, days=7)
    by_sex: dict[str, list[float]] = {"male": [], "female": []}
    for s in pop:
        by_sex[s.scenario.subject.sex].append(s.multipliers["sst_age_rise_per_decade"])
    assert np.allclose(by_sex["female"], 1.0)
    log_sd = float(np.std(np.log(by_sex["male"])))
    assert 0.35 < log_sd < 0.65  # drawn with SD 0.50


def test_same_seed_same_population() -> None:
    a = sample_reference_population(20, seed=9, days=7)
    b = sample_reference_population(20, seed=9, days=7)
    assert [s.scenario for s in a] == [s.scenario for s in b]
    assert [dict(s.multipliers) for s in a] == [dict(s.multipliers) for s in b]
