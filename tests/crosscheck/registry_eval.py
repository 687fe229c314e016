"""Evaluate the registry's discrete statements on concrete finite sequences.

A statement of :func:`convmath.symbolic.derivations` on ℤⁿ is an equation between SymPy
expressions built from convmath's operators. :func:`evaluate` gives such an expression a
value once every undefined function is bound to a finitely supported table of integers and
every free symbol to an integer — and it computes each convolution and cross-correlation
node with an *implementation under test* (:data:`BACKENDS`: ``convmath.numeric`` and
``scipy.signal``, direct and FFT), never with SymPy. Everything else is evaluated from its
definition, exactly (Python integers and fractions):

- a sum over ℤ runs over the finitely many indices where its body can be nonzero, read off
  the supports of the tables its factors apply (:func:`bounds`); a sum it cannot bound is
  :class:`Unsupported`, never truncated;
- ∂/∂θ of an expression that is affine in θ (a loss Σ g·y) is the exact difference
  E(θ + 1) − E(θ), after a second difference has confirmed that E is affine in θ;
- Δₙ is E(n + 1) − E(n), ↑ₛ is zero insertion, δ is the Kronecker delta, and ℱ on ℤⁿ is the
  DTFT Σ f(n) e^{−i n·ω} (the only inexact value, compared with a stated bound).

An FFT backend's float output must be within the normwise FFT error bound of an integer
(see :func:`_fft_rounded`); it is then rounded, so both sides of an identity stay exact.
"""

from __future__ import annotations

import cmath
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.signal
import sympy
from sympy import Lambda, S
from sympy.core.function import AppliedUndef

from convmath import numeric
from convmath.symbolic import (
    Convolution,
    CrossCorrelation,
    Difference,
    Fourier,
    Partial,
    Upsample,
)
from convmath.symbolic.operators import Named
from convmath.testing._tolerance import compare_normwise

Number = int | Fraction | complex


class Unsupported(Exception):
    """The expression has a node (or an unbounded sum) this evaluator does not handle."""


# -- tables ----------------------------------------------------------------------------------


@dataclass
class Table:
    """A finitely supported function ℤᵐ → ℤ: ``values[idx]``, zero elsewhere."""

    arity: int
    values: dict[tuple[int, ...], int] = field(default_factory=dict)

    def at(self, idx: tuple[int, ...]) -> int:
        return self.values.get(idx, 0)

    def axis_bounds(self, axis: int) -> tuple[int, int] | None:
        """Smallest and largest index on ``axis`` with a nonzero value (None if all zero)."""
        keys = [k[axis] for k, v in self.values.items() if v]
        return (min(keys), max(keys)) if keys else None

    def bumped(self, idx: tuple[int, ...], by: int) -> Table:
        out = dict(self.values)
        out[idx] = out.get(idx, 0) + by
        return Table(self.arity, out)


@dataclass(frozen=True)
class Dense:
    """A tabulated sequence: ``array[i]`` is the value at ``origin + i``."""

    array: np.ndarray
    origin: tuple[int, ...]


# -- backends: the implementations under test -------------------------------------------------


