"""Calculus under the integral sign: Leibniz's rule, differences under a sum, derivatives of
linear forms."""

from __future__ import annotations

import sympy
from sympy import Basic, Derivative, Integral, Sum

from convmath.symbolic.kernel import (
    NOT_SMOOTH,
    Condition,
    RuleFailure,
    function_classes,
    subst,
)
from convmath.symbolic.linear_forms import differentiate_linear
from convmath.symbolic.operators import Difference, Partial
from convmath.symbolic.rules.base import (
    Context,
    Rule,
    free_in,
    is_finite_sum,
    needs_convergence,
)

__all__ = ["DifferenceUnderSum", "DifferentiateLinear", "Leibniz", "differentiate_linear"]


def _smooth_on_finite_limits(binder: Basic) -> bool:
    """A polynomial integrand over finite limits: differentiation under ∫ needs nothing."""
    finite = all(len(lim) == 3 and lim[1].is_finite and lim[2].is_finite
                 for lim in binder.limits)
    return bool(finite and binder.function.is_polynomial())


class Leibniz(Rule):
    """Differentiation under the integral (or sum) sign: d/dx ∫ F dz = ∫ ∂F/∂x dz.

    Checks that no limit depends on x; records the condition that the derivative may move
    under the integral (differentiable integrand with a dominated derivative) unless the sum
    is finite or the integrand a polynomial over finite limits.
    """

    def describe(self) -> str:
        return "differentiating under the integral sign (Leibniz)"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        found = []

        def is_target(n: Basic) -> bool:
            return isinstance(n, Derivative) and isinstance(n.expr, (Integral, Sum))

        def move(n: Basic) -> Basic:
            binder = n.expr
            xs = [v for v, _ in n.variable_count]
            for lim in binder.limits:
                if any(x in free_in(lim[1:]) for x in xs):
                    raise RuleFailure("the limits depend on the differentiation variable")
                if lim[0] in xs:
                    raise RuleFailure("the differentiation variable is bound")
            rough = [a for a in binder.function.atoms(*NOT_SMOOTH) if set(xs) & a.free_symbols]
            if rough:
                raise RuleFailure(f"{rough[0]} is not differentiable everywhere in "
                                  f"{xs[0]} (SymPy's derivative of it is wrong somewhere)")
            found.append(n)
            # the derivative moves under this binder and, through .diff, under every
            # binder inside it that depends on x
            for b in sympy.preorder_traversal(binder):
                if isinstance(b, (Integral, Sum, sympy.Product)) and (
                        b is binder or set(xs) & b.free_symbols) and not (
                        is_finite_sum(b) or _smooth_on_finite_limits(b)):
                    rec.append(Condition("leibniz", b, function_classes(b), (xs[0],)))
            return type(binder)(binder.function.diff(*n.variable_count), *binder.limits)

        out = expr.replace(is_target, move)
        if not found:
            raise RuleFailure("no derivative of an integral or sum to move inside")
        return out


class DifferenceUnderSum(Rule):
    """Δ_n Σ_k F = Σ_k (F(n + 1) − F(n)) (the limits do not involve n; both sums must
    converge — recorded unless the sum is finite)."""

    def describe(self) -> str:
        return "taking the difference under the sum"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        found = []

        def move(n: Basic) -> Basic:
            binder, var = n.expr, n.var
            if any(var in free_in(lim) for lim in binder.limits):
                raise RuleFailure("the limits depend on the difference variable")
            found.append(n)
            needs_convergence(binder, rec)
            f = binder.function
            return type(binder)(subst(f, {var: var + 1}) - f, *binder.limits)

        out = expr.replace(
            lambda n: isinstance(n, Difference) and isinstance(n.expr, (Sum, Integral)), move)
        if not found:
            raise RuleFailure("no difference of a sum to move inside")
        return out


class DifferentiateLinear(Rule):
    """Evaluate ∂/∂x(u) of a linear form: ∂x(v)/∂x(u) = δ[v, u], ∂b/∂b = 1 (termwise through
    sums and integrals, which must converge absolutely — recorded unless finite). At points
    of ℤᵈ, ∂x(v)/∂x(u) = δ[v − u]."""

    vector_safe = True

    def describe(self) -> str:
        return "differentiating the linear form (∂x(v)/∂x(u) = δ[v, u])"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        found = []

        def do(n: Basic) -> Basic:
            found.append(n)
            for b in sympy.preorder_traversal(n.expr):
                if isinstance(b, (Sum, Integral)):
                    needs_convergence(b, rec)
            return differentiate_linear(n.expr, n.target)

        out = expr.replace(lambda n: isinstance(n, Partial), do)
        if not found:
            raise RuleFailure("no ∂/∂ to evaluate")
        return out
