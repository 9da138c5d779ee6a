"""The parameter table: the one place where every physiological constant lives.

Each row has a value, a unit, a plausible range (also the calibration bounds), a description,
the mechanism it belongs to (DESIGN.md M1-M12) and a source key into
:mod:`somatosim.model.references`. Docs, ``somatosim params``, calibration bounds and the SBML
export read from :data:`PARAMETERS`; nothing else in the code base holds a physiological
number.

The values written in the table below are the literature (prior) values. ``somatosim
calibrate`` fits a subset of them to the validation cases and writes
``somatosim/data/calibrated_parameters.json``; when that file ships, :data:`PARAMETERS` carries
the calibrated value in ``value`` and keeps the written one in ``literature`` (for every row
whose written value still equals the file's ``literature`` entry, so an edited row wins over a
stale calibration). The shipped model is the calibrated one; :func:`literature_parameters`
returns the written values.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import numpy as np

from somatosim.model.references import REFERENCES

__all__ = [
    "CALIBRATION_ENV",
    "CALIBRATION_FILE",
    "CALIBRATION_IN_USE",
    "PARAMETERS",
    "PARAMETER_INDEX",
    "ParameterSet",
    "ParameterSpec",
    "calibrated_value_problem",
    "default_parameters",
    "literature_parameters",
]


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One row of the parameter table."""

    name: str
    value: float
    unit: str
    lower: float
    upper: float
    description: str
    source: str
    mechanism: str
    literature: float | None = None
    """The table's written (literature) value when calibration changed ``value``, else None."""
    informed_by: tuple[str, ...] = ()
    """Validation cases that inform the calibrated value (from the calibration's Jacobian)."""

    def __post_init__(self) -> None:
        if not self.lower <= self.value <= self.upper:
            raise ValueError(
                f"parameter {self.name}={self.value} outside [{self.lower}, {self.upper}]"
            )
        for key in self.source.split(";"):
            if key.strip() not in REFERENCES:
                raise ValueError(f"parameter {self.name}: unknown source key {key!r}")

    @property
    def sources(self) -> tuple[str, ...]:
        """Source keys (a row may name several, separated by ';')."""
        return tuple(k.strip() for k in self.source.split(";"))


def _p(
    name: str,
    value: float,
    unit: str,
    bounds: tuple[float, float],
    description: str,
    source: str,
    mechanism: str,
) -> ParameterSpec:
    return ParameterSpec(name, value, unit, bounds[0], bounds[1], description, source, mechanism)


