"""Drivers: turn a validated scenario into compact, time-resolved model inputs.

The engine does not read scenarios. It receives a :class:`Schedule`: per-day input values,
sleep intervals, meals, exercise bouts and doses as sorted arrays of minute indices, plus the
random numbers of the GHRH volley process. Minute 0 is 00:00 of the first warm-up day; the
scenario's day 0 starts at minute ``warmup_days * 1440``. Warm-up days repeat the habitual
(base) sleep and diet without exercise or therapy so that slow states start at equilibrium.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from somatosim.model.covariates import energy_need_kcal, hepatic_factor, individualize
from somatosim.model.parameters import ParameterSet
from somatosim.model.states import (
    BP3,
    D1,
    D2,
    FE,
    GH,
    GHR,
    IGF,
    MIGF,
    MPS,
    N_STATES,
    NG,
    POOL,
    Q_BP3_REF,
    Q_FREE_REF,
    Q_GHRH_REG,
    Q_GHRH_TONIC,
    Q_HEP_REF,
    Q_SST_BASAL,
    RS,
    SP,
    U_GHRH_INF,
    U_GHS,
    U_IGF_INF,
    U_SST_ANALOG,
    U_SST_BLOCK,
    R,
    S,
)
from somatosim.scenario.schema import Diet, Micronutrients, Scenario, clock_to_hours

__all__ = [
    "DAILY_INPUTS",
    "WARMUP_DAYS",
    "Schedule",
    "build_schedule",
    "igfbp3_factor",
    "micronutrient_factor",
    "nutrition_target",
]

WARMUP_DAYS = 3
MIN_PER_DAY = 1440
DAILY_INPUTS = (
    "nutrition_target",
    "micronutrient_factor",
    "hepatic_factor",
    "protein_availability",
    "igfbp3_factor",
)
EX_FIELDS = ("ex_excess", "load_resistance", "load_aerobic", "muscle_load")

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything the engine needs to simulate one subject."""

    q: FloatArray  # subject constants (states.QCONST order)
    y0: FloatArray  # initial state
    days: int  # scenario days
    warmup_days: int
    daily: FloatArray  # (warmup+days, len(DAILY_INPUTS))
    sleep_on: IntArray  # minute indices, sorted, non-overlapping
    sleep_off: IntArray
    meal_t: IntArray
    meal_frac: FloatArray  # meal satiety, 0-1 (1 = a full meal)
    ex_on: IntArray
    ex_off: IntArray
    ex_vals: FloatArray  # (n, len(EX_FIELDS)); loads are rates per hour of the bout
    dose_t: IntArray
    dose_ug: FloatArray  # bioavailable amount entering the depot, µg
    dose_kind: IntArray  # 0 somatropin (sc depot), 1 long-acting GH
    ch_on: IntArray  # challenge input intervals (may overlap)
    ch_off: IntArray
    ch_input: IntArray  # index into states.INPUTS
    ch_value: FloatArray  # input value while active
    gamma: FloatArray  # unit-mean gamma variates: GHRH volley intervals (time-rescaled)
    normal: FloatArray  # standard normal variates: GHRH volley amplitudes
    burst_min_mass: float
    energy_need_kcal: float

    @property
    def total_minutes(self) -> int:
        """Minutes simulated including warm-up."""
        return (self.warmup_days + self.days) * MIN_PER_DAY


def _hill(x: float, k: float, n: float) -> float:
    if x <= 0.0:
        return 0.0
    r = float((x / k) ** n)
    return r / (1.0 + r)


def nutrition_target(
    p: ParameterSet, energy_ratio: float, protein_g_per_kg: float, eaa_fraction: float
) -> tuple[float, float]:
    """Steady nutritional gate and protein availability for a daily intake.

    The gate is ``gate_min + (1 - gate_min) * n_E * P`` normalised to 1 for a habitual mixed
    diet (energy balance, 1.2 g/kg/day protein, 45 % essential amino acids): energy acts through
    a steep Hill function that matters towards fasting [Clemmons1981], protein through
    ``P = protein_floor + (1 - protein_floor) * n_P``, a saturating term [Fontana2008] above a
    floor that energy alone sustains [Isley1983], with essential amino acids weighing more
    [Clemmons1985].

    Returns
    -------
    (float, float)
        Gate target and protein availability (1 at the habitual diet).
    """
    w_n = p["neaa_weight"]
    ref_mix = 0.45 + 0.55 * w_n
    p_eff = protein_g_per_kg * (eaa_fraction + (1.0 - eaa_fraction) * w_n) / ref_mix
    n_p = _hill(p_eff, p["protein_half"], 2.0)
    n_p_ref = _hill(1.2, p["protein_half"], 2.0)
    # Part of the fed effect needs energy only: an isocaloric protein-poor diet restores
    # IGF-1 partly after a fast. In a calorie deficit this floor shrinks, so protein matters
    # more and high protein protects IGF-1.
    floor = (
        p["protein_floor"] * min(energy_ratio, 1.0) ** p["protein_energy_sparing"]
    )  # [Isley1983; Fontana2008]
    prot = floor + (1.0 - floor) * n_p / n_p_ref  # [Clemmons1985]
    n_e = _hill(energy_ratio, p["energy_half"], 3.0)
    n_e_ref = _hill(1.0, p["energy_half"], 3.0)
    gmin = p["gate_min"]
    target = gmin + (1.0 - gmin) * (n_e / n_e_ref) * prot
    return min(target, 1.6), n_p / n_p_ref


