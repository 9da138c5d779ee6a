"""Run every validation case and write the report (HTML with figures, and JSON).

:func:`run_validation` runs the cases (optionally from an on-disk cache keyed by the case, the
parameter values, the seed offset and a hash of the somatosim source), and
:func:`write_report` writes ``validation.json`` (``cases``, ``passed``, ``failed``,
``pass_fraction`` and one record per case) and ``validation.html`` with the overlay figures.
Every failing case carries its reason: the case's ``expected_failure_reason`` when it is a
known model limitation, conflicting sources or an assay issue, else the diagnosis in
:data:`DIAGNOSES`, else the direction of the miss and the parameters that inform the case.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from somatosim._version import __version__
from somatosim.calibration._runner import seed_offset
from somatosim.calibration.cases import CASES, SECTIONS, ValidationCase
from somatosim.calibration.constraints import Constraint, constraint_residuals
from somatosim.calibration.fit import calibration_provenance
from somatosim.calibration.population import (
    CHECK_SUBJECTS,
    PERCENTILE_TOLERANCE,
    PERCENTILES,
    cells_off,
)
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.scenario.io import atomic_write_text

__all__ = [
    "DIAGNOSES",
    "CaseResult",
    "ValidationReport",
    "run_validation",
    "source_hash",
    "write_report",
]

PASS_FRACTION_TARGET = 0.9
"""Issue 3: at least 90 % of the cases pass."""

DIAGNOSES: dict[str, str] = {
    "1.4-median-m20": "levels: the virtual population's IGF-1 is ~25 % below LIFE at all ages "
    "(realistic BMI, 7.4 h sleep and 1.1 g/kg protein lower it); raise igf_emax (or lower "
    "k_igf_ternary) and steepen the 20-30 y fall (sws_age_half)",
    "1.4-median-m50": "as 1.4-median-m20 (level of hepatic IGF-1 output: igf_emax)",
    "1.4-median-m80": "as 1.4-median-m20; the model's age decline after 50 y is too steep in "
    "the population (hep_age_decline_per_decade, age_decline_per_decade)",
    "1.5-median-f20": "as 1.4-median-m20",
    "1.5-median-f50": "as 1.4-median-m20 (plus female_hep_factor)",
    "1.5-median-f80": "as 1.4-median-m20",
    "9.10-sex-ratio-70": "sex gap after menopause: female_hep_factor_post (hepatic "
    "responsiveness) against female_capacity_factor_post (GH capacity); LIFE F/M 0.88 at 70 y",
    "2.3-range": "model limitation: between-subject GH variability comes only from body fat, "
    "age and three random effects; no testosterone, visceral fat or insulin (row 2.3/2.10); "
    "a stronger fat_capacity_slope would widen it",
    "2.5-no-sex-difference-old": "postmenopausal women's GH too high against men's: their "
    "lower IGF-1 (female_hep_factor_post) lifts GH through the feedback unless their GH "
    "capacity is lower than men's (female_capacity_factor_post)",
    "2.7-integrated-gh": "at the lower edge of its interval: men's 24-h GH concentration is "
    "slightly low (as 9.1-men-integrated-gh): pool_capacity, ghrh_rate",
    "2.7-max-amplitude": "conflicting sources (with 2.7-integrated-gh and 3.1): the same men's "
    "integrated GH means 2.0 ng/mL over 24 h; if 60-70 % of it is secreted in the first 4 h of "
    "sleep (row 3.1), GH averages about 7-8 ng/mL over those hours, so a highest 20-min sample "
    "below 8.7 ng/mL needs a flat, pulseless sleep plateau; the 1988 RIA also read a high "
    "baseline (assay issue)",
    "2.7-pulses": "too many detectable pulses (bursts not grouped in volleys as in Hartman "
    "1992: 14 bursts in ~6 volleys); GHRH volleys too regular (ghrh_regularity) or GH "
    "autofeedback too weak to impose quiescence (sst_gh_gain, gh_feedback_delay_h)",
    "3.1-early-sleep-share": "model limitation: 50-55 % of the day's GH is secreted in the "
    "first 4 h of sleep. A stronger slow-wave drive raises it, but the whole night then "
    "holds more than 80 % of young men's daily secretion (the issue-2 behaviour test; "
    "sws_ghrh_rate_gain 2.5 already gives 0.78), and lowering daytime drive takes men's "
    "24-h GH (9.1) out of range. The rest comes from the later sleep cycles, where "
    "somatostatin stays at its sleeping level (wake_sst_increase) without slow-wave sleep; "
    "the model has no REM-specific inhibition of GH release",
    "3.2-sleep-onset-pulse": "at the lower edge of its interval: the sleep-onset burst is too "
    "small a share of 24-h secretion (sws_ghrh_rate_gain, sws_ghrh_amp_gain), as "
    "3.1-early-sleep-share",
    "4.4-fast-10d": "fasting fall too small: the gate floor (gate_min) is held up by the "
    "low-protein cases (a lower floor fails 5.2-vegan-women), and IGFBP-3 falls less than "
    "IGF-1 in fasting (bp3_gate_exponent), which slows ternary clearance; k_igf_other",
    "4.6-protein-cut-in-cr": "protein effect slightly too steep near 1 g/kg (protein_half)",
    "5.5-fast-5d": "at the edge of its interval (verdict seed-sensitive): the 5-day fasting "
    "fall is too small, as 4.4-fast-10d (gate_min)",
    "5.2-vegan-women": "at the lower edge: protein/EAA effect slightly too steep "
    "(protein_half, neaa_weight)",
    "7.2-above-threshold": "acute GH response to 10 min above the lactate threshold too small: "
    "the calibration lowered ex_stim_gain to bring the untrained integrated GH of row 7.3 and "
    "the resistance session of row 7.5 into range, and one exercise gain cannot serve both "
    "(ex_stim_gain, ex_sst_withdrawal, ex_ghrh_gain)",
    "7.5-session-gh": "acute resistance-exercise GH at the upper edge: resist_stim_scale",
    "6.8-vitamin-d-ratio": "vitamin D raises IGFBP-3 synthesis too little for the "
    "IGF-1:IGFBP-3 ratio to fall (vitd_bp3_gain, kept small by the modest IGF-1 fall in "
    "deficiency)",
    "7.7-rt-older": "conflicting sources: the meta-analysis of row 7.8 (+17 ng/mL in the "
    "elderly) and Borst 2001 (+20 %) vs the null results of rows 7.5, 7.7 and 7.10; the model "
    "sits between them (+10.3 to +11.0 % on six seed sets of 256, against at most +10 %). "
    "Its rise comes mostly from the exercise GH bursts: resist_stim_scale 0.4 (from 0.5) "
    "brings it to +9.6 to +10.2 % but takes 7.9-frail-resistance-smd to its bound (0.236 "
    "against at least 0.233), while resist_igf_gain 0.25 (from 0.30) leaves it at +11 %",
    "7.10-young-women-8wk": "as 7.7-rt-older (conflicting training studies); the aerobic/"
    "combined arms also lower the gate through their energy cost (aer_strain_gain)",
    "9.1-women-integrated-gh": "conflicting sources: Weltman's women (early follicular phase, "
    "which the model does not represent) integrated less GH than his men (2,350 against "
    "3,110), while Ho 1987 (row 9.2) and the behaviour test of issue 2 need women to secrete "
    "more than 1.1 times as much as men (female_ghrh_potency, female_sst_gh_factor, "
    "female_regularity_factor)",
    "9.1-men-integrated-gh": "men's 24-h GH concentration too low with the current pituitary "
    "values (pool_capacity, ghrh_rate) or too short a half-life / large volume",
    "4.9-fast-morning-gh": "the morning GH rise after a 24-h fast is too small: ghrelin rises "
    "too slowly (ghrelin_tau_h) or acts too weakly (ghrelin_ghrh_gain, ghrelin_release_gain); "
    "low morning GH clears faster than pulses (gh_clearance_sat_ratio), which widens the "
    "fed/fasted contrast",
    "5.3-whey-rct": "protein effect in energy balance too strong: protein_floor (the share of "
    "the fed gate energy alone sustains) and protein_half; the Fontana 2008 contrast of case "
    "4.6 is in a calorie deficit (protein_energy_sparing)",
    "5.3-milk-free-igf1": "free IGF-1 does not rise when protein raises total IGF-1: IGFBP-3 "
    "rises with it (when bp3_gate_exponent is near 1; a weaker gate on IGFBP-3 lets free "
    "IGF-1 rise but slows the fasting falls of 4.4 and 5.5) and the free IGF-1 feedback lowers GH; "
    "free_ratio_exponent",
    "5.5-eaa-recovery": "refeeding with 0.48 g/kg/d at 35 kcal/kg recovers too little: the "
    "protein term dominates at low intake while energy-replete low-protein refeeding restores "
    "most of the fall (protein_floor, protein_half)",
    "5.5-eaa-vs-neaa": "as 5.5-eaa-recovery: neaa_weight, protein_floor and protein_half",
    "6.3-magnesium-slope": "magnesium acts only below mg_ref 0.85 mmol/L (2.07 mg/dL), so the "
    "cross-sectional slope over 1.7-2.3 mg/dL is halved; raise mg_slope or mg_ref",
    "7.3-training-attenuation": "training attenuation too strong together with the lower "
    "relative intensity after the LT rise: ex_training_attenuation",
    "7.6-rt-middle-aged": "conflicting sources: the null results in young adults (rows 7.5, "
    "20-y men, 12 weeks; 7.10, young women, 8 weeks) hold the training gain low; in the model "
    "the extra hepatic IGF-1 mostly raises free IGF-1, whose feedback lowers GH and with it "
    "IGFBP-3, so total IGF-1 rises about 5 %; letting IGFBP-3 follow the gain passes this "
    "case but fails 7.5, 7.10 and 7.9-frail-resistance-smd",
    "7.12-mgf-5wk": "local muscle IGF-1 rises far less than MGF mRNA: muscle_load_gain (and "
    "mRNA vs protein: a model limitation for the magnitude)",
    "8.8-mean-gh-0.2mg": "exposure per SC dose too high at this physiological dose in women: "
    "GH clearance at concentrations below 1 ng/mL (gh_clearance_sat_ratio, gh_clearance_km, "
    "gh_halflife_min) or sc_bioavailability",
    "8.8-peak-gh-0.2mg": "as 8.8-mean-gh-0.2mg",
    "8.8-physiological-dose": "conflicting sources (assay): by the paper's own numbers 1.2 IU "
    "gives a 24-h mean of about 1.9 mU/L (0.63 ng/mL at 3 mU/µg) and matches its healthy "
    "women, while row 9.1 (2,350 µg/L·min) means 1.6 ng/mL in eumenorrheic women; the model "
    "passes row 9.1 and this paper's 0.2-mg exposure (8.8-mean-gh-0.2mg), so healthy women's "
    "GH is more than twice the GH of 0.4 mg in GH deficiency",
    "8.10-day4-mean": "at this fixed 4.5 mg/week (0.06 mg/kg) the weekly swing is wider than "
    "at titrated doses (2.5-3 mg/week, where day 4 is within 0.2 SDS of the mean for 40-y "
    "adults): IGF-1 falls back through the weekly mean on day ~4.5; IGF-1 clearance in treated "
    "GH deficiency (k_igf_ternary) and the hepatic signal (k_hep). A somapacitan half-life "
    "of about 30 h passes it, but then titration needs 6-7 mg/week for a 40-y man "
    "(lagh_halflife_h, lagh_potency)",
    "9.6-ert-peaks": "model limitation: oral estrogen acts only on hepatic GH responsiveness; "
    "the central estrogen action on GHRH/somatostatin (more, irregular pulses) is not "
    "modelled",
}
"""Diagnosis of cases failing with the current parameters (guides calibration)."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    """Outcome of one case."""

    id: str
    section: str
    section_title: str
    row: str
    source: str
    protocol: str
    observable: str
    published: float
    published_text: str
    unit: str
    comparison: str
    lower: float
    upper: float
    tolerance: float
    tolerance_source: str
    model: float
    passed: bool
    verdict: str
    reason: str
    expected_failure: bool
    seconds: float
    confidence: str = "V"
    informs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-safe record (infinite bounds become null)."""
        d = asdict(self)
        for k in ("lower", "upper", "model", "published", "tolerance"):
            v = d[k]
            d[k] = v if isinstance(v, float) and math.isfinite(v) else None
        d["informs"] = list(self.informs)
        return d


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """All case results of one validation run."""

    results: tuple[CaseResult, ...]
    parameters: dict[str, float]
    seconds: float
    somatosim_version: str = __version__
    seed_offset: int = 0
    stability: dict[str, bool] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    constraints: tuple[dict[str, Any], ...] = ()

    @property
    def passed(self) -> int:
        """Number of passing cases."""
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        """Number of failing cases."""
        return len(self.results) - self.passed

    @property
    def pass_fraction(self) -> float:
        """Passing share of all cases."""
        return self.passed / len(self.results) if self.results else float("nan")

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report."""
        return {
            "cases": len(self.results),
            "passed": self.passed,
            "failed": self.failed,
            "pass_fraction": self.pass_fraction,
            "target_pass_fraction": PASS_FRACTION_TARGET,
            "somatosim_version": self.somatosim_version,
            "seed_offset": self.seed_offset,
            "seconds": round(self.seconds, 2),
            "failing": [r.id for r in self.results if not r.passed],
            "stability": self.stability,
            "calibration": self.calibration,
            "constraints": list(self.constraints),
            "parameters": self.parameters,
            "records": [r.to_json() for r in self.results],
        }


def source_hash() -> str:
    """Hash of the somatosim source files (a cache key part: code changes invalidate it)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    for path in sorted((root / "data").glob("*")):
        if path.suffix in {".csv"}:
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _why(case: ValidationCase, value: float) -> str:
    if case.expected_failure_reason:
        return case.expected_failure_reason
    if case.id in DIAGNOSES:
        return DIAGNOSES[case.id]
    if not math.isfinite(value):
        return "the observable is undefined for this model output"
    _lo, hi = case.bounds
    side = "above" if value > hi else "below"
    inf = ", ".join(case.informs) or "no declared parameters"
    return f"model value {side} the interval; parameters informing it: {inf}"


