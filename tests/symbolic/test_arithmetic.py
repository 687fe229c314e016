"""Convolution arithmetic (family ``arithmetic``): the derivations verify, their statements
hold at drawn integers (counts enumerated by brute force, independently of the rules), and
the integer rules refuse what does not follow."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
import sympy
from sympy import And, Eq, Function, Lambda, Le, Lt, Max, S, Sum, Symbol, ceiling, floor, oo

from convmath import ProofError
from convmath.errors import InvalidArgument
from convmath.symbolic.derivation import Derivation, Step
from convmath.symbolic.kernel import (
    NonNegative,
    Remark,
    RuleFailure,
    integer_lower_bounds,
)
from convmath.symbolic.operators import Named
from convmath.symbolic.printing import text
from convmath.symbolic.rules import (
    BranchValue,
    CountInterval,
    DropMax,
    FloorIdentity,
    FloorRelation,
    MinCases,
    SingleTermSum,
    SolveForIndex,
    SumOfConstant,
    count,
)
from convmath.symbolic.rules.definitions import unfold_all
from convmath.symbolic.theorems import derivations

ARITH = derivations(family="arithmetic")
t = Symbol("t", integer=True)
i, k, p, d, a, m = sympy.symbols("i k p d a m", integer=True)
s = Symbol("s", integer=True, positive=True)


def brute(e: Any) -> Any:
    """Evaluate a closed expression: a count Σ_{t∈ℤ}[cond] by enumerating t (the condition
    must be false at both ends of the range, so nothing is cut off), a finite sum term by
    term; everything else is exact integer/rational arithmetic."""
    def count_it(n: Any) -> Any:
        (v, _, _), = n.limits
        cond = n.function.args[0][1]
        assert cond.free_symbols == {v}, cond
        holds = sympy.lambdify(v, cond, modules=[{"And": lambda *xs: all(xs)}, "math"])
        span = range(-400, 401)
        assert not holds(span[0]) and not holds(span[-1])
        return sympy.Integer(sum(1 for x in span if holds(x)))

    def finite(n: Any) -> Any:
        body = n.function
        for v, lo, hi in n.limits:
            assert lo.is_Integer and hi.is_Integer
            body = sympy.Add(*[body.subs(v, x) for x in range(int(lo), int(hi) + 1)])
        return body

    e = unfold_all(e, (Named,))
    e = e.replace(lambda n: isinstance(n, Sum) and n.limits[0][1] == -oo, count_it)
    for _ in range(10):
        e = e.replace(lambda n: isinstance(n, Sum), finite)
    return sympy.nsimplify(e) if e.free_symbols == set() else e


def _draw(sym: Symbol, rng: random.Random) -> Any:
    if sym.is_integer:
        lo = 1 if sym.is_positive else 0 if sym.is_nonnegative else -5
        return sympy.Integer(rng.randint(lo, 9))
    assert sym.is_positive and sym.is_rational, sym
    return sympy.Rational(rng.randint(1, 12), rng.randint(1, 4))


_FUNCS = {"w": Lambda(sympy.symbols("q c u v"), sympy.Symbol("q") * 7 + sympy.Symbol("c") * 3
                      + sympy.Symbol("u") ** 2 - 2 * sympy.Symbol("v") + 1),
          "x": Lambda(sympy.symbols("c y z"), sympy.Symbol("c") - 5 * sympy.Symbol("y")
                      + sympy.Symbol("z") ** 3),
          "b": Lambda(sympy.symbols("q"), 11 - sympy.Symbol("q"))}


def _instances(der: Derivation, want: int, seed: int) -> list[dict[Any, Any]]:
    """Points satisfying the symbols' assumptions and the NonNegative hypotheses."""
    rng = random.Random(seed)
    stmt = der.statement
    syms: set[Any] = set()
    for side in (stmt.lhs, stmt.rhs):
        syms |= unfold_all(side, (Named,)).free_symbols
    syms = {x for x in syms if not isinstance(x, sympy.Dummy)}
    out = []
    for _ in range(50 * want):
        vals = {x: _draw(x, rng) for x in sorted(syms, key=str)}
        if all(h.expr.subs(vals) >= 0 for h in der.hypotheses if isinstance(h, NonNegative)):
            out.append(vals)
        if len(out) == want:
            break
    assert len(out) == want, der.key
    return out


