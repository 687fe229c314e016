"""Checkers for max and average pooling (PyTorch semantics).

The reference is :mod:`convmath.numeric`. For diagnosis, a small definitional pooling
(windows gathered with NumPy indexing, written from the formulas in REFERENCE.md) computes
the variants real libraries shipped: ``ceil_mode`` keeping a window that starts in the
right padding, Caffe-style plain ceil, divisors that count the overhang or the padding
(or not), zero instead of −∞ padding for max, the last instead of the first maximum.
Max pooling is exact in every dtype, so its output must match exactly; average pooling
gets ``γ_{K+1}·avg(|x|)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np

from convmath.testing._backends import Backend
from convmath.testing._core import Diagnosis, OpSpec
from convmath.testing._reference import numeric, per_axis
from convmath.testing._tolerance import Comparison, compare_elementwise
from convmath.testing.strategies import Case, make_values

__all__ = ["AvgPoolGradSpec", "AvgPoolSpec", "MaxPoolGradSpec", "MaxPoolSpec", "pool_windows"]


def _out_size(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool, rule: str) -> int:
    span = i + 2 * p - d * (k - 1) - 1
    o = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and rule == "torch" and (o - 1) * s >= i + p:
        o -= 1
    return max(o, 0)


def pool_windows(
    x: np.ndarray, ks: list[int], ss: list[int], ps: list[int], ds: list[int],
    ceil_mode: bool, rule: str = "torch",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gather every pooling window: values ``(N, C, *o, *k)`` (0 outside the input), the
    in-bounds mask, the inside-the-padded-bounds mask, and the flat input index.

    ``rule='torch'`` drops a last window that would start in the right padding;
    ``rule='ceil'`` keeps it (the plain ceil formula).
    """
    nd = len(ks)
    sizes = x.shape[2:]
    outs = [_out_size(sizes[a], ks[a], ss[a], ps[a], ds[a], ceil_mode, rule) for a in range(nd)]
    idx, inb, inpad = [], [], []
    for a in range(nd):
        t = np.arange(outs[a])[:, None] * ss[a] - ps[a] + ds[a] * np.arange(ks[a])[None, :]
        shape = [1] * (2 * nd)
        shape[a] = outs[a]
        shape[nd + a] = ks[a]
        idx.append(t.reshape(shape))
        inb.append(((t >= 0) & (t < sizes[a])).reshape(shape))
        inpad.append(((t >= -ps[a]) & (t < sizes[a] + ps[a])).reshape(shape))
    full_inb = np.logical_and.reduce(np.broadcast_arrays(*inb)) if nd > 1 else inb[0]
    full_pad = np.logical_and.reduce(np.broadcast_arrays(*inpad)) if nd > 1 else inpad[0]
    clipped = [np.clip(t, 0, n - 1) for t, n in zip(idx, sizes, strict=True)]
    vals = x[tuple([slice(None), slice(None), *clipped])]
    vals = np.where(full_inb, vals, 0)
    flat = np.zeros(np.broadcast_shapes(*[t.shape for t in clipped]), dtype=np.int64)
    mult = 1
    for a in reversed(range(nd)):
        flat = flat + clipped[a] * mult
        mult *= sizes[a]
    return vals, np.broadcast_to(full_inb, vals.shape[2:]), np.broadcast_to(
        full_pad, vals.shape[2:]), flat


def _k_axes(nd: int) -> tuple[int, ...]:
    return tuple(range(2 + nd, 2 + 2 * nd))


class _PoolGeom:
    def __init__(self, case: Case) -> None:
        x = case.args["input"]
        kw = case.kwargs
        self.nd = x.ndim - 2
        self.k = per_axis(kw["kernel_size"], self.nd, 1)
        st = kw.get("stride")
        self.stride_default = st is None
        self.s = self.k if st is None else per_axis(st, self.nd, 1)
        self.p = per_axis(kw.get("padding", 0), self.nd, 0)
        self.d = per_axis(kw.get("dilation", 1), self.nd, 1)
        self.ceil = bool(kw.get("ceil_mode", False))
        self.include_pad = bool(kw.get("count_include_pad", True))
        self.override = kw.get("divisor_override")


