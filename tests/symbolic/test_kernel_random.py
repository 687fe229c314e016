"""Random rule applications on random expressions: every accepted step must hold numerically.

Each example builds an expression with concrete integrands (Gaussians, bumps, polynomials,
exp, sin, |·|, δ factors) and small integer limits — half of them hostile (limits naming
bound variables, half-integer sums, free symbols shadowing bound ones, integrands that change
if a bound variable gains assumptions) — applies a rule with random (sometimes nonsensical)
parameters, and claims the rule's own result, a perturbation of it, the "naive" version of
the rule (no capture, dependency or assumption checks), or another rule's result. The
one-step derivation ``prev = claimed`` may be rejected (ProofError); when it verifies,
``prev`` and ``claimed`` are evaluated by an independent numeric evaluator
(:mod:`kernel_random_strategies`) at random points and must agree — a mismatch is a soundness
bug, and the failure prints prev, claimed and the rule. :data:`FOUND` keeps the wrong steps
this search found in the engine before the sound kernel.

``CONVMATH_FUZZ=long`` runs many more examples (see tests/fuzz/fuzz_common.py).
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from kernel_random_strategies import (
    INTEGER_KINDS,
    REAL_KINDS,
    Draw,
    Unevaluable,
    assert_numerically_equal,
    bound_variables,
    bounded_factor,
    check_step,
    coupling,
    decaying_factor,
    expanded_bodies,
    i_int,
    int_limits,
    integer_shape,
    integrand,
    j,
    k,
    load_fuzz_settings,
    m,
    mutate,
    n,
    naive_exchange,
    naive_rename,
    naive_sift,
    naive_substitute,
    naive_swap,
    naive_under,
    numerically_equal,
    p,
    pick,
    random_env,
    real_shape,
    reserved,
    retyped,
    rule_result,
    substitutions,
    sum_limits,
    t,
    u,
    v_pos,
    verify_step,
    w,
    x,
    y,
    z,
)
from sympy import (
    Abs,
    DiracDelta,
    Expr,
    Integral,
    KroneckerDelta,
    Lambda,
    Rational,
    Sum,
    cos,
    exp,
    oo,
    pi,
    sin,
)

from convmath.symbolic import Difference, conv, difference, xcorr
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    Definition,
    DifferenceUnderSum,
    ExchangeSumIntegral,
    Fubini,
    Leibniz,
    Linearity,
    Rename,
    ReverseLimits,
    Rule,
    Sift,
    Substitute,
)

_fuzz = load_fuzz_settings()


def _budget(examples: int) -> settings:
    """FUZZ settings with ``examples`` examples (thirty times as many with
    CONVMATH_FUZZ=long); no shrinking by default — each example costs SymPy time, and the
    failure message already shows the step."""
    long = bool(_fuzz.LONG)
    phases = list(Phase) if long else [Phase.explicit, Phase.reuse, Phase.generate]
    return settings(_fuzz.FUZZ, max_examples=examples * 30 if long else examples,
                    phases=phases)


SEEDS = st.lists(st.integers(0, 2**20), min_size=2, max_size=2)


def _claims(draw: Draw, prev: Expr, rule: Rule, extra: list[Any] | None = None) -> list[Expr]:
    """The rule's own result, a perturbation of it, and ``extra`` claims."""
    out: list[Expr] = []
    got = rule_result(rule, prev)
    if got is not None:
        out += [got, mutate(draw, got)]
    out += [c for c in extra or [] if isinstance(c, Expr)]
    return out


def _check_all(prev: Expr, claims: list[Expr], rule: Rule, domain: str,
               seeds: list[int]) -> None:
    for claimed in dict.fromkeys(claims):
        check_step(prev, claimed, rule, domain, seeds)


#: the shapes where a sloppy checker goes wrong: limits naming bound variables, a middle
#: limit naming the outer variable, free symbols shadowing bound ones or named like
#: canonical()'s, sums over half-integer ranges
HOSTILE_REAL = ("triple", "limitvar", "shadow", "reserved", "iterated", "single")
HOSTILE_INTEGER = ("half", "limitvar", "shadow", "iterated", "kronecker", "single")


