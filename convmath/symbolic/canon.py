"""Alpha-equivalence: compare expressions up to renaming of bound variables.

:func:`canonical` renames every bound variable (of ``Integral``, ``Sum``, ``Lambda`` and
``Subs``) to a name fixed by its binding depth, and evaluates plain derivatives of
expressions without integrals, sums or operators (so ``Derivative(g(x - z), x)`` and the
``Subs`` form SymPy produces for it compare equal). Two expressions are alpha-equivalent
when their canonical forms are structurally equal (:func:`alpha_equal`).
"""

from __future__ import annotations

import functools

from sympy import Basic, Derivative, Integral, Lambda, Subs, Sum, Symbol

from convmath.symbolic._input import sympy_arg
from convmath.symbolic.operators import OPERATOR_CLASSES, Partial

__all__ = ["alpha_equal", "canonical", "has_binder_or_operator"]

_OPAQUE = (Integral, Sum, Partial, *OPERATOR_CLASSES)


def has_binder_or_operator(e: Basic) -> bool:
    """True when ``e`` contains an integral, sum, derivative or convmath operator."""
    return bool(e.has(*_OPAQUE, Derivative, Subs))


def canonical(e: Basic) -> Basic:
    """``e`` with bound variables renamed by binding depth (see the module docstring)."""
    return _canonical(sympy_arg(e, "e"))


@functools.lru_cache(maxsize=8192)
def _canonical(e: Basic) -> Basic:
    return _canon(e, 0)


def _canon(e: Basic, depth: int) -> Basic:
    if not e.args:
        return e
    if isinstance(e, (Integral, Sum)):
        discrete = isinstance(e, Sum)
        subs: dict[Basic, Basic] = {}
        limits = []
        for lim in e.limits:
            bounds = [_canon(b.xreplace(subs), depth) for b in lim[1:]]
            new = Symbol(f"_k{depth}", integer=True) if discrete else Symbol(f"_z{depth}")
            depth += 1
            subs[lim[0]] = new
            limits.append((new, *bounds))
        body = _canon(e.function.xreplace(subs), depth)
        return type(e)(body, *limits)
    if isinstance(e, Lambda):
        names = [Symbol(f"_l{depth + i}") for i in range(len(e.variables))]
        renamed = e.expr.xreplace(dict(zip(e.variables, names, strict=True)))
        body = _canon(renamed, depth + len(names))
        return Lambda(tuple(names), body)
    if isinstance(e, Subs):
        if not e.expr.has(*_OPAQUE):
            done = e.doit()
            if not isinstance(done, Subs):
                return _canon(done, depth)
        points = [_canon(p, depth) for p in e.point]
        names = [Symbol(f"_s{depth + i}") for i in range(len(e.variables))]
        renamed = e.expr.xreplace(dict(zip(e.variables, names, strict=True)))
        body = _canon(renamed, depth + len(names))
        return Subs(body, tuple(names), tuple(points))
    if isinstance(e, Derivative) and not e.expr.has(*_OPAQUE):
        done = e.doit()
        if done != e:
            return _canon(done, depth)
    return e.func(*[_canon(a, depth) for a in e.args])


def alpha_equal(a: Basic, b: Basic) -> bool:
    """True when ``a`` and ``b`` differ at most by the names of bound variables.

    >>> from sympy import Function, Integral, oo, symbols
    >>> f = Function("f"); x, z, w = symbols("x z w")
    >>> alpha_equal(Integral(f(x - z), (z, -oo, oo)), Integral(f(x - w), (w, -oo, oo)))
    True
    """
    a, b = sympy_arg(a, "a"), sympy_arg(b, "b")
    if a == b:
        return True
    return bool(_canonical(a) == _canonical(b))
