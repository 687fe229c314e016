"""Red-team derivations: false claims built only through the public API.

Each test builds a :class:`Derivation` whose statement is mathematically false for the stated
hypotheses and the declared assumptions of its symbols, and asserts that it is *not proven*:
``verify()`` raises :class:`ProofError`, or returns a ``Verified`` with non-empty
``unstated``. None of these repeats an attack of ``test_adversarial_kernel.py``.

Groups:

1. assumptions of variables bound by ``Lambda`` / ``Subs`` (not checked like those of ∫, Σ);
2. support rules whose bounds are captured by an enclosing sum;
3. Leibniz's rule skipping its condition under a finite outer sum;
4. δ sifting concrete discontinuous factors that are not on the refusal list;
5. lemma hypotheses that lose what they were about when instantiated;
6. hypotheses that cover more than they say; algebra through removable singularities.
"""

from __future__ import annotations

from collections.abc import Sequence

from kernel_attacks import assert_not_proven
from kernel_attacks import chain as _chain
from sympy import (
    Abs,
    Basic,
    Derivative,
    DiracDelta,
    Eq,
    Function,
    Heaviside,
    I,
    Integral,
    KroneckerDelta,
    Lambda,
    Mod,
    Piecewise,
    S,
    Subs,
    Sum,
    Symbol,
    diff,
    exp,
    floor,
    oo,
)
from sympy.functions.special.singularity_functions import SingularityFunction

from convmath import ProofError
from convmath.symbolic import Derivation, Step, conv, derivations
from convmath.symbolic.kernel import (
    AbsolutelyConvergent,
    Continuous,
    Hypothesis,
    Support,
)
from convmath.symbolic.operators import Partial
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    DifferentiateLinear,
    Leibniz,
    Lemma,
    Linearity,
    RestrictToSupport,
    Sift,
    Substitute,
    VanishOutsideSupport,
)

f, g, h = Function("f"), Function("g"), Function("h")
x, y, z, w, u, t = (Symbol(s, real=True) for s in "xyzwut")
k, n, m, j, q = (Symbol(s, integer=True) for s in "knmjq")
N = Symbol("N", integer=True)


def _lemma_step(lem: Lemma, hyps: Sequence[str | Hypothesis], domain: str = "ℝ"
                ) -> Derivation:
    """The lemma's instance lhs = rhs, proven by the lemma itself."""
    lhs, rhs, _ = lem.instance()
    return _chain(lhs, [(rhs, lem)], hyps, domain)


# == 1. assumptions of Lambda- and Subs-bound variables ========================================


def test_lambda_subs_sift_kronecker_at_half_integer() -> None:
    """Σ_k f(k)·δ[k, n] at n = 1/2 is 0 (k ≠ 1/2 for every integer k), not f(1/2)."""
    lhs = Subs(Sum(f(k) * KroneckerDelta(k, n), (k, -oo, oo)), n, S.Half)
    assert_not_proven(_chain(lhs, [(f(S.Half), Sift())]))


def test_lambda_sift_kronecker_inside_real_convolution() -> None:
    """(t ↦ Σ_k f(k)δ[k, t]) is 0 off ℤ, so its ∗ g on ℝ is 0, not f ∗ g: the Lambda's n is
    declared an integer but the convolution applies it to every real z."""
    lhs = conv(Lambda(n, Sum(f(k) * KroneckerDelta(k, n), (k, -oo, oo))), g, x)
    assert_not_proven(_chain(lhs, [(conv(f, g, x), Sift())]))


def test_lambda_substitute_shift_by_integer_lambda_variable() -> None:
    """Σ_k f(k) = Σ_m f(m + n) needs n ∈ ℤ; the Lambda is applied at real z (f = e^{−t²}:
    Σ_m e^{−(m+z)²} depends on z, Σ_k e^{−k²} does not)."""
    lhs = conv(Lambda(n, Sum(f(k), (k, -oo, oo))), g, x)
    rhs = conv(Lambda(n, Sum(f(m + n), (m, -oo, oo))), g, x)
    assert_not_proven(_chain(lhs, [(rhs, Substitute((k, m + n, m)))],
                             [AbsolutelyConvergent(f, g)]))


def test_lambda_substitute_scaling_by_positive_lambda_variable() -> None:
    """∫ f(z) dz = ∫ c f(cw) dw only for c > 0; the Lambda's c (declared positive) runs over
    all of ℝ in the convolution, and for c < 0 the right side is −∫ f."""
    c = Symbol("c", positive=True)
    lhs = conv(Lambda(c, Integral(f(z), (z, -oo, oo))), g, x)
    rhs = conv(Lambda(c, Integral(c * f(c * w), (w, -oo, oo))), g, x)
    assert_not_proven(_chain(lhs, [(rhs, Substitute((z, c * w, w)))],
                             [AbsolutelyConvergent(f, g)]))


