"""Rules for points of ℝᵈ and ℤᵈ with a symbolic dimension d (vector variables, see
:mod:`convmath.symbolic.vectors`): change of variables, sifting by δ, and differentiation
along an axis i."""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Abs, Add, Basic, Expr, Integral, Mul, S, Subs, Sum, Symbol, oo
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument
from convmath.symbolic.kernel import (
    Condition,
    RuleFailure,
    free_symbols,
    fresh,
    function_classes,
    subst,
)
from convmath.symbolic.rules.base import (
    Context,
    NormalFormRule,
    Rule,
    expr_arg,
    free_in,
    is_finite_sum,
    replace_binders,
    text,
)
from convmath.symbolic.rules.delta import sift_with
from convmath.symbolic.vectors import (
    AxisPartial,
    Det,
    Dot,
    LinearMap,
    VectorDelta,
    has_vectors,
    in_space,
    is_vector,
    space_text,
    vector_form,
)

__all__ = ["ChangeOfVariables", "LeibnizAxis", "SiftVector", "differentiate_axis"]


def _vector_arg(v: Any, name: str) -> Symbol:
    if not is_vector(v):
        raise InvalidArgument(f"{name}={v!r} must be a vector variable (a point of ℝᵈ or ℤᵈ)")
    out: Symbol = v
    return out


class ChangeOfVariables(Rule):
    """``old = c·new + b`` in the integral over ℝᵈ (or sum over ℤᵈ) binding the point
    ``old``: the map w ↦ c·w + b is a bijection of ℝᵈ for a real c ≠ 0, with Jacobian
    |det(c·I)| = |c|ᵈ; of ℤᵈ for c = ±1 and b ∈ ℤᵈ (a translation, or a reflection and a
    translation). ``old = A(new) + b`` for a linear map A of ℝᵈ (:func:`~convmath.symbolic.
    vectors.linear_map`): a bijection when A is invertible — recorded, for the hypothesis
    ``Invertible(A)`` — with Jacobian |det A|, put in front of the integral. The limits stay
    (−∞, ∞): a point has no orientation to reverse."""

    vector_safe = True

    def __init__(self, old: Any, phi: Any, new: Any) -> None:
        self.old = _vector_arg(old, "old")
        self.new = _vector_arg(new, "new")
        if self.old.space != self.new.space:
            raise InvalidArgument(f"new={new!r}: not a point of {space_text(self.old.space)}")
        self.phi = expr_arg(phi, "phi")

    def describe(self) -> str:
        jac = self._jac()
        shown = "" if jac is S.NaN else f" (|det| = {text(jac)})"
        return f"substituting {self.old} = {text(self.phi)}{shown}"

    def describe_latex(self) -> str:
        return (f"substituting ${sympy.latex(self.old)} = {sympy.latex(self.phi)}$ "
                f"($|\\det| = {sympy.latex(self._jac())}$)")

    def _coefficient(self) -> tuple[Expr, Expr, Basic | None]:
        """(c, b, None) for old = c·new + b; (1, b, A) for old = A(new) + b."""
        form = vector_form(self.phi)
        hits = [k for k in (form or {}) if k == self.new or (
            isinstance(k, LinearMap) and k.args[1] == self.new)]
        if form is None or len(hits) != 1:
            raise RuleFailure(f"{self.old} = {text(self.phi)} is not c·{self.new} + b or "
                              f"A({self.new}) + b")
        (k,), c = hits, form[hits[0]]
        b = sympy.expand(self.phi - c * k)
        if k == self.new:
            return c, b, None
        if c != 1:
            raise RuleFailure(f"{self.old} = {text(self.phi)}: write the linear map's factor "
                              "into the map (A(w) + b)")
        return c, b, k.args[0]

    def _jac(self) -> Expr:
        try:
            c, _, A = self._coefficient()
        except RuleFailure:
            return S.NaN
        if A is not None:
            return Abs(Det(A))
        if c in (S.One, S.NegativeOne):
            return S.One
        jac: Expr = Abs(c) ** self.old.dim
        return jac

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        old, new, phi = self.old, self.new, self.phi
        c, b, A = self._coefficient()
        if old != new and old in free_symbols(phi):
            raise RuleFailure(f"{old} = {text(phi)} mentions {old} itself")
        if A is not None:
            if old.discrete or A.space != old.space:
                raise RuleFailure(f"{A} is not a linear map of {space_text(old.space)}")
            rec.append(Condition("invertible", A, frozenset(), (A,),
                                 note=f"{A} is invertible (det {A} ≠ 0)"))
        elif self.old.discrete:
            if c not in (S.One, S.NegativeOne):
                raise RuleFailure(f"{old} = {text(phi)} is not a bijection of "
                                  f"{space_text(old.space)} (need ±{new} + a point of it)")
        elif c.is_extended_real is not True or c.is_zero is not False \
                or c.is_finite is not True:
            raise RuleFailure(f"the factor {text(c)} is not known to be real, finite and "
                              "non-zero (the map would not be a bijection of ℝᵈ)")
        if not in_space(b, old.space):
            kind = "integer" if old.discrete else "real, finite"
            raise RuleFailure(f"the shift {text(b)} is not known to be a point of "
                              f"{space_text(old.space)} ({kind} coefficients, points of "
                              "that space)")
        jac = self._jac()

        def one(binder: Basic) -> Basic:
            limits = [tuple(lim) for lim in binder.limits]
            i = next(j for j, lim in enumerate(limits) if lim[0] == old)
            if tuple(limits[i][1:]) != (-oo, oo):  # pragma: no cover - sorts refuse these
                raise RuleFailure(f"{old} does not range over its whole space")
            inner = {lim[0] for lim in limits[:i]}
            if (free_symbols(phi) - {new}) & inner:
                raise RuleFailure(f"{old} = {text(phi)} depends on an inner variable")
            if new != old and (new in binder.atoms(Symbol)
                               or any(lim[0] == new for lim in limits)):
                raise RuleFailure(f"the new variable {new} is already in use")
            lims = [(new, -oo, oo) if j == i else lim for j, lim in enumerate(limits)]
            if A is not None:  # |det A|, a constant, in front
                return jac * type(binder)(subst(binder.function, {old: phi}), *lims)
            body = subst(binder.function, {old: phi}) * jac
            return type(binder)(body, *lims)

        return replace_binders(expr, old, one, f"substitute {old} = {text(phi)}")


