"""Clinical sampling simulator: what a frequent-sampling study would measure (issue 5.3).

A simulated GH curve (dense, from :func:`somatosim.simulate` or from the synthetic-truth
generator in :mod:`somatosim.analysis.validation`) is turned into a sampled, assayed series:

* samples every ``interval_min`` minutes over a window (optionally with timing jitter, as
  real draws are rarely on the minute);
* assay error with variance ``(cv * C)^2 + (lod / 3)^2`` (proportional error plus a blank
  SD of a third of the detection limit, the usual definition of a detection limit);
* values below the detection limit reported as censored (flag ``below_lod``; the value is
  ``lod / 2``, the usual substitution).

The truth that went into the series travels with it (:class:`SeriesTruth`): burst peak
times and masses, half-life, basal rate and total secretion over the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal

from somatosim.analysis.deconvolution import Kinetics
from somatosim.errors import InputError
from somatosim.model.covariates import gh_nonsaturable_rate, gh_saturable_factor

if TYPE_CHECKING:
    import pandas as pd

    from somatosim.engine.result import Result
    from somatosim.model.parameters import ParameterSet

__all__ = [
    "SampledSeries",
    "SeriesTruth",
    "effective_gh_halflife",
    "sample_curve",
    "sample_result",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class SampledSeries:
    """A sampled, assayed hormone series.

    Attributes
    ----------
    times_min : ndarray
        Sample times, minutes on the clock of the source (for a simulation: minutes since
        00:00 of day 0).
    concentration : ndarray
        Reported concentrations (``lod / 2`` where censored).
    below_lod : ndarray of bool
        True where the assay reported "below the detection limit".
    interval_min, cv, lod : float
        The sampling design and assay that produced the series.
    units : str
        Concentration unit.
    subject : str
        Subject label.
    """

    times_min: FloatArray
    concentration: FloatArray
    below_lod: NDArray[np.bool_]
    interval_min: float
    cv: float
    lod: float
    units: str = "ng/mL"
    subject: str = "1"

    def to_frame(self) -> pd.DataFrame:
        """Long-format table: ``subject, time_min, concentration, below_lod``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "subject": self.subject,
                "time_min": self.times_min,
                "concentration": self.concentration,
                "below_lod": self.below_lod,
            }
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesTruth:
    """What actually generated a sampled series.

    Attributes
    ----------
    burst_times_min : ndarray
        Time of the peak secretion rate of every true burst (all bursts that influence the
        window, including some before it), minutes, same clock as the series.
    burst_masses : ndarray
        Burst masses in concentration units of the distribution volume (ng/mL × V).
    window_min : tuple of float
        First and last sample time.
    halflife_min : float or None
        True (slow) elimination half-life, if the source has one. For simulator series,
        whose GH clearance is concentration dependent, the mass-consistent effective
        half-life over the window (see :func:`effective_gh_halflife`).
    basal_rate : float or None
        True basal secretion, concentration units per minute.
    total_secretion : float or None
        True secretion within the window (basal plus pulsatile), concentration units × V.
    distribution_volume_l : float or None
        Distribution volume that converts masses to µg.
    dense_times_min, dense_concentration : ndarray
        The noise-free curve that was sampled.
    source : str
        ``"synthetic"`` or ``"simulator"``.
    kinetics : Kinetics or None
        Elimination kinetics of the source, for analysing the series (the rapid component
        is fixed in a deconvolution, so it must match the source's).
    """

    burst_times_min: FloatArray
    burst_masses: FloatArray
    window_min: tuple[float, float]
    halflife_min: float | None
    basal_rate: float | None
    total_secretion: float | None
    distribution_volume_l: float | None
    dense_times_min: FloatArray
    dense_concentration: FloatArray
    source: str
    kinetics: Kinetics | None = None

    def bursts_in(self, start: float, end: float) -> NDArray[np.bool_]:
        """Mask of true bursts whose peak lies in ``[start, end]`` (minutes)."""
        t = self.burst_times_min
        result: NDArray[np.bool_] = (t >= start) & (t <= end)
        return result


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_design(interval_min: float, cv: float, lod: float, jitter_min: float) -> None:
    if not interval_min > 0:
        raise InputError(f"interval_min={interval_min}: need a positive sampling interval")
    if not 0.0 <= cv < 1.0:
        raise InputError(f"cv={cv}: need an assay CV in [0, 1)")
    if not lod >= 0:
        raise InputError(f"lod={lod}: need a detection limit >= 0")
    if not 0.0 <= jitter_min < interval_min / 2:
        raise InputError(
            f"jitter_min={jitter_min}: need 0 <= jitter < half the interval ({interval_min / 2})"
        )


