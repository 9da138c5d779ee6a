"""Automated multiparameter deconvolution of pulsatile hormone series (issue 5).

The measured concentration is modelled, as in the Veldhuis–Johnson deconvolution family
(Veldhuis & Johnson, Methods Enzymol 1992; AutoDecon, Johnson et al., Anal Biochem 2008 and
Methods Enzymol 2009), as basal secretion plus a sum of secretory bursts, convolved with
biexponential elimination:

.. math::

    C(t) = B + C_0 e^{-k_s (t - t_0)} + \\sum_k M_k \\, (p \\ast E)(t - T_k),
    \\qquad E(u) = (1 - f) e^{-k_s u} + f e^{-k_r u},

where ``p`` is a unit-mass burst waveform shared by all bursts (a Gaussian of standard
deviation ``sigma``, or a skewed exponentially modified Gaussian with tail time constant
``tau``; with a known release compartment the Gaussian, or the skewed burst, is further
convolved with its fixed exponential tail), ``T_k`` and ``M_k`` are the burst centre and
mass, ``k_r`` and ``f`` are the fixed rapid elimination rate and fraction,
``k_s = ln 2 / t_half`` is the estimated slow rate, ``B``
the steady concentration sustained by basal secretion ``S_0 = B / ((1 - f)/k_s + f/k_r)`` and
``C_0`` the remnant of secretion before the first sample. Convolutions are closed-form
(exponentially modified Gaussians), so the model is exact at any, also irregular, sample
times.

The algorithm is automatic (no manual seeding):

1. fit the burst-free model;
2. **insert**: scan candidate burst centres on a fine grid and take the one whose optimal
   positive mass most reduces the weighted residual sum of squares (Gauss–Newton projection
   on the current fit); refit by weighted nonlinear least squares (bounded
   Levenberg–Marquardt, closed-form Jacobian) with the assay variance model
   ``sd_i^2 = sd_0^2 + (cv * C_i)^2``; keep the new burst if it lowers the SSR by more than
   the chi-square(2) quantile at ``alpha_insert`` times the variance factor ``phi``;
3. **triage** after each insertion: rank bursts by the Wald test of their mass and remove,
   one at a time, those whose likelihood-ratio test has ``p > alpha_remove``;
4. insertion passes hold the half-life and waveform fixed; between passes everything is
   refitted with weights from the model and ``phi`` is re-estimated from that fullest
   model (robust, never below 1: the declared assay variance is trusted unless the data
   scatter more); passes repeat until the burst count and ``phi`` are stable.

Uncertainty: asymptotic (Wald) standard errors from the weighted Jacobian for every
estimate (delta method for derived quantities), a profile-likelihood interval for the
half-life, and optionally a parametric bootstrap (``n_bootstrap``) with percentile intervals.

All times are minutes. Concentrations are in the caller's unit (``units``); masses are in
concentration units of the distribution volume (``units`` × V), secretion rates in
``units``/min. With ``distribution_volume_l`` and concentrations in ng/mL (= µg/L), masses
are also reported in µg.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from somatosim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "GH_KINETICS",
    "LH_KINETICS",
    "BurstShape",
    "DeconvolutionResult",
    "Kinetics",
    "approximate_entropy",
    "deconvolve",
]

FloatArray = NDArray[np.float64]
BurstShape = Literal["gaussian", "skewed"]

_LN2 = math.log(2.0)
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_FWHM_PER_SD = 2.0 * math.sqrt(2.0 * _LN2)
_MIN_SAMPLES = 6
_FD_STEP = 1e-6
#: The skewed burst's exponential tail, as a fraction of the slow elimination time constant.
#: A secretion tail and an elimination exponential are interchangeable in a convolution
#: (e^{-t/a} * e^{-t/b} is symmetric in a and b), so the tail must be held shorter than
#: elimination for the half-life to be identifiable; 0.6 allows tails up to ~15 min at a
#: half-life of 18 min.
_SKEW_RATIO_BOUNDS = (0.02, 0.6)


@dataclass(frozen=True, slots=True, kw_only=True)
class Kinetics:
    """Elimination kinetics assumed by the deconvolution.

    Attributes
    ----------
    rapid_halflife_min : float
        Half-life of the fixed rapid (distribution) component, minutes.
    rapid_fraction : float
        Fraction ``f`` of the elimination function carried by the rapid component, 0 <= f < 1;
        0 gives monoexponential elimination.
    halflife_bounds_min : tuple of float
        Allowed range of the estimated slow half-life, minutes.
    halflife_start_min : float
        Starting value of the slow half-life, minutes.
    burst_sd_bounds_min : tuple of float
        Allowed range of the common burst standard deviation (Gaussian part), minutes.
    burst_sd_start_min : float
        Starting value of the burst standard deviation, minutes.
    release_halflife_min : float or None
        Half-life of a release (infusion) compartment between the secretory site and plasma
        (as in Klerman et al., Am J Physiol 2003), if known: each Gaussian burst then enters
        plasma with this fixed exponential tail. Only with ``shape="gaussian"``.
    name : str
        Label used in reports.
    """

    rapid_halflife_min: float = 3.5
    rapid_fraction: float = 0.37
    halflife_bounds_min: tuple[float, float] = (6.0, 60.0)
    halflife_start_min: float = 18.0
    burst_sd_bounds_min: tuple[float, float] = (1.0, 15.0)
    burst_sd_start_min: float = 5.0
    release_halflife_min: float | None = None
    name: str = "custom"

    def __post_init__(self) -> None:
        lo, hi = self.halflife_bounds_min
        if not 0.0 < lo < hi:
            raise InputError(f"halflife_bounds_min={self.halflife_bounds_min}: need 0 < low < high")
        if not lo <= self.halflife_start_min <= hi:
            raise InputError(
                f"halflife_start_min={self.halflife_start_min} lies outside "
                f"halflife_bounds_min={self.halflife_bounds_min}"
            )
        slo, shi = self.burst_sd_bounds_min
        if not 0.0 < slo < shi or not slo <= self.burst_sd_start_min <= shi:
            raise InputError(
                f"burst_sd_bounds_min={self.burst_sd_bounds_min} with start "
                f"{self.burst_sd_start_min}: need 0 < low <= start <= high"
            )
        if not 0.0 <= self.rapid_fraction < 1.0:
            raise InputError(f"rapid_fraction={self.rapid_fraction}: need 0 <= f < 1")
        if self.release_halflife_min is not None and not self.release_halflife_min > 0:
            raise InputError(f"release_halflife_min={self.release_halflife_min}: need > 0")
        if self.rapid_fraction > 0 and not self.rapid_halflife_min < lo:
            raise InputError(
                f"rapid_halflife_min={self.rapid_halflife_min} must be shorter than the lowest "
                f"slow half-life {lo}"
            )


#: GH: rapid component 3.5 min carrying 37 % of the elimination function, slow half-life
#: estimated in 6-60 min (the convention of the Veldhuis group's GH deconvolutions).
GH_KINETICS = Kinetics(name="GH (biexponential, rapid 3.5 min, f=0.37)")

#: LH: monoexponential, half-life estimated in 20-120 min, wider bursts.
LH_KINETICS = Kinetics(
    rapid_halflife_min=1.0,
    rapid_fraction=0.0,
    halflife_bounds_min=(30.0, 60.0),
    halflife_start_min=45.0,
    burst_sd_bounds_min=(1.0, 20.0),
    burst_sd_start_min=5.0,
    name="LH (monoexponential)",
)


# --------------------------------------------------------------------------------------------
# Closed-form convolutions
# --------------------------------------------------------------------------------------------


def _exp(arg: FloatArray) -> FloatArray:
    """``exp(arg)`` with results below 1e-100 flushed to zero.

    Gaussian tails would otherwise produce subnormal numbers, which make every later
    floating-point operation on them (and the BLAS products of the Jacobian) very slow.
    """
    out = np.zeros_like(arg)
    np.exp(arg, out=out, where=arg > -230.0)
    return out


def _emg(u: FloatArray, sigma: float, k: float) -> FloatArray:
    """Unit-mass Gaussian (sd ``sigma``, centre 0) convolved with ``exp(-k u)``, at ``u``.

    Equal to the exponentially modified Gaussian density divided by ``k``; evaluated with
    ``erfcx`` on the rising side and ``erfc`` on the falling side so nothing overflows.
    """
    z = (k * sigma * sigma - u) / (_SQRT2 * sigma)
    out = np.empty_like(u)
    rising = z >= 0.0
    ur = u[rising]
    out[rising] = 0.5 * _exp(-0.5 * (ur / sigma) ** 2) * special.erfcx(z[rising])
    falling = ~rising
    uf = u[falling]
    out[falling] = 0.5 * _exp(-k * uf + 0.5 * (k * sigma) ** 2) * special.erfc(z[falling])
    return out


def _emg_grad(u: FloatArray, sigma: float, k: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`_emg` and its derivatives with respect to ``k`` and ``sigma`` (closed form)."""
    g = _emg(u, sigma, k)
    phi = _exp(-0.5 * (u / sigma) ** 2) / (sigma * _SQRT2PI)
    d_k = (k * sigma * sigma - u) * g - sigma * sigma * phi
    d_sigma = k * k * sigma * g - phi * (k * sigma + u / sigma)
    return g, d_k, d_sigma


