"""The compiled-kernel cache follows the model sources (somatosim.model.jit).

Numba checks only the file that defines a cached function, so an engine kernel cached before
an edit of the model equations used to be loaded unchanged: after upgrading, a user would
have simulated the previous model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from somatosim.engine import fast, reference
from somatosim.model import equations
from somatosim.model.jit import cache_dir, source_digest

PACKAGE = Path(equations.__file__).resolve().parents[1]

RUN = (
    "import somatosim; "
    "r = somatosim.simulate({'days': 1, 'subject': {'age_years': 30, 'sex': 'male'}}, seed=1); "
    "print(somatosim.__file__); print(repr(float(r.daily['gh_mean_ng_ml'].iloc[0])))"
)


def _copy_package(tmp_path: Path) -> Path:
    dest = tmp_path / "src" / "somatosim"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_digest_changes_with_any_model_or_engine_source(tmp_path: Path) -> None:
    pkg = _copy_package(tmp_path)
    first = source_digest(pkg)
    assert source_digest(pkg) == first
    with (pkg / "engine" / "fast.py").open("a") as fh:
        fh.write("\n# edited\n")
    second = source_digest(pkg)
    assert second != first
    (pkg / "model" / "extra.py").write_text("X = 1\n")
    assert source_digest(pkg) not in (first, second)
    # files outside the compiled parts do not count
    third = source_digest(pkg)
    with (pkg / "report" / "html.py").open("a") as fh:
        fh.write("\n# edited\n")
    assert source_digest(pkg) == third


def test_every_kernel_is_cached_under_the_digest_directory() -> None:
    where = cache_dir()
    assert where is not None and where.endswith(source_digest())
    kernels = [
        equations.rates,
        equations.ghrh_volley_rate,
        fast.integrate_batch,
        reference._augmented_rhs,
    ]
    for k in kernels:
        path = k._cache._cache_path  # numba's FunctionCache
        assert str(path).startswith(where), (k, path)


def _simulate_in(src: Path) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env["PYTHONPATH"] = str(src)
    out = subprocess.run(
        [sys.executable, "-c", RUN], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], float(out[1])


def test_an_edit_of_the_equations_reaches_a_cached_engine_kernel(tmp_path: Path) -> None:
    pkg = _copy_package(tmp_path)
    where, before = _simulate_in(pkg.parent)  # compiles and caches the kernels
    assert Path(where).resolve().is_relative_to(pkg.resolve())
    eq = pkg / "model" / "equations.py"
    text = eq.read_text()
    line = "prod[GH] = (q[Q_K_REL] * y[REL] + exo_in) / q[Q_VOLUME]"
    assert text.count(line) == 1
    # twice the GH entering plasma: only equations.py changes, not the engine's file
    eq.write_text(text.replace(line, line + " * 2.0"))
    _, after = _simulate_in(pkg.parent)
    assert after == pytest.approx(2.0 * before, rel=0.35)
    caches = sorted(p.name for p in (pkg / "__pycache__").glob("numba-*"))
    assert caches == [f"numba-{source_digest(pkg)}"]  # the stale cache is gone
