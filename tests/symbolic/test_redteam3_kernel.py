"""Red-team derivations, round 3: false claims built only through the public API.

Each test builds a :class:`Derivation` whose statement is mathematically false for the stated
hypotheses (read with their notes: ``f ∈ L¹(ℝ)``, ``f ∈ ℓ¹(ℤ)``, …) and the declared
assumptions of its symbols, and asserts that it is *not proven*: ``verify()`` raises
:class:`ProofError`, or returns a ``Verified`` with non-empty ``unstated``. None repeats an
attack of ``test_adversarial_kernel.py``, ``test_redteam_kernel.py`` or
``test_redteam2_kernel.py``. The tests that fail today are the point: each is a hole.

Groups:

1. ``made_of`` / ``_independent`` coverage: terms with no integrable factor at all (only
   bounded factors and values constant in the bound variables), symbolic coefficients that
   may vanish, nested integrals and operators that are bounded but not integrable in the
   outer variable, functions of several arguments restricted to a line, and one hypothesis
   read on ℝ and on ℤ at once;
2. canonical forms: SymPy's ``Subs.doit`` substitutes sequentially and captures Lambda
   variables, and derivatives of heads that are not on the not-smooth list (atan2, log
   across its cut) are evaluated where they do not exist;
3. scoping: a lemma rewritten under a binder of a symbol its support hypothesis speaks of,
   and ``ExchangeSumIntegral`` moving an integral inside a sum over the same variable.
"""

from __future__ import annotations

from collections.abc import Sequence

from kernel_attacks import assert_not_proven
from kernel_attacks import chain as _chain
from sympy import (
    Basic,
    Derivative,
    Eq,
    Function,
    Heaviside,
    I,
    Integral,
    KroneckerDelta,
    Lambda,
    S,
    Subs,
    Sum,
    Symbol,
    atan2,
    floor,
    log,
    oo,
)

from convmath.symbolic import Derivation, Step, conv
from convmath.symbolic.kernel import AbsolutelyConvergent, Hypothesis, Support
from convmath.symbolic.rules import (
    Algebra,
    ExchangeSumIntegral,
    Fubini,
    Lemma,
    Linearity,
    RestrictToSupport,
    Substitute,
)

f, g = Function("f"), Function("g")
x, y, z, w, u = (Symbol(s, real=True) for s in "xyzwu")
k, n, m, j = (Symbol(s, integer=True) for s in "knmj")


L1_R = AbsolutelyConvergent(f, note="f ∈ L¹(ℝ)", domain="ℝ")
L1_Z = AbsolutelyConvergent(f, note="f ∈ ℓ¹(ℤ)", domain="ℤ")
L1_R2 = AbsolutelyConvergent(f, note="f ∈ L¹(ℝ²)", domain="ℝ")


def _split_and_shift(lhs: Basic, first: Basic, second: Basic, shifted: Basic,
                     sub: Substitute, hyps: Sequence[Hypothesis]) -> Derivation:
    """lhs = first − second (linearity) = first − shifted (substitution) = 0 (algebra)."""
    return _chain(lhs, [(first - second, Linearity()), (first - shifted, sub),
                        (S.Zero, Algebra())], hyps)


# == 1. made_of / _independent coverage =========================================================


def test_fubini_staircase_times_a_constant_value_on_z() -> None:
    """Σ_{m≥0}Σ_{n≥0} f(0)(δ[m,n] − δ[m,n+1]) is f(0) summed over n first and 0 over m first
    (f = δ₀ ∈ ℓ¹: 1 ≠ 0); a term with no factor pinning m, n is not absolutely summable."""
    phi = f(0) * (KroneckerDelta(m, n) - KroneckerDelta(m, n + 1))
    lhs = Sum(phi, (n, 0, oo), (m, 0, oo))
    rhs = Sum(phi, (m, 0, oo), (n, 0, oo))
    assert_not_proven(_chain(lhs, [(rhs, Fubini((n, m)))], [L1_Z], "ℤ"))


def test_fubini_staircase_of_floors_times_a_constant_value_on_r() -> None:
    """∫₀^∞∫₀^∞ f(0)(δ[⌊z⌋,⌊w⌋] − δ[⌊z⌋,⌊w⌋+1]) is f(0) in the order dw dz and 0 in the order
    dz dw (f a Gaussian with f(0) = 1); bounded factors alone do not make it integrable."""
    phi = f(0) * (KroneckerDelta(floor(z), floor(w)) - KroneckerDelta(floor(z), floor(w) + 1))
    lhs = Integral(phi, (w, 0, oo), (z, 0, oo))
    rhs = Integral(phi, (z, 0, oo), (w, 0, oo))
    assert_not_proven(_chain(lhs, [(rhs, Fubini((w, z)))], [L1_R]))


