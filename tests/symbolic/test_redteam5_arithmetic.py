"""Red-team derivations, round 5: the integer-arithmetic rules (``convmath.symbolic.rules.
integers``) and the ``NonNegative`` hypothesis.

Each test builds, through the public API, a :class:`Derivation` whose statement is false
for some integers (checked here by exact evaluation where it is cheap) and asserts that it
is *not proven*: ``verify()`` raises :class:`ProofError` or leaves unstated side conditions.

Groups:

1. holes found by this round, now closed: :class:`MinCases` ran ``piecewise_fold`` over the
   whole expression, which pulls a Piecewise out of a sum, an integral or a count with its
   bound variable left free in the condition (now refused where a binder is around); the
   integer rules treated a derivative's variable as free, so a pointwise side condition
   (``Y ≥ 0``) licensed a rewrite under d/dx that needs it on a neighbourhood (now a
   differentiated variable counts as bound, for the integer rules and for lemmas);
2. controls (refused, keep them refused): off-by-one floors and ceilings, strict vs
   non-strict bounds, coefficients of unknown sign, rational bounds where integers are
   needed, Karr-convention negative lengths, indices declared with a sign, conditions on
   bound variables, ``NonNegative`` hypotheses one short of what a condition needs,
   ``BranchValue`` on a branch whose condition does not give the bound, non-integer ``Y``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from kernel_attacks import assert_not_proven
from kernel_attacks import chain as _chain
from sympy import (
    And,
    Basic,
    Derivative,
    Function,
    Integral,
    Lambda,
    Le,
    Lt,
    Max,
    Min,
    Mod,
    Piecewise,
    S,
    Sum,
    Symbol,
    ceiling,
    floor,
    oo,
)

from convmath.symbolic.kernel import Hypothesis, NonNegative
from convmath.symbolic.rules import (
    BranchValue,
    Compute,
    CountInterval,
    DropMax,
    FloorIdentity,
    FloorRelation,
    MinCases,
    Rule,
    SingleTermSum,
    SolveForIndex,
    SumOfConstant,
    count,
)

t = Symbol("t", integer=True)
x, y, n, m = sympy.symbols("x y n m", integer=True)
s = Symbol("s", integer=True, positive=True)
q = Symbol("q", rational=True, positive=True)
r = Symbol("r", real=True)
f = Function("f")


def refused(lhs: Basic, steps: Sequence[tuple[Basic, Rule]],
            hyps: Sequence[str | Hypothesis] = ()) -> None:
    assert_not_proven(_chain(lhs, steps, hyps, domain="ℤ"))


def _iv(lo: Basic, hi: Basic) -> Basic:
    return count(t, And(Le(lo, t), Le(t, hi)))


# -- 1. holes ---------------------------------------------------------------------------------


def test_mincases_under_a_sum_frees_the_index() -> None:
    """Σ_{t=0}^{10} min(t, 5) = 40, but MinCases folds the Piecewise out of the sum
    (condition t < 5 with t now free) and both branches evaluate to 55."""
    lhs = Sum(Min(t, 5), (t, 0, 10))
    assert lhs.doit() == 40
    folded = Piecewise((Sum(t, (t, 0, 10)), Lt(t, 5)), (Sum(5, (t, 0, 10)), True))
    refused(lhs, [(folded, MinCases()), (S(55), Compute())])


def test_mincases_under_an_integral_frees_the_variable() -> None:
    """∫₀² min(x, 1) dx = 3/2, not ∫₀² x dx = ∫₀² 1 dx = 2."""
    xr = Symbol("x", real=True)
    lhs = Integral(Min(xr, 1), (xr, 0, 2))
    assert lhs.doit() == S(3) / 2
    refused(lhs, [(Piecewise((Integral(xr, (xr, 0, 2)), xr < 1),
                             (Integral(1, (xr, 0, 2)), True)), MinCases())])


def test_mincases_tears_a_count_apart() -> None:
    """A min times a count: piecewise_fold also folds the count's own Iverson bracket,
    leaving n·Σ_{t∈ℤ} 1 (infinite) under a condition on a free t; #{0 ≤ t ≤ m} is finite.
    (A product and a symbolic bound keep the failure report fast: printing
    ``n + #{0 ≤ t ≤ 3}`` takes ~10 s, as SymPy's term ordering evaluates a numeric count by
    quadrature.)"""
    lhs = Min(n, 2) * _iv(0, m)
    pw = Piecewise((n, n < 2), (2, True))
    folded = sympy.piecewise_fold(lhs.xreplace({Min(n, 2): pw}))
    assert folded.has(Sum(1, (t, -oo, oo)))
    refused(lhs, [(folded, MinCases())])


def test_dropmax_under_a_derivative() -> None:
    """d/dx max(0, x) = 1 for x ≥ 0 is false at x = 0 (no derivative there; SymPy's value
    is Heaviside(0) = 1/2): DropMax records x ≥ 0 as if x were free, but under d/dx the
    rewrite needs it on a neighbourhood."""
    xr = Symbol("x", real=True)
    lhs = Derivative(Max(0, xr), xr)
    assert lhs.doit().subs(xr, 0) == S.Half
    refused(lhs, [(Derivative(xr, xr), DropMax()), (S.One, Compute())], [NonNegative(xr)])


# -- 2. controls: floors, ceilings, counts -------------------------------------------------


def test_solve_strict_bound_off_by_one() -> None:
    """#{0 ≤ t, s·t < n} has t ≤ ⌈n/s⌉ − 1, not t ≤ ⌊n/s⌋ (n = 4, s = 2: 2 vs 3)."""
    lhs = count(t, And(Le(0, t), Lt(s * t, n)))
    refused(lhs, [(_iv(0, floor(n / s)), SolveForIndex())])


