"""``python -m somatosim.cli``: the same as the ``somatosim`` command."""

from somatosim.cli import main

main()