def test_lambda_lemma_conv_comm_Z_at_real_points() -> None:
    """Σ_k f(k)g(n − k) = Σ_k g(k)f(n − k) needs n ∈ ℤ; inside a convolution on ℝ the
    Lambda-bound n is every real z (f = δ[·, 0] on ℝ, g ≡ 1: 1 ≠ 0 at z = 1/2)."""
    lhs = conv(Lambda(n, conv(f, g, n, discrete=True)), h, x)
    rhs = conv(Lambda(n, conv(g, f, n, discrete=True)), h, x)
    assert_not_proven(_chain(lhs, [(rhs, Lemma("conv_comm:Z"))],
                             [AbsolutelyConvergent(f, g, h)]))


def test_subs_sift_dirac_at_complex_point() -> None:
    """∫_ℝ f(z) δ(z − y) dz at y = i is not f(i): no real z is i (y is declared real, but the
    Subs puts i there)."""
    lhs = Subs(Integral(f(z) * DiracDelta(z - y), (z, -oo, oo)), y, I)
    assert_not_proven(_chain(lhs, [(f(I), Sift())], [Continuous(f)]))


# == 2. support bounds captured by an enclosing sum ============================================


def test_vanish_support_bound_captured_by_outer_sum() -> None:
    """g = 0 outside [N − 5, N − 1] (N free, say N = 2: [−3, 1]) does not make
    Σ_{N'=0}^{1} 2Σ_{q=N'}^{N'+1} g(q) = 2g(0) + 4g(1) + 2g(2) vanish; the rule reads the
    hypothesis's N as the bound index."""
    lhs = Sum(2 * Sum(g(q), (q, N, N + 1)), (N, 0, 1))
    d = _chain(lhs, [(Sum(S.Zero, (N, 0, 1)), VanishOutsideSupport(g, N - 5, N - 1)),
                     (S.Zero, Compute())], [Support(g, N - 5, N - 1)], "ℤ")
    assert_not_proven(d)


def test_restrict_support_bound_captured_by_outer_sum() -> None:
    """With g = 0 outside [N − 5, N − 1] for the free N = 2, Σ_k g(k) is not
    Σ_{k=N'−5}^{N'−1} g(k) for the bound N' = 0 (that misses g(0), g(1))."""
    lhs = Sum(2 * Sum(g(k), (k, -oo, oo)), (N, 0, 1))
    rhs = Sum(2 * Sum(g(k), (k, N - 5, N - 1)), (N, 0, 1))
    d = _chain(lhs, [(rhs, RestrictToSupport(g, N - 5, N - 1, k))],
               [Support(g, N - 5, N - 1)], "ℤ")
    assert_not_proven(d)


# == 3. Leibniz under a finite outer sum ======================================================


def test_leibniz_inner_integral_under_finite_sum() -> None:
    """F(x) = ∫₀¹ x³t⁻² e^{−x²/t} dt = x e^{−x²}, so F′(0) = 1, but ∫₀¹ ∂ₓ(…) dt = 0 at x = 0:
    the derivative may not move under this ∫ (no domination), and nothing is recorded."""
    body = x**3 / t**2 * exp(-x**2 / t)
    lhs = Derivative(Sum(Integral(body, (t, 0, 1)), (k, 0, 0)), x)
    rhs = Sum(Integral(diff(body, x), (t, 0, 1)), (k, 0, 0))
    assert_not_proven(_chain(lhs, [(rhs, Leibniz())]))


def test_leibniz_inner_infinite_sum_under_finite_sum() -> None:
    """Σ_{j≥1} (g_j − g_{j+1}) with g_j = x/(1 + jx²) is x/(1 + x²), derivative 1 at 0; the
    termwise derivative is Σ (1 − 1) = 0 there."""
    def gj(i: Basic) -> Basic:
        return x / (1 + i * x**2)

    inner = Sum(gj(j) - gj(j + 1), (j, 1, oo))
    lhs = Derivative(Sum(2 * inner, (k, 0, 0)), x)
    rhs = Sum(2 * Sum(diff(gj(j) - gj(j + 1), x), (j, 1, oo)), (k, 0, 0))
    assert_not_proven(_chain(lhs, [(rhs, Leibniz())]))


# == 4. δ sifting concrete discontinuous factors ==============================================


def test_sift_zero_to_the_abs_power() -> None:
    """0^|z| is 1 at 0 and 0 elsewhere (discontinuous, = 0 a.e.): δ cannot sift it, and every
    approximate identity gives 0, not 1."""
    lhs = Integral(0**Abs(z) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(S.One, Sift())]))


