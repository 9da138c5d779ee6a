"""Errors that carry a human message and the fix."""

from __future__ import annotations

__all__ = ["InputError", "SimulationError", "SomatosimError"]


class SomatosimError(Exception):
    """Base class of every error somatosim raises on purpose (shown to users as one line)."""


class InputError(SomatosimError, ValueError):
    """Bad user input: the message names the field, the value and the allowed range."""


class SimulationError(SomatosimError, RuntimeError):
    """The integration failed (for example a non-finite state); the message says where."""
