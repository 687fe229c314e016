"""ℝᵈ and ℤᵈ with a symbolic d: the registered theorems, their fixed-d instances, and the
kernel's defences around vector variables (points)."""

from __future__ import annotations

import pickle

import pytest
from sympy import (
    Abs,
    Derivative,
    Eq,
    Function,
    Integral,
    Lambda,
    S,
    Subs,
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
    Invertible,
    alpha_equal,
    canonical,
    subst,
)
from convmath.symbolic.operators import Difference, Partial, apply_function
from convmath.symbolic.rules import (
    Algebra,
    ChangeOfVariables,
    DifferentiateLinear,
    Fubini,
    LeibnizAxis,
    Lemma,
    Linearity,
    Sift,
    SiftVector,
    Substitute,
    unfold_all,
)
from convmath.symbolic.vectors import (
    AxisPartial,
    Det,
    Dot,
    LinearMap,
    VectorDelta,
    VectorSortError,
    check_vectors,
    dot,
    instantiate_dimension,
    linear_map,
    space,
    vector,
)

R, Z = space("R"), space("Z")
m = Symbol("m", integer=True, positive=True)
Rm = space("R", m)
x, z, w, u = (vector(n, R) for n in "xzwu")
n, k, j = (vector(n_, Z) for n_ in "nkj")
f, g, h = Function("f"), Function("g"), Function("h")
i = Symbol("i", integer=True, positive=True)

GENERAL = [d for d in derivations() if d.domain in ("ℝᵈ", "ℤᵈ")]
FIXED = {d.key: d for d in derivations() if d.domain not in ("ℝᵈ", "ℤᵈ")}

#: the general theorems with no fixed instance of the same statement, and why
NO_TWIN = {
    "xcorr_comm_counterexample": "the fixed ones use impulses at 0 and 1 and evaluate at a "
                                 "point; the general one keeps the point x and e ≠ 0",
    "conv_input_grad_unit_stride": "the fixed layers declare p ≥ 0",
    "conv_weight_grad_unit_stride": "the fixed layers have a general stride and dilation",
    "conv_input_grad": "the fixed layers have a stride and dilation per axis and p ≥ 0",
    "conv_weight_grad": "the fixed layers have a stride and dilation per axis and p ≥ 0",
    "conv_bias_grad": "the fixed layers have a stride and dilation per axis and p ≥ 0",
    "conv_linear_map": "general d only (a d × d matrix); its instances are cross-checked",
}


def _proves(lhs: object, steps: list[tuple[object, object]], hyps: tuple = ()) -> bool:
    d = Derivation(name="t", domain="ℝᵈ", title="t",
                   statement=Eq(lhs, steps[-1][0], evaluate=False),
                   steps=tuple(Step(e, r) for e, r in steps), hypotheses=hyps)
    try:
        outcome = d.verify()
    except ProofError:
        return False
    return not outcome.unstated


# -- the registered theorems ----------------------------------------------------------------


def test_general_theorems_are_registered_for_both_spaces() -> None:
    names = {d.name for d in GENERAL}
    for name in ("conv_comm", "conv_assoc", "conv_add", "add_conv", "smul_conv", "conv_smul",
                 "shift_conv", "conv_shift", "shift_conv_shift", "deriv_conv",
                 "deriv_conv_left", "xcorr_eq_conv_reflect", "xcorr_swap",
                 "xcorr_comm_counterexample", "conv_delta", "delta_conv", "fourier_conv",
                 "multichannel_xcorr"):
        assert name in names
        assert {d.key for d in derivations(name)} >= {f"{name}:Rd", f"{name}:Zd"}
    assert {"conv_input_grad:Zd", "conv_weight_grad:Zd", "conv_bias_grad:Zd",
            "conv_input_grad_unit_stride:Zd", "conv_weight_grad_unit_stride:Zd"} <= {
        d.key for d in GENERAL}


@pytest.mark.parametrize("key", [d.key for d in GENERAL])
def test_general_theorem_verifies_with_every_condition_stated(key: str) -> None:
    (d,) = derivations(key)
    outcome = d.verify()
    assert not outcome.unstated, outcome.unstated
    assert d.key.endswith((":Rd", ":Zd"))


