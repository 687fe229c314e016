"""Red-team derivations, round 2: false claims built only through the public API.

Each test builds a :class:`Derivation` whose statement is mathematically false for the stated
hypotheses and the declared assumptions of its symbols, and asserts that it is *not proven*:
``verify()`` raises :class:`ProofError`, or returns a ``Verified`` with non-empty
``unstated``. None repeats an attack of ``test_adversarial_kernel.py`` or
``test_redteam_kernel.py``. The tests that fail today are the point: each is a hole.

Groups:

1. lemma instantiation: symbol facts the lemma does not check (even, odd, extended_positive)
   and assumptions of undefined functions (``Function('f', positive=True)``);
2. declared assumptions that are used but not printed (functions, ``extended_positive``), and
   a ``Subs`` at a point its variable's ``extended_*`` assumption excludes;
3. derivatives at points where the function is not differentiable (``Subs`` and ``Compute``
   evaluate derivatives of jumps; ``Abs``/``arg`` are not on the not-smooth list);
4. δ sifting functions with a branch cut crossing the real line (log, sqrt, atan, asinh);
5. binders with a repeated variable; hypotheses covering non-bijective affine arguments;
6. Float arithmetic done by the kernel (limits of a substitution, canonical forms);
7. trust: user-defined Hypothesis classes, ``render(outcome=…)`` with a foreign outcome;
8. attacks refused today (Product, KroneckerDelta off ℤ, Upsample, lemma chains, …).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kernel_attacks import Lookup, assert_not_proven
from kernel_attacks import chain as _chain
from sympy import (
    Abs,
    Add,
    Basic,
    Derivative,
    DiracDelta,
    Float,
    Function,
    Heaviside,
    I,
    Integral,
    KroneckerDelta,
    Lambda,
    Piecewise,
    Product,
    Rational,
    S,
    Subs,
    Sum,
    Symbol,
    Tuple,
    arg,
    asinh,
    atan,
    cos,
    log,
    oo,
    pi,
    sign,
    sqrt,
    tan,
)

from convmath import ProofError
from convmath.errors import InvalidArgument
from convmath.symbolic import Derivation, Verified, conv, xcorr
from convmath.symbolic.kernel import AbsolutelyConvergent, Condition, Continuous, Hypothesis
from convmath.symbolic.operators import Upsample
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    Definition,
    Fubini,
    Leibniz,
    Lemma,
    Linearity,
    Rename,
    ReverseLimits,
    Sift,
    Substitute,
)

f, g = Function("f"), Function("g")
fp = Function("fp", positive=True)
x, y, z, w, u, t = (Symbol(s, real=True) for s in "xyzwut")
k, n, m, j, q = (Symbol(s, integer=True) for s in "knmjq")
v_ext = Symbol("v", extended_positive=True)
e_even = Symbol("e", even=True)
o_odd = Symbol("o", odd=True)



def _lemma(d: Derivation) -> Lookup:
    """A lemma source that knows only ``d``. If ``d`` is itself refused (the kernel now
    refuses unevaluated expressions and functions with assumptions outright), nothing can
    use it either — the attack is then refused one level earlier."""
    try:
        verified = d.verify()
    except ProofError:
        return lambda key: d
    assert not verified.unstated, d.render("text")
    return lambda key: d


# == 1. lemma instantiation ====================================================================


def test_lemma_even_symbol_instantiated_at_an_odd_value() -> None:
    """Σ_k f(k)δ[k, e/2] = f(e/2) holds for even e; Lemma checks only 'integer', so e := 1
    gives Σ_k 0 = f(1/2), i.e. 0 = f(1/2) for an arbitrary f."""
    lem = _chain(Sum(f(k) * KroneckerDelta(k, e_even / 2), (k, -oo, oo)),
                 [(f(e_even / 2), Sift())], domain="ℤ", name="sift_even")
    zero_sum = Sum(S.Zero, (k, -oo, oo))
    d = _chain(S.Zero, [(zero_sum, Compute()), (f(S.Half), Lemma("sift_even", {"e": 1}))],
               domain="ℤ")
    assert_not_proven(d, _lemma(lem))


def test_lemma_even_cosine_gives_minus_one_equals_one() -> None:
    """cos(πe) = 1 for even e; instantiated at e := 1 (an integer, not even) it says −1 = 1."""
    lem = _chain(cos(pi * e_even, evaluate=False), [(S.One, Algebra())], domain="ℤ",
                 name="cos_even")
    d = _chain(S.NegativeOne, [(S.One, Lemma("cos_even", {"e": 1}))], domain="ℤ")
    assert_not_proven(d, _lemma(lem))


def test_lemma_odd_cosine_gives_one_equals_minus_one() -> None:
    """cos(πo) = −1 for odd o; instantiated at o := 2 it says 1 = −1."""
    lem = _chain(cos(pi * o_odd, evaluate=False), [(S.NegativeOne, Algebra())], domain="ℤ",
                 name="cos_odd")
    d = _chain(S.One, [(S.NegativeOne, Lemma("cos_odd", {"o": 2}))], domain="ℤ")
    assert_not_proven(d, _lemma(lem))


def test_lemma_extended_positive_symbol_instantiated_at_minus_one() -> None:
    """|v| = v for extended-positive v; Lemma does not check extended_positive, so v := −1
    proves 1 = −1."""
    lem = _chain(Abs(v_ext, evaluate=False), [(v_ext, Algebra())], name="abs_ext")
    d = _chain(S.One, [(S.NegativeOne, Lemma("abs_ext", {"v": -1}))])
    assert_not_proven(d, _lemma(lem))


def test_lemma_positive_function_instantiated_with_a_lambda() -> None:
    """|fp(x)| = fp(x) for a positive fp; fp := t ↦ t − 2 is not positive: |x − 2| ≠ x − 2
    for x < 2 (the Lambda's values are not checked against fp's assumptions)."""
    lem = _chain(Abs(fp(x), evaluate=False), [(fp(x), Algebra())], name="abs_fp")
    d = _chain(Abs(x - 2), [(x - 2, Lemma("abs_fp", {"fp": Lambda(t, t - 2)}))])
    # a Function declared with assumptions is refused outright, so no such lemma exists
    with pytest.raises(ProofError, match=r"declared with assumptions|unevaluated"):
        lem.verify()
    assert_not_proven(d, lambda key: lem)


def test_lemma_positive_function_instantiated_with_a_plain_function() -> None:
    """|fp(x)| = fp(x) for a positive fp; fp := g (no assumption) gives |g(x)| = g(x)."""
    lem = _chain(Abs(fp(x), evaluate=False), [(fp(x), Algebra())], name="abs_fp")
    d = _chain(Abs(g(x)), [(g(x), Lemma("abs_fp", {"fp": g}))])
    # a Function declared with assumptions is refused outright, so no such lemma exists
    with pytest.raises(ProofError, match=r"declared with assumptions|unevaluated"):
        lem.verify()
    assert_not_proven(d, lambda key: lem)


# == 2. declared assumptions that are used but not printed =====================================


def test_function_assumption_is_used_but_not_printed() -> None:
    """|fp(x)| = fp(x) uses 'fp positive' (declared on the Function), but the render prints
    only 'x ∈ ℝ': as printed, the claim is false (fp = −1)."""
    d = _chain(Abs(fp(x), evaluate=False), [(fp(x), Algebra())])
    try:
        verified = d.verify()
    except ProofError:
        return
    if verified.unstated:
        return
    text = d.render("text")
    assert any(line.strip().startswith("assuming:") and "fp" in line
               for line in text.splitlines()), text


def test_extended_positive_is_used_but_printed_as_real() -> None:
    """|v| = v uses v > 0 (declared extended_positive) but the render says 'v ∈ ℝ (≠ 0)':
    as printed, the claim is false at v = −1."""
    d = _chain(Abs(v_ext, evaluate=False), [(v_ext, Algebra())])
    try:
        verified = d.verify()
    except ProofError:
        return
    if verified.unstated:
        return
    text = d.render("text")
    assert "> 0" in text or "positive" in text, text


def test_subs_at_a_point_that_extended_positive_excludes() -> None:
    """d|v|/dv at v = −1 is −1; with v declared extended_positive, |v|′ simplifies to 1 and
    the Subs at −1 (outside v's declared range) is not refused: '… = 1'."""
    lhs = Subs(Derivative(Abs(v_ext, evaluate=False), v_ext), v_ext, -1)
    assert_not_proven(_chain(lhs, [(S.One, Algebra())]))


# == 3. derivatives at points of non-differentiability =========================================

_STEP = Piecewise((0, y < 0), (1, True))


def test_subs_evaluates_derivative_of_a_step_at_its_jump() -> None:
    """1_{y≥0} jumps at 0, so its derivative at 0 does not exist; canonical() evaluates the
    Subs (and the derivative of the Piecewise inside it) to 0."""
    assert_not_proven(_chain(Subs(Derivative(_STEP, y), y, 0), [(S.Zero, Algebra())]))


def test_compute_evaluates_derivative_of_a_step() -> None:
    """d/dy 1_{y≥0} = 0 for every real y is false at y = 0 (Compute differentiates the
    Piecewise, which Algebra refuses to do)."""
    assert_not_proven(_chain(Derivative(_STEP, y), [(S.Zero, Compute())]))


def test_derivative_of_abs_at_zero() -> None:
    """|y| is not differentiable at 0, yet d|y|/dy at y = 0 'is' sign(0) = 0."""
    assert_not_proven(_chain(Subs(Derivative(Abs(y), y), y, 0), [(S.Zero, Algebra())]))


def test_derivative_of_arg_at_zero() -> None:
    """arg y jumps from π to 0 at y = 0 (y real): its derivative there does not exist."""
    assert_not_proven(_chain(Subs(Derivative(arg(y), y), y, 0), [(S.Zero, Algebra())]))


def test_leibniz_through_abs_under_a_finite_sum() -> None:
    """d/dy Σ_{k=0}^{1} |y − k| at y = 0 does not exist (a corner), yet Leibniz on a finite
    sum (no condition) equates it with Σ_k −sign(k − y) at y = 0, which is −1."""
    lhs = Subs(Derivative(Sum(Abs(y - k), (k, 0, 1)), y), y, 0)
    rhs = Subs(Sum(-sign(k - y), (k, 0, 1)), y, 0)
    assert_not_proven(_chain(lhs, [(rhs, Leibniz())]))


# == 4. δ sifting across a branch cut ============================================================


def test_sift_log_across_its_branch_cut() -> None:
    """log(−1 + iz) jumps from −iπ to iπ at z = 0: δ does not sift it (mollifiers give 0)."""
    lhs = Integral(log(-1 + I * z) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(I * pi, Sift())]))


