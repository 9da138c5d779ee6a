"""A virtual population of healthy adults for the reference-range check (issue 3, point 4).

:func:`sample_reference_population` draws healthy adults aged 20-80 of both sexes: body size
and composition, habitual sleep, diet, physical activity and micronutrient status, and
inter-individual variability of physiological parameters (pituitary GH capacity, hepatic
IGF-1 synthetic capacity, the defended IGF-1 level and, in men, the rate of ageing of the
hypothalamic drive). :func:`simulate_population` runs them and
:func:`percentile_table` compares the simulated IGF-1 distribution by age band and sex with
the LIFE reference (Hoerenz et al., JCEM 2022; ``published_results.md`` rows 1.4-1.5).

Per-subject parameters need no engine change: each subject's schedule is built from its own
:class:`~somatosim.model.parameters.ParameterSet` (the engine batch only shares
``meal_ghrelin_drop``, which is not varied). A scenario-level field for random effects would
let :func:`somatosim.simulate_many` do the same (proposed in ``docs/validation.md``).

Distributions (sources in ``docs/validation.md``): German adult anthropometry (height
falling and BMI rising with age), habitual protein about 1.1 g/kg/day, energy near balance,
7-7.5 h of sleep, a minority doing resistance or endurance training, serum magnesium, zinc
and 25(OH)D around population means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from somatosim.engine.simulate import daily_table, run_schedules
from somatosim.model.parameters import PARAMETER_INDEX, PARAMETERS, ParameterSet, default_parameters
from somatosim.scenario.drivers import build_schedule
from somatosim.scenario.io import load_scenario
from somatosim.scenario.schema import Scenario

__all__ = [
    "CHECK_PER_CELL",
    "CHECK_SEED",
    "CHECK_SUBJECTS",
    "PERCENTILES",
    "PERCENTILE_MISS_REASONS",
    "PERCENTILE_TOLERANCE",
    "RANDOM_EFFECTS",
    "REFERENCE_AGES",
    "VirtualSubject",
    "band_half_width",
    "cells_off",
    "load_life_reference",
    "percentile_table",
    "sample_reference_population",
    "simulate_population",
]

REFERENCE_AGES: tuple[int, ...] = (20, 30, 40, 50, 60, 70, 80)
"""Ages (years) tabulated in ``igf1_reference_life.csv``; each is the centre of a ±5-y band."""

CHECK_PER_CELL = 1000
"""Virtual adults per sex and age band in the reference-range check (test and report).