def sample_curve(
    times_min: ArrayLike,
    concentration: ArrayLike,
    *,
    interval_min: float = 10.0,
    window_min: tuple[float, float] | None = None,
    cv: float = 0.05,
    lod: float = 0.01,
    jitter_min: float = 0.0,
    units: str = "ng/mL",
    subject: str = "1",
    seed: int | np.random.Generator | None = None,
) -> SampledSeries:
    """Sample a dense noise-free curve as a study would, with assay error and censoring.

    Parameters
    ----------
    times_min, concentration : array_like
        The dense curve (minutes; increasing).
    interval_min : float
        Nominal sampling interval.
    window_min : tuple of float, optional
        Sampling span ``[start, end)`` in minutes: samples at ``start + k * interval`` before
        ``end`` (default: the curve's span), so 24 h at 10 min gives 144 samples.
    cv : float
        Assay coefficient of variation.
    lod : float
        Detection limit (0: none); the blank SD is ``lod / 3``.
    jitter_min : float
        Uniform timing jitter of each draw, ± minutes (0: exact times).
    units, subject : str
        Labels carried into the series.
    seed : int or numpy.random.Generator, optional
        Random source.

    Returns
    -------
    SampledSeries

    Examples
    --------
    >>> t = np.arange(0.0, 241.0)
    >>> s = sample_curve(t, 1.0 + 0 * t, interval_min=20, cv=0.0, lod=0.0, seed=1)
    >>> s.times_min[:3].tolist(), s.concentration[:2].tolist()
    ([0.0, 20.0, 40.0], [1.0, 1.0])
    """
    _check_design(interval_min, cv, lod, jitter_min)
    t = np.asarray(times_min, dtype=float)
    c = np.asarray(concentration, dtype=float)
    if t.size != c.size or t.size < 2:
        raise InputError("the dense curve needs matching times and values, at least 2 of each")
    start, end = (float(t[0]), float(t[-1])) if window_min is None else window_min
    if not (t[0] <= start < end <= t[-1] + interval_min + 1e-9):
        raise InputError(
            f"window {start}-{end} min is not inside the curve's span {t[0]}-{t[-1]} min"
        )
    rng = _rng(seed)
    nominal = np.arange(start, end - 1e-9, interval_min)  # half-open: [start, end)
    if jitter_min > 0:
        nominal = nominal + rng.uniform(-jitter_min, jitter_min, nominal.size)
        nominal = np.clip(nominal, t[0], t[-1])
    true = np.interp(nominal, t, c)
    sd = np.sqrt((cv * true) ** 2 + (lod / 3.0) ** 2)
    measured = true + sd * rng.standard_normal(nominal.size)
    below = measured < lod if lod > 0 else measured < 0
    reported = np.where(below, 0.5 * lod, measured)
    return SampledSeries(
        times_min=nominal,
        concentration=reported,
        below_lod=below,
        interval_min=float(interval_min),
        cv=float(cv),
        lod=float(lod),
        units=units,
        subject=subject,
    )


def effective_gh_halflife(
    p: ParameterSet,
    weight_kg: float,
    height_cm: float,
    times_min: ArrayLike,
    concentration: ArrayLike,
    window_min: tuple[float, float] | None = None,
) -> float:
    """Mass-consistent effective GH half-life (min) of a simulated curve over a window.

    The simulator eliminates GH at a concentration-dependent rate (a non-saturable route plus
    saturable receptor-mediated clearance [Shah1999]),
    ``k(C) = ln 2 / t½_ref * f(C) / f(5 ng/mL)`` with ``f`` =
    :func:`~somatosim.model.covariates.gh_saturable_factor` and ``t½_ref`` the subject's
    half-life at 5 ng/mL (:func:`~somatosim.model.covariates.gh_halflife_minutes`). A
    deconvolution with one half-life cannot recover a function ``k(C)``; the one constant
    rate that is physically defined by the curve is the flux-weighted mean

    .. math::

        k_\\mathrm{eff} = \\frac{\\int k(C(t))\\, C(t)\\, dt}{\\int C(t)\\, dt},
        \\qquad t_{1/2} = \\ln 2 / k_\\mathrm{eff},

    because mass balance over the window, ``secretion = ∫ k(C) C dt + ΔC`` (per volume),
    holds for the simulator and, with ``k_eff`` in place of ``k(C)``, for any
    constant-rate model that reproduces the curve: ``k_eff`` is the only constant rate
    with which a single-half-life analysis of the true curve also recovers the true total
    secretion. It is a property of the curve (how much time the subject spends at which
    concentration), not of the estimator, so it lies between the half-life at pulse
    concentrations (slower) and at trough concentrations (faster).

    Parameters
    ----------
    p : ParameterSet
        Model parameters.
    weight_kg, height_cm : float
        Subject size (sets the reference half-life).
    times_min, concentration : array_like
        The dense noise-free curve, minutes and ng/mL.
    window_min : tuple of float, optional
        ``[start, end]`` over which to weight (default: the whole curve).

    Returns
    -------
    float
        Half-life in minutes; the low-concentration limit ``ln 2 / k(0)`` when the curve
        has no GH in the window.
    """
    t = np.asarray(times_min, dtype=float)
    c = np.maximum(np.asarray(concentration, dtype=float), 0.0)
    if window_min is not None:
        inside = (t >= window_min[0]) & (t <= window_min[1])
        t, c = t[inside], c[inside]
    k_lin = gh_nonsaturable_rate(p, weight_kg, height_cm) / 60.0  # 1/min
    k = k_lin * gh_saturable_factor(p, c)
    area = float(np.trapezoid(c, t)) if t.size > 1 else 0.0
    if not area > 0.0:
        return math.log(2.0) / (k_lin * gh_saturable_factor(p, 0.0))
    k_eff = float(np.trapezoid(k * c, t)) / area
    return math.log(2.0) / k_eff


