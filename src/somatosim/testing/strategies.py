"""Hypothesis strategies that generate valid scenarios (DESIGN.md §3 schema).

Every value is drawn from the documented allowed range of its field, edges included, so the
strategies explore the whole input space a user may legally send. Each strategy returns
validated, frozen objects.

Examples
--------
>>> from hypothesis import given, settings
>>> from somatosim.testing.strategies import scenarios
>>> @settings(max_examples=5, deadline=None)
... @given(scenarios(days=1))
... def check(s):
...     assert s.days == 1
>>> check()
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from somatosim.scenario.schema import CHALLENGE_UNITS, WEEKDAYS, Scenario

__all__ = [
    "challenges",
    "clock_times",
    "diets",
    "exercise_sessions",
    "micronutrient_statuses",
    "phases",
    "scenario_dicts",
    "scenarios",
    "sleeps",
    "subjects",
    "therapies",
]

Strategy = st.SearchStrategy


def _floats(lo: float, hi: float) -> Strategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def _optional(strategy: Strategy[Any]) -> Strategy[Any]:
    return st.none() | strategy


def clock_times() -> Strategy[str]:
    """Clock strings ``"HH:MM"`` between 00:00 and 23:59."""
    return st.builds(
        lambda h, m: f"{h:02d}:{m:02d}",
        st.integers(min_value=0, max_value=23),
        st.integers(min_value=0, max_value=59),
    )


def subjects() -> Strategy[dict[str, Any]]:
    """Subject blocks over the full allowed ranges (age 18-90, weight 35-250 kg, ...)."""
    return st.fixed_dictionaries(
        {
            "age_years": _floats(18.0, 90.0),
            "sex": st.sampled_from(["male", "female"]),
        },
        optional={
            "weight_kg": _floats(35.0, 250.0),
            "height_cm": _floats(130.0, 220.0),
            "body_fat_percent": _floats(3.0, 60.0),
            "gh_reserve": _floats(0.0, 1.0),
            "estrogen": st.sampled_from(["none", "oral", "transdermal"]),
        },
    )


def sleeps(days: int = 3) -> Strategy[dict[str, Any]]:
    """Sleep blocks: bedtime, 0-16 h, and up to two per-night overrides."""
    night = st.fixed_dictionaries(
        {"day": st.integers(min_value=0, max_value=max(days - 1, 0))},
        optional={"bedtime": clock_times(), "hours": _floats(0.0, 16.0)},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "bedtime": clock_times(),
            "hours": _floats(0.0, 16.0),
            "nights": st.lists(night, max_size=2).map(tuple),
        },
    )


def diets() -> Strategy[dict[str, Any]]:
    """Diet blocks: energy (kcal or % of need, or default), protein, EAA share, 0-8 meals."""
    energy: Strategy[dict[str, Any]] = st.one_of(
        st.just({}),
        _floats(0.0, 8000.0).map(lambda e: {"energy_kcal_per_day": e}),
        _floats(0.0, 300.0).map(lambda e: {"energy_percent_of_need": e}),
    )
    rest = st.fixed_dictionaries(
        {},
        optional={
            "protein_g_per_kg": _floats(0.0, 4.0),
            "eaa_fraction": _floats(0.0, 1.0),
            "meals": st.lists(clock_times(), max_size=8).map(tuple),
        },
    )
    return st.builds(lambda e, r: {**e, **r}, energy, rest)


def micronutrient_statuses() -> Strategy[dict[str, Any]]:
    """Micronutrient blocks over the allowed serum ranges."""
    return st.fixed_dictionaries(
        {},
        optional={
            "magnesium_mmol_l": _floats(0.3, 1.5),
            "zinc_ug_dl": _floats(20.0, 200.0),
            "vitamin_d_ng_ml": _floats(2.0, 150.0),
        },
    )


def exercise_sessions(days: int = 3) -> Strategy[dict[str, Any]]:
    """Exercise sessions of every type, with shorthand or explicit intensities."""
    day_sets = st.one_of(
        st.just("daily"),
        st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3).map(tuple),
        st.lists(st.integers(min_value=0, max_value=max(days - 1, 0)), min_size=1, max_size=3).map(
            tuple
        ),
    )
    common = {
        "days": day_sets,
        "time": clock_times(),
        "minutes": _floats(1.0, 300.0),
    }
    shorthand = {"intensity": st.sampled_from(["low", "moderate", "high"])}
    resistance = st.fixed_dictionaries(
        {"type": st.just("resistance"), **common},
        optional={
            **shorthand,
            "load_percent_1rm": _floats(20.0, 100.0),
            "sets": st.integers(min_value=1, max_value=40),
            "reps": st.integers(min_value=1, max_value=50),
            "rest_seconds": _floats(10.0, 600.0),
        },
    )
    aerobic_intensity: Strategy[dict[str, Any]] = st.one_of(
        st.just({}),
        _floats(0.2, 3.0).map(lambda x: {"lt_multiple": x}),
        _floats(10.0, 130.0).map(lambda x: {"vo2max_percent": x}),
    )
    aerobic = st.builds(
        lambda base, inten: {**base, **inten},
        st.fixed_dictionaries(
            {"type": st.sampled_from(["aerobic", "hiit"]), **common},
            optional={**shorthand, "rest_seconds": _floats(10.0, 600.0)},
        ),
        aerobic_intensity,
    )
    return resistance | aerobic


def therapies(days: int = 3) -> Strategy[dict[str, Any]]:
    """Somatropin or somapacitan regimens over the allowed dose range (0-20 mg)."""
    return st.fixed_dictionaries(
        {
            "drug": st.sampled_from(["somatropin", "somapacitan"]),
            "dose_mg": _floats(0.0, 20.0),
        },
        optional={
            "every_days": st.integers(min_value=1, max_value=14),
            "time": clock_times(),
            "start_day": st.integers(min_value=0, max_value=max(days - 1, 0)),
        },
    )


def challenges(days: int = 3) -> Strategy[dict[str, Any]]:
    """Diagnostic challenges (GHRH, arginine, macimorelin, IGF-1 infusion, octreotide) with
    doses over each agent's allowed range."""

    def one(agent: str) -> Strategy[dict[str, Any]]:
        _unit, lo, hi, _usual = CHALLENGE_UNITS[agent]
        return st.fixed_dictionaries(
            {"agent": st.just(agent)},
            optional={
                "day": st.integers(min_value=0, max_value=max(days - 1, 0)),
                "time": clock_times(),
                "dose": _floats(lo, hi),
                "minutes": _floats(1.0, 1440.0),
            },
        )

    return st.sampled_from(sorted(CHALLENGE_UNITS)).flatmap(one)