# -- δ --------------------------------------------------------------------------------------


def _solve(delta: VectorDelta, v: Basic) -> Expr | None:
    """c with δ(±(v − c)) = the given δ, if the argument is ±v + (something free of v)."""
    form = vector_form(delta.args[0])
    if form is None or v not in form or form[v] not in (S.One, S.NegativeOne):
        return None
    a = form[v]
    c: Expr = sympy.expand(v - delta.args[0] / a)
    return None if v in free_symbols(c) else c


def _sift_once(e: Basic, rec: list[Condition] | None) -> Basic:
    if not isinstance(e, (Integral, Sum)):
        return e
    v = e.limits[0][0]
    if not is_vector(v):
        return e
    factors = Mul.make_args(e.function)
    for k, fac in enumerate(factors):
        if not (isinstance(fac, VectorDelta) and fac.space == v.space):
            continue
        c = _solve(fac, v)
        if c is None:
            continue
        rest = Mul(*(factors[:k] + factors[k + 1:]))
        if not v.discrete:
            _continuity(rest, v, c, rec)
        rest = subst(rest, {v: c})
        return type(e)(rest, *e.limits[1:]) if len(e.limits) > 1 else rest
    return e


def _continuity(rest: Expr, v: Basic, c: Expr, rec: list[Condition] | None) -> None:
    """∫ F(z) δ(z − c) dz = F(c) needs F continuous at c: undefined functions of the point
    (recorded), and δ's whose argument still depends on another point (a convolution of
    point masses); anything else depending on z is refused."""
    for fac in Mul.make_args(rest):
        if v not in free_symbols(fac):
            continue
        if isinstance(fac, VectorDelta):
            form = vector_form(subst(fac.args[0], {v: c})) or {}
            if _solve(fac, v) is not None and form:
                continue
            raise RuleFailure(f"{text(fac)} is not continuous in {v}: a product of deltas "
                              "in the same point is undefined")
        if isinstance(fac, AppliedUndef) and all(
                v not in free_symbols(a) or vector_form(a) is not None for a in fac.args):
            if rec is not None:
                rec.append(Condition("continuous", fac, function_classes(fac)))
            continue
        raise RuleFailure(f"{text(fac)} may be discontinuous at {v} = {text(c)}: δ does "
                          "not sift it")


