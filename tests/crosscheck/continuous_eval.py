"""Evaluate the registry's continuous statements (ℝⁿ) on concrete functions, by quadrature.

A statement of :func:`convmath.symbolic.derivations` on ℝⁿ is an equation between SymPy
expressions built from convmath's operators, with undefined functions (``f``, ``g``, ``h``,
``v``, ``w``) applied inside Lambdas and free scalar symbols (``x``, ``a``, ``c``, ``ξ``…).
:func:`compare` gives both sides a number once every undefined function is bound to a
:class:`Concrete` function (Gaussians, smooth bumps exp(−1/(1 − u²)), one-sided exponentials
e^{−u}·[u ≥ 0], a separable product of one such factor per coordinate) and every free symbol
to a number. No SymPy evaluation of integrals is used; the nodes are computed numerically:

- a Convolution, CrossCorrelation or Fourier node (on ℝⁿ) is the integral of its *defining
  integrand* (the operator's own ``unfold()``), and a raw ``Integral`` is integrated as given,
  by composite Gauss–Legendre quadrature (one variable at a time, iterated) on the support
  of the integrand, split at every point where a factor is not analytic (the jump of a
  one-sided exponential, the edges of a bump, and for a nested convolution the sums of its
  factors' singular points), with panels no longer than the integrand's length scale and
  geometrically graded towards each breakpoint;
- ∂/∂t of an applied function is the derivative of its closed form (``sympy.diff`` of the
  profile, chain rule through the affine arguments); ∂/∂x of any other expression (the
  derivative of a convolution) is a fourth-order central difference in the free symbol x;
- a finite ``Sum`` (the channels of a multi-channel layer) is summed term by term.

Values are kept *separable* (:class:`Sep`: a short sum of products of one array per
coordinate), so a two- or three-dimensional integral costs a few one-dimensional ones; an
expression that mixes coordinates (an argument such as z1 + z2) is :class:`Unsupported`,
as is any node not listed above (δ, Δ, ↑, ∂/∂x(u)…), never approximated.

The error estimate (:func:`compare`) is Gauss–Kronrod's idea applied to a whole side: the
side is evaluated twice, with a high-order rule (16 points per panel, difference step h)
and a low-order one (10 points per panel, step 2h) on the same panels; the difference is
an estimate of the low-order value's error, which bounds the high-order value's error by
a wide margin (on these analytic-by-pieces integrands the 16-point rule's error is orders
below the 10-point rule's, and the difference step's error is 16× smaller at h than at 2h).
"""

from __future__ import annotations

import cmath
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from sympy import Integral, Lambda, S, Sum
from sympy.core.function import AppliedUndef

from convmath.symbolic import Convolution, CrossCorrelation, Fourier
from convmath.symbolic.operators import Named

__all__ = [
    "CONVERGED",
    "HIGH",
    "LOW",
    "ROUNDING",
    "TRUNCATION",
    "Comparison",
    "Concrete",
    "Evaluator",
    "Factor",
    "Sep",
    "Unsupported",
    "compare",
    "functions_of",
    "on_grid",
    "smooth_required",
]


class Unsupported(Exception):
    """The expression has a node this evaluator does not compute (it is never guessed)."""


# -- concrete functions ------------------------------------------------------------------------

#: Gaussians are cut at μ ± 10σ, one-sided exponentials at s + 45τ (bumps are exact).
GAUSS_CUT, ONESIDED_CUT = 10.0, 45.0

_PROFILES: dict[str, Callable[[sympy.Symbol], sympy.Expr]] = {
    "gauss": lambda u: sympy.exp(-u**2 / 2),
    "bump": lambda u: sympy.exp(-1 / (1 - u**2)),
    "onesided": lambda u: sympy.exp(-u),
}


@functools.cache
def _profile(family: str, order: int) -> Callable[[np.ndarray], np.ndarray]:
    """d^order/du^order of the family's profile, from its closed form (sympy.diff)."""
    u = sympy.Symbol("u", real=True)
    fn: Callable[[np.ndarray], np.ndarray] = sympy.lambdify(
        u, sympy.diff(_PROFILES[family](u), u, order), "numpy")
    return fn


