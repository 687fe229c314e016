"""Algebra on the parts of an expression free of binders and operators, and evaluation of
fixed-size expressions."""

from __future__ import annotations

import random
from typing import Any

import sympy
from sympy import (
    Add,
    Basic,
    Derivative,
    DiracDelta,
    Expr,
    Integral,
    KroneckerDelta,
    Mul,
    S,
    Sum,
)
from sympy.core.function import AppliedUndef

from convmath.symbolic._input import str_arg
from convmath.symbolic.kernel import (
    Condition,
    RuleFailure,
    canonical,
    has_binder_or_operator,
    is_poisoned,
    may_differentiate,
    subst,
)
from convmath.symbolic.linear_forms import differentiate_linear
from convmath.symbolic.operators import Partial
from convmath.symbolic.rules.base import Context, Rule, needs_convergence, sides
from convmath.symbolic.rules.definitions import unfold_all
from convmath.symbolic.rules.delta import sift_all
from convmath.symbolic.rules.linearity import linear_normal_form

__all__ = ["Algebra", "Compute", "algebra_equal"]

_INFINITE = (S.Infinity, S.NegativeInfinity, S.ComplexInfinity, S.NaN)


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
    """``a == b`` by algebra: expand, then simplify (confirmed at random points); both must
    be free of binders and operators, and of ``nan``, ``zoo`` and infinities."""
    if is_poisoned(a) or is_poisoned(b):
        return False
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        return (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)
                and a.shape == b.shape
                and all(algebra_equal(x, y) for x, y in zip(a, b, strict=True)))
    if a == b:
        return True
    if not (isinstance(a, Expr) and isinstance(b, Expr)):
        return False
    if has_binder_or_operator(a) or has_binder_or_operator(b):
        return False
    if a.has(*_INFINITE) or b.has(*_INFINITE):
        return False
    # expand and simplify cancel removable singularities: (k² − 1)/(k − 1) is not k + 1 at
    # k = 1, cot·tan is not 1 at a pole
    if (_may_be_singular(a) or _may_be_singular(b)) and _singular(a) != _singular(b):
        return False
    d = _normalise_deltas(a) - _normalise_deltas(b)
    if sympy.expand(d) == 0:
        return True
    if _numerically_nonzero(d):
        return False
    return bool(sympy.simplify(d) == 0 and not _numerically_nonzero(d, points=6))


_POLES = (sympy.tan, sympy.cot, sympy.sec, sympy.csc, sympy.sign, sympy.tanh, sympy.coth,
          sympy.sech, sympy.csch, sympy.log)


def _may_be_singular(e: Basic) -> bool:
    """True when ``e`` divides by something (or has a head with poles)."""
    return bool(e.has(*_POLES) or any(
        p.exp.is_negative is not False for p in e.atoms(sympy.Pow)))


#: where each head has a pole: the factor that vanishes there
_POLE_AT = {sympy.tan: sympy.cos, sympy.sec: sympy.cos, sympy.cot: sympy.sin,
            sympy.csc: sympy.sin, sympy.coth: sympy.sinh, sympy.csch: sympy.sinh,
            sympy.sech: sympy.cosh, sympy.tanh: sympy.cosh, sympy.log: lambda a: a}


def _singular(e: Expr) -> set[Basic]:
    """The factors that may vanish in the denominators of ``e`` and where its heads have
    poles (tan → cos, cot → sin, log → its argument) — read off the expression as written,
    before any cancellation."""
    zeros = [p.base for p in e.atoms(sympy.Pow) if p.exp.is_negative is not False]
    zeros += [_POLE_AT[type(n)](n.args[0]) for n in e.atoms(*_POLE_AT)]
    out = set()
    for z in zeros:
        for fac in Mul.make_args(sympy.factor(z)):
            base = fac.base if isinstance(fac, sympy.Pow) and fac.exp.is_positive else fac
            if base.free_symbols and base.is_zero is not False:
                x = sympy.expand(base)
                out.add(-x if x.could_extract_minus_sign() else x)
    return out


def _numerically_nonzero(d: Expr, points: int = 2) -> bool:
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

    def value(s: Basic, k: int) -> Expr:
        """Special points first (0, 1, −1: where identities such as sign(k)² = 1 fail),
        then random ones, each within the symbol's declared sign."""
        if k < 3:
            v: Expr = (S.Zero, S.One, S.NegativeOne)[k]
        elif s.is_integer:
            v = sympy.Integer(rng.randint(-5, 6))
        else:
            v = sympy.Rational(rng.randint(-40, 40), 13)
        if (s.is_nonnegative and v < 0) or (s.is_nonpositive and v > 0):
            v = -v
        if v == 0 and (s.is_zero is False):
            v = S.One if not s.is_negative else S.NegativeOne
        return v

    try:
        e = d.replace(lambda n: isinstance(n, AppliedUndef), concrete)
        for k in range(points + 3):
            vals = {s: value(s, k) for s in e.free_symbols}
            v_ = complex(e.xreplace(vals).evalf(30))
            if v_ == v_ and abs(v_) != float("inf") and abs(v_) > 1e-9:
                return True
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        return False
    return False