def micronutrient_factor(p: ParameterSet, m: Micronutrients) -> float:
    """Cofactor effect of magnesium, zinc and vitamin D, acting only towards deficiency (M7)."""
    f_mg = 1.0 - p["mg_slope"] * max(p["mg_ref"] - m.magnesium_mmol_l, 0.0)  # [Maggio2011]
    zn_def = min(max((p["zn_ref"] - m.zinc_ug_dl) / (p["zn_ref"] - 30.0), 0.0), 1.0)
    f_zn = 1.0 - p["zn_max_loss"] * zn_def  # [Guo2020]
    d_def = max(p["vitd_ref"] - m.vitamin_d_ng_ml, 0.0) / p["vitd_ref"]
    f_d = 1.0 - p["vitd_max_loss"] * d_def  # [Ameri2013; Trummer2017]
    return f_mg * f_zn * f_d


# the default adult 25(OH)D status of the scenario schema (30 ng/mL)
VITD_DEFAULT_NG_ML = float(Micronutrients.model_fields["vitamin_d_ng_ml"].default)


def igfbp3_factor(p: ParameterSet, m: Micronutrients) -> float:
    """Vitamin D induction of hepatic IGFBP-3 synthesis, 1 at the default 25(OH)D of 30 ng/mL.

    ``1 + vitd_bp3_gain * (D - 30) / (D + 30)``: the vitamin D receptor acts on a response
    element of the IGFBP-3 promoter [Peng2004]; the factor saturates both ways, within
    ``1 ± vitd_bp3_gain``. It lets the IGF-1:IGFBP-3 ratio fall with vitamin D3
    [Kamycheva2013].
    """
    d = m.vitamin_d_ng_ml
    return 1.0 + p["vitd_bp3_gain"] * (d - VITD_DEFAULT_NG_ML) / (d + VITD_DEFAULT_NG_ML)


def _energy_ratio(diet: Diet, need: float) -> float:
    if diet.energy_kcal_per_day is not None:
        return diet.energy_kcal_per_day / need
    if diet.energy_percent_of_need is not None:
        return diet.energy_percent_of_need / 100.0
    return 1.0