def _shape(draw: Draw, real_kinds: tuple[str, ...] = REAL_KINDS,
           integer_kinds: tuple[str, ...] = INTEGER_KINDS, *, hostile: bool = False
           ) -> tuple[Expr, bool]:
    """A random expression (ℝ or ℤ); ``hostile``: from the hostile shapes, with integrands
    that change value if a bound variable gains assumptions."""
    discrete = draw(st.booleans())
    if hostile:
        real_kinds, integer_kinds = HOSTILE_REAL, HOSTILE_INTEGER
    if discrete:
        return integer_shape(draw, integer_kinds, sensitive=hostile), True
    return real_shape(draw, real_kinds, sensitive=hostile), False


# -- the numeric check itself ------------------------------------------------------------------


def test_numeric_check_flags_a_wrong_equality() -> None:
    wrong = Integral(z, (z, 0, 1))
    with pytest.raises(AssertionError, match="numerically wrong"):
        assert_numerically_equal(wrong, sympy.Integer(1), [1, 2])
    assert assert_numerically_equal(wrong, Rational(1, 2), [1, 2]) == 2
    # a lost Jacobian, a reversed orientation and a shifted sum are all caught
    for a, b in [
        (Integral(exp(-(2 * z) ** 2), (z, -oo, oo)), Integral(exp(-(w**2)), (w, -oo, oo))),
        (Integral(z**2, (z, 0, 1)), Integral(z**2, (z, 1, 0))),
        (Sum(k**2, (k, 0, 3)), Sum((j + 1) ** 2, (j, 0, 3))),
        (Sum(k, (k, 5, 2)), Sum(k, (k, 2, 5))),
        (Integral(DiracDelta(2 * z - 1) * z, (z, -oo, oo)), Rational(1, 2)),
        (sympy.Derivative(Integral(sin(x * z), (z, 0, x)), x), Integral(z * cos(x * z),
                                                                       (z, 0, x))),
    ]:
        ok, va, vb = numerically_equal(a, b, random_env([a, b], 7))
        assert not ok, (a, b, va, vb)
    with pytest.raises(Unevaluable):
        numerically_equal(Integral(z, (z, 0, oo)), sympy.Integer(1), {})


def test_known_good_steps_are_accepted_and_agree() -> None:
    """The harness is not vacuous: textbook steps verify and agree numerically."""
    g = exp(-(z**2))
    steps: list[tuple[Expr, Expr, Rule, str]] = [
        (Integral(z**2, (z, 0, 1)), Integral(3 * (3 * w + 1) ** 2, (w, -Rational(1, 3), 0)),
         Substitute((z, 3 * w + 1, w)), "ℝ"),
        (Integral(g, (z, 0, 1)), Integral(-g, (z, 1, 0)), ReverseLimits(z), "ℝ"),
        (Integral(g, (z, 0, 1)), Integral(exp(-(w**2)), (w, 0, 1)), Rename(z, w), "ℝ"),
        (Integral(2 * x * g, (z, -oo, oo)), 2 * x * Integral(g, (z, -oo, oo)), Linearity(),
         "ℝ"),
        (Integral(z * y, (z, 0, 1), (y, 0, 2)), Integral(z * y, (y, 0, 2), (z, 0, 1)),
         Fubini((z, y)), "ℝ"),
        (Integral(g * DiracDelta(z - 1), (z, -oo, oo)), exp(-1), Sift(), "ℝ"),
        (sympy.Derivative(Integral(exp(-((z - x) ** 2)), (z, 0, 1)), x),
         Integral(2 * (z - x) * exp(-((z - x) ** 2)), (z, 0, 1)), Leibniz(), "ℝ"),
        (Integral(Sum(z**k, (k, 0, 2)), (z, 0, 1)), Sum(Integral(z**k, (z, 0, 1)),
                                                         (k, 0, 2)),
         ExchangeSumIntegral(), "ℝ"),
        (difference(Sum(n * k, (k, 0, 3)), n), Sum(k * (n + 1) - k * n, (k, 0, 3)),
         DifferenceUnderSum(), "ℤ"),
        (Integral((z + 1) ** 2, (z, 0, 1)), Integral(z**2 + 2 * z + 1, (z, 0, 1)), Algebra(),
         "ℝ"),
        (Sum(k**2, (k, 1, 4)), sympy.Integer(30), Compute(), "ℤ"),
        (conv(Lambda(t, exp(-(t**2))), Lambda(t, exp(-(t**2))), x),
         Integral(exp(-(z**2)) * exp(-((x - z) ** 2)), (z, -oo, oo)), Definition("∗"), "ℝ"),
    ]
    for prev, claimed, rule, domain in steps:
        assert verify_step(prev, claimed, rule, domain) is not None, (prev, claimed, rule)
        assert assert_numerically_equal(prev, claimed, [3, 4], repr(rule)) == 2


