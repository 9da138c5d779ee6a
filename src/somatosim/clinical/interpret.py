"""Clinical interpretation of a raw simulation: IGF-1 SDS, safety warnings, PK summaries."""

from __future__ import annotations

import numpy as np

from somatosim.clinical.reference import IGF1Reference, default_reference
from somatosim.clinical.safety import evaluate_safety
from somatosim.engine.build import summarize
from somatosim.engine.result import Result
from somatosim.model.parameters import ParameterSet

__all__ = ["interpret"]


def interpret(
    result: Result, reference: IGF1Reference | None = None, params: ParameterSet | None = None
) -> Result:
    """Add ``igf1_sds`` (against the named reference), the safety warnings and, for runs with
    GH therapy, PK summaries (``summary["pk"]``) to an engine result.

    Parameters
    ----------
    result : Result
        A result built by the engine.
    reference : IGF1Reference, optional
        IGF-1 reference for SDS (default: the LIFE-cohort LMS fit).
    params : ParameterSet, optional
        The parameters the result was simulated with (for the PK reconstruction).

    Returns
    -------
    Result
        A new result.
    """
    from somatosim.clinical.pk import with_pk_summary

    ref = reference if reference is not None else default_reference()
    sc = result.scenario
    daily = result.daily.copy()
    daily["igf1_sds"] = np.asarray(
        ref.sds(daily["igf1_mean_ng_ml"].to_numpy(), sc.subject.age_years, sc.subject.sex),
        dtype=float,
    )
    summary = summarize(daily)
    warnings = evaluate_safety(sc, daily, summary, reference_name=ref.name)
    summary["warnings"] = list(warnings)
    summary["igf1_reference"] = ref.name
    out = result.replace(daily=daily, summary=summary, warnings=warnings)
    if any(True for _ in _therapy_plans(out)):
        out = with_pk_summary(out, params=params)
    return out


def _therapy_plans(result: Result) -> list[object]:
    sc = result.scenario
    plans: list[object] = list(sc.therapy)
    for ph in sc.phases:
        plans.extend(ph.therapy or ())
    return plans