@dataclass(frozen=True)
class Factor:
    """One coordinate's factor: ``gauss`` e^{−u²/2}, ``bump`` e^{−1/(1−u²)} (|u| < 1) or
    ``onesided`` e^{−u}·[u ≥ 0], with u = (t − center)/width."""

    family: str
    center: float
    width: float

    def support(self, shift: float = 0.0) -> tuple[float, float]:
        c, w = self.center + shift, self.width
        if self.family == "gauss":
            return c - GAUSS_CUT * w, c + GAUSS_CUT * w
        if self.family == "bump":
            return c - w, c + w
        return c, c + ONESIDED_CUT * w

    def breaks(self, shift: float = 0.0) -> tuple[float, ...]:
        """Where the factor is not analytic: the jump of e^{−u}·[u ≥ 0], a bump's edges."""
        c, w = self.center + shift, self.width
        return {"gauss": (), "bump": (c - w, c + w), "onesided": (c,)}[self.family]

    def scale(self) -> float:
        """A panel length on which the 10-point rule is accurate for this factor."""
        return {"gauss": 2.0, "bump": 1.0, "onesided": 3.0}[self.family] * self.width

    def __call__(self, t: np.ndarray, order: int = 0, shift: float = 0.0) -> np.ndarray:
        u = (np.asarray(t, dtype=float) - (self.center + shift)) / self.width
        prof = _profile(self.family, order)
        if self.family == "gauss":
            out = np.asarray(prof(u), dtype=float)
        else:
            inside = np.abs(u) < 1 if self.family == "bump" else u >= 0
            out = np.zeros(u.shape)
            out[inside] = prof(u[inside])
        return out / self.width**order


@dataclass(frozen=True)
class Concrete:
    """amplitude·(1 + index_gain·Σi)·Π_k factors[k](t_k − index_shift·Σi) for arguments
    (i₁, …, i_m, t₁, …, t_n): leading index arguments (a channel), then one per coordinate."""

    factors: tuple[Factor, ...]
    amplitude: float = 1.0
    index_shift: float = 0.0
    index_gain: float = 0.0

    def describe(self) -> str:
        parts = [f"{fa.family}(c={fa.center:.4g}, w={fa.width:.4g})" for fa in self.factors]
        return f"{self.amplitude:.4g}·" + "·".join(parts)


# -- separable values ------------------------------------------------------------------------

Term = tuple[complex, dict[int, np.ndarray]]


def _num(v: complex) -> complex:
    return v.real if isinstance(v, complex) and v.imag == 0 else v


class Sep:
    """Σ_terms coefficient·Π_label array[label]: a value that depends on the quadrature nodes
    of each coordinate (label) separately. Arrays of one label broadcast over that label's
    nested quadrature axes (the innermost axis first, outer axes aligned on the right)."""

    __slots__ = ("terms",)

    def __init__(self, terms: list[Term]) -> None:
        self.terms = [(c, f) for c, f in terms if not (isinstance(c, (int, float, complex))
                                                         and c == 0)] or [(0.0, {})]

    @staticmethod
    def const(v: complex) -> Sep:
        return Sep([(_num(v), {})])

    @staticmethod
    def on(label: int, arr: np.ndarray) -> Sep:
        return Sep([(1.0, {label: arr})])

    def __add__(self, other: Sep) -> Sep:
        scalar: complex = 0.0
        rest = []
        for c, f in self.terms + other.terms:
            if f:
                rest.append((c, f))
            else:
                scalar += c
        return Sep(([(scalar, {})] if scalar != 0 else []) + rest)

    def __mul__(self, other: Sep) -> Sep:
        out = []
        for ca, fa in self.terms:
            for cb, fb in other.terms:
                f = dict(fa)
                for k, arr in fb.items():
                    f[k] = f[k] * arr if k in f else arr
                out.append((ca * cb, f))
        return Sep(out)

    def scaled(self, k: complex) -> Sep:
        return Sep([(c * k, f) for c, f in self.terms])

    def labels(self) -> set[int]:
        return {k for _, f in self.terms for k in f}

    def collapse(self) -> tuple[int | None, Any]:
        """(label, array) when the value depends on one coordinate at most (label None: a
        number); :class:`Unsupported` when it mixes coordinates."""
        labels = self.labels()
        if len(labels) > 1:
            raise Unsupported(f"a value mixes the coordinates {sorted(labels)}")
        label = next(iter(labels), None)
        total: Any = 0.0
        for c, f in self.terms:
            total = total + (c * f[label] if label in f else c)
        return label, total

    def scalar(self) -> complex:
        """The value once every coordinate is integrated out (each array a single number)."""
        total: complex = 0.0
        for c, f in self.terms:
            for label, arr in f.items():
                a = np.asarray(arr)
                if a.size != 1:
                    raise Unsupported(f"not a number: depends on coordinate {label}")
                c = c * a.reshape(())[()]
            total += c
        return complex(total)

    def integrate(self, label: int, weights: np.ndarray) -> Sep:
        """∫ d(innermost variable of ``label``): the weighted sum over axis 0 of that label."""
        out = []
        for c, f in self.terms:
            g = dict(f)
            arr = f.get(label)
            g[label] = np.sum(weights if arr is None else weights * arr, axis=0)
            out.append((c, g))
        return Sep(out)

    def exp(self) -> Sep:
        out = Sep.const(1.0)
        for c, f in self.terms:
            if not f:
                out = out.scaled(cmath.exp(c))
            elif len(f) == 1:
                ((label, arr),) = f.items()
                out = out * Sep.on(label, np.exp(c * arr))
            else:
                raise Unsupported("exp of a product of coordinates")
        return out


