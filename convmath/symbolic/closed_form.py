"""Closed forms of convolutions and cross-correlations of concrete 1-D signals, certified.

:func:`evaluate` (and ``conv(f, g, x).doit()``, ``xcorr(f, g, x).doit()``) turns the
convolution ``(f ∗ g)(x) = ∫ f(z) g(x − z) dz`` (``Σ_k f(k) g(n − k)`` on ℤ) of concrete
functions into a closed form in textbook shape: a ``Piecewise`` over clean intervals of
``x``. How:

1. **Supports first.** Heaviside factors, ``Piecewise`` conditions, ``Abs``, ``sign``,
   ``Max``/``Min`` and (on ℤ) Kronecker deltas of an expression linear in ``t`` give
   breakpoints; between two breakpoints each function is one smooth piece (on ℤ, single
   points are pieces of their own, so ``Heaviside(0) = 1/2`` and ``δ[0] = 1`` count).
2. **Case analysis over breakpoints.** For each pair of pieces, on ``(a, b)`` and
   ``(c, d)``, the integrand is nonzero for ``max(a, x − d) < z < min(b, x − c)``; the
   sums ``a + c, a + d, b + c, b + d`` cut the ``x`` axis into intervals on each of which
   both limits are fixed expressions.
3. **Integrate each piece** ``c·z^k·e^{s z + A z²}`` by its antiderivative (an
   exp-polynomial, or ``erf`` for a Gaussian factor; the Gaussian moment formula on the
   whole line; ``B(p + 1, q + 1)`` for the gamma densities' powers), and each discrete piece
   ``c·k^m·r^k`` by its discrete antiderivative ``r^k q(k)``. A quantity that might be zero
   (``a − b`` in an exponent, ``a/b − 1`` in a ratio) splits the answer into the special
   case (``Eq(a, b)``) and the generic one; a limit at infinity needs a provable decay.
4. **Dirac δ and its derivatives** sift: ``(δ⁽ᵐ⁾(· − t₀) ∗ g)(x) = g⁽ᵐ⁾(x − t₀)``, the
   derivative taken in the sense of distributions (jumps give δ's), so commutativity
   holds: ``(f ∗ δ′)(x) = f′(x)``. **Lorentzians** (Cauchy densities) convolve by their
   characteristic functions: widths add, centres add.

**Never wrong.** A closed form is returned only after it is *certified*: at random points
(and random parameter values that satisfy the symbols' assumptions) it must agree with
direct quadrature of the defining integral (``scipy.integrate.quad``, split at the
breakpoints) or with the defining sum; where δ's occur, both sides are paired with a
Gaussian test function. ``check=False`` skips this. When no method applies, or the
certificate fails, or the time runs out, the unevaluated operator comes back with a
:class:`ClosedFormWarning` that says why.

>>> from sympy import Heaviside, symbols
>>> from convmath.symbolic import conv
>>> x = symbols("x", real=True)
>>> rect = Heaviside(x) - Heaviside(x - 1)
>>> evaluate(conv(rect, rect, x))
Piecewise((0, x < 0), (x, x < 1), (2 - x, x < 2), (0, True))
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import (
    Abs,
    Add,
    Basic,
    DiracDelta,
    Dummy,
    Eq,
    Expr,
    Heaviside,
    KroneckerDelta,
    Lambda,
    Max,
    Min,
    Mul,
    Piecewise,
    Pow,
    S,
    Symbol,
    exp,
    oo,
    pi,
    sign,
    sqrt,
)
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from convmath.errors import InvalidArgument

__all__ = ["ClosedFormWarning", "evaluate"]

_OPERATORS = ("Convolution", "CrossCorrelation")
_MAX_SPLITS = 3  # special cases (a = b) separated, at most
_TRIG = (sympy.sin, sympy.cos, sympy.sinh, sympy.cosh, sympy.tan)


class ClosedFormWarning(UserWarning):
    """No closed form was returned: the message says why (no method, a failed certificate,
    the time limit)."""


class _Fail(Exception):
    """No closed form by these methods; the message says why."""


class _Degenerate(Exception):
    """The answer depends on whether ``expr`` is zero (``a − b`` for a = b)."""

    def __init__(self, expr: Expr) -> None:
        super().__init__(str(expr))
        self.expr = expr


@dataclass
class _Ctx:
    discrete: bool
    deadline: float
    nonzero: list[Expr] = field(default_factory=list)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Fail("the time limit ran out")


# -- public entry ---------------------------------------------------------------------------


def _is_operator(e: Any) -> bool:
    cls = type(e)
    return cls.__name__ in _OPERATORS and cls.__module__ == "convmath.symbolic.operators"


def evaluate(expr: Any, *, check: bool = True, timeout: float = 10.0) -> Expr:
    """The closed form of every 1-D convolution and cross-correlation of concrete functions
    in ``expr`` (see the module's documentation), each certified numerically before it is
    returned unless ``check=False``.

    An operator with no closed form by these methods (or whose candidate fails the
    certificate, or that runs past ``timeout`` seconds) is left unevaluated, with a
    :class:`ClosedFormWarning` saying why.
    """
    if isinstance(check, bool) is False:
        raise InvalidArgument(f"check={check!r} must be a bool")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not math.isfinite(timeout) or timeout <= 0:
        raise InvalidArgument(f"timeout={timeout!r} must be a positive number of seconds")
    if isinstance(expr, (str, bytes)) or not isinstance(expr, Expr):
        raise InvalidArgument(
            f"expr={expr!r} is not a SymPy expression: pass conv(f, g, x) or xcorr(f, g, x) "
            "(strings are never parsed)")
    deadline = time.monotonic() + float(timeout)
    if _is_operator(expr):
        return _evaluate_operator(expr, check, deadline)
    ops = [n for n in sympy.postorder_traversal(expr) if _is_operator(n)]
    if not ops:
        return expr
    reps = {op: _evaluate_operator(op, check, deadline) for op in ops}
    out: Expr = expr.xreplace(reps)
    return out


def _evaluate_operator(op: Any, check: bool, deadline: float) -> Expr:
    try:
        candidate = closed_form_candidate(op, deadline)
    except _Fail as exc:
        _warn(op, str(exc))
        return op  # type: ignore[no-any-return]
    if check:
        try:
            problem = _certify(op, candidate)
        except _Fail as exc:
            problem = str(exc)
        if problem is not None:
            _warn(op, f"the candidate {candidate} failed its certificate: {problem}")
            return op  # type: ignore[no-any-return]
    return candidate


def _warn(op: Any, why: str) -> None:
    what = "cross-correlation" if type(op).__name__ == "CrossCorrelation" else "convolution"
    warnings.warn(ClosedFormWarning(f"no closed form for this {what} (left unevaluated): "
                                    f"{why}"), stacklevel=4)


# -- the engine -----------------------------------------------------------------------------


def _signal(L: Lambda, t: Symbol, reflect: bool, ctx: _Ctx) -> Expr:
    body = L.expr.xreplace({L.variables[0]: -t if reflect else t})
    if any(_is_operator(n) for n in sympy.preorder_traversal(body)):
        body = evaluate(body, check=True, timeout=max(ctx.deadline - time.monotonic(), 0.1))
        if any(_is_operator(n) for n in sympy.preorder_traversal(body)):
            raise _Fail("an inner convolution has no closed form")
    if any(isinstance(n, AppliedUndef) for n in sympy.preorder_traversal(body)):
        raise _Fail(f"{L} is not a concrete function (it applies an undefined function)")
    if body.has(sympy.Integral, sympy.Sum, sympy.Derivative):
        raise _Fail(f"{L} holds an unevaluated integral, sum or derivative")
    return body


def closed_form_candidate(op: Any, deadline: float | None = None) -> Expr:
    """The engine's (uncertified) closed form of the operator ``op``; raises ``_Fail``
    with the reason when there is none. :func:`evaluate` certifies what this returns."""
    if len(op.point) != 1:
        raise _Fail(f"only 1-D signals are handled, this operator has {len(op.point)} axes")
    ctx = _Ctx(op.discrete, deadline if deadline is not None else time.monotonic() + 10.0)
    t = Dummy("t", integer=True) if ctx.discrete else Dummy("t", real=True)
    x = Dummy("x", integer=True) if ctx.discrete else Dummy("x", real=True)
    reflect = op._sign == 1  # f ⋆ g = f(−·) ∗ g
    f = _signal(op.f, t, reflect, ctx)
    g = _signal(op.g, t, False, ctx)
    if ctx.discrete and (f.has(DiracDelta) or g.has(DiracDelta)):
        raise _Fail("a Dirac δ in a discrete convolution (use KroneckerDelta)")
    result = _with_cases(f, g, t, x, ctx, 0)
    return result.subs(x, op.point[0])  # type: ignore[no-any-return]


def _with_cases(f: Expr, g: Expr, t: Symbol, x: Symbol, ctx: _Ctx, depth: int) -> Expr:
    """The convolution, with the special cases (a = b) that arise as their own branches."""
    try:
        return _convolve(f, g, t, x, ctx)
    except _Degenerate as deg:
        if depth >= _MAX_SPLITS:
            raise _Fail(f"too many special cases (at {deg.expr} = 0)") from None
        sym, value = _solve_for_one(deg.expr, x)
        special = _with_cases(f.xreplace({sym: value}), g.xreplace({sym: value}), t, x,
                              ctx, depth + 1)
        generic_ctx = _Ctx(ctx.discrete, ctx.deadline, [*ctx.nonzero, _norm(deg.expr)])
        generic = _with_cases(f, g, t, x, generic_ctx, depth + 1)
        return Piecewise((special, Eq(sym, value)), (generic, True))


def _solve_for_one(e: Expr, x: Symbol) -> tuple[Symbol, Expr]:
    num = _norm(e)
    for sym in sorted(num.free_symbols - {x}, key=str):
        if sympy.degree(num, sym) != 1:
            continue
        sols = sympy.solve(num, sym)
        if len(sols) == 1 and not sols[0].has(x):
            return sym, sols[0]
    raise _Fail(f"the answer depends on whether {e} vanishes, and that cannot be solved for "
                "one parameter")


def _norm(e: Expr) -> Expr:
    return sympy.expand(sympy.numer(sympy.together(e)))


def _zero(e: Expr, ctx: _Ctx) -> bool:
    """Whether ``e`` is zero: True/False, or raise _Degenerate when it depends."""
    e = sympy.expand(e)
    z = e.is_zero
    if z is None:
        n = _norm(e)
        z = n.is_zero
        if z is None:
            if any(sympy.expand(n - k) == 0 or sympy.expand(n + k) == 0 for k in ctx.nonzero):
                return False
            raise _Degenerate(e)
    return bool(z)


def _convolve(f: Expr, g: Expr, t: Symbol, x: Symbol, ctx: _Ctx) -> Expr:
    fd, fl, fr = _split_terms(f, t, ctx)
    gd, gl, gr = _split_terms(g, t, ctx)
    total: Expr = S.Zero
    # δ⁽ᵐ⁾(· − t₀) ∗ h = h⁽ᵐ⁾(· − t₀): f's deltas against all of g, g's against f's rest
    g_all = g
    f_rest = fr + Add(*[c * _lorentz_expr(t, *p) for c, p in fl])
    for c, m, t0 in fd:
        total += c * _dist_diff(g_all, t, m, ctx).xreplace({t: x - t0})
    for c, m, t0 in gd:
        if f_rest != 0:
            total += c * _dist_diff(f_rest, t, m, ctx).xreplace({t: x - t0})
    for c1, p1 in fl:
        for c2, p2 in gl:
            total += c1 * c2 * _lorentz_conv(p1, p2, x)
    if (fl and gr != 0) or (gl and fr != 0):
        raise _Fail("a Lorentzian against another kind of function has no closed form here")
    if fr != 0 and gr != 0:
        total += _piecewise_conv(fr, gr, t, x, ctx)
    return total


# -- splitting a signal: δ terms, Lorentzians, the rest ----------------------------------


def _split_terms(f: Expr, t: Symbol, ctx: _Ctx
                 ) -> tuple[list[tuple[Expr, int, Expr]], list[tuple[Expr, tuple[Expr, Expr]]],
                            Expr]:
    deltas: list[tuple[Expr, int, Expr]] = []
    lorentz: list[tuple[Expr, tuple[Expr, Expr]]] = []
    rest: Expr = S.Zero
    for term in Add.make_args(f):
        if term.has(DiracDelta):
            for sub in Add.make_args(sympy.expand(term)):
                if sub.has(DiracDelta):
                    deltas += _delta_term(sub, t)
                else:
                    rest += sub
            continue
        lz = None if ctx.discrete else _lorentzian(term, t)
        if lz is not None:
            lorentz.append(lz)
        else:
            rest += term
    return deltas, lorentz, rest


def _delta_term(term: Expr, t: Symbol) -> list[tuple[Expr, int, Expr]]:
    """``term = h(t)·δ⁽ᵐ⁾(αt + β)`` as ``Σ cⱼ δ⁽ʲ⁾(t − t₀)``: (cⱼ, j, t₀)."""
    factors = Mul.make_args(term)
    ds = [q for q in factors if isinstance(q, DiracDelta)]
    if len(ds) != 1:
        raise _Fail(f"{term}: a product of Dirac deltas (or a power of one) is not defined")
    d = ds[0]
    h = Mul(*[q for q in factors if q is not d])
    if h.has(DiracDelta):
        raise _Fail(f"{term}: a Dirac delta inside another function is not defined")
    arg = d.args[0]
    m = int(d.args[1]) if len(d.args) > 1 else 0
    a, b = _linear(arg, t)
    if a == 0:
        raise _Fail(f"{d}: a Dirac delta of a constant")
    t0 = -b / a
    scale = 1 / (Abs(a) * a**m)  # δ⁽ᵐ⁾(a t + b) = δ⁽ᵐ⁾(t − t₀)/(|a| aᵐ)
    # h(t) δ⁽ᵐ⁾(t − t₀) = Σⱼ (−1)^j C(m, j) h⁽ʲ⁾(t₀) δ⁽ᵐ⁻ʲ⁾(t − t₀)
    out = []
    for j in range(m + 1):
        hj = sympy.diff(h, t, j).xreplace({t: t0}) if j else h.xreplace({t: t0})
        if hj.has(DiracDelta):
            raise _Fail(f"{term}: the factor of δ is not smooth at {t0}")
        coef = sympy.simplify((-1) ** j * sympy.binomial(m, j) * hj * scale)
        if coef != 0:
            out.append((coef, m - j, t0))
    return out


def _dist_diff(h: Expr, t: Symbol, m: int, ctx: _Ctx) -> Expr:
    """The m-th derivative of h in the sense of distributions (jumps of Piecewise as δ's)."""
    if m == 0:
        return h
    if h.has(Piecewise, Max, Min):
        h = _to_heaviside(h, t, ctx)
    return sympy.diff(h, t, m)  # type: ignore[no-any-return]


def _to_heaviside(h: Expr, t: Symbol, ctx: _Ctx) -> Expr:
    out: Expr = S.Zero
    for lo, hi, v in _pieces(h, t, ctx):
        box = (S.One if lo == -oo else Heaviside(t - lo)) - (S.Zero if hi == oo
                                                              else Heaviside(t - hi))
        out += v * box
    return out


def _lorentzian(term: Expr, t: Symbol) -> tuple[Expr, tuple[Expr, Expr]] | None:
    """``term = c/((t − t₀)² + γ²)`` with γ > 0: (c, (t₀, γ)); else None."""
    if not term.has(t):
        return None
    num, den = sympy.fraction(sympy.together(term))
    if num.has(t) or not den.has(t):
        return None
    try:
        p = sympy.Poly(sympy.expand(den), t)
    except sympy.PolynomialError:
        return None
    if p.degree() != 2:
        return None
    a2, a1, a0 = p.all_coeffs()
    if a2.is_positive is not True:
        return None
    gamma2 = sympy.simplify((4 * a2 * a0 - a1**2) / (4 * a2**2))
    if gamma2.is_positive is not True:
        return None
    return sympy.simplify(num / a2), (sympy.simplify(-a1 / (2 * a2)), sqrt(gamma2))


def _lorentz_expr(t: Symbol, t0: Expr, gam: Expr) -> Expr:
    return 1 / ((t - t0) ** 2 + gam**2)


def _lorentz_conv(p1: tuple[Expr, Expr], p2: tuple[Expr, Expr], x: Symbol) -> Expr:
    """1/((·−t₁)²+γ₁²) ∗ 1/((·−t₂)²+γ₂²): the Cauchy densities (γ/π)/(t² + γ²) have
    characteristic functions e^{−γ|ω|}, so widths and centres add."""
    (t1, g1), (t2, g2) = p1, p2
    g = g1 + g2
    out: Expr = pi * g / (g1 * g2 * ((x - t1 - t2) ** 2 + g**2))
    return out


# -- pieces -----------------------------------------------------------------------------------


def _linear(e: Expr, t: Symbol) -> tuple[Expr, Expr]:
    e = sympy.expand(e)
    a = e.coeff(t, 1)
    b = e.coeff(t, 0)
    if sympy.expand(a * t + b - e) != 0 or a.has(t):
        raise _Fail(f"{e} is not linear in the variable (only linear breakpoints are handled)")
    return a, b


def _prepare(h: Expr) -> Expr:
    if h.has(Max, Min):
        h = h.replace(lambda n: isinstance(n, (Max, Min)), lambda n: n.rewrite(Piecewise))
    return h


def _kinks(h: Expr, t: Symbol, discrete: bool) -> list[Expr]:
    points: list[Expr] = []
    for n in sympy.preorder_traversal(h):
        args: list[Expr] = []
        if isinstance(n, (Heaviside, Abs, sign)) and n.args[0].has(t):
            args = [n.args[0]]
        elif isinstance(n, Piecewise):
            for _, cond in n.args:
                args += [r.lhs - r.rhs for r in cond.atoms(Relational) if r.has(t)]
        elif isinstance(n, KroneckerDelta) and n.has(t):
            if not discrete:
                raise _Fail("a Kronecker delta in a continuous signal (it is zero almost "
                            "everywhere; use DiracDelta)")
            args = [n.args[0] - n.args[1]]
        elif isinstance(n, (sympy.floor, sympy.ceiling, sympy.frac)) and n.has(t):
            raise _Fail(f"{n}: floor/ceiling of the variable is not handled")
        for a in args:
            a1, b1 = _linear(a, t)
            if a1 != 0:
                points.append(sympy.simplify(-b1 / a1))
    return points


def _cmp(p: Expr, q: Expr) -> int:
    d = sympy.expand(p - q)
    if d.is_negative:
        return -1
    if d.is_positive:
        return 1
    if d.is_zero:
        return 0
    raise _Fail(f"cannot order the breakpoints {p} and {q} (declare the parameters' "
                "signs, e.g. symbols('T', positive=True))")


def _sorted_points(points: Iterable[Expr]) -> list[Expr]:
    uniq: list[Expr] = []
    for p in points:
        if p in (oo, -oo):
            continue
        if not any(_cmp(p, q) == 0 for q in uniq):
            uniq.append(p)
    return sorted(uniq, key=functools.cmp_to_key(_cmp))


def _restrict(e: Expr, t: Symbol, mid: Expr) -> Expr:
    """``e`` on an interval containing ``mid`` and no breakpoint: steps, signs and
    Piecewise branches resolved."""
    if e.is_Atom or not e.has(t):
        return e
    if isinstance(e, (Heaviside, Abs, sign)):
        s = _cmp(e.args[0].xreplace({t: mid}), S.Zero)
        if s == 0:
            raise _Fail(f"{e} at a breakpoint")
        arg = _restrict(e.args[0], t, mid)
        if isinstance(e, Heaviside):
            return S.One if s > 0 else S.Zero
        if isinstance(e, sign):
            return S(s)
        return arg if s > 0 else -arg
    if isinstance(e, KroneckerDelta):
        return S.Zero if _cmp(e.args[0].xreplace({t: mid}), e.args[1].xreplace({t: mid})) \
            else S.One
    if isinstance(e, Piecewise):
        for val, cond in e.args:
            c = cond.xreplace({t: mid}) if isinstance(cond, Basic) else cond
            if c not in (S.true, S.false, True, False):
                c = sympy.simplify(c)
            if c in (S.true, True):
                return _restrict(val, t, mid)
            if c not in (S.false, False):
                raise _Fail(f"cannot decide the condition {cond} on the interval around {mid}")
        return S.Zero  # no branch: SymPy's Piecewise is undefined there; treat as 0
    return e.func(*[_restrict(a, t, mid) for a in e.args])


def _pieces(h: Expr, t: Symbol, ctx: _Ctx) -> list[tuple[Expr, Expr, Expr]]:
    """``h`` as (lo, hi, value): open intervals on ℝ; inclusive integer ranges on ℤ.
    Zero pieces are left out."""
    h = _prepare(h)
    pts = _sorted_points(_kinks(h, t, ctx.discrete))
    out: list[tuple[Expr, Expr, Expr]] = []
    if not ctx.discrete:
        bounds = [-oo, *pts, oo]
        for lo, hi in itertools.pairwise(bounds):
            mid = (S.Zero if lo == -oo and hi == oo else hi - 1 if lo == -oo
                   else lo + 1 if hi == oo else (lo + hi) / 2)
            out.append((lo, hi, _restrict(h, t, mid)))
    else:
        ipts: list[Expr] = []
        for p in pts:
            if p.is_integer:
                ipts.append(p)
            elif p.is_number:
                ipts += [sympy.floor(p), sympy.ceiling(p)]
            else:
                raise _Fail(f"the breakpoint {p} is not known to be an integer")
        ipts = _sorted_points(ipts)
        if not ipts:
            out.append((-oo, oo, _restrict(h, t, S.Zero)))
        else:
            out.append((-oo, ipts[0] - 1, _restrict(h, t, ipts[0] - 1)))
            for i, p in enumerate(ipts):
                v = h.xreplace({t: p})
                v = _restrict(v, t, p) if v.has(Piecewise) else v
                if v.has(Piecewise):
                    raise _Fail(f"cannot evaluate {h} at {p}")
                out.append((p, p, v))
                if i + 1 < len(ipts):
                    q = ipts[i + 1]
                    if _cmp(q - p, S(2)) >= 0:
                        out.append((p + 1, q - 1, _restrict(h, t, (p + q) / 2)))
            out.append((ipts[-1] + 1, oo, _restrict(h, t, ipts[-1] + 1)))
    return _merge(out, t, ctx.discrete)


def _same(a: Expr, b: Expr) -> bool:
    if a == b:
        return True
    d = sympy.expand(a - b)
    return d == 0 or (len(d.args) < 40 and sympy.simplify(d) == 0)


def _merge(pieces: list[tuple[Expr, Expr, Expr]], t: Symbol, discrete: bool
           ) -> list[tuple[Expr, Expr, Expr]]:
    merged: list[tuple[Expr, Expr, Expr]] = []
    for lo, hi, v in pieces:
        if merged:
            plo, phi, pv = merged[-1]
            if discrete and lo == hi and _same(pv.xreplace({t: lo}), v):
                merged[-1] = (plo, hi, pv)
                continue
            if discrete and plo == phi and _same(v.xreplace({t: plo}), pv):
                merged[-1] = (plo, hi, v)
                continue
            if _same(pv, v):
                merged[-1] = (plo, hi, pv)
                continue
        merged.append((lo, hi, v))
    return [p for p in merged if p[2] != 0]


# -- convolving piece lists ---------------------------------------------------------------


def _piecewise_conv(f: Expr, g: Expr, t: Symbol, x: Symbol, ctx: _Ctx) -> Expr:
    fp = _pieces(f, t, ctx)
    gp = _pieces(g, t, ctx)
    if not fp or not gp:
        return S.Zero
    crit: list[Expr] = []
    for a, b, _ in fp:
        for c, d, _ in gp:
            one = S.One if ctx.discrete else S.Zero
            cands = [(a, c, 0), (a, d, 0), (b, c, 0), (b, d, one)]
            crit += [p + q + e for p, q, e in cands if not {p, q} & {oo, -oo}]
    vs = _sorted_points(crit)
    cache: dict[tuple[Any, ...], Expr] = {}
    ranges: list[tuple[Expr, Expr, Expr]] = []  # (lo, hi, value) in x; continuous: open
    bounds = [-oo, *vs, oo]
    for lo, hi in itertools.pairwise(bounds):
        ctx.tick()
        if ctx.discrete:
            at = hi - 1 if lo == -oo and hi != oo else (S.Zero if lo == -oo else lo)
        else:
            at = (S.Zero if lo == -oo and hi == oo else hi - 1 if lo == -oo
                  else lo + 1 if hi == oo else (lo + hi) / 2)
        value: Expr = S.Zero
        for i, (a, b, F) in enumerate(fp):
            for j, (c, d, G) in enumerate(gp):
                lower = _limit_max(a, d, x, at, ctx.discrete)
                upper = _limit_min(b, c, x, at, ctx.discrete)
                lo_at, up_at = lower.xreplace({x: at}), upper.xreplace({x: at})
                if lo_at != -oo and up_at != oo:
                    s = _cmp(lo_at, up_at)
                    if s > 0 or (s == 0 and not ctx.discrete):
                        continue
                key = (i, j, lower, upper)
                if key not in cache:
                    integrand = F * G.xreplace({t: x - t})
                    cache[key] = _integrate(integrand, t, lower, upper, x, ctx)
                value += cache[key]
        ranges.append((lo, hi, value))
    if ctx.discrete:  # a range of one integer: its value
        ranges = [(lo, hi, v.xreplace({x: lo}) if lo != -oo and hi != oo
                   and _cmp(hi - lo, S.One) == 0 else v) for lo, hi, v in ranges]
    ranges = [(lo, hi, _tidy(v, x)) for lo, hi, v in ranges]
    return _as_piecewise(ranges, x, ctx.discrete)


def _limit_max(a: Expr, d: Expr, x: Symbol, at: Expr, discrete: bool) -> Expr:
    """max(a, x − d) on the current x-range."""
    if d == oo:
        return a
    if a == -oo:
        return x - d
    return x - d if _cmp(at - d, a) >= 0 else a


def _limit_min(b: Expr, c: Expr, x: Symbol, at: Expr, discrete: bool) -> Expr:
    """min(b, x − c) on the current x-range."""
    if c == -oo:
        return b
    if b == oo:
        return x - c
    return x - c if _cmp(at - c, b) < 0 else b


def _as_piecewise(ranges: list[tuple[Expr, Expr, Expr]], x: Symbol, discrete: bool) -> Expr:
    # merge neighbours with the same formula (on ℤ also a single point that fits)
    merged: list[tuple[Expr, Expr, Expr]] = []
    for lo, hi, v in ranges:
        if merged:
            plo, _phi, pv = merged[-1]
            if _same(pv, v):
                merged[-1] = (plo, hi, pv)
                continue
            if discrete and hi != oo and _cmp(hi - lo, S.One) == 0 \
                    and _same(pv.xreplace({x: lo}), v):
                merged[-1] = (plo, hi, pv)
                continue
        merged.append((lo, hi, v))
    if len(merged) == 1:
        return merged[0][2]
    args = [(v, x < hi) for lo, hi, v in merged[:-1]] + [(merged[-1][2], True)]
    return Piecewise(*args)


# -- integrating / summing one piece --------------------------------------------------------


def _to_exp(e: Expr) -> Expr:
    if e.has(*_TRIG):
        e = e.rewrite(exp)
    return e


def _integrate(integrand: Expr, z: Symbol, lower: Expr, upper: Expr, x: Symbol,
               ctx: _Ctx) -> Expr:
    e = sympy.expand(_to_exp(integrand), power_base=False, log=False)
    groups: dict[tuple[Any, ...], Expr] = {}
    for term in Add.make_args(e):
        if ctx.discrete:
            c, key = _decompose_discrete(term, z)
        else:
            c, key = _decompose(term, z)
        groups[key] = groups.get(key, S.Zero) + c
    total: Expr = S.Zero
    for key, c in groups.items():
        ctx.tick()
        if c == 0:
            continue
        total += (_sum_term(c, key, z, lower, upper, ctx) if ctx.discrete
                  else _integrate_term(c, key, z, lower, upper, ctx))
    return total


def _decompose(term: Expr, z: Symbol) -> tuple[Expr, tuple[Any, ...]]:
    """term = c · z^k · e^{s z + A z²} · Π (±(z − p))^q: (c, (k, s, A, powers))."""
    c: Expr = S.One
    k = 0
    s: Expr = S.Zero
    A: Expr = S.Zero
    powers: list[tuple[Expr, Expr, Expr]] = []
    for q in Mul.make_args(term):
        if not q.has(z):
            c *= q
        elif q == z:
            k += 1
        elif isinstance(q, exp) or (isinstance(q, Pow) and not q.base.has(z)):
            arg = q.args[0] if isinstance(q, exp) else q.exp * sympy.log(q.base)
            arg = sympy.expand(arg)
            try:
                p = sympy.Poly(arg, z)
            except sympy.PolynomialError:
                raise _Fail(f"{q}: only exponentials of polynomials of degree ≤ 2") from None
            if p.degree() > 2:
                raise _Fail(f"{q}: only exponentials of polynomials of degree ≤ 2")
            co = p.all_coeffs()[::-1] + [S.Zero] * 3
            c *= exp(co[0]) if isinstance(q, exp) else q.base ** sympy.expand(q.exp).coeff(z, 0)
            s += co[1]
            A += co[2]
        elif isinstance(q, Pow) and q.base.has(z) and not q.exp.has(z):
            if q.base == z and q.exp.is_integer and q.exp.is_nonnegative:
                k += int(q.exp)
                continue
            if q.exp.is_integer and q.exp.is_negative:
                raise _Fail(f"{q}: a pole in the integrand")
            a1, b1 = _linear(q.base, z)
            if a1 not in (S.One, S.NegativeOne):
                c *= Abs(a1) ** q.exp if a1.is_positive else a1 ** q.exp
                base = sympy.expand(q.base / a1 * (1 if a1.is_positive else -1))
                a1, b1 = _linear(base, z)
            powers.append((a1, -b1 / a1, q.exp))  # (sign, point, exponent)
        else:
            raise _Fail(f"{q}: no closed-form antiderivative here for this factor")
    key = (k, sympy.expand(s), sympy.expand(A), tuple(sorted(powers, key=str)))
    return c, key


def _decompose_discrete(term: Expr, k: Symbol) -> tuple[Expr, tuple[Any, ...]]:
    """term = c · k^m · r^k: (c, (m, r))."""
    c: Expr = S.One
    m = 0
    r: Expr = S.One
    for q in Mul.make_args(term):
        if not q.has(k):
            c *= q
        elif q == k:
            m += 1
        elif isinstance(q, Pow) and q.base == k and q.exp.is_integer and q.exp.is_nonnegative:
            m += int(q.exp)
        elif isinstance(q, exp) or (isinstance(q, Pow) and not q.base.has(k)):
            arg = sympy.expand(q.args[0] if isinstance(q, exp) else q.exp)
            a1, b1 = _linear(arg, k)
            base = sympy.E if isinstance(q, exp) else q.base
            r *= base**a1
            c *= base**b1
        else:
            raise _Fail(f"{q}: only polynomial·geometric sequences are summed here")
    return c, (m, sympy.powsimp(r))


def _decay(s: Expr, at_plus: bool, ctx: _Ctx) -> None:
    """e^{s z} → 0 as z → +∞ (at_plus) or −∞, else _Fail."""
    re = sympy.re(s) if not s.is_real else s
    ok = re.is_negative if at_plus else re.is_positive
    if ok is not True:
        which = "+∞" if at_plus else "−∞"
        raise _Fail(f"the integral may diverge at {which}: cannot show that the real part of "
                    f"{s} is {'negative' if at_plus else 'positive'} (declare signs, e.g. "
                    "symbols('a', positive=True))")


def _integrate_term(c: Expr, key: tuple[Any, ...], z: Symbol, L: Expr, U: Expr,
                    ctx: _Ctx) -> Expr:
    k, s, A, powers = key
    if powers:
        return c * _beta_term(k, s, A, powers, z, L, U, ctx)
    if A != 0:
        if not A.is_real or A.is_negative is not True:
            raise _Fail(f"e^({A}·z²): cannot show the quadratic coefficient is negative")
        if -oo == L and oo == U:
            B = Dummy("B")
            base = sqrt(pi / -A) * exp(-(B**2) / (4 * A))
            return c * sympy.diff(base, B, k).xreplace({B: s})  # type: ignore[no-any-return]
        if k != 0:
            raise _Fail("a polynomial times a Gaussian on a half line")
        w = sqrt(-A)
        pref = sqrt(pi) / (2 * w) * exp(-(s**2) / (4 * A))

        def anti(v: Expr) -> Expr:
            if v == oo:
                return S.One
            if v == -oo:
                return S.NegativeOne
            return sympy.erf(w * (v + s / (2 * A)))  # type: ignore[no-any-return]

        return c * pref * (anti(U) - anti(L))  # type: ignore[no-any-return]
    if _zero(s, ctx):
        if -oo == L or oo == U:
            raise _Fail("the integral diverges (a polynomial piece on an infinite interval)")
        return c * (U ** (k + 1) - L ** (k + 1)) / (k + 1)  # type: ignore[no-any-return]
    poly = Add(*[(-1) ** j * sympy.factorial(k) / sympy.factorial(k - j) * z ** (k - j)
                 / s ** (j + 1) for j in range(k + 1)])

    def anti_e(v: Expr, at_plus: bool) -> Expr:
        if v in (oo, -oo):
            _decay(s, at_plus, ctx)
            return S.Zero
        return poly.xreplace({z: v}) * exp(s * v)  # type: ignore[no-any-return]

    return c * (anti_e(U, True) - anti_e(L, False))  # type: ignore[no-any-return]


def _beta_term(k: int, s: Expr, A: Expr, powers: tuple[tuple[Expr, Expr, Expr], ...],
               z: Symbol, L: Expr, U: Expr, ctx: _Ctx) -> Expr:
    """∫_L^U (z − L)^p (U − z)^q dz = (U − L)^{p+q+1} B(p + 1, q + 1) (gamma densities)."""
    if k != 0 or A != 0 or not _zero(s, ctx) or L in (-oo, oo) or U in (-oo, oo):
        raise _Fail("a non-integer power times another function (only the gamma densities' "
                    "equal-rate case, a Beta integral, is handled)")
    p_exp: Expr = S.Zero
    q_exp: Expr = S.Zero
    for sg, point, e in powers:
        if sg == 1 and sympy.expand(point - L) == 0:
            p_exp += e
        elif sg == -1 and sympy.expand(point - U) == 0:
            q_exp += e
        else:
            raise _Fail("a non-integer power whose base does not vanish at the limits")
    for e in (p_exp, q_exp):
        if (e + 1).is_positive is not True:
            raise _Fail(f"the power with exponent {e} is not integrable at its end")
    out: Expr = (U - L) ** (p_exp + q_exp + 1) * sympy.gamma(p_exp + 1) \
        * sympy.gamma(q_exp + 1) / sympy.gamma(p_exp + q_exp + 2)
    return out


def _sum_term(c: Expr, key: tuple[Any, ...], k: Symbol, L: Expr, U: Expr, ctx: _Ctx
              ) -> Expr:
    m, r = key
    if L == U:  # one term
        return c * L**m * r**L  # type: ignore[no-any-return]
    if _zero(r - 1, ctx):
        if -oo == L or oo == U:
            raise _Fail("the sum diverges (a polynomial piece on an infinite range)")
        P = sympy.bernoulli(m + 1, k) / (m + 1)  # P(k + 1) − P(k) = k^m
        return c * (P.xreplace({k: U + 1}) - P.xreplace({k: L}))  # type: ignore[no-any-return]
    q = _geometric_antidifference(m, r, k)

    def A(v: Expr, at_plus: bool) -> Expr:
        if v in (oo, -oo):
            mag = sympy.Abs(r) - 1
            ok = mag.is_negative if at_plus else mag.is_positive
            if ok is not True:
                raise _Fail(f"the sum may diverge: cannot show |{r}| {'<' if at_plus else '>'}"
                            " 1")
            return S.Zero
        return r**v * q.xreplace({k: v})  # type: ignore[no-any-return]

    return c * (A(U + 1, True) - A(L, False))  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=256)
def _geometric_antidifference(m: int, r: Expr, k: Symbol) -> Expr:
    """The polynomial q of degree m with r·q(k + 1) − q(k) = k^m (r ≠ 1)."""
    cs = sympy.symbols(f"q0:{m + 1}", cls=Dummy)
    q = Add(*[cs[i] * k**i for i in range(m + 1)])
    eq = sympy.expand(r * q.xreplace({k: k + 1}) - q - k**m)
    sol = sympy.solve([eq.coeff(k, i) for i in range(m + 1)], cs, dict=True)
    if not sol:
        raise _Fail(f"no discrete antiderivative of k^{m}·({r})^k")
    return q.xreplace(sol[0])  # type: ignore[no-any-return]


def _tidy(e: Expr, x: Symbol) -> Expr:
    """A branch in textbook shape: the shortest of a few equivalent rewritings."""
    if e == 0:
        return S.Zero
    if e.has(sympy.I):  # e^{iωx} back to cos/sin
        e = sympy.expand(sympy.expand(e, power_exp=True).replace(
            lambda n: isinstance(n, exp) and n.args[0].has(sympy.I),
            lambda n: n.rewrite(sympy.cos)))
    base = sympy.powsimp(sympy.expand(e, power_base=False, log=False))
    cands = [base]
    try:
        simp = sympy.simplify(base)
        cands += [simp, sympy.together(base), sympy.factor_terms(base)]
    except Exception:  # pragma: no cover - SymPy internals
        pass
    if any(c.has(exp) for c in cands):
        cands += [c.replace(lambda n: isinstance(n, exp),
                            lambda n: exp(sympy.factor(n.args[0]))) for c in list(cands)]
    hyper = (sympy.sinh, sympy.cosh)
    cands = [c for c in cands if base.has(*hyper) or not c.has(*hyper)] or [base]
    return min(cands, key=lambda c: (sympy.count_ops(c), len(str(c))))


# -- certification --------------------------------------------------------------------------


def _sample_value(sym: Symbol, rng: random.Random, discrete: bool) -> Expr:
    if sym.is_integer:
        lo, hi = (1, 4) if sym.is_positive else (0, 4) if sym.is_nonnegative else \
            (-4, -1) if sym.is_negative else (-3, 3)
        v = rng.randint(lo, hi)
        if v == 0 and sym.is_nonzero:
            v = 1
        if sym.is_even and v % 2:
            v += 1
        if sym.is_odd and not v % 2:
            v += 1
        return S(v)
    top = 0.9 if discrete else 2.2
    bottom = 0.3 if discrete else 0.5
    mag = rng.uniform(bottom, top)
    if sym.is_negative:
        return sympy.Float(-mag)
    if sym.is_positive or sym.is_nonnegative:
        return sympy.Float(mag)
    return sympy.Float(mag if rng.random() < 0.5 else -mag) if not discrete else \
        sympy.Float(mag)


def _heaviside(v: float, h0: float = 0.5) -> float:
    return 1.0 if v > 0 else 0.0 if v < 0 else h0


def _sign(v: float) -> float:
    return 1.0 if v > 0 else -1.0 if v < 0 else 0.0


_SCALAR = {"Heaviside": _heaviside, "sign": _sign}


def _is_safe_head(n: Basic) -> bool:
    """SymPy's own functions, operations and relations (what lambdify prints by name)."""
    if isinstance(n, (AppliedUndef, sympy.Integral, sympy.Sum, sympy.Product, sympy.Lambda)):
        return False  # (a binder's variable is not free: it would be printed by name)
    module = type(n).__module__ or ""
    return module.startswith("sympy.") and not module.startswith("sympy.core.function")


def _lambdify(args: Any, e: Expr, modules: Any) -> Callable[..., Any]:
    """``sympy.lambdify``, made safe for expressions a user built: lambdify prints the
    expression as Python source and executes it, so every symbol is first replaced by a fresh
    ``Dummy`` (a user's symbol name never reaches the source) and only SymPy's own heads may
    appear (a user-defined function class is refused: its name would be printed too)."""
    bad = [n for n in sympy.preorder_traversal(e)
           if isinstance(n, Basic) and n.args and not _is_safe_head(n)]
    if bad:
        raise _Fail(f"{type(bad[0]).__name__} is not one of SymPy's functions: no numeric "
                    "check for it")
    seq = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    names = {s: sympy.Dummy("v") for s in e.free_symbols | set(seq)}
    body = e.xreplace(names)
    if body.free_symbols - {names[s] for s in seq}:
        raise _Fail(f"{e} has symbols without values")
    new_args = tuple(names[s] for s in seq)
    target = new_args if isinstance(args, (tuple, list)) else new_args[0]
    compiled: Callable[..., Any] = sympy.lambdify(  # safe-lambdify: symbols are Dummies
        target, body, modules=modules, dummify=True)
    return compiled


def _numeric(e: Expr, var: Symbol) -> Callable[[float], complex]:
    """``e`` as a fast scalar function (math module; numpy/scipy where math lacks one)."""
    e = e.replace(lambda n: isinstance(n, KroneckerDelta),
                  lambda n: Piecewise((1, Eq(n.args[0], n.args[1])), (0, True)))
    fast = _lambdify(var, e, [_SCALAR, "math"])
    slow = _lambdify(var, e, ["scipy", "numpy"])

    def call(v: float) -> complex:
        try:
            return complex(fast(v))
        except (ValueError, TypeError, OverflowError, NameError):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return complex(slow(v))

    return call


def _numeric_points(e: Expr, t: Symbol, discrete: bool) -> list[float]:
    try:
        pts = _kinks(_prepare(e), t, discrete)
    except _Fail:
        return []
    out = []
    for p in pts:
        try:
            out.append(float(p))
        except TypeError:
            continue
    return out


def _certify(op: Any, candidate: Expr) -> str | None:
    """None when the candidate agrees with the definition at random points and parameter
    values; otherwise what went wrong."""
    from scipy import integrate  # noqa: F401  (imported lazily: keeps `import convmath` fast)

    rng = random.Random(20261204)
    discrete = op.discrete
    cases = _branches(op, candidate)
    for op_case, cand in cases:
        problem = _certify_one(op_case, cand, rng, discrete)
        if problem is not None:
            return problem
    return None


def _branches(op: Any, candidate: Expr) -> list[tuple[Any, Expr]]:
    """Special-case branches (Eq(a, b), …) certified separately, each with its parameters
    substituted."""
    if isinstance(candidate, Piecewise) and len(candidate.args) == 2 \
            and isinstance(candidate.args[0][1], Eq) \
            and not candidate.args[0][1].has(*op.point[0].free_symbols) \
            and candidate.args[1][1] == S.true:
        (sp_val, cond), (gen_val, _) = candidate.args
        lhs, rhs = cond.lhs, cond.rhs
        if isinstance(lhs, Symbol):
            return [*_branches(op.xreplace({lhs: rhs}), sp_val), *_branches(op, gen_val)]
    return [(op, candidate)]


def _certify_one(op: Any, cand: Expr, rng: random.Random, discrete: bool) -> str | None:
    point = op.point[0]
    x = Dummy("x", integer=True) if discrete else Dummy("x", real=True)
    t = Dummy("t", integer=True) if discrete else Dummy("t", real=True)
    reflect = op._sign == 1
    f0 = op.f.expr.xreplace({op.f.variables[0]: -t if reflect else t})
    g0 = op.g.expr.xreplace({op.g.variables[0]: t})
    if point.free_symbols:
        var = sorted(point.free_symbols, key=str)[0]
        # candidate is in the point's variables; evaluate along the point
        h = cand
    else:
        var, h = None, cand
    params = sorted((f0.free_symbols | g0.free_symbols | h.free_symbols) - {t, x}
                    - ({var} if var is not None else set()), key=str)
    for _round in range(2 if params else 1):
        vals = {p: _sample_value(p, rng, discrete) for p in params}
        f = f0.xreplace(vals)
        g = g0.xreplace(vals)
        hv = h.xreplace(vals)
        if var is not None:
            # the operator is evaluated at point(var); sample var, compare at X = point
            pts = [_sample_point(rng, f, g, t, discrete) for _ in range(5 if discrete else 4)]
            xs_var = []
            for p in pts:
                sol = sympy.solve(point.xreplace(vals) - p, var)
                if len(sol) != 1:
                    return f"cannot sample the point {point}"
                xs_var.append(sol[0])
            checks = list(zip(xs_var, pts, strict=True))
        else:
            checks = [(None, float(point.xreplace(vals)))]
        for v_at, X in checks:
            got_e = hv if v_at is None else hv.xreplace({var: v_at})
            if got_e.has(DiracDelta) or f.has(DiracDelta) or g.has(DiracDelta):
                return _certify_delta(op, cand, vals, var, point, rng)
            got_c = complex(sympy.N(got_e, 17))
            ref, err = (_exact_sum(f, g, t, X) if discrete
                        else _quad_conv(f, g, t, X))
            if not (abs(got_c - ref) <= 1e-6 * max(1.0, abs(ref)) + 20 * err):
                return (f"at {point} = {X:g} with {vals}: closed form {got_c:.12g}, "
                        f"{'sum' if discrete else 'quadrature'} {ref:.12g}")
    return None


def _sample_point(rng: random.Random, f: Expr, g: Expr, t: Symbol, discrete: bool) -> float:
    pts = _numeric_points(f, t, discrete) + _numeric_points(g, t, discrete)
    lo = min(pts, default=0.0)
    hi = max(pts, default=0.0)
    span = (2 * lo - 2, 2 * hi + 2)
    if discrete:
        return float(rng.randint(math.floor(span[0]), math.ceil(span[1])))
    return rng.uniform(*span)


def _exact_sum(f: Expr, g: Expr, t: Symbol, n: float) -> tuple[complex, float]:
    import numpy as np

    ff = _vector(f, t)
    gg = _vector(g, t)
    ks = np.arange(-150, 151, dtype=float)
    with np.errstate(all="ignore"):
        fv = ff(ks)
        gv = gg(n - ks)
        prod = np.where((fv == 0) | (gv == 0), 0.0, fv * gv)
    total = complex(np.sum(prod))
    tail = float(np.max(np.abs(prod[:5])) + np.max(np.abs(prod[-5:])))
    return total, max(tail * 1e3, 1e-12 * np.sum(np.abs(prod)))


def _vector(e: Expr, t: Symbol) -> Callable[[Any], Any]:
    import numpy as np

    e = e.replace(lambda n: isinstance(n, KroneckerDelta),
                  lambda n: Piecewise((1, Eq(n.args[0], n.args[1])), (0, True)))
    fn = _lambdify(t, e, ["scipy", "numpy"])

    def call(v: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(v)
        return np.broadcast_to(np.asarray(out, dtype=complex), np.shape(v))

    return call


_GRID = (-40.0, -12.0, -4.0, 0.0, 4.0, 12.0, 40.0)


def _segments(cuts: Iterable[float]) -> list[tuple[float, float]]:
    pts = sorted({round(c, 12) for c in [*cuts, *_GRID] if math.isfinite(c)})
    return [(-math.inf, pts[0]), *itertools.pairwise(pts), (pts[-1], math.inf)]


def _quad_line(fn: Callable[[float], complex], cuts: Iterable[float]) -> tuple[complex, float]:
    """∫_ℝ fn, split at ``cuts`` and a fixed grid; (value, error estimate)."""
    from scipy.integrate import quad

    re_total = im_total = err = 0.0
    for a, b in _segments(cuts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v, e = quad(lambda z: fn(z).real, a, b, limit=200, epsabs=1e-11, epsrel=1e-10)
            re_total += v
            err += e
            if fn((a + b) / 2 if math.isfinite(a + b) else 0.0).imag != 0:
                v, e = quad(lambda z: fn(z).imag, a, b, limit=200, epsabs=1e-13,
                            epsrel=1e-11)
                im_total += v
                err += e
    return complex(re_total, im_total), err


def _quad_conv(f: Expr, g: Expr, t: Symbol, X: float) -> tuple[complex, float]:
    ff = _numeric(f, t)
    gg = _numeric(g, t)
    cuts = _numeric_points(f, t, False) + [X - p for p in _numeric_points(g, t, False)]

    def prod(z: float) -> complex:
        a = ff(z)
        if a == 0:
            return 0j
        return a * gg(X - z)

    return _quad_line(prod, cuts)


# -- δ: certify by pairing with a Gaussian test function ------------------------------------


def _certify_delta(op: Any, cand: Expr, vals: dict[Symbol, Expr], var: Symbol | None,
                   point: Expr, rng: random.Random) -> str | None:
    """⟨f ∗ g, φ⟩ = ∫∫ f(z) g(w) φ(z + w) dz dw for φ(x) = e^{−(x − c)²}, δ's sifted by
    ⟨δ⁽ᵐ⁾(· − t₀), ψ⟩ = (−1)ᵐ ψ⁽ᵐ⁾(t₀)."""
    if var is None or point != var:
        return "a result with Dirac deltas is certified only at a plain variable"
    x = var
    reflect = op._sign == 1
    z, w = Dummy("z", real=True), Dummy("w", real=True)
    f = op.f.expr.xreplace({op.f.variables[0]: -z if reflect else z}).xreplace(vals)
    g = op.g.expr.xreplace({op.g.variables[0]: w}).xreplace(vals)
    h = cand.xreplace(vals)
    for _ in range(2):
        c = rng.uniform(-1.5, 1.5)
        lhs = _pair(h, x, exp(-((x - c) ** 2)))
        inner = exp(-((z + w - c) ** 2))
        # RHS = ⟨f, z ↦ ⟨g, φ(z + ·)⟩⟩: expand φ's derivatives in z symbolically where f has δ
        rhs = _pair_nested(f, z, g, w, inner)
        if not abs(lhs - rhs) <= 1e-6 * max(1.0, abs(rhs)):
            return (f"paired with e^(-(x - {c:.3g})^2): closed form {lhs:.12g}, "
                    f"definition {rhs:.12g}")
    return None


def _delta_parts(e: Expr, v: Symbol) -> tuple[list[tuple[Expr, int, Expr]], Expr]:
    parts: list[tuple[Expr, int, Expr]] = []
    rest: Expr = S.Zero
    for term in Add.make_args(sympy.expand(e)):
        if term.has(DiracDelta):
            parts += _delta_term(term, v)
        else:
            rest += term
    return parts, rest


def _pair(e: Expr, v: Symbol, test: Expr) -> complex:
    """∫ e(v) test(v) dv, δ's of e sifted analytically."""
    deltas, rest = _delta_parts(e, v)
    total = 0j
    for c, m, t0 in deltas:
        total += complex(sympy.N(c * (-1) ** m * sympy.diff(test, v, m).xreplace({v: t0})))
    if rest != 0:
        fn = _numeric(rest * test, v)
        val, _ = _quad_line(fn, _numeric_points(rest, v, False))
        total += val
    return total


def _pair_nested(f: Expr, z: Symbol, g: Expr, w: Symbol, inner: Expr) -> complex:
    fd, frest = _delta_parts(f, z)
    total = 0j
    for c, m, t0 in fd:
        # (−1)ᵐ ∂ᵐ/∂zᵐ ⟨g, φ(z + ·)⟩ at t₀ = (−1)ᵐ ⟨g, ∂ᵐφ(t₀ + ·)⟩
        total += complex(sympy.N(c)) * (-1) ** m * _pair(
            g, w, sympy.diff(inner, z, m).xreplace({z: t0}))
    if frest != 0:
        gd, grest = _delta_parts(g, w)
        for c, m, t0 in gd:
            total += complex(sympy.N(c)) * (-1) ** m * _pair(
                frest, z, sympy.diff(inner, w, m).xreplace({w: t0}))
        if grest != 0:
            from scipy.integrate import quad

            fz = _numeric(frest, z)
            gz = _lambdify((z, w), grest * inner, ["scipy", "numpy"])

            def outer(zz: float) -> float:
                a = fz(zz)
                if a == 0:
                    return 0.0
                val, _ = quad(lambda ww: float(gz(zz, ww)), -math.inf, math.inf, limit=100)
                return float((a * val).real)

            val, _ = quad(outer, -math.inf, math.inf, limit=100)
            total += val
    return total
