"""Red-team derivations, round 4: false claims built only through the public API.

Each test builds a :class:`Derivation` whose statement is false (or undefined) for the declared
assumptions of its symbols and its hypotheses, and asserts that it is *not proven*:
``verify()`` raises :class:`ProofError`, or returns a ``Verified`` with non-empty ``unstated``.
None repeats an attack of the earlier suites (``test_adversarial_kernel.py``,
``test_redteam*_kernel.py``). The tests that fail today are the point: each is a hole.

Groups:

1. textbook slips that must stay refused (controls against regressions): shift sign, z = −w
   on a finite ℤ sum, off-by-one after shifting, swapping sums with dependent limits, Leibniz
   with a limit depending on x, the Jacobian sign, the Fourier shift sign, δ(2z), f ⋆ g = g ⋆ f
   and f ⋆ g = f ∗ g;
2. division by something that may vanish: ``Algebra`` and ``Compute`` cancel 0/0 through
   ``expand`` (which runs before the removable-singularity check), through the canonical form
   (which re-evaluates an unevaluated ``x·y·x⁻¹``), and through ``simplify`` of poles that are
   not denominators (tan, cot, x/|x|).
"""

from __future__ import annotations

from kernel_attacks import assert_not_proven
from kernel_attacks import chain as _chain
from sympy import (
    Abs,
    Basic,
    Derivative,
    DiracDelta,
    Function,
    I,
    Integral,
    Lambda,
    Mul,
    Pow,
    S,
    Sum,
    Symbol,
    cos,
    cot,
    exp,
    oo,
    pi,
    sign,
    sin,
    tan,
)

from convmath.symbolic import conv, fourier, xcorr
from convmath.symbolic.kernel import (
    AbsolutelyConvergent,
    Continuous,
    DifferentiableUnderIntegral,
)
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    Definition,
    Fubini,
    Leibniz,
    Linearity,
    Sift,
    Substitute,
)

f, g = Function("f"), Function("g")
x, y, z, w = (Symbol(s, real=True) for s in "xyzw")
k, j, N = (Symbol(s, integer=True) for s in ("k", "j", "N"))

L1 = AbsolutelyConvergent(f, g, note="f, g ∈ L¹(ℝ)")
CONT = Continuous(f, note="f continuous")


def _r(body: Basic, v: Symbol = z) -> Integral:
    return Integral(body, (v, -oo, oo))


# == 1. textbook slips (controls) ===============================================================


def test_shift_off_by_one_on_a_finite_sum() -> None:
    """Σ_{k=0}^{N} f(k + 1) is Σ_{j=1}^{N+1} f(j), not Σ_{j=0}^{N} f(j)."""
    lhs = Sum(f(k + 1), (k, 0, N))
    assert_not_proven(_chain(lhs, [(Sum(f(j), (j, 0, N)), Substitute((k, j - 1, j)))],
                             domain="ℤ"))


def test_reflection_of_a_finite_sum_without_moving_the_limits() -> None:
    """k = −j maps Σ_{k=0}^{N} f(k) to Σ_{j=−N}^{0} f(−j), not Σ_{j=0}^{N} f(−j)."""
    lhs = Sum(f(k), (k, 0, N))
    assert_not_proven(_chain(lhs, [(Sum(f(-j), (j, 0, N)), Substitute((k, -j, j)))],
                             domain="ℤ"))


def test_swap_of_a_triangular_double_sum_as_if_it_were_a_product() -> None:
    """Σ_{j≤N}Σ_{k≤j} is Σ_{k≤N}Σ_{j=k}^{N}, not Σ_{k≤N}Σ_{j≤k}."""
    lhs = Sum(f(k) * g(j), (k, 0, j), (j, 0, N))
    rhs = Sum(f(k) * g(j), (j, 0, k), (k, 0, N))
    assert_not_proven(_chain(lhs, [(rhs, Fubini((k, j)))], domain="ℤ"))


def test_leibniz_dropping_the_boundary_term() -> None:
    """d/dx ∫₀ˣ f = f(x), not ∫₀ˣ ∂ₓf = 0."""
    lhs = Derivative(Integral(f(z), (z, 0, x)), x)
    hyp = DifferentiableUnderIntegral(f, note="f smooth")
    assert_not_proven(_chain(lhs, [(Integral(S.Zero, (z, 0, x)), Leibniz())], [hyp]))


