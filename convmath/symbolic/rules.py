"""Executable proof rules.

A rule checks one step ``prev = claimed`` of a derivation by *re-doing* it: it transforms
``prev`` (or, for rules given by a normal form, both sides) with SymPy and compares the
result with ``claimed`` up to renaming of bound variables (:func:`~convmath.symbolic.canon.
alpha_equal`). Only :class:`Algebra` and :class:`Compute` use ``expand``/``simplify``, and only
on subexpressions free of integrals, sums, derivatives and operators.

Rules (what each re-executes):

- :class:`Definition` — unfold ∗, ⋆, ℱ, ↑, Δ on both sides and compare;
- :class:`Substitute` — affine change of variables z = a·w + b in an integral (Jacobian a,
  limits mapped, orientation kept) or a sum (a = ±1, b an integer);
- :class:`ReverseLimits` — ∫_b^a F = −∫_a^b F;
- :class:`Leibniz` / :class:`DifferenceUnderSum` — d/dx ∫ F dz = ∫ ∂F/∂x dz, Δ Σ F = Σ ΔF;
- :class:`Fubini` — swap two iterated integrals or sums with independent limits;
- :class:`Linearity` — split integrals/sums over + and move factors in and out;
- :class:`Rename` — rename a bound variable;
- :class:`Sift` — ∫ F(z) δ(z − c) dz = F(c), Σ_k F(k) δ[k, c] = F(c);
- :class:`DifferentiateLinear` — ∂/∂x(u) of an expression linear in the values of x;
- :class:`ExchangeSumIntegral` — ∫ Σ_{c=a}^{b} = Σ_{c=a}^{b} ∫ for a finite sum;
- :class:`RestrictToSupport`, :class:`VanishOutsideSupport` — use a stated support
  hypothesis (f = 0 outside [lo, hi]); SymPy checks the index arithmetic;
- :class:`Lemma` — instantiate a registered (and verified) theorem and rewrite with it;
- :class:`Algebra` — the parts that differ are equal by algebra (expand, then simplify);
- :class:`Compute` — evaluate finite sums and derivatives, then compare by algebra.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable
from typing import Any

import sympy
from sympy import (
    Add,
    Basic,
    DiracDelta,
    Expr,
    Integral,
    KroneckerDelta,
    Mul,
    S,
    Sum,
    Symbol,
    exp,
    oo,
)
from sympy.core.function import AppliedUndef

from convmath.errors import InvalidArgument
from convmath.symbolic._input import str_arg, symbol_arg, sympy_arg
from convmath.symbolic.canon import alpha_equal, canonical, has_binder_or_operator
from convmath.symbolic.operators import OPERATOR_CLASSES, Partial

__all__ = [
    "Algebra",
    "Compute",
    "Definition",
    "DifferenceUnderSum",
    "DifferentiateLinear",
    "ExchangeSumIntegral",
    "Fubini",
    "Leibniz",
    "Lemma",
    "Linearity",
    "Rename",
    "RestrictToSupport",
    "ReverseLimits",
    "Rule",
    "RuleFailure",
    "Sift",
    "Substitute",
    "VanishOutsideSupport",
    "differentiate_linear",
]


class RuleFailure(Exception):
    """Raised inside a rule: the rule does not apply, or it does not give the claim."""

    def __init__(self, message: str, got: Basic | None = None) -> None:
        super().__init__(message)
        self.got = got


_Binder = (Integral, Sum)


def _function_arg(fn: Any, name: str) -> Any:
    """An undefined function (``Function('f')``), as support rules name them."""
    if not isinstance(fn, sympy.FunctionClass):
        raise InvalidArgument(f"{name}={fn!r} must be a SymPy function such as Function('f')")
    return fn


def _binders(e: Basic, var: Symbol) -> list[Basic]:
    return [n for n in sympy.preorder_traversal(e)
            if isinstance(n, _Binder) and any(lim[0] == var for lim in n.limits)]


def _replace_binders(e: Basic, var: Symbol, fn: Callable[[Basic], Basic], what: str) -> Basic:
    found = _binders(e, var)
    if not found:
        raise RuleFailure(f"no integral or sum binds {var} (needed to {what})")
    return e.xreplace({b: fn(b) for b in found})


def _bound_vars(e: Basic) -> set[Basic]:
    out: set[Basic] = set()
    for n in sympy.preorder_traversal(e):
        if isinstance(n, _Binder):
            out.update(lim[0] for lim in n.limits)
        elif isinstance(n, (sympy.Lambda, sympy.Subs)):
            out.update(n.variables)
    return out


class Rule:
    """A proof rule: ``check(prev, claimed)`` raises :class:`RuleFailure` unless it follows."""

    def describe(self) -> str:  # pragma: no cover - overridden
        """The reason as printed after "by"."""
        raise NotImplementedError

    def describe_latex(self) -> str:
        """The reason in LaTeX text mode (defaults to the Unicode text)."""
        return self.describe()

    def apply(self, expr: Basic) -> Basic:  # pragma: no cover - overridden
        """The rule's result on ``expr``."""
        raise NotImplementedError

    def check(self, prev: Basic, claimed: Basic) -> None:
        """Re-apply the rule to ``prev``; the result must be ``claimed`` up to bound names."""
        got = _normal_form(self, sympy_arg(prev, "prev"))
        if not alpha_equal(got, sympy_arg(claimed, "claimed")):
            raise RuleFailure("the rule gives a different expression", got)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"


