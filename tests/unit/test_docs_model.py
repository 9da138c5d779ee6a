"""docs/model.md is generated from the code and cannot drift (issue 2 point 3)."""

from __future__ import annotations

import difflib
import inspect
import re
from pathlib import Path

from somatosim.model import covariates, equations
from somatosim.model.docs import (
    REGENERATE,
    UNCITED_FLUXES,
    cited_keys,
    equation_rows,
    flux_rows,
    render_model_markdown,
)
from somatosim.model.parameters import PARAMETER_INDEX, default_parameters
from somatosim.model.references import REFERENCES
from somatosim.model.states import STATES

ROOT = Path(__file__).resolve().parents[2]
MODEL_MD = ROOT / "docs" / "model.md"
DRIVERS = ROOT / "src" / "somatosim" / "scenario" / "drivers.py"


def test_committed_model_docs_match_the_code() -> None:
    fresh = render_model_markdown()
    committed = MODEL_MD.read_text(encoding="utf-8") if MODEL_MD.exists() else ""
    if committed != fresh:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "docs/model.md (committed)",
                    "docs/model.md (from the code)",
                    n=1,
                )
            )[:60]
        )
        raise AssertionError(
            "docs/model.md is out of date with the code; regenerate it with\n\n"
            f"    {REGENERATE}\n\nand commit it. First differences:\n{diff}"
        )


def test_every_cited_key_exists() -> None:
    sources = {
        "model/equations.py": inspect.getsource(equations),
        "model/covariates.py": inspect.getsource(covariates),
        "scenario/drivers.py": DRIVERS.read_text(encoding="utf-8"),
    }
    unknown = {
        name: sorted({k for k in cited_keys(text) if k not in REFERENCES})
        for name, text in sources.items()
    }
    unknown = {k: v for k, v in unknown.items() if v}
    assert not unknown, f"citation keys missing from model/references.py: {unknown}"


def test_citation_scanner_sees_the_equation_comments() -> None:
    keys = cited_keys(inspect.getsource(equations))
    assert "Farhy2007" in keys and "Papathanasiou2021" in keys


def test_every_flux_line_is_cited_or_allow_listed() -> None:
    rows = flux_rows()
    cited_states = {r.state for r in rows if r.sources}
    uncited = sorted(
        {r.line for r in rows if r.state not in cited_states and r.state not in UNCITED_FLUXES}
    )
    assert not uncited, (
        "flux lines in rates() without a [Key] citation (cite them in equations.py, or add the "
        f"state with a reason to somatosim.model.docs.UNCITED_FLUXES): {uncited}"
    )
    stale = sorted(set(UNCITED_FLUXES) & cited_states)
    assert not stale, f"remove these now-cited states from UNCITED_FLUXES: {stale}"
    unknown = sorted(set(UNCITED_FLUXES) - {s.name for s in STATES})
    assert not unknown, f"UNCITED_FLUXES names unknown states: {unknown}"


def test_every_state_has_production_and_loss() -> None:
    rows = flux_rows()
    for spec in STATES:
        kinds = {r.flux for r in rows if r.state == spec.name}
        assert kinds == {"production", "loss"}, f"state {spec.name}: rates() sets {kinds}"


def test_equation_rows_render_states_inputs_and_constants_by_name() -> None:
    rows = {r.quantity: r for r in equation_rows(equations.rates)}
    gh = rows["gh: loss"]
    assert gh.expression == (
        "k_gh * (1.0 + gh_sat_ratio * gh_sat_km / (gh_sat_km + max([gh], 0.0)))"
    )
    assert gh.sources == ("Shah1999", "Holl1993", "Hartman1992")
    assert "[sws]" in rows["sst_tone"].expression
    assert "u.asleep" in rows["sst_tone"].expression or "asleep" in rows["sst_tone"].expression


# A parameter named in prose followed by a number (`name` 0.65, `name` = 0.65) quotes its value.
_QUOTED_VALUE = re.compile(r"`([a-z][a-z0-9_]*)`\s*(?:=\s*)?(\d+(?:\.\d+)?)(?![\d.])")


def quoted_parameter_values(text: str) -> list[tuple[int, str, float, int]]:
    """``(line, parameter, value, decimals)`` for every parameter value quoted in ``text``."""
    found = []
    for m in _QUOTED_VALUE.finditer(text):
        if m.group(1) in PARAMETER_INDEX:
            number = m.group(2)
            decimals = len(number.split(".")[1]) if "." in number else 0
            line = text.count("\n", 0, m.start()) + 1
            found.append((line, m.group(1), float(number), decimals))
    return found


def test_quoted_values_are_recognised() -> None:
    text = "rate `sc_ka` 0.33 /h\nF (`sc_bioavailability` = 0.65), `not_a_param` 3"
    assert quoted_parameter_values(text) == [
        (1, "sc_ka", 0.33, 2),
        (2, "sc_bioavailability", 0.65, 2),
    ]


def test_prose_docs_quote_the_shipped_parameter_values() -> None:
    p = default_parameters()
    stale = [
        f"{path.name}:{line}: `{name}` {value} (table: {p[name]})"
        for path in [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
        if path != MODEL_MD
        for line, name, value, decimals in quoted_parameter_values(path.read_text(encoding="utf-8"))
        if round(p[name], decimals) != value
    ]
    assert not stale, "docs quote parameter values that differ from the table:\n" + "\n".join(stale)
