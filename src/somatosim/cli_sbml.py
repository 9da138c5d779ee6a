"""``somatosim export-sbml --out FILE [--scenario S] [--seed N]``: the thin CLI over the SBML export.

The main CLI registers :func:`export_sbml_command` as ``export-sbml``
(``app.command("export-sbml")(export_sbml_command)``); ``python -m somatosim.cli_sbml --out
FILE`` runs the same command on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from somatosim.scenario.schema import Scenario

__all__ = ["export_sbml_command", "main", "resolve_scenario"]

EXIT_INPUT = 2
EXIT_INTERNAL = 1


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def resolve_scenario(scenario: str | None) -> Scenario:
    """The scenario named on the command line: a YAML/JSON file, a preset name, or the default.

    Parameters
    ----------
    scenario : str or None
        Path of a scenario file, or a preset name (``somatosim presets``); ``None`` gives the
        default scenario.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        When the file is invalid, or ``scenario`` is neither a file nor a preset.
    """
    from somatosim.errors import InputError
    from somatosim.scenario.io import load_scenario
    from somatosim.scenario.presets import PRESETS, get_preset
    from somatosim.scenario.schema import Scenario

    if scenario is None:
        return Scenario()
    path = Path(scenario)
    if path.is_file() or path.suffix.lower() in {".yaml", ".yml", ".json"}:
        return load_scenario(path)
    try:
        return get_preset(scenario)
    except InputError:
        raise InputError(
            f"--scenario {scenario!r} is neither a scenario file nor a preset; give the path of "
            f"a YAML or JSON file or one of the presets: {', '.join(PRESETS)}"
        ) from None


def export_sbml_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="SBML file to write (e.g. model.xml).", show_default=False
        ),
    ],
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Scenario file (YAML/JSON) or preset name; default: the default scenario.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Seed of the GHRH volley process (default: the scenario's seed).",
            min=0,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export the model with one scenario's inputs (one seed) as SBML Level 3.

    The file holds the equations, the subject's parameters with units and sources, and the
    scenario's inputs, meals, doses and GHRH volleys as events; time in hours from 00:00 of
    the first warm-up day.
    """
    from somatosim.errors import SomatosimError

    try:
        from somatosim.interop.sbml import write_sbml

        sc = resolve_scenario(scenario)
        path = write_sbml(out, sc, seed)
    except ImportError as exc:
        typer.echo(
            f"error: SBML export needs python-libsbml ({_one_line(str(exc))}); install it with "
            "'pip install python-libsbml'",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None
    except SomatosimError as exc:
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        typer.echo(f"error: cannot write {out}: {_one_line(str(exc))}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    used_seed = sc.seed if seed is None else seed
    typer.echo(f"wrote {path} (SBML Level 3 Version 2; scenario {sc.name!r}, seed {used_seed})")


def main(argv: list[str] | None = None) -> None:
    """Run :func:`export_sbml_command` as a stand-alone program."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(export_sbml_command)
    app(args=argv if argv is not None else sys.argv[1:], prog_name="somatosim export-sbml")


if __name__ == "__main__":
    main()
