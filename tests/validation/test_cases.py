"""Validation against published human data (issue 3).

Fast subset (every run): the case registry's integrity, the measurement helpers, and every
case marked ``fast``. A case that fails with the current parameters is an expected failure
(``xfail``, not strict) when it has an ``expected_failure_reason`` or a diagnosis in
``DIAGNOSES``; when calibration fixes it, it shows as XPASS and its diagnosis should be
removed. The slow tier (``.ci/run``) runs every case, asserts the pass fraction (>= 0.9) and
the virtual population's percentiles, and checks that verdicts hold on other seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from somatosim.calibration import _measure as M
from somatosim.calibration._runner import seed_offset
from somatosim.calibration.cases import CASES, SECTIONS, ValidationCase
from somatosim.calibration.validate import DIAGNOSES, PASS_FRACTION_TARGET, run_validation

FAST = [c for c in CASES if c.fast]


def _marks(case: ValidationCase) -> list[pytest.MarkDecorator]:
    reason = case.expected_failure_reason or DIAGNOSES.get(case.id)
    return [pytest.mark.xfail(reason=reason, strict=False)] if reason else []


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
def test_at_least_35_cases_from_every_section() -> None:
    assert len(CASES) >= 35
    assert {c.section for c in CASES} == set(SECTIONS)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_is_documented(case: ValidationCase) -> None:
    assert case.source and case.protocol and case.observable and case.unit
    assert case.tolerance_source, "every tolerance says where it comes from"
    assert case.published_text
    lo, hi = case.bounds
    assert lo < hi
    if case.comparison == "interval":
        assert math.isfinite(lo) and math.isfinite(hi)
    # the residual is the calibration's view of the verdict
    for v in (lo, hi, case.published):
        if math.isfinite(v):
            assert (abs(case.residual(v)) <= 1.0 + 1e-9) == case.passes(v) or not case.passes(v)


def test_diagnoses_name_known_cases() -> None:
    ids = {c.id for c in CASES}
    assert set(DIAGNOSES) <= ids


# --------------------------------------------------------------------------------------------
# measurement helpers
# --------------------------------------------------------------------------------------------
def test_cluster_counts_clear_pulses() -> None:
    t = np.arange(0, 24 * 60, 20.0)
    y = np.full(len(t), 0.2)
    for centre in (120, 400, 700, 1000, 1300):
        y += 6.0 * np.exp(-np.maximum(t - centre, 0) / 25.0) * (t >= centre)
    assert M.cluster_pulses(y, lod=0.5, cv=0.1) == 5
    assert M.cluster_pulses(np.full(72, 0.3), lod=0.5, cv=0.1) == 0


def test_tolerance_arithmetic() -> None:
    assert M.ci_from_sem(1.0, 6) == pytest.approx(2.571, abs=1e-3)
    assert M.ci_from_sd(6.0, 9) == pytest.approx(2.306 * 2.0, abs=1e-3)
    lo, hi = M.fisher_ci(-0.5, 26)
    assert -0.75 < lo < -0.73 and -0.15 < hi < -0.13
    lo, hi = M.effect_interval(-22.0)
    assert lo < -22.0 < hi
    a, b = M.ci_from_p(-13.0, 0.0006)
    assert a < -13.0 < b < 0


# --------------------------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [pytest.param(c, marks=_marks(c), id=c.id) for c in FAST])
def test_fast_case(case: ValidationCase) -> None:
    value = case.run(None)
    assert math.isfinite(value), f"{case.id}: observable is not finite"
    lo, hi = case.bounds
    assert case.passes(value), (
        f"{case.id}: model {value:.4g} {case.unit} outside {lo:.4g}..{hi:.4g} "
        f"(published {case.published_text}; {case.tolerance_source})"
    )


# Measured with the shipped (calibrated) parameters: 76 of 84 cases pass (90.5 %; 76-77 on six
# seed sets, each noisy case averaged over enough seeds that its verdict holds, except
# 7.7-rt-older, which sits on its bound). The target is 90 %, and 76 is the least count
# that meets it, so one more failing case fails this test.


@pytest.fixture(scope="module")
def full_report():  # type: ignore[no-untyped-def]
    return run_validation()


@pytest.mark.slow
def test_pass_fraction_meets_target(full_report) -> None:  # type: ignore[no-untyped-def]
    report = full_report
    failing = {r.id: r.reason for r in report.results if not r.passed}
    assert all(r.reason for r in report.results if not r.passed), "every failure says why"
    assert report.pass_fraction >= PASS_FRACTION_TARGET, (
        f"{report.passed}/{len(report.results)} cases pass "
        f"({100 * report.pass_fraction:.1f} %); failing: {failing}"
    )


@pytest.mark.slow
def test_verdicts_hold_on_other_seeds() -> None:
    first = run_validation(FAST)
    with seed_offset(7):
        second = run_validation(FAST, offset=7)
    flips = [
        a.id for a, b in zip(first.results, second.results, strict=True) if a.passed != b.passed
    ]
    assert len(flips) <= 1, f"verdicts changed with the seeds: {flips}"


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 3 point 4 not met yet: the sampled population's IGF-1 percentiles miss the "
    "LIFE reference by more than 10 % in 1 of 42 cells (women's P2.5 at 20 y) (see validation.html)",
)
def test_virtual_population_matches_reference_percentiles() -> None:
    from somatosim.calibration.population import (
        CHECK_SEED,
        CHECK_SUBJECTS,
        REFERENCE_AGES,
        cells_off,
        percentile_table,
        sample_reference_population,
        simulate_population,
    )

    pop = sample_reference_population(CHECK_SUBJECTS, seed=CHECK_SEED, ages=REFERENCE_AGES, days=28)
    off = cells_off(percentile_table(simulate_population(pop)))
    assert not off, "P2.5/P50/P97.5 off by more than 10 %:\n" + "\n".join(map(str, off))
