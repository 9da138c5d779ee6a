"""``somatosim titrate`` and ``somatosim stimtest``: thin CLI layers over the clinical tools.

The main CLI registers every ``*_command`` function of the ``cli_*`` modules: ``titrate_command``
becomes ``somatosim titrate`` and ``stimtest_command`` becomes ``somatosim stimtest``. Errors
the user can cause are raised as :class:`~somatosim.errors.InputError` and printed by the main
CLI as one ``error:`` line.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from somatosim.scenario.schema import Scenario

__all__ = ["stimtest_command", "titrate_command"]

_SUBJECT_HELP = "Subject option; overrides the scenario's subject when --scenario is given."


def _subject_scenario(
    scenario: Path | None,
    *,
    age: float | None,
    sex: str | None,
    weight: float | None,
    height: float | None,
    reserve: float | None,
    estrogen: str | None,
    default_reserve: float,
) -> Scenario:
    """A scenario whose subject combines ``--scenario`` and the subject options."""
    from somatosim.scenario.io import load_scenario
    from somatosim.scenario.schema import Scenario

    base = load_scenario(scenario) if scenario is not None else Scenario()
    fields: dict[str, Any] = {}
    for key, value in (
        ("age_years", age),
        ("sex", sex),
        ("weight_kg", weight),
        ("height_cm", height),
        ("gh_reserve", reserve),
        ("estrogen", estrogen),
    ):
        if value is not None:
            fields[key] = value
    if scenario is None and reserve is None:
        fields["gh_reserve"] = default_reserve
    if not fields:
        return base
    from pydantic import ValidationError

    try:
        return base.replace(subject=fields)
    except ValidationError as exc:
        from somatosim.errors import InputError
        from somatosim.scenario.io import format_validation_error

        raise InputError(format_validation_error(exc, "options")) from None


def _fmt_sds(value: float) -> str:
    return f"{value:+.2f}" if math.isfinite(value) else "n/a"


def titrate_command(
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Scenario file (YAML/JSON) giving the subject, sleep "
            "and diet; its therapy is replaced.",
            show_default=False,
        ),
    ] = None,
    regimen: Annotated[
        str, typer.Option("--regimen", help="daily (somatropin) or weekly (somapacitan).")
    ] = "daily",
    age: Annotated[
        float | None,
        typer.Option("--age", help="Age in years. " + _SUBJECT_HELP, show_default=False),
    ] = None,
    sex: Annotated[
        str | None, typer.Option("--sex", help="male or female.", show_default=False)
    ] = None,
    weight: Annotated[
        float | None, typer.Option("--weight", help="Body weight in kg.", show_default=False)
    ] = None,
    height: Annotated[
        float | None, typer.Option("--height", help="Height in cm.", show_default=False)
    ] = None,
    reserve: Annotated[
        float | None,
        typer.Option(
            "--reserve",
            help="Pituitary GH reserve 0-1 (default 0.1, severe GH "
            "deficiency, unless --scenario gives one).",
            show_default=False,
        ),
    ] = None,
    estrogen: Annotated[
        str | None,
        typer.Option("--estrogen", help="none, oral or transdermal.", show_default=False),
    ] = None,
    target_low: Annotated[
        float, typer.Option("--target-low", help="Lower end of the target IGF-1 SDS window.")
    ] = 0.0,
    target_high: Annotated[
        float, typer.Option("--target-high", help="Upper end of the target IGF-1 SDS window.")
    ] = 1.0,
    step_weeks: Annotated[
        int | None,
        typer.Option(
            "--step-weeks",
            help="Weeks between dose changes (daily 4-8, default 6; weekly 2-8, default 4).",
            show_default=False,
        ),
    ] = None,
    max_dose: Annotated[
        float | None,
        typer.Option(
            "--max-dose",
            help="Maximum dose per injection in mg (default: label "
            "maximum, 1 mg/day or 8 mg/week).",
            show_default=False,
        ),
    ] = None,
    start_dose: Annotated[
        float | None,
        typer.Option(
            "--start-dose",
            help="Starting dose per injection in mg (default: by age, "
            "Molitch 2011 / somapacitan label).",
            show_default=False,
        ),
    ] = None,
    max_steps: Annotated[int, typer.Option("--max-steps", help="At most this many steps.")] = 12,
    time: Annotated[str, typer.Option("--time", help="Injection clock time HH:MM.")] = "21:00",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Simulate guideline GH dose titration to a target IGF-1 SDS window.

    Daily somatropin starts at the dose for the subject's age (Molitch 2011) and changes by
    0.1-0.2 mg/day every 4-8 weeks; weekly somapacitan starts at 1.5 mg/week (label) and
    changes by 0.5-1 mg every 2-8 weeks, with IGF-1 sampled on day 4 after the injection.
    """
    from somatosim.clinical.titration import titrate

    sc = _subject_scenario(
        scenario,
        age=age,
        sex=sex,
        weight=weight,
        height=height,
        reserve=reserve,
        estrogen=estrogen,
        default_reserve=0.1,
    )
    res = titrate(
        sc,
        regimen=regimen,
        target=(target_low, target_high),
        step_weeks=step_weeks,
        max_dose=max_dose,
        start_dose=start_dose,
        max_steps=max_steps,
        injection_time=time,
        seed=seed,
    )
    if as_json:
        typer.echo(json.dumps(res.as_dict(), indent=2, allow_nan=False, default=str))
        return
    s = res.subject
    unit = res.dose_unit
    typer.echo(
        f"{res.regimen} {res.drug}, {s.sex}, {s.age_years:g} y, {s.weight:g} kg, "
        f"gh_reserve {s.gh_reserve:g}; target IGF-1 SDS {res.target[0]:+g} to "
        f"{res.target[1]:+g}; steps every {res.step_weeks} weeks; max {res.max_dose_mg:g} "
        f"{unit}"
    )
    typer.echo("")
    typer.echo(
        f"{'step':>4}  {'week':>5}  {'dose ' + unit:>14}  {'IGF-1 ng/mL':>11}  {'SDS':>6}  decision"
    )
    for row in res.steps.to_dict(orient="records"):
        week = float(row["sample_hours"]) / 24.0 / 7.0
        typer.echo(
            f"{row['step']:>4}  {week:>5.1f}  {float(row['dose_mg']):>14.2f}  "
            f"{float(row['igf1_ng_ml']):>11.0f}  {_fmt_sds(float(row['igf1_sds'])):>6}  "
            f"{row['decision']}"
        )
    typer.echo("")
    when = f" after {res.weeks_to_target:.1f} weeks" if res.weeks_to_target is not None else ""
    typer.echo(f"final dose: {res.final_dose_mg:g} {unit} ({res.stop_reason}{when})")
    if res.weekly_profile is not None:
        w = res.weekly_profile
        typer.echo("")
        typer.echo(
            f"IGF-1 SDS by day after the injection at {w.dose_mg:g} mg/week (steady "
            f"state): weekly mean {_fmt_sds(w.weekly_mean_sds)}, peak "
            f"{_fmt_sds(w.peak_sds)} on day {w.peak_day:.1f}"
        )
        typer.echo(f"{'day':>3}  {'SDS':>6}  {'- mean':>7}  {'- peak':>7}")
        for day, sds, to_mean, to_peak in zip(
            w.days.index,
            w.days["igf1_sds"],
            w.days["sds_minus_mean"],
            w.days["sds_minus_peak"],
            strict=True,
        ):
            typer.echo(
                f"{day:>3}  {_fmt_sds(float(sds)):>6}  {_fmt_sds(float(to_mean)):>7}  "
                f"{_fmt_sds(float(to_peak)):>7}"
            )
        typer.echo(
            f"the falling SDS reaches the weekly mean on day {w.mean_crossing_day:.1f}; "
            f"closest whole day: {w.best_day_for_mean}; closest to the peak: day "
            f"{w.best_day_for_peak}"
        )
    typer.echo("")
    typer.echo(f"reference: {res.reference_name}")
    for warning in res.warnings:
        typer.echo(f"warning: {warning}")


