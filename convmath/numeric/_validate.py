"""Argument validation shared by every numeric operation.

Every public function normalises its arguments here *before* touching the data, so a bad
argument is reported as :class:`~convmath.errors.InvalidArgument` naming the argument and
its value, never as an IndexError from deep inside.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import numpy as np

from convmath.errors import InvalidArgument

__all__ = [
    "MAX_PARAM",
    "as_array",
    "check_bool",
    "check_elements",
    "check_int_range",
    "expand_param",
    "ieee_quiet",
    "is_int",
    "max_abs",
    "require_ndim",
    "result_dtype",
]

#: Largest stride, padding, dilation, kernel or output padding accepted (2**62): every size
#: computed from them (``i + 2p``, ``s·(o−1) + d(k−1) + 1``, ...) then still fits in
#: ``np.intp`` and can index an array.
MAX_PARAM = 2**62


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


def is_int(value: Any) -> bool:
    """An integer that is not a bool: Python ``int`` or any NumPy integer scalar."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a bool; raise unless it is a Python or NumPy bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgument(f"{name} must be a bool, got {name}={value!r}")
    return bool(value)


@functools.cache
def _memory_bytes() -> int:
    """Physical memory of this machine in bytes (2**63 − 1 if it cannot be found)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - non-POSIX
        return 2**63 - 1


def check_elements(what: str, shape: Sequence[int], itemsize: int, context: str) -> None:
    """Refuse to allocate an array of ``shape`` that could not fit in memory.

    Raised up front (``InvalidArgument`` naming the arguments in ``context``) instead of the
    ``MemoryError`` or ``ValueError`` NumPy would give: the limit is this machine's physical
    memory, and the element count must fit in ``np.intp``.
    """
    count = math.prod(int(v) for v in shape)
    nbytes = count * itemsize
    if count > np.iinfo(np.intp).max or nbytes > _memory_bytes():
        raise InvalidArgument(
            f"the {what} would have shape {tuple(int(v) for v in shape)} ({nbytes:,} bytes), "
            f"more than this machine's memory ({context})"
        )


def expand_param(
    name: str, value: Any, n: int, *, min_value: int, max_value: int = MAX_PARAM
) -> tuple[int, ...]:
    """Expand an int or a length-``n`` sequence of ints to a tuple, each in
    ``[min_value, max_value]`` (NumPy integer scalars count as ints, bools do not).

    >>> expand_param("stride", 2, 3, min_value=1)
    (2, 2, 2)
    >>> expand_param("padding", (1, 0), 2, min_value=0)
    (1, 0)
    """
    if is_int(value):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
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
    if any(v > max_value for v in values):
        raise InvalidArgument(
            f"{name} must be <= {max_value} on every axis (sizes must fit in np.intp), "
            f"got {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def result_dtype(*arrays: np.ndarray) -> np.dtype[Any]:
    """The dtype of a result computed from ``arrays``: NumPy's promotion rules, except that
    integer operands always give an integer dtype, so integer results stay exact.

    NumPy promotes ``int64`` with ``uint64`` to ``float64`` (no integer type holds both), which
    would round results above 2**53. Here such a mix gives ``int64``, and a ``uint64`` operand
    holding a value ``>= 2**63`` (which ``int64`` cannot hold) is refused with
    InvalidArgument. Every operation of :mod:`convmath.numeric` gets its dtype from here.

    >>> result_dtype(np.zeros(1, np.int64), np.zeros(1, np.uint64))
    dtype('int64')
    >>> result_dtype(np.zeros(1, np.int8), np.zeros(1, np.float32))
    dtype('float32')
    """
    dt = np.result_type(*arrays)
    if dt.kind in "fc" and arrays and all(a.dtype.kind in "iu" for a in arrays):
        for a in arrays:
            if a.dtype.kind == "u" and a.size and int(a.max()) > np.iinfo(np.int64).max:
                raise InvalidArgument(
                    f"mixing signed and unsigned integers gives an int64 result, but an "
                    f"operand of dtype={a.dtype} holds {int(a.max())} >= 2**63; "
                    f"use float64 inputs if an inexact result will do"
                )
        return np.dtype(np.int64)
    return dt


def check_int_range(dtype: np.dtype[Any], bound: int, what: str) -> None:
    """Refuse integer work whose exact result might not fit in its 64-bit dtype.

    The integer policy of every operation: integer results are exact, int64 (uint64 when
    every operand is unsigned), and work whose ``bound`` on ``|result|`` (and on every
    partial sum) reaches ``2**63`` (``2**64`` for uint64) is refused with InvalidArgument
    instead of wrapping around. Floating dtypes are not checked.
    """
    limit = 2**64 if dtype.kind == "u" else 2**63
    if dtype.kind in "iu" and bound >= limit:
        raise InvalidArgument(
            f"integer {what} might overflow {dtype} (|result| could reach {bound} >= "
            f"2**{limit.bit_length() - 1}); use smaller values, or float64 inputs if an "
            f"inexact result will do"
        )


def max_abs(arr: np.ndarray | None) -> int:
    """``max |arr|`` as a Python int for integer arrays (only those need a range check)."""
    if arr is None or arr.size == 0 or arr.dtype.kind not in "iu":
        return 0
    return int(max(abs(int(arr.max())), abs(int(arr.min()))))


_P = ParamSpec("_P")
_R = TypeVar("_R")


def ieee_quiet(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with NumPy's floating-point warnings off.

    NaN and ±inf inputs are data: ``inf − inf`` is NaN and float16 overflow is inf, as in
    PyTorch, which computes them silently. Without this, such inputs would emit NumPy
    ``RuntimeWarning``s from deep inside (an exception under ``-W error``).
    """

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return wrapper
