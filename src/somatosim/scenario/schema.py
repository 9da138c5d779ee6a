"""Scenario schema: frozen, validated descriptions of a person and a plan (DESIGN.md §3).

Every field carries its unit and allowed range in its description; pydantic enforces the
range, rejects unknown keys and wrong types, and :func:`somatosim.scenario.load_scenario`
turns any violation into a one-line message naming the field, the value and the range.

Days are counted from 0; a phase covers ``start_day`` (inclusive) to ``end_day`` (exclusive).
Clock times are ``"HH:MM"`` strings (24-hour clock).
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CHALLENGE_UNITS",
    "WEEKDAYS",
    "Challenge",
    "Diet",
    "ExerciseSession",
    "Micronutrients",
    "NightOverride",
    "Phase",
    "Scenario",
    "Sleep",
    "Subject",
    "Therapy",
    "clock_to_hours",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

Clock = Annotated[
    str,
    Field(description='clock time "HH:MM" on a 24-hour clock, 00:00-23:59', examples=["23:00"]),
]


@functools.lru_cache(maxsize=4096)
def clock_to_hours(value: str) -> float:
    """Convert an ``"HH:MM"`` clock string to hours after midnight.

    Parameters
    ----------
    value : str
        Clock time such as ``"23:30"``.

    Returns
    -------
    float
        Hours after midnight (``23.5`` for ``"23:30"``).

    Examples
    --------
    >>> clock_to_hours("07:45")
    7.75
    """
    m = _CLOCK.match(value.strip())
    if m is None:
        raise ValueError(f'"{value}" is not a clock time; use "HH:MM" between 00:00 and 23:59')
    return int(m.group(1)) + int(m.group(2)) / 60.0


def _check_clock(value: str) -> str:
    clock_to_hours(value)
    return value.strip()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Subject(_Frozen):
    """The simulated person."""

    age_years: float = Field(30.0, ge=18, le=90, description="age in years, 18-90")
    sex: Literal["male", "female"] = Field("male", description="biological sex: male or female")
    weight_kg: float | None = Field(
        None, ge=35, le=250, description="body weight in kg, 35-250 (default 78 male, 65 female)"
    )
    height_cm: float | None = Field(
        None, ge=130, le=220, description="height in cm, 130-220 (default 177 male, 164 female)"
    )
    body_fat_percent: float | None = Field(
        None,
        ge=3,
        le=60,
        description="body fat in %, 3-60 (default: estimated from BMI, age and sex, "
        "Deurenberg 1991)",
    )
    gh_reserve: float = Field(
        1.0,
        ge=0,
        le=1,
        description="pituitary GH reserve, 0-1 (1 = healthy pituitary, 0 = no GH secretion)",
    )
    estrogen: Literal["none", "oral", "transdermal"] = Field(
        "none", description="estrogen treatment route: none, oral or transdermal"
    )

    @property
    def weight(self) -> float:
        """Body weight in kg, with the sex-specific default filled in."""
        if self.weight_kg is not None:
            return self.weight_kg
        return 78.0 if self.sex == "male" else 65.0

    @property
    def height(self) -> float:
        """Height in cm, with the sex-specific default filled in."""
        if self.height_cm is not None:
            return self.height_cm
        return 177.0 if self.sex == "male" else 164.0

    @property
    def bmi(self) -> float:
        """Body-mass index in kg/m²."""
        return self.weight / (self.height / 100.0) ** 2

    @property
    def body_fat(self) -> float:
        """Body fat in %, given or estimated (Deurenberg 1991, Br J Nutr 65:105)."""
        if self.body_fat_percent is not None:
            return self.body_fat_percent
        male = 1.0 if self.sex == "male" else 0.0
        est = 1.2 * self.bmi + 0.23 * self.age_years - 10.8 * male - 5.4
        return float(min(60.0, max(5.0, est)))


class NightOverride(_Frozen):
    """A change to one night's sleep (the night that starts on ``day``)."""

    day: int = Field(
        ..., ge=0, le=3650, description="day number (from 0) on which the night starts"
    )
    bedtime: Clock | None = Field(None, description='bedtime "HH:MM" for this night')
    hours: float | None = Field(
        None, ge=0, le=16, description="hours asleep this night, 0-16 (0 = a night awake)"
    )

    _clock = field_validator("bedtime")(lambda v: None if v is None else _check_clock(v))