def _features(case: Case, g: _PoolGeom) -> list[str]:
    f = [case.dtype, "integer-valued" if case.integer_valued else "real-valued"]
    if g.ceil:
        f.append("ceil_mode")
    if any(g.p):
        f.append("padding > 0")
    if any(v > 1 for v in g.d):
        f.append("dilation > 1")
    if g.stride_default:
        f.append("stride=None")
    if g.s != g.k:
        f.append("stride != kernel")
    if any(k % 2 == 0 for k in g.k):
        f.append("even kernel")
    if g.nd > 1 and any(len(set(v)) > 1 for v in (g.k, g.s, g.p)):
        f.append("per-axis params differ")
    if any(n >= 64 for n in case.args["input"].shape[2:]):
        f.append("spatial >= 64")
    return f


def _pool_variants(case: Case) -> list[Case]:
    """Fresh values on the same and on larger inputs (for diagnosis tie-breaking)."""
    x = case.args["input"]
    out = []
    for grow, seed in ((0, 1), (3, 2), (5, 3)):
        rng = np.random.default_rng(case.seed + 1000 + seed)
        nx = make_values((*x.shape[:2], *[n + grow for n in x.shape[2:]]), case.dtype, rng,
                         integer_max=3 if case.integer_valued else None)
        out.append(Case(case.op, {"input": nx}, dict(case.kwargs), case.dtype,
                        case.integer_valued, case.seed, case.terms))
    return out


class MaxPoolSpec(OpSpec):
    """``max_pool(input, kernel_size, stride, padding, dilation, ceil_mode,
    return_indices)``; values (and indices) must match exactly."""

    op = "max_pool"
    checker = "check_max_pool"

    def _ref_call(self, case: Case) -> Any:
        return numeric("max_pool")(case.args["input"], **case.kwargs,
                                   ndim=case.args["input"].ndim - 2)

    def reference(self, case: Case) -> np.ndarray:
        out = self._ref_call(case)
        return np.asarray(out[0] if isinstance(out, tuple) else out)

    def magnitude(self, case: Case) -> np.ndarray:
        return np.zeros(self.reference(case).shape)

    def prepare_output(self, case: Case, out: Any, backend: Backend) -> Any:
        if isinstance(out, tuple):
            return tuple(backend.back(o) for o in out)
        return backend.back(out)

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        want = self._ref_call(case)
        if isinstance(want, tuple):
            if not (isinstance(actual, tuple) and len(actual) == 2):
                return Comparison(ok=False, ratio=math.inf, shape_ok=False,
                                  detail="return_indices=True must return (values, indices)")
            comp = compare_elementwise(np.asarray(want[0]), np.asarray(actual[0]),
                                       np.zeros(np.shape(want[0])), 0, case.dtype,
                                       integer_valued=True)
            if not comp.ok:
                return comp
            wi, ai = np.asarray(want[1]), np.asarray(actual[1])
            if wi.shape != ai.shape or not np.array_equal(wi, ai):
                bad = np.argwhere(wi != ai) if wi.shape == ai.shape else None
                where = tuple(int(v) for v in bad[0]) if bad is not None and len(bad) else None
                what = (f"indices differ at indices{list(where)}: expected {wi[where]}, got "
                        f"{ai[where]} (PyTorch: flat spatial index of the first maximum)"
                        if where is not None else
                        f"indices shape {ai.shape}, but should be {wi.shape}")
                return Comparison(ok=False, ratio=math.inf, index=where, exact=True,
                                  extra={"what": what, "indices": True})
            return comp
        act = actual[0] if isinstance(actual, tuple) else actual
        return compare_elementwise(np.asarray(want), np.asarray(act), np.zeros(np.shape(want)),
                                   0, case.dtype, integer_valued=True)

    def _def(self, case: Case, *, rule: str = "torch", pad_value: float = -np.inf,
             ceil: bool | None = None, d: list[int] | None = None, s: list[int] | None = None,
             k: list[int] | None = None, p: list[int] | None = None, last: bool = False,
             indices: bool = False) -> Any:
        g = _PoolGeom(case)
        x = case.args["input"]
        kk = g.k if k is None else k
        vals, inb, _, flat = pool_windows(x, kk, g.s if s is None else s,
                                          g.p if p is None else p, g.d if d is None else d,
                                          g.ceil if ceil is None else ceil, rule)
        vals = np.where(inb, vals, pad_value)
        nd = g.nd
        v2 = vals.reshape((*vals.shape[: 2 + nd], -1))
        if last:
            arg = int(v2.shape[-1]) - 1 - np.argmax(v2[..., ::-1], axis=-1)
        else:
            arg = np.argmax(v2, axis=-1)
        out = np.take_along_axis(v2, arg[..., None], axis=-1)[..., 0]
        if indices:
            fl = np.broadcast_to(flat, vals.shape[2:]).reshape((*vals.shape[2: 2 + nd], -1))
            idx = np.take_along_axis(np.broadcast_to(fl, v2.shape), arg[..., None], axis=-1)
            return out, idx[..., 0]
        return out

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        g = _PoolGeom(case)
        want_idx = bool(case.kwargs.get("return_indices"))

        def pick(**kw: Any) -> Any:
            if want_idx:
                return self._def(case, indices=True, **kw)[0]
            return self._def(case, **kw)

        if g.ceil:
            yield ("ceil_mode keeping all-padding windows",
                   "with ceil_mode the last window may not start inside the right padding "
                   "(PyTorch drops it: (o−1)·s ≥ i + p ⇒ o −= 1); this output keeps it",
                   lambda: pick(rule="ceil"))
        yield ("floor vs ceil output size",
               f"ceil_mode={g.ceil} is not honoured: the output size uses "
               f"{'floor' if g.ceil else 'ceil'}", lambda: pick(ceil=not g.ceil))
        if any(g.p) or g.ceil:
            yield ("zero padding in max pooling",
                   "max pooling pads (or fills the ceil_mode overhang) with zeros; it must "
                   "use −∞ (padding never wins)",
                   lambda: pick(pad_value=0.0))
        x = case.args["input"]
        if np.isnan(x).any():
            no_nan = copy.copy(case)
            no_nan.args = {**case.args, "input": np.where(np.isnan(x), -np.inf, x)}
            yield ("NaN ignored",
                   "NaN inputs are skipped (np.fmax / a '>' comparison); PyTorch propagates "
                   "NaN: a window holding NaN has maximum NaN",
                   lambda: self._def(no_nan, indices=want_idx)[0] if want_idx
                   else self._def(no_nan))
        if any(v > 1 for v in g.d):
            yield ("dilation ignored", "dilation is ignored", lambda: pick(d=[1] * g.nd))
        if g.stride_default:
            yield ("stride=None taken as 1",
                   "stride=None must default to kernel_size; it was taken as 1",
                   lambda: pick(s=[1] * g.nd))
        if g.nd > 1:
            for name, attr in (("kernel_size", "k"), ("stride", "s"), ("padding", "p"),
                               ("dilation", "d")):
                val = getattr(g, attr)
                if val[::-1] != val:
                    yield (f"per-axis params swapped ({name})",
                           f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                           partial(lambda a, v: pick(**{a: v[::-1]}), attr, val))

    def diagnosis_view(self, case: Case, actual: Any, comp: Comparison) -> tuple[
            Iterator[tuple[str, str, Any]], np.ndarray, np.ndarray]:
        if comp.extra.get("indices"):
            return (self.index_candidates(case), np.asarray(actual[1]),
                    np.asarray(self._ref_call(case)[1]))
        return super().diagnosis_view(case, actual, comp)

    def variants(self, case: Case) -> list[Case]:
        return _pool_variants(case)

    def index_candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        yield ("gradient/index to the last maximum",
               "ties go to the last maximum in the window; PyTorch (and its max-pool "
               "gradient) uses the first", lambda: self._def(case, indices=True, last=True)[1])

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return Diagnosis("output shape", f"output shape {actual_shape}, but PyTorch's pooling "
                         "formula gives " + str(self.reference(case).shape))

    def features(self, case: Case) -> list[str]:
        f = _features(case, _PoolGeom(case))
        x = case.args["input"]
        if case.integer_valued and x.size:
            f.append("ties")
        return f


