"""Assemble a :class:`~somatosim.engine.result.Result` from a raw engine run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from somatosim._version import __version__
from somatosim.engine.fast import OUTPUT_FIELDS
from somatosim.engine.result import Result
from somatosim.engine.simulate import RawRun, daily_table
from somatosim.scenario.schema import Scenario

__all__ = ["build_result", "summarize"]

_UNITS: dict[str, tuple[str, str]] = {
    "gh": ("ng/mL", "plasma growth hormone"),
    "igf1_total": ("ng/mL", "total serum IGF-1"),
    "igf1_free": ("ng/mL", "free serum IGF-1"),
    "ghrh": ("pg/mL", "portal GHRH"),
    "somatostatin": ("pg/mL", "somatostatin tone"),
    "sleep_stage": ("1", "sleep stage: 0 wake, 1 REM, 2 light NREM, 3 slow-wave"),
    "sws": ("1", "slow-wave sleep intensity"),
    "sleep_pressure": ("1", "homeostatic sleep pressure"),
    "nutrition_gate": ("1", "hepatic nutritional gate (1 = habitual mixed diet)"),
    "ghrelin": ("1", "ghrelin relative to the fed level"),
    "gh_secretion_rate": ("µg/h", "pituitary GH secretion rate"),
    "pituitary_pool": ("1", "releasable pituitary GH pool (fraction of capacity)"),
    "hepatic_signal": ("1", "hepatic GH-receptor signal"),
    "igfbp3": ("mg/L", "IGFBP-3/ALS ternary-complex capacity"),
    "muscle_igf1": ("1", "local muscle IGF-1 relative to rest"),
    "mps_index": ("1", "muscle protein synthesis index relative to rest"),
    "exercise_stimulus": ("1", "acute exercise stimulus"),
    "lagh": ("ng/mL", "plasma long-acting GH (somapacitan)"),
    "sc_depot": ("µg", "somatropin remaining in the subcutaneous depot"),
    "fitness_resistance": ("AU", "resistance training fitness"),
    "fitness_aerobic": ("AU", "aerobic training fitness"),
}


def _timeseries(run: RawRun, scenario: Scenario) -> xr.Dataset:
    hours = run.hours
    data_vars: dict[str, Any] = {}
    for i, name in enumerate(OUTPUT_FIELDS):
        unit, long_name = _UNITS[name]
        values = run.timeseries[:, i]
        if name == "sleep_stage":
            values = values.astype(np.int8)
        data_vars[name] = ("hours", values, {"units": unit, "long_name": long_name})
    ds = xr.Dataset(
        data_vars,
        coords={"hours": ("hours", hours, {"units": "h", "long_name": "hours since day 0, 00:00"})},
        attrs={
            "scenario": scenario.name,
            "seed": scenario.seed,
            "somatosim_version": __version__,
            "save_every_min": run.save_every_min,
        },
    )
    return ds


def summarize(daily: pd.DataFrame, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    """Summary dictionary (DESIGN.md §3) from a daily table."""
    last = daily.iloc[-1]
    week = daily.iloc[-7:]
    summary: dict[str, Any] = {
        "days": len(daily),
        "igf1_final_ng_ml": float(last["igf1_mean_ng_ml"]),
        "igf1_final_sds": float(last["igf1_sds"]) if "igf1_sds" in daily else float("nan"),
        "igf1_free_final_ng_ml": float(last["igf1_free_mean_ng_ml"]),
        "gh_secretion_mg_per_day": float(week["gh_secretion_mg"].mean()),
        "gh_mean_ng_ml": float(week["gh_mean_ng_ml"].mean()),
        "gh_pulses_per_day": float(week["gh_pulses"].mean()),
        "gh_sleep_fraction": float(week["gh_sleep_fraction"].mean()),
        "igf1_change_percent": float(
            100.0 * (last["igf1_mean_ng_ml"] / daily.iloc[0]["igf1_mean_ng_ml"] - 1.0)
        ),
        "warnings": list(warnings),
    }
    return summary


def build_result(run: RawRun, scenario: Scenario) -> Result:
    """Turn one raw run into a Result (no clinical interpretation yet)."""
    daily = daily_table(run)
    start_h = run.volley_minute / 60.0
    bursts = pd.DataFrame(
        {
            "start_hours": start_h,
            "mass_ug": run.volley_mass,
            "ghrh_pg_ml": run.volley_amplitude,
            "counted": run.volley_mass >= run.schedule.burst_min_mass,
        }
    )
    return Result(
        scenario=scenario,
        timeseries=_timeseries(run, scenario),
        daily=daily,
        summary=summarize(daily),
        bursts=bursts,
        warnings=(),
    )
