"""Value generation: the arrays of a case, integer-valued (exact) or real-valued.

Integer-valued arrays hold small integers chosen so that every product and partial sum is
exact in the dtype under test (the output must then match exactly); real-valued arrays
hold normal samples rounded to the dtype. Arrays come from NumPy's generator seeded by a
drawn seed (cheap for large cases); small integer-valued arrays are drawn element by
element so that Hypothesis shrinks their values too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convmath.errors import InvalidArgument
from convmath.testing._tolerance import exact_limit, round_to_dtype, unit_roundoff

__all__ = ["make_values"]


def make_values(
    shape: Sequence[int], dtype: str, rng: np.random.Generator, *, integer_max: int | None,
    zeros: float = 0.0, complex_values: bool = False, specials: float = 0.0,
    tail: float = 0.0,
) -> np.ndarray:
    """Random values of ``shape`` rounded to ``dtype``, as float64 (complex128).

    ``integer_max=m`` draws integers in ``[-m, m]``; ``None`` draws standard normals.
    A fraction ``zeros`` of the entries is set to zero, and a fraction ``specials`` to
    NaN, +inf or −inf (pooling cases: PyTorch propagates NaN). ``tail=t`` scales the
    values by ``t`` and puts one spike of size 1 among them: a large dynamic range, where
    an FFT path that drops small outputs shows.

    >>> v = make_values((3, 4), "float16", np.random.default_rng(0), integer_max=2)
    >>> bool(np.all(v == np.round(v))) and float(np.abs(v).max()) <= 2
    True
    """
    shape = tuple(int(s) for s in shape)

    def one() -> np.ndarray:
        if integer_max is not None:
            return rng.integers(-integer_max, integer_max + 1, size=shape).astype(np.float64)
        return rng.standard_normal(shape)

    vals: np.ndarray = one() + 1j * one() if complex_values else one()
    if zeros > 0:
        vals = np.where(rng.random(shape) < zeros, 0, vals)
    if tail > 0 and vals.size:
        vals = vals * tail
        vals.flat[int(rng.integers(vals.size))] = 1.0
    if specials > 0:
        pick = rng.random(shape) < specials
        vals = np.where(pick, rng.choice(np.array([np.nan, np.inf, -np.inf]), size=shape), vals)
    return round_to_dtype(vals, dtype)


class _Gen:
    """Draws the arrays of one case and records how (for the reproduction snippet).

    Small integer-valued arrays are drawn element by element with
    ``hypothesis.extra.numpy.arrays``, so Hypothesis shrinks their values too; real-valued
    and larger arrays come from NumPy's generator seeded by a drawn seed, which keeps big
    cases cheap.
    """

    SMALL = 48

    def __init__(self, seed: int, dtype: str, draw: Any = None) -> None:
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype
        self.draw = draw
        self.recipe: list[tuple[Any, ...]] = []

    def __call__(
        self, name: str, shape: Sequence[int], *, integer_max: int | None,
        zeros: float = 0.0, complex_values: bool = False, specials: float = 0.0,
        tail: float = 0.0,
    ) -> np.ndarray:
        shape = tuple(int(s) for s in shape)
        more = {k: v for k, v in (("specials", specials), ("tail", tail)) if v}
        literal = (self.draw is not None and integer_max is not None and not complex_values
                   and math.prod(shape) <= self.SMALL and not more)
        if more:  # further make_values arguments, passed on by the reproduction snippet
            self.recipe.append((name, shape, integer_max, zeros, complex_values, literal,
                                more))
        else:
            self.recipe.append((name, shape, integer_max, zeros, complex_values, literal))
        if literal:
            m = int(integer_max)  # type: ignore[arg-type]
            ints = self.draw(hnp.arrays(np.int64, shape, elements=st.integers(-m, m)))
            return np.asarray(ints, dtype=np.float64)
        return make_values(shape, self.dtype, self.rng, integer_max=integer_max, zeros=zeros,
                           complex_values=complex_values, specials=specials, tail=tail)


def _integer_max(dtype: str, terms: int, cap: int = 8) -> int:
    """Largest ``m`` with ``(terms+1)·m² ≤ 2**p`` (at least 1, at most ``cap``)."""
    m = math.isqrt(int(exact_limit(dtype)) // (terms + 1))
    return max(1, min(cap, m))


_VALUES = ("any", "integer", "real")


def _draw_values_kind(draw: Any, values: str = "any") -> tuple[bool, int, float]:
    if values not in _VALUES:
        raise InvalidArgument(f"values must be one of {_VALUES}, got values={values!r}")
    integer_valued = draw(st.booleans()) if values == "any" else values == "integer"
    seed = draw(st.integers(0, 2**32 - 1))
    zeros = draw(st.sampled_from([0.0, 0.3]))
    return integer_valued, seed, zeros


def _long_dtype(dts: tuple[str, ...]) -> str:
    """The most precise dtype on offer (where a lower-precision accumulation shows most)."""
    return min(dts, key=unit_roundoff)


def _regime_values(draw: Any, regime: str, values: str, dts: tuple[str, ...]
                   ) -> tuple[bool, int, float, str]:
    integer_valued, seed, zeros = _draw_values_kind(draw, values)
    dtype = draw(st.sampled_from(dts))
    if regime == "long":
        dtype = _long_dtype(dts)
        integer_valued = integer_valued and values == "integer"
        zeros = 0.0
    return integer_valued, seed, zeros, dtype
