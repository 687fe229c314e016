"""Derivatives of linear forms in the values of a function: ∂x(v)/∂x(u) = δ[v, u].

Used by :class:`~convmath.symbolic.operators.Partial` and the rule
:class:`~convmath.symbolic.rules.calculus.DifferentiateLinear` (backpropagation: the loss is
linear in each of x, w and b separately).
"""

from __future__ import annotations

from sympy import Add, Basic, Expr, Integral, KroneckerDelta, Mul, S, Sum, Symbol
from sympy.core.function import AppliedUndef

from convmath.symbolic.kernel import RuleFailure, free_symbols
from convmath.symbolic.vectors import VectorDelta, has_vectors, vector_form

__all__ = ["depends", "differentiate_linear"]


def depends(e: Basic, target: Expr) -> bool:
    """True when ``e`` mentions the variable ``target`` (a symbol, or any value x(v) of the
    function x of ``target`` = x(u))."""
    if isinstance(target, Symbol):
        return target in free_symbols(e)
    return any(a.func == target.func for a in e.atoms(AppliedUndef))


def _value_delta(a: Expr, u: Expr) -> Expr:
    """∂x(a)/∂x(u) in one argument: δ[a, u], or δ[a − u] for points of ℤᵈ (the values x(v)
    at points of ℝᵈ are not separate variables: refused)."""
    if not (has_vectors(a) or has_vectors(u)):
        return KroneckerDelta(a, u)
    fa, fu = vector_form(a), vector_form(u)
    spaces = {v.space for v in (*(fa or {}), *(fu or {}))}
    if fa is None or fu is None or len(spaces) != 1:
        raise RuleFailure(f"{a} and {u} are not points of one space")
    sp = spaces.pop()
    if sp.args[0] != S.Integers:
        raise RuleFailure(f"∂x({a})/∂x({u}): values at points of ℝᵈ are not separate "
                          "variables (a functional derivative is not a partial derivative)")
    return VectorDelta(a - u, sp)


def differentiate_linear(e: Expr, target: Expr) -> Expr:
    """∂e/∂target for ``e`` affine in ``target`` (a symbol, or the values x(v) of an x).

    >>> from sympy import Function, symbols
    >>> x = Function("x"); u, v, w = symbols("u v w")
    >>> differentiate_linear(w * x(v) + 3, x(u))
    w*KroneckerDelta(u, v)
    """
    if not depends(e, target):
        return S.Zero
    if e == target and isinstance(target, Symbol):
        return S.One
    if isinstance(target, AppliedUndef) and isinstance(e, AppliedUndef) \
            and e.func == target.func:
        if any(depends(a, target) for a in e.args) or len(e.args) != len(target.args):
            raise RuleFailure(f"{e} is not a plain value of {target.func}")
        return Mul(*[_value_delta(a, u) for a, u in zip(e.args, target.args, strict=True)])
    if isinstance(e, Add):
        return Add(*[differentiate_linear(t, target) for t in e.args])
    if isinstance(e, Mul):
        deps = [f for f in e.args if depends(f, target)]
        if len(deps) != 1:
            raise RuleFailure(f"{e} is not linear in {target}")
        rest = Mul(*[f for f in e.args if f is not deps[0]])
        return rest * differentiate_linear(deps[0], target)
    if isinstance(e, (Sum, Integral)):  # linear; a Product is not
        bound = {lim[0] for lim in e.limits}
        if any(depends(b, target) for lim in e.limits for b in lim[1:]):
            raise RuleFailure("the limits depend on the differentiation target")
        if free_symbols(target) & bound:
            raise RuleFailure(f"{target} would be captured by a bound variable")
        return type(e)(differentiate_linear(e.function, target), *e.limits)
    raise RuleFailure(f"{e} is not linear in {target}")
