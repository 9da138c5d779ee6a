"""The ``somatosim`` command line: ``somatosim --help`` lists the commands.

Examples
--------
``somatosim demo`` runs the built-in demo and prints where its report is;
``somatosim run scenario.yaml --out results/`` runs a scenario file;
``somatosim compare preset:deficit-high-protein preset:deficit-low-protein`` compares two.
"""

from somatosim.cli._app import app, main

__all__ = ["app", "main"]