def test_fubini_rank_with_a_coefficient_that_may_vanish() -> None:
    """With c = 0 (c ∈ ℤ is all that is declared), Σ_{m,n≥0} f(cm)g(cn)(δ[m,n] − δ[m,n+1]) is
    the staircase again: f(0)g(0) one way, 0 the other; rank([[c, 0], [0, c]]) is not 2 then."""
    c = Symbol("c", integer=True)
    phi = f(c * m) * g(c * n) * (KroneckerDelta(m, n) - KroneckerDelta(m, n + 1))
    lhs = Sum(phi, (n, 0, oo), (m, 0, oo))
    rhs = Sum(phi, (m, 0, oo), (n, 0, oo))
    hyp = AbsolutelyConvergent(f, g, note="f, g ∈ ℓ¹(ℤ)")
    assert_not_proven(_chain(lhs, [(rhs, Fubini((n, m)))], [hyp], "ℤ"))


def _cdf(a: Basic) -> Basic:
    """F(a) = ∫ f(u)·H(a − u) du, the (bounded, non-integrable) distribution function of f."""
    return Integral(f(u) * Heaviside(a - u), (u, -oo, oo))


def test_nested_integral_bounded_but_not_summable_in_the_outer_index() -> None:
    """Σₙ (F(n) − F(n − 1)) = Σₙ ∫_{n−1}^{n} f = ∫ f (= 1 for a normalised Gaussian), not 0:
    F(n) = ∫ f(u)H(n − u) du tends to ∫ f, so Σₙ F(n) diverges and cannot be split off."""
    lhs = Sum(_cdf(n) - _cdf(n - 1), (n, -oo, oo))
    first = Sum(_cdf(n), (n, -oo, oo))
    second = Sum(_cdf(j - 1), (j, -oo, oo))
    shifted = Sum(_cdf(m), (m, -oo, oo))
    assert_not_proven(_split_and_shift(lhs, first, second, shifted,
                                       Substitute((j, m + 1, m)), [L1_R]))


def test_nested_sum_bounded_but_not_integrable_in_the_outer_variable() -> None:
    """∫ (G(z) − G(z − 1)) dz with G(z) = Σ_k f(k)H(z − k) is Σ_k f(k) (= 1 for f = δ₀), not 0:
    G is bounded but tends to Σ f, so ∫ G dz diverges and cannot be split off."""
    def big_g(a: Basic) -> Basic:
        return Sum(f(k) * Heaviside(a - k), (k, -oo, oo))

    lhs = Integral(big_g(z) - big_g(z - 1), (z, -oo, oo))
    first = Integral(big_g(z), (z, -oo, oo))
    second = Integral(big_g(y - 1), (y, -oo, oo))
    shifted = Integral(big_g(w), (w, -oo, oo))
    assert_not_proven(_split_and_shift(lhs, first, second, shifted,
                                       Substitute((y, w + 1, w)), [L1_Z]))


def test_convolution_with_a_step_is_not_integrable() -> None:
    """∫ ((f ∗ H)(x) − (f ∗ H)(x − 1)) dx = ∫ f (= 1 for a normalised Gaussian), not 0: f ∗ H
    is the distribution function of f (bounded, → ∫ f), not an L¹ function of x."""
    lhs = Integral(conv(f, Heaviside, x) - conv(f, Heaviside, x - 1), (x, -oo, oo))
    first = Integral(conv(f, Heaviside, x), (x, -oo, oo))
    second = Integral(conv(f, Heaviside, y - 1), (y, -oo, oo))
    shifted = Integral(conv(f, Heaviside, w), (w, -oo, oo))
    assert_not_proven(_split_and_shift(lhs, first, second, shifted,
                                       Substitute((y, w + 1, w)), [L1_R]))


def test_two_argument_function_on_a_coordinate_line() -> None:
    """f(z, w) = atan(z)·exp(−w²(1 + z²)²) is in L¹(ℝ²) but f(z, 0) = atan z is not in L¹(ℝ):
    ∫ (f(z, 0) − f(z + 1, 0)) dz = −π, not 0."""
    lhs = Integral(f(z, 0) - f(z + 1, 0), (z, -oo, oo))
    first = Integral(f(z, 0), (z, -oo, oo))
    second = Integral(f(y + 1, 0), (y, -oo, oo))
    shifted = Integral(f(w, 0), (w, -oo, oo))
    assert_not_proven(_split_and_shift(lhs, first, second, shifted,
                                       Substitute((y, w - 1, w)), [L1_R2]))


def test_two_argument_function_on_the_diagonal() -> None:
    """f(z, w) = atan(z)·exp(−(z − w)²(1 + z²)²) is in L¹(ℝ²) but f(z, z) = atan z is not:
    ∫ (f(z, z) − f(z + 1, z + 1)) dz = −π, not 0."""
    lhs = Integral(f(z, z) - f(z + 1, z + 1), (z, -oo, oo))
    first = Integral(f(z, z), (z, -oo, oo))
    second = Integral(f(y + 1, y + 1), (y, -oo, oo))
    shifted = Integral(f(w, w), (w, -oo, oo))
    assert_not_proven(_split_and_shift(lhs, first, second, shifted,
                                       Substitute((y, w - 1, w)), [L1_R2]))