class _NormalFormRule(Rule):
    """A rule given by a normal form: both sides must have the same normal form."""

    def check(self, prev: Basic, claimed: Basic) -> None:
        a = _normal_form(self, sympy_arg(prev, "prev"))
        b = _normal_form(self, sympy_arg(claimed, "claimed"))
        if not alpha_equal(a, b):
            raise RuleFailure("the two sides have different normal forms", a)


@functools.lru_cache(maxsize=4096)
def _normal_form(rule: Rule, expr: Basic) -> Basic:
    return rule.apply(expr)


# -- definitions --------------------------------------------------------------------------


def unfold_all(e: Basic, classes: tuple[type, ...] = OPERATOR_CLASSES) -> Basic:
    """Replace every operator of ``classes`` by its definition (innermost first)."""
    for _ in range(50):
        new = e.replace(
            lambda n: isinstance(n, classes),
            lambda n: n.doit(deep=False) if not hasattr(n, "unfold") else n.unfold(),
        )
        if new == e:
            return e
        e = new
    raise RuleFailure("unfolding did not terminate")  # pragma: no cover


class Definition(_NormalFormRule):
    """Unfold (or fold) the definition of an operator: both sides unfold to the same thing."""

    def __init__(self, symbol: str = "∗", *classes: type) -> None:
        self.symbol = str_arg(symbol, "symbol")
        if not all(isinstance(c, type) and issubclass(c, Basic) for c in classes):
            raise InvalidArgument(f"classes={classes!r} must be SymPy operator classes")
        self.classes = classes or OPERATOR_CLASSES

    def describe(self) -> str:
        return f"definition of {self.symbol}"

    def describe_latex(self) -> str:
        sym = {"∗": "$*$", "⋆": r"$\star$", "ℱ": r"$\mathcal{F}$", "Δ": r"$\Delta$",
               "↑": r"$\uparrow$"}.get(self.symbol, self.symbol)
        return f"definition of {sym}"

    def apply(self, expr: Basic) -> Basic:
        return unfold_all(expr, self.classes)


# -- change of variables ------------------------------------------------------------------