With 1000, the sampling error of a simulated P2.5 is about 2 % (it is about 5 % with 200,
which made the 10 % criterion a test of the sampler's seed as much as of the model).
"""

CHECK_SEED = 2022
"""Sampler seed of the reference-range check."""

CHECK_SUBJECTS = 2 * len(REFERENCE_AGES) * CHECK_PER_CELL
"""Virtual adults in the reference-range check: both sexes in every age band."""

PERCENTILES: Mapping[str, tuple[float, str]] = {
    "p2_5": (2.5, "P2.5"),
    "p50": (50.0, "P50"),
    "p97_5": (97.5, "P97.5"),
}
"""The checked percentiles: table column -> (percentile, label)."""

PERCENTILE_TOLERANCE = 0.10
"""Issue 3, point 4: simulated P2.5, P50 and P97.5 within 10 % of the LIFE table."""

PERCENTILE_MISS_REASONS: Mapping[tuple[str, int, str], str] = {
    ("female", 20, "p2_5"): (
        "reference shape: LIFE's fitted IGF-1 distribution of 20-year-old women is nearly "
        "symmetric in ng/mL (BCPE skewness parameter nu = 0.87, against 0.29 at 30 y and "
        "0.00 at 40-50 y; 0.43 in men of 20 y), the shape of its adolescent data (nu = 0.93 "
        "at 15 y), so its P2.5 is 0.50 of the median. The model's IGF-1 at 20 y is closer "
        "to log-normal (P2.5 about 0.61 of the median, as LIFE's at 30-50 y). No sourced "
        "habit or measurement step widens the lower tail of young women alone: energy "
        "deficit, underweight, obesity, vegetarian diet and a single-sample within-subject "
        "CV of 8-12 % were measured. An adult-only reference fitted from 20 y (Liao "
        "2016, row 1.10) gives women the same shape at 20 y as at 30-40 y "
        "(docs/validation.md)"
    ),
}
"""Why a percentile cell misses the LIFE table, by (sex, age, percentile column).

Shown in the validate report next to a cell outside :data:`PERCENTILE_TOLERANCE`; a cell
within it shows no reason, so an entry that stops applying is simply not shown.
"""

RANDOM_EFFECTS: Mapping[str, tuple[float, float]] = {
    # log-normal SD (men, women) of the subject's multiplier on the parameter
    # 24-h GH varies several-fold between healthy adults [Veldhuis1995]
    "pool_capacity": (0.50, 0.50),
    # hepatic IGF-1 output for a given GH exposure (GHR, genetics)
    "igf_emax": (0.30, 0.30),
    # the IGF-1 level the feedback loop defends (about half of IGF-1 variance is heritable)
    "free_igf_ref": (0.18, 0.18),
    # men age at different rates: testosterone, a positive determinant of GH in men
    # (r = +0.63, Veldhuis1995), falls with age at rates that differ widely between men
    # [Harman2001]; every woman loses ovarian estradiol at the menopause, so women get none
    "sst_age_rise_per_decade": (0.50, 0.0),
}
"""Inter-individual variability: log-normal SD (men, women) of each parameter's multiplier."""


@dataclass(frozen=True, slots=True)
class VirtualSubject:
    """One sampled adult: the scenario and the subject's parameter multipliers."""

    scenario: Scenario
    multipliers: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0

    def parameters(self, base: ParameterSet) -> ParameterSet:
        """``base`` with this subject's multipliers applied (clipped to the table's range)."""
        changes: dict[str, float] = {}
        for name, m in self.multipliers.items():
            spec = PARAMETERS[PARAMETER_INDEX[name]]
            changes[name] = float(min(max(base[name] * m, spec.lower), spec.upper))
        return base.replace(**changes)


def band_half_width(centre: float) -> float:
    """Half-width (years) of the sampled band around a tabulated age.

    ±5 years, narrowed symmetrically to stay within 18-90 years, so that the band's mean age
    is the age it is compared with (18-22 y at 20 y).
    """
    return min(5.0, centre - 18.0, 90.0 - centre)


def _clip(x: float, lo: float, hi: float) -> float:
    return float(min(max(x, lo), hi))


def _clock(hours: float) -> str:
    minutes = round(hours * 60.0 / 15.0) * 15 % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _one(rng: np.random.Generator, age: float, sex: str, days: int, index: int) -> dict[str, Any]:
    male = sex == "male"
    decades = (age - 20.0) / 10.0
    height = rng.normal(180.0 if male else 166.5, 7.0 if male else 6.5) - 0.8 * max(decades - 2, 0)
    bmi_median = (24.0 + 0.9 * min(decades, 4.0)) if male else (22.3 + 1.0 * min(decades, 4.5))
    bmi = _clip(bmi_median * math.exp(rng.normal(0.0, 0.13)), 18.5, 38.0)
    height = _clip(height, 150.0, 205.0)
    weight = _clip(bmi * (height / 100.0) ** 2, 45.0, 150.0)
    bmi = weight / (height / 100.0) ** 2
    fat = 1.2 * bmi + 0.23 * age - 10.8 * (1.0 if male else 0.0) - 5.4  # Deurenberg 1991
    fat = _clip(fat + rng.normal(0.0, 3.0), 8.0, 50.0)
    sleep_h = _clip(rng.normal(7.4 - 0.012 * (age - 20.0), 0.7), 5.0, 9.5)
    bedtime = _clock(23.0 + rng.normal(0.0, 0.6))
    protein = _clip(rng.normal(1.1, 0.22), 0.6, 2.0)
    energy = _clip(rng.normal(100.0, 6.0), 85.0, 115.0)
    eaa = _clip(rng.normal(0.45, 0.03), 0.35, 0.52)
    exercise: list[dict[str, Any]] = []
    u = rng.random()
    if u < 0.20:
        exercise.append(
            {
                "type": "resistance",
                "days": ["mon", "thu"],
                "time": "18:00",
                "minutes": 50,
                "intensity": "moderate",
            }
        )
    elif u < 0.50:
        exercise.append(
            {
                "type": "aerobic",
                "days": ["tue", "sat"],
                "time": "18:00",
                "minutes": 40,
                "intensity": "moderate",
            }
        )
    micro = {
        "magnesium_mmol_l": _clip(rng.normal(0.86, 0.06), 0.6, 1.05),
        "zinc_ug_dl": _clip(rng.normal(90.0, 12.0), 50.0, 140.0),
        "vitamin_d_ng_ml": _clip(22.0 * math.exp(rng.normal(0.0, 0.45)), 5.0, 80.0),
    }
    return {
        "name": f"virtual-{sex}-{index}",
        "days": days,
        "subject": {
            "age_years": round(age, 1),
            "sex": sex,
            "weight_kg": round(weight, 1),
            "height_cm": round(height, 1),
            "body_fat_percent": round(fat, 1),
        },
        "sleep": {"bedtime": bedtime, "hours": round(sleep_h, 2)},
        "diet": {
            "energy_percent_of_need": round(energy, 1),
            "protein_g_per_kg": round(protein, 2),
            "eaa_fraction": round(eaa, 3),
        },
        "micronutrients": {k: round(v, 3) for k, v in micro.items()},
        "exercise": exercise,
    }


def sample_reference_population(
    n: int,
    seed: int,
    *,
    ages: Sequence[float] | None = None,
    age_range: tuple[float, float] = (20.0, 80.0),
    sexes: Sequence[str] = ("male", "female"),
    days: int = 28,
    random_effects: Mapping[str, tuple[float, float]] | None = None,
) -> list[VirtualSubject]:
    """Sample ``n`` healthy adults.

    Parameters
    ----------
    n : int
        Number of subjects (split evenly over ``sexes`` and, if given, ``ages``).
    seed : int
        Seed of the sampler; the same seed gives the same population.

    Other Parameters
    ----------------
    ages : sequence of float, optional
        Band centres; subjects are drawn uniformly within ±5 years of each, the band narrowed
        symmetrically to stay within 18-90 years (so that its mean age is the centre).
        Without it, ages are uniform in ``age_range``.
    age_range : (float, float)
        Age range when ``ages`` is not given.
    sexes : sequence of str
        Sexes to sample ("male", "female").
    days : int
        Simulated days per subject (training states build up over weeks).
    random_effects : mapping, optional
        Log-normal SD (men, women) of parameter multipliers (default :data:`RANDOM_EFFECTS`).

    Returns
    -------
    list of VirtualSubject

    Examples
    --------
    >>> pop = sample_reference_population(4, seed=1, days=7)
    >>> sorted({s.scenario.subject.sex for s in pop})
    ['female', 'male']
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    effects = dict(RANDOM_EFFECTS if random_effects is None else random_effects)
    cells: list[tuple[float | None, str]] = [
        (a, s) for a in (ages if ages is not None else [None]) for s in sexes
    ]
    out: list[VirtualSubject] = []
    for i in range(n):
        centre, sex = cells[i % len(cells)]
        if centre is None:
            age = float(rng.uniform(*age_range))
        else:
            half = band_half_width(centre)
            age = float(rng.uniform(centre - half, centre + half))
        sc = load_scenario(_one(rng, age, sex, days, i))
        which = 0 if sex == "male" else 1
        mult = {k: float(math.exp(rng.normal(0.0, sd[which]))) for k, sd in effects.items()}
        out.append(VirtualSubject(sc, mult, seed=int(rng.integers(0, 2**31 - 1))))
    return out


def simulate_population(
    subjects: Sequence[VirtualSubject],
    params: ParameterSet | None = None,
    *,
    chunk: int = 512,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Simulate virtual subjects; one row per subject with covariates and steady outputs.

    All subjects must have the same number of days. Outputs are from the last simulated
    day (IGF-1) and the last 7 days (GH), as in :func:`somatosim.simulate` summaries.

    Returns
    -------
    pandas.DataFrame
        Columns ``age_years``, ``sex``, ``bmi``, ``body_fat_percent``, ``protein_g_per_kg``,
        ``sleep_hours``, ``igf1_ng_ml``, ``igf1_free_ng_ml``, ``gh_secretion_mg``,
        ``gh_mean_ng_ml``, ``gh_pulses`` and one column per random effect.
    """
    base = params if params is not None else default_parameters()
    rows: list[dict[str, Any]] = []
    for start in range(0, len(subjects), chunk):
        part = subjects[start : start + chunk]
        schedules = [build_schedule(s.scenario, s.parameters(base), s.seed) for s in part]
        runs = run_schedules(schedules, base, record_timeseries=False)
        for s, r in zip(part, runs, strict=True):
            d = daily_table(r)
            week = d.iloc[-7:]
            sc = s.scenario
            rows.append(
                {
                    "age_years": sc.subject.age_years,
                    "sex": sc.subject.sex,
                    "bmi": sc.subject.bmi,
                    "body_fat_percent": sc.subject.body_fat,
                    "protein_g_per_kg": sc.diet.protein_g_per_kg,
                    "sleep_hours": sc.sleep.hours,
                    "igf1_ng_ml": float(d["igf1_mean_ng_ml"].iloc[-1]),
                    "igf1_free_ng_ml": float(d["igf1_free_mean_ng_ml"].iloc[-1]),
                    "gh_secretion_mg": float(week["gh_secretion_mg"].mean()),
                    "gh_mean_ng_ml": float(week["gh_mean_ng_ml"].mean()),
                    "gh_pulses": float(week["gh_pulses"].mean()),
                    **{f"re_{k}": v for k, v in s.multipliers.items()},
                }
            )
        if progress is not None:
            progress(min(1.0, (start + len(part)) / len(subjects)))
    return pd.DataFrame(rows)


def load_life_reference() -> pd.DataFrame:
    """The LIFE percentile table shipped with somatosim (``sex, age_years, p2_5, p50, p97_5``)."""
    from importlib import resources

    text = resources.files("somatosim").joinpath("data").joinpath("igf1_reference_life.csv")
    with text.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#")


def percentile_table(population: pd.DataFrame) -> pd.DataFrame:
    """Simulated P2.5, P50 and P97.5 of IGF-1 per sex and ±5-y age band against LIFE.

    Returns
    -------
    pandas.DataFrame
        One row per sex and band: ``n``, the reference and simulated percentiles and the
        relative deviation ``dev_*`` (simulated / reference - 1).
    """
    ref = load_life_reference()
    rows: list[dict[str, Any]] = []
    records = [{str(k): v for k, v in r.items()} for r in ref.to_dict(orient="records")]
    for rec in records:
        sex, age = str(rec["sex"]), float(rec["age_years"])
        sel = population[
            (population["sex"] == sex) & ((population["age_years"] - age).abs() <= 5.0)
        ]
        vals = sel["igf1_ng_ml"].to_numpy(dtype=float)
        row: dict[str, Any] = {"sex": sex, "age_years": int(age), "n": len(vals)}
        for col, (q, _) in PERCENTILES.items():
            sim = float(np.percentile(vals, q)) if len(vals) else float("nan")
            refv = float(rec[col])
            row[f"ref_{col}"] = refv
            row[f"sim_{col}"] = sim
            row[f"dev_{col}"] = sim / refv - 1.0
        rows.append(row)
    return pd.DataFrame(rows)


def cells_off(table: pd.DataFrame, tolerance: float = PERCENTILE_TOLERANCE) -> list[dict[str, Any]]:
    """Percentile cells of :func:`percentile_table` outside ``tolerance`` of the reference.

    Returns
    -------
    list of dict
        One per cell off: ``sex``, ``age_years``, ``percentile`` (``"p2_5"``, ``"p50"`` or
        ``"p97_5"``), ``reference``, ``simulated``, ``deviation`` and ``reason`` (from
        :data:`PERCENTILE_MISS_REASONS`, or ``"not diagnosed"``).
    """
    out: list[dict[str, Any]] = []
    records = [{str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")]
    for rec in records:
        for col in PERCENTILES:
            dev = float(rec[f"dev_{col}"])
            if math.isfinite(dev) and abs(dev) <= tolerance:
                continue
            key = (str(rec["sex"]), int(rec["age_years"]), col)
            out.append(
                {
                    "sex": key[0],
                    "age_years": key[1],
                    "percentile": col,
                    "reference": float(rec[f"ref_{col}"]),
                    "simulated": float(rec[f"sim_{col}"]),
                    "deviation": dev,
                    "reason": PERCENTILE_MISS_REASONS.get(key, "not diagnosed"),
                }
            )
    return out