def stimtest_command(
    test: Annotated[
        str, typer.Option("--test", help="ghrh-arginine or macimorelin.")
    ] = "ghrh-arginine",
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Scenario file (YAML/JSON) giving the subject, sleep and diet.",
            show_default=False,
        ),
    ] = None,
    age: Annotated[
        float | None,
        typer.Option("--age", help="Age in years. " + _SUBJECT_HELP, show_default=False),
    ] = None,
    sex: Annotated[
        str | None, typer.Option("--sex", help="male or female.", show_default=False)
    ] = None,
    weight: Annotated[
        float | None, typer.Option("--weight", help="Body weight in kg.", show_default=False)
    ] = None,
    height: Annotated[
        float | None, typer.Option("--height", help="Height in cm.", show_default=False)
    ] = None,
    reserve: Annotated[
        float | None,
        typer.Option(
            "--reserve",
            help="Pituitary GH reserve 0-1 (default 1, healthy; 0.3 "
            "partial, 0.1 severe deficiency).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[str, typer.Option("--start", help="Test clock time HH:MM.")] = "08:00",
    seed: Annotated[int, typer.Option("--seed", help="First random seed.")] = 0,
    n_seeds: Annotated[
        int, typer.Option("--n-seeds", help="Repetitions (the peak is the median).")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Simulate a GH stimulation test and read the peak GH against the published cut-off.

    GHRH + arginine: cut-offs 11 / 8 / 4 µg/L by BMI < 25 / 25-30 / > 30 (Corneli 2005).
    Macimorelin: 2.8 ng/mL (Garcia 2018). A peak below the cut-off means GH deficiency.
    """
    from somatosim.clinical.stimulation import stimulation_test

    sc = _subject_scenario(
        scenario,
        age=age,
        sex=sex,
        weight=weight,
        height=height,
        reserve=reserve,
        estrogen=None,
        default_reserve=1.0,
    )
    res = stimulation_test(sc, test, seed=seed, n_seeds=n_seeds, start=start)
    if as_json:
        typer.echo(json.dumps(res.as_dict(), indent=2, allow_nan=False))
        return
    s = res.subject
    typer.echo(f"{res.test}: {res.protocol}")
    typer.echo(
        f"subject: {s.sex}, {s.age_years:g} y, BMI {res.bmi:.1f}, gh_reserve "
        f"{s.gh_reserve:g}; test at {start}"
    )
    typer.echo("")
    typer.echo(
        f"{'min':>4}  GH ng/mL"
        + ("  (seeds " + ", ".join(map(str, res.seeds)) + ")" if len(res.seeds) > 1 else "")
    )
    for minute, values in zip(res.samples.index, res.samples.to_numpy(), strict=True):
        typer.echo(f"{minute:>4}  " + "  ".join(f"{float(v):7.2f}" for v in values))
    typer.echo("")
    typer.echo(
        f"peak GH {res.peak_gh:.2f} ng/mL at {res.time_of_peak:g} min; cut-off "
        f"{res.cutoff:g} ng/mL -> {res.verdict}"
    )
    if len(res.seeds) > 1:
        typer.echo(f"deficient in {100 * res.fraction_deficient:.0f} % of {len(res.seeds)} runs")
    typer.echo(f"cut-off source: {res.cutoff_source}")
