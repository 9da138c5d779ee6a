"""Clinical safety rules as data, and their evaluation on a scenario and its results (M13).

Each rule is a :class:`SafetyRule` record: an id, a message template and the source it rests
on. :func:`evaluate_safety` checks a scenario (and, when given, the daily table and summary of
its simulation) and returns one warning string per rule that fires, in the order of
:data:`SAFETY_RULES`, each formatted as ``"<id>: <message> [source: <source>]"``.

Rules
-----
``gh_not_indicated``
    GH therapy in a subject without GH deficiency (``gh_reserve >= 0.5``); for older adults
    (age >= 60) the message adds the evidence from Liu et al. 2007 and the Beers criteria.
``igf1_above_2sds``
    Daily IGF-1 SDS above +2 on any day (or, without a daily table, a final SDS above +2).
``dose_above_label_max``
    Somatropin above 1 mg/day, or somapacitan above 8 mg/week (adult label maxima).
``oral_estrogen_response``
    GH therapy while on oral estrogen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from somatosim.clinical.reference import DEFAULT_REFERENCE_NAME

if TYPE_CHECKING:
    import pandas as pd

    from somatosim.scenario.schema import Scenario, Therapy

__all__ = [
    "GHD_RESERVE_THRESHOLD",
    "IGF1_SDS_UPPER",
    "LABEL_MAX_DOSE",
    "OLDER_ADULT_AGE_YEARS",
    "OLDER_ADULT_EVIDENCE",
    "SAFETY_RULES",
    "LabelMax",
    "SafetyRule",
    "evaluate_safety",
    "safety_rule",
]

GHD_RESERVE_THRESHOLD = 0.5
"""``gh_reserve`` at or above which a subject is taken to have no GH deficiency."""

OLDER_ADULT_AGE_YEARS = 60.0
"""Age (years) from which the older-adult evidence is added to ``gh_not_indicated``."""

IGF1_SDS_UPPER = 2.0
"""Upper end of the IGF-1 SDS target range (AACE 2019: -2 to +2)."""


@dataclass(frozen=True)
class SafetyRule:
    """One safety rule: an id, a message template (``str.format`` fields) and its source.

    Parameters
    ----------
    id : str
        Stable identifier, the first word of every warning the rule emits.
    message : str
        Message template; its ``{fields}`` are filled by :func:`evaluate_safety`.
    source : str
        The guideline, label or study the rule rests on.
    """

    id: str
    message: str
    source: str

    def format(self, **values: Any) -> str:
        """Return the warning string ``"<id>: <message> [source: <source>]"``.

        Parameters
        ----------
        **values
            Values for the fields of :attr:`message`.

        Returns
        -------
        str
            The warning.
        """
        return f"{self.id}: {self.message.format(**values)} [source: {self.source}]"


@dataclass(frozen=True)
class LabelMax:
    """Labelled adult maximum dose of a drug: ``limit_mg`` per ``per_days`` days.

    Parameters
    ----------
    limit_mg : float
        Maximum dose in mg per ``per_days`` days.
    per_days : int
        Period of the limit in days (1 for mg/day, 7 for mg/week).
    unit : str
        Display unit (``"mg/day"``, ``"mg/week"``).
    label : str
        Where the limit comes from.
    """

    limit_mg: float
    per_days: int
    unit: str
    label: str


LABEL_MAX_DOSE: Mapping[str, LabelMax] = MappingProxyType(
    {
        # Saizen product monograph (published_results.md row 8.6): adults max 1 mg/day.
        "somatropin": LabelMax(1.0, 1, "mg/day", "Saizen monograph, published_results.md 8.6"),
        # Sogroya (somapacitan) prescribing information: adults max 8 mg once weekly.
        # Label value; not a row of published_results.md.
        "somapacitan": LabelMax(8.0, 7, "mg/week", "Sogroya label value"),
    }
)
"""Labelled adult maximum dose of each drug (mg per ``per_days`` days)."""

OLDER_ADULT_EVIDENCE = (
    " In healthy older adults (age >= {older_age:g} y; this subject is {age:g} y) GH gives only "
    "small body-composition gains and no gain in strength or function, with frequent adverse "
    "events: oedema 42%, carpal tunnel syndrome 18%, arthralgia 16%, gynaecomastia 6%, "
    "impaired glucose tolerance 13%, new diabetes 4% (Liu 2007). The AGS Beers criteria 2015 "
    "say to avoid GH in older adults except after pituitary removal."
)
"""Sentence added to ``gh_not_indicated`` for subjects aged 60 or more."""

_GH_NOT_INDICATED = SafetyRule(
    id="gh_not_indicated",
    message=(
        "GH therapy is not indicated for this subject: GH therapy is not recommended for "
        "healthy adults without GH deficiency (gh_reserve {gh_reserve:g} >= {threshold:g}), "
        "and prescribing GH for anti-ageing or to improve sport performance is illegal and "
        "unapproved.{older}"
    ),
    source=(
        "Liu H et al., Ann Intern Med 2007;146:104; AGS Beers criteria 2015; Yuen KCJ et al., "
        "AACE/ACE guideline, Endocr Pract 2019;25:1191 (published_results.md 8.2, 8.3)"
    ),
)
_IGF1_ABOVE_2SDS = SafetyRule(
    id="igf1_above_2sds",
    message=(
        "IGF-1 is above +2 SDS {when} (highest {max_sds:+.2f} SDS; SDS against {reference}). "
        "Guidelines titrate GH to keep the age-adjusted IGF-1 SDS between -2 and +2 and avoid "
        "values above the upper limit of normal: lower the GH dose."
    ),
    source=(
        "Molitch ME et al., Endocrine Society guideline, JCEM 2011;96:1587; Yuen KCJ et al., "
        "AACE/ACE guideline, Endocr Pract 2019;25:1191 (published_results.md 8.2)"
    ),
)
_DOSE_ABOVE_LABEL_MAX = SafetyRule(
    id="dose_above_label_max",
    message=(
        "{drug} at {rate:.2f} {unit} (from day {day}) is above the labelled adult maximum of "
        "{limit:g} {unit} ({label})."
    ),
    source=(
        "Saizen (somatropin) product monograph: adult maximum 1 mg/day (published_results.md "
        "8.6); Sogroya (somapacitan) prescribing information: adult maximum 8 mg/week (label "
        "value)"
    ),
)
_ORAL_ESTROGEN_RESPONSE = SafetyRule(
    id="oral_estrogen_response",
    message=(
        "GH therapy with oral estrogen: oral estrogen lowers the IGF-1 response to GH (IGF-1 "
        "lower and rising less with each dose step), so more GH is needed for the same IGF-1; "
        "a transdermal estrogen route is suggested."
    ),
    source=("Wolthers T et al., Am J Physiol Endocrinol Metab 2001 (published_results.md 8.13)"),
)

SAFETY_RULES: tuple[SafetyRule, ...] = (
    _GH_NOT_INDICATED,
    _IGF1_ABOVE_2SDS,
    _DOSE_ABOVE_LABEL_MAX,
    _ORAL_ESTROGEN_RESPONSE,
)
"""All safety rules, in the order their warnings are returned."""


def safety_rule(rule_id: str) -> SafetyRule:
    """Return the rule with id ``rule_id``.

    Parameters
    ----------
    rule_id : str
        One of the ids in :data:`SAFETY_RULES`.

    Returns
    -------
    SafetyRule
        The rule.

    Raises
    ------
    KeyError
        If no rule has that id.
    """
    for rule in SAFETY_RULES:
        if rule.id == rule_id:
            return rule
    raise KeyError(f"no safety rule {rule_id!r}; known: {', '.join(r.id for r in SAFETY_RULES)}")


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------
def _injections(scenario: Scenario) -> list[tuple[int, Therapy]]:
    """Injections of a positive dose actually given in the simulated days (phases applied)."""
    return [
        (day, t) for day in range(scenario.days) for t in scenario.therapy_on(day) if t.dose_mg > 0
    ]


def _gh_not_indicated(scenario: Scenario, on_gh: bool) -> list[str]:
    subject = scenario.subject
    if not on_gh or subject.gh_reserve < GHD_RESERVE_THRESHOLD:
        return []
    older = ""
    if subject.age_years >= OLDER_ADULT_AGE_YEARS:
        older = OLDER_ADULT_EVIDENCE.format(older_age=OLDER_ADULT_AGE_YEARS, age=subject.age_years)
    return [
        _GH_NOT_INDICATED.format(
            gh_reserve=subject.gh_reserve, threshold=GHD_RESERVE_THRESHOLD, older=older
        )
    ]


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _igf1_above_2sds(
    daily: pd.DataFrame | None, summary: dict[str, Any] | None, reference_name: str
) -> list[str]:
    if daily is not None and "igf1_sds" in daily.columns:
        days = daily["day"].tolist() if "day" in daily.columns else daily.index.tolist()
        above = [
            (day, v)
            for day, x in zip(days, daily["igf1_sds"].tolist(), strict=True)
            if (v := _finite(x)) is not None and v > IGF1_SDS_UPPER
        ]
        if not above:
            return []
        first_day, first = above[0]
        when = f"on day {first_day} ({first:+.2f} SDS)"
        if len(above) > 1:
            when += f" and on {len(above) - 1} more day(s)"
        max_sds = max(v for _, v in above)
    else:
        final = _finite((summary or {}).get("igf1_final_sds"))
        if final is None or final <= IGF1_SDS_UPPER:
            return []
        when, max_sds = f"on the last day ({final:+.2f} SDS)", final
    return [_IGF1_ABOVE_2SDS.format(when=when, max_sds=max_sds, reference=reference_name)]


def _dose_above_label_max(scenario: Scenario, injections: list[tuple[int, Therapy]]) -> list[str]:
    """Dose rate per drug on each day: the sum of ``dose / interval`` of the injections given
    within one interval before it (so concurrent or interleaved entries add up)."""
    out: list[str] = []
    for drug, lab in LABEL_MAX_DOSE.items():
        rate: defaultdict[int, float] = defaultdict(float)
        for day, t in injections:
            if t.drug != drug:
                continue
            per = t.dose_mg / t.interval_days * lab.per_days
            for d in range(day, min(day + t.interval_days, scenario.days)):
                rate[d] += per
        over = sorted(d for d, r in rate.items() if r > lab.limit_mg * (1 + 1e-9))
        if over:
            out.append(
                _DOSE_ABOVE_LABEL_MAX.format(
                    drug=drug,
                    rate=max(rate[d] for d in over),
                    unit=lab.unit,
                    day=over[0],
                    limit=lab.limit_mg,
                    label=lab.label,
                )
            )
    return out


def evaluate_safety(
    scenario: Scenario,
    daily: pd.DataFrame | None = None,
    summary: dict[str, Any] | None = None,
    *,
    reference_name: str = DEFAULT_REFERENCE_NAME,
) -> tuple[str, ...]:
    """Check a scenario (and optionally its simulated results) against the safety rules.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario; its therapy (base and phases, over the simulated days) and
        subject (``age_years``, ``gh_reserve``, ``estrogen``) are checked.
    daily : pandas.DataFrame, optional
        The per-day results (index or column ``day``); its ``igf1_sds`` column is checked.
    summary : dict, optional
        The run summary; ``igf1_final_sds`` is checked when ``daily`` has no ``igf1_sds``.
    reference_name : str, optional
        Name of the IGF-1 reference the SDS values were computed against (shown in the
        ``igf1_above_2sds`` warning).

    Returns
    -------
    tuple of str
        One warning per rule that fires (``dose_above_label_max`` once per drug), in the order
        of :data:`SAFETY_RULES`; empty when none fires.

    Examples
    --------
    >>> from somatosim.scenario.schema import Scenario
    >>> s = Scenario.model_validate(
    ...     {"days": 7, "subject": {"age_years": 40, "gh_reserve": 0.1},
    ...      "therapy": [{"drug": "somatropin", "dose_mg": 0.3}]})
    >>> evaluate_safety(s)
    ()
    >>> [w.split(":")[0] for w in evaluate_safety(s.replace(subject={"gh_reserve": 1.0}))]
    ['gh_not_indicated']
    """
    injections = _injections(scenario)
    on_gh = bool(injections)
    warnings: list[str] = []
    warnings += _gh_not_indicated(scenario, on_gh)
    warnings += _igf1_above_2sds(daily, summary, reference_name)
    warnings += _dose_above_label_max(scenario, injections)
    if on_gh and scenario.subject.estrogen == "oral":
        warnings.append(_ORAL_ESTROGEN_RESPONSE.format())
    return tuple(warnings)
