"""Integer arithmetic: counting the integers that satisfy linear inequalities, and the
floor/ceiling identities the output-size formulas of convolution arithmetic rest on.

A *count* is written with SymPy's own binder, an infinite sum of an Iverson bracket::

    count(t, cond) = Sum(Piecewise((1, cond), (0, True)), (t, -oo, oo))

— the number of integers ``t`` for which ``cond`` holds (a conjunction of linear
inequalities in ``t``). Being a ``Sum``, it gets the kernel's capture-avoiding substitution
and α-equivalence for free.

- :class:`SolveForIndex` solves each inequality of a count for ``t``: with ``a`` provably
  positive, ``a·t + r ≤ 0 ⇔ t ≤ ⌊−r/a⌋`` for integer ``t`` (a Galois connection; ``<``,
  ``≥``, ``>`` and negative ``a`` likewise), and several bounds become ``Max``/``Min``;
- :class:`CountInterval` counts ``lo ≤ t ≤ hi`` for integers lo, hi: ``max(0, hi − lo + 1)``,
  valid for *every* pair;
- :class:`DropMax` writes ``max(0, Y)`` as ``Y``, recording ``Y ≥ 0`` (reduced to a
  sufficient condition on the numerator of a floor: ``⌊u/a⌋ + c ≥ 0`` when ``u ≥ 0``);
- :class:`FloorIdentity` applies one named identity (``ceiling_as_floor``
  ⌈N/a⌉ = ⌊(N + a − 1)/a⌋; ``mod_as_floor`` N mod a = N − a·⌊N/a⌋; ``floor_of_small``
  ⌊u/a⌋ = 0 recording 0 ≤ u ≤ a − 1), each with its hypotheses checked;
- :class:`SumOfConstant` evaluates ``Σ_{t=lo}^{hi} c`` (c free of t) as ``(hi − lo + 1)·c``,
  recording ``hi − lo + 1 ≥ 0`` (SymPy's Karr convention would make it negative otherwise).

Every rule compares its result with the claimed expression after the same normal form on
both sides: arguments of floor, ceiling, Max, Min and Mod expanded, each inequality moved to
``expr ≤ 0`` / ``expr < 0`` — identities of the ordered field, nothing more.
"""

from __future__ import annotations

import itertools

import sympy
from sympy import (
    Add,
    And,
    Basic,
    Expr,
    Max,
    Min,
    Mod,
    Piecewise,
    S,
    Sum,
    ceiling,
    floor,
    oo,
)

from convmath.errors import InvalidArgument
from convmath.symbolic._input import str_arg
from convmath.symbolic.kernel import (
    Condition,
    RuleFailure,
    alpha_equal,
    differentiated_variables,
    free_symbols,
    has_binder_or_operator,
    is_poisoned,
    subst,
)
from convmath.symbolic.rules.base import Context, Rule, sides, text

__all__ = [
    "BranchValue",
    "CountInterval",
    "DropMax",
    "FloorIdentity",
    "FloorRelation",
    "MinCases",
    "SingleTermSum",
    "SolveForIndex",
    "SumOfConstant",
    "count",
    "is_count",
]

_RELATIONS = (sympy.LessThan, sympy.StrictLessThan, sympy.GreaterThan, sympy.StrictGreaterThan)


def count(t: Basic, cond: Basic) -> Sum:
    """The number of integers ``t`` for which ``cond`` holds, as Σ_{t ∈ ℤ} [cond]."""
    return Sum(Piecewise((S.One, cond), (S.Zero, True)), (t, -oo, oo))


#: the facts an index of a count may carry: those of an integer, nothing about its sign
_INDEX_FACTS = sympy.Symbol("t", integer=True).assumptions0


def is_count(e: Basic) -> bool:
    """True when ``e`` is Σ_{t ∈ ℤ} [cond] (one variable, limits −∞ … ∞, ``t`` declared at
    most integer: a sign declared for it could have evaluated a bound away)."""
    if not isinstance(e, Sum) or len(e.limits) != 1:
        return False
    t, lo, hi = e.limits[0]
    if not set(t.assumptions0.items()) <= set(_INDEX_FACTS.items()):
        return False
    body = e.function
    return bool(lo == -oo and hi == oo and isinstance(body, Piecewise) and len(body.args) == 2
                and body.args[0][0] == 1 and body.args[1] == (0, True))


def _conjuncts(cond: Basic) -> tuple[Basic, ...]:
    return cond.args if isinstance(cond, And) else (cond,)


