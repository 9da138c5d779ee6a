"""Figures of a simulation result (matplotlib, no pyplot state, no display needed).

Each function returns a :class:`matplotlib.figure.Figure` built with the object-oriented API
(no global ``pyplot`` state, safe in threads and servers); :func:`figure_to_png` renders one.
matplotlib is imported only when a figure is made.

Days are counted from 0, as in the scenario; clock times are hours after midnight.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from somatosim.scenario.schema import clock_to_hours

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from somatosim.engine.result import Result

__all__ = [
    "DayWindow",
    "compare_gh_day_figure",
    "compare_gh_secretion_figure",
    "compare_igf1_figure",
    "day_windows",
    "figure_to_png",
    "gh_day_figure",
    "gh_peak",
    "gh_secretion_figure",
    "igf1_figure",
]

COLOR_A = "#1f5fa8"
COLOR_B = "#d0661c"
SLEEP_SHADE = "#dfe7f3"
EXERCISE_SHADE = "#f9d9b8"
COLOR_DOSE = "#7b3fa0"
PHASE_COLORS = ("#f6dca8", "#d9ecc9", "#ead3ee", "#cfe6ef")
# hypnogram rows by stage code (0 wake, 1 REM, 2 light NREM, 3 slow-wave): wake on top
_STAGE_LEVEL = np.array([3, 2, 1, 0])
_STAGE_LABELS = ("slow-wave", "light NREM", "REM", "wake")


@dataclass(frozen=True, slots=True)
class DayWindow:
    """A 24-hour window of the simulation, centred on a night.

    Attributes
    ----------
    start_hours : float
        Window start in hours since the start of the simulation.
    label : str
        What the window shows, e.g. ``"first day"`` or ``"last day of 'water fast'"``.
    """

    start_hours: float
    label: str

    @property
    def title(self) -> str:
        """Human title: the label plus the span in day numbers and clock times."""
        return f"{self.label}: {_clock_label(self.start_hours)} to {_clock_label(self.end_hours)}"

    @property
    def end_hours(self) -> float:
        """Window end in hours since the start."""
        return self.start_hours + 24.0


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def figure_to_png(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes (Agg renderer).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int
        Resolution in dots per inch.

    Returns
    -------
    bytes
        The PNG image.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


# --- helpers ----------------------------------------------------------------------------------
def _hours(result: Result) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(result.timeseries["hours"].values, dtype=float)


def _var(result: Result, name: str) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    if name not in result.timeseries:
        return None
    return np.asarray(result.timeseries[name].values, dtype=float)


def _units(result: Result, name: str, default: str) -> str:
    if name in result.timeseries:
        return str(result.timeseries[name].attrs.get("units", default))
    return default


def _clock_label(hours: float) -> str:
    day = math.floor(hours / 24.0 + 1e-9)
    minutes = round((hours - 24.0 * day) * 60.0)
    return f"day {day} {minutes // 60:02d}:{minutes % 60:02d}"


def _simulated_hours(result: Result) -> float:
    h = _hours(result)
    return float(max(h[-1], 24.0 * result.scenario.days)) if h.size else 24.0 * result.scenario.days


def day_windows(result: Result, max_windows: int = 4) -> list[DayWindow]:
    """The 24-hour windows worth showing: first day, the last night of each phase, last day.

    Each window runs from 11 hours before the habitual bedtime to 13 hours after it (noon to
    noon for a 23:00 bedtime), so the night sits in the middle of the plot.

    Parameters
    ----------
    result : Result
        A simulation result.
    max_windows : int
        At most this many windows (the first and last day are always kept).

    Returns
    -------
    list of DayWindow
        Distinct windows in time order; a one-day simulation gives the single window
        00:00-24:00.
    """
    total = _simulated_hours(result)
    offset = (math.floor(clock_to_hours(result.scenario.sleep.bedtime)) - 11) % 24
    last_start = total - 24.0
    if last_start < offset - 1e-9:
        return [DayWindow(0.0, "day 0")]
    n_last = math.floor((last_start - offset) / 24.0 + 1e-9)
    wanted: list[tuple[int, str]] = [(0, "first day")]
    for phase in result.scenario.phases:
        night = min(phase.end_day - 1, n_last)
        if phase.start_day <= night:
            name = f"'{phase.label}'" if phase.label else f"days {phase.start_day}-{phase.end_day}"
            wanted.append((night, f"last night of {name}"))
    wanted.append((n_last, "last day"))
    chosen: dict[int, str] = {}
    for night, label in wanted:
        chosen.setdefault(night, label)
    nights = sorted(chosen)
    if len(nights) > max_windows:
        nights = [*nights[: max_windows - 1], nights[-1]]
    return [DayWindow(offset + 24.0 * n, chosen[n]) for n in nights]


def _shade_sleep(ax: Axes, hours: np.ndarray[Any, Any], stage: np.ndarray[Any, Any]) -> None:
    asleep = stage > 0.5
    if not asleep.any():
        return
    edges = np.flatnonzero(np.diff(asleep.astype(np.int8)))
    starts = [0, *(edges + 1)]
    first = True
    for i, j in zip(starts, [*(edges + 1), asleep.size], strict=True):
        if asleep[i]:
            end = hours[j] if j < hours.size else hours[-1]
            ax.axvspan(hours[i], end, color=SLEEP_SHADE, lw=0, label="asleep" if first else None)
            first = False


def _clock_axis(ax: Axes, start: float, end: float) -> None:
    ticks = np.arange(math.ceil(start / 3.0) * 3.0, end + 1e-9, 3.0)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{int(t % 24):02d}:00" for t in ticks])
    ax.set_xlim(start, end)


def _hypnogram(
    ax: Axes,
    hours: np.ndarray[Any, Any],
    stage: np.ndarray[Any, Any],
    shift: float = 0.0,
    **kw: Any,
) -> None:
    level = _STAGE_LEVEL[np.clip(np.rint(np.nan_to_num(stage)), 0, 3).astype(np.intp)] + shift
    ax.step(hours, level, where="post", lw=1.2, **kw)
    ax.set_yticks(range(4))
    ax.set_yticklabels(_STAGE_LABELS)
    ax.set_ylim(-0.5, 3.5)
    ax.set_ylabel("sleep stage")
    ax.grid(axis="x", alpha=0.3)


def _phase_spans(result: Result) -> list[tuple[int, int, str]]:
    return [(p.start_day, p.end_day, p.label or "phase") for p in result.scenario.phases]


def _shade_phases(ax: Axes, spans: list[tuple[int, int, str]], *, labels: bool = True) -> None:
    for k, (start, end, name) in enumerate(spans):
        ax.axvspan(
            start,
            end,
            color=PHASE_COLORS[k % len(PHASE_COLORS)],
            alpha=0.55,
            lw=0,
            zorder=0,
            label=f"{name} (days {start}-{end - 1})" if labels else None,
        )


def _mark_events(ax: Axes, result: Result, window: DayWindow) -> None:
    """Mark exercise sessions (shaded) and GH injections (dashed lines) inside ``window``."""
    sc = result.scenario
    first_day = math.floor(window.start_hours / 24.0)
    labelled: set[str] = set()
    for day in range(max(first_day, 0), min(first_day + 2, sc.days)):
        for session in sc.exercise_on(day):
            start = 24.0 * day + clock_to_hours(session.time)
            end = start + session.minutes / 60.0
            if end > window.start_hours and start < window.end_hours:
                label = None if "exercise" in labelled else f"exercise ({session.type})"
                ax.axvspan(start, end, color=EXERCISE_SHADE, alpha=0.8, lw=0, label=label)
                labelled.add("exercise")
        for dose in sc.therapy_on(day):
            t = 24.0 * day + clock_to_hours(dose.time)
            if window.start_hours <= t < window.end_hours:
                label = None if "dose" in labelled else f"{dose.drug} {dose.dose_mg:g} mg"
                ax.axvline(t, color=COLOR_DOSE, ls="--", lw=1.0, label=label)
                labelled.add("dose")


def _mark_therapy_starts(ax: Axes, result: Result) -> None:
    """Dashed vertical lines where each GH therapy starts (on a day axis)."""
    for t in result.scenario.therapy:
        every = t.interval_days
        text = f"{t.drug} {t.dose_mg:g} mg {'daily' if every == 1 else f'every {every} days'}"
        first = t.start_day + clock_to_hours(t.time) / 24.0
        label = f"{text} from day {t.start_day} {t.time}"
        ax.axvline(first, color=COLOR_DOSE, ls="--", lw=1.0, label=label)


def _window_slice(result: Result, window: DayWindow) -> slice:
    h = _hours(result)
    i = int(np.searchsorted(h, window.start_hours, side="left"))
    j = int(np.searchsorted(h, window.end_hours, side="right"))
    return slice(i, j)


# --- single-result figures --------------------------------------------------------------------
def gh_peak(result: Result, windows: list[DayWindow]) -> float | None:
    """Highest plasma GH within ``windows`` (to give their figures one y scale).

    Parameters
    ----------
    result : Result
        A simulation result.
    windows : list of DayWindow
        The windows.

    Returns
    -------
    float or None
        The peak in ng/mL, or None without GH in the result.
    """
    gh = _var(result, "gh")
    if gh is None:
        return None
    peaks = [float(np.nanmax(gh[_window_slice(result, w)], initial=0.0)) for w in windows]
    return max(peaks, default=None)


def gh_day_figure(
    result: Result, window: DayWindow | None = None, *, gh_max: float | None = None
) -> Figure:
    """GH over 24 hours with sleep shaded, above the hypnogram.

    Parameters
    ----------
    result : Result
        A simulation result.
    window : DayWindow, optional
        The 24 hours to show; the last window of :func:`day_windows` by default.
    gh_max : float, optional
        Upper limit of the GH axis (to compare several windows); automatic by default.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: plasma GH [ng/mL] (sleep shaded) and sleep stage.
    """
    if window is None:
        window = day_windows(result)[-1]
    sl = _window_slice(result, window)
    h = _hours(result)[sl]
    gh = _var(result, "gh")
    stage = _var(result, "sleep_stage")
    fig = _new_figure(10.0, 4.6)
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    ax, hyp = axes[0], axes[1]
    if stage is not None:
        _shade_sleep(ax, h, stage[sl])
    if gh is not None:
        ax.plot(h, gh[sl], color=COLOR_A, lw=1.1, label="GH")
    _mark_events(ax, result, window)
    ax.set_ylabel(f"GH [{_units(result, 'gh', 'ng/mL')}]")
    ax.set_ylim(0, 1.05 * gh_max if gh_max and gh_max > 0 else None)
    ax.set_title(f"Plasma GH, {window.title}", loc="left", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    if stage is not None:
        _hypnogram(hyp, h, stage[sl], color="#444444")
    else:
        hyp.text(0.5, 0.5, "no sleep stages in this result", ha="center", transform=hyp.transAxes)
    _clock_axis(hyp, window.start_hours, window.end_hours)
    hyp.set_xlabel("clock time")
    return fig


def igf1_figure(result: Result) -> Figure:
    """Total IGF-1 over the whole simulation, with daily means and the daily IGF-1 SDS.

    Parameters
    ----------
    result : Result
        A simulation result.

    Returns
    -------
    matplotlib.figure.Figure
        Top: IGF-1 [ng/mL] (line) and daily means (dots); phases shaded. Bottom: daily
        IGF-1 SDS with the -2 to +2 band.
    """
    return _igf1(
        [(result, result.scenario.name, COLOR_A)],
        title="Total IGF-1",
        phases=_phase_spans(result),
        therapy_of=result,
    )


def gh_secretion_figure(result: Result) -> Figure:
    """Daily GH secretion as bars.

    Parameters
    ----------
    result : Result
        A simulation result.

    Returns
    -------
    matplotlib.figure.Figure
        Bars of ``daily.gh_secretion_mg`` per day; phases shaded.
    """
    return _secretion([(result, result.scenario.name, COLOR_A)], phases=_phase_spans(result))


# --- comparisons ------------------------------------------------------------------------------
def compare_igf1_figure(a: Result, b: Result, labels: tuple[str, str] = ("A", "B")) -> Figure:
    """Total IGF-1 of two results overlaid (daily means and SDS below).

    Parameters
    ----------
    a, b : Result
        The two results.
    labels : tuple of str
        Legend labels.

    Returns
    -------
    matplotlib.figure.Figure
        The overlay.
    """
    return _igf1(
        [(a, labels[0], COLOR_A), (b, labels[1], COLOR_B)],
        title="Total IGF-1",
        phases=_shared_phases(a, b),
        therapy_of=None,
    )


def compare_gh_secretion_figure(
    a: Result, b: Result, labels: tuple[str, str] = ("A", "B")
) -> Figure:
    """Daily GH secretion of two results as grouped bars.

    Parameters
    ----------
    a, b : Result
        The two results.
    labels : tuple of str
        Legend labels.

    Returns
    -------
    matplotlib.figure.Figure
        The bars.
    """
    return _secretion(
        [(a, labels[0], COLOR_A), (b, labels[1], COLOR_B)], phases=_shared_phases(a, b)
    )


def compare_gh_day_figure(a: Result, b: Result, labels: tuple[str, str] = ("A", "B")) -> Figure:
    """GH over the last full 24 hours of two results overlaid, with both hypnograms.

    Each result's own last window is used; the x axis is the clock time.

    Parameters
    ----------
    a, b : Result
        The two results.
    labels : tuple of str
        Legend labels.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: GH overlay (sleep of A shaded) and both hypnograms.
    """
    fig = _new_figure(10.0, 4.8)
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.5))
    ax, hyp = axes[0], axes[1]
    ref_start: float | None = None
    for k, (res, label, color) in enumerate(((a, labels[0], COLOR_A), (b, labels[1], COLOR_B))):
        window = day_windows(res)[-1]
        sl = _window_slice(res, window)
        h = _hours(res)[sl]
        if ref_start is None:
            ref_start = window.start_hours
        x = h - window.start_hours + ref_start  # align clock times
        stage = _var(res, "sleep_stage")
        gh = _var(res, "gh")
        if stage is not None and k == 0:
            _shade_sleep(ax, x, stage[sl])
        if gh is not None:
            ax.plot(x, gh[sl], color=color, lw=1.1, label=f"{label} ({window.label})")
        if stage is not None:
            _hypnogram(
                hyp,
                x,
                stage[sl],
                shift=0.0 if k == 0 else -0.12,  # keep identical hypnograms apart
                color=color,
                label=label,
            )
    ax.set_ylabel(f"GH [{_units(a, 'gh', 'ng/mL')}]")
    ax.set_ylim(bottom=0)
    ax.set_title("Plasma GH over 24 hours (sleep of A shaded)", loc="left", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    hyp.legend(loc="upper right", fontsize=7, frameon=False, ncols=2)
    start = ref_start if ref_start is not None else 0.0
    _clock_axis(hyp, start, start + 24.0)
    hyp.set_xlabel("clock time")
    return fig


# --- shared builders --------------------------------------------------------------------------
def _shared_phases(a: Result, b: Result) -> list[tuple[int, int, str]]:
    """Phases over the same days in both runs (named only where both names agree)."""
    pa, pb = _phase_spans(a), _phase_spans(b)
    if [x[:2] for x in pa] != [x[:2] for x in pb]:
        return []
    return [
        (s, e, na if na == nb else "phase") for (s, e, na), (_, _, nb) in zip(pa, pb, strict=True)
    ]


def _top_legend(ax: Axes) -> None:
    """Legend above the top right of the axes, on the line of the left-aligned title."""
    ax.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=4,
        fontsize=8,
        frameon=False,
        borderaxespad=0.2,
        handlelength=1.5,
        columnspacing=1.2,
    )


def _integer_days(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _daily(result: Result, column: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    daily = result.daily
    if column not in daily.columns:
        return np.array([]), np.array([])
    days = np.asarray(daily.index, dtype=float)
    return days, np.asarray(daily[column], dtype=float)


def _igf1(
    series: list[tuple[Result, str, str]],
    *,
    title: str,
    phases: list[tuple[int, int, str]],
    therapy_of: Result | None,
) -> Figure:
    fig = _new_figure(10.0, 4.8)
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.4))
    ax, sds_ax = axes[0], axes[1]
    _shade_phases(ax, phases)
    _shade_phases(sds_ax, phases, labels=False)
    if therapy_of is not None:
        _mark_therapy_starts(ax, therapy_of)
    unit = "ng/mL"
    for res, label, color in series:
        igf1 = _var(res, "igf1_total")
        if igf1 is not None:
            unit = _units(res, "igf1_total", unit)
            line_label = label if len(series) > 1 else "total IGF-1"
            ax.plot(_hours(res) / 24.0, igf1, color=color, lw=1.2, label=line_label)
        days, mean = _daily(res, "igf1_mean_ng_ml")
        if days.size:
            dots = "daily mean" if res is series[0][0] else None
            ax.plot(days + 0.5, mean, "o", ms=3.5, color=color, label=dots)
        days, sds = _daily(res, "igf1_sds")
        if days.size:
            sds_ax.plot(days + 0.5, sds, "o-", ms=3, lw=1, color=color)
    ax.set_ylabel(f"IGF-1 [{unit}]")
    ax.set_title(title, loc="left", fontsize=11)
    _top_legend(ax)
    ax.grid(alpha=0.3)
    sds_ax.axhspan(-2.0, 2.0, color="#e6e6e6", alpha=0.6, lw=0, zorder=0, label="-2 to +2 SDS")
    sds_ax.axhline(0.0, color="#999999", lw=0.8)
    lo, hi = sds_ax.get_ylim()
    sds_ax.set_ylim(min(lo, -2.5), max(hi, 2.5))
    sds_ax.set_ylabel("IGF-1 SDS")
    sds_ax.set_xlabel("day")
    sds_ax.grid(alpha=0.3)
    days_total = max(r.scenario.days for r, _, _ in series)
    sds_ax.set_xlim(0, days_total)
    _integer_days(sds_ax)
    return fig


def _secretion(
    series: list[tuple[Result, str, str]], *, phases: list[tuple[int, int, str]]
) -> Figure:
    fig = _new_figure(10.0, 3.2)
    ax = fig.subplots()
    _shade_phases(ax, phases)
    n = len(series)
    width = 0.8 / n
    for k, (res, label, color) in enumerate(series):
        days, mg = _daily(res, "gh_secretion_mg")
        ax.bar(days + 0.1 + width * (k + 0.5), mg, width=width * 0.95, color=color, label=label)
    ax.set_ylabel("GH secretion [mg/day]")
    ax.set_xlabel("day")
    ax.set_title("Daily GH secretion", loc="left", fontsize=11)
    ax.set_xlim(0, max(r.scenario.days for r, _, _ in series))
    _integer_days(ax)
    ax.grid(axis="y", alpha=0.3)
    if n > 1 or phases:
        _top_legend(ax)
    return fig
