"""GH deficiency and GH stimulation tests (M13): simulated protocol, peak GH, verdict.

GH deficiency is modelled through ``Subject.gh_reserve`` (1 = healthy pituitary, 0 = no GH
secretion), which scales the releasable pituitary GH pool. :data:`GHD_SEVERITY` names two
levels (partial and severe deficiency) used in examples and tests.

A stimulation test is simulated with :attr:`Scenario.challenges` exactly as the clinical
protocol is run: in the morning after an overnight fast (meals before the end of the test are
dropped on the test day), the agent given at ``start``, GH sampled at the protocol times. The
peak of the sampled GH is compared with the published diagnostic cut-off
(:data:`STIMULATION_CUTOFFS`, data with sources): a peak **below** the cut-off means
"deficient", otherwise "sufficient".

Protocols (:data:`STIMULATION_PROTOCOLS`):

``ghrh_arginine``
    GHRH 1 µg/kg iv bolus at time 0, arginine 0.5 g/kg (at most 30 g) iv over 30 min from
    time 0; GH sampled every 15 min for 2 h. BMI-dependent cut-offs (Corneli 2005): 11 µg/L
    (BMI < 25), 8 µg/L (25-30), 4 µg/L (> 30).
``macimorelin``
    Oral macimorelin 0.5 mg/kg at time 0 after an 8-h fast; GH sampled at 30, 45, 60 and
    90 min (Macrilen label). Cut-off 2.8 ng/mL (Garcia 2018).

The insulin tolerance test (cut-off 3-5 µg/L; Molitch 2011, AACE 2019) is not simulated: the
model has no insulin-hypoglycaemia input.

GH concentrations are in ng/mL (= µg/L).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from somatosim.clinical.pk import _as_scenario, _simulate
from somatosim.errors import InputError
from somatosim.scenario.schema import Scenario, Subject, clock_to_hours

if TYPE_CHECKING:
    from somatosim.model.parameters import ParameterSet

__all__ = [
    "GHD_SEVERITY",
    "STIMULATION_CUTOFFS",
    "STIMULATION_PROTOCOLS",
    "STIMULATION_TESTS",
    "StimulationCutoff",
    "StimulationProtocol",
    "StimulationResult",
    "classify_peak",
    "cutoff_for",
    "gh_deficient",
    "stimulation_test",
]

Verdict = Literal["deficient", "sufficient"]

GHD_SEVERITY: Mapping[str, float] = MappingProxyType({"partial": 0.3, "severe": 0.1})
"""``gh_reserve`` of partial and severe GH deficiency.

