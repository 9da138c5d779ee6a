"""The single driver: scenarios in, results out.

:func:`run_batch` packs the schedules of many subjects into padded arrays, runs the compiled
integrator once for the whole batch and unpacks per-subject outputs. :func:`simulate_raw`
is the one-subject convenience used by :func:`somatosim.simulate`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from somatosim.engine.fast import (
    DAILY_FIELDS,
    N_DAILY,
    N_OUT,
    OUTPUT_FIELDS,
    STATUS_NONFINITE,
    STATUS_OK,
    STATUS_VOLLEY_OVERFLOW,
    integrate_batch,
)
from somatosim.errors import SimulationError
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.model.states import N_STATES
from somatosim.scenario.drivers import MIN_PER_DAY, Schedule, build_schedule
from somatosim.scenario.schema import Scenario

__all__ = ["RawRun", "daily_table", "run_batch", "run_schedules"]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, slots=True)
class RawRun:
    """Unpacked engine output for one subject."""

    schedule: Schedule
    save_every_min: int
    timeseries: FloatArray  # (n_save, N_OUT)
    daily: FloatArray  # (days, N_DAILY)
    volley_minute: np.ndarray[Any, np.dtype[np.int64]]  # all GHRH volleys (minute index)
    volley_amplitude: FloatArray  # pg/mL
    volley_mass: FloatArray  # µg of pulsatile secretion attributed to each volley

    @property
    def hours(self) -> FloatArray:
        """Time axis of ``timeseries`` in hours since day 0, 00:00."""
        return np.arange(self.timeseries.shape[0]) * (self.save_every_min / 60.0)


def _pad_int(rows: Sequence[np.ndarray[Any, Any]], fill: int) -> np.ndarray[Any, Any]:
    width = max(1, max((len(r) for r in rows), default=1))
    out = np.full((len(rows), width), fill, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _pad_float(rows: Sequence[np.ndarray[Any, Any]], extra: tuple[int, ...] = ()) -> FloatArray:
    width = max(1, max((len(r) for r in rows), default=1))
    out = np.zeros((len(rows), width, *extra), dtype=np.float64)
    for i, r in enumerate(rows):
        if len(r):
            out[i, : len(r)] = r
    return out


def run_schedules(
    schedules: Sequence[Schedule],
    p: ParameterSet,
    *,
    save_every_min: int = 5,
    record_timeseries: bool = True,
) -> list[RawRun]:
    """Integrate prepared schedules (all with the same horizon) in one compiled batch."""
    if not schedules:
        return []
    days = schedules[0].days
    warm = schedules[0].warmup_days
    if any(s.days != days or s.warmup_days != warm for s in schedules):
        raise ValueError("all schedules in a batch must have the same horizon")
    n = len(schedules)
    n_save = (days * MIN_PER_DAY) // save_every_min if record_timeseries else 1
    never = 2**62
    y0 = np.stack([s.y0 for s in schedules])
    q = np.stack([s.q for s in schedules])
    daily_in = np.stack([s.daily for s in schedules])
    sleep_on = _pad_int([s.sleep_on for s in schedules], never)
    sleep_off = _pad_int([s.sleep_off for s in schedules], never)
    meal_t = _pad_int([s.meal_t for s in schedules], never)
    meal_frac = _pad_float([s.meal_frac for s in schedules])
    ex_on = _pad_int([s.ex_on for s in schedules], never)
    ex_off = _pad_int([s.ex_off for s in schedules], never)
    ex_vals = _pad_float([s.ex_vals for s in schedules], (4,))
    dose_t = _pad_int([s.dose_t for s in schedules], never)
    dose_ug = _pad_float([s.dose_ug for s in schedules])
    dose_kind = _pad_int([s.dose_kind for s in schedules], 0)
    ch_on = _pad_int([s.ch_on for s in schedules], never)
    ch_off = _pad_int([s.ch_off for s in schedules], never)
    ch_input = _pad_int([s.ch_input for s in schedules], 0)
    ch_value = _pad_float([s.ch_value for s in schedules])
    gam = np.stack([s.gamma for s in schedules])
    nrm = np.stack([s.normal for s in schedules])
    counts = [
        np.array([len(getattr(s, f)) for s in schedules], dtype=np.int64)
        for f in ("sleep_on", "meal_t", "ex_on", "dose_t", "ch_on")
    ]

    ts = np.zeros((n, n_save if record_timeseries else 0, N_OUT), dtype=np.float64)
    daily_out = np.zeros((n, days, N_DAILY), dtype=np.float64)
    ev_t = np.zeros(gam.shape, dtype=np.int64)
    ev_amp = np.zeros(gam.shape, dtype=np.float64)
    ev_mass = np.zeros(gam.shape, dtype=np.float64)
    n_ev = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    integrate_batch(
        y0,
        q,
        daily_in,
        sleep_on,
        sleep_off,
        counts[0],
        meal_t,
        meal_frac,
        counts[1],
        ex_on,
        ex_off,
        ex_vals,
        counts[2],
        dose_t,
        dose_ug,
        dose_kind,
        counts[3],
        ch_on,
        ch_off,
        ch_input,
        ch_value,
        counts[4],
        gam,
        nrm,
        p["meal_ghrelin_drop"],
        warm,
        days,
        save_every_min if record_timeseries else 10**12,
        ts,
        daily_out,
        ev_t,
        ev_amp,
        ev_mass,
        n_ev,
        status,
    )
    bad = np.nonzero(status != STATUS_OK)[0]
    if len(bad):
        i = int(bad[0])
        why = {
            STATUS_NONFINITE: "a state became non-finite or negative",
            STATUS_VOLLEY_OVERFLOW: "the GHRH volley process exceeded its buffer",
        }.get(int(status[i]), "unknown failure")
        raise SimulationError(
            f"simulation of subject {i} failed: {why}; check the scenario for extreme values "
            "or report it with the scenario and seed"
        )
    start = warm * MIN_PER_DAY
    out = []
    for i, sch in enumerate(schedules):
        m = int(n_ev[i])
        sel = ev_t[i, :m] >= start
        out.append(
            RawRun(
                schedule=sch,
                save_every_min=save_every_min,
                timeseries=ts[i],
                daily=daily_out[i],
                volley_minute=ev_t[i, :m][sel] - start,
                volley_amplitude=ev_amp[i, :m][sel],
                volley_mass=ev_mass[i, :m][sel],
            )
        )
    return out


def run_batch(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    *,
    params: ParameterSet | None = None,
    save_every_min: int = 5,
    record_timeseries: bool = True,
    progress: Callable[[float], None] | None = None,
) -> list[RawRun]:
    """Simulate several scenarios (same number of days) with their seeds."""
    p = params if params is not None else default_parameters()
    schedules = [build_schedule(sc, p, int(sd)) for sc, sd in zip(scenarios, seeds, strict=True)]
    if progress is not None:
        progress(0.0)
    runs = run_schedules(
        schedules, p, save_every_min=save_every_min, record_timeseries=record_timeseries
    )
    if progress is not None:
        progress(1.0)
    return runs


def daily_table(run: RawRun) -> pd.DataFrame:
    """Per-day summaries (DESIGN.md §3) from one run."""
    d = run.daily
    days = d.shape[0]
    pulses = np.zeros(days, dtype=np.int64)
    counted = run.volley_mass >= run.schedule.burst_min_mass
    day_of = run.volley_minute // MIN_PER_DAY
    for k in range(days):
        pulses[k] = int(np.sum(counted & (day_of == k)))
    col = {f: d[:, i] for i, f in enumerate(DAILY_FIELDS)}
    secretion = col["secretion_ug"]
    # share of the day's secretion released asleep; 0 when nothing was secreted (no pituitary)
    safe = np.where(secretion > 0, secretion, 1.0)
    sleep_frac = np.where(secretion > 0, col["secretion_asleep_ug"] / safe, 0.0)
    table = pd.DataFrame(
        {
            "gh_secretion_mg": secretion / 1000.0,
            "gh_basal_secretion_mg": col["basal_secretion_ug"] / 1000.0,
            "gh_mean_ng_ml": col["gh_area"] / 24.0,
            "gh_max_ng_ml": col["gh_max"],
            "gh_pulses": pulses,
            "gh_sleep_fraction": sleep_frac,
            "igf1_mean_ng_ml": col["igf1_area"] / 24.0,
            "igf1_free_mean_ng_ml": col["igf1_free_area"] / 24.0,
            "igfbp3_mean_mg_l": col["igfbp3_area"] / 24.0,
            "nutrition_gate_mean": col["gate_area"] / 24.0,
            "muscle_igf1_mean": col["muscle_igf1_area"] / 24.0,
            "mps_index_mean": col["mps_area"] / 24.0,
            "sleep_hours": col["sleep_minutes"] / 60.0,
            "sws_minutes": col["sws_minutes"],
            "exogenous_gh_absorbed_mg": col["exo_absorbed_ug"] / 1000.0,
            "lagh_mean_ng_ml": col["lagh_area"] / 24.0,
        }
    )
    table.index = pd.RangeIndex(days, name="day")
    return table


assert N_STATES > 0 and len(OUTPUT_FIELDS) == N_OUT
