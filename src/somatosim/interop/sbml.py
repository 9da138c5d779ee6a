"""SBML export of the model with one subject's inputs, and the cross-check with libRoadRunner.

The export writes the model's right-hand side, :func:`somatosim.model.equations.rates`, as
SBML Level 3 Version 2 (time unit: hour):

- every state of :data:`somatosim.model.states.STATES` is a non-constant parameter with a
  rate rule ``d(state)/dt = prod_<state> - loss_<state> * state``, exactly the engine's form;
- ``prod_<state>``, ``loss_<state>`` and the named intermediate fluxes are assignment rules,
  one per line of :data:`FORMULAS`, which mirrors :func:`~somatosim.model.equations.rates`
  line by line (same order, same names, same citation keys);
- the subject constants (:data:`somatosim.model.states.QCONST`) are constant parameters
  whose values are the individualised vector ``schedule.q``; each carries its unit (a
  ``UnitDefinition``), the parameter-table rows it is derived from with their ranges, and the
  citations of those rows (XHTML notes, a ``somatosim`` annotation and
  ``bqbiol:isDescribedBy`` DOI links);
- the per-minute inputs that the rates read (sleep, NREM window, daily diet and micronutrient
  inputs, exercise, challenges) are non-constant parameters changed by events at the minute
  boundaries where they change;
- GHRH volleys (the fast engine's realised drive), meals and doses are the same events:
  ``ghrh += amplitude``, ``ghrelin *= exp(-meal_ghrelin_drop * fraction)``,
  ``sc_depot += µg`` (``lagh_depot`` for long-acting GH).

The GHRH volleys are a point process whose rate depends on the state; SBML has no such
process, so the export replays the volleys the fast engine drew for this scenario and seed
(:func:`somatosim.engine.reference.fast_drive`). For the same reason the export covers the
engine's warm-up days as ordinary days (:func:`somatosim.engine.reference.
verification_schedule`): time 0 is 00:00 of the first warm-up day and the scenario's day 0
starts at ``warmup_days * 24`` h. The engine's end-of-day equilibration of IGF-1 and IGFBP-3
during warm-up is an initial-condition device, not part of the ODE, and is not exported.

Because a drift between :data:`FORMULAS` and ``rates()`` would be a bug, two tests guard
them: :func:`formula_rates` evaluates the table in Python and must equal ``rates()`` at random
states and inputs, and :func:`compare_roadrunner` simulates the export with libRoadRunner and
compares daily IGF-1 and GH with the fast engine.

libsbml and libroadrunner are imported only inside the functions that need them.

Examples
--------
>>> from somatosim.interop import export_sbml
>>> text = export_sbml({"days": 1, "subject": {"age_years": 25}}, seed=1)  # doctest: +SKIP
>>> text.startswith("<?xml")  # doctest: +SKIP
True
"""

from __future__ import annotations

import ast
import html
import inspect
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from somatosim._version import __version__
from somatosim.engine.fast import DAILY_FIELDS, DT_H, MIN_PER_DAY
from somatosim.engine.reference import (
    VolleyDrive,
    fast_drive,
    minute_inputs,
    verification_schedule,
)
from somatosim.engine.simulate import RawRun
from somatosim.errors import InputError, SimulationError
from somatosim.model import covariates
from somatosim.model.equations import IGF1_NG_PER_NMOL, IGFBP3_NMOL_PER_MG
from somatosim.model.parameters import (
    PARAMETER_INDEX,
    PARAMETERS,
    ParameterSet,
    default_parameters,
)
from somatosim.model.references import REFERENCES
from somatosim.model.states import DS1, GHR, INPUTS, LA, N_STATES, QCONST, STATES, R
from somatosim.scenario.drivers import Schedule, build_schedule
from somatosim.scenario.schema import Scenario

__all__ = [
    "FORMULAS",
    "SBML_LEVEL",
    "SBML_VERSION",
    "Formula",
    "RoadRunnerComparison",
    "compare_roadrunner",
    "export_sbml",
    "formula_inputs",
    "formula_rates",
    "load_roadrunner",
    "qconst_sources",
    "qconst_unit",
    "roadrunner_timecourse",
    "schedule_to_sbml",
    "write_sbml",
]

SBML_LEVEL = 3
SBML_VERSION = 2
ANNOTATION_NS = "urn:somatosim:sbml:1"
_XHTML = "http://www.w3.org/1999/xhtml"

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


# ---- the formula table -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Formula:
    """One line of the exported right-hand side: an SBML assignment rule.

    Attributes
    ----------
    target : str
        Id of the SBML parameter the rule assigns (``prod_<state>``, ``loss_<state>`` or a
        named intermediate flux).
    math : str
        SBML Level 3 infix formula (:func:`libsbml.parseL3Formula`) over states, subject
        constants, inputs, constants and earlier targets.
    unit : str
        Unit of the result, as written in the parameter table (``"1/h"``, ``"ng/mL"``, ...).
    note : str
        What the line is.
    cite : str
        Citation keys into :data:`somatosim.model.references.REFERENCES`, ``;``-separated
        (empty for pure bookkeeping lines).
    """

    target: str
    math: str
    unit: str
    note: str
    cite: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        """Citation keys of this line."""
        return tuple(k.strip() for k in self.cite.split(";") if k.strip())


def _f(target: str, math: str, unit: str, note: str, cite: str = "") -> Formula:
    return Formula(target, math, unit, note, cite)


# Function definitions used by the table (mirroring equations._hill2 and equations._hill3).
FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "hill2",
        "lambda(x, k, (x / k) * (x / k) / (1 + (x / k) * (x / k)))",
        "stimulatory Hill function with coefficient 2, 0..1",
    ),
    (
        "hill3",
        "lambda(x, k, (x / k) * (x / k) * (x / k) / (1 + (x / k) * (x / k) * (x / k)))",
        "stimulatory Hill function with coefficient 3, 0..1",
    ),
)

# Model constants that are not subject constants (equations module-level numbers).
CONSTANTS: tuple[tuple[str, float, str, str], ...] = (
    (
        "igf1_ng_per_nmol",
        IGF1_NG_PER_NMOL,
        "ng/mL per nmol/L",
        "IGF-1 unit conversion: 1 nmol/L = 7.65 ng/mL (ng/mL per nmol/L)",
    ),
    (
        "igfbp3_nmol_per_mg",
        IGFBP3_NMOL_PER_MG,
        "nmol/L per mg/L",
        "IGFBP-3 unit conversion, about 28.7 kDa: 1 mg/L = 34.8 nmol/L (nmol/L per mg/L)",
    ),
)

