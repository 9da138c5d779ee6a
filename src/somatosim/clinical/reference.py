"""IGF-1 reference model and standard deviation scores (SDS) against age and sex (M13).

The reference is an LMS model (Cole & Green, Stat Med 1992;11:1305): at each age and sex
the IGF-1 distribution is described by a Box-Cox power ``L``, a median ``M`` [ng/mL] and a
coefficient of variation ``S``, and a measured value ``y`` has the score

    z = ((y / M) ** L - 1) / (L * S)        (z = ln(y / M) / S when L = 0).

The default reference is fitted by somatosim to the published LIFE percentiles
(Hoerenz C, Vogel M, Wirkner K et al., JCEM 2022; ``published_results.md`` rows 1.4-1.5,
shipped as ``somatosim/data/igf1_reference_life.csv``): at each tabulated age the three
percentiles P2.5, P50 and P97.5 fix ``L``, ``M`` and ``S`` exactly; between tabulated ages
``L``, ``ln M`` and ``ln S`` are interpolated with a monotone piecewise-cubic Hermite spline
(PCHIP), and outside the tabulated ages (below 20 and above 80 years for LIFE) they are held
flat at the end values. Users can load an assay-specific table with :func:`load_reference`
(percentile or LMS format, see ``docs/clinical.md``).

IGF-1 absolute values are assay-specific (``published_results.md`` row 1.6): an SDS is only
meaningful against a reference measured with the same assay, so every SDS somatosim prints or
stores is labelled with the reference's :attr:`IGF1Reference.name`.
"""

from __future__ import annotations

import csv
import functools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq, least_squares
from scipy.special import ndtr, ndtri

from somatosim.errors import InputError

__all__ = [
    "AGE_RANGE_YEARS",
    "DEFAULT_REFERENCE_NAME",
    "IGF1_NG_ML_PER_NMOL_L",
    "SEXES",
    "UNITS",
    "IGF1Reference",
    "LMSCurve",
    "default_reference",
    "igf1_sds",
    "load_reference",
    "to_ng_ml",
]

FloatArray = npt.NDArray[np.float64]
SexLike = str | Sequence[str] | npt.NDArray[Any]
ArrayInput = npt.NDArray[Any] | Sequence[float] | Sequence[Sequence[float]]

SEXES: tuple[str, ...] = ("male", "female")
"""Allowed values of ``sex``."""

AGE_RANGE_YEARS: tuple[float, float] = (18.0, 100.0)
"""Ages (years) at which an adult IGF-1 SDS may be computed."""

IGF1_NG_ML_PER_NMOL_L = 7.649
"""ng/mL per nmol/L of IGF-1 (molar mass 7,649 g/mol; ``published_results.md`` unit notes:
1 ng/mL = 0.131 nmol/L, i.e. nmol/L x 7.65 = ng/mL)."""

UNITS: tuple[str, ...] = ("ng/mL", "nmol/L")
"""IGF-1 concentration units accepted by :func:`to_ng_ml` and :func:`igf1_sds`."""

DEFAULT_REFERENCE_NAME = "LIFE (Hoerenz et al., JCEM 2022), LMS fit by somatosim"
"""Name of the default reference; it labels every SDS computed against it."""

_DEFAULT_SOURCE = (
    "Hoerenz C, Vogel M, Wirkner K et al., J Clin Endocrinol Metab 2022 (LIFE Child + LIFE "
    "Adult, Leipzig): P2.5/P50/P97.5 of serum total IGF-1 at 20-80 y by sex "
    "(published_results.md rows 1.4-1.5; somatosim/data/igf1_reference_life.csv)"
)
_DATA_FILE = "igf1_reference_life.csv"
_L_ZERO = 1e-8  # |L| below this is treated as the log-normal limit L = 0
_PCOL = re.compile(r"^p(\d{1,2})(?:_(\d+))?$")


# --------------------------------------------------------------------------------------------
# Box-Cox helpers (vectorised; callers guarantee x > 0 and 1 + L*u > 0)
# --------------------------------------------------------------------------------------------
def _box_cox(x: FloatArray, L: FloatArray) -> FloatArray:
    """``(x**L - 1) / L``, with its limit ``ln x`` at ``L = 0``."""
    logx = np.log(x)
    small = np.abs(L) < _L_ZERO
    L_safe = np.where(small, 1.0, L)
    return np.where(small, logx, np.expm1(L_safe * logx) / L_safe)


