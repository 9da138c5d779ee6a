"""The ``somatosim`` command line (typer). A thin layer: parse, call the library, print.

Every error a user can cause is printed as ``error: <message>`` (one line per problem) on
stderr with exit code 2; no traceback is shown unless ``SOMATOSIM_DEBUG=1`` is set.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import statistics
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from somatosim._version import __version__
from somatosim.errors import InputError, SomatosimError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from somatosim.engine.result import Result
    from somatosim.scenario.schema import Scenario

__all__ = ["app", "main"]

P = ParamSpec("P")
R = TypeVar("R")

#: Exit status for errors in the user's input (as for command-line usage errors).
EXIT_INPUT = 2
#: Exit status for unexpected internal errors.
EXIT_INTERNAL = 1
#: Runs expected to last longer than this many seconds show a progress bar.
PROGRESS_DELAY_S = 2.0

app = typer.Typer(
    name="somatosim",
    help="Simulate the human GH-IGF-1 axis: run scenarios and presets, compare them, "
    "score IGF-1 against age and sex references.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _click_class(name: str) -> type[Exception]:
    """A class of the click that typer uses (recent typer versions vendor their own click)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == name:
            return cls
    raise ImportError(f"typer's click has no {name}")  # pragma: no cover


_ClickException = _click_class("ClickException")
_UsageError = _click_class("UsageError")


# --- errors -----------------------------------------------------------------------------------
def _fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    for line in message.strip().splitlines() or ["unknown error"]:
        _err.print(Text("error: ", style="bold red") + Text(line), soft_wrap=True)
    return typer.Exit(code)


def _user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn every error into one ``error:`` line per problem and an exit status."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, _ClickException):
            raise
        except SomatosimError as exc:
            raise _fail(str(exc)) from None
        except KeyboardInterrupt:
            raise _fail("interrupted; no output was written", 130) from None
        except Exception as exc:
            raise _fail(*_describe_exception(exc)) from None

    return wrapper


def _describe_exception(exc: Exception) -> tuple[str, int]:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        from somatosim.scenario.io import format_validation_error

        return format_validation_error(exc, "input"), EXIT_INPUT
    if isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else ""
        return f"{name}{exc.strerror or exc}", EXIT_INPUT
    if os.environ.get("SOMATOSIM_DEBUG"):
        raise exc
    detail = " ".join(str(exc).split())
    return (
        f"internal error ({type(exc).__name__}: {detail}). This is a bug in somatosim; "
        "please report it with the command you ran (SOMATOSIM_DEBUG=1 shows the traceback)",
        EXIT_INTERNAL,
    )


# --- progress ---------------------------------------------------------------------------------
class _DelayedProgress:
    """A progress bar that appears only if the work takes longer than ``delay`` seconds.

    Call the object with the fraction done (``simulate(progress=bar)``); :meth:`stage`
    changes the label. Nothing is drawn when stderr is not a terminal.
    """

    def __init__(self, label: str, *, enabled: bool, delay: float = PROGRESS_DELAY_S) -> None:
        self._label = label
        self._enabled = enabled and _err.is_terminal
        self._delay = delay
        self._fraction: float | None = None
        self._lock = threading.Lock()
        self._done = False
        self._timer: threading.Timer | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _DelayedProgress:
        if self._enabled:
            self._timer = threading.Timer(self._delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._done:
                return
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=_err,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=None)
            if self._fraction is not None:
                self._progress.update(self._task, total=1.0, completed=self._fraction)

    def __call__(self, fraction: float) -> None:
        with self._lock:
            self._fraction = min(max(float(fraction), 0.0), 1.0)
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, total=1.0, completed=self._fraction)

    def stage(self, label: str) -> None:
        """Show a new label and restart the bar (indeterminate until the next fraction)."""
        with self._lock:
            self._label = label
            self._fraction = None
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, description=label, total=None, completed=0)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()


# --- scenario arguments -----------------------------------------------------------------------
def _scenario_from(arg: str | None, preset: str | None, what: str = "scenario") -> Scenario:
    from somatosim.scenario.io import load_scenario
    from somatosim.scenario.presets import PRESETS, get_preset

    if arg is not None and preset is not None:
        raise InputError(f"give either a {what} file or a preset, not both")
    if preset is not None:
        return get_preset(preset)
    if arg is None:
        raise InputError(
            f"give a {what} file (somatosim run scenario.yaml) or a preset "
            "(somatosim run --preset demo); 'somatosim presets' lists the presets"
        )
    if arg.startswith("preset:"):
        return get_preset(arg.removeprefix("preset:"))
    path = Path(arg)
    if not path.exists() and arg.strip().lower() in PRESETS:
        raise InputError(
            f"scenario file {arg!r} not found; to run the preset, use --preset {arg} "
            f"or preset:{arg}"
        )
    return load_scenario(path)


