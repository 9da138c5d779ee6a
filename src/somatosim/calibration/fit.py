"""Calibration: fit free parameters to the validation cases (issue 3, point 2).

The objective is a vector of residuals, one per validation case (the case's miss in
tolerance units, :meth:`~somatosim.calibration.cases.ValidationCase.residual`, so that
``|r| <= 1`` means the case passes), plus one prior residual per free parameter: the
distance from its literature value in units of a quarter of its plausible range (the
range in :data:`~somatosim.model.parameters.PARAMETERS` is read as ±2 prior SD). Cases
with an ``expected_failure_reason`` are left out: a case known to fail for a structural
reason must not pull the parameters.

:func:`calibrate` runs :func:`scipy.optimize.least_squares` (trust-region reflective,
inside the table's bounds) from the literature values and from ``n_starts - 1`` Latin
hypercube points, keeps the best, and writes ``calibrated_parameters.json``:
``{name: {literature, calibrated, cases, free, lower, upper, unit}}`` for every parameter,
where ``cases`` lists the cases whose residual moves by at least 0.2 tolerance units when
the parameter moves by a tenth of its range (from the Jacobian at the optimum). Seeds are
fixed (common random numbers), so the objective is deterministic and the run reproducible.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from somatosim.calibration.cases import CASES, ValidationCase
from somatosim.model.parameters import (
    PARAMETER_INDEX,
    PARAMETERS,
    ParameterSet,
    default_parameters,
    literature_parameters,
)

__all__ = [
    "DEFAULT_FREE",
    "CalibrationResult",
    "calibrate",
    "case_residuals",
    "write_calibrated",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

DEFAULT_FREE: tuple[str, ...] = (
    "pool_capacity",
    "refill_srif_gain",
    "ghrh_rate",
    "ghrh_regularity",
    "sws_sst_withdrawal",
    "sws_ghrh_amp_gain",
    "igf_emax",
    "sst_age_rise_per_decade",
    "hep_age_decline_per_decade",
    "female_capacity_factor",
    "female_hep_factor",
    "gate_min",
    "bp3_gate_exponent",
    "protein_half",
    "energy_half",
    "neaa_weight",
    "mg_slope",
    "resist_igf_gain",
    "resist_stim_scale",
    "ex_training_attenuation",
    "sc_bioavailability",
    "sc_ka",
    "lagh_ka",
    "muscle_load_gain",
)
"""Parameters fitted by default: weakly known from the literature, strongly informed by cases."""

RESIDUAL_CAP = 10.0
INFORM_THRESHOLD = 0.2


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """Outcome of :func:`calibrate`."""

    params: ParameterSet
    free: tuple[str, ...]
    cost: float
    cost_initial: float
    passed: int
    passed_initial: int
    informs: dict[str, list[str]]
    starts: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def _case_values(cases: Sequence[ValidationCase], params: ParameterSet) -> list[float]:
    out = []
    for c in cases:
        try:
            out.append(float(c.run(params)))
        except Exception:
            out.append(float("nan"))
    return out


def case_residuals(
    cases: Sequence[ValidationCase], params: ParameterSet | None = None
) -> FloatArray:
    """Residual of every case (tolerance units, capped at ±10)."""
    p = params if params is not None else default_parameters()
    vals = _case_values(cases, p)
    return np.array(
        [
            max(-RESIDUAL_CAP, min(RESIDUAL_CAP, c.residual(v)))
            for c, v in zip(cases, vals, strict=True)
        ]
    )


def _lhs(rng: np.random.Generator, n: int, d: int) -> FloatArray:
    u = (rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T + rng.random((n, d))) / n
    return np.asarray(u, dtype=float)


def calibrate(
    cases: Sequence[ValidationCase] = CASES,
    free_parameters: Sequence[str] = DEFAULT_FREE,
    n_starts: int = 4,
    seed: int = 0,
    *,
    max_nfev: int = 60,
    prior_weight: float = 1.0,
    base: ParameterSet | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Multi-start bounded least squares of the free parameters against the cases.

    Parameters
    ----------
    cases : sequence of ValidationCase
        Cases to fit (those with an ``expected_failure_reason`` are skipped).
    free_parameters : sequence of str
        Names from the parameter table; all others stay at ``base``.
    n_starts : int
        Starts: the literature values plus ``n_starts - 1`` Latin-hypercube points.
    seed : int
        Seed of the start points.

    Other Parameters
    ----------------
    max_nfev : int
        Function evaluations per start (each runs every case).
    prior_weight : float
        Weight of the literature prior residuals.
    base : ParameterSet, optional
        Values of the fixed parameters and the literature values (default: the table).
    out : path, optional
        Where to write the calibrated parameter file.
    progress : callable, optional
        Receives one-line status messages.

    Returns
    -------
    CalibrationResult
    """
    t0 = time.perf_counter()
    lit = base if base is not None else literature_parameters()
    unknown = [n for n in free_parameters if n not in PARAMETER_INDEX]
    if unknown:
        raise KeyError(f"unknown parameter(s) {unknown}; see `somatosim params`")
    fit_cases = [c for c in cases if c.expected_failure_reason is None]
    specs = [PARAMETERS[PARAMETER_INDEX[n]] for n in free_parameters]
    lo = np.array([s.lower for s in specs])
    hi = np.array([s.upper for s in specs])
    x_lit = np.array([lit[n] for n in free_parameters])
    prior_sd = (hi - lo) / 4.0
    say = progress or (lambda _msg: None)

    def to_params(x: FloatArray) -> ParameterSet:
        return lit.replace(
            **{
                n: float(np.clip(v, a, b))
                for n, v, a, b in zip(free_parameters, x, lo, hi, strict=True)
            }
        )

    n_eval = 0

    def fun(x: FloatArray) -> FloatArray:
        nonlocal n_eval
        n_eval += 1
        r = case_residuals(fit_cases, to_params(x))
        prior = prior_weight * (x - x_lit) / prior_sd
        if n_eval % 5 == 1:
            say(
                f"evaluation {n_eval}: cost {0.5 * float(r @ r + prior @ prior):.4g}, "
                f"{int(np.sum(np.abs(r) <= 1))}/{len(r)} cases within tolerance"
            )
        return np.concatenate([r, prior])

    from scipy.optimize import least_squares

    r0 = fun(x_lit)
    cost0 = 0.5 * float(r0 @ r0)
    passed0 = int(np.sum(np.abs(r0[: len(fit_cases)]) <= 1.0))
    rng = np.random.Generator(np.random.PCG64(seed))
    starts = [x_lit] + [
        lo + u * (hi - lo) for u in _lhs(rng, max(n_starts - 1, 0), len(free_parameters))
    ]
    best: Any = None
    records: list[dict[str, Any]] = []
    for k, x0 in enumerate(starts):
        say(f"start {k + 1}/{len(starts)}")
        res = least_squares(
            fun,
            np.clip(x0, lo, hi),
            bounds=(lo, hi),
            x_scale=hi - lo,
            diff_step=0.02,
            max_nfev=max_nfev,
            method="trf",
        )
        records.append(
            {
                "start": k,
                "cost": float(res.cost),
                "nfev": int(res.nfev),
                "x": {n: float(v) for n, v in zip(free_parameters, res.x, strict=True)},
            }
        )
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    jac = np.asarray(best.jac)[: len(fit_cases)]
    informs: dict[str, list[str]] = {}
    for j, name in enumerate(free_parameters):
        move = np.abs(jac[:, j]) * 0.1 * (hi[j] - lo[j])
        informs[name] = [
            c.id for c, m in zip(fit_cases, move, strict=True) if m >= INFORM_THRESHOLD
        ]
    params = to_params(best.x)
    r_best = np.asarray(best.fun)[: len(fit_cases)]
    result = CalibrationResult(
        params=params,
        free=tuple(free_parameters),
        cost=float(best.cost),
        cost_initial=cost0,
        passed=int(np.sum(np.abs(r_best) <= 1.0)),
        passed_initial=passed0,
        informs=informs,
        starts=records,
        seconds=time.perf_counter() - t0,
    )
    if out is not None:
        write_calibrated(result, out, literature=lit)
    return result


def write_calibrated(
    result: CalibrationResult,
    path: str | os.PathLike[str],
    *,
    literature: ParameterSet | None = None,
) -> Path:
    """Write ``{name: {literature, calibrated, cases, free, lower, upper, unit}}`` (atomic)."""
    lit = literature if literature is not None else literature_parameters()
    data: dict[str, Any] = {}
    for spec in PARAMETERS:
        name = spec.name
        free = name in result.free
        cal = result.params[name]
        if not spec.lower <= cal <= spec.upper or not math.isfinite(cal):
            raise ValueError(f"calibrated {name} = {cal} is outside [{spec.lower}, {spec.upper}]")
        data[name] = {
            "literature": lit[name],
            "calibrated": cal,
            "cases": result.informs.get(name, []),
            "free": free,
            "lower": spec.lower,
            "upper": spec.upper,
            "unit": spec.unit,
        }
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
