"""Cohort specification: who is simulated, under which arms, for how long (YAML or dict).

A cohort spec is validated at the edge like a scenario: unknown keys, wrong types and
out-of-range values are :class:`~somatosim.errors.InputError` messages that name the field.

.. code-block:: yaml

    name: protein-trial
    seed: 11                      # cohort seed: subject seeds derive from (seed, subject_id)
    days: 28                      # overrides the days of every arm's scenario (optional)
    chunk_size: 1000              # subjects per task / per Parquet file
    population:
      sampler: {n: 10000, age_range: [20, 80], sexes: [male, female]}
      # or: table: subjects.csv   (CSV path relative to this file)
    arms:
      - {name: control}                                   # default scenario
      - name: low-protein
        scenario: young-man                               # a preset, a file, or an inline dict
        overrides: {diet: {protein_g_per_kg: 0.6}}        # applied to every subject
    trajectories: {every_hours: 1, variables: [gh, igf1_total]}   # optional

How a subject's scenario is built, per arm: the arm's ``scenario`` (default: the default
scenario), then the subject's own characteristics from the population
(:func:`~somatosim.cohort.population.subject_scenario`), then the arm's ``overrides``
(nested mappings merge field by field, lists replace), then the cohort ``days``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from somatosim.engine.fast import OUTPUT_FIELDS
from somatosim.errors import InputError
from somatosim.scenario.schema import Scenario

__all__ = [
    "ArmSpec",
    "CohortSpec",
    "PopulationSpec",
    "ResolvedArm",
    "SamplerSpec",
    "TrajectorySpec",
    "apply_overrides",
    "load_spec",
    "resolve_arms",
]

_MAX_SPEC_BYTES = 5_000_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class SamplerSpec(_Frozen):
    """The built-in sampler of healthy adults (:func:`~somatosim.cohort.sample_population`)."""

    n: int = Field(1000, ge=1, le=100_000_000, description="number of subjects, 1-10^8")
    age_range: tuple[float, float] = Field(
        (20.0, 80.0), description="ages are uniform on [low, high] years, within 18-90"
    )
    sexes: tuple[Literal["male", "female"], ...] = Field(
        ("male", "female"), description="sexes drawn with equal probability"
    )

    @field_validator("age_range")
    @classmethod
    def _ages(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = v
        if not 18.0 <= lo <= hi <= 90.0:
            raise ValueError(f"age_range [{lo:g}, {hi:g}] must satisfy 18 <= low <= high <= 90")
        return v

    @field_validator("sexes")
    @classmethod
    def _sexes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v or len(set(v)) != len(v):
            raise ValueError("sexes must list male and/or female, each once")
        return v


class PopulationSpec(_Frozen):
    """Where the subjects come from: the sampler, or a CSV table (one of the two)."""

    sampler: SamplerSpec | None = Field(None, description="sample healthy adults")
    table: str | None = Field(
        None,
        description="CSV file of subjects, relative to the spec file; columns as produced by "
        "sample_population (any subset; subject_id defaults to the row number)",
    )
    max_rows: int | None = Field(
        None, ge=1, description="use only the first max_rows rows of the table (--n)"
    )

    @model_validator(mode="after")
    def _one(self) -> PopulationSpec:
        if (self.sampler is None) == (self.table is None):
            raise ValueError("give exactly one of population.sampler and population.table")
        return self


class ArmSpec(_Frozen):
    """One arm: a scenario for everybody plus overrides applied to every subject."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="arm name: letters, digits, '.', '_' or '-' (at most 64), used in paths",
    )
    scenario: str | dict[str, Any] | None = Field(
        None,
        description="a preset name, a scenario file (relative to the spec file) or an inline "
        "scenario mapping; default: the default scenario",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="scenario fields applied after the subject's own values (nested merge)",
    )


