"""Behaviour constraints the calibration can steer by (issue 3, point 2).

Some behaviour tests of issues 2 and 4 hold a published direction or bound rather than a
number with an interval: most GH is secreted during sleep, a week of four-hour nights lowers
daily GH, protein matters more than calories, raised free IGF-1 suppresses GH within an hour,
daily GH falls with age while the GH response to GHRH + arginine does not. As ``--check`` commands of
``somatosim calibrate`` they can only reject a fitted set; a run that starts where they fail
(the literature values fail several) gets no pull towards sets that pass them.

Here each of them is a :class:`Constraint`: a quantity measured on the model exactly as its
test measures it (same protocol, same seeds; the tests call these functions), and the bound
the test asserts. :meth:`Constraint.residual` is in the units of a case's residual: 0 well
inside the bound, 1 at the bound, more past it, so ``|r| <= 1`` means the test passes; the
``margin`` inside the bound over which it rises from 0 to 1 lets the fit see a set drifting
towards a bound before it breaks the test. ``somatosim calibrate --constraints`` adds them
to the fit's residuals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from somatosim.calibration._measure import mean_daily, slow_wave_activity, window_secretion_ug
from somatosim.calibration._runner import run
from somatosim.engine.result import Result
from somatosim.model.parameters import ParameterSet

__all__ = [
    "BEHAVIOUR_SEEDS",
    "CONSTRAINTS",
    "MANY_SEEDS",
    "YOUNG_MAN",
    "Constraint",
    "constraint_residuals",
    "final_igf1",
    "free_igf1_suppression",
    "gh_sws_igf1_by_age",
    "ghrh_arginine_with_age",
    "night_share_of_daily_gh",
    "protein_over_calories",
    "short_nights_daily_gh_ratio",
]

BEHAVIOUR_SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
"""Seeds of the behaviour tests whose outputs six pulse patterns resolve."""
MANY_SEEDS: tuple[int, ...] = tuple(range(1, 25))
"""Seeds of the behaviour tests of effects of a few %, which six pulse patterns do not resolve."""
YOUNG_MAN: dict[str, Any] = {"age_years": 25, "sex": "male"}


def _seeded(
    scenario: dict[str, Any], seeds: Sequence[int], params: ParameterSet | None
) -> list[Result]:
    return run([scenario] * len(seeds), list(seeds), params)


def night_share_of_daily_gh(params: ParameterSet | None = None) -> float:
    """Share of daily GH secreted during sleep: young man, days 2-4, mean over 24 seeds.

    Van Cauter 2000 (60-70 % in early sleep); Brandenberger 2004 (52.8 ± 3.5 % in the sleep
    pulse). The issue-2 test asks for 0.5-0.8.
    """
    res = _seeded({"days": 4, "subject": YOUNG_MAN}, MANY_SEEDS, params)
    return float(mean_daily(res, "gh_sleep_fraction")[1:].mean())


def short_nights_daily_gh_ratio(params: ParameterSet | None = None) -> float:
    """Daily GH on nights of 01:00-05:00 in bed over daily GH on habitual nights (days 4-9).

    Spiegel 2000 protocol (6-7 four-hour nights), young man, 24 seeds; the issue-2 test asks
    for less than 0.97 (a modest fall: Spiegel reports partial compensation).
    """
    ctrl = mean_daily(
        _seeded({"days": 10, "subject": YOUNG_MAN}, MANY_SEEDS, params), "gh_secretion_mg"
    )
    short_nights = {"start_day": 2, "end_day": 9, "sleep": {"bedtime": "01:00", "hours": 4}}
    short = mean_daily(
        _seeded({"days": 10, "subject": YOUNG_MAN, "phases": [short_nights]}, MANY_SEEDS, params),
        "gh_secretion_mg",
    )
    return float(short[3:9].mean() / ctrl[3:9].mean())


def final_igf1(
    diet: dict[str, Any],
    params: ParameterSet | None = None,
    *,
    days: int = 21,
    seeds: Sequence[int] = MANY_SEEDS,
) -> float:
    """A young man's mean IGF-1 (ng/mL) over the last 3 days of ``days`` on ``diet``."""
    res = _seeded({"days": days, "subject": YOUNG_MAN, "diet": diet}, seeds, params)
    return float(mean_daily(res, "igf1_mean_ng_ml")[-3:].mean())


def protein_over_calories(params: ParameterSet | None = None) -> tuple[float, float]:
    """IGF-1 falls (ng/mL) after 3 weeks on 25 % less protein and on 25 % less energy.

    Fontana 2008: long-term calorie restriction with high protein does not lower IGF-1, a
    protein cut does. Young man, 24 seeds; the issue-2 test asks that the protein fall be
    more than 1.5 times the energy fall.

    Returns
    -------
    (float, float)
        Fall with 0.9 g/kg protein, fall with 75 % of energy need.
    """
    base = final_igf1({}, params)
    less_protein = final_igf1({"protein_g_per_kg": 0.9}, params)
    less_energy = final_igf1({"energy_percent_of_need": 75}, params)
    return base - less_protein, base - less_energy