def _real(v: Any, what: str) -> Any:
    arr = np.asarray(v)
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            raise Unsupported(f"{what} is not real")
        arr = arr.real
    return arr


# -- the shape of an integrand in one variable (abstract interpretation) ----------------------


@dataclass
class _Const:
    """Independent of the variable; ``value`` when known (None: unknown, e.g. a variable of an
    inner integral not yet bound)."""

    value: Sep | None


@dataclass
class _Aff:
    """α·v + β (β an array over the variable's outer axes, or None when unknown)."""

    alpha: complex
    beta: Any


@dataclass
class _Shape:
    """Vanishes outside [lo, hi]; analytic between the ``breaks``; ``scale`` its length scale."""

    lo: Any = -np.inf
    hi: Any = np.inf
    breaks: list[Any] = field(default_factory=list)
    scale: float = np.inf


_Abstract = _Const | _Aff | _Shape


def _merge(parts: Iterable[_Shape], *, product: bool) -> _Shape:
    """Support of a product (intersection) or a sum (hull) of shapes; breaks and scales of all."""
    parts = list(parts)
    out = _Shape()
    if parts:
        if product:
            out.lo = functools.reduce(np.maximum, [p.lo for p in parts])
            out.hi = functools.reduce(np.minimum, [p.hi for p in parts])
        else:
            out.lo = functools.reduce(np.minimum, [p.lo for p in parts])
            out.hi = functools.reduce(np.maximum, [p.hi for p in parts])
    out.breaks = [b for p in parts for b in p.breaks]
    out.scale = min([p.scale for p in parts], default=np.inf)
    return out


def _as_shape(a: _Abstract) -> _Shape:
    """A constant or a polynomial in the variable restricts nothing: the whole line."""
    return a if isinstance(a, _Shape) else _Shape()


# -- the evaluator -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _unfold(node: Any) -> Any:
    return node.unfold()


