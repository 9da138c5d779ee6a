"""The public API is explicit (httpx style): ``somatosim.__all__`` is sorted, complete, and
every name in it is importable."""

from __future__ import annotations

import importlib
import types

import somatosim


def test_all_is_sorted() -> None:
    assert somatosim.__all__ == sorted(somatosim.__all__)


def test_all_has_no_duplicates() -> None:
    assert len(set(somatosim.__all__)) == len(somatosim.__all__)


def test_every_name_in_all_is_importable() -> None:
    module = importlib.import_module("somatosim")
    missing = [name for name in somatosim.__all__ if not hasattr(module, name)]
    assert not missing, f"somatosim.__all__ names that do not exist: {missing}"
    namespace: dict[str, object] = {}
    exec("from somatosim import *", namespace)  # the star import uses __all__
    assert sorted(n for n in namespace if n != "__builtins__") == sorted(somatosim.__all__)


def test_every_public_member_is_exported() -> None:
    """Public names in the package namespace are in ``__all__`` (subpackages excepted)."""
    public = sorted(
        name
        for name, value in vars(somatosim).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert sorted(set(public) - set(somatosim.__all__)) == []
    private_exports = [n for n in somatosim.__all__ if n.startswith("_") and n != "__version__"]
    assert private_exports == []
