"""``somatosim pulses``: pulse deconvolution of measured series, and its validation.

``somatosim pulses FILE --out DIR --units ng/mL`` analyses one series or a long-format file
of many subjects (see :mod:`somatosim.analysis.pulses_io` for the columns) and writes
``bursts.csv``/``.parquet``, ``subjects.csv``/``.parquet`` and ``figures/``.

``somatosim pulses --validate --out DIR`` runs the validation harness
(:mod:`somatosim.analysis.validation`) on synthetic and simulated subjects and writes
``validation_report.html`` with its tables.

The main CLI registers :func:`pulses_command` by its name (``cli_<name>.py`` modules);
``python -m somatosim.cli_pulses ...`` runs the same command on its own.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["main", "pulses_command"]


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _analyse(
    file: Path,
    out: Path,
    *,
    units: str | None,
    time_unit: str | None,
    hormone: str,
    shape: str,
    cv: float,
    lod: float | None,
    weight_kg: float | None,
    min_mass: float,
    min_mass_ug: float | None,
    bootstrap: int,
    figures: bool,
    seed: int,
) -> None:
    from somatosim.analysis.deconvolution import GH_KINETICS, LH_KINETICS, deconvolve
    from somatosim.analysis.pulses_io import read_series, write_outputs
    from somatosim.errors import InputError
    from somatosim.model.parameters import default_parameters

    kinetics = {"gh": GH_KINETICS, "lh": LH_KINETICS}.get(hormone.lower())
    if kinetics is None:
        raise InputError(f"--hormone {hormone!r}: use gh or lh")
    if shape not in ("gaussian", "skewed"):
        raise InputError(f"--shape {shape!r}: use gaussian or skewed")
    if min_mass_ug is not None and weight_kg is None:
        raise InputError("--min-mass-ug needs --weight-kg (to convert µg to concentration)")
    series = read_series(file, units=units, time_unit=time_unit)
    results = {}
    start = time.perf_counter()
    for s in series:
        volume = None
        if weight_kg is not None and s.units == "ng/mL":
            volume = default_parameters()["gh_volume_l_per_kg"] * weight_kg
        threshold = min_mass
        if min_mass_ug is not None:
            if volume is None:
                raise InputError(f"subject {s.subject}: --min-mass-ug needs ng/mL-type units")
            threshold = max(threshold, min_mass_ug / volume)
        try:
            results[s.subject] = deconvolve(
                s.times_min,
                s.concentration,
                units=s.units,
                kinetics=kinetics,
                shape="skewed" if shape == "skewed" else "gaussian",
                assay_cv=cv,
                lod=lod,
                censored=s.below_lod,
                distribution_volume_l=volume,
                min_mass=threshold,
                n_bootstrap=bootstrap,
                seed=seed,
            )
        except InputError as exc:
            raise InputError(f"subject {s.subject}: {_one_line(str(exc))}") from None
    elapsed = time.perf_counter() - start
    paths = write_outputs(results, out, figures=figures)
    for subject, res in results.items():
        est = res.estimates["value"]
        typer.echo(
            f"subject {subject}: {res.n_bursts} bursts, half-life {res.halflife_min:.1f} min, "
            f"total secretion {est['total_secretion_per_day']:.3g} {res.units}·V/24h"
            + (
                f" ({est['total_secretion_per_day_ug']:.0f} µg/24h)"
                if "total_secretion_per_day_ug" in est.index
                else ""
            )
        )
        for w in res.warnings:
            typer.echo(f"  note: {w}")
    typer.echo(
        f"analysed {len(results)} series in {elapsed:.2f} s; wrote {len(paths)} files to {out}"
    )


def _validate(out: Path, *, subjects: int, source: str, seed: int) -> None:
    from somatosim.analysis.validation import run_validation, write_report
    from somatosim.errors import InputError

    sources = {
        "both": ["synthetic", "simulator"],
        "synthetic": ["synthetic"],
        "simulator": ["simulator"],
    }.get(source)
    if sources is None:
        raise InputError(f"--source {source!r}: use synthetic, simulator or both")
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    for src in sources:
        typer.echo(f"validating on {src} subjects ({subjects} per setting) ...")
        run = run_validation(
            n_subjects=subjects,
            source="simulator" if src == "simulator" else "synthetic",
            seed=seed,
            progress=True,
        )
        run.per_series.to_csv(out / f"validation_{src}_series.csv", index=False)
        run.per_setting.to_csv(out / f"validation_{src}_settings.csv", index=False)
        runs.append(run)
    report = write_report(runs, out / "validation_report.html")
    typer.echo(f"wrote {report}")


def pulses_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV of one series (time, concentration) or of many subjects (long format).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output directory for tables and figures.")
    ] = Path("pulses"),
    validate: Annotated[
        bool,
        typer.Option("--validate", help="Run the validation harness instead of analysing FILE."),
    ] = False,
    units: Annotated[
        str | None,
        typer.Option(
            "--units",
            help="Concentration unit when the file has no 'units' column: ng/mL, µg/L, mU/L, "
            "IU/L ...",
            show_default=False,
        ),
    ] = None,
    time_unit: Annotated[
        str | None,
        typer.Option(
            "--time-unit", help="Unit of a plain 'time' column: min or h.", show_default=False
        ),
    ] = None,
    hormone: Annotated[
        str, typer.Option("--hormone", help="Elimination kinetics: gh (biexponential) or lh.")
    ] = "gh",
    shape: Annotated[
        str, typer.Option("--shape", help="Burst waveform: gaussian or skewed.")
    ] = "gaussian",
    cv: Annotated[float, typer.Option("--cv", help="Assay coefficient of variation.")] = 0.05,
    lod: Annotated[
        float | None,
        typer.Option("--lod", help="Assay detection limit (file units).", show_default=False),
    ] = None,
    weight_kg: Annotated[
        float | None,
        typer.Option(
            "--weight-kg",
            help="Body weight: masses also in µg (GH volume 0.07 L/kg; ng/mL-type units only).",
            show_default=False,
        ),
    ] = None,
    min_mass: Annotated[
        float,
        typer.Option(
            "--min-mass", help="Count only bursts of at least this mass (file units x volume)."
        ),
    ] = 0.0,
    min_mass_ug: Annotated[
        float | None,
        typer.Option(
            "--min-mass-ug",
            help="Count only bursts of at least this many µg (needs --weight-kg).",
            show_default=False,
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Parametric bootstrap replicates (0: asymptotic).")
    ] = 0,
    figures: Annotated[
        bool, typer.Option("--figures/--no-figures", help="Write one figure per subject.")
    ] = True,
    subjects: Annotated[
        int, typer.Option("--subjects", help="With --validate: subjects per setting.")
    ] = 100,
    source: Annotated[
        str, typer.Option("--source", help="With --validate: synthetic, simulator or both.")
    ] = "both",
    seed: Annotated[int, typer.Option("--seed", help="Random seed (bootstrap, validation).")] = 1,
) -> None:
    """Find GH secretory bursts, basal secretion and half-life in sampled series.

    Writes a per-burst and a per-subject table (CSV and Parquet) and one figure per subject.
    With --validate, scores the method on subjects whose true bursts are known.
    """
    from somatosim.errors import SomatosimError

    try:
        if validate:
            _validate(out, subjects=subjects, source=source, seed=seed)
        elif file is None:
            raise SomatosimError("give a CSV FILE to analyse, or --validate")
        else:
            _analyse(
                file,
                out,
                units=units,
                time_unit=time_unit,
                hormone=hormone,
                shape=shape,
                cv=cv,
                lod=lod,
                weight_kg=weight_kg,
                min_mass=min_mass,
                min_mass_ug=min_mass_ug,
                bootstrap=bootstrap,
                figures=figures,
                seed=seed,
            )
    except SomatosimError as exc:
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        raise typer.Exit(2) from None


def main(argv: list[str] | None = None) -> None:
    """Run :func:`pulses_command` as a stand-alone program."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(pulses_command)
    app(args=argv if argv is not None else sys.argv[1:], prog_name="somatosim pulses")


if __name__ == "__main__":
    main()