def _simulator_truth_bursts(
    result: Result, release_halflife_min: float, merge_within_min: float
) -> tuple[FloatArray, FloatArray]:
    """True burst times (peak of the GH input to plasma) and masses (µg) of a simulation.

    The simulator's bursts start with a GHRH volley; pituitary secretion passes through a
    release compartment (half-life ``release_halflife_min``) before entering plasma, so the
    input to plasma, which is what deconvolution reconstructs, peaks a few minutes after
    the start. Each burst's time is the peak of that input between its start and the next
    start (at most 45 min later). Volleys starting within ``merge_within_min`` minutes of
    the previous one are one secretory event (masses add, time of the larger peak).
    """
    ds = result.timeseries
    bursts = result.bursts
    starts = np.asarray(bursts["start_hours"], dtype=float) * 60.0
    masses = np.asarray(bursts["mass_ug"], dtype=float)
    order = np.argsort(starts)
    starts, masses = starts[order], masses[order]
    if "gh_secretion_rate" not in ds or starts.size == 0:
        return starts, masses
    t_min = np.asarray(ds["hours"].values, dtype=float) * 60.0
    rate = _to_ug_per_min(
        np.asarray(ds["gh_secretion_rate"].values, dtype=float),
        str(ds["gh_secretion_rate"].attrs.get("units", "µg/h")),
    )
    step = float(np.median(np.diff(t_min))) if t_min.size > 1 else 1.0
    k = math.log(2.0) / release_halflife_min
    a = math.exp(-k * step)
    # release compartment, exact for a rate held over each step; plasma input = k * content
    plasma_in = k * signal.lfilter([(1.0 - a) / k], [1.0, -a], rate)
    peak_t = starts.copy()
    peak_v = np.zeros(starts.size)
    for i, t0 in enumerate(starts):
        t1 = starts[i + 1] if i + 1 < starts.size else np.inf
        sel = (t_min >= t0) & (t_min < min(t1, t0 + 45.0))
        if sel.any():
            j = int(np.argmax(plasma_in[sel]))
            peak_t[i], peak_v[i] = t_min[sel][j], plasma_in[sel][j]
    ev_t: list[float] = [float(peak_t[0])]
    ev_v: list[float] = [float(peak_v[0])]
    ev_m: list[float] = [float(masses[0])]
    ev_s: list[float] = [float(starts[0])]
    for t0, tp, vp, m in zip(starts[1:], peak_t[1:], peak_v[1:], masses[1:], strict=True):
        if t0 - ev_s[-1] < merge_within_min:
            ev_m[-1] += float(m)
            if vp > ev_v[-1]:
                ev_t[-1], ev_v[-1] = float(tp), float(vp)
        else:
            ev_t.append(float(tp))
            ev_v.append(float(vp))
            ev_m.append(float(m))
            ev_s.append(float(t0))
    return np.array(ev_t), np.array(ev_m)