def test_statements_read_like_the_notes() -> None:
    from convmath.symbolic import definition, text
    (d,) = derivations("conv_comm:Rd")
    assert text(d.statement) == "(f ∗ g)(x) = (g ∗ f)(x)"
    assert definition(d.statement.lhs) == "∫_{ℝᵈ} f(z)·g(x − z) dz"
    (dz_,) = derivations("conv_comm:Zd")
    assert definition(dz_.statement.lhs) == "Σ_{k ∈ ℤᵈ} f(k)·g(n − k)"
    (dz,) = derivations("deriv_conv:Rd")
    assert text(dz.statement) == "∂/∂xᵢ (f ∗ g)(x) = (f ∗ ∂ᵢg)(x)"
    (dd,) = derivations("deriv_conv:Zd")
    assert "Δᵢg" in text(dd.statement)


# -- fixed dimensions are instances -----------------------------------------------------------


def _twin_keys(d: Derivation, dim: int) -> list[tuple[str, int | None]]:
    base = d.domain[0].replace("ℝ", "R").replace("ℤ", "Z") + ("" if dim == 1 else str(dim))
    if d.name.startswith("deriv_conv"):
        if dim == 1:
            return [(f"{d.name}:{base}", 1)]
        return [(f"{d.name}:{base}:axis{a}", a) for a in range(1, dim + 1)]
    return [(f"{d.name}:{base}", None)]


@pytest.mark.parametrize("key", [d.key for d in GENERAL if d.name not in NO_TWIN])
def test_fixed_instances_follow_by_putting_in_d(key: str) -> None:
    """conv_comm:R, :R2, :R3 are conv_comm:Rd with d = 1, 2, 3 (axis by axis for ∂ᵢ; Δᵢ
    unfolded, as the fixed ones write it with the difference operator)."""
    (d,) = derivations(key)
    checked = 0
    for dim in (1, 2, 3):
        for twin, axis in _twin_keys(d, dim):
            got = instantiate_dimension(d.statement, dim, axis)
            want = FIXED[twin].statement
            assert alpha_equal(got, want) or alpha_equal(
                unfold_all(got, (Difference,)), unfold_all(want, (Difference,))), twin
            checked += 1
    assert checked >= 3


def test_instances_with_no_twin_are_listed_with_a_reason() -> None:
    names = {d.name for d in GENERAL}
    assert set(NO_TWIN) <= names
    for d in GENERAL:
        if d.name not in NO_TWIN:
            continue
        differs = []
        for dim in (1, 2, 3):
            twin, axis = _twin_keys(d, dim)[0]
            if twin in FIXED:
                unit = tuple(1 if k == dim else 0 for k in range(1, dim + 1))
                got = instantiate_dimension(d.statement, dim, axis, {"e": unit})
                differs.append(not alpha_equal(got, FIXED[twin].statement))
        assert not differs or any(differs), f"{d.key} has a twin in every dimension"


def test_instantiate_dimension_rejects_bad_arguments() -> None:
    (d,) = derivations("conv_comm:Rd")
    for bad in (0, 17, 1.5, True):
        with pytest.raises(InvalidArgument, match="n="):
            instantiate_dimension(d.statement, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="axis="):
        instantiate_dimension(d.statement, 2, 3)
    (dd,) = derivations("deriv_conv:Rd")
    with pytest.raises(InvalidArgument, match="axis"):
        instantiate_dimension(dd.statement, 2)


# -- sorts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    f(x * z),                                   # a product of points
    exp(x),                                     # a point as a number
    f(x + 1),                                   # a point plus a number
    f(x) + f(Symbol("t")),                      # f takes a point and a number
    f(x) * f(n),                                # f on ℝᵈ and on ℤᵈ
    f(x + n),                                   # points of two spaces added
    Integral(f(z), (z, 0, oo)),                 # a point over half a line
    Sum(f(z), (z, -oo, oo)),                    # Σ over ℝᵈ
    Integral(f(n), (n, -oo, oo)),               # ∫ over ℤᵈ
    Derivative(f(x), x),                        # d/dx of a point
    f(n / 2),                                   # not a point of ℤᵈ
    f(Symbol("c") * x),                         # a coefficient not known to be real
    Subs(f(x), x, Symbol("t")),                 # a point evaluated at a number
    f(vector("y", Rm) + x),                     # ℝᵈ + ℝᵐ
    conv(Lambda((vector("t", R),), f(vector("t", R))), g, Symbol("s")),  # ℝᵈ-function on ℝ
    conv(f, g, n),                              # ∫ at a point of ℤᵈ
])
def test_ill_sorted_expressions_are_refused(bad: object) -> None:
    with pytest.raises(VectorSortError):
        check_vectors(bad)  # type: ignore[arg-type]