class Substitute(Rule):
    """Affine change of variables ``old = expr(new)`` in the integral or sum binding ``old``.

    Integrals: z = a·w + b, a ≠ 0 of known sign; the integrand gains the Jacobian a and each
    limit L becomes (L − b)/a (±∞ ↦ sign(a)·±∞), keeping the orientation. Sums: a = ±1 and
    b an integer (a bijection of ℤ); the limits are mapped and ordered, no Jacobian.
    Several substitutions may be given as triples ``(old, expr, new)``.
    """

    def __init__(self, *triples: tuple[Symbol, Expr, Symbol]) -> None:
        if not triples:
            raise InvalidArgument("Substitute needs at least one (old, expr, new) triple")
        checked = []
        for t in triples:
            if not isinstance(t, (tuple, list)) or len(t) != 3:
                raise InvalidArgument(
                    f"triple={t!r}: Substitute takes (old, expr, new) triples")
            checked.append((symbol_arg(t[0], "old"), sympy_arg(t[1], "expr", kinds=(Expr,)),
                            symbol_arg(t[2], "new")))
        self.triples = checked

    def describe(self) -> str:
        subs = ", ".join(f"{o} = {_txt(e)}" for o, e, _ in self.triples)
        return f"substituting {subs}"

    def describe_latex(self) -> str:
        subs = ", ".join(f"${sympy.latex(o)} = {sympy.latex(e)}$" for o, e, _ in self.triples)
        return f"substituting {subs}"

    def apply(self, expr: Basic) -> Basic:
        for old, phi, new in self.triples:
            def one(b: Basic, o: Basic = old, p: Basic = phi, n: Basic = new) -> Basic:
                return self._one(b, o, p, n)

            expr = _replace_binders(expr, old, one, f"substitute {old} = {phi}")
        return expr

    @staticmethod
    def _one(binder: Basic, old: Symbol, phi: Expr, new: Symbol) -> Basic:
        limits = [tuple(lim) for lim in binder.limits]
        i = next(j for j, lim in enumerate(limits) if lim[0] == old)
        a = sympy.diff(phi, new)
        b = sympy.expand(phi - a * new)
        if a.has(new) or a == 0 or not phi.has(new):
            raise RuleFailure(f"{old} = {phi} is not an affine change of variable in {new}")
        inner = {lim[0] for lim in limits[:i]}
        if (a.free_symbols | b.free_symbols) & inner:
            raise RuleFailure(f"{old} = {phi} depends on an inner integration variable")
        if new in binder.free_symbols or new in _bound_vars(binder.function) or any(
                new == lim[0] for lim in limits):
            raise RuleFailure(f"the new variable {new} is already in use")
        if phi.free_symbols & _bound_vars(binder.function):
            raise RuleFailure(f"{phi} would be captured by a variable bound inside")
        body = binder.function.subs(old, phi)
        new_limits = []
        for j, lim in enumerate(limits):
            if j < i:
                new_limits.append((lim[0], *[x.subs(old, phi) for x in lim[1:]]))
                continue
            if j > i:
                new_limits.append(lim)
                continue
            lo, hi = lim[1], lim[2]
            if isinstance(binder, Sum):
                if not (lo == -oo or hi == oo or (hi - lo + 1).is_nonnegative):
                    raise RuleFailure(f"cannot show {lo} ≤ {hi} + 1 (reversed sums differ)")
                if a not in (S.One, S.NegativeOne) or b.is_integer is not True:
                    raise RuleFailure(
                        f"{old} = {phi} is not a bijection of ℤ (need ±{new} + integer)")
                if new.is_integer is not True:
                    raise RuleFailure(f"the new summation variable {new} must be an integer")
                new_limits.append((new, lo - b, hi - b) if a == 1 else (new, b - hi, b - lo))
            else:
                if a.is_positive:
                    sign = 1
                elif a.is_negative:
                    sign = -1
                else:
                    raise RuleFailure(f"the sign of the Jacobian {a} is unknown")

                def inv(v: Expr, s: int = sign) -> Expr:
                    if v in (oo, -oo):
                        return s * v
                    return sympy.expand((v - b) / a)

                new_limits.append((new, inv(lo), inv(hi)))
        if isinstance(binder, Integral):
            body = body * a
        return type(binder)(body, *new_limits)


class ReverseLimits(Rule):
    """∫_b^a F dz = −∫_a^b F dz, for each given variable."""

    def __init__(self, *variables: Symbol) -> None:
        self.variables = tuple(symbol_arg(v, "variables") for v in variables)

    def describe(self) -> str:
        return "reversing the limits"

    def apply(self, expr: Basic) -> Basic:
        for v in self.variables:
            def rev(b: Basic, v: Symbol = v) -> Basic:
                if not isinstance(b, Integral):
                    raise RuleFailure("only integrals have oriented limits")
                lims = [(lim[0], lim[2], lim[1]) if lim[0] == v else tuple(lim)
                        for lim in b.limits]
                return Integral(-b.function, *lims)

            expr = _replace_binders(expr, v, rev, "reverse limits")
        return expr


class Rename(Rule):
    """Rename the bound variable ``old`` to ``new``."""

    def __init__(self, old: Symbol, new: Symbol) -> None:
        self.old, self.new = symbol_arg(old, "old"), symbol_arg(new, "new")

    def describe(self) -> str:
        return f"renaming {self.old} to {self.new}"

    def apply(self, expr: Basic) -> Basic:
        def ren(b: Basic) -> Basic:
            if self.new in b.free_symbols:
                raise RuleFailure(f"{self.new} is free in {b}")
            return b.xreplace({self.old: self.new})

        return _replace_binders(expr, self.old, ren, "rename")


# -- calculus -----------------------------------------------------------------------------


class Leibniz(Rule):
    """Differentiation under the integral (or sum) sign: d/dx ∫ F dz = ∫ ∂F/∂x dz."""

    def describe(self) -> str:
        return "differentiating under the integral sign (Leibniz)"

    def apply(self, expr: Basic) -> Basic:
        found = []

        def is_target(n: Basic) -> bool:
            return isinstance(n, sympy.Derivative) and isinstance(n.expr, _Binder)

        def move(n: Basic) -> Basic:
            binder = n.expr
            xs = [v for v, _ in n.variable_count]
            for lim in binder.limits:
                if any(x in _free_in(lim[1:]) for x in xs):
                    raise RuleFailure("the limits depend on the differentiation variable")
                if lim[0] in xs:
                    raise RuleFailure("differentiation variable is bound")
            found.append(n)
            return type(binder)(binder.function.diff(*n.variable_count), *binder.limits)

        out = expr.replace(is_target, move)
        if not found:
            raise RuleFailure("no derivative of an integral or sum to move inside")
        return out


