"""The cohort's on-disk store: Parquet chunk files, a manifest, atomic writes and resume.

Layout of an output directory::

    cohort.json                              manifest (what, how many, which fingerprint)
    subjects/<arm>/chunk-000000.parquet      one row per subject: covariates, seed, summaries
    daily/<arm>/chunk-000000.parquet         one row per subject and day: daily summaries
    trajectories/<arm>/chunk-000000.parquet  optional: coarse time series
    summary/  figures/                       arm summary tables and figures (summary.py)

Every file is written to a temporary name starting with ``.`` in the same directory and
renamed into place (``os.replace``), so a file either is complete or does not exist; readers
(pyarrow, pandas, Dask, DuckDB) skip names starting with ``.``. A chunk counts as done when
each of its files exists, its Parquet footer is readable and its metadata carries this
cohort's fingerprint, arm, chunk number and the expected number of rows. A rerun computes
exactly the chunks that are not done.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from somatosim.errors import InputError

__all__ = [
    "FORMAT",
    "KINDS",
    "MANIFEST",
    "ChunkStore",
    "atomic_write_bytes",
    "encode_parquet",
]

FORMAT = "somatosim-cohort/1"
MANIFEST = "cohort.json"
KINDS = ("subjects", "daily", "trajectories")
_META_KEY = b"somatosim_cohort"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a hidden temporary file, fsync and ``os.replace``.

    The temporary file sits beside ``path`` (same file system, so the rename is atomic) and
    is removed if writing fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def encode_parquet(table: Any, meta: Mapping[str, Any]) -> bytes:
    """Serialise a ``pyarrow.Table`` as Parquet (zstd) with cohort metadata in the footer.

    Parameters
    ----------
    table : pyarrow.Table
        The chunk's rows.
    meta : mapping
        JSON-serialisable chunk metadata (fingerprint, arm, chunk, rows).

    Returns
    -------
    bytes
        The complete Parquet file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema_meta = dict(table.schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(dict(meta), sort_keys=True).encode()
    table = table.replace_schema_metadata(schema_meta)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


class ChunkStore:
    """Chunk files and manifest of one cohort output directory.

    Parameters
    ----------
    root : path
        Output directory (created if missing).
    fingerprint : str
        Digest of everything that determines the numbers
        (:func:`somatosim.cohort.spec.spec_fingerprint`).
    kinds : sequence of str
        File kinds written per chunk (``subjects``, ``daily``, optionally ``trajectories``).
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        fingerprint: str,
        kinds: Sequence[str] = ("subjects", "daily"),
    ) -> None:
        self.root = Path(root)
        self.fingerprint = fingerprint
        self.kinds = tuple(kinds)

    # --- manifest ------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """Path of ``cohort.json``."""
        return self.root / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or ``None`` when the directory holds no cohort yet."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{self.manifest_path}: unreadable manifest ({exc}); delete the output "
                "directory or choose another --out"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(f"{self.manifest_path}: not a somatosim cohort manifest")
        return data

    def open(self, info: Mapping[str, Any]) -> bool:
        """Create the manifest, or check that an existing one is for the same cohort.

        Parameters
        ----------
        info : mapping
            Manifest fields (name, arms, subjects, chunking, spec).

        Returns
        -------
        bool
            True if the directory already held this cohort (a resume).

        Raises
        ------
        InputError
            If the directory holds another cohort, or files that are not a cohort.
        """
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"--out {str(self.root)!r} exists and is not a directory")
        old = self.read_manifest()
        if old is not None:
            if old.get("fingerprint") != self.fingerprint:
                raise InputError(
                    f"{self.root} holds a different cohort (its spec, population, seed, chunk "
                    "size, or the somatosim version or model code, differ); choose another --out or "
                    "delete it"
                )
            return True
        if self.root.is_dir() and any(p for p in self.root.iterdir() if not p.name.startswith(".")):
            raise InputError(
                f"{self.root} is not empty and holds no cohort; choose a new or empty --out"
            )
        self.write_manifest({**info, "complete": False})
        return False

    def write_manifest(self, info: Mapping[str, Any]) -> None:
        """Write the manifest atomically (``format`` and ``fingerprint`` are added)."""
        data = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            **info,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
        atomic_write_bytes(self.manifest_path, text.encode())

    def update_manifest(self, **changes: Any) -> None:
        """Merge ``changes`` into the manifest."""
        old = self.read_manifest() or {}
        old.pop("format", None)
        old.pop("fingerprint", None)
        self.write_manifest({**old, **changes})

    # --- chunk files -----------------------------------------------------------------------
    def path(self, kind: str, arm: str, chunk: int) -> Path:
        """Path of one chunk file."""
        return self.root / kind / arm / f"chunk-{chunk:06d}.parquet"

    def chunk_meta(self, arm: str, chunk: int, rows: int) -> dict[str, Any]:
        """Metadata stored in the footer of a chunk file."""
        return {"fingerprint": self.fingerprint, "arm": arm, "chunk": chunk, "rows": rows}

    def _valid(self, path: Path, arm: str, chunk: int, rows: int) -> bool:
        import pyarrow.parquet as pq

        try:
            md = pq.read_metadata(path)
        except (OSError, ValueError, Exception):  # missing, truncated or not Parquet
            return False
        raw = (md.metadata or {}).get(_META_KEY)
        if raw is None:
            return False
        try:
            meta = json.loads(raw)
        except ValueError:
            return False
        return bool(
            meta.get("fingerprint") == self.fingerprint
            and meta.get("arm") == arm
            and meta.get("chunk") == chunk
            and md.num_rows == rows == meta.get("rows")
        )

    def is_done(self, arm: str, chunk: int, rows: Mapping[str, int]) -> bool:
        """Whether every file of a chunk is present and valid.

        Parameters
        ----------
        arm, chunk
            Which chunk.
        rows : mapping
            Expected number of rows per kind.
        """
        return all(self._valid(self.path(k, arm, chunk), arm, chunk, rows[k]) for k in self.kinds)

    def write_chunk(self, arm: str, chunk: int, files: Mapping[str, bytes]) -> None:
        """Write the files of one chunk atomically, one by one (``subjects`` last)."""
        missing = [k for k in self.kinds if k not in files]
        if missing:
            raise ValueError(f"chunk {arm}/{chunk} lacks {missing}")
        for kind in sorted(self.kinds, key=lambda k: k == "subjects"):
            atomic_write_bytes(self.path(kind, arm, chunk), files[kind])

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files left by an interrupted run; returns how many."""
        n = 0
        for kind in KINDS:
            base = self.root / kind
            if not base.is_dir():
                continue
            for tmp in base.glob("*/.*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    n += 1
        return n

    # --- reading ---------------------------------------------------------------------------
    def files(self, kind: str, arm: str) -> list[Path]:
        """Chunk files of one kind and arm, in chunk order."""
        return sorted((self.root / kind / arm).glob("chunk-*.parquet"))

    def iter_tables(
        self, kind: str, arm: str, columns: Sequence[str] | None = None
    ) -> Iterator[Any]:
        """Yield the chunk files of one kind and arm as ``pyarrow.Table`` (bounded memory)."""
        import pyarrow.parquet as pq

        for path in self.files(kind, arm):
            yield pq.read_table(path, columns=list(columns) if columns is not None else None)