def _first_difference(a: Basic, b: Basic) -> tuple[Basic, Basic] | None:
    """None if ``a`` and ``b`` are equal by algebra applied to binder-free parts; else the
    first pair of subexpressions that is not."""
    if a == b and not is_poisoned(a):
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
    ``expand`` (or, failing that, ``simplify`` confirmed at random points) of their
    difference. Needs no side condition.

    With points of ℝᵈ/ℤᵈ (vector variables) both sides are well-sorted (vector variables
    only in the points of functions, δ and ``Dot``, which is kept bilinear and symmetric), so
    an identity SymPy proves treating them as numbers holds for points: two points
    Σ cₖ·vₖ are equal as numbers for all values iff their coefficients are.
    """

    vector_safe = True

    def __init__(self, note: str = "") -> None:
        self.note = str_arg(note, "note")

    def describe(self) -> str:
        return f"algebra{': ' + self.note if self.note else ''}"

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        a, b = canonical(prev), canonical(claimed)
        bad = _first_difference(a, b)
        if bad is None:
            return _cancelled(prev, a) + _cancelled(claimed, b)
        x, y = bad
        if has_binder_or_operator(x) or has_binder_or_operator(y):
            raise RuleFailure(
                f"{x} and {y} differ by more than algebra (they contain an integral, "
                "sum, derivative or operator)")
        raise RuleFailure(f"{x} ≠ {y} (expand/simplify of the difference is not 0)")

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        return expr


def _cancelled(e: Basic, canon: Basic) -> tuple[Condition, ...]:
    """Integrals and sums of ``e`` that cancel in its canonical form (∫ 1 dz − ∫ 1 dw = 0):
    the cancellation is valid only if they converge."""
    def outer_binders(x: Basic) -> list[Basic]:
        if isinstance(x, (Integral, Sum, sympy.Product)):
            return [x]
        return [b for a in x.args for b in outer_binders(a)]

    kept = set(outer_binders(canon))  # outermost binders sit at depth 0 in both
    rec: list[Condition] = []
    for b in outer_binders(e):
        if canonical(b) not in kept:
            needs_convergence(b, rec)
    return tuple(rec)


_MAX_TERMS = 20000


def _expand_finite_sums(e: Basic) -> Basic:
    """Write out every sum with numeric integer limits term by term (innermost first)."""
    def write(n: Basic) -> Basic:
        body = n.function
        for lim in n.limits:
            v, lo, hi = lim
            if not (lo.is_Integer and hi.is_Integer) or hi - lo + 1 > _MAX_TERMS:
                raise RuleFailure(f"cannot evaluate the sum over {v} from {lo} to {hi}")
            if hi < lo - 1:
                raise RuleFailure("a reversed sum")
            body = Add(*[subst(body, {v: sympy.Integer(k)})
                         for k in range(int(lo), int(hi) + 1)])
        return body

    def finite(n: Basic) -> bool:
        return isinstance(n, Sum) and all(l_[1].is_Integer and l_[2].is_Integer
                                          for l_ in n.limits)

    for _ in range(20):
        new = e.replace(finite, write)
        if new == e:
            return e
        e = new
    return e  # pragma: no cover


_EVALUATED: dict[Basic, tuple[Any, tuple[Condition, ...]]] = {}


def evaluate(e: Basic, rec: list[Condition] | None = None) -> Any:
    """:func:`_evaluate`, remembered (expressions are immutable; the result and the
    conditions depend on the expression only)."""
    got = _EVALUATED.get(e)
    if got is None:
        conds: list[Condition] = []
        got = (_evaluate(e, conds), tuple(conds))
        if len(_EVALUATED) > 2000:
            _EVALUATED.clear()
        _EVALUATED[e] = got
    if rec is not None:
        rec.extend(got[1])
    return got[0]


def _evaluate(e: Basic, rec: list[Condition] | None = None) -> Any:
    """Evaluate a fixed-size expression exactly: unfold the operators, differentiate linear
    forms, write out finite sums, sift infinite sums of Kronecker deltas term by term (each
    term then has one non-zero summand, so it converges), differentiate binder-free
    expressions. Raises :class:`RuleFailure` when something is left unevaluated."""
    rec = [] if rec is None else rec
    if isinstance(e, sympy.MatrixBase):
        return e.applyfunc(lambda x: _evaluate(x, rec))
    e = unfold_all(e, rec=rec)
    if e.has(Integral):
        raise RuleFailure("evaluation is for sums: an integral is left after unfolding")
    e = e.replace(lambda n: isinstance(n, Partial),
                  lambda n: differentiate_linear(n.expr, n.target))
    for p in e.atoms(sympy.Pow):
        if p.exp.is_negative is not False and p.base.is_zero is not False:
            raise RuleFailure(f"{p} may divide by zero: evaluation would cancel it away")
    if e.has(*_POLES):
        raise RuleFailure("evaluation is for polynomial expressions (a head with poles is "
                          "left)")
    e = _expand_finite_sums(e)
    if is_poisoned(e):
        raise RuleFailure(f"{e} has an undefined term (nan or zoo)")
    e = sympy.expand(e)
    parts: list[Condition] = []
    e = sift_all(linear_normal_form(sympy.expand(e), parts))
    if e.has(Integral, Sum, sympy.Product):
        raise RuleFailure(f"{e} does not evaluate to a closed form (an integral or an "
                          "infinite sum that does not sift is left)")
    e = e.replace(lambda n: isinstance(n, Derivative) and may_differentiate(n.expr),
                  lambda n: n.doit())
    if has_binder_or_operator(e) or is_poisoned(e):
        raise RuleFailure(f"{e} does not evaluate to a closed form")
    return e


class Compute(Rule):
    """Evaluate both sides exactly (fixed sizes with symbolic entries, see :func:`evaluate`)
    and compare by algebra. Never calls SymPy's ``doit`` on an integral or a sum."""

    def __init__(self, note: str = "") -> None:
        self.note = str_arg(note, "note")

    def describe(self) -> str:
        return f"evaluating{' ' + self.note if self.note else ''}"

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        rec: list[Condition] = []
        a, b = evaluate(prev, rec), evaluate(claimed, rec)
        if not algebra_equal(a, b):
            raise RuleFailure("the evaluated sides differ", a)
        return tuple(dict.fromkeys(rec))

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        out: Basic = evaluate(expr, rec)
        return out