def _norm(e: Basic) -> Basic:
    """Expanded arguments of floor/ceiling/Max/Min/Mod; inequalities as ``x ≤ 0``/``x < 0``.
    Applied to both sides of a step; every change is an identity."""
    def rel(n: Basic) -> Basic:
        d = sympy.expand(n.lhs - n.rhs)
        if isinstance(n, (sympy.GreaterThan, sympy.StrictGreaterThan)):
            d = -d
        strict = isinstance(n, (sympy.StrictLessThan, sympy.StrictGreaterThan))
        return (sympy.StrictLessThan if strict else sympy.LessThan)(d, 0, evaluate=False)

    def heads(n: Basic) -> Basic:
        return n.func(*[sympy.expand(a) for a in n.args])

    e = e.replace(lambda n: isinstance(n, _RELATIONS), rel)
    e = e.replace(lambda n: isinstance(n, (floor, ceiling, Max, Min, Mod)), heads)
    return e


def _compare(got: Basic, claimed: Basic) -> None:
    if not alpha_equal(_norm(got), _norm(claimed)):
        raise RuleFailure("the rule gives a different expression", got)


def _real(e: Basic) -> bool:
    return bool(isinstance(e, Expr) and e.is_real is True and not is_poisoned(e)
                and not has_binder_or_operator(e))


class _IntegerRule(Rule):
    """Rewrite nodes of ``prev``, then compare with the claim after :func:`_norm`."""

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        rec: list[Condition] = []
        got = self._apply(prev, rec, ctx or Context())
        _compare(got, claimed)
        return tuple(dict.fromkeys(rec))

    def _hit(self, n: Basic) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:  # pragma: no cover
        raise NotImplementedError

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        hits: dict[Basic, Basic] = {}

        def visit(n: Basic, above: frozenset[Basic]) -> None:
            if self._hit(n):
                mine: list[Condition] = []
                hits[n] = self._rewrite(n, mine)
                for c in mine:  # a condition on a bound variable would read as a free one
                    if free_symbols(c.subject) & above:
                        raise RuleFailure(
                            f"the condition {text(c.subject)} ≥ 0 mentions "
                            f"{sorted(map(str, free_symbols(c.subject) & above))}, bound "
                            f"around {text(n)}")
                rec.extend(mine)
                return
            if isinstance(n, (Sum, sympy.Integral, sympy.Product)):
                above = above | {lim[0] for lim in n.limits}
            elif isinstance(n, (sympy.Lambda, sympy.Subs)):
                above = above | set(n.variables)
            else:  # d/dx: a condition on x at a point is not one on a neighbourhood
                above = above | set(differentiated_variables(n))
            for a in n.args:
                visit(a, above)

        visit(expr, frozenset())
        if not hits:
            raise RuleFailure(f"{self.describe()}: nothing to rewrite in {text(expr)}")
        return expr.xreplace(hits)


def _bound(rel: Basic, t: Basic) -> tuple[str, Expr]:
    """``rel`` (linear in the integer ``t``) as ("lo", L) meaning t ≥ L or ("hi", H)
    meaning t ≤ H, with L, H integer expressions free of t."""
    if not isinstance(rel, _RELATIONS):
        raise RuleFailure(f"{text(rel)} is not an inequality (≤, <, ≥, >)")
    d = sympy.expand(rel.lhs - rel.rhs)           # the relation is d ≤ 0, d < 0, d ≥ 0 or d > 0
    a = sympy.expand(d.diff(t))
    r = sympy.expand(d - a * t)
    if t in free_symbols(a) or t in free_symbols(r) or a == 0:
        raise RuleFailure(f"{text(rel)} is not linear in {t} with a coefficient free of it")
    if not (_real(a) and _real(r)):
        raise RuleFailure(f"the coefficients of {text(rel)} are not known to be real")
    if a.is_positive is True:
        sign = 1
    elif a.is_negative is True:
        sign = -1
    else:
        raise RuleFailure(f"the sign of {text(a)}, the coefficient of {t} in {text(rel)}, is "
                          "not known")
    q = -r / a                                    # a·t + r vs 0  ⇔  t vs −r/a (flipped if a < 0)
    upper = isinstance(rel, (sympy.LessThan, sympy.StrictLessThan)) == (sign > 0)
    strict = isinstance(rel, (sympy.StrictLessThan, sympy.StrictGreaterThan))
    if upper:   # t ≤ q  ⇔ t ≤ ⌊q⌋ ;  t < q ⇔ t ≤ ⌈q⌉ − 1
        return "hi", (ceiling(q) - 1 if strict else floor(q))
    return "lo", (floor(q) + 1 if strict else ceiling(q))


