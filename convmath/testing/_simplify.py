"""Shrinking past Hypothesis: simpler versions of a failing case.

Hypothesis shrinks the choices that drew a case; a case drawn in one regime (a long
accumulation, a 34-channel layer) often cannot shrink into another, so a bug that any
stride shows may be reported on a case with 34 channels, padding and dilation as well.
:func:`simpler` proposes, for the case at hand, each one-step simplification that keeps
the call valid — an option back at its default (bias dropped, groups, stride, dilation,
padding, output padding, ceil mode, divisor override), one channel, one sample, a kernel
one smaller on an axis, an input half as large or one smaller on an axis — and the engine
keeps the first that still fails, until none does (or a budget of calls is spent). A
case outside the declared space (:func:`within`) is never proposed to the implementation.

A simplified case holds its arrays literally (``info["literal"]``): the reproduction
snippet prints them instead of re-drawing them from a seed. A gradient whose shape follows
from the geometry (``grad_output``) is drawn afresh for the new shape from the case's seed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from convmath.testing._case import Case
from convmath.testing._reference import numeric
from convmath.testing._tolerance import exact_limit
from convmath.testing._values import make_values

__all__ = ["simpler", "within"]

#: keyword options and the value that switches each off
_DEFAULTS = {"stride": 1, "dilation": 1, "padding": 0, "output_padding": 0}
_POOL_DEFAULTS = {"padding": 0, "dilation": 1, "ceil_mode": False, "divisor_override": None,
                  "count_include_pad": True}


def _unit(value: Any, default: int) -> Any:
    """``default`` in the form of ``value`` (an int, or a tuple per axis)."""
    return tuple(default for _ in value) if isinstance(value, tuple) else default


def _is_default(value: Any, default: Any) -> bool:
    if isinstance(value, tuple):
        return all(v == default for v in value)
    return bool(value == default)


def _new(case: Case, args: dict[str, Any] | None = None, kwargs: dict[str, Any] | None = None
         ) -> Case:
    out = copy.copy(case)
    out.args = dict(case.args if args is None else args)
    out.kwargs = dict(case.kwargs if kwargs is None else kwargs)
    out.info = {**case.info, "literal": True, "simplified": True}
    return out


def _take(a: np.ndarray, axis: int, n: int) -> np.ndarray:
    return np.ascontiguousarray(np.take(a, np.arange(n), axis=axis))


def _terms(case: Case) -> int:
    """The accumulation length K of a (simplified) case."""
    kw = case.kwargs
    op = case.op
    if op in ("conv", "conv_transpose"):
        w = case.args["weight"]
        per = w.shape[1] if op == "conv" else w.shape[0] // int(kw.get("groups", 1))
        return per * math.prod(w.shape[2:]) + int(kw.get("bias") is not None)
    if op == "conv_input_grad":
        w = case.args["weight"]
        return w.shape[0] // int(kw.get("groups", 1)) * math.prod(w.shape[2:])
    if op == "conv_weight_grad":
        gy = case.args["grad_output"]
        return gy.shape[0] * math.prod(gy.shape[2:])
    return case.terms


def _forward_shape(case: Case) -> tuple[int, ...] | None:
    """The output shape of the forward operation whose gradient ``case`` asks for."""
    kw = {k: v for k, v in case.kwargs.items()}
    try:
        if case.op == "conv_input_grad":
            x = np.zeros(case.args["input_size"])
            return tuple(numeric("conv")(x, case.args["weight"], None, **kw).shape)
        if case.op == "conv_weight_grad":
            w = np.zeros(case.args["weight_size"])
            return tuple(numeric("conv")(case.args["input"], w, None, **kw).shape)
        if case.op in ("max_pool_grad", "avg_pool_grad"):
            x = (case.args["input"] if "input" in case.args
                 else np.zeros(case.args["input_size"]))
            fwd = "max_pool" if case.op == "max_pool_grad" else "avg_pool"
            return tuple(numeric(fwd)(x, ndim=x.ndim - 2, **kw).shape)
    except Exception:  # an invalid geometry: the caller drops the candidate
        return None
    return None


def _regrow_grad(case: Case) -> Case | None:
    """``case`` with ``grad_output`` of the shape its geometry now gives (fresh values)."""
    if "grad_output" not in case.args:
        return case
    shape = _forward_shape(case)
    if shape is None or any(s < 1 for s in shape):
        return None
    old = case.args["grad_output"]
    if tuple(old.shape) == shape:
        return case
    rng = np.random.default_rng(case.seed + 7)
    m = None
    if case.integer_valued:
        finite = np.abs(old[np.isfinite(old)])
        m = max(1, int(finite.max())) if finite.size else 1
    case.args["grad_output"] = make_values(shape, case.dtype, rng, integer_max=m)
    return case


def _exact_still(case: Case) -> bool:
    """Integer-valued inputs stay exact: (K + 1)·max|a|·max|b| within the dtype's integers."""
    def peak(a: np.ndarray) -> float:
        finite = np.abs(a[np.isfinite(a)])
        return float(finite.max()) if finite.size else 0.0

    peaks = [*sorted((peak(a) for a in case.arrays().values()), reverse=True), 0.0, 0.0]
    return (case.terms + 1) * peaks[0] * max(peaks[1], 1.0) <= exact_limit(case.dtype)