@pytest.mark.parametrize("der", ARITH, ids=[x.key for x in ARITH])
def test_the_derivation_verifies_with_every_condition_stated(der: Derivation) -> None:
    got = der.verify()
    assert not got.unstated, [c.describe(text) for _, c in got.unstated]


@pytest.mark.parametrize("der", ARITH, ids=[x.key for x in ARITH])
def test_the_statement_holds_at_drawn_integers(der: Derivation) -> None:
    stmt = der.statement
    n = 10 if (os.environ.get("CONVMATH_PROFILE") or "dev") == "dev" else 25
    for vals in _instances(der, n, seed=len(der.key)):
        lhs, rhs = (unfold_all(side, (Named,)).subs(vals) for side in (stmt.lhs, stmt.rhs))
        for name, fn in _FUNCS.items():
            lhs = lhs.replace(Function(name), fn)
            rhs = rhs.replace(Function(name), fn)
        assert brute(lhs) == brute(rhs), (der.key, vals)


def test_the_family_has_what_it_promises() -> None:
    keys = {x.key for x in ARITH}
    assert {f"dumoulin_visin:Z:r{n}" for n in range(1, 16)} <= keys
    for name in ("conv_output_size", "conv_transpose_output_size", "pool_output_size",
                 "pool_output_size_ceil", "pool_ceil_mode_rule",
                 "conv_transpose_shape_symmetry",
                 "conv_shape_roundtrip", "conv_window_count", "depthwise_separable_ratio",
                 "conv1x1_matmul"):
        assert f"{name}:Z" in keys
    for name in ("conv_params", "conv_macs", "conv_connections"):
        assert {f"{name}:Z:{n}d" for n in (1, 2, 3)} <= keys
    assert {f"receptive_field:Z:{x}" for x in ("size", "jump", "start", "centre")} <= keys


def test_pytorch_ceil_mode_fixture() -> None:
    # i = 5, k = 2, s = 2, p = 1, ceil_mode: PyTorch gives 3 ("ceil instead of floor": 4)
    der = derivations("pool_output_size_ceil:Z")[0]
    vals = {Symbol("i", integer=True): 5, Symbol("k", integer=True): 2,
            Symbol("s", integer=True, positive=True): 2, Symbol("p", integer=True): 1,
            Symbol("d", integer=True): 1}
    assert der.statement.rhs.subs(vals) == 3
    assert brute(der.statement.lhs.subs(vals)) == 3


def test_a_count_prints_as_a_set_size() -> None:
    assert text(count(t, And(Le(0, t), Le(t, 5)))) == "#{t ∈ ℤ : t ≥ 0 ∧ t ≤ 5}"
    assert text(floor(i / s)) == "⌊i/s⌋" and text(ceiling(i / s)) == "⌈i/s⌉"


# -- the rules refuse what does not follow ------------------------------------------------


def _chain(lhs: Any, rhs: Any, steps: list[tuple[Any, Any]], hyps: tuple[Any, ...] = ()
           ) -> Derivation:
    return Derivation("attack", "ℤ", "attack", Eq(lhs, rhs, evaluate=False),
                      tuple(Step(e, r) for e, r in steps), hyps)


def test_solve_for_index_is_exact_about_strictness_and_sign() -> None:
    strict = count(t, And(Le(0, t), Lt(s * t, m)))
    with pytest.raises(RuleFailure):  # s·t < m is t ≤ ⌈m/s⌉ − 1, not t ≤ ⌊m/s⌋
        SolveForIndex().check(strict, count(t, And(Le(0, t), Le(t, floor(m / s)))))
    SolveForIndex().check(strict, count(t, And(Le(0, t), Le(t, ceiling(m / s) - 1))))
    flipped = count(t, And(Le(-s * t, m), Le(t, 9)))
    with pytest.raises(RuleFailure):  # −s·t ≤ m is t ≥ ⌈−m/s⌉
        SolveForIndex().check(flipped, count(t, And(Le(floor(-m / s), t), Le(t, 9))))
    SolveForIndex().check(flipped, count(t, And(Le(ceiling(-m / s), t), Le(t, 9))))