def test_sift_mod_jump() -> None:
    """Mod(z, 1) jumps from 1 to 0 at z = 0: δ does not sift it (mollifiers give 1/2, not 0)."""
    lhs = Integral(Mod(z, 1) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(S.Zero, Sift())]))


def test_sift_singularity_function_step() -> None:
    """⟨z⟩⁰ (SingularityFunction, a unit step) is discontinuous at 0; 'sifting' gives 1."""
    lhs = Integral(SingularityFunction(z, 0, 0) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(S.One, Sift())]))


def test_sift_singularity_function_delta_squared() -> None:
    """⟨z⟩⁻¹ is δ(z) itself: ∫ δ(z)² dz is undefined, not ∞ by sifting."""
    lhs = Integral(SingularityFunction(z, 0, -1) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(oo, Sift())]))


# == 5. lemma hypotheses that lose their subject ===============================================


def test_lemma_support_condition_covered_by_the_word_support() -> None:
    """conv_support_left with f := δ[·, −5] (support not in [0, N − 1]): the sum is 1 at r = 4,
    not 0; the instantiated support condition is 'covered' by the text 'support'."""
    lem = Lemma("conv_support_left:Z", {"f": Lambda(k, KroneckerDelta(k, -5)),
                                        "g": Lambda(k, KroneckerDelta(k, 0))})
    assert_not_proven(_lemma_step(lem, ["support"], "ℤ"))


def test_lemma_continuity_of_concrete_factor_dropped() -> None:
    """conv_delta with f := g·⌊·⌋ at x = 0: g·floor is discontinuous at 0 (mollifiers give
    −g(0)/2), but Continuous(g) covers the instance's 'f continuous'."""
    lem = Lemma("conv_delta:R", {"f": Lambda(t, g(t) * floor(t)), "x": S.Zero})
    assert_not_proven(_lemma_step(lem, [Continuous(g)]))


def test_lemma_continuity_of_zero_power_factor_dropped() -> None:
    """conv_delta with f := g·0^|·| (= 0 a.e.) at x = 0 'proves' ∫ δ(z) 0^|z| g(z) dz = g(0)."""
    lem = Lemma("conv_delta:R", {"f": Lambda(t, g(t) * 0**Abs(t)), "x": S.Zero})
    assert_not_proven(_lemma_step(lem, [Continuous(g)]))


def test_lemma_conv_assoc_with_non_integrable_instances() -> None:
    """(1 ∗ g) ∗ H = 0 but 1 ∗ (g ∗ H) = ∫φ ≠ 0 for g = φ′ ∈ L¹ (φ a bump): the lemma's
    'f, g, h ∈ L¹' becomes a condition on g alone, and its Fubini text is not instantiated."""
    lem = Lemma("conv_assoc:R", {"f": Lambda(t, 1), "h": Lambda(t, Heaviside(t))})
    hyps = [AbsolutelyConvergent(g, note="g ∈ L¹(ℝ)"),
            "Fubini–Tonelli applies: ∫∫|f(w) g(z − w) h(x − z)| < ∞"]
    assert_not_proven(_lemma_step(lem, hyps))


# == 6. hypotheses that cover more than they say; removable singularities =====================


def test_absolutely_convergent_f_covers_moment_integral() -> None:
    """f = (atan z + π/2)/(1 + z²) ∈ L¹, yet ∫ (f(z)z² − f(z+1)(z+1)²) dz = −π, not 0: the
    split needs ∫ f(z)z² dz, which 'f ∈ L¹' does not give."""
    lhs = Integral(f(z) * z**2 - f(z + 1) * (z + 1)**2, (z, -oo, oo))
    s1 = Integral(f(z) * z**2, (z, -oo, oo)) - Integral(f(w + 1) * (w + 1)**2, (w, -oo, oo))
    s2 = Integral(f(z) * z**2, (z, -oo, oo)) - Integral(f(u) * u**2, (u, -oo, oo))
    d = _chain(lhs, [(s1, Linearity()), (s2, Substitute((w, u - 1, u))), (S.Zero, Algebra())],
               [AbsolutelyConvergent(f, note="f ∈ L¹(ℝ)")])
    assert_not_proven(d)


def test_algebra_cancels_removable_singularity_inside_finite_sum() -> None:
    """Σ_{k=0}^{2} (k² − 1)/(k − 1) has the term 0/0 at k = 1 (undefined); it is not 6."""
    lhs = Sum((k**2 - 1) / (k - 1), (k, 0, 2))
    assert_not_proven(_chain(lhs, [(Sum(k + 1, (k, 0, 2)), Algebra()), (S(6), Compute())]))


# == 7. derivatives with respect to a function value ==========================================


