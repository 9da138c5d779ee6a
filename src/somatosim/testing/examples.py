"""Example scenarios shared by benchmarks, tests and docs."""

from __future__ import annotations

from typing import Any

import numpy as np

from somatosim.scenario.schema import Scenario

__all__ = ["benchmark_cohort"]


def benchmark_cohort(n: int, days: int, seed: int = 2024) -> list[Scenario]:
    """A mixed cohort: ages 18-85, both sexes, a third training, one in eight on somatropin.

    Parameters
    ----------
    n : int
        Number of subjects.
    days : int
        Simulated days per subject.
    seed : int
        Seed of the sampling (each subject also gets its own simulation seed).

    Returns
    -------
    list of Scenario

    Examples
    --------
    >>> len(benchmark_cohort(4, days=2))
    4
    """
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        data: dict[str, Any] = {
            "name": f"bench-{i}",
            "days": days,
            "seed": int(rng.integers(0, 2**31)),
            "subject": {
                "age_years": float(rng.uniform(18, 85)),
                "sex": "male" if i % 2 else "female",
                "weight_kg": float(rng.uniform(55, 110)),
            },
            "sleep": {"bedtime": "23:00", "hours": float(rng.uniform(6, 9))},
        }
        if i % 3 == 0:
            data["exercise"] = [
                {"type": "resistance", "days": ["mon", "wed", "fri"], "intensity": "high"},
                {"type": "aerobic", "days": ["tue", "sat"], "time": "07:00", "minutes": 40},
            ]
        if i % 8 == 0:
            data["subject"]["gh_reserve"] = 0.1
            data["therapy"] = [{"drug": "somatropin", "dose_mg": 0.4}]
        out.append(Scenario.model_validate(data))
    return out
