"""Observables computed the way the papers measured them, and tolerance arithmetic.

Everything here works on plain arrays or on :class:`~somatosim.engine.result.Result` objects:
sampling a simulated series at a study's interval, integrated GH, Cluster-style pulse counts
on sparse samples, PK metrics after a subcutaneous dose, the apparent GH half-life from the
decline between pulses, and the 95 % intervals used as tolerances (t-intervals from a reported
SEM or SD, Fisher-z intervals for correlations, intervals implied by a P value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from somatosim.engine.result import Result

__all__ = [
    "ci_from_p",
    "ci_from_sd",
    "ci_from_sem",
    "cluster_pulses",
    "effect_interval",
    "fisher_ci",
    "quiescent_halflife_min",
    "sample",
    "trapezoid",
    "window_mean",
    "window_secretion_ug",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


# --------------------------------------------------------------------------------------------
# tolerance arithmetic (docs/validation.md, "Where tolerances come from")
# --------------------------------------------------------------------------------------------
def ci_from_sem(sem: float, n: int) -> float:
    """Half-width of the 95 % t-interval of a mean reported as mean ± SEM of ``n`` subjects."""
    return float(stats.t.ppf(0.975, n - 1)) * sem


def ci_from_sd(sd: float, n: int) -> float:
    """Half-width of the 95 % t-interval of a mean reported as mean ± SD of ``n`` subjects."""
    return float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)


def fisher_ci(r: float, n: int) -> tuple[float, float]:
    """95 % interval of a Pearson correlation ``r`` from ``n`` pairs (Fisher z)."""
    z = math.atanh(r)
    half = 1.959964 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def ci_from_p(estimate: float, p_value: float) -> tuple[float, float]:
    """95 % interval implied by a two-sided P value (normal approximation)."""
    z = float(stats.norm.isf(p_value / 2.0))
    se = abs(estimate) / z
    return estimate - 1.959964 * se, estimate + 1.959964 * se


def effect_interval(percent_change: float, fraction: float = 1.0 / 3.0) -> tuple[float, float]:
    """Interval of a % change within ``fraction`` of its size on the log-ratio scale.

    The judgement rule for effects reported without dispersion: the model's ratio
    (after / before) must lie within ``exp(ln(r) * (1 ± fraction))``.
    """
    lr = math.log1p(percent_change / 100.0)
    a = 100.0 * math.expm1(lr * (1.0 - fraction))
    b = 100.0 * math.expm1(lr * (1.0 + fraction))
    return (min(a, b), max(a, b))


# --------------------------------------------------------------------------------------------
# sampling a simulated series
# --------------------------------------------------------------------------------------------
def sample(
    result: Result, var: str, every_min: int, start_h: float, end_h: float
) -> tuple[FloatArray, FloatArray]:
    """Values of time series ``var`` every ``every_min`` minutes in ``[start_h, end_h)``.

    ``every_min`` must be a multiple of the result's ``save_every_min``.
    """
    ts = result.timeseries
    save = int(ts.attrs["save_every_min"])
    if every_min % save:
        raise ValueError(f"every_min={every_min} is not a multiple of save_every_min={save}")
    hours = np.asarray(ts["hours"].values, dtype=float)
    values = np.asarray(ts[var].values, dtype=float)
    i0 = round(start_h * 60.0 / save)
    i1 = round(end_h * 60.0 / save)
    if i0 < 0 or i1 > len(hours):
        raise ValueError(f"window {start_h}-{end_h} h is outside the simulated {hours[-1]:.1f} h")
    step = every_min // save
    return hours[i0:i1:step], values[i0:i1:step]


def trapezoid(t_min: FloatArray, y: FloatArray) -> float:
    """Trapezoidal area (y-units × min)."""
    return float(np.trapezoid(y, t_min))


def window_mean(result: Result, var: str, start_h: float, end_h: float) -> float:
    """Mean of ``var`` over ``[start_h, end_h)`` at the saved resolution."""
    save = int(result.timeseries.attrs["save_every_min"])
    _, y = sample(result, var, save, start_h, end_h)
    return float(np.mean(y))


def mean_daily(results: Sequence[Result], column: str) -> FloatArray:
    """Day-by-day mean of ``results[i].daily[column]`` over the results (e.g. seeds)."""
    return np.asarray(np.mean([r.daily[column].to_numpy() for r in results], axis=0), dtype=float)


def slow_wave_activity(results: Sequence[Result]) -> float:
    """Mean slow-wave intensity after the first day (the model's slow-wave activity)."""
    return float(
        np.mean([r.timeseries["sws"].sel(hours=slice(24.0, None)).mean() for r in results])
    )


def window_secretion_ug(result: Result, start_h: float, end_h: float) -> float:
    """GH secreted (µg) in ``[start_h, end_h)``, from the saved secretion-rate series."""
    save = int(result.timeseries.attrs["save_every_min"])
    _, rate = sample(result, "gh_secretion_rate", save, start_h, end_h)
    return float(np.sum(rate) * save / 60.0)


# --------------------------------------------------------------------------------------------
# pulse detection on sparse samples (Cluster-style)
# --------------------------------------------------------------------------------------------
def cluster_pulses(
    y: Sequence[float] | FloatArray,
    *,
    cv: float = 0.08,
    lod: float = 0.15,
    t_up: float = 2.0,
    t_down: float = 2.0,
    n_nadir: int = 2,
) -> int:
    """Count pulses in a sampled series the way Cluster analysis does.

    A pulse is a peak (a local maximum, one sample) whose value exceeds the mean of the
    ``n_nadir`` lowest samples of the preceding and of the following nadir by ``t_up`` and
    ``t_down`` pooled assay SDs, with the assay SD ``sqrt(sd0² + (cv·C)²)``
    (Veldhuis & Johnson, Am J Physiol 1986;250:E486). Peaks separated by a nadir that is not
    significant are merged (the higher one is kept).

    Parameters
    ----------
    y : array_like
        Concentrations at equally spaced samples.
    cv : float
        Proportional part of the assay SD (intra-assay CV).
    lod : float
        Detection limit (same unit as ``y``); the constant part of the assay SD is ``lod/3``.
    t_up, t_down : float
        t-thresholds for the upstroke and the downstroke.
    n_nadir : int
        Samples in a nadir cluster.

    Returns
    -------
    int
        Number of pulses.
    """
    v = np.asarray(y, dtype=float)
    v = np.where(v < lod, 0.5 * lod, v)
    sd0 = lod / 3.0
    n = len(v)
    if n < 3:
        return 0

    def sd(x: FloatArray | float) -> FloatArray:
        return np.sqrt(sd0 * sd0 + (cv * np.asarray(x)) ** 2)

    def nadir(seg: FloatArray) -> tuple[float, float]:
        low = np.sort(seg)[: max(1, min(n_nadir, len(seg)))]
        return float(np.mean(low)), float(np.sqrt(np.mean(sd(low) ** 2) / len(low)))

    def significant(peak: float, seg: FloatArray, t: float) -> bool:
        if len(seg) == 0:
            return False
        m, s_n = nadir(seg)
        s_p = float(sd(peak))
        return (peak - m) / math.sqrt(s_p * s_p + s_n * s_n) > t

    # candidate peaks: local maxima (plateaus count once)
    cand = [i for i in range(n) if (i == 0 or v[i] > v[i - 1]) and (i == n - 1 or v[i] >= v[i + 1])]
    # merge peaks separated by non-significant nadirs, iterating until stable
    peaks = list(cand)
    changed = True
    while changed and len(peaks) > 1:
        changed = False
        for k in range(len(peaks) - 1):
            a, b = peaks[k], peaks[k + 1]
            seg = v[a : b + 1]
            lo = float(np.min(seg))
            low_peak = min(v[a], v[b])
            if not significant(low_peak, np.array([lo]), min(t_up, t_down)):
                drop = a if v[a] < v[b] else b
                peaks.remove(drop)
                changed = True
                break
    count = 0
    for k, i in enumerate(peaks):
        prev_i = peaks[k - 1] if k > 0 else 0
        next_i = peaks[k + 1] if k + 1 < len(peaks) else n - 1
        before = v[prev_i:i] if i > prev_i else v[:0]
        after = v[i + 1 : next_i + 1] if next_i > i else v[:0]
        if significant(float(v[i]), before, t_up) and significant(float(v[i]), after, t_down):
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# apparent half-life of endogenous GH
# --------------------------------------------------------------------------------------------
def quiescent_halflife_min(
    result: Result,
    start_h: float,
    end_h: float,
    *,
    min_minutes: int = 30,
    quiet_fraction: float = 0.05,
) -> float:
    """Apparent GH half-life (min) from the decline of GH during secretory quiescence.

    Needs a 1-minute time series. Segments where the secretion rate stays below
    ``quiet_fraction`` of the window's maximal rate for at least ``min_minutes`` are
    found; in each, ``log(GH - floor)`` is regressed on time, with ``floor`` the GH level that
    the basal secretion rate sustains (rate / (k·V) estimated as the minimum GH of the window
    times 0.9, so it never exceeds the data). Returns the median half-life over segments,
    or NaN when there are none.
    """
    ts = result.timeseries
    if int(ts.attrs["save_every_min"]) != 1:
        raise ValueError("quiescent_halflife_min needs save_every_min=1")
    _, gh = sample(result, "gh", 1, start_h, end_h)
    _, rate = sample(result, "gh_secretion_rate", 1, start_h, end_h)
    quiet = rate < quiet_fraction * float(np.max(rate))
    floor = 0.9 * float(np.min(gh))
    halves: list[float] = []
    i = 0
    n = len(gh)
    while i < n:
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < n and quiet[j]:
            j += 1
        if j - i >= min_minutes:
            seg = gh[i:j] - floor
            if np.all(seg > 0) and seg[0] > 1.5 * seg[-1]:
                t = np.arange(j - i, dtype=float)
                slope = float(np.polyfit(t, np.log(seg), 1)[0])
                if slope < 0:
                    halves.append(math.log(2.0) / -slope)
        i = j
    return float(np.median(halves)) if halves else float("nan")
