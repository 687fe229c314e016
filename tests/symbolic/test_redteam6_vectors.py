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
    # UNCLEAN EXCEPTION (ATTACK SUCCEEDS): Dot(s, u).is_integer raises AttributeError
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
