"""CLI commands of issue 3: ``validate``, ``calibrate`` and ``sensitivity``.

Thin typer-compatible functions; the CLI module registers them::

    app.command("validate")(validate_command)
    app.command("calibrate")(calibrate_command)
    app.command("sensitivity")(sensitivity_command)
"""

from __future__ import annotations

import json
import shlex
import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["calibrate_command", "sensitivity_command", "validate_command"]


def validate_command(
    json_out: Annotated[
        bool, typer.Option("--json", help="print the JSON report to stdout")
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="directory for validation.html/.json")] = Path(
        "validation-report"
    ),
    case: Annotated[
        list[str] | None, typer.Option("--case", help="run only these case ids")
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="only the fast subset")] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="skip the figures")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="ignore cached case results")
    ] = False,
    check_stability: Annotated[
        bool,
        typer.Option(
            "--check-stability", help="rerun every case on other seeds and compare verdicts"
        ),
    ] = False,
) -> None:
    """Run the validation cases against published human data and write the report."""
    from somatosim.calibration.cases import CASES, get_case
    from somatosim.calibration.constraints import CONSTRAINTS
    from somatosim.calibration.validate import PASS_FRACTION_TARGET, run_validation, write_report

    cases = [get_case(c) for c in case] if case else [c for c in CASES if c.fast or not fast]

    def progress(cid: str, done: int, total: int) -> None:
        if not json_out:
            typer.echo(f"[{done}/{total}] {cid}", err=True)

    report = run_validation(
        cases,
        cache_dir=None if no_cache else out / ".cache",
        check_stability=check_stability,
        constraints=CONSTRAINTS,
        progress=progress,
    )
    paths = write_report(report, out, figures=not no_figures)
    if json_out:
        sys.stdout.write(json.dumps(json.loads(paths["json"].read_text()), indent=2) + "\n")
    else:
        for r in report.results:
            mark = "PASS" if r.passed else ("XFAIL" if r.expected_failure else "FAIL")
            typer.echo(f"{mark:5s} {r.id:36s} model {r.model:.4g} {r.unit}")
        typer.echo(
            f"{report.passed}/{len(report.results)} cases pass "
            f"({100 * report.pass_fraction:.1f} %, target "
            f"{100 * PASS_FRACTION_TARGET:.0f} %); "
            f"{sum(c['met'] for c in report.constraints)}/{len(report.constraints)} "
            f"behaviour constraints met; report: {paths['html']}"
        )