def test_solve_nonstrict_as_strict() -> None:
    lhs = count(t, And(Le(0, t), Le(s * t, n)))
    refused(lhs, [(_iv(0, ceiling(n / s) - 1), SolveForIndex())])


def test_solve_lower_strict_off_by_one() -> None:
    """t > n/2 is t ≥ ⌊n/2⌋ + 1, not t ≥ ⌈n/2⌉ (n = 4: 3 vs 2)."""
    lhs = count(t, And(Lt(n, 2 * t), Le(t, 10)))
    refused(lhs, [(_iv(ceiling(n / 2), 10), SolveForIndex())])


def test_solve_unknown_sign_coefficient() -> None:
    lhs = count(t, And(Le(0, t), Le(x * t, n)))
    refused(lhs, [(_iv(0, floor(n / x)), SolveForIndex())])


def test_solve_nonnegative_coefficient_may_be_zero() -> None:
    z = Symbol("z", integer=True, nonnegative=True)
    lhs = count(t, And(Le(0, t), Le(z * t, n)))
    refused(lhs, [(_iv(0, floor(n / z)), SolveForIndex())])


def test_solve_negative_coefficient_not_flipped() -> None:
    """−s·t ≤ n is t ≥ ⌈−n/s⌉, a lower bound."""
    lhs = count(t, And(Le(-s * t, n), Le(t, 10)))
    refused(lhs, [(count(t, And(Le(t, floor(-n / s)), Le(t, 10))), SolveForIndex())])


def test_solve_index_declared_nonnegative() -> None:
    """An index declared nonnegative: SymPy drops ``0 ≤ t`` at construction."""
    tp = Symbol("t", integer=True, nonnegative=True)
    lhs = Sum(Piecewise((1, And(Le(-5, tp), Le(tp, 3))), (0, True)), (tp, -oo, oo))
    refused(lhs, [(count(tp, And(Le(-5, tp), Le(tp, 3))), SolveForIndex()),
                  (S(9), CountInterval())])


def test_count_interval_rational_bounds() -> None:
    """#{q ≤ t ≤ 3} for q = 1/2 is 3, not max(0, 3 − q + 1) = 7/2."""
    refused(_iv(q, 3), [(Max(0, 4 - q), CountInterval())])


def test_count_interval_without_max() -> None:
    refused(_iv(x, y), [(y - x + 1, CountInterval())])


def test_count_interval_off_by_one() -> None:
    refused(_iv(x, y), [(Max(0, y - x), CountInterval())])


def test_count_interval_strict_bound() -> None:
    lhs = count(t, And(Lt(x, t), Le(t, y)))
    refused(lhs, [(Max(0, y - x + 1), CountInterval())])


def test_dropmax_floor_one_short() -> None:
    """max(0, ⌊x/2⌋ − 1) = ⌊x/2⌋ − 1 needs x ≥ 2; x ≥ 1 is not enough (x = 1: 0 vs −1)."""
    refused(Max(0, floor(x / 2) - 1), [(floor(x / 2) - 1, DropMax())], [NonNegative(x - 1)])