def test_derivative_wrt_function_value_symbolic_index() -> None:
    """∂(f(k)·g(k))/∂f(1) is g(1) at k = 1, not 0 for every integer k: SymPy treats f(k) and
    f(1) as independent symbols, and canonical forms evaluate the derivative."""
    lhs = Derivative(f(k) * g(k), f(1))
    assert_not_proven(_chain(lhs, [(S.Zero, Algebra())], domain="ℤ"))


def test_leibniz_wrt_function_value_then_compute_g1_equals_0() -> None:
    """∂/∂f(1) Σ_{k=0}^{2} f(k)g(k) is g(1) written out (Compute) but 0 termwise (Leibniz):
    the chain proves g(1) = 0."""
    e = Derivative(Sum(f(k) * g(k), (k, 0, 2)), f(1))
    d = _chain(g(1), [(e, Compute()), (Sum(S.Zero, (k, 0, 2)), Leibniz()), (S.Zero, Compute())],
               domain="ℤ")
    assert_not_proven(d)


def test_lemma_wrt_function_value_instantiated_at_the_point() -> None:
    """A user lemma '∂(f(k)g(k))/∂f(1) = 0' (looked up with verify(lemmas=…)) used at k := 1
    gives ∂(f(1)g(1))/∂f(1) = g(1) = 0."""
    lem = Derivation(name="dlem", domain="ℤ", title="a derivative",
                     statement=Eq(Derivative(f(k) * g(k), f(1)), 0, evaluate=False),
                     steps=(Step(S.Zero, Algebra()),))
    d = _chain(g(1), [(Derivative(f(1) * g(1), f(1), evaluate=False), Algebra()),
                      (S.Zero, Lemma("dlem:Z", {"k": S.One}))], domain="ℤ")
    try:
        verified = d.verify(lemmas=lambda key: lem)
    except ProofError:
        return
    assert verified.unstated, "g(1) = 0 was proven"


# == 8. the target of ∂/∂ is substituted like an ordinary argument ============================


def test_lemma_partial_target_identified_with_another_symbol() -> None:
    """A user lemma ∂(b + c)/∂b = 1 instantiated with b := c gives ∂(2c)/∂c = 1; it is 2."""
    b, c = Symbol("b"), Symbol("c")
    lem = Derivation(name="plem", domain="ℝ", title="a partial derivative",
                     statement=Eq(Partial(b + c, b), 1, evaluate=False),
                     steps=(Step(S.One, DifferentiateLinear()),))
    d = _chain(Partial(2 * c, c), [(S.One, Lemma("plem:R", {"b": c}))])
    try:
        verified = d.verify(lemmas=lambda key: lem)
    except ProofError:
        return
    assert verified.unstated, "∂(2c)/∂c = 1 was proven"


def test_lemma_conv_bias_grad_with_bias_mapped_to_an_input_value() -> None:
    """conv_bias_grad with b := x(0): ∂/∂x(0) Σ_t (x(0) + Σ_j w(j)x(dj − p + st))g(t) also
    has the terms g(t)w(j) with dj − p + st = 0; it is not Σ_t g(t)."""
    xf = Function("x")
    lem = Lemma("conv_bias_grad:Z", {"b": xf(0)})
    reg = next(d for d in derivations() if d.key == "conv_bias_grad:Z")
    # the instance is the derivative in b, evaluated at b = x(0) (a Subs): true, and fine
    lhs, rhs, _ = lem.instance()
    assert isinstance(lhs, Subs)
    # the naive reading, ∂/∂x(0) of the loss with b replaced by x(0), is not proven by it
    b = next(s_ for s_ in reg.statement.lhs.free_symbols if s_.name == "b")
    naive = reg.statement.lhs.xreplace({b: xf(0)})
    assert_not_proven(_chain(naive, [(rhs, lem)], list(reg.hypotheses), "ℤ"))


# == 9. declared assumptions that the statement does not print =================================


def test_even_assumption_is_used_but_printed_as_integer() -> None:
    """Σ_k f(k)·δ[k, e/2] = f(e/2) holds only for even e, but the render says just 'e ∈ ℤ'
    (for e = 1 the left side is 0): a proof must fail or print that e is even."""
    e = Symbol("e", even=True)
    lhs = Sum(f(k) * KroneckerDelta(k, e / 2), (k, -oo, oo))
    d = _chain(lhs, [(f(e / 2), Sift())], domain="ℤ")
    try:
        verified = d.verify()
    except ProofError:
        return
    if verified.unstated:
        return
    assert "even" in d.render("text"), d.render("text")


def test_algebra_derivative_of_piecewise_step_is_zero() -> None:
    """1_{z ≥ 0} is not differentiable at z = 0 (its distributional derivative is δ, as the
    kernel itself says for Heaviside); 'd/dz 1_{z≥0} = 0 for every real z' is false."""
    step = Piecewise((0, z < 0), (1, True))
    assert_not_proven(_chain(Derivative(step, z), [(S.Zero, Algebra())]))
