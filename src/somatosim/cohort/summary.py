"""Arm summaries and figures of a finished cohort, computed by streaming over the chunk files.

Nothing here holds the whole cohort: each chunk file is read (only the needed columns),
folded into fixed-bin histograms and running sums, and dropped. Means and SDs are exact;
percentiles come from the histograms (bin widths: 0.5 ng/mL for IGF-1, 0.01 for SDS, 0.5 %
of the value for GH on a log scale), far finer than any physiological difference.

Outputs in ``<out>/summary``:

- ``arms.csv``: one row per arm (subjects, days, IGF-1 and GH distributions at the end,
  share of subjects above +2 and below -2 SDS);
- ``arms_long.csv``: the same statistics for every per-subject summary, one row per arm
  and variable;
- ``by_day.csv``: per arm, day and daily variable: n, mean, SD and percentiles 5-95;

and in ``<out>/figures`` (matplotlib, Agg backend, imported only here):
``igf1_by_arm.png``, ``gh_by_arm.png``, ``igf1_over_time.png``, ``gh_over_time.png``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from somatosim.cohort.store import ChunkStore

__all__ = ["ArmHistograms", "write_figures", "write_summaries"]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
_Q = (2.5, 5.0, 25.0, 50.0, 75.0, 95.0, 97.5)


@dataclass(frozen=True, slots=True)
class _Axis:
    """Histogram bins: linear on [lo, hi] or logarithmic (``log``) on [lo, hi]."""

    lo: float
    hi: float
    bins: int
    log: bool = False

    def index(self, x: FloatArray) -> np.ndarray[Any, np.dtype[np.int64]]:
        v = np.log(np.maximum(x, self.lo)) if self.log else x
        a, b = (np.log(self.lo), np.log(self.hi)) if self.log else (self.lo, self.hi)
        i = np.floor((v - a) / (b - a) * self.bins)
        out: np.ndarray[Any, np.dtype[np.int64]] = np.clip(
            np.nan_to_num(i, nan=0.0), 0, self.bins - 1
        ).astype(np.int64)
        return out

    def edges(self) -> FloatArray:
        if self.log:
            return np.exp(np.linspace(np.log(self.lo), np.log(self.hi), self.bins + 1))
        return np.linspace(self.lo, self.hi, self.bins + 1)


# variable -> histogram axis
_AXES: dict[str, _Axis] = {
    "igf1_mean_ng_ml": _Axis(0.0, 1500.0, 3000),
    "igf1_final_ng_ml": _Axis(0.0, 1500.0, 3000),
    "igf1_baseline_ng_ml": _Axis(0.0, 1500.0, 3000),
    "igf1_free_final_ng_ml": _Axis(0.0, 30.0, 3000),
    "igf1_sds": _Axis(-10.0, 10.0, 2000),
    "igf1_final_sds": _Axis(-10.0, 10.0, 2000),
    "igf1_change_percent": _Axis(-100.0, 400.0, 5000),
    "gh_secretion_mg": _Axis(1e-4, 50.0, 2600, log=True),
    "gh_secretion_mg_per_day": _Axis(1e-4, 50.0, 2600, log=True),
    "gh_mean_ng_ml": _Axis(1e-3, 500.0, 2600, log=True),
    "gh_pulses_per_day": _Axis(-1 / 14, 60.0 - 1 / 14, 420),  # bins centred on k/7 (7-day means)
    "gh_sleep_fraction": _Axis(0.0, 1.0, 1000),
}
DAILY_VARIABLES = ("igf1_mean_ng_ml", "igf1_sds", "gh_secretion_mg", "gh_mean_ng_ml")
SUBJECT_VARIABLES = (
    "igf1_final_ng_ml",
    "igf1_final_sds",
    "igf1_free_final_ng_ml",
    "igf1_baseline_ng_ml",
    "igf1_change_percent",
    "gh_secretion_mg_per_day",
    "gh_mean_ng_ml",
    "gh_pulses_per_day",
    "gh_sleep_fraction",
)


@dataclass
class _Acc:
    """Histogram plus exact count, sum and sum of squares, for ``groups`` groups (days)."""

    axis: _Axis
    groups: int
    counts: np.ndarray[Any, np.dtype[np.int64]] = field(init=False)
    n: FloatArray = field(init=False)
    s1: FloatArray = field(init=False)
    s2: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.counts = np.zeros((self.groups, self.axis.bins), dtype=np.int64)
        self.n = np.zeros(self.groups)
        self.s1 = np.zeros(self.groups)
        self.s2 = np.zeros(self.groups)

    def add(self, values: FloatArray, group: np.ndarray[Any, np.dtype[np.int64]]) -> None:
        ok = np.isfinite(values)
        v, g = values[ok], group[ok]
        flat = g * self.axis.bins + self.axis.index(v)
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape)
        self.n += np.bincount(g, minlength=self.groups)
        self.s1 += np.bincount(g, weights=v, minlength=self.groups)
        self.s2 += np.bincount(g, weights=v * v, minlength=self.groups)

    def mean(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, self.s1 / np.maximum(self.n, 1), np.nan)

    def sd(self) -> FloatArray:
        m = self.mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (self.s2 - self.n * m * m) / np.maximum(self.n - 1, 1)
        return np.where(self.n > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)

    def quantiles(self, qs: Sequence[float]) -> FloatArray:
        """(groups, len(qs)) percentiles by linear interpolation inside the bins."""
        edges = self.axis.edges()
        out = np.full((self.groups, len(qs)), np.nan)
        for g in range(self.groups):
            c = self.counts[g]
            total = c.sum()
            if total == 0:
                continue
            cum = np.concatenate([[0], np.cumsum(c)]) / total
            for j, q in enumerate(qs):
                out[g, j] = float(np.interp(q / 100.0, cum, edges))
        return out

    def density(self, g: int = 0) -> tuple[FloatArray, FloatArray]:
        """Bin centres and probability density of group ``g``."""
        e = self.axis.edges()
        c = self.counts[g].astype(float)
        width = np.diff(e)
        total = c.sum()
        dens = c / (total * width) if total else c
        return 0.5 * (e[1:] + e[:-1]), dens


@dataclass
class ArmHistograms:
    """Streaming statistics of one arm."""

    arm: str
    days: int
    daily: dict[str, _Acc]
    subjects: dict[str, _Acc]
    n_subjects: int = 0
    above_2: int = 0
    below_minus_2: int = 0

    @classmethod
    def collect(cls, store: ChunkStore, arm: str, days: int) -> ArmHistograms:
        """Fold every chunk of ``arm`` into histograms."""
        daily = {v: _Acc(_AXES[v], days) for v in DAILY_VARIABLES}
        subj = {v: _Acc(_AXES[v], 1) for v in SUBJECT_VARIABLES}
        out = cls(arm=arm, days=days, daily=daily, subjects=subj)
        for t in store.iter_tables("daily", arm, columns=["day", *DAILY_VARIABLES]):
            day = t.column("day").to_numpy().astype(np.int64)
            for v in DAILY_VARIABLES:
                daily[v].add(t.column(v).to_numpy().astype(np.float64), day)
        for t in store.iter_tables("subjects", arm, columns=list(SUBJECT_VARIABLES)):
            zero = np.zeros(t.num_rows, dtype=np.int64)
            for v in SUBJECT_VARIABLES:
                subj[v].add(t.column(v).to_numpy().astype(np.float64), zero)
            sds = t.column("igf1_final_sds").to_numpy()
            out.n_subjects += t.num_rows
            out.above_2 += int(np.sum(sds > 2.0))
            out.below_minus_2 += int(np.sum(sds < -2.0))
        return out


def _qname(q: float) -> str:
    return f"p{q:g}".replace(".", "_")


def write_summaries(
    store: ChunkStore, arms: Sequence[tuple[str, int]]
) -> tuple[pd.DataFrame, list[ArmHistograms]]:
    """Write ``summary/arms.csv``, ``arms_long.csv`` and ``by_day.csv``.

    Parameters
    ----------
    store : ChunkStore
        The cohort's store (every chunk done).
    arms : sequence of (name, days)
        The arms, in spec order.

    Returns
    -------
    (pandas.DataFrame, list of ArmHistograms)
        The arm table (``arms.csv``) and the histograms (for figures).
    """
    from somatosim.cohort.store import atomic_write_bytes

    hists = [ArmHistograms.collect(store, a, d) for a, d in arms]
    wide, long_rows, day_rows = [], [], []
    for h in hists:
        s = h.subjects
        qf = s["igf1_final_ng_ml"].quantiles(_Q)[0]
        qz = s["igf1_final_sds"].quantiles(_Q)[0]
        qg = s["gh_secretion_mg_per_day"].quantiles(_Q)[0]
        n = max(h.n_subjects, 1)
        wide.append(
            {
                "arm": h.arm,
                "n_subjects": h.n_subjects,
                "days": h.days,
                "igf1_final_mean_ng_ml": float(s["igf1_final_ng_ml"].mean()[0]),
                "igf1_final_p2_5_ng_ml": qf[0],
                "igf1_final_median_ng_ml": qf[3],
                "igf1_final_p97_5_ng_ml": qf[6],
                "igf1_final_sds_mean": float(s["igf1_final_sds"].mean()[0]),
                "igf1_final_sds_sd": float(s["igf1_final_sds"].sd()[0]),
                "igf1_final_sds_median": qz[3],
                "share_sds_above_2": h.above_2 / n,
                "share_sds_below_minus_2": h.below_minus_2 / n,
                "igf1_change_percent_mean": float(s["igf1_change_percent"].mean()[0]),
                "gh_secretion_median_mg_per_day": qg[3],
                "gh_secretion_p2_5_mg_per_day": qg[0],
                "gh_secretion_p97_5_mg_per_day": qg[6],
                "gh_pulses_per_day_mean": float(s["gh_pulses_per_day"].mean()[0]),
                "gh_sleep_fraction_mean": float(s["gh_sleep_fraction"].mean()[0]),
            }
        )
        for v, acc in s.items():
            q = acc.quantiles(_Q)[0]
            long_rows.append(
                {
                    "arm": h.arm,
                    "variable": v,
                    "n": int(acc.n[0]),
                    "mean": float(acc.mean()[0]),
                    "sd": float(acc.sd()[0]),
                    **{_qname(qq): q[j] for j, qq in enumerate(_Q)},
                }
            )
        for v, acc in h.daily.items():
            q = acc.quantiles(_Q)
            m, sd = acc.mean(), acc.sd()
            for d in range(h.days):
                day_rows.append(
                    {
                        "arm": h.arm,
                        "day": d,
                        "variable": v,
                        "n": int(acc.n[d]),
                        "mean": m[d],
                        "sd": sd[d],
                        **{_qname(qq): q[d, j] for j, qq in enumerate(_Q)},
                    }
                )
    table = pd.DataFrame(wide)
    out = store.root / "summary"
    for name, df in (
        ("arms.csv", table),
        ("arms_long.csv", pd.DataFrame(long_rows)),
        ("by_day.csv", pd.DataFrame(day_rows)),
    ):
        atomic_write_bytes(out / name, df.to_csv(index=False, float_format="%.6g").encode())
    return table, hists


def write_figures(root: Path, hists: Sequence[ArmHistograms]) -> list[Path]:
    """Draw the cohort figures into ``<root>/figures`` (PNG); returns the paths."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from somatosim.cohort.store import atomic_write_bytes

    out = root / "figures"
    paths: list[Path] = []

    def save(fig: Any, name: str) -> None:
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        atomic_write_bytes(out / name, buf.getvalue())
        paths.append(out / name)

    def dist(ax: Any, var: str, label: str, log: bool = False, lines: Sequence[float] = ()) -> None:
        los, his = [], []
        for h in hists:
            acc = h.subjects[var]
            edges = acc.axis.edges()
            x = np.sqrt(edges[1:] * edges[:-1]) if log else 0.5 * (edges[1:] + edges[:-1])
            # smooth the fine histogram for display (moving mean over ~1 % of the range)
            k = max(1, acc.axis.bins // 100)
            counts = np.convolve(acc.counts[0].astype(float), np.ones(k) / k, mode="same")
            total = counts.sum()
            width = np.diff(np.log(edges)) if log else np.diff(edges)
            y = counts / (total * width) if total else counts  # per unit of x (of log x)
            ax.plot(x, y, label=f"{h.arm} (n={h.n_subjects:,})")
            if total:
                q = acc.quantiles((0.1, 99.9))[0]
                los.append(q[0])
                his.append(q[1])
        if los:
            lo, hi = min(los), max(his)
            if log:
                ax.set_xlim(lo / 1.3, hi * 1.3)
            else:
                pad = 0.05 * (hi - lo) or 1.0
                ax.set_xlim(lo - pad, hi + pad)
        for v in lines:
            ax.axvline(v, color="0.5", lw=0.8, ls="--")
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("density (per log unit)" if log else "density")
        ax.legend(fontsize=8)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    dist(axes[0], "igf1_final_ng_ml", "IGF-1 on the last day (ng/mL)")
    dist(axes[1], "igf1_final_sds", "IGF-1 SDS on the last day", lines=(-2.0, 0.0, 2.0))
    fig.suptitle("IGF-1 by arm")
    save(fig, "igf1_by_arm.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    dist(axes[0], "gh_secretion_mg_per_day", "GH secretion (mg/day, last 7 days)", log=True)
    dist(axes[1], "gh_pulses_per_day", "GH secretory bursts per day (last 7 days)")
    fig.suptitle("GH by arm")
    save(fig, "gh_by_arm.png")

    def over_time(var: str, ylabel: str, name: str, title: str) -> None:
        fig, ax = plt.subplots(figsize=(8, 4))
        for h in hists:
            acc = h.daily[var]
            q = acc.quantiles((5.0, 25.0, 50.0, 75.0, 95.0))
            d = np.arange(h.days)
            (line,) = ax.plot(
                d, q[:, 2], marker="o" if h.days <= 31 else None, ms=3, label=f"{h.arm} median"
            )
            ax.fill_between(d, q[:, 1], q[:, 3], color=line.get_color(), alpha=0.25, lw=0)
            ax.fill_between(d, q[:, 0], q[:, 4], color=line.get_color(), alpha=0.10, lw=0)
        ax.set_xlabel("day")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title} (median, 25-75 % and 5-95 % of subjects)")
        ax.legend(fontsize=8)
        save(fig, name)

    over_time("igf1_mean_ng_ml", "daily mean IGF-1 (ng/mL)", "igf1_over_time.png", "IGF-1")
    over_time("gh_secretion_mg", "GH secretion (mg/day)", "gh_over_time.png", "GH secretion")
    return paths