# fmt: off
_TABLE: tuple[ParameterSpec, ...] = (
    # --- M1 hypothalamus: stochastic GHRH drive and somatostatin tone -------------------------
    _p("ghrh_rate", 0.8, "1/h", (0.4, 3.0),
       "mean rate of GHRH neuronal volleys (time-rescaled renewal process) at reference tone; "
       "calibrated to 10-16 secretory bursts/24 h", "MacGregor2005;Hartman1992", "M1"),
    _p("ghrh_rate_max", 10.0, "1/h", (4.0, 30.0),
       "ceiling of the GHRH volley rate (neuronal refractoriness: at most one volley every "
       "few minutes)", "MacGregor2005", "M1"),
    _p("ghrh_regularity", 2.0, "1", (1.0, 6.0),
       "shape of the gamma-distributed interval between GHRH volleys (1 = Poisson)",
       "Keenan2001", "M1"),
    _p("ghrh_amp", 450.0, "pg/mL", (100.0, 3000.0),
       "mean GHRH portal concentration jump per volley", "Farhy2007;somatosim", "M1"),
    _p("ghrh_amp_cv", 0.5, "1", (0.1, 1.2),
       "log-normal SD of the GHRH volley amplitude", "Keenan1998", "M1"),
    _p("k_ghrh", 6.0, "1/h", (2.0, 40.0),
       "GHRH portal elimination rate (t1/2 about 7 min)", "Farhy2007;somatosim", "M1"),
    _p("ghrh_tonic", 60.0, "pg/mL", (0.0, 300.0),
       "tonic (between-volley) GHRH level", "Farhy2007", "M1"),
    _p("circ_amp", 0.15, "1", (0.0, 0.8),
       "relative amplitude of the circadian modulation of GHRH volley rate",
       "Spiegel2000;Brandenberger2004", "M3"),
    _p("circ_peak_h", 23.5, "h", (18.0, 27.0),
       "clock time of maximal circadian GHRH drive (pre-sleep 'circadian' pulse)",
       "Spiegel2000", "M3"),
    _p("k_sst", 25.0, "1/h", (5.0, 60.0),
       "somatostatin elimination rate", "Farhy2007", "M1"),
    _p("sst_basal", 12.0, "pg/mL", (2.0, 60.0),
       "basal somatostatin tone (without GH/IGF-1 feedback)", "Farhy2007;somatosim", "M1"),
    _p("sst_gh_gain", 30.0, "pg/mL", (0.0, 120.0),
       "maximal somatostatin rise driven by delayed GH (autofeedback)", "Farhy2001;Farhy2007", "M1"),
    _p("sst_gh_half", 6.0, "ng/mL", (0.5, 30.0),
       "delayed GH giving half-maximal somatostatin autofeedback", "Farhy2007", "M1"),
    _p("gh_feedback_delay_h", 0.75, "h", (0.2, 2.0),
       "mean delay of GH feedback onto somatostatin (two-stage chain)", "Farhy2001;MacGregor2005",
       "M1"),
    _p("sst_igf_gain", 14.0, "pg/mL", (0.0, 80.0),
       "somatostatin rise per unit of normalised free IGF-1 feedback", "Hartman1993;Bermann1994",
       "M8"),
    _p("sst_thresh", 18.0, "pg/mL", (2.0, 80.0),
       "somatostatin giving half-inhibition of pituitary GH release", "Farhy2007;somatosim", "M1"),
    _p("sst_ghrh_thresh", 30.0, "pg/mL", (5.0, 120.0),
       "somatostatin halving the GHRH volley rate (inhibition of GHRH neurones)",
       "Farhy2007;MacGregor2005", "M1"),
    _p("female_ghrh_rate_factor", 1.0, "1", (1.0, 2.0),
       "GHRH volley rate of premenopausal women relative to men (more, more irregular bursts)",
       "Ho1987;Farhy2002", "M2"),
    _p("female_regularity_factor", 0.7, "1", (0.3, 1.0),
       "regularity of GHRH volley intervals in premenopausal women relative to men "
       "(higher approximate entropy)", "Farhy2002", "M2"),
    _p("female_ghrh_potency", 0.95, "1", (0.6, 1.0),
       "GHRH half-effect concentration of women relative to men (t1 357 vs 400 pg/mL)",
       "Farhy2007", "M2"),
    _p("female_sst_gh_factor", 0.9, "1", (0.2, 1.0),
       "weaker GH autofeedback on somatostatin in premenopausal women",
       "Farhy2002", "M2"),
    # --- M2 pituitary -------------------------------------------------------------------------
    _p("pool_capacity", 145.0, "µg", (20.0, 400.0),
       "releasable GH pool of a healthy 20-year-old man (scaled by age, sex, adiposity, "
       "reserve)", "Hartman1992;somatosim", "M2"),
    _p("k_refill", 0.5, "1/h", (0.1, 3.0),
       "refilling rate of the releasable pool", "MacGregor2005;somatosim", "M2"),
    _p("k_release", 14.0, "1/h", (2.0, 60.0),
       "maximal fractional release rate of the pool under full GHRH stimulation",
       "MacGregor2005;somatosim", "M2"),
    _p("refill_srif_gain", 10.0, "1", (0.0, 20.0),
       "extra refilling of the releasable pool from the reserve store when somatostatin is "
       "withdrawn: refilling is k_refill x (1 + gain x SRIF block), so it is fastest in "
       "slow-wave sleep and under arginine (so healthy GHRH + arginine peaks lie well above the "
       "diagnostic cut-off)",
       "MacGregor2005;AlbaRoth1988;somatosim", "M2"),
    _p("ghrh_thresh", 400.0, "pg/mL", (100.0, 1500.0),
       "GHRH giving half-maximal pituitary stimulation (t1)", "Farhy2007", "M2"),
    _p("k_basal_release", 0.03, "1/h", (0.0, 0.3),
       "basal (non-pulsatile) fractional release rate", "Keenan1998;Roelfsema2016", "M2"),
    _p("age_decline_per_decade", 0.11, "1", (0.0, 0.3),
       "fractional decline of pituitary GH capacity per decade after 20 y (the hypothalamic "
       "changes, sst_age_rise_per_decade and ghrh_age_decline_per_decade, and the SWS decline "
       "add to it; total GH decline about 14 %/decade)", "Iranmanesh1991", "M11"),
    _p("ghrh_age_decline_per_decade", 0.0, "1", (0.0, 0.4),
       "fractional decline per decade after 20 y of the hypothalamic GHRH drive: volley "
       "amplitude and the basal release that GHRH tone sustains (exogenous GHRH bypasses it)",
       "Ghigo1990;somatosim", "M11"),
    _p("sst_age_rise_per_decade", 0.0, "1", (0.0, 0.5),
       "fractional rise of basal somatostatin tone per decade after 20 y (the hypothalamic "
       "share of the age decline of GH: arginine withdraws somatostatin, so GHRH + arginine "
       "responses do not fall with age)", "Ghigo1990;somatosim", "M11"),
    _p("postpubertal_boost", 0.8, "1", (0.0, 1.5),
       "extra GH capacity at 18 y fading after puberty (steep IGF-1 fall from 20 to 30 y)",
       "AlbertssonWikland1994;Hoerenz2022", "M11"),
    _p("postpubertal_tau", 4.0, "years", (2.0, 12.0),
       "time constant of the post-pubertal fade of GH capacity",
       "AlbertssonWikland1994;Hoerenz2022", "M11"),
    _p("female_capacity_factor", 1.0, "1", (0.8, 2.5),
       "GH capacity of premenopausal women relative to men", "Ho1987;Roelfsema2016", "M2"),
    _p("female_capacity_factor_post", 1.0, "1", (0.5, 1.2),
       "GH capacity of postmenopausal women relative to men of the same age (older men keep "
       "estradiol aromatised from testosterone; women lose it at the menopause)",
       "Roelfsema2016;Khosla1998", "M2"),
    _p("menopause_age", 50.0, "years", (42.0, 58.0),
       "age at which the female GH advantage disappears", "Roelfsema2016", "M2"),
    _p("fat_capacity_slope", 0.025, "1/%", (0.0, 0.08),
       "fractional fall of GH capacity per % body fat above the sex reference",
       "Veldhuis1995", "M2"),
    _p("fat_ref_male", 18.0, "%", (10.0, 30.0), "reference body fat, men", "Veldhuis1995", "M2"),
    _p("fat_ref_female", 28.0, "%", (18.0, 40.0), "reference body fat, women", "Veldhuis1995", "M2"),
    _p("ghrelin_release_gain", 2.0, "1", (0.0, 3.0),
       "gain of ghrelin (above fed level) on pituitary release (antagonises somatostatin)",
       "Farhy2007;Hartman1992", "M6"),
    # --- M4 GH kinetics ------------------------------------------------------------------------
    _p("gh_halflife_min", 18.0, "min", (10.0, 26.0),
       "plasma GH elimination half-life in the reference man (78 kg, 177 cm)",
       "Holl1993;Hartman1992", "M4"),
    _p("gh_clearance_sat_ratio", 1.4, "1", (0.0, 3.0),
       "GH-receptor-mediated (saturable) over non-saturable GH clearance as GH tends to 0: "
       "steady-state t1/2 9, 12, 15 min at GH 0.5, 2.1, 7.5 µg/L", "Shah1999", "M4"),
    _p("gh_clearance_km", 1.1, "ng/mL", (0.3, 5.0),
       "GH concentration at which the receptor-mediated clearance is half-saturated",
       "Shah1999", "M4"),
    _p("gh_volume_l_per_kg", 0.07, "L/kg", (0.05, 0.09),
       "GH distribution volume", "Shah1999;SomatropinLabel", "M4"),
    _p("release_halflife_min", 6.0, "min", (2.0, 15.0),
       "half-life of the secretory release compartment shaping each burst",
       "Klerman2003;somatosim", "M4"),
    _p("burst_detect_mass_ug", 3.0, "µg", (0.5, 20.0),
       "secreted mass above which a secretory burst is counted as a pulse (about 10 % of the "
       "mean burst mass of young men)", "Hartman1992", "M1"),
    # --- M3 sleep -------------------------------------------------------------------------------
    _p("sp_tau_wake_h", 18.2, "h", (10.0, 30.0),
       "rise time constant of sleep pressure (process S) while awake", "Borbely1982", "M3"),
    _p("sp_tau_sleep_h", 4.2, "h", (2.0, 8.0),
       "decay time constant of sleep pressure while asleep", "Borbely1982", "M3"),
    _p("sws_threshold", 0.22, "1", (0.0, 0.6),
       "sleep pressure below which no slow-wave sleep occurs", "Borbely1982;somatosim", "M3"),
    _p("sws_span", 0.4, "1", (0.1, 1.0),
       "sleep-pressure span from no to full slow-wave intensity", "Borbely1982;somatosim", "M3"),
    _p("sws_age_half", 34.0, "years", (25.0, 80.0),
       "age at which the age-dependent part of slow-wave sleep intensity is half that at 18 y; "
       "with sws_age_hill 5 and sws_age_floor 0.12, averaged over each age group, the intensity "
       "relative to 16-25 y is 0.23 at 36-50 y and 0.12 at 71-83 y, against slow-wave sleep of "
       "18.9 % of the night at 16-25 y, 3.4 % (0.18 ± 0.05 of it) at 36-50 y and no "
       "significant further fall at 71-83 y in 149 healthy men",
       "VanCauter2000", "M11"),
    _p("sws_age_half_female", 55.0, "years", (25.0, 80.0),
       "women's sws_age_half: women keep more slow-wave sleep than men (6.7 points more of the "
       "night; 106 % more) and theirs does not fall measurably with age from 37 to 92 y, while "
       "men's falls by 1.9 points per decade; the value is a judgement (later than men's, "
       "within the range the women of these cohorts cover)",
       "Walsleben2004;Redline2004;somatosim", "M11"),
    _p("sws_age_hill", 5.0, "1", (1.0, 8.0),
       "steepness (Hill exponent) of the age fall of slow-wave sleep intensity: most of it "
       "happens between 25 and 45 y", "VanCauter2000", "M11"),
    _p("sws_age_floor", 0.12, "1", (0.0, 0.4),
       "slow-wave sleep intensity kept in late life, relative to 18 y (no significant fall of "
       "slow-wave sleep from midlife to 71-83 y)", "VanCauter2000", "M11"),
    _p("k_sws", 12.0, "1/h", (2.0, 30.0), "slow-wave intensity adjustment rate",
       "somatosim", "M3"),
    _p("sws_sst_withdrawal", 0.9, "1", (0.0, 0.95),
       "fractional withdrawal of basal somatostatin at full slow-wave intensity",
       "VanCauter2000;Brandenberger2004", "M3"),
    _p("wake_sst_increase", 1.75, "1", (0.0, 2.0),
       "fractional rise of basal somatostatin tone while awake (sleep-related GH release)",
       "VanCauter2000;Brandenberger2004", "M3"),
    _p("sws_ghrh_rate_gain", 2.0, "1", (0.0, 6.0),
       "gain of slow-wave intensity on GHRH volley rate", "VanCauter2000", "M3"),
    _p("sws_ghrh_amp_gain", 4.0, "1", (0.0, 5.0),
       "gain of slow-wave intensity on GHRH volley amplitude", "VanCauter2000", "M3"),
    # --- M5 liver ------------------------------------------------------------------------------
    _p("k_hep", 0.1, "1/h", (0.05, 2.0),
       "hepatic GH-receptor signal rate: how fast IGF-1 synthesis follows plasma GH (the "
       "Papathanasiou PD acts on plasma GH directly)", "Papathanasiou2021;Sun1999;somatosim",
       "M5"),
    _p("gh_ec50", 2.13, "ng/mL", (0.5, 8.0),
       "plasma GH giving half-maximal hepatic signal", "Papathanasiou2021", "M5"),
    _p("igf_kin0", 1.55, "ng/mL/h", (0.3, 4.0),
       "GH-independent IGF-1 production (Papathanasiou Kin0 0.949 rescaled to the binding-"
       "dependent clearance)", "Papathanasiou2021;somatosim", "M5"),
    _p("igf_emax", 27.5, "ng/mL/h", (5.0, 60.0),
       "maximal GH-driven IGF-1 production (Papathanasiou Emax 15.1 rescaled)",
       "Papathanasiou2021;somatosim", "M5"),
    _p("hep_age_decline_per_decade", 0.05, "1", (0.0, 0.15),
       "fractional decline of hepatic responsiveness per decade after 20 y", "somatosim", "M11"),
    _p("female_hep_factor", 0.66, "1", (0.5, 1.1),
       "hepatic GH responsiveness of premenopausal women (endogenous estradiol)",
       "Ho1987;Hoerenz2022", "M5"),
    _p("female_hep_factor_post", 0.7, "1", (0.5, 1.1),
       "hepatic GH responsiveness of postmenopausal women relative to men",
       "Hoerenz2022;Roelfsema2016", "M5"),
    _p("oral_estrogen_hep_factor", 0.72, "1", (0.4, 1.0),
       "hepatic GH responsiveness on oral estrogen (first-pass)", "Kelly1993;Wolthers2001", "M5"),
    # --- M8 IGF-1 binding and clearance ------------------------------------------------------------
    _p("k_igf_ternary", 0.0145, "1/h", (0.005, 0.04),
       "clearance rate of IGF-1 held in the ternary complex", "Grahnen1993;somatosim", "M8"),
    _p("k_igf_other", 0.115, "1/h", (0.05, 0.3),
       "clearance rate of IGF-1 outside the ternary complex (t1/2 about 6 h in GH-receptor "
       "deficiency)", "Grahnen1993", "M8"),
    _p("ternary_max", 0.9, "1", (0.6, 0.98),
       "maximal ternary-complex share of IGF-1", "Baxter1989", "M8"),
    _p("bp3_half", 0.6, "mg/L", (0.1, 3.0),
       "IGFBP-3/ALS capacity giving half the maximal ternary share", "Baxter1989;somatosim", "M8"),
    _p("bp3_ref", 3.6, "mg/L", (2.5, 5.0),
       "IGFBP-3 of healthy adults", "Jorgensen1994", "M8"),
    _p("k_bp3", 0.025, "1/h", (0.01, 0.2),
       "IGFBP-3/ALS turnover rate (rises within a day of GH)", "Baxter1989;somatosim", "M8"),
    _p("bp3_gate_exponent", 1.0, "1", (0.0, 1.0),
       "exponent of the nutritional gate on IGFBP-3/ALS synthesis (1: gated as IGF-1; below "
       "1: IGFBP-3 falls less than IGF-1 on a low-protein diet, so the IGF-1:IGFBP-3 ratio "
       "and free IGF-1 follow protein intake)", "Fontana2008;Beasley2014", "M5"),
    _p("bp3_gh_independent", 0.35, "1", (0.0, 0.8),
       "share of IGFBP-3/ALS synthesis that does not depend on GH", "Baxter1989", "M8"),
    _p("free_fraction_ref", 0.0065, "1", (0.002, 0.02),
       "free share of total IGF-1 at the reference IGF-1:IGFBP-3 ratio", "Frystyk1994", "M8"),
    _p("free_ratio_exponent", 2.0, "1", (1.0, 4.0),
       "steepness of the free share with the IGF-1:IGFBP-3 molar ratio", "Frystyk1994;somatosim",
       "M8"),
    _p("igf2_nmol_l", 80.0, "nmol/L", (40.0, 120.0),
       "IGF-2 competing for IGFBP-3 (held constant)", "Jorgensen1994", "M8"),
    _p("k_free_effect", 2.0, "1/h", (0.5, 6.0),
       "rate of the free IGF-1 feedback effect compartment (t1/2 about 20 min)",
       "Hartman1993", "M8"),
    _p("free_igf_ref", 1.55, "ng/mL", (0.5, 3.0),
       "reference free IGF-1 (young adult) normalising the feedback", "Frystyk1994", "M8"),
    _p("pit_igf_inhibition", 0.6, "1", (0.0, 3.0),
       "direct inhibition of pituitary release per unit of normalised free IGF-1 above 1",
       "Hartman1993;Bermann1994", "M8"),
    # --- M6 nutrition ----------------------------------------------------------------------------
    _p("tau_nutrition_h", 24.0, "h", (6.0, 72.0),
       "time constant of the hepatic nutritional gate", "Clemmons1981;Clemmons1985", "M6"),
    _p("gate_min", 0.28, "1", (0.05, 0.6),
       "nutritional gate in complete fasting", "Clemmons1981;Clemmons1985", "M6"),
    _p("protein_half", 0.7, "g/kg/d", (0.3, 1.5),
       "effective protein intake giving half-maximal hepatic effect (Hill n = 2)",
       "Fontana2008", "M6"),
    _p("energy_half", 0.45, "1", (0.2, 0.8),
       "energy intake / need giving half-maximal hepatic effect (Hill n = 3)",
       "Clemmons1981;Fontana2008", "M6"),
    _p("protein_energy_sparing", 3.0, "1", (0.0, 8.0),
       "exponent by which an energy deficit shrinks the protein floor (energy intake / need "
       "raised to it): protein matters more in a calorie deficit, so a deficit lowers IGF-1 "
       "less on high protein", "Fontana2008;somatosim", "M6"),
    _p("protein_floor", 0.3, "1", (0.0, 0.6),
       "share of the fed hepatic gate kept on an energy-adequate diet without protein "
       "(protein acts on the rest); between the partial refeeding responses to an isocaloric "
       "protein-poor diet (about 0.2, Isley 1983) and to a non-essential amino acid diet "
       "(about 0.45, Clemmons 1985)", "Isley1983;Clemmons1985", "M6"),
    _p("neaa_weight", 0.35, "1", (0.0, 1.0),
       "potency of non-essential relative to essential amino acids", "Clemmons1985", "M6"),
    _p("ghrelin_max", 3.0, "1", (1.5, 6.0),
       "ghrelin (relative to fed) after prolonged fasting", "Hartman1992;Ho1988", "M6"),
    _p("ghrelin_tau_h", 34.0, "h", (8.0, 80.0),
       "rise time constant of ghrelin without food", "Ho1988;somatosim", "M6"),
    _p("meal_ghrelin_drop", 0.33, "1", (0.05, 1.5),
       "log-fall of ghrelin after a full meal", "somatosim", "M6"),
    _p("meal_satiety_fraction", 0.2, "1", (0.05, 0.5),
       "meal energy (fraction of daily need) above which the ghrelin fall is complete",
       "somatosim", "M6"),
    _p("ghrelin_ghrh_gain", 1.5, "1", (0.0, 3.0),
       "gain of ghrelin above fed level on GHRH volley rate", "Hartman1992;Ho1988", "M6"),
    _p("ghrelin_sst_withdrawal", 0.5, "1", (0.0, 0.8),
       "fractional somatostatin withdrawal per unit ghrelin above fed level", "Farhy2007", "M6"),
    _p("need_activity_factor", 1.55, "1", (1.2, 2.0),
       "maintenance energy need as a multiple of resting metabolic rate", "Mifflin1990", "M6"),
    # --- M7 micronutrients ---------------------------------------------------------------------
    _p("mg_ref", 0.85, "mmol/L", (0.7, 1.0),
       "serum magnesium above which magnesium does not limit IGF-1", "Maggio2011", "M7"),
    _p("mg_slope", 1.0, "1/(mmol/L)", (0.0, 1.0),
       "fractional hepatic IGF-1 production lost per mmol/L of serum Mg below the reference; "
       "set so that the net, feedback-compensated association matches 15.9 ng/mL per mg/dL",
       "Maggio2011", "M7"),
    _p("zn_ref", 75.0, "µg/dL", (60.0, 90.0),
       "serum zinc above which zinc does not limit IGF-1", "Guo2020", "M7"),
    _p("zn_max_loss", 0.35, "1", (0.0, 0.5),
       "fractional IGF-1 production lost in severe zinc deficiency (serum zinc 30 µg/dL)",
       "Guo2020", "M7"),
    _p("vitd_ref", 20.0, "ng/mL", (10.0, 30.0),
       "25(OH)D above which vitamin D does not limit IGF-1", "Ameri2013;Trummer2017", "M7"),
    _p("vitd_max_loss", 0.2, "1", (0.0, 0.2),
       "fractional IGF-1 production lost at 25(OH)D 0 ng/mL (small association)",
       "Ameri2013;Trummer2017", "M7"),
    _p("vitd_bp3_gain", 0.08, "1", (0.0, 0.3),
       "largest fractional change of hepatic IGFBP-3 synthesis with 25(OH)D (factor "
       "1 + gain * (D - 30) / (D + 30), 1 at 30 ng/mL); small: the IGF-1:IGFBP-3 ratio falls "
       "about 1 % with high-dose vitamin D3, and with vitd_max_loss severe deficiency "
       "(8 ng/mL) lowers IGF-1 by less than 10 %", "Peng2004;Kamycheva2013;Trummer2017", "M7"),
    # --- M9/M10 exercise -----------------------------------------------------------------------
    _p("ex_stim_gain", 20.0, "1/h", (0.2, 20.0),
       "rise rate of the acute exercise stimulus per unit work rate above the lactate threshold",
       "Felsing1992;somatosim", "M9"),
    _p("ex_excess_half", 0.5, "1", (0.1, 5.0),
       "aerobic work above the lactate threshold (multiple of it) giving half of the maximal "
       "exercise drive; the drive is scaled to 1 at twice the threshold (large values make it "
       "linear). Set from two rows: 10 min just above threshold raises GH by 7.7 µg/L "
       "(Felsing 1992), and retesting at a lower multiple of a risen threshold keeps about "
       "half of the response (Weltman 1997)", "Felsing1992;Weltman1997;somatosim", "M9"),
    _p("k_ex_stim", 3.0, "1/h", (0.5, 10.0), "decay rate of the acute exercise stimulus",
       "Felsing1992;somatosim", "M9"),
    _p("ex_sst_withdrawal", 1.0, "1", (0.0, 3.0),
       "somatostatin withdrawal per unit exercise stimulus", "Felsing1992;somatosim", "M9"),
    _p("ex_ghrh_gain", 3.0, "1", (0.0, 8.0),
       "gain of exercise stimulus on GHRH volley rate and amplitude", "Felsing1992;somatosim",
       "M9"),
    _p("ex_training_attenuation", 0.2, "1", (0.0, 0.8),
       "maximal attenuation of the acute GH response by aerobic fitness", "Weltman1997", "M9"),
    _p("resist_stim_scale", 0.6, "1", (0.1, 3.0),
       "lactate-threshold-equivalent excess per unit of resistance metabolic stress",
       "Kraemer1990;somatosim", "M9"),
    _p("lt_fraction_vo2max", 0.6, "1", (0.45, 0.8),
       "lactate threshold as a fraction of VO2max (untrained adults)", "Weltman1997", "M9"),
    _p("fitness_tau_d", 42.0, "d", (20.0, 60.0), "fitness time constant", "Banister1975", "M10"),
    _p("fatigue_tau_d", 7.0, "d", (3.0, 15.0), "fatigue time constant", "Banister1975", "M10"),
    _p("fatigue_weight", 2.0, "1", (1.0, 3.0),
       "weight of fatigue relative to fitness (Banister K2/K1)", "Banister1975", "M10"),
    _p("fitness_half", 25.0, "AU", (5.0, 100.0),
       "resistance fitness giving half the maximal IGF-1 effect", "Borst2001;somatosim", "M10"),
    _p("resist_igf_gain", 0.3, "1", (0.0, 0.6),
       "maximal fractional rise of hepatic IGF-1 output with resistance fitness",
       "Borst2001;Amiri2021", "M10"),
    _p("aer_strain_gain", 0.25, "1", (0.0, 0.6),
       "fractional fall of the nutritional gate at full aerobic training strain "
       "(fatigue exceeding fitness)", "somatosim", "M10"),
    _p("aer_strain_half", 6.0, "AU", (1.0, 50.0),
       "aerobic strain giving half the maximal effect", "somatosim", "M10"),
    _p("muscle_igf_tau_h", 30.0, "h", (6.0, 96.0),
       "time constant of local muscle IGF-1 (MGF) after loading", "Hameed2004", "M10"),
    _p("muscle_load_gain", 0.4, "1/AU", (0.0, 0.5),
       "rise of local muscle IGF-1 per unit of resistance load", "Hameed2004;somatosim", "M10"),
    _p("muscle_systemic_share", 0.4, "1", (0.0, 1.0),
       "share of muscle IGF-1 that follows the hepatic GH signal", "Hameed2004", "M10"),
    _p("mps_tau_h", 6.0, "h", (1.0, 24.0),
       "time constant of the muscle protein synthesis index", "somatosim", "M10"),
    # --- challenges (diagnostic tests and infusions) -----------------------------------------
    _p("ghrh_iv_potency", 4000.0, "pg/mL per µg/kg", (200.0, 6000.0),
       "portal-equivalent GHRH rise after an iv GHRH bolus of 1 µg/kg", "Farhy2007;somatosim",
       "M1"),
    _p("arginine_sst_block", 0.85, "1", (0.3, 1.0),
       "fractional suppression of somatostatin release by 30 g iv arginine", "Farhy2007", "M1"),
    _p("arginine_after_min", 60.0, "min", (0.0, 180.0),
       "duration of somatostatin suppression after the end of an arginine infusion",
       "Farhy2007;somatosim", "M1"),
    _p("macimorelin_potency", 4.0, "1 per mg/kg", (0.5, 20.0),
       "ghrelin-equivalent agonism of oral macimorelin per 0.5 mg/kg", "Farhy2007;somatosim",
       "M6"),
    _p("igf1_volume_l_per_kg", 0.25, "L/kg", (0.15, 0.4),
       "distribution volume of infused IGF-1", "Grahnen1993", "M8"),
    _p("octreotide_potency", 0.6, "pg/mL per µg", (0.05, 3.0),
       "somatostatin-equivalent pituitary inhibition per µg octreotide", "Shah1999;somatosim",
       "M1"),
    # --- M12 exogenous GH ------------------------------------------------------------------------
    _p("sc_ka", 0.33, "1/h", (0.1, 1.0),
       "rate of each of two serial subcutaneous absorption steps of somatropin (tmax 3-6 h, "
       "apparent t1/2 2-3 h)", "Papathanasiou2021;SomatropinLabel", "M12"),
    _p("sc_bioavailability", 0.65, "1", (0.5, 0.95),
       "subcutaneous bioavailability of somatropin", "SomatropinLabel;Janssen1999", "M12"),
    _p("lagh_ka", 0.25, "1/h", (0.01, 0.3),
       "absorption rate of weekly long-acting GH (somapacitan); label median tmax 8-25.5 h "
       "(children)", "Juul2019;SogroyaLabel;Kildemoes2021", "M12"),
    _p("lagh_halflife_h", 30.0, "h", (10.0, 80.0),
       "elimination half-life of somapacitan (terminal 34 h in children after 0.16 mg/kg; "
       "quoted as about 2-3 days in adults with GH deficiency, not verified)",
       "Juul2019;SogroyaLabel", "M12"),
    _p("lagh_volume_l_per_kg", 0.12, "L/kg", (0.02, 0.5),
       "apparent volume of somapacitan (albumin-bound)", "SogroyaLabel;somatosim", "M12"),
    _p("lagh_bioavailability", 0.3, "1", (0.1, 0.9),
       "subcutaneous bioavailability of somapacitan", "Juul2019", "M12"),
    _p("lagh_potency", 0.05, "1", (0.005, 0.5),
       "hepatic GH-equivalent potency of somapacitan concentration (per ng/mL)",
       "Juul2019;Kildemoes2021;somatosim", "M12"),
)
# fmt: on

