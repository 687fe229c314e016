"""A search for compiled backends: a bounded set of geometries, each with fresh values.

A compiled framework (JAX, under ``jax.jit`` and op by op alike) compiles the
implementation once per distinct geometry — array shapes, dtype and the static arguments
as passed — at 0.08–0.2 s per compilation on a 2-core CPU, while a call of an already
compiled geometry costs well under a millisecond. A default search draws about 235
distinct geometries in 300 examples, so compiling dominates (20–30 s for JAX).

:func:`pooled` bounds that: the first :data:`POOL_SIZE` distinct geometries the search
draws are kept; once the pool is full, an example with a new geometry is replaced by a
pooled geometry (picked by a drawn index) with fresh values from a drawn seed, generated
by the same recipe the reproduction snippet uses. The example count is unchanged, and
each pooled geometry is exercised with many value draws instead of one.

Determinism: the pool only grows, and a case that entered the pool maps to itself ever
after, so Hypothesis's replay and shrinking see the same case for the same choices; the
same seed repeats the same search. Shrinking stays inside the pool; the post-search
minimizer (:mod:`convmath.testing._simplify`) then leaves it, calling the implementation
directly, a few compilations at most.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from convmath.testing._case import Case
from convmath.testing._values import make_values

__all__ = ["POOL_SIZE", "geometry_key", "pooled", "revalued"]

#: distinct geometries a search on a compiled backend draws at most: about 40 × 0.1 s of
#: compilation (benchmarks/bench_checker_backends.py)
POOL_SIZE = 40


def geometry_key(case: Case) -> tuple[Any, ...]:
    """What a compiled framework compiles for: the operation, the dtype, each array's
    shape, and every other argument as passed (``1`` and ``(1, 1)`` differ)."""
    def part(v: Any) -> Any:
        return ("array", v.shape) if isinstance(v, np.ndarray) else ("value", repr(v))

    return (case.op, case.dtype, tuple((k, part(v)) for k, v in case.args.items()),
            tuple((k, part(v)) for k, v in case.kwargs.items()))


def revalued(case: Case, seed: int) -> Case | None:
    """``case`` with every array drawn anew from ``seed`` by the case's recipe (same
    shapes, value kind and special values); None when the case has no complete recipe."""
    arrays = case.arrays()
    recipe = case.info.get("recipe")
    if not recipe or len(recipe) != len(arrays):
        return None
    rng = np.random.default_rng(seed)
    fresh: dict[str, np.ndarray] = {}
    new_recipe: list[tuple[Any, ...]] = []
    for name, entry in zip(arrays, recipe, strict=True):
        _, shape, integer_max, zeros, complex_values, _literal, *more = entry
        extra = more[0] if more else {}
        fresh[name] = make_values(shape, case.dtype, rng, integer_max=integer_max,
                                  zeros=zeros, complex_values=complex_values, **extra)
        new_recipe.append((name, shape, integer_max, zeros, complex_values, False, *more))
    info = dict(case.info)
    info["recipe"] = new_recipe
    info.pop("literal", None)
    return Case(case.op, {k: fresh.get(k, v) for k, v in case.args.items()},
                {k: fresh.get(k, v) for k, v in case.kwargs.items()}, case.dtype,
                case.integer_valued, seed, case.terms, info)


def pooled(strategy: SearchStrategy[Case], size: int = POOL_SIZE) -> SearchStrategy[Case]:
    """``strategy`` with at most ``size`` distinct geometries (see the module docstring).
    Each call returns a strategy with its own, empty pool: one per search."""
    pool: dict[tuple[Any, ...], Case] = {}
    order: list[Case] = []

    @st.composite
    def draw(data: Any) -> Case:
        case: Case = data(strategy)
        key = geometry_key(case)
        if key in pool:
            return case
        if len(order) < size:
            pool[key] = case
            order.append(case)
            return case
        base = order[data(st.integers(0, len(order) - 1))]
        other = revalued(base, data(st.integers(0, 2**32 - 1)))
        return case if other is None else other

    return draw()
