"""Shared assertions of the fuzz suite (imported by the ``test_fuzz_*.py`` modules).

The contract every public entry point of convmath must keep, whatever it is given:

- it returns a result (the caller compares it with PyTorch/scipy where the call is valid
  for them), or
- it raises a :class:`convmath.ConvmathError` whose message names the offending argument —
  never a foreign exception (IndexError, TypeError, MemoryError, ...), never a hang;
- and it never modifies an input array.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from convmath import ConvmathError

#: Fuzz budget: small by default (the README's test command stays fast), a hundredfold with
#: ``CONVMATH_FUZZ=long``.
LONG = os.environ.get("CONVMATH_FUZZ", "") == "long"
FUZZ = settings(
    max_examples=3000 if LONG else 30,
    deadline=None,
    derandomize=not LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    database=None,
)


def _arrays_in(values: Iterable[Any]) -> list[np.ndarray]:
    found: list[np.ndarray] = []
    for v in values:
        if isinstance(v, np.ndarray):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            found.extend(_arrays_in(v))
    return found


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ConvmathError | None]:
    """Call ``fn``; return ``(result, None)`` or ``(None, error)`` for a ConvmathError.

    Any other exception propagates (and fails the test); every NumPy array among the
    arguments must be unchanged afterwards.
    """
    arrays = _arrays_in([*args, *kwargs.values()])
    before = [a.copy() for a in arrays]
    try:
        result = fn(*args, **kwargs)
        error: ConvmathError | None = None
    except ConvmathError as exc:
        result, error = None, exc
    finally:
        for a, b in zip(arrays, before, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape, "an input array was modified"
            np.testing.assert_array_equal(a, b, err_msg="an input array was modified")
    return result, error


def assert_names(error: BaseException, *names: str) -> None:
    """``error`` is a ConvmathError whose message mentions one of ``names``."""
    assert isinstance(error, ConvmathError), f"{type(error).__name__}: {error}"
    message = str(error)
    assert any(n in message for n in names), (
        f"the error should name one of {names}, got: {message}"
    )


def any_layout(draw: st.DrawFn, a: np.ndarray) -> np.ndarray:
    """``a`` (same values) in a drawn memory layout: read-only, transposed, strided,
    reversed, broadcast or Fortran-ordered — or as it is."""
    shape = a.shape
    layout = draw(st.sampled_from(["plain", "plain", "readonly", "transposed", "strided",
                                   "reversed", "broadcast", "fortran"]))
    if layout == "readonly":
        a.flags.writeable = False
    elif layout == "transposed" and a.ndim >= 2:
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)
    elif layout == "strided":
        big = np.zeros(tuple(2 * s for s in shape), dtype=a.dtype)
        big[tuple(slice(None, None, 2) for _ in shape)] = a
        a = big[tuple(slice(None, None, 2) for _ in shape)]
    elif layout == "reversed" and a.ndim:
        a = np.flip(np.flip(a, -1).copy(), -1)
    elif layout == "broadcast" and a.ndim and a.size:
        a = np.broadcast_to(a[(slice(None),) * (a.ndim - 1) + (slice(0, 1),)], shape)
    elif layout == "fortran":
        a = np.asfortranarray(a)
    return a