def _inverse_box_cox(u: FloatArray, L: FloatArray) -> FloatArray:
    """``(1 + L*u) ** (1/L)``, with its limit ``exp(u)`` at ``L = 0``."""
    small = np.abs(L) < _L_ZERO
    L_safe = np.where(small, 1.0, L)
    arg = np.where(small, 0.0, L_safe * u)
    return np.where(small, np.exp(u), np.exp(np.log1p(arg) / L_safe))


def _fit_lms_point(
    percentiles: Sequence[float], values: Sequence[float]
) -> tuple[float, float, float]:
    """Fit ``(L, M, S)`` to the percentile values of one age and sex.

    With three percentiles (one below 50, 50, one above 50) the fit is exact: ``M`` is the
    median and ``L`` is the unique root of ``bc(hi/M, L)/z_hi = bc(lo/M, L)/z_lo`` (both sides
    equal ``S``; the difference is increasing in ``L``). With more percentiles this exact
    solution, built from the outermost percentiles, starts a least-squares fit of all of them on
    the z scale. Raises ``ValueError`` when no Box-Cox power reproduces the skewness.
    """
    p = np.asarray(percentiles, dtype=float)
    v = np.asarray(values, dtype=float)
    z = np.asarray(ndtri(p / 100.0), dtype=float)
    M = float(v[p == 50.0][0])
    lo_i, hi_i = int(np.argmin(p)), int(np.argmax(p))
    a, b = v[hi_i] / M, v[lo_i] / M
    z_hi, z_lo = float(z[hi_i]), float(z[lo_i])

    def gap(L: float) -> float:
        Ls = np.array([L])
        return float(_box_cox(np.array([a]), Ls)[0] / z_hi - _box_cox(np.array([b]), Ls)[0] / z_lo)

    for bound in (5.0, 20.0, 60.0):
        if gap(-bound) < 0.0 < gap(bound):
            L = float(brentq(gap, -bound, bound, xtol=1e-13, rtol=1e-13))
            break
    else:
        raise ValueError("the percentiles are too skewed for an LMS (Box-Cox) model")
    S = float(_box_cox(np.array([a]), np.array([L]))[0] / z_hi)
    if len(p) == 3:
        return L, M, S

    def residuals(theta: FloatArray) -> FloatArray:
        Lt = np.full_like(v, theta[0])
        return np.asarray(_box_cox(v / math.exp(theta[1]), Lt) / math.exp(theta[2]) - z)

    fit = least_squares(residuals, np.array([L, math.log(M), math.log(S)]), method="lm")
    L, logM, logS = (float(t) for t in fit.x)
    return L, math.exp(logM), math.exp(logS)


# --------------------------------------------------------------------------------------------
# Input checks shared by the public functions
# --------------------------------------------------------------------------------------------
def _check_age(age_years: npt.ArrayLike) -> FloatArray:
    try:
        age = np.asarray(age_years, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"age_years = {age_years!r} is not a number; allowed {AGE_RANGE_YEARS[0]:g}-"
            f"{AGE_RANGE_YEARS[1]:g} years"
        ) from None
    lo, hi = AGE_RANGE_YEARS
    bad = ~np.isfinite(age) | (age < lo) | (age > hi)
    if np.any(bad):
        first = float(age[bad].flat[0])
        raise InputError(
            f"age_years = {first:g} is out of range; allowed {lo:g}-{hi:g} years "
            "(adult IGF-1 reference)"
        )
    return age


def _check_sex(sex: SexLike) -> npt.NDArray[np.bool_]:
    """Return ``True`` where male, ``False`` where female (shape of ``sex``)."""
    raw = np.asarray(sex, dtype=object)
    is_male: dict[object, bool] = {}
    for value in set(raw.ravel().tolist()):
        key = value.strip().lower() if isinstance(value, str) else value
        if key not in SEXES:
            raise InputError(f"sex = {value!r} is not allowed; allowed: {', '.join(SEXES)}")
        is_male[value] = key == "male"
    flat = np.fromiter((is_male[v] for v in raw.ravel().tolist()), dtype=bool, count=raw.size)
    return flat.reshape(raw.shape)


