"""The reference backend: the same equations, integrated by scipy at tight tolerances.

This backend exists only to verify the fast engine (DESIGN.md §5). It integrates the same
right-hand side, :func:`somatosim.model.equations.rates` (``dy/dt = prod - loss*y``), with
:func:`scipy.integrate.solve_ivp` (LSODA by default, stiff-capable) and applies the same
discrete events at the same minute boundaries as :mod:`somatosim.engine.fast`:

- meals multiply ghrelin by ``exp(-meal_ghrelin_drop * fraction_of_daily_need)``;
- somatropin doses enter the subcutaneous depot, long-acting GH its own depot;
- GHRH volleys add their amplitude to portal GHRH.

The inputs ``u`` are piecewise constant per minute, built exactly as the fast engine builds
them. Between two consecutive changes of anything that ``rates`` reads (or an event, or a
day boundary) the solver integrates one smooth segment; daily accumulators are integrated
exactly as quadrature states instead of the fast engine's per-minute sums.

The GHRH volleys are a point process whose rate depends on the state, so two integrators
would draw different volleys from the same random numbers. The reference therefore does not
draw volleys: it replays the *realised* drive of a fast run (:class:`VolleyDrive`), and the
comparison isolates the integration error.

Warm-up
-------
:class:`~somatosim.engine.simulate.RawRun` keeps only the volleys of the recorded days, and
the fast engine resets IGF-1 and IGFBP-3 to their daily equilibrium at the end of each
warm-up day (an initial-condition device, not part of the ODE). The simplest honest
comparison therefore runs both backends on :func:`verification_schedule`: the same schedule
with the warm-up days counted as recorded days. Both backends then integrate the same ODE
from the same initial state over the whole horizon (warm-up included) with the same drive,
and every volley is recorded. :func:`run_reference` also reproduces the warm-up
equilibration (with exact daily integrals), so it can replay a production schedule once the
full drive of such a run is available.

Examples
--------
>>> from somatosim.engine.reference import compare_backends
>>> cmp = compare_backends({"days": 1, "subject": {"age_years": 25}}, seed=1)
>>> bool(cmp.max_igf1_mean_rel_diff < 0.005 and cmp.max_gh_area_rel_diff < 0.02)
True
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from somatosim.engine.fast import (
    DAILY_FIELDS,
    DT_H,
    MIN_PER_DAY,
    N_DAILY,
    N_OUT,
    OUTPUT_FIELDS,
    _sleep_phase,
)
from somatosim.engine.simulate import RawRun, run_schedules
from somatosim.errors import SimulationError
from somatosim.model import states
from somatosim.model.equations import (
    A_EXO_IN,
    A_FREE,
    A_KOUT,
    A_SECR_BASAL,
    A_SECR_PULSE,
    N_AUX,
    rates,
)
from somatosim.model.jit import kernel
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.model.states import (
    BP3,
    DS1,
    DS2,
    EX,
    FITA,
    FITR,
    GH,
    GHR,
    IGF,
    LA,
    LC,
    MIGF,
    MPS,
    N_INPUTS,
    N_STATES,
    NG,
    POOL,
    Q_K_BP3,
    RS,
    SP,
    SWS,
    U_ASLEEP,
    U_BP3F,
    U_CLOCK,
    U_EX,
    U_HEP,
    U_MECH,
    U_MICRO,
    U_NREM,
    U_NTARGET,
    U_PROTEIN,
    U_WAER,
    U_WRES,
    R,
    S,
)
from somatosim.scenario.drivers import Schedule, build_schedule
from somatosim.scenario.schema import Scenario

__all__ = [
    "BackendComparison",
    "VolleyDrive",
    "compare_backends",
    "fast_drive",
    "minute_inputs",
    "run_reference",
    "verification_schedule",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

# quadrature states appended to the model states (integrated exactly, reset every segment)
(
    _Q_GH,
    _Q_SECR,
    _Q_SECR_ASLEEP,
    _Q_IGF,
    _Q_FREE,
    _Q_EXO,
    _Q_MPS,
    _Q_MIGF,
    _Q_GATE,
    _Q_BP3,
    _Q_BASAL,
    _Q_LAGH,
    _Q_PULSE,
    _Q_WARM_PROD_IGF,
    _Q_WARM_KOUT,
    _Q_WARM_PROD_BP3,
) = range(16)
_N_QUAD = 16
_N_AUG = N_STATES + _N_QUAD

# daily accumulator column of each quadrature (order of fast.DAILY_FIELDS)
_QUAD_TO_DAILY: tuple[tuple[int, str], ...] = (
    (_Q_GH, "gh_area"),
    (_Q_SECR, "secretion_ug"),
    (_Q_SECR_ASLEEP, "secretion_asleep_ug"),
    (_Q_IGF, "igf1_area"),
    (_Q_FREE, "igf1_free_area"),
    (_Q_EXO, "exo_absorbed_ug"),
    (_Q_MPS, "mps_area"),
    (_Q_MIGF, "muscle_igf1_area"),
    (_Q_GATE, "gate_area"),
    (_Q_BP3, "igfbp3_area"),
    (_Q_BASAL, "basal_secretion_ug"),
    (_Q_LAGH, "lagh_area"),
)
_DAILY_COL = {name: i for i, name in enumerate(DAILY_FIELDS)}


@kernel(fastmath=False, error_model="python")
def _augmented_rhs(z: Any, q: Any, u: Any, asleep: float) -> Any:  # pragma: no cover - jit
    """Model rates plus the integrands of the daily accumulators."""
    y = z[:N_STATES]
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    rates(y, q, u, prod, loss, aux)
    out = np.empty(z.shape[0])
    for i in range(N_STATES):
        out[i] = prod[i] - loss[i] * y[i]
    secr = aux[A_SECR_PULSE] + aux[A_SECR_BASAL]
    n = N_STATES
    out[n + 0] = y[GH]
    out[n + 1] = secr
    out[n + 2] = secr * asleep
    out[n + 3] = y[IGF]
    out[n + 4] = aux[A_FREE]
    out[n + 5] = aux[A_EXO_IN]
    out[n + 6] = y[MPS]
    out[n + 7] = y[MIGF]
    out[n + 8] = y[NG]
    out[n + 9] = y[BP3]
    out[n + 10] = aux[A_SECR_BASAL]
    out[n + 11] = y[LC]
    out[n + 12] = aux[A_SECR_PULSE]
    out[n + 13] = prod[IGF]
    out[n + 14] = aux[A_KOUT]
    out[n + 15] = prod[BP3]
    return out


@dataclass(frozen=True, slots=True)
class VolleyDrive:
    """A realised GHRH drive: volley minutes and amplitudes.

    Attributes
    ----------
    minute : numpy.ndarray of int64
        Minute index of each volley, counted from minute 0 of the schedule (the first warm-up
        day when the schedule has warm-up days).
    amplitude : numpy.ndarray of float64
        Portal GHRH jump of each volley, pg/mL.
    """

    minute: IntArray
    amplitude: FloatArray


@dataclass(frozen=True, slots=True)
class BackendComparison:
    """The fast engine and the reference backend on the same schedule and drive.

    Attributes
    ----------
    fast, reference : RawRun
        Both runs on :func:`verification_schedule` (warm-up days are recorded days).
    first_day : int
        Index (in the runs' daily tables) of the scenario's day 0.
    igf1_mean_rel_diff, gh_area_rel_diff, secretion_rel_diff : numpy.ndarray
        Per scenario day, ``|fast - reference| / |reference|`` of the IGF-1 daily mean, the
        24-h GH area and the daily GH secretion.
    """

    fast: RawRun
    reference: RawRun
    first_day: int
    igf1_mean_rel_diff: FloatArray
    gh_area_rel_diff: FloatArray
    secretion_rel_diff: FloatArray

    @property
    def max_igf1_mean_rel_diff(self) -> float:
        """Largest relative difference of the IGF-1 daily mean over the scenario days."""
        return float(np.max(self.igf1_mean_rel_diff))

    @property
    def max_gh_area_rel_diff(self) -> float:
        """Largest relative difference of the 24-h GH area over the scenario days."""
        return float(np.max(self.gh_area_rel_diff))

    @property
    def max_secretion_rel_diff(self) -> float:
        """Largest relative difference of the daily GH secretion over the scenario days."""
        return float(np.max(self.secretion_rel_diff))


def verification_schedule(schedule: Schedule) -> Schedule:
    """The same schedule with its warm-up days counted as recorded days.

    Minute indices, daily inputs and random numbers are unchanged; the fast engine then
    records every volley and skips the warm-up equilibration of IGF-1 and IGFBP-3, so both
    backends integrate the same ODE from ``schedule.y0`` over the whole horizon.

    Parameters
    ----------
    schedule : Schedule
        A schedule from :func:`somatosim.scenario.drivers.build_schedule`.

    Returns
    -------
    Schedule
        ``days = warmup_days + days``, ``warmup_days = 0``.
    """
    return dataclasses.replace(schedule, days=schedule.days + schedule.warmup_days, warmup_days=0)


def fast_drive(
    schedule: Schedule,
    params: ParameterSet,
    *,
    save_every_min: int = 5,
    record_timeseries: bool = True,
) -> tuple[RawRun, VolleyDrive]:
    """Run the fast engine on ``schedule`` and return its run and realised GHRH drive.

    Parameters
    ----------
    schedule : Schedule
        Must have no warm-up days (see :func:`verification_schedule`): a
        :class:`~somatosim.engine.simulate.RawRun` drops the volleys of warm-up days.
    params : ParameterSet
        Model parameters.
    save_every_min : int
        Resolution of the recorded time series.
    record_timeseries : bool
        Whether to record the time series.

    Returns
    -------
    (RawRun, VolleyDrive)
    """
    if schedule.warmup_days != 0:
        raise ValueError(
            "fast_drive() needs a schedule without warm-up days, because RawRun keeps only the "
            "volleys of recorded days; pass verification_schedule(schedule)"
        )
    run = run_schedules(
        [schedule], params, save_every_min=save_every_min, record_timeseries=record_timeseries
    )[0]
    drive = VolleyDrive(
        minute=np.asarray(run.volley_minute, dtype=np.int64).copy(),
        amplitude=np.asarray(run.volley_amplitude, dtype=np.float64).copy(),
    )
    return run, drive


def _inputs_read_by_rates() -> frozenset[int]:
    """Indices of the inputs that :func:`rates` reads (from its source).

    The engine builds ``u`` every minute, but segments only need to break where an input
    that the right-hand side reads changes. If ``rates`` hands ``u`` to another function,
    every input counts as read.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(rates.py_func)))
    read: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(
            isinstance(a, ast.Name) and a.id == "u" for a in node.args
        ):
            return frozenset(range(N_INPUTS))
        if isinstance(node, ast.Name) and node.id.startswith("U_"):
            value = getattr(states, node.id, None)
            if isinstance(value, int):
                read.add(value)
    return frozenset(read)


