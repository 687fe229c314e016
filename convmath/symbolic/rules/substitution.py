"""Changes of variables in one integral or sum: affine substitution, reversing the limits,
renaming."""

from __future__ import annotations

import sympy
from sympy import Basic, Expr, Integral, Poly, S, Sum, Symbol, oo

from convmath.errors import InvalidArgument
from convmath.symbolic._input import symbol_arg
from convmath.symbolic.kernel import Condition, RuleFailure, free_symbols, subst
from convmath.symbolic.rules.base import (
    Context,
    Rule,
    expr_arg,
    replace_binders,
    text,
    variable_ok,
)

__all__ = ["Rename", "ReverseLimits", "Substitute"]


def _affine(phi: Expr, new: Symbol) -> tuple[Expr, Expr]:
    """(a, b) with phi = a·new + b, a and b free of ``new``; else RuleFailure."""
    bad = RuleFailure(f"{phi} is not an affine map a·{new} + b (a bijection)")
    if not phi.has(new):
        raise bad
    try:
        p = Poly(phi, new)
    except sympy.PolynomialError:
        raise bad from None
    if p.degree() != 1:
        raise bad
    a, b = p.coeff_monomial(new), p.coeff_monomial(1)
    if a.has(new) or b.has(new) or sympy.expand(a * new + b - phi) != 0:
        raise bad
    if a.has(sympy.Piecewise, sympy.Heaviside, sympy.sign, sympy.floor, sympy.ceiling) \
            or b.has(sympy.Piecewise, sympy.floor, sympy.ceiling):
        raise bad
    return a, b


def _domain(v: Expr, what: str, rec: list[Condition]) -> None:
    """Record that ``v`` must be real (an integer) — not known from its symbols'
    assumptions (declare them: Symbol('x', real=True))."""
    rec.append(Condition("domain", v, frozenset(), (what,),
                         note=f"{text(v)} is {what} (declare it: real=True / integer=True)"))


def change_variable(binder: Basic, old: Symbol, phi: Expr, new: Symbol,
                    rec: list[Condition]) -> Basic:
    """The integral or sum ``binder`` after ``old = phi(new)`` (affine, see
    :class:`Substitute`)."""
    limits = [tuple(lim) for lim in binder.limits]
    i = next(j for j, lim in enumerate(limits) if lim[0] == old)
    if len(limits[i]) != 3:
        raise RuleFailure(f"{old} has no limits to map")
    if old != new and old in free_symbols(phi):
        raise RuleFailure(f"{old} = {text(phi)} mentions {old} itself, which the "
                          "substitution makes free")
    a, b = _affine(phi, new)
    inner = {lim[0] for lim in limits[:i]}
    if free_symbols(phi) - {new} & inner:
        raise RuleFailure(f"{old} = {text(phi)} depends on an inner variable")
    if new in binder.atoms(Symbol) and new != old:
        raise RuleFailure(f"the new variable {new} is already in use")
    if any(lim[0] == new for j, lim in enumerate(limits) if j != i):
        raise RuleFailure(f"the new variable {new} is already in use")
    lo, hi = limits[i][1], limits[i][2]
    discrete = isinstance(binder, Sum)
    if discrete:
        if a not in (S.One, S.NegativeOne) or b.is_integer is False:
            raise RuleFailure(f"{old} = {text(phi)} is not a bijection of ℤ (need "
                              f"±{new} + an integer)")
        if b.is_integer is not True:
            _domain(b, "an integer", rec)
        if a == -1 and not (lo == -oo or hi == oo or (hi - lo + 1).is_nonnegative):
            raise RuleFailure(f"cannot show {text(lo)} ≤ {text(hi)} + 1 (a reversed sum "
                              "does not reflect)")
        if b.is_finite is False:
            raise RuleFailure(f"the shift {text(b)} is not finite")

        def sh(v: Expr) -> Expr:
            return v if v in (oo, -oo) else v - b

        def ref(v: Expr) -> Expr:
            return -v if v in (oo, -oo) else b - v

        new_lo, new_hi = (sh(lo), sh(hi)) if a == 1 else (ref(hi), ref(lo))
    else:
        if not isinstance(binder, Integral):
            raise RuleFailure("only integrals and sums can change variables")
        if a.is_extended_real is False or a.is_zero is not False or a.is_finite is False:
            raise RuleFailure(f"the Jacobian {text(a)} is not known to be non-zero and real")
        if b.is_extended_real is False or b.is_finite is False:
            raise RuleFailure(f"the shift {text(b)} is not real")
        for v, what in ((a, "real"), (b, "real")):
            if v.is_extended_real is not True or v.is_finite is not True:
                _domain(v, what, rec)
        sign = 1 if a.is_positive else -1 if a.is_negative else 0
        if sign == 0 and (lo in (oo, -oo) or hi in (oo, -oo)):
            raise RuleFailure(f"the sign of the Jacobian {text(a)} is unknown (needed to "
                              "map an infinite limit)")

        def inv(v: Expr) -> Expr:
            if v in (oo, -oo):
                return sign * v
            return sympy.expand((v - b) / a)

        new_lo, new_hi = inv(lo), inv(hi)
    why = variable_ok(new, type(binder), (new_lo, new_hi))
    if why:
        raise RuleFailure(why)
    body = subst(binder.function, {old: phi})
    if not discrete:
        body = body * a
    new_limits = []
    for j, lim in enumerate(limits):
        if j < i:
            new_limits.append((lim[0], *[subst(x, {old: phi}) for x in lim[1:]]))
        elif j == i:
            new_limits.append((new, new_lo, new_hi))
        else:
            new_limits.append(lim)
    return type(binder)(body, *new_limits)


