"""Simulation helper for the validation cases: batched seeds, common random numbers, a memo.

Every case simulates through :func:`run`, which calls :func:`somatosim.simulate_many` once per
(scenarios, seeds, parameters) combination and keeps the most recent results in memory, so
cases that share a protocol (the fed day of young men, say) simulate it once per validation
run. Seeds come from :func:`seeds`; a process-wide offset (:func:`seed_offset`) lets the
stability check rerun every case on fresh random numbers.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from somatosim._api import simulate_many
from somatosim.engine.result import Result
from somatosim.model.parameters import ParameterSet

__all__ = ["clear_memo", "run", "run_arms", "seed_offset", "seeds"]

_OFFSET: ContextVar[int] = ContextVar("somatosim_validation_seed_offset", default=0)
_MEMO: OrderedDict[tuple[Any, ...], list[Result]] = OrderedDict()
_MEMO_SIZE = 48


@contextmanager
def seed_offset(offset: int) -> Iterator[None]:
    """Run the enclosed cases on seeds shifted by ``offset`` (stability check)."""
    token = _OFFSET.set(offset)
    try:
        yield
    finally:
        _OFFSET.reset(token)


def seeds(n: int, stream: int = 0) -> list[int]:
    """``n`` seeds of one random stream; the same for every arm of a comparison."""
    base = 1_000_003 * _OFFSET.get() + 10_007 * stream + 1
    return [base + i for i in range(n)]


def clear_memo() -> None:
    """Forget memoised simulations (after a change of code or parameters in place)."""
    _MEMO.clear()


def _key(
    scenarios: Sequence[Mapping[str, Any]],
    sds: Sequence[int],
    params: ParameterSet | None,
    save_every_min: int,
) -> tuple[Any, ...]:
    return (
        tuple(json.dumps(s, sort_keys=True, default=str) for s in scenarios),
        tuple(int(s) for s in sds),
        None if params is None else params.values,
        save_every_min,
    )


def run(
    scenarios: Sequence[Mapping[str, Any]],
    sds: Sequence[int],
    params: ParameterSet | None,
    *,
    save_every_min: int = 5,
) -> list[Result]:
    """Simulate ``scenarios[i]`` with ``sds[i]`` (memoised)."""
    key = _key(scenarios, sds, params, save_every_min)
    hit = _MEMO.get(key)
    if hit is not None:
        _MEMO.move_to_end(key)
        return hit
    out = simulate_many(list(scenarios), list(sds), params=params, save_every_min=save_every_min)
    _MEMO[key] = out
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return out


def run_arms(
    arms: Sequence[Mapping[str, Any]],
    n_seeds: int,
    params: ParameterSet | None,
    *,
    stream: int = 0,
    save_every_min: int = 5,
) -> list[list[Result]]:
    """Simulate each arm on the same ``n_seeds`` seeds (common random numbers).

    Returns one list of results per arm, in seed order.
    """
    sd = seeds(n_seeds, stream)
    flat = [a for a in arms for _ in sd]
    res = run(flat, sd * len(arms), params, save_every_min=save_every_min)
    return [res[i * n_seeds : (i + 1) * n_seeds] for i in range(len(arms))]
