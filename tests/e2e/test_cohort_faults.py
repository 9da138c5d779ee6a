"""Faults during a cohort run (DESIGN.md §6: writes are atomic; a run killed midway resumes).

1. The whole run (the ``somatosim cohort`` process, its Dask cluster included) is killed with
   SIGKILL midway; rerunning the same command computes only the missing chunks.
2. A Dask worker process is killed with SIGKILL while it works; Dask reruns its task on the
   other (or the restarted) worker.

Both must end with every subject present exactly once per arm and results equal, number for
number, to an uninterrupted run (computed in-process, so the comparison also shows that the
executor does not matter).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import somatosim.cohort as cohort

pytestmark = pytest.mark.e2e

SPEC: dict[str, Any] = {
    "name": "faults",
    "seed": 17,
    "days": 60,
    "chunk_size": 4,
    "population": {"sampler": {"n": 60}},
    "arms": [{"name": "a"}],
}
N_CHUNKS = 15


def sort(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["arm", "subject_id"] + (["day"] if "day" in df else [])).reset_index(
        drop=True
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> cohort.CohortResult:
    """The uninterrupted run, in-process."""
    return cohort.run(SPEC, tmp_path_factory.mktemp("ref") / "out", workers=0, figures=False)


def done_chunks(out: Path) -> int:
    # a chunk's subjects file is written last, so it marks a complete chunk
    d = out / "subjects" / "a"
    return len(list(d.glob("chunk-*.parquet"))) if d.is_dir() else 0


def assert_complete_and_equal(out: Path, reference: cohort.CohortResult) -> None:
    res = cohort.open_result(out)
    subjects, daily = res.subjects(), res.daily()
    assert sorted(subjects.subject_id) == list(range(60))  # every subject exactly once
    assert len(daily) == 60 * 60 and not daily.duplicated(["subject_id", "day"]).any()
    pd.testing.assert_frame_equal(sort(daily), sort(reference.daily()))
    pd.testing.assert_frame_equal(sort(subjects), sort(reference.subjects()))


def test_run_killed_midway_resumes(tmp_path: Path, reference: cohort.CohortResult) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "somatosim.cli",  # the `somatosim` command
        "cohort",
        str(spec),
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )  # its own process group: cluster included
    try:
        deadline = time.monotonic() + 120
        while done_chunks(out) < 3:
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "no chunk finished within 120 s"
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    at_kill = done_chunks(out)
    if at_kill >= N_CHUNKS:
        pytest.fail("the run finished before it was killed; enlarge the workload")
    assert (out / "cohort.json").is_file()
    assert '"complete": false' in (out / "cohort.json").read_text()

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    line = again.stdout.strip().splitlines()[-1]
    computed = N_CHUNKS - at_kill
    assert f"{computed} of {N_CHUNKS} chunks computed, {at_kill} reused" in line, line
    assert not list(out.rglob("*.tmp"))
    assert_complete_and_equal(out, reference)


def test_dask_worker_killed_midway(tmp_path: Path, reference: cohort.CohortResult) -> None:
    from distributed import Client, LocalCluster

    out = tmp_path / "out"
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
            env={"NUMBA_NUM_THREADS": "1"},
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        victim_address, victim = min(pids.items(), key=lambda kv: kv[1])
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = cohort.run(SPEC, out, client=client, figures=False)
            except BaseException as exc:  # reported below
                box["error"] = exc

        thread = threading.Thread(target=work)
        thread.start()
        deadline = time.monotonic() + 120
        while done_chunks(out) < 2 and thread.is_alive():
            assert time.monotonic() < deadline, "no chunk finished within 120 s"
            time.sleep(0.005)
        busy = client.processing().get(victim_address, ())
        at_kill = done_chunks(out)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive()
        assert "error" not in box, repr(box.get("error"))
        assert victim not in client.run(os.getpid).values()
    if at_kill >= N_CHUNKS:
        pytest.fail("the run finished before the worker was killed; enlarge the workload")
    assert busy, "the killed worker had no chunk in progress"
    result: cohort.CohortResult = box["result"]
    assert result.chunks_computed == N_CHUNKS
    assert_complete_and_equal(out, reference)