CALIBRATION_FILE = "calibrated_parameters.json"

CALIBRATION_ENV = "SOMATOSIM_CALIBRATION_FILE"
"""Environment variable naming a calibrated-parameter file to use instead of the shipped one.

``somatosim calibrate --check`` sets it so that a check command (a test run) sees a candidate
calibration; it also lets a user compare a model run under another calibration. A file that
cannot be read stops the program with a one-line message naming the variable.
"""


def _load_calibration() -> dict[str, Any]:
    override = os.environ.get(CALIBRATION_ENV)
    try:
        if override:
            text = Path(override).read_text(encoding="utf-8")
        else:
            text = (files("somatosim") / "data" / CALIBRATION_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        if override:
            _stop(f"{CALIBRATION_ENV}={override!r}: no such file")
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if override:
            _stop(f"{CALIBRATION_ENV}={override!r}: not JSON ({exc})")
        raise
    if not isinstance(data, dict):
        if override:
            _stop(f"{CALIBRATION_ENV}={override!r}: expected an object of parameter entries")
        raise ValueError(f"{CALIBRATION_FILE}: expected an object of parameter entries")
    if override:
        _check_entries(override, data)
    return data


def _check_entries(path: str, data: dict[str, Any]) -> None:
    specs = {spec.name: spec for spec in _TABLE}
    for name, entry in data.items():
        where = f"{CALIBRATION_ENV}={path!r}: {name}"
        if name not in specs:
            _stop(f"{where}: unknown parameter (see `somatosim params`)")
        spec = specs[name]
        values = (
            [entry.get(k) for k in ("literature", "calibrated")] if isinstance(entry, dict) else []
        )
        if len(values) != 2 or not all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in values
        ):
            _stop(f"{where}: needs numeric 'literature' and 'calibrated' entries")
        problem = calibrated_value_problem(spec, entry["calibrated"])
        if problem:
            _stop(f"{CALIBRATION_ENV}={path!r}: {problem}")


