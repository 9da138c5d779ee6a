"""Calibration: fit free parameters to the validation cases (issue 3, point 2).

The objective is a vector of residuals, one per validation case (the case's miss in
tolerance units, :meth:`~somatosim.calibration.cases.ValidationCase.residual`, so that
``|r| <= 1`` means the case passes), plus one prior residual per free parameter: the
distance from its literature value in units of a quarter of its plausible range (the
range in :data:`~somatosim.model.parameters.PARAMETERS` is read as ±2 prior SD). Cases
with an ``expected_failure_reason`` are left out: a case known to fail for a structural
reason must not pull the parameters.

:func:`calibrate` runs :func:`scipy.optimize.least_squares` (trust-region reflective,
inside the table's bounds) from a start point (the literature values, or a previous
calibration read by :func:`read_parameter_file`) and from ``n_starts - 1`` Latin hypercube
points, keeps the best, and writes ``calibrated_parameters.json``:
``{name: {literature, calibrated, cases, free, lower, upper, unit}}`` for every parameter,
where ``cases`` lists the cases whose residual moves by at least 0.2 tolerance units when
the parameter moves by a tenth of its range (from the Jacobian at the optimum). Parameters
that the start had calibrated and this run does not fit keep their start value, flag and
cases, so a run can refine part of a previous calibration. Beside the file it writes a run
record (:data:`RUN_RECORD_FILE`: command, settings, cost and pass count before and after,
and digests of the start and the result). Seeds are fixed (common random numbers), so the
objective is deterministic and a rerun of the recorded command writes the same file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from somatosim._version import __version__
from somatosim.calibration.cases import CASES, ValidationCase
from somatosim.calibration.constraints import Constraint, constraint_residuals
from somatosim.errors import InputError
from somatosim.model.parameters import (
    CALIBRATION_ENV,
    PARAMETER_INDEX,
    PARAMETERS,
    ParameterSet,
    calibrated_value_problem,
    default_parameters,
    literature_parameters,
)
from somatosim.scenario.io import atomic_write_text

__all__ = [
    "DEFAULT_FREE",
    "RUN_RECORD_FILE",
    "START_FILE",
    "CalibrationResult",
    "bounded_miss",
    "calibrate",
    "calibration_provenance",
    "case_residuals",
    "read_parameter_file",
    "values_digest",
    "write_calibrated",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

DEFAULT_FREE: tuple[str, ...] = (
    "ghrh_rate",
    "sst_igf_gain",
    "female_sst_gh_factor",
    "pool_capacity",
    "k_refill",
    "k_release",
    "refill_srif_gain",
    "age_decline_per_decade",
    "sst_age_rise_per_decade",
    "postpubertal_boost",
    "female_capacity_factor",
    "female_capacity_factor_post",
    "sws_sst_withdrawal",
    "sws_ghrh_rate_gain",
    "sws_ghrh_amp_gain",
    "k_hep",
    "igf_kin0",
    "igf_emax",
    "hep_age_decline_per_decade",
    "female_hep_factor",
    "female_hep_factor_post",
    "k_igf_ternary",
    "bp3_gate_exponent",
    "free_igf_ref",
    "pit_igf_inhibition",
    "gate_min",
    "protein_half",
    "energy_half",
    "protein_energy_sparing",
    "protein_floor",
    "neaa_weight",
    "ghrelin_tau_h",
    "zn_ref",
    "zn_max_loss",
    "ex_stim_gain",
    "ex_training_attenuation",
    "resist_stim_scale",
    "resist_igf_gain",
    "sc_ka",
    "sc_bioavailability",
    "lagh_ka",
    "lagh_halflife_h",
    "lagh_potency",
)
"""The parameters the shipped file calibrates (its ``free`` entries), in table order."""

START_FILE = "calibration_start.json"
"""Package data: the calibrated file the shipped one was refined from (see its run record)."""

RUN_RECORD_FILE = "calibration_run.json"
"""Written beside the calibrated file: the command, its start, its settings and digests."""

RESIDUAL_CAP = 10.0
INFORM_THRESHOLD = 0.2
MAX_CHECKED_CANDIDATES = 8
"""Candidates tried against the check commands before falling back to the start."""
CHECK_OUTPUT_LINES = 10
"""Lines of a failing check's output kept in the run record (its ``FAILED`` lines if any)."""


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
    carried: dict[str, list[str]] = field(default_factory=dict)
    starts: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    evaluations: int = 0
    guard_used: bool = False
    constraints_met: int = 0
    constraints_met_initial: int = 0


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


