"""Alpha-equivalence and the individual proof rules, on hand-made examples."""

from __future__ import annotations

import pytest
from sympy import (
    DiracDelta,
    Function,
    Integral,
    KroneckerDelta,
    Rational,
    Sum,
    oo,
    symbols,
)

from convmath.symbolic import Partial, alpha_equal
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    DifferentiateLinear,
    Fubini,
    Leibniz,
    Linearity,
    ReverseLimits,
    RuleFailure,
    Sift,
    Substitute,
)

f, g = Function("f"), Function("g")
x, y, z, w, a = symbols("x y z w a")
n, k, m, j = symbols("n k m j", integer=True)
s = symbols("s", positive=True)


def test_alpha_equal_renames_bound_only() -> None:
    assert alpha_equal(Integral(f(z), (z, 0, x)), Integral(f(w), (w, 0, x)))
    assert not alpha_equal(Integral(f(z), (z, 0, x)), Integral(f(z), (z, 0, y)))
    assert not alpha_equal(Integral(f(z) * g(x), (z, 0, 1)), Integral(f(z) * g(z), (z, 0, 1)))


def test_alpha_equal_nested_shadowing() -> None:
    inner = Integral(f(z, w), (z, 0, 1))
    e1 = Integral(inner * g(z), (z, 0, 1))
    e2 = Integral(Integral(f(y, w), (y, 0, 1)) * g(x), (x, 0, 1))
    assert alpha_equal(e1, e2)


def test_substitute_integral_negative_jacobian_reverses_orientation() -> None:
    prev = Integral(f(z) * g(x - z), (z, -oo, oo))
    got = Substitute((z, x - w, w)).apply(prev)
    assert alpha_equal(got, Integral(-f(x - w) * g(w), (w, oo, -oo)))


def test_substitute_scaling_finite_limits() -> None:
    # ∫_0^1 f(z) dz with z = 2w: ∫_0^{1/2} 2 f(2w) dw (by hand)
    got = Substitute((z, 2 * w, w)).apply(Integral(f(z), (z, 0, 1)))
    assert alpha_equal(got, Integral(2 * f(2 * w), (w, 0, Rational(1, 2))))


def test_substitute_rejects_unknown_jacobian_sign_and_non_bijection() -> None:
    with pytest.raises(RuleFailure, match=r"sign|non-zero"):
        Substitute((z, a * w, w)).apply(Integral(f(z), (z, -oo, oo)))
    with pytest.raises(RuleFailure, match="bijection"):
        Substitute((k, 2 * m, m)).apply(Sum(f(k), (k, -oo, oo)))
    # x not known to be an integer: the step holds only if it is, and says so
    conds = Substitute((k, m + x, m)).check(Sum(f(k), (k, -oo, oo)), Sum(f(m + x), (m, -oo, oo)))
    assert [c.kind for c in conds] == ["domain"] and "integer" in conds[0].note
    with pytest.raises(RuleFailure, match="bijection"):
        Substitute((k, m + Rational(1, 2), m)).apply(Sum(f(k), (k, -oo, oo)))
    with pytest.raises(RuleFailure, match="affine"):
        Substitute((z, w**3, w)).apply(Integral(f(z), (z, -oo, oo)))
    with pytest.raises(RuleFailure, match="in use"):
        Substitute((z, w, w)).apply(Integral(f(z) * g(w), (z, -oo, oo)))


def test_substitute_sum_reflection_maps_finite_limits() -> None:
    # Σ_{k=0}^{3} f(k), k = 5 − m: m runs over 2..5
    got = Substitute((k, 5 - m, m)).apply(Sum(f(k), (k, 0, 3)))
    assert alpha_equal(got, Sum(f(5 - m), (m, 2, 5)))


def test_reverse_limits() -> None:
    got = ReverseLimits(z).apply(Integral(f(z), (z, 1, 0)))
    assert alpha_equal(got, Integral(-f(z), (z, 0, 1)))