def test_sift_sqrt_across_its_branch_cut() -> None:
    """√(−1 + iz) jumps from −i to i at z = 0: δ does not sift it (mollifiers give 0)."""
    lhs = Integral(sqrt(-1 + I * z) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(I, Sift())]))


def test_sift_atan_across_its_branch_cut() -> None:
    """atan(z + 2i) jumps at z = 0 (the cut i·[1, ∞)): δ does not sift it."""
    lhs = Integral(atan(z + 2 * I) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(atan(2 * I), Sift())]))


def test_sift_asinh_across_its_branch_cut() -> None:
    """asinh(z + 2i) jumps at z = 0 (the cut i·[1, ∞)): δ does not sift it."""
    lhs = Integral(asinh(z + 2 * I) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(asinh(2 * I), Sift())]))


def test_sift_continuous_function_of_a_branch_cut() -> None:
    """Continuous(g) does not make g(log(−1 + iz)) continuous at z = 0."""
    lhs = Integral(g(log(-1 + I * z)) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(g(I * pi), Sift())], [Continuous(g)]))


# == 5. repeated binder variables; hypotheses on non-bijective affine arguments ===============


def test_reverse_limits_of_a_repeated_variable_negates_once() -> None:
    """∫₀² ∫₀¹ z dz dz = 1 (z bound twice); reversing both z-limits must not change the sign
    (two reversals), but ReverseLimits negates once: the claimed right side is −1."""
    lhs = Integral(z, (z, 0, 1), (z, 0, 2))
    rhs = Integral(-z, (z, 1, 0), (z, 2, 0))
    assert_not_proven(_chain(lhs, [(rhs, ReverseLimits(z))]))