class SolveForIndex(_IntegerRule):
    """In each count Σ_{t∈ℤ}[cond], solve every inequality of ``cond`` for ``t``:
    ``[lo ≤ t ∧ t ≤ hi]`` with ``lo`` the Max of the lower bounds, ``hi`` the Min of the upper
    ones. Each inequality must be linear in ``t`` with a coefficient of known sign and real
    coefficients; both bounds must exist. Needs no side condition."""

    def describe(self) -> str:
        return "solve the inequalities for the index (t integer: a·t ≤ M ⇔ t ≤ ⌊M/a⌋, a > 0)"

    def _hit(self, n: Basic) -> bool:
        return is_count(n)

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        t = n.limits[0][0]
        los: list[Expr] = []
        his: list[Expr] = []
        for c in _conjuncts(n.function.args[0][1]):
            side, b = _bound(c, t)
            (los if side == "lo" else his).append(b)
        if not los or not his:
            raise RuleFailure(f"{text(n)} counts an unbounded set of integers")
        lo = los[0] if len(los) == 1 else Max(*los, evaluate=False)
        hi = his[0] if len(his) == 1 else Min(*his, evaluate=False)
        return count(t, And(sympy.LessThan(lo, t, evaluate=False),
                            sympy.LessThan(t, hi, evaluate=False)))


def _interval(n: Basic) -> tuple[Expr, Expr] | None:
    t = n.limits[0][0]
    cs = _conjuncts(n.function.args[0][1])
    lo = hi = None
    for c in cs:
        if isinstance(c, sympy.LessThan) and c.rhs == t and lo is None:
            lo = c.lhs
        elif isinstance(c, sympy.LessThan) and c.lhs == t and hi is None:
            hi = c.rhs
        elif isinstance(c, sympy.GreaterThan) and c.lhs == t and lo is None:
            lo = c.rhs
        elif isinstance(c, sympy.GreaterThan) and c.rhs == t and hi is None:
            hi = c.lhs
        else:
            return None
    if lo is None or hi is None or len(cs) != 2:
        return None
    return lo, hi


def _integer(e: Basic, t: Basic) -> bool:
    if t in free_symbols(e) or not _real(e):
        return False
    if e.is_integer is True:
        return True
    return isinstance(e, (Max, Min)) and all(_integer(a, t) for a in e.args)


class CountInterval(_IntegerRule):
    """The number of integers ``t`` with ``lo ≤ t ≤ hi`` (lo, hi integers free of ``t``) is
    ``max(0, hi − lo + 1)``, for every lo and hi. Needs no side condition."""

    def describe(self) -> str:
        return "count the integers of an interval: #{lo ≤ t ≤ hi} = max(0, hi − lo + 1)"

    def _hit(self, n: Basic) -> bool:
        return is_count(n)

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        t = n.limits[0][0]
        got = _interval(n)
        if got is None:
            raise RuleFailure(f"{text(n)} is not a count of lo ≤ {t} ≤ hi (solve for the "
                              "index first)")
        lo, hi = got
        for e in (lo, hi):
            if not _integer(e, t):
                raise RuleFailure(f"the bound {text(e)} is not known to be an integer free of "
                                  f"{t}")
        return Max(S.Zero, hi - lo + 1, evaluate=False)


def sufficient_nonneg(y: Expr) -> list[Expr]:
    """Expressions whose being ≥ 0 implies ``y ≥ 0`` (each step an equivalence):
    ⌊u/a⌋ + c ≥ 0 ⇔ u + c·a ≥ 0 for a > 0 and an integer c; min(A, B) + c ≥ 0 ⇔ A + c ≥ 0
    and B + c ≥ 0; anything else needs itself."""
    if y.is_nonnegative is True:
        return []
    y = sympy.expand(y)
    atoms = [term for term in Add.make_args(y) if isinstance(term, (floor, Min))]
    if len(atoms) == 1:
        atom, rest = atoms[0], y - atoms[0]
        if isinstance(atom, Min) and _real(rest):
            return [x for arg in atom.args for x in sufficient_nonneg(arg + rest)]
        if isinstance(atom, floor) and rest.is_integer is True:
            u, a = atom.args[0].as_numer_denom()
            if a.is_positive is True and _real(u):
                # ⌊x⌋ ≥ −c ⇔ x ≥ −c for an integer c
                return sufficient_nonneg(sympy.expand(u + rest * a))
    return [y]