def test_dropmax_floor_larger_divisor() -> None:
    """⌊x/s⌋ − 1 ≥ 0 needs x ≥ s; x ≥ 1 is not enough (s = 2, x = 1)."""
    refused(Max(0, floor(x / s) - 1), [(floor(x / s) - 1, DropMax())], [NonNegative(x - 1)])


def test_dropmax_ceiling_not_covered_by_its_numerator() -> None:
    """−⌈x/2⌉ ≥ 0 does not follow from 1 − x ≥ 0 (x = 1: max(0, −1) = 0, not −1)."""
    refused(Max(0, -ceiling(x / 2)), [(-ceiling(x / 2), DropMax())], [NonNegative(1 - x)])


def test_dropmax_min_one_argument_uncovered() -> None:
    refused(Max(0, Min(x, y) - 1), [(Min(x, y) - 1, DropMax())], [NonNegative(x - 1)])


def test_nonnegative_wrong_direction() -> None:
    """−⌊x/2⌋ ≥ 0 from x ≥ 0? No (x = 2)."""
    refused(Max(0, -floor(x / 2)), [(-floor(x / 2), DropMax())], [NonNegative(x)])


def test_ceiling_as_floor_off_by_one() -> None:
    refused(ceiling(x / s), [(floor((x + s) / s), FloorIdentity("ceiling_as_floor"))])


def test_ceiling_as_floor_rational_numerator() -> None:
    """⌈q/2⌉ = ⌊(q + 1)/2⌋ fails for q = 1/2 (1 vs 0)."""
    refused(ceiling(q / 2), [(floor((q + 1) / 2), FloorIdentity("ceiling_as_floor"))])


def test_ceiling_as_floor_unknown_sign_divisor() -> None:
    refused(ceiling(x / y), [(floor((x + y - 1) / y), FloorIdentity("ceiling_as_floor"))])


def test_floor_as_ceiling_off_by_one() -> None:
    refused(floor(x / s), [(ceiling((x - s) / s), FloorIdentity("floor_as_ceiling"))])


def test_mod_as_floor_wrong_sign() -> None:
    refused(Mod(x, s), [(x + s * floor(x / s), FloorIdentity("mod_as_floor"))])


def test_floor_of_small_one_too_many() -> None:
    """⌊x/2⌋ = 0 needs x ≤ 1; x ≤ 2 is not enough."""
    refused(floor(x / 2), [(S.Zero, FloorIdentity("floor_of_small"))],
            [NonNegative(x), NonNegative(2 - x)])


def test_floor_of_small_negative_numerator() -> None:
    refused(floor(x / 2), [(S.Zero, FloorIdentity("floor_of_small"))],
            [NonNegative(x + 1), NonNegative(1 - x)])


def test_floor_of_small_at_other_node() -> None:
    """``at`` names ⌊y/2⌋, but the claim rewrites ⌊x/2⌋."""
    lhs = floor(x / 2) + floor(y / 2)
    refused(lhs, [(floor(y / 2), FloorIdentity("floor_of_small", at=floor(y / 2)))],
            [NonNegative(y), NonNegative(1 - y)])


def test_floor_of_small_on_bound_variable() -> None:
    """Σ_{t=0}^{3} ⌊t/2⌋ = 2, not 0: the condition 0 ≤ t ≤ 1 mentions the index."""
    refused(Sum(floor(t / 2), (t, 0, 3)), [(Sum(0, (t, 0, 3)), FloorIdentity("floor_of_small"))])


def test_dropmax_on_bound_variable() -> None:
    refused(Sum(Max(0, t - 2), (t, 0, 3)), [(Sum(t - 2, (t, 0, 3)), DropMax())])


def test_dropmax_in_lambda() -> None:
    u = Symbol("u")
    lhs = f(Lambda(u, Max(0, u)))
    refused(lhs, [(f(Lambda(u, u)), DropMax())])


def test_sum_of_constant_karr_negative_length() -> None:
    """Σ_{t=0}^{n−2} 1 = n − 1 needs n ≥ 1: at n = 0 the range is empty (0), though SymPy's
    Karr convention makes it −1; n ≥ 0 must not cover n − 1 ≥ 0."""
    refused(Sum(1, (t, 0, n - 2)), [(n - 1, SumOfConstant())], [NonNegative(n)])


def test_sum_of_constant_length_on_outer_index() -> None:
    refused(Sum(1, (t, 0, m - 2), (m, 0, 3)),
            [(Sum(m - 1, (m, 0, 3)), SumOfConstant())])