def test_solve_for_index_refuses_unknown_signs_unbounded_sets_and_signed_indices() -> None:
    unknown = count(t, And(Le(0, t), Le(k * t, m)))  # k may be negative or 0
    with pytest.raises(RuleFailure, match="sign"):
        SolveForIndex().apply(unknown)
    with pytest.raises(RuleFailure, match="unbounded"):
        SolveForIndex().apply(count(t, Le(s * t, m)))
    complex_ = count(t, And(Le(0, t), Le(t, Symbol("z"))))  # z not known real
    with pytest.raises(RuleFailure, match="real"):
        SolveForIndex().apply(complex_)
    tp = Symbol("t", integer=True, positive=True)  # a sign could evaluate a bound away
    with pytest.raises(RuleFailure, match="nothing to rewrite"):
        SolveForIndex().apply(count(tp, And(Le(-3, tp), Le(tp, 5))))
    nonlinear = count(t, And(Le(0, t), Le(t**2, m)))
    with pytest.raises(RuleFailure, match="linear"):
        SolveForIndex().apply(nonlinear)


def test_count_interval_needs_integer_bounds_and_gives_a_max() -> None:
    with pytest.raises(RuleFailure, match="integer"):
        CountInterval().apply(count(t, And(Le(0, t), Le(t, m / s))))
    c = count(t, And(Le(a, t), Le(t, m)))
    with pytest.raises(RuleFailure):  # the count of an empty interval is 0, not m − a + 1
        CountInterval().check(c, m - a + 1)
    CountInterval().check(c, Max(0, m - a + 1))


def test_dropping_the_max_without_its_hypothesis_is_not_a_bare_check_mark() -> None:
    lhs = count(t, And(Le(0, t), Le(s * t, m)))
    q = floor(m / s)
    steps = [(count(t, And(Le(0, t), Le(t, q))), SolveForIndex()),
             (Max(0, q + 1), CountInterval()), (q + 1, DropMax())]
    bare = _chain(lhs, q + 1, steps).verify()
    assert [c.subject for _, c in bare.unstated] == [m + s]  # ⌊m/s⌋ + 1 ≥ 0 ⇔ m + s ≥ 0
    assert not _chain(lhs, q + 1, steps, (NonNegative(m),)).verify().unstated
    # a hypothesis that does not imply the condition does not cover it
    assert _chain(lhs, q + 1, steps, (NonNegative(m + 2 * s),)).verify().unstated
    assert _chain(lhs, q + 1, steps, (Remark("m + s ≥ 0"),)).verify().unstated


def test_a_false_output_size_does_not_verify() -> None:
    lhs = count(t, And(Le(0, t), Le(s * t + k - 1, i - 1)))
    for wrong in (ceiling((i - k) / s) + 1, (i - k) / s + 1, floor((i - k) / s)):
        with pytest.raises(ProofError):
            _chain(lhs, wrong, [(count(t, And(Le(0, t), Le(t, floor((i - k) / s)))),
                                 SolveForIndex()),
                                (Max(0, floor((i - k) / s) + 1), CountInterval()),
                                (wrong, DropMax())], (NonNegative(i - k),)).verify()


def test_floor_identities_check_their_hypotheses() -> None:
    x = Symbol("x", real=True)
    with pytest.raises(RuleFailure, match="integer"):
        FloorIdentity("ceiling_as_floor").apply(ceiling(x / 2))
    with pytest.raises(RuleFailure, match="positive integer"):
        FloorIdentity("mod_as_floor").apply(sympy.Mod(m, k))
    got = _chain(floor(a / s) + i, i, [(i, FloorIdentity("floor_of_small"))]).verify()
    assert {c.subject for _, c in got.unstated} == {a, s - 1 - a}
    with pytest.raises(InvalidArgument):
        FloorIdentity("floor_of_anything")
    with pytest.raises(RuleFailure):  # ⌈m/s⌉ is not ⌊m/s⌋
        FloorIdentity("ceiling_as_floor").check(ceiling(m / s), floor(m / s))