# -- what the random search found -------------------------------------------------------------

_HALF = Rational(1, 2)

#: Accepted-but-wrong steps the random search below found in the rule engine before the
#: sound kernel (commit 1787ace), one per cause. Each is numerically wrong; each must be
#: rejected.
FOUND: list[tuple[str, Expr, Expr, Rule, str]] = [
    ("exchange: the integral's limit k is captured by the sum over k",
     Integral(Sum(k * z, (k, 0, 2)), (z, 0, k)), Sum(Integral(k * z, (z, 0, k)), (k, 0, 2)),
     ExchangeSumIntegral(), "ℝ"),
    ("fubini: a middle limit names the outer variable (sums)",
     Sum(k**2, (k, -1, 2), (m, 0, j), (j, 0, 2)), Sum(k**2, (j, 0, 2), (m, 0, j), (k, -1, 2)),
     Fubini((k, j)), "ℤ"),
    ("fubini: a middle limit names the outer variable (integrals)",
     Integral(u + y, (z, 0, 1), (u, 0, y), (y, 0, 1)),
     Integral(u + y, (y, 0, 1), (u, 0, y), (z, 0, 1)), Fubini((z, y)), "ℝ"),
    ("rename: the free z in the binder's own limit is renamed too",
     Integral(z, (z, 0, z)), Integral(w, (w, 0, w)), Rename(z, w), "ℝ"),
    ("rename: the free z in an outer limit is renamed too",
     Integral(y * z, (z, 0, 1), (y, z, 2)), Integral(y * w, (w, 0, 1), (y, w, 2)),
     Rename(z, w), "ℝ"),
    ("rename: to a variable bound by another limit of the same sum",
     Sum(j * k**2, (k, j, 2), (j, 0, 2)), Sum(j**3, (j, j, 2), (j, 0, 2)), Rename(k, j), "ℤ"),
    ("rename: to an integer symbol (sin(πi) evaluates to 0)",
     Integral(sin(pi * z), (z, 0, 1)), Integral(0, (i_int, 0, 1)), Rename(z, i_int), "ℝ"),
    ("rename: the identity rename of a half-integer sum (canonical() declares it integer)",
     Sum(n * t * sin(pi * t), (t, -7 * _HALF, _HALF)), Sum(0, (t, -7 * _HALF, _HALF)),
     Rename(t, t), "ℤ"),
    ("substitute: to a positive symbol (|v| evaluates to v)",
     Integral(Abs(z), (z, -1, 1)), Integral(v_pos, (v_pos, -1, 1)),
     Substitute((z, v_pos, v_pos)), "ℝ"),
    ("substitute: to an integer symbol (cos(π(3i + 1/2)) evaluates to 0)",
     Integral(cos(pi * z), (z, -1, _HALF)), Integral(0, (i_int, -_HALF, 0)),
     Substitute((z, 3 * i_int + _HALF, i_int)), "ℝ"),
    ("substitute: an integer variable for a half-integer sum",
     Sum(sin(pi * t), (t, _HALF, 5 * _HALF)), Sum(0, (j, -_HALF, 3 * _HALF)),
     Substitute((t, j + 1, j)), "ℤ"),
    ("algebra: sin(πt) = 0 used on a half-integer sum",
     Sum(sin(pi * t), (t, _HALF, 5 * _HALF)), Sum(0, (t, _HALF, 5 * _HALF)), Algebra(), "ℤ"),
    ("algebra: cos(πt)² = 1 used on a sum over 1/3 + ℤ",
     Sum(cos(pi * t) ** 2 - t, (t, Rational(1, 3), Rational(7, 3))),
     Sum(1 - t, (t, Rational(1, 3), Rational(7, 3))), Algebra(), "ℤ"),
    ("sift: substituting z = y captures the inner integral's y",
     Integral(DiracDelta(z - y) * Integral(z * y, (y, 0, 1)), (z, -oo, oo)),
     Integral(y**2, (y, 0, 1)), Sift(), "ℝ"),
    ("rename: a free symbol named _z0 is captured by canonical()",
     Integral(reserved * z, (z, 0, 1)), Integral(w**2, (w, 0, 1)), Rename(z, w), "ℝ"),
    ("algebra: a free symbol named _z0 is captured by canonical()",
     Integral(reserved * z, (z, 0, 1)), Integral(z**2, (z, 0, 1)), Algebra(), "ℝ"),
]