def _evaluate(case: ValidationCase, params: ParameterSet | None) -> tuple[float, float, str]:
    t0 = time.perf_counter()
    try:
        value = float(case.run(params))
        err = ""
    except Exception as exc:  # a broken case is reported, not fatal
        value = float("nan")
        err = f"error: {type(exc).__name__}: {exc}"
    return value, time.perf_counter() - t0, err


def _record(case: ValidationCase, value: float, seconds: float, err: str) -> CaseResult:
    ok = case.passes(value)
    if ok:
        verdict = "pass (unexpectedly)" if case.expected_failure_reason else "pass"
        reason = (
            "the case was expected to fail: " + case.expected_failure_reason
            if case.expected_failure_reason
            else ""
        )
    else:
        verdict = "error" if err else "fail"
        reason = err or _why(case, value)
    lo, hi = case.bounds
    return CaseResult(
        id=case.id,
        section=case.section,
        section_title=SECTIONS[case.section],
        row=case.row,
        source=case.source,
        protocol=case.protocol,
        observable=case.observable,
        published=case.published,
        published_text=case.published_text,
        unit=case.unit,
        comparison=case.comparison,
        lower=lo,
        upper=hi,
        tolerance=case.tolerance,
        tolerance_source=case.tolerance_source,
        model=value,
        passed=ok,
        verdict=verdict,
        reason=reason,
        expected_failure=case.expected_failure_reason is not None,
        seconds=round(seconds, 3),
        confidence=case.confidence,
        informs=case.informs,
    )


