"""Generate ``docs/model.md`` from the code, so the model documentation cannot drift.

The page is built from the data and the source of the model itself: the mechanism list, the
state table (:data:`~somatosim.model.states.STATES`), the equations read from the source of
:func:`~somatosim.model.equations.rates`, :func:`~somatosim.model.equations.ghrh_volley_rate`,
:func:`~somatosim.model.equations.ghrh_volley_amplitude` and
:func:`~somatosim.model.equations.igf1_binding` (each statement with the citation keys of its
trailing comments), the covariate functions, the diet and micronutrient drivers, the parameter
table (:data:`~somatosim.model.parameters.PARAMETERS`) and the references actually cited
(:data:`~somatosim.model.references.REFERENCES`). A unit test compares the committed page
with :func:`render_model_markdown`.

Regenerate with::

    python -m somatosim.model.docs --write docs/model.md

The driver formulas live in :mod:`somatosim.scenario.drivers`, to the right of the model in
the dependency order (DESIGN.md §4); they are read from the source file, not imported.

Notation in the rendered equations: ``[gh]`` is a state (its concentration or amount),
``u.asleep`` an input of the current minute, plain names are subject constants (see
"Subject constants") or parameters (see "Parameters").
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import math
import os
import re
import sys
import tempfile
import textwrap
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from somatosim.model import covariates, equations, states
from somatosim.model.parameters import PARAMETERS
from somatosim.model.references import REFERENCES
from somatosim.model.states import INPUTS, QCONST, STATES

__all__ = [
    "EQUATION_FUNCTIONS",
    "MECHANISMS",
    "UNCITED_FLUXES",
    "EquationRow",
    "cited_keys",
    "equation_rows",
    "flux_rows",
    "main",
    "render_model_markdown",
    "write_model_markdown",
]

REGENERATE = "python -m somatosim.model.docs --write docs/model.md"

MECHANISMS: Mapping[str, str] = MappingProxyType(
    {
        "M1": "Hypothalamus: stochastic GHRH drive and somatostatin tone",
        "M2": "Pituitary GH release (capacity by age, sex, adiposity, reserve)",
        "M3": "Circadian timing and sleep (process S, slow-wave sleep)",
        "M4": "GH kinetics (release compartment, plasma GH)",
        "M5": "Liver: GH-receptor signal, IGF-1 and ALS/IGFBP-3 synthesis",
        "M6": "Nutrition gate and ghrelin",
        "M7": "Micronutrients (magnesium, zinc, vitamin D)",
        "M8": "Circulating IGF-1: binding, clearance, feedback",
        "M9": "Exercise, acute",
        "M10": "Exercise, chronic (training load, muscle IGF-1)",
        "M11": "Ageing (somatopause)",
        "M12": "Exogenous GH (somatropin, long-acting GH)",
        "M13": "Clinical layer (IGF-1 SDS, titration, safety; outside the ODE model)",
    }
)
"""Mechanism ids and names (DESIGN.md §2)."""

EQUATION_FUNCTIONS: tuple[Callable[..., Any], ...] = (
    equations.rates,
    equations.ghrh_volley_rate,
    equations.ghrh_volley_amplitude,
    equations.igf1_binding,
)
"""The model functions whose statements are rendered (numba dispatchers or plain)."""

UNCITED_FLUXES: Mapping[str, str] = MappingProxyType(
    {
        "gh_delay2": "second stage of the GH feedback delay chain cited on gh_delay1",
        "fatigue_resistance": "Banister impulse-response, cited on fitness_resistance",
        "fitness_aerobic": "Banister impulse-response, cited on fitness_resistance",
        "fatigue_aerobic": "Banister impulse-response, cited on fitness_resistance",
        "mps_index": "somatosim index of muscle protein synthesis (relative units)",
    }
)
"""States whose production and loss lines both carry no citation, with the reason.