Partial: IGF-1 low (SDS about -2 in a 40-year-old man with the current parameters) and
stimulated GH peaks just below the macimorelin cut-off. Severe: IGF-1 SDS about -3.5 and
stimulated peaks below 1 ng/mL. A healthy pituitary has ``gh_reserve`` 1; the safety rules treat
``gh_reserve >= 0.5`` as no deficiency.
"""


@dataclass(frozen=True, slots=True)
class StimulationCutoff:
    """A published peak-GH cut-off of one stimulation test, for a BMI band.

    A peak GH below ``cutoff_ng_ml`` is read as GH deficiency. The band covers
    ``bmi_min <= BMI < bmi_max`` (kg/m²).
    """

    test: str
    cutoff_ng_ml: float
    bmi_min: float
    bmi_max: float
    source: str


_CORNELI = (
    "Corneli G, Di Somma C, Baldelli R et al. The cut-off limits of the GH response to GH-"
    "releasing hormone-arginine test related to body mass index. Eur J Endocrinol "
    "2005;153:257-264 (published 11.5/8.0/4.2 µg/L; rounded to 11/8/4 µg/L in Molitch ME et "
    "al., JCEM 2011;96:1587 and Yuen KCJ et al. (AACE), Endocr Pract 2019;25:1191)"
)
_GARCIA = (
    "Garcia JM, Biller BMK, Korbonits M et al. Macimorelin as a diagnostic test for adult GH "
    "deficiency. J Clin Endocrinol Metab 2018;103:3083-3093; Macrilen (macimorelin) US "
    "prescribing information: peak GH < 2.8 ng/mL at 30, 45, 60 and 90 min"
)

STIMULATION_CUTOFFS: tuple[StimulationCutoff, ...] = (
    StimulationCutoff("ghrh_arginine", 11.0, 0.0, 25.0, _CORNELI),
    StimulationCutoff("ghrh_arginine", 8.0, 25.0, 30.0, _CORNELI),
    StimulationCutoff("ghrh_arginine", 4.0, 30.0, float("inf"), _CORNELI),
    StimulationCutoff("macimorelin", 2.8, 0.0, float("inf"), _GARCIA),
)
"""Diagnostic cut-offs of peak GH (ng/mL) by test and BMI band, with their sources."""


def _ghrh_arginine(subject: Subject, day: int, start: str) -> list[dict[str, Any]]:
    arginine_g = min(0.5 * subject.weight, 30.0)  # 0.5 g/kg, at most 30 g
    return [
        {"agent": "ghrh", "day": day, "time": start, "dose": 1.0},
        {"agent": "arginine", "day": day, "time": start, "dose": arginine_g, "minutes": 30},
    ]


def _macimorelin(subject: Subject, day: int, start: str) -> list[dict[str, Any]]:
    return [{"agent": "macimorelin", "day": day, "time": start, "dose": 0.5}]


@dataclass(frozen=True, slots=True)
class StimulationProtocol:
    """How a stimulation test is given and sampled."""

    name: str
    description: str
    sample_minutes: tuple[int, ...]
    challenges: Callable[[Subject, int, str], list[dict[str, Any]]] = field(repr=False)
    source: str


STIMULATION_PROTOCOLS: Mapping[str, StimulationProtocol] = MappingProxyType(
    {
        "ghrh_arginine": StimulationProtocol(
            "ghrh_arginine",
            "GHRH 1 µg/kg iv bolus plus arginine 0.5 g/kg (max 30 g) iv over 30 min, fasting; "
            "GH every 15 min for 2 h",
            (0, 15, 30, 45, 60, 75, 90, 105, 120),
            _ghrh_arginine,
            _CORNELI,
        ),
        "macimorelin": StimulationProtocol(
            "macimorelin",
            "oral macimorelin 0.5 mg/kg after an 8-h fast; GH at 30, 45, 60 and 90 min",
            (30, 45, 60, 90),
            _macimorelin,
            _GARCIA,
        ),
    }
)
"""Simulated stimulation tests by name."""

STIMULATION_TESTS: tuple[str, ...] = tuple(STIMULATION_PROTOCOLS)
"""Names of the simulated tests."""


def _check_test(test: str) -> StimulationProtocol:
    key = test.strip().lower().replace("-", "_").replace("+", "_")
    if key not in STIMULATION_PROTOCOLS:
        raise InputError(
            f"test = {test!r} is not a simulated stimulation test; allowed: "
            f"{', '.join(STIMULATION_TESTS)} (the insulin tolerance test needs an insulin "
            "input the model does not have)"
        )
    return STIMULATION_PROTOCOLS[key]


def cutoff_for(test: str, bmi: float) -> StimulationCutoff:
    """The diagnostic cut-off of ``test`` for a subject with this BMI (kg/m²).

    Examples
    --------
    >>> cutoff_for("ghrh_arginine", 27.0).cutoff_ng_ml
    8.0
    >>> cutoff_for("macimorelin", 35.0).cutoff_ng_ml
    2.8
    """
    proto = _check_test(test)
    for c in STIMULATION_CUTOFFS:
        if c.test == proto.name and c.bmi_min <= bmi < c.bmi_max:
            return c
    raise InputError(f"no {proto.name} cut-off covers BMI {bmi:g} kg/m²")  # pragma: no cover


def classify_peak(peak_ng_ml: float, cutoff_ng_ml: float) -> Verdict:
    """``"deficient"`` when the peak GH is below the cut-off, else ``"sufficient"``.

    Examples
    --------
    >>> classify_peak(2.1, 2.8), classify_peak(2.8, 2.8)
    ('deficient', 'sufficient')
    """
    return "deficient" if peak_ng_ml < cutoff_ng_ml else "sufficient"


def gh_deficient(severity: str = "severe", **subject: Any) -> Subject:
    """A subject with partial or severe GH deficiency (:data:`GHD_SEVERITY`).

    Parameters
    ----------
    severity : str
        ``"partial"`` or ``"severe"``.
    **subject
        Other :class:`~somatosim.scenario.Subject` fields (age_years, sex, weight_kg ...).

    Examples
    --------
    >>> gh_deficient("partial", age_years=50).gh_reserve
    0.3
    """
    if severity not in GHD_SEVERITY:
        raise InputError(
            f"severity = {severity!r} is not allowed; allowed: {', '.join(GHD_SEVERITY)}"
        )
    return _as_scenario({**subject, "gh_reserve": GHD_SEVERITY[severity]}).subject


@dataclass(frozen=True, slots=True)
class StimulationResult:
    """The outcome of a simulated GH stimulation test.

    Attributes
    ----------
    test : str
        Test name (``ghrh_arginine`` or ``macimorelin``).
    peak_gh : float
        Peak GH (ng/mL) of the protocol samples; the median over seeds when ``n_seeds > 1``.
    time_of_peak : float
        Minutes after the start at which the sampled peak occurred (median over seeds).
    cutoff : float
        Cut-off (ng/mL) for this test and the subject's BMI.
    cutoff_source : str
        Where the cut-off comes from.
    verdict : str
        ``"deficient"`` (peak below the cut-off) or ``"sufficient"``.
    series : pandas.DataFrame
        Simulated GH (ng/mL) every minute from 30 min before to 180 min after the start;
        index ``minutes`` after the start, one column per seed.
    samples : pandas.DataFrame
        GH at the protocol sampling times (index ``minutes``), one column per seed.
    peaks : tuple of float
        Sampled peak GH of each seed.
    seeds : tuple of int
        The seeds simulated.
    bmi : float
        The subject's BMI (kg/m²), which selects the cut-off.
    subject : Subject
        The subject tested.
    protocol : str
        Description of the protocol.
    """

    test: str
    peak_gh: float
    time_of_peak: float
    cutoff: float
    cutoff_source: str
    verdict: Verdict
    series: pd.DataFrame
    samples: pd.DataFrame
    peaks: tuple[float, ...]
    seeds: tuple[int, ...]
    bmi: float
    subject: Subject
    protocol: str

    @property
    def fraction_deficient(self) -> float:
        """Share of seeds whose peak is below the cut-off."""
        return float(np.mean([p < self.cutoff for p in self.peaks]))

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (without the series)."""
        return {
            "test": self.test,
            "protocol": self.protocol,
            "peak_gh_ng_ml": self.peak_gh,
            "time_of_peak_min": self.time_of_peak,
            "cutoff_ng_ml": self.cutoff,
            "cutoff_source": self.cutoff_source,
            "verdict": self.verdict,
            "bmi": self.bmi,
            "gh_reserve": self.subject.gh_reserve,
            "seeds": list(self.seeds),
            "peaks_ng_ml": list(self.peaks),
            "fraction_deficient": self.fraction_deficient,
            "samples": {
                str(m): [float(v) for v in row]
                for m, row in zip(self.samples.index, self.samples.to_numpy(), strict=True)
            },
        }