def test_fubini_rejects_dependent_limits() -> None:
    e = Integral(f(z, w), (z, 0, w), (w, 0, 1))
    with pytest.raises(RuleFailure, match="independent"):
        Fubini((z, w)).apply(e)
    ok = Integral(f(z, w), (z, 0, 1), (w, 0, 2))
    assert alpha_equal(Fubini((z, w)).apply(ok), Integral(f(z, w), (w, 0, 2), (z, 0, 1)))


def test_leibniz_rejects_moving_limits() -> None:
    from sympy import Derivative

    with pytest.raises(RuleFailure, match="limits"):
        Leibniz().apply(Derivative(Integral(f(z), (z, 0, x)), x))
    got = Leibniz().apply(Derivative(Integral(f(z) * g(x - z), (z, 0, 1)), x))
    assert alpha_equal(got, Integral(f(z) * g(x - z).diff(x), (z, 0, 1)))


def test_linearity_accepts_pulling_constants_and_rejects_wrong_ones() -> None:
    prev = Integral(a * f(z) + g(z), (z, 0, 1))
    Linearity().check(prev, a * Integral(f(z), (z, 0, 1)) + Integral(g(z), (z, 0, 1)))
    with pytest.raises(RuleFailure):
        Linearity().check(prev, a * Integral(f(z), (z, 0, 1)) + a * Integral(g(z), (z, 0, 1)))
    with pytest.raises(RuleFailure):  # f(z) depends on z: it cannot move out
        Linearity().check(Integral(f(z) * g(z), (z, 0, 1)),
                          f(z) * Integral(g(z), (z, 0, 1)))


def test_algebra_only_for_integrands_not_across_integrals() -> None:
    Algebra().check(Integral(f(z) * (g(z) + 1), (z, 0, 1)),
                    Integral(f(z) * g(z) + f(z), (z, 0, 1)))
    with pytest.raises(RuleFailure, match="more than algebra"):
        Algebra().check(2 * Integral(f(z), (z, 0, 1)), Integral(2 * f(z), (z, 0, 1)))
    with pytest.raises(RuleFailure):
        Algebra().check(Integral(f(z) * (g(z) + 1), (z, 0, 1)),
                        Integral(f(z) * g(z) - f(z), (z, 0, 1)))


def test_sift() -> None:
    Sift().check(Sum(f(k) * KroneckerDelta(k, n - 2), (k, -oo, oo)), f(n - 2))
    Sift().check(Integral(f(z) * DiracDelta(x - z), (z, -oo, oo)), f(x))
    with pytest.raises(RuleFailure):
        Sift().check(Sum(f(k) * KroneckerDelta(k, n - 2), (k, -oo, oo)), f(n + 2))
    # δ[k, x] with x not known to be an integer does not sift
    with pytest.raises(RuleFailure):
        Sift().check(Sum(f(k) * KroneckerDelta(k, x), (k, -oo, oo)), f(x))


def test_differentiate_linear() -> None:
    xf, wf = Function("x"), Function("w")
    u = symbols("u", integer=True)
    e = Partial(Sum(wf(j) * xf(s * n + j), (j, 0, 2)), xf(u))
    got = DifferentiateLinear().apply(e)
    assert alpha_equal(got, Sum(wf(j) * KroneckerDelta(s * n + j, u), (j, 0, 2)))
    with pytest.raises(RuleFailure, match="linear"):
        DifferentiateLinear().apply(Partial(xf(n) * xf(n + 1), xf(u)))


def test_compute_evaluates_finite_sums() -> None:
    Compute().check(Sum(k, (k, 1, 4)), 10)
    with pytest.raises(RuleFailure):
        Compute().check(Sum(k, (k, 1, 4)), 11)