def _free_in(items: Iterable[Basic]) -> set[Basic]:
    out: set[Basic] = set()
    for it in items:
        out |= it.free_symbols
    return out


class DifferenceUnderSum(Rule):
    """Δ_n Σ_k F = Σ_k Δ_n F (linearity of the sum; the limits do not involve n)."""

    def describe(self) -> str:
        return "taking the difference under the sum"

    def apply(self, expr: Basic) -> Basic:
        from convmath.symbolic.operators import Difference

        found = []

        def move(n: Basic) -> Basic:
            binder, var = n.expr, n.var
            if any(var in _free_in(lim) for lim in binder.limits):
                raise RuleFailure("the limits depend on the difference variable")
            found.append(n)
            f = binder.function
            return type(binder)(f.subs(var, var + 1) - f, *binder.limits)

        out = expr.replace(lambda n: isinstance(n, Difference) and isinstance(n.expr, _Binder),
                           move)
        if not found:
            raise RuleFailure("no difference of a sum to move inside")
        return out


class Fubini(Rule):
    """Fubini–Tonelli: swap iterated integrals (or sums) over each given pair ``(a, b)``."""

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

    def apply(self, expr: Basic) -> Basic:
        for a, b in self.pairs:
            def swap(binder: Basic, a: Symbol = a, b: Symbol = b) -> Basic:
                lims = [tuple(lim) for lim in binder.limits]
                names = [lim[0] for lim in lims]
                if b not in names:
                    raise RuleFailure(f"{a} and {b} are not bound by the same iterated "
                                      "integral or sum")
                i, j = names.index(a), names.index(b)
                bound = set(names)
                for k in (i, j):
                    if _free_in(lims[k][1:]) & bound:
                        raise RuleFailure("the limits are not independent (not a product "
                                          "region)")
                lims[i], lims[j] = lims[j], lims[i]
                return type(binder)(binder.function, *lims)

            expr = _replace_binders(expr, a, swap, "swap the order")
        return expr


class ExchangeSumIntegral(Rule):
    """∫ Σ_{c=a}^{b} F dz = Σ_{c=a}^{b} ∫ F dz for a finite sum (limits free of z)."""

    def describe(self) -> str:
        return "exchanging the finite sum and the integral"

    def apply(self, expr: Basic) -> Basic:
        found = []

        def ok(n: Basic) -> bool:
            if not (isinstance(n, Integral) and isinstance(n.function, Sum)):
                return False
            zs = {lim[0] for lim in n.limits}
            return all(
                lim[1].is_finite and lim[2].is_finite and not (_free_in(lim[1:]) & zs)
                for lim in n.function.limits
            )

        def swap(n: Basic) -> Basic:
            found.append(n)
            return Sum(Integral(n.function.function, *n.limits), *n.function.limits)

        out = expr.replace(ok, swap)
        if not found:
            raise RuleFailure("no integral of a finite sum")
        return out


class Linearity(_NormalFormRule):
    """Linearity of ∫ and Σ: split over +, move factors that do not involve the variable.

    Normal form: every integral/sum split over the top-level terms of its integrand, with
    every factor free of the bound variable moved out (an exponential e^{A+B} is split into
    e^{A}·e^{B} by the dependence of the terms of its exponent).
    """

    def describe(self) -> str:
        return "linearity"

    def apply(self, expr: Basic) -> Basic:
        return _lin_nf(expr)


def _lin_nf(e: Basic) -> Basic:
    if not e.args:
        return e
    args = [_lin_nf(a) for a in e.args]
    if isinstance(e, _Binder):
        body = args[0]
        cls = type(e)
        for lim in e.limits:
            body = _pull(body, tuple(lim), cls)
        return body
    return e.func(*args)


def _pull(body: Expr, lim: tuple[Basic, ...], cls: type) -> Expr:
    v = lim[0]
    out = []
    for term in Add.make_args(body):
        indep: list[Expr] = []
        dep: list[Expr] = []
        exponents: list[Expr] = []
        for fac in Mul.make_args(term):
            if isinstance(fac, exp):
                exponents.append(fac.args[0])
            elif v in fac.free_symbols:
                dep.append(fac)
            else:
                indep.append(fac)
        if exponents:
            total = sympy.expand(Add(*exponents))
            d = [t for t in Add.make_args(total) if v in t.free_symbols]
            c = [t for t in Add.make_args(total) if v not in t.free_symbols]
            if c:
                indep.append(exp(Add(*c)))
            if d:
                dep.append(exp(Add(*d)))
        out.append(Mul(*indep) * cls(Mul(*dep), lim))
    return Add(*out)


