"""Unit tests of the pulse deconvolution (issue 5.1, 5.2, 5.6): known truth, edge cases,
invalid input. Fast: each series is at most 24 h at 10 min."""

from __future__ import annotations

import math

import numpy as np
import pytest

from somatosim.analysis import deconvolution as dc
from somatosim.analysis.deconvolution import (
    GH_KINETICS,
    Kinetics,
    approximate_entropy,
    deconvolve,
)
from somatosim.analysis.validation import SyntheticSpec, match_bursts, synthetic_truth
from somatosim.errors import InputError

MONO = Kinetics(rapid_fraction=0.0, name="mono")


def _one_burst_series(
    mass: float = 5.0, centre: float = 200.0, basal_conc: float = 0.2, hl: float = 18.0
) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free 8-h series with one Gaussian burst, from the numerical generator path."""
    t = np.arange(0.0, 480.0, 10.0)
    prob = dc._Problem(t, np.zeros_like(t), GH_KINETICS, "gaussian")
    lay = dc._Layout("gaussian", 1)
    x = np.array([math.log(hl), math.log(4.0), centre, basal_conc, 0.0, mass])
    return t, prob.model(x, lay)


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,tau", [("gaussian", 0.0), ("skewed", 7.0)])
@pytest.mark.parametrize("k", [0.0385, 0.198])
def test_closed_form_convolution_matches_numerical_integration(
    shape: dc.BurstShape, tau: float, k: float
) -> None:
    from scipy.integrate import quad

    wave = dc._Waveform(shape, 4.0, tau)
    u = np.linspace(-40.0, 300.0, 35)

    def integrand(v: float, x: float) -> float:
        return float(wave.density(np.array([v]))[0]) * math.exp(-k * (x - v))

    numeric = np.array(
        [quad(integrand, -80.0, x, args=(x,), points=[0.0], limit=200)[0] for x in u]
    )
    np.testing.assert_allclose(wave.convolved(u, k), numeric, rtol=1e-6, atol=1e-12)
    # the density integrates to one and the cdf agrees with it
    mass = quad(lambda v: float(wave.density(np.array([v]))[0]), -80.0, 400.0, points=[0.0])[0]
    assert mass == pytest.approx(1.0, rel=1e-8)
    half = quad(lambda v: float(wave.density(np.array([v]))[0]), -80.0, 5.0, points=[0.0])[0]
    assert float(wave.cdf(np.array([5.0]))[0]) == pytest.approx(half, rel=1e-8)


def test_far_tails_are_exact_zeros_not_subnormals() -> None:
    out = dc._emg(np.array([-500.0, -60.0, 0.0, 6000.0]), 3.0, 0.0385)
    assert out[0] == 0.0
    assert np.all(np.isfinite(out))
    assert not np.any((out != 0) & (np.abs(out) < 1e-100))


# ---------------------------------------------------------------------------------------------
# known-truth recovery
# ---------------------------------------------------------------------------------------------


def test_recovers_synthetic_subject() -> None:
    series, truth = synthetic_truth(seed=1)
    res = deconvolve(series.times_min, series.concentration, lod=series.lod)
    w0, w1 = truth.window_min
    true_t = truth.burst_times_min[truth.bursts_in(w0, w1)]
    found = res.bursts["time_min"].to_numpy()
    pairs = match_bursts(true_t, found, 15.0)
    assert len(pairs) == true_t.size
    assert res.n_bursts <= true_t.size + 1
    assert truth.halflife_min is not None and truth.total_secretion is not None
    assert res.halflife_min == pytest.approx(truth.halflife_min, rel=0.10)
    assert res.value("total_secretion") == pytest.approx(truth.total_secretion, rel=0.10)
    # timing within a few minutes, masses within 25 %
    for i, j in pairs:
        assert abs(found[j] - true_t[i]) < 6.0
        assert res.bursts["mass"].iloc[j] == pytest.approx(
            truth.burst_masses[truth.bursts_in(w0, w1)][i], rel=0.25
        )


def test_recovers_skewed_bursts_with_skewed_shape() -> None:
    spec = SyntheticSpec(shape="skewed", skew_tau_min=5.0)
    series, truth = synthetic_truth(spec, seed=4)
    res = deconvolve(series.times_min, series.concentration, lod=series.lod, shape="skewed")
    w0, w1 = truth.window_min
    true_t = truth.burst_times_min[truth.bursts_in(w0, w1)]
    pairs = match_bursts(true_t, res.bursts["time_min"].to_numpy(), 15.0)
    assert len(pairs) >= true_t.size - 1
    assert "burst_tau" in res.estimates.index
    assert truth.halflife_min is not None
    assert res.halflife_min == pytest.approx(truth.halflife_min, rel=0.15)


def test_fixed_release_compartment_gives_fixed_tail() -> None:
    kin = Kinetics(rapid_fraction=0.0, release_halflife_min=6.0, name="release")
    t, c = _one_burst_series()
    res = deconvolve(t, c, kinetics=kin, profile_halflife=False)
    assert res.value("burst_tau") == pytest.approx(6.0 / math.log(2.0))
    # a skewed burst fits its own tail on top of the fixed release tail
    skew = deconvolve(t, c, kinetics=kin, shape="skewed", profile_halflife=False)
    assert "burst_tau" in skew.estimates.index
    assert skew.halflife_min == pytest.approx(res.halflife_min, rel=0.15)


def test_skewed_burst_with_release_tail_is_a_proper_waveform() -> None:
    # Gaussian * Exp(tau) * Exp(release tail): unit mass, its cdf, and its convolution with
    # the elimination exponential, checked against numerical integration
    from somatosim.analysis.deconvolution import _Waveform

    wave = _Waveform("skewed", 2.0, 5.0, 6.0 / math.log(2.0))
    u = np.arange(-20.0, 400.0, 0.01)
    dens = wave.density(u)
    assert np.trapezoid(dens, u) == pytest.approx(1.0, abs=1e-4)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * 0.01)])
    assert np.max(np.abs(wave.cdf(u) - cum)) < 1e-4
    k = math.log(2.0) / 18.0
    i = int(np.searchsorted(u, 40.0))
    numeric = np.trapezoid(dens[: i + 1] * np.exp(-k * (u[i] - u[: i + 1])), u[: i + 1])
    assert wave.convolved(np.array([u[i]]), k)[0] == pytest.approx(numeric, rel=1e-4)


def test_irregular_sampling() -> None:
    series, truth = synthetic_truth(seed=2, jitter_min=3.0)
    assert np.ptp(np.diff(series.times_min)) > 1.0
    res = deconvolve(series.times_min, series.concentration, lod=series.lod)
    w0, w1 = truth.window_min
    true_t = truth.burst_times_min[truth.bursts_in(w0, w1)]
    pairs = match_bursts(true_t, res.bursts["time_min"].to_numpy(), 15.0)
    assert len(pairs) >= true_t.size - 1
    assert any("irregular" in w for w in res.warnings)


# ---------------------------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------------------------


def test_no_pulses_only_basal() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(0.0, 1440.0, 10.0)
    c = 0.3 * (1 + 0.05 * rng.standard_normal(t.size))
    res = deconvolve(t, c, profile_halflife=False)
    assert res.n_bursts == 0
    assert res.value("pulsatile_secretion") == 0.0
    # basal concentration 0.3 ng/mL = basal rate x steady-state factor
    factor = (1 - 0.37) / (math.log(2) / 18.0) + 0.37 / (math.log(2) / 3.5)
    assert res.basal_rate * factor == pytest.approx(0.3, rel=0.03)
    assert any("half-life not estimated" in w for w in res.warnings)


def test_flat_series_is_quiet_and_finite() -> None:
    t = np.arange(0.0, 600.0, 10.0)
    res = deconvolve(t, np.full(t.size, 1.5), profile_halflife=False)
    assert res.n_bursts == 0
    undefined = ["mean_interburst_interval", "mean_burst_mass"]  # no bursts: NaN by design
    assert np.isfinite(res.estimates["value"].drop(undefined)).all()
    assert res.value("approximate_entropy") == pytest.approx(0.0, abs=1e-12)


def test_one_large_pulse() -> None:
    t, c = _one_burst_series(mass=20.0)
    rng = np.random.default_rng(3)
    noisy = c * (1 + 0.03 * rng.standard_normal(c.size))
    res = deconvolve(t, noisy, profile_halflife=False)
    assert res.n_bursts == 1
    b = res.bursts.iloc[0]
    assert b["time_min"] == pytest.approx(200.0, abs=3.0)
    assert b["mass"] == pytest.approx(20.0, rel=0.15)


def test_short_series() -> None:
    t, c = _one_burst_series(mass=8.0, centre=40.0)
    res = deconvolve(t[:10], c[:10], profile_halflife=False)  # 90 minutes, 10 samples
    assert res.n_bursts == 1
    with pytest.raises(InputError, match="at least 6"):
        deconvolve(t[:5], c[:5])


def test_heavy_noise_does_not_invent_many_bursts() -> None:
    series, truth = synthetic_truth(cv=0.3, seed=5)
    res = deconvolve(series.times_min, series.concentration, assay_cv=0.3, lod=series.lod)
    w0, w1 = truth.window_min
    n_true = int(truth.bursts_in(w0, w1).sum())
    assert res.n_bursts <= n_true + 2
    assert res.n_bursts >= n_true // 3
    assert np.isfinite(res.halflife_min)


def test_censored_values_are_replaced() -> None:
    t, c = _one_burst_series(basal_conc=0.004)
    res = deconvolve(t, c, lod=0.01, profile_halflife=False)
    assert np.all(res.observed[c < 0.01] == 0.005)
    assert any("below the detection limit" in w for w in res.warnings)


# ---------------------------------------------------------------------------------------------
# outputs and uncertainty
# ---------------------------------------------------------------------------------------------


def test_outputs_are_consistent() -> None:
    series, _ = synthetic_truth(seed=6)
    res = deconvolve(
        series.times_min, series.concentration, lod=series.lod, distribution_volume_l=5.0
    )
    np.testing.assert_allclose(res.concentration(res.times_min), res.fitted, rtol=1e-10)
    grid = np.linspace(res.times_min[0], res.times_min[-1], 20001)
    total = np.trapezoid(res.secretion(grid), grid)
    assert total == pytest.approx(res.value("total_secretion"), rel=2e-3)
    b = res.bursts
    assert {"time_min", "mass", "amplitude", "half_duration_min", "mass_ug"} <= set(b.columns)
    assert (b["mass_se"] > 0).all() and np.isfinite(b["mass_se"]).all()
    assert res.value("total_secretion_per_day_ug") == pytest.approx(
        5.0 * res.value("total_secretion_per_day")
    )
    ibi = res.interburst_intervals_min
    assert ibi.size == res.n_bursts - 1 and (ibi > 0).all()
    lo, hi = res.estimates.loc["halflife", ["lo", "hi"]]
    assert lo < res.halflife_min < hi  # profile-likelihood interval
    fig = res.plot(title="t")
    assert len(fig.axes) == 2
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_bootstrap_intervals() -> None:
    t, c = _one_burst_series(mass=6.0)
    t2 = np.concatenate([t, t + 480.0])
    c2 = np.concatenate([c, c])
    rng = np.random.default_rng(8)
    y = c2 * (1 + 0.05 * rng.standard_normal(c2.size))
    res = deconvolve(t2, y, n_bootstrap=15, seed=1)
    assert res.uncertainty == "bootstrap(15)"
    b = res.bursts
    assert ((b["mass_lo"] <= b["mass"]) & (b["mass"] <= b["mass_hi"])).all()
    est = res.estimates.loc["halflife"]
    assert est["lo"] <= est["value"] <= est["hi"]


def test_approximate_entropy() -> None:
    rng = np.random.default_rng(0)
    assert approximate_entropy([1.0, 2.0] * 30) == pytest.approx(0.0, abs=1e-3)
    assert approximate_entropy(rng.standard_normal(200)) > 0.5
    assert math.isnan(approximate_entropy([1.0, 2.0]))


# ---------------------------------------------------------------------------------------------
# invalid input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "times,conc,match",
    [
        ([0, 10, 20, 30, 40, 50], [1, 1, np.nan, 1, 1, 1], "sample 2: concentration is missing"),
        ([0, 10, 20, 30, 40, 50], [1, 1, 1, -0.5, 1, 1], "sample 3: concentration -0.5"),
        ([0, 10, 30, 20, 40, 50], [1, 1, 1, 1, 1, 1], "sample 3: time 20.0 is earlier"),
        ([0, 10, 20, 20, 40, 50], [1, 1, 1, 1, 1, 1], "sample 3: time 20.0 is duplicated"),
        ([0, 10, np.inf, 30, 40, 50], [1, 1, 1, 1, 1, 1], "sample 2: time"),
        ([0, 10, 20, 30, 40], [1, 1, 1, 1, 1, 1], "differ in length"),
        ([0, 10, 20, 30, 40, 50], ["a", 1, 1, 1, 1, 1], "must be numbers"),
    ],
)
def test_invalid_input(times: list[float], conc: list[object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        deconvolve(times, conc)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"shape": "square"}, "shape"),
        ({"assay_cv": 1.5}, "assay_cv"),
        ({"alpha_insert": 0.0}, "alpha_insert"),
        ({"lod": -1.0}, "lod"),
        ({"n_bootstrap": -1}, "n_bootstrap"),
        ({"distribution_volume_l": 5.0, "units": "IU/L"}, "units"),
    ],
)
def test_invalid_options(kwargs: dict[str, object], match: str) -> None:
    t, c = _one_burst_series()
    with pytest.raises(InputError, match=match):
        deconvolve(t, c, **kwargs)  # type: ignore[arg-type]


def test_invalid_kinetics() -> None:
    with pytest.raises(InputError, match="halflife_bounds_min"):
        Kinetics(halflife_bounds_min=(30.0, 10.0))
    with pytest.raises(InputError, match="rapid_fraction"):
        Kinetics(rapid_fraction=1.0)
    with pytest.raises(InputError, match="rapid_halflife_min"):
        Kinetics(rapid_halflife_min=8.0, halflife_bounds_min=(6.0, 60.0))


@pytest.mark.parametrize(
    "kinetics",
    [GH_KINETICS, Kinetics(rapid_fraction=0.0, release_halflife_min=6.0, name="release")],
)
def test_closed_form_jacobian_matches_central_differences(kinetics: Kinetics) -> None:
    t = np.arange(0.0, 600.0, 10.0)
    prob = dc._Problem(t, np.zeros_like(t), kinetics, "gaussian")
    lay = dc._Layout("gaussian", 3)
    x = np.array([math.log(18), math.log(4.0), 100.0, 250.0, 400.0, 0.2, 0.5, 3.0, 1.0, 5.0])
    analytic = prob.jacobian(x, lay)
    numeric = np.empty_like(analytic)
    for j in range(x.size):
        h = 1e-6 * max(1.0, abs(x[j]))
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        numeric[:, j] = (prob.model(up, lay) - prob.model(down, lay)) / (2 * h)
    scale = np.max(np.abs(numeric), axis=0)
    assert np.all(np.max(np.abs(analytic - numeric), axis=0) <= 1e-7 * scale)


def test_min_mass_counts_only_large_bursts() -> None:
    series, _ = synthetic_truth(seed=1)
    full = deconvolve(series.times_min, series.concentration, lod=series.lod)
    masses = full.bursts["mass"].to_numpy()
    cut = float(np.median(masses))
    res = deconvolve(series.times_min, series.concentration, lod=series.lod, min_mass=cut)
    assert res.n_bursts == int(np.sum(masses >= cut)) < full.n_bursts
    assert res.bursts["counted"].sum() == res.n_bursts
    assert len(res.bursts) == len(full.bursts)  # still in the fit
    assert res.value("total_secretion") == pytest.approx(full.value("total_secretion"))
    assert res.interburst_intervals_min.size == res.n_bursts - 1
    with pytest.raises(InputError, match="min_mass"):
        deconvolve(series.times_min, series.concentration, min_mass=-1.0)