class TrajectorySpec(_Frozen):
    """Optional time series on a coarse grid (instantaneous samples, not averages)."""

    every_hours: float = Field(1.0, gt=0, le=24, description="sampling interval in hours, 0-24")
    variables: tuple[str, ...] = Field(
        ("gh", "igf1_total", "igf1_free", "sleep_stage"),
        description=f"time-series variables to keep; any of {', '.join(OUTPUT_FIELDS)}",
    )

    @field_validator("every_hours")
    @classmethod
    def _grid(cls, v: float) -> float:
        minutes = v * 60.0
        if abs(minutes - round(minutes)) > 1e-9 or 1440 % round(minutes) != 0:
            raise ValueError(
                "must be a whole number of minutes that divides 24 h "
                "(for example 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12 or 24)"
            )
        return v

    @field_validator("variables")
    @classmethod
    def _vars(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [x for x in v if x not in OUTPUT_FIELDS]
        if bad or not v:
            raise ValueError(
                f"unknown trajectory variables {bad}; allowed: {', '.join(OUTPUT_FIELDS)}"
            )
        return tuple(dict.fromkeys(v))

    @property
    def every_minutes(self) -> int:
        """Sampling interval in minutes."""
        return round(self.every_hours * 60.0)


class CohortSpec(_Frozen):
    """A cohort: population, arms, duration, seed, chunking and outputs."""

    name: str = Field("cohort", max_length=120, description="cohort name")
    description: str = Field("", max_length=5000, description="free text")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="cohort seed, 0-2^63-1")
    days: int | None = Field(
        None,
        ge=1,
        le=730,
        description="simulated days for every arm, 1-730 (default: each arm scenario's days)",
    )
    chunk_size: int = Field(1000, ge=1, le=100_000, description="subjects per chunk, 1-100000")
    population: PopulationSpec = Field(
        default_factory=lambda: PopulationSpec(sampler=SamplerSpec())
    )
    arms: tuple[ArmSpec, ...] = Field(
        (ArmSpec(name="default"),),
        min_length=1,
        max_length=1000,
        description="one or more arms",
    )
    trajectories: TrajectorySpec | None = Field(None, description="optional coarse time series")
    base_dir: str = Field(
        ".", description="directory that relative paths are resolved against (set by load_spec)"
    )

    @field_validator("arms")
    @classmethod
    def _unique(cls, v: tuple[ArmSpec, ...]) -> tuple[ArmSpec, ...]:
        names = [a.name for a in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"arm names must be unique; repeated: {', '.join(dup)}")
        return v

    def with_n(self, n: int | None) -> CohortSpec:
        """A copy with the number of subjects set (sampler) or capped (table)."""
        if n is None:
            return self
        if n < 1:
            raise InputError(f"--n = {n} must be at least 1")
        if self.population.sampler is not None:
            sampler = self.population.sampler.model_copy(update={"n": n})
            pop = self.population.model_copy(update={"sampler": sampler})
            return self.model_copy(update={"population": pop})
        pop = self.population.model_copy(update={"max_rows": n})
        return self.model_copy(update={"population": pop})


# --- loading ----------------------------------------------------------------------------------
def _format(exc: ValidationError, source: str) -> str:
    lines = []
    errors = exc.errors(include_url=False)
    deep = {str(e["loc"][0]) for e in errors if len(e["loc"]) > 1}
    for err in errors:
        if err["type"] == "too_short" and err["loc"] and str(err["loc"][0]) in deep:
            continue  # a consequence of an invalid item, reported on its own line
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch":
            msg = (
                "use letters, digits, '.', '_' or '-' (starting with a letter or digit, at "
                "most 64 characters)"
            )
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" = {value!r}"
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown field `{loc}`")
        else:
            lines.append(f"{source}: {loc or 'spec'}{shown}: {msg}")
    return "\n".join(dict.fromkeys(lines))


def load_spec(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    base_dir: str | os.PathLike[str] | None = None,
) -> CohortSpec:
    """Load and validate a cohort spec.

    Parameters
    ----------
    source : path or mapping
        A YAML / JSON file, or a mapping of spec fields.
    base_dir : path, optional
        Directory for relative paths (population table, arm scenario files). Default: the
        spec file's directory, or the working directory for a mapping.

    Returns
    -------
    CohortSpec

    Raises
    ------
    InputError
        With one line per problem.

    Examples
    --------
    >>> spec = load_spec({"population": {"sampler": {"n": 10}}, "arms": [{"name": "a"}]})
    >>> spec.population.sampler.n
    10
    """
    if isinstance(source, Mapping):
        data: Any = dict(source)
        name = "cohort spec"
        where = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        path = Path(source)
        name = str(path)
        if not path.is_file():
            raise InputError(f"cohort spec {name!r} not found (give the path of a YAML file)")
        if path.stat().st_size > _MAX_SPEC_BYTES:
            raise InputError(f"{name}: file is larger than {_MAX_SPEC_BYTES // 1_000_000} MB")
        from somatosim.scenario.io import parse_scenario_text

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read the file ({exc})") from None
        data = parse_scenario_text(text, name, json_only=path.suffix.lower() == ".json")
        where = Path(base_dir) if base_dir is not None else path.resolve().parent
    if not isinstance(data, Mapping):
        raise InputError(f"{name}: expected a mapping of cohort fields at the top level")
    if "base_dir" in data:
        raise InputError(f"{name}: unknown field `base_dir`")
    try:
        spec = CohortSpec.model_validate({**data, "base_dir": str(where)})
    except ValidationError as exc:
        raise InputError(_format(exc, name)) from None
    resolve_arms(spec)  # validate arm scenarios and overrides now, at the edge
    return spec