def free_igf1_suppression(params: ParameterSet | None = None) -> dict[str, float]:
    """GH secretion during a 6-h IGF-1 infusion (20 µg/kg/h from 08:00, day 2), young man.

    Hartman 1993 (suppression within 60 min); Bermann 1994 (free IGF-1 up, GH −85 %). 24
    seeds, each infused and not: one morning hour holds about one pulse, so with six seeds
    the first-hour ratio moved by ±0.17 (SD) under changes of a parameter by 0.05 %.

    Returns
    -------
    dict
        ``first_hour``: secretion 08:30-09:30 relative to the same hour without infusion (the
        test asks < 0.8); ``later``: 09:00-14:00 likewise (< 0.5); ``free_rise``: the smallest
        rise of free IGF-1 from 07:54 to 09:00 over the seeds (> 1.3).
    """
    inf = {"agent": "igf1_infusion", "day": 1, "time": "08:00", "dose": 20, "minutes": 360}
    treated = _seeded({"days": 2, "subject": YOUNG_MAN, "challenges": [inf]}, MANY_SEEDS, params)
    ctrl = _seeded({"days": 2, "subject": YOUNG_MAN}, MANY_SEEDS, params)

    def mean_between(results: list[Result], a: float, b: float) -> float:
        return float(np.mean([window_secretion_ug(r, a, b) for r in results]))

    free_rise = [
        float(
            r.timeseries.igf1_free.sel(hours=33.0, method="nearest")
            / r.timeseries.igf1_free.sel(hours=31.9, method="nearest")
        )
        for r in treated
    ]
    return {
        "first_hour": mean_between(treated, 32.5, 33.5) / mean_between(ctrl, 32.5, 33.5),
        "later": mean_between(treated, 33.0, 38.0) / mean_between(ctrl, 33.0, 38.0),
        "free_rise": min(free_rise),
    }


