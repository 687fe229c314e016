"""Using a support hypothesis: ``fn`` vanishes outside [lo, hi] (on ℤ)."""

from __future__ import annotations

import sympy
from sympy import Basic, Expr, Mul, S, Sum, Symbol, oo
from sympy.core.function import AppliedUndef

from convmath.symbolic._input import symbol_arg
from convmath.symbolic.kernel import Condition, RuleFailure, free_symbols, subst
from convmath.symbolic.kernel import support_condition as _support
from convmath.symbolic.rules.base import (
    Context,
    Rule,
    expr_arg,
    function_arg,
    replace_binders,
    text,
    walk_scoped,
)

__all__ = ["RestrictToSupport", "VanishOutsideSupport"]


def _support_factor(body: Expr, fn: object, v: Symbol) -> Expr | None:
    """The shift c when ``body`` has a factor fn(v + c) (one argument, coefficient 1)."""
    for fac in Mul.make_args(body):
        if isinstance(fac, AppliedUndef) and fac.func == fn and len(fac.args) == 1:
            arg = fac.args[0]
            if sympy.diff(arg, v) == 1:
                c = sympy.expand(arg - v)
                if v not in free_symbols(c) and c.is_integer is True:
                    return c
    return None


def _consistent(lo: Expr, hi: Expr) -> None:
    if (hi - lo + 1).is_nonnegative is not True or lo.is_integer is not True \
            or hi.is_integer is not True:
        raise RuleFailure(f"the support [{text(lo)}, {text(hi)}] is not known to be a "
                          "(possibly empty) range of integers with lo ≤ hi + 1")


def _not_captured(expr: Basic, var: Symbol, bounds: tuple[Expr, ...]) -> None:
    """The support's bounds speak of free symbols: refuse a target sum inside a binder of
    one of them."""
    free = set().union(*(free_symbols(b) for b in bounds))
    for n, above in walk_scoped(expr):
        if isinstance(n, Sum) and any(lim[0] == var for lim in n.limits) and free & above:
            raise RuleFailure(f"the support bounds mention {sorted(map(str, free & above))}, "
                              "bound around the sum")


class RestrictToSupport(Rule):
    """Σ_{v∈ℤ} fn(v + c)·F = Σ_{v=lo−c}^{hi−c} fn(v + c)·F when fn vanishes outside
    [lo, hi] (a support condition, recorded: state it as a hypothesis)."""

    def __init__(self, fn: object, lo: Expr, hi: Expr, var: Symbol) -> None:
        self.fn, self.var = function_arg(fn, "fn"), symbol_arg(var, "var")
        self.lo, self.hi = expr_arg(lo, "lo"), expr_arg(hi, "hi")

    def describe(self) -> str:
        return f"{self.fn} = 0 outside [{text(self.lo)}, {text(self.hi)}] (hypothesis)"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        _consistent(self.lo, self.hi)

        def restrict(b: Basic) -> Basic:
            lims = [tuple(lim) for lim in b.limits]
            if not isinstance(b, Sum) or len(lims) != 1 or lims[0][1:] != (-oo, oo):
                raise RuleFailure("needs a single sum over all of ℤ")
            c = _support_factor(b.function, self.fn, self.var)
            if c is None:
                raise RuleFailure(f"the summand has no factor {self.fn}({self.var} + c) "
                                  "with c an integer")
            rec.append(_support(self.fn, self.lo, self.hi))
            return Sum(b.function, (self.var, self.lo - c, self.hi - c))

        _not_captured(expr, self.var, (self.lo, self.hi))
        return replace_binders(expr, self.var, restrict, "restrict to the support")


class VanishOutsideSupport(Rule):
    """A sum Σ_{q=a}^{b} fn(arg)·F (with a ≤ b + 1) is 0 when, by SymPy's assumptions,
    arg > hi (or arg < lo) for every q ≥ a (or every q ≤ b): fn vanishes outside [lo, hi]
    (a support condition, recorded)."""

    def __init__(self, fn: object, lo: Expr, hi: Expr) -> None:
        self.fn = function_arg(fn, "fn")
        self.lo, self.hi = expr_arg(lo, "lo"), expr_arg(hi, "hi")

    def describe(self) -> str:
        return (f"every term has {self.fn} outside [{text(self.lo)}, {text(self.hi)}], "
                "where it vanishes (hypothesis)")

    def _outside(self, arg: Expr, q: Symbol, a: Expr, b: Expr) -> bool:
        r = sympy.Dummy("r", integer=True, nonnegative=True)
        for q_of_r in (a + r, b - r):
            shifted = sympy.expand(subst(arg, {q: q_of_r}))
            if (shifted - self.hi).is_positive or (self.lo - shifted).is_positive:
                return True
        return False

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        _consistent(self.lo, self.hi)
        found = []

        def vanishes(b: Basic) -> bool:
            if not isinstance(b, Sum) or len(b.limits) != 1 or len(b.limits[0]) != 3:
                return False
            q, a, hi_q = b.limits[0]
            if not (a.is_finite and hi_q.is_finite and a.is_integer and hi_q.is_integer):
                return False
            if (hi_q - a + 1).is_nonnegative is not True:
                return False  # a reversed sum is minus the sum over the terms in between
            return any(isinstance(fac, AppliedUndef) and fac.func == self.fn
                       and len(fac.args) == 1 and self._outside(fac.args[0], q, a, hi_q)
                       for fac in Mul.make_args(b.function))

        def zero(b: Basic) -> Basic:
            found.append(b)
            rec.append(_support(self.fn, self.lo, self.hi))
            return S.Zero

        captured = free_symbols(self.lo) | free_symbols(self.hi)
        for n, above in walk_scoped(expr):
            if isinstance(n, Sum) and captured & above and vanishes(n):
                raise RuleFailure(f"the support [{text(self.lo)}, {text(self.hi)}] mentions "
                                  f"{sorted(map(str, captured & above))}, bound around the sum")
        out = expr.replace(vanishes, zero)
        if not found:
            raise RuleFailure(f"no sum whose terms all evaluate {self.fn} outside its support")
        return out
