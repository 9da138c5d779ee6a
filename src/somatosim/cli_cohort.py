"""``somatosim cohort SPEC --out DIR``: the thin CLI layer over :func:`somatosim.cohort.run`.

The main CLI picks up :func:`cohort_command` as ``somatosim cohort`` (it registers the
``*_command`` functions of every ``cli_*`` module; explicitly:
``app.command("cohort")(cohort_command)``). ``python -m somatosim.cli_cohort SPEC --out DIR``
runs the same command on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

    from somatosim.cohort import CohortProgress

__all__ = ["EXIT_INPUT", "cohort_command", "main"]

#: Exit status for errors in the input or the run (as the other somatosim commands).
EXIT_INPUT = 2


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


class _Bar:
    """A rich progress bar in subjects (× arms), with subjects/s and time remaining."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class _Rate(ProgressColumn):
            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(
                    "– subjects/s" if speed is None else f"{speed:,.0f} subjects/s",
                    style="progress.data.speed",
                )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            speed_estimate_period=60.0,
            transient=False,
        )
        self.task: Any = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None and exc[0] is None:
            self.progress.update(self.task, description="done")
        self.progress.stop()

    def status(self, message: str) -> None:
        if self.task is None:
            self.progress.console.print(f"[dim]{message}[/dim]")
        else:
            self.progress.update(self.task, description=message)

    def update(self, p: CohortProgress) -> None:
        if self.task is None:
            # reused subjects start the bar without counting towards the speed
            self.task = self.progress.add_task("simulating", total=p.total, completed=p.done)
            if p.reused:
                self.progress.console.print(
                    f"[dim]resuming: {p.reused:,} of {p.total:,} subject-arms already done[/dim]"
                )
        else:
            self.progress.update(self.task, completed=p.done, description="simulating")


def cohort_command(
    spec: Annotated[
        Path, typer.Argument(help="Cohort spec (YAML): population, arms, days.", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory; rerun to resume.")],
    n: Annotated[
        int | None,
        typer.Option("--n", help="Number of subjects (overrides the spec).", show_default=False),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Local Dask worker processes (default: CPUs; 0: no Dask).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler, e.g. tcp://host:8786.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Simulate a virtual cohort (population × arms) in chunks on Dask; results as Parquet.

    Rerunning the same command after an interruption computes only the missing chunks.
    """
    from somatosim.errors import SomatosimError

    try:
        from somatosim.cohort import run

        with _Bar() as bar:
            result = run(
                spec,
                out,
                n=n,
                workers=workers,
                scheduler=scheduler,
                progress=bar.update,
                status=bar.status,
            )
    except SomatosimError as exc:  # bad input, or a simulation that failed
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except KeyboardInterrupt:
        typer.echo("interrupted; rerun the same command to resume", err=True)
        raise typer.Exit(130) from None
    except OSError as exc:  # the output directory cannot be written, a disk is full, ...
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(result.summary_line())


def main(argv: list[str] | None = None) -> None:
    """Run :func:`cohort_command` as a stand-alone program."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(cohort_command)
    app(args=argv if argv is not None else sys.argv[1:], prog_name="somatosim cohort")


if __name__ == "__main__":
    main()
