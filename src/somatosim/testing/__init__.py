"""Public testing helpers: hypothesis strategies and assertions on results.

The strategies need ``hypothesis`` (a test dependency); it is imported only when
:func:`scenarios` is called, so the assertions work without it.

Examples
--------
>>> import somatosim
>>> from somatosim.testing import assert_result_finite
>>> assert_result_finite(somatosim.simulate({"days": 1}, seed=2))
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from somatosim.engine.result import Result
    from somatosim.scenario.schema import Scenario

__all__ = ["assert_result_finite", "assert_results_identical", "scenarios"]


def scenarios(
    days: int | SearchStrategy[int] | None = None,
    seeds: SearchStrategy[int] | None = None,
) -> SearchStrategy[Scenario]:
    """Hypothesis strategy of valid scenarios (see :mod:`somatosim.testing.strategies`).

    Parameters
    ----------
    days : int or strategy of int, optional
        Simulated days (default 1-3).
    seeds : strategy of int, optional
        Random seeds (default 0-2**32).
    """
    from somatosim.testing.strategies import scenarios as _scenarios

    return _scenarios(days, seeds)


def _finite_mapping(values: Mapping[str, Any], where: str) -> None:
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            continue
        if not math.isfinite(float(value)):
            raise AssertionError(f"{where}[{key!r}] = {value} is not finite")


def assert_result_finite(result: Result) -> None:
    """Assert that a result holds no NaN/inf and no negative concentration.

    Checks every time-series variable (all are concentrations, amounts, indices or stages,
    so none may be negative), every numeric daily column and every numeric summary value.

    Parameters
    ----------
    result : Result
        A simulation result.

    Raises
    ------
    AssertionError
        Naming the variable, the time or day, and the value.
    """
    ts = result.timeseries
    for name, var in ts.data_vars.items():
        values = np.asarray(var.values, dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AssertionError(
                f"timeseries {name!r} is not finite at hours={float(ts['hours'][i])}: {values[i]}"
            )
        neg = values < 0.0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise AssertionError(
                f"timeseries {name!r} is negative at hours={float(ts['hours'][i])}: {values[i]}"
            )
    daily = result.daily
    for col in daily.columns:
        values = np.asarray(daily[col], dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            day = int(np.flatnonzero(bad)[0])
            raise AssertionError(f"daily[{col!r}] is not finite on day {day}: {values[day]}")
    _finite_mapping(result.summary, "summary")


def assert_results_identical(a: Result, b: Result) -> None:
    """Assert that two results are bit-for-bit identical (time series, daily, summary, bursts).

    Parameters
    ----------
    a, b : Result
        Results to compare.

    Raises
    ------
    AssertionError
        Saying which part differs.
    """
    import pandas as pd
    import xarray as xr

    if a.scenario != b.scenario:
        raise AssertionError("the results come from different scenarios")
    xr.testing.assert_identical(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pd.testing.assert_frame_equal(a.bursts, b.bursts, check_exact=True)
    if a.warnings != b.warnings:
        raise AssertionError(f"warnings differ: {a.warnings} != {b.warnings}")
    if a.summary.keys() != b.summary.keys():
        raise AssertionError(f"summary keys differ: {sorted(a.summary)} != {sorted(b.summary)}")
    for key, va in a.summary.items():
        vb = b.summary[key]
        same = va == vb or (
            isinstance(va, float) and isinstance(vb, float) and math.isnan(va) and math.isnan(vb)
        )
        if not same:
            raise AssertionError(f"summary[{key!r}] differs: {va!r} != {vb!r}")