# The right-hand side, in the order of equations.rates(). Each state X has prod_X and loss_X;
# the rate rule is dX/dt = prod_X - loss_X * X.
# fmt: off
FORMULAS: tuple[Formula, ...] = (
    _f("ghrelin_excess", "max(ghrelin - 1, 0) + ghs_agonist", "1",
       "ghrelin above the fed level, or a GHS agonist", "Farhy2007"),
    # igf1_binding(): quasi-steady binding partition
    _f("ternary", "ternary_max * igfbp3 / (igfbp3 + bp3_half)", "1",
       "ternary-complex share from ALS/IGFBP-3 capacity", "Baxter1989"),
    _f("igf_bp3_ratio",
       "(igf1_total / igf1_ng_per_nmol + igf2_nmol_l) / (max(igfbp3, 1e-6 mg_per_L) * igfbp3_nmol_per_mg)",
       "1", "IGF-1 plus IGF-2 to IGFBP-3 molar ratio", "Jorgensen1994"),
    _f("ratio_rel", "igf_bp3_ratio / ratio_ref", "1", "molar ratio relative to the reference",
       "Frystyk1994"),
    _f("free_share", "min(0.3, free_fraction_ref * ratio_rel^free_ratio_exponent)", "1",
       "free share rises with the molar ratio", "Frystyk1994"),
    _f("k_out", "k_igf_ternary * ternary + k_igf_other * (1 - ternary)", "1/h",
       "binding-dependent IGF-1 clearance", "Grahnen1993"),
    _f("free_igf", "free_share * igf1_total", "ng/mL", "free IGF-1", "Frystyk1994"),
    _f("fe_n", "free_igf1_effect / free_igf_ref", "1",
       "normalised free IGF-1 at the feedback sites", "Hartman1993"),
    # M1 hypothalamus
    _f("sst_tone",
       "sst_basal * (1 + wake_sst_increase * (1 - asleep)) * (1 - sws_sst_withdrawal * sws)"
       " / (1 + ghrelin_sst_withdrawal * ghrelin_excess)"
       " / (1 + ex_sst_withdrawal * exercise_stimulus)",
       "pg/mL", "somatostatin tone: higher awake, withdrawn by SWS, ghrelin and exercise",
       "Brandenberger2004;VanCauter2000;Farhy2007;Felsing1992"),
    _f("sst_gh", "sst_gh_gain * hill2(gh_delay2, sst_gh_half)", "pg/mL",
       "delayed GH autofeedback", "Farhy2001"),
    _f("sst_igf", "sst_igf_gain * fe_n", "pg/mL", "free IGF-1 feedback via SRIF",
       "Hartman1993;Bermann1994"),
    _f("arginine", "1 - min(sst_block, 1)", "1",
       "arginine suppresses all hypothalamic SRIF release", "Farhy2007"),
    _f("prod_somatostatin", "k_sst * (sst_tone + sst_gh + sst_igf) * arginine", "pg/mL/h",
       "SRIF release", "Farhy2007"),
    _f("loss_somatostatin", "k_sst", "1/h", "SRIF clearance", "Farhy2007"),
    _f("prod_ghrh", "k_ghrh * ghrh_tonic + ghrh_infusion", "pg/mL/h",
       "tonic GHRH, exogenous GHRH (volleys are events)", "Farhy2007"),
    _f("loss_ghrh", "k_ghrh", "1/h", "portal GHRH clearance", "Farhy2007"),
    _f("gh_signal", "gh + lagh_potency * lagh", "ng/mL",
       "GH-receptor agonists seen by the brain and the liver", "Juul2019"),
    _f("prod_gh_delay1", "k_delay * gh_signal", "ng/mL/h", "delayed GH feedback, stage 1",
       "Farhy2001;MacGregor2005"),
    _f("loss_gh_delay1", "k_delay", "1/h", "delay stage 1", "Farhy2001"),
    _f("prod_gh_delay2", "k_delay * gh_delay1", "ng/mL/h", "delayed GH feedback, stage 2",
       "Farhy2001;MacGregor2005"),
    _f("loss_gh_delay2", "k_delay", "1/h", "delay stage 2", "Farhy2001"),
    # M2 pituitary
    _f("s_inh", "(somatostatin + sst_analogue) / sst_thresh", "1",
       "endogenous SRIF plus octreotide at the pituitary", "Farhy2007;Shah1999"),
    _f("srif_block", "1 / (1 + s_inh * s_inh)", "1", "SRIF inhibition of release",
       "Farhy2007"),
    _f("igf_block", "(1 + pit_igf_inhibition) / (1 + pit_igf_inhibition * fe_n * fe_n)", "1",
       "IGF-1 inhibition at the pituitary", "Hartman1993"),
    _f("ghrelin_boost", "1 + ghrelin_release_gain * ghrelin_excess", "1",
       "GHS amplifies release", "Farhy2007"),
    _f("r_pulse",
       "k_release * hill3(ghrh, ghrh_thresh) * srif_block * igf_block * ghrelin_boost", "1/h",
       "GHRH-driven fractional release rate", "MacGregor2005;Farhy2007"),
    _f("r_basal", "k_basal * srif_block * igf_block", "1/h", "basal fractional release rate",
       "Keenan1998"),
    _f("refill", "k_refill * (1 + refill_srif_gain * srif_block)", "1/h",
       "reserve store refills the releasable pool, faster without SRIF",
       "MacGregor2005;AlbaRoth1988"),
    _f("prod_pool", "refill", "1/h", "pool refilling", "MacGregor2005"),
    _f("loss_pool", "refill + r_pulse + r_basal", "1/h", "refill saturation plus release",
       "MacGregor2005"),
    _f("secr_pulse", "capacity * r_pulse * pool", "µg/h", "pulsatile GH secretion",
       "MacGregor2005"),
    _f("secr_basal", "capacity * r_basal * pool", "µg/h", "basal GH secretion", "Keenan1998"),
    # M4 GH kinetics, M12 exogenous GH
    _f("prod_release", "secr_pulse + secr_basal", "µg/h",
       "secretion into the release compartment", "Klerman2003"),
    _f("loss_release", "k_rel", "1/h", "release compartment emptying", "Klerman2003"),
    _f("exo_in", "sc_ka * sc_transit", "µg/h", "somatropin absorbed from the sc transit "
       "compartment", "Papathanasiou2021"),
    _f("prod_gh", "(k_rel * release + exo_in) / volume", "ng/mL/h", "GH entering plasma",
       "Klerman2003"),
    _f("loss_gh", "k_gh * (1 + gh_sat_ratio * gh_sat_km / (gh_sat_km + gh))", "1/h",
       "GH elimination: non-saturable plus saturable receptor-mediated clearance, t1/2 about "
       "18 min at pulse concentrations", "Shah1999;Holl1993;Hartman1992"),
    _f("prod_sc_depot", "0 ug_per_hour", "µg/h", "doses enter as events", "SomatropinLabel"),
    _f("loss_sc_depot", "sc_ka", "1/h", "first absorption step", "SomatropinLabel"),
    _f("prod_sc_transit", "sc_ka * sc_depot", "µg/h", "second absorption step (tmax 3-6 h)",
       "SomatropinLabel"),
    _f("loss_sc_transit", "sc_ka", "1/h", "absorption into plasma", "SomatropinLabel"),
    _f("prod_lagh_depot", "0 ug_per_hour", "µg/h", "doses enter as events", "Juul2019"),
    _f("loss_lagh_depot", "lagh_ka", "1/h", "somapacitan absorption", "Juul2019"),
    _f("prod_lagh", "lagh_ka * lagh_depot / lagh_volume", "ng/mL/h",
       "somapacitan entering plasma", "Juul2019"),
    _f("loss_lagh", "k_lagh", "1/h", "somapacitan elimination, t1/2 about 30 h",
       "SogroyaLabel"),
    # M5 liver
    _f("prod_hepatic_signal", "k_hep * gh_signal / (gh_ec50 + gh_signal)", "1/h",
       "GH-receptor signal", "Papathanasiou2021"),
    _f("loss_hepatic_signal", "k_hep", "1/h", "signal decay", "Papathanasiou2021"),
    _f("resist", "1 + resist_igf_gain * fitness_resistance / (fitness_resistance + fitness_half)",
       "1", "resistance training raises hepatic IGF-1 output", "Borst2001"),
    _f("synthesis", "igf_kin0 + igf_emax * hepatic_signal", "ng/mL/h",
       "indirect-response IGF-1 synthesis", "Papathanasiou2021"),
    _f("prod_igf1_total",
       "nutrition_gate * micronutrient_factor * hepatic_factor * resist * synthesis"
       " + igf1_infusion", "ng/mL/h", "gated IGF-1 production plus infusion", "Clemmons1985"),
    _f("loss_igf1_total", "k_out", "1/h", "binding-dependent clearance", "Grahnen1993"),
    _f("bp3_drive", "bp3_gh_independent + (1 - bp3_gh_independent) * hepatic_signal / hep_ref",
       "1", "GH-dependent ALS/IGFBP-3 synthesis", "Baxter1989"),
    _f("prod_igfbp3",
       "k_bp3 * bp3_ref * nutrition_gate ^ bp3_gate_exponent * bp3_drive * igfbp3_factor",
       "mg/L/h", "IGFBP-3/ALS synthesis", "Baxter1989;Fontana2008"),
    _f("loss_igfbp3", "k_bp3", "1/h", "IGFBP-3/ALS turnover", "Baxter1989"),
    _f("prod_free_igf1_effect", "k_free_effect * free_igf", "ng/mL/h",
       "free IGF-1 reaching the feedback sites", "Hartman1993"),
    _f("loss_free_igf1_effect", "k_free_effect", "1/h", "effect compartment", "Hartman1993"),
    # M6 nutrition
    _f("aer_strain", "max(fatigue_weight * fatigue_aerobic - fitness_aerobic, 0)", "AU",
       "aerobic training strain", "Banister1975"),
    _f("strain_f", "1 - aer_strain_gain * aer_strain / (aer_strain + aer_strain_half)", "1",
       "strain lowers the nutritional gate", "Banister1975"),
    _f("gate_target", "gate_min + (nutrition_target - gate_min) * strain_f", "1",
       "target of the hepatic nutritional gate", "Clemmons1981;Fontana2008"),
    _f("prod_nutrition_gate", "k_nutrition * gate_target", "1/h", "hepatic nutritional gate",
       "Clemmons1981;Fontana2008"),
    _f("loss_nutrition_gate", "k_nutrition", "1/h", "gate adjustment", "Clemmons1981"),
    _f("prod_ghrelin", "k_ghrelin * ghrelin_max", "1/h", "ghrelin rises without food", "Ho1988"),
    _f("loss_ghrelin", "k_ghrelin", "1/h", "(meals lower ghrelin as events)", "Ho1988"),
    # M3 sleep
    _f("prod_sleep_pressure", "piecewise(0 per_hour, asleep > 0.5, k_sp_wake)", "1/h",
       "process S rises awake", "Borbely1982"),
    _f("loss_sleep_pressure", "piecewise(k_sp_sleep, asleep > 0.5, k_sp_wake)", "1/h",
       "process S decays in sleep", "Borbely1982"),
    _f("sws_depth", "min(max((sleep_pressure - sws_threshold) / sws_span, 0), 1)", "1",
       "slow-wave depth from sleep pressure", "Borbely1982"),
    _f("prod_sws", "k_sws * asleep * nrem_window * sws_amp * sws_depth", "1/h",
       "SWS propensity", "VanCauter2000"),
    _f("loss_sws", "k_sws", "1/h", "SWS adjustment", "VanCauter2000"),
    # M9/M10 exercise
    _f("attenuation",
       "1 - ex_training_attenuation * fitness_aerobic / (fitness_aerobic + fitness_half)", "1",
       "training attenuates the acute response", "Weltman1997"),
    _f("prod_exercise_stimulus", "ex_stim_gain * ex_excess * attenuation", "1/h",
       "work above the lactate threshold", "Felsing1992"),
    _f("loss_exercise_stimulus", "k_ex_stim", "1/h", "stimulus decay", "Felsing1992"),
    _f("prod_fitness_resistance", "load_resistance", "AU/h", "training impulse", "Banister1975"),
    _f("loss_fitness_resistance", "k_fitness", "1/h", "fitness decay", "Banister1975"),
    _f("prod_fatigue_resistance", "load_resistance", "AU/h", "training impulse",
       "Banister1975"),
    _f("loss_fatigue_resistance", "k_fatigue", "1/h", "fatigue decay", "Banister1975"),
    _f("prod_fitness_aerobic", "load_aerobic", "AU/h", "training impulse", "Banister1975"),
    _f("loss_fitness_aerobic", "k_fitness", "1/h", "fitness decay", "Banister1975"),
    _f("prod_fatigue_aerobic", "load_aerobic", "AU/h", "training impulse", "Banister1975"),
    _f("loss_fatigue_aerobic", "k_fatigue", "1/h", "fatigue decay", "Banister1975"),
    _f("muscle_systemic",
       "1 - muscle_systemic_share + muscle_systemic_share * hepatic_signal / hep_ref", "1",
       "share of muscle IGF-1 following the hepatic GH signal", "Hameed2004"),
    _f("prod_muscle_igf1", "k_muscle * muscle_systemic + muscle_load", "1/h",
       "mechano-growth factor", "Hameed2004"),
    _f("loss_muscle_igf1", "k_muscle", "1/h", "local IGF-1 decay", "Hameed2004"),
    _f("mps_target",
       "protein_availability * (1 + 0.5 * (muscle_igf1 - 1)) * (0.5 + 0.5 * nutrition_gate)",
       "1", "protein synthesis follows local IGF-1 and amino acids", "somatosim"),
    _f("prod_mps_index", "k_mps * mps_target", "1/h", "muscle protein synthesis", "somatosim"),
    _f("loss_mps_index", "k_mps", "1/h", "MPS adjustment", "somatosim"),
)
# fmt: on


