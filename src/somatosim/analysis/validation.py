"""Validation harness for the pulse deconvolution (issue 5.4).

Series whose true bursts are known are sampled as a study would (:mod:`.sampling`),
deconvolved (:func:`~somatosim.analysis.deconvolution.deconvolve`), and compared with the
truth:

* **sensitivity**: fraction of true bursts above a stated mass, with peak inside the scored
  span, matched one-to-one by a detected burst within ``tolerance`` minutes;
* **false-positive rate**: fraction of detected bursts in the scored span matched to no true
  burst (of any mass);
* **half-life error** and **total-secretion error**: relative errors.

Two sources of truth:

``"synthetic"``
    :func:`synthetic_truth`, a documented generator independent of the deconvolution code:
    burst times from a renewal process (gamma-distributed intervals, ~14 bursts/day),
    log-normal masses, Gaussian (or skewed) secretory bursts and constant basal secretion,
    convolved with biexponential elimination by numerical integration on a 0.1-min grid.
``"simulator"``
    :func:`somatosim.simulate` runs of varied subjects, sampled by
    :func:`~somatosim.analysis.sampling.sample_result`.

:func:`run_validation` returns per-series and per-setting tables; :func:`write_report`
renders them to HTML next to the published AutoDecon figures (Johnson et al., Anal Biochem
2008;381:8: about 96 % sensitivity and 6 % false positives on synthetic LH series).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, signal

from somatosim.analysis.deconvolution import GH_KINETICS, BurstShape, Kinetics, deconvolve
from somatosim.analysis.sampling import SampledSeries, SeriesTruth, sample_curve
from somatosim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AUTODECON_PUBLISHED",
    "TARGETS",
    "Setting",
    "SyntheticSpec",
    "ValidationRun",
    "default_settings",
    "match_bursts",
    "run_validation",
    "score_series",
    "simulator_truths",
    "synthetic_truth",
    "write_report",
]

FloatArray = NDArray[np.float64]
_LN2 = math.log(2.0)

#: AutoDecon on synthetic LH data (Johnson et al., Anal Biochem 2008;381:8-17, abstract).
AUTODECON_PUBLISHED = {"sensitivity": 0.96, "false_positive_rate": 0.06}

#: Issue 5 targets at 10-min sampling and 5 % CV.
TARGETS = {
    "sensitivity": 0.95,
    "false_positive_rate": 0.05,
    "halflife_rel_error": 0.10,
    "total_secretion_rel_error": 0.15,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticSpec:
    """Distribution of synthetic GH subjects ("synthetic truth").

    Values are chosen to resemble deconvolution summaries of 24-h GH series in adults
    (about 10-20 bursts a day, half-life 13-20 min, basal secretion a minority of the total);
    they are a test bed, not physiology.

    Attributes
    ----------
    hours : float
        Length of the generated curve (the sampled window is chosen at sampling time).
    bursts_per_day : tuple of float
        Range of the subject's mean burst frequency (uniform).
    interval_shape : float
        Gamma shape of the inter-burst intervals (1 is a Poisson process; larger is more
        regular).
    mass_median : tuple of float
        Range of the subject's median burst mass, ng/mL × V (uniform on the log scale).
    mass_log_sd : float
        SD of log burst mass within a subject.
    burst_sd_min : tuple of float
        Range of the Gaussian burst SD, minutes.
    skew_tau_min : float
        Tail time constant of the burst when ``shape`` is ``"skewed"``.
    halflife_min : tuple of float
        Range of the slow half-life, minutes.
    basal_conc : tuple of float
        Range of the concentration sustained by basal secretion, ng/mL (log-uniform).
    kinetics : Kinetics
        Rapid component used to generate (the deconvolution fixes the same one).
    shape : {"gaussian", "skewed"}
        Burst waveform of the truth.
    """

    hours: float = 24.0
    bursts_per_day: tuple[float, float] = (10.0, 18.0)
    interval_shape: float = 4.0
    mass_median: tuple[float, float] = (1.0, 6.0)
    mass_log_sd: float = 0.8
    burst_sd_min: tuple[float, float] = (3.0, 6.0)
    skew_tau_min: float = 6.0
    halflife_min: tuple[float, float] = (13.0, 22.0)
    basal_conc: tuple[float, float] = (0.05, 0.3)
    kinetics: Kinetics = GH_KINETICS
    shape: BurstShape = "gaussian"


@dataclass(frozen=True, slots=True)
class _SyntheticCurve:
    times_min: FloatArray
    conc: FloatArray
    secretion: FloatArray
    burst_times: FloatArray
    burst_masses: FloatArray
    halflife: float
    basal_rate: float


def _synthetic_curve(spec: SyntheticSpec, rng: np.random.Generator) -> _SyntheticCurve:
    """Generate one subject's noise-free curve by numerical convolution (h = 0.1 min)."""
    warm = 360.0  # minutes simulated before t = 0 so the window starts in steady state
    end = spec.hours * 60.0
    per_day = rng.uniform(*spec.bursts_per_day)
    mean_ibi = 1440.0 / per_day
    k = spec.interval_shape
    times: list[float] = []
    t = -warm + rng.uniform(0, mean_ibi)
    while t < end + 60.0:
        times.append(t)
        t += rng.gamma(k, mean_ibi / k)
    bt = np.array(times)
    median = math.exp(rng.uniform(*np.log(spec.mass_median)))
    masses = median * np.exp(spec.mass_log_sd * rng.standard_normal(bt.size))
    sigma = rng.uniform(*spec.burst_sd_min)
    hl = rng.uniform(*spec.halflife_min)
    k_slow = _LN2 / hl
    kin = spec.kinetics
    comps = [(1.0 - kin.rapid_fraction, k_slow)]
    if kin.rapid_fraction > 0:
        comps.append((kin.rapid_fraction, _LN2 / kin.rapid_halflife_min))
    basal_conc = math.exp(rng.uniform(*np.log(spec.basal_conc)))
    basal_rate = basal_conc / sum(w / kk for w, kk in comps)
    h = 0.1
    grid = np.arange(-warm, end + 30.0 + h / 2, h)
    sec = np.full(grid.size, basal_rate)
    for T, M in zip(bt, masses, strict=True):
        u = grid - T
        if spec.shape == "gaussian":
            sec += M * np.exp(-0.5 * (u / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        else:
            sec += M * _emg_density(u, sigma, spec.skew_tau_min)
    conc = np.zeros_like(grid)
    for w, kk in comps:
        a = math.exp(-kk * h)
        zi = [basal_rate / kk * a]  # steady state before the grid starts
        part, _ = signal.lfilter([h / 2, a * h / 2], [1.0, -a], sec, zi=zi)
        conc += w * part
    keep = grid >= -60.0
    if spec.shape == "skewed":  # report the time of peak secretion rate
        u = np.linspace(-4 * sigma, 4 * sigma + 8 * spec.skew_tau_min, 4001)
        bt = bt + u[np.argmax(_emg_density(u, sigma, spec.skew_tau_min))]
    return _SyntheticCurve(grid[keep], conc[keep], sec[keep], bt, masses, hl, basal_rate)


def _emg_density(u: FloatArray, sigma: float, tau: float) -> FloatArray:
    """Gaussian (sd sigma) convolved with an exponential of mean tau (unit mass)."""
    from scipy.stats import exponnorm

    result: FloatArray = exponnorm.pdf(u, tau / sigma, loc=0.0, scale=sigma)
    return result


def synthetic_truth(
    spec: SyntheticSpec | None = None,
    *,
    interval_min: float = 10.0,
    cv: float = 0.05,
    lod: float = 0.01,
    window_hours: tuple[float, float] | None = None,
    jitter_min: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[SampledSeries, SeriesTruth]:
    """One synthetic subject, sampled: ``(series, truth)``.

    Parameters
    ----------
    spec : SyntheticSpec, optional
        Subject distribution (defaults: adult GH-like).
    interval_min, cv, lod, jitter_min
        Sampling design and assay, as in :func:`~somatosim.analysis.sampling.sample_curve`.
    window_hours : tuple of float, optional
        Sampled span (default: the whole generated span ``(0, spec.hours)``).
    seed : int or numpy.random.Generator, optional
        Random source (one generator drives both the subject and the assay noise).

    Returns
    -------
    (SampledSeries, SeriesTruth)

    Examples
    --------
    >>> s, truth = synthetic_truth(seed=3)
    >>> s.times_min.size, truth.source
    (144, 'synthetic')
    """
    spec = spec or SyntheticSpec()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    curve = _synthetic_curve(spec, rng)
    w0, w1 = (0.0, spec.hours) if window_hours is None else window_hours
    series = sample_curve(
        curve.times_min,
        curve.conc,
        interval_min=interval_min,
        window_min=(w0 * 60.0, w1 * 60.0),
        cv=cv,
        lod=lod,
        jitter_min=jitter_min,
        seed=rng,
    )
    a, b = float(series.times_min[0]), float(series.times_min[-1])
    inside = (curve.times_min >= a) & (curve.times_min <= b)
    total = float(np.trapezoid(curve.secretion[inside], curve.times_min[inside]))
    truth = SeriesTruth(
        burst_times_min=curve.burst_times,
        burst_masses=curve.burst_masses,
        window_min=(a, b),
        halflife_min=curve.halflife,
        basal_rate=curve.basal_rate,
        total_secretion=total,
        distribution_volume_l=None,
        dense_times_min=curve.times_min,
        dense_concentration=curve.conc,
        source="synthetic",
        kinetics=spec.kinetics,
    )
    return series, truth


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def match_bursts(
    true_times: FloatArray, found_times: FloatArray, tolerance: float
) -> list[tuple[int, int]]:
    """One-to-one matching of detected to true bursts minimising total time error.

    Pairs further apart than ``tolerance`` minutes are not allowed.

    Returns
    -------
    list of (true index, found index)

    Examples
    --------
    >>> match_bursts(np.array([0.0, 100.0]), np.array([95.0, 3.0, 300.0]), 15.0)
    [(0, 1), (1, 0)]
    """
    if true_times.size == 0 or found_times.size == 0:
        return []
    d = np.abs(true_times[:, None] - found_times[None, :])
    big = 1e6
    cost = np.where(d <= tolerance, d, big)
    rows, cols = optimize.linear_sum_assignment(cost)
    return sorted((int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < big)


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One cell of the validation grid."""

    interval_min: float = 10.0
    cv: float = 0.05
    lod: float = 0.01
    hours: float = 24.0
    jitter_min: float = 0.0
    truth_shape: BurstShape = "gaussian"
    fit_shape: BurstShape | None = None
    """Burst shape fitted; None: the source's own shape family (:data:`SOURCE_FIT_SHAPE`)."""

    @property
    def label(self) -> str:
        text = f"{self.interval_min:g} min, CV {100 * self.cv:g} %"
        if self.jitter_min:
            text += f", jitter ±{self.jitter_min:g} min"
        if self.truth_shape != "gaussian":
            text += f", {self.truth_shape} truth"
        if self.fit_shape is not None:
            text += f", {self.fit_shape} fit"
        return text


def score_series(
    series: SampledSeries,
    truth: SeriesTruth,
    *,
    mass_threshold: float,
    tolerance_min: float | None = None,
    end_margin_min: float | None = None,
    shape: BurstShape = "gaussian",
    kinetics: Kinetics | None = None,
) -> dict[str, float]:
    """Deconvolve one series and compare with its truth.

    Parameters
    ----------
    series, truth
        From :func:`synthetic_truth` or :func:`~somatosim.analysis.sampling.sample_result`.
    mass_threshold : float
        Sensitivity counts true bursts with at least this mass (ng/mL × V).
    tolerance_min : float, optional
        Matching tolerance (default: the larger of 15 min and 1.5 sampling intervals).
    end_margin_min : float, optional
        Bursts peaking in the last ``end_margin_min`` minutes of the window are not scored
        (they have at most one or two samples on their rise); default one sampling interval.
    shape : {"gaussian", "skewed"}
        Burst waveform of the deconvolution.
    kinetics : Kinetics, optional
        Elimination kinetics (default: the truth's, else ``GH_KINETICS``).

    Returns
    -------
    dict
        Counts, rates, relative errors, the runtime and the true and estimated values.

        *Window rule* (the classic pulse-detection scoring): a true burst with mass >=
        ``mass_threshold`` is detected when a detected burst lies within ``tolerance_min``
        (``true_positives / n_true``); a detected burst with estimated mass >=
        ``mass_threshold`` is false when no true burst of any mass lies within
        ``tolerance_min`` (``false_positives / n_found``; ``false_positives_all /
        n_found_all`` over every detected burst, however small).

        *One-to-one rule* (stricter): the same with each detected burst matched to at most
        one true burst (minimum total time error), so two true bursts closer than the
        sampling can resolve count one miss (``true_positives_1to1``,
        ``false_positives_1to1``).
    """
    tol = tolerance_min if tolerance_min is not None else max(15.0, 1.5 * series.interval_min)
    margin = end_margin_min if end_margin_min is not None else series.interval_min
    start = time.perf_counter()
    kin = kinetics or truth.kinetics or GH_KINETICS
    res = deconvolve(
        series.times_min,
        series.concentration,
        kinetics=kin,
        shape=shape,
        assay_cv=max(series.cv, 0.01),
        lod=series.lod if series.lod > 0 else None,
        profile_halflife=False,
    )
    elapsed = time.perf_counter() - start
    w0, w1 = truth.window_min
    found = res.bursts["time_min"].to_numpy()
    true_t = truth.burst_times_min
    pairs = match_bursts(true_t, found, tol)
    matched_true = {i for i, _ in pairs}
    matched_found = {j for _, j in pairs}
    scored_true = np.flatnonzero(
        truth.bursts_in(w0, w1 - margin) & (truth.burst_masses >= mass_threshold)
    )
    scored_found = np.flatnonzero((found >= w0) & (found <= w1 - margin))
    found_mass = res.bursts["mass"].to_numpy()
    big_found = scored_found[found_mass[scored_found] >= mass_threshold]

    def near(a: float, b: NDArray[np.float64]) -> bool:
        return bool(b.size) and float(np.min(np.abs(b - a))) <= tol

    tp = sum(1 for i in scored_true if near(true_t[i], found))
    fp = sum(1 for j in big_found if not near(found[j], true_t))
    fp_all = sum(1 for j in scored_found if not near(found[j], true_t))
    out = {
        "n_true": float(scored_true.size),
        "n_true_all": float(truth.bursts_in(w0, w1 - margin).sum()),
        "n_found": float(big_found.size),
        "n_found_all": float(scored_found.size),
        "true_positives": float(tp),
        "false_positives": float(fp),
        "false_positives_all": float(fp_all),
        "true_positives_1to1": float(sum(1 for i in scored_true if i in matched_true)),
        "false_positives_1to1": float(sum(1 for j in big_found if j not in matched_found)),
        "seconds": elapsed,
        "halflife_true": float("nan"),
        "halflife_est": res.halflife_min,
        "total_true": float("nan"),
        "total_est": res.value("total_secretion"),
    }
    if truth.halflife_min is not None:
        out["halflife_true"] = truth.halflife_min
    if truth.total_secretion is not None:
        out["total_true"] = truth.total_secretion
    out["halflife_rel_error"] = out["halflife_est"] / out["halflife_true"] - 1.0
    out["total_rel_error"] = out["total_est"] / out["total_true"] - 1.0
    if truth.basal_rate is not None:
        out["basal_true"] = truth.basal_rate
        out["basal_est"] = res.basal_rate
    if pairs:
        errs = [found[j] - truth.burst_times_min[i] for i, j in pairs]
        rel = [found_mass[j] / truth.burst_masses[i] - 1.0 for i, j in pairs]
        out["timing_abs_error_min"] = float(np.median(np.abs(errs)))
        out["mass_rel_error_median"] = float(np.median(rel))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationRun:
    """Tables produced by :func:`run_validation`.

    Attributes
    ----------
    per_series : pandas.DataFrame
        One row per (setting, subject) with counts and errors.
    per_setting : pandas.DataFrame
        Pooled sensitivity and false-positive rate, median and 90th-percentile absolute
        half-life and total-secretion errors, share of series within the targets, runtime.
    source : str
        ``"synthetic"`` or ``"simulator"``.
    mass_threshold : float
        The stated mass above which sensitivity is scored (ng/mL × V).
    notes : tuple of str
        How the numbers were made.
    """

    per_series: pd.DataFrame
    per_setting: pd.DataFrame
    source: str
    mass_threshold: float
    notes: tuple[str, ...] = field(default=())


def _summarise(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for label, g in df.groupby("setting", sort=False):
        hl = g["halflife_rel_error"].abs()
        tot = g["total_rel_error"].abs()
        rows.append(
            {
                "setting": label,
                "interval_min": g["interval_min"].iloc[0],
                "cv": g["cv"].iloc[0],
                "subjects": len(g),
                "true_bursts": int(g["n_true"].sum()),
                "found_bursts": int(g["n_found"].sum()),
                "sensitivity": g["true_positives"].sum() / max(g["n_true"].sum(), 1),
                "false_positive_rate": g["false_positives"].sum() / max(g["n_found"].sum(), 1),
                "false_positive_rate_all": g["false_positives_all"].sum()
                / max(g["n_found_all"].sum(), 1),
                "sensitivity_1to1": g["true_positives_1to1"].sum() / max(g["n_true"].sum(), 1),
                "false_positive_rate_1to1": g["false_positives_1to1"].sum()
                / max(g["n_found"].sum(), 1),
                "halflife_abs_error_median": float(hl.median()),
                "halflife_abs_error_p90": float(hl.quantile(0.9)),
                "halflife_within_10pct": float((hl <= 0.10).mean()),
                "total_abs_error_median": float(tot.median()),
                "total_abs_error_p90": float(tot.quantile(0.9)),
                "total_within_15pct": float((tot <= 0.15).mean()),
                "seconds_mean": float(g["seconds"].mean()),
            }
        )
    return pd.DataFrame(rows)


SOURCE_FIT_SHAPE: dict[str, BurstShape] = {"synthetic": "gaussian", "simulator": "skewed"}
"""Burst shape the deconvolution fits to each source unless a setting names one.

Synthetic bursts are Gaussian. The simulator's secretion rises within a minute of a GHRH
volley and decays with a half-time of 4-9 min (somatostatin and the emptying pool), before
the release compartment adds its fixed tail: a Gaussian with a fitted exponential tail on
top of the release tail. A symmetric Gaussian moves the unmodelled decay into the
elimination half-life.
"""

MATCHED_KINETICS: dict[str, float] = {"gh_clearance_sat_ratio": 0.0}
"""Parameter overrides of the simulator source: monoexponential GH elimination."""


def simulator_truths(
    n: int,
    setting: Setting,
    *,
    seed: int = 2024,
) -> list[tuple[SampledSeries, SeriesTruth]]:
    """Sampled simulator runs of varied adults: ``[(series, truth), ...]``.

    ``n`` adults (age 20-70 years, either sex, 55-100 kg, habitual sleep and diet) are
    simulated for ``1 + ceil(hours / 24)`` days at 1-minute resolution with
    :func:`somatosim.simulate_many`; the sampled window starts at 00:00 of day 1 (after a
    day in which the model settles).

    The runs use :data:`MATCHED_KINETICS`: the saturable, receptor-mediated part of GH
    clearance is switched off, so the simulator's elimination is monoexponential, as the
    deconvolution assumes. This source tests the algorithm on mechanistic pulse patterns,
    with the kinetic structure known, as the synthetic source does on generated ones. With
    the shipped clearance a single half-life is misspecified (it settles between the
    trough and the pulse half-lives and adds small bursts); ``docs/pulses.md`` gives the
    numbers.
    """
    from somatosim import default_parameters, simulate_many
    from somatosim.analysis.sampling import sample_result

    p = default_parameters().replace(**MATCHED_KINETICS)

    rng = np.random.default_rng([seed, 7])
    days = 1 + math.ceil(setting.hours / 24.0)
    scenarios = [
        {
            "name": f"pulse-validation-{i}",
            "days": days,
            "subject": {
                "age_years": float(rng.uniform(20, 70)),
                "sex": "male" if rng.random() < 0.5 else "female",
                "weight_kg": float(rng.uniform(55, 100)),
            },
        }
        for i in range(n)
    ]
    seeds = [int(x) for x in rng.integers(0, 2**31 - 1, size=n)]
    results = simulate_many(scenarios, seeds, save_every_min=1, params=p)
    return [
        sample_result(
            res,
            params=p,
            interval_min=setting.interval_min,
            window_hours=(24.0, 24.0 + setting.hours),
            cv=setting.cv,
            lod=setting.lod,
            jitter_min=setting.jitter_min,
            seed=np.random.default_rng([seed, i, 11]),
        )
        for i, res in enumerate(results)
    ]


def run_validation(
    settings: Sequence[Setting] | None = None,
    *,
    n_subjects: int = 50,
    source: Literal["synthetic", "simulator"] = "synthetic",
    spec: SyntheticSpec | None = None,
    mass_threshold: float = 0.5,
    mass_threshold_ug: float = 3.0,
    seed: int = 2024,
    progress: bool = False,
) -> ValidationRun:
    """Score the deconvolution over many subjects and sampling designs.

    Parameters
    ----------
    settings : sequence of Setting, optional
        Sampling designs (default: :func:`default_settings`).
    n_subjects : int
        Subjects per setting (the same subjects across settings of one source and seed).
    source : {"synthetic", "simulator"}
        Where the truth comes from.
    spec : SyntheticSpec, optional
        Synthetic subject distribution.
    mass_threshold : float
        Synthetic source: stated mass above which sensitivity is scored, ng/mL × V.
    mass_threshold_ug : float
        Simulator source: the same in µg (the simulator's own pulse-counting threshold,
        ``burst_detect_mass_ug``, is 3 µg).
    seed : int
        Master seed.
    progress : bool
        Print one line per setting.

    Returns
    -------
    ValidationRun
    """
    import pandas as pd

    if n_subjects < 1:
        raise InputError(f"n_subjects={n_subjects}: need at least 1")
    settings = list(settings) if settings is not None else default_settings()
    spec = spec or SyntheticSpec()
    rows: list[dict[str, object]] = []
    for s in settings:
        if source == "synthetic":
            sub_spec = replace(spec, hours=s.hours, shape=s.truth_shape)
            pairs: Iterable[tuple[SampledSeries, SeriesTruth]] = (
                synthetic_truth(
                    sub_spec,
                    interval_min=s.interval_min,
                    cv=s.cv,
                    lod=s.lod,
                    jitter_min=s.jitter_min,
                    seed=np.random.default_rng([seed, i]),
                )
                for i in range(n_subjects)
            )
        else:
            pairs = simulator_truths(n_subjects, s, seed=seed)
        for i, (series, truth) in enumerate(pairs):
            vol = truth.distribution_volume_l
            threshold = mass_threshold_ug / vol if source == "simulator" and vol else mass_threshold
            shape = s.fit_shape or SOURCE_FIT_SHAPE[source]
            scores = score_series(series, truth, mass_threshold=threshold, shape=shape)
            rows.append(
                {"setting": s.label, "interval_min": s.interval_min, "cv": s.cv, "subject": i}
                | scores
            )
        if progress:
            done = pd.DataFrame([r for r in rows if r["setting"] == s.label])
            print(_summarise(done).to_string(index=False), flush=True)
    per_series = pd.DataFrame(rows)
    stated = (
        f"{mass_threshold_ug:g} µg" if source == "simulator" else f"{mass_threshold:g} ng/mL x V"
    )
    model_note = (
        "the synthetic truth belongs to the deconvolution's own model family (Gaussian bursts, "
        "constant basal secretion, the same fixed rapid elimination component): an optimistic "
        "test of the algorithm, not of the model"
        if source == "synthetic"
        else "the simulator's GH is mechanistic (GHRH volleys, somatostatin, a releasable pool, "
        "a release compartment; run with monoexponential elimination, the saturable part of "
        "GH clearance switched off); the deconvolution is given the "
        "simulator's kinetic structure (monoexponential elimination with the half-life "
        "estimated, the 6-min release compartment as a fixed burst tail), as a deconvolution "
        "of real data is given the rapid elimination component; basal secretion that varies "
        "with sleep and somatostatin shows up as small extra bursts (false_positive_rate_all)"
    )
    notes = (
        f"truth source: {source}",
        model_note,
        f"sensitivity: share of true bursts with mass >= {stated} with a detected burst within "
        "the tolerance, max(15 min, 1.5 sampling intervals); false-positive rate: share of "
        f"detected bursts with estimated mass >= {stated} with no true burst (any mass) "
        "within the tolerance (false_positive_rate_all: the same over all detected bursts, "
        "however small)",
        "*_1to1: the same with one-to-one matching (a detected burst can explain only one "
        "true burst, so true bursts closer than the sampling resolves count as misses)",
        "bursts peaking in the last sampling interval of the window are not scored",
    )
    return ValidationRun(
        per_series=per_series,
        per_setting=_summarise(per_series),
        source=source,
        mass_threshold=mass_threshold_ug if source == "simulator" else mass_threshold,
        notes=notes,
    )


def default_settings() -> list[Setting]:
    """The grid of the issue: sampling interval × assay noise."""
    return [
        Setting(interval_min=10.0, cv=0.05),
        Setting(interval_min=5.0, cv=0.05),
        Setting(interval_min=20.0, cv=0.05),
        Setting(interval_min=10.0, cv=0.02),
        Setting(interval_min=10.0, cv=0.10),
    ]


def write_report(runs: Sequence[ValidationRun], path: Path) -> Path:
    """Write an HTML report of one or more validation runs, with the published bar.

    Parameters
    ----------
    runs : sequence of ValidationRun
        Results of :func:`run_validation` (for example one synthetic, one simulator).
    path : Path
        Output HTML file (its directory is created).

    Returns
    -------
    Path
        The file written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>somatosim pulse deconvolution: validation</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px;"
        "text-align:right}.ok{background:#e6f4e6}.bad{background:#f8e0e0}</style>",
        "</head><body><h1>Pulse deconvolution: validation</h1>",
        "<p>Targets at 10-min sampling and 5 % CV (issue 5): sensitivity &ge; 95 %, "
        "false positives &le; 5 %, half-life within 10 %, total secretion within 15 %. "
        "Published bar: AutoDecon on synthetic LH series (Johnson et al., Anal Biochem "
        "2008;381:8-17) &asymp; 96 % sensitivity, 6 % false positives.</p>",
    ]
    for run in runs:
        parts.append(f"<h2>Truth: {html.escape(run.source)}</h2><ul>")
        parts += [f"<li>{html.escape(n)}</li>" for n in run.notes]
        parts.append("</ul>")
        parts.append(_html_table(run.per_setting))
        parts.append(_comparison(run))
    parts.append("</body></html>")
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(parts), encoding="utf-8")
    tmp.replace(path)
    return path


def _html_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            txt = f"{v:.3f}" if isinstance(v, float) else html.escape(str(v))
            cells.append(f"<td>{txt}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _comparison(run: ValidationRun) -> str:
    df = run.per_setting
    ref = df[(df["interval_min"] == 10.0) & (df["cv"] == 0.05)]
    if ref.empty:
        return ""
    r = ref.iloc[0]
    hl_target = TARGETS["halflife_rel_error"]
    tot_target = TARGETS["total_secretion_rel_error"]
    # (measure, value, target text, met (None: no target), published AutoDecon)
    checks: list[tuple[str, float, str, bool | None, str]] = [
        (
            "sensitivity",
            r["sensitivity"],
            f"&ge; {TARGETS['sensitivity']:.0%}",
            r["sensitivity"] >= TARGETS["sensitivity"],
            f"{AUTODECON_PUBLISHED['sensitivity']:.0%}",
        ),
        (
            "false-positive rate",
            r["false_positive_rate"],
            f"&le; {TARGETS['false_positive_rate']:.0%}",
            r["false_positive_rate"] <= TARGETS["false_positive_rate"],
            f"{AUTODECON_PUBLISHED['false_positive_rate']:.0%}",
        ),
        ("sensitivity, one-to-one matching", r["sensitivity_1to1"], "", None, ""),
        ("false-positive rate, one-to-one matching", r["false_positive_rate_1to1"], "", None, ""),
        (
            "false-positive rate, all detected bursts however small",
            r["false_positive_rate_all"],
            "",
            None,
            "",
        ),
        (
            "median half-life error",
            r["halflife_abs_error_median"],
            f"&le; {hl_target:.0%}",
            r["halflife_abs_error_median"] <= hl_target,
            "",
        ),
        ("subjects with half-life within 10 %", r["halflife_within_10pct"], "", None, ""),
        (
            "median total-secretion error",
            r["total_abs_error_median"],
            f"&le; {tot_target:.0%}",
            r["total_abs_error_median"] <= tot_target,
            "",
        ),
        ("subjects with total secretion within 15 %", r["total_within_15pct"], "", None, ""),
    ]
    rows = []
    for name, value, target, met, pub in checks:
        cls = "" if met is None else f" class='{'ok' if met else 'bad'}'"
        rows.append(
            f"<tr{cls}><td style='text-align:left'>{name}</td><td>{value:.1%}</td>"
            f"<td>{target}</td><td>{pub}</td></tr>"
        )
    return (
        "<h3>10 min, 5 % CV against the targets and AutoDecon</h3><table><tr><th>measure</th>"
        "<th>somatosim</th><th>target</th><th>AutoDecon (published)</th></tr>"
        + "".join(rows)
        + "</table>"
    )
