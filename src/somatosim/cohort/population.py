"""Virtual populations of healthy adults and the scenario of each virtual subject.

:func:`sample_population` draws a table of healthy adults (age, sex, body size and
composition, habitual sleep, diet, physical activity, micronutrient status) and, for each
subject, multipliers of a few model parameters that carry inter-individual variability (IIV)
not explained by these covariates. :func:`subject_scenario` turns one row of such a table
(or of a user-supplied table with any subset of the columns) into a
:class:`~somatosim.scenario.schema.Scenario`, and :func:`subject_parameters` into the
subject's :class:`~somatosim.model.parameters.ParameterSet`.

Reproducibility
---------------
Subject ``i`` of a population depends only on ``(seed, i)``: random numbers are drawn in
fixed blocks of :data:`BLOCK_SIZE` subjects, each block from its own
``numpy.random.SeedSequence([seed, block, 0x504F50])``. The first 100 subjects are therefore
the same in a cohort of 100 and in a cohort of a million, and any chunk of subjects can be
sampled on its own (``first_id``) without drawing the others. Ranges (``age_range``,
``sexes``) transform the same underlying random numbers.

The distributions (sources in :func:`sample_population`) describe a US-like adult
population; they are deliberately simple (mostly independent given age and sex) and meant
for simulation studies, not for epidemiology.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from somatosim.errors import InputError
from somatosim.model.parameters import PARAMETER_INDEX, PARAMETERS, ParameterSet
from somatosim.scenario.schema import Scenario

__all__ = [
    "BLOCK_SIZE",
    "COVARIATE_COLUMNS",
    "IIV",
    "POPULATION_COLUMNS",
    "sample_population",
    "subject_parameters",
    "subject_scenario",
    "subject_seed",
]

Sex = Literal["male", "female"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Subjects per block of random numbers (part of the reproducibility contract; do not change).
BLOCK_SIZE = 1024
_POP_TAG = 0x504F50  # "POP": keeps population streams apart from subject seeds

#: Inter-individual variability: model parameter -> coefficient of variation of a log-normal
#: multiplier with median 1 (column ``iiv_<parameter>``). Sources: 24-h GH secretion varies
#: several-fold between healthy people of the same age and adiposity [Iranmanesh1991;
#: Veldhuis1995]; the GH half-life ranges about 13-21 min (Faria et al., JCEM 1989;68:535);
#: serum IGF-1 and IGFBP-3 at a given age and sex have CVs of about 25-30 % and 20 %
#: [Hoerenz2022], 40-60 % of the IGF-1 variance being heritable (Harrela et al., J Clin
#: Invest 1996;98:2612). The CVs below leave room for the spread that the covariates
#: (body size, diet, sleep, activity, micronutrients) already explain.
IIV: Mapping[str, float] = {
    "pool_capacity": 0.30,
    "ghrh_rate": 0.12,
    "gh_halflife_min": 0.12,
    "igf_emax": 0.20,
    "bp3_ref": 0.10,
}

#: Columns of :func:`sample_population` that describe the person (not the IIV multipliers).
COVARIATE_COLUMNS: tuple[str, ...] = (
    "subject_id",
    "age_years",
    "sex",
    "height_cm",
    "weight_kg",
    "bmi",
    "body_fat_percent",
    "sleep_hours",
    "bedtime",
    "protein_g_per_kg",
    "energy_percent_of_need",
    "magnesium_mmol_l",
    "zinc_ug_dl",
    "vitamin_d_ng_ml",
    "aerobic_sessions_per_week",
    "resistance_sessions_per_week",
)
#: Every column of :func:`sample_population`, in order.
POPULATION_COLUMNS: tuple[str, ...] = (*COVARIATE_COLUMNS, *(f"iiv_{k}" for k in IIV))

# weekly patterns of habitual sessions (day 0 of a scenario is a Monday)
_AEROBIC_DAYS: dict[int, tuple[str, ...]] = {
    1: ("sat",),
    2: ("tue", "sat"),
    3: ("mon", "wed", "sat"),
    4: ("mon", "wed", "fri", "sun"),
    5: ("mon", "tue", "thu", "fri", "sun"),
}
_RESISTANCE_DAYS: dict[int, tuple[str, ...]] = {
    1: ("thu",),
    2: ("tue", "fri"),
    3: ("mon", "wed", "fri"),
}
_N_NORMAL = 15  # standard-normal rows per block: 0-9 covariates, 10-14 IIV (fixed order)
_N_UNIFORM = 4  # uniform rows per block: age, sex, aerobic, resistance


def subject_seed(cohort_seed: int, subject_id: int) -> int:
    """The simulation seed of one subject, derived from the cohort seed and the subject id.

    Parameters
    ----------
    cohort_seed : int
        Seed of the cohort (>= 0).
    subject_id : int
        Subject identifier (>= 0).

    Returns
    -------
    int
        A seed in ``0 .. 2**63 - 1``; the same in every arm, so arms share the subject's
        random GHRH volley stream (common random numbers for paired comparisons).

    Examples
    --------
    >>> subject_seed(1, 5) == subject_seed(1, 5) != subject_seed(2, 5)
    True
    """
    state = np.random.SeedSequence([int(cohort_seed), int(subject_id)]).generate_state(
        1, dtype=np.uint64
    )
    return int(state[0] >> np.uint64(1))


def _block_draws(seed: int, block: int) -> FloatArray:
    """Standard normals (first rows) then uniforms of one block, in a fixed order."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, block, _POP_TAG])))
    normal = rng.standard_normal((_N_NORMAL, BLOCK_SIZE))
    uniform = rng.random((_N_UNIFORM, BLOCK_SIZE))
    return np.vstack([normal, uniform])


