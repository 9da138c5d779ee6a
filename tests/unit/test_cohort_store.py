"""Chunk store: atomic writes, chunk validity, manifest checks, stale temporaries."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from somatosim.cohort.store import ChunkStore, atomic_write_bytes, encode_parquet
from somatosim.errors import InputError


def chunk_files(store: ChunkStore, arm: str, chunk: int, n: int) -> dict[str, bytes]:
    t = pa.table({"subject_id": list(range(n))})
    return {k: encode_parquet(t, store.chunk_meta(arm, chunk, n)) for k in store.kinds}


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f.bin"
    atomic_write_bytes(target, b"abc")
    assert target.read_bytes() == b"abc"

    with pytest.raises(TypeError):
        atomic_write_bytes(target, 12345)  # type: ignore[arg-type]
    assert target.read_bytes() == b"abc"
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]


def test_chunk_validity(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path, "fp1")
    store.open({"name": "x"})
    rows = {"subjects": 3, "daily": 3}
    assert not store.is_done("a", 0, rows)
    store.write_chunk("a", 0, chunk_files(store, "a", 0, 3))
    assert store.is_done("a", 0, rows)
    assert not store.is_done("a", 0, {"subjects": 4, "daily": 3})  # wrong row count
    assert not store.is_done("b", 0, rows)
    # a truncated file (e.g. copied half-way by hand) is not done
    path = store.path("daily", "a", 0)
    path.write_bytes(path.read_bytes()[:-20])
    assert not store.is_done("a", 0, rows)
    # a chunk of another cohort is not done
    other = ChunkStore(tmp_path, "fp2")
    store.write_chunk("a", 1, chunk_files(other, "a", 1, 3))
    assert not store.is_done("a", 1, rows)
    # metadata of another chunk number
    store.write_chunk("a", 2, chunk_files(store, "a", 3, 3))
    assert not store.is_done("a", 2, rows)


def test_open_checks_the_directory(tmp_path: Path) -> None:
    root = tmp_path / "out"
    assert ChunkStore(root, "fp").open({"name": "x"}) is False
    assert ChunkStore(root, "fp").open({"name": "x"}) is True
    assert ChunkStore(root, "fp").read_manifest()["complete"] is False  # type: ignore[index]
    with pytest.raises(InputError, match="different cohort"):
        ChunkStore(root, "other").open({"name": "x"})
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        ChunkStore(busy, "fp").open({})
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="not a directory"):
        ChunkStore(tmp_path / "file", "fp").open({})
    (root / "cohort.json").write_text("{nonsense")
    with pytest.raises(InputError, match="unreadable manifest"):
        ChunkStore(root, "fp").open({})


def test_stale_temporaries_are_removed_and_ignored(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path, "fp")
    store.open({})
    store.write_chunk("a", 0, chunk_files(store, "a", 0, 2))
    stale = store.path("daily", "a", 1).with_name(".chunk-000001.parquet.abc.tmp")
    stale.write_bytes(b"half")
    assert store.files("daily", "a") == [store.path("daily", "a", 0)]
    assert store.remove_stale_temporaries() == 1
    assert not stale.exists()