def test_well_sorted_expressions_pass() -> None:
    c = Symbol("c", real=True)
    s = Symbol("s", integer=True)
    for good in (f(x - z) * g(z), f(c * x + 2 * z), Integral(f(z) * g(x - z), (z, -oo, oo)),
                 exp(-2 * Dot(x, z)), VectorDelta(x - z), f(s * n + k),
                 AxisPartial(f(x), x, i), Function("w")(Symbol("c"), z)):
        check_vectors(good)


def test_a_point_is_not_a_number_of_the_same_name() -> None:
    assert vector("x", R) != Symbol("x")
    assert vector("x", R) != vector("x", Z) != vector("x", Rm)
    assert pickle.loads(pickle.dumps(x)) == x
    one = Integral(f(z), (z, -oo, oo))
    zs = Symbol("z")
    assert not alpha_equal(one, Integral(f(zs), (zs, -oo, oo)))
    y = vector("y", Rm)
    assert not alpha_equal(one, Integral(f(y), (y, -oo, oo)))
    assert alpha_equal(one, Integral(f(w), (w, -oo, oo)))


def test_fresh_and_bound_points_keep_their_space() -> None:
    e = subst(Integral(f(z) * g(x - z), (z, -oo, oo)), {x: z})  # capture: z renamed
    (lim,) = e.limits
    assert lim[0] != z and getattr(lim[0], "space", None) == R
    (bound,) = canonical(e).limits
    assert getattr(bound[0], "space", None) == R


def test_dot_is_bilinear_and_symmetric() -> None:
    assert Dot(x + z, w) == Dot(x, w) + Dot(z, w)
    assert Dot(x, z) == Dot(z, x)
    assert Dot(2 * x, -z) == -2 * Dot(x, z)
    assert Dot(x, 0) == 0
    with pytest.raises(InvalidArgument):
        dot(x, vector("y", Rm))
    with pytest.raises(InvalidArgument):
        dot(x, Symbol("s"))
    with pytest.raises(VectorSortError):  # built raw, refused in a derivation
        check_vectors(Dot(x, vector("y", Rm)))
    assert dot(x, z) == Dot(x, z)


# -- rules: what they refuse ------------------------------------------------------------------


def test_rules_for_numbers_refuse_points() -> None:
    e = Integral(f(z) * g(x - z), (z, -oo, oo))
    # the scalar rule would give the Jacobian −1 and reversed limits
    assert not _proves(e, [(Integral(-f(x - w) * g(w), (w, oo, -oo)),
                            Substitute((z, x - w, w)))])
    assert not _proves(Integral(f(z) * VectorDelta(x - z), (z, -oo, oo)),
                       [(f(x), Sift())], (Continuous(f),))


def test_scaling_a_point_multiplies_by_the_dth_power() -> None:
    e = Integral(f(z), (z, -oo, oo))
    c = Symbol("c", positive=True)
    d = R.args[1]
    good = Integral(Abs(c) ** d * f(c * w), (w, -oo, oo))
    assert _proves(e, [(good, ChangeOfVariables(z, c * w, w))])
    one_d = Integral(c * f(c * w), (w, -oo, oo))  # the 1-D Jacobian
    assert not _proves(e, [(one_d, ChangeOfVariables(z, c * w, w))])
    with pytest.raises(ProofError):  # c not known non-zero
        c0 = Symbol("c0", real=True)
        Derivation(name="t", domain="ℝᵈ", title="t",
                   statement=Eq(e, Integral(Abs(c0) ** d * f(c0 * w), (w, -oo, oo))),
                   steps=(Step(Integral(Abs(c0) ** d * f(c0 * w), (w, -oo, oo)),
                               ChangeOfVariables(z, c0 * w, w)),)).verify()