def _draws(seed: int, first_id: int, n: int) -> FloatArray:
    if n == 0:
        return np.zeros((_N_NORMAL + _N_UNIFORM, 0))
    b0, b1 = first_id // BLOCK_SIZE, (first_id + n - 1) // BLOCK_SIZE
    allb = np.hstack([_block_draws(seed, b) for b in range(b0, b1 + 1)])
    start = first_id - b0 * BLOCK_SIZE
    return allb[:, start : start + n]


def _clock(hours: FloatArray) -> list[str]:
    minutes = np.rint(np.mod(hours, 24.0) * 60.0).astype(np.int64) % 1440
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def sample_population(
    n: int,
    seed: int,
    *,
    age_range: tuple[float, float] = (20.0, 80.0),
    sexes: Sequence[Sex] = ("male", "female"),
    first_id: int = 0,
) -> pd.DataFrame:
    """Sample ``n`` healthy adults (subjects ``first_id .. first_id + n - 1``).

    Parameters
    ----------
    n : int
        Number of subjects (>= 0).
    seed : int
        Population seed (>= 0); subject ``i`` depends only on ``(seed, i)``.
    age_range : (float, float)
        Ages are uniform on this range (years, within 18-90), so that every age is equally
        well covered (a design choice for simulation studies, not a census pyramid).
    sexes : sequence of {"male", "female"}
        Sexes drawn with equal probability.
    first_id : int
        Identifier of the first subject; lets a chunk of a large cohort be sampled alone.

    Returns
    -------
    pandas.DataFrame
        One row per subject, columns :data:`POPULATION_COLUMNS`:

        - ``subject_id`` (int), ``age_years``, ``sex``;
        - ``height_cm``: normal, mean 176.4 cm (men) / 162.7 cm (women) at 30 years, falling
          0.085 / 0.10 cm per year of age, SD 7.4 / 6.8 cm (NHANES 2015-2018: Fryar et al.,
          Vital Health Stat 3(46), 2021);
        - ``bmi`` (kg/m²): log-normal, mean rising from 28.4 (men) / 28.6 (women) at 20 to
          about 29.8 / 30.2 at 55 and flat after, log-SD 0.17 / 0.21, truncated to 17-45
          (same source: mean adult BMI 29.1 men, 29.6 women); ``weight_kg`` = BMI × height²;
        - ``body_fat_percent``: Deurenberg equation (Br J Nutr 1991;65:105:
          1.2·BMI + 0.23·age − 10.8·male − 5.4) plus its prediction error, SD 4 %;
        - ``sleep_hours``: normal, 7.3 h at 20 falling 0.12 h per decade (total sleep time
          declines about 10 min per decade: Ohayon et al., Sleep 2004;27:1255), SD 0.9 h,
          truncated to 4.5-10 h;
        - ``bedtime`` ("HH:MM"): normal around 23:30 at 20 years, 0.15 h earlier per decade
          (chronotype advances with age: Roenneberg et al., Curr Biol 2004;14:R1038), SD 0.8 h,
          truncated to 21:00-01:30;
        - ``protein_g_per_kg``: log-normal, median 1.15 g/kg/day at 20 falling 0.03 per
          decade, log-SD 0.28, truncated to 0.5-2.6 (NHANES 2003-2004: Fulgoni,
          Am J Clin Nutr 2008;87:1554S);
        - ``energy_percent_of_need``: normal 100 %, SD 6 %, truncated to 80-120 % (weight-stable
          adults; day-to-day imbalance averages out);
        - ``magnesium_mmol_l``: normal 0.85 mmol/L, SD 0.065, truncated to 0.55-1.15 (NHANES I:
          Lowenstein & Stanton, J Am Coll Nutr 1986;5:399; reference interval 0.75-0.95);
        - ``zinc_ug_dl``: normal, mean 93 (men) / 88 (women) µg/dL, SD 13, truncated to
          45-160 (NHANES II: Hotz et al., Am J Clin Nutr 2003;78:756; lower cut-offs 70-74);
        - ``vitamin_d_ng_ml``: log-normal, median 25 ng/mL, log-SD 0.38, truncated to 4-100;
          about a quarter below 20 ng/mL (NHANES 2007-2010: Schleicher et al.,
          Am J Clin Nutr 2016;104:454);
        - ``aerobic_sessions_per_week`` (0-5) and ``resistance_sessions_per_week`` (0-3):
          active with probability 0.55 − 0.035/decade (aerobic) and 0.38 − 0.035/decade
          (muscle strengthening), then 2-5 and 2-3 sessions (US 2020: about 47 % meet the
          aerobic and 31 % the muscle-strengthening guideline, fewer with age: Elgaddal et al.,
          NCHS Data Brief 443, 2022);
        - ``iiv_<parameter>``: log-normal multipliers with median 1 and the CVs of :data:`IIV`,
          truncated to 0.5-2.

    Raises
    ------
    InputError
        For a negative ``n`` or ``seed``, an age range outside 18-90 or an unknown sex.

    Examples
    --------
    >>> pop = sample_population(3, seed=1)
    >>> list(pop["subject_id"])
    [0, 1, 2]
    >>> sample_population(2, seed=1, first_id=1).iloc[0].equals(pop.iloc[1].rename(0))
    True
    """
    lo, hi = (float(a) for a in age_range)
    if n < 0 or seed < 0 or first_id < 0:
        raise InputError(f"n = {n}, seed = {seed} and first_id = {first_id} must be >= 0")
    if not 18.0 <= lo <= hi <= 90.0:
        raise InputError(f"age_range = ({lo:g}, {hi:g}) is not allowed; use ages within 18-90")
    sexes = tuple(sexes)
    if not sexes or any(s not in ("male", "female") for s in sexes):
        raise InputError(f"sexes = {list(sexes)} is not allowed; use male and/or female")

    z = _draws(int(seed), int(first_id), int(n))
    u = z[_N_NORMAL:]
    age = lo + u[0] * (hi - lo)
    sex_idx = np.minimum((u[1] * len(sexes)).astype(np.int64), len(sexes) - 1)
    sex = np.asarray(sexes, dtype=object)[sex_idx]
    male = sex == "male"
    dec = (age - 20.0) / 10.0

    height = np.where(
        male, 176.4 - 0.85 * (dec - 1.0) + 7.4 * z[0], 162.7 - 1.0 * (dec - 1.0) + 6.8 * z[0]
    )
    height = np.clip(height, 135.0, 215.0)
    rise = np.minimum(dec, 3.5) / 3.5
    bmi_mean = np.where(male, 28.4 + 1.4 * rise, 28.6 + 1.6 * rise)
    bmi_lsd = np.where(male, 0.17, 0.21)
    bmi = np.clip(bmi_mean * np.exp(bmi_lsd * z[1] - 0.5 * bmi_lsd**2), 17.0, 45.0)
    weight = np.clip(bmi * (height / 100.0) ** 2, 36.0, 240.0)
    bmi = weight / (height / 100.0) ** 2
    fat = 1.2 * bmi + 0.23 * age - 10.8 * male - 5.4 + 4.0 * z[2]
    fat = np.clip(fat, np.where(male, 5.0, 10.0), 55.0)

    sleep_h = np.clip(7.3 - 0.12 * dec + 0.9 * z[3], 4.5, 10.0)
    bed = np.clip(23.5 - 0.15 * dec + 0.8 * z[4], 21.0, 25.5)
    protein = np.clip(np.exp(np.log(1.15 - 0.03 * dec) + 0.28 * z[5]), 0.5, 2.6)
    energy = np.clip(100.0 + 6.0 * z[6], 80.0, 120.0)
    mg = np.clip(0.85 + 0.065 * z[7], 0.55, 1.15)
    zinc = np.clip(np.where(male, 93.0, 88.0) + 13.0 * z[8], 45.0, 160.0)
    vitd = np.clip(25.0 * np.exp(0.38 * z[9]), 4.0, 100.0)

    # activity: the uniforms split into "active?" and "how many sessions"
    p_aer = 0.55 - 0.035 * dec
    p_res = 0.38 - 0.035 * dec
    ua, ur = u[2], u[3]
    aer = np.where(ua < p_aer, 2 + np.minimum((ua / p_aer * 4).astype(np.int64), 3), 0)
    res = np.where(ur < p_res, 2 + np.minimum((ur / p_res * 2).astype(np.int64), 1), 0)

    data: dict[str, Any] = {
        "subject_id": np.arange(first_id, first_id + n, dtype=np.int64),
        "age_years": np.round(age, 2),
        "sex": sex.astype(str),
        "height_cm": np.round(height, 1),
        "weight_kg": np.round(weight, 1),
        "bmi": np.round(bmi, 2),
        "body_fat_percent": np.round(fat, 1),
        "sleep_hours": np.round(sleep_h, 2),
        "bedtime": _clock(bed),
        "protein_g_per_kg": np.round(protein, 2),
        "energy_percent_of_need": np.round(energy, 1),
        "magnesium_mmol_l": np.round(mg, 3),
        "zinc_ug_dl": np.round(zinc, 1),
        "vitamin_d_ng_ml": np.round(vitd, 1),
        "aerobic_sessions_per_week": aer.astype(np.int64),
        "resistance_sessions_per_week": res.astype(np.int64),
    }
    # IIV multipliers: log-normal, median 1, from normal rows 10-14
    for k, (name, cv) in enumerate(IIV.items()):
        s = float(np.sqrt(np.log1p(cv * cv)))
        data[f"iiv_{name}"] = np.round(np.clip(np.exp(s * z[10 + k]), 0.5, 2.0), 4)
    return pd.DataFrame(data, columns=list(POPULATION_COLUMNS))