def _check_positive(name: str, value: npt.ArrayLike, unit: str) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} = {value!r} is not a number; allowed > 0 {unit}") from None
    bad = ~np.isfinite(arr) | (arr <= 0)
    if np.any(bad):
        raise InputError(
            f"{name} = {float(arr[bad].flat[0]):g} is out of range; allowed > 0 {unit}"
        )
    return arr


def _scalar_or_array(result: FloatArray, *inputs: Any) -> float | FloatArray:
    if all(np.ndim(x) == 0 for x in inputs):
        return float(result)
    return result


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LMSCurve:
    """L, M and S of one sex at tabulated ages; smooth in age between them.

    Parameters
    ----------
    sex : str
        ``"male"`` or ``"female"``.
    age_years : tuple of float
        Strictly increasing ages (years), at least two.
    L : tuple of float
        Box-Cox power at each age.
    M : tuple of float
        Median IGF-1 (ng/mL) at each age, > 0.
    S : tuple of float
        Coefficient of variation at each age, > 0.

    Notes
    -----
    Between tabulated ages ``L``, ``ln M`` and ``ln S`` follow a PCHIP spline (no overshoot);
    outside them they are held at the end values (flat extrapolation).
    """

    sex: str
    age_years: tuple[float, ...]
    L: tuple[float, ...]
    M: tuple[float, ...]
    S: tuple[float, ...]

    def __post_init__(self) -> None:
        n = len(self.age_years)
        if self.sex not in SEXES:
            raise InputError(f"sex = {self.sex!r} is not allowed; allowed: {', '.join(SEXES)}")
        if n < 2 or not len(self.L) == len(self.M) == len(self.S) == n:
            raise InputError(
                f"LMS curve for {self.sex}: need at least 2 ages and one L, M, S per age "
                f"(got {n} ages, {len(self.L)} L, {len(self.M)} M, {len(self.S)} S)"
            )
        if any(b <= a for a, b in zip(self.age_years, self.age_years[1:], strict=False)):
            raise InputError(f"LMS curve for {self.sex}: ages must be strictly increasing")
        if not all(math.isfinite(x) for x in (*self.age_years, *self.L, *self.M, *self.S)):
            raise InputError(f"LMS curve for {self.sex}: ages, L, M and S must be finite")
        if min(self.M) <= 0 or min(self.S) <= 0:
            raise InputError(f"LMS curve for {self.sex}: M and S must be > 0")

    @functools.cached_property
    def _splines(self) -> tuple[Any, Any, Any]:
        ages = np.asarray(self.age_years)
        return (
            PchipInterpolator(ages, np.asarray(self.L)),
            PchipInterpolator(ages, np.log(self.M)),
            PchipInterpolator(ages, np.log(self.S)),
        )

    def at(self, age_years: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return ``(L, M, S)`` at ``age_years`` (arrays shaped like the ages).

        Parameters
        ----------
        age_years : float or array_like
            Ages in years; values outside the tabulated ages take the end values.

        Returns
        -------
        tuple of numpy.ndarray
            ``L``, ``M`` (ng/mL) and ``S``.
        """
        age = np.clip(np.asarray(age_years, dtype=float), self.age_years[0], self.age_years[-1])
        fL, fM, fS = self._splines
        return (
            np.asarray(fL(age), dtype=float),
            np.exp(np.asarray(fM(age), dtype=float)),
            np.exp(np.asarray(fS(age), dtype=float)),
        )


@dataclass(frozen=True)
class IGF1Reference:
    """An age- and sex-continuous IGF-1 reference (LMS model) and the SDS it defines.

    Parameters
    ----------
    name : str
        Short label printed and stored with every SDS computed against this reference.
    source : str
        Where the reference numbers come from (citation or file).
    curves : tuple of LMSCurve
        One curve per sex (male and female).
    method : str
        How the LMS curves were obtained (fit, interpolation, extrapolation).

    Examples
    --------
    >>> ref = default_reference()
    >>> round(ref.sds(120.0, 60, "male"), 3)
    0.0
    >>> round(ref.centile(97.5, 60, "male"))
    191
    """

    name: str
    source: str
    curves: tuple[LMSCurve, ...] = field(repr=False)
    method: str = ""

    def __post_init__(self) -> None:
        sexes = sorted(c.sex for c in self.curves)
        if sexes != sorted(SEXES):
            raise InputError(
                f"reference {self.name!r}: needs exactly one LMS curve per sex "
                f"({', '.join(SEXES)}); got {', '.join(sexes) or 'none'}"
            )

    def curve(self, sex: str) -> LMSCurve:
        """Return the LMS curve of ``sex`` (``"male"`` or ``"female"``)."""
        male = bool(_check_sex(sex))
        return next(c for c in self.curves if (c.sex == "male") == male)

    @property
    def age_range_years(self) -> tuple[float, float]:
        """Range of tabulated ages (years); the model is flat outside it."""
        return (
            min(c.age_years[0] for c in self.curves),
            max(c.age_years[-1] for c in self.curves),
        )

    # --- core ----------------------------------------------------------------------------
    def _lms(
        self, age_years: npt.ArrayLike, sex: SexLike, like: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """L, M, S broadcast over ``age_years``, ``sex`` and (the shape of) ``like``."""
        age = _check_age(age_years)
        male = _check_sex(sex)
        extra = () if like is None else (np.shape(like),)
        try:
            shape = np.broadcast_shapes(age.shape, male.shape, *extra)
        except ValueError:
            raise InputError(
                "the value, age_years and sex arrays have shapes "
                f"{(*extra, age.shape, male.shape)} that cannot be broadcast together"
            ) from None
        age_b = np.broadcast_to(age, shape)
        male_b = np.broadcast_to(male, shape)
        out = tuple(np.empty(age_b.shape, dtype=float) for _ in range(3))
        for c in self.curves:
            mask = male_b == (c.sex == "male")
            if np.any(mask):
                for dst, src in zip(out, c.at(age_b[mask]), strict=True):
                    dst[mask] = src
        return out[0], out[1], out[2]

    @overload
    def lms(self, age_years: float, sex: str) -> tuple[float, float, float]: ...
    @overload
    def lms(
        self, age_years: ArrayInput, sex: SexLike
    ) -> tuple[FloatArray, FloatArray, FloatArray]: ...
    @overload
    def lms(
        self, age_years: npt.ArrayLike, sex: SexLike
    ) -> tuple[float | FloatArray, float | FloatArray, float | FloatArray]: ...
    def lms(
        self, age_years: npt.ArrayLike, sex: SexLike
    ) -> tuple[float | FloatArray, float | FloatArray, float | FloatArray]:
        """Return the LMS parameters ``(L, M, S)`` at an age and sex.

        Parameters
        ----------
        age_years : float or array_like
            Age in years, 18-100.
        sex : str or array_like of str
            ``"male"`` or ``"female"``.

        Returns
        -------
        tuple
            ``L``, ``M`` (median, ng/mL) and ``S``; floats for scalar input, else arrays.
        """
        L, M, S = self._lms(age_years, sex)
        return (
            _scalar_or_array(L, age_years, sex),
            _scalar_or_array(M, age_years, sex),
            _scalar_or_array(S, age_years, sex),
        )

    @overload
    def sds(self, igf1_ng_ml: float, age_years: float, sex: str) -> float: ...
    @overload
    def sds(
        self, igf1_ng_ml: ArrayInput, age_years: float | ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def sds(
        self, igf1_ng_ml: float | ArrayInput, age_years: ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def sds(
        self, igf1_ng_ml: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray: ...
    def sds(
        self, igf1_ng_ml: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray:
        """IGF-1 standard deviation score (z) for age and sex.

        Parameters
        ----------
        igf1_ng_ml : float or array_like
            Total IGF-1 in ng/mL, > 0 (convert other units with :func:`to_ng_ml`).
        age_years : float or array_like
            Age in years, 18-100.
        sex : str or array_like of str
            ``"male"`` or ``"female"``.

        Returns
        -------
        float or numpy.ndarray
            SDS; a float when every input is scalar, otherwise an array of the broadcast shape.

        Raises
        ------
        InputError
            For a non-positive IGF-1, an age outside 18-100 years or an unknown sex.

        Examples
        --------
        >>> ref = default_reference()
        >>> round(ref.sds(191.0, 60, "male"), 2)
        1.96
        >>> ref.sds([67.0, 120.0, 191.0], 60, "male").round(2).tolist()
        [-1.96, 0.0, 1.96]
        """
        y = _check_positive("igf1_ng_ml", igf1_ng_ml, "ng/mL")
        L, M, S = self._lms(age_years, sex, like=y)
        z = _box_cox(y / M, L) / S
        return _scalar_or_array(np.asarray(z, dtype=float), igf1_ng_ml, age_years, sex)

    @overload
    def percentile(self, igf1_ng_ml: float, age_years: float, sex: str) -> float: ...
    @overload
    def percentile(
        self, igf1_ng_ml: ArrayInput, age_years: float | ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def percentile(
        self, igf1_ng_ml: float | ArrayInput, age_years: ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def percentile(
        self, igf1_ng_ml: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray: ...
    def percentile(
        self, igf1_ng_ml: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray:
        """Percentile (0-100) of an IGF-1 value for age and sex.

        Parameters
        ----------
        igf1_ng_ml : float or array_like
            Total IGF-1 in ng/mL, > 0.
        age_years : float or array_like
            Age in years, 18-100.
        sex : str or array_like of str
            ``"male"`` or ``"female"``.

        Returns
        -------
        float or numpy.ndarray
            ``100 * Phi(SDS)``.

        Examples
        --------
        >>> round(default_reference().percentile(120.0, 60, "male"), 1)
        50.0
        """
        z = np.asarray(self.sds(igf1_ng_ml, age_years, sex), dtype=float)
        return _scalar_or_array(
            100.0 * np.asarray(ndtr(z), dtype=float), igf1_ng_ml, age_years, sex
        )

    @overload
    def value_for_sds(self, z: float, age_years: float, sex: str) -> float: ...
    @overload
    def value_for_sds(
        self, z: ArrayInput, age_years: float | ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def value_for_sds(
        self, z: float | ArrayInput, age_years: ArrayInput, sex: SexLike
    ) -> FloatArray: ...
    @overload
    def value_for_sds(
        self, z: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray: ...
    def value_for_sds(
        self, z: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray:
        """IGF-1 (ng/mL) that has SDS ``z`` at an age and sex (inverse of :meth:`sds`).

        Parameters
        ----------
        z : float or array_like
            Target SDS (finite).
        age_years : float or array_like
            Age in years, 18-100.
        sex : str or array_like of str
            ``"male"`` or ``"female"``.

        Returns
        -------
        float or numpy.ndarray
            IGF-1 in ng/mL.

        Raises
        ------
        InputError
            If ``z`` is not finite or lies beyond what the Box-Cox model can represent at that
            age (``1 + L*S*z <= 0``; for the default reference only for ``|z| > 4``).

        Examples
        --------
        >>> round(default_reference().value_for_sds(0.0, 50, "female"))
        126
        """
        try:
            zz = np.asarray(z, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"z = {z!r} is not a number; give a finite SDS") from None
        if not np.all(np.isfinite(zz)):
            raise InputError(f"z = {z!r} is not finite; give a finite SDS")
        L, M, S = self._lms(age_years, sex, like=zz)
        u = np.asarray(zz * S, dtype=float)
        outside = 1.0 + L * u <= 0.0
        if np.any(outside):
            i = np.argwhere(outside)[0]
            Li, Si, zi = (np.broadcast_to(a, outside.shape)[tuple(i)] for a in (L, S, zz))
            limit = -1.0 / (Li * Si)
            side = "below" if Li > 0 else "above"
            raise InputError(
                f"z = {zi:g} is {side} the range the reference {self.name!r} can represent "
                f"at this age and sex (limit {limit:+.2f} SDS)"
            )
        value = M * _inverse_box_cox(u, L)
        return _scalar_or_array(np.asarray(value, dtype=float), z, age_years, sex)

    @overload
    def centile(self, p: float, age_years: float, sex: str) -> float: ...
    @overload
    def centile(self, p: ArrayInput, age_years: float | ArrayInput, sex: SexLike) -> FloatArray: ...
    @overload
    def centile(self, p: float | ArrayInput, age_years: ArrayInput, sex: SexLike) -> FloatArray: ...
    @overload
    def centile(
        self, p: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray: ...
    def centile(
        self, p: npt.ArrayLike, age_years: npt.ArrayLike, sex: SexLike
    ) -> float | FloatArray:
        """IGF-1 (ng/mL) at percentile ``p`` for an age and sex.

        Parameters
        ----------
        p : float or array_like
            Percentile, strictly between 0 and 100.
        age_years : float or array_like
            Age in years, 18-100.
        sex : str or array_like of str
            ``"male"`` or ``"female"``.

        Returns
        -------
        float or numpy.ndarray
            IGF-1 in ng/mL.

        Examples
        --------
        >>> ref = default_reference()
        >>> [round(ref.centile(q, 20, "female")) for q in (2.5, 50, 97.5)]
        [119, 237, 363]
        """
        try:
            pp = np.asarray(p, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"p = {p!r} is not a number; allowed 0 < p < 100") from None
        bad = ~np.isfinite(pp) | (pp <= 0.0) | (pp >= 100.0)
        if np.any(bad):
            raise InputError(
                f"p = {float(pp[bad].flat[0]):g} is out of range; allowed 0 < p < 100 (percent)"
            )
        z = np.asarray(ndtri(pp / 100.0), dtype=float)
        value = np.asarray(self.value_for_sds(z, age_years, sex), dtype=float)
        return _scalar_or_array(value, p, age_years, sex)


# --------------------------------------------------------------------------------------------
# Units and the convenience function
# --------------------------------------------------------------------------------------------
@overload
def to_ng_ml(value: float, units: str) -> float: ...
@overload
def to_ng_ml(value: ArrayInput, units: str) -> FloatArray: ...
@overload
def to_ng_ml(value: npt.ArrayLike, units: str) -> float | FloatArray: ...
def to_ng_ml(value: npt.ArrayLike, units: str) -> float | FloatArray:
    """Convert an IGF-1 concentration to ng/mL.

    Parameters
    ----------
    value : float or array_like
        IGF-1 concentration in ``units``.
    units : str
        ``"ng/mL"`` or ``"nmol/L"`` (case-insensitive); 1 nmol/L = 7.649 ng/mL
        (1 ng/mL = 0.131 nmol/L, ``published_results.md`` unit notes).

    Returns
    -------
    float or numpy.ndarray
        IGF-1 in ng/mL (a float for scalar input).

    Raises
    ------
    InputError
        For any other unit.

    Examples
    --------
    >>> round(to_ng_ml(20.0, "nmol/L"), 1)
    153.0
    """
    key = units.strip().lower() if isinstance(units, str) else ""
    if key == "ng/ml":
        factor = 1.0
    elif key == "nmol/l":
        factor = IGF1_NG_ML_PER_NMOL_L
    else:
        raise InputError(f"units = {units!r} is not allowed; allowed: {', '.join(UNITS)}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"IGF-1 value {value!r} is not a number") from None
    return _scalar_or_array(arr * factor, value)


def igf1_sds(
    igf1: float,
    age_years: float,
    sex: str,
    *,
    units: str = "ng/mL",
    reference: IGF1Reference | None = None,
) -> float:
    """IGF-1 SDS of one measurement.

    Parameters
    ----------
    igf1 : float
        Total IGF-1 concentration in ``units``, > 0.
    age_years : float
        Age in years, 18-100.
    sex : str
        ``"male"`` or ``"female"``.
    units : str, optional
        ``"ng/mL"`` (default) or ``"nmol/L"``.
    reference : IGF1Reference, optional
        Reference to score against; :func:`default_reference` when omitted. Report the SDS
        together with ``reference.name``.

    Returns
    -------
    float
        The SDS.

    Raises
    ------
    InputError
        For an unknown unit or sex, a non-positive value or an age outside 18-100 years.

    Examples
    --------
    >>> round(igf1_sds(174.0, 30, "male"), 3)
    0.0
    >>> round(igf1_sds(22.75, 30, "male", units="nmol/L"), 2)
    0.0
    """
    ref = default_reference() if reference is None else reference
    if np.ndim(igf1) or np.ndim(age_years) or not isinstance(sex, str):
        raise InputError(
            "igf1_sds scores one measurement; use IGF1Reference.sds for arrays of values"
        )
    value = to_ng_ml(igf1, units)
    return float(ref.sds(value, age_years, sex))


# --------------------------------------------------------------------------------------------
# Loading tables
# --------------------------------------------------------------------------------------------
def _percent_of(column: str) -> float | None:
    m = _PCOL.match(column)
    if m is None:
        return None
    p = float(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
    return p if 0.0 < p < 100.0 else None


def _parse_table(text: str, label: str, stem: str) -> IGF1Reference:
    """Parse and validate a reference table (percentile or LMS format); fit it if needed."""

    def fail(line: int | None, problem: str) -> InputError:
        where = f", line {line}" if line is not None else ""
        return InputError(f"{label}{where}: {problem}")

    meta: dict[str, str] = {}
    notes: list[str] = []
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            key, sep, val = comment.partition(":")
            if sep and key.strip().lower() in ("name", "source"):
                meta[key.strip().lower()] = val.strip()
            elif comment:
                notes.append(comment)
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if header is None:
            header, header_line = cells, lineno
        else:
            rows.append((lineno, cells))
    if header is None:
        raise fail(
            None, "no header row; expected sex,age_years,p2_5,p50,p97_5 or sex,age_years,L,M,S"
        )

    cols = [c.lower() for c in header]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise fail(header_line, f"duplicated column(s): {', '.join(dup)}")
    pcols = {c: p for c in cols if (p := _percent_of(c)) is not None}
    is_lms = any(c in cols for c in ("l", "m", "s"))
    if is_lms and pcols:
        raise fail(header_line, "mixes percentile columns and L,M,S columns; use one format")
    needed = ["sex", "age_years"] + (["l", "m", "s"] if is_lms else [])
    missing = [c for c in needed if c not in cols]
    if not is_lms:
        if "p50" not in pcols:
            missing.append("p50")
        if not any(p < 50 for p in pcols.values()):
            missing.append("a percentile below 50 (e.g. p2_5)")
        if not any(p > 50 for p in pcols.values()):
            missing.append("a percentile above 50 (e.g. p97_5)")
    if missing:
        fmt = "sex,age_years,L,M,S" if is_lms else "sex,age_years,p2_5,p50,p97_5"
        raise fail(header_line, f"missing column(s): {', '.join(missing)} (expected {fmt})")
    unknown = [h for h, c in zip(header, cols, strict=True) if c not in needed and c not in pcols]
    if unknown:
        raise fail(
            header_line,
            f"unknown column(s): {', '.join(unknown)}; allowed: sex, age_years and either "
            "percentile columns pNN or pNN_N (e.g. p2_5, p50, p97_5) or L, M, S",
        )
    if not rows:
        raise fail(header_line, "the table has a header but no data rows")

    value_cols = ["l", "m", "s"] if is_lms else sorted(pcols, key=pcols.__getitem__)
    percents = [pcols[c] for c in value_cols] if not is_lms else []
    per_sex: dict[str, list[tuple[float, tuple[float, float, float], int]]] = {s: [] for s in SEXES}
    for lineno, cells in rows:
        if len(cells) != len(cols):
            raise fail(lineno, f"has {len(cells)} cells, the header has {len(cols)}")
        cell = dict(zip(cols, cells, strict=True))
        sex = cell["sex"].lower()
        if sex not in SEXES:
            raise fail(lineno, f"sex {cell['sex']!r} is not allowed; allowed: {', '.join(SEXES)}")
        nums: dict[str, float] = {}
        for c in ["age_years", *value_cols]:
            try:
                x = float(cell[c])
            except ValueError:
                raise fail(lineno, f"{c} = {cell[c]!r} is not a number") from None
            if not math.isfinite(x):
                raise fail(lineno, f"{c} = {cell[c]!r} is not a finite number")
            nums[c] = x
        age = nums["age_years"]
        if not 0.0 <= age <= 120.0:
            raise fail(lineno, f"age_years = {age:g} is out of range; allowed 0-120 years")
        if is_lms:
            L, M, S = nums["l"], nums["m"], nums["s"]
            if M <= 0:
                raise fail(lineno, f"M = {M:g} must be > 0 (median IGF-1, ng/mL)")
            if S <= 0:
                raise fail(lineno, f"S = {S:g} must be > 0 (coefficient of variation)")
        else:
            vals = [nums[c] for c in value_cols]
            for c, x in zip(value_cols, vals, strict=True):
                if x <= 0:
                    kind = "negative" if x < 0 else "zero"
                    raise fail(
                        lineno, f"{c} = {x:g} is {kind}; IGF-1 percentiles must be > 0 ng/mL"
                    )
            for (c1, x1), (c2, x2) in zip(
                zip(value_cols, vals, strict=True),
                zip(value_cols[1:], vals[1:], strict=True),
                strict=False,
            ):
                if x2 <= x1:
                    raise fail(
                        lineno,
                        f"percentiles are not increasing: {c1} = {x1:g} >= {c2} = {x2:g}",
                    )
            try:
                L, M, S = _fit_lms_point(percents, vals)
            except ValueError as exc:
                raise fail(lineno, str(exc)) from None
        if any(a == age for a, _, _ in per_sex[sex]):
            raise fail(lineno, f"age {age:g} is duplicated for {sex}")
        per_sex[sex].append((age, (L, M, S), lineno))

    curves = []
    for sex in SEXES:
        entries = sorted(per_sex[sex])
        if len(entries) < 2:
            at_line = entries[0][2] if entries else None
            raise fail(
                at_line, f"{sex} has {len(entries)} age(s); at least 2 ages per sex are needed"
            )
        curves.append(
            LMSCurve(
                sex=sex,
                age_years=tuple(e[0] for e in entries),
                L=tuple(e[1][0] for e in entries),
                M=tuple(e[1][1] for e in entries),
                S=tuple(e[1][2] for e in entries),
            )
        )
    spans = {(c.age_years[0], c.age_years[-1]) for c in curves}
    span = f" ({next(iter(spans))[0]:g}-{next(iter(spans))[1]:g} y)" if len(spans) == 1 else ""
    if is_lms:
        method = "LMS table as given"
        default_name = f"{stem} (LMS table)"
    else:
        shown = ", ".join(f"P{p:g}" for p in percents)
        how = "exactly" if len(percents) == 3 else "by least squares on the z scale"
        method = f"LMS fitted by somatosim {how} to {shown} at each tabulated age"
        default_name = f"{stem} (percentile table, LMS fit by somatosim)"
    method += (
        "; L, ln M and ln S interpolated in age by PCHIP; held flat outside the tabulated "
        f"ages{span}"
    )
    source = meta.get("source") or " ".join(notes) or label
    return IGF1Reference(
        name=meta.get("name") or default_name, source=source, curves=tuple(curves), method=method
    )


def load_reference(path: str | os.PathLike[str]) -> IGF1Reference:
    """Load an assay-specific IGF-1 reference table (CSV).

    Two formats are accepted (see ``docs/clinical.md``):

    * percentiles: ``sex,age_years,p2_5,p50,p97_5`` plus optional percentile columns ``pNN`` or
      ``pNN_N`` (e.g. ``p10``, ``p90``); somatosim fits ``L``, ``M``, ``S`` at each age;
    * LMS: ``sex,age_years,L,M,S``.

    Lines starting with ``#`` are comments; ``# name: ...`` and ``# source: ...`` set the
    reference's :attr:`~IGF1Reference.name` and :attr:`~IGF1Reference.source`. Each sex needs
    at least two distinct ages.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    IGF1Reference
        The reference model.

    Raises
    ------
    InputError
        For an unreadable file or an invalid table; the one-line message names the file, the
        line and the problem.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{p}: cannot read the IGF-1 reference table ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: is not a UTF-8 text (CSV) file") from None
    return _parse_table(text, label=str(p), stem=p.stem)


@functools.cache
def default_reference() -> IGF1Reference:
    """The default IGF-1 reference: LIFE percentiles (Hoerenz et al., JCEM 2022), LMS fit.

    Returns
    -------
    IGF1Reference
        Named :data:`DEFAULT_REFERENCE_NAME`; fitted once per process and cached.

    Examples
    --------
    >>> default_reference().name
    'LIFE (Hoerenz et al., JCEM 2022), LMS fit by somatosim'
    """
    resource = resources.files("somatosim").joinpath("data").joinpath(_DATA_FILE)
    ref = _parse_table(resource.read_text(encoding="utf-8"), label=_DATA_FILE, stem="LIFE")
    return replace(ref, name=DEFAULT_REFERENCE_NAME, source=_DEFAULT_SOURCE)
