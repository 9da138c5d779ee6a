"""The model's right-hand side: pure rate functions, one named flux per line, each cited.

Every state obeys ``dy/dt = production - loss * y``. :func:`rates` fills ``prod`` and ``loss``
for all states from the state ``y``, the subject constants ``q`` (see
:mod:`somatosim.model.covariates`) and the inputs ``u`` of the current minute; it also returns
the auxiliary quantities the engine records (secretion rates, GHRH volley rate, free IGF-1).
Writing each state as production minus first-order loss lets the engine integrate the linear
decay exactly (exponential integrator) and the reference backend use the same function.

The GHRH volleys themselves (discrete jumps in portal GHRH) are a point process whose rate
:func:`ghrh_volley_rate` depends on state and inputs; the engine draws them (DESIGN.md M1).

Bracketed keys cite :data:`somatosim.model.references.REFERENCES`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from somatosim.model.jit import kernel
from somatosim.model.states import (
    BP3,
    D1,
    D2,
    DS1,
    DS2,
    EX,
    FATA,
    FATR,
    FE,
    FITA,
    FITR,
    GH,
    GHR,
    IGF,
    LA,
    LC,
    MIGF,
    MPS,
    NG,
    POOL,
    Q_AER_GAIN,
    Q_AER_HALF,
    Q_BP3_GATE_EXP,
    Q_BP3_GI,
    Q_BP3_HALF,
    Q_BP3_REF,
    Q_CAP,
    Q_CIRC_AMP,
    Q_CIRC_PEAK,
    Q_EMAX,
    Q_EX_ATT,
    Q_EX_GAIN,
    Q_EX_GHRH_GAIN,
    Q_EX_SST_W,
    Q_FAT_WEIGHT,
    Q_FIT_HALF,
    Q_FREE_EXP,
    Q_FREE_FRAC,
    Q_FREE_REF,
    Q_GATE_MIN,
    Q_GH_EC50,
    Q_GH_SAT_KM,
    Q_GH_SAT_RATIO,
    Q_GHRELIN_GHRH_GAIN,
    Q_GHRELIN_MAX,
    Q_GHRELIN_REL_GAIN,
    Q_GHRELIN_SST_W,
    Q_GHRH_AMP,
    Q_GHRH_AMP_CV,
    Q_GHRH_RATE,
    Q_GHRH_RATE_MAX,
    Q_GHRH_THRESH,
    Q_GHRH_TONIC,
    Q_HEP_REF,
    Q_IGF2,
    Q_K_BASAL,
    Q_K_BP3,
    Q_K_DELAY,
    Q_K_EX,
    Q_K_FAT,
    Q_K_FE,
    Q_K_FIT,
    Q_K_GH,
    Q_K_GHRELIN,
    Q_K_GHRH,
    Q_K_HEP,
    Q_K_LAGH,
    Q_K_MPS,
    Q_K_MUSCLE,
    Q_K_N,
    Q_K_OTHER,
    Q_K_REFILL,
    Q_K_REL,
    Q_K_RELEASE,
    Q_K_SP_SLEEP,
    Q_K_SP_WAKE,
    Q_K_SST,
    Q_K_SWS,
    Q_K_TERN,
    Q_KIN0,
    Q_LAGH_KA,
    Q_LAGH_POTENCY,
    Q_LAGH_VOLUME,
    Q_MUSCLE_SYS,
    Q_PIT_IGF,
    Q_RATIO_REF,
    Q_REFILL_SRIF_GAIN,
    Q_RESIST_GAIN,
    Q_SC_KA,
    Q_SST_BASAL,
    Q_SST_GH_GAIN,
    Q_SST_GH_HALF,
    Q_SST_GHRH_THRESH,
    Q_SST_IGF_GAIN,
    Q_SST_THRESH,
    Q_SWS_AMP,
    Q_SWS_AMP_GAIN,
    Q_SWS_RATE_GAIN,
    Q_SWS_SPAN,
    Q_SWS_SST_W,
    Q_SWS_THR,
    Q_TERN_MAX,
    Q_VOLUME,
    Q_WAKE_SST,
    REL,
    RS,
    SP,
    SWS,
    U_ASLEEP,
    U_BP3F,
    U_CLOCK,
    U_EX,
    U_GHRH_INF,
    U_GHS,
    U_HEP,
    U_IGF_INF,
    U_MECH,
    U_MICRO,
    U_NREM,
    U_NTARGET,
    U_PROTEIN,
    U_SST_ANALOG,
    U_SST_BLOCK,
    U_WAER,
    U_WRES,
    R,
    S,
)

__all__ = [
    "IGF1_NG_PER_NMOL",
    "IGFBP3_NMOL_PER_MG",
    "N_AUX",
    "ghrh_volley_amplitude",
    "ghrh_volley_rate",
    "igf1_binding",
    "rates",
]

IGF1_NG_PER_NMOL = 7.65  # 1 nmol/L IGF-1 = 7.65 ng/mL (published_results.md unit notes)
IGFBP3_NMOL_PER_MG = 34.8  # IGFBP-3 about 28.7 kDa: 1 mg/L = 34.8 nmol/L

# auxiliary outputs returned by rates()
N_AUX = 6
A_SECR_PULSE, A_SECR_BASAL, A_EXO_IN, A_FREE, A_TERNARY, A_KOUT = range(N_AUX)

_TWO_PI = 2.0 * math.pi

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@kernel(inline="always")
def _hill2(x: float, k: float) -> float:
    """Stimulatory Hill function with coefficient 2, 0..1."""
    r = x / k
    return r * r / (1.0 + r * r)


@kernel(inline="always")
def _hill3(x: float, k: float) -> float:
    """Stimulatory Hill function with coefficient 3, 0..1."""
    r = x / k
    r3 = r * r * r
    return r3 / (1.0 + r3)


@kernel()
def igf1_binding(igf_total: float, bp3: float, q: FloatArray) -> tuple[float, float, float]:
    """Quasi-steady binding partition of IGF-1 [Baxter1989; Frystyk1994; Jorgensen1994].

    Returns ``(ternary share, free share, clearance rate 1/h)``.
    """
    ternary = q[Q_TERN_MAX] * bp3 / (bp3 + q[Q_BP3_HALF])  # ternary share from ALS/IGFBP-3 capacity
    ratio = (igf_total / IGF1_NG_PER_NMOL + q[Q_IGF2]) / (max(bp3, 1e-6) * IGFBP3_NMOL_PER_MG)
    rel = ratio / q[Q_RATIO_REF]
    steep = rel * rel if q[Q_FREE_EXP] == 2.0 else rel ** q[Q_FREE_EXP]
    free = min(0.3, q[Q_FREE_FRAC] * steep)  # free share rises with the molar ratio [Frystyk1994]
    k_out = q[Q_K_TERN] * ternary + q[Q_K_OTHER] * (1.0 - ternary)  # [Grahnen1993]
    return ternary, free, k_out


@kernel()
def ghrh_volley_rate(y: FloatArray, q: FloatArray, u: FloatArray) -> float:
    """Rate (1/h) of stochastic GHRH volleys [MacGregor2005; Keenan2001].

    Circadian drive [Spiegel2000], slow-wave sleep [VanCauter2000], ghrelin [Hartman1992] and
    exercise [Felsing1992] raise it; somatostatin inhibits GHRH neurones [Farhy2007].
    """
    circ = 1.0 + q[Q_CIRC_AMP] * math.cos(_TWO_PI * (u[U_CLOCK] - q[Q_CIRC_PEAK]) / 24.0)
    sws = 1.0 + q[Q_SWS_RATE_GAIN] * y[SWS]
    ghrelin = 1.0 + q[Q_GHRELIN_GHRH_GAIN] * (max(y[GHR] - 1.0, 0.0) + u[U_GHS])
    exercise = 1.0 + q[Q_EX_GHRH_GAIN] * y[EX]
    s = y[S] / q[Q_SST_GHRH_THRESH]
    rate = q[Q_GHRH_RATE] * circ * sws * ghrelin * exercise / (1.0 + s * s)
    return float(min(rate, q[Q_GHRH_RATE_MAX]))  # neuronal refractoriness [MacGregor2005]


@kernel()
def ghrh_volley_amplitude(y: FloatArray, q: FloatArray, z: float) -> float:
    """Portal GHRH jump (pg/mL) of one volley; ``z`` is a standard normal draw [Keenan1998]."""
    cv = q[Q_GHRH_AMP_CV]
    lognormal = math.exp(cv * z - 0.5 * cv * cv)
    sws = 1.0 + q[Q_SWS_AMP_GAIN] * y[SWS]  # [VanCauter2000]
    exercise = 1.0 + 0.5 * q[Q_EX_GHRH_GAIN] * y[EX]  # [Felsing1992]
    return float(q[Q_GHRH_AMP] * lognormal * sws * exercise)


@kernel()
def rates(
    y: FloatArray, q: FloatArray, u: FloatArray, prod: FloatArray, loss: FloatArray, aux: FloatArray
) -> None:
    """Fill ``prod`` and ``loss`` (``dy/dt = prod - loss*y``) and ``aux`` for one instant."""
    asleep = u[U_ASLEEP]
    ghrelin_excess = max(y[GHR] - 1.0, 0.0) + u[U_GHS]  # ghrelin or a GHS agonist [Farhy2007]
    ternary, free_share, k_out = igf1_binding(y[IGF], y[BP3], q)
    free_igf = free_share * y[IGF]
    fe_n = y[FE] / q[Q_FREE_REF]  # normalised free IGF-1 at the feedback sites

    # ---- M1 hypothalamus -------------------------------------------------------------------
    sst_tone = (
        q[Q_SST_BASAL]
        * (1.0 + q[Q_WAKE_SST] * (1.0 - asleep))  # higher tone awake [Brandenberger2004]
        * (1.0 - q[Q_SWS_SST_W] * y[SWS])  # SWS withdraws somatostatin [VanCauter2000]
        / (1.0 + q[Q_GHRELIN_SST_W] * ghrelin_excess)  # ghrelin opposes SRIF [Farhy2007]
        / (1.0 + q[Q_EX_SST_W] * y[EX])  # exercise withdraws SRIF [Felsing1992]
    )
    sst_gh = q[Q_SST_GH_GAIN] * _hill2(
        y[D2], q[Q_SST_GH_HALF]
    )  # delayed GH autofeedback [Farhy2001]
    sst_igf = q[Q_SST_IGF_GAIN] * fe_n  # free IGF-1 feedback via SRIF [Hartman1993; Bermann1994]
    arginine = 1.0 - min(u[U_SST_BLOCK], 1.0)  # arginine suppresses SRIF release [Farhy2007]
    prod[S] = q[Q_K_SST] * (sst_tone + sst_gh + sst_igf) * arginine  # SRIF release [Farhy2007]
    loss[S] = q[Q_K_SST]  # SRIF clearance [Farhy2007]
    prod[R] = q[Q_K_GHRH] * q[Q_GHRH_TONIC] + u[U_GHRH_INF]  # tonic GHRH, exogenous GHRH
    loss[R] = q[Q_K_GHRH]  # portal GHRH clearance [Farhy2007]
    gh_signal = y[GH] + q[Q_LAGH_POTENCY] * y[LC]  # GH-receptor agonists seen by the brain
    prod[D1] = q[Q_K_DELAY] * gh_signal  # delayed GH feedback, stage 1 [Farhy2001; MacGregor2005]
    loss[D1] = q[Q_K_DELAY]
    prod[D2] = q[Q_K_DELAY] * y[D1]  # stage 2
    loss[D2] = q[Q_K_DELAY]

    # ---- M2 pituitary ----------------------------------------------------------------------
    s_inh = (y[S] + u[U_SST_ANALOG]) / q[Q_SST_THRESH]  # endogenous SRIF plus octreotide
    srif_block = 1.0 / (1.0 + s_inh * s_inh)  # SRIF inhibition of release [Farhy2007]
    igf_block = (1.0 + q[Q_PIT_IGF]) / (
        1.0 + q[Q_PIT_IGF] * fe_n * fe_n
    )  # IGF-1 at pituitary [Hartman1993]
    ghrelin_boost = (
        1.0 + q[Q_GHRELIN_REL_GAIN] * ghrelin_excess
    )  # GHS amplifies release [Farhy2007]
    r_pulse = (
        q[Q_K_RELEASE] * _hill3(y[R], q[Q_GHRH_THRESH]) * srif_block * igf_block * ghrelin_boost
    )
    r_basal = q[Q_K_BASAL] * srif_block * igf_block  # basal secretion [Keenan1998]
    # the reserve store refills the pool, faster when SRIF is withdrawn
    refill = q[Q_K_REFILL] * (1.0 + q[Q_REFILL_SRIF_GAIN] * srif_block)
    prod[POOL] = refill  # pool refilling [MacGregor2005; AlbaRoth1988]
    loss[POOL] = refill + r_pulse + r_basal  # refill saturation plus release [MacGregor2005]
    secr_pulse = q[Q_CAP] * r_pulse * y[POOL]  # µg/h, pulsatile [MacGregor2005]
    secr_basal = q[Q_CAP] * r_basal * y[POOL]  # µg/h, basal

    # ---- M4 GH kinetics, M12 exogenous GH -------------------------------------------------------
    prod[REL] = secr_pulse + secr_basal  # secretion into the release compartment [Klerman2003]
    loss[REL] = q[Q_K_REL]
    exo_in = (
        q[Q_SC_KA] * y[DS2]
    )  # µg/h absorbed from the sc transit compartment [Papathanasiou2021]
    prod[GH] = (q[Q_K_REL] * y[REL] + exo_in) / q[Q_VOLUME]  # ng/mL/h into plasma [Klerman2003]
    # GH elimination: a non-saturable route plus GH-receptor-mediated clearance that
    # saturates, so GH clears faster at low concentrations; t1/2 about 18 min at pulse
    # concentrations
    loss[GH] = q[Q_K_GH] * (  # [Shah1999; Holl1993; Hartman1992]
        1.0 + q[Q_GH_SAT_RATIO] * q[Q_GH_SAT_KM] / (q[Q_GH_SAT_KM] + max(y[GH], 0.0))
    )
    prod[DS1] = 0.0  # doses enter as boluses (engine)
    loss[DS1] = q[Q_SC_KA]  # first absorption step [SomatropinLabel]
    prod[DS2] = q[Q_SC_KA] * y[DS1]  # second absorption step (tmax 3-6 h) [SomatropinLabel]
    loss[DS2] = q[Q_SC_KA]
    prod[LA] = 0.0
    loss[LA] = q[Q_LAGH_KA]  # somapacitan absorption [Juul2019]
    prod[LC] = q[Q_LAGH_KA] * y[LA] / q[Q_LAGH_VOLUME]  # [Juul2019]
    loss[LC] = q[Q_K_LAGH]  # somapacitan elimination, t1/2 about 30 h [SogroyaLabel]

    # ---- M5 liver --------------------------------------------------------------------------------
    prod[RS] = (
        q[Q_K_HEP] * gh_signal / (q[Q_GH_EC50] + gh_signal)
    )  # GH-receptor signal [Papathanasiou2021]
    loss[RS] = q[Q_K_HEP]
    resist = 1.0 + q[Q_RESIST_GAIN] * y[FITR] / (y[FITR] + q[Q_FIT_HALF])  # training [Borst2001]
    synthesis = q[Q_KIN0] + q[Q_EMAX] * y[RS]  # indirect response [Papathanasiou2021]
    prod[IGF] = (
        y[NG] * u[U_MICRO] * u[U_HEP] * resist * synthesis + u[U_IGF_INF]
    )  # gated [Clemmons1985]
    loss[IGF] = k_out  # binding-dependent clearance [Grahnen1993]
    bp3_drive = (
        q[Q_BP3_GI] + (1.0 - q[Q_BP3_GI]) * y[RS] / q[Q_HEP_REF]
    )  # GH-dependent ALS [Baxter1989]
    bp3_gate = y[NG] ** q[Q_BP3_GATE_EXP]  # IGFBP-3 gated less than IGF-1 [Fontana2008]
    prod[BP3] = (
        q[Q_K_BP3] * q[Q_BP3_REF] * bp3_gate * bp3_drive * u[U_BP3F]
    )  # vitamin D induces IGFBP-3 [Peng2004]
    loss[BP3] = q[Q_K_BP3]
    prod[FE] = q[Q_K_FE] * free_igf  # free IGF-1 reaching feedback sites [Hartman1993]
    loss[FE] = q[Q_K_FE]

    # ---- M6 nutrition --------------------------------------------------------------------------
    strain = max(q[Q_FAT_WEIGHT] * y[FATA] - y[FITA], 0.0)  # aerobic training strain [Banister1975]
    strain_f = 1.0 - q[Q_AER_GAIN] * strain / (strain + q[Q_AER_HALF])
    target = q[Q_GATE_MIN] + (u[U_NTARGET] - q[Q_GATE_MIN]) * strain_f
    prod[NG] = q[Q_K_N] * target  # hepatic nutritional gate [Clemmons1981; Fontana2008]
    loss[NG] = q[Q_K_N]
    prod[GHR] = q[Q_K_GHRELIN] * q[Q_GHRELIN_MAX]  # ghrelin rises without food [Ho1988]
    loss[GHR] = q[Q_K_GHRELIN]  # (meals lower it as boluses, engine)

    # ---- M3 sleep ---------------------------------------------------------------------------------
    if asleep > 0.5:
        prod[SP] = 0.0
        loss[SP] = q[Q_K_SP_SLEEP]  # process S decays in sleep [Borbely1982]
    else:
        prod[SP] = q[Q_K_SP_WAKE]  # process S rises awake [Borbely1982]
        loss[SP] = q[Q_K_SP_WAKE]
    depth = min(max((y[SP] - q[Q_SWS_THR]) / q[Q_SWS_SPAN], 0.0), 1.0)
    prod[SWS] = (
        q[Q_K_SWS] * asleep * u[U_NREM] * q[Q_SWS_AMP] * depth
    )  # SWS propensity [VanCauter2000]
    loss[SWS] = q[Q_K_SWS]

    # ---- M9/M10 exercise ---------------------------------------------------------------------------
    attenuation = 1.0 - q[Q_EX_ATT] * y[FITA] / (y[FITA] + q[Q_FIT_HALF])  # [Weltman1997]
    prod[EX] = q[Q_EX_GAIN] * u[U_EX] * attenuation  # work above lactate threshold [Felsing1992]
    loss[EX] = q[Q_K_EX]
    prod[FITR] = u[U_WRES]  # training impulse [Banister1975]
    loss[FITR] = q[Q_K_FIT]
    prod[FATR] = u[U_WRES]
    loss[FATR] = q[Q_K_FAT]
    prod[FITA] = u[U_WAER]
    loss[FITA] = q[Q_K_FIT]
    prod[FATA] = u[U_WAER]
    loss[FATA] = q[Q_K_FAT]
    systemic = 1.0 - q[Q_MUSCLE_SYS] + q[Q_MUSCLE_SYS] * y[RS] / q[Q_HEP_REF]
    prod[MIGF] = q[Q_K_MUSCLE] * systemic + u[U_MECH]  # mechano-growth factor [Hameed2004]
    loss[MIGF] = q[Q_K_MUSCLE]
    mps_target = u[U_PROTEIN] * (1.0 + 0.5 * (y[MIGF] - 1.0)) * (0.5 + 0.5 * y[NG])
    prod[MPS] = q[Q_K_MPS] * mps_target  # protein synthesis follows local IGF-1 and amino acids
    loss[MPS] = q[Q_K_MPS]

    aux[A_SECR_PULSE] = secr_pulse
    aux[A_SECR_BASAL] = secr_basal
    aux[A_EXO_IN] = exo_in
    aux[A_FREE] = free_igf
    aux[A_TERNARY] = ternary
    aux[A_KOUT] = k_out