def test_a_sum_over_integer_points_only_shifts_and_reflects() -> None:
    e = Sum(f(k), (k, -oo, oo))
    assert _proves(e, [(Sum(f(n - j), (j, -oo, oo)), ChangeOfVariables(k, n - j, j))])
    assert not _proves(e, [(Sum(f(2 * j), (j, -oo, oo)), ChangeOfVariables(k, 2 * j, j))])


def test_change_of_variables_refuses_capture_and_reuse() -> None:
    e = Integral(f(z) * g(w), (z, -oo, oo))
    assert not _proves(e, [(Integral(f(x - w) * g(w), (w, -oo, oo)),
                            ChangeOfVariables(z, x - w, w))])  # w is free in the body
    with pytest.raises(InvalidArgument):
        ChangeOfVariables(z, x - n, n)  # another space
    with pytest.raises(InvalidArgument):
        ChangeOfVariables(Symbol("z"), x, w)


def test_sifting_on_points() -> None:
    e = Integral(f(z) * VectorDelta(x - z), (z, -oo, oo))
    assert _proves(e, [(f(x), SiftVector())], (Continuous(f),))
    assert not _proves(e, [(f(x), SiftVector())])  # continuity is needed and not stated
    scaled = Integral(f(z) * VectorDelta(x - 2 * z), (z, -oo, oo))  # δ(2z) = δ(z)/2ᵈ
    assert not _proves(scaled, [(f(x / 2), SiftVector())], (Continuous(f),))
    kr = Sum(f(k) * VectorDelta(n - k, Z), (k, -oo, oo))
    assert _proves(kr, [(f(n), SiftVector())])
    square = Integral(VectorDelta(z) * VectorDelta(z), (z, -oo, oo))  # δ² is undefined
    assert not _proves(square, [(VectorDelta(0 * z, R), SiftVector())])
    assert VectorDelta(n - n, Z) == 1


def test_leibniz_along_an_axis_needs_its_hypothesis() -> None:
    dg = Lambda((vector("t", R),), AxisPartial(g(vector("t", R)), vector("t", R), i))
    e = AxisPartial(Integral(f(z) * g(x - z), (z, -oo, oo)), x, i)
    after = Integral(f(z) * apply_function(dg, [x - z]), (z, -oo, oo))
    assert _proves(e, [(after, LeibnizAxis())], (DifferentiableUnderIntegral(f, g),))
    assert not _proves(e, [(after, LeibnizAxis())])
    wrong = Integral(f(z) * apply_function(dg, [z - x]), (z, -oo, oo))  # chain-rule sign
    assert not _proves(e, [(wrong, LeibnizAxis())], (DifferentiableUnderIntegral(f, g),))
    flipped = AxisPartial(Integral(f(z) * g(z - x), (z, -oo, oo)), x, i)
    assert _proves(flipped, [(Integral(-f(z) * apply_function(dg, [z - x]), (z, -oo, oo)),
                              LeibnizAxis())], (DifferentiableUnderIntegral(f, g),))


def test_algebra_does_not_prove_one_dimensional_facts() -> None:
    y = vector("y", R)
    cs = Dot(x, x) * Dot(y, y)  # = (x·y)² only when d = 1
    assert not _proves(cs, [(Dot(x, y) ** 2, Algebra())])
    assert _proves(f(2 * (x - z)), [(f(2 * x - 2 * z), Algebra())])


def test_lemmas_keep_sorts() -> None:
    t = vector("t", R)
    e = conv(f, Lambda((t,), g(t - x)), z)
    # a theorem proven on ℝ says nothing about functions on ℝᵈ
    assert not _proves(e, [(conv(Lambda((t,), g(t - x)), f, z),
                            Lemma("conv_comm:R", {"g": Lambda((t,), g(t - x))}))],
                       (AbsolutelyConvergent(f, g),))
    # the ℝᵈ theorem does, with a point for its point
    assert _proves(conv(f, g, z), [(conv(g, f, z), Lemma("conv_comm:Rd", {"x": z}))],
                   (AbsolutelyConvergent(f, g, domain="ℝ"),))
    assert not _proves(conv(f, g, z), [(conv(g, f, z),
                                        Lemma("conv_comm:Rd", {"x": Symbol("q")}))],
                       (AbsolutelyConvergent(f, g, domain="ℝ"),))


