"""The sifting property of the Dirac and Kronecker deltas."""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import Basic, DiracDelta, Expr, Integral, KroneckerDelta, Mul, S, Sum, Symbol, oo

from convmath.symbolic.kernel import Condition, RuleFailure, free_symbols, function_classes, subst
from convmath.symbolic.rules.base import Context, NormalFormRule

__all__ = ["Sift", "sift_all"]

#: heads continuous wherever their value is finite (a pole gives zoo, which is refused);
#: no branch cuts (log, sqrt, atan… are left out)
_CONTINUOUS = (sympy.Add, sympy.Mul, sympy.exp, sympy.sin, sympy.cos, sympy.tan,
               sympy.sinh, sympy.cosh, sympy.tanh, sympy.Abs, sympy.re, sympy.im,
               sympy.conjugate, sympy.erf)


def _continuous(e: Basic, v: Symbol) -> bool:
    """True when ``e`` is built, where it depends on ``v``, only from heads continuous where
    finite, powers with an exponent free of ``v`` (or a positive constant base), and
    undefined functions (whose continuity is recorded)."""
    if v not in free_symbols(e) or isinstance(e, Symbol):
        return True
    if isinstance(e, (sympy.core.function.AppliedUndef, *_CONTINUOUS)):
        return all(_continuous(a, v) for a in e.args)
    if isinstance(e, sympy.Pow):
        if v not in free_symbols(e.exp):
            return bool(e.exp.is_integer) and _continuous(e.base, v)
        return bool(v not in free_symbols(e.base) and e.base.is_positive) and _continuous(
            e.exp, v)
    return False


def _delta_solution(fac: Basic, v: Symbol, discrete: bool) -> Expr | None:
    if discrete and isinstance(fac, KroneckerDelta):
        arg = fac.args[0] - fac.args[1]
    elif not discrete and isinstance(fac, DiracDelta) and len(fac.args) == 1:
        arg = fac.args[0]
    else:
        return None
    if v not in free_symbols(arg):
        return None
    a = sympy.diff(arg, v)
    if a not in (S.One, S.NegativeOne):
        return None
    c = sympy.expand(v - arg / a)
    if v in free_symbols(c):
        return None
    if discrete and c.is_integer is not True:
        return None
    if not discrete and (c.is_extended_real is False or c.is_finite is False):
        return None
    return c


def _continuity(rest: Expr, v: Symbol, c: Expr, rec: list[Condition] | None) -> None:
    """∫ F(z) δ(z − c) dz = F(c) needs F continuous at c. Other δ factors are allowed when
    their argument still depends on another variable (then the identity is the convolution
    of two point masses); a δ left in z alone, or another discontinuity, is refused."""
    for fac in Mul.make_args(rest):
        if v not in free_symbols(fac):
            continue
        if isinstance(fac, DiracDelta) and len(fac.args) == 1:
            arg = fac.args[0]
            a = sympy.diff(arg, v)
            others = free_symbols(subst(arg, {v: c})) - free_symbols(c)
            if a in (S.One, S.NegativeOne) and others:
                continue
            raise RuleFailure(f"δ({arg}) is not continuous in {v}: a product of deltas in "
                              "the same variable is undefined")
        if not _continuous(fac, v):
            raise RuleFailure(f"{fac} may be discontinuous at {v} = {c}: δ does not sift it")
        fns = function_classes(fac)
        if fns and rec is not None:
            rec.append(Condition("continuous", fac, fns))


def _sift_once(e: Basic, rec: list[Condition] | None) -> Basic:
    if not isinstance(e, (Integral, Sum)):
        return e
    lim = e.limits[0]
    v = lim[0]
    if len(lim) != 3 or lim[1] != -oo or lim[2] != oo:
        return e
    discrete = isinstance(e, Sum)
    factors = Mul.make_args(e.function)
    for i, fac in enumerate(factors):
        c = _delta_solution(fac, v, discrete)
        if c is None:
            continue
        rest = Mul(*(factors[:i] + factors[i + 1:]))
        if not discrete:
            _continuity(rest, v, c, rec)
            if c.is_extended_real is not True or c.is_finite is not True:
                if rec is None:
                    continue
                rec.append(Condition("domain", c, frozenset(), ("real",),
                                     note=f"{c} is real (declare it: real=True)"))
        rest = subst(rest, {v: c})
        if len(e.limits) > 1:
            return type(e)(rest, *e.limits[1:])
        return rest
    return e


def sift_with(e: Basic, once: Callable[[Basic, list[Condition] | None], Basic],
              rec: list[Condition] | None = None) -> Basic:
    """Apply ``once`` (one sifting step on one integral or sum) everywhere, until nothing
    changes; conditions go to ``rec``."""
    for _ in range(50):
        new = e.replace(lambda n: isinstance(n, (Integral, Sum)), lambda n: once(n, rec))
        if new == e:
            return e
        e = new
    return e  # pragma: no cover


def sift_all(e: Basic, rec: list[Condition] | None = None) -> Basic:
    """Apply the sifting property wherever it applies (innermost variable, infinite range);
    conditions (continuity for δ) go to ``rec``."""
    return sift_with(e, _sift_once, rec)


class Sift(NormalFormRule):
    """Sifting: ∫ F(z) δ(z − c) dz = F(c) (F continuous at c: recorded for unknown functions,
    refused for discontinuous factors) and Σ_k F(k) δ[k, c] = F(c) (c an integer)."""

    def describe(self) -> str:
        return "the sifting property of δ"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        return sift_all(expr, rec)
