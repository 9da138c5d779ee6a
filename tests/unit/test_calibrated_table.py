"""The shipped table applies the calibration file (issue 3 point 2)."""

from __future__ import annotations

import pytest

from somatosim.model import parameters as P


def _entry(lit: float, cal: float, free: bool = True) -> dict[str, object]:
    return {"literature": lit, "calibrated": cal, "cases": ["1.1-x"], "free": free}


def test_calibrated_value_replaces_the_written_one() -> None:
    spec = P._TABLE[P.PARAMETER_INDEX["gh_ec50"]]
    out = P._calibrated(P._TABLE, {"gh_ec50": _entry(spec.value, spec.value * 1.1)})
    row = out[P.PARAMETER_INDEX["gh_ec50"]]
    assert row.value == pytest.approx(spec.value * 1.1)
    assert row.literature == spec.value and row.informed_by == ("1.1-x",)
    others = [a == b for i, (a, b) in enumerate(zip(out, P._TABLE, strict=True)) if a is not row]
    assert all(others)


def test_stale_or_fixed_entries_are_ignored() -> None:
    spec = P._TABLE[P.PARAMETER_INDEX["gh_ec50"]]
    stale = P._calibrated(P._TABLE, {"gh_ec50": _entry(spec.value + 1.0, spec.value * 1.1)})
    fixed = P._calibrated(P._TABLE, {"gh_ec50": _entry(spec.value, spec.value * 1.1, False)})
    assert stale == P._TABLE and fixed == P._TABLE


def test_calibrated_value_outside_the_range_is_rejected() -> None:
    spec = P._TABLE[P.PARAMETER_INDEX["gh_ec50"]]
    with pytest.raises(ValueError, match="gh_ec50"):
        P._calibrated(P._TABLE, {"gh_ec50": _entry(spec.value, spec.upper * 2)})


def test_shipped_set_is_the_calibrated_table() -> None:
    shipped = P.default_parameters()
    lit = P.literature_parameters()
    for spec in P.PARAMETERS:
        assert shipped[spec.name] == spec.value
        if spec.literature is None:
            assert lit[spec.name] == spec.value
        else:
            assert lit[spec.name] == spec.literature
            assert spec.lower <= spec.value <= spec.upper