def minute_inputs(schedule: Schedule) -> tuple[FloatArray, IntArray]:
    """The input vector of every minute, built exactly as the fast engine builds it.

    Parameters
    ----------
    schedule : Schedule
        The subject's schedule.

    Returns
    -------
    u : numpy.ndarray, shape (total_minutes, N_INPUTS)
        Inputs in the order of :data:`somatosim.model.states.INPUTS` (challenge inputs are
        zero outside the challenge intervals, and sum where intervals overlap).
    since_onset : numpy.ndarray of int64, shape (total_minutes,)
        Minutes since sleep onset (0 when awake), used to score the sleep stage.
    """
    total = schedule.total_minutes
    u = np.zeros((total, N_INPUTS))
    since_onset = np.zeros(total, dtype=np.int64)
    n_sleep, n_ex = len(schedule.sleep_on), len(schedule.ex_on)
    si = 0
    ei = 0
    for k in range(total):
        a_day = k // MIN_PER_DAY
        while si < n_sleep and schedule.sleep_off[si] <= k:
            si += 1
        asleep = si < n_sleep and schedule.sleep_on[si] <= k
        since = int(k - schedule.sleep_on[si]) if asleep else 0
        nrem, _stage = _sleep_phase(asleep, since, 0.0)
        while ei < n_ex and schedule.ex_off[ei] <= k:
            ei += 1
        in_ex = ei < n_ex and schedule.ex_on[ei] <= k
        row = u[k]
        row[U_ASLEEP] = 1.0 if asleep else 0.0
        row[U_CLOCK] = (k % MIN_PER_DAY) / 60.0
        row[U_NREM] = nrem
        row[U_NTARGET] = schedule.daily[a_day, 0]
        row[U_MICRO] = schedule.daily[a_day, 1]
        row[U_HEP] = schedule.daily[a_day, 2]
        row[U_PROTEIN] = schedule.daily[a_day, 3]
        row[U_BP3F] = schedule.daily[a_day, 4]
        if in_ex:
            row[U_EX] = schedule.ex_vals[ei, 0]
            row[U_WRES] = schedule.ex_vals[ei, 1]
            row[U_WAER] = schedule.ex_vals[ei, 2]
            row[U_MECH] = schedule.ex_vals[ei, 3]
        since_onset[k] = since
    # challenge inputs (GHRH, arginine, GHS agonist, IGF-1 infusion, somatostatin analogue):
    # zero unless a challenge interval is active, then the sum of the active values
    for on, off, idx, value in zip(
        schedule.ch_on, schedule.ch_off, schedule.ch_input, schedule.ch_value, strict=True
    ):
        lo, hi = max(int(on), 0), min(int(off), total)
        if hi > lo:
            u[lo:hi, int(idx)] += float(value)
    return u, since_onset


