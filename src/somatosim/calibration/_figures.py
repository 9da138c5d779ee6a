"""Overlay figures of the validation report (matplotlib, imported only here).

Each function simulates what it shows, draws the published values on top and saves a PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from somatosim.calibration import _measure as M
from somatosim.calibration._runner import run_arms
from somatosim.calibration.population import CHECK_SUBJECTS
from somatosim.model.parameters import ParameterSet

__all__ = ["draw_all"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def igf1_by_age(out: Path, params: ParameterSet | None, n: int) -> tuple[Path, pd.DataFrame]:
    """Virtual population IGF-1 by age against the LIFE percentiles."""
    from somatosim.calibration.population import (
        CHECK_SEED,
        REFERENCE_AGES,
        load_life_reference,
        percentile_table,
        sample_reference_population,
        simulate_population,
    )

    plt = _plt()
    pop = simulate_population(
        sample_reference_population(n, seed=CHECK_SEED, ages=REFERENCE_AGES, days=28), params
    )
    table = percentile_table(pop)
    ref = load_life_reference()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, sex in zip(axes, ("male", "female"), strict=True):
        r = ref[ref["sex"] == sex]
        sel = pop[pop["sex"] == sex]
        ax.scatter(
            sel["age_years"],
            sel["igf1_ng_ml"],
            s=3,
            alpha=0.08,
            color="0.4",
            label="virtual subjects",
        )
        for col, style in (("p2_5", "--"), ("p50", "-"), ("p97_5", "--")):
            ax.plot(
                r["age_years"],
                r[col],
                style,
                color="C0",
                label="LIFE P2.5/P50/P97.5" if col == "p50" else None,
            )
        t = table[table["sex"] == sex]
        for col, mk in (("sim_p2_5", "v"), ("sim_p50", "o"), ("sim_p97_5", "^")):
            ax.plot(
                t["age_years"],
                t[col],
                mk,
                color="C3",
                label="simulated percentiles" if col == "sim_p50" else None,
            )
        ax.set_title(f"IGF-1 by age, {sex}s (LIFE reference, Hoerenz 2022)")
        ax.set_xlabel("age (years)")
    axes[0].set_ylabel("total IGF-1 (ng/mL)")
    axes[0].legend(fontsize=8)
    path = out / "igf1_by_age.png"
    _save(fig, path)
    return path, table


def fasting_refeeding(out: Path, params: ParameterSet | None) -> Path:
    """Clemmons 1981 (10-day fast) and 1985 (5-day fast, EAA vs NEAA refeeding)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    fast = {"energy_kcal_per_day": 0, "protein_g_per_kg": 0}
    sc81 = {
        "days": 16,
        "subject": {"age_years": 40, "weight_kg": 115, "height_cm": 178},
        "phases": [{"start_day": 1, "end_day": 11, "diet": fast}],
    }
    rs = run_arms([sc81], 8, params)[0]
    igf = np.mean([r.daily["igf1_mean_ng_ml"].to_numpy() for r in rs], axis=0)
    ax = axes[0]
    ax.plot(np.arange(len(igf)), 100 * igf / igf[0], "-o", ms=3, label="model")
    ax.plot([0, 10], [100, 25], "s", color="k", label="Clemmons 1981 (Sm-C, −75 %)")
    ax.axvspan(0.5, 10.5, color="0.9")
    ax.set_xlabel("day")
    ax.set_ylabel("IGF-1 (% of day 0)")
    ax.set_title("10-day fast in obese men, then refeeding")
    ax.legend(fontsize=8)

    def arm(eaa: float) -> dict[str, Any]:
        return {
            "days": 15,
            "subject": {"age_years": 30, "weight_kg": 75},
            "phases": [
                {"start_day": 1, "end_day": 6, "diet": fast},
                {
                    "start_day": 6,
                    "end_day": 15,
                    "diet": {
                        "energy_kcal_per_day": 35 * 75,
                        "protein_g_per_kg": 0.48,
                        "eaa_fraction": eaa,
                    },
                },
            ],
        }

    ax = axes[1]
    for (label, eaa, pts), color in zip(
        (
            ("EAA refeed", 0.8, [(0, 1.64), (5, 0.67), (14, 1.41)]),
            ("NEAA refeed", 0.2, [(5, 0.74), (14, 1.15)]),
        ),
        ("C0", "C1"),
        strict=True,
    ):
        rs = run_arms([arm(eaa)], 8, params)[0]
        igf = np.mean([r.daily["igf1_mean_ng_ml"].to_numpy() for r in rs], axis=0)
        ax.plot(np.arange(len(igf)), 100 * igf / igf[0], "-", color=color, label=f"model {label}")
        ax.plot(
            [d for d, _ in pts],
            [100 * v / 1.64 for _, v in pts],
            "s",
            color=color,
            label=f"Clemmons 1985 {label}",
        )
    ax.axvspan(0.5, 5.5, color="0.9")
    ax.set_xlabel("day")
    ax.set_title("5-day fast, refeeding 0.48 g/kg protein (80 % EAA or NEAA)")
    ax.legend(fontsize=8)
    path = out / "fasting_refeeding.png"
    _save(fig, path)
    return path