def _measure(
    params: ParameterSet, cases: Sequence[ValidationCase], constraints: Sequence[Constraint]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One evaluation's measurements: case residuals, constraint values and residuals.

    A module-level function so that a Dask worker can run it (``calibrate(workers=...)``).
    """
    r = case_residuals(cases, params)
    values, rc = constraint_residuals(constraints, params)
    return r, values, rc


def bounded_miss(r: FloatArray) -> FloatArray:
    """Case residuals as the fit sees them: ``sign(r) * sqrt(arctan(r**2))``.

    Equal to ``r`` near zero, so inside tolerance the objective is the usual sum of squares,
    but bounded (at most ``sqrt(pi / 2)``, about 1.25), so that a case that fails by far
    costs about as much as one that fails by a little. The sum of squares is then a smooth
    count of failing cases: the fit does not trade several passing cases for a smaller miss
    of one that cannot pass, which a plain sum of squares does.
    """
    return np.sign(r) * np.sqrt(np.arctan(np.square(r)))


def margin_miss(r: FloatArray, margin: float) -> FloatArray:
    """Case misses with a dead zone: 0 within ``margin`` of the tolerance, ±1 at it.

    ``sign(r) * max(0, |r| - margin) / (1 - margin)``: with ``margin`` 0 this is ``r``; with
    a margin, a case well inside its tolerance exerts no pull, so the literature prior draws
    each parameter back until some case reaches its margin. The fit then seeks the set
    nearest the literature values that keeps every case ``margin`` inside its bounds, the
    same shape as a behaviour constraint's residual
    (:meth:`~somatosim.calibration.constraints.Constraint.residual`).
    """
    if not 0.0 <= margin < 1.0:
        raise InputError(f"case margin = {margin} must be in [0, 1)")
    return np.sign(r) * np.maximum(np.abs(r) - margin, 0.0) / (1.0 - margin)


BOUNDED_AT_ONE = math.sqrt(math.atan(1.0))
""":func:`bounded_miss` of a case exactly at its tolerance."""

SD_PER_TOLERANCE = 1.96
"""Weight of the case residuals: most tolerances are 95 % intervals (``docs/validation.md``,
rules R1-R4), so a miss of one tolerance is about 1.96 standard errors; the prior residuals
are in prior SDs. Near zero a weighted case residual is its miss in SD units."""


def calibration_provenance() -> dict[str, Any]:
    """Which calibration the model runs under, for reports.

    Returns
    -------
    dict
        ``source`` ("shipped" or "environment"), ``file``, and for the shipped file the
        recorded ``command``, its ``passed`` count and whether the loaded values match the
        record's digest (``matches_record``).
    """
    from somatosim.model.parameters import CALIBRATION_FILE, CALIBRATION_IN_USE

    if CALIBRATION_IN_USE:
        return {"source": "environment", "variable": CALIBRATION_ENV, "file": CALIBRATION_IN_USE}
    out: dict[str, Any] = {"source": "shipped", "file": CALIBRATION_FILE}
    try:
        record = json.loads((files("somatosim") / "data" / RUN_RECORD_FILE).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return out
    out["command"] = record.get("command", "")
    out["passed"] = record.get("passed")
    out["matches_record"] = record.get("calibrated_digest") == values_digest(default_parameters())
    return out


def _n_passed(r: FloatArray) -> int:
    """Cases within tolerance (``|r| <= 1``) among raw case misses."""
    return int(np.sum(np.abs(r) <= 1.0))


def _n_met(constraints: Sequence[Constraint], values: FloatArray) -> int:
    """Constraints whose test assertion holds for the measured ``values``."""
    return sum(c.met(float(v)) for c, v in zip(constraints, values, strict=True))


def _constraint_record(
    constraints: Sequence[Constraint], values: FloatArray
) -> dict[str, dict[str, Any]]:
    """``{id: {value, met}}`` for the run record (a failed measurement as null)."""
    return {
        c.id: {"value": float(v) if math.isfinite(v) else None, "met": c.met(float(v))}
        for c, v in zip(constraints, values, strict=True)
    }


def _failed_checks(
    checks: Sequence[str],
    params: ParameterSet,
    say: Callable[[str], None],
    why: list[str] | None = None,
) -> list[str]:
    """The check commands that fail when the model runs with ``params`` as its calibration.

    The candidate file marks every value that differs from the literature as calibrated, so
    the model run by a check sees exactly ``params``. The last lines a failing command printed
    (pytest's ``FAILED ...`` summary) are appended to ``why``.
    """
    if not checks:
        return []
    lit = literature_parameters()
    changed = tuple(s.name for s in PARAMETERS if params[s.name] != lit[s.name])
    candidate = CalibrationResult(
        params=params,
        free=changed,
        cost=math.nan,
        cost_initial=math.nan,
        passed=0,
        passed_initial=0,
        informs={},
    )
    failed = []
    with tempfile.TemporaryDirectory(prefix="somatosim-check-") as tmp:
        path = write_calibrated(candidate, Path(tmp) / "candidate.json", literature=lit)
        env = {**os.environ, CALIBRATION_ENV: str(path)}
        for command in checks:
            say(f"check: {command}")
            done = subprocess.run(command, shell=True, env=env, capture_output=True, check=False)
            if done.returncode != 0:
                failed.append(command)
                if why is not None:
                    lines = done.stdout.decode(errors="replace").strip().splitlines()
                    lines += done.stderr.decode(errors="replace").strip().splitlines()
                    shown = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
                    why.extend((shown or lines)[-CHECK_OUTPUT_LINES:])
                break  # the candidate is out; the remaining checks need not run
    return failed


def _probe_jacobian(
    evaluated: Sequence[tuple[FloatArray, FloatArray, FloatArray]],
    x: FloatArray,
    fallback: FloatArray,
    which: int = 1,
) -> FloatArray:
    """Forward-difference Jacobian at ``x`` from the evaluations that probed it.

    ``which`` picks what is differentiated: 1 the fit's weighted residuals, 2 the raw case
    misses.

    The fit's finite-difference Jacobian at each iterate moves one coordinate at a time,
    so the points it evaluated give the Jacobian at any iterate again. A point that was
    itself a probe (or lacks a probe of some coordinate) gets ``fallback``, the Jacobian at
    the fit's final iterate.
    """
    base = next((e[which] for e in evaluated if np.array_equal(e[0], x)), None)
    if base is None:
        return fallback
    cols: list[FloatArray] = []
    for j in range(x.size):
        col = None
        for e in evaluated:
            d = e[0] - x
            if d[j] != 0.0 and np.count_nonzero(d) == 1:
                col = (e[which] - base) / d[j]
                break
        if col is None:
            return fallback
        cols.append(col)
    return np.stack(cols, axis=1)


def _latest_jacobian(
    evaluated: Sequence[tuple[FloatArray, FloatArray, FloatArray]], n_residuals: int
) -> FloatArray:
    """Jacobian of the weighted residuals at the latest evaluated point that was fully probed.

    Used when a run's budget stops the fit between two Jacobians. Zeros if no point was
    (then no parameter lists informing cases).
    """
    missing = np.zeros((0, 0))
    for e in reversed(evaluated):
        jac = _probe_jacobian(evaluated, e[0], missing)
        if jac.size:
            return jac
    return np.zeros((n_residuals, evaluated[0][0].size))


class _BudgetSpent(Exception):
    """Raised by the objective once a run's evaluation budget is spent."""


def _lhs(rng: np.random.Generator, n: int, d: int) -> FloatArray:
    u = (rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T + rng.random((n, d))) / n
    return np.asarray(u, dtype=float)


def values_digest(params: ParameterSet) -> str:
    """SHA-256 of a parameter set's values (exact, by name): identifies a calibration."""
    exact = {name: float(v).hex() for name, v in params.as_dict().items()}
    return hashlib.sha256(json.dumps(exact, sort_keys=True).encode()).hexdigest()


def read_parameter_file(
    path: str | os.PathLike[str],
) -> tuple[ParameterSet, dict[str, list[str]]]:
    """Values and informing cases of a calibrated-parameter file (the start of a run).

    Parameters
    ----------
    path : path
        A file in the format :func:`write_calibrated` writes.

    Returns
    -------
    params : ParameterSet
        The file's ``calibrated`` values; parameters it does not list keep their literature
        values.
    informs : dict
        ``cases`` of every entry marked ``free``.

    Raises
    ------
    InputError
        If the file is missing, not JSON, names an unknown parameter or holds a value outside
        the parameter's plausible range.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"start file {str(p)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"start file {str(p)!r} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"start file {str(p)!r}: expected an object of parameter entries")
    values: dict[str, float] = {}
    informs: dict[str, list[str]] = {}
    for name, entry in data.items():
        if name not in PARAMETER_INDEX:
            raise InputError(f"start file {str(p)!r}: unknown parameter {name!r}")
        spec = PARAMETERS[PARAMETER_INDEX[name]]
        value = entry.get("calibrated") if isinstance(entry, dict) else None
        problem = calibrated_value_problem(spec, value)
        if problem:
            raise InputError(f"start file {str(p)!r}: {problem}")
        values[name] = float(value)  # type: ignore[arg-type]
        if entry.get("free"):
            informs[name] = [str(c) for c in entry.get("cases", [])]
    return literature_parameters().replace(**values), informs


def calibrate(
    cases: Sequence[ValidationCase] = CASES,
    free_parameters: Sequence[str] = DEFAULT_FREE,
    n_starts: int = 4,
    seed: int = 0,
    *,
    max_nfev: int = 60,
    prior_weight: float = 1.0,
    case_margin: float = 0.0,
    fd_step: float | None = None,
    budget: int | None = None,
    method: str = "least-squares",
    es_step: float = 0.05,
    keep_passes: bool = True,
    checks: Sequence[str] = (),
    constraints: Sequence[Constraint] = (),
    workers: int = 1,
    scheduler: str | None = None,
    start: ParameterSet | None = None,
    start_informs: Mapping[str, Sequence[str]] | None = None,
    out: str | os.PathLike[str] | None = None,
    record: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Multi-start bounded least squares of the free parameters against the cases.

    Parameters
    ----------
    cases : sequence of ValidationCase
        Cases to fit (those with an ``expected_failure_reason`` are skipped).
    free_parameters : sequence of str
        Names from the parameter table; all others keep their ``start`` values.
    n_starts : int
        Starts: the ``start`` values plus ``n_starts - 1`` Latin-hypercube points.
    seed : int
        Seed of the Latin-hypercube start points.

    Other Parameters
    ----------------
    max_nfev : int
        Function evaluations per start (each runs every case), not counting those of the
        finite-difference Jacobian.
    prior_weight : float
        Weight of the literature prior residuals (the prior is centred on the table's
        written values whatever the start).
    case_margin : float
        Dead zone of the case residuals, as a fraction of each tolerance
        (:func:`margin_miss`): 0 (the default) fits every case towards its published value;
        0.5 lets a case pull only once it is more than half its tolerance away.
    fd_step : float, optional
        Step of the finite-difference Jacobian as a fraction of each parameter's plausible
        range (forward, or backward at the upper bound). Default: scipy's step of 2 % of
        the parameter's current value, which is what the recorded runs used; it shrinks
        with the value (a parameter at 0 gets a step of about 1e-8), so for parameters near
        0 the difference can be dominated by the discrete events of a simulated case (a
        pulse counted or not). A step of a fixed share of the range (e.g. 0.02) treats
        every parameter alike.
    budget : int, optional
        Total evaluations of the objective, the finite-difference Jacobians' included, over
        all starts. When it is spent the fit stops where it is, and the start's evaluated
        set of lowest cost is its result (later starts are not run). Unlike ``max_nfev``,
        which counts only the fit's steps (scipy computes a whole new Jacobian after an
        accepted step even when no step is left), this bounds the run's time, and the run
        stays deterministic. Default: no limit beyond ``max_nfev``.
    method : {"least-squares", "cmaes"}
        ``"least-squares"`` (default): scipy's trust-region reflective least squares on the
        residuals. ``"cmaes"``: the covariance matrix adaptation evolution strategy (the
        ``cma`` package) on their sum of squares, in coordinates scaled to each parameter's
        range; it samples at the scale of ``es_step`` and needs no derivative, so it is not
        held to the small steps a rough objective allows a local linear model (the cases
        count discrete events on simulated series). ``max_nfev`` then counts every
        evaluation of a start, and the informing cases come from one forward-difference
        Jacobian at the result (step ``fd_step``, or 2 % of each range), computed after the
        search and outside ``budget``.
    es_step : float
        Initial step size of ``"cmaes"`` as a fraction of each parameter's range.
    keep_passes : bool
        Guard (default on): if the best fit passes fewer cases than the start, the run
        writes instead the evaluated set of lowest cost among those passing at least as many
        (the start at worst), so a run never ships fewer passing cases than it began with.
        The cost is a smooth surrogate of the pass count, and a step that lowers it can
        still lose cases that sit just inside their tolerance.
    checks : sequence of str
        Shell commands (typically test runs, e.g. ``pytest tests/validation/test_behaviour.py``)
        that a written set must pass: each runs with :data:`CALIBRATION_ENV` naming a file
        that holds the candidate, and a candidate is kept only if every command exits 0.
        Candidates are tried in order (the fit's result, then the evaluated sets by cost),
        at most :data:`MAX_CHECKED_CANDIDATES`; the start is the last resort and must pass.
    constraints : sequence of Constraint
        Behaviour constraints (:data:`~somatosim.calibration.constraints.CONSTRAINTS`) added
        to the residuals, so that the fit is pulled towards sets that keep them. Unlike the
        bounded case misses, a constraint's residual is not bounded (only capped at ±10): a
        set far past a bound is pulled back hard. With ``keep_passes``, a written set also
        meets at least as many constraints as the start.
    workers : int
        Worker processes that evaluate in parallel (default 1: in this process). With more,
        a local Dask cluster evaluates the samples of each ``"cmaes"`` generation and the
        columns of each ``fd_step`` Jacobian at once (scipy's own Jacobian, without
        ``fd_step``, stays serial). Each evaluation is booked in the serial order, so the
        written file is the same whatever the number of workers.
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``tcp://host:8786``) whose workers
        evaluate instead of a local cluster.
    start : ParameterSet, optional
        First start point and the values of the parameters not fitted (default: the
        literature values). A previous calibration makes the run a refinement of it.
    start_informs : mapping, optional
        Informing cases of parameters the start had calibrated; a parameter not fitted in
        this run keeps its start value and these cases in the written file.
    out : path, optional
        Where to write the calibrated parameter file; the run record
        (:data:`RUN_RECORD_FILE`) is written beside it.
    record : mapping, optional
        Extra fields for the run record (the CLI stores its command line and start file).
    progress : callable, optional
        Receives one-line status messages.

    Returns
    -------
    CalibrationResult
    """
    t0 = time.perf_counter()
    lit = literature_parameters()
    base = start if start is not None else lit
    unknown = [n for n in free_parameters if n not in PARAMETER_INDEX]
    if unknown:
        raise InputError(f"unknown parameter(s) {unknown}; see `somatosim params`")
    margin_miss(np.zeros(1), case_margin)  # validates the margin
    if fd_step is not None and not 0.0 < fd_step <= 0.2:
        raise InputError(f"finite-difference step = {fd_step} must be in (0, 0.2]")
    if method not in ("least-squares", "cmaes"):
        raise InputError(f"method = {method!r} must be 'least-squares' or 'cmaes'")
    if not 0.0 < es_step <= 0.5:
        raise InputError(f"--es-step = {es_step} must be in (0, 0.5]")
    if budget is not None and budget < 2:
        raise InputError(f"--budget = {budget} must be at least 2 evaluations")
    if workers < 1:
        raise InputError(f"--workers = {workers} must be at least 1")
    if max_nfev < 1 or n_starts < 1:
        raise InputError(
            f"--max-evals = {max_nfev} and --starts = {n_starts} must both be at least 1"
        )
    fit_cases = [c for c in cases if c.expected_failure_reason is None]
    specs = [PARAMETERS[PARAMETER_INDEX[n]] for n in free_parameters]
    lo = np.array([s.lower for s in specs])
    hi = np.array([s.upper for s in specs])
    x_lit = np.array([lit[n] for n in free_parameters])
    x_start = np.array([base[n] for n in free_parameters])
    prior_sd = (hi - lo) / 4.0
    say = progress or (lambda _msg: None)

    def to_params(x: FloatArray) -> ParameterSet:
        return base.replace(
            **{
                n: float(np.clip(v, a, b))
                for n, v, a, b in zip(free_parameters, x, lo, hi, strict=True)
            }
        )

    n_eval = 0
    fitting = True  # the budget binds the fit only
    # the start, then per start at most max_nfev evaluations of the objective (its start point
    # included), each followed by at most one Jacobian (one evaluation per free parameter)
    if method == "cmaes":  # every evaluation of a start counts; one Jacobian at the end
        most = min(1 + n_starts * max_nfev, budget or 1 + n_starts * max_nfev)
        most += len(free_parameters)
    else:
        most = 1 + n_starts * max_nfev * (len(free_parameters) + 1)
        most = most if budget is None else min(most, budget)
    t_fit = time.perf_counter()
    # every evaluated point, in order: (x, weighted residuals, raw case misses)
    evaluated: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    # the constraints' measured values at each evaluated point (same order)
    constraint_values: list[FloatArray] = []

    client: Any = None  # a Dask client when evaluating on workers

    def fun(x: FloatArray) -> FloatArray:
        if budget is not None and n_eval >= budget and fitting:
            raise _BudgetSpent
        return book(x, *_measure(to_params(x), fit_cases, constraints))

    def fun_many(xs: Sequence[FloatArray]) -> list[FloatArray]:
        """``[fun(x) for x in xs]``, evaluated on the workers when there are any."""
        if client is None:
            return [fun(x) for x in xs]
        room = len(xs) if budget is None or not fitting else max(budget - n_eval, 0)
        futures = [
            client.submit(_measure, to_params(x), fit_cases, constraints, pure=False)
            for x in xs[:room]
        ]
        outs = [book(x, *m) for x, m in zip(xs, client.gather(futures), strict=False)]
        if len(outs) < len(xs):
            raise _BudgetSpent
        return outs

    def book(x: FloatArray, r: FloatArray, values: FloatArray, rc: FloatArray) -> FloatArray:
        """Weighted residuals of one evaluation, kept in ``evaluated`` in order."""
        nonlocal n_eval
        n_eval += 1
        rc = np.clip(np.nan_to_num(rc, nan=RESIDUAL_CAP), -RESIDUAL_CAP, RESIDUAL_CAP)
        prior = prior_weight * (x - x_lit) / prior_sd
        miss = bounded_miss(margin_miss(r, case_margin))
        out = np.concatenate([SD_PER_TOLERANCE * miss, SD_PER_TOLERANCE * rc, prior])
        evaluated.append((np.array(x, dtype=float), out, r))
        constraint_values.append(values)
        if n_eval % 5 == 1:
            each = (time.perf_counter() - t_fit) / n_eval
            left = max(most - n_eval, 0) * each / 60.0
            met = f", {_n_met(constraints, values)}/{len(constraints)} constraints met"
            say(
                f"evaluation {n_eval} of at most {most} ({each:.0f} s each, at most "
                f"{left:.0f} min left): cost {0.5 * float(out @ out):.4g}, "
                f"{_n_passed(r)}/{len(r)} cases within tolerance" + (met if constraints else "")
            )
        return out

    def jac_by_range(x: FloatArray, step: float | None = None) -> FloatArray:
        """Forward differences with a step of ``fd_step`` (or ``step``) of each range."""
        share = step if step is not None else fd_step
        assert share is not None
        x = np.asarray(x, dtype=float)
        # the residuals at x were evaluated when the fit moved there
        f0 = next((e[1] for e in reversed(evaluated) if np.array_equal(e[0], x)), None)
        if f0 is None:
            f0 = fun(x)
        steps, probes = [], []
        for j in range(x.size):
            h = share * (hi[j] - lo[j])
            h = -h if x[j] + h > hi[j] else h
            xj = np.array(x, dtype=float)
            xj[j] += h
            steps.append(h)
            probes.append(xj)
        outs = fun_many(probes)
        return np.stack([(o - f0) / h for o, h in zip(outs, steps, strict=True)], axis=1)

    from scipy.optimize import least_squares

    start_failed = _failed_checks(checks, to_params(x_start), say)
    if start_failed:
        raise InputError(
            f"the start fails the check(s) {start_failed}; a calibration is kept only if it "
            "passes them, so the start must"
        )
    stack = contextlib.ExitStack()
    if workers > 1 or scheduler is not None:
        from somatosim.cohort.execute import DaskExecutor

        client = stack.enter_context(DaskExecutor(workers=workers, scheduler=scheduler)).client
        say(
            f"evaluating on {workers} worker processes"
            if scheduler is None
            else f"evaluating on {scheduler}"
        )
    with stack:
        r0 = fun(x_start)
        cost0 = 0.5 * float(r0 @ r0)
        passed0 = _n_passed(evaluated[0][2])
        met0 = _n_met(constraints, constraint_values[0])
        jac_options: dict[str, Any] = (
            {"jac": jac_by_range} if fd_step is not None else {"jac": "2-point", "diff_step": 0.02}
        )
        rng = np.random.Generator(np.random.PCG64(seed))
        starts = [x_start] + [
            lo + u * (hi - lo) for u in _lhs(rng, max(n_starts - 1, 0), len(free_parameters))
        ]

        def evolve(x0: FloatArray, k: int) -> None:
            """CMA-ES on the sum of squares from ``x0``, in coordinates scaled to the ranges."""
            import cma

            opts = {
                "bounds": [0.0, 1.0],
                "seed": seed + 1 + k,  # cma reads 0 as "seed from the clock"
                "verbose": -9,
                "verb_log": 0,
                "verb_disp": 0,
            }
            es = cma.CMAEvolutionStrategy(list((x0 - lo) / (hi - lo)), es_step, opts)
            # stop before a generation that would pass max_nfev (cma checks only whole generations)
            while not es.stop() and es.countevals + es.popsize <= max_nfev:
                zs = es.ask()
                outs = fun_many([lo + np.clip(np.asarray(z), 0.0, 1.0) * (hi - lo) for z in zs])
                es.tell(zs, [0.5 * float(o @ o) for o in outs])

        # the fit's result: (x, cost, Jacobian of the weighted residuals there; None: to compute)
        best: tuple[FloatArray, float, FloatArray | None] | None = None
        records: list[dict[str, Any]] = []
        for k, x0 in enumerate(starts):
            if budget is not None and n_eval >= budget:
                say(f"the budget of {budget} evaluations is spent; starts {k + 1}+ not run")
                break
            say(f"start {k + 1}/{len(starts)}")
            first = len(evaluated)
            stop = "fit"
            jac_k: FloatArray | None = None
            try:
                if method == "cmaes":
                    evolve(np.clip(x0, lo, hi), k)
                else:
                    res = least_squares(
                        fun,
                        np.clip(x0, lo, hi),
                        bounds=(lo, hi),
                        x_scale=hi - lo,
                        **jac_options,
                        max_nfev=max_nfev,
                        method="trf",
                    )
                    jac_k = np.asarray(res.jac)
            except _BudgetSpent:
                stop = "budget"
                say(f"the budget of {budget} evaluations is spent; the start's best set is kept")
                if method != "cmaes":
                    # the Jacobian of the latest point whose differences were all evaluated
                    jac_k = _latest_jacobian(evaluated, len(evaluated[-1][1]))
            if stop == "fit" and method != "cmaes":
                x_k, cost_k, nfev = np.asarray(res.x, dtype=float), float(res.cost), int(res.nfev)
            else:  # this start's evaluated set of lowest cost (the first start's includes x_start)
                mine = evaluated[first:] + (evaluated[:1] if k == 0 else [])
                e = min(mine, key=lambda e: float(e[1] @ e[1]))
                x_k, cost_k, nfev = e[0], 0.5 * float(e[1] @ e[1]), len(evaluated) - first
            records.append(
                {
                    "start": k,
                    "cost": cost_k,
                    "nfev": nfev,
                    "stopped_by": stop,
                    "x": {n: float(v) for n, v in zip(free_parameters, x_k, strict=True)},
                }
            )
            if best is None or cost_k < best[1]:
                best = (x_k, cost_k, jac_k)
        assert best is not None
        fitting = False
        x_fit = best[0]
        if best[2] is None:  # (cmaes) the informing cases need a Jacobian at the result
            best = (x_fit, best[1], jac_by_range(x_fit, fd_step or 0.02))
    if not any(np.array_equal(e[0], x_fit) for e in evaluated):  # kept for safety
        fun(x_fit)  # (least_squares evaluates its result)
    values_at = {e[0].tobytes(): v for e, v in zip(evaluated, constraint_values, strict=True)}
    by_x = {e[0].tobytes(): e for e in evaluated}  # each evaluated set once
    fitted = by_x.pop(x_fit.tobytes())
    # Candidates in order of preference: the fit's result, then every evaluated set by cost.
    # The guard drops those passing fewer cases than the start; the checks (commands run with
    # the candidate as the model's calibration) drop those that break a behaviour test.
    candidates = [fitted, *sorted(by_x.values(), key=lambda e: float(e[1] @ e[1]))]
    if keep_passes:
        candidates = [
            c
            for c in candidates
            if _n_passed(c[2]) >= passed0 and _n_met(constraints, values_at[c[0].tobytes()]) >= met0
        ]
    checked: list[dict[str, Any]] = []
    chosen = None
    for cand in candidates[:MAX_CHECKED_CANDIDATES]:
        why: list[str] = []
        failed = _failed_checks(checks, to_params(cand[0]), say, why)
        checked.append(
            {
                "cost": 0.5 * float(cand[1] @ cand[1]),
                "passed": _n_passed(cand[2]),
                "failed_checks": failed,
                "check_output": why,
                "failing_cases": [
                    c.id for c, r in zip(fit_cases, cand[2], strict=True) if abs(r) > 1
                ],
                "constraint_values": _constraint_record(constraints, values_at[cand[0].tobytes()]),
                "x": {n: float(v) for n, v in zip(free_parameters, cand[0], strict=True)},
            }
        )
        if not failed:
            chosen = cand
            break
    if chosen is None:  # the start (it passed the checks before the fit)
        chosen = evaluated[0]
    x_best, out_best, r_raw = chosen
    cost_best = 0.5 * float(out_best @ out_best)
    guard_used = not np.array_equal(x_best, x_fit)
    jac_full = np.asarray(best[2])
    if guard_used:
        say("the fit's result was not kept (fewer passing cases or a failed check)")
        jac_full = _probe_jacobian(evaluated, x_best, jac_full)
    # Jacobian of the raw misses (the fit's is of the bounded ones): d bounded / d r.
    b = bounded_miss(r_raw)
    slope = np.where(
        np.abs(r_raw) > 1e-9, np.abs(r_raw) / ((1.0 + r_raw**4) * np.maximum(np.abs(b), 1e-12)), 1.0
    )
    jac = jac_full[: len(fit_cases)] / (SD_PER_TOLERANCE * slope[:, None])
    if case_margin > 0.0:
        # within the dead zone the fit's Jacobian is 0; the raw misses of the points that
        # probed the written set show what each parameter moves there
        jac = _probe_jacobian(evaluated, x_best, jac, which=2)
    informs: dict[str, list[str]] = {}
    for j, name in enumerate(free_parameters):
        move = np.abs(jac[:, j]) * 0.1 * (hi[j] - lo[j])
        informs[name] = [
            c.id for c, m in zip(fit_cases, move, strict=True) if m >= INFORM_THRESHOLD
        ]
    params = to_params(x_best)
    carried = {
        name: list(cases_)
        for name, cases_ in (start_informs or {}).items()
        if name not in free_parameters and params[name] != lit[name]
    }
    result = CalibrationResult(
        params=params,
        free=tuple(free_parameters),
        cost=cost_best,
        cost_initial=cost0,
        passed=_n_passed(r_raw),
        passed_initial=passed0,
        informs=informs,
        carried=carried,
        starts=records,
        seconds=time.perf_counter() - t0,
        evaluations=n_eval,
        guard_used=guard_used,
        constraints_met=_n_met(constraints, values_at[x_best.tobytes()]),
        constraints_met_initial=met0,
    )
    if out is not None:
        write_calibrated(result, out, literature=lit)
        run = {
            **dict(record or {}),
            "start_digest": values_digest(base),
            "free": list(free_parameters),
            "cases": [c.id for c in fit_cases],
            "n_starts": n_starts,
            "seed": seed,
            "max_evals": max_nfev,
            "prior_weight": prior_weight,
            "case_margin": case_margin,
            "fd_step": fd_step,
            "budget": budget,
            "method": method,
            "es_step": es_step if method == "cmaes" else None,
            "workers": workers if scheduler is None else "scheduler",
            "cost_initial": cost0,
            "cost": result.cost,
            "passed_initial": passed0,
            "passed": result.passed,
            "keep_passes": keep_passes,
            "checks": list(checks),
            "constraints": [c.id for c in constraints],
            "constraints_met_initial": met0,
            "constraints_met": result.constraints_met,
            "constraint_values_initial": _constraint_record(constraints, constraint_values[0]),
            "constraint_values": _constraint_record(constraints, values_at[x_best.tobytes()]),
            "candidates_checked": checked,
            "fits": records,
            "guard_used": guard_used,
            "evaluations": n_eval,
            "seconds": round(result.seconds, 1),
            "somatosim_version": __version__,
            "calibrated_digest": values_digest(params),
        }
        _write_json_atomic(Path(out).parent / RUN_RECORD_FILE, run)
    return result


def write_calibrated(
    result: CalibrationResult,
    path: str | os.PathLike[str],
    *,
    literature: ParameterSet | None = None,
) -> Path:
    """Write ``{name: {literature, calibrated, cases, free, lower, upper, unit}}`` (atomic).

    ``free`` marks the parameters fitted in this run and those whose start value came from
    an earlier calibration (:attr:`CalibrationResult.carried`); both ship calibrated.
    """
    lit = literature if literature is not None else literature_parameters()
    data: dict[str, Any] = {}
    for spec in PARAMETERS:
        name = spec.name
        cal = result.params[name]
        if not spec.lower <= cal <= spec.upper or not math.isfinite(cal):
            raise ValueError(f"calibrated {name} = {cal} is outside [{spec.lower}, {spec.upper}]")
        fitted = name in result.free
        data[name] = {
            "literature": lit[name],
            "calibrated": cal,
            "cases": result.informs.get(name, []) if fitted else result.carried.get(name, []),
            "free": fitted or name in result.carried,
            "lower": spec.lower,
            "upper": spec.upper,
            "unit": spec.unit,
        }
    return _write_json_atomic(Path(path), data)


def _write_json_atomic(p: Path, data: Any) -> Path:
    atomic_write_text(p, json.dumps(data, indent=2) + "\n")
    return p