# -- delta functions ----------------------------------------------------------------------


def _delta_solution(fac: Basic, v: Symbol, discrete: bool) -> Expr | None:
    if discrete and isinstance(fac, KroneckerDelta):
        arg = fac.args[0] - fac.args[1]
    elif not discrete and isinstance(fac, DiracDelta) and len(fac.args) == 1:
        arg = fac.args[0]
    else:
        return None
    if v not in arg.free_symbols:
        return None
    a = sympy.diff(arg, v)
    if a not in (S.One, S.NegativeOne):
        return None
    c = sympy.expand(v - arg / a)
    if v in c.free_symbols:
        return None
    if discrete and c.is_integer is not True:
        return None
    return c


def _sift_once(e: Basic) -> Basic:
    if not isinstance(e, _Binder):
        return e
    lim = e.limits[0]
    v = lim[0]
    if lim[1] != -oo or lim[2] != oo:
        return e
    discrete = isinstance(e, Sum)
    factors = Mul.make_args(e.function)
    for i, fac in enumerate(factors):
        c = _delta_solution(fac, v, discrete)
        if c is None:
            continue
        rest = Mul(*(factors[:i] + factors[i + 1:])).subs(v, c)
        if len(e.limits) > 1:
            return type(e)(rest, *e.limits[1:])
        return rest
    return e


def sift_all(e: Basic) -> Basic:
    """Apply the sifting property wherever it applies (innermost variable, infinite range)."""
    for _ in range(50):
        new = e.replace(lambda n: isinstance(n, _Binder), _sift_once)
        if new == e:
            return e
        e = new
    return e  # pragma: no cover


class Sift(_NormalFormRule):
    """Sifting: ∫ F(z) δ(z − c) dz = F(c) and Σ_k F(k) δ[k, c] = F(c) (c an integer)."""

    def describe(self) -> str:
        return "the sifting property of δ"

    def apply(self, expr: Basic) -> Basic:
        return sift_all(expr)


# -- support hypotheses ---------------------------------------------------------------------


def _support_factor(body: Expr, fn: Any, v: Symbol) -> Expr | None:
    """The shift c when ``body`` has a factor fn(v + c) (one argument, coefficient 1)."""
    for fac in Mul.make_args(body):
        if isinstance(fac, AppliedUndef) and fac.func == fn and len(fac.args) == 1:
            arg = fac.args[0]
            if sympy.diff(arg, v) == 1:
                c = sympy.expand(arg - v)
                if v not in c.free_symbols:
                    return c
    return None


class RestrictToSupport(Rule):
    """Σ_{v∈ℤ} fn(v + c)·F = Σ_{v=lo−c}^{hi−c} fn(v + c)·F, by the hypothesis that fn vanishes
    outside [lo, hi] (stated with the theorem; SymPy cannot check it)."""

    def __init__(self, fn: Any, lo: Expr, hi: Expr, var: Symbol) -> None:
        self.fn, self.var = _function_arg(fn, "fn"), symbol_arg(var, "var")
        self.lo = sympy_arg(lo, "lo", kinds=(Expr,))
        self.hi = sympy_arg(hi, "hi", kinds=(Expr,))

    def describe(self) -> str:
        return f"{self.fn} = 0 outside [{_txt(self.lo)}, {_txt(self.hi)}] (hypothesis)"

    def apply(self, expr: Basic) -> Basic:
        def restrict(b: Basic) -> Basic:
            lims = [tuple(lim) for lim in b.limits]
            if not isinstance(b, Sum) or len(lims) != 1 or lims[0][1:] != (-oo, oo):
                raise RuleFailure("needs a single sum over all of ℤ")
            c = _support_factor(b.function, self.fn, self.var)
            if c is None:
                raise RuleFailure(f"the summand has no factor {self.fn}({self.var} + c)")
            return Sum(b.function, (self.var, self.lo - c, self.hi - c))

        return _replace_binders(expr, self.var, restrict, "restrict to the support")