A flux line counts as cited when it carries a ``[Key]`` comment, or when the other flux line
of the same state does (a production and its first-order loss form one process).
"""

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_BRACKETS = re.compile(r"\[([^\[\]]+)\]")
_SECTION = re.compile(r"^\s*#\s*-{2,}\s*(.*?)\s*-*\s*$")
_PACKAGE = Path(__file__).resolve().parent.parent
_DRIVERS_FILE = _PACKAGE / "scenario" / "drivers.py"
_DRIVER_FUNCTIONS = ("nutrition_target", "micronutrient_factor", "igfbp3_factor")
_COVARIATE_FUNCTIONS = (
    "individualize",
    "hepatic_factor",
    "energy_need_kcal",
    "female_premenopausal_weight",
    "reference_hepatic_signal",
)
_RENAMES = {"_TWO_PI": "2π", "_hill2": "hill2", "_hill3": "hill3", "_hill": "hill"}


@dataclass(frozen=True, slots=True)
class EquationRow:
    """One rendered statement of a model function.

    Attributes
    ----------
    function : str
        Function the statement belongs to.
    section : str
        Section header in the source (``# ---- M1 hypothalamus ----``), or ``""``.
    quantity : str
        What is defined: a state's production or loss, or an intermediate name.
    expression : str
        The right-hand side with states as ``[name]``, inputs as ``u.name`` and constants by
        name.
    note : str
        Trailing comment text without the citation brackets.
    sources : tuple of str
        Citation keys of the statement's comments, in order of appearance.
    state : str
        For a flux line, the state's name; otherwise ``""``.
    flux : str
        ``"production"`` or ``"loss"`` for a flux line; otherwise ``""``.
    line : str
        The first source line of the statement, stripped (for messages).
    """

    function: str
    section: str
    quantity: str
    expression: str
    note: str
    sources: tuple[str, ...]
    state: str = ""
    flux: str = ""
    line: str = ""


# ---- source access ----------------------------------------------------------------------------
def _python_function(func: Callable[..., Any]) -> Callable[..., Any]:
    """The Python function behind a numba dispatcher (or the function itself)."""
    inner = getattr(func, "py_func", func)
    assert callable(inner)
    return inner


def _function_source(func: Callable[..., Any]) -> str:
    return textwrap.dedent(inspect.getsource(_python_function(func)))


def _source_of_named_function(path: Path, name: str) -> str:
    """Source of the top-level function ``name`` in ``path`` (read, not imported)."""
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            segment = ast.get_source_segment(text, node)
            if segment is None:  # pragma: no cover - defensive
                break
            return segment
    raise LookupError(f"function {name!r} not found in {path}")


def _comments_by_line(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _keys_in(text: str) -> list[str]:
    """Citation keys in bracket groups such as ``[Farhy2001; MacGregor2005]``."""
    keys: list[str] = []
    for group in _BRACKETS.findall(text):
        items = [item.strip() for item in group.split(";")]
        if items and all(_KEY.fullmatch(item) for item in items):
            keys.extend(items)
    return keys


def cited_keys(source: str) -> list[str]:
    """Citation keys in the comments and docstrings of Python ``source``.

    Parameters
    ----------
    source : str
        Python source text.

    Returns
    -------
    list of str
        Keys in order of appearance (with repeats).
    """
    texts = list(_comments_by_line(source).values())
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc:
                texts.append(doc)
    keys: list[str] = []
    for text in texts:
        keys.extend(_keys_in(text))
    return keys


# ---- expression rendering ---------------------------------------------------------------------
def _index_name(node: ast.expr, prefix: str) -> int | None:
    if isinstance(node, ast.Name) and (not prefix or node.id.startswith(prefix)):
        value = getattr(states, node.id, None)
        if isinstance(value, int):
            return value
    return None


class _Readable(ast.NodeTransformer):
    """Rewrite indexing into names: ``y[GH]`` -> ``[gh]``, ``q[Q_K_GH]`` -> ``k_gh`` ..."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        base = node.value
        if isinstance(base, ast.Name):
            if base.id == "y" and (i := _index_name(node.slice, "")) is not None:
                return ast.Name(id=f"[{STATES[i].name}]", ctx=ast.Load())
            if base.id == "q" and (i := _index_name(node.slice, "Q_")) is not None:
                return ast.Name(id=QCONST[i], ctx=ast.Load())
            if base.id == "u" and (i := _index_name(node.slice, "U_")) is not None:
                return ast.Name(id=f"u.{INPUTS[i]}", ctx=ast.Load())
            if base.id == "p" and isinstance(node.slice, ast.Constant):
                return ast.Name(id=str(node.slice.value), ctx=ast.Load())
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "math":
            return ast.Name(id="π" if node.attr == "pi" else node.attr, ctx=ast.Load())
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _RENAMES:
            return ast.Name(id=_RENAMES[node.id], ctx=node.ctx)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "float"
            and len(node.args) == 1
            and not node.keywords
        ):
            inner: ast.AST = self.visit(node.args[0])  # a cast for the type checker only
            return inner
        # the constant vector q and the parameter set p are implicit in the notation
        node.args = [a for a in node.args if not (isinstance(a, ast.Name) and a.id in ("q", "p"))]
        return self.generic_visit(node)