class AvgPoolSpec(OpSpec):
    """``avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
    divisor_override)``."""

    op = "avg_pool"
    checker = "check_avg_pool"

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool")(case.args["input"], **case.kwargs,
                                              ndim=case.args["input"].ndim - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool")(np.abs(case.args["input"]), **case.kwargs,
                                              ndim=case.args["input"].ndim - 2))

    def _def(self, case: Case, *, divisor: str = "torch", rule: str = "torch",
             ceil: bool | None = None, override: Any = "same", s: list[int] | None = None,
             k: list[int] | None = None, p: list[int] | None = None) -> np.ndarray:
        g = _PoolGeom(case)
        x = case.args["input"]
        kk = g.k if k is None else k
        vals, inb, inpad, _ = pool_windows(x, kk, g.s if s is None else s,
                                           g.p if p is None else p, [1] * g.nd,
                                           g.ceil if ceil is None else ceil, rule)
        ka = _k_axes(g.nd)
        total = vals.sum(axis=ka)
        ov = g.override if override == "same" else override
        if ov is not None:
            return np.asarray(total / ov)
        kk_axes = tuple(range(g.nd, 2 * g.nd))
        if divisor == "torch":
            cnt = (inpad if g.include_pad else inb).sum(axis=kk_axes)
        elif divisor == "full":
            cnt = np.full(inb.shape[: g.nd], math.prod(kk))
        elif divisor == "inbounds":
            cnt = inb.sum(axis=kk_axes)
        elif divisor == "nonzero":
            cnt = ((vals != 0) & inb).sum(axis=ka)
        else:  # "padded"
            cnt = inpad.sum(axis=kk_axes)
        return np.asarray(total / np.maximum(cnt, 1))

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        g = _PoolGeom(case)
        if g.override is None:
            if g.ceil:  # without ceil_mode no window overhangs the padded input
                yield ("avg divisor counts the overhang",
                       "the divisor is always prod(kernel_size), counting window elements "
                       "past the padded input (ceil_mode overhang); PyTorch clips the window "
                       "to the padded bounds", lambda: self._def(case, divisor="full"))
            if g.include_pad:
                yield ("avg divisor excludes padding",
                       "count_include_pad=True, but the divisor counts only in-bounds "
                       "elements (TF convention)", lambda: self._def(case, divisor="inbounds"))
            else:
                yield ("avg divisor counts padding",
                       "count_include_pad=False, but the divisor counts padding elements",
                       lambda: self._def(case, divisor="padded"))
                yield ("avg divisor counts only nonzeros",
                       "the divisor is the number of nonzero inputs in the window (a mask "
                       "built from x != 0), not the number of in-bounds elements",
                       lambda: self._def(case, divisor="nonzero"))
        else:
            yield ("divisor_override ignored", "divisor_override is ignored",
                   lambda: self._def(case, override=None))
        if g.ceil:
            yield ("ceil_mode keeping all-padding windows",
                   "with ceil_mode a window may not start inside the right padding; this "
                   "output keeps it", lambda: self._def(case, rule="ceil"))
        yield ("floor vs ceil output size", f"ceil_mode={g.ceil} is not honoured",
               lambda: self._def(case, ceil=not g.ceil))
        if g.stride_default:
            yield ("stride=None taken as 1", "stride=None must default to kernel_size",
                   lambda: self._def(case, s=[1] * g.nd))
        if g.nd > 1:
            for name, attr in (("kernel_size", "k"), ("stride", "s"), ("padding", "p")):
                val = getattr(g, attr)
                if val[::-1] != val:
                    yield (f"per-axis params swapped ({name})",
                           f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                           partial(lambda a, v: self._def(case, **{a: v[::-1]}), attr, val))

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return Diagnosis("output shape", f"output shape {actual_shape}, but PyTorch's pooling "
                         "formula gives " + str(self.reference(case).shape))

    def variants(self, case: Case) -> list[Case]:
        return _pool_variants(case)

    def features(self, case: Case) -> list[str]:
        g = _PoolGeom(case)
        f = _features(case, g)
        if g.override is not None:
            f.append("divisor_override")
        elif not g.include_pad:
            f.append("count_include_pad=False")
        return f