class VanishOutsideSupport(Rule):
    """A finite sum Σ_{q=a}^{b} fn(arg)·F is 0 when, by SymPy's assumptions, arg > hi (or
    arg < lo) for every q ≥ a (or every q ≤ b): fn vanishes outside [lo, hi] (hypothesis)."""

    def __init__(self, fn: Any, lo: Expr, hi: Expr) -> None:
        self.fn = _function_arg(fn, "fn")
        self.lo = sympy_arg(lo, "lo", kinds=(Expr,))
        self.hi = sympy_arg(hi, "hi", kinds=(Expr,))

    def describe(self) -> str:
        return (f"every term has {self.fn} outside [{_txt(self.lo)}, {_txt(self.hi)}], "
                "where it vanishes (hypothesis)")

    def _outside(self, arg: Expr, q: Symbol, a: Expr, b: Expr) -> bool:
        r = sympy.Dummy("r", integer=True, nonnegative=True)
        for q_of_r in (a + r, b - r):
            shifted = sympy.expand(arg.subs(q, q_of_r))
            if (shifted - self.hi).is_positive or (self.lo - shifted).is_positive:
                return True
        return False

    def apply(self, expr: Basic) -> Basic:
        found = []

        def zero(b: Basic) -> Basic:
            found.append(b)
            return S.Zero

        def vanishes(b: Basic) -> bool:
            if not isinstance(b, Sum) or len(b.limits) != 1:
                return False
            q, a, hi_q = b.limits[0]
            if not (a.is_finite and hi_q.is_finite):
                return False
            return any(isinstance(fac, AppliedUndef) and fac.func == self.fn
                       and len(fac.args) == 1 and self._outside(fac.args[0], q, a, hi_q)
                       for fac in Mul.make_args(b.function))

        out = expr.replace(vanishes, zero)
        if not found:
            raise RuleFailure(f"no sum whose terms all evaluate {self.fn} outside its support")
        return out


# -- derivatives of linear forms ------------------------------------------------------------


def _depends(e: Basic, target: Expr) -> bool:
    if isinstance(target, Symbol):
        return target in e.free_symbols
    return any(a.func == target.func for a in e.atoms(AppliedUndef))


def differentiate_linear(e: Expr, target: Expr) -> Expr:
    """∂e/∂target for ``e`` affine in ``target`` (a symbol, or the values x(v) of an x).

    >>> from sympy import Function, symbols
    >>> x = Function("x"); u, v, w = symbols("u v w")
    >>> differentiate_linear(w * x(v) + 3, x(u))
    w*KroneckerDelta(u, v)
    """
    if not _depends(e, target):
        return S.Zero
    if e == target and isinstance(target, Symbol):
        return S.One
    if isinstance(target, AppliedUndef) and isinstance(e, AppliedUndef) \
            and e.func == target.func:
        if any(_depends(a, target) for a in e.args) or len(e.args) != len(target.args):
            raise RuleFailure(f"{e} is not a plain value of {target.func}")
        return Mul(*[KroneckerDelta(a, u) for a, u in zip(e.args, target.args, strict=False)])
    if isinstance(e, Add):
        return Add(*[differentiate_linear(t, target) for t in e.args])
    if isinstance(e, Mul):
        deps = [f for f in e.args if _depends(f, target)]
        if len(deps) != 1:
            raise RuleFailure(f"{e} is not linear in {target}")
        rest = Mul(*[f for f in e.args if f is not deps[0]])
        return rest * differentiate_linear(deps[0], target)
    if isinstance(e, _Binder):
        bound = {lim[0] for lim in e.limits}
        if any(_depends(lim[1], target) or _depends(lim[2], target) for lim in e.limits):
            raise RuleFailure("the limits depend on the differentiation target")
        if target.free_symbols & bound:
            raise RuleFailure(f"{target} would be captured by a bound variable")
        return type(e)(differentiate_linear(e.function, target), *e.limits)
    raise RuleFailure(f"{e} is not linear in {target}")


class DifferentiateLinear(Rule):
    """Evaluate ∂/∂x(u) of a linear form: ∂x(v)/∂x(u) = δ[v, u], ∂b/∂b = 1."""

    def describe(self) -> str:
        return "differentiating the linear form (∂x(v)/∂x(u) = δ[v, u])"

    def apply(self, expr: Basic) -> Basic:
        found = []

        def do(n: Basic) -> Basic:
            found.append(n)
            return differentiate_linear(n.expr, n.target)

        out = expr.replace(lambda n: isinstance(n, Partial), do)
        if not found:
            raise RuleFailure("no ∂/∂ to evaluate")
        return out


# -- lemmas -------------------------------------------------------------------------------

_LEMMAS_IN_PROGRESS: set[str] = set()