def _render(node: ast.AST) -> str:
    return ast.unparse(_Readable().visit(node))


def _flux_target(target: ast.expr) -> tuple[str, str] | None:
    """``prod[GH]`` -> ("gh", "production"); ``loss[GH]`` -> ("gh", "loss")."""
    if (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id in ("prod", "loss")
        and (i := _index_name(target.slice, "")) is not None
    ):
        return STATES[i].name, "production" if target.value.id == "prod" else "loss"
    return None


def _is_aux(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == "aux"
    )


def _statement_rows(
    function: str,
    source: str,
    *,
    expand_dict: str | None = None,
) -> list[EquationRow]:
    """Rows for every assignment (and return) in the body of the function in ``source``."""
    tree = ast.parse(source)
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef):  # pragma: no cover - defensive
        raise TypeError(f"{function}: expected a function definition")
    comments = _comments_by_line(source)
    lines = source.splitlines()
    headers = sorted(
        (ln, m.group(1))
        for ln, text in ((i + 1, line) for i, line in enumerate(lines))
        if (m := _SECTION.match(text))
    )

    def section_at(line: int) -> str:
        current = ""
        for ln, title in headers:
            if ln < line:
                current = title
        return current

    def span_comments(node: ast.AST) -> tuple[str, tuple[str, ...]]:
        start = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", start) or start
        texts = [comments[i] for i in range(start, end + 1) if i in comments]
        keys: list[str] = []
        notes: list[str] = []
        for text in texts:
            if _SECTION.match("# " + text):
                continue
            keys.extend(k for k in _keys_in(text) if k not in keys)
            note = _BRACKETS.sub("", text).strip(" ;,")
            if note:
                notes.append(note)
        return "; ".join(notes), tuple(keys)

    rows: list[EquationRow] = []

    def add(node: ast.stmt, quantity: str, value: ast.expr, condition: str, **kw: str) -> None:
        note, keys = span_comments(node)
        if condition:
            quantity = f"{quantity} (if {condition})"
        rows.append(
            EquationRow(
                function=function,
                section=section_at(node.lineno),
                quantity=quantity,
                expression=_render(value),
                note=note,
                sources=keys,
                line=lines[node.lineno - 1].strip(),
                **kw,
            )
        )

    def walk(body: Sequence[ast.stmt], condition: str) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if any(isinstance(n, ast.Raise) for n in ast.walk(node)):
                    continue  # guards, not model equations
                test = _render(node.test)
                both = f"{condition} and " if condition else ""
                walk(node.body, f"{both}{test}")
                if node.orelse:
                    walk(node.orelse, f"{both}not ({test})")
            elif isinstance(node, ast.Assign):
                target = node.targets[0]
                if _is_aux(target):
                    continue
                if (
                    expand_dict is not None
                    and isinstance(target, ast.Name)
                    and target.id == expand_dict
                    and isinstance(node.value, ast.Dict)
                ):
                    for k, v in zip(node.value.keys, node.value.values, strict=True):
                        if isinstance(k, ast.Constant):
                            add(_located(v, node), str(k.value), v, condition)
                    return  # what follows the table is bookkeeping
                flux = _flux_target(target)
                if flux is not None:
                    state, kind = flux
                    label = f"{state}: {kind}"
                    add(node, label, node.value, condition, state=state, flux=kind)
                else:
                    add(node, _render(target), node.value, condition)
            elif isinstance(node, ast.AugAssign):
                op = _render(ast.BinOp(left=ast.Name(id="x"), op=node.op, right=ast.Constant(1)))
                symbol = op.split()[1]
                add(node, f"{_render(node.target)} {symbol}=", node.value, condition)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                add(node, _render(node.target), node.value, condition)
            elif isinstance(node, ast.Return) and node.value is not None and expand_dict is None:
                add(node, "returns", node.value, condition)

    walk(fn.body, "")
    return rows


def _located(value: ast.expr, fallback: ast.stmt) -> ast.stmt:
    """A statement-like node spanning ``value``'s lines (for its comments)."""
    stmt = ast.Expr(value=value)
    stmt.lineno = getattr(value, "lineno", fallback.lineno)
    stmt.end_lineno = getattr(value, "end_lineno", stmt.lineno)
    return stmt