def test_reflection_of_an_integral_without_the_jacobian_sign() -> None:
    """∫₀¹ f(−z) dz = ∫₋₁⁰ f(w) dw; the rule gives ∫₀^{−1} −f(w) dw, the claim must match it."""
    lhs = Integral(f(-z), (z, 0, 1))
    assert_not_proven(_chain(lhs, [(Integral(f(w), (w, 0, -1)), Substitute((z, -w, w)))]))


def test_fourier_shift_theorem_with_the_wrong_sign() -> None:
    """ℱ[f(· − 1)](y) = e^{−2πiy}ℱ[f](y), not e^{+2πiy}ℱ[f](y)."""
    lhs = fourier(Lambda(x, f(x - 1)), y)
    e1 = Integral(f(x - 1) * exp(-2 * I * pi * x * y), (x, -oo, oo))
    e2 = Integral(f(w) * exp(-2 * I * pi * (w + 1) * y), (w, -oo, oo))
    e3 = exp(2 * I * pi * y) * Integral(f(w) * exp(-2 * I * pi * w * y), (w, -oo, oo))
    assert_not_proven(_chain(lhs, [(e1, Definition()), (e2, Substitute((x, w + 1, w))),
                                   (e3, Linearity())], [L1]))


def test_sift_delta_of_2z_without_the_factor_one_half() -> None:
    """∫ f(z) δ(2z) dz = f(0)/2, not f(0)."""
    assert_not_proven(_chain(_r(f(z) * DiracDelta(2 * z)), [(f(0), Sift())], [CONT]))


def test_cross_correlation_is_not_commutative() -> None:
    """(f ⋆ g)(x) = (g ⋆ f)(−x), not (g ⋆ f)(x)."""
    e1 = _r(f(z) * g(x + z))
    e2 = _r(f(w - x) * g(w), w)
    assert_not_proven(_chain(xcorr(f, g, x), [(e1, Definition()),
                                             (e2, Substitute((z, w - x, w))),
                                             (xcorr(g, f, x), Definition())], [L1]))


def test_cross_correlation_written_as_a_convolution() -> None:
    """f ⋆ g is ∫ f(z) g(x + z) dz, not f ∗ g = ∫ f(z) g(x − z) dz."""
    assert_not_proven(_chain(xcorr(f, g, x), [(conv(f, g, x), Definition())], [L1]))


# == 2. division by something that may vanish ===================================================


def test_algebra_cancels_x_in_an_unevaluated_x_y_over_x() -> None:
    """x·y·x⁻¹ is undefined at x = 0 (x ∈ ℝ is all that is declared); it is not y."""
    lhs = Mul(x, y, Pow(x, -1), evaluate=False)
    assert_not_proven(_chain(lhs, [(y, Algebra())]))


def test_algebra_expand_cancels_a_removable_singularity() -> None:
    """Σ_{k=0}^{2} (k² − k)/k has the term 0/0 at k = 0; expand cancels it before the
    removable-singularity check, so the sum is 'shown' to be 0."""
    lhs = Sum((k**2 - k) / k, (k, 0, 2))
    assert_not_proven(_chain(lhs, [(Sum(k - 1, (k, 0, 2)), Algebra()), (S.Zero, Compute())],
                             domain="ℤ"))


def test_compute_expands_away_a_zero_over_zero_term() -> None:
    """Compute expands (k² − k)/k to k − 1 before writing out Σ_{k=0}^{2}: the 0/0 term at
    k = 0 disappears and the undefined sum evaluates to 0."""
    lhs = Sum((k**2 - k) / k, (k, 0, 2))
    assert_not_proven(_chain(lhs, [(S.Zero, Compute())], domain="ℤ"))


def test_compute_cancels_an_unevaluated_k_over_k() -> None:
    """Σ_{k=0}^{2} k·f(k)·k⁻¹ has the undefined term 0·f(0)/0; it is not f(0) + f(1) + f(2)."""
    lhs = Sum(Mul(k, f(k), Pow(k, -1), evaluate=False), (k, 0, 2))
    assert_not_proven(_chain(lhs, [(f(0) + f(1) + f(2), Compute())], domain="ℤ"))