# ---- units -----------------------------------------------------------------------------------
# unit text (as in the parameter table) -> (SBML unit id, components). A component is
# (kind, exponent, scale, multiplier); kinds are libsbml UNIT_KIND_* names.
_UNIT_DEFS: dict[str, tuple[str, tuple[tuple[str, float, int, float], ...]]] = {
    "h": ("hour", (("SECOND", 1.0, 0, 3600.0),)),
    "1/h": ("per_hour", (("SECOND", -1.0, 0, 3600.0),)),
    "pg/mL": ("pg_per_mL", (("GRAM", 1.0, -12, 1.0), ("LITRE", -1.0, -3, 1.0))),
    "ng/mL": ("ng_per_mL", (("GRAM", 1.0, -9, 1.0), ("LITRE", -1.0, -3, 1.0))),
    "µg": ("ug", (("GRAM", 1.0, -6, 1.0),)),
    "mg/L": ("mg_per_L", (("GRAM", 1.0, -3, 1.0), ("LITRE", -1.0, 0, 1.0))),
    "nmol/L": ("nmol_per_L", (("MOLE", 1.0, -9, 1.0), ("LITRE", -1.0, 0, 1.0))),
    "pg/mL/h": (
        "pg_per_mL_per_hour",
        (("GRAM", 1.0, -12, 1.0), ("LITRE", -1.0, -3, 1.0), ("SECOND", -1.0, 0, 3600.0)),
    ),
    "ng/mL/h": (
        "ng_per_mL_per_hour",
        (("GRAM", 1.0, -9, 1.0), ("LITRE", -1.0, -3, 1.0), ("SECOND", -1.0, 0, 3600.0)),
    ),
    "mg/L/h": (
        "mg_per_L_per_hour",
        (("GRAM", 1.0, -3, 1.0), ("LITRE", -1.0, 0, 1.0), ("SECOND", -1.0, 0, 3600.0)),
    ),
    "µg/h": ("ug_per_hour", (("GRAM", 1.0, -6, 1.0), ("SECOND", -1.0, 0, 3600.0))),
    "ng/mL per nmol/L": (
        "ng_per_mL_per_nmol_per_L",
        (("GRAM", 1.0, 3, 1.0), ("MOLE", -1.0, 0, 1.0)),
    ),
    "nmol/L per mg/L": (
        "nmol_per_L_per_mg_per_L",
        (("MOLE", 1.0, -6, 1.0), ("GRAM", -1.0, 0, 1.0)),
    ),
}
# units that map onto SBML base units
_UNIT_ALIASES: dict[str, str] = {
    "1": "dimensionless",
    "AU": "dimensionless",  # arbitrary training units
    "AU/h": "per_hour",
    "L": "litre",
}