def test_fubini_on_a_quadrant_with_f_of_a_difference() -> None:
    """For f ∈ ℓ¹(ℤ) the double sum Σ_{m,n≥0} (f(m−n) − f(m−n−1)) is not absolutely
    convergent (each diagonal repeats infinitely often): in the order n, m it is Σ_{m≥0} f(m),
    in the order m, n it is −Σ_{j<0} f(j) (f = δ₀: 1 vs 0); AbsolutelyConvergent(f) must not
    cover it."""
    phi = f(m - n) - f(m - n - 1)
    lhs = Sum(phi, (n, 0, oo), (m, 0, oo))
    rhs = Sum(phi, (m, 0, oo), (n, 0, oo))
    assert_not_proven(_chain(lhs, [(rhs, Fubini((n, m)))],
                             [AbsolutelyConvergent(f, note="f ∈ ℓ¹(ℤ)")], "ℤ"))


# == 6. Float arithmetic in the kernel ===========================================================


def test_substitute_rounds_the_new_limit() -> None:
    """With a 7-bit Float a = 3., the new limit 1/a is rounded: ∫₀¹ 1 dz = 1 but the claimed
    ∫₀^L a dw = a·L = 255/256 (L the Float the rule computed)."""
    a = Float(3, 1)
    rule = Substitute((z, a * w, w))
    lhs = Integral(S.One, (z, 0, 1))
    rhs = rule.apply(lhs)
    assert Rational(rhs.limits[0][2]) * Rational(a) != 1
    assert_not_proven(_chain(lhs, [(rhs, rule)]))