class DropMax(_IntegerRule):
    """``max(0, Y) = Y`` when ``Y ≥ 0``: recorded (as the sufficient conditions of
    :func:`sufficient_nonneg`) unless SymPy's assumptions prove it."""

    def describe(self) -> str:
        return "max(0, Y) = Y for Y ≥ 0"

    def _hit(self, n: Basic) -> bool:
        return isinstance(n, Max) and len(n.args) == 2 and S.Zero in n.args

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        y = n.args[0] if n.args[1] == 0 else n.args[1]
        if not _real(y):
            raise RuleFailure(f"{text(y)} is not known to be real")
        for need in sufficient_nonneg(y):
            rec.append(Condition("nonneg", need))
        return y


def _quotient(arg: Basic) -> tuple[Expr, Expr]:
    u, a = arg.as_numer_denom()
    if a.is_positive is not True or a.is_integer is not True:
        raise RuleFailure(f"the divisor {text(a)} of {text(arg)} is not known to be a positive "
                          "integer")
    if u.is_integer is not True:
        raise RuleFailure(f"the numerator {text(u)} of {text(arg)} is not known to be an "
                          "integer")
    return u, a


_IDENTITIES = {
    "ceiling_as_floor": "⌈N/a⌉ = ⌊(N + a − 1)/a⌋ (N integer, a a positive integer)",
    "floor_as_ceiling": "⌊(N + a − 1)/a⌋ = ⌈N/a⌉ (N integer, a a positive integer)",
    "mod_as_floor": "N mod a = N − a·⌊N/a⌋ (a a positive integer)",
    "floor_of_small": "⌊u/a⌋ = 0 when 0 ≤ u ≤ a − 1 (a a positive integer)",
}


class FloorIdentity(_IntegerRule):
    """Apply one identity of integer division everywhere it matches (see
    :data:`_IDENTITIES`), or only at the node ``at``; ``floor_of_small`` records ``u ≥ 0``
    and ``a − 1 − u ≥ 0``."""

    def __init__(self, identity: str, at: Basic | None = None) -> None:
        self.identity = str_arg(identity, "identity")
        if identity not in _IDENTITIES:
            raise InvalidArgument(
                f"identity={identity!r}: choose one of {', '.join(_IDENTITIES)}")
        if at is not None and not isinstance(at, Expr):
            raise InvalidArgument(f"at={at!r} must be a SymPy expression (the one node to "
                                  "rewrite) or None (every match)")
        self.at = at

    def describe(self) -> str:
        return _IDENTITIES[self.identity]

    def _hit(self, n: Basic) -> bool:
        head = {"ceiling_as_floor": ceiling, "floor_as_ceiling": floor, "mod_as_floor": Mod,
                "floor_of_small": floor}[self.identity]
        return (isinstance(n, head) and not has_binder_or_operator(n)
                and (self.at is None or n == self.at))

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        if self.identity == "ceiling_as_floor":
            u, a = _quotient(n.args[0])
            return floor((u + a - 1) / a)
        if self.identity == "floor_as_ceiling":
            v, a = _quotient(n.args[0])
            return ceiling((v - a + 1) / a)
        if self.identity == "mod_as_floor":
            u, a = n.args
            if a.is_positive is not True or a.is_integer is not True or not _real(u):
                raise RuleFailure(f"{text(n)}: the divisor must be a positive integer and the "
                                  "dividend real")
            return u - a * floor(u / a)
        u, a = n.args[0].as_numer_denom()
        if a.is_positive is not True or a.is_integer is not True or not _real(u):
            raise RuleFailure(f"the divisor {text(a)} of {text(n)} is not known to be a "
                              "positive integer")
        for need in (sympy.expand(u), sympy.expand(a - 1 - u)):
            if need.is_nonnegative is not True:
                rec.append(Condition("nonneg", need))
        return S.Zero


def _outer(n: Sum, body: Basic) -> Basic:
    """``n`` with its innermost limit done: ``body`` summed over the remaining limits."""
    return Sum(body, *n.limits[1:]) if len(n.limits) > 1 else body