def _finish(case: Case) -> Case | None:
    out = _regrow_grad(case)
    if out is None:
        return None
    out.terms = _terms(out)
    if out.integer_valued and not _exact_still(out):
        out.integer_valued = False
    return out


def _conv_family(case: Case) -> Iterator[Case]:
    op = case.op
    kw = case.kwargs
    a = case.args
    g = int(kw.get("groups", 1))
    # options back at their defaults
    if kw.get("bias") is not None:
        yield _new(case, kwargs={**kw, "bias": None})
    for name, default in _DEFAULTS.items():
        value = kw.get(name)
        if value is None or isinstance(value, str) or _is_default(value, default):
            continue
        new_kw = {**kw, name: _unit(value, default)}
        if name in ("stride", "dilation") and "output_padding" in kw:
            new_kw["output_padding"] = _unit(kw["output_padding"], 0)
        yield _new(case, kwargs=new_kw)
    if g > 1:
        args = dict(a)
        new_kw = {**kw, "groups": 1}
        if op == "conv":
            args["input"] = _take(a["input"], 1, a["weight"].shape[1])
        elif op == "conv_transpose":
            cout = a["weight"].shape[1]
            if kw.get("bias") is not None:
                new_kw["bias"] = kw["bias"][:cout]
        elif op == "conv_input_grad":
            size = list(a["input_size"])
            size[1] = a["weight"].shape[1]
            args["input_size"] = tuple(size)
        elif op == "conv_weight_grad":
            args["input"] = _take(a["input"], 1, a["weight_size"][1])
        yield _new(case, args=args, kwargs=new_kw)
    if g == 1:  # one channel in, one out
        yield from _one_channel(case)
    # one sample
    batch_key = "input" if "input" in a else "input_size"
    n = a[batch_key].shape[0] if batch_key == "input" else a[batch_key][0]
    if n > 1:
        args = dict(a)
        if batch_key == "input":
            args["input"] = _take(a["input"], 0, 1)
        else:
            args["input_size"] = (1, *a["input_size"][1:])
        if "grad_output" in a:
            args["grad_output"] = _take(a["grad_output"], 0, 1)
        yield _new(case, args=args)
    # a kernel one smaller, an input one smaller, on each axis
    wkey = "weight" if "weight" in a else "weight_size"
    ks = a[wkey].shape[2:] if wkey == "weight" else a[wkey][2:]
    for ax, k in enumerate(ks):
        if k > 1:
            args = dict(a)
            if wkey == "weight":
                args["weight"] = _take(a["weight"], 2 + ax, k - 1)
            else:
                size = list(a["weight_size"])
                size[2 + ax] = k - 1
                args["weight_size"] = tuple(size)
            yield _new(case, args=args)
    sizes = a[batch_key].shape[2:] if batch_key == "input" else a[batch_key][2:]
    for ax, i in enumerate(sizes):
        for n in _smaller(i):
            args = dict(a)
            if batch_key == "input":
                args["input"] = _take(a["input"], 2 + ax, n)
            else:
                size = list(a["input_size"])
                size[2 + ax] = n
                args["input_size"] = tuple(size)
            yield _new(case, args=args)