class Lemma(Rule):
    """Apply a registered theorem: instantiate its statement (free symbols and undefined
    functions renamed or replaced by ``mapping``, functions possibly by Lambdas) and rewrite
    one side into the other wherever it occurs. The lemma itself is verified first."""

    def __init__(self, key: str, mapping: dict[str, Any] | None = None) -> None:
        self.key = str_arg(key, "key")
        if mapping is not None and not isinstance(mapping, dict):
            raise InvalidArgument(f"mapping={mapping!r} must be a dict from names to SymPy objects")
        self.mapping: dict[str, Any] = {}
        for name, value in (mapping or {}).items():
            str_arg(name, "mapping key")
            self.mapping[name] = (value if isinstance(value, sympy.FunctionClass)
                                  else sympy_arg(value, f"mapping[{name!r}]"))

    def describe(self) -> str:
        name = self.key.partition(":")[0]
        shown = [(k, _fn_txt(v) if isinstance(v, sympy.Lambda)
                  else str(v) if isinstance(v, sympy.FunctionClass) else _txt(v))
                 for k, v in self.mapping.items()]
        inst = ", ".join(f"{k} := {v}" for k, v in shown)
        return f"{name}" + (f" with {inst}" if inst else "")

    def instance(self) -> tuple[Basic, Basic]:
        """The instantiated (lhs, rhs) of the lemma, after verifying it."""
        from convmath.symbolic.operators import apply_function
        from convmath.symbolic.theorems import derivations

        if self.key in _LEMMAS_IN_PROGRESS:
            raise RuleFailure(f"circular use of the lemma {self.key}")
        found = derivations(self.key)
        if len(found) != 1:
            raise RuleFailure(f"{self.key} names {len(found)} derivations, not one")
        lemma = found[0]
        _LEMMAS_IN_PROGRESS.add(self.key)
        try:
            lemma.verify(reuse=True)
        except Exception as exc:
            raise RuleFailure(f"the lemma {self.key} does not verify: {exc}") from None
        finally:
            _LEMMAS_IN_PROGRESS.discard(self.key)
        stmt = lemma.statement
        symbols = {str(s_): s_ for s_ in stmt.free_symbols}
        functions = {f_.func.__name__: f_.func for f_ in stmt.atoms(AppliedUndef)}
        sym_map: dict[Basic, Basic] = {}
        fn_map: dict[Any, Any] = {}
        for name, value in self.mapping.items():
            if name in functions:
                fn_map[functions[name]] = value
            elif name in symbols:
                sym_map[symbols[name]] = value
            else:
                raise RuleFailure(f"{self.key} has no free symbol or function {name!r}")
        sides = []
        for side in (stmt.lhs, stmt.rhs):
            e = side.xreplace(sym_map)

            def swap(n: Basic) -> Basic:
                new = fn_map[n.func]
                if isinstance(new, sympy.Lambda):
                    return apply_function(new, n.args)
                return new(*n.args)

            e = e.replace(lambda n: isinstance(n, AppliedUndef) and n.func in fn_map, swap)
            sides.append(e)
        return sides[0], sides[1]

    def apply(self, expr: Basic) -> Basic:
        lhs, rhs = self.instance()
        for a, b in ((lhs, rhs), (rhs, lhs)):
            hits = {n: b for n in sympy.preorder_traversal(expr) if alpha_equal(n, a)}
            if hits:
                return expr.xreplace(hits)
        raise RuleFailure(f"neither side of {self.key} occurs: {_txt(lhs)} / {_txt(rhs)}")


def _fn_txt(L: Basic) -> str:
    from convmath.symbolic.operators import function_name
    from convmath.symbolic.printing import _TextPrinter

    return function_name(L, _TextPrinter({"order": "none"})).replace("-", "−").replace("*", "·")


# -- algebra ------------------------------------------------------------------------------


def _normalise_deltas(e: Basic) -> Basic:
    def kd(n: Basic) -> Basic:
        d = sympy.expand(n.args[0] - n.args[1])
        if d.could_extract_minus_sign():
            d = -d
        return KroneckerDelta(d, 0)

    def dd(n: Basic) -> Basic:
        a = sympy.expand(n.args[0])
        return DiracDelta(-a) if a.could_extract_minus_sign() else DiracDelta(a)

    e = e.replace(lambda n: isinstance(n, KroneckerDelta), kd)
    return e.replace(lambda n: isinstance(n, DiracDelta) and len(n.args) == 1, dd)


def algebra_equal(a: Basic, b: Basic) -> bool:
    """``a == b`` by algebra: expand, then simplify; both must be free of binders/operators."""
    if a == b:
        return True
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        return (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)
                and a.shape == b.shape
                and all(algebra_equal(x, y) for x, y in zip(a, b, strict=True)))
    if not (isinstance(a, Expr) and isinstance(b, Expr)):
        return False
    d = _normalise_deltas(a) - _normalise_deltas(b)
    if sympy.expand(d) == 0:
        return True
    if _numerically_nonzero(d):
        return False
    return bool(sympy.simplify(d) == 0)


