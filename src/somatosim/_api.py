"""The public entry points: :func:`simulate` and :func:`citation`.

This module sits to the right of the engine and the clinical layer: it runs the engine,
then adds the IGF-1 SDS (against the named reference) and the safety warnings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from somatosim.clinical.interpret import interpret
from somatosim.clinical.reference import IGF1Reference, default_reference
from somatosim.engine.build import build_result
from somatosim.engine.result import Result
from somatosim.engine.simulate import run_batch
from somatosim.model.parameters import PARAMETERS, ParameterSet
from somatosim.model.references import REFERENCES, Reference
from somatosim.scenario.io import load_scenario
from somatosim.scenario.schema import Scenario

__all__ = ["citation", "simulate", "simulate_many"]

ScenarioLike = Scenario | Mapping[str, Any] | str | os.PathLike[str]


def simulate(
    scenario: ScenarioLike,
    seed: int | None = None,
    *,
    params: ParameterSet | None = None,
    save_every_min: int = 5,
    reference: IGF1Reference | None = None,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Simulate one scenario.

    Parameters
    ----------
    scenario : Scenario, dict, or path to a YAML/JSON file
        What to simulate; validated at the edge.
    seed : int, optional
        Overrides ``scenario.seed``. The same scenario and seed give identical results.

    Other Parameters
    ----------------
    params : ParameterSet, optional
        Model parameters (default: the shipped, calibrated set).
    save_every_min : int
        Resolution of ``Result.timeseries`` in minutes (1-60); daily summaries always use
        every 1-minute step.
    reference : IGF1Reference, optional
        IGF-1 reference for SDS (default: the LIFE-cohort LMS fit).
    progress : callable, optional
        Called with the fraction done (0..1).

    Returns
    -------
    Result

    Examples
    --------
    >>> r = simulate({"days": 2, "subject": {"age_years": 30}}, seed=1)
    >>> round(r.summary["igf1_final_ng_ml"]) > 100
    True
    """
    return simulate_many(
        [scenario],
        None if seed is None else [seed],
        params=params,
        save_every_min=save_every_min,
        reference=reference,
        progress=progress,
    )[0]


def simulate_many(
    scenarios: Sequence[ScenarioLike],
    seeds: Sequence[int] | None = None,
    *,
    params: ParameterSet | None = None,
    save_every_min: int = 5,
    reference: IGF1Reference | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Result]:
    """Simulate several scenarios; those with the same number of days share one batch.

    A scenario gives the same numbers alone or inside a batch.
    """
    if not 1 <= save_every_min <= 60:
        from somatosim.errors import InputError

        raise InputError(f"save_every_min = {save_every_min} is out of range (allowed 1-60)")
    loaded = [load_scenario(s) for s in scenarios]
    if seeds is not None:
        loaded = [s.replace(seed=int(sd)) for s, sd in zip(loaded, seeds, strict=True)]
    ref = reference if reference is not None else default_reference()
    results: list[Result | None] = [None] * len(loaded)
    by_days: dict[int, list[int]] = {}
    for i, s in enumerate(loaded):
        by_days.setdefault(s.days, []).append(i)
    done = 0
    for idx in by_days.values():
        runs = run_batch(
            [loaded[i] for i in idx],
            [loaded[i].seed for i in idx],
            params=params,
            save_every_min=save_every_min,
        )
        for i, run in zip(idx, runs, strict=True):
            results[i] = interpret(build_result(run, loaded[i]), ref, params)
        done += len(idx)
        if progress is not None:
            progress(done / len(loaded))
    return [r for r in results if r is not None]


# mechanisms each scenario feature brings in (DESIGN.md §2)
_ALWAYS = ("M1", "M2", "M3", "M4", "M5", "M6", "M8", "M11")


def citation(scenario: ScenarioLike | None = None) -> list[Reference]:
    """The sources behind the parts of the model that a scenario uses.

    Parameters
    ----------
    scenario : Scenario, dict or path, optional
        Without a scenario, every source of the model is listed.

    Returns
    -------
    list of Reference
        Sorted by key.

    Examples
    --------
    >>> keys = [r.key for r in citation({"days": 1})]
    >>> "Papathanasiou2021" in keys
    True
    """
    mechanisms: set[str] = set(_ALWAYS)
    if scenario is None:
        mechanisms |= {spec.mechanism for spec in PARAMETERS}
    else:
        sc = load_scenario(scenario)
        plans = [sc, *sc.phases]
        if any(m is not None for m in [sc.micronutrients, *(p.micronutrients for p in sc.phases)]):
            mechanisms.add("M7")
        if any(getattr(p, "exercise", None) for p in plans):
            mechanisms |= {"M9", "M10"}
        if any(getattr(p, "therapy", None) for p in plans):
            mechanisms.add("M12")
    keys = {k for spec in PARAMETERS if spec.mechanism in mechanisms for k in spec.sources}
    keys |= {"Hoerenz2022"}  # the default IGF-1 SDS reference (M13)
    return [REFERENCES[k] for k in sorted(keys)]