def phases(days: int = 3) -> Strategy[dict[str, Any]]:
    """A phase overriding diet, sleep, micronutrients, exercise or therapy for some days."""
    bounds = st.integers(min_value=0, max_value=max(days - 1, 0)).flatmap(
        lambda a: st.tuples(st.just(a), st.integers(min_value=a + 1, max_value=days + 1))
    )
    return st.builds(
        lambda b, over: {"start_day": b[0], "end_day": b[1], **over},
        bounds,
        st.fixed_dictionaries(
            {},
            optional={
                "diet": diets(),
                "sleep": sleeps(days).map(lambda s: {k: v for k, v in s.items() if k != "nights"}),
                "micronutrients": micronutrient_statuses(),
                "exercise": st.lists(exercise_sessions(days), max_size=1).map(tuple),
                "therapy": st.lists(therapies(days), max_size=1).map(tuple),
            },
        ),
    )


def scenario_dicts(
    days: int | Strategy[int] | None = None,
    seeds: Strategy[int] | None = None,
) -> Strategy[dict[str, Any]]:
    """Scenario mappings (as a user would write them in YAML) that validate.

    Parameters
    ----------
    days : int or strategy of int, optional
        Simulated days (default 1-3, to keep simulations quick).
    seeds : strategy of int, optional
        Random seeds (default 0-2**32).
    """
    day_st: Strategy[int]
    if days is None:
        day_st = st.integers(min_value=1, max_value=3)
    elif isinstance(days, int):
        day_st = st.just(days)
    else:
        day_st = days
    seed_st = seeds if seeds is not None else st.integers(min_value=0, max_value=2**32)

    def build(n: int) -> Strategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {"days": st.just(n), "seed": seed_st},
            optional={
                "subject": subjects(),
                "sleep": sleeps(n),
                "diet": diets(),
                "micronutrients": micronutrient_statuses(),
                "exercise": st.lists(exercise_sessions(n), max_size=2).map(tuple),
                "therapy": st.lists(therapies(n), max_size=1).map(tuple),
                "phases": st.lists(phases(n), max_size=1).map(tuple),
                "challenges": st.lists(challenges(n), max_size=2).map(tuple),
            },
        )

    return day_st.flatmap(build)


def scenarios(
    days: int | Strategy[int] | None = None,
    seeds: Strategy[int] | None = None,
) -> Strategy[Scenario]:
    """Validated :class:`~somatosim.scenario.schema.Scenario` objects.

    Parameters
    ----------
    days : int or strategy of int, optional
        Simulated days (default 1-3).
    seeds : strategy of int, optional
        Random seeds (default 0-2**32).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Scenario
    """
    return scenario_dicts(days, seeds).map(Scenario.model_validate)