def test_sum_of_constant_nested_length_on_outer_index() -> None:
    refused(Sum(Sum(1, (t, 0, m - 2)), (m, 0, 3)),
            [(Sum(m - 1, (m, 0, 3)), SumOfConstant())])


def test_sum_of_constant_infinite_limit() -> None:
    refused(Sum(1, (t, 0, oo)), [(oo, SumOfConstant())])


def test_sum_of_constant_off_by_one() -> None:
    refused(Sum(1, (t, 0, n)), [(n, SumOfConstant())], [NonNegative(n)])


def test_single_term_sum_wrong_point() -> None:
    refused(Sum(f(t), (t, n, n)), [(f(n + 1), SingleTermSum())])


def test_mincases_wrong_branch() -> None:
    refused(Min(x, y) + 1, [(Piecewise((y + 1, x < y), (x + 1, True)), MinCases())])


def test_mincases_three_arguments() -> None:
    """min(x, y, n) is not min(x, y) (n = −1, x = y = 0)."""
    refused(Min(x, y, n), [(Piecewise((x, x < y), (y, True)), MinCases())])


def test_floor_relation_strict_off_by_one() -> None:
    """⌊x/s⌋ > n ⇔ x ≥ s·n + s, not x > s·n (s = 2, n = 0, x = 1)."""
    refused(Piecewise((1, floor(x / s) > n), (0, True)),
            [(Piecewise((1, x > s * n), (0, True)), FloorRelation())])


def test_floor_relation_le_off_by_one() -> None:
    refused(Piecewise((1, floor(x / s) <= n), (0, True)),
            [(Piecewise((1, x <= s * n), (0, True)), FloorRelation())])


def test_floor_relation_rational_y() -> None:
    refused(Piecewise((1, floor(x / 2) >= S.Half), (0, True)),
            [(Piecewise((1, x >= 1), (0, True)), FloorRelation())])


def test_branch_value_uses_only_its_condition() -> None:
    """In the second branch ⌊x/2⌋ = 0 needs x ≥ 0, which only the *negation* of the first
    branch gives; it must be recorded, and x ≤ 2 is not x ≤ 1 (x = 2: 1 vs 0)."""
    lhs = Piecewise((x, x < 0), (floor(x / 2), x <= 2), (n, True))
    refused(lhs, [(Piecewise((x, x < 0), (S.Zero, x <= 2), (n, True)), BranchValue())],
            [NonNegative(x)])


def test_branch_value_true_condition() -> None:
    lhs = Piecewise((floor(x / 2), x >= 0), (floor(x / 3), True))
    refused(lhs, [(Piecewise((floor(x / 2), x >= 0), (S.Zero, True)), BranchValue())])


def test_branch_value_rational_y() -> None:
    lhs = Piecewise((floor(x / 2), x >= 1), (n, True))
    refused(lhs, [(Piecewise((S.Half, x >= 1), (n, True)), BranchValue())])


def test_branch_value_changed_condition() -> None:
    lhs = Piecewise((floor(x / 2), (x >= 0) & (x <= 1)), (n, True))
    refused(lhs, [(Piecewise((S.Zero, (x >= 0) & (x <= 3)), (n, True)), BranchValue())])


def test_branch_value_real_strict_condition() -> None:
    """r < 3 (r real) does not give r ≤ 2, let alone r ≤ 1 (r = 5/2: ⌊5/4⌋ = 1)."""
    lhs = Piecewise((floor(r / 2), (r >= 0) & (r < 3)), (n, True))
    refused(lhs, [(Piecewise((S.Zero, (r >= 0) & (r < 3)), (n, True)), BranchValue())])


def test_branch_value_integer_strict_condition() -> None:
    """x < 3 gives x ≤ 2, not x ≤ 1 (x = 2: ⌊2/2⌋ = 1)."""
    lhs = Piecewise((floor(x / 2), (x >= 0) & (x < 3)), (n, True))
    refused(lhs, [(Piecewise((S.Zero, (x >= 0) & (x < 3)), (n, True)), BranchValue())])


def test_branch_value_double_floor() -> None:
    lhs = Piecewise((2 * floor(x / 2), (x >= 0) & (x <= 1)), (n, True))
    refused(lhs, [(Piecewise((x, (x >= 0) & (x <= 1)), (n, True)), BranchValue())])