def _fft_rounded(out: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Round an FFT result to integers after checking it is within the FFT error bound.

    The exact result is an integer array, so the nearest integers must be within the
    normwise FFT bound of the tolerance model (``compare_normwise``: three transforms and one
    pointwise product, ‖ŷ − y‖₂ ≤ c·log₂n·‖a‖₂·‖b‖₁), which is far below ½ for these inputs.
    """
    rounded = np.rint(np.real(out))
    check = compare_normwise(rounded, np.real(out), float(np.linalg.norm(a.ravel())),
                             float(np.abs(b).sum()), out.size, "float64")
    assert check.allowed < 0.5, f"FFT bound {check.allowed} ≥ ½"
    assert check.ok, f"FFT result is {check.error} from the integers, over {check.allowed}"
    return rounded.astype(np.int64)


def _exact(out: Any) -> np.ndarray:
    arr = np.asarray(out)
    if arr.dtype.kind == "f":
        assert np.array_equal(arr, np.rint(arr)), "an exact backend returned non-integers"
        return arr.astype(np.int64)
    return arr.astype(np.int64) if arr.dtype != object else arr


def _pad_for(a: np.ndarray) -> list[int]:
    return [s - 1 for s in a.shape]


def _batched(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64)[None, None]


@dataclass(frozen=True)
class Backend:
    """Full convolution ``conv(a, b)[m] = Σ_l a[l]·b[m − l]`` and full cross-correlation
    ``xcorr(a, b)[m] = Σ_l a[l]·b[l + m − (len(a) − 1)]`` (per axis) of integer arrays."""

    name: str
    conv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    xcorr: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _signal_backend(name: str, module: Any, method: str) -> Backend:
    def post(out: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _fft_rounded(np.asarray(out), a, b) if method == "fft" else _exact(out)

    def cast(a: np.ndarray) -> np.ndarray:  # floats, so that an FFT's rounding is ours
        return a.astype(np.float64) if method == "fft" else a

    return Backend(
        name,
        lambda a, b: post(module.convolve(cast(a), cast(b), method=method), a, b),
        # correlate(b, a)[m] = Σ_l b[l + m − (len(a) − 1)]·a[l]
        lambda a, b: post(module.correlate(cast(b), cast(a), method=method), a, b),
    )


def _layer_xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # conv(x, w, padding=p)[t] = Σ_j w[j]·x[t + j − p]: kernel a, input b, p = len(a) − 1
    return _exact(numeric.conv(_batched(b), _batched(a), padding=_pad_for(a))[0, 0])


def _layer_conv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # conv_transpose(x, w)[t] = Σ_j x[t − j]·w[j]: the full convolution
    return _exact(numeric.conv_transpose(_batched(b), _batched(a))[0, 0])


BACKENDS: dict[str, Backend] = {
    "convmath.convolve/direct": _signal_backend("convmath.convolve/direct", numeric, "direct"),
    "convmath.convolve/fft": _signal_backend("convmath.convolve/fft", numeric, "fft"),
    "scipy.signal/direct": _signal_backend("scipy.signal/direct", scipy.signal, "direct"),
    "scipy.signal/fft": _signal_backend("scipy.signal/fft", scipy.signal, "fft"),
    "convmath.conv+conv_transpose": Backend("convmath.conv+conv_transpose", _layer_conv,
                                            _layer_xcorr),
}


# -- evaluation ------------------------------------------------------------------------------


@dataclass
class Context:
    """Tables for the undefined functions, the backend, and a cache of operator results."""

    tables: dict[str, Table]
    backend: Backend
    cache: dict[Any, Dense] = field(default_factory=dict)
    calls: int = 0  # operator nodes computed by the backend

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise Unsupported(f"no table for the function {name}") from None


Env = Mapping[sympy.Symbol, int]
Ranges = Mapping[Any, tuple[int, int]] | None


def _int(v: Number, what: Any) -> int:
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    raise Unsupported(f"{what} evaluates to {v}, not an integer")


def evaluate(e: Any, env: Env, ctx: Context) -> Number:
    """The value of ``e`` with the free symbols in ``env`` and the functions in ``ctx``."""
    if isinstance(e, sympy.Integer):
        return int(e)
    if isinstance(e, sympy.Rational):
        return Fraction(int(e.p), int(e.q))
    if e is S.ImaginaryUnit:
        return 1j
    if isinstance(e, sympy.Symbol):
        if e not in env:
            raise Unsupported(f"the symbol {e} has no value")
        return env[e]
    if isinstance(e, sympy.Add):
        return sum((evaluate(a, env, ctx) for a in e.args), 0)
    if isinstance(e, sympy.Mul):
        out: Number = 1
        for a in e.args:
            out = out * evaluate(a, env, ctx)
            if out == 0:
                return 0
        return out
    if isinstance(e, sympy.Pow):
        base, ex = evaluate(e.base, env, ctx), _int(evaluate(e.exp, env, ctx), e.exp)
        if ex < 0 and not isinstance(base, complex):
            if base == 0:
                raise Unsupported(f"{e}: division by zero")
            return Fraction(base) ** ex
        return base ** ex
    if isinstance(e, sympy.exp):
        return cmath.exp(complex(evaluate(e.args[0], env, ctx)))
    if isinstance(e, sympy.floor):
        v = evaluate(e.args[0], env, ctx)
        if isinstance(v, complex):
            raise Unsupported(f"floor of {v}")
        return math.floor(v)
    if isinstance(e, sympy.KroneckerDelta):
        return int(evaluate(e.args[0], env, ctx) == evaluate(e.args[1], env, ctx))
    if isinstance(e, AppliedUndef):
        idx = tuple(_int(evaluate(a, env, ctx), a) for a in e.args)
        return ctx.table(e.func.__name__).at(idx)
    if isinstance(e, sympy.Sum):
        return _sum(e.function, list(e.limits), env, ctx)
    if isinstance(e, Named):
        return evaluate(e.expr, env, ctx)
    if isinstance(e, (Convolution, CrossCorrelation)):
        dense = _operator(e, env, ctx)
        return _lookup(dense, [_int(evaluate(p, env, ctx), p) for p in e.point])
    if isinstance(e, Upsample):
        factor = [_int(evaluate(s, env, ctx), s) for s in e.factor]
        pt = [_int(evaluate(p, env, ctx), p) for p in e.point]
        if any(q % s for q, s in zip(pt, factor, strict=True)):
            return 0
        return _apply(e.f, [q // s for q, s in zip(pt, factor, strict=True)], env, ctx)
    if isinstance(e, Difference):
        n = _int(evaluate(e.var, env, ctx), e.var)
        return (evaluate(e.expr, {**env, e.var: n + 1}, ctx)
                - evaluate(e.expr, {**env, e.var: n}, ctx))
    if isinstance(e, Partial):
        return _partial(e, env, ctx)
    if isinstance(e, Fourier):
        return _dtft(e, env, ctx)
    raise Unsupported(f"no evaluation rule for {type(e).__name__}: {e}")


def _apply(L: Lambda, pt: list[int], env: Env, ctx: Context) -> Number:
    return evaluate(L.expr, {**env, **dict(zip(L.variables, pt, strict=True))}, ctx)


def _lookup(d: Dense, pt: list[int]) -> int:
    local = tuple(q - o for q, o in zip(pt, d.origin, strict=True))
    if any(i < 0 or i >= s for i, s in zip(local, d.array.shape, strict=True)):
        return 0
    return int(d.array[local])


def _relevant_env(exprs: Iterable[Any], env: Env) -> tuple[tuple[Any, int], ...]:
    """The values of the free symbols of ``exprs`` (the symbols themselves as keys: two
    symbols may share a name and differ in their assumptions)."""
    free: set[Any] = set()
    for x in exprs:
        free |= x.free_symbols
    return tuple(sorted(((s, int(env[s])) for s in free if s in env),
                        key=lambda p: sympy.srepr(p[0])))


def tabulate(L: Lambda, env: Env, ctx: Context) -> Dense:
    """The values of ``L`` on the smallest box that holds its support (from :func:`bounds`)."""
    box = []
    for v in L.variables:
        b = bounds(L.expr, v, env, ctx)
        if b is None:
            raise Unsupported(f"cannot bound the support of {L} in {v}")
        box.append(b)
    if any(lo > hi for lo, hi in box):
        return Dense(np.zeros((1,) * len(box), dtype=np.int64), tuple(0 for _ in box))
    shape = tuple(hi - lo + 1 for lo, hi in box)
    arr = np.zeros(shape, dtype=object)
    for local in itertools.product(*[range(s) for s in shape]):
        pt = [lo + i for (lo, _), i in zip(box, local, strict=True)]
        arr[local] = _int(_apply(L, pt, env, ctx), L)
    return Dense(arr.astype(np.int64), tuple(lo for lo, _ in box))


def _operator(e: Convolution | CrossCorrelation, env: Env, ctx: Context) -> Dense:
    key = (type(e).__name__, e.f, e.g, _relevant_env([e.f, e.g], env))
    hit = ctx.cache.get(key)
    if hit is not None:
        return hit
    A, B = tabulate(e.f, env, ctx), tabulate(e.g, env, ctx)
    ctx.calls += 1
    if isinstance(e, Convolution):
        out = ctx.backend.conv(A.array, B.array)
        origin = tuple(a + b for a, b in zip(A.origin, B.origin, strict=True))
    else:
        out = ctx.backend.xcorr(A.array, B.array)
        # entry m is the value at n with m = n + oA − oB + len(A) − 1
        origin = tuple(ob - oa - s + 1 for oa, ob, s in
                       zip(A.origin, B.origin, A.array.shape, strict=True))
    expected = tuple(a + b - 1 for a, b in zip(A.array.shape, B.array.shape, strict=True))
    assert out.shape == expected, f"{ctx.backend.name}: shape {out.shape}, not {expected}"
    dense = Dense(out, origin)
    ctx.cache[key] = dense
    return dense


def _sum(body: Any, limits: list[Any], env: Env, ctx: Context) -> Number:
    """Σ over ``limits`` (SymPy order: innermost first), outermost variable first."""
    if not limits:
        return evaluate(body, env, ctx)
    *inner, (v, lo, hi) = limits
    rest = sympy.Sum(body, *inner) if inner else body
    sign = 1
    if lo is S.Infinity or hi is S.NegativeInfinity:
        raise Unsupported(f"a sum from {lo} to {hi}")
    if lo is not S.NegativeInfinity and hi is not S.Infinity:
        a, z = _int(evaluate(lo, env, ctx), lo), _int(evaluate(hi, env, ctx), hi)
        if z < a:  # SymPy's (Karr's) convention: Σ_{a}^{z} = −Σ_{z+1}^{a−1}
            lo, hi, sign = sympy.Integer(z + 1), sympy.Integer(a - 1), -1
    b = bounds(rest, v, env, ctx)
    los = [] if lo is S.NegativeInfinity else [_int(evaluate(lo, env, ctx), lo)]
    his = [] if hi is S.Infinity else [_int(evaluate(hi, env, ctx), hi)]
    if b is not None:
        los.append(b[0])
        his.append(b[1])
    if not los or not his:
        raise Unsupported(f"cannot bound the sum over {v} of {rest}")
    total: Number = 0
    for val in range(max(los), min(his) + 1):
        total += _sum(body, inner, {**env, v: val}, ctx)
    return sign * total


def _partial(e: Partial, env: Env, ctx: Context) -> Number:
    """∂E/∂θ = E(θ + 1) − E(θ), exact once E(θ + 2) − 2E(θ + 1) + E(θ) = 0 (E affine)."""
    target = e.target

    def at(bump: int) -> Number:
        if isinstance(target, sympy.Symbol):
            return evaluate(e.expr, {**env, target: env[target] + bump}, ctx)
        name = target.func.__name__
        idx = tuple(_int(evaluate(a, env, ctx), a) for a in target.args)
        tables = {**ctx.tables, name: ctx.table(name).bumped(idx, bump)}
        return evaluate(e.expr, env, Context(tables, ctx.backend))

    e0, e1, e2 = at(0), at(1), at(2)
    if e2 - 2 * e1 + e0 != 0:
        raise Unsupported(f"{e.expr} is not affine in {target}")
    return e1 - e0


def _dtft(e: Fourier, env: Env, ctx: Context) -> complex:
    if e.args[2] != S.Integers:
        raise Unsupported("ℱ on ℝⁿ")
    F: Lambda = e.args[0]
    omega = [complex(evaluate(w, env, ctx)) for w in e.args[1]]
    d = tabulate(F, env, ctx)
    total = 0j
    for local in itertools.product(*[range(s) for s in d.array.shape]):
        n = [o + i for o, i in zip(d.origin, local, strict=True)]
        phase = sum(q * w for q, w in zip(n, omega, strict=True))
        total += int(d.array[local]) * cmath.exp(-1j * phase)
    return total


# -- supports --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _affine(arg: Any, v: Any) -> tuple[Any, Any] | None:
    """(k, c) with ``arg = k·v + c``, k and c free of v; None if not affine in v."""
    if v not in arg.free_symbols:
        return None
    if arg.has(sympy.floor):
        return None
    k = sympy.diff(arg, v)
    if v in k.free_symbols:
        return None
    c = sympy.expand(arg - k * v)
    return (k, c) if v not in c.free_symbols else None


def _interval_from(arg: Any, v: Any, lo: int, hi: int, env: Env, ctx: Context,
                   ranges: Ranges = None) -> tuple[int, int] | None:
    """The v with lo ≤ arg ≤ hi, for arg = k·v + c with k evaluable and c evaluable or
    affine in variables with known ranges (``ranges``: c is then bounded by its corners)."""
    kc = _affine(arg, v)
    if kc is None:
        return None
    try:
        k = _int(evaluate(kc[0], env, ctx), kc[0])
        cs = _corner_values(kc[1], env, ctx, ranges or {})
    except Unsupported:
        return None
    if k == 0 or cs is None:
        return None
    ends = [Fraction(end - c, k) for end in (lo, hi) for c in cs]
    return math.ceil(min(ends)), math.floor(max(ends))


def _corner_values(c: Any, env: Env, ctx: Context, ranges: Mapping[Any, tuple[int, int]]
                   ) -> list[int] | None:
    """c at every corner of the box of its ranged variables (c affine in each of them)."""
    free = [s for s in c.free_symbols if s not in env]
    if any(s not in ranges for s in free):
        return None
    for s in free:
        kc = _affine(c, s)
        if kc is None or any(t in kc[0].free_symbols for t in free):
            return None
        if ranges[s][0] > ranges[s][1]:
            return None
    corners = itertools.product(*[ranges[s] for s in free])
    return [_int(evaluate(c, {**env, **dict(zip(free, pt, strict=True))}, ctx), c)
            for pt in corners]


def _meet(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a[0], b[0]), min(a[1], b[1])


def _meet_all(parts: list[tuple[int, int] | None]) -> tuple[int, int] | None:
    out: tuple[int, int] | None = None
    for p in parts:
        out = _meet(out, p)
    return out


def _lambdas(e: Any) -> list[Lambda]:
    return [a for a in e.args if isinstance(a, Lambda)]


def _hull(parts: list[tuple[int, int] | None]) -> tuple[int, int] | None:
    if any(p is None for p in parts):
        return None
    real = [p for p in parts if p is not None and p[0] <= p[1]]
    if not real:
        return (0, -1)
    return min(p[0] for p in real), max(p[1] for p in real)


_EMPTY = (0, -1)


def bounds(e: Any, v: Any, env: Env, ctx: Context, ranges: Ranges = None
           ) -> tuple[int, int] | None:
    """An interval of v outside which ``e`` is zero (None: no bound found).

    ``ranges`` gives intervals for variables bound by enclosing sums (so that, in
    Σ_k f(k)·g(n − k), n is bounded through k's range).
    """
    if v not in e.free_symbols:
        return None
    if isinstance(e, sympy.Mul):
        out: tuple[int, int] | None = None
        for a in e.args:
            out = _meet(out, bounds(a, v, env, ctx, ranges))
        return out
    if isinstance(e, sympy.Add):
        return _hull([bounds(a, v, env, ctx, ranges) for a in e.args])
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 0:
        return bounds(e.base, v, env, ctx, ranges)
    if isinstance(e, Named):
        return bounds(e.expr, v, env, ctx, ranges)
    if isinstance(e, sympy.KroneckerDelta):
        pt = _interval_from(e.args[0] - e.args[1], v, 0, 0, env, ctx, ranges)
        return pt
    if isinstance(e, AppliedUndef):
        out = None
        table = ctx.tables.get(e.func.__name__)
        if table is None:
            return None
        for axis, arg in enumerate(e.args):
            tb = table.axis_bounds(axis)
            if tb is None:
                return _EMPTY
            out = _meet(out, _interval_from(arg, v, tb[0], tb[1], env, ctx, ranges))
        return out
    if isinstance(e, sympy.Sum):
        if v in {lim[0] for lim in e.limits}:
            return None
        inner = dict(ranges or {})
        for w, lo, hi in e.limits:  # each summation variable's own range first
            own = bounds(e.function, w, env, ctx, inner)
            try:
                if lo is not S.NegativeInfinity:
                    own = _meet(own, (_int(evaluate(lo, env, ctx), lo), 10**9))
                if hi is not S.Infinity:
                    own = _meet(own, (-10**9, _int(evaluate(hi, env, ctx), hi)))
            except Unsupported:
                pass
            if own is not None:
                inner[w] = own
        return bounds(e.function, v, env, ctx, inner)
    if isinstance(e, (Convolution, CrossCorrelation, Upsample)) and any(
            v in L.free_symbols for L in _lambdas(e)):
        # v inside the functions (a channel index): zero wherever either function is
        return _meet_all([bounds(L.expr, v, env, ctx, ranges) for L in _lambdas(e)])
    if isinstance(e, (Convolution, CrossCorrelation)):
        try:
            dense = _operator(e, env, ctx)
        except Unsupported:
            return None
        out = None
        for axis, p in enumerate(e.point):
            lo = dense.origin[axis]
            out = _meet(out, _interval_from(p, v, lo, lo + dense.array.shape[axis] - 1,
                                            env, ctx, ranges))
        return out
    if isinstance(e, Upsample):
        out = None
        try:
            factor = [_int(evaluate(s, env, ctx), s) for s in e.factor]
            inner = tabulate(e.f, env, ctx)
        except Unsupported:
            return None
        for axis, (p, s) in enumerate(zip(e.point, factor, strict=True)):
            lo = inner.origin[axis]
            hi = lo + inner.array.shape[axis] - 1
            out = _meet(out, _interval_from(p, v, s * lo, s * hi, env, ctx, ranges))
        return out
    if isinstance(e, Difference):
        b = bounds(e.expr, v, env, ctx, ranges)
        if b is None or e.var != v:
            return b
        return b[0] - 1, b[1]
    return None
