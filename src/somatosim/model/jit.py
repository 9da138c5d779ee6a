"""Numba compilation of the model equations and the engine kernels: one decorator, one cache.

Numba's on-disk cache checks only the source of the file that defines a cached function. An
engine kernel compiles in the model equations and the state-index constants of other files,
so after an upgrade of somatosim, or an edit of those files, numba would load the kernel's old
machine code and simulate the previous model without a warning. :func:`kernel` therefore
caches every somatosim kernel in a directory named after a digest of the model and engine
sources (:func:`source_digest`): any change to them starts a fresh cache, and the cache of the
previous sources is removed.

The directory is ``__pycache__/numba-<digest>`` inside the installed package when that is
writable, else ``somatosim/numba-<digest>`` in the user's cache directory
(``$XDG_CACHE_HOME`` or ``~/.cache``); a ``NUMBA_CACHE_DIR`` set by the user is used as the
parent instead. If none is writable, numba's own cache locations are used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numba

__all__ = ["FASTMATH", "cache_dir", "kernel", "source_digest"]

# Compiler freedoms that keep NaN/inf semantics (so failures are still detected): no "nnan",
# no "ninf".
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

_PACKAGE = Path(__file__).resolve().parents[1]
# the subpackages whose sources numba compiles into a kernel (functions and global constants)
_COMPILED_PARTS = ("model", "engine")
_PREFIX = "numba-"

# numba.config is a module of settings read at decoration time (untyped)
_CONFIG: Any = numba.config


def source_digest(package: Path = _PACKAGE) -> str:
    """Digest of the model and engine sources (16 hex digits).

    Parameters
    ----------
    package : Path
        The ``somatosim`` package directory.

    Returns
    -------
    str
        Changes when any ``.py`` file of ``model/`` or ``engine/`` changes, is added or removed.
    """
    h = hashlib.sha256()
    for part in _COMPILED_PARTS:
        for path in sorted((package / part).glob("*.py")):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


def _usable(parent: Path, digest: str) -> Path | None:
    """``parent/numba-<digest>``, created (and its older siblings removed), or None if read-only."""
    target = parent / f"{_PREFIX}{digest}"
    new = not target.is_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return None
    if new:
        for old in parent.glob(f"{_PREFIX}*"):
            if old != target and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return target


@lru_cache(maxsize=1)
def cache_dir() -> str | None:
    """Directory of somatosim's compiled kernels for the installed sources (None: numba's own).

    Returns
    -------
    str or None
        See the module docstring for where it is.
    """
    digest = source_digest()
    user = str(_CONFIG.CACHE_DIR or "")
    if user:
        parents = [Path(user) / "somatosim"]
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        parents = [_PACKAGE / "__pycache__", Path(xdg) / "somatosim"]
    for parent in parents:
        found = _usable(parent, digest)
        if found is not None:
            return str(found)
    return None


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit`` with somatosim's compiler flags, cached under :func:`cache_dir`.

    Parameters
    ----------
    **options
        Further ``numba.njit`` options (``inline``, ``parallel``). ``cache=True``,
        ``fastmath=FASTMATH`` and ``error_model="numpy"`` are the defaults.

    Returns
    -------
    callable
        The decorator; it returns numba's dispatcher (``.py_func`` is the Python function).
    """
    opts: dict[str, Any] = {"cache": True, "fastmath": FASTMATH, "error_model": "numpy"}
    opts.update(options)

    def decorate(fn: Callable[..., Any]) -> Any:
        # numba picks a cached function's directory when it is decorated, from
        # numba.config.CACHE_DIR: point it at ours for this function only
        where = cache_dir()
        previous = _CONFIG.CACHE_DIR
        if where is not None:
            _CONFIG.CACHE_DIR = where
        try:
            return numba.njit(**opts)(fn)
        finally:
            _CONFIG.CACHE_DIR = previous

    return decorate