def calibrated_value_problem(spec: ParameterSpec, value: object) -> str | None:
    """What is wrong with ``value`` as the calibrated value of ``spec`` (None if nothing).

    Shared by every reader of calibrated-parameter files, so they word it alike.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{spec.name}.calibrated = {value!r} is not a number"
    if not spec.lower <= value <= spec.upper:
        return (
            f"{spec.name}.calibrated = {value} is outside its plausible range "
            f"{spec.lower}-{spec.upper} {spec.unit}"
        )
    return None


def _stop(message: str) -> NoReturn:
    # Read at import, before any command can catch an error: a one-line message, no traceback.
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(2)


def _calibrated(
    table: tuple[ParameterSpec, ...], calib: dict[str, Any]
) -> tuple[ParameterSpec, ...]:
    out = []
    for spec in table:
        entry = calib.get(spec.name)
        if (
            isinstance(entry, dict)
            and entry.get("free")
            and math.isclose(float(entry["literature"]), spec.value, rel_tol=1e-12, abs_tol=1e-15)
            and float(entry["calibrated"]) != spec.value
        ):
            spec = dataclasses.replace(
                spec,
                value=float(entry["calibrated"]),
                literature=spec.value,
                informed_by=tuple(entry.get("cases", ())),
            )
        out.append(spec)
    return tuple(out)


PARAMETERS: tuple[ParameterSpec, ...] = _calibrated(_TABLE, _load_calibration())
"""The shipped parameter table: written values with the shipped calibration applied."""

CALIBRATION_IN_USE: str = os.environ.get(CALIBRATION_ENV, "")
"""The file named by :data:`CALIBRATION_ENV` when the table was loaded ("" = the shipped one)."""

PARAMETER_INDEX: MappingProxyType[str, int] = MappingProxyType(
    {spec.name: i for i, spec in enumerate(PARAMETERS)}
)


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """Values for every parameter of the table (immutable; ``replace`` returns a new set)."""

    values: tuple[float, ...]

    def __getitem__(self, name: str) -> float:
        return self.values[PARAMETER_INDEX[name]]

    def replace(self, **changes: float) -> ParameterSet:
        """Return a new set with ``changes`` applied; names and ranges are checked.

        Examples
        --------
        >>> p = default_parameters().replace(gh_halflife_min=20.0)
        >>> p["gh_halflife_min"]
        20.0
        """
        vals = list(self.values)
        for name, value in changes.items():
            if name not in PARAMETER_INDEX:
                raise KeyError(f"unknown parameter {name!r}")
            spec = PARAMETERS[PARAMETER_INDEX[name]]
            if not spec.lower <= value <= spec.upper:
                raise ValueError(
                    f"parameter {name} = {value} is out of range "
                    f"(allowed {spec.lower}-{spec.upper} {spec.unit})"
                )
            vals[PARAMETER_INDEX[name]] = float(value)
        return ParameterSet(tuple(vals))

    def as_dict(self) -> dict[str, float]:
        """Parameter values by name."""
        return {spec.name: v for spec, v in zip(PARAMETERS, self.values, strict=True)}

    def as_array(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Values as a float array in table order."""
        return np.asarray(self.values, dtype=np.float64)


def default_parameters() -> ParameterSet:
    """The shipped parameter set (the calibrated table, see the module docstring)."""
    return ParameterSet(tuple(spec.value for spec in PARAMETERS))


def literature_parameters() -> ParameterSet:
    """The table's written (literature) values, before the shipped calibration."""
    return ParameterSet(tuple(spec.value for spec in _TABLE))
