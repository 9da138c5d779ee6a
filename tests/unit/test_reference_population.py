"""The healthy-adult sampler behind the reference-range check (issue 3, point 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somatosim.calibration.population import (
    PERCENTILE_MISS_REASONS,
    RANDOM_EFFECTS,
    cells_off,
    load_life_reference,
    sample_reference_population,
)


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


def _life_as_simulated(**changes: float) -> pd.DataFrame:
    """A percentile table whose simulated values equal LIFE's, except the cells changed."""
    ref = load_life_reference()
    rows = []
    for rec in ref.to_dict(orient="records"):
        row: dict[str, object] = {"sex": rec["sex"], "age_years": int(rec["age_years"]), "n": 1}
        for col in ("p2_5", "p50", "p97_5"):
            sim = float(rec[col]) * (1.0 + changes.get(f"{rec['sex']}_{rec['age_years']}_{col}", 0))
            row |= {f"ref_{col}": float(rec[col]), f"sim_{col}": sim}
            row[f"dev_{col}"] = sim / float(rec[col]) - 1.0
        rows.append(row)
    return pd.DataFrame(rows)


def test_cells_off_names_each_cell_beyond_ten_percent_with_its_reason() -> None:
    table = _life_as_simulated(female_20_p2_5=0.19, male_60_p97_5=-0.12, male_30_p50=0.099)
    off = cells_off(table)
    assert [(c["sex"], c["age_years"], c["percentile"]) for c in off] == [
        ("male", 60, "p97_5"),
        ("female", 20, "p2_5"),
    ]
    assert off[0]["reason"] == "not diagnosed"
    assert off[1]["reason"] == PERCENTILE_MISS_REASONS[("female", 20, "p2_5")]
    assert off[1]["deviation"] == pytest.approx(0.19)
    assert cells_off(_life_as_simulated()) == []


def test_validate_report_states_the_population_check_and_marks_the_cells_off() -> None:
    from somatosim.calibration.validate import _population_html

    table = _life_as_simulated(female_20_p2_5=0.19)
    page = _population_html(table, cells_off(table))
    assert "41 of 42 percentile cells within 10 %" in page
    assert "female, P2.5 at 20 y</b>: 142 against 119 ng/mL (+19 %)" in page
    assert page.count("class='off'") == 1
    assert "+19.0 %" in page


def test_an_empty_cell_counts_as_off() -> None:
    table = _life_as_simulated()
    table.loc[0, ["sim_p50", "dev_p50"]] = float("nan")
    off = cells_off(table)
    assert [(c["sex"], c["age_years"], c["percentile"]) for c in off] == [("male", 20, "p50")]