class Sleep(_Frozen):
    """Habitual sleep schedule."""

    bedtime: Clock = Field("23:00", description='habitual sleep onset "HH:MM"')
    hours: float = Field(8.0, ge=0, le=16, description="hours asleep per night, 0-16")
    nights: tuple[NightOverride, ...] = Field(
        (), description="per-night overrides (a night awake, shifted bedtimes)"
    )

    _clock = field_validator("bedtime")(_check_clock)


class Diet(_Frozen):
    """Daily diet. Fasting is energy 0 and protein 0."""

    energy_kcal_per_day: float | None = Field(
        None, ge=0, le=8000, description="energy intake in kcal/day, 0-8000"
    )
    energy_percent_of_need: float | None = Field(
        None,
        ge=0,
        le=300,
        description="energy intake as % of the subject's maintenance need (BMR x 1.55 plus "
        "exercise), 0-300; the default when neither energy field is given is 100",
    )
    protein_g_per_kg: float = Field(
        1.2, ge=0, le=4, description="protein intake in g per kg body weight per day, 0-4"
    )
    eaa_fraction: float = Field(
        0.45,
        ge=0,
        le=1,
        description="essential amino acid share of protein, 0-1 (mixed diet about 0.45)",
    )
    meals: tuple[Clock, ...] = Field(
        ("07:30", "12:30", "19:00"), description='meal clock times "HH:MM", 0-8 meals a day'
    )

    @field_validator("meals")
    @classmethod
    def _meals(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(v) > 8:
            raise ValueError(f"{len(v)} meals given; at most 8 meals a day are allowed")
        return tuple(sorted(_check_clock(m) for m in v))

    @model_validator(mode="after")
    def _one_energy(self) -> Diet:
        if self.energy_kcal_per_day is not None and self.energy_percent_of_need is not None:
            raise ValueError(
                "give energy either as energy_kcal_per_day or as energy_percent_of_need, not both"
            )
        return self

    @property
    def is_fasting(self) -> bool:
        """True when the diet provides no energy."""
        return self.energy_kcal_per_day == 0 or self.energy_percent_of_need == 0


class Micronutrients(_Frozen):
    """Micronutrient status (serum / plasma levels)."""

    magnesium_mmol_l: float = Field(
        0.85, ge=0.3, le=1.5, description="serum magnesium in mmol/L, 0.3-1.5 (normal 0.75-0.95)"
    )
    zinc_ug_dl: float = Field(
        90.0, ge=20, le=200, description="serum zinc in µg/dL, 20-200 (deficient below 70)"
    )
    vitamin_d_ng_ml: float = Field(
        30.0,
        ge=2,
        le=150,
        description="serum 25(OH) vitamin D in ng/mL, 2-150 (deficient below 20)",
    )


_INTENSITY_WORDS = ("low", "moderate", "high")


class ExerciseSession(_Frozen):
    """A recurring exercise session.

    Aerobic intensity is a multiple of the lactate threshold (``lt_multiple``) or a % of VO2max
    (``vo2max_percent``); resistance exercise is described by load (% of 1RM), sets, repetitions
    and rest. ``intensity`` (low / moderate / high) fills in typical values for fields not given.
    """

    type: Literal["resistance", "aerobic", "hiit"] = Field(
        ..., description="resistance, aerobic or hiit"
    )
    days: tuple[str | int, ...] | Literal["daily"] = Field(
        "daily",
        description='weekdays ("mon".."sun", day 0 is a Monday), day numbers (from 0), or "daily"',
    )
    time: Clock = Field("17:00", description='start clock time "HH:MM"')
    minutes: float = Field(45.0, ge=1, le=300, description="session duration in minutes, 1-300")
    intensity: Literal["low", "moderate", "high"] | None = Field(
        None, description="shorthand: low, moderate or high (fills in fields not given)"
    )
    lt_multiple: float | None = Field(
        None,
        ge=0.2,
        le=3.0,
        description="aerobic/hiit work rate as a multiple of the lactate threshold, 0.2-3.0",
    )
    vo2max_percent: float | None = Field(
        None, ge=10, le=130, description="aerobic/hiit work rate in % of VO2max, 10-130"
    )
    load_percent_1rm: float | None = Field(
        None, ge=20, le=100, description="resistance load in % of one-repetition maximum, 20-100"
    )
    sets: int | None = Field(None, ge=1, le=40, description="resistance: total sets, 1-40")
    reps: int | None = Field(None, ge=1, le=50, description="resistance: repetitions per set, 1-50")
    rest_seconds: float | None = Field(
        None, ge=10, le=600, description="resistance/hiit: rest between sets in s, 10-600"
    )

    _clock = field_validator("time")(_check_clock)

    @field_validator("days")
    @classmethod
    def _days(cls, v: tuple[str | int, ...] | str) -> tuple[str | int, ...] | str:
        if v == "daily":
            return v
        assert not isinstance(v, str)
        out: list[str | int] = []
        for d in v:
            if isinstance(d, str):
                key = d.strip().lower()[:3]
                if key not in WEEKDAYS:
                    raise ValueError(
                        f'"{d}" is not a weekday; use mon, tue, wed, thu, fri, sat, sun'
                    )
                out.append(key)
            else:
                if d < 0 or d > 3650:
                    raise ValueError(f"day {d} is out of range; allowed 0-3650")
                out.append(int(d))
        if not out:
            raise ValueError("give at least one day, or 'daily'")
        return tuple(out)

    @model_validator(mode="after")
    def _consistent(self) -> ExerciseSession:
        if self.lt_multiple is not None and self.vo2max_percent is not None:
            raise ValueError("give aerobic intensity as lt_multiple or vo2max_percent, not both")
        if self.type != "resistance" and (
            self.load_percent_1rm is not None or self.sets is not None or self.reps is not None
        ):
            raise ValueError(
                f"load_percent_1rm, sets and reps describe resistance exercise, not {self.type}"
            )
        if self.type == "resistance" and (
            self.lt_multiple is not None or self.vo2max_percent is not None
        ):
            raise ValueError(
                "lt_multiple and vo2max_percent describe aerobic or hiit exercise, not resistance"
            )
        return self

    def on_day(self, day: int) -> bool:
        """Whether the session takes place on simulated ``day`` (day 0 is a Monday)."""
        if self.days == "daily":
            return True
        return any(
            (isinstance(d, int) and d == day) or (isinstance(d, str) and WEEKDAYS[day % 7] == d)
            for d in self.days
        )

    # --- effective values with the intensity shorthand filled in --------------------------
    def effective_lt_multiple(self, lt_fraction_of_vo2max: float = 0.6) -> float:
        """Work rate as a multiple of the lactate threshold (aerobic and hiit)."""
        if self.lt_multiple is not None:
            return self.lt_multiple
        if self.vo2max_percent is not None:
            return self.vo2max_percent / (100.0 * lt_fraction_of_vo2max)
        level = self.intensity or "moderate"
        if self.type == "hiit":
            return {"low": 1.3, "moderate": 1.6, "high": 1.9}[level]
        return {"low": 0.75, "moderate": 1.05, "high": 1.3}[level]

    def effective_resistance(self) -> tuple[float, int, int, float]:
        """Resistance load (%1RM), sets, reps and rest (s) with the shorthand filled in."""
        level = self.intensity or "moderate"
        load, sets, reps, rest = {
            "low": (50.0, 3, 12, 120.0),
            "moderate": (70.0, 12, 10, 90.0),
            "high": (75.0, 20, 10, 60.0),
        }[level]
        return (
            self.load_percent_1rm if self.load_percent_1rm is not None else load,
            self.sets if self.sets is not None else sets,
            self.reps if self.reps is not None else reps,
            self.rest_seconds if self.rest_seconds is not None else rest,
        )


class Therapy(_Frozen):
    """Recombinant GH therapy by subcutaneous injection.

    ``somatropin``: daily (or every ``every_days``) recombinant human GH.
    ``somapacitan``: once-weekly long-acting GH (albumin-binding).
    """

    drug: Literal["somatropin", "somapacitan"] = Field(
        "somatropin", description="somatropin (daily GH) or somapacitan (weekly long-acting GH)"
    )
    dose_mg: float = Field(..., ge=0, le=20, description="dose per injection in mg, 0-20")
    every_days: int | None = Field(
        None, ge=1, le=14, description="days between injections, 1-14 (default 1 daily, 7 weekly)"
    )
    time: Clock = Field("21:00", description='injection clock time "HH:MM"')
    start_day: int = Field(0, ge=0, le=3650, description="first injection day (from 0)")
    end_day: int | None = Field(
        None, ge=1, le=3651, description="day after the last possible injection (exclusive)"
    )

    _clock = field_validator("time")(_check_clock)

    @property
    def interval_days(self) -> int:
        """Days between injections, with the drug's default filled in."""
        if self.every_days is not None:
            return self.every_days
        return 1 if self.drug == "somatropin" else 7


CHALLENGE_UNITS = {
    "ghrh": ("µg/kg iv bolus", 0.0, 5.0, 1.0),
    "arginine": ("g iv over `minutes`", 0.0, 40.0, 30.0),
    "macimorelin": ("mg/kg oral", 0.0, 2.0, 0.5),
    "igf1_infusion": ("µg/kg/h iv over `minutes`", 0.0, 100.0, 20.0),
    "octreotide": ("µg sc (effect over `minutes`)", 0.0, 500.0, 100.0),
}


class Challenge(_Frozen):
    """A diagnostic or experimental challenge: GHRH bolus, arginine infusion, macimorelin,
    recombinant IGF-1 infusion or a somatostatin analogue (octreotide).

    Units of ``dose`` depend on the agent: ghrh µg/kg iv bolus (0-5, usual 1), arginine g iv
    over ``minutes`` (0-40, usual 30 g over 30 min), macimorelin mg/kg oral (0-2, usual 0.5),
    igf1_infusion µg/kg/h iv over ``minutes`` (0-100), octreotide µg sc (0-500, usual 100).
    """

    agent: Literal["ghrh", "arginine", "macimorelin", "igf1_infusion", "octreotide"] = Field(
        ..., description="ghrh, arginine, macimorelin, igf1_infusion or octreotide"
    )
    day: int = Field(0, ge=0, le=3650, description="day of the challenge (from 0)")
    time: Clock = Field("08:00", description='start clock time "HH:MM"')
    dose: float | None = Field(
        None, ge=0, le=500, description="dose in the agent's unit (see the class description)"
    )
    minutes: float = Field(
        30.0, ge=1, le=1440, description="infusion duration or effect window in minutes, 1-1440"
    )

    _clock = field_validator("time")(_check_clock)

    @model_validator(mode="after")
    def _dose_range(self) -> Challenge:
        unit, lo, hi, _ = CHALLENGE_UNITS[self.agent]
        if self.dose is not None and not lo <= self.dose <= hi:
            raise ValueError(
                f"dose {self.dose} is out of range for {self.agent} (allowed {lo}-{hi} {unit})"
            )
        return self

    @property
    def effective_dose(self) -> float:
        """Dose with the agent's usual value filled in."""
        return self.dose if self.dose is not None else CHALLENGE_UNITS[self.agent][3]


class Phase(_Frozen):
    """Overrides for a span of days: ``start_day`` inclusive to ``end_day`` exclusive.

    ``diet``, ``sleep`` and ``micronutrients`` overrides are merged field by field into the
    base blocks; ``exercise`` and ``therapy`` lists replace the base lists.
    """

    start_day: int = Field(..., ge=0, le=3650, description="first day of the phase (inclusive)")
    end_day: int = Field(..., ge=1, le=3651, description="day the phase ends (exclusive)")
    label: str = Field("", max_length=80, description="a short name for the phase")
    sleep: dict[str, Any] | None = Field(None, description="sleep fields to override")
    diet: dict[str, Any] | None = Field(None, description="diet fields to override")
    micronutrients: dict[str, Any] | None = Field(
        None, description="micronutrient fields to override"
    )
    exercise: tuple[ExerciseSession, ...] | None = Field(
        None, description="exercise sessions during the phase (replaces the base plan)"
    )
    therapy: tuple[Therapy, ...] | None = Field(
        None, description="therapy during the phase (replaces the base therapy)"
    )

    @model_validator(mode="after")
    def _order(self) -> Phase:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day}) must be after start_day ({self.start_day})")
        # Validate the partial overrides against the block schemas now, at the edge.
        for name, cls in (("sleep", Sleep), ("diet", Diet), ("micronutrients", Micronutrients)):
            override = getattr(self, name)
            if override is not None:
                cls.model_validate(override)
        return self