def build_schedule(
    scenario: Scenario, p: ParameterSet, seed: int, warmup_days: int = WARMUP_DAYS
) -> Schedule:
    """Build the engine inputs for one scenario and seed.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    p : ParameterSet
        Model parameters.
    seed : int
        Seed of this subject's random stream (GHRH volley times and amplitudes).
    warmup_days : int
        Days simulated before day 0 with the habitual plan.

    Returns
    -------
    Schedule
    """
    subj = scenario.subject
    weight = subj.weight
    q = individualize(
        p,
        age_years=subj.age_years,
        sex=subj.sex,
        weight_kg=weight,
        height_cm=subj.height,
        body_fat_percent=subj.body_fat,
        gh_reserve=subj.gh_reserve,
    )
    base_need = energy_need_kcal(
        weight, subj.height, subj.age_years, subj.sex, p["need_activity_factor"]
    )
    hep = hepatic_factor(p, subj.age_years, subj.sex, subj.estrogen)
    n_total = warmup_days + scenario.days
    lt_frac = p["lt_fraction_vo2max"]

    daily = np.zeros((n_total, len(DAILY_INPUTS)))
    sleep_on: list[int] = []
    sleep_off: list[int] = []
    meal_t: list[int] = []
    meal_frac: list[float] = []
    ex_on: list[int] = []
    ex_off: list[int] = []
    ex_vals: list[tuple[float, float, float, float]] = []
    dose_t: list[int] = []
    dose_ug: list[float] = []
    dose_kind: list[int] = []

    # per-day inputs repeat across days: compute each distinct combination once
    nutrition_cache: dict[tuple[float, float, float], tuple[float, float]] = {}
    micro_cache: dict[Micronutrients, tuple[float, float]] = {}

    for a in range(n_total):
        d = a - warmup_days
        day0 = a * MIN_PER_DAY
        if d < 0:
            sleep, diet, micro = scenario.sleep, scenario.diet, scenario.micronutrients
            sessions: tuple[Any, ...] = ()
            therapy: tuple[Any, ...] = ()
        else:
            sleep, diet = scenario.sleep_on(d), scenario.diet_on(d)
            micro = scenario.micronutrients_on(d)
            sessions, therapy = scenario.exercise_on(d), scenario.therapy_on(d)

        # ---- sleep (the night that starts on this day) -----------------------------------
        bed, hours = clock_to_hours(sleep.bedtime), sleep.hours
        for night in sleep.nights:
            if night.day == d:
                bed = clock_to_hours(night.bedtime) if night.bedtime is not None else bed
                hours = night.hours if night.hours is not None else hours
        if hours > 0:
            on = day0 + round((bed + (24.0 if bed < 12.0 else 0.0)) * 60.0)
            off = on + round(hours * 60.0)
            if sleep_off and on < sleep_off[-1]:
                on = sleep_off[-1]
            if off > on:
                sleep_on.append(on)
                sleep_off.append(off)

        # ---- exercise: work above lactate threshold, training loads, energy cost ----------
        extra_kcal = 0.0
        for sess in sessions:
            start = day0 + round(clock_to_hours(sess.time) * 60.0)
            minutes = float(sess.minutes)
            hrs = minutes / 60.0
            if sess.type == "resistance":
                load, sets, reps, rest = sess.effective_resistance()
                # metabolic stress per set rises with load and reps, accumulates with short rest
                # and with volume [Kraemer1990; McCall1999]
                stress = (
                    (load / 100.0) * (reps / 10.0) * math.sqrt(60.0 / rest) * math.sqrt(sets / 12.0)
                )
                excess = p["resist_stim_scale"] * stress
                impulse = sets * reps * (load / 100.0) / 10.0  # training impulse, AU
                vals = (excess, impulse / hrs, 0.0, p["muscle_load_gain"] * impulse / hrs)
                met = 5.0  # resistance training, vigorous [Ainsworth2011]
            else:
                intensity = sess.effective_lt_multiple(lt_frac)
                # no GH rise below threshold [Felsing1992]; the drive saturates above it, so
                # 10 min just above threshold already gives a clear rise [Felsing1992;
                # Weltman1997]
                above = max(intensity - 1.0, 0.0)
                half = p["ex_excess_half"]
                excess = above * (1.0 + half) / (above + half)  # 1 at twice the threshold
                impulse = minutes * intensity / 10.0
                vals = (excess, 0.0, impulse / hrs, 0.0)
                met = 1.5 + 5.5 * intensity  # about 7 MET at the lactate threshold [Ainsworth2011]
            ex_on.append(start)
            ex_off.append(start + round(minutes))
            ex_vals.append(vals)
            extra_kcal += max(met - p["need_activity_factor"], 0.0) * weight * hrs

        # ---- diet ----------------------------------------------------------------------------
        need = base_need + extra_kcal
        ratio = _energy_ratio(diet, need)
        key = (ratio, diet.protein_g_per_kg, diet.eaa_fraction)
        if key not in nutrition_cache:
            nutrition_cache[key] = nutrition_target(p, *key)
        target, protein_avail = nutrition_cache[key]
        if micro not in micro_cache:
            micro_cache[micro] = (micronutrient_factor(p, micro), igfbp3_factor(p, micro))
        daily[a, 0] = target
        daily[a, 1], daily[a, 4] = micro_cache[micro]
        daily[a, 2] = hep
        daily[a, 3] = protein_avail
        if diet.meals:
            # ghrelin falls after each meal, completely once the meal is large enough
            frac = min(ratio / len(diet.meals) / p["meal_satiety_fraction"], 1.0)
            for meal in diet.meals:
                meal_t.append(day0 + round(clock_to_hours(meal) * 60.0))
                meal_frac.append(frac)

        # ---- therapy ---------------------------------------------------------------------------
        for t in therapy:
            dose_t.append(day0 + round(clock_to_hours(t.time) * 60.0))
            if t.drug == "somatropin":
                dose_ug.append(t.dose_mg * 1000.0 * p["sc_bioavailability"])
                dose_kind.append(0)
            else:
                dose_ug.append(t.dose_mg * 1000.0 * p["lagh_bioavailability"])
                dose_kind.append(1)

    ch = _challenges(scenario, p, warmup_days)

    # exercise bouts must not overlap: clip each to the start of the next
    order = np.argsort(ex_on, kind="stable")
    ex_on_a = np.asarray(ex_on, dtype=np.int64)[order]
    ex_off_a = np.asarray(ex_off, dtype=np.int64)[order]
    for i in range(len(ex_on_a) - 1):
        ex_off_a[i] = min(ex_off_a[i], ex_on_a[i + 1])
    ex_vals_a = np.asarray(ex_vals, dtype=np.float64).reshape(-1, len(EX_FIELDS))[order]
    dorder = np.argsort(dose_t, kind="stable")

    # random numbers of the GHRH volley process (DESIGN.md: seeded Generators, no global RNG)
    rng = np.random.Generator(np.random.PCG64(seed))
    # enough draws for the volley-rate ceiling with a wide margin (the engine errors if exceeded)
    n_draw = int(n_total * 24 * p["ghrh_rate_max"] * 1.5) + 64
    shape = float(q[Q_GHRH_REG])
    gamma = rng.gamma(shape, 1.0 / shape, size=n_draw)
    normal = rng.standard_normal(size=n_draw)

    y0 = _initial_state(q, float(daily[0, 0]))
    return Schedule(
        q=q,
        y0=y0,
        days=scenario.days,
        warmup_days=warmup_days,
        daily=daily,
        sleep_on=np.asarray(sleep_on, dtype=np.int64),
        sleep_off=np.asarray(sleep_off, dtype=np.int64),
        meal_t=np.asarray(meal_t, dtype=np.int64),
        meal_frac=np.asarray(meal_frac, dtype=np.float64),
        ex_on=ex_on_a,
        ex_off=ex_off_a,
        ex_vals=ex_vals_a,
        dose_t=np.asarray(dose_t, dtype=np.int64)[dorder],
        dose_ug=np.asarray(dose_ug, dtype=np.float64)[dorder],
        dose_kind=np.asarray(dose_kind, dtype=np.int64)[dorder],
        ch_on=np.asarray([c[0] for c in ch], dtype=np.int64),
        ch_off=np.asarray([c[1] for c in ch], dtype=np.int64),
        ch_input=np.asarray([c[2] for c in ch], dtype=np.int64),
        ch_value=np.asarray([c[3] for c in ch], dtype=np.float64),
        gamma=gamma,
        normal=normal,
        burst_min_mass=p["burst_detect_mass_ug"],
        energy_need_kcal=base_need,
    )