@pytest.mark.parametrize(("why", "prev", "claimed", "rule", "domain"), FOUND,
                         ids=[f[0].split(":")[0] + f"-{q}" for q, f in enumerate(FOUND)])
def test_steps_the_random_search_found_are_rejected(why: str, prev: Expr, claimed: Expr,
                                                    rule: Rule, domain: str) -> None:
    ok, va, vb = numerically_equal(prev, claimed, random_env([prev, claimed], 3))
    assert not ok, f"not a wrong step after all ({why}): {va} = {vb}"
    check_step(prev, claimed, rule, domain, [3, 4])  # rejected, or the assertion fails


# -- random rules ----------------------------------------------------------------------------


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_substitute_is_sound(data: st.DataObject, seeds: list[int]) -> None:
    """Affine (and non-affine) changes of variable, right or wrong, on integrals and sums."""
    draw = data.draw
    hostile = draw(st.booleans())
    prev, discrete = _shape(draw, hostile=hostile)
    triple = substitutions(draw, prev, discrete, hostile=hostile)
    rule = Substitute(triple)
    other = substitutions(draw, prev, discrete, hostile=hostile)
    extra = [naive_substitute(prev, *triple), naive_substitute(prev, *other),
             rule_result(Substitute(other), prev)]
    _check_all(prev, _claims(draw, prev, rule, extra), rule, "ℤ" if discrete else "ℝ", seeds)


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_reverse_limits_and_rename_are_sound(data: st.DataObject, seeds: list[int]) -> None:
    """Reversing limits and renaming bound variables (to fresh, clashing, or differently
    assumed names)."""
    draw = data.draw
    hostile = draw(st.booleans())
    prev, discrete = _shape(draw, hostile=hostile)
    bound = bound_variables(prev) or [z]
    old = pick(draw, bound)
    if hostile:  # names that are bound elsewhere, free, reserved, or carry assumptions
        others = [b_ for b_ in bound if b_ != old]
        names = [*others, i_int, v_pos, reserved, x, z, k, j, n]
    else:
        names = [w, y, t, j] if not discrete else [j, m, t]
    new = pick(draw, names)
    rule: Rule = ReverseLimits(old) if draw(st.integers(0, 3)) == 0 else Rename(old, new)
    extra = [retyped(draw, prev), naive_rename(prev, old, new)]
    _check_all(prev, _claims(draw, prev, rule, extra), rule, "ℤ" if discrete else "ℝ", seeds)


@_budget(15)
@given(data=st.data(), seeds=SEEDS)
def test_linearity_and_algebra_are_sound(data: st.DataObject, seeds: list[int]) -> None:
    """Normal-form and algebra rules against rewrites that are right (expanded bodies, the
    linearity normal form) or wrong (perturbed, or a bound variable re-declared)."""
    draw = data.draw
    hostile = draw(st.booleans())
    prev, discrete = _shape(draw, ("single", "combo", "nested", "shadow", "reserved"),
                            ("single", "combo", "nested", "half", "kronecker", "shadow"),
                            hostile=hostile)
    rule: Rule = pick(draw, [Linearity(), Algebra()])
    nf = rule_result(Linearity(), prev)
    extra = [expanded_bodies(prev), retyped(draw, prev), mutate(draw, prev)]
    if nf is not None:
        extra += [nf, mutate(draw, nf)]
    _check_all(prev, extra, rule, "ℤ" if discrete else "ℝ", seeds)


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_fubini_is_sound(data: st.DataObject, seeds: list[int]) -> None:
    """Swapping iterated integrals/sums, with limits that may depend on each other."""
    draw = data.draw
    kinds = pick(draw, [(("triple", "limitvar"), ("limitvar",)),
                        (("iterated", "nested"), ("iterated", "nested"))])
    prev, discrete = _shape(draw, *kinds)
    multi = [b for b in sympy.preorder_traversal(prev)
             if isinstance(b, (Integral, Sum)) and len(b.limits) > 1]
    if multi and draw(st.integers(0, 5)):
        names = [lim[0] for lim in pick(draw, multi).limits]
        a, b = pick(draw, [(names[0], names[-1]), (names[-1], names[0]),
                           tuple(draw(st.permutations(names))[:2])])
    else:
        bound = bound_variables(prev) or [z, y]
        a, b = pick(draw, bound), pick(draw, [*bound, y, j])
    rule = Fubini((a, b))
    extra = [naive_swap(prev, a, b)]
    _check_all(prev, _claims(draw, prev, rule, extra), rule, "ℤ" if discrete else "ℝ", seeds)