def equation_rows(func: Callable[..., Any]) -> list[EquationRow]:
    """Rendered statements of one model function (numba dispatcher or plain function).

    Parameters
    ----------
    func : callable
        For example :func:`somatosim.model.equations.rates`.

    Returns
    -------
    list of EquationRow
    """
    name = _python_function(func).__name__
    return _statement_rows(name, _function_source(func))


def flux_rows() -> list[EquationRow]:
    """The production and loss lines of :func:`~somatosim.model.equations.rates`."""
    return [row for row in equation_rows(equations.rates) if row.flux]


# ---- markdown ---------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return out


def _num(value: float) -> str:
    if value == 0.0:
        return "0"
    if math.isfinite(value) and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.4g}"
    return f"{value:.6g}"


def _sources_cell(keys: Iterable[str]) -> str:
    return "; ".join(keys)


def _first_paragraph(func: Callable[..., Any]) -> str:
    doc = inspect.getdoc(_python_function(func)) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _equation_table(rows: Sequence[EquationRow], with_sections: bool) -> Iterator[str]:
    section = None
    block: list[EquationRow] = []

    def flush() -> Iterator[str]:
        if not block:
            return
        body = []
        for r in block:
            sources = _sources_cell(r.sources)
            if r.flux and not sources and r.state in UNCITED_FLUXES:
                sources = f"— ({UNCITED_FLUXES[r.state]})"
            body.append((_cell(r.quantity), _code(r.expression), r.note, sources))
        yield from _table(("quantity", "expression", "note", "sources"), body)
        yield ""

    for row in rows:
        if with_sections and row.section != section:
            yield from flush()
            block = []
            section = row.section
            yield f"#### {section or 'Shared quantities'}"
            yield ""
        block.append(row)
    yield from flush()


def _used_keys() -> list[str]:
    keys: list[str] = []
    for spec in PARAMETERS:
        keys.extend(spec.sources)
    for module in (equations, covariates):
        keys.extend(cited_keys(inspect.getsource(module)))
    keys.extend(cited_keys(_DRIVERS_FILE.read_text(encoding="utf-8")))
    return sorted({k for k in keys if k in REFERENCES}, key=str.casefold)


