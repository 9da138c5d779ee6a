"""GH dose titration in adult GH deficiency, and IGF-1 sampling on weekly GH (M13).

:func:`titrate` simulates a guideline titration: start at the dose for the subject's age,
measure IGF-1 at the end of each step, raise (or lower) the dose by a fixed increment until the
IGF-1 SDS lies in the target window (default 0 to +1), without exceeding the maximum dose.

Daily somatropin (Molitch ME et al., Endocrine Society guideline, JCEM 2011;96:1587;
``published_results.md`` rows 8.1, 8.2, 8.12):

- starting dose by age: < 30 y 0.4-0.5 mg/day, 30-60 y 0.2-0.3 mg/day, > 60 y 0.1-0.2 mg/day
  (the midpoints are used: 0.45, 0.25, 0.15 mg/day);
- steps every 1-2 months (``step_weeks`` 4-8, default 6), increments 0.1-0.2 mg/day: 0.2 when the
  SDS is more than 1 below the window, else 0.1 (the same sizes downwards above it);
- IGF-1 sampled in the morning (``sample_time``, default 09:00) on the last day of each step;
- maximum dose: the adult label maximum (1 mg/day; :data:`~somatosim.clinical.LABEL_MAX_DOSE`).

Weekly somapacitan (REAL 1: Johannsson G et al., JCEM 2020;105:e1358, and the Sogroya
prescribing information; label values, not rows of ``published_results.md``):

- starting dose 1.5 mg/week; 1.0 mg/week from 60 y; 2.0 mg/week for women on oral estrogen;
- steps every 2-4 weeks (``step_weeks`` 2-8, default 4), increments 0.5-1.5 mg/week: 1.0 when
  the SDS is more than 1 below the window, else 0.5;
- IGF-1 sampled on day 4 after the last injection of the step (``sample_day``): the day-4
  sample best estimates the weekly mean (Kildemoes RJ et al., JCEM 2021;106:567; row 8.10);
- maximum dose 8 mg/week (label).

:func:`weekly_sampling_profile` simulates a weekly regimen to steady state and reports IGF-1 SDS
at 0-7 days after the injection against the weekly mean and peak (Kildemoes 2021: day 4 is
closest to the weekly mean, day 2 to the peak).

Each titration step is simulated from day 0 with the full dose history, so the IGF-1 trajectory
is continuous; all steps share one stream of random numbers, so the step measurements and the
final trajectory are the same simulation.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from somatosim.clinical.pk import _as_scenario, _finish, _simulate
from somatosim.clinical.reference import IGF1Reference, default_reference
from somatosim.clinical.safety import LABEL_MAX_DOSE
from somatosim.errors import InputError
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.scenario.schema import Scenario, Subject, clock_to_hours

if TYPE_CHECKING:
    from somatosim.engine.result import Result

__all__ = [
    "DEFAULT_TARGET_SDS",
    "REGIMENS",
    "START_DOSES",
    "TITRATION_RULES",
    "StartDose",
    "TitrationResult",
    "TitrationRule",
    "WeeklyProfile",
    "next_dose",
    "starting_dose",
    "titrate",
    "weekly_sampling_profile",
]

Regimen = Literal["daily", "weekly"]
REGIMENS: tuple[str, ...] = ("daily", "weekly")
"""``daily`` (somatropin) or ``weekly`` (somapacitan)."""

DEFAULT_TARGET_SDS: tuple[float, float] = (0.0, 1.0)
"""Target IGF-1 SDS window: normal range, upper half (Molitch 2011; AACE 2019 allows -2..+2)."""

_MOLITCH = (
    "Molitch ME, Clemmons DR, Malozowski S et al. (Endocrine Society) Evaluation and treatment "
    "of adult GH deficiency. J Clin Endocrinol Metab 2011;96:1587-1609 (published_results.md "
    "8.1, 8.2)"
)
_SOMAPACITAN = (
    "Johannsson G et al. (REAL 1), J Clin Endocrinol Metab 2020;105:e1358-76; Sogroya "
    "(somapacitan) prescribing information (label values, not rows of published_results.md); "
    "day-4 sampling: Kildemoes RJ et al., J Clin Endocrinol Metab 2021;106:567 (row 8.10)"
)
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class StartDose:
    """Starting dose (mg per injection) for subjects with ``age_min <= age < age_max``."""

    regimen: str
    age_min: float
    age_max: float
    dose_mg: float
    range_mg: tuple[float, float]
    sex: str | None  # None: both sexes
    estrogen: str | None  # None: any estrogen status
    source: str


START_DOSES: tuple[StartDose, ...] = (
    StartDose("daily", 0.0, 30.0, 0.45, (0.4, 0.5), None, None, _MOLITCH),
    StartDose("daily", 30.0, 60.0, 0.25, (0.2, 0.3), None, None, _MOLITCH),
    StartDose("daily", 60.0, math.inf, 0.15, (0.1, 0.2), None, None, _MOLITCH),
    # weekly: the most specific matching row wins (oral estrogen before age)
    StartDose("weekly", 0.0, 60.0, 2.0, (2.0, 2.0), "female", "oral", _SOMAPACITAN),
    StartDose("weekly", 0.0, 60.0, 1.5, (1.5, 1.5), None, None, _SOMAPACITAN),
    StartDose("weekly", 60.0, math.inf, 1.0, (1.0, 1.0), None, None, _SOMAPACITAN),
)
"""Starting doses by regimen, age (and, weekly, oral estrogen in women), with sources."""


@dataclass(frozen=True, slots=True)
class TitrationRule:
    """How a regimen is titrated."""

    regimen: str
    drug: str
    interval_days: int  # days between injections
    small_step_mg: float
    large_step_mg: float
    large_step_gap_sds: float  # the large step is used when the SDS misses the window by more
    min_dose_mg: float
    step_weeks: int  # default
    step_weeks_range: tuple[int, int]
    sample: str
    source: str


TITRATION_RULES: Mapping[str, TitrationRule] = MappingProxyType(
    {
        "daily": TitrationRule(
            "daily",
            "somatropin",
            1,
            0.1,
            0.2,
            1.0,
            0.1,
            6,
            (4, 8),
            "morning sample on the last day of each step",
            _MOLITCH,
        ),
        "weekly": TitrationRule(
            "weekly",
            "somapacitan",
            7,
            0.5,
            1.0,
            1.0,
            0.5,
            4,
            (2, 8),
            "sample on day 4 after the last injection of each step",
            _SOMAPACITAN,
        ),
    }
)
"""Titration rules by regimen (step sizes, step intervals, sampling), with sources."""


def _check_regimen(regimen: str) -> TitrationRule:
    if regimen not in TITRATION_RULES:
        raise InputError(f"regimen = {regimen!r} is not allowed; allowed: {', '.join(REGIMENS)}")
    return TITRATION_RULES[regimen]


def starting_dose(subject: Subject | Mapping[str, Any] | Scenario, regimen: str = "daily") -> float:
    """Guideline starting dose (mg per injection) for this subject and regimen.

    Examples
    --------
    >>> starting_dose({"age_years": 25}), starting_dose({"age_years": 45})
    (0.45, 0.25)
    >>> starting_dose({"age_years": 45, "sex": "female", "estrogen": "oral"}, "weekly")
    2.0
    """
    _check_regimen(regimen)
    subj = _as_scenario(subject).subject
    for row in START_DOSES:
        if row.regimen != regimen or not row.age_min <= subj.age_years < row.age_max:
            continue
        if row.sex is not None and row.sex != subj.sex:
            continue
        if row.estrogen is not None and row.estrogen != subj.estrogen:
            continue
        return row.dose_mg
    raise InputError(f"no starting dose for age {subj.age_years:g}")  # pragma: no cover


def next_dose(
    dose_mg: float,
    sds: float,
    *,
    regimen: str = "daily",
    target: tuple[float, float] = DEFAULT_TARGET_SDS,
    max_dose_mg: float | None = None,
) -> tuple[float, str]:
    """The titration decision after one IGF-1 measurement.

    Returns
    -------
    (float, str)
        The next dose (mg per injection) and the decision: ``"in target"``, ``"increase"``,
        ``"decrease"``, ``"at maximum dose"`` or ``"at minimum dose"``.

    Examples
    --------
    >>> next_dose(0.3, -1.5)
    (0.5, 'increase')
    >>> next_dose(0.3, -0.4)
    (0.4, 'increase')
    >>> next_dose(0.3, 0.5)
    (0.3, 'in target')
    """
    rule = _check_regimen(regimen)
    lo, hi = target
    top = _max_dose(rule, max_dose_mg)
    if lo <= sds <= hi:
        return dose_mg, "in target"
    if sds < lo:
        if dose_mg >= top - _EPS:
            return dose_mg, "at maximum dose"
        step = rule.large_step_mg if lo - sds > rule.large_step_gap_sds else rule.small_step_mg
        return round(min(dose_mg + step, top), 4), "increase"
    if dose_mg <= rule.min_dose_mg + _EPS:
        return dose_mg, "at minimum dose"
    step = rule.large_step_mg if sds - hi > rule.large_step_gap_sds else rule.small_step_mg
    return round(max(dose_mg - step, rule.min_dose_mg), 4), "decrease"


def _max_dose(rule: TitrationRule, max_dose_mg: float | None) -> float:
    lab = LABEL_MAX_DOSE[rule.drug]
    label_max = lab.limit_mg * rule.interval_days / lab.per_days  # per injection
    return label_max if max_dose_mg is None else float(max_dose_mg)


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WeeklyProfile:
    """IGF-1 over one weekly dosing interval at steady state.

    Attributes
    ----------
    days : pandas.DataFrame
        Index ``day`` (0-7 days after the injection; day 7 is the pre-dose trough), columns
        ``hours_after_dose``, ``igf1_ng_ml``, ``igf1_sds``, ``sds_minus_mean`` and
        ``sds_minus_peak``.
    curve : pandas.DataFrame
        IGF-1 (``igf1_ng_ml``, ``igf1_sds``) every hour of the interval, index
        ``hours_after_dose``.
    weekly_mean_sds, peak_sds, trough_sds : float
        Time-averaged SDS over the interval, its maximum and its minimum.
    peak_day : float
        Days after the injection at which the SDS peaks.
    mean_crossing_day : float
        Days after the injection at which the falling SDS reaches the weekly mean.
    best_day_for_mean : int
        Whole day after the peak (up to day 6) whose sample is closest to the weekly mean (on
        the rising limb, before the peak, the SDS also passes the mean, but only for hours).
    best_day_for_peak : int
        Whole day (1-6) whose sample is closest to the peak.
    """

    dose_mg: float
    subject: Subject
    days: pd.DataFrame
    curve: pd.DataFrame
    weekly_mean_sds: float
    peak_sds: float
    trough_sds: float
    peak_day: float
    mean_crossing_day: float
    best_day_for_mean: int
    best_day_for_peak: int
    seeds: tuple[int, ...]
    reference_name: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return {
            "dose_mg_per_week": self.dose_mg,
            "weekly_mean_sds": self.weekly_mean_sds,
            "peak_sds": self.peak_sds,
            "trough_sds": self.trough_sds,
            "peak_day": self.peak_day,
            "mean_crossing_day": (
                self.mean_crossing_day if math.isfinite(self.mean_crossing_day) else None
            ),
            "best_day_for_mean": self.best_day_for_mean,
            "best_day_for_peak": self.best_day_for_peak,
            "days": {
                str(k): {str(c): float(v) for c, v in row.items()}
                for k, row in zip(self.days.index, self.days.to_dict(orient="records"), strict=True)
            },
            "igf1_reference": self.reference_name,
        }


@dataclass(frozen=True, slots=True)
class TitrationResult:
    """A simulated dose titration.

    Attributes
    ----------
    regimen, drug : str
        ``daily``/``somatropin`` or ``weekly``/``somapacitan``.
    steps : pandas.DataFrame
        One row per step: ``step``, ``start_day``, ``dose_mg`` (per injection),
        ``sample_day``, ``sample_hours``, ``igf1_ng_ml``, ``igf1_sds``, ``decision`` and
        ``next_dose_mg``.
    trajectory : pandas.DataFrame
        One row per simulated day (index ``day``): ``dose_mg`` (per injection in force),
        ``dose_mg_per_week``, ``igf1_mean_ng_ml`` and ``igf1_sds`` (of the daily mean).
    final_dose_mg : float
        Dose in force at the end of the titration.
    reached_target : bool
        Whether the last measurement lies in the target window.
    weeks_to_target : float or None
        Weeks from the first injection to the first measurement in the window.
    stop_reason : str
        ``in target``, ``at maximum dose``, ``at minimum dose`` or ``max_steps reached``.
    result : Result
        The simulation of the whole titration (for plots and the time series).
    weekly_profile : WeeklyProfile or None
        For ``weekly``: the day-by-day IGF-1 profile at the final dose.
    """

    regimen: str
    drug: str
    subject: Subject
    target: tuple[float, float]
    step_weeks: int
    start_dose_mg: float
    max_dose_mg: float
    steps: pd.DataFrame
    trajectory: pd.DataFrame
    final_dose_mg: float
    reached_target: bool
    weeks_to_target: float | None
    stop_reason: str
    reference_name: str
    sources: tuple[str, ...]
    warnings: tuple[str, ...]
    result: Result
    weekly_profile: WeeklyProfile | None = None

    @property
    def dose_unit(self) -> str:
        """``mg/day`` or ``mg/week``."""
        return "mg/day" if self.regimen == "daily" else "mg/week"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (steps included, daily trajectory left out)."""
        out: dict[str, Any] = {
            "regimen": self.regimen,
            "drug": self.drug,
            "dose_unit": self.dose_unit,
            "target_sds": list(self.target),
            "step_weeks": self.step_weeks,
            "start_dose_mg": self.start_dose_mg,
            "max_dose_mg": self.max_dose_mg,
            "final_dose_mg": self.final_dose_mg,
            "reached_target": self.reached_target,
            "weeks_to_target": self.weeks_to_target,
            "stop_reason": self.stop_reason,
            "steps": [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in self.steps.to_dict(orient="records")
            ],
            "igf1_reference": self.reference_name,
            "sources": list(self.sources),
            "warnings": list(self.warnings),
        }
        if self.weekly_profile is not None:
            out["weekly_profile"] = self.weekly_profile.as_dict()
        return out


