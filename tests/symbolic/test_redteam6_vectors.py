"""Red team 6: points of ℝᵈ and ℤᵈ with a symbolic dimension d (convmath.symbolic.vectors).

Each test builds a derivation that is false for some d (or ill-sorted) and asserts that the
kernel does not verify it (ProofError, or ⚠ with unstated conditions). A test that fails is
an attack that succeeds. The attacks that succeeded against the first version are marked
"succeeded before the fix", with the diagnosis; each fix is in vectors.py, rules/vectors.py,
rules/lemma.py or rules/base.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from kernel_attacks import assert_not_proven
from sympy import (
    Abs,
    Eq,
    Function,
    I,
    Integral,
    KroneckerDelta,
    Lambda,
    Rational,
    Sum,
    Symbol,
    exp,
    oo,
)

from convmath.errors import InvalidArgument, ProofError
from convmath.symbolic import conv, derivations
from convmath.symbolic.derivation import Derivation, Step
from convmath.symbolic.kernel import (
    AbsolutelyConvergent,
    Continuous,
    DifferentiableUnderIntegral,
    Hypothesis,
)
from convmath.symbolic.operators import Partial, apply_function
from convmath.symbolic.rules import (
    Algebra,
    ChangeOfVariables,
    DifferentiateLinear,
    Fubini,
    LeibnizAxis,
    Lemma,
    Rule,
    Sift,
    SiftVector,
)
from convmath.symbolic.vectors import (
    AxisPartial,
    D,
    Dot,
    VectorDelta,
    VectorSortError,
    check_vectors,
    space,
    vector,
)

R, Z = space("R"), space("Z")
m = Symbol("m", integer=True, positive=True)
Rm, Zm = space("R", m), space("Z", m)
x, z, w = (vector(s, R) for s in "xzw")
k, j, n, q = (vector(s, Z) for s in "kjnq")
f, g = Function("f"), Function("g")
i = Symbol("i", integer=True, positive=True)
t = vector("t", R)


def chain(lhs: Any, steps: Sequence[tuple[Any, Rule]], hyps: Sequence[str | Hypothesis] = (),
          name: str = "redteam6", domain: str = "ℝᵈ") -> Derivation:
    return Derivation(name=name, domain=domain, title="a red-team claim",
                      statement=Eq(lhs, steps[-1][0], evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps), hypotheses=tuple(hyps))


def lookup_with(*extra: Derivation) -> Callable[[str], Derivation]:
    """The registry, plus the given (verified, true) derivations as lemmas."""
    mine = {d.key: d for d in extra}

    def lookup(key: str) -> Derivation:
        if key in mine:
            return mine[key]
        (d,) = derivations(key)
        return d
    return lookup


# -- ChangeOfVariables: the shift b of old = c·new + b is never sort-checked ------------------


def test_lattice_change_of_variables_by_a_real_point() -> None:
    # (succeeded before the fix)
    # Σ_{k∈ℤᵈ} e^{−k·k} = Σ_{j∈ℤᵈ} e^{−(j+x)·(j+x)} for a point x of ℝᵈ (the
    # right side depends on x; false for x = e₁/2). ChangeOfVariables on ℤᵈ checks c = ±1 but
    # not that b is a point of ℤᵈ (nor even of the same space); the sort check accepts the
    # result because a point inside Dot is never checked (Dot(j + x, j + x) expands into
    # j·j + 2 j·x + x·x, all well-sorted).
    lhs = Sum(exp(-Dot(k, k)), (k, -oo, oo))
    rhs = Sum(exp(-Dot(j + x, j + x)), (j, -oo, oo))
    assert_not_proven(chain(lhs, [(rhs, ChangeOfVariables(k, j + x, j))], domain="ℤᵈ"))


def test_lattice_change_of_variables_by_half_a_lattice_point() -> None:
    # (succeeded before the fix)
    # k = j + n/2 is not a bijection of ℤᵈ (b = n/2 ∉ ℤᵈ for odd n):
    # Σ e^{−k·k} = θ₃(e⁻¹)ᵈ but Σ e^{−(j+n/2)·(j+n/2)} at n = e₁ is θ₂(e⁻¹)θ₃(e⁻¹)ᵈ⁻¹.
    lhs = Sum(exp(-Dot(k, k)), (k, -oo, oo))
    rhs = Sum(exp(-Dot(j + n / 2, j + n / 2)), (j, -oo, oo))
    assert_not_proven(chain(lhs, [(rhs, ChangeOfVariables(k, j + n / 2, j))], domain="ℤᵈ"))


def test_real_change_of_variables_by_an_imaginary_shift() -> None:
    # (succeeded before the fix)
    # z = w + i·x is not a map of ℝᵈ; b's coefficients are never required
    # to be real. For d = 1: ∫ e^{−|z²|} dz = √π but ∫ e^{−|(w+ix)²|} dw = √π·e^{−x²}.
    lhs = Integral(exp(-Abs(Dot(z, z))), (z, -oo, oo))
    rhs = Integral(exp(-Abs(Dot(w + I * x, w + I * x))), (w, -oo, oo))
    assert_not_proven(chain(lhs, [(rhs, ChangeOfVariables(z, w + I * x, w))]))


def test_change_of_variables_by_a_point_of_another_dimension() -> None:
    y = vector("y", Rm)
    lhs = Integral(exp(-Dot(z, z)), (z, -oo, oo))
    rhs = Integral(exp(-Dot(w + y, w + y)), (w, -oo, oo))
    with pytest.raises(ProofError):
        chain(lhs, [(rhs, ChangeOfVariables(z, w + y, w))]).verify()


def test_the_one_dimensional_jacobian_is_refused() -> None:
    e = Integral(f(z), (z, -oo, oo))
    for claimed in (Integral(2 * f(-2 * w), (w, -oo, oo)),      # |c| instead of |c|ᵈ
                    Integral(-2 * f(-2 * w), (w, oo, -oo))):    # c and reversed limits
        assert_not_proven(chain(e, [(claimed, ChangeOfVariables(z, -2 * w, w))]))


def test_a_lattice_sum_is_not_rescaled() -> None:
    e = Sum(f(k), (k, -oo, oo))
    assert_not_proven(chain(e, [(Sum(f(-j), (j, -oo, oo)) * 2, ChangeOfVariables(k, -j, j))],
                            domain="ℤᵈ"))
    with pytest.raises(ProofError):
        chain(e, [(Sum(f(2 * j), (j, -oo, oo)), ChangeOfVariables(k, 2 * j, j))]).verify()


def test_scaling_under_an_axis_derivative_keeps_the_chain_rule() -> None:
    # ∂ᵢf at 2w is not ∂/∂wᵢ f(2w) (that is 2·(∂ᵢf)(2w))
    e = Integral(AxisPartial(f(z), z, i), (z, -oo, oo))
    wrong = Integral(2 ** D * AxisPartial(f(2 * w), w, i), (w, -oo, oo))
    assert_not_proven(chain(e, [(wrong, ChangeOfVariables(z, 2 * w, w))]))


# -- Lemma: instantiation keeps the space, but not the lattice, nor the dimension -----------


def test_lemma_point_of_the_lattice_put_to_half_a_point() -> None:
    # (succeeded before the fix)
    # a true lemma on ℤᵈ (n ∈ ℤᵈ) is instantiated with n := q/2. Lemma checks
    # only that every variable of the value lies in the lemma point's space, not that the
    # coefficients are integers (real, finite on ℝᵈ); the target passes the sort check
    # because n only occurs inside Dot.
    lem = chain(Sum(exp(-Dot(k, k)), (k, -oo, oo)),
                [(Sum(exp(-Dot(j + n, j + n)), (j, -oo, oo)), ChangeOfVariables(k, j + n, j))],
                name="rt6_theta_shift", domain="ℤᵈ")
    lem.verify()
    bad = chain(Sum(exp(-Dot(k, k)), (k, -oo, oo)),
                [(Sum(exp(-Dot(j + q / 2, j + q / 2)), (j, -oo, oo)),
                  Lemma(lem.key, {"n": q / 2}))], domain="ℤᵈ")
    assert_not_proven(bad, lookup_with(lem))


def test_lemma_dimension_put_to_one() -> None:
    # (succeeded before the fix)
    # the lemma ∫_{ℝᵈ} f(2z) dz = ∫_{ℝᵈ} 2⁻ᵈ f(w) dw (true) has the free
    # symbol d; Lemma(…, {"d": 1}) substitutes d only where it is a number (the Jacobian), not
    # in the spaces of the points, giving ∫_{ℝᵈ} f(2z) dz = ½ ∫_{ℝᵈ} f(w) dw — false for d ≥ 2.
    # The dimension of a vector variable lives in its .space attribute, outside its args, so
    # subst never sees it.
    lem = chain(Integral(f(2 * z), (z, -oo, oo)),
                [(Integral(Abs(Rational(1, 2)) ** D * f(w), (w, -oo, oo)),
                  ChangeOfVariables(z, w / 2, w))], name="rt6_scale")
    lem.verify()
    bad = chain(Integral(f(2 * z), (z, -oo, oo)),
                [(Integral(f(w) / 2, (w, -oo, oo)), Lemma(lem.key, {"d": 1}))])
    assert_not_proven(bad, lookup_with(lem))


def test_lemma_dimension_put_to_another_dimension() -> None:
    # (succeeded before the fix, same bug as above): d := m relabels the Jacobian only
    lem = chain(Integral(f(2 * z), (z, -oo, oo)),
                [(Integral(Abs(Rational(1, 2)) ** D * f(w), (w, -oo, oo)),
                  ChangeOfVariables(z, w / 2, w))], name="rt6_scale_m")
    bad = chain(Integral(f(2 * z), (z, -oo, oo)),
                [(Integral(2 ** -m * f(w), (w, -oo, oo)), Lemma(lem.key, {"d": m}))])
    assert_not_proven(bad, lookup_with(lem))


def test_registered_lemmas_keep_their_sorts() -> None:
    hyp = (AbsolutelyConvergent(f, g, domain="ℝ"),)
    # the zero vector for x: the instance is a convolution at a number
    assert_not_proven(chain(conv(f, g, x), [(conv(g, f, x), Lemma("conv_comm:Rd", {"x": 0}))],
                            hyp))
    # d is not a symbol of conv_comm:Rd
    assert_not_proven(chain(conv(f, g, x), [(conv(g, f, x), Lemma("conv_comm:Rd", {"d": m}))],
                            hyp))
    # a point of ℤᵈ for the point of ℝᵈ
    assert_not_proven(chain(conv(f, g, x), [(conv(g, f, x),
                                             Lemma("conv_comm:Rd", {"x": n}))], hyp))
    # x := 2x in ∂ᵢ(f ∗ g)(x): the claim without the chain-rule factor is refused
    dg = Lambda((t,), AxisPartial(g(t), t, i))
    e = AxisPartial(conv(f, g, 2 * x), x, i)
    assert_not_proven(chain(e, [(conv(f, dg, 2 * x), Lemma("deriv_conv:Rd", {"x": 2 * x}))],
                            (DifferentiableUnderIntegral(f, g),)))


# -- sorts: the statement, the zero vector, raw nodes -----------------------------------------


def test_statement_with_one_function_on_two_lattices() -> None:
    # (succeeded before the fix)
    # Σ_{k∈ℤᵈ} f(k)δ[k] = Σ_{k∈ℤᵐ} f(k)δ[k] uses f on ℤᵈ and on ℤᵐ — an
    # ill-sorted statement, verified ✓. The two sides of the statement (and of each step) are
    # sort-checked separately, and SiftVector, a normal-form rule, meets both at f(0), where
    # the zero vector is typed as a number.
    km = vector("k", Zm)
    lhs = Sum(f(k) * VectorDelta(k, Z), (k, -oo, oo))
    rhs = Sum(f(km) * VectorDelta(km, Zm), (km, -oo, oo))
    with pytest.raises(VectorSortError):
        check_vectors(Eq(lhs, rhs, evaluate=False))
    assert_not_proven(chain(lhs, [(rhs, SiftVector())], domain="ℤᵈ"))


def test_statement_with_one_function_on_the_lattice_and_on_the_integers() -> None:
    # (succeeded before the fix)
    # Σ_{k∈ℤᵈ} f(k)δ[k] = f(0) = Σ_{s∈ℤ} f(s)δ[s, 0]: f on ℤᵈ then on ℤ;
    # after sifting, f(0) has no vector variable, so the scalar Sift accepts it.
    s = Symbol("s", integer=True)
    lhs = Sum(f(k) * VectorDelta(k, Z), (k, -oo, oo))
    steps = [(f(0), SiftVector()), (Sum(f(s) * KroneckerDelta(s, 0), (s, -oo, oo)), Sift())]
    assert_not_proven(chain(lhs, steps, domain="ℤᵈ"))


def test_raw_vector_nodes_of_numbers_are_ill_sorted() -> None:
    # (succeeded before the fix)
    # Dot and VectorDelta of plain numbers are left unevaluated ("check_vectors
    # refuses it in a derivation") but check_vectors returns early for any expression without
    # a vector variable, so δ_{ℝᵈ}(s) and s·t (claimed real) pass into derivations.
    s, u = Symbol("s"), Symbol("u")
    for bad in (Dot(s, u), VectorDelta(s, R), exp(Dot(s, I * u))):
        with pytest.raises(VectorSortError):
            check_vectors(bad)


def test_raw_dot_of_numbers_has_clean_assumptions() -> None:
    # UNCLEAN EXCEPTION (succeeded before the fix): Dot(s, u).is_integer raises AttributeError
    # ('Symbol' object has no attribute 'discrete') from Dot._eval_is_integer; inside
    # verify it surfaces as a ProofError "could not be checked: AttributeError".
    s, u = Symbol("s"), Symbol("u")
    try:
        Dot(s, u).is_integer  # noqa: B018
    except AttributeError as exc:
        pytest.fail(f"unclean exception: {exc!r}")


@pytest.mark.parametrize("bad", [
    lambda: conv(f, g, x + n),                           # points of two spaces
    lambda: VectorDelta(x + n),
    lambda: AxisPartial(f(x), x + z, i),                 # ∂ along a non-variable
    lambda: AxisPartial(f(x), x, Symbol("i")),           # an axis not known positive
    lambda: ChangeOfVariables(z, x - n, n),              # new in another space
    lambda: ChangeOfVariables(Symbol("z"), x, w),
])
def test_ill_sorted_inputs_raise_cleanly(bad: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        bad()


@pytest.mark.parametrize("lhs", [
    f(x * z),
    Sum(f(n / 2), (n, -oo, oo)),
    Sum(f(Symbol("s", integer=True) * n / 2), (n, -oo, oo)),
    Integral(f(z), (z, 0, oo)),
    f(x) * f(n),
])
def test_ill_sorted_statements_are_proof_errors(lhs: Any) -> None:
    with pytest.raises(ProofError):
        chain(lhs, [(lhs, Algebra())]).verify()


# -- algebra, δ, derivatives ------------------------------------------------------------------


def test_algebra_keeps_to_identities_of_points() -> None:
    y = vector("y", R)
    # (x·x)(y·y) = (x·y)² only in 1-D; δ(2u) = δ(u)/2 only in 1-D; x·y may be negative
    for lhs, rhs in ((Dot(x, x) * Dot(y, y), Dot(x, y) ** 2),
                     (VectorDelta(2 * x - 2 * z, R), VectorDelta(x - z, R) / 2),
                     (Abs(Dot(x, y)), Dot(x, y))):
        assert_not_proven(chain(lhs, [(rhs, Algebra())]))


def test_sifting_needs_a_unit_coefficient_and_continuity() -> None:
    scaled = Integral(f(z) * VectorDelta(2 * z - x, R), (z, -oo, oo))
    assert_not_proven(chain(scaled, [(f(x / 2) / 2, SiftVector())], (Continuous(f),)))
    square = Integral(f(z) * VectorDelta(z - x, R) ** 2, (z, -oo, oo))
    assert_not_proven(chain(square, [(f(x) * VectorDelta(0 * x, R), SiftVector())],
                            (Continuous(f),)))
    jump = Integral(f(z) * Abs(Dot(z, z)) * VectorDelta(z - x, R), (z, -oo, oo))
    assert_not_proven(chain(jump, [(f(x) * Abs(Dot(x, x)), SiftVector())]))


def test_leibniz_along_an_axis_keeps_the_chain_factor() -> None:
    dg = Lambda((t,), AxisPartial(g(t), t, i))
    e = AxisPartial(Integral(f(z) * g(2 * x - z), (z, -oo, oo)), x, i)
    wrong = Integral(f(z) * apply_function(dg, [2 * x - z]), (z, -oo, oo))
    assert_not_proven(chain(e, [(wrong, LeibnizAxis())], (DifferentiableUnderIntegral(f, g),)))


def test_linear_derivative_at_real_points_and_fubini_on_a_difference() -> None:
    xf = Function("xf")
    e = Partial(Integral(g(z) * xf(z), (z, -oo, oo)), xf(x))
    assert_not_proven(chain(e, [(Integral(g(z) * VectorDelta(z - x, R), (z, -oo, oo)),
                                 DifferentiateLinear())]))
    body = f(k - j)
    swapped = Sum(body, (j, -oo, oo), (k, -oo, oo))
    assert_not_proven(chain(Sum(body, (k, -oo, oo), (j, -oo, oo)), [(swapped, Fubini((k, j)))],
                            (AbsolutelyConvergent(f),), domain="ℤᵈ"))


# -- linear maps A of ℝᵈ: A(v), det A, Invertible(A) ---------------------------------------

from convmath.symbolic.kernel import Invertible  # noqa: E402
from convmath.symbolic.vectors import (  # noqa: E402
    Det,
    LinearMap,
    instantiate_dimension,
    linear_map,
)

MA, MB = linear_map("A", R), linear_map("B", R)
_CLEAN = (ProofError, InvalidArgument, VectorSortError)


def _cov(phi: Any, new: Any = w) -> ChangeOfVariables:
    return ChangeOfVariables(z, phi, new)


def _verify_cleanly(d: Derivation) -> None:
    """verify() may refuse (ProofError) or warn, never raise anything else."""
    try:
        d.verify()
    except _CLEAN:
        return
    except Exception as exc:  # pragma: no cover - an attack that succeeds
        pytest.fail(f"unclean exception from verify(): {exc!r}")


def test_chain_rule_through_a_map_plus_the_identity() -> None:
    # (succeeded before the fix)
    # ∂/∂xᵢ Σ_{s=0}^{1} g(x − A x) = Σ_{s=0}^{1} (∂ᵢg)(x − A x), verified ✓ with no
    # hypothesis (a finite sum records no Leibniz condition). False: for A = I the left side
    # is ∂ᵢ(2 g(0)) = 0, the right side 2 (∂ᵢg)(0). differentiate_axis (rules/vectors.py)
    # reads the coefficient of x in vector_form(x − A(x)) = {x: 1, A(x): −1} as the chain
    # factor, without checking that no other key (the map atom A(x)) depends on x; it
    # refuses g(A x) alone only because x is then not a key of the form.
    s = Symbol("s", integer=True)
    dg = Lambda((t,), AxisPartial(g(t), t, i))
    for p in (x - LinearMap(MA, x), x + LinearMap(MA, x)):
        e = AxisPartial(Sum(g(p), (s, 0, 1)), x, i)
        assert_not_proven(chain(e, [(Sum(apply_function(dg, [p]), (s, 0, 1)), LeibnizAxis())]))


def test_chain_rule_through_a_map_under_a_lattice_sum() -> None:
    # (succeeded before the fix, same bug): with DifferentiableUnderIntegral(f, g) stated,
    # ∂/∂xᵢ Σ_{n∈ℤᵈ} f(n) g(n, A x + x) = Σ_n f(n) (∂ᵢ g(n, ·))(A x + x) is verified ✓
    # (on ℤᵈ the coverage check never looks at the free arguments, so it does not crash as
    # the ℝᵈ integral does, see below). False for A = I: the chain factor 2 is dropped.
    dg2 = Lambda((n, t), AxisPartial(g(n, t), t, i))
    p = LinearMap(MA, x) + x
    e = AxisPartial(Sum(f(n) * g(n, p), (n, -oo, oo)), x, i)
    wrong = Sum(f(n) * apply_function(dg2, [n, p]), (n, -oo, oo))
    assert_not_proven(chain(e, [(wrong, LeibnizAxis())], (DifferentiableUnderIntegral(f, g),)))


def test_coverage_of_an_integrand_at_a_mapped_point_is_clean() -> None:
    # UNCLEAN EXCEPTION (succeeded before the fix): the Leibniz/absolute-convergence coverage
    # (kernel._independent → _row) builds sympy.Poly(arg, A, x, z, …) over the free symbols
    # of the arguments; the map atom A(y) contains the generator y, so Poly raises
    # PolynomialError, which escapes Derivation.verify(). Both derivations here are true.
    dg = Lambda((t,), AxisPartial(g(t), t, i))
    y = vector("y", R)
    p = LinearMap(MA, y) + x - z
    e = AxisPartial(Integral(f(z) * g(p), (z, -oo, oo)), x, i)
    _verify_cleanly(chain(e, [(Integral(f(z) * apply_function(dg, [p]), (z, -oo, oo)),
                               LeibnizAxis())], (DifferentiableUnderIntegral(f, g),)))
    h = Function("h")
    body = f(z) * g(w) * h(LinearMap(MA, x) - z - w)
    _verify_cleanly(chain(Integral(body, (z, -oo, oo), (w, -oo, oo)),
                          [(Integral(body, (w, -oo, oo), (z, -oo, oo)), Fubini((z, w)))],
                          (AbsolutelyConvergent(f, g, h),)))


def test_a_change_of_variables_by_a_map_needs_that_map_invertible() -> None:
    e = Integral(f(z), (z, -oo, oo))
    after = Abs(Det(MA)) * Integral(f(LinearMap(MA, w)), (w, -oo, oo))
    # another map, or the map A of ℝᵐ with the same name, is stated invertible
    for hyp in (Invertible(MB), Invertible(linear_map("A", Rm))):
        assert_not_proven(chain(e, [(after, _cov(LinearMap(MA, w)))], (hyp,)))
    # A(w) + B(w), A(w) + w, 2·A(w), A(−w), A(A(w)): not A(w) + b
    both = (Invertible(MA), Invertible(MB))
    for phi in (LinearMap(MA, w) + LinearMap(MB, w), LinearMap(MA, w) + w,
                2 * LinearMap(MA, w), LinearMap(MA, -w)):
        claimed = Abs(Det(MA)) * Integral(f(phi), (w, -oo, oo))
        assert_not_proven(chain(e, [(claimed, _cov(phi))], both))
    aa = LinearMap(MA, LinearMap(MA, w))
    assert_not_proven(chain(e, [(Abs(Det(MA)) ** 2 * Integral(f(aa), (w, -oo, oo)),
                                 _cov(aa))], both))
    # a map of a point already mapped: f(B z) with z = A w would be f(B(A w))
    eb = Integral(f(LinearMap(MB, z)), (z, -oo, oo))
    bad = Abs(Det(MA)) * Integral(f(LinearMap(MB, LinearMap(MA, w))), (w, -oo, oo))
    assert_not_proven(chain(eb, [(bad, _cov(LinearMap(MA, w)))], both))


def test_a_mapped_shift_by_an_inner_or_captured_variable() -> None:
    y = vector("y", R)
    phi = LinearMap(MA, w) + LinearMap(MA, y)
    # y is the inner variable of the same binder: not a translation
    e = Integral(f(z, y), (z, -oo, oo), (y, -oo, oo))
    e_inner = Integral(f(z, y), (y, -oo, oo), (z, -oo, oo))
    assert_not_proven(chain(e_inner, [(Abs(Det(MA)) * Integral(
        f(phi, y), (y, -oo, oo), (w, -oo, oo)), _cov(phi))], (Invertible(MA),)))
    # y bound inside the integrand: captured
    e = Integral(Integral(f(z, y), (y, -oo, oo)), (z, -oo, oo))
    cap = Abs(Det(MA)) * Integral(Integral(f(phi, y), (y, -oo, oo)), (w, -oo, oo))
    assert_not_proven(chain(e, [(cap, _cov(phi))], (Invertible(MA),)))


def test_the_jacobian_of_a_map_is_its_absolute_determinant_once() -> None:
    sr = Symbol("s", real=True)
    e = Integral(f(z) * g(sr), (z, -oo, oo), (sr, 0, 1))
    fa = f(LinearMap(MA, w)) * g(sr)
    for claimed in (Det(MA) * Integral(fa, (w, -oo, oo), (sr, 0, 1)),          # no |·|
                    Integral(fa, (w, -oo, oo), (sr, 0, 1)) / Abs(Det(MA)),     # 1/|det A|
                    Det(MA) ** 2 * Integral(fa, (w, -oo, oo), (sr, 0, 1))):
        assert_not_proven(chain(e, [(claimed, _cov(LinearMap(MA, w)))], (Invertible(MA),)))
    # a nested integral over z shadowing the outer one: one Jacobian per substituted binder
    e = Integral(f(z) * Integral(g(z), (z, -oo, oo)), (z, -oo, oo))
    fw = f(LinearMap(MA, w))
    twice = Abs(Det(MA)) * Integral(fw * Integral(g(LinearMap(MA, w)), (w, -oo, oo)),
                                    (w, -oo, oo))
    assert_not_proven(chain(e, [(twice, _cov(LinearMap(MA, w)))], (Invertible(MA),)))


def test_determinants_are_not_simplified_away() -> None:
    for lhs, rhs in ((Abs(Det(MA)), Det(MA)), (Det(MA), 1), (Det(MA), Det(MB)),
                     (Abs(Det(MA)) * f(x), f(x)), (Det(MA) ** 2, Det(MA))):
        assert_not_proven(chain(lhs, [(rhs, Algebra())], (Invertible(MA), Invertible(MB))))


def test_sifting_through_a_map_needs_its_jacobian() -> None:
    # ∫ f(z) δ(A z − x) dz = f(A⁻¹x)/|det A|, never f(x) nor f(A x)
    e = Integral(f(z) * VectorDelta(LinearMap(MA, z) - x, R), (z, -oo, oo))
    for claimed in (f(x), f(LinearMap(MA, x)), f(x) / Abs(Det(MA))):
        assert_not_proven(chain(e, [(claimed, SiftVector())], (Continuous(f), Invertible(MA))))
    e2 = Integral(f(z) * VectorDelta(z - LinearMap(MA, z) - x, R), (z, -oo, oo))
    assert_not_proven(chain(e2, [(f(x + LinearMap(MA, x)), SiftVector())], (Continuous(f),)))


def test_functional_derivatives_through_a_map() -> None:
    xf = Function("xf")
    e = Partial(Integral(g(z) * xf(LinearMap(MA, z)), (z, -oo, oo)), xf(x))
    for claimed in (g(x), Integral(g(z) * VectorDelta(z - x, R), (z, -oo, oo))):
        assert_not_proven(chain(e, [(claimed, DifferentiateLinear())], (Invertible(MA),)))


def test_the_linear_map_lemma_keeps_its_map_invertible() -> None:
    (d,) = derivations("conv_linear_map:Rd")
    hyp = AbsolutelyConvergent(f, g)
    lhs = conv(f, g, LinearMap(MB, x))
    inst = d.statement.rhs.xreplace({MA: MB})
    # A := B with A (not B) stated invertible
    assert_not_proven(chain(lhs, [(inst, Lemma("conv_linear_map:Rd", {"A": MB}))],
                            (Invertible(MA), hyp)))
    # A := a map of ℝᵐ, a point, a number, det B
    for value in (linear_map("A", Rm), x, Symbol("c", positive=True), Det(MB)):
        assert_not_proven(chain(lhs, [(inst, Lemma("conv_linear_map:Rd", {"A": value}))],
                                (Invertible(MA), Invertible(MB), hyp)))
    # f := f∘B puts B(A z) in the instance: ill-sorted
    fB = Lambda((t,), f(LinearMap(MB, t)))
    assert_not_proven(chain(conv(fB, g, LinearMap(MA, x)),
                            [(d.statement.rhs.xreplace({f: fB}),
                              Lemma("conv_linear_map:Rd", {"f": fB}))],
                            (Invertible(MA), Invertible(MB), hyp)))
    # the point x := A(u) makes the left side (f ∗ g)(A(A u)): ill-sorted
    u = vector("u", R)
    assert_not_proven(chain(conv(f, g, LinearMap(MA, u)),
                            [(d.statement.rhs.xreplace({x: LinearMap(MA, u)}),
                              Lemma("conv_linear_map:Rd", {"x": LinearMap(MA, u)}))],
                            (Invertible(MA), hyp)))


def test_maps_are_never_bound_nor_used_on_the_lattice() -> None:
    for bad in (Integral(Det(MA), (MA, -oo, oo)), Lambda((MA,), Det(MA)),
                f(LinearMap(MA, n)), Sum(f(n + LinearMap(MA, x)), (n, -oo, oo)),
                Det(x), LinearMap(MA, 1), Dot(LinearMap(MA, x), LinearMap(MA, x))):
        with pytest.raises(VectorSortError):
            check_vectors(bad)
    e = Sum(f(k), (k, -oo, oo))
    with pytest.raises((ProofError, InvalidArgument)):
        chain(e, [(Abs(Det(MA)) * Sum(f(LinearMap(MA, j)), (j, -oo, oo)),
                   ChangeOfVariables(k, LinearMap(MA, j), j))],
              (Invertible(MA),), domain="ℤᵈ").verify()


def test_instantiating_the_dimension_keeps_a_map_apart_from_a_point() -> None:
    # (succeeded before the fix; not a verify() bug: instantiate_dimension ties the fixed-d
    # theorems to the general ones) the entries of the matrix of A were Symbol("A11", real)…,
    # the coordinates of a point named "A1" are Symbol("A11", real), Symbol("A12", real), and
    # for d = 1 the matrix of A and a point named "A" were both Symbol("A", real): distinct
    # objects of the general statement became one symbol of the instance. The entries are
    # now A[1,1] … A[n,n].
    a1 = vector("A1", R)
    two = instantiate_dimension(Eq(f(LinearMap(MA, x)), f(a1), evaluate=False), 2)
    x1, x2 = Symbol("x1", real=True), Symbol("x2", real=True)
    entries = two.lhs.free_symbols - {x1, x2}
    assert len(entries) == 4 and not two.rhs.free_symbols & entries, two
    one = instantiate_dimension(Eq(Det(MA) * f(vector("A", R)), 0, evaluate=False), 1)
    assert len(one.lhs.free_symbols) == 2, one