def render_model_markdown() -> str:
    """The complete ``docs/model.md`` page, generated from the code.

    Returns
    -------
    str
        Markdown text (ends with a newline).
    """
    out: list[str] = [
        "# The somatosim model",
        "",
        "<!-- Generated from the code by somatosim.model.docs; do not edit by hand. -->",
        f"<!-- Regenerate with: {REGENERATE} -->",
        "",
        "Every equation below is read from the source of `somatosim.model` (and the diet and",
        "micronutrient drivers of `somatosim.scenario.drivers`); every number from the parameter",
        "table. A unit test fails when this page and the code disagree.",
        "",
        "Every state obeys `d[y]/dt = production - loss * [y]`; the engine integrates the linear",
        "loss exactly (exponential midpoint integrator, 1-minute step) and a scipy reference",
        "backend integrates the same functions at tight tolerances to verify it. Meals (ghrelin",
        "falls), injections (depots rise) and GHRH volleys (portal GHRH jumps) are discrete events",
        "applied by the engine at minute boundaries.",
        "",
        "Notation: `[gh]` is a state, `u.asleep` an input of the current minute, other names are",
        "subject constants (built from the parameters by `covariates.individualize`) or",
        "parameters. `hill2(x, k) = (x/k)^2 / (1 + (x/k)^2)`, `hill3` likewise with cube.",
        "",
        "## Mechanisms",
        "",
    ]
    state_by_mech: dict[str, list[str]] = {}
    for spec in STATES:
        state_by_mech.setdefault(spec.mechanism, []).append(spec.name)
    par_by_mech: dict[str, list[str]] = {}
    for par in PARAMETERS:
        par_by_mech.setdefault(par.mechanism, []).append(par.name)
    out += _table(
        ("id", "mechanism", "states", "parameters"),
        (
            (mid, name, ", ".join(state_by_mech.get(mid, [])), ", ".join(par_by_mech.get(mid, [])))
            for mid, name in MECHANISMS.items()
        ),
    )
    out += ["", "## States", ""]
    out += _table(
        ("#", "state", "unit", "mechanism", "description"),
        ((str(i), f"`{s.name}`", s.unit, s.mechanism, s.description) for i, s in enumerate(STATES)),
    )
    out += ["", "## Inputs", "", "Piecewise constant over each minute, built by the engine:", ""]
    out += [", ".join(f"`u.{name}`" for name in INPUTS), ""]

    out += ["## Equations", ""]
    constants = [
        (name, getattr(equations, name))
        for name in equations.__all__
        if isinstance(getattr(equations, name), float)
    ]
    if constants:
        out += ["Unit conversions: " + ", ".join(f"`{n} = {_num(v)}`" for n, v in constants), ""]
    for func in EQUATION_FUNCTIONS:
        fn_name = _python_function(func).__name__
        out += [f"### `{fn_name}`", "", _first_paragraph(func), ""]
        out += list(_equation_table(equation_rows(func), with_sections=fn_name == "rates"))

    out += [
        "## Subject constants and covariates",
        "",
        "`covariates.individualize` builds the constant vector from the parameters and the",
        "subject (age, sex, weight, body fat, GH reserve):",
        "",
    ]
    for name in _COVARIATE_FUNCTIONS:
        func = getattr(covariates, name)
        src = textwrap.dedent(inspect.getsource(func))
        rows = _statement_rows(name, src, expand_dict="values" if name == "individualize" else None)
        out += [f"### `{name}`", "", _first_paragraph(func), ""]
        same = [r.quantity for r in rows if r.expression == r.quantity and not r.note]
        out += list(_equation_table([r for r in rows if r.quantity not in same], False))
        if same:
            lead = "Equal to the parameter (or the quantity above) of the same name: "
            out += [lead + ", ".join(same) + ".", ""]

    out += [
        "## Drivers: diet and micronutrients",
        "",
        "From `somatosim.scenario.drivers` (daily inputs `u.nutrition_target`,",
        "`u.protein_availability`, `u.micronutrient_factor` and `u.igfbp3_factor`):",
        "",
    ]
    driver_text = _DRIVERS_FILE.read_text(encoding="utf-8")
    driver_tree = ast.parse(driver_text)
    for name in _DRIVER_FUNCTIONS:
        src = _source_of_named_function(_DRIVERS_FILE, name)
        fn_node = next(
            n for n in driver_tree.body if isinstance(n, ast.FunctionDef) and n.name == name
        )
        doc = ast.get_docstring(fn_node) or ""
        out += [f"### `{name}`", "", " ".join(doc.split("\n\n")[0].split()), ""]
        out += list(_equation_table(_statement_rows(name, src), with_sections=False))

    out += [
        "## Parameters",
        "",
        "`value` is the shipped value; `literature` is the table's written value where "
        "`somatosim calibrate` changed it (`=` where it did not; see docs/validation.md). "
        "To run the model under another calibrated file, name it in the environment variable "
        "`SOMATOSIM_CALIBRATION_FILE`.",
        "",
    ]
    out += _table(
        ("name", "value", "literature", "unit", "range", "mechanism", "description", "sources"),
        (
            (
                f"`{p.name}`",
                _num(p.value),
                _num(p.literature) if p.literature is not None else "=",
                p.unit,
                f"{_num(p.lower)}-{_num(p.upper)}",
                p.mechanism,
                p.description,
                _sources_cell(p.sources),
            )
            for p in PARAMETERS
        ),
    )
    out += ["", "## References", ""]
    for key in _used_keys():
        ref = REFERENCES[key]
        doi = f" doi:[{ref.doi}](https://doi.org/{ref.doi})" if ref.doi else ""
        note = f" ({ref.note})" if ref.note else ""
        out.append(f"- **{key}**: {' '.join(ref.citation.split())}{doi}{note}")
    out.append("")
    return "\n".join(out)


def write_model_markdown(path: str | os.PathLike[str]) -> Path:
    """Write :func:`render_model_markdown` to ``path`` atomically (temp file + rename).

    Parameters
    ----------
    path : str or path-like
        Target file, usually ``docs/model.md``.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render_model_markdown())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the page, or ``--write PATH``."""
    parser = argparse.ArgumentParser(
        prog="python -m somatosim.model.docs", description="Generate docs/model.md from the code."
    )
    parser.add_argument("--write", metavar="PATH", help="write the page to PATH (atomically)")
    args = parser.parse_args(argv)
    if args.write:
        write_model_markdown(args.write)
    else:
        sys.stdout.buffer.write(render_model_markdown().encode("utf-8"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