def _override(scenario: Scenario, *, days: int | None, seed: int | None) -> Scenario:
    from pydantic import ValidationError

    from somatosim.scenario.io import format_validation_error

    changes: dict[str, int] = {}
    if days is not None:
        changes["days"] = days
    if seed is not None:
        changes["seed"] = seed
    if not changes:
        return scenario
    try:
        return scenario.replace(**changes)
    except ValidationError as exc:
        flags = " and ".join(f"--{k}" for k in changes)
        raise InputError(format_validation_error(exc, flags)) from None


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "scenario"


def _simulate(scenario: Scenario, bar: _DelayedProgress) -> Result:
    from somatosim import simulate

    return simulate(scenario, progress=bar)


def _show_path(path: Path) -> str:
    return str(path.resolve())


# --- printing ---------------------------------------------------------------------------------
def _print_summary(result: Result) -> None:
    from somatosim.report.html import summary_notes, summary_rows

    sc = result.scenario
    table = Table(title=f"{sc.name}: {sc.days} days, seed {sc.seed}", title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for _, label, value, unit in summary_rows(result.summary):
        table.add_row(label, value, unit)
    _out.print(table)
    for label, text in summary_notes(result.summary):
        _out.print(Text(f"{label}: {text}", style="dim"))
    _print_warnings(result.warnings, "")


def _print_warnings(warnings: tuple[str, ...] | list[str], prefix: str) -> None:
    for w in warnings:
        _out.print(Text("warning: ", style="bold yellow") + Text(f"{prefix}{w}"))


def _run_and_write(scenario: Scenario, out: Path | None, quiet: bool) -> Path:
    from somatosim.io import write_run_outputs

    out_dir = out if out is not None else Path("somatosim-out") / _slug(scenario.name)
    with _DelayedProgress(
        f"simulating {scenario.name} ({scenario.days} days)", enabled=not quiet
    ) as bar:
        result = _simulate(scenario, bar)
        bar.stage("writing the report")
        paths = write_run_outputs(result, out_dir)
    if not quiet:
        _print_summary(result)
        _out.print(f"Wrote {', '.join(paths)} to {_show_path(out_dir)}", soft_wrap=True)
    else:
        _print_warnings(result.warnings, "")
    report = paths["report.html"]
    _out.print(f"Report: {_show_path(report)}", soft_wrap=True)
    return report


# --- commands ---------------------------------------------------------------------------------
ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help="Scenario file (YAML or JSON), or preset:NAME for a built-in scenario.",
        show_default=False,
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option("--preset", "-p", help="Run a built-in scenario (see 'somatosim presets')."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Output directory [default: somatosim-out/<scenario name>].",
        show_default=False,
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Random seed (overrides the scenario's seed).")
]
DaysOpt = Annotated[
    int | None, typer.Option("--days", help="Simulated days (overrides the scenario's days).")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print only warnings and the report path.")
]


@app.command()
@_user_errors
def run(
    scenario: ScenarioArg = None,
    preset: PresetOpt = None,
    out: OutOpt = None,
    seed: SeedOpt = None,
    days: DaysOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a scenario file or a preset.

    Writes summary.json, daily.csv, timeseries.parquet, scenario.yaml and report.html to the
    output directory and prints where the report is.
    """
    sc = _override(_scenario_from(scenario, preset), days=days, seed=seed)
    _run_and_write(sc, out, quiet)


@app.command()
@_user_errors
def demo(
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run the demo: a healthy young man, one week.

    The same as 'somatosim run --preset demo'; prints where the HTML report is.
    """
    from somatosim.scenario.presets import get_preset

    _run_and_write(get_preset("demo"), out, quiet)


@app.command()
@_user_errors
def compare(
    a: Annotated[
        str | None, typer.Argument(help="Scenario A: a file or preset:NAME.", show_default=False)
    ] = None,
    b: Annotated[
        str | None, typer.Argument(help="Scenario B: a file or preset:NAME.", show_default=False)
    ] = None,
    preset_a: Annotated[str | None, typer.Option("--preset-a", help="Preset for A.")] = None,
    preset_b: Annotated[str | None, typer.Option("--preset-b", help="Preset for B.")] = None,
    out: OutOpt = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed for both runs (paired comparison).")
    ] = None,
    days: DaysOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run two scenarios and compare them.

    Shows the summaries side by side with their differences (B - A) and writes
    summary.json, daily.csv, both scenarios and report.html.
    """
    from somatosim.io import write_compare_outputs
    from somatosim.report.html import compare_rows, summary_notes

    if b is None and preset_a is not None and a is not None:
        a, b = None, a  # `compare --preset-a X other.yaml`: the one argument is B
    sa = _override(_scenario_from(a, preset_a, "scenario A"), days=days, seed=seed)
    sb = _override(_scenario_from(b, preset_b, "scenario B"), days=days, seed=seed)
    labels = ("A", "B") if sa.name == sb.name else (sa.name, sb.name)
    out_dir = out if out is not None else Path("somatosim-out") / _slug(f"{sa.name}-vs-{sb.name}")
    with _DelayedProgress(f"simulating {labels[0]}", enabled=not quiet) as bar:
        ra = _simulate(sa, bar)
        bar.stage(f"simulating {labels[1]}")
        rb = _simulate(sb, bar)
        bar.stage("writing the report")
        paths = write_compare_outputs(ra, rb, out_dir, labels)
    if not quiet:
        table = Table(title=f"A = {labels[0]}, B = {labels[1]}", title_justify="left")
        table.add_column("quantity", ratio=1, min_width=16)
        for col in ("A", "B", "B - A", "change"):
            table.add_column(col, justify="right", no_wrap=True)
        table.add_column("unit", no_wrap=True)
        for row in compare_rows(ra, rb):
            table.add_row(*row)
        _out.print(table)
        for label, text in sorted(set(summary_notes(ra.summary)) | set(summary_notes(rb.summary))):
            _out.print(Text(f"{label}: {text}", style="dim"))
        _out.print(f"Wrote {', '.join(paths)} to {_show_path(out_dir)}", soft_wrap=True)
    _print_warnings(ra.warnings, f"{labels[0]}: ")
    _print_warnings(rb.warnings, f"{labels[1]}: ")
    _out.print(f"Report: {_show_path(paths['report.html'])}", soft_wrap=True)


@app.command()
@_user_errors
def presets(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Print this preset as YAML (save it, edit it, run it).", show_default=False
        ),
    ] = None,
) -> None:
    """List the built-in scenarios, or print one as YAML."""
    from somatosim.scenario.io import scenario_to_yaml
    from somatosim.scenario.presets import PRESETS, get_preset, list_presets

    if name is not None:
        typer.echo(scenario_to_yaml(get_preset(name)), nl=False)
        return
    table = Table(title="Built-in scenarios (somatosim run --preset NAME)", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("days", justify="right")
    table.add_column("what it shows")
    for key, summary in list_presets():
        table.add_row(key, str(PRESETS[key].days), summary)
    _out.print(table)
    _out.print("somatosim presets NAME prints one as YAML, with its sources.", style="dim")


@app.command()
@_user_errors
def params(
    mechanism: Annotated[
        str | None, typer.Option("--mechanism", "-m", help="Only this mechanism, e.g. M3.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, markdown or json.")
    ] = "table",
    references: Annotated[
        bool, typer.Option("--references", help="Also list the full citations of the sources.")
    ] = False,
) -> None:
    """Print the model's parameter table.

    One row per parameter: name, value, unit, range, description, source and mechanism.
    """
    from somatosim.model.parameters import PARAMETERS
    from somatosim.model.references import REFERENCES

    formats = ("table", "csv", "markdown", "json")
    if fmt not in formats:
        raise InputError(f"--format = {fmt!r} is not allowed (allowed: {', '.join(formats)})")
    rows = [p for p in PARAMETERS if mechanism is None or p.mechanism.lower() == mechanism.lower()]
    if not rows:
        known = sorted({p.mechanism for p in PARAMETERS}, key=lambda m: (len(m), m))
        raise InputError(
            f"--mechanism = {mechanism!r} has no parameters (known: {', '.join(known)})"
        )
    header = ("name", "value", "unit", "range", "description", "source", "mechanism")

    def cells(p: Any) -> tuple[str, ...]:
        rng = f"{p.lower:g}-{p.upper:g}"
        return (p.name, f"{p.value:g}", p.unit, rng, p.description, p.source, p.mechanism)

    if fmt == "json":
        data = [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "lower": p.lower,
                "upper": p.upper,
                "description": p.description,
                "source": p.source,
                "mechanism": p.mechanism,
            }
            for p in rows
        ]
        typer.echo(json.dumps(data, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(cells(p) for p in rows)
        typer.echo(buf.getvalue(), nl=False)
    elif fmt == "markdown":
        typer.echo("| " + " | ".join(header) + " |")
        typer.echo("|" + "---|" * len(header))
        for p in rows:
            typer.echo("| " + " | ".join(c.replace("|", "\\|") for c in cells(p)) + " |")
    else:
        table = Table(title=f"Model parameters ({len(rows)})", title_justify="left")
        for col in header[:4]:
            table.add_column(col, no_wrap=True, overflow="fold" if col == "name" else "ellipsis")
        table.add_column("description", ratio=3, min_width=20)
        table.add_column("source", ratio=1, min_width=10, overflow="fold")
        table.add_column("M", no_wrap=True)
        for p in rows:
            name, value, unit, rng, description, source, mech = cells(p)
            source = "\n".join(k.strip() for k in source.split(";"))
            table.add_row(name, value, unit, rng, description, source, mech)
        _out.print(table)
    if references:
        keys = sorted({k.strip() for p in rows for k in p.source.split(";")})
        typer.echo("")
        for key in keys:
            ref = REFERENCES.get(key)
            typer.echo(f"{key}: {ref.citation if ref is not None else '(not in the registry)'}")


@app.command()
@_user_errors
def sds(
    igf1: Annotated[float, typer.Argument(help="Measured total IGF-1.", show_default=False)],
    age: Annotated[float, typer.Option("--age", help="Age in years.", show_default=False)],
    sex: Annotated[str, typer.Option("--sex", help="male or female.", show_default=False)],
    units: Annotated[str, typer.Option("--units", help="ng/mL or nmol/L.")] = "ng/mL",
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference",
            help="Assay-specific reference table (CSV); the LIFE reference by default.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """IGF-1 SDS and percentile of a measurement.

    Scores total IGF-1 against an age- and sex-specific reference (LIFE by default).
    """
    from somatosim import clinical

    ref = clinical.load_reference(reference) if reference is not None else None
    ref = ref if ref is not None else clinical.default_reference()
    z = clinical.igf1_sds(igf1, age, sex, units=units, reference=ref)
    pct = 100.0 * statistics.NormalDist().cdf(z)
    _out.print(
        f"IGF-1 {igf1:g} {units} ({sex}, {age:g} years): SDS {z:+.2f}, percentile {pct:.1f}",
        soft_wrap=True,
    )
    _out.print(Text(f"reference: {ref.name}", style="dim"), soft_wrap=True)
    if abs(z) > 2:
        side = "above +2" if z > 0 else "below -2"
        _out.print(Text(f"note: {side} SDS, outside the reference range", style="yellow"))


@app.command()
@_user_errors
def check(
    scenario: Annotated[
        str, typer.Argument(help="Scenario file (YAML or JSON).", show_default=False)
    ],
) -> None:
    """Check a scenario file without running it."""
    sc = _scenario_from(scenario, None)
    _out.print(f"ok: {scenario} is a valid scenario ({sc.name!r}, {sc.days} days, seed {sc.seed})")


def _version_text() -> str:
    from somatosim.report.html import default_parameter_set_id

    return f"somatosim {__version__} (parameter set {default_parameter_set_id()})"


@app.command()
def version() -> None:
    """Print the version and the parameter set."""
    typer.echo(_version_text())


def _version_flag(value: bool) -> None:
    if value:
        typer.echo(_version_text())
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version_flag, is_eager=True
        ),
    ] = False,
) -> None:
    """Simulate the human GH-IGF-1 axis."""


def _register_optional() -> None:
    """Register commands that live in other modules: ``somatosim/cli_<name>.py``.

    Every public function named ``<command>_command`` in such a module becomes the command
    ``<command>`` (underscores as hyphens), e.g. ``cli_pulses.pulses_command`` is ``somatosim
    pulses``. A module that fails to import is skipped, so the other commands keep working.
    """
    import importlib
    import inspect
    import pkgutil

    import somatosim

    taken = {c.name for c in app.registered_commands}
    for info in sorted(pkgutil.iter_modules(somatosim.__path__), key=lambda m: m.name):
        if not info.name.startswith("cli_"):
            continue
        try:
            module = importlib.import_module(f"somatosim.{info.name}")
        except ImportError:
            continue
        for attr, fn in sorted(vars(module).items()):
            if not (attr.endswith("_command") and inspect.isfunction(fn)):
                continue
            if fn.__module__ != module.__name__:
                continue
            name = attr.removesuffix("_command").replace("_", "-")
            if name not in taken:
                app.command(name)(_user_errors(fn))
                taken.add(name)


_register_optional()


# --- entry point ------------------------------------------------------------------------------
@contextmanager
def _no_traceback() -> Iterator[None]:
    try:
        yield
    except _UsageError as exc:
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        message = exc.format_message()  # type: ignore[attr-defined]
        raise _fail(f"{message}{hint}", getattr(exc, "exit_code", EXIT_INPUT)) from None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``somatosim`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    try:
        with _no_traceback():
            code = app(args=argv, prog_name="somatosim", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except _ClickException as exc:
        exc.show()  # type: ignore[attr-defined]
        code = getattr(exc, "exit_code", 1)
    except (typer.Abort, KeyboardInterrupt):
        _err.print("error: interrupted")
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