def _cache_path(
    cache_dir: Path, case: ValidationCase, params: ParameterSet, offset: int, src: str
) -> Path:
    key = hashlib.sha256(
        json.dumps([case.id, list(params.values), offset, src]).encode()
    ).hexdigest()[:24]
    return cache_dir / f"{case.id}-{key}.json"


def run_validation(
    cases: Sequence[ValidationCase] = CASES,
    params: ParameterSet | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    offset: int = 0,
    check_stability: bool = False,
    constraints: Sequence[Constraint] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> ValidationReport:
    """Run ``cases`` and collect their verdicts.

    Parameters
    ----------
    cases : sequence of ValidationCase
        Default: all of :data:`~somatosim.calibration.cases.CASES`.
    params : ParameterSet, optional
        Parameters (default: the shipped set).

    Other Parameters
    ----------------
    cache_dir : path, optional
        Reuse results stored there for the same case, parameters, seeds and source code.
    offset : int
        Seed offset (0 = the documented seeds).
    check_stability : bool
        Rerun every case on other seeds (offset + 1) and record whether the verdict holds.
    constraints : sequence of Constraint
        Behaviour constraints to measure as well (the CLI passes
        :data:`~somatosim.calibration.constraints.CONSTRAINTS`); each on its test's own
        seeds, whatever ``offset``.
    progress : callable, optional
        Called as ``progress(case_id, done, total)``.

    Returns
    -------
    ValidationReport
    """
    p = params if params is not None else default_parameters()
    src = source_hash() if cache_dir is not None else ""
    cdir = Path(cache_dir) if cache_dir is not None else None
    if cdir is not None:
        cdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results: list[CaseResult] = []
    with seed_offset(offset):
        for i, case in enumerate(cases):
            cached = _cache_path(cdir, case, p, offset, src) if cdir is not None else None
            if cached is not None and cached.exists():
                rec = json.loads(cached.read_text())
                value, seconds, err = float(rec["model"]), float(rec["seconds"]), rec["error"]
            else:
                value, seconds, err = _evaluate(case, params)
                if cached is not None and not err:
                    atomic_write_text(
                        cached, json.dumps({"model": value, "seconds": seconds, "error": err})
                    )
            results.append(_record(case, value, seconds, err))
            if progress is not None:
                progress(case.id, i + 1, len(cases))
    stability: dict[str, bool] = {}
    if check_stability:
        with seed_offset(offset + 1):
            for case, res in zip(cases, results, strict=True):
                value, _, _ = _evaluate(case, params)
                stability[case.id] = case.passes(value) == res.passed
    values, _ = constraint_residuals(constraints, params)
    measured = tuple(
        {
            "id": c.id,
            "statement": c.statement,
            "test": c.test,
            "lower": c.lower if math.isfinite(c.lower) else None,
            "upper": c.upper if math.isfinite(c.upper) else None,
            "model": float(v) if math.isfinite(v) else None,
            "met": c.met(float(v)),
        }
        for c, v in zip(constraints, values, strict=True)
    )
    return ValidationReport(
        tuple(results),
        p.as_dict(),
        time.perf_counter() - t0,
        seed_offset=offset,
        stability=stability,
        constraints=measured,
        calibration=(
            calibration_provenance() if params is None else {"source": "parameters given"}
        ),
    )


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "∞" if x > 0 else ("−∞" if x < 0 else "—")
    if x == 0:
        return "0"
    mag = abs(x)
    if mag >= 1000:
        return f"{x:,.0f}"
    if mag >= 10:
        return f"{x:.1f}"
    if mag >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _interval_text(r: CaseResult) -> str:
    if r.comparison == "above":
        return f"&gt; {_fmt(r.lower)}"
    if r.comparison == "below":
        return f"&lt; {_fmt(r.upper)}"
    return f"{_fmt(r.lower)} to {_fmt(r.upper)}"


def _population_html(table: pd.DataFrame, off: Sequence[dict[str, Any]]) -> str:
    """The reference-range check: summary, ``off`` (:func:`cells_off`) with their reasons, and
    the table."""
    e = html.escape
    cells = 3 * len(table)
    tol = 100 * PERCENTILE_TOLERANCE
    names = {col: label for col, (_, label) in PERCENTILES.items()}
    off_keys = {(c["sex"], c["age_years"], c["percentile"]) for c in off}
    items = "".join(
        f"<li><b>{e(c['sex'])}, {names[c['percentile']]} at {c['age_years']} y</b>: "
        f"{c['simulated']:.0f} against {c['reference']:.0f} ng/mL "
        f"({100 * c['deviation']:+.0f} %) — {e(c['reason'])}</li>"
        for c in off
    )
    body = []
    for rec in table.to_dict(orient="records"):
        tds = [f"<td>{e(str(rec['sex']))}</td><td>{int(rec['age_years'])}</td><td>{rec['n']}</td>"]
        for col in names:
            bad = (str(rec["sex"]), int(rec["age_years"]), col) in off_keys
            tds.append(
                f"<td>{float(rec['ref_' + col]):.0f}</td><td>{float(rec['sim_' + col]):.0f}</td>"
                f"<td class='{'off' if bad else 'ok'}'>{100 * float(rec['dev_' + col]):+.1f} %</td>"
            )
        body.append("<tr>" + "".join(tds) + "</tr>")
    head = "".join(
        f"<th>{n} LIFE</th><th>{n} model</th><th>{n} deviation</th>" for n in names.values()
    )
    return (
        "<h2>Virtual population against the LIFE percentiles</h2>"
        f"<p>{cells - len(off)} of {cells} percentile cells within {tol:.0f} % of the LIFE "
        f"table (the check asks for all); simulated IGF-1 in ng/mL, per sex and ±5-year age "
        "band (18-22 y at 20 y).</p>"
        + (f"<ul>{items}</ul>" if off else "")
        + "<table class='population'><tr><th>sex</th><th>age (y)</th><th>n</th>"
        + head
        + "</tr>"
        + "".join(body)
        + "</table>"
    )


def _html(
    report: ValidationReport,
    figures: Sequence[tuple[str, str]],
    population: Any | None,
    off: Sequence[dict[str, Any]] = (),
) -> str:
    e = html.escape
    rows = []
    for r in report.results:
        cls = "pass" if r.passed else ("xfail" if r.expected_failure else "fail")
        rows.append(
            f"<tr class='{cls}'><td><b>{e(r.id)}</b><br><small>{e(r.section_title)}</small></td>"
            f"<td>{e(r.source)}<br><small>conf. {e(r.confidence)}</small></td>"
            f"<td>{e(r.protocol)}<br><small><i>observable:</i> {e(r.observable)}</small></td>"
            f"<td>{e(r.published_text)}</td>"
            f"<td>{_fmt(r.model)} {e(r.unit)}</td>"
            f"<td>{_interval_text(r)}<br><small>{e(r.tolerance_source)}</small></td>"
            f"<td><b>{e(r.verdict)}</b><br><small>{e(r.reason)}</small></td></tr>"
        )
    figs = "\n".join(
        f"<figure><img src='{e(name)}' alt='{e(title)}'><figcaption>{e(title)}</figcaption>"
        "</figure>"
        for name, title in figures
    )
    pop_html = "" if population is None else _population_html(population, off)
    failing = [r for r in report.results if not r.passed]
    fail_list = "".join(f"<li><b>{e(r.id)}</b>: {e(r.reason)}</li>" for r in failing)
    unstable = [k for k, v in report.stability.items() if not v]
    stab = ""
    if report.stability:
        stab = (
            f"<p>Stability check (seeds shifted): {len(report.stability) - len(unstable)} of "
            f"{len(report.stability)} verdicts unchanged"
            + (f"; changed: {e(', '.join(unstable))}" if unstable else "")
            + ".</p>"
        )
    target = "meets" if report.pass_fraction >= PASS_FRACTION_TARGET else "does NOT meet"
    con_html = ""
    if report.constraints:
        n_met = sum(c["met"] for c in report.constraints)

        def bound(c: dict[str, Any]) -> str:
            lo, hi = c["lower"], c["upper"]
            if lo is not None and hi is not None:
                return f"{_fmt(lo)} to {_fmt(hi)}"
            return f"above {_fmt(lo)}" if lo is not None else f"below {_fmt(hi)}"

        con_rows = "".join(
            f"<tr><td><b>{e(c['id'])}</b><br><small>{e(c['statement'])}</small></td>"
            f"<td>{bound(c)}</td>"
            f"<td class='{'ok' if c['met'] else 'off'}'>"
            f"{'n/a' if c['model'] is None else _fmt(c['model'])}</td>"
            f"<td><small>{e(c['test'])}</small></td></tr>"
            for c in report.constraints
        )
        con_html = (
            f"<h2>Behaviour constraints</h2><p>{n_met} of {len(report.constraints)} met. "
            "Directions and bounds that behaviour tests assert and that "
            "<code>somatosim calibrate --constraints</code> fits to, each measured as its "
            "test measures it.</p><table><tr><th>constraint</th><th>bound</th><th>model</th>"
            f"<th>test</th></tr>{con_rows}</table>"
        )
    cal = report.calibration
    if cal.get("source") == "shipped":
        cal_html = f"<p>Parameters: the shipped calibration ({e(str(cal.get('file')))}"
        if cal.get("command"):
            cal_html += f", written by <code>{e(str(cal['command']))}</code>"
            if not cal.get("matches_record"):
                cal_html += "; its values do NOT match the run record"
        cal_html += ").</p>"
    elif cal.get("source") == "environment":
        cal_html = (
            f"<p>Parameters: the calibration in {e(str(cal.get('file')))}, named by "
            f"{e(str(cal.get('variable')))}, not the shipped one.</p>"
        )
    else:
        cal_html = "<p>Parameters: a set given to the validation run, not the shipped one.</p>"

    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>somatosim validation</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border:1px solid #ccc;padding:4px;
vertical-align:top}} tr.pass td:last-child{{background:#e6f4e6}}
tr.fail td:last-child{{background:#fbe3e3}} tr.xfail td:last-child{{background:#fff1d6}}
td.off{{background:#fbe3e3}} td.ok{{background:#e6f4e6}}
figure{{display:inline-block;margin:8px;width:46%}} img{{width:100%}} small{{color:#555}}
</style></head><body>
<h1>somatosim validation against published human data</h1>
<p>somatosim {e(report.somatosim_version)} — {report.passed} of {len(report.results)} cases pass
({100 * report.pass_fraction:.1f} %); this {target} the {100 * PASS_FRACTION_TARGET:.0f} % target.
Run time {report.seconds:.0f} s; seed offset {report.seed_offset}.</p>
{cal_html}
{stab}
<h2>Failing cases and why</h2><ul>{fail_list or "<li>none</li>"}</ul>
{con_html}
<h2>Figures</h2>{figs}
{pop_html}
<h2>All cases</h2>
<table><tr><th>case</th><th>source</th><th>protocol</th><th>published</th><th>model</th>
<th>tolerance</th><th>verdict</th></tr>
{"".join(rows)}</table>
<p><small>Tolerance rules R1-R10 are explained in docs/validation.md.</small></p>
</body></html>
"""


def write_report(
    report: ValidationReport,
    out_dir: str | os.PathLike[str],
    *,
    figures: bool = True,
    params: ParameterSet | None = None,
    population_n: int = CHECK_SUBJECTS,
) -> dict[str, Path]:
    """Write ``validation.json``, ``validation.html`` and the figures into ``out_dir``.

    Parameters
    ----------
    report : ValidationReport
        From :func:`run_validation`.
    out_dir : path
        Created if needed.

    Other Parameters
    ----------------
    figures : bool
        Draw the overlay figures (matplotlib) and the virtual-population check.
    params : ParameterSet, optional
        Parameters for the figure simulations (default: the shipped set).
    population_n : int
        Virtual subjects for the population figure and table (split over 14 sex × age
        cells; the default is the test's :data:`~somatosim.calibration.population.CHECK_SUBJECTS`).

    Returns
    -------
    dict
        Paths written, by kind.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    drawn: list[tuple[str, str]] = []
    population = None
    off: list[dict[str, Any]] = []
    if figures:
        from somatosim.calibration import _figures

        drawn, population = _figures.draw_all(out, params, population_n=population_n)
        for name, _ in drawn:
            paths[name] = out / name
    data = report.to_json()
    if population is not None:

        def finite(rec: dict[Any, Any]) -> dict[Any, Any]:
            return {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in rec.items()
            }

        data["population"] = [finite(rec) for rec in population.to_dict(orient="records")]
        off = cells_off(population)
        data["population_check"] = {
            "tolerance": PERCENTILE_TOLERANCE,
            "cells": 3 * len(population),
            "within": 3 * len(population) - len(off),
            "off": [finite(c) for c in off],
        }
    jpath = out / "validation.json"
    atomic_write_text(jpath, json.dumps(data, indent=2, allow_nan=False, default=str))
    hpath = out / "validation.html"
    atomic_write_text(hpath, _html(report, drawn, population, off))
    paths["json"] = jpath
    paths["html"] = hpath
    return paths
