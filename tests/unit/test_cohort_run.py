"""Cohort runs in-process (``workers=0``): completeness, determinism, resume, outputs, CLI.

The Dask paths (local cluster, killed workers, external scheduler) are end-to-end tests in
``tests/e2e/test_cohort_faults.py`` and ``tests/e2e/test_cohort_cluster.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import somatosim
import somatosim.cohort as cohort
from somatosim.clinical import default_reference
from somatosim.cohort.population import subject_scenario, subject_seed
from somatosim.engine.build import summarize
from somatosim.errors import InputError
from somatosim.scenario.schema import Scenario

SPEC: dict[str, Any] = {
    "name": "unit",
    "seed": 5,
    "days": 2,
    "chunk_size": 3,
    "population": {"sampler": {"n": 7, "age_range": [25, 75]}},
    "arms": [
        {"name": "control"},
        {
            "name": "low-protein",
            "overrides": {
                "phases": [{"start_day": 1, "end_day": 2, "diet": {"protein_g_per_kg": 0.5}}]
            },
        },
    ],
}


def sort(df: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in ("arm", "subject_id", "day", "hours") if k in df.columns]
    return df.sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> cohort.CohortResult:
    out = tmp_path_factory.mktemp("cohort") / "out"
    return cohort.run(SPEC, out, workers=0, figures=True)


def test_every_subject_once_per_arm(done: cohort.CohortResult) -> None:
    subjects = done.subjects()
    daily = done.daily()
    assert done.chunks_total == done.chunks_computed == 6
    for arm in ("control", "low-protein"):
        s = subjects[subjects.arm == arm]
        assert sorted(s.subject_id) == list(range(7))
        d = daily[daily.arm == arm]
        assert len(d) == 14
        assert not d.duplicated(["subject_id", "day"]).any()
    assert np.isfinite(daily.select_dtypes("number").drop(columns="gh_sleep_fraction")).all().all()
    man = json.loads((done.out / "cohort.json").read_text())
    assert man["complete"] is True and man["n_subjects"] == 7


def test_daily_sds_and_subject_summaries(done: cohort.CohortResult) -> None:
    daily = sort(done.daily(arms=["control"]))
    subj = sort(done.subjects(arms=["control"]))
    age = np.repeat(subj.age_years.to_numpy(), 2)
    sex = np.repeat(subj.sex.to_numpy().astype(str), 2)
    sds = default_reference().sds(daily.igf1_mean_ng_ml.to_numpy(), age, sex)
    np.testing.assert_allclose(daily.igf1_sds, sds, rtol=1e-12)
    for sid in (0, 4):
        one = daily[daily.subject_id == sid].set_index("day")
        ref = summarize(one)
        row = subj[subj.subject_id == sid].iloc[0]
        for key in (
            "igf1_final_ng_ml",
            "igf1_final_sds",
            "gh_secretion_mg_per_day",
            "gh_pulses_per_day",
            "gh_sleep_fraction",
            "igf1_change_percent",
        ):
            assert row[key] == pytest.approx(ref[key], rel=1e-12), key


def test_arms_differ_where_they_should(done: cohort.CohortResult) -> None:
    d = sort(done.daily())
    c, lp = d[d.arm == "control"], d[d.arm == "low-protein"]
    day0 = (c.day == 0).to_numpy()
    # same subjects, same seeds, same habitual plan on day 0; the phase acts on day 1
    np.testing.assert_array_equal(
        c.igf1_mean_ng_ml.to_numpy()[day0], lp.igf1_mean_ng_ml.to_numpy()[day0]
    )
    assert (lp.igf1_mean_ng_ml.to_numpy()[~day0] < c.igf1_mean_ng_ml.to_numpy()[~day0]).all()


def test_chunking_does_not_change_results(done: cohort.CohortResult, tmp_path: Path) -> None:
    other = cohort.run({**SPEC, "chunk_size": 7}, tmp_path / "one", workers=0, figures=False)
    assert other.chunks_total == 2
    pd.testing.assert_frame_equal(sort(other.daily()), sort(done.daily()))
    pd.testing.assert_frame_equal(sort(other.subjects()), sort(done.subjects()))


def test_subject_equals_a_single_simulation(tmp_path: Path) -> None:
    """A subject of a table population gives exactly what somatosim.simulate gives."""
    table = pd.DataFrame(
        {
            "subject_id": [3, 11],
            "age_years": [33.0, 71.5],
            "sex": ["female", "male"],
            "weight_kg": [60.0, 90.0],
            "sleep_hours": [6.5, 8.0],
            "bedtime": ["22:45", "00:15"],
            "zinc_ug_dl": [55.0, 95.0],
        }
    )
    table.to_csv(tmp_path / "people.csv", index=False)
    spec = cohort.load_spec(
        {
            "seed": 21,
            "days": 2,
            "population": {"table": "people.csv"},
            "arms": [{"name": "a", "scenario": "young-man"}],
        },
        base_dir=tmp_path,
    )
    res = cohort.run(spec, tmp_path / "out", workers=0, figures=False)
    daily = sort(res.daily())
    base = somatosim.scenario.get_preset("young-man").replace(days=2)
    for _, row in table.iterrows():
        sc = subject_scenario(row.to_dict(), base)
        single = somatosim.simulate(sc, seed=subject_seed(21, int(row.subject_id))).daily
        mine = daily[daily.subject_id == row.subject_id].set_index("day")
        cols = list(single.columns)
        pd.testing.assert_frame_equal(
            mine[cols], single[cols], check_names=False, check_index_type=False
        )


def test_resume_computes_only_missing_or_damaged_chunks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = cohort.run(SPEC, out, workers=0, figures=False)
    before_d, before_s = sort(first.daily()), sort(first.subjects())
    (out / "daily" / "control" / "chunk-000001.parquet").unlink()
    damaged = out / "subjects" / "low-protein" / "chunk-000002.parquet"
    damaged.write_bytes(damaged.read_bytes()[:100])
    (out / "daily" / "control" / ".chunk-000001.parquet.deadbeef.tmp").write_bytes(b"x")
    seen: list[cohort.CohortProgress] = []
    again = cohort.run(SPEC, out, workers=0, figures=False, progress=seen.append)
    assert (again.chunks_computed, again.chunks_reused) == (2, 4)
    assert seen[0].reused == seen[0].done == 14 - 3 - 1 and seen[-1].done == seen[-1].total == 14
    pd.testing.assert_frame_equal(sort(again.daily()), before_d)
    pd.testing.assert_frame_equal(sort(again.subjects()), before_s)
    assert not list(out.rglob("*.tmp"))
    third = cohort.run(SPEC, out, workers=0, figures=False)
    assert third.chunks_computed == 0


def test_trajectories(tmp_path: Path) -> None:
    spec = {
        **SPEC,
        "days": 1,
        "population": {"sampler": {"n": 2}},
        "arms": [{"name": "a"}],
        "trajectories": {"every_hours": 6, "variables": ["gh", "igf1_total"]},
    }
    res = cohort.run(spec, tmp_path / "t", workers=0, figures=False)
    tr = sort(res.trajectories())
    assert list(tr.columns) == ["subject_id", "arm", "hours", "gh", "igf1_total"]
    assert tr.hours.tolist() == [0.0, 6.0, 12.0, 18.0] * 2
    assert (tr.igf1_total > 0).all()


def test_summary_tables_and_figures(done: cohort.CohortResult) -> None:
    arms = pd.read_csv(done.out / "summary" / "arms.csv")
    assert arms.arm.tolist() == ["control", "low-protein"]
    assert arms.n_subjects.tolist() == [7, 7]
    subj = done.subjects(arms=["control"])
    row = arms.iloc[0]
    assert row.igf1_final_mean_ng_ml == pytest.approx(subj.igf1_final_ng_ml.mean(), rel=1e-5)
    assert row.igf1_final_sds_sd == pytest.approx(subj.igf1_final_sds.std(), rel=1e-5)
    assert abs(row.igf1_final_median_ng_ml - subj.igf1_final_ng_ml.median()) < 5
    by_day = pd.read_csv(done.out / "summary" / "by_day.csv")
    assert len(by_day) == 2 * 2 * 4
    long = pd.read_csv(done.out / "summary" / "arms_long.csv")
    assert {"igf1_final_ng_ml", "gh_secretion_mg_per_day"} <= set(long.variable)
    names = sorted(p.name for p in done.figures)
    assert names == ["gh_by_arm.png", "gh_over_time.png", "igf1_by_arm.png", "igf1_over_time.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in done.figures)
    assert "control" in done.summary_line() and "7 subjects" in done.summary_line()
    reopened = cohort.open_result(done.out)
    pd.testing.assert_frame_equal(sort(reopened.daily()), sort(done.daily()))


def test_input_errors(tmp_path: Path) -> None:
    cohort.run(
        {**SPEC, "population": {"sampler": {"n": 1}}}, tmp_path / "a", workers=0, figures=False
    )
    with pytest.raises(InputError, match="different cohort"):
        cohort.run(SPEC, tmp_path / "a", workers=0, figures=False)
    with pytest.raises(InputError, match="not found"):
        cohort.run({"population": {"table": "none.csv"}}, tmp_path / "b", workers=0)
    pd.DataFrame({"subject_id": [1, 1]}).to_csv(tmp_path / "dup.csv", index=False)
    spec = cohort.load_spec({"population": {"table": "dup.csv"}}, base_dir=tmp_path)
    with pytest.raises(InputError, match="more than once"):
        cohort.run(spec, tmp_path / "c", workers=0)
    pd.DataFrame({"age_years": [12]}).to_csv(tmp_path / "kid.csv", index=False)
    spec = cohort.load_spec({"days": 1, "population": {"table": "kid.csv"}}, base_dir=tmp_path)
    with pytest.raises(InputError, match=r"subject 0.*age_years"):
        cohort.run(spec, tmp_path / "d", workers=0)


def test_cli(tmp_path: Path) -> None:
    import typer

    from somatosim.cli_cohort import cohort_command

    app = typer.Typer()
    app.command()(cohort_command)
    spec = tmp_path / "spec.yaml"
    spec.write_text("days: 1\nchunk_size: 2\npopulation: {sampler: {n: 3}}\narms: [{name: a}]\n")
    runner = CliRunner()
    ok = runner.invoke(app, [str(spec), "--out", str(tmp_path / "o"), "--workers", "0", "--n", "2"])
    assert ok.exit_code == 0, ok.output
    assert "cohort 'cohort': 1 arm(s) × 2 subjects" in ok.output
    assert len(cohort.open_result(tmp_path / "o").subjects()) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("arms: [{name: a}, {name: a}]\nextra: 1\n")
    res = runner.invoke(app, [str(bad), "--out", str(tmp_path / "p"), "--workers", "0"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "repeated: a" in lines[0]
    assert Scenario  # the CLI left the library usable