# --- one subject ------------------------------------------------------------------------------
_SUBJECT_KEYS = (
    "age_years",
    "sex",
    "weight_kg",
    "height_cm",
    "body_fat_percent",
    "gh_reserve",
    "estrogen",
)
_MICRO_KEYS = ("magnesium_mmol_l", "zinc_ug_dl", "vitamin_d_ng_ml")


Row = Mapping[str, Any] | pd.Series


def _mapping(row: Row) -> Mapping[str, Any]:
    if isinstance(row, pd.Series):
        return {str(k): v for k, v in row.items()}
    return row


def _present(row: Mapping[str, Any], key: str) -> bool:
    if key not in row:
        return False
    value = row[key]
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _sessions(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if _present(row, "resistance_sessions_per_week"):
        k = int(min(max(int(row["resistance_sessions_per_week"]), 0), 3))
        if k:
            out.append(
                {
                    "type": "resistance",
                    "days": list(_RESISTANCE_DAYS[k]),
                    "time": "17:00",
                    "minutes": 50,
                    "intensity": "moderate",
                }
            )
    if _present(row, "aerobic_sessions_per_week"):
        k = int(min(max(int(row["aerobic_sessions_per_week"]), 0), 5))
        if k:
            out.append(
                {
                    "type": "aerobic",
                    "days": list(_AEROBIC_DAYS[k]),
                    "time": "06:30",
                    "minutes": 40,
                    "intensity": "moderate",
                }
            )
    return out


def subject_scenario(row: Row, base: Scenario) -> Scenario:
    """The scenario of one virtual subject: the arm's plan with this person's habits.

    Population columns replace the corresponding fields of ``base``: ``age_years``, ``sex``,
    ``weight_kg``, ``height_cm``, ``body_fat_percent``, ``gh_reserve`` and ``estrogen`` (the
    subject); ``sleep_hours`` and ``bedtime`` (habitual sleep); ``protein_g_per_kg`` and
    ``energy_percent_of_need`` (habitual diet; meals and the essential amino acid share stay
    those of ``base``); ``magnesium_mmol_l``, ``zinc_ug_dl`` and ``vitamin_d_ng_ml``. Habitual
    exercise (``aerobic_sessions_per_week`` 0-5: moderate, 40 min at 06:30;
    ``resistance_sessions_per_week`` 0-3: moderate, 50 min at 17:00) is added to the
    sessions of ``base``. Missing or empty columns keep the value of ``base``; other columns
    are ignored. Phases, therapy, ``days`` and ``seed`` of ``base`` are kept.

    Parameters
    ----------
    row : mapping or pandas.Series
        One row of a population table.
    base : Scenario
        The arm's scenario.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        If a value is out of the scenario's allowed range (the message names the subject).

    Examples
    --------
    >>> pop = sample_population(1, seed=3)
    >>> sc = subject_scenario(pop.iloc[0], Scenario(days=2))
    >>> bool(sc.subject.age_years == pop.loc[0, "age_years"])
    True
    """
    row = _mapping(row)
    data = base.model_dump()
    subj = dict(data["subject"])
    for key in _SUBJECT_KEYS:
        if _present(row, key):
            subj[key] = _plain(row[key])
    data["subject"] = subj
    sleep = dict(data["sleep"])
    if _present(row, "sleep_hours"):
        sleep["hours"] = _plain(row["sleep_hours"])
    if _present(row, "bedtime"):
        sleep["bedtime"] = str(row["bedtime"])
    data["sleep"] = sleep
    diet = dict(data["diet"])
    if _present(row, "protein_g_per_kg"):
        diet["protein_g_per_kg"] = _plain(row["protein_g_per_kg"])
    if _present(row, "energy_percent_of_need"):
        diet["energy_percent_of_need"] = _plain(row["energy_percent_of_need"])
        diet["energy_kcal_per_day"] = None
    data["diet"] = diet
    micro = dict(data["micronutrients"])
    for key in _MICRO_KEYS:
        if _present(row, key):
            micro[key] = _plain(row[key])
    data["micronutrients"] = micro
    habitual = _sessions(row)
    if habitual:
        data["exercise"] = [*data["exercise"], *habitual]
    try:
        return Scenario.model_validate(data)
    except ValueError as exc:
        from somatosim.scenario.io import format_validation_error

        sid = row.get("subject_id", "?")
        msg = (
            format_validation_error(exc, f"subject {sid}", data)  # type: ignore[arg-type]
            if hasattr(exc, "errors")
            else f"subject {sid}: {exc}"
        )
        raise InputError(msg) from None


#: parameters the engine applies per batch, not per subject (run_schedules takes them from
#: the batch's parameter set)
_BATCH_WIDE = frozenset({"meal_ghrelin_drop"})
_BOUNDS = {spec.name: (spec.lower, spec.upper) for spec in PARAMETERS}


def subject_parameters(row: Row, base: ParameterSet) -> ParameterSet:
    """The subject's parameter set: ``base`` with the row's ``iiv_<name>`` multipliers applied.

    Each multiplied value is kept inside the parameter's plausible range. Columns for
    parameters that do not exist are an error; missing multipliers leave ``base`` unchanged.

    Parameters
    ----------
    row : mapping or pandas.Series
        One row of a population table.
    base : ParameterSet
        Parameters of the cohort.

    Returns
    -------
    ParameterSet
    """
    row = _mapping(row)
    vals = list(base.values)
    changed = False
    for key in row:
        if not isinstance(key, str) or not key.startswith("iiv_") or not _present(row, key):
            continue
        name = key[4:]
        if name in _BATCH_WIDE:
            raise InputError(
                f"population column {key!r}: {name} is shared by a whole batch of subjects "
                "and cannot vary between subjects; remove the column"
            )
        if name not in PARAMETER_INDEX:
            raise InputError(f"population column {key!r} names no model parameter {name!r}")
        m = float(row[key])
        if not 0.0 < m < np.inf:
            raise InputError(f"population column {key} = {m} must be a positive multiplier")
        i = PARAMETER_INDEX[name]
        lo, hi = _BOUNDS[name]
        vals[i] = float(min(max(vals[i] * m, lo), hi))
        changed = True
    return ParameterSet(tuple(vals)) if changed else base