def test_values_at_real_points_are_not_separate_variables() -> None:
    xf = Function("xf")
    e = Partial(Integral(g(z) * xf(z), (z, -oo, oo)), xf(x))
    assert not _proves(e, [(Integral(g(z) * VectorDelta(z - x), (z, -oo, oo)),
                            DifferentiateLinear())])
    en = Partial(Sum(g(k) * xf(k), (k, -oo, oo)), xf(n))
    assert _proves(en, [(Sum(g(k) * VectorDelta(k - n, Z), (k, -oo, oo)),
                         DifferentiateLinear())], (AbsolutelyConvergent(g, xf),))


def test_a_wrong_step_in_a_general_theorem_fails() -> None:
    (d,) = derivations("conv_comm:Rd")
    bad = d.with_step(1, Integral(f(x + w) * g(w), (w, -oo, oo)))
    with pytest.raises(ProofError):
        bad.verify()
    (da,) = derivations("conv_assoc:Rd")
    # Fubini over ℝᵈ × ℝᵈ swaps the two points, not one coordinate
    swapped = da.with_step(2, da.steps[1].expr)
    with pytest.raises(ProofError):
        swapped.verify()
    # linearity does not pull a factor that depends on the point out of the integral
    e = Integral(f(z) * g(z), (z, -oo, oo))
    assert not _proves(e, [(f(z) * Integral(g(z), (z, -oo, oo)), Linearity())],
                       (AbsolutelyConvergent(f, g),))


def test_fubini_between_spaces_of_different_dimensions() -> None:
    y = vector("y", Rm)
    body = f(z) * g(y)
    assert _proves(Integral(body, (y, -oo, oo), (z, -oo, oo)),
                   [(Integral(body, (z, -oo, oo), (y, -oo, oo)), Fubini((y, z)))],
                   (AbsolutelyConvergent(f, g),))
    assert not _proves(Integral(body, (y, -oo, oo), (z, -oo, oo)),
                       [(Integral(body, (z, -oo, oo), (y, -oo, oo)), Fubini((y, z)))])


# -- linear maps --------------------------------------------------------------------------------

A = linear_map("A", R)


def test_a_linear_change_of_variables_needs_invertibility_and_its_determinant() -> None:
    e = Integral(f(z), (z, -oo, oo))
    after = Abs(Det(A)) * Integral(f(LinearMap(A, w)), (w, -oo, oo))
    assert _proves(e, [(after, ChangeOfVariables(z, LinearMap(A, w), w))], (Invertible(A),))
    assert not _proves(e, [(after, ChangeOfVariables(z, LinearMap(A, w), w))])  # A singular?
    no_det = Integral(f(LinearMap(A, w)), (w, -oo, oo))
    assert not _proves(e, [(no_det, ChangeOfVariables(z, LinearMap(A, w), w))],
                       (Invertible(A),))
    B = linear_map("B", R)
    assert not _proves(e, [(after, ChangeOfVariables(z, LinearMap(A, w), w))], (Invertible(B),))
    (d,) = derivations("conv_linear_map:Rd")
    bare = Derivation(name=d.name, domain=d.domain, title=d.title, statement=d.statement,
                      steps=d.steps, hypotheses=())
    assert bare.verify().unstated  # ⚠: A invertible is needed


def test_linear_maps_are_kept_in_their_place() -> None:
    assert LinearMap(A, x - 2 * z) == LinearMap(A, x) - 2 * LinearMap(A, z)
    check_vectors(f(LinearMap(A, x) - z))
    for bad in (f(x) * A, LinearMap(A, x) + 1, Dot(LinearMap(A, x), z), Det(Symbol("q")),
                f(LinearMap(A, n)), f(LinearMap(Symbol("M"), x))):
        with pytest.raises(VectorSortError):
            check_vectors(bad)
    with pytest.raises(InvalidArgument):
        linear_map("A", Z)  # a linear map of ℤᵈ onto itself would have to be unimodular
    with pytest.raises(InvalidArgument):
        Invertible(Symbol("A"))
    # ∂/∂xᵢ f(A x) is a sum over the map's entries: refused, not guessed
    dg = AxisPartial(Integral(f(z) * g(LinearMap(A, x) - z), (z, -oo, oo)), x, i)
    assert not _proves(dg, [(Integral(f(z) * g(LinearMap(A, x) - z), (z, -oo, oo)),
                             LeibnizAxis())], (DifferentiableUnderIntegral(f, g),))