def sift_vectors(e: Basic, rec: list[Condition] | None = None) -> Basic:
    """The sifting property wherever it applies to a point of ℝᵈ/ℤᵈ (the innermost one)."""
    return sift_with(e, _sift_once, rec)


class SiftVector(NormalFormRule):
    """∫_{ℝᵈ} F(z) δ(z − c) dz = F(c) (F continuous at c: recorded for unknown functions,
    refused for anything else that depends on z) and Σ_{a ∈ ℤᵈ} F(a) δ[a − c] = F(c)."""

    vector_safe = True

    def describe(self) -> str:
        return "the sifting property of δ on ℝᵈ / ℤᵈ"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        return sift_vectors(expr, rec)


# -- ∂/∂xᵢ ----------------------------------------------------------------------------------


def differentiate_axis(e: Basic, x: Basic, i: Expr) -> Expr:
    """∂/∂xᵢ of ``e`` (free of binders and operators): sums, products, integer powers, and
    undefined functions whose point depends on x through c·x (chain rule: c·(∂ᵢh)(point));
    anything else that depends on x is refused."""
    if x not in free_symbols(e):
        return S.Zero
    if isinstance(e, Add):
        return Add(*[differentiate_axis(a, x, i) for a in e.args])
    if isinstance(e, Mul):
        args = list(e.args)
        out: Expr = S.Zero
        for k, a in enumerate(args):
            if x in free_symbols(a):
                out += Mul(*args[:k], differentiate_axis(a, x, i), *args[k + 1:])
        return out
    if isinstance(e, sympy.Pow) and x not in free_symbols(e.exp) and e.exp.is_integer:
        return e.exp * e.base ** (e.exp - 1) * differentiate_axis(e.base, x, i)
    if isinstance(e, AppliedUndef):
        hits = [k for k, a in enumerate(e.args) if x in free_symbols(a)]
        if len(hits) != 1:
            raise RuleFailure(f"{text(e)}: x occurs in more than one argument")
        k = hits[0]
        form = vector_form(e.args[k])
        if form is None or x not in form or any(
                p != x and x in free_symbols(p) for p in form):  # A(x) depends on x too
            raise RuleFailure(f"{text(e)}: {text(e.args[k])} is not c·{x} + (a point free of "
                              f"{x})")
        c = form[x]
        t = fresh(x)
        inner = AxisPartial(e.func(*e.args[:k], t, *e.args[k + 1:]), t, i)
        return c * subst(inner, {t: e.args[k]})
    if isinstance(e, (Dot, Subs, VectorDelta)) or has_vectors(e):
        raise RuleFailure(f"cannot differentiate {text(e)} along an axis here")
    raise RuleFailure(f"cannot differentiate {text(e)} along an axis")  # pragma: no cover


class LeibnizAxis(Rule):
    """∂/∂xᵢ ∫ F dz = ∫ ∂F/∂xᵢ dz (also for sums), then the derivative of the integrand by
    the product and chain rules (:func:`differentiate_axis`). No limit may depend on x (a
    point's limits are ±∞); that the derivative may move under the integral is recorded,
    unless the sum is finite."""

    vector_safe = True

    def describe(self) -> str:
        return "differentiating under the integral sign along axis i (Leibniz)"

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        found = []

        def is_target(n: Basic) -> bool:
            return isinstance(n, AxisPartial) and isinstance(n.expr, (Integral, Sum))

        def move(n: Basic) -> Basic:
            binder, x, i = n.expr, n.var, n.axis
            for lim in binder.limits:
                if lim[0] == x:
                    raise RuleFailure("the differentiation variable is bound")
                if x in free_in(lim[1:]):
                    raise RuleFailure("the limits depend on the differentiation variable")
            if not is_finite_sum(binder):
                rec.append(Condition("leibniz", binder, function_classes(binder)))
            found.append(n)
            return type(binder)(differentiate_axis(binder.function, x, i), *binder.limits)

        out = expr.replace(is_target, move)
        if not found:
            raise RuleFailure("no ∂/∂xᵢ of an integral or sum")
        return out