def _event_minutes(schedule: Schedule, drive: VolleyDrive) -> FloatArray:
    """Boolean mask (as float) of minutes with a discrete event."""
    total = schedule.total_minutes
    mask = np.zeros(total, dtype=bool)
    for arr in (schedule.meal_t, schedule.dose_t, drive.minute):
        a = np.asarray(arr, dtype=np.int64)
        a = a[(a >= 0) & (a < total)]
        mask[a] = True
    return mask.astype(np.float64)


def run_reference(
    schedule: Schedule,
    params: ParameterSet | None = None,
    *,
    drive: VolleyDrive | None = None,
    save_every_min: int = 5,
    record_timeseries: bool = True,
    rtol: float = 1e-8,
    atol: float = 1e-9,
    method: str = "LSODA",
) -> RawRun:
    """Integrate one schedule with :func:`scipy.integrate.solve_ivp`.

    Parameters
    ----------
    schedule : Schedule
        The subject's schedule. Warm-up days are simulated (with the fast engine's end-of-day
        equilibration of IGF-1 and IGFBP-3, computed from exact daily integrals) but not
        recorded, as in the fast engine.
    params : ParameterSet, optional
        Model parameters (default: the shipped set); only ``meal_ghrelin_drop`` is read here,
        everything else is already in ``schedule``.
    drive : VolleyDrive, optional
        The GHRH volleys to replay, in minutes from minute 0 of ``schedule``. By default the
        fast engine is run on ``schedule`` to obtain them (``schedule`` must then have no
        warm-up days; see :func:`verification_schedule`).
    save_every_min : int
        Resolution of the recorded time series, minutes.
    record_timeseries : bool
        Whether to record the time series.
    rtol, atol : float
        Solver tolerances (applied to the states and to the daily integrals).
    method : str
        A stiff-capable :func:`~scipy.integrate.solve_ivp` method: ``"LSODA"``, ``"Radau"`` or
        ``"BDF"``.

    Returns
    -------
    RawRun
        Same layout as the fast engine's run: time series at the same minutes, daily
        accumulators, and the recorded volleys with the pulsatile mass attributed to each.

    Raises
    ------
    SimulationError
        When the solver fails or a state becomes non-finite.
    """
    p = params if params is not None else default_parameters()
    if drive is None:
        drive = fast_drive(schedule, p, record_timeseries=False)[1]
    if not 1 <= save_every_min <= MIN_PER_DAY:
        raise ValueError(f"save_every_min = {save_every_min} is out of range (1-{MIN_PER_DAY})")
    meal_drop = p["meal_ghrelin_drop"]
    q = np.ascontiguousarray(schedule.q, dtype=np.float64)
    total = schedule.total_minutes
    warm = schedule.warmup_days
    start_rec = warm * MIN_PER_DAY
    days = schedule.days

    u_all, since_all = minute_inputs(schedule)
    read = sorted(_inputs_read_by_rates())
    changes = np.zeros(total, dtype=bool)
    changes[0] = True
    changes[1:] = np.any(u_all[1:, read] != u_all[:-1, read], axis=1)
    changes[::MIN_PER_DAY] = True
    changes |= _event_minutes(schedule, drive) > 0.0
    starts = np.flatnonzero(changes)
    ends = np.append(starts[1:], total)

    # events by minute
    meals: dict[int, float] = {}
    for t, frac in zip(schedule.meal_t, schedule.meal_frac, strict=True):
        meals[int(t)] = meals.get(int(t), 0.0) + meal_drop * float(frac)
    doses: dict[int, list[tuple[int, float]]] = {}
    for t, ug, kind in zip(schedule.dose_t, schedule.dose_ug, schedule.dose_kind, strict=True):
        doses.setdefault(int(t), []).append((int(kind), float(ug)))
    volleys: dict[int, float] = {}
    for t, amp in zip(drive.minute, drive.amplitude, strict=True):
        volleys[int(t)] = volleys.get(int(t), 0.0) + float(amp)

    n_save = (days * MIN_PER_DAY) // save_every_min if record_timeseries else 0
    ts = np.zeros((n_save, N_OUT))
    daily = np.zeros((days, N_DAILY))
    ev_minutes = sorted(volleys)
    ev_index = {t: i for i, t in enumerate(ev_minutes)}
    ev_mass = np.zeros(len(ev_minutes))
    cur_ev = -1
    warm_sums = np.zeros(3)  # prod IGF, k_out, prod BP3 over the current warm-up day

    y = np.asarray(schedule.y0, dtype=np.float64).copy()
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    z0 = np.zeros(_N_AUG)

    for k0, k1 in zip(starts.tolist(), ends.tolist(), strict=True):
        # ---- discrete events at the start of minute k0 (meals, doses, then the volley) ------
        if k0 in meals:
            y[GHR] *= math.exp(-meals[k0])
        for kind, ug in doses.get(k0, ()):
            if kind == 0:
                y[DS1] += ug
            else:
                y[LA] += ug
        if k0 in volleys:
            y[R] += volleys[k0]
            cur_ev = ev_index[k0]

        u = np.ascontiguousarray(u_all[k0])
        asleep = float(u[U_ASLEEP])
        z0[:N_STATES] = y
        z0[N_STATES:] = 0.0
        t_eval = np.arange(k0, k1 + 1, dtype=np.float64) * DT_H  # minute starts and the end

        def fun(_t: float, z: FloatArray, u: FloatArray = u, asleep: float = asleep) -> FloatArray:
            out: FloatArray = _augmented_rhs(z, q, u, asleep)
            return out

        sol = solve_ivp(
            fun, (k0 * DT_H, k1 * DT_H), z0, method=method, t_eval=t_eval, rtol=rtol, atol=atol
        )
        if not sol.success:
            raise SimulationError(
                f"reference backend failed in minutes {k0}-{k1} ({method}): {sol.message}; "
                "try method='Radau' or looser tolerances"
            )
        z_end = sol.y[:, -1]
        samples = sol.y[:N_STATES, :-1]  # state at each minute start of the segment
        quad = z_end[N_STATES:]

        # ---- per-minute samples: stage, maxima, time series -------------------------------
        for j, k in enumerate(range(k0, k1)):
            if k < start_rec:
                continue
            ys = samples[:, j]
            d = (k - start_rec) // MIN_PER_DAY
            row = daily[d]
            is_asleep = u_all[k, U_ASLEEP] > 0.5
            _nrem, stage = _sleep_phase(is_asleep, int(since_all[k]), float(ys[SWS]))
            if is_asleep:
                row[_DAILY_COL["sleep_minutes"]] += 1.0
                if stage == 3.0:
                    row[_DAILY_COL["sws_minutes"]] += 1.0
            row[_DAILY_COL["gh_max"]] = max(row[_DAILY_COL["gh_max"]], ys[GH])
            rel = k - start_rec
            if record_timeseries and rel % save_every_min == 0:
                ys_c = np.ascontiguousarray(ys)
                rates(ys_c, q, np.ascontiguousarray(u_all[k]), prod, loss, aux)
                ts[rel // save_every_min] = _output_row(ys_c, aux, stage)

        # ---- segment integrals ----------------------------------------------------------
        if cur_ev >= 0:
            ev_mass[cur_ev] += quad[_Q_PULSE]
        day_abs = k0 // MIN_PER_DAY
        if k0 >= start_rec:
            row = daily[day_abs - warm]
            for qi, name in _QUAD_TO_DAILY:
                row[_DAILY_COL[name]] += quad[qi]
        else:
            warm_sums += quad[[_Q_WARM_PROD_IGF, _Q_WARM_KOUT, _Q_WARM_PROD_BP3]]

        y = z_end[:N_STATES].copy()
        if not np.all(np.isfinite(y)):
            raise SimulationError(f"reference backend: a state became non-finite at minute {k1}")

        # ---- end of day: warm-up equilibration as in the fast engine ---------------------
        if k1 % MIN_PER_DAY == 0:
            if day_abs < warm - 1:
                y[IGF] = warm_sums[0] / warm_sums[1]
                y[BP3] = warm_sums[2] / (q[Q_K_BP3] * 24.0)
            warm_sums[:] = 0.0

    keep = np.array([t >= start_rec for t in ev_minutes], dtype=bool)
    minutes = np.asarray(ev_minutes, dtype=np.int64)
    amps = np.asarray([volleys[t] for t in ev_minutes], dtype=np.float64)
    return RawRun(
        schedule=schedule,
        save_every_min=save_every_min,
        timeseries=ts,
        daily=daily,
        volley_minute=minutes[keep] - start_rec,
        volley_amplitude=amps[keep],
        volley_mass=ev_mass[keep],
    )


def _output_row(y: FloatArray, aux: FloatArray, stage: float) -> FloatArray:
    """One time-series row in the order of ``fast.OUTPUT_FIELDS``."""
    values = {
        "gh": y[GH],
        "igf1_total": y[IGF],
        "igf1_free": aux[A_FREE],
        "ghrh": y[R],
        "somatostatin": y[S],
        "sleep_stage": stage,
        "sws": y[SWS],
        "sleep_pressure": y[SP],
        "nutrition_gate": y[NG],
        "ghrelin": y[GHR],
        "gh_secretion_rate": aux[A_SECR_PULSE] + aux[A_SECR_BASAL],
        "pituitary_pool": y[POOL],
        "hepatic_signal": y[RS],
        "igfbp3": y[BP3],
        "muscle_igf1": y[MIGF],
        "mps_index": y[MPS],
        "exercise_stimulus": y[EX],
        "lagh": y[LC],
        "sc_depot": y[DS1] + y[DS2],
        "fitness_resistance": y[FITR],
        "fitness_aerobic": y[FITA],
    }
    return np.array([values[name] for name in OUTPUT_FIELDS], dtype=np.float64)


def _rel_diff(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.abs(a - b) / np.abs(b)
    return np.where((a == b), 0.0, out)


def compare_backends(
    scenario: Scenario | Mapping[str, Any],
    seed: int | None = None,
    *,
    params: ParameterSet | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-9,
    method: str = "LSODA",
    save_every_min: int = 5,
) -> BackendComparison:
    """Run the fast engine and the reference backend on one scenario and compare them.

    Both run on :func:`verification_schedule` of the scenario's schedule with the fast
    engine's realised GHRH drive; differences are reported for the scenario's days (the
    warm-up days are integrated by both but not compared).

    Parameters
    ----------
    scenario : Scenario or dict
        What to simulate.
    seed : int, optional
        Overrides ``scenario.seed``.
    params : ParameterSet, optional
        Model parameters (default: the shipped set).
    rtol, atol, method
        Passed to :func:`run_reference`.
    save_every_min : int
        Time-series resolution of both runs.

    Returns
    -------
    BackendComparison
    """
    sc = scenario if isinstance(scenario, Scenario) else Scenario.model_validate(scenario)
    p = params if params is not None else default_parameters()
    sched = verification_schedule(build_schedule(sc, p, sc.seed if seed is None else seed))
    fast, drive = fast_drive(sched, p, save_every_min=save_every_min)
    ref = run_reference(
        sched, p, drive=drive, save_every_min=save_every_min, rtol=rtol, atol=atol, method=method
    )
    first = sched.days - sc.days
    col = _DAILY_COL
    f, r = fast.daily[first:], ref.daily[first:]
    return BackendComparison(
        fast=fast,
        reference=ref,
        first_day=first,
        igf1_mean_rel_diff=_rel_diff(f[:, col["igf1_area"]], r[:, col["igf1_area"]]),
        gh_area_rel_diff=_rel_diff(f[:, col["gh_area"]], r[:, col["gh_area"]]),
        secretion_rel_diff=_rel_diff(f[:, col["secretion_ug"]], r[:, col["secretion_ug"]]),
    )