def test_sums_of_constants_record_their_length_and_refuse_dependent_summands() -> None:
    c = Symbol("c", integer=True)
    got = _chain(Sum(S(2), (c, 0, m - 1)), 2 * m, [(2 * m, SumOfConstant())]).verify()
    assert [x.subject for _, x in got.unstated] == [m]  # Karr: Σ_{0}^{−3} 2 would be −4
    with pytest.raises(RuleFailure, match="nothing to rewrite"):
        SumOfConstant().apply(Sum(c, (c, 0, m - 1)))
    dependent = Sum(S.One, (t, 0, c), (c, 0, m))
    with pytest.raises(RuleFailure, match="outer index"):
        SumOfConstant().apply(dependent)
    with pytest.raises(RuleFailure, match="nothing to rewrite"):
        SingleTermSum().apply(Sum(c, (c, 0, 1)))
    assert SingleTermSum().apply(Sum(c * t, (c, 2, 2), (t, 0, m))) == Sum(2 * t, (t, 0, m))


def test_non_negative_hypothesis_input_is_checked() -> None:
    with pytest.raises(InvalidArgument):
        NonNegative("i - k")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        NonNegative(Sum(t, (t, 0, 3)))


def test_min_cases_and_floor_relations_are_exact() -> None:
    lo, hi = floor(m / s), ceiling(i / s)
    MinCases().check(sympy.Min(lo, hi) + 1, sympy.Piecewise(
        (lo + 1, sympy.StrictLessThan(lo, hi)), (hi + 1, True)))
    with pytest.raises(RuleFailure):  # the branches swapped
        MinCases().check(sympy.Min(lo, hi) + 1, sympy.Piecewise(
            (hi + 1, sympy.StrictLessThan(lo, hi)), (lo + 1, True)))
    rel = sympy.LessThan(floor(m / s), k)
    FloorRelation().check(rel, sympy.LessThan(m, s * k + s - 1))
    with pytest.raises(RuleFailure):  # ⌊m/s⌋ ≤ k is m ≤ s·k + s − 1, not m ≤ s·k
        FloorRelation().check(rel, sympy.LessThan(m, s * k))
    with pytest.raises(RuleFailure, match="nothing to rewrite"):  # m/s is not an integer
        FloorRelation().apply(sympy.LessThan(floor(m / s), k / 2))


def test_branch_value_uses_only_its_own_condition() -> None:
    fl = floor(m / s)
    prev = sympy.Piecewise((fl, sympy.GreaterThan(m, s * k)), (i, True))
    claimed = sympy.Piecewise((k, sympy.GreaterThan(m, s * k)), (i, True))
    got = _chain(prev, claimed, [(claimed, BranchValue())]).verify()
    # m ≥ s·k is the branch's own condition; m ≤ s·k + s − 1 is not implied
    assert [c.subject for _, c in got.unstated] == [k * s + s - 1 - m]
    assert not _chain(prev, claimed, [(claimed, BranchValue())],
                      (NonNegative(k * s + s - 1 - m),)).verify().unstated
    with pytest.raises(ProofError):  # ⌊m/s⌋ + 1/2 is not a floor equation with Y integer
        _chain(prev, sympy.Piecewise((k + S.Half, sympy.GreaterThan(m, s * k)), (i, True)),
               [(sympy.Piecewise((k + S.Half, sympy.GreaterThan(m, s * k)), (i, True)),
                 BranchValue())]).verify()
    moved = sympy.Piecewise((k, sympy.GreaterThan(m, s * k + 1)), (i, True))
    with pytest.raises(ProofError, match="conditions"):
        _chain(prev, moved, [(moved, BranchValue())]).verify()


