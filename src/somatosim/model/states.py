"""State variables, the subject-specific constant vector and the per-step input vector.

Indices are module-level integer constants so that compiled code treats them as literals.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INPUTS", "N_INPUTS", "N_QCONST", "N_STATES", "QCONST", "STATES", "StateSpec"]


@dataclass(frozen=True, slots=True)
class StateSpec:
    """Name, unit, mechanism and meaning of one state variable."""

    name: str
    unit: str
    mechanism: str
    description: str


STATES: tuple[StateSpec, ...] = (
    StateSpec("ghrh", "pg/mL", "M1", "GHRH in hypophyseal portal blood"),
    StateSpec("somatostatin", "pg/mL", "M1", "somatostatin (SRIF) tone"),
    StateSpec("gh_delay1", "ng/mL", "M1", "GH feedback signal, first delay stage"),
    StateSpec("gh_delay2", "ng/mL", "M1", "GH feedback signal reaching somatostatin neurones"),
    StateSpec("pool", "1", "M2", "releasable pituitary GH pool (fraction of capacity)"),
    StateSpec("release", "µg", "M4", "GH in the secretory release compartment"),
    StateSpec("gh", "ng/mL", "M4", "plasma GH (endogenous plus somatropin)"),
    StateSpec("hepatic_signal", "1", "M5", "hepatic GH-receptor signal (effect compartment)"),
    StateSpec("nutrition_gate", "1", "M6", "hepatic nutritional gate (1 = habitual mixed diet)"),
    StateSpec("ghrelin", "1", "M6", "ghrelin relative to the fed level"),
    StateSpec("igf1_total", "ng/mL", "M5", "total serum IGF-1"),
    StateSpec("igfbp3", "mg/L", "M8", "IGFBP-3/ALS ternary-complex capacity"),
    StateSpec("free_igf1_effect", "ng/mL", "M8", "free IGF-1 seen by the feedback sites"),
    StateSpec("sleep_pressure", "1", "M3", "homeostatic sleep pressure (process S)"),
    StateSpec("sws", "1", "M3", "slow-wave sleep intensity"),
    StateSpec("exercise_stimulus", "1", "M9", "acute exercise (lactate) stimulus"),
    StateSpec("fitness_resistance", "AU", "M10", "resistance training fitness"),
    StateSpec("fatigue_resistance", "AU", "M10", "resistance training fatigue"),
    StateSpec("fitness_aerobic", "AU", "M10", "aerobic training fitness"),
    StateSpec("fatigue_aerobic", "AU", "M10", "aerobic training fatigue"),
    StateSpec("muscle_igf1", "1", "M10", "local muscle IGF-1 (MGF/IGF-IEa) relative to rest"),
    StateSpec("mps_index", "1", "M10", "muscle protein synthesis index relative to rest"),
    StateSpec("sc_depot", "µg", "M12", "somatropin in the subcutaneous depot"),
    StateSpec("sc_transit", "µg", "M12", "somatropin in the absorption transit compartment"),
    StateSpec("lagh_depot", "µg", "M12", "long-acting GH in the subcutaneous depot"),
    StateSpec("lagh", "ng/mL", "M12", "plasma long-acting GH (somapacitan)"),
)
N_STATES = len(STATES)

# state indices
R, S, D1, D2, POOL, REL, GH, RS, NG, GHR, IGF, BP3, FE, SP, SWS, EX = range(16)
FITR, FATR, FITA, FATA, MIGF, MPS, DS1, DS2, LA, LC = range(16, 26)

# ---- subject-specific constants (built by somatosim.model.covariates.individualize) -------
QCONST: tuple[str, ...] = (
    "ghrh_rate", "ghrh_regularity", "ghrh_amp", "ghrh_amp_cv", "k_ghrh", "ghrh_tonic",
    "circ_amp", "circ_peak_h", "k_sst", "sst_basal", "sst_gh_gain", "sst_gh_half", "k_delay",
    "sst_igf_gain", "sst_thresh", "sst_ghrh_thresh", "capacity", "k_refill", "k_release",
    "ghrh_thresh", "k_basal", "ghrelin_release_gain", "k_gh", "volume", "k_rel",
    "k_sp_wake", "k_sp_sleep", "sws_threshold", "sws_span", "sws_amp", "k_sws",
    "sws_sst_withdrawal", "sws_ghrh_rate_gain", "sws_ghrh_amp_gain", "k_hep", "gh_ec50",
    "igf_kin0", "igf_emax", "k_igf_ternary", "k_igf_other", "ternary_max", "bp3_half",
    "bp3_ref", "k_bp3", "bp3_gh_independent", "hep_ref", "free_fraction_ref",
    "free_ratio_exponent", "igf2_nmol_l", "ratio_ref", "k_free_effect", "free_igf_ref",
    "pit_igf_inhibition", "k_nutrition", "gate_min", "ghrelin_max", "k_ghrelin",
    "ghrelin_ghrh_gain", "ghrelin_sst_withdrawal", "ex_stim_gain", "k_ex_stim",
    "ex_sst_withdrawal", "ex_ghrh_gain", "ex_training_attenuation", "k_fitness", "k_fatigue",
    "fitness_half", "resist_igf_gain", "aer_strain_gain", "aer_strain_half", "fatigue_weight",
    "k_muscle", "muscle_systemic_share", "k_mps", "sc_ka", "lagh_ka", "k_lagh",
    "lagh_volume", "lagh_potency", "wake_sst_increase",
)
N_QCONST = len(QCONST)
(
    Q_GHRH_RATE, Q_GHRH_REG, Q_GHRH_AMP, Q_GHRH_AMP_CV, Q_K_GHRH, Q_GHRH_TONIC,
    Q_CIRC_AMP, Q_CIRC_PEAK, Q_K_SST, Q_SST_BASAL, Q_SST_GH_GAIN, Q_SST_GH_HALF, Q_K_DELAY,
    Q_SST_IGF_GAIN, Q_SST_THRESH, Q_SST_GHRH_THRESH, Q_CAP, Q_K_REFILL, Q_K_RELEASE,
    Q_GHRH_THRESH, Q_K_BASAL, Q_GHRELIN_REL_GAIN, Q_K_GH, Q_VOLUME, Q_K_REL,
    Q_K_SP_WAKE, Q_K_SP_SLEEP, Q_SWS_THR, Q_SWS_SPAN, Q_SWS_AMP, Q_K_SWS,
    Q_SWS_SST_W, Q_SWS_RATE_GAIN, Q_SWS_AMP_GAIN, Q_K_HEP, Q_GH_EC50,
    Q_KIN0, Q_EMAX, Q_K_TERN, Q_K_OTHER, Q_TERN_MAX, Q_BP3_HALF,
    Q_BP3_REF, Q_K_BP3, Q_BP3_GI, Q_HEP_REF, Q_FREE_FRAC,
    Q_FREE_EXP, Q_IGF2, Q_RATIO_REF, Q_K_FE, Q_FREE_REF,
    Q_PIT_IGF, Q_K_N, Q_GATE_MIN, Q_GHRELIN_MAX, Q_K_GHRELIN,
    Q_GHRELIN_GHRH_GAIN, Q_GHRELIN_SST_W, Q_EX_GAIN, Q_K_EX,
    Q_EX_SST_W, Q_EX_GHRH_GAIN, Q_EX_ATT, Q_K_FIT, Q_K_FAT,
    Q_FIT_HALF, Q_RESIST_GAIN, Q_AER_GAIN, Q_AER_HALF, Q_FAT_WEIGHT,
    Q_K_MUSCLE, Q_MUSCLE_SYS, Q_K_MPS, Q_SC_KA, Q_LAGH_KA, Q_K_LAGH,
    Q_LAGH_VOLUME, Q_LAGH_POTENCY, Q_WAKE_SST,
) = range(N_QCONST)

# ---- time-varying inputs for one step (built by the engine from the scenario drivers) ------
INPUTS: tuple[str, ...] = (
    "asleep", "clock_h", "nrem_window", "nutrition_target", "micronutrient_factor",
    "hepatic_factor", "ex_excess", "load_resistance", "load_aerobic", "muscle_load",
    "protein_availability", "igf1_infusion", "ghrh_infusion", "sst_block", "ghs_agonist",
    "sst_analogue",
)
N_INPUTS = len(INPUTS)
(
    U_ASLEEP, U_CLOCK, U_NREM, U_NTARGET, U_MICRO, U_HEP, U_EX, U_WRES, U_WAER, U_MECH,
    U_PROTEIN, U_IGF_INF, U_GHRH_INF, U_SST_BLOCK, U_GHS, U_SST_ANALOG,
) = range(N_INPUTS)