def test_a_lemma_map_is_replaced_only_by_a_map() -> None:
    B = linear_map("B", R)
    (d,) = derivations("conv_linear_map:Rd")
    lhs = conv(f, g, LinearMap(B, u))
    good = d.statement.rhs.xreplace({A: B, x: u})
    assert _proves(lhs, [(good, Lemma("conv_linear_map:Rd", {"A": B, "x": u}))],
                   (Invertible(B), AbsolutelyConvergent(f, g)))
    c = Symbol("c", positive=True)
    assert not _proves(conv(f, g, c * u), [(c * conv(f, g, u),
                                            Lemma("conv_linear_map:Rd", {"A": c, "x": u}))],
                       (AbsolutelyConvergent(f, g),))


def test_linear_maps_instantiate_as_matrices() -> None:
    (d,) = derivations("conv_linear_map:Rd")
    one = instantiate_dimension(d.statement, 1)
    a = Symbol("A[1,1]", real=True)
    assert one.rhs.has(Abs(a))
    two = instantiate_dimension(d.statement, 2)
    a11, a12, a21, a22 = (Symbol(f"A[{k}]", real=True) for k in ("1,1", "1,2", "2,1", "2,2"))
    assert two.rhs.has(Abs(a11 * a22 - a12 * a21))


@pytest.mark.parametrize("matrix", [((0.7,),), ((1.2, 0.4), (-0.3, 0.8)),
                                    ((0.0, 1.5), (-0.9, 0.2))])
def test_the_linear_map_identity_holds_on_a_grid(matrix: tuple[tuple[float, ...], ...]) -> None:
    """(f ∗ g)(A x) = |det A|·((f∘A) ∗ (g∘A))(x) for Gaussians, both sides as grid sums."""
    import numpy as np

    a = np.array(matrix)
    dim = len(a)
    rng = np.random.default_rng(dim)
    point, centre = rng.normal(size=dim) * 0.5, rng.normal(size=dim) * 0.5

    def f_(p: np.ndarray) -> np.ndarray:
        return np.exp(-np.sum(p * p, axis=-1))

    def g_(p: np.ndarray) -> np.ndarray:
        return np.exp(-np.sum((p - centre) ** 2, axis=-1) / 2)

    h = 0.04 if dim == 2 else 0.005
    axis = np.arange(-8, 8, h)
    grid = np.stack(np.meshgrid(*[axis] * dim, indexing="ij"), axis=-1)
    lhs = np.sum(f_(grid) * g_(a @ point - grid)) * h ** dim
    mapped = grid @ a.T  # A z for every z
    rhs = abs(np.linalg.det(a)) * np.sum(f_(mapped) * g_(a @ point - mapped)) * h ** dim
    assert lhs > 1e-3
    assert abs(lhs - rhs) <= 1e-6 * abs(lhs)
    wrong = np.sum(f_(mapped) * g_(a @ point - mapped)) * h ** dim  # without |det A|
    assert abs(wrong - lhs) > 1e-2 * abs(lhs)


def test_a_divergent_split_over_a_lattice_is_not_a_proof() -> None:
    """Σ_{k ∈ ℤᵈ} (f(k) − f(k + e)) = Σ f(k) − Σ f(k + e) = 0 needs both sums to converge:
    with d = 1, e = 1 and f = [k ≥ 0] the left side is 1, not 0. Without the
    hypothesis the split stays ⚠; the shift alone (a bijection of ℤᵈ) is exact."""
    e = vector("e", Z)
    lhs = Sum(f(k) - f(k + e), (k, -oo, oo))
    m = vector("m", Z)
    split = Sum(f(k), (k, -oo, oo)) - Sum(f(m + e), (m, -oo, oo))
    shifted = Sum(f(k), (k, -oo, oo)) - Sum(f(j), (j, -oo, oo))
    steps = [(split, Linearity()), (shifted, ChangeOfVariables(m, j - e, j)),
             (S.Zero, Algebra())]
    assert not _proves(lhs, steps)
    assert _proves(lhs, steps, (AbsolutelyConvergent(f),))
