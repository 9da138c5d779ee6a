"""Request and response bodies of the HTTP API (they make up the OpenAPI description).

Scenarios are the library's own :class:`~somatosim.scenario.Scenario` model, so the API
accepts exactly what ``somatosim run`` accepts, with the same units and ranges. The models
here only wrap scenarios with what a request needs besides (seed, time-series resolution)
and describe the shape of the answers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from somatosim.scenario.schema import Scenario

__all__ = [
    "BatchItem",
    "BatchRequest",
    "BatchResponse",
    "CitationOut",
    "CitationRequest",
    "CompareRequest",
    "CompareResponse",
    "ErrorResponse",
    "FieldError",
    "InfoResponse",
    "ParameterOut",
    "PresetDetail",
    "PresetSummary",
    "PulseRequest",
    "PulseResponse",
    "ReferenceBand",
    "SdsResponse",
    "SimulateRequest",
    "SimulationOut",
    "TimeseriesOut",
    "TimeseriesSpec",
]

_MAX_SEED = 2**63 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------------------------
class FieldError(BaseModel):
    """One problem with one field of the request."""

    field: str = Field(..., description="dotted path of the field, e.g. scenario.subject.age_years")
    message: str = Field(..., description="what is wrong: the field, the value and what is allowed")


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx answer."""

    error: str = Field(..., description="machine-readable error code, e.g. invalid_request")
    message: str = Field(..., description="human-readable explanation and the fix")
    errors: list[FieldError] = Field(default_factory=list, description="problems per field")


# --- requests ---------------------------------------------------------------------------------
class TimeseriesSpec(_Strict):
    """Which part of the time series to return, and at what resolution."""

    resolution_min: int = Field(
        60,
        ge=1,
        le=1440,
        description="time-series resolution in minutes, 1-1440; continuous variables are "
        "averaged over each interval, integer (categorical) variables such as sleep_stage "
        "take the value at its start",
    )
    start_hour: float | None = Field(
        None, ge=0, le=24 * 731, description="window start in hours since the start (default 0)"
    )
    end_hour: float | None = Field(
        None,
        gt=0,
        le=24 * 731,
        description="window end in hours since the start (default: the end of the run)",
    )
    variables: list[str] = Field(
        default_factory=lambda: ["gh", "igf1_total", "sleep_stage"],
        max_length=12,
        description="time-series variables to return (names as in Result.timeseries: gh, "
        "igf1_total, igf1_free, ghrh, somatostatin, sleep_stage, sws, ...); an empty list "
        "returns no time series",
    )


class SimulateRequest(_Strict):
    """One scenario to simulate."""

    scenario: Scenario = Field(..., description="the scenario (same schema as the YAML files)")
    seed: int | None = Field(
        None, ge=0, le=_MAX_SEED, description="random seed, overrides scenario.seed"
    )
    timeseries: TimeseriesSpec = Field(
        default_factory=TimeseriesSpec,
        description="time-series window, resolution and variables",
    )


class CompareRequest(_Strict):
    """A baseline and a what-if scenario, simulated side by side."""

    baseline: Scenario = Field(..., description="the baseline scenario")
    whatif: Scenario = Field(..., description="the what-if scenario")
    seed: int | None = Field(
        None,
        ge=0,
        le=_MAX_SEED,
        description="random seed for both runs (the same seed gives both the same random "
        "GHRH drive, so differences come from the plan); default: each scenario's own seed",
    )
    timeseries: TimeseriesSpec = Field(
        default_factory=TimeseriesSpec,
        description="time-series window, resolution and variables (the same for both)",
    )


class BatchRequest(_Strict):
    """Several scenarios (subjects) at once; summaries and daily tables only."""

    scenarios: list[Scenario] = Field(
        ..., min_length=1, description="the scenarios; the server caps how many per request"
    )
    seeds: list[Annotated[int, Field(ge=0, le=_MAX_SEED)]] | None = Field(
        None, description="one seed per scenario, 0-2^63-1 (overrides scenario.seed)"
    )


class CitationRequest(_Strict):
    """A scenario whose sources to list."""

    scenario: Scenario = Field(..., description="the scenario")


