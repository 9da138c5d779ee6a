"""Pharmacokinetic summaries of exogenous GH (M12): Cmax, tmax, AUC, apparent half-life.

Label pharmacokinetics describe the **exogenous** drug, but plasma GH in a simulation is the
sum of the injected and the endogenous hormone. :func:`pk_summary` therefore works on the
exogenous component, obtained by one of four methods:

``"observed"``
    The simulated series as it is: plasma GH (``gh``) for somatropin, plasma somapacitan
    (``lagh``) for somapacitan. For somapacitan this is always exactly the exogenous drug (the
    model has a separate compartment for it). For somatropin it is exact only in a subject
    without pituitary GH (``gh_reserve = 0``); otherwise it includes endogenous pulses.
``"model"``
    The exogenous concentration rebuilt from the dose times with the model's own PK
    (``model/equations.py``), without the endogenous hormone. Pass the same ``params`` that
    produced the result.

    Somatropin: two serial first-order absorption steps (rate ``sc_ka``) with bioavailability
    ``sc_bioavailability`` feed one plasma compartment (volume ``gh_volume_l_per_kg`` x weight)
    from which GH is eliminated by a non-saturable route and a saturable, GH-receptor-mediated
    route [Shah1999]. A dose ``D`` given at ``t_j`` puts ``F D ka (t - t_j) exp(-ka (t - t_j))``
    into the transit compartment, which empties into plasma at rate ``ka``::

        dC/dt = sum_j F D_j ka² (t - t_j) exp(-ka (t - t_j)) / V  -  k_gh s(C) C
        s(C)  = 1 + ratio * km / (km + C)

    with ``ratio = gh_clearance_sat_ratio``, ``km = gh_clearance_km`` and
    ``k_gh = ln 2 / t½ / s(5 ng/mL)``, ``t½`` the subject's half-life at 5 ng/mL
    (:func:`~somatosim.model.covariates.gh_halflife_minutes`). Elimination is nonlinear, so the
    doses do not superpose: all injections are integrated together (LSODA through
    ``scipy.integrate.odeint``, relative tolerance 1e-10, restarted at each injection), on the
    time axis of the result. With
    ``gh_clearance_sat_ratio = 0`` this is the linear closed form
    ``C(t) = F D ka² / V * (exp(-ka t) (d t - 1) + exp(-ke t)) / d²``, ``ke = k_gh = ln 2 / t½``,
    ``d = ke - ka``, summed over the doses. The profile is the one the doses give on their own (as in a subject
    without pituitary GH); in a subject with endogenous GH, which occupies part of the
    saturable route, the injected GH is in fact cleared slightly more slowly.

    Somapacitan: first-order absorption (``lagh_ka``) into one compartment (``lagh_*``) with
    linear elimination, summed over the doses in closed form::

        C(t) = F D ka / (V (ka - ke)) * (exp(-ke t) - exp(-ka t))

    The only difference from the engine is its 1-minute step.
``"twin"`` (somatropin)
    Treated minus untreated: the scenario is simulated again without any therapy, with the
    same seed and parameters, and that GH series is subtracted. This is what a placebo-
    controlled study would estimate. It is biased low, because exogenous GH suppresses
    endogenous secretion through the feedback loops, and noisy, because the GHRH volleys of the
    two runs drift apart once their states differ.
``"auto"`` (default)
    ``"observed"`` for somapacitan and for somatropin in a subject with ``gh_reserve = 0``,
    ``"model"`` for somatropin otherwise.

For one injection the summary covers the dosing window from the injection to the next
injection of the same drug (or the end of the simulation, or one dosing interval, whichever
comes first):

- ``cmax_ng_ml`` and ``tmax_h`` (hours after the injection);
- ``auc_ng_h_ml``: trapezoidal AUC over the window (AUC over the dosing interval at steady
  state);
- ``half_life_h``: the apparent (terminal) half-life, ``ln 2 / lambda_z``, where ``lambda_z``
  is the slope of a least-squares line through ``ln C`` over the samples after ``tmax`` with
  ``C <= Cmax / 2`` (and above ``Cmax / 1000``), as in non-compartmental analysis; after
  subcutaneous somatropin this is the absorption-limited ("flip-flop") half-life of the label;
- ``auc_inf_ng_h_ml = auc + C_last / lambda_z``;
- ``bioavailability``: the amount the model's intravenous kinetics eliminate from the profile,
  over the dose: ``integral of CL(C) C dt / dose`` from the injection to infinity, the part
  after the window extrapolated along the terminal slope. For somapacitan ``CL`` is constant
  and this is ``AUC_inf x CL / dose``; for somatropin ``CL(C) = V k_gh s(C)`` falls as the
  concentration rises (see ``"model"``), and the integral is the nonlinear counterpart of
  ``AUC_inf x CL``. Applied to the exact exogenous profile of a single dose it returns
  ``sc_bioavailability`` (up to the terminal extrapolation).

Sources: somatropin label (Cmax 13-35 ng/mL at 3-6 h after 0.035 mg/kg sc, sc apparent
half-life 2-3 h, 70-90 % bioavailable; ``published_results.md`` rows 8.4-8.8), somapacitan
label (tmax 8-25.5 h; ``model_sources.md`` section 1.7).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.integrate import odeint

from somatosim.clinical.reference import IGF1Reference
from somatosim.errors import InputError, SimulationError
from somatosim.model.covariates import gh_nonsaturable_rate
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.scenario.schema import Scenario, Subject, clock_to_hours

if TYPE_CHECKING:
    from somatosim.engine.result import Result
    from somatosim.engine.simulate import RawRun

__all__ = [
    "DRUGS",
    "PK_METHODS",
    "Injection",
    "PKSummary",
    "exogenous_concentration",
    "injections",
    "pk_summary",
    "with_pk_summary",
]

FloatArray = npt.NDArray[np.float64]
Drug = Literal["somatropin", "somapacitan"]
Method = Literal["auto", "observed", "model", "twin"]

DRUGS: tuple[str, ...] = ("somatropin", "somapacitan")
"""Drugs of :class:`somatosim.scenario.Therapy`."""

PK_METHODS: tuple[str, ...] = ("auto", "observed", "model", "twin")
"""Ways of obtaining the exogenous concentration (see the module docstring)."""

_SERIES = {"somatropin": "gh", "somapacitan": "lagh"}
_TERMINAL_FROM = 0.5  # terminal phase: samples after tmax at or below Cmax / 2
_TERMINAL_FLOOR = 1e-3  # ... and above Cmax / 1000
_MIN_TERMINAL_POINTS = 3
_ODE_RTOL = 1e-10  # somatropin "model" reconstruction (LSODA, scipy odeint)
_ODE_ATOL = 1e-12  # ng/mL


@dataclass(frozen=True, slots=True)
class Injection:
    """One injection actually given during a simulation."""

    drug: str
    dose_mg: float
    hours: float  # hours since day 0, 00:00
    interval_days: int


@dataclass(frozen=True, slots=True)
class PKSummary:
    """Pharmacokinetic summary of one injection (exogenous drug only).

    Attributes
    ----------
    drug : str
        ``somatropin`` or ``somapacitan``.
    dose_mg : float
        Injected dose (mg).
    dose_index : int
        Index of the injection among those of this drug (0 = first).
    injection_hours : float
        Time of the injection, hours since day 0, 00:00.
    method : str
        How the exogenous concentration was obtained (``observed``, ``model`` or ``twin``).
    window_h : float
        Length of the dosing window analysed (hours).
    complete : bool
        Whether the window covers the whole dosing interval (False when the simulation ends
        earlier; the summary then describes a truncated profile).
    cmax_ng_ml, tmax_h, auc_ng_h_ml, auc_inf_ng_h_ml, half_life_h, bioavailability : float
        See the module docstring; ``nan`` when not estimable (e.g. no terminal phase).
    n_terminal : int
        Number of samples in the terminal-phase regression.
    """

    drug: str
    dose_mg: float
    dose_index: int
    injection_hours: float
    method: str
    window_h: float
    complete: bool
    cmax_ng_ml: float
    tmax_h: float
    auc_ng_h_ml: float
    auc_inf_ng_h_ml: float
    half_life_h: float
    bioavailability: float
    n_terminal: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary (``nan`` becomes ``None``)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
        return out


# --------------------------------------------------------------------------------------------
# injections and the exogenous concentration
# --------------------------------------------------------------------------------------------
def injections(scenario: Scenario, drug: str | None = None) -> list[Injection]:
    """Injections given during the simulated days (phases applied), in time order.

    Parameters
    ----------
    scenario : Scenario
        The scenario that was simulated.
    drug : str, optional
        Keep only this drug.

    Returns
    -------
    list of Injection
    """
    out: list[Injection] = []
    for day in range(scenario.days):
        for t in scenario.therapy_on(day):
            if t.dose_mg <= 0 or (drug is not None and t.drug != drug):
                continue
            minute = round(clock_to_hours(t.time) * 60.0)  # as the drivers round it
            out.append(
                Injection(t.drug, float(t.dose_mg), day * 24.0 + minute / 60.0, t.interval_days)
            )
    out.sort(key=lambda i: i.hours)
    return out


def _check_drug(drug: str) -> Drug:
    if drug not in DRUGS:
        raise InputError(f"drug = {drug!r} is not allowed; allowed: {', '.join(DRUGS)}")
    return drug  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class _GHKinetics:
    """Somatropin PK of one subject, as the engine uses it (``model/covariates.py``)."""

    ka: float  # 1/h, each of the two sc absorption steps
    bioavailability: float
    volume_l: float
    k_gh: float  # 1/h, non-saturable route: elimination rate = k_gh * s(C)
    sat_ratio: float
    km: float  # ng/mL

    def saturable_factor(self, c: FloatArray) -> FloatArray:
        """``s(C) = 1 + ratio * km / (km + C)`` (negative C counts as 0, as in the engine)."""
        return 1.0 + self.sat_ratio * self.km / (self.km + np.maximum(c, 0.0))


def _gh_kinetics(p: ParameterSet, subject: Subject) -> _GHKinetics:
    return _GHKinetics(
        ka=p["sc_ka"],
        bioavailability=p["sc_bioavailability"],
        volume_l=p["gh_volume_l_per_kg"] * subject.weight,
        k_gh=gh_nonsaturable_rate(p, subject.weight, subject.height),
        sat_ratio=p["gh_clearance_sat_ratio"],
        km=p["gh_clearance_km"],
    )


def _somatropin_profile(
    hours: FloatArray, doses: Sequence[Injection], kin: _GHKinetics
) -> FloatArray:
    """Exogenous plasma GH (ng/mL) of all somatropin ``doses`` at ``hours`` (nonlinear ODE).

    Between two injections the input from the transit compartment is
    ``exp(-ka u) (a u + b)`` with ``u`` the time since the segment start and ``a``, ``b`` sums
    over the doses given so far, so each segment is one call of the integrator with a smooth
    right-hand side; the concentration is carried over from one segment to the next.
    """
    conc = np.zeros_like(hours)
    if len(hours) == 0 or not doses:
        return conc
    by_time: dict[float, float] = {}
    for inj in doses:
        by_time[inj.hours] = by_time.get(inj.hours, 0.0) + inj.dose_mg * 1000.0  # µg
    times = np.array(sorted(by_time), dtype=float)
    # input rate per dose, ng/mL/h per hour since the dose (µg/L = ng/mL)
    coef = np.array([by_time[t] for t in times]) * (
        kin.bioavailability * kin.ka * kin.ka / kin.volume_l
    )
    ka, k_gh, ratio, km = kin.ka, kin.k_gh, kin.sat_ratio, kin.km
    end = float(hours[-1])
    y = 0.0
    for i, start in enumerate(times.tolist()):
        if start >= end:
            break
        stop = min(float(times[i + 1]), end) if i + 1 < len(times) else end
        ago = start - times[: i + 1]
        w = coef[: i + 1] * np.exp(-ka * ago)
        a, b = float(np.sum(w)), float(np.sum(w * ago))

        def rhs(t: float, z: FloatArray, a: float = a, b: float = b, t0: float = start) -> float:
            u = t - t0
            c = float(z[0])
            sat = 1.0 + ratio * km / (km + max(c, 0.0))
            return math.exp(-ka * u) * (a * u + b) - k_gh * sat * c

        conc[hours == start] = y
        inside = (hours > start) & (hours < stop)
        t_out = np.concatenate(([start], hours[inside], [stop]))
        sol, info = odeint(
            rhs, y, t_out, tfirst=True, rtol=_ODE_RTOL, atol=_ODE_ATOL, full_output=True
        )
        if info["message"] != "Integration successful.":  # pragma: no cover - smooth scalar ODE
            raise SimulationError(f"somatropin PK reconstruction failed: {info['message']}")
        conc[inside] = sol[1:-1, 0]
        y = float(sol[-1, 0])
    conc[-1] = y
    return np.maximum(conc, 0.0)


def _somapacitan_profile(
    dose_mg: float, t: FloatArray, p: ParameterSet, subject: Subject
) -> FloatArray:
    """Plasma somapacitan (ng/mL) of one dose at times ``t`` (h after the injection)."""
    tt = np.maximum(t, 0.0)
    ka = p["lagh_ka"]
    ke = math.log(2.0) / p["lagh_halflife_h"]
    vol = p["lagh_volume_l_per_kg"] * subject.weight
    amount = dose_mg * 1000.0 * p["lagh_bioavailability"]  # µg; µg/L = ng/mL
    if abs(ka - ke) < 1e-9:
        c = amount * ka / vol * tt * np.exp(-ka * tt)
    else:
        c = amount * ka / (vol * (ka - ke)) * (np.exp(-ke * tt) - np.exp(-ka * tt))
    return np.where(t >= 0.0, np.maximum(c, 0.0), 0.0)


def _eliminated_ug(
    drug: Drug, t: FloatArray, c: FloatArray, half_life_h: float, p: ParameterSet, subject: Subject
) -> float:
    """Amount (µg) the model's iv kinetics eliminate from a profile, ``∫ CL(C) C dt``.

    The window part is trapezoidal; after the window ``C = C_last exp(-lambda_z t)`` is
    integrated exactly: ``∫ C dt = C_last / lambda_z`` and, for the saturable route of
    somatropin, ``∫ km C / (km + C) dt = km ln(1 + C_last / km) / lambda_z``.
    """
    if len(t) < 2 or not math.isfinite(half_life_h):
        return float("nan")
    lam = math.log(2.0) / half_life_h
    c_last = float(c[-1])
    if drug == "somapacitan":
        cl = math.log(2.0) / p["lagh_halflife_h"] * p["lagh_volume_l_per_kg"] * subject.weight
        return cl * (float(np.trapezoid(c, t)) + c_last / lam)
    kin = _gh_kinetics(p, subject)
    window = float(np.trapezoid(kin.saturable_factor(c) * c, t))
    tail = (c_last + kin.sat_ratio * kin.km * math.log1p(max(c_last, 0.0) / kin.km)) / lam
    return kin.volume_l * kin.k_gh * (window + tail)


def _resolve_method(result: Result, drug: Drug, method: str) -> str:
    if method not in PK_METHODS:
        raise InputError(f"method = {method!r} is not allowed; allowed: {', '.join(PK_METHODS)}")
    if method == "auto":
        if drug == "somapacitan" or result.scenario.subject.gh_reserve == 0.0:
            return "observed"
        return "model"
    if method == "twin" and drug == "somapacitan":
        return "observed"  # plasma somapacitan has no endogenous part: the twin adds nothing
    return method


def exogenous_concentration(
    result: Result,
    drug: str = "somatropin",
    *,
    method: str = "auto",
    params: ParameterSet | None = None,
) -> tuple[FloatArray, FloatArray, str]:
    """Exogenous drug concentration on the time axis of ``result.timeseries``.

    Parameters
    ----------
    result : Result
        A simulation with therapy.
    drug : str
        ``somatropin`` (plasma GH, ng/mL) or ``somapacitan`` (plasma somapacitan, ng/mL).
    method : str
        ``auto``, ``observed``, ``model`` or ``twin`` (see the module docstring).
    params : ParameterSet, optional
        The parameters of the simulation (default: the shipped set); used by ``model`` and
        ``twin``.

    Returns
    -------
    hours, concentration, method
        Time axis (hours since day 0, 00:00), concentration (ng/mL) and the method used.
    """
    d = _check_drug(drug)
    used = _resolve_method(result, d, method)
    p = params if params is not None else default_parameters()
    hours = np.asarray(result.timeseries["hours"].values, dtype=float)
    if used == "observed":
        return hours, np.asarray(result.timeseries[_SERIES[d]].values, dtype=float), used
    if used == "model":
        subject = result.scenario.subject
        doses = injections(result.scenario, d)
        if d == "somatropin":
            return hours, _somatropin_profile(hours, doses, _gh_kinetics(p, subject)), used
        conc = np.zeros_like(hours)
        for inj in doses:
            conc += _somapacitan_profile(inj.dose_mg, hours - inj.hours, p, subject)
        return hours, conc, used
    # twin: the same scenario without any therapy, same seed and parameters
    sc = result.scenario
    twin = sc.replace(therapy=[], phases=[{**ph.model_dump(), "therapy": None} for ph in sc.phases])
    every = int(result.timeseries.attrs.get("save_every_min", 5))
    (untreated,) = _simulate([twin], params=p, save_every_min=every)
    base = np.asarray(untreated.timeseries["gh"].values, dtype=float)
    treated = np.asarray(result.timeseries["gh"].values, dtype=float)
    return hours, treated - base, used


# --------------------------------------------------------------------------------------------
# the summary
# --------------------------------------------------------------------------------------------
def _window(all_inj: Sequence[Injection], i: int, end_h: float) -> tuple[float, float, bool]:
    inj = all_inj[i]
    nominal = inj.hours + 24.0 * inj.interval_days
    nxt = all_inj[i + 1].hours if i + 1 < len(all_inj) else math.inf
    stop = min(nominal, nxt, end_h)
    complete = stop >= min(nominal, nxt) - 1e-9
    return inj.hours, stop, complete


def _summarize(t: FloatArray, c: FloatArray) -> tuple[float, float, float, float, float, int]:
    """Cmax, tmax, AUC, AUC_inf, half-life and terminal points of one window (t from 0)."""
    if len(t) < 2 or not np.all(np.isfinite(c)):
        nan = float("nan")
        return nan, nan, nan, nan, nan, 0
    imax = int(np.argmax(c))
    cmax, tmax = float(c[imax]), float(t[imax])
    auc = float(np.trapezoid(c, t))
    after = np.arange(len(t)) > imax
    sel = after & (c <= _TERMINAL_FROM * cmax) & (c > _TERMINAL_FLOOR * cmax) & (c > 0.0)
    n = int(np.sum(sel))
    half, auc_inf = float("nan"), float("nan")
    if cmax > 0.0 and n >= _MIN_TERMINAL_POINTS:
        slope = float(np.polyfit(t[sel], np.log(c[sel]), 1)[0])
        if slope < 0.0:
            lam = -slope
            half = math.log(2.0) / lam
            auc_inf = auc + float(c[-1]) / lam
    return cmax, tmax, auc, auc_inf, half, n


def pk_summary(
    result: Result,
    *,
    drug: str | None = None,
    dose_index: int = 0,
    method: str = "auto",
    params: ParameterSet | None = None,
) -> PKSummary:
    """Pharmacokinetic summary of one injection in a simulation.

    Parameters
    ----------
    result : Result
        A simulation with at least one injection of ``drug``.
    drug : str, optional
        ``somatropin`` or ``somapacitan``; may be left out when the scenario uses one drug.
    dose_index : int
        Which injection of that drug (0 = first, -1 = last; Python indexing).
    method : str
        ``auto`` (default), ``observed``, ``model`` or ``twin``: how the exogenous
        concentration is obtained (see the module docstring).
    params : ParameterSet, optional
        The parameters of the simulation (default: the shipped set).

    Returns
    -------
    PKSummary

    Raises
    ------
    InputError
        No injection of the drug, or ``dose_index`` out of range.

    Examples
    --------
    >>> from somatosim import simulate
    >>> r = simulate({"days": 2, "subject": {"gh_reserve": 0.0},
    ...               "therapy": [{"drug": "somatropin", "dose_mg": 2.7, "every_days": 7,
    ...                            "time": "08:00"}]}, seed=1)
    >>> s = pk_summary(r)
    >>> 3.0 <= s.tmax_h <= 6.0 and 13.0 <= s.cmax_ng_ml <= 35.0
    True
    """
    used_drugs = sorted({i.drug for i in injections(result.scenario)})
    if drug is None:
        if len(used_drugs) != 1:
            found = ", ".join(used_drugs) if used_drugs else "none"
            raise InputError(
                f"give drug= (somatropin or somapacitan); drugs injected in this simulation: "
                f"{found}"
            )
        drug = used_drugs[0]
    d = _check_drug(drug)
    all_inj = injections(result.scenario, d)
    if not all_inj:
        raise InputError(
            f"no {d} injection was given during the {result.scenario.days} simulated days; "
            "add a therapy entry with a dose above 0"
        )
    n = len(all_inj)
    if not -n <= dose_index < n:
        raise InputError(
            f"dose_index = {dose_index} is out of range; allowed {-n} to {n - 1} "
            f"({n} {d} injections)"
        )
    hours, conc, used = exogenous_concentration(result, d, method=method, params=params)
    p = params if params is not None else default_parameters()
    return _dose_summary(result, d, all_inj, dose_index % n, hours, conc, used, p)


def _dose_summary(
    result: Result,
    drug: Drug,
    all_inj: Sequence[Injection],
    i: int,
    hours: FloatArray,
    conc: FloatArray,
    used: str,
    p: ParameterSet,
) -> PKSummary:
    """Summary of injection ``i`` from the exogenous concentration of the whole simulation."""
    step_h = float(hours[1] - hours[0]) if len(hours) > 1 else 1.0 / 60.0
    start, stop, complete = _window(all_inj, i, float(hours[-1]) + step_h)
    sel = (hours >= start - 1e-9) & (hours <= stop + 1e-9)
    t = hours[sel] - start
    cmax, tmax, auc, auc_inf, half, n_term = _summarize(t, conc[sel])
    eliminated = _eliminated_ug(drug, t, conc[sel], half, p, result.scenario.subject)
    return PKSummary(
        drug=drug,
        dose_mg=all_inj[i].dose_mg,
        dose_index=i,
        injection_hours=start,
        method=used,
        window_h=float(stop - start),
        complete=complete,
        cmax_ng_ml=cmax,
        tmax_h=tmax,
        auc_ng_h_ml=auc,
        auc_inf_ng_h_ml=auc_inf,
        half_life_h=half,
        bioavailability=eliminated / (all_inj[i].dose_mg * 1000.0),
        n_terminal=n_term,
    )


def with_pk_summary(
    result: Result, *, method: str = "auto", params: ParameterSet | None = None
) -> Result:
    """Return ``result`` with PK summaries added to ``result.summary["pk"]``.

    For each drug injected, the summary holds ``first_dose`` and ``last_dose``: the
    :meth:`PKSummary.as_dict` of the first injection and of the last injection whose dosing
    window the simulation covers completely (steady state in a long regimen). A simulation
    without therapy gets ``summary["pk"] = {}``.

    Parameters
    ----------
    result : Result
        A finished simulation.
    method : str
        Passed to :func:`pk_summary`.
    params : ParameterSet, optional
        The parameters of the simulation.

    Returns
    -------
    Result
        A new result; the input is not changed.
    """
    pk: dict[str, dict[str, Any]] = {}
    p = params if params is not None else default_parameters()
    grid = np.asarray(result.timeseries["hours"].values, dtype=float)
    step_h = float(grid[1] - grid[0]) if len(grid) > 1 else 1.0 / 60.0
    end_h = float(grid[-1]) + step_h if len(grid) else 0.0
    for drug in DRUGS:
        all_inj = injections(result.scenario, drug)
        if not all_inj:
            continue
        complete = [i for i in range(len(all_inj)) if _window(all_inj, i, end_h)[2]]
        last = complete[-1] if complete else len(all_inj) - 1
        d = _check_drug(drug)
        # one reconstruction of the exogenous series serves both summaries
        hours, conc, used = exogenous_concentration(result, d, method=method, params=p)
        first = _dose_summary(result, d, all_inj, 0, hours, conc, used, p)
        entry: dict[str, Any] = {"first_dose": first.as_dict()}
        if last == 0:
            entry["last_dose"] = entry["first_dose"]
        else:
            entry["last_dose"] = _dose_summary(
                result, d, all_inj, last, hours, conc, used, p
            ).as_dict()
        pk[drug] = entry
    summary = {**result.summary, "pk": pk}
    return result.replace(summary=summary)


# --------------------------------------------------------------------------------------------
# simulation helpers shared by the clinical modules (the engine, without the top-level API)
# --------------------------------------------------------------------------------------------
def _finish(
    results: Sequence[tuple[RawRun, Scenario]], reference: IGF1Reference | None
) -> list[Result]:
    """Results with IGF-1 SDS and safety warnings, as :func:`somatosim.simulate` returns."""
    from somatosim.clinical.interpret import interpret
    from somatosim.engine.build import build_result

    return [interpret(build_result(run, sc), reference) for run, sc in results]


def _simulate(
    scenarios: Sequence[Scenario],
    *,
    params: ParameterSet | None = None,
    save_every_min: int = 5,
    reference: IGF1Reference | None = None,
) -> list[Result]:
    """Simulate scenarios with their own seeds (one engine batch per horizon)."""
    from somatosim.engine.simulate import run_batch

    p = params if params is not None else default_parameters()
    out: list[Result | None] = [None] * len(scenarios)
    by_days: dict[int, list[int]] = {}
    for i, s in enumerate(scenarios):
        by_days.setdefault(s.days, []).append(i)
    for idx in by_days.values():
        batch = [scenarios[i] for i in idx]
        runs = run_batch(batch, [s.seed for s in batch], params=p, save_every_min=save_every_min)
        for i, res in zip(
            idx, _finish(list(zip(runs, batch, strict=True)), reference), strict=True
        ):
            out[i] = res
    return [r for r in out if r is not None]


def _as_scenario(subject: Any, **changes: Any) -> Scenario:
    """A scenario from a Subject, a mapping of subject fields or a Scenario."""
    from pydantic import ValidationError

    from somatosim.scenario.schema import Subject

    try:
        if isinstance(subject, Scenario):
            base = subject
        elif isinstance(subject, Subject):
            base = Scenario(subject=subject)
        elif isinstance(subject, Mapping):
            base = Scenario(subject=Subject.model_validate(dict(subject)))
        else:
            raise TypeError(type(subject).__name__)
        return base.replace(**changes) if changes else base
    except ValidationError as exc:
        from somatosim.scenario.io import format_validation_error

        raise InputError(format_validation_error(exc, "subject")) from None
    except TypeError as exc:
        raise InputError(
            f"subject must be a Subject, a dict of subject fields or a Scenario, not {exc}"
        ) from None