def sample_result(
    result: Result,
    *,
    interval_min: float = 10.0,
    window_hours: tuple[float, float] = (0.0, 24.0),
    cv: float = 0.05,
    lod: float = 0.01,
    jitter_min: float = 0.0,
    seed: int | np.random.Generator | None = None,
    params: ParameterSet | None = None,
    merge_within_min: float = 10.0,
) -> tuple[SampledSeries, SeriesTruth]:
    """Turn a simulated :class:`~somatosim.engine.result.Result` into a clinical GH series.

    Parameters
    ----------
    result : Result
        A simulation; ``result.timeseries["gh"]`` (ng/mL on ``hours``) is sampled and
        ``result.bursts`` (``start_hours``, ``mass_ug``) gives the true bursts. A 1-minute
        time series (``simulate(..., save_every_min=1)``) gives the most exact burst times.
    interval_min : float
        Sampling interval (5, 10 and 20 min are usual).
    window_hours : tuple of float
        Sampling span ``[start, end)``, hours since 00:00 of day 0 (``(24, 48)``: the second
        day, 144 samples at 10 min).
    cv, lod, jitter_min, seed
        As in :func:`sample_curve`.
    params : ParameterSet, optional
        The model parameters the simulation used (default: the shipped set); they give the
        GH clearance (for the true effective half-life), distribution volume and
        release-compartment half-life.
    merge_within_min : float
        GHRH volleys starting within this many minutes of the previous one are one true
        secretory event.

    Returns
    -------
    (SampledSeries, SeriesTruth)
        The truth's masses are µg divided by the distribution volume (ng/mL × V); its
        ``kinetics`` are those a single-half-life deconvolution is given: one elimination
        rate (estimated) and the simulator's release compartment that shapes each burst.
        The simulator's GH elimination is concentration dependent (saturable
        receptor-mediated clearance), so the truth's ``halflife_min`` is the
        mass-consistent effective half-life over the sampled window
        (:func:`effective_gh_halflife`), the constant rate with which the window's
        elimination equals its secretion (less the change in content).
    """
    from somatosim.model.parameters import default_parameters

    p = params if params is not None else default_parameters()
    ds = result.timeseries
    if "gh" not in ds:
        raise InputError("result.timeseries has no 'gh' variable to sample")
    hours = np.asarray(ds["hours"].values, dtype=float)
    gh = np.asarray(ds["gh"].values, dtype=float)
    if gh.ndim != 1:
        raise InputError(f"result.timeseries['gh'] has {gh.ndim} dimensions; expected 1")
    h0, h1 = window_hours
    if not (hours[0] <= h0 < h1 <= hours[-1] + interval_min / 60.0 + 1e-9):
        raise InputError(
            f"window_hours={window_hours} is outside the simulated span "
            f"{hours[0]:g}-{hours[-1]:g} h"
        )
    t_min = hours * 60.0
    series = sample_curve(
        t_min,
        gh,
        interval_min=interval_min,
        window_min=(h0 * 60.0, h1 * 60.0),
        cv=cv,
        lod=lod,
        jitter_min=jitter_min,
        units="ng/mL",
        subject=str(result.scenario.name),
        seed=seed,
    )
    volume = p["gh_volume_l_per_kg"] * result.scenario.subject.weight
    b_times, b_ug = _simulator_truth_bursts(result, p["release_halflife_min"], merge_within_min)
    w0, w1 = float(series.times_min[0]), float(series.times_min[-1])
    total: float | None = None
    if "gh_secretion_rate" in ds:
        rate = _to_ug_per_min(
            np.asarray(ds["gh_secretion_rate"].values, dtype=float),
            str(ds["gh_secretion_rate"].attrs.get("units", "µg/h")),
        )
        inside = (t_min >= w0) & (t_min <= w1)
        total = float(np.trapezoid(rate[inside], t_min[inside])) / volume
    subj = result.scenario.subject
    hl = effective_gh_halflife(p, subj.weight, subj.height, t_min, gh, (w0, w1))
    kinetics = Kinetics(
        rapid_fraction=0.0,
        release_halflife_min=p["release_halflife_min"],
        name="somatosim simulator (one effective half-life, release compartment)",
    )
    truth = SeriesTruth(
        burst_times_min=b_times,
        burst_masses=b_ug / volume,
        window_min=(w0, w1),
        halflife_min=float(hl),
        basal_rate=None,
        total_secretion=total,
        distribution_volume_l=volume,
        dense_times_min=t_min,
        dense_concentration=gh,
        source="simulator",
        kinetics=kinetics,
    )
    return series, truth


def _to_ug_per_min(values: FloatArray, unit: str) -> FloatArray:
    u = unit.replace(" ", "").replace("µ", "u").lower()
    factors = {"ug/min": 1.0, "ug/h": 1.0 / 60.0, "ng/min": 1e-3, "mg/min": 1e3, "mg/h": 1e3 / 60}
    if u not in factors:
        raise InputError(f"GH secretion unit {unit!r} not understood; expected µg/h or µg/min")
    result: FloatArray = values * factors[u]
    return result