def calibrate_command(
    out: Annotated[Path, typer.Option("--out", help="calibrated parameter file to write")] = Path(
        "src/somatosim/data/calibrated_parameters.json"
    ),
    free: Annotated[
        list[str] | None, typer.Option("--free", help="free parameter (repeat)")
    ] = None,
    start: Annotated[
        str,
        typer.Option(
            "--start",
            help="start point: 'literature' (the table's values), 'shipped' (the installed "
            "calibration) or a calibrated-parameter JSON file",
        ),
    ] = "literature",
    n_starts: Annotated[int, typer.Option("--starts", help="multi-start count")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="seed of the start points")] = 0,
    max_nfev: Annotated[int, typer.Option("--max-evals", help="evaluations per start")] = 60,
    fast: Annotated[bool, typer.Option("--fast", help="fit to the fast subset only")] = False,
    prior_weight: Annotated[
        float,
        typer.Option(
            "--prior-weight",
            min=0.0,
            help="weight of the pull towards the literature values (0 = bounds only)",
        ),
    ] = 1.0,
    case_margin: Annotated[
        float,
        typer.Option(
            "--case-margin",
            min=0.0,
            max=0.9,
            help="dead zone of the case residuals, as a fraction of each tolerance: a case "
            "pulls only once it is further than this from its published value (0 = fit every "
            "case towards its published value)",
        ),
    ] = 0.0,
    fd_step: Annotated[
        float | None,
        typer.Option(
            "--fd-step",
            min=0.001,
            max=0.2,
            help="finite-difference step of the Jacobian as a fraction of each parameter's "
            "range (default: 2 % of the parameter's value, scipy's rule)",
        ),
    ] = None,
    budget: Annotated[
        int | None,
        typer.Option(
            "--budget",
            min=2,
            help="total evaluations of the objective, the Jacobians' included, over all "
            "starts; when spent, the fit keeps its evaluated set of lowest cost (bounds the "
            "run's time; a rerun still writes the same file)",
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="'least-squares' (scipy's trust-region fit of the residuals) or 'cmaes' (an "
            "evolution strategy on their sum of squares, sampling at --es-step of the "
            "ranges; for an objective too rough at small scales for a local fit)",
        ),
    ] = "least-squares",
    es_step: Annotated[
        float,
        typer.Option(
            "--es-step",
            min=0.001,
            max=0.5,
            help="initial step of --method cmaes as a fraction of each parameter's range",
        ),
    ] = 0.05,
    keep_passes: Annotated[
        bool,
        typer.Option(
            "--keep-passes/--allow-fewer-passes",
            help="if the fit passes fewer cases than the start (or, with --constraints, meets "
            "fewer constraints), write the evaluated set of lowest cost that passes and meets "
            "at least as many (the start at worst)",
        ),
    ] = True,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="command the written set must pass, run with SOMATOSIM_CALIBRATION_FILE "
            "naming the candidate (repeat; e.g. 'pytest -q tests/validation/test_behaviour.py')",
        ),
    ] = None,
    constraints: Annotated[
        bool,
        typer.Option(
            "--constraints",
            help="also fit to the behaviour constraints (most GH during sleep, short nights, "
            "protein over calories, IGF-1 feedback, GHRH + arginine with age); see "
            "`somatosim.calibration.constraints`",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="worker processes evaluating in parallel (a local Dask cluster): the samples "
            "of each --method cmaes generation and the columns of each --fd-step Jacobian; "
            "the written file does not depend on it",
        ),
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="address of a running Dask scheduler (e.g. tcp://host:8786) whose workers "
            "evaluate instead",
        ),
    ] = None,
) -> None:
    """Fit the free parameters to the validation cases and write the calibrated set.

    Beside the file it writes calibration_run.json: the command, its settings and the
    digests of the start values and of the result, so that a rerun can be checked.
    """
    from somatosim.calibration.cases import CASES
    from somatosim.calibration.constraints import CONSTRAINTS
    from somatosim.calibration.fit import DEFAULT_FREE, calibrate, read_parameter_file
    from somatosim.model.parameters import CALIBRATION_FILE

    start_params = None
    start_informs: dict[str, list[str]] = {}
    if start != "literature":
        shipped = str(files("somatosim") / "data" / CALIBRATION_FILE)
        start_params, start_informs = read_parameter_file(shipped if start == "shipped" else start)
    cases = [c for c in CASES if c.fast or not fast]
    n_fit = sum(c.expected_failure_reason is None for c in cases)
    command = ["somatosim", "calibrate", "--start", start, "--starts", str(n_starts)]
    command += ["--seed", str(seed), "--max-evals", str(max_nfev)]
    command += [f"--free={f}" for f in free or ()] + (["--fast"] if fast else [])
    command += [] if keep_passes else ["--allow-fewer-passes"]
    command += [] if prior_weight == 1.0 else ["--prior-weight", repr(prior_weight)]
    command += [] if case_margin == 0.0 else ["--case-margin", repr(case_margin)]
    command += [] if fd_step is None else ["--fd-step", repr(fd_step)]
    command += [] if budget is None else ["--budget", str(budget)]
    command += [] if method == "least-squares" else ["--method", method]
    command += [] if method != "cmaes" or es_step == 0.05 else ["--es-step", repr(es_step)]
    command += [f"--check={shlex.quote(c)}" for c in check or ()]
    command += ["--constraints"] if constraints else []
    res = calibrate(
        cases,
        tuple(free) if free else DEFAULT_FREE,
        n_starts=n_starts,
        seed=seed,
        max_nfev=max_nfev,
        prior_weight=prior_weight,
        case_margin=case_margin,
        fd_step=fd_step,
        budget=budget,
        method=method,
        es_step=es_step,
        keep_passes=keep_passes,
        checks=tuple(check or ()),
        constraints=CONSTRAINTS if constraints else (),
        workers=workers,
        scheduler=scheduler,
        start=start_params,
        start_informs=start_informs,
        out=out,
        record={"command": " ".join(command), "start": start},
        progress=lambda msg: typer.echo(msg, err=True),
    )
    typer.echo(
        f"cost {res.cost_initial:.3g} -> {res.cost:.3g}; pass {res.passed_initial} -> "
        f"{res.passed} of the {n_fit} fitted cases; {res.evaluations} evaluations in "
        f"{res.seconds / 60:.0f} min; written {out}"
    )
    if constraints:
        typer.echo(
            f"behaviour constraints met: {res.constraints_met_initial} -> "
            f"{res.constraints_met} of {len(CONSTRAINTS)}"
        )
    if res.guard_used:
        typer.echo(
            "the fit's best set passed fewer cases than the start or failed a check; written "
            "instead the evaluated set of lowest cost that passes as many and every check"
        )


def sensitivity_command(
    out: Annotated[Path, typer.Option("--out", help="directory for the table and plot")] = Path(
        "sensitivity-report"
    ),
    method: Annotated[str, typer.Option("--method", help="sobol or morris")] = "sobol",
    n: Annotated[int, typer.Option("--n", help="base sample size (Sobol N / Morris r)")] = 64,
    subjects: Annotated[int, typer.Option("--subjects", help="virtual subjects per point")] = 4,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Global sensitivity of steady IGF-1 and daily GH to lifestyle inputs and parameters."""
    from somatosim.calibration.sensitivity import run_sensitivity, write_sensitivity

    res = run_sensitivity(
        method=method,
        n=n,
        subjects=subjects,
        seed=seed,
        progress=lambda f: typer.echo(f"{100 * f:.0f} %", err=True),
    )
    paths = write_sensitivity(res, out)
    typer.echo(res.verdict)
    typer.echo(f"written {paths['html']}")