# --- arms -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResolvedArm:
    """An arm ready to run: its base scenario (cohort days applied) and its overrides."""

    name: str
    scenario: Scenario
    overrides: Mapping[str, Any]

    @property
    def days(self) -> int:
        """Simulated days of the arm."""
        return int(self.overrides.get("days", self.scenario.days))


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(out.get(k), v) if k in out else v
        return out
    return over


def apply_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Apply arm overrides to a scenario: mappings merge field by field, lists replace.

    An energy override in either unit (``energy_kcal_per_day`` or
    ``energy_percent_of_need``) replaces the energy of the scenario in both units.

    Parameters
    ----------
    scenario : Scenario
        The subject's scenario.
    overrides : mapping
        Scenario fields.

    Returns
    -------
    Scenario
        Validated.

    Examples
    --------
    >>> s = apply_overrides(Scenario(), {"diet": {"protein_g_per_kg": 0.6}})
    >>> (s.diet.protein_g_per_kg, s.diet.meals == Scenario().diet.meals)
    (0.6, True)
    """
    if not overrides:
        return scenario
    data = scenario.model_dump()
    diet_over = overrides.get("diet")
    if isinstance(diet_over, Mapping) and (
        "energy_kcal_per_day" in diet_over or "energy_percent_of_need" in diet_over
    ):
        data["diet"] = {**data["diet"], "energy_kcal_per_day": None, "energy_percent_of_need": None}
    return Scenario.model_validate(_merge(data, dict(overrides)))


def _base_scenario(arm: ArmSpec, base_dir: Path) -> Scenario:
    from somatosim.scenario.io import load_scenario
    from somatosim.scenario.presets import PRESETS, get_preset

    src = arm.scenario
    if src is None:
        return Scenario()
    if isinstance(src, dict):
        return load_scenario(src)
    path = base_dir / src
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
        return load_scenario(path)
    if src.strip().lower().replace("_", "-") in PRESETS:
        return get_preset(src)
    raise InputError(
        f"arm {arm.name!r}: scenario {src!r} is neither a scenario file nor a preset; presets: "
        f"{', '.join(PRESETS)}"
    )


def resolve_arms(spec: CohortSpec) -> tuple[ResolvedArm, ...]:
    """Load every arm's base scenario and check its overrides.

    Parameters
    ----------
    spec : CohortSpec

    Returns
    -------
    tuple of ResolvedArm
        The cohort ``days`` (when given) are applied to each base scenario.

    Raises
    ------
    InputError
        Naming the arm, if its scenario cannot be loaded or its overrides are invalid.
    """
    out = []
    base_dir = Path(spec.base_dir)
    for arm in spec.arms:
        try:
            sc = _base_scenario(arm, base_dir)
            if spec.days is not None:
                sc = sc.replace(days=spec.days)
            checked = apply_overrides(sc, arm.overrides)
        except InputError as exc:
            raise InputError(f"arm {arm.name!r}: {exc}") from None
        except ValidationError as exc:
            from somatosim.scenario.io import format_validation_error

            raise InputError(format_validation_error(exc, f"arm {arm.name!r} overrides")) from None
        overrides = dict(arm.overrides)
        if spec.days is not None:
            overrides["days"] = spec.days
        elif "days" not in overrides:
            overrides["days"] = checked.days
        out.append(ResolvedArm(name=arm.name, scenario=sc, overrides=overrides))
    return tuple(out)


#: parts of the package whose code determines a cohort's numbers
_CODE_PARTS = (
    "model",
    "scenario",
    "engine",
    "clinical",
    "data",
    "cohort/population.py",
    "cohort/execute.py",
)


def model_code_digest() -> str:
    """A digest of the source of the parts of somatosim that determine simulated numbers.

    Model equations and parameters, scenario drivers, the engine, the IGF-1 reference and
    the cohort's per-chunk computation. A cohort directory written by other code is not
    resumed (its chunks could differ from the ones this code would compute).
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for part in _CODE_PARTS:
        base = root / part
        files = (
            [base]
            if base.is_file()
            else sorted(p for p in base.rglob("*") if p.suffix in (".py", ".csv") and p.is_file())
        )
        for f in files:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def spec_fingerprint(spec: CohortSpec, population_digest: str) -> str:
    """A digest of everything that determines the cohort's numbers.

    Covers the resolved arm scenarios and overrides, seed, days, chunk size, trajectories,
    the population definition (``population_digest``), the somatosim version and
    :func:`model_code_digest`; not the name, description or paths.
    """
    from somatosim._version import __version__

    arms = [
        {"name": a.name, "scenario": a.scenario.model_dump(mode="json"), "overrides": a.overrides}
        for a in resolve_arms(spec)
    ]
    payload = {
        "version": __version__,
        "code": model_code_digest(),
        "seed": spec.seed,
        "chunk_size": spec.chunk_size,
        "arms": arms,
        "population": population_digest,
        "trajectories": None if spec.trajectories is None else spec.trajectories.model_dump(),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