class Scenario(_Frozen):
    """A complete simulation scenario: who, what they do, for how long, and the seed."""

    name: str = Field("scenario", max_length=120, description="scenario name")
    description: str = Field("", max_length=2000, description="free text")
    days: int = Field(14, ge=1, le=730, description="simulated duration in days, 1-730")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="random seed, 0-2^63-1")
    subject: Subject = Field(default_factory=Subject)
    sleep: Sleep = Field(default_factory=Sleep)
    diet: Diet = Field(default_factory=Diet)
    micronutrients: Micronutrients = Field(default_factory=Micronutrients)
    exercise: tuple[ExerciseSession, ...] = Field((), description="exercise sessions")
    therapy: tuple[Therapy, ...] = Field((), description="GH therapy")
    challenges: tuple[Challenge, ...] = Field(
        (), description="diagnostic or experimental challenges (GHRH, arginine, IGF-1 ...)"
    )
    phases: tuple[Phase, ...] = Field((), description="overrides for spans of days")

    def replace(self, **changes: Any) -> Scenario:
        """Return a new, validated scenario with ``changes`` applied (nested dicts merge).

        Examples
        --------
        >>> s = Scenario().replace(days=3, subject={"age_years": 70})
        >>> (s.days, s.subject.age_years, s.subject.sex)
        (3, 70.0, 'male')
        """
        data = self.model_dump()
        for key, value in changes.items():
            if isinstance(value, BaseModel):
                value = value.model_dump()
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return Scenario.model_validate(data)

    # --- day-resolved view (phases applied) ------------------------------------------------
    def _phase_for(self, day: int) -> Phase | None:
        active = None
        for ph in self.phases:
            if ph.start_day <= day < ph.end_day:
                active = ph  # later phases win
        return active

    def sleep_on(self, day: int) -> Sleep:
        """Sleep block in force on ``day`` (phases merged)."""
        ph = self._phase_for(day)
        if ph is None or ph.sleep is None:
            return self.sleep
        return Sleep.model_validate({**self.sleep.model_dump(), **ph.sleep})

    def diet_on(self, day: int) -> Diet:
        """Diet in force on ``day`` (phases merged)."""
        ph = self._phase_for(day)
        if ph is None or ph.diet is None:
            return self.diet
        base = self.diet.model_dump()
        over = dict(ph.diet)
        # an energy override in either unit replaces the base energy in both units
        if "energy_kcal_per_day" in over or "energy_percent_of_need" in over:
            base["energy_kcal_per_day"] = None
            base["energy_percent_of_need"] = None
        return Diet.model_validate({**base, **over})

    def micronutrients_on(self, day: int) -> Micronutrients:
        """Micronutrient status on ``day`` (phases merged)."""
        ph = self._phase_for(day)
        if ph is None or ph.micronutrients is None:
            return self.micronutrients
        return Micronutrients.model_validate(
            {**self.micronutrients.model_dump(), **ph.micronutrients}
        )

    def exercise_on(self, day: int) -> tuple[ExerciseSession, ...]:
        """Exercise sessions taking place on ``day``."""
        ph = self._phase_for(day)
        plan = self.exercise if ph is None or ph.exercise is None else ph.exercise
        return tuple(s for s in plan if s.on_day(day))

    def therapy_on(self, day: int) -> tuple[Therapy, ...]:
        """Injections given on ``day``."""
        ph = self._phase_for(day)
        plan = self.therapy if ph is None or ph.therapy is None else ph.therapy
        out = []
        for t in plan:
            end = t.end_day if t.end_day is not None else 10**9
            if t.start_day <= day < end and (day - t.start_day) % t.interval_days == 0:
                out.append(t)
        return tuple(out)