class Substitute(Rule):
    """Affine change of variables ``old = expr(new)`` in the integral or sum binding ``old``.

    Integrals: z = a·w + b with a a non-zero real (its sign known when a limit is infinite)
    and b real; the integrand gains the Jacobian a and each limit L becomes (L − b)/a
    (±∞ ↦ sign(a)·±∞), keeping the orientation. Sums: a = ±1 and b an integer (a bijection
    of ℤ). Several substitutions may be given as triples ``(old, expr, new)``.
    """

    def __init__(self, *triples: tuple[Symbol, Expr, Symbol]) -> None:
        if not triples:
            raise InvalidArgument("Substitute needs at least one (old, expr, new) triple")
        checked = []
        for t in triples:
            if not isinstance(t, (tuple, list)) or len(t) != 3:
                raise InvalidArgument(
                    f"triple={t!r}: Substitute takes (old, expr, new) triples")
            checked.append((symbol_arg(t[0], "old"), expr_arg(t[1], "expr"),
                            symbol_arg(t[2], "new")))
        self.triples = tuple(checked)

    def describe(self) -> str:
        subs = ", ".join(f"{o} = {text(e)}" for o, e, _ in self.triples)
        return f"substituting {subs}"

    def describe_latex(self) -> str:
        subs = ", ".join(f"${sympy.latex(o)} = {sympy.latex(e)}$" for o, e, _ in self.triples)
        return f"substituting {subs}"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        for old, phi, new in self.triples:
            def one(b: Basic, o: Symbol = old, p: Expr = phi, n: Symbol = new) -> Basic:
                return change_variable(b, o, p, n, rec)

            expr = replace_binders(expr, old, one, f"substitute {old} = {text(phi)}")
        return expr


class ReverseLimits(Rule):
    """∫_b^a F dz = −∫_a^b F dz, for each given variable."""

    def __init__(self, *variables: Symbol) -> None:
        self.variables = tuple(symbol_arg(v, "variables") for v in variables)

    def describe(self) -> str:
        return "reversing the limits"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        for v in self.variables:
            def rev(b: Basic, v: Symbol = v) -> Basic:
                if not isinstance(b, Integral):
                    raise RuleFailure("only integrals have oriented limits")
                if any(lim[0] == v and len(lim) != 3 for lim in b.limits):
                    raise RuleFailure(f"{v} has no limits to reverse")
                lims = [(lim[0], lim[2], lim[1]) if lim[0] == v else tuple(lim)
                        for lim in b.limits]
                return Integral(-b.function, *lims)

            expr = replace_binders(expr, v, rev, "reverse limits")
        return expr


class Rename(Rule):
    """Rename the bound variable ``old`` to ``new`` (which must not occur in its binder, and
    may carry no assumption the binder does not give it)."""

    def __init__(self, old: Symbol, new: Symbol) -> None:
        self.old, self.new = symbol_arg(old, "old"), symbol_arg(new, "new")

    def describe(self) -> str:
        return f"renaming {self.old} to {self.new}"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        if self.old == self.new:
            raise RuleFailure("renaming a variable to itself")

        def ren(b: Basic) -> Basic:
            return change_variable(b, self.old, self.new, self.new, rec)

        return replace_binders(expr, self.old, ren, "rename")