def _leibniz_prev(draw: Draw) -> tuple[Expr, str]:
    kind = pick(draw, ["integral", "integral", "nested", "sum", "difference", "difference"])
    if kind == "integral":
        lo, hi, inf = int_limits(draw, [x, p])
        body = integrand(draw, z, [x], infinite=inf) * coupling(draw, z, x)
        return sympy.Derivative(Integral(body, (z, lo, hi)), x), "ℝ"
    if kind == "nested":
        body = integrand(draw, y, [z], infinite=False) * coupling(draw, y, x)
        inner = Integral(body, (y, 0, pick(draw, [1, x, z])))
        return sympy.Derivative(Integral(inner, (z, 0, pick(draw, [1, 2]))), x), "ℝ"
    if kind == "sum":
        lo, hi, inf = sum_limits(draw, [n], hostile=False)
        body = integrand(draw, k, [], infinite=inf, discrete=True) * coupling(draw, k, x)
        return sympy.Derivative(Sum(body, (k, lo, hi)), x), "ℝ"
    lo, hi, inf = sum_limits(draw, [n, j], hostile=False)
    body = integrand(draw, k, [n], infinite=inf, discrete=True) * pick(
        draw, [n, n * k, n**2, 2**n, KroneckerDelta(k, n), (k - n) ** 2])
    summed = Sum(body, (k, lo, hi))
    if draw(st.booleans()):
        summed = Sum(summed * bounded_factor(draw, j, [n], True), (j, 0, pick(draw, [2, n])))
    return difference(summed, pick(draw, [n, n, k])), "ℤ"


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_leibniz_and_difference_under_sum_are_sound(data: st.DataObject,
                                                   seeds: list[int]) -> None:
    """d/dx ∫ = ∫ ∂/∂x and Δ Σ = Σ Δ, including limits that depend on the variable."""
    draw = data.draw
    prev, domain = _leibniz_prev(draw)
    right = DifferenceUnderSum() if isinstance(prev, Difference) else Leibniz()
    wrong = Leibniz() if isinstance(prev, Difference) else DifferenceUnderSum()
    rule: Rule = pick(draw, [right, right, right, wrong])
    _check_all(prev, _claims(draw, prev, rule, [naive_under(prev)]), rule, domain, seeds)


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_exchange_sum_integral_is_sound(data: st.DataObject, seeds: list[int]) -> None:
    """∫ Σ = Σ ∫ for finite sums, with sum limits that may involve the integration variable
    and integral limits that may involve the summation variable's name."""
    draw = data.draw
    lo_k, hi_k = pick(draw, [(0, 2), (-1, 3), (3, 0), (0, n), (0, z), (n, 2), (0, oo)])
    body = integrand(draw, z, [k, x], infinite=False) * bounded_factor(draw, k, [], True)
    lo_z, hi_z = pick(draw, [(0, 1), (-1, 2), (1, 0), (0, x), (0, k), (k, 3), (0, n)])
    prev: Expr = Integral(Sum(body, (k, lo_k, hi_k)), (z, lo_z, hi_z))
    if draw(st.booleans()):
        prev = Integral(prev.function, (z, lo_z, hi_z), (y, 0, 1))
    rule = ExchangeSumIntegral()
    _check_all(prev, _claims(draw, prev, rule, [naive_exchange(prev)]), rule, "ℝ", seeds)


