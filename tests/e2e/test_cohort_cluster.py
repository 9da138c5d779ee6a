"""The "Running on a Dask cluster" commands of docs/cohorts.md, run for real.

The commands are read from the documentation (so docs and test cannot drift apart) and run
on 127.0.0.1 with a free port and two worker processes: a ``dask scheduler`` process, a
``dask worker`` process (with its nanny and workers), and the cohort command with
``--scheduler``. The result must equal an in-process run of the same spec.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

import somatosim.cohort as cohort

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[2] / "docs" / "cohorts.md"
SPEC = {
    "name": "cluster",
    "seed": 8,
    "days": 4,
    "chunk_size": 5,
    "population": {"sampler": {"n": 23}},
    "arms": [
        {"name": "control"},
        {
            "name": "fast",
            "overrides": {
                "phases": [
                    {
                        "start_day": 1,
                        "end_day": 3,
                        "diet": {"energy_kcal_per_day": 0, "protein_g_per_kg": 0},
                    }
                ]
            },
        },
    ],
}


def doc_commands() -> dict[str, str]:
    """The scheduler, worker and cohort command lines of the tested docs block."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    block = next(b for b in blocks if "dask scheduler" in b)
    lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    found = {
        "scheduler": next(ln for ln in lines if ln.startswith("dask scheduler")),
        "worker": next(ln for ln in lines if " dask worker " in f" {ln} "),
        "cohort": next(ln for ln in lines if ln.startswith("somatosim cohort")),
    }
    return found


def dask_executable() -> str:
    """The ``dask`` command of this interpreter's environment."""
    here = Path(sys.executable).parent / "dask"
    found = str(here) if here.is_file() else shutil.which("dask")
    if found is None:
        pytest.fail("the `dask` command is not installed (pip install 'dask[distributed]')")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def localise(line: str, port: int) -> list[str]:
    line = (
        line.replace("0.0.0.0", "127.0.0.1")
        .replace("SCHEDULER_HOST", "127.0.0.1")
        .replace("8786", str(port))
        .replace("--nworkers 8", "--nworkers 2")
    )
    return shlex.split(line)


def split_env(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    env = {}
    while argv and re.match(r"^[A-Z_][A-Z0-9_]*=", argv[0]):
        k, v = argv.pop(0).split("=", 1)
        env[k] = v
    return env, argv


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    cmds = doc_commands()
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    logs = []

    def start(line: str, name: str) -> None:
        env, argv = split_env(localise(line, port))
        log = open(tmp_path / f"{name}.log", "wb")
        logs.append(log)
        assert argv[0] == "dask"
        argv = [dask_executable(), *argv[1:]]
        procs.append(
            subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                start_new_session=True,
            )
        )

    try:
        start(cmds["scheduler"], "scheduler")
        start(cmds["worker"], "worker")
        address = f"tcp://127.0.0.1:{port}"
        from distributed import Client

        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout="5s") as c:
                    c.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                    break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for log in logs:
            log.close()


def sort(df: pd.DataFrame) -> pd.DataFrame:
    keys = ["arm", "subject_id"] + (["day"] if "day" in df.columns else [])
    return df.sort_values(keys).reset_index(drop=True)


def test_docs_name_the_commands() -> None:
    cmds = doc_commands()
    assert "--nthreads 1" in cmds["worker"] and "NUMBA_NUM_THREADS=1" in cmds["worker"]
    assert "--scheduler tcp://SCHEDULER_HOST:8786" in cmds["cohort"]


def test_cohort_on_a_real_local_cluster(cluster: str, tmp_path: Path) -> None:
    spec = tmp_path / "trial.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "results"
    argv = localise(doc_commands()["cohort"], int(cluster.rsplit(":", 1)[1]))
    assert argv[:2] == ["somatosim", "cohort"]
    argv = [a.replace("trial.yaml", str(spec)).replace("results/trial", str(out)) for a in argv]
    cmd = [sys.executable, "-m", "somatosim.cli", *argv[1:]]  # `somatosim` of this Python
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    line = done.stdout.strip().splitlines()[-1]
    assert f"Dask scheduler {cluster}" in line and "10 of 10 chunks computed" in line, line

    ref = cohort.run(SPEC, tmp_path / "ref", workers=0, figures=False)
    got = cohort.open_result(out)
    pd.testing.assert_frame_equal(sort(got.daily()), sort(ref.daily()))
    pd.testing.assert_frame_equal(sort(got.subjects()), sort(ref.subjects()))
    assert sorted(got.subjects(arms=["fast"]).subject_id) == list(range(23))
    assert len(got.figures) == 4
