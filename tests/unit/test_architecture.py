"""Dependency direction (DESIGN.md §4), checked on the import statements of every module.

``model → scenario → engine → {cohort, calibration, analysis, clinical} → {io, report} →
{cli, web}``: nothing to the left imports from the right. ``errors`` and ``_version`` are the
base every layer may use. ``somatosim/__init__.py`` and ``somatosim/_api.py`` are the
top-level API: they may import the engine and the clinical layer, and only layers to their
right may import them. Every import counts, including those inside functions and under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "somatosim"

# layer of each first-level part of the package (module or subpackage name)
BASE = 0
LAYERS: dict[str, float] = {
    "errors": BASE,
    "_version": BASE,
    "model": 1,
    "scenario": 2,
    "engine": 3,
    "cohort": 4,
    "calibration": 4,
    "analysis": 4,
    "clinical": 4,
    "": 4.5,  # somatosim/__init__.py
    "_api": 4.5,
    "io": 5,
    "interop": 5,
    "report": 5,
    "testing": 5,
    "cli": 6,
    "web": 6,
    "__main__": 6,
}


# Imports that break the order today, each to be removed by moving code or by an issue that
# changes DESIGN.md §4. The test fails for any other violation, and when one of these is fixed
# (so this list cannot go stale).
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        # analysis and calibration call the top-level simulate_many (SDS and warnings) instead
        # of somatosim.engine.simulate.run_batch / build_result
        ("somatosim.analysis.validation", "somatosim"),
        ("somatosim.calibration._runner", "somatosim._api"),
    }
)


def _part(module: str) -> str:
    """First-level part of a dotted module name inside the package ('' for the package)."""
    parts = module.split(".")
    assert parts[0] == "somatosim"
    return parts[1] if len(parts) > 1 else ""


def _layer(part: str) -> float:
    if part == "cli" or part.startswith("cli_"):  # cli/, cli.py, cli_*.py are outermost
        return LAYERS["cli"]
    try:
        return LAYERS[part]
    except KeyError:
        raise AssertionError(
            f"somatosim.{part} is not placed in the dependency order; add it to LAYERS in "
            "tests/unit/test_architecture.py (and to DESIGN.md §4 through an issue)"
        ) from None


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every somatosim module imported by ``path`` (absolute names), with line numbers."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [
                (node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "somatosim"
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "somatosim":
                continue
            if target == "somatosim":  # from somatosim import engine -> a subpackage or a name
                for alias in node.names:
                    sub = SRC / alias.name
                    is_part = sub.is_dir() or sub.with_suffix(".py").exists()
                    out.append((node.lineno, f"somatosim.{alias.name}" if is_part else target))
            else:
                out.append((node.lineno, target))
    return out


MODULES = sorted(SRC.rglob("*.py"))


def test_the_package_has_modules() -> None:
    assert len(MODULES) > 10


def _violations(path: Path) -> list[tuple[str, str, int]]:
    me = _module_name(path)
    my_part = _part(me)
    my_layer = _layer(my_part)
    out = []
    for line, target in _imports(path):
        part = _part(target)
        if part != my_part and _layer(part) > my_layer:
            out.append((me, target, line))
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_left(path: Path) -> None:
    bad = [
        f"line {line}: {me} (layer {_layer(_part(me)):g}) imports {target} "
        f"(layer {_layer(_part(target)):g})"
        for me, target, line in _violations(path)
        if (me, target) not in KNOWN_VIOLATIONS
    ]
    assert not bad, "imports against the dependency order (DESIGN.md §4): " + "; ".join(bad)


def test_known_violations_are_still_present() -> None:
    found = {(me, target) for path in MODULES for me, target, _ in _violations(path)}
    fixed = sorted(KNOWN_VIOLATIONS - found)
    assert not fixed, f"fixed; remove from KNOWN_VIOLATIONS in test_architecture.py: {fixed}"


def test_checker_catches_a_wrong_direction(tmp_path: Path) -> None:
    assert _layer("model") < _layer("scenario") < _layer("engine") < _layer("clinical")
    assert _layer("clinical") < _layer("_api") < _layer("report") < _layer("cli_serve")
    assert _layer("cli") == _layer("web")