def test_algebra_cot_times_tan_is_one_at_a_pole() -> None:
    """Σ_{k=0}^{1} cot(kπ/2)·tan(kπ/2): the k = 0 term is ∞·0 (undefined), not 1, so the sum
    is not 2; simplify cancels poles that are not denominators."""
    lhs = Sum(cot(k * pi / 2) * tan(k * pi / 2), (k, 0, 1))
    assert_not_proven(_chain(lhs, [(Sum(1, (k, 0, 1)), Algebra()), (S(2), Compute())],
                             domain="ℤ"))


def test_algebra_sign_squared_is_one_at_zero() -> None:
    """Σ_{k=−1}^{1} (k/|k|)² has the term 0/0 at k = 0; it is not 3. SymPy itself turns
    (k/|k|)² into 1 for an integer k when the expression is built, so what reaches the
    checker (and is printed) is the true Σ 1 = 3; written unevaluated, it is refused; and
    sign(k)² = 1 (false at k = 0) is refused by algebra."""
    lhs = Sum((k / Abs(k)) ** 2, (k, -1, 1))
    assert lhs == Sum(1, (k, -1, 1))
    d = _chain(lhs, [(Sum(1, (k, -1, 1)), Algebra()), (S(3), Compute())], domain="ℤ")
    assert "Σ_{k=−1}^{1} 1 = 3" in d.render("text")
    raw = Sum(Pow(Mul(k, Pow(Abs(k), -1, evaluate=False), evaluate=False), 2, evaluate=False),
              (k, -1, 1))
    assert_not_proven(_chain(raw, [(Sum(1, (k, -1, 1)), Algebra()), (S(3), Compute())],
                             domain="ℤ"))
    assert_not_proven(_chain(Sum(sign(k) ** 2, (k, -1, 1)),
                             [(Sum(1, (k, -1, 1)), Algebra()), (S(3), Compute())],
                             domain="ℤ"))


def test_algebra_tan_times_cos_then_sift_at_the_pole() -> None:
    """∫ f(z) tan(z) cos(z) δ(z − π/2) dz sifts a function with a pole at π/2 (Sift alone
    refuses it); rewriting tan·cos = sin first 'proves' it is f(π/2)."""
    lhs = _r(f(z) * tan(z) * cos(z) * DiracDelta(z - pi / 2))
    mid = _r(f(z) * sin(z) * DiracDelta(z - pi / 2))
    assert_not_proven(_chain(lhs, [(mid, Algebra()), (f(pi / 2), Sift())], [CONT]))


# == lead's own attempts before stopping ========================================================


def test_reflection_of_a_sum_whose_orientation_is_unknown() -> None:
    """Σ_{k=0}^{N} f(k) with N possibly ≤ −2 is −Σ_{N+1}^{−1} (Karr); reflecting k = −m then
    gives Σ_{m=−N}^{0} f(−m), which differs from it for N = −3 (f(1) + f(2) vs −f(−1) − f(−2))."""
    lhs = Sum(f(k), (k, 0, N))
    assert_not_proven(_chain(lhs, [(Sum(f(-j), (j, -N, 0)), Substitute((k, -j, j)))],
                             domain="ℤ"))


def test_sift_through_an_unevaluated_shift_of_the_delta() -> None:
    """∫ f(z)·δ(2z − 2) dz = f(1)/2, not f(1): the δ's argument has slope 2."""
    lhs = _r(f(z) * DiracDelta(2 * z - 2))
    assert_not_proven(_chain(lhs, [(f(1), Sift())], [CONT]))


def test_fubini_swap_then_rename_into_the_other_variable() -> None:
    """∫₀¹ ∫₀^y f(z) dz dy swapped naively is ∫₀^y ∫₀¹ f(z) dy dz: the limit y escapes its
    scope; renaming z to y afterwards would then capture it."""
    lhs = Integral(f(z), (z, 0, y), (y, 0, 1))
    assert_not_proven(_chain(lhs, [(Integral(f(z), (y, 0, 1), (z, 0, y)), Fubini((z, y)))],
                             [L1]))


def test_linearity_pulls_a_factor_that_depends_on_the_variable_through_a_lambda() -> None:
    """(f ∗ (t ↦ z·g(t)))(x) with a free z is z·(f ∗ g)(x); claiming the integral over z of
    it factors z out of ∫ dz is false."""
    inner = conv(f, Lambda(Symbol("t"), z * g(Symbol("t"))), x)
    lhs = Integral(inner, (z, 0, 1))
    assert_not_proven(_chain(lhs, [(inner.subs(z, 1) * Integral(1, (z, 0, 1)) * z,
                                    Linearity())], [L1]))