def _smaller(n: int) -> list[int]:
    """Smaller sizes to try for an axis of ``n``: half of it first (a 51-row input needs
    no 50 steps), then one less."""
    return [m for m in dict.fromkeys((n // 2, n - 1)) if 1 <= m < n] if n > 3 else (
        [n - 1] if n > 1 else [])


def _one_channel(case: Case) -> Iterator[Case]:
    op, a, kw = case.op, case.args, case.kwargs
    bias = kw.get("bias")
    if op == "conv":
        w, x = a["weight"], a["input"]
        if w.shape[0] > 1:
            yield _new(case, args={**a, "weight": _take(w, 0, 1)},
                       kwargs={**kw, **({"bias": bias[:1]} if bias is not None else {})})
        if w.shape[1] > 1:
            yield _new(case, args={"input": _take(x, 1, 1), "weight": _take(w, 1, 1)})
    elif op == "conv_transpose":
        w, x = a["weight"], a["input"]
        if w.shape[1] > 1:
            yield _new(case, args={**a, "weight": _take(w, 1, 1)},
                       kwargs={**kw, **({"bias": bias[:1]} if bias is not None else {})})
        if w.shape[0] > 1:
            yield _new(case, args={"input": _take(x, 1, 1), "weight": _take(w, 0, 1)})
    elif op == "conv_input_grad":
        w = a["weight"]
        if w.shape[0] > 1:
            yield _new(case, args={**a, "weight": _take(w, 0, 1),
                                   "grad_output": _take(a["grad_output"], 1, 1)})
        if w.shape[1] > 1:
            size = list(a["input_size"])
            size[1] = 1
            yield _new(case, args={**a, "input_size": tuple(size), "weight": _take(w, 1, 1)})
    elif op == "conv_weight_grad":
        size = list(a["weight_size"])
        if size[0] > 1:
            yield _new(case, args={**a, "weight_size": (1, *size[1:]),
                                   "grad_output": _take(a["grad_output"], 1, 1)})
        if size[1] > 1:
            yield _new(case, args={**a, "input": _take(a["input"], 1, 1),
                                   "weight_size": (size[0], 1, *size[2:])})


def _pools(case: Case) -> Iterator[Case]:
    a, kw = case.args, case.kwargs
    for name, default in _POOL_DEFAULTS.items():
        if name in kw and not _is_default(kw[name], default):
            value = kw[name]
            yield _new(case, kwargs={**kw, name: _unit(value, default)
                                     if isinstance(default, int) and not isinstance(
                                         default, bool) else default})
    key = "input" if "input" in a else "input_size"
    shape = a[key].shape if key == "input" else a[key]
    for axis in (0, 1):  # one sample, one channel
        if shape[axis] > 1:
            args = dict(a)
            if key == "input":
                args["input"] = _take(a["input"], axis, 1)
            else:
                size = list(a["input_size"])
                size[axis] = 1
                args["input_size"] = tuple(size)
            if "grad_output" in a:
                args["grad_output"] = _take(a["grad_output"], axis, 1)
            yield _new(case, args=args)
    k = kw.get("kernel_size")
    ks = list(k) if isinstance(k, tuple) else [k] * (len(shape) - 2)
    for ax, kk in enumerate(ks):
        if isinstance(kk, int) and kk > 1:
            smaller = list(ks)
            smaller[ax] = kk - 1
            new_k = tuple(smaller) if isinstance(k, tuple) or len(set(smaller)) > 1 else kk - 1
            yield _new(case, kwargs={**kw, "kernel_size": new_k})
    for ax, i in enumerate(shape[2:]):
        for n in _smaller(i):
            args = dict(a)
            if key == "input":
                args["input"] = _take(a["input"], 2 + ax, n)
            else:
                size = list(a["input_size"])
                size[2 + ax] = n
                args["input_size"] = tuple(size)
            yield _new(case, args=args)


def _signal(case: Case) -> Iterator[Case]:
    for key in ("in1", "in2"):
        arr = case.args[key]
        for ax, n in enumerate(arr.shape):
            if n > 1:
                yield _new(case, args={**case.args, key: _take(arr, ax, n - 1)})


_SIMPLER: dict[str, Callable[[Case], Iterator[Case]]] = {
    "conv": _conv_family, "conv_transpose": _conv_family, "conv_input_grad": _conv_family,
    "conv_weight_grad": _conv_family, "max_pool": _pools, "avg_pool": _pools,
    "max_pool_grad": _pools, "avg_pool_grad": _pools, "convolve": _signal,
    "correlate": _signal,
}


#: the declared value set of each keyword option (the kernel is read from the case)
_SPACE_KEYWORD = {"strides": "stride", "paddings": "padding", "dilations": "dilation",
                  "output_paddings": "output_padding"}


def _kernel(case: Case) -> Any:
    if "kernel_size" in case.kwargs:
        return case.kwargs["kernel_size"]
    for key in ("weight", "weight_size"):
        if key in case.args:
            w = case.args[key]
            return tuple(int(k) for k in (w.shape if key == "weight" else w)[2:])
    return None


def within(case: Case, space: dict[str, Any] | None) -> bool:
    """Whether ``case`` lies in the declared space: every declared value set holds the
    case's value (per axis), and with ``isotropic`` every option and the kernel have one
    value for all axes. Cases of operations without a geometry are always within."""
    from convmath.testing._geometry import declared_values

    if not space:
        return True
    kernel = _kernel(case)
    if kernel is None:
        return True
    ndim = len(kernel) if isinstance(kernel, tuple) else len(_batch_shape(case)) - 2
    iso = bool(space.get("isotropic", False))

    def axes(value: Any) -> tuple[int, ...] | None:
        if value is None or isinstance(value, str):
            return None  # not given, or 'same'/'valid': nothing to compare per axis
        if isinstance(value, (int, np.integer)):
            return (int(value),) * ndim
        return tuple(int(v) for v in value)

    values = {"kernel_sizes": axes(kernel)}
    values.update({name: axes(case.kwargs.get(kw)) for name, kw in _SPACE_KEYWORD.items()})
    for name, value in values.items():
        if value is None:
            continue
        if iso and len(set(value)) > 1:
            return False
        declared = space.get(name)
        if declared is not None and value not in (declared_values(name, declared, ndim, iso)
                                                  or ()):
            return False
    return True


def _batch_shape(case: Case) -> tuple[int, ...]:
    for key in ("input", "input_size"):
        if key in case.args:
            v = case.args[key]
            return tuple(v.shape) if key == "input" else tuple(v)
    return ()


def simpler(case: Case, valid: Callable[[Case], bool]) -> Iterator[Case]:
    """One-step simplifications of ``case`` for which ``valid`` (the reference runs) holds,
    simplest kind first (options, then channels and batch, then sizes)."""
    make = _SIMPLER.get(case.op)
    if make is None:
        return
    for candidate in make(case):
        done = _finish(candidate)
        if done is not None and valid(done):
            yield done