@functools.lru_cache(maxsize=64)
def _fractions(panels: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, 1]: ``panels`` equal panels, the first and the last split
    geometrically (ratio 0.3, twice) towards the ends, ``points`` Gauss–Legendre points each."""
    k = max(panels, 2)
    p, r = 1.0 / k, 0.3
    edges = [0.0, p * r * r, p * r, *np.linspace(p, 1 - p, k - 1), 1 - p * r, 1 - p * r * r, 1.0]
    x, w = np.polynomial.legendre.leggauss(points)
    nodes, weights = [], []
    for a, b in itertools.pairwise(edges):
        nodes.append(a + (b - a) * (x + 1) / 2)
        weights.append((b - a) / 2 * w)
    return np.concatenate(nodes), np.concatenate(weights)


STENCIL = ((-2, 1 / 12), (-1, -8 / 12), (1, 8 / 12), (2, -1 / 12))  # fourth-order central


class Evaluator:
    """Numeric values of statement sides for fixed concrete functions and one quadrature rule
    (``points`` Gauss–Legendre points per panel) and difference step ``step``."""

    def __init__(self, functions: Mapping[str, Concrete], *, points: int, step: float) -> None:
        self.functions, self.points, self.step = dict(functions), points, step
        self.depth: dict[int, int] = {}
        self.gain = 1.0  # the largest amplification of rounding errors by a difference
        self._gain_now = 1.0
        self._label = 0  # the coordinate of the variable whose integrand is analysed

    # numbers ------------------------------------------------------------------------------

    def scalar(self, e: Any, env: Mapping[Any, Any]) -> complex:
        return self.value(e, {k: v if isinstance(v, Sep) else Sep.const(v)
                              for k, v in env.items()}).scalar()

    def value(self, e: Any, env: Mapping[Any, Sep]) -> Sep:
        if e.is_Atom:
            if e in env:
                return env[e]
            if e.is_number:
                return Sep.const(complex(e))
            raise Unsupported(f"free symbol {e} has no value")
        if isinstance(e, sympy.Add):
            return functools.reduce(lambda a, b: a + b, [self.value(a, env) for a in e.args])
        if isinstance(e, sympy.Mul):
            return functools.reduce(lambda a, b: a * b, [self.value(a, env) for a in e.args])
        if isinstance(e, sympy.Pow):
            return self._pow(e, env)
        if isinstance(e, sympy.exp):
            return self.value(e.args[0], env).exp()
        if isinstance(e, AppliedUndef):
            return self._apply(e, env, None)
        if isinstance(e, sympy.Derivative):
            return self._derivative(e, env)
        if isinstance(e, sympy.Subs):
            inner = dict(env)
            for v, p in zip(e.variables, e.point, strict=True):
                inner[v] = self.value(p, env)
            return self.value(e.expr, inner)
        if isinstance(e, (Convolution, CrossCorrelation, Fourier)):
            return self._operator(e, env)
        if isinstance(e, Integral):
            return self._integral(e, env, list(range(len(e.limits))))
        if isinstance(e, Sum):
            return functools.reduce(lambda a, b: a + b, [
                self.value(e.function, fr) for fr in self._frames(e, env)], Sep.const(0.0))
        if isinstance(e, Named):
            return self.value(e.expr, env)
        raise Unsupported(f"{type(e).__name__} ({e})")

    def _pow(self, e: Any, env: Mapping[Any, Sep]) -> Sep:
        base, p = self.value(e.base, env), e.exp
        if p.is_Integer and p >= 0:
            out = Sep.const(1.0)
            for _ in range(int(p)):
                out = out * base
            return out
        if p.is_Integer and len(base.terms) == 1:
            c, f = base.terms[0]
            return Sep([(c ** int(p), {k: arr ** float(p) for k, arr in f.items()})])
        if p.is_number:
            label, arr = base.collapse()
            v = np.asarray(arr) ** complex(p)
            return Sep.const(complex(v)) if label is None else Sep.on(label, v)
        raise Unsupported(f"power {e}")

    def _frames(self, e: Any, env: Mapping[Any, Sep]) -> list[dict[Any, Sep]]:
        """The environments of the terms of a Sum over finitely many integers."""
        frames: list[dict[Any, Sep]] = [dict(env)]
        for v, lo, hi in reversed(e.limits):  # outermost first
            nxt = []
            for fr in frames:
                bounds = []
                for b in (lo, hi):
                    if b.has(S.Infinity, S.NegativeInfinity):
                        raise Unsupported(f"infinite sum {e}")
                    bounds.append(self.value(b, fr).scalar().real)
                first, last = (round(x) for x in bounds)
                if abs(first - bounds[0]) > 1e-9 or abs(last - bounds[1]) > 1e-9:
                    raise Unsupported(f"sum limits {bounds} are not integers")
                nxt += [{**fr, v: Sep.const(i)} for i in range(first, last + 1)]
            frames = nxt
        return frames

    # applied functions and derivatives ---------------------------------------------------------

    def _apply(self, e: Any, env: Mapping[Any, Sep], orders: tuple[int, ...] | None) -> Sep:
        name = e.func.__name__
        if name not in self.functions:
            raise Unsupported(f"no concrete function for {name}")
        fn = self.functions[name]
        n_index = len(e.args) - len(fn.factors)
        if n_index < 0:
            raise Unsupported(f"{name} applied to {len(e.args)} arguments")
        orders = orders or (0,) * len(e.args)
        if any(orders[:n_index]):
            raise Unsupported(f"{name}: derivative in an index argument")
        index = 0
        for a in e.args[:n_index]:
            v = self.value(a, env).scalar().real
            if abs(v - round(v)) > 1e-9:
                raise Unsupported(f"{name}: index argument {v} is not an integer")
            index += round(v)
        shift = fn.index_shift * index
        coef: complex = fn.amplitude * (1 + fn.index_gain * index)
        arrays: dict[int, np.ndarray] = {}
        for k, a in enumerate(e.args[n_index:]):
            label, t = self.value(a, env).collapse()
            vals = fn.factors[k](_real(t, f"the argument {a} of {name}"), orders[n_index + k],
                                 shift)
            if label is None:
                coef *= float(vals)
            else:
                arrays[label] = arrays[label] * vals if label in arrays else vals
        return Sep([(coef, arrays)])

    def _derivative(self, e: Any, env: Mapping[Any, Sep]) -> Sep:
        if isinstance(e.expr, AppliedUndef):
            # the closed form's derivative, by the chain rule through affine arguments
            args = e.expr.args
            combos: dict[tuple[int, ...], complex] = {(0,) * len(args): 1.0}
            for v, count in e.variable_count:
                for _ in range(int(count)):
                    nxt: dict[tuple[int, ...], complex] = {}
                    for orders, c in combos.items():
                        for k, a in enumerate(args):
                            da = sympy.diff(a, v)
                            if da == 0:
                                continue
                            if not da.is_number:
                                raise Unsupported(f"{e}: argument {a} is not affine in {v}")
                            key = tuple(o + (i == k) for i, o in enumerate(orders))
                            nxt[key] = nxt.get(key, 0) + c * complex(da)
                    combos = nxt
            terms = [self._apply(e.expr, env, orders).scaled(_num(c))
                     for orders, c in combos.items()]
            return functools.reduce(lambda a, b: a + b, terms, Sep.const(0.0))
        if len(e.variable_count) != 1 or e.variable_count[0][1] != 1:
            raise Unsupported(f"higher or mixed derivative {e}")
        (v, _), = e.variable_count
        if v not in env or env[v].labels():
            raise Unsupported(f"{e}: differentiation variable {v} is not a number")
        x0 = env[v].scalar()
        # fourth-order central difference: error h⁴/30·sup|E⁽⁵⁾| plus rounding amplified by
        # Σ|coefficients|/h = 1.5/h (recorded in ``gain`` for the comparison's slack)
        outer = self._gain_now
        self._gain_now = outer * 1.5 / self.step
        self.gain = max(self.gain, self._gain_now)
        try:
            total = Sep.const(0.0)
            for k, c in STENCIL:
                total = total + self.value(e.expr, {**env, v: Sep.const(x0 + k * self.step)}
                                           ).scaled(c / self.step)
        finally:
            self._gain_now = outer
        return total

    # integrals ---------------------------------------------------------------------------------

    def _operator(self, e: Any, env: Mapping[Any, Sep]) -> Sep:
        if e.args[-1] != S.Reals:
            raise Unsupported(f"{type(e).__name__} on {e.args[-1]}")
        labels = []
        for k, p in enumerate(e.point):
            label, _ = self.value(p, env).collapse()
            labels.append(k if label is None else label)
        return self._integral(_unfold(e), env, labels)

    def _integral(self, e: Any, env: Mapping[Any, Sep], labels: list[int]) -> Sep:
        """∫…∫ body, iterated: nodes for the outermost variable first (the inner ones not
        yet bound), the body evaluated on all nodes at once, then integrated inner first."""
        body, limits = e.function, e.limits
        inner = dict(env)
        stack: list[tuple[int, np.ndarray]] = []
        try:
            for i in reversed(range(len(limits))):
                if len(limits[i]) != 3:
                    raise Unsupported(f"indefinite integral {e}")
                v, lo, hi = limits[i]
                shape = _as_shape(self.shape(body, v, labels[i], inner))
                if lo != S.NegativeInfinity:
                    shape.lo = np.maximum(shape.lo, self._limit(lo, labels[i], inner))
                if hi != S.Infinity:
                    shape.hi = np.minimum(shape.hi, self._limit(hi, labels[i], inner))
                nodes, weights = self._nodes(shape, labels[i])
                stack.append((labels[i], weights))
                inner[v] = Sep.on(labels[i], nodes)
            out = self.value(body, inner)
            while stack:
                label, weights = stack.pop()
                out = out.integrate(label, weights)
                self.depth[label] -= 1
        finally:
            for label, _ in stack:
                self.depth[label] -= 1
        return out

    def _limit(self, b: Any, label: int, env: Mapping[Any, Sep]) -> Any:
        where, val = self.value(b, env).collapse()
        if where not in (None, label):
            raise Unsupported(f"the limit {b} depends on another coordinate")
        return _real(val, f"the limit {b}")

    def _nodes(self, shape: _Shape, label: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.asarray(shape.lo, dtype=float), np.asarray(shape.hi, dtype=float)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise Unsupported("the integrand's support is not bounded")
        hi = np.maximum(lo, hi)  # an empty support: zero weights
        cuts = [lo, *[np.clip(np.asarray(b, dtype=float), lo, hi) for b in shape.breaks], hi]
        pts = np.sort(np.stack(np.broadcast_arrays(*cuts)), axis=0)
        depth = self.depth.get(label, 0)
        outer = pts.shape[1:]
        if len(outer) > depth:  # pragma: no cover - an evaluator bug
            raise AssertionError(f"breakpoints of shape {outer} at depth {depth}")
        pts = pts.reshape((pts.shape[0], *(1,) * (depth - len(outer)), *outer))
        nodes, weights = [], []
        for j in range(pts.shape[0] - 1):
            start, length = pts[j], pts[j + 1] - pts[j]
            longest = float(length.max())
            if longest == 0:
                continue
            panels = max(1, math.ceil(longest / shape.scale)) if math.isfinite(shape.scale) \
                else 1
            fr, fw = _fractions(panels, self.points)
            fr = fr.reshape((-1, *(1,) * depth))
            fw = fw.reshape((-1, *(1,) * depth))
            nodes.append(start[None] + fr * length[None])
            weights.append(fw * length[None])
        if not nodes:
            nodes = [np.zeros((1, *pts.shape[1:]))]
            weights = [np.zeros((1, *pts.shape[1:]))]
        self.depth[label] = depth + 1
        return np.concatenate(nodes), np.concatenate(weights)

    # the shape of an integrand --------------------------------------------------------------

    def shape(self, e: Any, var: Any, label: int, env: Mapping[Any, Sep]) -> _Abstract:
        """Support, breakpoints and length scale of ``e`` as a function of ``var`` (on
        coordinate ``label``; the other variables fixed, those without a value unknown)."""
        self._label = label
        aenv: dict[Any, _Abstract] = {k: _Const(v) for k, v in env.items()}
        aenv[var] = _Aff(1.0, 0.0)
        return self._abstract(e, aenv)

    def _depends(self, e: Any, aenv: Mapping[Any, _Abstract]) -> bool:
        return any(isinstance(aenv.get(s), (_Aff, _Shape)) for s in e.free_symbols)

    def _abstract(self, e: Any, aenv: dict[Any, _Abstract]) -> _Abstract:
        if not self._depends(e, aenv):
            return _Const(self._known(e, aenv))
        if e.is_Symbol:
            return aenv[e]
        if isinstance(e, sympy.Add):
            return self._abstract_add([self._abstract(a, aenv) for a in e.args])
        if isinstance(e, sympy.Mul):
            return self._abstract_mul([self._abstract(a, aenv) for a in e.args])
        if isinstance(e, sympy.Pow):
            if self._depends(e.exp, aenv) or not (e.exp.is_Integer and e.exp >= 0):
                raise Unsupported(f"power {e} of the integration variable")
            return _as_shape(self._abstract(e.base, aenv))
        if isinstance(e, sympy.exp):
            arg = self._abstract(e.args[0], aenv)
            if isinstance(arg, _Aff):  # e^{α·v}: six units of |α|·v per panel at most
                return _Shape(scale=6.0 / abs(arg.alpha))
            return _Shape(breaks=list(arg.breaks), scale=arg.scale) \
                if isinstance(arg, _Shape) else _Shape()
        if isinstance(e, sympy.Derivative) and isinstance(e.expr, AppliedUndef):
            return self._abstract(e.expr, aenv)
        if isinstance(e, AppliedUndef):
            return self._abstract_apply(e, aenv)
        if isinstance(e, sympy.Subs):
            inner = dict(aenv)
            for v, p in zip(e.variables, e.point, strict=True):
                inner[v] = self._abstract(p, aenv)
            return self._abstract(e.expr, inner)
        if isinstance(e, (Convolution, CrossCorrelation)) and e.args[-1] == S.Reals:
            return self._abstract_operator(e, aenv)
        if isinstance(e, Sum):
            known = {k: v.value for k, v in aenv.items()
                     if isinstance(v, _Const) and v.value is not None}
            return self._abstract_add([
                self._abstract(e.function, {**aenv, **{k: _Const(x) for k, x in fr.items()
                                                      if k not in known}})
                for fr in self._frames(e, known)])
        if isinstance(e, Named):
            return self._abstract(e.expr, aenv)
        raise Unsupported(f"{type(e).__name__} ({e}) depends on the integration variable")

    def _known(self, e: Any, aenv: Mapping[Any, _Abstract]) -> Sep | None:
        """The value of a constant made of numbers and known symbols by + · ^ (else None)."""
        simple = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Symbol, sympy.Number,
                  sympy.NumberSymbol, sympy.core.numbers.ImaginaryUnit)
        if not all(isinstance(n, simple) for n in sympy.preorder_traversal(e)):
            return None
        env = {}
        for s in e.free_symbols:
            a = aenv.get(s)
            if not (isinstance(a, _Const) and a.value is not None):
                return None
            env[s] = a.value
        return self.value(e, env)

    def _abstract_add(self, parts: list[_Abstract]) -> _Abstract:
        shapes = [p for p in parts if isinstance(p, _Shape)]
        if shapes:
            others = [p for p in parts if not isinstance(p, _Shape)]
            out = _merge(shapes, product=False)
            if others:  # a nonzero constant or a polynomial term: no bounded support
                out.lo, out.hi = -np.inf, np.inf
            return out
        alpha: complex = 0.0
        beta: Any = 0.0
        for p in parts:
            if isinstance(p, _Aff):
                alpha += p.alpha
                beta = None if beta is None or p.beta is None else beta + p.beta
            elif isinstance(p, _Const):
                const = None if p.value is None else self._collapsed(p.value)
                beta = None if beta is None or const is None else beta + const
        return _Aff(alpha, beta) if alpha != 0 else _Const(None)

    def _abstract_mul(self, parts: list[_Abstract]) -> _Abstract:
        shapes = [p for p in parts if isinstance(p, _Shape)]
        affs = [p for p in parts if isinstance(p, _Aff)]
        if shapes or len(affs) > 1:
            return _merge(shapes, product=True)
        k: Any = 1.0
        for p in parts:
            if isinstance(p, _Const):
                const = None if p.value is None else self._collapsed(p.value)
                k = None if k is None or const is None else k * const
        if not affs:
            return _Const(None)
        (aff,) = affs
        if k is None or np.ndim(k) > 0:
            return _Shape()  # an unknown or node-dependent slope
        if aff.alpha * k == 0:
            return _Const(None)
        return _Aff(aff.alpha * k, None if aff.beta is None else aff.beta * k)

    def _collapsed(self, v: Sep) -> Any:
        """A known constant's array (a number, or one over the variable's outer axes); None
        when it lives on other coordinates (then it cannot be an affine argument's offset)."""
        labels = v.labels()
        if not labels <= {self._label}:
            return None
        return v.collapse()[1]

    def _abstract_apply(self, e: Any, aenv: dict[Any, _Abstract]) -> _Shape:
        name = e.func.__name__
        if name not in self.functions:
            raise Unsupported(f"no concrete function for {name}")
        fn = self.functions[name]
        n_index = len(e.args) - len(fn.factors)
        index = 0
        for a in e.args[:n_index]:
            v = self._abstract(a, aenv)
            if not (isinstance(v, _Const) and v.value is not None):
                raise Unsupported(f"{name}: index argument {a} unknown or not constant")
            index += round(v.value.scalar().real)
        shift = fn.index_shift * index
        parts = []
        for k, a in enumerate(e.args[n_index:]):
            v = self._abstract(a, aenv)
            if isinstance(v, _Const):
                continue
            lo, hi = fn.factors[k].support(shift)
            parts.append(_preimage(v, lo, hi, fn.factors[k].breaks(shift),
                                   fn.factors[k].scale(), f"{name}'s argument {a}"))
        return _merge(parts, product=True)

    def _abstract_operator(self, e: Any, aenv: dict[Any, _Abstract]) -> _Shape:
        """A nested ∗ or ⋆ as a function of its point: supported on supp F + supp G
        (⋆: supp G − supp F) per axis, not analytic at the sums (differences) of breaks."""
        consts = {k: v for k, v in aenv.items() if isinstance(v, _Const)}
        parts = []
        for k, p in enumerate(e.point):
            v = self._abstract(p, aenv)
            if isinstance(v, _Const):
                continue
            sf, sg = (self._factor_shape(L, k, consts) for L in (e.f, e.g))
            if isinstance(e, Convolution):
                lo, hi = sf.lo + sg.lo, sf.hi + sg.hi
                br = [a + b for a in [sf.lo, sf.hi, *sf.breaks] for b in sg.breaks] + \
                     [a + b for a in sf.breaks for b in [sg.lo, sg.hi]]
            else:
                lo, hi = sg.lo - sf.hi, sg.hi - sf.lo
                br = [b - a for a in [sf.lo, sf.hi, *sf.breaks] for b in sg.breaks] + \
                     [b - a for a in sf.breaks for b in [sg.lo, sg.hi]]
            parts.append(_preimage(v, lo, hi, br, min(sf.scale, sg.scale), f"the point {p}"))
        return _merge(parts, product=True)

    def _factor_shape(self, L: Lambda, k: int, consts: dict[Any, _Abstract]) -> _Shape:
        aenv: dict[Any, _Abstract] = dict(consts)
        for i, t in enumerate(L.variables):
            aenv[t] = _Aff(1.0, 0.0) if i == k else _Const(None)
        out = self._abstract(L.expr, aenv)
        if not isinstance(out, _Shape) or not (np.all(np.isfinite(out.lo))
                                                and np.all(np.isfinite(out.hi))):
            raise Unsupported(f"{L}: unbounded support in its argument {k + 1}")
        return out


def _preimage(v: _Abstract, lo: Any, hi: Any, breaks: Iterable[Any], scale: float,
              what: str) -> _Shape:
    """{var : α·var + β ∈ [lo, hi]}, and the breaks' preimages, for an affine argument."""
    if not isinstance(v, _Aff) or v.beta is None:
        raise Unsupported(f"{what} is not an affine function of the integration variable")
    alpha = v.alpha
    if isinstance(alpha, complex):
        if alpha.imag != 0:
            raise Unsupported(f"{what} is not real")
        alpha = alpha.real
    beta = _real(v.beta, what)
    a, b = (lo - beta) / alpha, (hi - beta) / alpha
    return _Shape(np.minimum(a, b), np.maximum(a, b), [(x - beta) / alpha for x in breaks],
                  scale / abs(alpha))


# -- comparing the two sides --------------------------------------------------------------------

HIGH = (16, 1e-3)  # Gauss–Legendre points per panel, difference step
LOW = (10, 2e-3)
#: rounding: sums of up to ~10⁴ products of magnitude ≤ ~50, each correct to a few ulps,
#: give absolute errors below 1e-11·max(1, |value|); a difference quotient multiplies them
#: by its gain Σ|cₖ|/h
ROUNDING = 1e-11
#: truncation: a Gaussian beyond μ ± 10σ keeps erfc(10/√2)·σ√(2π) < 2e-23·σ of its L¹ mass,
#: a one-sided exponential beyond s + 45τ keeps e^{−45}·τ < 3e-20·τ; every integrand is such
#: a factor times others bounded by 10⁴ (amplitudes ≤ 3.2, |c| ≤ 2, nested ∗ ≤ ‖f‖₁·sup|g|,
#: first derivatives ≤ 3/σ), and a statement has fewer than 20 truncated integrals
TRUNCATION = 1e-13
#: the largest relative estimate accepted as converged (observed: below 1e-8, the largest
#: from difference quotients of bumps; a rule that does not converge gives O(1))
CONVERGED = 1e-6
assert 20 * 1e4 * 3.2 * max(math.erfc(GAUSS_CUT / math.sqrt(2)) * math.sqrt(2 * math.pi),
                             math.exp(-ONESIDED_CUT)) < TRUNCATION


@dataclass
class Comparison:
    """Both sides (high-order values), the error estimates, and the tolerance."""

    lhs: complex
    rhs: complex
    estimate: float
    tolerance: float

    @property
    def discrepancy(self) -> float:
        return abs(self.lhs - self.rhs)

    @property
    def converged(self) -> bool:
        """The two rules agree to CONVERGED relative: the estimate can be trusted. (An error
        that does not shrink with the rule, such as a wrong difference formula's O(1/h),
        makes the estimate as large as the error itself; it is caught here.)"""
        return self.estimate <= CONVERGED * max(1.0, abs(self.lhs), abs(self.rhs))

    @property
    def holds(self) -> bool:
        return self.converged and self.discrepancy <= self.tolerance

    def __str__(self) -> str:
        return (f"lhs = {self.lhs:.15g}, rhs = {self.rhs:.15g}, |lhs − rhs| = "
                f"{self.discrepancy:.3g}, tolerance = {self.tolerance:.3g} (quadrature and "
                f"difference estimate {self.estimate:.3g}"
                + ("" if self.converged else ": not converged") + ")")


def compare(lhs: Any, rhs: Any, functions: Mapping[str, Concrete],
            values: Mapping[Any, complex]) -> Comparison:
    """Both sides by quadrature, with the tolerance

        2·(|L₁₆ − L₁₀| + |R₁₆ − R₁₀|) + ROUNDING·max(1, |L|, |R|)·gain + TRUNCATION

    where X₁₆ is the side with 16-point panels and difference step h, X₁₀ with 10-point
    panels and step 2h (the estimate of the low-order value's error, doubled), ``gain`` the
    amplification of rounding by difference quotients (1 without one), and TRUNCATION the
    bound on the mass cut off the Gaussians' and exponentials' tails. The statement holds
    when |L₁₆ − R₁₆| is within it *and* the estimate has converged (Comparison.converged):
    an estimate is only trusted while it is small."""
    hi = Evaluator(functions, points=HIGH[0], step=HIGH[1])
    lo = Evaluator(functions, points=LOW[0], step=LOW[1])
    lh, rh = hi.scalar(lhs, values), hi.scalar(rhs, values)
    ll, rl = lo.scalar(lhs, values), lo.scalar(rhs, values)
    estimate = abs(lh - ll) + abs(rh - rl)
    tol = (2 * estimate + ROUNDING * max(1.0, abs(lh), abs(rh)) * max(hi.gain, lo.gain)
           + TRUNCATION)
    return Comparison(lh, rh, estimate, tol)


def on_grid(body: Any, var: Any, grid: np.ndarray, functions: Mapping[str, Concrete],
            values: Mapping[Any, complex]) -> tuple[np.ndarray, np.ndarray]:
    """``body`` at every point of ``grid`` (a 1-D array bound to ``var``, as one outer
    quadrature axis), with the 16-point rule, and each value's error bound (the same terms
    as :func:`compare`'s tolerance for one side)."""
    out = []
    for points, step in (HIGH, LOW):
        ev = Evaluator(functions, points=points, step=step)
        ev.depth[0] = 1
        env = {k: Sep.const(v) for k, v in values.items()}
        env[var] = Sep.on(0, np.asarray(grid, dtype=float))
        label, arr = ev.value(body, env).collapse()
        if label not in (None, 0):  # pragma: no cover - a one-dimensional body
            raise Unsupported(f"{body} is not a function of {var} alone")
        out.append(np.broadcast_to(arr, grid.shape))
    hi, lo = out
    bound = 2 * np.abs(hi - lo) + ROUNDING * np.maximum(1.0, np.abs(hi)) + TRUNCATION
    return np.asarray(hi), bound


# -- reading a statement -------------------------------------------------------------------------


def functions_of(expr: Any) -> dict[str, int]:
    """Every undefined function applied in ``expr`` (inside Lambdas too), with its arity."""
    return {a.func.__name__: len(a.args) for a in expr.atoms(AppliedUndef)}


def smooth_required(expr: Any) -> set[str]:
    """The functions the statement differentiates (they must be C¹: Gaussians or bumps)."""
    return {n.expr.func.__name__ for n in sympy.preorder_traversal(expr)
            if isinstance(n, sympy.Derivative) and isinstance(n.expr, AppliedUndef)}
