"""Linearity of ∫ and Σ, Fubini–Tonelli, and exchanging a finite sum with an integral."""

from __future__ import annotations

import sympy
from sympy import Add, Basic, Expr, Integral, Mul, Sum, Symbol, exp

from convmath.errors import InvalidArgument
from convmath.symbolic._input import symbol_arg
from convmath.symbolic.kernel import (
    Condition,
    RuleFailure,
    free_symbols,
    function_classes,
    rename_bound,
)
from convmath.symbolic.rules.base import (
    Context,
    NormalFormRule,
    Rule,
    free_in,
    is_finite_sum,
    needs_convergence,
    replace_binders,
)

__all__ = ["ExchangeSumIntegral", "Fubini", "Linearity", "linear_normal_form"]


class Linearity(NormalFormRule):
    """Linearity of ∫ and Σ: split over +, move factors that do not involve the variable.

    Normal form: every integral/sum split over the top-level terms of its integrand, with
    every factor free of the bound variable moved out (an exponential e^{A+B} is split into
    e^{A}·e^{B} by the dependence of the terms of its exponent). Each part of a split, and
    each integral a factor moves across, must converge: recorded, unless it is a finite sum.
    Valid for integrals over ℝᵈ and sums over ℤᵈ alike (nothing here measures a region).
    """

    vector_safe = True

    def describe(self) -> str:
        return "linearity"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        return linear_normal_form(expr, rec)


def linear_normal_form(e: Basic, rec: list[Condition]) -> Basic:
    """The normal form of :class:`Linearity`, recording the convergence it relies on."""
    if not e.args:
        return e
    args = [linear_normal_form(a, rec) for a in e.args]
    if isinstance(e, (Integral, Sum)):
        body = args[0]
        cls = type(e)
        for lim in e.limits:
            body = _pull(body, tuple(lim), cls, rec)
        return body
    return e.func(*args)


def _pull(body: Expr, lim: tuple[Basic, ...], cls: type, rec: list[Condition]) -> Expr:
    v = lim[0]
    out = []
    terms = Add.make_args(body)
    for term in terms:
        indep: list[Expr] = []
        dep: list[Expr] = []
        exponents: list[Expr] = []
        for fac in Mul.make_args(term):
            if isinstance(fac, exp):
                exponents.append(fac.args[0])
            elif v in free_symbols(fac):
                dep.append(fac)
            else:
                indep.append(fac)
        if exponents:
            total = sympy.expand(Add(*exponents))
            d = [t for t in Add.make_args(total) if v in free_symbols(t)]
            c = [t for t in Add.make_args(total) if v not in free_symbols(t)]
            if c:
                indep.append(exp(Add(*c)))
            if d:
                dep.append(exp(Add(*d)))
        part = cls(Mul(*dep), lim)
        if len(terms) > 1 or indep:
            needs_convergence(part, rec)
        out.append(Mul(*indep) * part)
    return Add(*out)


class Fubini(Rule):
    """Fubini–Tonelli: swap iterated integrals (or sums) over each given pair ``(a, b)``.

    The variables between and including the pair must have limits that do not depend on
    any of them (a product region); the iterated integral must converge absolutely —
    recorded, unless every sum swapped is finite. Points of ℝᵈ/ℤᵈ range over their whole
    space, a product region (Fubini–Tonelli on ℝᵈ × ℝᵐ).
    """

    vector_safe = True

    def __init__(self, *pairs: tuple[Symbol, Symbol]) -> None:
        if not pairs or any(not isinstance(p, (tuple, list)) or len(p) != 2 for p in pairs):
            raise InvalidArgument(f"pairs={pairs!r}: Fubini needs pairs (a, b) of bound variables")
        self.pairs = tuple((symbol_arg(a, "pairs"), symbol_arg(b, "pairs")) for a, b in pairs)

    def describe(self) -> str:
        # "over j1, j2 and t1, t2" for disjoint pairs, "over c and k1, k2" when one variable
        # moves past several, "j ↔ t, then n ↔ j" when the swaps share variables otherwise
        first = list(dict.fromkeys(str(a) for a, _ in self.pairs))
        second = list(dict.fromkeys(str(b) for _, b in self.pairs))
        if not set(first) & set(second) and (len(first) == len(self.pairs)
                                              or len(first) == 1 or len(second) == 1):
            return (f"swapping the order over {', '.join(first)} and {', '.join(second)} "
                    "(Fubini–Tonelli)")
        swaps = ", then ".join(f"{a} ↔ {b}" for a, b in self.pairs)
        return f"swapping the order {swaps} (Fubini–Tonelli)"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        for a, b in self.pairs:
            def swap(binder: Basic, a: Symbol = a, b: Symbol = b) -> Basic:
                lims = [tuple(lim) for lim in binder.limits]
                names = [lim[0] for lim in lims]
                if b not in names or a == b:
                    raise RuleFailure(f"{a} and {b} are not bound by the same iterated "
                                      "integral or sum")
                i, j = sorted((names.index(a), names.index(b)))
                block = set(names[: j + 1])
                for k in range(i, j + 1):
                    if len(lims[k]) != 3 or free_in(lims[k][1:]) & block:
                        raise RuleFailure("the limits are not independent (not a product "
                                          "region)")
                if not (isinstance(binder, Sum) and all(
                        lim[1].is_finite and lim[2].is_finite for lim in lims[i:j + 1])):
                    rec.append(Condition("absolute", binder, function_classes(binder)))
                lims[i], lims[j] = lims[j], lims[i]
                return type(binder)(binder.function, *lims)

            expr = replace_binders(expr, a, swap, "swap the order")
        return expr


class ExchangeSumIntegral(Rule):
    """∫ Σ_{c=a}^{b} F dz = Σ_{c=a}^{b} ∫ F dz for a finite sum whose limits do not involve
    z; each ∫ F dz must converge (recorded)."""

    vector_safe = True

    def describe(self) -> str:
        return "exchanging the finite sum and the integral"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        found = []

        def ok(n: Basic) -> bool:
            if not (isinstance(n, Integral) and isinstance(n.function, Sum)):
                return False
            zs = {lim[0] for lim in n.limits}
            return is_finite_sum(n.function) and not (free_in(
                b for lim in n.function.limits for b in lim[1:]) & zs)

        def swap(n: Basic) -> Basic:
            found.append(n)
            # a sum variable that also names a symbol in the integral's limits is renamed
            # first: it would capture it once the integral moves inside the sum
            zs = {lim[0] for lim in n.limits}
            s = rename_bound(n.function,
                             free_in(b for lim in n.limits for b in lim[1:]) | zs)
            slims = [tuple(lim) for lim in s.limits]
            inner = Integral(s.function, *n.limits)
            needs_convergence(inner, rec)
            return Sum(inner, *slims)

        out = expr.replace(ok, swap)
        if not found:
            raise RuleFailure("no integral of a finite sum")
        return out