@dataclass(frozen=True, slots=True)
class _Waveform:
    """Burst waveform and its convolution with each elimination component."""

    shape: BurstShape
    sigma: float
    tau: float  # tail time constant of the skewed shape (unused for "gaussian")
    tail: float = 0.0  # a second, fixed tail (the release compartment) of a skewed burst

    def _rates(self) -> tuple[float, ...]:
        """Rates of the exponential tails: one (skewed), two (skewed with a release tail)."""
        if self.tail <= 0.0:
            return (1.0 / self.tau,)
        l1, l2 = 1.0 / self.tau, 1.0 / self.tail
        if abs(l1 - l2) < 1e-6 * l2:
            l1 = l2 * (1.0 + 1e-6)
        return (l1, l2)

    def _tails_convolved(self, u: FloatArray, extra: tuple[float, ...]) -> FloatArray:
        """Gaussian ∗ each tail density ∗ ``exp(-r u)`` for ``r`` in ``extra``.

        Partial fractions of a convolution of exponentials (hypoexponential):
        ``e^{-a} ∗ e^{-b} ∗ ... = sum_r e^{-r u} / prod_{s != r} (s - r)``, times the product
        of the tail rates; each ``e^{-r u}`` convolved with the Gaussian is :func:`_emg`.
        """
        lams = self._rates()
        rates = list(lams)
        for k in extra:  # keep every rate distinct
            while any(abs(k - r) < 1e-7 * max(k, r) for r in rates):
                k *= 1.0 + 1e-6
            rates.append(k)
        out = np.zeros_like(u)
        for i, r in enumerate(rates):
            denom = 1.0
            for j, q in enumerate(rates):
                if j != i:
                    denom *= q - r
            out += _emg(u, self.sigma, r) / denom
        return float(np.prod(lams)) * out

    def density(self, u: FloatArray) -> FloatArray:
        """Unit-mass secretion rate at ``u`` minutes after the burst centre parameter."""
        if self.shape == "gaussian":
            result: FloatArray = _exp(-0.5 * (u / self.sigma) ** 2) / (self.sigma * _SQRT2PI)
            return result
        if self.tail > 0.0:
            return self._tails_convolved(u, ())
        lam = 1.0 / self.tau
        return lam * _emg(u, self.sigma, lam)

    def convolved(self, u: FloatArray, k: float) -> FloatArray:
        """Unit-mass burst convolved with ``exp(-k u)``."""
        if self.shape == "gaussian":
            return _emg(u, self.sigma, k)
        if self.tail > 0.0:
            return self._tails_convolved(u, (k,))
        lam = 1.0 / self.tau
        if abs(lam - k) < 1e-7 * k:
            lam = k * (1.0 + 1e-7)
        return lam / (lam - k) * (_emg(u, self.sigma, k) - _emg(u, self.sigma, lam))

    def convolved_grad(self, u: FloatArray, k: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:meth:`convolved` and its derivatives in ``k`` and ``sigma`` (``tau`` held)."""
        if self.shape == "gaussian":
            return _emg_grad(u, self.sigma, k)
        lam = 1.0 / self.tau
        if abs(lam - k) < 1e-7 * k:
            lam = k * (1.0 + 1e-7)
        c = lam / (lam - k)
        g_k, dk_k, ds_k = _emg_grad(u, self.sigma, k)
        g_l, _, ds_l = _emg_grad(u, self.sigma, lam)
        diff = g_k - g_l
        return c * diff, c / (lam - k) * diff + c * dk_k, c * (ds_k - ds_l)

    def cdf(self, u: FloatArray) -> FloatArray:
        """Fraction of the burst mass secreted before ``u``."""
        gauss: FloatArray = special.ndtr(u / self.sigma)
        if self.shape == "gaussian":
            return gauss
        if self.tail > 0.0:
            # X = G + Exp(l1) + Exp(l2): survival of the two tails is
            # (l2 e^{-l1 t} - l1 e^{-l2 t}) / (l2 - l1)
            l1, l2 = self._rates()
            surv = (l2 * _emg(u, self.sigma, l1) - l1 * _emg(u, self.sigma, l2)) / (l2 - l1)
            result2: FloatArray = gauss - surv
            return result2
        # X = G + Exp(lam): F(u) = Phi(u/sigma) - p(u)/lam
        return gauss - self.tau * self.density(u)

    def peak_and_fwhm(self) -> tuple[float, float]:
        """Peak unit-mass secretion rate (1/min) and full width at half maximum (min)."""
        if self.shape == "gaussian":
            return 1.0 / (self.sigma * _SQRT2PI), _FWHM_PER_SD * self.sigma
        u = np.linspace(-5 * self.sigma, 5 * self.sigma + 12 * (self.tau + self.tail), 4001)
        d = self.density(u)
        peak = float(d.max())
        above = u[d >= 0.5 * peak]
        return peak, float(above[-1] - above[0])

    def mode(self) -> float:
        """Time of peak secretion relative to the centre parameter, minutes."""
        if self.shape == "gaussian":
            return 0.0
        u = np.linspace(-3 * self.sigma, 3 * self.sigma + 6 * (self.tau + self.tail), 4001)
        return float(u[np.argmax(self.density(u))])


# --------------------------------------------------------------------------------------------
# The least-squares problem
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Layout:
    """Positions of the parameters in the full vector ``x``.

    ``x = [log t_half, log sigma, (log tau), T_1..T_K, B, C0, M_1..M_K]``.
    """

    shape: BurstShape
    n_bursts: int

    @property
    def n_shape(self) -> int:
        return 3 if self.shape == "skewed" else 2

    @property
    def i_times(self) -> slice:
        return slice(self.n_shape, self.n_shape + self.n_bursts)

    @property
    def i_base(self) -> int:
        return self.n_shape + self.n_bursts

    @property
    def i_masses(self) -> slice:
        return slice(self.i_base + 2, self.i_base + 2 + self.n_bursts)

    @property
    def size(self) -> int:
        return self.n_shape + 2 * self.n_bursts + 2


class _Problem:
    """Data, kinetics and model evaluation for one series."""

    def __init__(
        self,
        t: FloatArray,
        y: FloatArray,
        kinetics: Kinetics,
        shape: BurstShape,
    ) -> None:
        self.t = t
        self.y = y
        self.t0 = float(t[0])
        self.kin = kinetics
        self.shape: BurstShape = shape
        self.k_rapid = _LN2 / kinetics.rapid_halflife_min
        self.f = kinetics.rapid_fraction
        rel = kinetics.release_halflife_min
        self.tail = None if rel is None else rel / _LN2  # fixed release-compartment tail
        dt = np.diff(t)
        self.step = float(np.median(dt)) if dt.size else 1.0
        self.t_lo = self.t0 - 3.0 * self.step
        self.t_hi = float(t[-1])

    # ----- model pieces ------------------------------------------------------------------
    def waveform(self, x: FloatArray) -> _Waveform:
        """Burst waveform; the skewed tail is ``x[2]`` = log(tail / slow elimination time)."""
        if self.shape == "skewed":  # a fitted tail, plus the release tail when it is known
            tau = float(np.exp(x[2])) * float(np.exp(x[0])) / _LN2
            return _Waveform(self.shape, float(np.exp(x[1])), tau, self.tail or 0.0)
        if self.tail is not None:
            return _Waveform("skewed", float(np.exp(x[1])), self.tail)
        return _Waveform(self.shape, float(np.exp(x[1])), 0.0)

    def components(self, k_slow: float) -> list[tuple[float, float]]:
        comps = [(1.0 - self.f, k_slow)]
        if self.f > 0.0:
            comps.append((self.f, self.k_rapid))
        return comps

    def response(self, wave: _Waveform, k_slow: float, u: FloatArray) -> FloatArray:
        """Concentration after a unit-mass burst, ``u`` minutes after its centre."""
        out = np.zeros_like(u)
        for w, k in self.components(k_slow):
            out += w * wave.convolved(u, k)
        return out

    def response_slope(self, wave: _Waveform, k_slow: float, u: FloatArray) -> FloatArray:
        """Time derivative of :meth:`response` (from ``g' = p - k g`` per component)."""
        dens = wave.density(u)
        out = np.zeros_like(u)
        for w, k in self.components(k_slow):
            out += w * (dens - k * wave.convolved(u, k))
        return out

    def basal_factor(self, k_slow: float) -> float:
        """Steady concentration per unit basal secretion rate (min)."""
        return sum(w / k for w, k in self.components(k_slow))

    def design(self, x: FloatArray, lay: _Layout, t: FloatArray | None = None) -> FloatArray:
        """Columns multiplying ``[B, C0, M_1..M_K]`` at times ``t``."""
        tt = self.t if t is None else t
        k_slow = _LN2 / float(np.exp(x[0]))
        wave = self.waveform(x)
        times = x[lay.i_times]
        A = np.empty((tt.size, 2 + lay.n_bursts))
        A[:, 0] = 1.0
        A[:, 1] = _exp(-k_slow * np.maximum(tt - self.t0, 0.0))
        if lay.n_bursts:
            u = tt[:, None] - times[None, :]
            A[:, 2:] = self.response(wave, k_slow, u.ravel()).reshape(u.shape)
        return A

    def model(self, x: FloatArray, lay: _Layout, t: FloatArray | None = None) -> FloatArray:
        lin = x[lay.i_base :]
        result: FloatArray = self.design(x, lay, t) @ lin
        return result

    def jacobian(self, x: FloatArray, lay: _Layout) -> FloatArray:
        """d model / d x (unweighted), shape (n, size).

        Closed form when the waveform has no estimated tail (Gaussian, or Gaussian with a
        fixed release tail); forward differences for the shape parameters otherwise.
        """
        if self.shape == "gaussian":
            return self._jacobian_closed(x, lay)
        n = self.t.size
        J = np.empty((n, lay.size))
        A = self.design(x, lay)
        lin = x[lay.i_base :]
        mu = A @ lin
        for j in range(lay.n_shape):
            xp = x.copy()
            xp[j] += _FD_STEP
            J[:, j] = (self.model(xp, lay) - mu) / _FD_STEP
        if lay.n_bursts:
            k_slow = _LN2 / float(np.exp(x[0]))
            wave = self.waveform(x)
            u = self.t[:, None] - x[lay.i_times][None, :]
            slope = self.response_slope(wave, k_slow, u.ravel()).reshape(u.shape)
            J[:, lay.i_times] = -slope * x[lay.i_masses][None, :]
        J[:, lay.i_base :] = A
        return J

    def _jacobian_closed(self, x: FloatArray, lay: _Layout) -> FloatArray:
        n = self.t.size
        J = np.zeros((n, lay.size))
        k_slow = _LN2 / float(np.exp(x[0]))
        dt0 = np.maximum(self.t - self.t0, 0.0)
        decay = _exp(-k_slow * dt0)
        c0 = x[lay.i_base + 1]
        J[:, lay.i_base] = 1.0
        J[:, lay.i_base + 1] = decay
        J[:, 0] = c0 * k_slow * dt0 * decay  # d/d log t_half of the C0 term
        if lay.n_bursts:
            wave = self.waveform(x)
            u = (self.t[:, None] - x[lay.i_times][None, :]).ravel()
            dens = wave.density(u)
            resp = np.zeros_like(u)
            slope = np.zeros_like(u)
            d_sigma = np.zeros_like(u)
            d_kslow = np.zeros_like(u)
            for i, (w, k) in enumerate(self.components(k_slow)):
                g, dk, ds = wave.convolved_grad(u, k)
                resp += w * g
                slope += w * (dens - k * g)
                d_sigma += w * ds
                if i == 0:  # the slow component carries the half-life
                    d_kslow = w * dk
            shape = (n, lay.n_bursts)
            masses = x[lay.i_masses]
            J[:, 0] += (d_kslow.reshape(shape) @ masses) * (-k_slow)
            J[:, 1] = (d_sigma.reshape(shape) @ masses) * wave.sigma
            J[:, lay.i_times] = -slope.reshape(shape) * masses[None, :]
            J[:, lay.i_masses] = resp.reshape(shape)
        return J


@dataclass(slots=True)
class _Fit:
    x: FloatArray
    lay: _Layout
    free: NDArray[np.bool_]
    mu: FloatArray
    sd: FloatArray
    ssr: float
    jac_w: FloatArray  # weighted Jacobian of the free parameters at x

    @property
    def n_free(self) -> int:
        return int(self.free.sum())


def _bounds(prob: _Problem, lay: _Layout) -> tuple[FloatArray, FloatArray]:
    kin = prob.kin
    lo = np.full(lay.size, -np.inf)
    hi = np.full(lay.size, np.inf)
    lo[0], hi[0] = math.log(kin.halflife_bounds_min[0]), math.log(kin.halflife_bounds_min[1])
    lo[1], hi[1] = math.log(kin.burst_sd_bounds_min[0]), math.log(kin.burst_sd_bounds_min[1])
    if lay.shape == "skewed":
        lo[2], hi[2] = math.log(_SKEW_RATIO_BOUNDS[0]), math.log(_SKEW_RATIO_BOUNDS[1])
    lo[lay.i_times] = prob.t_lo
    hi[lay.i_times] = prob.t_hi
    lo[lay.i_base :] = 0.0
    return lo, hi


def _gram(J: FloatArray) -> FloatArray:
    """``J.T @ J`` without BLAS.

    At these sizes (a few hundred rows, tens of columns) multithreaded BLAS spends far more
    time waking its threads than computing, erratically so on a busy machine (tens of
    milliseconds per call); numpy's own loops take a fraction of a millisecond.
    """
    result: FloatArray = np.einsum("ki,kj->ij", J, J)
    return result


def _solve_spd(H: FloatArray, g: FloatArray) -> FloatArray | None:
    """Solve ``H d = g`` for a symmetric positive definite ``H`` (None if it is not)."""
    try:
        L = np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        return None
    z = np.linalg.solve(L, g)
    result: FloatArray = np.linalg.solve(L.T, z)
    return result


def _levenberg_marquardt(
    resid: Callable[[FloatArray], FloatArray],
    jac: Callable[[FloatArray], FloatArray],
    x0: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    max_iter: int,
    ftol: float = 1e-9,
    xtol: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Bounded Levenberg-Marquardt (Marquardt scaling, projected steps).

    Variables on a bound whose gradient pushes outward are held for the step; the others
    take the damped Gauss-Newton step, which is then clipped to the box. Small dense
    problems only: the normal equations are solved by Cholesky (far cheaper here than the
    SVD of a trust-region solver, whose BLAS threading dominates at this size).

    Returns
    -------
    x, residuals, Jacobian at x
    """
    x = np.clip(x0, lo, hi)
    r = resid(x)
    f = float(r @ r)
    J = jac(x)
    lam = 1e-3
    for _ in range(max_iter):
        g = J.T @ r
        H = _gram(J)
        edge = 1e-12 * (1.0 + np.abs(x))
        held = ((x <= lo + edge) & (g > 0)) | ((x >= hi - edge) & (g < 0))
        act = ~held
        if not act.any():
            break
        Ha = H[np.ix_(act, act)]
        ga = g[act]
        diag = np.maximum(np.diag(Ha), 1e-12 * max(1.0, float(np.max(np.diag(Ha)))))
        improved = False
        while lam < 1e12:
            d = _solve_spd(Ha + lam * np.diag(diag), -ga)
            if d is None:
                lam *= 4.0
                continue
            x_new = x.copy()
            x_new[act] += d
            x_new = np.clip(x_new, lo, hi)
            r_new = resid(x_new)
            f_new = float(r_new @ r_new)
            if np.isfinite(f_new) and f_new < f:
                improved = True
                break
            lam *= 4.0
        if not improved:
            break
        step = float(np.linalg.norm(x_new - x))
        drop = f - f_new
        x, r, f = x_new, r_new, f_new
        lam = max(lam / 5.0, 1e-12)
        J = jac(x)
        if drop <= ftol * f or step <= xtol * (xtol + float(np.linalg.norm(x))):
            break
    return x, r, J


def _least_squares(
    prob: _Problem,
    x0: FloatArray,
    lay: _Layout,
    free: NDArray[np.bool_],
    sd: FloatArray,
    max_iter: int = 60,
    ftol: float = 1e-6,
) -> _Fit:
    """Weighted nonlinear least squares over the free parameters, bounded.

    ``ftol`` is the relative SSR decrease at which to stop: 1e-6 is ample for the tests
    between candidate models (whose thresholds are several SSR units); final fits use 1e-9.
    """
    lo, hi = _bounds(prob, lay)
    x0 = np.clip(x0, lo, hi)
    idx = np.flatnonzero(free)
    base = x0.copy()

    def full(z: FloatArray) -> FloatArray:
        xx = base.copy()
        xx[idx] = z
        return xx

    def resid(z: FloatArray) -> FloatArray:
        r: FloatArray = (prob.model(full(z), lay) - prob.y) / sd
        return r

    def jac(z: FloatArray) -> FloatArray:
        J: FloatArray = prob.jacobian(full(z), lay)[:, idx] / sd[:, None]
        return J

    z, r, J = _levenberg_marquardt(resid, jac, x0[idx], lo[idx], hi[idx], max_iter, ftol)
    x = full(z)
    mu = r * sd + prob.y
    return _Fit(x, lay, free.copy(), mu, sd, float(r @ r), J)


def _with_burst(fit: _Fit, time: float, mass: float) -> tuple[FloatArray, _Layout, NDArray[Any]]:
    """Parameter vector, layout and free mask with one more burst, kept in time order."""
    lay = fit.lay
    times = np.append(fit.x[lay.i_times], time)
    masses = np.append(fit.x[lay.i_masses], mass)
    order = np.argsort(times)
    new = _Layout(lay.shape, lay.n_bursts + 1)
    x = np.concatenate(
        [fit.x[: lay.n_shape], times[order], fit.x[lay.i_base : lay.i_base + 2], masses[order]]
    )
    free = np.ones(new.size, dtype=bool)
    free[: lay.n_shape] = fit.free[: lay.n_shape]
    return x, new, free


def _without_burst(fit: _Fit, k: int) -> tuple[FloatArray, _Layout, NDArray[Any]]:
    lay = fit.lay
    keep = np.ones(lay.size, dtype=bool)
    keep[lay.i_times.start + k] = False
    keep[lay.i_masses.start + k] = False
    new = _Layout(lay.shape, lay.n_bursts - 1)
    free = np.ones(new.size, dtype=bool)
    free[: lay.n_shape] = fit.free[: lay.n_shape]
    return fit.x[keep], new, free


def _covariance(fit: _Fit, n: int) -> tuple[FloatArray, float, int]:
    """Covariance of the free parameters, residual variance factor and residual dof."""
    dof = max(n - fit.n_free, 1)
    s2 = fit.ssr / dof
    J = fit.jac_w
    H = _gram(J)
    scale = np.sqrt(np.maximum(np.diag(H), 1e-300))
    Hs = H / np.outer(scale, scale)
    ridge = 1e-12
    inv = None
    while inv is None and ridge < 1.0:
        inv = _solve_spd(Hs + ridge * np.eye(Hs.shape[0]), np.eye(Hs.shape[0]))
        ridge *= 100.0
    if inv is None:
        inv = np.linalg.pinv(Hs)
    cov: FloatArray = inv / np.outer(scale, scale) * s2
    return cov, s2, dof


# --------------------------------------------------------------------------------------------
# Public result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DeconvolutionResult:
    """Outcome of :func:`deconvolve`.

    Attributes
    ----------
    times_min, observed, fitted : ndarray
        Sample times (minutes), the concentrations analysed and the fitted model at those times.
    bursts : pandas.DataFrame
        One row per burst, in time order: ``time_min`` (time of the peak secretion rate),
        ``mass`` [units × V], ``amplitude``
        [units/min, peak secretion rate], ``half_duration_min`` (full width at half maximum of
        the secretion rate), ``in_window`` (centre within the sampled span), ``counted``
        (in the window and at least ``min_mass``: a pulse in the counts), ``*_se``
        asymptotic standard errors and, after a bootstrap, ``*_lo``/``*_hi`` 95 % intervals;
        ``mass_ug`` (and its uncertainty) when a distribution volume was given.
    estimates : pandas.DataFrame
        Per-series quantities (index ``quantity``) with ``value``, ``se``, ``lo``, ``hi``,
        ``unit``: half-life, basal rate, basal, pulsatile and total secretion over the window
        and per 24 h, burst count and frequency, mean inter-burst interval, burst SD, residual
        SD, ApEn.
    halflife_min, basal_rate, n_bursts : float, float, int
        Shortcuts into ``estimates``.
    interburst_intervals_min : ndarray
        Gaps between consecutive in-window burst centres.
    approximate_entropy : float
        ApEn(m=1, r=0.2 SD) of the observed series.
    units : str
        Concentration unit of the input.
    shape : str
        Burst waveform used.
    kinetics : Kinetics
        Elimination kinetics used.
    uncertainty : str
        ``"asymptotic"`` or ``"bootstrap(N)"`` for the ``lo``/``hi`` columns (the half-life
        interval is a profile-likelihood interval unless bootstrapped).
    warnings : tuple of str
        Things the analyst should know (for example a half-life on its bound).
    """

    times_min: FloatArray
    observed: FloatArray
    fitted: FloatArray
    bursts: pd.DataFrame
    estimates: pd.DataFrame
    interburst_intervals_min: FloatArray
    approximate_entropy: float
    units: str
    shape: BurstShape
    kinetics: Kinetics
    uncertainty: str
    warnings: tuple[str, ...] = ()
    _x: FloatArray = field(repr=False, default_factory=lambda: np.zeros(0))
    _n_bursts_all: int = field(repr=False, default=0)

    def value(self, quantity: str) -> float:
        """The estimate of one quantity of :attr:`estimates` (for example ``"halflife"``)."""
        values: dict[str, float] = self.summary()
        if quantity not in values:
            raise KeyError(f"no estimate {quantity!r}; have {', '.join(values)}")
        return values[quantity]

    @property
    def halflife_min(self) -> float:
        """Estimated slow elimination half-life, minutes."""
        return self.value("halflife")

    @property
    def basal_rate(self) -> float:
        """Basal secretion rate, units × V per minute."""
        return self.value("basal_rate")

    @property
    def n_bursts(self) -> int:
        """Number of counted bursts (within the sampled span, mass >= ``min_mass``)."""
        return int(self.value("n_bursts"))

    def _problem(self) -> tuple[_Problem, _Layout]:
        prob = _Problem(self.times_min, self.observed, self.kinetics, self.shape)
        return prob, _Layout(self.shape, self._n_bursts_all)

    def concentration(self, times_min: ArrayLike) -> FloatArray:
        """The fitted concentration at any times (minutes)."""
        prob, lay = self._problem()
        return prob.model(self._x, lay, np.asarray(times_min, dtype=float))

    def secretion(self, times_min: ArrayLike) -> FloatArray:
        """The reconstructed secretion rate (units × V per minute) at any times (minutes)."""
        prob, lay = self._problem()
        t = np.asarray(times_min, dtype=float)
        wave = prob.waveform(self._x)
        out = np.full(t.shape, self.basal_rate)
        for T, M in zip(self._x[lay.i_times], self._x[lay.i_masses], strict=True):
            out += M * wave.density(t - T)
        return out

    def summary(self) -> dict[str, float]:
        """Per-series estimates as a flat ``{quantity: value}`` dict."""
        names = [str(q) for q in self.estimates.index]
        return dict(zip(names, self.estimates["value"].to_numpy(dtype=float).tolist(), strict=True))

    def plot(self, title: str = "") -> Figure:
        """Figure with the data and fit (top) and the reconstructed secretion (bottom)."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        t = self.times_min
        grid = np.linspace(t[0], t[-1], max(400, 4 * t.size))
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9, 5.5))
        ax1.plot(t / 60, self.observed, "o", ms=3, color="0.25", label="data")
        ax1.plot(grid / 60, self.concentration(grid), "-", color="C0", label="fit")
        ax1.set_ylabel(f"concentration [{self.units}]")
        ax1.legend(loc="upper right", frameon=False)
        sec = self.secretion(grid)
        ax2.plot(grid / 60, sec, "-", color="C3")
        ax2.axhline(self.basal_rate, color="0.5", lw=0.8, ls="--", label="basal")
        counted = self.bursts["counted"].to_numpy(dtype=bool)
        bt = self.bursts["time_min"].to_numpy()
        ax2.plot(bt[counted] / 60, np.zeros(counted.sum()), "^", color="C3", ms=5, label="bursts")
        if (~counted).any():
            ax2.plot(
                bt[~counted] / 60,
                np.zeros((~counted).sum()),
                "^",
                mfc="none",
                color="C3",
                ms=4,
                label="not counted",
            )
        ax2.set_ylabel(f"secretion [{self.units}·V/min]")
        ax2.set_xlabel("time [h]")
        ax2.legend(loc="upper right", frameon=False)
        hl = self.halflife_min
        ax1.set_title(
            (title + "  " if title else "") + f"{self.n_bursts} bursts, t½ {hl:.1f} min",
            fontsize=10,
        )
        fig.tight_layout()
        return fig


# --------------------------------------------------------------------------------------------
# Approximate entropy
# --------------------------------------------------------------------------------------------


def approximate_entropy(series: ArrayLike, m: int = 1, r: float = 0.2) -> float:
    """Approximate entropy ApEn(m, r) of a series (Pincus, PNAS 1991).

    Parameters
    ----------
    series : array_like
        Equally spaced values.
    m : int
        Embedding dimension (1 is the convention for 24-h GH series).
    r : float
        Tolerance as a fraction of the series' standard deviation.

    Returns
    -------
    float
        ApEn; higher means less regular. ``nan`` for fewer than ``m + 2`` values.

    Examples
    --------
    >>> abs(approximate_entropy([1.0, 2.0] * 20)) < 0.01  # perfectly regular
    True
    """
    x = np.asarray(series, dtype=float)
    n = x.size
    if n < m + 2:
        return float("nan")
    tol = r * float(np.std(x))

    def phi(mm: int) -> float:
        emb = np.lib.stride_tricks.sliding_window_view(x, mm)
        dist = np.max(np.abs(emb[:, None, :] - emb[None, :, :]), axis=2)
        c = np.mean(dist <= tol, axis=1)
        return float(np.mean(np.log(c)))

    return phi(m) - phi(m + 1)


# --------------------------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------------------------


def _check_input(times: ArrayLike, conc: ArrayLike) -> tuple[FloatArray, FloatArray]:
    try:
        t = np.asarray(times, dtype=float).ravel()
        y = np.asarray(conc, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"times and concentrations must be numbers: {exc}") from None
    if t.size != y.size:
        raise InputError(f"times ({t.size}) and concentrations ({y.size}) differ in length")
    if t.size < _MIN_SAMPLES:
        raise InputError(f"the series has {t.size} samples; deconvolution needs at least 6")
    for name, arr in (("time", t), ("concentration", y)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InputError(f"sample {bad[0]}: {name} is missing or not finite ({arr[bad[0]]})")
    neg = np.flatnonzero(y < 0)
    if neg.size:
        raise InputError(f"sample {neg[0]}: concentration {y[neg[0]]} is negative")
    back = np.flatnonzero(np.diff(t) <= 0)
    if back.size:
        i = int(back[0]) + 1
        what = "duplicated" if t[i] == t[i - 1] else "earlier than the one before"
        raise InputError(f"sample {i}: time {t[i]} is {what}; sort the series and drop duplicates")
    return t, y


def _assay_sd(mu: FloatArray, cv: float, sd0: float) -> FloatArray:
    result: FloatArray = np.sqrt(sd0 * sd0 + (cv * np.maximum(mu, 0.0)) ** 2)
    return result


def _candidate_columns(prob: _Problem, fit: _Fit, grid: FloatArray, sd: FloatArray) -> FloatArray:
    """Weighted unit-mass responses of a burst centred at each grid time (n × grid)."""
    k_slow = _LN2 / float(np.exp(fit.x[0]))
    wave = prob.waveform(fit.x)
    u = prob.t[:, None] - grid[None, :]
    result: FloatArray = prob.response(wave, k_slow, u.ravel()).reshape(u.shape) / sd[:, None]
    return result


def _candidate_scores(fit: _Fit, C: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Gauss-Newton SSR reduction and best mass for one extra burst at each grid time.

    The candidate column is projected on the complement of the current Jacobian (all other
    parameters re-optimised to first order); only positive masses count.
    """
    r = (y - fit.mu) / fit.sd
    den_all = np.einsum("ij,ij->j", C, C)
    raw = r @ C
    # project only the most promising columns (the projection rarely reorders the top)
    top = np.argsort(-np.where(raw > 0, raw * raw / den_all, 0.0))[:24]
    C = C[:, top]
    J = fit.jac_w
    H = _gram(J)
    scale = np.sqrt(np.maximum(np.diag(H), 1e-300))
    L = None
    ridge = 1e-12
    while L is None:
        try:
            L = np.linalg.cholesky(H / np.outer(scale, scale) + ridge * np.eye(H.shape[0]))
        except np.linalg.LinAlgError:
            ridge *= 100.0
    JC = np.einsum("ki,kj->ij", J, C) / scale[:, None]
    W = np.linalg.solve(L, JC)
    Jr = (J.T @ r) / scale
    wr = np.linalg.solve(L, Jr)
    num = raw[top] - wr @ W
    den_ref = den_all[top]
    den = den_ref - np.einsum("ij,ij->j", W, W)
    ok = (num > 0) & (den > 1e-6 * den_ref)
    safe = np.where(ok, den, 1.0)
    score = np.zeros(raw.size)
    mass = np.zeros(raw.size)
    score[top] = np.where(ok, num * num / safe, 0.0)
    mass[top] = np.where(ok, num / safe, 0.0)
    return score, mass


def _variance_factor(prob: _Problem, fit: _Fit) -> float:
    """Residual variance factor ``phi`` for the tests, from a (fullest) model.

    ``max(1, min(s2_model, s2_local))``:

    * ``s2_model`` is robust (median of the squared weighted residuals over the median of
      chi-square(1), corrected for the fitted parameters), so one outlier or one poorly
      fitted edge sample cannot inflate it;
    * ``s2_local`` is model-free: the same statistic for each sample's deviation from the
      straight line through its two neighbours. Signal curvature only inflates it, so it
      caps ``s2_model`` when a model that still lacks bursts would overstate the noise;
    * the floor 1 trusts the assay variance model unless the data show more scatter.
    """
    n = prob.t.size
    r2 = ((prob.y - fit.mu) / fit.sd) ** 2
    s2_model = float(np.median(r2)) / 0.4549 * n / max(n - fit.n_free, 1)
    s2_local = np.inf
    if n >= 5:
        t, y, sd = prob.t, prob.y, fit.sd
        w = (t[2:] - t[1:-1]) / (t[2:] - t[:-2])  # weight of the left neighbour
        dev = y[1:-1] - (w * y[:-2] + (1.0 - w) * y[2:])
        var = sd[1:-1] ** 2 + (w * sd[:-2]) ** 2 + ((1.0 - w) * sd[2:]) ** 2
        s2_local = float(np.median(dev * dev / var)) / 0.4549
    return max(1.0, min(s2_model, s2_local))


def _triage(prob: _Problem, fit: _Fit, alpha: float, phi: float) -> tuple[_Fit, int]:
    """Remove non-significant bursts one at a time; return the fit and the number removed.

    Bursts are ranked by the Wald test of their mass; the weakest (``p > alpha``) are then
    checked by the likelihood-ratio test (refit without the burst; 2 parameters), which is
    what decides: a burst on the last sample has an ill-determined mass but may still be
    needed. ``phi`` (the residual variance factor) is held fixed, so that one removal
    cannot make the next more likely.
    """
    removed = 0
    while fit.lay.n_bursts > 0:
        cov, s2, _ = _covariance(fit, prob.t.size)
        cov = cov * (phi / s2) if s2 > 0 else cov
        idx = np.flatnonzero(fit.free)
        pos = {int(j): i for i, j in enumerate(idx)}
        lay = fit.lay
        masses = fit.x[lay.i_masses]
        var = np.array(
            [
                cov[pos[lay.i_masses.start + k], pos[lay.i_masses.start + k]]
                for k in range(lay.n_bursts)
            ]
        )
        se = np.sqrt(np.maximum(var, 0.0))
        safe = np.where(se > 0, se, 1.0)
        tstat = np.where(se > 0, masses / safe, np.where(masses > 0, 1e9, 0.0))
        p_wald = stats.norm.sf(tstat)
        dropped = False
        for k in np.argsort(-p_wald)[:4]:
            if p_wald[k] <= alpha:
                break
            x, new_lay, free = _without_burst(fit, int(k))
            smaller = _least_squares(prob, x, new_lay, free, fit.sd)
            p_lr = float(stats.chi2.sf(max(smaller.ssr - fit.ssr, 0.0) / phi, 2))
            if p_lr > alpha:
                fit = smaller
                removed += 1
                dropped = True
                break
        if not dropped:
            break
    return fit, removed


def _insert_pass(
    prob: _Problem,
    fit: _Fit,
    sd: FloatArray,
    crit: float,
    alpha_remove: float,
    phi: float,
    max_bursts: int,
    grid: FloatArray,
) -> _Fit:
    """Insert bursts one at a time with the half-life and waveform held at their values.

    The best candidate is kept when it lowers the weighted SSR by more than ``crit * phi``
    (chi-square(2) at ``alpha_insert``); each insertion is followed by a triage. The weights
    ``1/sd`` stay fixed within the pass, so that residual sums of squares of successive
    models are comparable.
    """
    n = prob.t.size
    tabu: list[float] = []
    failures = 0
    fit = _least_squares(prob, fit.x, fit.lay, fit.free, sd)
    C = _candidate_columns(prob, fit, grid, sd)
    for _ in range(3 * max_bursts + 10):
        if fit.lay.n_bursts >= max_bursts or failures >= 3:
            break
        base = fit
        if base.ssr <= 1e-20 or n - base.n_free - 2 <= 0:
            break
        score, mass = _candidate_scores(base, C, prob.y)
        for rt in tabu:
            score[np.abs(grid - rt) < prob.step / 2.0] = 0.0
        best = int(np.argmax(score))
        if score[best] < crit * phi:
            break
        x, lay, free = _with_burst(base, float(grid[best]), float(mass[best]))
        free[: lay.n_shape] = False
        trial = _least_squares(prob, x, lay, free, base.sd)
        if base.ssr - trial.ssr < crit * phi:
            tabu.append(float(grid[best]))
            failures += 1
            continue
        trial, _ = _triage(prob, trial, alpha_remove, phi)
        if trial.lay.n_bursts <= base.lay.n_bursts:
            tabu.append(float(grid[best]))
            failures += 1
        else:
            failures = 0
        fit = trial
    return fit


def _free_all(fit: _Fit) -> NDArray[np.bool_]:
    free = np.ones(fit.lay.size, dtype=bool)
    if fit.lay.n_bursts < 2:
        free[0] = False  # one burst does not inform the half-life
    if fit.lay.n_bursts < 1:
        free[: fit.lay.n_shape] = False
    return free


def _detect(
    prob: _Problem,
    cv: float,
    sd0: float,
    alpha_insert: float,
    alpha_remove: float,
    max_bursts: int,
) -> _Fit:
    """Insert / fit / triage until the burst set and the variance factor are stable.

    Each pass inserts bursts with the half-life and waveform held fixed (mid-way, with
    bursts still missing, they are poorly determined and drift), refits everything, takes
    the variance factor ``phi`` from that fullest model and triages with it. The first pass
    trusts the assay variance model (``phi = 1``), so unexplained bursts cannot mask one
    another; later passes use the ``phi`` of the previous one.
    """
    kin = prob.kin
    x0 = np.array(
        [math.log(kin.halflife_start_min), math.log(kin.burst_sd_start_min)]
        + ([math.log(0.3)] if prob.shape == "skewed" else [])
        + [float(np.min(prob.y)), max(float(prob.y[0] - np.min(prob.y)), 0.0)]
    )
    lay = _Layout(prob.shape, 0)
    free = np.zeros(lay.size, dtype=bool)
    free[lay.i_base :] = True
    fit = _least_squares(prob, x0, lay, free, _assay_sd(prob.y, cv, sd0))
    step = min(prob.step / 2.0, 2.5)
    grid = np.arange(prob.t_lo, prob.t_hi + 1e-9, step)
    crit = float(stats.chi2.isf(alpha_insert, 2))
    phi = 1.0
    previous = -1
    sd = _assay_sd(prob.y, cv, sd0)  # first pass: weights from the data
    for _ in range(6):
        fixed = fit.free.copy()
        fixed[: fit.lay.n_shape] = False
        fit = _Fit(fit.x, fit.lay, fixed, fit.mu, fit.sd, fit.ssr, fit.jac_w)
        fit = _insert_pass(prob, fit, sd, crit, alpha_remove, phi, max_bursts, grid)
        sd = _assay_sd(fit.mu, cv, sd0)  # later: weights from the model
        fit = _least_squares(prob, fit.x, fit.lay, _free_all(fit), sd, 150)
        new_phi = _variance_factor(prob, fit)
        fit, _ = _triage(prob, fit, alpha_remove, new_phi)
        stable = fit.lay.n_bursts == previous and abs(new_phi / phi - 1.0) < 0.1
        phi = new_phi
        if stable:
            break
        previous = fit.lay.n_bursts
    # final polish: weights from the final model
    fit = _least_squares(
        prob, fit.x, fit.lay, _free_all(fit), _assay_sd(fit.mu, cv, sd0), 150, ftol=1e-9
    )
    fit, _ = _triage(prob, fit, alpha_remove, phi)
    if fit.lay.n_bursts < 2 and fit.x[0] != x0[0]:
        x = fit.x.copy()
        x[0] = x0[0]  # half-life back to its start value: not estimable
        fit = _least_squares(prob, x, fit.lay, _free_all(fit), fit.sd, 150, ftol=1e-9)
    return fit


def _derived(prob: _Problem, x: FloatArray, lay: _Layout) -> dict[str, FloatArray]:
    """Every reported quantity as a function of the parameter vector."""
    hl = float(np.exp(x[0]))
    k_slow = _LN2 / hl
    wave = prob.waveform(x)
    peak, fwhm = wave.peak_and_fwhm()
    times = x[lay.i_times]
    masses = x[lay.i_masses]
    basal_rate = float(x[lay.i_base]) / prob.basal_factor(k_slow)
    t0, t1 = prob.t0, prob.t_hi
    span = t1 - t0
    frac = wave.cdf(t1 - times) - wave.cdf(t0 - times)
    pulsatile = float(np.sum(masses * frac))
    basal = basal_rate * span
    per_day = 1440.0 / span if span > 0 else float("nan")
    return {
        "halflife": np.array([hl]),
        "burst_sd": np.array([wave.sigma]),
        "burst_tau": np.array([wave.tau]),
        "half_duration": np.array([fwhm]),
        "basal_rate": np.array([basal_rate]),
        "basal_secretion": np.array([basal]),
        "pulsatile_secretion": np.array([pulsatile]),
        "total_secretion": np.array([basal + pulsatile]),
        "basal_secretion_per_day": np.array([basal * per_day]),
        "pulsatile_secretion_per_day": np.array([pulsatile * per_day]),
        "total_secretion_per_day": np.array([(basal + pulsatile) * per_day]),
        "times": times + wave.mode(),
        "masses": masses,
        "amplitudes": masses * peak,
    }


def _delta_se(prob: _Problem, fit: _Fit, cov: FloatArray) -> dict[str, FloatArray]:
    """Asymptotic standard errors of :func:`_derived` by the delta method."""
    base = _derived(prob, fit.x, fit.lay)
    idx = np.flatnonzero(fit.free)
    grads: dict[str, list[FloatArray]] = {k: [] for k in base}
    for j in idx:
        xp = fit.x.copy()
        h = 1e-6 * max(1.0, abs(xp[j]))
        xp[j] += h
        d = _derived(prob, xp, fit.lay)
        for k in base:
            grads[k].append((d[k] - base[k]) / h)
    out: dict[str, FloatArray] = {}
    for k, rows in grads.items():
        G = np.array(rows).T  # (len(quantity), n_free)
        var = np.einsum("ij,jk,ik->i", G, cov, G) if G.size else np.zeros(base[k].shape)
        out[k] = np.sqrt(np.maximum(var, 0.0))
    return out


def _profile_halflife(
    prob: _Problem, fit: _Fit, s2: float, dof: int, level: float = 0.95
) -> tuple[float, float]:
    """Profile-likelihood interval of the half-life (F-based, variance factor fixed)."""
    lo_b, hi_b = (math.log(b) for b in prob.kin.halflife_bounds_min)
    x_hat = fit.x
    crit = float(stats.f.ppf(level, 1, dof)) * s2
    free = fit.free.copy()
    free[0] = False

    def excess(log_hl: float) -> float:
        x = x_hat.copy()
        x[0] = log_hl
        f = _least_squares(prob, x, fit.lay, free, fit.sd, max_iter=30)
        return f.ssr - fit.ssr - crit

    ends = []
    for direction, bound in ((-1.0, lo_b), (1.0, hi_b)):
        prev = x_hat[0]
        found = math.exp(bound)
        step = 0.08
        cur = prev
        for _ in range(12):
            cur = prev + direction * step
            if (cur - bound) * direction >= 0:
                cur = bound
            if excess(cur) > 0:
                a, b = prev, cur
                for _ in range(5):
                    mid = 0.5 * (a + b)
                    if excess(mid) > 0:
                        b = mid
                    else:
                        a = mid
                found = math.exp(0.5 * (a + b))
                break
            if cur == bound:
                break
            prev = cur
            step *= 1.6
        ends.append(found)
    return ends[0], ends[1]


def deconvolve(
    times: ArrayLike,
    concentration: ArrayLike,
    *,
    units: str = "ng/mL",
    kinetics: Kinetics = GH_KINETICS,
    shape: BurstShape = "gaussian",
    assay_cv: float = 0.05,
    assay_sd: float | None = None,
    lod: float | None = None,
    censored: ArrayLike | None = None,
    alpha_insert: float = 0.001,
    alpha_remove: float = 0.01,
    max_bursts: int | None = None,
    distribution_volume_l: float | None = None,
    min_mass: float = 0.0,
    n_bootstrap: int = 0,
    profile_halflife: bool = True,
    seed: int | np.random.Generator | None = None,
) -> DeconvolutionResult:
    """Find secretory bursts, basal secretion and half-life in a hormone series.

    Parameters
    ----------
    times : array_like
        Sample times in minutes, strictly increasing (irregular spacing is fine).
    concentration : array_like
        Measured concentrations (non-negative), same length.
    units : str
        Concentration unit, carried into the outputs.
    kinetics : Kinetics
        Elimination kinetics (``GH_KINETICS`` by default; ``LH_KINETICS`` for LH).
    shape : {"gaussian", "skewed"}
        Burst waveform: symmetric Gaussian, or Gaussian rise with a fitted exponential tail.
        With ``kinetics.release_halflife_min`` either is followed by the fixed release tail.
    assay_cv : float
        Assay coefficient of variation (proportional part of the variance model).
    assay_sd : float, optional
        Assay SD near zero (additive part). Default: ``lod / 3`` if ``lod`` is given, else
        ``0.25 * assay_cv`` times the 5th percentile of the data plus 0.1 % of its range.
    lod : float, optional
        Detection limit; values below it are replaced by ``lod / 2``.
    censored : array_like of bool, optional
        Samples the assay reported as below its detection limit; replaced by ``lod / 2``
        (by half their value when ``lod`` is not given).
    alpha_insert, alpha_remove : float
        Significance levels of the insertion test (chi-square(2) on the SSR drop) and of the
        removal test (likelihood ratio, 2 parameters).
    max_bursts : int, optional
        Upper limit on the number of bursts (default: a third of the samples).
    distribution_volume_l : float, optional
        Distribution volume in litres, to report masses in µg (ng/mL or µg/L input only).
    min_mass : float
        Bursts with a smaller mass (units × V) stay in the fit and the secretion totals but
        are not counted as pulses (``counted`` column; burst count, frequency, intervals
        and mean mass use counted bursts only). Slow changes of basal secretion show up as
        small bursts, so a threshold such as 3 µg / V makes counts comparable.
    n_bootstrap : int
        Parametric bootstrap replicates (0: asymptotic intervals only).
    profile_halflife : bool
        Compute a profile-likelihood interval for the half-life (a few extra fits).
    seed : int or numpy.random.Generator, optional
        Random source for the bootstrap.

    Returns
    -------
    DeconvolutionResult
        Bursts, per-series estimates with uncertainties, fitted curve, figure method.

    Raises
    ------
    InputError
        Too few samples, non-finite or negative values, unsorted or duplicated times, or
        options outside their ranges.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0.0, 480.0, 10.0)
    >>> c = 0.2 + 4 * np.exp(-np.clip(t - 100, 0, None) / 26) * (t >= 100)
    >>> res = deconvolve(t, c, profile_halflife=False)
    >>> res.n_bursts >= 1
    True
    """
    t, y = _check_input(times, concentration)
    if shape not in ("gaussian", "skewed"):
        raise InputError(f"shape={shape!r}: use 'gaussian' or 'skewed'")
    if not 0.0 <= assay_cv < 1.0:
        raise InputError(f"assay_cv={assay_cv}: need 0 <= cv < 1")
    for name, a in (("alpha_insert", alpha_insert), ("alpha_remove", alpha_remove)):
        if not 0.0 < a < 1.0:
            raise InputError(f"{name}={a}: need 0 < alpha < 1")
    if lod is not None and not lod > 0:
        raise InputError(f"lod={lod}: need a positive detection limit")
    if n_bootstrap < 0:
        raise InputError(f"n_bootstrap={n_bootstrap}: need >= 0")
    if not min_mass >= 0:
        raise InputError(f"min_mass={min_mass}: need >= 0")
    if distribution_volume_l is not None:
        if not distribution_volume_l > 0:
            raise InputError(f"distribution_volume_l={distribution_volume_l}: need > 0")
        if units.replace(" ", "").lower() not in ("ng/ml", "µg/l", "ug/l"):
            raise InputError(f"units={units!r}: masses in µg need concentrations in ng/mL or µg/L")
    notes: list[str] = []
    below = np.zeros(y.size, dtype=bool)
    if censored is not None:
        below = np.asarray(censored, dtype=bool).ravel()
        if below.size != y.size:
            raise InputError(f"censored has {below.size} flags for {y.size} samples")
    if lod is not None:
        below = below | (y < lod)
    if below.any():
        y = np.where(below, 0.5 * lod if lod is not None else 0.5 * y, y)
        notes.append(f"{int(below.sum())} values below the detection limit set to half of it")
    if assay_sd is None:
        if lod is not None:
            sd0 = lod / 3.0
        else:
            rng_y = float(np.ptp(y))
            sd0 = 0.25 * max(assay_cv, 0.01) * float(np.percentile(y, 5)) + 1e-3 * rng_y
    else:
        if not assay_sd >= 0:
            raise InputError(f"assay_sd={assay_sd}: need >= 0")
        sd0 = assay_sd
    if sd0 <= 0:
        sd0 = max(1e-9, 1e-6 * float(np.max(np.abs(y))))
    n = t.size
    limit = max_bursts if max_bursts is not None else max(1, n // 3)
    prob = _Problem(t, y, kinetics, shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = _detect(prob, assay_cv, sd0, alpha_insert, alpha_remove, limit)
        return _assemble(
            prob,
            fit,
            units,
            distribution_volume_l,
            min_mass,
            n_bootstrap,
            profile_halflife,
            seed,
            notes,
        )


def _assemble(
    prob: _Problem,
    fit: _Fit,
    units: str,
    volume: float | None,
    min_mass: float,
    n_bootstrap: int,
    profile: bool,
    seed: int | np.random.Generator | None,
    notes: list[str],
) -> DeconvolutionResult:
    import pandas as pd

    n = prob.t.size
    lay = fit.lay
    cov, s2, dof = _covariance(fit, n)
    est = _derived(prob, fit.x, lay)
    se = _delta_se(prob, fit, cov)
    lo: dict[str, FloatArray] = {k: v - 1.959964 * se[k] for k, v in est.items()}
    hi: dict[str, FloatArray] = {k: v + 1.959964 * se[k] for k, v in est.items()}
    method = "asymptotic"
    if n_bootstrap > 0:
        method = f"bootstrap({n_bootstrap})"
        rng = np.random.default_rng(seed)
        draws: dict[str, list[FloatArray]] = {k: [] for k in est}
        scale = math.sqrt(s2)
        for _ in range(n_bootstrap):
            ystar = np.maximum(fit.mu + scale * fit.sd * rng.standard_normal(n), 0.0)
            bprob = _Problem(prob.t, ystar, prob.kin, prob.shape)
            bfit = _least_squares(bprob, fit.x, lay, fit.free, fit.sd, max_iter=40)
            d = _derived(bprob, bfit.x, lay)
            for k in est:
                draws[k].append(d[k])
        for k in est:
            arr = np.array(draws[k])
            se[k] = arr.std(axis=0, ddof=1)
            lo[k] = np.percentile(arr, 2.5, axis=0)
            hi[k] = np.percentile(arr, 97.5, axis=0)
    elif profile and lay.n_bursts >= 2 and fit.free[0]:
        a, b = _profile_halflife(prob, fit, s2, dof)
        lo["halflife"], hi["halflife"] = np.array([a]), np.array([b])

    in_window = (est["times"] >= prob.t0) & (est["times"] <= prob.t_hi)
    bursts = pd.DataFrame(
        {
            "time_min": est["times"],
            "time_se_min": se["times"],
            "mass": est["masses"],
            "mass_se": se["masses"],
            "amplitude": est["amplitudes"],
            "amplitude_se": se["amplitudes"],
            "half_duration_min": np.full(lay.n_bursts, est["half_duration"][0]),
            "half_duration_se_min": np.full(lay.n_bursts, se["half_duration"][0]),
            "in_window": in_window,
            "counted": in_window & (est["masses"] >= min_mass),
        }
    )
    if n_bootstrap > 0:
        for col, key in (("time", "times"), ("mass", "masses"), ("amplitude", "amplitudes")):
            bursts[f"{col}_lo"] = lo[key]
            bursts[f"{col}_hi"] = hi[key]
    if volume is not None:
        bursts["mass_ug"] = bursts["mass"] * volume
        bursts["mass_ug_se"] = bursts["mass_se"] * volume
    counted = bursts["counted"].to_numpy(dtype=bool)
    centres = est["times"][counted]
    ibi = np.diff(centres)
    apen = approximate_entropy(prob.y)
    span_h = (prob.t_hi - prob.t0) / 60.0
    n_in = int(counted.sum())
    mass_unit = f"{units}·V"
    rows: list[tuple[str, float, float, float, float, str]] = []

    def add(name: str, key: str, unit: str) -> None:
        rows.append(
            (
                name,
                float(est[key][0]),
                float(se[key][0]),
                float(lo[key][0]),
                float(hi[key][0]),
                unit,
            )
        )

    add("halflife", "halflife", "min")
    add("burst_sd", "burst_sd", "min")
    if prob.shape == "skewed" or prob.tail is not None:
        add("burst_tau", "burst_tau", "min")
    add("half_duration", "half_duration", "min")
    add("basal_rate", "basal_rate", f"{mass_unit}/min")
    for key in ("basal_secretion", "pulsatile_secretion", "total_secretion"):
        add(key, key, mass_unit)
    for key in (
        "basal_secretion_per_day",
        "pulsatile_secretion_per_day",
        "total_secretion_per_day",
    ):
        add(key, key, f"{mass_unit}/24h")
    nan = float("nan")
    rows.append(("n_bursts", float(n_in), nan, nan, nan, "count"))
    rows.append(
        ("bursts_per_day", n_in / span_h * 24.0 if span_h > 0 else nan, nan, nan, nan, "1/24h")
    )
    mean_ibi = float(np.mean(ibi)) if ibi.size else nan
    ibi_se = float(np.std(ibi, ddof=1) / math.sqrt(ibi.size)) if ibi.size > 1 else nan
    rows.append(
        (
            "mean_interburst_interval",
            mean_ibi,
            ibi_se,
            mean_ibi - 1.96 * ibi_se,
            mean_ibi + 1.96 * ibi_se,
            "min",
        )
    )
    m_in = est["masses"][counted]
    rows.append(
        ("mean_burst_mass", float(np.mean(m_in)) if n_in else nan, nan, nan, nan, mass_unit)
    )
    rows.append(("residual_sd_factor", math.sqrt(s2), nan, nan, nan, "1"))
    rows.append(("approximate_entropy", apen, nan, nan, nan, "1"))
    if volume is not None:
        for key in (
            "basal_secretion_per_day",
            "pulsatile_secretion_per_day",
            "total_secretion_per_day",
        ):
            rows.append(
                (
                    key + "_ug",
                    float(est[key][0]) * volume,
                    float(se[key][0]) * volume,
                    float(lo[key][0]) * volume,
                    float(hi[key][0]) * volume,
                    "µg/24h",
                )
            )
    estimates = pd.DataFrame(rows, columns=["quantity", "value", "se", "lo", "hi", "unit"])
    estimates = estimates.set_index("quantity")

    kin = prob.kin
    hl = float(est["halflife"][0])
    if lay.n_bursts and fit.free[0]:
        for b in kin.halflife_bounds_min:
            if abs(math.log(hl / b)) < 1e-3:
                notes.append(f"half-life estimate {hl:.1f} min sits on its bound {b} min")
    elif lay.n_bursts < 2:
        notes.append(
            f"fewer than 2 bursts: half-life not estimated, held at {kin.halflife_start_min} min"
        )
    dt = np.diff(prob.t)
    if dt.size and np.ptp(dt) > 1e-6 * max(1.0, float(np.mean(dt))):
        notes.append("irregular sampling: approximate entropy treats samples as equally spaced")
    return DeconvolutionResult(
        times_min=prob.t,
        observed=prob.y,
        fitted=fit.mu,
        bursts=bursts,
        estimates=estimates,
        interburst_intervals_min=ibi,
        approximate_entropy=apen,
        units=units,
        shape=prob.shape,
        kinetics=kin,
        uncertainty=method,
        warnings=tuple(notes),
        _x=fit.x,
        _n_bursts_all=lay.n_bursts,
    )
