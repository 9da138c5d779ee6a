"""Subject covariates: where age, sex, body size, adiposity, GH reserve and estrogen act.

:func:`individualize` turns the parameter table and one subject into the constant vector
``q`` used by :func:`somatosim.model.equations.rates`. Each covariate acts where the
physiology says it acts:

- age raises hypothalamic somatostatin tone and can lower the GHRH drive (volley amplitude
  and the basal release that GHRH tone sustains), while the pituitary reserve that
  GHRH + arginine releases is kept [Ghigo1990]; it can also lower pituitary GH capacity
  [Iranmanesh1991], and it lowers slow-wave sleep [VanCauter2000] and, slightly, hepatic
  responsiveness;
- premenopausal women have a larger GH capacity [Ho1987; Roelfsema2016], higher GHRH potency and
  weaker GH autofeedback [Farhy2002; Farhy2007], and a lower hepatic response [Hoerenz2022];
- adiposity lowers GH capacity [Veldhuis1995]; body weight sets the GH distribution volume
  and body-surface area its clearance [Shah1999; vanEsdonk2020];
- GH reserve scales pituitary capacity (GH deficiency);
- oral (not transdermal) estrogen lowers hepatic GH responsiveness [Kelly1993; Wolthers2001].
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np

from somatosim.model.parameters import ParameterSet
from somatosim.model.states import QCONST

__all__ = [
    "GH_HALFLIFE_REF_NG_ML",
    "body_surface_area",
    "energy_need_kcal",
    "female_premenopausal_weight",
    "gh_halflife_minutes",
    "gh_nonsaturable_rate",
    "gh_saturable_factor",
    "hepatic_factor",
    "individualize",
    "reference_hepatic_signal",
]

LN2 = math.log(2.0)


def female_premenopausal_weight(age_years: float, menopause_age: float) -> float:
    """Smooth 1 → 0 transition of premenopausal physiology around the menopause."""
    return 1.0 / (1.0 + math.exp((age_years - menopause_age) / 2.0))


def energy_need_kcal(
    weight_kg: float, height_cm: float, age_years: float, sex: str, activity_factor: float
) -> float:
    """Maintenance energy need: Mifflin–St Jeor resting rate × activity [Mifflin1990]."""
    bmr = 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age_years + (5.0 if sex == "male" else -161.0)
    return bmr * activity_factor


def hepatic_factor(p: ParameterSet, age_years: float, sex: str, estrogen: str) -> float:
    """Hepatic GH responsiveness relative to a 20-year-old man (age, sex, estrogen route)."""
    decades = max(age_years - 20.0, 0.0) / 10.0
    f = float((1.0 - p["hep_age_decline_per_decade"]) ** decades)
    if sex == "female":
        pre = female_premenopausal_weight(age_years, p["menopause_age"])
        f *= pre * p["female_hep_factor"] + (1.0 - pre) * p["female_hep_factor_post"]
    if estrogen == "oral":
        f *= p["oral_estrogen_hep_factor"]  # first-pass hepatic GH resistance [Kelly1993]
    return f


_REF_MAN = (78.0, 177.0)  # the schema's default man (kg, cm)


def body_surface_area(weight_kg: float, height_cm: float) -> float:
    """Body-surface area in m² (Mosteller 1987)."""
    return math.sqrt(weight_kg * height_cm / 3600.0)


GH_HALFLIFE_REF_NG_ML = 5.0
"""GH concentration (a secretory pulse) at which ``gh_halflife_min`` applies."""


@overload
def gh_saturable_factor(p: ParameterSet, gh_ng_ml: float) -> float: ...
@overload
def gh_saturable_factor(
    p: ParameterSet, gh_ng_ml: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]: ...
def gh_saturable_factor(p: ParameterSet, gh_ng_ml: Any) -> Any:
    """GH elimination rate at a concentration relative to the non-saturable route alone.

    ``1 + ratio * km / (km + GH)``: receptor-mediated clearance saturates, so GH clears faster
    at low concentrations (steady-state t1/2 9, 12 and 15 min at 0.5, 2.1 and 7.5 µg/L)
    [Shah1999]. Negative concentrations count as 0, as in the engine; ``gh_ng_ml`` may be an
    array.
    """
    km = p["gh_clearance_km"]
    return 1.0 + p["gh_clearance_sat_ratio"] * km / (km + np.maximum(gh_ng_ml, 0.0))


def gh_halflife_minutes(p: ParameterSet, weight_kg: float, height_cm: float) -> float:
    """Plasma GH elimination half-life (min) of a subject; ``gh_halflife_min`` is the
    reference man's.

    The distribution volume scales with weight, while the metabolic clearance rate scales
    with body-surface area: per m² it is the same in women and men [Shah1999], and it rises
    less than in proportion to weight [vanEsdonk2020]. So a lighter person of the same surface
    clears GH a little faster per litre of distribution volume.
    """
    size = (body_surface_area(weight_kg, height_cm) / weight_kg) / (
        body_surface_area(*_REF_MAN) / _REF_MAN[0]
    )
    return float(p["gh_halflife_min"]) / size


def gh_nonsaturable_rate(p: ParameterSet, weight_kg: float, height_cm: float) -> float:
    """Rate constant (1/h) of the non-saturable GH elimination route of a subject.

    The elimination rate at concentration ``C`` is this times :func:`gh_saturable_factor`;
    at :data:`GH_HALFLIFE_REF_NG_ML` it equals ``ln 2 /`` :func:`gh_halflife_minutes`.
    """
    return (
        LN2
        / (gh_halflife_minutes(p, weight_kg, height_cm) / 60.0)
        / gh_saturable_factor(p, GH_HALFLIFE_REF_NG_ML)
    )


def reference_hepatic_signal(p: ParameterSet) -> float:
    """Hepatic signal of a healthy young adult (mean GH about 1.2 ng/mL) used as a yardstick."""
    return 1.2 / (p["gh_ec50"] + 1.2)


def individualize(
    p: ParameterSet,
    *,
    age_years: float,
    sex: str,
    weight_kg: float,
    height_cm: float,
    body_fat_percent: float,
    gh_reserve: float,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Build the subject-specific constant vector ``q`` (order of ``states.QCONST``).

    Parameters
    ----------
    p : ParameterSet
        Parameter values.
    age_years, sex, weight_kg, height_cm, body_fat_percent, gh_reserve
        Subject covariates (validated by the scenario schema).

    Returns
    -------
    numpy.ndarray
        Constants in the order of :data:`somatosim.model.states.QCONST`.
    """
    female = sex == "female"
    pre = female_premenopausal_weight(age_years, p["menopause_age"]) if female else 0.0
    decades = max(age_years - 20.0, 0.0) / 10.0
    ghrh_drive = (1.0 - p["ghrh_age_decline_per_decade"]) ** decades  # M11 [Ghigo1990]

    # M2/M11: pituitary capacity
    cap = p["pool_capacity"] * (1.0 - p["age_decline_per_decade"]) ** decades  # [Iranmanesh1991]
    cap *= 1.0 + p["postpubertal_boost"] * math.exp(
        -max(age_years - 18.0, 0.0) / p["postpubertal_tau"]
    )
    cap *= 1.0 + (p["female_capacity_factor"] - 1.0) * pre  # [Ho1987; Roelfsema2016]
    if female:  # no sex-steroid support of GH after the menopause [Roelfsema2016; Khosla1998]
        cap *= 1.0 + (p["female_capacity_factor_post"] - 1.0) * (1.0 - pre)
    fat_ref = p["fat_ref_female"] if female else p["fat_ref_male"]
    cap *= math.exp(-p["fat_capacity_slope"] * (body_fat_percent - fat_ref))  # [Veldhuis1995]
    cap *= gh_reserve

    # M3/M11: slow-wave sleep falls steeply between about 25 and 45 y, then holds at a late-life
    # floor [VanCauter2000]; in women it falls later [Walsleben2004; Redline2004]
    sws_half = p["sws_age_half_female"] if female else p["sws_age_half"]
    rel_age = max(age_years - 18.0, 0.0) / (sws_half - 18.0)
    floor = p["sws_age_floor"]
    sws_amp = floor + (1.0 - floor) / (1.0 + rel_age ** p["sws_age_hill"])

    rs_ref = reference_hepatic_signal(p)
    ratio_ref = (200.0 / 7.65 + p["igf2_nmol_l"]) / (p["bp3_ref"] * 34.8)

    values = {
        "ghrh_rate": p["ghrh_rate"] * (1.0 + (p["female_ghrh_rate_factor"] - 1.0) * pre),
        "ghrh_regularity": p["ghrh_regularity"]
        * (1.0 - (1.0 - p["female_regularity_factor"]) * pre),
        "ghrh_amp": p["ghrh_amp"] * ghrh_drive,
        "ghrh_amp_cv": p["ghrh_amp_cv"],
        "k_ghrh": p["k_ghrh"],
        "ghrh_tonic": p["ghrh_tonic"],
        "circ_amp": p["circ_amp"],
        "circ_peak_h": p["circ_peak_h"],
        "k_sst": p["k_sst"],
        "sst_basal": p["sst_basal"] * (1.0 + p["sst_age_rise_per_decade"] * decades),  # [Ghigo1990]
        "sst_gh_gain": p["sst_gh_gain"] * (1.0 - (1.0 - p["female_sst_gh_factor"]) * pre),
        "sst_gh_half": p["sst_gh_half"],
        "k_delay": 2.0 / p["gh_feedback_delay_h"],
        "sst_igf_gain": p["sst_igf_gain"],
        "sst_thresh": p["sst_thresh"],
        "sst_ghrh_thresh": p["sst_ghrh_thresh"],
        "capacity": cap,
        "k_refill": p["k_refill"],
        "k_release": p["k_release"],
        "ghrh_thresh": p["ghrh_thresh"] * (1.0 - (1.0 - p["female_ghrh_potency"]) * pre),
        "k_basal": p["k_basal_release"] * ghrh_drive,  # basal release sustained by GHRH tone
        "ghrelin_release_gain": p["ghrelin_release_gain"],
        "k_gh": gh_nonsaturable_rate(p, weight_kg, height_cm),
        "volume": p["gh_volume_l_per_kg"] * weight_kg,
        "k_rel": LN2 / (p["release_halflife_min"] / 60.0),
        "k_sp_wake": 1.0 / p["sp_tau_wake_h"],
        "k_sp_sleep": 1.0 / p["sp_tau_sleep_h"],
        "sws_threshold": p["sws_threshold"],
        "sws_span": p["sws_span"],
        "sws_amp": sws_amp,
        "k_sws": p["k_sws"],
        "sws_sst_withdrawal": p["sws_sst_withdrawal"],
        "sws_ghrh_rate_gain": p["sws_ghrh_rate_gain"],
        "sws_ghrh_amp_gain": p["sws_ghrh_amp_gain"],
        "k_hep": p["k_hep"],
        "gh_ec50": p["gh_ec50"],
        "igf_kin0": p["igf_kin0"],
        "igf_emax": p["igf_emax"],
        "k_igf_ternary": p["k_igf_ternary"],
        "k_igf_other": p["k_igf_other"],
        "ternary_max": p["ternary_max"],
        "bp3_half": p["bp3_half"],
        "bp3_ref": p["bp3_ref"],
        "k_bp3": p["k_bp3"],
        "bp3_gh_independent": p["bp3_gh_independent"],
        "hep_ref": rs_ref,
        "free_fraction_ref": p["free_fraction_ref"],
        "free_ratio_exponent": p["free_ratio_exponent"],
        "igf2_nmol_l": p["igf2_nmol_l"],
        "ratio_ref": ratio_ref,
        "k_free_effect": p["k_free_effect"],
        "free_igf_ref": p["free_igf_ref"],
        "pit_igf_inhibition": p["pit_igf_inhibition"],
        "k_nutrition": 1.0 / p["tau_nutrition_h"],
        "gate_min": p["gate_min"],
        "ghrelin_max": p["ghrelin_max"],
        "k_ghrelin": 1.0 / p["ghrelin_tau_h"],
        "ghrelin_ghrh_gain": p["ghrelin_ghrh_gain"],
        "ghrelin_sst_withdrawal": p["ghrelin_sst_withdrawal"],
        "ex_stim_gain": p["ex_stim_gain"],
        "k_ex_stim": p["k_ex_stim"],
        "ex_sst_withdrawal": p["ex_sst_withdrawal"],
        "ex_ghrh_gain": p["ex_ghrh_gain"],
        "ex_training_attenuation": p["ex_training_attenuation"],
        "k_fitness": 1.0 / (24.0 * p["fitness_tau_d"]),
        "k_fatigue": 1.0 / (24.0 * p["fatigue_tau_d"]),
        "fitness_half": p["fitness_half"],
        "resist_igf_gain": p["resist_igf_gain"],
        "aer_strain_gain": p["aer_strain_gain"],
        "aer_strain_half": p["aer_strain_half"],
        "fatigue_weight": p["fatigue_weight"],
        "k_muscle": 1.0 / p["muscle_igf_tau_h"],
        "muscle_systemic_share": p["muscle_systemic_share"],
        "k_mps": 1.0 / p["mps_tau_h"],
        "sc_ka": p["sc_ka"],
        "lagh_ka": p["lagh_ka"],
        "k_lagh": LN2 / p["lagh_halflife_h"],
        "lagh_volume": p["lagh_volume_l_per_kg"] * weight_kg,
        "lagh_potency": p["lagh_potency"],
        "wake_sst_increase": p["wake_sst_increase"],
        "ghrh_rate_max": p["ghrh_rate_max"],
        "refill_srif_gain": p["refill_srif_gain"],
        "bp3_gate_exponent": p["bp3_gate_exponent"],
        "gh_sat_ratio": p["gh_clearance_sat_ratio"],
        "gh_sat_km": p["gh_clearance_km"],
    }
    missing = set(QCONST) - set(values)
    if missing:  # pragma: no cover - guarded by a unit test
        raise RuntimeError(f"individualize() does not set {sorted(missing)}")
    return np.array([values[name] for name in QCONST], dtype=np.float64)
