"""Virtual population sampler, subject scenarios, parameter variability and subject seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somatosim.cohort.population import (
    BLOCK_SIZE,
    IIV,
    POPULATION_COLUMNS,
    sample_population,
    subject_parameters,
    subject_scenario,
    subject_seed,
)
from somatosim.errors import InputError
from somatosim.model.parameters import PARAMETERS, default_parameters
from somatosim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return sample_population(20_000, seed=7)


def test_columns_ids_and_types() -> None:
    pop = sample_population(5, seed=1, first_id=10)
    assert tuple(pop.columns) == POPULATION_COLUMNS
    assert list(pop["subject_id"]) == [10, 11, 12, 13, 14]
    assert pop["subject_id"].dtype == np.int64
    assert set(pop["sex"]) <= {"male", "female"}
    assert pop["bedtime"].str.match(r"^\d\d:\d\d$").all()
    assert sample_population(0, seed=1).empty


def test_subject_depends_only_on_seed_and_id() -> None:
    """Prefix-stable across n and blocks: any chunk can be sampled alone."""
    full = sample_population(3 * BLOCK_SIZE, seed=5)
    for first, n in [(0, 7), (BLOCK_SIZE - 3, 9), (2 * BLOCK_SIZE + 5, 40)]:
        part = sample_population(n, seed=5, first_id=first)
        pd.testing.assert_frame_equal(part, full.iloc[first : first + n].reset_index(drop=True))
    other = sample_population(10, seed=6)
    assert not np.allclose(other["age_years"], full["age_years"].iloc[:10])


def test_ranges_and_sexes() -> None:
    pop = sample_population(500, seed=2, age_range=(60, 70), sexes=("female",))
    assert pop["age_years"].between(60, 70).all()
    assert (pop["sex"] == "female").all()
    with pytest.raises(InputError, match="age_range"):
        sample_population(3, seed=1, age_range=(10, 30))
    with pytest.raises(InputError, match="sexes"):
        sample_population(3, seed=1, sexes=("other",))  # type: ignore[arg-type]


def test_distributions_are_plausible(big: pd.DataFrame) -> None:
    men, women = big[big.sex == "male"], big[big.sex == "female"]
    assert 0.47 < len(men) / len(big) < 0.53
    assert 174 < men.height_cm.mean() < 177 and 160 < women.height_cm.mean() < 163
    assert 6.5 < men.height_cm.std() < 8.0
    assert 28 < big.bmi.mean() < 31 and big.bmi.between(17, 46).all()
    assert 20 < men.body_fat_percent.mean() < 35 < women.body_fat_percent.mean() < 48
    young, old = big[big.age_years < 35], big[big.age_years > 65]
    assert young.sleep_hours.mean() > old.sleep_hours.mean()
    assert 6.5 < big.sleep_hours.mean() < 7.5
    assert 1.0 < big.protein_g_per_kg.median() < 1.2
    assert 0.83 < big.magnesium_mmol_l.mean() < 0.87
    assert 0.15 < (big.vitamin_d_ng_ml < 20).mean() < 0.4
    assert 0.05 < (big.zinc_ug_dl < 70).mean() < 0.15
    assert young.aerobic_sessions_per_week.gt(0).mean() > old.aerobic_sessions_per_week.gt(0).mean()
    assert 0.2 < big.resistance_sessions_per_week.gt(0).mean() < 0.4
    for name, cv in IIV.items():
        m = big[f"iiv_{name}"]
        assert abs(np.median(m) - 1) < 0.02
        assert abs(np.log(m).std() - np.sqrt(np.log1p(cv**2))) < 0.03


def test_subject_scenario_applies_habits_and_keeps_plan() -> None:
    base = Scenario.model_validate(
        {
            "days": 5,
            "seed": 9,
            "diet": {"energy_kcal_per_day": 2000, "eaa_fraction": 0.5, "meals": ["08:00", "18:00"]},
            "therapy": [{"drug": "somatropin", "dose_mg": 0.2}],
            "exercise": [{"type": "hiit", "days": ["sun"]}],
            "phases": [{"start_day": 2, "end_day": 3, "diet": {"energy_kcal_per_day": 0}}],
        }
    )
    row = sample_population(50, seed=3)
    row = row[(row.aerobic_sessions_per_week > 0) & (row.resistance_sessions_per_week > 0)]
    r = row.iloc[0]
    sc = subject_scenario(r, base)
    assert (sc.subject.age_years, sc.subject.sex) == (r.age_years, r.sex)
    assert (sc.subject.weight_kg, sc.subject.height_cm) == (r.weight_kg, r.height_cm)
    assert sc.subject.body_fat_percent == r.body_fat_percent
    assert (sc.sleep.hours, sc.sleep.bedtime) == (r.sleep_hours, r.bedtime)
    assert sc.diet.protein_g_per_kg == r.protein_g_per_kg
    assert sc.diet.energy_percent_of_need == r.energy_percent_of_need
    assert sc.diet.energy_kcal_per_day is None
    assert (sc.diet.meals, sc.diet.eaa_fraction) == (("08:00", "18:00"), 0.5)
    assert sc.micronutrients.zinc_ug_dl == r.zinc_ug_dl
    assert [e.type for e in sc.exercise] == ["hiit", "resistance", "aerobic"]
    assert len(sc.exercise[2].days) == r.aerobic_sessions_per_week
    assert (sc.days, sc.seed, sc.therapy, sc.phases) == (5, 9, base.therapy, base.phases)


def test_subject_scenario_partial_rows_keep_base() -> None:
    base = Scenario(days=2)
    sc = subject_scenario(
        {"subject_id": 1, "age_years": 44, "sex": "female", "zinc_ug_dl": float("nan")}, base
    )
    assert (sc.subject.age_years, sc.subject.sex) == (44, "female")
    assert sc.micronutrients == base.micronutrients and sc.sleep == base.sleep
    assert sc.exercise == ()


def test_subject_scenario_error_names_subject() -> None:
    with pytest.raises(InputError, match=r"subject 17.*age_years"):
        subject_scenario({"subject_id": 17, "age_years": 12}, Scenario())


def test_subject_parameters() -> None:
    p = default_parameters()
    assert subject_parameters({"age_years": 30}, p) is p
    q = subject_parameters({"iiv_igf_emax": 1.5, "iiv_gh_halflife_min": 2.0}, p)
    assert q["igf_emax"] == pytest.approx(1.5 * p["igf_emax"])
    upper = next(s.upper for s in PARAMETERS if s.name == "gh_halflife_min")
    assert q["gh_halflife_min"] == upper  # kept inside the plausible range
    with pytest.raises(InputError, match="no model parameter"):
        subject_parameters({"iiv_nonsense": 1.1}, p)
    with pytest.raises(InputError, match="cannot vary between subjects"):
        subject_parameters({"iiv_meal_ghrelin_drop": 1.1}, p)
    with pytest.raises(InputError, match="positive"):
        subject_parameters({"iiv_igf_emax": -1.0}, p)


def test_subject_seed() -> None:
    seeds = {subject_seed(1, i) for i in range(1000)}
    assert len(seeds) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert subject_seed(1, 3) == subject_seed(1, 3) != subject_seed(2, 3)