def _numerically_nonzero(d: Expr) -> bool:
    """True if ``d`` is certainly not identically 0: it is non-zero at a random point after
    replacing each undefined function by a fixed concrete one (an identity must hold for
    every choice of functions, so one non-zero value disproves it)."""
    rng = random.Random(1234)

    def concrete(n: Basic) -> Expr:
        seed = sum(ord(ch) for ch in str(n.func))
        r = random.Random(seed)
        total: Expr = S.Zero
        for i, a in enumerate(n.args):
            c1, c2 = sympy.Rational(r.randint(3, 17), 7), sympy.Rational(r.randint(1, 9), 5)
            total += sympy.sin(c1 * a + i) + c2 * a**2 / (i + 2)
        return total + sympy.Rational(r.randint(1, 9), 11)

    try:
        e = d.replace(lambda n: isinstance(n, AppliedUndef), concrete)
        for _ in range(2):
            vals = {s: (sympy.Integer(rng.randint(-5, 5)) if s.is_integer
                        else sympy.Rational(rng.randint(-40, 40), 13))
                    for s in e.free_symbols}
            v = complex(e.xreplace(vals).evalf(30))
            if v == v and abs(v) != float("inf") and abs(v) > 1e-9:
                return True
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        return False
    return False


def _first_difference(a: Basic, b: Basic) -> tuple[Basic, Basic] | None:
    """None if ``a`` and ``b`` are equal by algebra applied to binder-free parts; else the
    first pair of subexpressions that is not."""
    if a == b:
        return None
    if not has_binder_or_operator(a) and not has_binder_or_operator(b):
        return None if algebra_equal(a, b) else (a, b)
    if a.func == b.func and a.args and len(a.args) == len(b.args):
        for x, y in zip(a.args, b.args, strict=True):
            bad = _first_difference(x, y)
            if bad is not None:
                return bad
        return None
    return (a, b)


class Algebra(Rule):
    """Algebraic simplification inside the expression.

    The canonical forms of both sides are compared node by node; every pair of differing
    subexpressions must be free of integrals, sums, derivatives and operators and equal by
    ``expand`` (or, failing that, ``simplify``) of their difference.
    """

    def __init__(self, note: str = "") -> None:
        self.note = str_arg(note, "note")

    def describe(self) -> str:
        return f"algebra{': ' + self.note if self.note else ''}"

    def check(self, prev: Basic, claimed: Basic) -> None:
        a = canonical(sympy_arg(prev, "prev"))
        b = canonical(sympy_arg(claimed, "claimed"))
        bad = _first_difference(a, b)
        if bad is None:
            return
        x, y = bad
        if has_binder_or_operator(x) or has_binder_or_operator(y):
            raise RuleFailure(
                f"{x} and {y} differ by more than algebra (they contain an integral, "
                "sum, derivative or operator)")
        raise RuleFailure(f"{x} ≠ {y} (expand/simplify of the difference is not 0)")

    def apply(self, expr: Basic) -> Basic:
        return expr


class Compute(Rule):
    """Evaluate: finite sums, derivatives with respect to symbols, operators; compare by algebra.

    Used for fixed-size checks with symbolic entries. Both sides are fully evaluated with
    ``doit``; what remains must be free of integrals, sums, derivatives and operators.
    """

    def __init__(self, note: str = "") -> None:
        self.note = str_arg(note, "note")

    def describe(self) -> str:
        return f"evaluating{' ' + self.note if self.note else ''}"

    def check(self, prev: Basic, claimed: Basic) -> None:
        a = _evaluate(sympy_arg(prev, "prev"))
        b = _evaluate(sympy_arg(claimed, "claimed"))
        for side in (a, b):
            if has_binder_or_operator(side):
                raise RuleFailure(f"{side} does not evaluate to a closed form", a)
        if not algebra_equal(a, b):
            raise RuleFailure("the evaluated sides differ", a)

    def apply(self, expr: Basic) -> Basic:
        return _evaluate(expr)


@functools.lru_cache(maxsize=1024)
def _evaluate(e: Basic) -> Any:
    if isinstance(e, sympy.MatrixBase):
        return e.applyfunc(lambda x: _evaluate(x))
    e = unfold_all(e)
    e = e.replace(lambda n: isinstance(n, Partial), lambda n: n.doit())
    e = sift_all(_lin_nf(sympy.expand(e)))
    return e.doit()


def _txt(e: Basic) -> str:
    from convmath.symbolic.printing import text

    return text(e)
