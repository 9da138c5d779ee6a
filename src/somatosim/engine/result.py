"""The result of one simulation (DESIGN.md §3 "Results")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from somatosim.scenario.schema import Scenario

__all__ = ["Result"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """What a simulation returns.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario that was run (with the seed actually used).
    timeseries : xarray.Dataset
        Time-resolved outputs on coordinate ``hours`` (hours since the start, day 0 at 00:00):
        ``gh`` [ng/mL], ``igf1_total`` [ng/mL], ``igf1_free`` [ng/mL], ``ghrh`` [pg/mL],
        ``somatostatin`` [pg/mL], ``sleep_stage`` (0 wake, 1 REM, 2 light NREM, 3 slow-wave),
        ``sws`` (slow-wave intensity 0-1), ``nutrition_gate``, ``muscle_igf1`` and more; each
        variable has ``units`` and ``long_name`` attributes.
    daily : pandas.DataFrame
        One row per day (index ``day``): ``gh_secretion_mg``, ``gh_mean_ng_ml``, ``gh_pulses``,
        ``gh_sleep_fraction``, ``igf1_mean_ng_ml``, ``igf1_sds`` and more.
    summary : dict
        ``igf1_final_ng_ml``, ``igf1_final_sds``, ``gh_secretion_mg_per_day``,
        ``gh_pulses_per_day``, ``gh_sleep_fraction``, ``warnings`` and more.
    bursts : pandas.DataFrame
        The true secretory bursts: ``start_hours`` and ``mass_ug`` (µg), one row per burst.
    warnings : tuple of str
        Safety and plausibility warnings.
    """

    scenario: Scenario
    timeseries: xr.Dataset
    daily: pd.DataFrame
    summary: dict[str, Any]
    bursts: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())

    def replace(self, **changes: Any) -> Result:
        """Return a copy with fields replaced (results are never edited in place)."""
        return replace(self, **changes)