def _challenges(
    scenario: Scenario, p: ParameterSet, warmup_days: int
) -> list[tuple[int, int, int, float]]:
    """Challenge input intervals ``(on, off, input index, value)`` in minute indices."""
    out: list[tuple[int, int, int, float]] = []
    for c in scenario.challenges:
        if c.day >= scenario.days:
            continue
        start = (warmup_days + c.day) * MIN_PER_DAY + round(clock_to_hours(c.time) * 60.0)
        dose = c.effective_dose
        minutes = round(c.minutes)
        if c.agent == "ghrh":  # iv bolus delivered within one minute [Farhy2007]
            out.append((start, start + 1, U_GHRH_INF, p["ghrh_iv_potency"] * dose * 60.0))
        elif c.agent == "arginine":  # somatostatin suppression, outlasting the infusion
            block = p["arginine_sst_block"] * min(dose / 30.0, 1.0)
            out.append((start, start + minutes + int(p["arginine_after_min"]), U_SST_BLOCK, block))
        elif c.agent == "macimorelin":  # oral ghrelin agonist, absorbed within ~15 min
            out.append(
                (
                    start + 15,
                    start + 15 + max(minutes, 120),
                    U_GHS,
                    p["macimorelin_potency"] * dose / 0.5,
                )
            )
        elif c.agent == "igf1_infusion":  # µg/kg/h over the IGF-1 volume -> ng/mL/h
            out.append((start, start + minutes, U_IGF_INF, dose / p["igf1_volume_l_per_kg"]))
        else:  # octreotide: somatostatin-equivalent inhibition at the pituitary [Shah1999]
            out.append(
                (
                    start + 15,
                    start + 15 + max(minutes, 240),
                    U_SST_ANALOG,
                    p["octreotide_potency"] * dose,
                )
            )
    return out


def _initial_state(q: FloatArray, gate: float) -> FloatArray:
    """A plausible starting point; warm-up days bring it to the subject's equilibrium."""
    y = np.zeros(N_STATES)
    y[R] = q[Q_GHRH_TONIC]
    y[S] = 2.0 * q[Q_SST_BASAL]
    y[D1] = y[D2] = 1.0
    y[POOL] = 1.0
    y[GH] = 1.0
    y[RS] = q[Q_HEP_REF]
    y[NG] = gate
    y[GHR] = 1.0
    y[IGF] = 200.0
    y[BP3] = q[Q_BP3_REF]
    y[FE] = q[Q_FREE_REF]
    y[SP] = 0.45
    y[MIGF] = 1.0
    y[MPS] = 1.0
    return y
