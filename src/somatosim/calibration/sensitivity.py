"""Global sensitivity of steady IGF-1 and daily GH secretion (issue 3, point 5).

Factors are the lifestyle inputs (protein, energy, essential amino-acid share, sleep,
resistance training, magnesium, zinc, vitamin D) and the main model parameters. For each
point of a SALib design (Sobol, Saltelli sampling; or Morris elementary effects) the inputs
are applied to a fixed set of virtual adults from
:func:`~somatosim.calibration.population.sample_reference_population` (each keeping its own
age, sex, body size and inter-individual parameter multipliers); the outputs are the mean
over those subjects of IGF-1 on the last day and of daily GH secretion over the last week.
Energy ranges over 70-110 % of need, so every point describes a fed adult.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from somatosim.calibration.population import VirtualSubject, sample_reference_population
from somatosim.engine.simulate import daily_table, run_schedules
from somatosim.model.parameters import PARAMETER_INDEX, PARAMETERS, ParameterSet, default_parameters
from somatosim.scenario.drivers import build_schedule

__all__ = [
    "LIFESTYLE_FACTORS",
    "PARAMETER_FACTORS",
    "SensitivityResult",
    "run_sensitivity",
    "write_sensitivity",
]

LIFESTYLE_FACTORS: dict[str, tuple[float, float]] = {
    "protein_g_per_kg": (0.6, 2.0),
    "energy_percent_of_need": (70.0, 110.0),
    "eaa_fraction": (0.30, 0.60),
    "sleep_hours": (5.0, 9.0),
    "resistance_sessions_per_week": (0.0, 4.0),
    "magnesium_mmol_l": (0.60, 0.95),
    "zinc_ug_dl": (50.0, 110.0),
    "vitamin_d_ng_ml": (8.0, 50.0),
}
"""Lifestyle inputs and their ranges (healthy, fed adults)."""

PARAMETER_FACTORS: tuple[str, ...] = (
    "pool_capacity",
    "igf_emax",
    "gh_ec50",
    "k_igf_ternary",
    "gh_halflife_min",
    "sws_sst_withdrawal",
    "protein_half",
    "energy_half",
)
"""Model parameters varied over ±30 % of their value (within the table's range)."""

OUTPUTS = ("igf1_ng_ml", "gh_secretion_mg")
_DAYS = 14
_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SESSION_DAYS = {
    1: ["wed"],
    2: ["mon", "thu"],
    3: ["mon", "wed", "fri"],
    4: ["mon", "tue", "thu", "fri"],
}


@dataclass(frozen=True, slots=True)
class SensitivityResult:
    """Indices per output and factor, ranked."""

    method: str
    table: pd.DataFrame
    n_points: int
    n_subjects: int
    verdict: str
    raw: dict[str, Any] = field(default_factory=dict)


def _problem() -> dict[str, Any]:
    names = list(LIFESTYLE_FACTORS)
    bounds = [list(b) for b in LIFESTYLE_FACTORS.values()]
    base = default_parameters()
    for name in PARAMETER_FACTORS:
        spec = PARAMETERS[PARAMETER_INDEX[name]]
        v = base[name]
        bounds.append([max(spec.lower, 0.7 * v), min(spec.upper, 1.3 * v)])
        names.append(name)
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _apply(
    subject: VirtualSubject, x: dict[str, float], base: ParameterSet
) -> tuple[Any, ParameterSet]:
    sessions = round(x["resistance_sessions_per_week"])
    exercise = (
        [
            {
                "type": "resistance",
                "days": _SESSION_DAYS[sessions],
                "time": "18:00",
                "minutes": 45,
                "intensity": "moderate",
            }
        ]
        if sessions
        else []
    )
    sc = subject.scenario.replace(
        days=_DAYS,
        diet={
            "protein_g_per_kg": x["protein_g_per_kg"],
            "energy_percent_of_need": x["energy_percent_of_need"],
            "energy_kcal_per_day": None,
            "eaa_fraction": x["eaa_fraction"],
        },
        sleep={"hours": x["sleep_hours"]},
        micronutrients={
            "magnesium_mmol_l": x["magnesium_mmol_l"],
            "zinc_ug_dl": x["zinc_ug_dl"],
            "vitamin_d_ng_ml": x["vitamin_d_ng_ml"],
        },
        exercise=exercise,
    )
    p = base.replace(**{n: x[n] for n in PARAMETER_FACTORS})
    return sc, subject.parameters(p)


def _evaluate(
    X: np.ndarray[Any, Any],
    names: list[str],
    subjects: list[VirtualSubject],
    progress: Callable[[float], None] | None,
    chunk: int = 512,
) -> np.ndarray[Any, Any]:
    base = default_parameters()
    jobs = []
    for i, row in enumerate(X):
        x = dict(zip(names, (float(v) for v in row), strict=True))
        for s in subjects:
            sc, p = _apply(s, x, base)
            jobs.append((i, sc, p, s.seed))
    out = np.zeros((len(X), len(OUTPUTS)))
    for start in range(0, len(jobs), chunk):
        part = jobs[start : start + chunk]
        schedules = [build_schedule(sc, p, seed) for _, sc, p, seed in part]
        runs = run_schedules(schedules, base, record_timeseries=False)
        for (i, _, _, _), r in zip(part, runs, strict=True):
            d = daily_table(r)
            out[i, 0] += float(d["igf1_mean_ng_ml"].iloc[-1]) / len(subjects)
            out[i, 1] += float(d["gh_secretion_mg"].iloc[-7:].mean()) / len(subjects)
        if progress is not None:
            progress(min(1.0, (start + len(part)) / len(jobs)))
    return out


def run_sensitivity(
    *,
    method: str = "sobol",
    n: int = 64,
    subjects: int = 4,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> SensitivityResult:
    """Run the global sensitivity analysis.

    Parameters
    ----------
    method : {"sobol", "morris"}
        Sobol (Saltelli sampling, first- and total-order indices) or Morris (mu*, sigma).
    n : int
        Sobol base sample size N (a power of 2; N·(k+2) points) or Morris trajectories.
    subjects : int
        Virtual adults per design point (fed, 25-75 y, both sexes).
    seed : int
        Seed of the design and of the virtual subjects.

    Returns
    -------
    SensitivityResult
        ``table`` has one row per factor with the indices for each output, ranked by the
        total-order index (or mu*) for IGF-1; ``verdict`` says whether protein outranks
        energy for IGF-1.
    """
    prob = _problem()
    names: list[str] = prob["names"]
    people = sample_reference_population(
        subjects, seed=seed + 11, age_range=(25.0, 75.0), days=_DAYS
    )
    raw: dict[str, Any] = {}
    if method == "sobol":
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample

        X = sobol_sample.sample(prob, n, calc_second_order=False, seed=seed)
        Y = _evaluate(X, names, people, progress)
        cols: dict[str, Any] = {"factor": names}
        for k, out in enumerate(OUTPUTS):
            si = sobol_analyze.analyze(prob, Y[:, k], calc_second_order=False, seed=seed)
            cols[f"S1_{out}"] = si["S1"]
            cols[f"ST_{out}"] = si["ST"]
            cols[f"ST_conf_{out}"] = si["ST_conf"]
            raw[out] = {key: np.asarray(v).tolist() for key, v in si.items()}
        rank_col = "ST_igf1_ng_ml"
    elif method == "morris":
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        X = morris_sample.sample(prob, n, num_levels=4, seed=seed)
        Y = _evaluate(X, names, people, progress)
        cols = {"factor": names}
        for k, out in enumerate(OUTPUTS):
            si = morris_analyze.analyze(prob, X, Y[:, k], num_levels=4, seed=seed)
            cols[f"mu_star_{out}"] = si["mu_star"]
            cols[f"sigma_{out}"] = si["sigma"]
            raw[out] = {key: np.asarray(v).tolist() for key, v in si.items() if key != "names"}
        rank_col = "mu_star_igf1_ng_ml"
    else:
        raise ValueError(f"method {method!r} is not known; use 'sobol' or 'morris'")
    table = pd.DataFrame(cols)
    table["kind"] = ["lifestyle" if f in LIFESTYLE_FACTORS else "parameter" for f in names]
    table = table.sort_values(rank_col, ascending=False).reset_index(drop=True)
    table.insert(0, "rank_igf1", np.arange(1, len(table) + 1))
    idx = {f: float(v) for f, v in zip(table["factor"], table[rank_col], strict=True)}
    protein, energy = idx["protein_g_per_kg"], idx["energy_percent_of_need"]
    word = "outranks" if protein > energy else "does not outrank"
    verdict = (
        f"In fed adults (energy 70-110 % of need), protein {word} total energy as a "
        f"determinant of IGF-1 ({rank_col}: protein {protein:.3f}, energy {energy:.3f})."
    )
    return SensitivityResult(method, table, len(X), len(people), verdict, raw)


def write_sensitivity(
    result: SensitivityResult, out_dir: str | os.PathLike[str]
) -> dict[str, Path]:
    """Write ``sensitivity.csv``, ``sensitivity.png`` and ``sensitivity.html``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "sensitivity.csv"
    result.table.to_csv(csv, index=False)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = "ST" if result.method == "sobol" else "mu_star"
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    for ax, outname in zip(axes, OUTPUTS, strict=True):
        t = result.table.sort_values(f"{key}_{outname}")
        colors = ["C0" if k == "lifestyle" else "C1" for k in t["kind"]]
        ax.barh(t["factor"], t[f"{key}_{outname}"], color=colors)
        ax.set_title(f"{key} for {outname} (blue lifestyle, orange parameter)")
    fig.tight_layout()
    png = out / "sensitivity.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    page = out / "sensitivity.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>somatosim sensitivity"
        "</title></head><body style='font-family:system-ui'>"
        f"<h1>Global sensitivity ({html.escape(result.method)})</h1>"
        f"<p><b>{html.escape(result.verdict)}</b></p>"
        f"<p>{result.n_points} design points × {result.n_subjects} virtual adults, "
        f"{_DAYS} days each.</p><img src='sensitivity.png' style='width:100%'>"
        + result.table.to_html(index=False, float_format=lambda v: f"{v:.3f}")
        + "</body></html>\n",
        encoding="utf-8",
    )
    return {"csv": csv, "png": png, "html": page}
