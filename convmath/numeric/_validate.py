"""Argument validation shared by every numeric operation.

Every public function normalises its arguments here *before* touching the data, so a bad
argument is reported as :class:`~convmath.errors.InvalidArgument` naming the argument and
its value, never as an IndexError from deep inside.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument

__all__ = ["as_array", "expand_param", "require_ndim", "result_dtype"]


def as_array(name: str, value: Any) -> np.ndarray:
    """``np.asarray(value)``, rejecting non-numeric dtypes (bool, object, strings, ...)."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise InvalidArgument(f"{name} must be an array of numbers, got {value!r}") from exc
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iufc":
        raise InvalidArgument(
            f"{name} must have an integer, floating or complex dtype, got dtype={arr.dtype} "
            f"(shape {arr.shape})"
        )
    return arr


def require_ndim(name: str, arr: np.ndarray, allowed: Sequence[int], what: str = "") -> None:
    """Raise unless ``arr.ndim`` is one of ``allowed``."""
    if arr.ndim not in allowed:
        expected = " or ".join(str(a) for a in allowed)
        extra = f" ({what})" if what else ""
        raise InvalidArgument(
            f"{name} must have {expected} dimensions{extra}, got shape {arr.shape}"
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def expand_param(name: str, value: Any, n: int, *, min_value: int) -> tuple[int, ...]:
    """Expand an int or a length-``n`` sequence of ints to a tuple, each ``>= min_value``.

    >>> expand_param("stride", 2, 3, min_value=1)
    (2, 2, 2)
    >>> expand_param("padding", (1, 0), 2, min_value=0)
    (1, 0)
    """
    if _is_int(value):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        if len(value) == 1:
            values = tuple(value) * n
        elif len(value) != n:
            raise InvalidArgument(
                f"{name} must be an int or a sequence of {n} ints (one per spatial axis), "
                f"got {value!r}"
            )
        else:
            values = tuple(value)
    else:
        raise InvalidArgument(
            f"{name} must be an int or a sequence of {n} ints, got {value!r}"
        )
    if any(v < min_value for v in values):
        raise InvalidArgument(f"{name} must be >= {min_value} on every axis, got {value!r}")
    return tuple(int(v) for v in values)


def result_dtype(*arrays: np.ndarray) -> np.dtype[Any]:
    """The dtype of a result computed from ``arrays``: NumPy's promotion rules.

    Integer inputs keep an integer dtype, so integer results are exact.
    """
    return np.result_type(*arrays)