def test_l1_on_r_does_not_make_the_values_at_integers_summable() -> None:
    """f ∈ L¹(ℝ) says nothing about f on ℤ: with f(k) = atan k (narrow spikes at the integers
    on a Gaussian), Σ_k (f(k) − f(k + 1)) = −π, so ∫ f + Σ_k (…) ≠ ∫ f."""
    lhs = Integral(f(z), (z, -oo, oo)) + Sum(f(k) - f(k + 1), (k, -oo, oo))
    first = Integral(f(z), (z, -oo, oo)) + Sum(f(k), (k, -oo, oo))
    mid = first - Sum(f(j + 1), (j, -oo, oo))
    shifted = first - Sum(f(m), (m, -oo, oo))
    d = _chain(lhs, [(mid, Linearity()), (shifted, Substitute((j, m - 1, m))),
                     (Integral(f(z), (z, -oo, oo)), Algebra())], [L1_R])
    assert_not_proven(d)


# == 2. canonical forms ========================================================================


def test_subs_is_simultaneous_not_sequential() -> None:
    """(y·w²)|_{y=w, w=y} = w·y² (at y = 1, w = 2: 4 ≠ 1); substituting y first, then w, gives
    y³."""
    lhs = Subs(y * w**2, (y, w), (w, y))
    assert_not_proven(_chain(lhs, [(y**3, Algebra())]))


def test_subs_swapping_the_arguments_of_a_function() -> None:
    """f(y, w)|_{y=w, w=y} is f(w, y), not f(y, y) (f(a, b) = a − b at y = 0, w = 1: 1 ≠ 0)."""
    lhs = Subs(f(y, w), (y, w), (w, y))
    assert_not_proven(_chain(lhs, [(f(y, y), Algebra())]))


def test_subs_does_not_capture_a_lambda_variable() -> None:
    """F(s ↦ s + b)|_{b=a} is F at s ↦ s + a, not at s ↦ 2s (F = evaluation at 1: 1 + a ≠ 2)."""
    a, b = Symbol("a"), Symbol("b")
    big_f = Function("F")
    lhs = Subs(big_f(Lambda(a, a + b)), b, a)
    assert_not_proven(_chain(lhs, [(big_f(Lambda(a, 2 * a)), Algebra())]))


def test_derivative_of_atan2_across_its_jump() -> None:
    """atan2(y, −1) jumps from −π to π at y = 0, so d/dy atan2(y, −1) at y = 0 does not exist;
    it is not −1."""
    lhs = Subs(Derivative(atan2(y, -1), y), y, 0)
    assert_not_proven(_chain(lhs, [(S.NegativeOne, Algebra())]))


def test_derivative_of_log_across_its_branch_cut() -> None:
    """log(−1 + iy) jumps from −iπ to iπ at y = 0 (the cut), so its y-derivative at 0 does not
    exist; it is not −i."""
    lhs = Subs(Derivative(log(-1 + I * y), y), y, 0)
    assert_not_proven(_chain(lhs, [(-I, Algebra())]))


# == 3. scoping ================================================================================


def test_lemma_with_a_support_hypothesis_rewritten_under_a_binder_of_its_bound() -> None:
    """With f = δ[·, 4] (0 outside [0, N²] for N = 2, as the hypothesis says),
    Σ_{N=0}^{2} (N + 1)Σ_k f(k) = 6 but Σ_{N=0}^{2} (N + 1)Σ_{k=0}^{N²} f(k) = 3: the lemma's N
    is captured by the outer sum, while the support speaks of one N."""
    big_n = Symbol("N", integer=True)
    lemma = Derivation(
        "supp_lemma", "ℤ", "Σ f over its support",
        Eq(Sum(f(k), (k, -oo, oo)), Sum(f(k), (k, 0, big_n**2)), evaluate=False),
        (Step(Sum(f(k), (k, 0, big_n**2)), RestrictToSupport(f, 0, big_n**2, k)),),
        (Support(f, 0, big_n**2),))
    verified = lemma.verify()
    assert not verified.unstated
    lhs = Sum((big_n + 1) * Sum(f(k), (k, -oo, oo)), (big_n, 0, 2))
    rhs = Sum((big_n + 1) * Sum(f(k), (k, 0, big_n**2)), (big_n, 0, 2))
    d = _chain(lhs, [(rhs, Lemma("supp_lemma:Z"))], [Support(f, 0, big_n**2)], "ℤ")
    assert_not_proven(d, lambda key: lemma)


def test_exchange_sum_integral_over_the_same_variable() -> None:
    """∫₀¹ Σ_{p=0}^{2} f(p) dp = f(0) + f(1) + f(2) (the sum binds p), but the rule gives
    Σ_{p=0}^{2} ∫₀¹ f(p) dp = 3∫₀¹ f (f = e^{−t²}: 1.39 ≠ 2.24): the integral captures p."""
    p = Symbol("p")
    lhs = Integral(Sum(f(p), (p, 0, 2)), (p, 0, 1))
    rhs = Sum(Integral(f(p), (p, 0, 1)), (p, 0, 2))
    assert_not_proven(_chain(lhs, [(rhs, ExchangeSumIntegral())], [L1_R]))