# Units of the subject constants whose value is derived (not copied) from table rows.
_Q_UNIT_OVERRIDES: dict[str, str] = {
    "k_delay": "1/h",
    "capacity": "µg",
    "k_basal": "1/h",
    "k_gh": "1/h",
    "gh_sat_ratio": "1",
    "gh_sat_km": "ng/mL",
    "volume": "L",
    "k_rel": "1/h",
    "k_sp_wake": "1/h",
    "k_sp_sleep": "1/h",
    "sws_amp": "1",
    "hep_ref": "1",
    "ratio_ref": "1",
    "k_nutrition": "1/h",
    "k_ghrelin": "1/h",
    "k_fitness": "1/h",
    "k_fatigue": "1/h",
    "k_muscle": "1/h",
    "k_mps": "1/h",
    "k_lagh": "1/h",
    "lagh_volume": "L",
}

# Units and meaning of the inputs (states.INPUTS) as the rates read them.
_INPUT_INFO: dict[str, tuple[str, str]] = {
    "asleep": ("1", "1 while asleep, else 0"),
    "clock_h": ("h", "clock time of day"),
    "nrem_window": ("1", "1 within the deep-NREM part of each 90-min sleep cycle, else 0"),
    "nutrition_target": ("1", "steady hepatic nutritional gate for the day's diet"),
    "micronutrient_factor": ("1", "magnesium, zinc and vitamin D cofactor factor"),
    "hepatic_factor": ("1", "hepatic GH responsiveness (age, sex, estrogen route)"),
    "ex_excess": ("1", "work rate above the lactate threshold (multiple of it)"),
    "load_resistance": ("AU/h", "resistance training impulse rate"),
    "load_aerobic": ("AU/h", "aerobic training impulse rate"),
    "muscle_load": ("1/h", "mechanical load on local muscle IGF-1"),
    "protein_availability": ("1", "amino-acid availability (1 = habitual diet)"),
    "igf1_infusion": ("ng/mL/h", "IGF-1 infusion"),
    "ghrh_infusion": ("pg/mL/h", "exogenous GHRH (iv bolus)"),
    "sst_block": ("1", "fractional suppression of somatostatin release (arginine)"),
    "ghs_agonist": ("1", "ghrelin-equivalent GHS agonism (macimorelin)"),
    "sst_analogue": ("pg/mL", "somatostatin-equivalent pituitary inhibition (octreotide)"),
    "igfbp3_factor": ("1", "vitamin D induction of IGFBP-3 synthesis (1 at 30 ng/mL)"),
}

_STATE_NAMES: tuple[str, ...] = tuple(s.name for s in STATES)


def _unit_id(unit: str) -> str:
    """SBML unit id of a unit text from the parameter table."""
    if unit in _UNIT_ALIASES:
        return _UNIT_ALIASES[unit]
    if unit in _UNIT_DEFS:
        return _UNIT_DEFS[unit][0]
    raise KeyError(f"no SBML unit for {unit!r}; add it to interop.sbml._UNIT_DEFS")


def qconst_unit(name: str) -> str:
    """Unit of the subject constant ``name`` (a name of :data:`~somatosim.model.states.QCONST`).

    Parameters
    ----------
    name : str
        Subject constant.

    Returns
    -------
    str
        Unit text, e.g. ``"1/h"``: the table row's unit when the constant has a row of the same
        name, otherwise the unit of the derived value (rates per hour, volumes in L, ...).
    """
    if name in _Q_UNIT_OVERRIDES:
        return _Q_UNIT_OVERRIDES[name]
    if name in PARAMETER_INDEX:
        return PARAMETERS[PARAMETER_INDEX[name]].unit
    raise KeyError(
        f"subject constant {name!r} has no parameter-table row of that name; give its unit in "
        "interop.sbml._Q_UNIT_OVERRIDES"
    )


# ---- provenance of the subject constants ------------------------------------------------------
def _p_keys(node: ast.AST, local: Mapping[str, frozenset[str]]) -> set[str]:
    """Parameter-table names read by an expression of covariates.individualize()."""
    out: set[str] = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "p"
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
        ):
            out.add(sub.slice.value)
        elif isinstance(sub, ast.Name) and sub.id in local:
            out |= local[sub.id]
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and any(isinstance(a, ast.Name) and a.id == "p" for a in sub.args)
        ):
            helper = getattr(covariates, sub.func.id, None)
            if callable(helper):
                tree = ast.parse(textwrap.dedent(inspect.getsource(helper)))
                out |= _p_keys(tree, {})
    return out