# --------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------
def _sample(result: Result, hours: float, ref: IGF1Reference) -> tuple[float, float]:
    ts = result.timeseries
    igf = float(np.interp(hours, ts["hours"].values, ts["igf1_total"].values))
    subj = result.scenario.subject
    return igf, float(ref.sds(igf, subj.age_years, subj.sex))


def _therapy(
    rule: TitrationRule,
    doses: list[float],
    step_days: int,
    time: str,
) -> list[dict[str, Any]]:
    return [
        {
            "drug": rule.drug,
            "dose_mg": d,
            "every_days": rule.interval_days,
            "time": time,
            "start_day": k * step_days,
            "end_day": (k + 1) * step_days,
        }
        for k, d in enumerate(doses)
    ]


def titrate(
    subject: Subject | Mapping[str, Any] | Scenario,
    *,
    regimen: str = "daily",
    target: tuple[float, float] = DEFAULT_TARGET_SDS,
    step_weeks: int | None = None,
    max_dose: float | None = None,
    start_dose: float | None = None,
    max_steps: int = 12,
    injection_time: str = "21:00",
    sample_time: str = "09:00",
    sample_day: int = 4,
    seed: int = 0,
    params: ParameterSet | None = None,
    reference: IGF1Reference | None = None,
) -> TitrationResult:
    """Simulate a guideline dose titration to a target IGF-1 SDS window.

    Parameters
    ----------
    subject : Subject, dict of subject fields, or Scenario
        The patient (usually with ``gh_reserve`` below 0.5). A Scenario contributes its
        subject, sleep, diet, micronutrients and exercise; its therapy is replaced.
    regimen : str
        ``"daily"`` (somatropin) or ``"weekly"`` (somapacitan).
    target : (float, float)
        IGF-1 SDS window (default 0 to +1).
    step_weeks : int, optional
        Weeks between dose changes (daily 4-8, default 6; weekly 2-8, default 4).
    max_dose : float, optional
        Maximum dose per injection in mg (default: the label maximum, 1 mg/day or 8 mg/week).
    start_dose : float, optional
        Starting dose per injection in mg (default: :func:`starting_dose`).
    max_steps : int
        At most this many steps (1-24; the titration must fit in 730 days).
    injection_time : str
        Injection clock time ``"HH:MM"``.
    sample_time : str
        Daily regimen: clock time of the IGF-1 sample on the last day of each step.
    sample_day : int
        Weekly regimen: the IGF-1 sample is taken ``sample_day`` days (1-6) after the last
        injection of each step, at the injection clock time.
    seed : int
        Random seed of the simulation.
    params : ParameterSet, optional
        Model parameters.
    reference : IGF1Reference, optional
        IGF-1 reference for SDS (default: LIFE).

    Returns
    -------
    TitrationResult

    Examples
    --------
    >>> t = titrate({"age_years": 45, "gh_reserve": 0.1}, seed=1)
    >>> t.reached_target, bool(0.0 <= t.steps["igf1_sds"].iloc[-1] <= 1.0)
    (True, True)
    """
    rule = _check_regimen(regimen)
    lo, hi = (float(target[0]), float(target[1]))
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"target = {target!r} must be two finite SDS values, low < high")
    weeks = rule.step_weeks if step_weeks is None else int(step_weeks)
    w_lo, w_hi = rule.step_weeks_range
    if not w_lo <= weeks <= w_hi:
        raise InputError(
            f"step_weeks = {weeks} is out of range for the {regimen} regimen (allowed "
            f"{w_lo}-{w_hi} weeks)"
        )
    if not 1 <= max_steps <= 24:
        raise InputError(f"max_steps = {max_steps} is out of range (allowed 1-24)")
    if regimen == "weekly" and not 1 <= sample_day <= 6:
        raise InputError(f"sample_day = {sample_day} is out of range (allowed 1-6)")
    for name, clock in (("injection_time", injection_time), ("sample_time", sample_time)):
        try:
            clock_to_hours(clock)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
    step_days = 7 * weeks
    if max_steps * step_days + 7 > 730:
        raise InputError(
            f"max_steps x step_weeks = {max_steps} x {weeks} weeks does not fit in the 730 "
            "simulated days allowed; lower max_steps"
        )
    base = _as_scenario(subject)
    top = _max_dose(rule, max_dose)
    lab = LABEL_MAX_DOSE[rule.drug]
    if not 0.0 < top <= 20.0:
        raise InputError(f"max_dose = {top:g} mg is out of range (allowed above 0, up to 20)")
    dose = starting_dose(base, regimen) if start_dose is None else float(start_dose)
    if not 0.0 < dose <= top:
        raise InputError(
            f"start_dose = {dose:g} mg must be above 0 and at most max_dose ({top:g} mg)"
        )
    p = params if params is not None else default_parameters()
    ref = reference if reference is not None else default_reference()
    inj_h = clock_to_hours(injection_time)

    from somatosim.engine.simulate import run_schedules
    from somatosim.scenario.drivers import build_schedule

    plan = base.replace(
        seed=seed,
        therapy=[],
        challenges=[],
        phases=[{**ph.model_dump(), "therapy": None} for ph in base.phases],
    )
    horizon = plan.replace(days=max_steps * step_days + 7)
    stream = build_schedule(horizon, p, seed)  # one random stream for every step

    doses: list[float] = [dose]
    rows: list[dict[str, Any]] = []
    result: Result | None = None
    stop_reason = "max_steps reached"
    weeks_to_target: float | None = None
    for k in range(max_steps):
        start_day = k * step_days
        if regimen == "daily":
            s_day = start_day + step_days - 1
            s_hours = s_day * 24.0 + clock_to_hours(sample_time)
        else:
            last_inj = start_day + step_days - 7
            s_hours = last_inj * 24.0 + inj_h + 24.0 * sample_day
            s_day = int(s_hours // 24.0)
        sc = plan.replace(days=s_day + 1, therapy=_therapy(rule, doses, step_days, injection_time))
        sched = dataclasses.replace(
            build_schedule(sc, p, seed), gamma=stream.gamma, normal=stream.normal
        )
        (run,) = run_schedules([sched], p, save_every_min=30)
        (result,) = _finish([(run, sc)], ref)
        igf, sds = _sample(result, s_hours, ref)
        new, decision = next_dose(doses[-1], sds, regimen=regimen, target=(lo, hi), max_dose_mg=top)
        rows.append(
            {
                "step": k + 1,
                "start_day": start_day,
                "dose_mg": doses[-1],
                "sample_day": s_day,
                "sample_hours": s_hours,
                "igf1_ng_ml": igf,
                "igf1_sds": sds,
                "decision": decision,
                "next_dose_mg": new,
            }
        )
        if decision == "in target":
            stop_reason = decision
            weeks_to_target = (s_hours - inj_h) / 168.0
            break
        if decision in ("at maximum dose", "at minimum dose"):
            stop_reason = decision
            break
        doses.append(new)
    assert result is not None
    steps = pd.DataFrame(rows)
    final = float(
        steps["dose_mg"].iloc[-1]
        if stop_reason != "max_steps reached"
        else steps["next_dose_mg"].iloc[-1]
    )

    daily = result.daily
    dose_by_day = np.zeros(len(daily))
    for k, d in enumerate(doses[: len(rows)]):
        dose_by_day[k * step_days : (k + 1) * step_days] = d
    trajectory = pd.DataFrame(
        {
            "dose_mg": dose_by_day,
            "dose_mg_per_week": dose_by_day * 7.0 / rule.interval_days,
            "igf1_mean_ng_ml": daily["igf1_mean_ng_ml"].to_numpy(),
            "igf1_sds": daily["igf1_sds"].to_numpy(),
        },
        index=daily.index,
    )
    profile = None
    if regimen == "weekly":
        profile = weekly_sampling_profile(
            base, final, injection_time=injection_time, seed=seed, params=p, reference=ref
        )
    return TitrationResult(
        regimen=regimen,
        drug=rule.drug,
        subject=base.subject,
        target=(lo, hi),
        step_weeks=weeks,
        start_dose_mg=dose,
        max_dose_mg=top,
        steps=steps,
        trajectory=trajectory,
        final_dose_mg=final,
        reached_target=stop_reason == "in target",
        weeks_to_target=weeks_to_target,
        stop_reason=stop_reason,
        reference_name=ref.name,
        sources=(rule.source, lab.label),
        warnings=result.warnings,
        result=result,
        weekly_profile=profile,
    )


def weekly_sampling_profile(
    subject: Subject | Mapping[str, Any] | Scenario,
    dose_mg: float,
    *,
    weeks: int = 6,
    injection_time: str = "20:00",
    seed: int = 0,
    n_seeds: int = 1,
    params: ParameterSet | None = None,
    reference: IGF1Reference | None = None,
) -> WeeklyProfile:
    """IGF-1 SDS on each day after a weekly somapacitan injection, at steady state.

    The regimen runs for ``weeks`` weekly injections; the last dosing interval (from the last
    injection to 168 h later, when the next injection would be due) is analysed. A day-``k``
    sample is taken ``24 k`` hours after the injection.

    Parameters
    ----------
    subject : Subject, dict of subject fields, or Scenario
        The patient.
    dose_mg : float
        Weekly dose (mg, 0-20).
    weeks : int
        Number of weekly injections (2-52); 4 or more reach steady state.
    injection_time : str
        Injection clock time.
    seed, n_seeds : int
        Seeds ``seed .. seed + n_seeds - 1`` are simulated and their SDS curves averaged.
    params : ParameterSet, optional
        Model parameters.
    reference : IGF1Reference, optional
        IGF-1 reference for SDS.

    Returns
    -------
    WeeklyProfile

    Examples
    --------
    >>> w = weekly_sampling_profile({"age_years": 40, "gh_reserve": 0.1}, 2.0, seed=1)
    >>> w.best_day_for_peak in (1, 2, 3)
    True
    """
    if not 0.0 < dose_mg <= 20.0:
        raise InputError(f"dose_mg = {dose_mg:g} is out of range (allowed above 0, up to 20)")
    if not 2 <= weeks <= 52:
        raise InputError(f"weeks = {weeks} is out of range (allowed 2-52)")
    if not 1 <= n_seeds <= 100:
        raise InputError(f"n_seeds = {n_seeds} is out of range (allowed 1-100)")
    try:
        inj_h = clock_to_hours(injection_time)
    except ValueError as exc:
        raise InputError(f"injection_time: {exc}") from None
    base = _as_scenario(subject)
    ref = reference if reference is not None else default_reference()
    last = 7 * (weeks - 1)
    therapy = [
        {
            "drug": "somapacitan",
            "dose_mg": dose_mg,
            "every_days": 7,
            "time": injection_time,
            "start_day": 0,
            "end_day": last + 1,
        }
    ]
    seeds = tuple(range(seed, seed + n_seeds))
    scenarios = [
        base.replace(
            days=last + 9,
            seed=s,
            therapy=therapy,
            challenges=[],
            phases=[{**ph.model_dump(), "therapy": None} for ph in base.phases],
        )
        for s in seeds
    ]
    results = _simulate(scenarios, params=params, save_every_min=60, reference=ref)
    t0 = last * 24.0 + inj_h
    rel = np.arange(0.0, 168.0 + 1e-9, 1.0)
    subj = base.subject
    igf_curves, sds_curves = [], []
    for res in results:
        igf = np.interp(
            t0 + rel, res.timeseries["hours"].values, res.timeseries["igf1_total"].values
        )
        igf_curves.append(igf)
        sds_curves.append(np.asarray(ref.sds(igf, subj.age_years, subj.sex), dtype=float))
    igf_mean = np.mean(igf_curves, axis=0)
    sds = np.mean(sds_curves, axis=0)
    interval = sds[:-1]  # [0, 168) h: one full dosing interval
    weekly_mean = float(np.mean(interval))
    ipk = int(np.argmax(interval))
    peak = float(interval[ipk])
    day_idx = np.arange(8) * 24
    days = pd.DataFrame(
        {
            "hours_after_dose": rel[day_idx],
            "igf1_ng_ml": igf_mean[day_idx],
            "igf1_sds": sds[day_idx],
            "sds_minus_mean": sds[day_idx] - weekly_mean,
            "sds_minus_peak": sds[day_idx] - peak,
        },
        index=pd.Index(range(8), name="day"),
    )
    inner = days.loc[1:6]
    falling = days.loc[[k for k in range(1, 7) if 24.0 * k > rel[ipk]]]
    if falling.empty:  # pragma: no cover - the peak is always before day 6 for weekly GH
        falling = inner
    below = np.nonzero(interval[ipk:] <= weekly_mean)[0]
    crossing = float(rel[ipk + below[0]] / 24.0) if len(below) else float("nan")
    curve = pd.DataFrame(
        {"igf1_ng_ml": igf_mean, "igf1_sds": sds}, index=pd.Index(rel, name="hours_after_dose")
    )
    return WeeklyProfile(
        dose_mg=float(dose_mg),
        subject=subj,
        days=days,
        curve=curve,
        weekly_mean_sds=weekly_mean,
        peak_sds=peak,
        trough_sds=float(np.min(interval)),
        peak_day=float(rel[ipk] / 24.0),
        mean_crossing_day=crossing,
        best_day_for_mean=int(falling.index[int(np.argmin(falling["sds_minus_mean"].abs()))]),
        best_day_for_peak=int(inner.index[int(np.argmin(inner["sds_minus_peak"].abs()))]),
        seeds=seeds,
        reference_name=ref.name,
    )