def _route(shape: tuple[int, ...], flat_idx: np.ndarray, weights: np.ndarray,
           accumulate: bool = True) -> np.ndarray:
    """Scatter ``weights`` (N, C, *o, *k or nothing) to flat input positions."""
    n, c = shape[:2]
    size = math.prod(shape[2:])
    out = np.zeros((n * c, size), dtype=np.result_type(weights, np.float64))
    w = weights.reshape(n * c, -1)
    idx = np.broadcast_to(flat_idx, weights.shape).reshape(n * c, -1)
    rows = np.repeat(np.arange(n * c), w.shape[1]).reshape(w.shape)
    if accumulate:
        np.add.at(out, (rows, idx), w)
    else:
        out[rows, idx] = w
    return out.reshape(shape)


class MaxPoolGradSpec(OpSpec):
    """``max_pool_grad(input, grad_output, kernel_size, stride, padding, dilation,
    ceil_mode)``: each window's gradient goes to its first maximum; overlaps add."""

    op = "max_pool_grad"
    checker = "check_max_pool_grad"

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("max_pool_grad")(case.args["input"],
                                                   case.args["grad_output"], **case.kwargs,
                                                   ndim=case.args["input"].ndim - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("max_pool_grad")(case.args["input"],
                                                   np.abs(case.args["grad_output"]),
                                                   **case.kwargs,
                                                   ndim=case.args["input"].ndim - 2))

    def _def(self, case: Case, *, last: bool = False, accumulate: bool = True) -> np.ndarray:
        g = _PoolGeom(case)
        x, gy = case.args["input"], case.args["grad_output"]
        vals, inb, _, flat = pool_windows(x, g.k, g.s, g.p, g.d, g.ceil)
        nd = g.nd
        v2 = np.where(inb, vals, -np.inf).reshape((*vals.shape[: 2 + nd], -1))
        if last:
            arg = int(v2.shape[-1]) - 1 - np.argmax(v2[..., ::-1], axis=-1)
        else:
            arg = np.argmax(v2, axis=-1)
        fl = np.broadcast_to(flat, vals.shape[2:]).reshape((*vals.shape[2: 2 + nd], -1))
        idx = np.take_along_axis(np.broadcast_to(fl, v2.shape), arg[..., None], axis=-1)[..., 0]
        return _route(x.shape, idx, gy, accumulate)

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        yield ("gradient to the last maximum",
               "each window's gradient goes to the last maximum of a tie; PyTorch sends it "
               "to the first", lambda: self._def(case, last=True))
        yield ("overlapping windows not accumulated",
               "where windows overlap, the gradient is assigned (last window wins) instead "
               "of summed", lambda: self._def(case, accumulate=False))
        yield ("both: last maximum, not accumulated",
               "ties go to the last maximum and overlaps are not summed",
               lambda: self._def(case, last=True, accumulate=False))

    def features(self, case: Case) -> list[str]:
        f = _features(case, _PoolGeom(case))
        g = _PoolGeom(case)
        if any(s < k for s, k in zip(g.s, g.k, strict=True)):
            f.append("overlapping windows")
        if case.integer_valued:
            f.append("ties")
        return f