def test_substitute_rejects_capture_and_reversed_sums() -> None:
    inner = Integral(f(z, w), (w, 0, 1))
    # the free w of the substitution is not captured: the inner ∫ dw is renamed (to u)
    u = symbols("u")
    got = Substitute((z, y + w, y)).apply(Integral(g(z) * inner, (z, 0, 1)))
    assert alpha_equal(got, Integral(g(y + w) * Integral(f(y + w, u), (u, 0, 1)),
                                     (y, -w, 1 - w)))
    assert not alpha_equal(got, Integral(g(y + w) * Integral(f(y + w, w), (w, 0, 1)),
                                         (y, -w, 1 - w)))
    with pytest.raises(RuleFailure, match="inner variable"):
        Substitute((z, y + w, y)).apply(Integral(inner, (z, 0, 1)))
    p = symbols("p", integer=True)
    with pytest.raises(RuleFailure, match="reversed"):
        Substitute((k, -m + 1, m)).apply(Sum(f(k), (k, 0, p)))
    # a shift is exact for every orientation of a sum (Karr's convention)
    got = Substitute((k, m + 1, m)).apply(Sum(f(k), (k, 0, p)))
    assert alpha_equal(got, Sum(f(m + 1), (m, -1, p - 1)))


def test_support_rules() -> None:
    from convmath.symbolic.rules import RestrictToSupport, VanishOutsideSupport

    N = symbols("N", integer=True, positive=True)
    r = symbols("r", integer=True, nonnegative=True)
    got = RestrictToSupport(f, 0, N - 1, k).apply(Sum(f(k + 2) * g(n - k), (k, -oo, oo)))
    assert alpha_equal(got, Sum(f(k + 2) * g(n - k), (k, -2, N - 3)))
    # g(k + N + r) with k ≥ 0 lies past N − 1: the sum vanishes
    VanishOutsideSupport(g, 0, N - 1).check(Sum(f(k) * g(k + N + r), (k, 0, 5)), 0)
    # g(k + N − 1) is inside the support at k = 0: nothing can be concluded
    with pytest.raises(RuleFailure):
        VanishOutsideSupport(g, 0, N - 1).check(Sum(f(k) * g(k + N - 1), (k, 0, 5)), 0)


def test_rename_bound_variable() -> None:
    from convmath.symbolic.rules import Rename

    e = Integral(f(z) * g(x - z), (z, -oo, oo))
    Rename(z, w).check(e, Integral(f(w) * g(x - w), (w, -oo, oo)))
    with pytest.raises(RuleFailure, match="in use"):
        Rename(z, x).apply(e)
    with pytest.raises(RuleFailure):
        Rename(z, w).check(e, Integral(f(w) * g(x + w), (w, -oo, oo)))


def test_exchange_sum_integral_only_for_finite_sums() -> None:
    from convmath.symbolic.rules import ExchangeSumIntegral

    c = symbols("c", integer=True)
    e = Integral(Sum(f(c, z), (c, 0, 3)), (z, -oo, oo))
    ExchangeSumIntegral().check(e, Sum(Integral(f(c, z), (z, -oo, oo)), (c, 0, 3)))
    with pytest.raises(RuleFailure):
        ExchangeSumIntegral().apply(Integral(Sum(f(c, z), (c, 0, oo)), (z, -oo, oo)))


def test_lemma_instantiates_registered_theorems() -> None:
    from sympy import Lambda

    from convmath.symbolic import conv
    from convmath.symbolic.rules import Lemma

    t = symbols("t")
    # conv_comm with f := g, g := f turns (g ∗ f)(x) into (f ∗ g)(x)
    Lemma("conv_comm:R", {"f": g, "g": f, "x": x}).check(conv(g, f, x), conv(f, g, x))
    # a Lambda instance: (τ_1 f ∗ g)(x) = (f ∗ g)(x − 1)
    tf = Lambda(t, f(t - 1))
    Lemma("shift_conv:R", {"a": 1, "x": x}).check(conv(tf, g, x), conv(f, g, x - 1))
    with pytest.raises(RuleFailure):
        Lemma("shift_conv:R", {"a": 1, "x": x}).check(conv(tf, g, x), conv(f, g, x + 1))
    with pytest.raises(RuleFailure, match="no free symbol"):
        Lemma("conv_comm:R", {"q": 1}).apply(conv(f, g, x))
    with pytest.raises(RuleFailure, match="neither side"):
        Lemma("conv_comm:R").apply(conv(f, f, y) * 0 + g(x))