class SumOfConstant(_IntegerRule):
    """``Σ_{t=lo}^{hi} c = (hi − lo + 1)·c`` for a summand free of ``t`` and integer limits,
    recording ``hi − lo + 1 ≥ 0`` unless SymPy proves it (an empty range is 0, and SymPy's
    Karr convention would give a negative count). Acts on the innermost limit of every sum
    whose summand is free of binders and of that limit's variable."""

    def describe(self) -> str:
        return "a sum of a constant: Σ_{t=lo}^{hi} c = (hi − lo + 1)·c"

    def _hit(self, n: Basic) -> bool:
        return (isinstance(n, Sum) and n.limits[0][0] not in free_symbols(n.function)
                and not has_binder_or_operator(n.function))

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        t, lo, hi = n.limits[0]
        inner = {x[0] for x in n.limits[1:]}
        for e in (lo, hi):
            if not (_real(e) and e.is_integer is True and e.is_finite is True):
                raise RuleFailure(f"the limit {text(e)} of {text(n)} is not known to be a "
                                  "finite integer")
        length = sympy.expand(hi - lo + 1)
        if length.is_nonnegative is not True:
            if free_symbols(length) & inner:
                raise RuleFailure(f"the length {text(length)} of the sum over {t} depends on "
                                  "an outer index")
            rec.append(Condition("nonneg", length))
        return _outer(n, length * n.function)


class SingleTermSum(_IntegerRule):
    """``Σ_{t=a}^{a} F(t) = F(a)`` for an integer ``a`` (the sum over one point), on the
    innermost limit of a sum. Needs no side condition."""

    def describe(self) -> str:
        return "a sum over one point: Σ_{t=a}^{a} F(t) = F(a)"

    def _hit(self, n: Basic) -> bool:
        return isinstance(n, Sum) and n.limits[0][1] == n.limits[0][2]

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        t, lo, _ = n.limits[0]
        if not (_real(lo) and lo.is_integer is True):
            raise RuleFailure(f"the limit {text(lo)} is not known to be an integer")
        return _outer(n, subst(n.function, {t: lo}))


class MinCases(_IntegerRule):
    """``min(A, B) = A if A < B else B``: each two-argument min becomes a Piecewise (either
    order), folded into the expression around it (``piecewise_fold``), which must be free
    of sums, integrals, derivatives and operators. Needs no side condition."""

    def describe(self) -> str:
        return "min(A, B) = A if A < B, else B"

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        if has_binder_or_operator(prev):
            # piecewise_fold would pull a condition out past a Σ, ∫ or count, freeing its
            # variable
            raise RuleFailure(f"{text(prev)} contains a sum, integral, derivative or "
                              "operator: rewrite the min where none is around")
        mins = [n for n in sympy.preorder_traversal(prev) if isinstance(n, Min)]
        if not mins or any(len(n.args) != 2 for n in mins):
            raise RuleFailure(f"{text(prev)} has no two-argument min")
        for order in itertools.product((0, 1), repeat=len(mins)):
            hits = {}
            for n, o in zip(mins, order, strict=True):
                x, y = n.args if o == 0 else n.args[::-1]
                hits[n] = Piecewise((x, sympy.StrictLessThan(x, y)), (y, True))
            got = sympy.piecewise_fold(prev.xreplace(hits))
            try:
                _compare(got, claimed)
                return ()
            except RuleFailure:
                continue
        raise RuleFailure("the rule gives a different expression", got)


def _floor_part(d: Expr) -> tuple[Basic, Expr, Expr, Expr] | None:
    """d = c·⌊u/a⌋ + R with c = ±1, R an integer free of the floor: (atom, c, R, …)."""
    atoms = [x for x in d.atoms(floor) if _division_args(x) is not None]
    if len(atoms) != 1:
        return None
    atom = atoms[0]
    c = d.coeff(atom)
    rest = sympy.expand(d - c * atom)
    if c not in (1, -1) or rest.has(atom) or rest.is_integer is not True:
        return None
    return atom, c, rest, _division_args(atom)  # type: ignore[return-value]


def _division_args(atom: Basic) -> tuple[Expr, Expr] | None:
    u, a = atom.args[0].as_numer_denom()
    if u.is_integer is True and a.is_integer is True and a.is_positive is True:
        return u, a
    return None