def gh_sws_igf1_by_age(
    params: ParameterSet | None = None,
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Daily GH (mg), slow-wave activity and IGF-1 (ng/mL) of men of 25, 45 and 70 y.

    Days 2-4 of a habitual 4-day run, six seeds. Iranmanesh 1991 (GH secretion falls about
    14 % per decade after 20 y, which gives 0.51 at 70 y of the 25-y value); Van Cauter 2000
    (slow-wave sleep). The issue-2 test asks that each fall with age and that GH at 70 y be
    below 0.7 of GH at 25 y.

    Returns
    -------
    tuple
        ``(gh, sws, igf1)``, each a value per age (25, 45, 70 y).
    """
    out = []
    for age in (25, 45, 70):
        res = _seeded(
            {"days": 4, "subject": {"age_years": age, "sex": "male"}}, BEHAVIOUR_SEEDS, params
        )
        out.append(
            (
                float(mean_daily(res, "gh_secretion_mg")[1:].mean()),
                slow_wave_activity(res),
                float(mean_daily(res, "igf1_mean_ng_ml")[1:].mean()),
            )
        )
    gh, sws, igf = zip(*out, strict=True)
    return tuple(gh), tuple(sws), tuple(igf)


def ghrh_arginine_with_age(params: ParameterSet | None = None) -> dict[str, float]:
    """GHRH + arginine test at 30 and 65 y (healthy, median peak over 24 pulse patterns).

    Ghigo 1990: the response does not vary with age in healthy adults. The issue-4 test asks
    that the 65-year-old read "sufficient" and that his peak be above 0.7 of the 30-year-old's.

    Returns
    -------
    dict
        ``old_over_young``: peak at 65 y over peak at 30 y; ``old_over_cutoff``: peak at 65 y
        over its cut-off (at least 1 reads "sufficient").
    """
    from somatosim.clinical.stimulation import stimulation_test

    young = stimulation_test({"age_years": 30}, "ghrh_arginine", seed=1, n_seeds=24, params=params)
    old = stimulation_test({"age_years": 65}, "ghrh_arginine", seed=1, n_seeds=24, params=params)
    return {
        "old_over_young": old.peak_gh / young.peak_gh,
        "old_over_cutoff": old.peak_gh / old.cutoff,
    }


@dataclass(frozen=True, slots=True)
class Constraint:
    """A bound the model must keep, as a residual the fit can use.

    Attributes
    ----------
    id : str
        Short name (run records, CLI output).
    statement : str
        What must hold, in words.
    test : str
        The test that asserts it (``file::function``).
    measure : callable
        ``measure(params) -> float``: the quantity, measured as the test measures it.
    lower, upper : float
        The bound the test asserts (the quantity must lie strictly inside).
    margin : float
        Distance inside the bound over which the residual rises from 0 to 1.
    """

    id: str
    statement: str
    test: str
    measure: Callable[[ParameterSet | None], float]
    lower: float = -math.inf
    upper: float = math.inf
    margin: float = 0.02

    def residual(self, value: float) -> float:
        """0 at least ``margin`` inside the bound, 1 at the bound, more past it."""
        if not math.isfinite(value):
            return math.inf
        if value < self.lower + self.margin:
            return -(self.lower + self.margin - value) / self.margin
        if value > self.upper - self.margin:
            return (value - self.upper + self.margin) / self.margin
        return 0.0

    def met(self, value: float) -> bool:
        """Whether the test's assertion holds for ``value``."""
        return self.lower < value < self.upper


def _protein_excess(params: ParameterSet | None) -> float:
    d_protein, d_energy = protein_over_calories(params)
    return d_protein - 1.5 * d_energy


def _gh_age_ratio(params: ParameterSet | None) -> float:
    gh = gh_sws_igf1_by_age(params)[0]
    return gh[2] / gh[0]


_BEHAVIOUR = "tests/validation/test_behaviour.py::"
CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint(
        "night-share",
        "most of a young man's daily GH is secreted during sleep, but not more than 80 %",
        _BEHAVIOUR + "test_most_gh_is_secreted_during_sleep",
        night_share_of_daily_gh,
        lower=0.5,
        upper=0.8,
    ),
    Constraint(
        "four-hour-nights",
        "a week of four-hour nights lowers daily GH by more than 3 %",
        _BEHAVIOUR + "test_week_of_four_hour_nights_lowers_daily_gh",
        short_nights_daily_gh_ratio,
        upper=0.97,
    ),
    Constraint(
        "protein-over-calories",
        "25 % less protein lowers IGF-1 more than 1.5 times as much as 25 % less energy "
        "(quantity: protein fall − 1.5 × energy fall, ng/mL)",
        _BEHAVIOUR + "test_protein_matters_more_than_calories_in_fed_adult",
        _protein_excess,
        lower=0.0,
        margin=2.0,
    ),
    Constraint(
        "igf1-infusion-first-hour",
        "an IGF-1 infusion lowers GH secretion in its first hour below 0.8 of control",
        _BEHAVIOUR + "test_raising_free_igf1_suppresses_gh_within_an_hour",
        lambda p: free_igf1_suppression(p)["first_hour"],
        upper=0.8,
        margin=0.05,
    ),
    Constraint(
        "igf1-infusion-later",
        "an IGF-1 infusion lowers GH secretion over its next 5 h below 0.5 of control",
        _BEHAVIOUR + "test_raising_free_igf1_suppresses_gh_within_an_hour",
        lambda p: free_igf1_suppression(p)["later"],
        upper=0.5,
        margin=0.05,
    ),
    Constraint(
        "igf1-infusion-free-rise",
        "an IGF-1 infusion raises free IGF-1 more than 1.3-fold within an hour",
        _BEHAVIOUR + "test_raising_free_igf1_suppresses_gh_within_an_hour",
        lambda p: free_igf1_suppression(p)["free_rise"],
        lower=1.3,
        margin=0.1,
    ),
    Constraint(
        "gh-age-fall",
        "a 70-year-old man secretes less than 0.7 of a 25-year-old's daily GH",
        _BEHAVIOUR + "test_gh_sws_and_igf1_fall_with_age",
        _gh_age_ratio,
        upper=0.7,
        margin=0.05,
    ),
    Constraint(
        "ghrh-arginine-age-ratio",
        "the GHRH + arginine peak at 65 y is more than 0.7 of that at 30 y",
        "tests/unit/test_stimulation.py::test_ghrh_arginine_response_does_not_fall_with_age",
        lambda p: ghrh_arginine_with_age(p)["old_over_young"],
        lower=0.7,
        margin=0.05,
    ),
    Constraint(
        "ghrh-arginine-old-sufficient",
        "a healthy 65-year-old reads 'sufficient' on GHRH + arginine (peak over cut-off at least 1)",
        "tests/unit/test_stimulation.py::test_ghrh_arginine_response_does_not_fall_with_age",
        lambda p: ghrh_arginine_with_age(p)["old_over_cutoff"],
        lower=1.0,
        margin=0.1,
    ),
)
"""The behaviour constraints ``somatosim calibrate --constraints`` fits to."""


def constraint_residuals(
    constraints: Sequence[Constraint], params: ParameterSet | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Measured values and residuals of ``constraints`` under ``params``.

    A measurement that raises counts as infinitely far past its bound.
    """
    values = []
    for c in constraints:
        try:
            values.append(float(c.measure(params)))
        except Exception:
            values.append(math.nan)
    v = np.array(values, dtype=float)
    return v, np.array([c.residual(x) for c, x in zip(constraints, v, strict=True)], dtype=float)