def test_pytorch_ceil_rule_needs_its_padding_hypothesis() -> None:
    der = derivations("pool_ceil_mode_rule:Z")[0]
    weaker = Derivation(der.name, der.domain, der.title, der.statement, der.steps,
                        tuple(h for h in der.hypotheses if not (
                            isinstance(h, NonNegative) and h.expr.has(Symbol("d",
                                                                             integer=True))
                            and h.expr.has(Symbol("k", integer=True))
                            and not h.expr.has(Symbol("i", integer=True)))))
    assert len(weaker.hypotheses) == len(der.hypotheses) - 1
    assert weaker.verify().unstated
    # and it is needed: with p > d(k − 1) + 1 PyTorch's single correction is not enough
    vals = {Symbol("i", integer=True): 1, Symbol("k", integer=True): 1,
            Symbol("s", integer=True, positive=True): 1, Symbol("p", integer=True): 3,
            Symbol("d", integer=True): 1}
    assert brute(der.statement.lhs.subs(vals)) != der.statement.rhs.subs(vals)


def test_integer_lower_bounds_are_lower_bounds() -> None:
    rng = random.Random(7)
    u, v = sympy.symbols("u v", integer=True)
    exprs = [floor(u / s) + 1, v - s * ceiling(u / s) + s, 3 * floor((u + v) / s) - v,
             -floor(u / s) + ceiling(v / s) + 2, floor(u / s) - ceiling(v / s) + k]
    for y in exprs:
        bounds = integer_lower_bounds(y)
        assert len(bounds) > 1, y
        for _ in range(200):
            vals = {u: rng.randint(-30, 30), v: rng.randint(-30, 30), k: rng.randint(-5, 5),
                    s: rng.randint(1, 7)}
            yv = y.subs(vals)
            for b in bounds:
                if b.subs(vals) >= 0:
                    assert yv >= 0, (y, b, vals)


def test_a_condition_on_a_bound_variable_is_refused() -> None:
    # Σ_{m=−5}^{5} Σ_{t=0}^{m−1} 1: the inner length m is bound; "m ≥ 0" as a hypothesis
    # would speak of another m (Karr's convention makes the inner sums negative for m < 0)
    with pytest.raises(RuleFailure, match="outer index"):  # SymPy merges the two sums
        SumOfConstant().apply(Sum(Sum(S.One, (t, 0, m - 1)), (m, -5, 5)))
    with pytest.raises(RuleFailure, match="bound"):
        SumOfConstant().apply(Sum(m * Sum(S.One, (t, 0, m - 1)), (m, -5, 5)))
    with pytest.raises(RuleFailure, match="bound"):
        DropMax().apply(Sum(Max(0, m - 3), (m, 0, 9)))
    assert SumOfConstant().apply(Sum(Sum(S.One, (t, 0, 4)), (m, 0, 2))) == Sum(5, (m, 0, 2))


@pytest.mark.parametrize("spec", [
    "input 3x32x32; conv 8 k=3 s=2 p=1 d=2 g=1",
    "input 3x32x32; convT 8 k=3 s=2 p=1 op=1",
    "input 3x5x5; maxpool k=2 s=2 p=1 ceil",
    "input 3x9x9; avgpool k=3 s=2",
])
def test_every_derivation_convmath_shape_explain_names_exists(spec: str) -> None:
    from convmath.numeric import explain_layer

    keys = [line.split("convmath prove ")[1].strip()
            for line in explain_layer(spec, 1).splitlines() if "proved by:" in line]
    assert keys, spec
    for key in keys:
        found = derivations(key)
        assert found and all(not d.verify().unstated for d in found), key


def test_a_provably_false_non_negative_hypothesis_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="negative"):
        NonNegative(-s)
    with pytest.raises(InvalidArgument, match="negative"):
        NonNegative(sympy.Integer(-1))
    NonNegative(m - 1)  # may hold: accepted


def test_a_parameter_named_like_the_index_is_not_the_index() -> None:
    # the bound t (integer) and a free real symbol also printed "t": the bound is ⌊t_real⌋,
    # and confusing the two (claiming the count is t_real + 1) must not verify
    t_real = Symbol("t", real=True)
    c = count(t, And(Le(0, t), Le(t, t_real)))
    SolveForIndex().check(c, count(t, And(Le(0, t), Le(t, floor(t_real)))))
    with pytest.raises(ProofError):
        _chain(c, t_real + 1, [(count(t, And(Le(0, t), Le(t, floor(t_real)))),
                                SolveForIndex()),
                               (Max(0, floor(t_real) + 1), CountInterval()),
                               (t_real + 1, DropMax())], (NonNegative(t_real),)).verify()