def test_algebra_rounds_an_unevaluated_float_sum() -> None:
    """1 + 10⁻²⁰ ≠ 1; canonical() re-evaluates the unevaluated Add at 15 digits."""
    lhs = Add(S.One, Float("1e-20"), evaluate=False)
    assert_not_proven(_chain(lhs, [(S.One, Algebra())]))


def test_compute_rounds_an_unevaluated_float_sum() -> None:
    """1 + 10⁻²⁰ ≠ 1, by evaluation this time."""
    lhs = Add(S.One, Float("1e-20"), evaluate=False)
    assert_not_proven(_chain(lhs, [(S.One, Compute())]))


# == 7. trust: hypotheses and rendered outcomes ==================================================


class _Nice(Hypothesis):
    """A home-made hypothesis that says it implies every condition."""

    kinds = frozenset({"absolute", "leibniz", "continuous", "support"})

    def __init__(self) -> None:
        self._frozen = True

    def _key(self) -> tuple[Any, ...]:
        return ()

    def covers(self, c: Condition) -> bool:
        return True

    def describe(self, show: Callable[[Basic], str]) -> str:
        return "the integrand is nice"

    def instantiate(self, fn_map: Any, sym_map: Any) -> list[Condition]:
        return []


def test_user_hypothesis_class_covers_divergent_split() -> None:
    """∫(atan z − atan(z + 1)) dz = −π, not 0; a Hypothesis subclass whose covers() is always
    True lets the split into two divergent integrals through."""
    lhs = Integral(atan(z) - atan(z + 1), (z, -oo, oo))
    split = Integral(atan(z), (z, -oo, oo)) - Integral(atan(w + 1), (w, -oo, oo))
    shifted = Integral(atan(z), (z, -oo, oo)) - Integral(atan(u), (u, -oo, oo))
    # only convmath's own hypothesis classes are accepted: the derivation cannot be built
    with pytest.raises(InvalidArgument, match="hypotheses"):
        _chain(lhs, [(split, Linearity()), (shifted, Substitute((w, u - 1, u))),
                     (S.Zero, Algebra())], [_Nice()])


def _no_check_mark(text: str) -> None:
    assert not any(line.strip().startswith("✓") for line in text.splitlines()), text


def test_render_with_the_outcome_of_another_derivation() -> None:
    """render(outcome=…) of 1 = 0 with the Verified of x + x = 2x must not print ✓."""
    good = _chain(x + x, [(2 * x, Algebra())])
    bad = _chain(S.One, [(S.Zero, Algebra())])
    try:
        text = bad.render("text", outcome=good.verify())
    except (ValueError, ProofError):
        return
    _no_check_mark(text)


def test_render_with_a_forged_verified() -> None:
    """render(outcome=Verified(…)) built by hand must not print ✓ next to 1 = 0."""
    bad = _chain(S.One, [(S.Zero, Algebra())])
    try:
        text = bad.render("text", outcome=Verified(bad.name, bad.domain, 1, 0.0))
    except (ValueError, ProofError):
        return
    _no_check_mark(text)


# == 8. attacks refused today ====================================================================


def test_substitute_in_a_product_without_jacobian() -> None:
    """Π_{z=1}^{2} z = 2, but Π over w ∈ [1/2, 1] of 2w is not a change of variables."""
    zz = Symbol("zz")
    ww = Symbol("ww")
    lhs = Product(zz, (zz, 1, 2))
    assert_not_proven(_chain(lhs, [(Product(2 * ww, (ww, S.Half, 1)),
                                    Substitute((zz, 2 * ww, ww)))]))