def exercise_dose_response(out: Path, params: ParameterSet | None) -> Path:
    """Peak GH rise after 10-min bouts against intensity, with Felsing 1992."""
    plt = _plt()
    xs = [0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.33, 1.5, 1.75, 2.0]
    arms = [
        {
            "days": 1,
            "subject": {"age_years": 25},
            "exercise": [
                {"type": "aerobic", "days": [0], "time": "10:00", "minutes": 10, "lt_multiple": x}
            ],
        }
        for x in xs
    ]
    res = run_arms(arms, 16, params)
    rise = []
    for rs in res:
        vals = []
        for r in rs:
            _, y = M.sample(r, "gh", 5, 10.0, 11.0)
            vals.append(float(y.max() - y[0]))
        rise.append((np.mean(vals), np.std(vals) / np.sqrt(len(vals))))
    fig, ax = plt.subplots(figsize=(6, 4))
    m = np.array(rise)
    ax.errorbar(xs, m[:, 0], yerr=1.96 * m[:, 1], fmt="-o", ms=4, label="model (±95 % MC)")
    ax.errorbar(
        [0.8, 1.33],
        [1.5, 7.7],
        yerr=[M.ci_from_sem(2.0, 10), M.ci_from_sem(2.4, 10)],
        fmt="s",
        color="k",
        capsize=4,
        label="Felsing 1992 (95 % CI)",
    )
    ax.axvline(1.0, color="0.6", ls=":")
    ax.set_xlabel("work rate (× lactate threshold), 10 min")
    ax.set_ylabel("peak GH rise (ng/mL)")
    ax.set_title("Acute exercise: GH response vs intensity")
    ax.legend(fontsize=8)
    path = out / "exercise_dose_response.png"
    _save(fig, path)
    return path


def rhgh_pk(out: Path, params: ParameterSet | None) -> Path:
    """SC somatropin PK (label box) and the IGF-1 response to daily doses."""
    from somatosim.clinical import default_reference

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    sc = {
        "days": 2,
        "subject": {"age_years": 40, "weight_kg": 70, "gh_reserve": 0.0},
        "therapy": [{"drug": "somatropin", "dose_mg": 2.45, "time": "08:00", "end_day": 1}],
    }
    r = run_arms([sc], 1, params)[0][0]
    t, y = M.sample(r, "gh", 5, 8.0, 32.0)
    ax = axes[0]
    ax.plot(t - 8.0, y, label="model, GHD 70 kg, 0.035 mg/kg SC")
    ax.add_patch(
        _plt().Rectangle(
            (3, 13), 3, 22, fill=False, ec="k", ls="--", label="label: Cmax 13-35 ng/mL at 3-6 h"
        )
    )
    ax.set_xlabel("hours after the dose")
    ax.set_ylabel("GH (ng/mL)")
    ax.set_title("Somatropin SC pharmacokinetics")
    ax.legend(fontsize=8)
    ax = axes[1]
    doses = [0.1, 0.2, 0.3, 0.4, 0.6]
    arms = [
        {
            "days": 42,
            "subject": {"age_years": 45, "gh_reserve": 0.0},
            "therapy": [{"drug": "somatropin", "dose_mg": d}],
        }
        for d in doses
    ]
    for d, rs in zip(doses, run_arms(arms, 1, params), strict=True):
        ax.plot(rs[0].daily["igf1_mean_ng_ml"].to_numpy(), label=f"{d} mg/d")
    ref = default_reference()
    lo, hi = ref.centile(2.5, 45, "male"), ref.centile(97.5, 45, "male")
    ax.axhspan(float(lo), float(hi), color="0.9", label="LIFE P2.5-P97.5, 45 y men")
    ax.set_xlabel("day of daily somatropin")
    ax.set_ylabel("IGF-1 (ng/mL)")
    ax.set_title("IGF-1 response, GH-deficient man 45 y")
    ax.legend(fontsize=8)
    path = out / "rhgh_pk_igf1.png"
    _save(fig, path)
    return path


def gh_profiles(out: Path, params: ParameterSet | None) -> Path:
    """24-h GH profiles (20-min samples) of young and older men."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    for age, color in ((25, "C0"), (70, "C3")):
        rs = run_arms([{"days": 2, "subject": {"age_years": age}}], 12, params)[0]
        ys = []
        for r in rs:
            t, y = M.sample(r, "gh", 20, 8, 32)
            ys.append(y)
        arr = np.array(ys)
        ax.plot(t, arr.mean(axis=0), color=color, label=f"{age} y: mean of 12")
        ax.fill_between(
            t,
            np.percentile(arr, 25, axis=0),
            np.percentile(arr, 75, axis=0),
            color=color,
            alpha=0.2,
        )
        ax.plot(t, arr[0], color=color, lw=0.6, ls=":")
    ax.axvspan(23, 31, color="0.92", label="sleep 23:00-07:00")
    ax.set_xticks(range(8, 33, 4), [f"{h % 24:02d}:00" for h in range(8, 33, 4)])
    ax.set_ylabel("GH (ng/mL)")
    ax.set_title("24-h GH, young vs older men (mean, IQR, one subject dotted)")
    ax.legend(fontsize=8)
    path = out / "gh_profiles_young_old.png"
    _save(fig, path)
    return path


def draw_all(
    out: Path, params: ParameterSet | None, *, population_n: int = CHECK_SUBJECTS
) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """Draw every figure; returns ``[(file name, title)]`` and the population table."""
    p_igf, table = igf1_by_age(out, params, population_n)
    figs = [
        (p_igf.name, "IGF-1 by age: virtual population against the LIFE percentiles"),
        (fasting_refeeding(out, params).name, "Fasting and refeeding time courses"),
        (exercise_dose_response(out, params).name, "Exercise dose-response (Felsing 1992)"),
        (rhgh_pk(out, params).name, "rhGH PK and IGF-1 response"),
        (gh_profiles(out, params).name, "24-h GH profiles, young vs older"),
    ]
    return figs, table