@cache
def qconst_sources() -> Mapping[str, tuple[str, ...]]:
    """Parameter-table rows each subject constant is computed from.

    Read from the source of :func:`somatosim.model.covariates.individualize` (the entries of
    its ``values`` dictionary, following local variables and helpers that receive ``p``), so
    it cannot drift from the code.

    Returns
    -------
    Mapping[str, tuple[str, ...]]
        For each name of :data:`~somatosim.model.states.QCONST`, the table rows it reads.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(covariates.individualize)))
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    local: dict[str, frozenset[str]] = {}
    result: dict[str, tuple[str, ...]] = {}
    for stmt in fn.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "values" and isinstance(node.value, ast.Dict):
                    for key, value in zip(node.value.keys, node.value.values, strict=True):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            result[key.value] = tuple(sorted(_p_keys(value, local)))
                else:
                    local[target.id] = frozenset(_p_keys(node.value, local))
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                name = node.target.id
                local[name] = local.get(name, frozenset()) | _p_keys(node.value, local)
    return {name: result.get(name, ()) for name in QCONST}


# ---- reading the formula table ----------------------------------------------------------------
def _parse(formula: str) -> Any:
    import libsbml

    ast_node = libsbml.parseL3Formula(formula)
    if ast_node is None:
        raise ValueError(f"not an SBML L3 formula: {formula!r} ({libsbml.getLastParseL3Error()})")
    return ast_node


def _names(node: Any) -> set[str]:
    import libsbml

    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.getType() == libsbml.AST_NAME:
            out.add(n.getName())
        stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
    return out


def formula_inputs() -> tuple[str, ...]:
    """Inputs (names of :data:`~somatosim.model.states.INPUTS`) that :data:`FORMULAS` reads.

    Returns
    -------
    tuple of str
        In the order of ``INPUTS``.
    """
    used: set[str] = set()
    for row in FORMULAS:
        used |= _names(_parse(row.math))
    return tuple(name for name in INPUTS if name in used)


def _eval(node: Any, env: Mapping[str, float], funcs: Mapping[str, tuple[list[str], Any]]) -> float:
    """Evaluate a libsbml AST in Python (the subset used by the formula table)."""
    import libsbml

    t = node.getType()
    kids = [node.getChild(i) for i in range(node.getNumChildren())]

    def ev(k: Any) -> float:
        return _eval(k, env, funcs)

    if t == libsbml.AST_NAME:
        return env[node.getName()]
    if t == libsbml.AST_INTEGER:
        return float(node.getInteger())
    if t in (libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
        return float(node.getReal())
    if t == libsbml.AST_PLUS:
        total = 0.0
        for k in kids:
            total += ev(k)
        return total
    if t == libsbml.AST_MINUS:
        return -ev(kids[0]) if len(kids) == 1 else ev(kids[0]) - ev(kids[1])
    if t == libsbml.AST_TIMES:
        out = 1.0
        for k in kids:
            out *= ev(k)
        return out
    if t == libsbml.AST_DIVIDE:
        return ev(kids[0]) / ev(kids[1])
    if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
        return float(ev(kids[0]) ** ev(kids[1]))
    if t == libsbml.AST_FUNCTION_EXP:
        return math.exp(ev(kids[0]))
    if t == libsbml.AST_FUNCTION_MAX:
        return max(ev(k) for k in kids)
    if t == libsbml.AST_FUNCTION_MIN:
        return min(ev(k) for k in kids)
    relations: dict[int, Callable[[float, float], bool]] = {
        libsbml.AST_RELATIONAL_GT: lambda a, b: a > b,
        libsbml.AST_RELATIONAL_GEQ: lambda a, b: a >= b,
        libsbml.AST_RELATIONAL_LT: lambda a, b: a < b,
        libsbml.AST_RELATIONAL_LEQ: lambda a, b: a <= b,
        libsbml.AST_RELATIONAL_EQ: lambda a, b: a == b,
        libsbml.AST_RELATIONAL_NEQ: lambda a, b: a != b,
    }
    if t in relations:
        return 1.0 if relations[t](ev(kids[0]), ev(kids[1])) else 0.0
    if t == libsbml.AST_FUNCTION_PIECEWISE:
        for i in range(0, len(kids) - 1, 2):
            if ev(kids[i + 1]) != 0.0:
                return ev(kids[i])
        if len(kids) % 2:
            return ev(kids[-1])
        raise ValueError("piecewise without a true condition and without otherwise")
    if t == libsbml.AST_FUNCTION:
        args, lam = funcs[node.getName()]
        inner = dict(env)
        inner.update({a: ev(k) for a, k in zip(args, kids, strict=True)})
        return _eval(lam.getChild(lam.getNumChildren() - 1), inner, funcs)
    raise ValueError(f"formula node {node.getName() or t} is not supported by the evaluator")


@cache
def _compiled_table() -> tuple[tuple[tuple[str, Any], ...], Mapping[str, tuple[list[str], Any]]]:
    funcs: dict[str, tuple[list[str], Any]] = {}
    for name, lam, _doc in FUNCTIONS:
        node = _parse(lam)
        n = node.getNumChildren()
        args = [node.getChild(i).getName() for i in range(n - 1)]
        funcs[name] = (args, node)  # the lambda: keep the parent alive (libsbml owns children)
    rows = tuple((row.target, _parse(row.math)) for row in FORMULAS)
    return rows, funcs


def formula_rates(
    y: Sequence[float] | FloatArray,
    q: Sequence[float] | FloatArray,
    u: Sequence[float] | FloatArray,
) -> tuple[FloatArray, FloatArray, dict[str, float]]:
    """Evaluate the exported right-hand side (:data:`FORMULAS`) in Python.

    Parameters
    ----------
    y : array_like, shape (N_STATES,)
        State, order of :data:`~somatosim.model.states.STATES`.
    q : array_like, shape (N_QCONST,)
        Subject constants, order of :data:`~somatosim.model.states.QCONST`.
    u : array_like, shape (N_INPUTS,)
        Inputs, order of :data:`~somatosim.model.states.INPUTS`.

    Returns
    -------
    prod, loss : numpy.ndarray, shape (N_STATES,)
        As filled by :func:`somatosim.model.equations.rates` (``dy/dt = prod - loss*y``).
    values : dict
        Every assigned quantity of the table by name (intermediate fluxes included).
    """
    rows, funcs = _compiled_table()
    env: dict[str, float] = {}
    env.update(zip(_STATE_NAMES, (float(v) for v in y), strict=True))
    env.update(zip(QCONST, (float(v) for v in q), strict=True))
    env.update(zip(INPUTS, (float(v) for v in u), strict=True))
    env.update({name: value for name, value, _unit, _doc in CONSTANTS})
    values: dict[str, float] = {}
    for target, node in rows:
        values[target] = env[target] = _eval(node, env, funcs)
    prod = np.array([values[f"prod_{s}"] for s in _STATE_NAMES], dtype=np.float64)
    loss = np.array([values[f"loss_{s}"] for s in _STATE_NAMES], dtype=np.float64)
    return prod, loss, values


# ---- building the document ----------------------------------------------------------------------
def _num(x: float) -> str:
    """Shortest round-trip text of a float for an SBML formula."""
    v = float(x)
    if not math.isfinite(v):
        raise SimulationError(f"cannot export the non-finite value {v}")
    return repr(v)


def _xhtml(
    *paragraphs: str, table: Iterable[Sequence[str]] | None = None, header: Sequence[str] = ()
) -> str:
    parts = [f'<body xmlns="{_XHTML}">']
    parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs if p]
    if table is not None:
        parts.append("<table>")
        if header:
            parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
        for row in table:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body>")
    return "".join(parts)


def _citations(keys: Iterable[str]) -> list[str]:
    out = []
    for key in keys:
        ref = REFERENCES.get(key)
        if ref is not None:
            doi = f" doi:{ref.doi}" if ref.doi else ""
            out.append(f"[{key}] {ref.citation}{doi}")
    return out


def _check(code: int, what: str) -> None:
    import libsbml

    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(
            f"libsbml could not {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


class _Builder:
    """Thin helper over a libsbml Model (ids, notes, annotations, units)."""

    def __init__(self, model_id: str, name: str) -> None:
        import libsbml

        self.sbml = libsbml
        self.doc = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
        self.model = self.doc.createModel()
        _check(self.model.setId(model_id), "set the model id")
        self.model.setName(name)
        self.model.setMetaId(f"meta_{model_id}")
        self.units: set[str] = set()

    def unit(self, text: str) -> str:
        uid = _unit_id(text)
        if text in _UNIT_DEFS and uid not in self.units:
            ud = self.model.createUnitDefinition()
            ud.setId(uid)
            ud.setName(text)
            for kind, exponent, scale, mult in _UNIT_DEFS[text][1]:
                unit = ud.createUnit()
                unit.setKind(getattr(self.sbml, f"UNIT_KIND_{kind}"))
                unit.setExponent(exponent)
                unit.setScale(scale)
                unit.setMultiplier(mult)
            self.units.add(uid)
        return uid

    def parameter(
        self,
        pid: str,
        value: float,
        unit: str,
        *,
        constant: bool,
        name: str = "",
        notes: str = "",
        sources: Iterable[str] = (),
        annotation: Mapping[str, str] | None = None,
    ) -> Any:
        p = self.model.createParameter()
        _check(p.setId(pid), f"use the id {pid!r}")
        p.setValue(float(value))
        p.setConstant(constant)
        p.setUnits(self.unit(unit))
        if name:
            p.setName(name)
        if notes:
            _check(p.setNotes(notes), f"set the notes of {pid}")
        dois = [REFERENCES[k].doi for k in sources if k in REFERENCES and REFERENCES[k].doi]
        if dois or annotation:
            p.setMetaId(f"meta_{pid}")
        for doi in dict.fromkeys(dois):
            cv = self.sbml.CVTerm()
            cv.setQualifierType(self.sbml.BIOLOGICAL_QUALIFIER)
            cv.setBiologicalQualifierType(self.sbml.BQB_IS_DESCRIBED_BY)
            cv.addResource(f"https://identifiers.org/doi:{doi}")
            _check(p.addCVTerm(cv), f"add a citation to {pid}")
        if annotation:
            attrs = " ".join(
                f'{k}="{html.escape(str(v), quote=True)}"' for k, v in annotation.items()
            )
            xml = f'<somatosim:info xmlns:somatosim="{ANNOTATION_NS}" {attrs}/>'
            _check(p.appendAnnotation(xml), f"annotate {pid}")
        return p

    def math(self, formula: str) -> Any:
        """Parse ``formula``; numbers without a unit become dimensionless."""
        node = _parse(formula)
        stack = [node]
        while stack:
            n = stack.pop()
            if n.isNumber() and not n.getUnits():
                n.setUnits("dimensionless")
            stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
        return node


def _model_id(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "scenario"
    return "somatosim_" + s


def schedule_to_sbml(
    schedule: Schedule,
    drive: VolleyDrive,
    params: ParameterSet | None = None,
    *,
    name: str = "scenario",
    description: str = "",
) -> str:
    """SBML text of the model with one prepared schedule's inputs and GHRH drive.

    Parameters
    ----------
    schedule : Schedule
        Must have no warm-up days (use :func:`~somatosim.engine.reference.
        verification_schedule`): the export integrates every day from ``schedule.y0``.
    drive : VolleyDrive
        GHRH volleys (minute, amplitude) replayed as events, from
        :func:`~somatosim.engine.reference.fast_drive` on the same schedule.
    params : ParameterSet, optional
        Parameter set the schedule was built with (default: the shipped set); only
        ``meal_ghrelin_drop`` and the documentation of the table rows are read here.
    name : str
        Scenario name (model id and title).
    description : str
        Free text for the model notes (scenario, seed, ...).

    Returns
    -------
    str
        An SBML Level 3 Version 2 document.
    """
    if schedule.warmup_days != 0:
        raise ValueError(
            "schedule_to_sbml() needs a schedule without warm-up days; pass "
            "verification_schedule(schedule) (and the drive of a fast run on it)"
        )
    p = params if params is not None else default_parameters()
    b = _Builder(_model_id(name), f"somatosim {__version__}: {name}")
    m = b.model
    m.setTimeUnits(b.unit("h"))
    m.setExtentUnits("dimensionless")
    m.setSubstanceUnits("dimensionless")

    total = schedule.total_minutes
    inputs = formula_inputs()
    u_all, _since = minute_inputs(schedule)
    in_col = [INPUTS.index(n) for n in inputs]

    # ---- discrete events by minute ------------------------------------------------------------
    meals: dict[int, float] = {}
    for t, frac in zip(schedule.meal_t, schedule.meal_frac, strict=True):
        if 0 <= int(t) < total:
            meals[int(t)] = meals.get(int(t), 0.0) + float(frac)
    doses: dict[int, list[float]] = {}
    for t, ug, kind in zip(schedule.dose_t, schedule.dose_ug, schedule.dose_kind, strict=True):
        if 0 <= int(t) < total:
            doses.setdefault(int(t), [0.0, 0.0])[int(kind)] += float(ug)
    volleys: dict[int, float] = {}
    for t, amp in zip(drive.minute, drive.amplitude, strict=True):
        if 0 <= int(t) < total:
            volleys[int(t)] = volleys.get(int(t), 0.0) + float(amp)

    y0 = np.asarray(schedule.y0, dtype=np.float64).copy()
    if 0 in meals:
        y0[GHR] *= math.exp(-p["meal_ghrelin_drop"] * meals.pop(0))
    if 0 in doses:
        d0 = doses.pop(0)
        y0[DS1] += d0[0]
        y0[LA] += d0[1]
    if 0 in volleys:
        y0[R] += volleys.pop(0)

    # ---- function definitions --------------------------------------------------------------------
    for fid, lam, doc in FUNCTIONS:
        fd = m.createFunctionDefinition()
        fd.setId(fid)
        fd.setName(doc)
        _check(fd.setMath(b.math(lam)), f"set the body of {fid}")

    # ---- states ----------------------------------------------------------------------------------
    for i, spec in enumerate(STATES):
        b.parameter(
            spec.name,
            y0[i],
            spec.unit,
            constant=False,
            name=spec.description,
            notes=_xhtml(
                f"State ({spec.mechanism}): {spec.description} [{spec.unit}].",
                f"d{spec.name}/dt = prod_{spec.name} - loss_{spec.name} * {spec.name}",
            ),
        )

    # ---- subject constants ---------------------------------------------------------------------
    sources = qconst_sources()
    q = np.asarray(schedule.q, dtype=np.float64)
    for i, qname in enumerate(QCONST):
        rows = [PARAMETERS[PARAMETER_INDEX[r]] for r in sources[qname]]
        keys = list(dict.fromkeys(k for r in rows for k in r.sources))
        same = qname in PARAMETER_INDEX and sources[qname] == (qname,)
        if same:
            row_q = PARAMETERS[PARAMETER_INDEX[qname]]
            lead = f"{row_q.description} ({row_q.mechanism})."
        else:
            lead = (
                f"Subject constant derived by somatosim.model.covariates.individualize from "
                f"the parameter-table rows {', '.join(sources[qname]) or '(none)'} and the "
                "subject's covariates."
            )
        b.parameter(
            qname,
            q[i],
            qconst_unit(qname),
            constant=True,
            name=qname,
            sources=keys,
            notes=_xhtml(
                lead,
                f"Unit: {qconst_unit(qname)}.",
                *_citations(keys),
                header=("table row", "value", "unit", "range", "sources"),
                table=[
                    (r.name, _num(p[r.name]), r.unit, f"{r.lower:g}-{r.upper:g}", r.source)
                    for r in rows
                ],
            ),
            annotation={
                "unit": qconst_unit(qname),
                "table_rows": ";".join(sources[qname]),
                "lower": ";".join(f"{r.lower:g}" for r in rows),
                "upper": ";".join(f"{r.upper:g}" for r in rows),
                "sources": ";".join(keys),
                "mechanisms": ";".join(dict.fromkeys(r.mechanism for r in rows)),
            },
        )
    for cid, value, unit, doc in CONSTANTS:
        b.parameter(cid, value, unit, constant=True, name=doc, notes=_xhtml(doc))
    drop = PARAMETERS[PARAMETER_INDEX["meal_ghrelin_drop"]]
    b.parameter(
        "meal_ghrelin_drop",
        p["meal_ghrelin_drop"],
        drop.unit,
        constant=True,
        name=drop.description,
        sources=drop.sources,
        notes=_xhtml(
            f"{drop.description} ({drop.mechanism}); used by the meal events: "
            "ghrelin = ghrelin * exp(-meal_ghrelin_drop * meal fraction).",
            f"Range {drop.lower:g}-{drop.upper:g}.",
            *_citations(drop.sources),
        ),
        annotation={
            "unit": drop.unit,
            "table_rows": drop.name,
            "lower": f"{drop.lower:g}",
            "upper": f"{drop.upper:g}",
            "sources": drop.source,
            "mechanisms": drop.mechanism,
        },
    )

    # ---- inputs ------------------------------------------------------------------------------------
    for name_i, col in zip(inputs, in_col, strict=True):
        unit, doc = _INPUT_INFO[name_i]
        b.parameter(
            name_i,
            u_all[0, col],
            unit,
            constant=False,
            name=doc,
            notes=_xhtml(
                f"Input: {doc} [{unit}]; piecewise constant per minute, changed by the events."
            ),
        )

    # ---- the formula table ------------------------------------------------------------------------
    for row in FORMULAS:
        b.parameter(
            row.target,
            0.0,
            row.unit,
            constant=False,
            name=row.note,
            notes=_xhtml(f"{row.target} = {row.math}", row.note, *_citations(row.sources)),
        )
        rule = m.createAssignmentRule()
        rule.setVariable(row.target)
        _check(rule.setMath(b.math(row.math)), f"set the rule of {row.target}")
    for spec_s in STATES:
        rr = m.createRateRule()
        rr.setVariable(spec_s.name)
        _check(
            rr.setMath(b.math(f"prod_{spec_s.name} - loss_{spec_s.name} * {spec_s.name}")),
            f"set the rate rule of {spec_s.name}",
        )

    # ---- events ---------------------------------------------------------------------------------------
    changed = np.zeros(total, dtype=bool)
    if total > 1:
        changed[1:] = np.any(u_all[1:, in_col] != u_all[:-1, in_col], axis=1)
    minutes = sorted(set(np.flatnonzero(changed).tolist()) | set(meals) | set(doses) | set(volleys))
    n_events = {"input": 0, "meal": 0, "dose": 0, "volley": 0}
    for k in minutes:
        assignments: list[tuple[str, str]] = []
        what: list[str] = []
        if changed[k]:
            for name_i, col in zip(inputs, in_col, strict=True):
                if u_all[k, col] != u_all[k - 1, col]:
                    unit = _unit_id(_INPUT_INFO[name_i][0])
                    assignments.append((name_i, f"{_num(u_all[k, col])} {unit}"))
            what.append("inputs")
            n_events["input"] += 1
        if k in meals:
            assignments.append(("ghrelin", f"ghrelin * exp(-meal_ghrelin_drop * {_num(meals[k])})"))
            what.append("meal")
            n_events["meal"] += 1
        if k in doses:
            sc, lagh = doses[k]
            if sc:
                assignments.append(("sc_depot", f"sc_depot + {_num(sc)} ug"))
            if lagh:
                assignments.append(("lagh_depot", f"lagh_depot + {_num(lagh)} ug"))
            what.append("dose")
            n_events["dose"] += 1
        if k in volleys:
            assignments.append(("ghrh", f"ghrh + {_num(volleys[k])} pg_per_mL"))
            what.append("GHRH volley")
            n_events["volley"] += 1
        if not assignments:
            continue
        day, minute = divmod(k, MIN_PER_DAY)
        ev = m.createEvent()
        ev.setId(f"e_d{day}_{minute // 60:02d}{minute % 60:02d}")
        ev.setName(f"day {day} {minute // 60:02d}:{minute % 60:02d}: {', '.join(what)}")
        ev.setUseValuesFromTriggerTime(True)
        trig = ev.createTrigger()
        trig.setInitialValue(True)
        trig.setPersistent(True)
        _check(trig.setMath(b.math(f"time >= {_num(k * DT_H)} hour")), "set an event trigger")
        for var, formula in assignments:
            ea = ev.createEventAssignment()
            ea.setVariable(var)
            _check(ea.setMath(b.math(formula)), f"set an event assignment of {var}")

    # ---- model notes -------------------------------------------------------------------------------
    used_rows = {r for rows in qconst_sources().values() for r in rows} | {"meal_ghrelin_drop"}
    other = [spec_t for spec_t in PARAMETERS if spec_t.name not in used_rows]
    _check(
        m.setNotes(
            _xhtml(
                f"somatosim {__version__}: the human GH-IGF-1 axis (mechanisms M1-M12) with the inputs "
                f"of one subject. {description}",
                f"Time in hours; t = 0 is 00:00 of the first of {schedule.days} simulated days "
                "(the engine's warm-up days are ordinary days here).",
                "Every state X obeys dX/dt = prod_X - loss_X * X (rate rules); prod_X, loss_X and the "
                "named fluxes are assignment rules mirroring somatosim.model.equations.rates line by "
                "line.",
                "Inputs are piecewise constant per minute and change by events; GHRH volleys are the "
                "volleys drawn by somatosim's fast engine for this scenario and seed "
                f"({n_events['volley']} volleys, {n_events['meal']} meals, {n_events['dose']} doses, "
                f"{n_events['input']} input changes).",
                "Parameter-table rows that act through the inputs, the event amounts or the volley "
                "process (not through a formula of this document):",
                header=("row", "value", "unit", "range", "mechanism", "sources", "description"),
                table=[
                    (
                        s.name,
                        _num(p[s.name]),
                        s.unit,
                        f"{s.lower:g}-{s.upper:g}",
                        s.mechanism,
                        s.source,
                        s.description,
                    )
                    for s in other
                ],
            )
        ),
        "set the model notes",
    )

    text: str = b.sbml.writeSBMLToString(b.doc)
    return text


def _resolve(scenario: Scenario | Mapping[str, Any]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.model_validate(scenario)


def _prepare(
    scenario: Scenario | Mapping[str, Any], seed: int | None, params: ParameterSet | None
) -> tuple[Scenario, int, ParameterSet, Schedule]:
    sc = _resolve(scenario)
    p = params if params is not None else default_parameters()
    sd = sc.seed if seed is None else int(seed)
    sched = verification_schedule(build_schedule(sc, p, sd))
    return sc, sd, p, sched


def _describe(sc: Scenario, seed: int, warmup_days: int) -> str:
    s = sc.subject
    return (
        f"Scenario {sc.name!r}, seed {seed}: {sc.days} day(s) after {warmup_days} warm-up "
        f"day(s) (the scenario's day 0 starts at t = {24 * warmup_days} h); subject "
        f"{s.age_years:g} y, {s.sex}, {s.weight:g} kg, GH reserve {s.gh_reserve:g}."
    )


def export_sbml(
    scenario: Scenario | Mapping[str, Any],
    seed: int | None = None,
    params: ParameterSet | None = None,
) -> str:
    """Export the model with one scenario's inputs for one seed as SBML Level 3.

    Runs the fast engine once to obtain the realised GHRH drive, then writes the model
    equations, the subject constants, the inputs and the events (see the module docstring).

    Parameters
    ----------
    scenario : Scenario or dict
        What to export.
    seed : int, optional
        Overrides ``scenario.seed`` (the GHRH volley process).
    params : ParameterSet, optional
        Model parameters (default: the shipped set).

    Returns
    -------
    str
        The SBML document. It covers the scenario's warm-up days plus its days; time 0 is
        00:00 of the first warm-up day.
    """
    sc, sd, p, sched = _prepare(scenario, seed, params)
    _run, drive = fast_drive(sched, p, record_timeseries=False)
    warm = sched.days - sc.days
    return schedule_to_sbml(sched, drive, p, name=sc.name, description=_describe(sc, sd, warm))


def write_sbml(
    path: str | Path,
    scenario: Scenario | Mapping[str, Any],
    seed: int | None = None,
    params: ParameterSet | None = None,
) -> Path:
    """Export (as :func:`export_sbml`) and write the document atomically.

    Parameters
    ----------
    path : str or Path
        Output file (parent directories are created).
    scenario, seed, params
        As for :func:`export_sbml`.

    Returns
    -------
    Path
        The written file.
    """
    from somatosim.scenario.io import atomic_write_text

    out = Path(path)
    if out.is_dir():
        raise InputError(f"{out} is a directory; give the path of the SBML file to write")
    atomic_write_text(out, export_sbml(scenario, seed, params))
    return out


# ---- libRoadRunner ------------------------------------------------------------------------------
def _with_areas(sbml: str, states: Sequence[str]) -> str:
    """A copy of ``sbml`` with cumulative areas ``area_<state>`` (rate rules) added."""
    import libsbml

    doc = libsbml.readSBMLFromString(sbml)
    m = doc.getModel()
    for s in states:
        par = m.createParameter()
        par.setId(f"area_{s}")
        par.setValue(0.0)
        par.setConstant(False)
        rule = m.createRateRule()
        rule.setVariable(f"area_{s}")
        rule.setMath(libsbml.parseL3Formula(s))
    text: str = libsbml.writeSBMLToString(doc)
    return text


def load_roadrunner(sbml: str, rtol: float = 1e-8, atol: float = 1e-10) -> Any:
    """Load an exported document into libRoadRunner with CVODE tolerances set.

    Parameters
    ----------
    sbml : str
        SBML text (from :func:`export_sbml`).
    rtol : float
        Relative tolerance.
    atol : float
        Absolute tolerance, the same for every state (set as a vector, see below).

    Returns
    -------
    roadrunner.RoadRunner
    """
    import roadrunner

    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
    rr = roadrunner.RoadRunner(sbml)
    integ = rr.getIntegrator()
    integ.setValue("relative_tolerance", rtol)
    # A vector, not a scalar: with a scalar, roadrunner scales each state's absolute tolerance
    # by its current value at every event, and states that decayed to ~1e-88 (slow-wave sleep
    # during the day) then force CVODE into steps below the resolution of t.
    n = len(rr.getRateRuleIds()) + int(rr.model.getNumFloatingSpecies())
    integ.setValue("absolute_tolerance", [float(atol)] * n)
    integ.setValue("maximum_num_steps", 100_000)
    return rr


def roadrunner_timecourse(
    sbml: str | Any,
    days: int,
    *,
    save_every_min: int = 5,
    selections: Sequence[str] = ("time", "gh", "igf1_total"),
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> FloatArray:
    """Simulate an exported document (or a loaded ``RoadRunner``) with libRoadRunner.

    Parameters
    ----------
    sbml : str or roadrunner.RoadRunner
        Exported SBML text, or an instance loaded from it (reset to its initial state first).
    days : int
        Horizon from t = 0, days.
    save_every_min : int
        Output grid, minutes.
    selections : sequence of str
        Ids to record (``"time"``, states, inputs, fluxes).
    rtol, atol : float
        CVODE tolerances.

    Returns
    -------
    numpy.ndarray, shape (days * 1440 // save_every_min + 1, len(selections))
    """
    if isinstance(sbml, str):
        rr = load_roadrunner(sbml, rtol, atol)
    else:
        rr = sbml
        rr.resetAll()
    rr.timeCourseSelections = list(selections)
    n = days * MIN_PER_DAY // save_every_min
    out = rr.simulate(0.0, n * save_every_min / 60.0, n + 1)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class RoadRunnerComparison:
    """libRoadRunner on the exported SBML against the fast engine on the same schedule.

    Attributes
    ----------
    fast : RawRun
        The fast engine's run on the verification schedule (warm-up days recorded).
    first_day : int
        Index of the scenario's day 0 in the daily arrays.
    igf1_mean_fast, igf1_mean_roadrunner : numpy.ndarray
        Daily mean IGF-1, ng/mL, every simulated day.
    gh_area_fast, gh_area_roadrunner : numpy.ndarray
        24-h GH area, ng/mL·h, every simulated day.
    """

    fast: RawRun
    first_day: int
    igf1_mean_fast: FloatArray
    igf1_mean_roadrunner: FloatArray
    gh_area_fast: FloatArray
    gh_area_roadrunner: FloatArray

    @property
    def igf1_mean_rel_diff(self) -> FloatArray:
        """Per day, ``|fast - roadrunner| / roadrunner`` of the IGF-1 daily mean."""
        return np.abs(self.igf1_mean_fast - self.igf1_mean_roadrunner) / self.igf1_mean_roadrunner

    @property
    def gh_area_rel_diff(self) -> FloatArray:
        """Per day, ``|fast - roadrunner| / roadrunner`` of the 24-h GH area."""
        return np.abs(self.gh_area_fast - self.gh_area_roadrunner) / self.gh_area_roadrunner

    @property
    def max_igf1_mean_rel_diff(self) -> float:
        """Largest IGF-1 difference over the scenario's days."""
        return float(np.max(self.igf1_mean_rel_diff[self.first_day :]))

    @property
    def max_gh_area_rel_diff(self) -> float:
        """Largest GH-area difference over the scenario's days."""
        return float(np.max(self.gh_area_rel_diff[self.first_day :]))


def compare_roadrunner(
    scenario: Scenario | Mapping[str, Any],
    seed: int | None = None,
    params: ParameterSet | None = None,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> RoadRunnerComparison:
    """Export a scenario, simulate it with libRoadRunner and compare with the fast engine.

    Both run the verification schedule (warm-up days as ordinary days) with the same GHRH
    drive. Daily areas are integrated exactly by roadrunner (cumulative-area rate rules added
    to a copy of the export); the fast engine's are its 1-minute sums.

    Parameters
    ----------
    scenario : Scenario or dict
        What to compare.
    seed : int, optional
        Overrides ``scenario.seed``.
    params : ParameterSet, optional
        Model parameters (default: the shipped set).
    rtol, atol : float
        CVODE tolerances.

    Returns
    -------
    RoadRunnerComparison
    """
    sc, sd, p, sched = _prepare(scenario, seed, params)
    fast, drive = fast_drive(sched, p, record_timeseries=False)
    warm = sched.days - sc.days
    sbml = schedule_to_sbml(sched, drive, p, name=sc.name, description=_describe(sc, sd, warm))
    sbml = _with_areas(sbml, ("gh", "igf1_total"))
    days = sched.days
    tc = roadrunner_timecourse(
        sbml,
        days,
        save_every_min=MIN_PER_DAY,
        selections=("time", "area_gh", "area_igf1_total"),
        rtol=rtol,
        atol=atol,
    )
    if not np.all(np.isfinite(tc)):
        raise SimulationError("libRoadRunner returned non-finite values for the exported model")
    col = {f: i for i, f in enumerate(DAILY_FIELDS)}
    return RoadRunnerComparison(
        fast=fast,
        first_day=warm,
        igf1_mean_fast=fast.daily[:, col["igf1_area"]] / 24.0,
        igf1_mean_roadrunner=np.diff(tc[:, 2]) / 24.0,
        gh_area_fast=fast.daily[:, col["gh_area"]].copy(),
        gh_area_roadrunner=np.diff(tc[:, 1]),
    )


assert len(_STATE_NAMES) == N_STATES