def _sift_prev(draw: Draw) -> tuple[Expr, Expr | None, str]:
    """(prev, the hand-sifted value or None, domain)."""
    shape = pick(draw, ["plain", "scaled", "capture", "outer", "finite", "kronecker",
                        "kronecker-half", "kronecker-nested", "kronecker-finite"])
    if not shape.startswith("kronecker"):
        alpha = pick(draw, [1, -1, 2, -2]) if shape == "scaled" else pick(draw, [1, -1])
        c = y if shape == "capture" else pick(draw, [0, 1, Rational(1, 2), x, y, x + 1])
        lo, hi = (pick(draw, [(-1, 2), (0, oo), (1, 3)]) if shape == "finite"
                  else pick(draw, [(-oo, oo), (oo, -oo)]))
        f = integrand(draw, z, [x], infinite=False)
        if shape == "capture":
            f = f * Integral(z * y * exp(-(y**2)), (y, 0, 1))
        delta = DiracDelta(alpha * z - c)
        if shape == "outer":
            return Integral(f * delta, (z, lo, hi), (y, 0, 1)), None, "ℝ"
        hand = f.subs(z, sympy.Integer(1) * c / alpha) / abs(alpha) if shape != "capture" else None
        return Integral(f * delta, (z, lo, hi)), hand, "ℝ"
    c = (Rational(1, 2) if shape == "kronecker-half" else j if shape == "kronecker-nested"
         else pick(draw, [0, 2, -1, n, n + 1, x]))
    lo, hi = (-2, 3) if shape == "kronecker-finite" else pick(draw, [(-oo, oo), (0, oo)])
    f = integrand(draw, k, [n], infinite=False, discrete=True)
    prev: Expr = Sum(f * KroneckerDelta(k, c), (k, lo, hi))
    if shape == "kronecker-nested":
        prev = Sum(prev * pick(draw, [1, j, exp(-j)]), (j, 0, 2))
    return prev, f.subs(k, c), "ℤ"


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_sift_is_sound(data: st.DataObject, seeds: list[int]) -> None:
    """∫ F δ(αz − c) dz and Σ F δ[k, c]: scaled, reflected, half-integer, captured, finite."""
    draw = data.draw
    prev, hand, domain = _sift_prev(draw)
    rule = Sift()
    extra = [naive_sift(prev)]
    if hand is not None:
        extra += [hand, mutate(draw, hand), 2 * hand]
    _check_all(prev, _claims(draw, prev, rule, extra), rule, domain, seeds)


def _operator_prev(draw: Draw) -> tuple[Expr, Expr, str]:
    """(an operator applied to concrete functions, the other operator, domain)."""
    discrete = draw(st.booleans())
    params = [] if discrete else [p]
    fs = [Lambda(t, decaying_factor(draw, t, params, discrete)) for _ in range(2)]
    point = pick(draw, [n, n + 1, 2]) if discrete else pick(draw, [x, x + 1, 2 * x, p])
    make = pick(draw, [conv, xcorr])
    other = xcorr if make is conv else conv
    return (make(fs[0], fs[1], point, discrete=discrete),
            other(fs[0], fs[1], point, discrete=discrete), "ℤ" if discrete else "ℝ")


def _compute_prev(draw: Draw) -> tuple[Expr, str]:
    if draw(st.booleans()):
        lo, hi, _ = sum_limits(draw, [n], hostile=True, finite=True)
        var = t if (hi - lo).is_integer is False or lo.is_integer is False else k
        body = pick(draw, [var, var**2 - 1, 2**var, var * (var + 1) / 2, (-1) ** var * var])
        return Sum(body, (var, lo, hi)), "ℤ"
    lo, hi = pick(draw, [(0, 1), (-1, 2), (2, 0), (0, x), (x, 1)])
    body = pick(draw, [z, z**2 - x, 3 * z**3 + 1, z * (z - 1)])
    return Integral(body, (z, lo, hi)), "ℝ"


@_budget(25)
@given(data=st.data(), seeds=SEEDS)
def test_definition_and_compute_are_sound(data: st.DataObject, seeds: list[int]) -> None:
    """Unfolding ∗/⋆ of concrete functions; evaluating finite sums and small integrals."""
    draw = data.draw
    if draw(st.booleans()):
        prev, other, domain = _operator_prev(draw)
        rule: Rule = pick(draw, [Definition("∗"), Definition("⋆"), Definition()])
        extra = [rule_result(Definition(), other)]
    else:
        prev, domain = _compute_prev(draw)
        rule = Compute()
        try:
            done = prev.doit()
        except Exception:
            done = None
        extra = [done, mutate(draw, done)] if isinstance(done, Expr) else []
    _check_all(prev, _claims(draw, prev, rule, extra), rule, domain, seeds)