class AvgPoolGradSpec(OpSpec):
    """``avg_pool_grad(input_size, grad_output, kernel_size, stride, padding, ceil_mode,
    count_include_pad, divisor_override)``."""

    op = "avg_pool_grad"
    checker = "check_avg_pool_grad"

    def _x_case(self, case: Case) -> Case:
        x = np.zeros(case.args["input_size"])
        return Case("avg_pool", {"input": x}, case.kwargs, case.dtype, False, case.seed,
                    case.terms)

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool_grad")(tuple(case.args["input_size"]),
                                                   case.args["grad_output"], **case.kwargs,
                                                   ndim=len(case.args["input_size"]) - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool_grad")(tuple(case.args["input_size"]),
                                                   np.abs(case.args["grad_output"]),
                                                   **case.kwargs,
                                                   ndim=len(case.args["input_size"]) - 2))

    def _def(self, case: Case, *, divisor: str = "torch", accumulate: bool = True,
             override: Any = "same") -> np.ndarray:
        xc = self._x_case(case)
        g = _PoolGeom(xc)
        x = xc.args["input"]
        gy = case.args["grad_output"]
        _, inb, inpad, flat = pool_windows(x, g.k, g.s, g.p, [1] * g.nd, g.ceil)
        kk = tuple(range(g.nd, 2 * g.nd))
        ov = g.override if override == "same" else override
        if ov is not None:
            cnt: Any = ov
        elif divisor == "torch":
            cnt = (inpad if g.include_pad else inb).sum(axis=kk)
        elif divisor == "full":
            cnt = math.prod(g.k)
        elif divisor == "inbounds":
            cnt = inb.sum(axis=kk)
        else:
            cnt = inpad.sum(axis=kk)
        share = gy / cnt
        w = share.reshape(share.shape + (1,) * g.nd) * inb
        return _route(x.shape, flat, w, accumulate)

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Any]]:
        g = _PoolGeom(self._x_case(case))
        if g.override is None:
            yield ("avg divisor counts the overhang",
                   "the gradient is divided by prod(kernel_size) even where the window "
                   "overhangs the padded input", lambda: self._def(case, divisor="full"))
            yield (("avg divisor excludes padding", "count_include_pad=True, but the "
                    "divisor counts only in-bounds elements") if g.include_pad else
                   ("avg divisor counts padding",
                    "count_include_pad=False, but the divisor counts padding elements")) + (
                lambda: self._def(case, divisor="inbounds" if g.include_pad else "padded"),)
        else:
            yield ("divisor_override ignored", "divisor_override is ignored",
                   lambda: self._def(case, override=None))
        yield ("overlapping windows not accumulated",
               "where windows overlap, the gradient is assigned instead of summed",
               lambda: self._def(case, accumulate=False))

    def features(self, case: Case) -> list[str]:
        return _features(self._x_case(case), _PoolGeom(self._x_case(case)))