def _test_scenario(
    base: Scenario, proto: StimulationProtocol, start: str, seed: int, fasting: bool
) -> Scenario:
    day = 0
    start_h = clock_to_hours(start)
    end_h = start_h + max(proto.sample_minutes) / 60.0
    changes: dict[str, Any] = {
        "days": 1,
        "seed": seed,
        "therapy": [],
        "phases": [],
        "exercise": [],
        "challenges": proto.challenges(base.subject, day, start),
    }
    if fasting:  # overnight fast: no meal on the test day before the last sample
        meals = [m for m in base.diet.meals if clock_to_hours(m) > end_h]
        changes["phases"] = [
            {"start_day": 0, "end_day": 1, "label": "test day, fasting", "diet": {"meals": meals}}
        ]
    return base.replace(**changes)


def stimulation_test(
    subject: Subject | Mapping[str, Any] | Scenario,
    test: str = "ghrh_arginine",
    *,
    seed: int = 0,
    n_seeds: int = 1,
    start: str = "08:00",
    fasting: bool = True,
    params: ParameterSet | None = None,
) -> StimulationResult:
    """Simulate a GH stimulation test and read it against the published cut-off.

    Parameters
    ----------
    subject : Subject, dict of subject fields, or Scenario
        Who is tested. A Scenario contributes its subject, sleep, diet and micronutrients;
        its therapy, exercise, phases and challenges are not used (GH therapy is stopped
        before testing).
    test : str
        ``"ghrh_arginine"`` or ``"macimorelin"``.
    seed : int
        First seed; seeds ``seed, seed + 1, ...`` are used.
    n_seeds : int
        Number of repetitions (1-100): endogenous GH pulses are stochastic, so the peak varies
        from run to run. The reported peak is the median.
    start : str
        Clock time of the test (``"HH:MM"``), usually in the morning.
    fasting : bool
        Drop meals on the test day before the last sample (the protocols require a fast).
    params : ParameterSet, optional
        Model parameters (default: the shipped set).

    Returns
    -------
    StimulationResult

    Examples
    --------
    >>> r = stimulation_test({"age_years": 40, "gh_reserve": 0.1}, "macimorelin", seed=1)
    >>> r.verdict, r.cutoff
    ('deficient', 2.8)
    """
    proto = _check_test(test)
    if not 1 <= n_seeds <= 100:
        raise InputError(f"n_seeds = {n_seeds} is out of range (allowed 1-100)")
    if seed < 0:
        raise InputError(f"seed = {seed} is out of range (allowed >= 0)")
    try:
        clock_to_hours(start)
    except ValueError as exc:
        raise InputError(f"start: {exc}") from None
    base = _as_scenario(subject)
    seeds = tuple(range(seed, seed + n_seeds))
    scenarios = [_test_scenario(base, proto, start, s, fasting) for s in seeds]
    results = _simulate(scenarios, params=params, save_every_min=1)

    start_min = round(clock_to_hours(start) * 60.0)
    window = np.arange(-30, 181)
    series: dict[int, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for s, res in zip(seeds, results, strict=True):
        gh = np.asarray(res.timeseries["gh"].values, dtype=float)
        idx = np.clip(start_min + window, 0, len(gh) - 1)
        series[s] = gh[idx]
    frame = pd.DataFrame(series, index=pd.Index(window, name="minutes"))
    samples = frame.loc[list(proto.sample_minutes)]
    peaks = tuple(float(samples[s].max()) for s in seeds)
    times = [float(samples.index[int(np.argmax(samples[s].to_numpy()))]) for s in seeds]
    peak = float(np.median(peaks))
    cut = cutoff_for(proto.name, base.subject.bmi)
    return StimulationResult(
        test=proto.name,
        peak_gh=peak,
        time_of_peak=float(np.median(times)),
        cutoff=cut.cutoff_ng_ml,
        cutoff_source=cut.source,
        verdict=classify_peak(peak, cut.cutoff_ng_ml),
        series=frame,
        samples=samples,
        peaks=peaks,
        seeds=seeds,
        bmi=float(base.subject.bmi),
        subject=base.subject,
        protocol=proto.description,
    )