class PulseRequest(_Strict):
    """A measured hormone series for pulse (deconvolution) analysis."""

    times_min: list[float] = Field(
        ...,
        min_length=6,
        description="sample times in minutes, strictly increasing, at least 6 samples",
    )
    concentration: list[float] = Field(
        ..., min_length=6, description="concentrations (>= 0), one per sample time"
    )
    units: str = Field(
        "ng/mL",
        min_length=1,
        max_length=20,
        pattern=r"^[\w/µ.·%-]+$",
        description="concentration unit (ng/mL or µg/L for masses in µg)",
    )
    shape: Literal["gaussian", "skewed"] = Field(
        "gaussian", description="burst waveform: gaussian or skewed"
    )
    assay_cv: float = Field(0.05, ge=0, le=0.5, description="assay coefficient of variation, 0-0.5")
    distribution_volume_l: float | None = Field(
        None,
        gt=0,
        le=100,
        description="distribution volume in litres, 0-100, to report burst masses in µg",
    )


# --- responses --------------------------------------------------------------------------------
class ReferenceBand(BaseModel):
    """The IGF-1 reference at the subject's age and sex."""

    name: str = Field(..., description="the reference every SDS is computed against")
    age_years: float
    sex: str
    p2_5: float = Field(..., description="2.5th percentile, ng/mL (SDS -1.96)")
    p50: float = Field(..., description="median, ng/mL")
    p97_5: float = Field(..., description="97.5th percentile, ng/mL (SDS +1.96)")
    units: str = "ng/mL"


class TimeseriesOut(BaseModel):
    """A downsampled window of the time series."""

    resolution_min: int
    start_hour: float
    end_hour: float
    hours: list[float] = Field(..., description="start of each interval, hours since the start")
    values: dict[str, list[float | None]] = Field(..., description="variable -> values")
    units: dict[str, str] = Field(..., description="variable -> unit")
    long_names: dict[str, str] = Field(..., description="variable -> description")


class SimulationOut(BaseModel):
    """The outcome of one simulated scenario."""

    scenario: dict[str, Any] = Field(..., description="the validated scenario that was run")
    summary: dict[str, Any] = Field(..., description="Result.summary")
    warnings: list[str] = Field(..., description="safety and plausibility warnings")
    daily: dict[str, list[float | int | None]] = Field(
        ..., description="the daily table by column, with the day number in 'day'"
    )
    timeseries: TimeseriesOut | None = None
    reference: ReferenceBand


class CompareResponse(BaseModel):
    """Two runs and the differences of their summaries (what-if minus baseline)."""

    baseline: SimulationOut
    whatif: SimulationOut
    differences: dict[str, float | None] = Field(
        ..., description="numeric summary keys: what-if minus baseline"
    )


class BatchItem(BaseModel):
    """One subject of a batch."""

    name: str
    summary: dict[str, Any]
    warnings: list[str]
    daily: dict[str, list[float | int | None]]


class BatchResponse(BaseModel):
    """The subjects of a batch, in request order."""

    results: list[BatchItem]


class PresetSummary(BaseModel):
    """A built-in scenario, in brief."""

    name: str
    summary: str
    days: int


class PresetDetail(BaseModel):
    """A built-in scenario in full."""

    name: str
    summary: str
    description: str
    scenario: dict[str, Any]


class SdsResponse(BaseModel):
    """An IGF-1 value scored against the age/sex reference."""

    igf1_ng_ml: float
    sds: float
    percentile: float
    reference: ReferenceBand


class ParameterOut(BaseModel):
    """One row of the model's parameter table."""

    name: str
    value: float
    unit: str
    lower: float
    upper: float
    description: str
    source: str
    mechanism: str


class CitationOut(BaseModel):
    """One bibliographic source."""

    key: str
    citation: str
    doi: str
    note: str


class PulseResponse(BaseModel):
    """Deconvolution of a hormone series."""

    n_bursts: int
    halflife_min: float | None
    units: str
    estimates: list[dict[str, Any]] = Field(
        ..., description="quantity, value, se, lo, hi, unit per estimated quantity"
    )
    bursts: dict[str, list[Any]] = Field(..., description="burst table by column")
    fitted: list[float | None] = Field(..., description="the fitted curve at the sample times")
    warnings: list[str]


class InfoResponse(BaseModel):
    """Version, limits and whether a token is needed."""

    version: str
    token_required: bool
    limits: dict[str, float]
    igf1_reference: str