def test_rename_in_a_product_into_a_scaled_factor() -> None:
    """Π_{k=1}^{3} k = 6 ≠ Π_{j=1}^{3} 2j = 48."""
    lhs = Product(k, (k, 1, 3))
    assert_not_proven(_chain(lhs, [(Product(2 * j, (j, 1, 3)), Rename(k, j))], domain="ℤ"))


def test_linearity_pulls_a_factor_out_of_a_product() -> None:
    """Π_{k=1}^{3} 2f(k) = 8Π f(k), not 2Π f(k)."""
    lhs = Product(2 * f(k), (k, 1, 3))
    assert_not_proven(_chain(lhs, [(2 * Product(f(k), (k, 1, 3)), Linearity())], domain="ℤ"))


def test_fubini_on_a_product() -> None:
    """Fubini is for sums and integrals; a product is not swapped by it."""
    body = f(k) * g(j) + 1
    lhs = Product(body, (k, 1, 3), (j, 1, 2))
    assert_not_proven(_chain(lhs, [(Product(body, (j, 1, 2), (k, 1, 3)), Fubini((k, j)))],
                             domain="ℤ"))


def test_compute_sifts_kronecker_at_a_non_integer_symbol() -> None:
    """Σ_k f(k)δ[k, s] is 0 for s ∉ ℤ, not f(s) (s has no assumptions)."""
    s = Symbol("s")
    lhs = Sum(f(k) * KroneckerDelta(k, s), (k, -oo, oo))
    assert_not_proven(_chain(lhs, [(f(s), Compute())], domain="ℤ"))


def test_compute_finite_sum_of_kronecker_at_a_real_symbol() -> None:
    """Σ_{k=0}^{2} f(k)δ[k, x] is 0 for x ∉ {0, 1, 2}, not f(x)."""
    lhs = Sum(f(k) * KroneckerDelta(k, x), (k, 0, 2))
    assert_not_proven(_chain(lhs, [(f(x), Compute())]))


def test_upsample_at_a_half_integer_point() -> None:
    """(↑₁f)(1/2) = Σ_q f(q)δ[q, 1/2] = 0, not f(1/2)."""
    up = Upsample(Lambda(k, f(k)), Tuple(1), Tuple(S.Half))
    unfolded = Sum(f(q) * KroneckerDelta(q, S.Half), (q, -oo, oo))
    assert_not_proven(_chain(up, [(unfolded, Definition("↑")), (f(S.Half), Sift())],
                             domain="ℤ"))


def test_sift_derivative_of_delta() -> None:
    """∫ f(z)δ′(z) dz = −f′(0), not f(0)."""
    lhs = Integral(f(z) * DiracDelta(z, 1), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(f(0), Sift())], [Continuous(f)]))


def test_sift_heaviside_at_its_jump() -> None:
    """H jumps at 0: ∫ H(z)δ(z) dz is not H(0) = 1/2 by sifting."""
    lhs = Integral(Heaviside(z) * DiracDelta(z), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(S.Half, Sift())]))


def test_sift_tan_at_its_pole() -> None:
    """tan has a pole at π/2: ∫ tan(z)δ(z − π/2) dz is not 0."""
    lhs = Integral(tan(z) * DiracDelta(z - pi / 2), (z, -oo, oo))
    assert_not_proven(_chain(lhs, [(S.Zero, Sift())]))


def test_xcorr_unfolded_as_a_convolution() -> None:
    """(f ⋆ g)(x) = ∫ f(z)g(x + z) dz is not (f ∗ g)(x) = ∫ f(z)g(x − z) dz."""
    assert_not_proven(_chain(xcorr(f, g, x), [(conv(f, g, x), Definition("⋆"))]))


def test_lemma_chain_that_never_bottoms_out() -> None:
    """1 = 0 'by L0', where each Lᵢ claims 1 = 0 by Lᵢ₊₁ (a lemma source that makes them up
    on demand): an infinite regress proves nothing."""
    def lookup(key: str) -> Derivation:
        i = int(key[1:])
        return _chain(S.One, [(S.Zero, Lemma(f"L{i + 1}"))], name=key)

    assert_not_proven(_chain(S.One, [(S.Zero, Lemma("L0"))]), lookup)