class FloorRelation(_IntegerRule):
    """An inequality between ⌊u/a⌋ and an integer Y (u an integer, a a positive integer), as
    one on u: ⌊u/a⌋ ≥ Y ⇔ u ≥ a·Y; ⌊u/a⌋ ≤ Y ⇔ u ≤ a·Y + a − 1; strict ones likewise.
    Rewrites every such inequality. Needs no side condition."""

    def describe(self) -> str:
        return "⌊u/a⌋ ≥ Y ⇔ u ≥ a·Y (integers, a > 0)"

    def _hit(self, n: Basic) -> bool:
        return (isinstance(n, _RELATIONS) and not has_binder_or_operator(n)
                and _floor_part(sympy.expand(n.lhs - n.rhs)) is not None)

    def _rewrite(self, n: Basic, rec: list[Condition]) -> Basic:
        _, c, rest, (u, a) = _floor_part(sympy.expand(n.lhs - n.rhs))  # type: ignore[misc]
        # the relation is c·⌊u/a⌋ + rest (op) 0; make the floor's coefficient +1
        op = type(n)
        if c == -1:
            rest = -rest
            op = {sympy.LessThan: sympy.GreaterThan, sympy.GreaterThan: sympy.LessThan,
                  sympy.StrictLessThan: sympy.StrictGreaterThan,
                  sympy.StrictGreaterThan: sympy.StrictLessThan}[op]
        y = -rest  # ⌊u/a⌋ (op) y
        if op is sympy.GreaterThan:
            return sympy.GreaterThan(u, a * y)
        if op is sympy.StrictGreaterThan:
            return sympy.GreaterThan(u, a * y + a)
        if op is sympy.LessThan:
            return sympy.LessThan(u, a * y + a - 1)
        return sympy.LessThan(u, a * y - 1)


class BranchValue(Rule):
    """Change the value of a branch of a Piecewise (same conditions, in order) where the
    change is ⌊u/a⌋ = Y (u, Y integers, a a positive integer), i.e. a·Y ≤ u ≤ a·Y + a − 1:
    each of the two inequalities is either implied by the branch's own condition (a
    conjunct ``h ≥ 0`` with ``g − h`` provably ≥ 0) or recorded as a condition."""

    def describe(self) -> str:
        return "in its branch, ⌊u/a⌋ = Y since a·Y ≤ u ≤ a·Y + a − 1"

    def check(self, prev: Basic, claimed: Basic, ctx: Context | None = None
              ) -> tuple[Condition, ...]:
        prev, claimed = sides(prev, claimed)
        if not (isinstance(prev, Piecewise) and isinstance(claimed, Piecewise)
                and len(prev.args) == len(claimed.args)):
            raise RuleFailure("both sides must be Piecewise expressions with as many branches")
        rec: list[Condition] = []
        changed = False
        for (v1, c1), (v2, c2) in zip(prev.args, claimed.args, strict=True):
            if not alpha_equal(_norm(c1), _norm(c2)):
                raise RuleFailure(f"the conditions {text(c1)} and {text(c2)} differ")
            if has_binder_or_operator(v1) or has_binder_or_operator(v2):
                raise RuleFailure("branch values must be free of binders and operators")
            d = sympy.expand(v1 - v2)
            if d == 0:
                continue
            part = _floor_part(d)
            if part is None:
                raise RuleFailure(f"{text(v1)} − ({text(v2)}) is not ⌊u/a⌋ − Y with Y an integer")
            _, c, rest, (u, a) = part
            y = -rest if c == 1 else rest   # the change says ⌊u/a⌋ = y
            changed = True
            facts = [] if c1 is sympy.true else [  # h ≥ 0 from x ≤ 0 (x < 0: integers)
                sympy.expand(-x.lhs) if isinstance(x, sympy.LessThan) else
                sympy.expand(-x.lhs - 1) for x in _conjuncts(_norm(c1))
                if isinstance(x, sympy.LessThan) or (
                    isinstance(x, sympy.StrictLessThan) and x.lhs.is_integer is True)]
            for need in (sympy.expand(u - a * y), sympy.expand(a * y + a - 1 - u)):
                if need.is_nonnegative is True or any(
                        sympy.expand(need - h).is_nonnegative is True for h in facts):
                    continue
                rec.append(Condition("nonneg", need))
        if not changed:
            raise RuleFailure("no branch value changes")
        return tuple(dict.fromkeys(rec))

    def _apply(self, expr: Basic, rec: list[Condition], ctx: Context) -> Basic:
        raise RuleFailure("BranchValue only checks a claimed step")  # pragma: no cover
