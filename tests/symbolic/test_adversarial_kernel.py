"""Adversarial derivations: false or unjustified claims the derivation kernel must not prove.

Each attack builds a :class:`Derivation` out of SymPy objects and expects it to be "not
proven": ``verify()`` raises :class:`ProofError`, or (for a step that is only conditionally
valid) it returns a ``Verified`` whose ``unstated`` side conditions are printed by
``render()`` on ``  needs: `` lines, with no ``✓``. A step that is outright false must raise.

The attacks are grouped by class:

1. variable capture (substitution, renaming, sifting, Fubini, lemma instantiation);
2. clashes with the canonical names of bound variables, and assumptions that leak;
3. rules used outside their conditions with nothing recorded;
4. evaluation that proves nothing (nan, zoo, oo − oo, accumulation bounds);
5. what is printed is not what was checked (mutable rules, ``Named``, home-made rules);
6. chains that end at a false statement (1 = 0, 4c = 6, w = v).

Positive controls at the end must verify, so that the suite cannot pass by rejecting
everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest
from sympy import (
    Abs,
    Basic,
    Derivative,
    DiracDelta,
    Dummy,
    Eq,
    Expr,
    Function,
    Heaviside,
    I,
    Integral,
    KroneckerDelta,
    Lambda,
    Limit,
    Piecewise,
    Product,
    Rational,
    S,
    Subs,
    Sum,
    Symbol,
    atan,
    cos,
    exp,
    oo,
    pi,
    sin,
    symbols,
)
from sympy.core.function import AppliedUndef

from convmath import ProofError
from convmath.errors import InvalidArgument
from convmath.symbolic import Derivation, Step, conv, derivations, difference
from convmath.symbolic.operators import Named
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    Definition,
    DifferenceUnderSum,
    ExchangeSumIntegral,
    Fubini,
    Leibniz,
    Lemma,
    Linearity,
    Rename,
    RestrictToSupport,
    ReverseLimits,
    Rule,
    Sift,
    Substitute,
    VanishOutsideSupport,
)

f, g = Function("f"), Function("g")
# variables on ℝ are declared real (a point of ℝ, not a complex number), indices on ℤ integer
x, y, z, w, u, v, t, s, a = symbols("x y z w u v t s a", real=True)
c = Symbol("c", real=True)
k, m, n, j, q = symbols("k m n j q", integer=True)

L1 = "f, g ∈ L¹(ℝ) (the integrals converge absolutely)"


def _d(lhs: Basic, rhs: Basic, steps: Sequence[tuple[Basic, Rule]],
       hyps: Sequence[str] = (), domain: str = "ℝ") -> Derivation:
    return Derivation(name="attack", domain=domain, title="an adversarial claim",
                      statement=Eq(lhs, rhs, evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps), hypotheses=tuple(hyps))


def _chain(lhs: Basic, steps: Sequence[tuple[Basic, Rule]], hyps: Sequence[str] = (),
           domain: str = "ℝ") -> Derivation:
    """lhs = e₁ = … = eₙ, stated as lhs = eₙ."""
    return _d(lhs, steps[-1][0], steps, hyps, domain)


def assert_not_proven(d: Derivation) -> None:
    """Passes if ``d.verify()`` raises ProofError, or returns with unstated side conditions
    that the text render prints on ``  needs: `` lines and without a ``  ✓`` line."""
    try:
        verified = d.verify()
    except ProofError:
        return
    unstated = tuple(getattr(verified, "unstated", ()))
    rendered = d.render("text")
    lines = rendered.splitlines()
    needs = any(line.startswith("  needs: ") for line in lines)
    check = any(line.startswith("  ✓") for line in lines)
    if unstated and needs and not check:
        return
    pytest.fail(f"the claim was proven (unstated={unstated!r}):\n{rendered}")


def _refuses_false(d: Derivation) -> None:
    with pytest.raises(ProofError):
        d.verify()


def _named_is_not_misleading(build: Callable[[], Derivation], misleading: str, name: str,
                             value: str) -> None:
    """Passes if building is refused (InvalidArgument), verification fails, the render has
    no ✓, the misleading equation is not printed, or the render says what the name stands
    for: ``name := value`` (or ≔, ≡) anywhere, or ``name = value`` on an ``assuming:``,
    ``needs:`` or ``where`` line."""
    try:
        d = build()
    except InvalidArgument:
        return
    try:
        d.verify()
    except ProofError:
        return
    rendered = d.render("text")
    lines = [line.strip() for line in rendered.splitlines()]
    if not any(line.startswith("✓") for line in lines) or misleading not in rendered:
        return
    nm, val = re.escape(name), re.escape(value)
    defined = re.compile(rf"(?<![\w.]){nm}\s*(:=|≔|≡)\s*{val}(?![\w.])")
    stated = re.compile(rf"(?<![\w.]){nm}\s*=\s*{val}(?![\w.])")
    for line in lines:
        if defined.search(line):
            return
        if line.startswith(("assuming:", "needs:", "where")) and stated.search(line):
            return
    pytest.fail(f"{misleading!r} is printed next to ✓ without saying what {name} is:\n"
                f"{rendered}")


# == 1. variable capture =====================================================================


def test_capture_substitute_expr_bound_by_inner_sum() -> None:
    """z = w + c with c free, but the body's sum binds c: the c in f(w + c) would be captured."""
    prev = Integral(Sum(f(z) * g(c), (c, 0, 3)), (z, 0, c))
    claimed = Integral(Sum(f(w + c) * g(c), (c, 0, 3)), (w, -c, 0))
    _refuses_false(_d(prev, claimed, [(claimed, Substitute((z, w + c, w)))]))


def test_capture_substitute_expr_bound_by_inner_product() -> None:
    """z = w − k with k free; Π_k binds k, so f(z + k) must not collapse to f(w)."""
    prev = Integral(Product(f(z + k), (k, 1, 2)), (z, 0, 1))
    claimed = Integral(Product(f(w), (k, 1, 2)), (w, k, k + 1))
    _refuses_false(_d(prev, claimed, [(claimed, Substitute((z, w - k, w)))]))


def test_capture_substitute_new_variable_bound_by_inner_product() -> None:
    """The new variable k is Π's own index: ∫₀¹Π(z+k) = 23/6 is not ∫₀¹Π(2k) = 8."""
    prev = Integral(Product(z + k, (k, 1, 2)), (z, 0, 1))
    captured = Integral(Product(2 * k, (k, 1, 2)), (k, 0, 1))
    _refuses_false(_chain(prev, [(captured, Substitute((z, k, k))), (S(8), Compute())]))


def test_capture_substitute_expr_bound_by_operator_lambda() -> None:
    """z = w + t with t free: the t of the operator's Lambda(t, …) must not capture it."""
    prev = Integral(conv(Lambda(t, f(t) * z), g, x), (z, 0, 1))
    claimed = Integral(conv(Lambda(t, f(t) * (w + t)), g, x), (w, -t, 1 - t))
    _refuses_false(_d(prev, claimed, [(claimed, Substitute((z, w + t, w)))]))


def test_capture_substitute_new_variable_bound_by_nested_integral() -> None:
    """z = 2w where w is the inner ∫dw's variable: f(z, w) must not become f(2w, w)."""
    prev = Integral(2 * Integral(f(z, w), (w, 0, 1)), (z, 0, 1))
    claimed = Integral(4 * Integral(f(2 * w, w), (w, 0, 1)), (w, 0, Rational(1, 2)))
    _refuses_false(_d(prev, claimed, [(claimed, Substitute((z, 2 * w, w)))]))


def test_capture_rename_into_nested_integral() -> None:
    """Renaming z to y captures the inner ∫dy: ∫₀¹ 2∫₀¹ zy dy dz = 1/2, not 2/3."""
    prev = Integral(2 * Integral(z * y, (y, 0, 1)), (z, 0, 1))
    captured = Integral(2 * Integral(y * y, (y, 0, 1)), (y, 0, 1))
    _refuses_false(_chain(prev, [(captured, Rename(z, y)), (Rational(2, 3), Compute())]))


def test_capture_rename_into_other_limit_of_same_integral() -> None:
    """∫∫ zy dz dy over [0,1]² is 1/4; renaming z to y (bound by the same Integral) gives 1/3."""
    prev = Integral(z * y, (z, 0, 1), (y, 0, 1))
    captured = Integral(y * y, (y, 0, 1), (y, 0, 1))
    _refuses_false(_chain(prev, [(captured, Rename(z, y)), (Rational(1, 3), Compute())]))


def test_capture_rename_into_product() -> None:
    """Renaming z to k captures Π_k: ∫₀¹ Π_{k=1}^{2}(z + k) dz = 23/6, not 8."""
    prev = Integral(Product(z + k, (k, 1, 2)), (z, 0, 1))
    captured = Integral(Product(k + k, (k, 1, 2)), (k, 0, 1))
    _refuses_false(_chain(prev, [(captured, Rename(z, k)), (S(8), Compute())]))


def test_capture_rename_into_operator_lambda() -> None:
    """Renaming z to t captures Lambda(t, f(t)·z): ∫₀¹ z dz·(f∗g) is not ((t·f)∗g)."""
    prev = Integral(conv(Lambda(t, f(t) * z), g, x), (z, 0, 1))
    captured = Integral(conv(Lambda(t, f(t) * t), g, x), (t, 0, 1))
    _refuses_false(_d(prev, captured, [(captured, Rename(z, t))]))


def test_capture_rename_outer_variable_to_inner_name() -> None:
    """∫₀¹∫₀^w w dz dw = 1/3; renaming the outer w to z captures the body's w under ∫dz (1/6)."""
    prev = Integral(w, (z, 0, w), (w, 0, 1))
    captured = Integral(z, (z, 0, z), (z, 0, 1))
    _refuses_false(_chain(prev, [(captured, Rename(w, z)), (Rational(1, 6), Compute())]))


def test_capture_rename_new_free_in_body() -> None:
    """∫ f(z)·g(y) dz renamed to ∫ f(y)·g(y) dy captures the free y of the body."""
    prev = Integral(f(z) * g(y), (z, 0, 1))
    claimed = Integral(f(y) * g(y), (y, 0, 1))
    _refuses_false(_d(prev, claimed, [(claimed, Rename(z, y))]))


def test_capture_sift_value_bound_by_inner_sum() -> None:
    """Σ_k (Σ_{j'} j'·k) δ[k, j] = 3j; substituting k = j under Σ_j gives Σ j² = 5 instead."""
    prev = Sum(Sum(j * k, (j, 0, 2)) * KroneckerDelta(k, j), (k, -oo, oo))
    captured = Sum(j * j, (j, 0, 2))
    _refuses_false(_chain(prev, [(captured, Sift()), (S(5), Compute())], domain="ℤ"))


def test_capture_sift_value_bound_by_inner_integral() -> None:
    """∫ (∫₀¹ zy' dy') δ(z − y) dz = y/2; capturing y in the inner ∫dy gives 1/3."""
    prev = Integral(Integral(z * y, (y, 0, 1)) * DiracDelta(z - y), (z, -oo, oo))
    captured = Integral(y * y, (y, 0, 1))
    _refuses_false(_chain(prev, [(captured, Sift()), (Rational(1, 3), Compute())]))


def test_capture_fubini_triangular_region() -> None:
    """∫₀¹∫₀^w F dz dw swapped naively becomes ∫∫ over a different region."""
    prev = Integral(f(z, w), (z, 0, w), (w, 0, 1))
    claimed = Integral(f(z, w), (w, 0, 1), (z, 0, w))
    _refuses_false(_d(prev, claimed, [(claimed, Fubini((z, w)))]))


def test_capture_fubini_moves_middle_limit_into_scope() -> None:
    """In ∫dz∫₀^z dy∫dw the limit z is free (= z); after swapping z and w it is bound (= 1/2)."""
    prev = Integral(1, (z, 0, 1), (y, 0, z), (w, 0, 1))
    swapped = Integral(1, (w, 0, 1), (y, 0, z), (z, 0, 1))
    _refuses_false(_chain(prev, [(swapped, Fubini((z, w))), (S.Half, Compute())]))


_ch = Symbol("c", integer=True)


def _statement(key: str) -> Eq:
    (d,) = derivations(key)
    return d.statement


def _free(stmt: Basic, name: str) -> Symbol:
    return next(sym for sym in stmt.free_symbols if sym.name == name)


def _function(stmt: Basic, name: str) -> Function:
    return next(e.func for e in stmt.atoms(AppliedUndef) if e.func.__name__ == name)


def _times(e: Basic, fn: Function, factor: Expr) -> Basic:
    """``e`` with every value fn(…) replaced by fn(…)·factor, naively (capturing ``factor``
    wherever a binder of ``e`` binds it) — what a capturing instantiation produces."""
    return e.replace(lambda n: isinstance(n, AppliedUndef) and n.func == fn,
                     lambda n: n * factor)


def test_capture_lemma_point_bound_in_lemma_statement() -> None:
    """multichannel_xcorr with x := z, z being its own ∫dz variable: the lhs then has no free
    z (∫Σ w(c, z)·v(c, z + z) dz) but the rhs Σ (w_c ⋆ v_c)(z) does."""
    stmt = _statement("multichannel_xcorr:R")
    zs = stmt.lhs.limits[0][0]
    captured = {_free(stmt, "x"): zs}
    lhs, rhs = stmt.lhs.xreplace(captured), stmt.rhs.xreplace(captured)
    _refuses_false(_d(lhs, rhs, [(rhs, Lemma("multichannel_xcorr:R", {"x": zs}))]))


def test_capture_lemma_lambda_mentions_variable_bound_in_statement() -> None:
    """v := (a, b) ↦ v(a, b)·z puts z under the lemma's ∫dz on the lhs only: the lhs has no
    free z, the rhs is z·Σ (w_c ⋆ v_c)(x)."""
    stmt = _statement("multichannel_xcorr:R")
    zs, vf = stmt.lhs.limits[0][0], _function(stmt, "v")
    point = {_free(stmt, "x"): x}
    lhs = _times(stmt.lhs, vf, zs).xreplace(point)
    rhs = _times(stmt.rhs, vf, zs).xreplace(point)
    r = Lemma("multichannel_xcorr:R", {"v": Lambda((a, s), vf(a, s) * zs), "x": x})
    _refuses_false(_d(lhs, rhs, [(rhs, r)]))


def test_cond_lemma_hypotheses_are_not_dropped() -> None:
    """conv_support_left assumes supports in [0, N − 1]; used with none stated it 'proves'
    (f ∗ g)(−r − 1) = 0 for every f, g."""
    stmt = _statement("conv_support_left:Z")
    d = _d(stmt.lhs, stmt.rhs, [(stmt.rhs, Lemma("conv_support_left:Z"))], domain="ℤ")
    assert_not_proven(d)


def test_cond_lemma_instantiated_outside_its_hypotheses() -> None:
    """With f := δ[·, −5] (support not in [0, N − 1]), (f ∗ δ)(−r − 1) = 1 at r = 4, not 0."""
    stmt = _statement("conv_support_left:Z")
    r = _free(stmt, "r")
    fd, gd = Lambda(k, KroneckerDelta(k, -5)), Lambda(k, KroneckerDelta(k, 0))
    lhs = conv(fd, gd, -r - 1, discrete=True)
    rule = Lemma("conv_support_left:Z", {"f": fd, "g": gd})
    assert_not_proven(_d(lhs, S.Zero, [(S.Zero, rule)], domain="ℤ"))


def test_capture_lemma_lambda_mentions_operator_variable() -> None:
    """shift_conv with f := s ↦ f(s)·t, t being the variable of its Lambda(t, f(t − a)): the
    capturing instance (t·f(t − a)) ∗ g = (t·f(t)) ∗ g at x − a is off by a·(τₐf ∗ g)(x)."""
    stmt = _statement("shift_conv:R")
    tv = stmt.lhs.args[0].variables[0]
    point = {_free(stmt, "x"): x, _free(stmt, "a"): a}
    lhs = _times(stmt.lhs, f, tv).xreplace(point)
    rhs = _times(stmt.rhs, f, tv).xreplace(point)
    r = Lemma("shift_conv:R", {"f": Lambda(s, f(s) * tv), "x": x, "a": a})
    _refuses_false(_d(lhs, rhs, [(rhs, r)], hyps=(L1,)))


# == 2. canonical-name clashes and leaking assumptions =======================================

_z0, _l0, _s0 = Symbol("_z0"), Symbol("_l0"), Symbol("_s0")
_k0 = Symbol("_k0", integer=True)


def test_clash_free_z0_in_integrand() -> None:
    """A free user symbol _z0 is not the integration variable: ∫f(z)g(_z0) ≠ ∫f(z)g(z)."""
    lhs = Integral(f(z) * g(_z0), (z, -oo, oo))
    rhs = Integral(f(z) * g(z), (z, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_constant_integrand_named_z0() -> None:
    """∫ f(_z0) dz (a constant integrand) is not ∫ f(z) dz."""
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(f(_z0), (z, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_free_k0_in_summand() -> None:
    """A free integer _k0 is not the summation index: Σ f(k)g(_k0) ≠ Σ f(k)g(k)."""
    lhs = Sum(f(k) * g(_k0), (k, -oo, oo))
    rhs = Sum(f(k) * g(k), (k, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())], domain="ℤ"))


def test_clash_free_l0_in_operator_lambda() -> None:
    """(t ↦ f(t)·_l0) ∗ g, with _l0 a constant, is not (t ↦ t·f(t)) ∗ g."""
    lhs = conv(Lambda(t, f(t) * _l0), g, x)
    rhs = conv(Lambda(t, t * f(t)), g, x)
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_free_s0_in_subs() -> None:
    """(F(y)·_s0)|_{y=x} keeps _s0; it is not (F(y)·y)|_{y=x} = F(x)·x."""
    lhs = Subs(Integral(f(z), (z, 0, y)) * _s0, y, x)
    rhs = Subs(Integral(f(z), (z, 0, y)) * y, y, x)
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_linearity_then_free_z0_becomes_bound() -> None:
    """g(_z0)·∫f = ∫f(z)g(_z0) dz is fine; turning the free _z0 into z is not."""
    lhs = g(_z0) * Integral(f(z), (z, 0, 1))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(f(z) * g(_z0), (z, 0, 1)), Linearity()),
        (Integral(f(z) * g(z), (z, 0, 1)), Algebra()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_clash_free_dummy_is_not_the_bound_variable() -> None:
    """A free Dummy printed like a canonical name is still free: ∫f(z)g(d) ≠ ∫f(z)g(z)."""
    d0 = Dummy("_z0")
    lhs = Integral(f(z) * g(d0), (z, 0, 1))
    rhs = Integral(f(z) * g(z), (z, 0, 1))
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_outer_limit_is_not_bound_by_inner_variable() -> None:
    """In ∫dz∫₀^z dw the limit z is free: ∫∫ = z, and the y-version is y, so not equal."""
    lhs = Integral(1, (z, 0, 1), (w, 0, z))
    rhs = Integral(1, (y, 0, 1), (w, 0, y))
    _refuses_false(_d(lhs, rhs, [(rhs, Algebra())]))


def test_clash_inner_limit_is_bound_by_outer_variable() -> None:
    """∫₀¹∫₀^y dw dy = 1/2 (y bound), but ∫₀¹∫₀^y dw dv = y (y free)."""
    lhs = Integral(1, (w, 0, y), (y, 0, 1))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(1, (w, 0, y), (v, 0, 1)), Algebra()),
        (y, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_clash_sum_index_without_integer_assumption_half_integer_limits() -> None:
    """Σ_{k=1/2}^{5/2} sin(πk) = 1 − 1 + 1 = 1; treating k as an integer makes it 0."""
    kr = Symbol("k")
    lhs = Sum(sin(pi * kr), (kr, Rational(1, 2), Rational(5, 2)))
    steps: list[tuple[Basic, Rule]] = [
        (Sum(S.Zero, (kr, Rational(1, 2), Rational(5, 2))), Algebra()),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_clash_rename_sum_index_to_integer_symbol_half_integer_limits() -> None:
    """Renaming the real index k to an integer m lets sin(πm) collapse to 0; the sum is 1."""
    kr = Symbol("k")
    lhs = Sum(sin(pi * kr), (kr, Rational(1, 2), Rational(5, 2)))
    steps: list[tuple[Basic, Rule]] = [
        (Sum(sin(pi * m), (m, Rational(1, 2), Rational(5, 2))), Rename(kr, m)),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_leak_rename_integration_variable_to_integer_symbol() -> None:
    """∫₀¹ sin(πz) dz = 2/π; renaming z to an integer n makes the integrand 0."""
    lhs = Integral(sin(pi * z), (z, 0, 1))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(sin(pi * n), (n, 0, 1)), Rename(z, n)),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_leak_rename_to_positive_symbol_drops_abs() -> None:
    """∫|w| e^{−w²} dw = 1 over ℝ; renaming w to a positive u turns |u| into u, giving 0."""
    up = Symbol("u", positive=True)
    lhs = Integral(Abs(w) * exp(-w**2), (w, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(up * exp(-up**2), (up, -oo, oo)), Rename(w, up)),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_leak_rename_to_positive_symbol_undefined_function() -> None:
    """∫|w| f(w) dw over ℝ is not ∫ u f(u) du: u ranges over negative numbers too."""
    up = Symbol("u", positive=True)
    lhs = Integral(Abs(w) * f(w), (w, -oo, oo))
    rhs = Integral(up * f(up), (up, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Rename(w, up))]))


def test_leak_substitute_to_positive_integer_index() -> None:
    """Σ_{k∈ℤ} δ[k, −1] = 1; with k = m for a positive m, δ[m, −1] collapses to 0."""
    mp = Symbol("m", integer=True, positive=True)
    lhs = Sum(KroneckerDelta(k, -1), (k, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Sum(KroneckerDelta(mp, -1), (mp, -oo, oo)), Substitute((k, mp, mp))),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps, domain="ℤ"))


# == 3. rules outside their conditions =======================================================


def test_cond_linearity_splits_divergent_integrals() -> None:
    """∫(atan z − atan(z+1)) dz = −π, but splitting into two divergent ∫ and shifting gives 0."""
    lhs = Integral(atan(z) - atan(z + 1), (z, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(atan(y), (y, -oo, oo)) - Integral(atan(z + 1), (z, -oo, oo)), Linearity()),
        (Integral(atan(y), (y, -oo, oo)) - Integral(atan(w), (w, -oo, oo)),
         Substitute((z, w - 1, w))),
        (S.Zero, Algebra()),
    ]
    assert_not_proven(_chain(lhs, steps))


def test_cond_linearity_splits_divergent_sums() -> None:
    """Σ_k (atan k − atan(k+1)) = −π (telescoping), but the split-and-shift argument gives 0."""
    lhs = Sum(atan(k) - atan(k + 1), (k, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Sum(atan(j), (j, -oo, oo)) - Sum(atan(k + 1), (k, -oo, oo)), Linearity()),
        (Sum(atan(j), (j, -oo, oo)) - Sum(atan(m), (m, -oo, oo)), Substitute((k, m - 1, m))),
        (S.Zero, Algebra()),
    ]
    assert_not_proven(_chain(lhs, steps, domain="ℤ"))


def test_cond_linearity_undefined_function_without_hypothesis() -> None:
    """∫(f(z) − f(z+1)) dz = 0 needs ∫f to converge (f = atan is a counterexample)."""
    lhs = Integral(f(z) - f(z + 1), (z, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(f(y), (y, -oo, oo)) - Integral(f(z + 1), (z, -oo, oo)), Linearity()),
        (Integral(f(y), (y, -oo, oo)) - Integral(f(w), (w, -oo, oo)),
         Substitute((z, w - 1, w))),
        (S.Zero, Algebra()),
    ]
    assert_not_proven(_chain(lhs, steps))


def test_cond_fubini_conditionally_convergent_integral() -> None:
    """∫₀¹∫₀¹ (x²−y²)/(x²+y²)² dx dy = −π/4 but dy dx gives π/4: not absolutely integrable."""
    F = (x**2 - y**2) / (x**2 + y**2)**2
    lhs = Integral(F, (x, 0, 1), (y, 0, 1))
    rhs = Integral(F, (y, 0, 1), (x, 0, 1))
    assert_not_proven(_d(lhs, rhs, [(rhs, Fubini((x, y)))]))


def test_cond_fubini_conditionally_convergent_double_sum() -> None:
    """Σ_m Σ_n (δ[m,n] − δ[m,n+1]) over n, m ≥ 0 is 1 one way and 0 the other."""
    F = KroneckerDelta(m, n) - KroneckerDelta(m, n + 1)
    lhs = Sum(F, (n, 0, oo), (m, 0, oo))
    rhs = Sum(F, (m, 0, oo), (n, 0, oo))
    assert_not_proven(_d(lhs, rhs, [(rhs, Fubini((n, m)))], domain="ℤ"))


def test_cond_leibniz_through_heaviside() -> None:
    """H(x − z) is not differentiable in x; d/dx ∫₀¹ H(x − z) dz does not exist at x = 0."""
    lhs = Derivative(Integral(Heaviside(x - z), (z, 0, 1)), x)
    rhs = Integral(DiracDelta(x - z), (z, 0, 1))
    assert_not_proven(_d(lhs, rhs, [(rhs, Leibniz())]))


def test_cond_leibniz_without_domination() -> None:
    """d/dx ∫ sin(xz)/z dz = d/dx (π·sign x) = 0 for x ≠ 0, but ∫ cos(xz) dz diverges."""
    lhs = Derivative(Integral(sin(x * z) / z, (z, -oo, oo)), x)
    rhs = Integral(cos(x * z), (z, -oo, oo))
    assert_not_proven(_d(lhs, rhs, [(rhs, Leibniz())]))


def test_cond_substitute_piecewise_non_bijection_on_R() -> None:
    """z = w (w < 0), w + 1 (w ≥ 0) skips [0, 1): ∫ f(z) dz ≠ ∫ f(φ(w)) dw."""
    phi = Piecewise((w, w < 0), (w + 1, True))
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(f(phi), (w, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Substitute((z, phi, w)))]))


def test_cond_substitute_piecewise_non_bijection_on_Z() -> None:
    """k = m (m < 0), m + 1 (m ≥ 0) never hits k = 0: Σ f(k) ≠ Σ f(φ(m))."""
    phi = Piecewise((m, m < 0), (m + 1, True))
    lhs = Sum(f(k), (k, -oo, oo))
    rhs = Sum(f(phi), (m, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Substitute((k, phi, m)))], domain="ℤ"))


def test_cond_substitute_square() -> None:
    """z = w² with w ∈ [−2, 2] maps both ends to 4: ∫₋₂² 2w f(w²) dw = 0 ≠ ∫₀⁴ f."""
    lhs = Integral(f(z), (z, 0, 4))
    rhs = Integral(2 * w * f(w**2), (w, -2, 2))
    _refuses_false(_d(lhs, rhs, [(rhs, Substitute((z, w**2, w)))]))


def test_cond_substitute_sine() -> None:
    """z = sin w maps ℝ onto [−1, 1] back and forth: ∫ f(z) dz ≠ ∫ cos w f(sin w) dw."""
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(cos(w) * f(sin(w)), (w, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Substitute((z, sin(w), w)))]))


def test_cond_substitute_scaling_by_symbol_of_unknown_sign() -> None:
    """z = c·w: the Jacobian is |c|, so ∫ c f(cw) dw is wrong for c < 0."""
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(c * f(c * w), (w, -oo, oo))
    _refuses_false(_d(lhs, rhs, [(rhs, Substitute((z, c * w, w)))]))


def test_cond_substitute_scaling_by_positive_symbol_is_shown() -> None:
    """With c = Symbol('c', positive=True) the step holds only for c > 0, which the printed
    statement does not show: the render must say so on an assuming/needs line."""
    cp = Symbol("c", positive=True)
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(cp * f(cp * w), (w, -oo, oo))
    d = _d(lhs, rhs, [(rhs, Substitute((z, cp * w, w)))])
    d.verify()
    rendered = d.render("text")
    shown = [line for line in rendered.splitlines()
             if line.startswith(("  assuming:", "  needs:")) and re.search(r"\bc\b", line)]
    assert shown, f"the assumption c > 0 is not shown:\n{rendered}"


def test_cond_substitute_complex_shift() -> None:
    """z = w + i leaves the real line: f is only defined on ℝ (a contour shift would need f
    analytic and decaying in the strip, which nobody stated)."""
    lhs = Integral(f(z), (z, -oo, oo))
    rhs = Integral(f(w + I), (w, -oo, oo))
    assert_not_proven(_d(lhs, rhs, [(rhs, Substitute((z, w + I, w)))]))


def test_cond_substitute_complex_shift_across_a_pole() -> None:
    """∫ dz/(1+z²) = π; shifting to ℝ + 2i crosses the pole at i and gives 0."""
    lhs = Integral(1 / (1 + z**2), (z, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(1 / (1 + (w + 2 * I)**2), (w, -oo, oo)), Substitute((z, w + 2 * I, w))),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_cond_restrict_to_support_without_hypothesis() -> None:
    """Σ_k f(k) = Σ_{k=0}^{2} f(k) needs f = 0 outside [0, 2], which nobody stated."""
    lhs = Sum(f(k), (k, -oo, oo))
    rhs = Sum(f(k), (k, 0, 2))
    assert_not_proven(_d(lhs, rhs, [(rhs, RestrictToSupport(f, 0, 2, k))], domain="ℤ"))


def test_cond_restrict_to_reversed_support() -> None:
    """Support written [5, −5]: Σ_{k=5}^{−5} = −Σ_{k=−4}^{4} (Karr), not Σ over [−5, 5]."""
    lhs = Sum(f(k) * g(k), (k, -oo, oo))
    rhs = Sum(f(k) * g(k), (k, 5, -5))
    d = _d(lhs, rhs, [(rhs, RestrictToSupport(f, 5, -5, k))],
           hyps=("f(k) = 0 unless −5 ≤ k ≤ 5",), domain="ℤ")
    assert_not_proven(d)


def test_cond_vanish_on_reversed_sum() -> None:
    """Σ_{q=5}^{2} g(q) = −g(3) − g(4) (Karr) = −g(3) ≠ 0 for g supported on [0, 3]."""
    lhs = Sum(g(q), (q, 5, 2))
    d = _d(lhs, S.Zero, [(S.Zero, VanishOutsideSupport(g, 0, 3))],
           hyps=("g(q) = 0 unless 0 ≤ q ≤ 3",), domain="ℤ")
    _refuses_false(d)


def test_cond_vanish_on_sum_with_symbolic_upper_limit() -> None:
    """Σ_{q=4}^{N} g(q) is −g(2) − g(3) for N = 1 (Karr), not 0, with g supported on [0, 3]."""
    N = Symbol("N", integer=True)
    lhs = Sum(g(q), (q, 4, N))
    d = _d(lhs, S.Zero, [(S.Zero, VanishOutsideSupport(g, 0, 3))],
           hyps=("g(q) = 0 unless 0 ≤ q ≤ 3",), domain="ℤ")
    _refuses_false(d)


def test_cond_vanish_with_inconsistent_support_and_no_hypothesis() -> None:
    """'g = 0 outside [5, −5]' says g ≡ 0; nothing states it, so Σ₀² g(q) = 0 is unproven."""
    lhs = Sum(g(q), (q, 0, 2))
    assert_not_proven(_d(lhs, S.Zero, [(S.Zero, VanishOutsideSupport(g, 5, -5))], domain="ℤ"))


def test_cond_difference_under_divergent_sum() -> None:
    """Σ_k atan(k + n) diverges, so Δₙ of it is undefined; the telescoped right side is π."""
    lhs = difference(Sum(atan(k + n), (k, -oo, oo)), n)
    rhs = Sum(atan(k + n + 1) - atan(k + n), (k, -oo, oo))
    assert_not_proven(_d(lhs, rhs, [(rhs, DifferenceUnderSum())], domain="ℤ"))


def test_cond_exchange_sum_integral_with_divergent_terms() -> None:
    """∫ Σ_{c=0}^{1} (−1)^c atan(z + c) dz = −π, but each ∫ atan(z + c) dz diverges."""
    lhs = Integral(Sum((-1)**_ch * atan(z + _ch), (_ch, 0, 1)), (z, -oo, oo))
    rhs = Sum(Integral((-1)**_ch * atan(z + _ch), (z, -oo, oo)), (_ch, 0, 1))
    assert_not_proven(_d(lhs, rhs, [(rhs, ExchangeSumIntegral())]))


# == 4. evaluation that proves nothing =======================================================


def test_eval_nan_equals_nan() -> None:
    """nan = nan is not an identity between numbers."""
    assert_not_proven(_d(S.NaN, S.NaN, [(S.NaN, Algebra())]))


def test_eval_zero_over_zero() -> None:
    """(∫₀¹ 0)/(∫₀² 0) is 0/0, undefined; 'evaluating' it to nan proves nothing."""
    lhs = Integral(0, (z, 0, 1)) / Integral(0, (w, 0, 2))
    assert_not_proven(_d(lhs, S.NaN, [(S.NaN, Compute())]))


def test_eval_infinity_minus_infinity_on_both_sides() -> None:
    """Σ1 − Σ1 and Σ2 − Σ1 (divergent) both evaluate to nan; that does not make them equal."""
    lhs = Sum(1, (k, 0, oo)) - Sum(1, (j, 0, oo))
    rhs = Sum(2, (k, 0, oo)) - Sum(1, (j, 0, oo))
    assert_not_proven(_d(lhs, rhs, [(rhs, Compute())], domain="ℤ"))


def test_eval_division_by_zero_on_both_sides() -> None:
    """1/0 and 2/0 both become zoo; '1/0 = 2/0' is not a theorem."""
    zero = Integral(0, (z, 0, 1))
    lhs, rhs = 1 / zero, 2 / zero
    assert_not_proven(_d(lhs, rhs, [(rhs, Compute())]))


def test_eval_divergent_integrals_both_nan() -> None:
    """∫₋₁¹ dz/z and ∫₋₁¹ dz/z³ both diverge (SymPy: nan); they are not proven equal."""
    lhs = Integral(1 / z, (z, -1, 1))
    rhs = Integral(1 / z**3, (z, -1, 1))
    assert_not_proven(_d(lhs, rhs, [(rhs, Compute())]))


def test_eval_nonexistent_limits_both_accumbounds() -> None:
    """lim sin(1/x) and lim cos(1/x) at 0 do not exist; both evaluate to ⟨−1, 1⟩."""
    lhs = Limit(sin(1 / x), x, 0)
    rhs = Limit(cos(1 / x), x, 0)
    assert_not_proven(_d(lhs, rhs, [(rhs, Compute())]))


def test_eval_compute_sifts_with_capture() -> None:
    """Compute sifts too: ∫ (∫₀¹ sin(zy') dy') δ(z − y) dz = (1 − cos y)/y, not ∫₀¹ sin(y²) dy."""
    lhs = Integral(Integral(sin(z * y), (y, 0, 1)) * DiracDelta(z - y), (z, -oo, oo))
    rhs = Integral(sin(y**2), (y, 0, 1))
    _refuses_false(_d(lhs, rhs, [(rhs, Compute())]))


def test_eval_compute_sifts_with_capture_discrete() -> None:
    """Σ_k (Σ_{j'=0}^{2} 1/(j' + k + 1)) δ[k, j] depends on j; Σ_j 1/(2j + 1) = 23/15 does not."""
    lhs = Sum(Sum(1 / (j + k + 1), (j, 0, 2)) * KroneckerDelta(k, j), (k, -oo, oo))
    _refuses_false(_d(lhs, Rational(23, 15), [(Rational(23, 15), Compute())], domain="ℤ"))


def test_eval_compute_sifts_with_capture_simple_product() -> None:
    """As above with a separable inner integral: the value is y/2, not 1/3."""
    lhs = Integral(Integral(z * y, (y, 0, 1)) * DiracDelta(z - y), (z, -oo, oo))
    _refuses_false(_d(lhs, Rational(1, 3), [(Rational(1, 3), Compute())]))


# == 5. what is printed is not what was checked ==============================================


def _conv_comm_with(r: Rule) -> Derivation:
    lhs, rhs = conv(f, g, x), conv(g, f, x)
    return _d(lhs, rhs, [
        (Integral(f(z) * g(x - z), (z, -oo, oo)), Definition("∗")),
        (Integral(-f(x - w) * g(w), (w, oo, -oo)), r),
        (Integral(f(x - w) * g(w), (w, -oo, oo)), ReverseLimits(w)),
        (rhs, Definition("∗")),
    ], hyps=(L1,))


def test_print_mutating_substitute_after_verify() -> None:
    """After r.triples is changed to z = x + w the printed step is false; it must be re-checked
    (or the mutation refused)."""
    r = Substitute((z, x - w, w))
    d = _conv_comm_with(r)
    d.verify()
    try:
        r.triples = [(z, x + w, w)]  # type: ignore[misc]
    except (AttributeError, TypeError, ValueError):
        return
    with pytest.raises(ProofError):
        d.verify()


def test_print_mutating_substitute_triples_in_place() -> None:
    """Changing the triple inside r.triples must not leave a stale 'verified' result."""
    r = Substitute((z, x - w, w))
    d = _conv_comm_with(r)
    d.verify()
    try:
        r.triples[0] = (z, x + w, w)  # type: ignore[index]
    except (AttributeError, TypeError, ValueError):
        return
    with pytest.raises(ProofError):
        d.verify()


def test_print_mutating_substitute_with_reuse() -> None:
    """verify(reuse=True) must not skip a step whose rule changed since it passed."""
    r = Substitute((z, x - w, w))
    d = _conv_comm_with(r)
    d.verify(reuse=True)
    try:
        r.triples = [(z, x + w, w)]  # type: ignore[misc]
    except (AttributeError, TypeError, ValueError):
        return
    with pytest.raises(ProofError):
        d.verify(reuse=True)


def test_print_mutating_lemma_mapping() -> None:
    """Lemma mapping changed from x := y to x := z after verifying: (f∗g)(z) does not occur."""
    r = Lemma("conv_comm:R", {"x": y})
    d = _d(conv(f, g, y), conv(g, f, y), [(conv(g, f, y), r)], hyps=(L1,))
    d.verify()
    try:
        r.mapping["x"] = z
    except (AttributeError, TypeError, ValueError):
        return
    with pytest.raises(ProofError):
        d.verify()


def test_print_named_numeral() -> None:
    """Named(Symbol('1'), 2) makes '1 = 2' print next to ✓."""
    def build() -> Derivation:
        one = Named(Symbol("1"), S(2))
        return _d(one, S(2), [(S(2), Definition("1"))])

    _named_is_not_misleading(build, "1 = 2", "1", "2")


def test_print_named_plain_symbol_4c_equals_6() -> None:
    """4·Named(c, 3/2) prints as '4·c = 6' for a c that looks free."""
    def build() -> Derivation:
        lhs = 4 * Named(c, Rational(3, 2))
        return _d(lhs, S(6), [(S(6), Definition("c"))])

    _named_is_not_misleading(build, "4·c = 6", "c", "3/2")


def test_print_named_shadowing_a_free_symbol() -> None:
    """Named(x, 5) + x prints as 'x + x', so the statement reads 'x + x = x + 5'."""
    def build() -> Derivation:
        lhs = Named(x, S(5)) + x
        return _d(lhs, x + 5, [(x + 5, Definition("x"))])

    _named_is_not_misleading(build, "x + x = x + 5", "x", "5")


class _TrustMe(Rule):
    def describe(self) -> str:
        return "trust me"

    def apply(self, expr: Basic) -> Basic:
        return expr

    def check(self, prev: Basic, claimed: Basic) -> None:
        return None


class _LazyAlgebra(Algebra):
    def check(self, prev: Basic, claimed: Basic) -> None:
        return None


class _ZeroLinearity(Linearity):
    def apply(self, expr: Basic) -> Basic:
        return S.Zero


def test_print_user_rule_that_always_passes() -> None:
    """A home-made Rule whose check never fails 'proves' 1 = 0."""
    with pytest.raises((ProofError, InvalidArgument)):
        _d(S.One, S.Zero, [(S.Zero, _TrustMe())]).verify()


def test_print_subclass_of_algebra_overriding_check() -> None:
    """A subclass of Algebra that skips the check prints 'by algebra' for 1 = 0."""
    with pytest.raises((ProofError, InvalidArgument)):
        _d(S.One, S.Zero, [(S.Zero, _LazyAlgebra())]).verify()


def test_print_subclass_of_linearity_with_a_constant_normal_form() -> None:
    """A Linearity whose normal form is always 0 makes any two sides 'equal by linearity'."""
    with pytest.raises((ProofError, InvalidArgument)):
        _d(Integral(f(z), (z, 0, 1)), S(7), [(S(7), _ZeroLinearity())]).verify()


def test_print_rename_to_same_name_with_other_assumptions() -> None:
    """'renaming z to z' (the new z positive) turns |z| into z: ∫|z|e^{−z²} = 1, not 0."""
    zp = Symbol("z", positive=True)
    lhs = Integral(Abs(z) * exp(-z**2), (z, -oo, oo))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(zp * exp(-zp**2), (zp, -oo, oo)), Rename(z, zp)),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


# == 6. chains ending at a false statement ===================================================


def test_chain_w_equals_v_by_rename_through_outer_limit() -> None:
    """∫dw∫₀^w dy = w (the limit w is free); renaming the bound w to v also renames it: 'w = v'."""
    lhs = Integral(1, (w, 0, 1), (y, 0, w))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(1, (v, 0, 1), (y, 0, v)), Rename(w, v)),
        (v, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_chain_z_equals_y_by_alpha_equivalence() -> None:
    """∫dz∫₀^z dw = z; claiming it alpha-equal to the y-version and evaluating gives 'z = y'."""
    lhs = Integral(1, (z, 0, 1), (w, 0, z))
    steps: list[tuple[Basic, Rule]] = [
        (Integral(1, (y, 0, 1), (w, 0, y)), Algebra()),
        (y, Compute()),
    ]
    _refuses_false(_chain(lhs, steps))


def test_chain_reversed_sum_then_vanish() -> None:
    """−g(3) − g(4) = Σ_{q=5}^{2} g(q) (Karr) '= 0', i.e. g(3) = 0 for an arbitrary g(3)."""
    lhs = -g(3) - g(4)
    steps: list[tuple[Basic, Rule]] = [
        (Sum(g(q), (q, 5, 2)), Compute()),
        (S.Zero, VanishOutsideSupport(g, 0, 3)),
    ]
    _refuses_false(_chain(lhs, steps, hyps=("g(q) = 0 unless 0 ≤ q ≤ 3",), domain="ℤ"))


def test_chain_one_equals_zero_by_telescoping() -> None:
    """Σ_k (H(k) − H(k−1)) telescopes to 1; splitting it into two divergent sums of the step H
    and shifting one of them gives 0."""
    steps: list[tuple[Basic, Rule]] = [
        (Sum(Heaviside(j), (j, -oo, oo)) - Sum(Heaviside(k - 1), (k, -oo, oo)), Linearity()),
        (Sum(Heaviside(j), (j, -oo, oo)) - Sum(Heaviside(m), (m, -oo, oo)),
         Substitute((k, m + 1, m))),
        (S.Zero, Algebra()),
    ]
    lhs = Sum(Heaviside(k) - Heaviside(k - 1), (k, -oo, oo))
    assert_not_proven(_chain(lhs, steps, domain="ℤ"))


def test_chain_4c_equals_3c_by_half_integer_sum() -> None:
    """4c = Σ_{k=1/2}^{5/2} c(1 + sin πk) (the sines add to 1); dropping sin(πk) as if k were
    an integer gives 3c."""
    kr = Symbol("k")
    lims = (kr, Rational(1, 2), Rational(5, 2))
    steps: list[tuple[Basic, Rule]] = [
        (Sum(c * (1 + sin(pi * kr)), lims), Compute()),
        (Sum(c, lims), Algebra()),
        (3 * c, Compute()),
    ]
    _refuses_false(_chain(4 * c, steps))


def test_chain_one_equals_zero_by_piecewise_substitution() -> None:
    """∫ 1_{[0,1)}(z) dz = 1; z = φ(w) (w < 0: w, else w + 1) never lands in [0, 1): 0."""
    phi = Piecewise((w, w < 0), (w + 1, True))

    def ind(e: Expr) -> Expr:
        return Piecewise((1, (e >= 0) & (e < 1)), (0, True))

    steps: list[tuple[Basic, Rule]] = [
        (Integral(ind(phi), (w, -oo, oo)), Substitute((z, phi, w))),
        (S.Zero, Compute()),
    ]
    _refuses_false(_chain(Integral(ind(z), (z, -oo, oo)), steps))


# == positive controls =======================================================================


def test_control_rename_integration_variable() -> None:
    """∫ f(z) dz = ∫ f(w) dw by renaming."""
    lhs, rhs = Integral(f(z), (z, -oo, oo)), Integral(f(w), (w, -oo, oo))
    assert str(_d(lhs, rhs, [(rhs, Rename(z, w))]).verify()).startswith("✓")


def test_control_conv_comm_by_substitution() -> None:
    """f ∗ g = g ∗ f by z = x − w and reversing the limits."""
    _conv_comm_with(Substitute((z, x - w, w))).verify()


def test_control_finite_sum_shift() -> None:
    """Σ_{k=0}^{3} f(k) = Σ_{m=−1}^{2} f(m + 1)."""
    lhs, rhs = Sum(f(k), (k, 0, 3)), Sum(f(m + 1), (m, -1, 2))
    d = _d(lhs, rhs, [(rhs, Substitute((k, m + 1, m)))], domain="ℤ")
    assert str(d.verify()).startswith("✓")


def test_control_infinite_sum_shift_with_integer_symbols() -> None:
    """Σ_{k∈ℤ} f(k) = Σ_{m∈ℤ} f(m + 1) for absolutely summable f."""
    lhs, rhs = Sum(f(k), (k, -oo, oo)), Sum(f(m + 1), (m, -oo, oo))
    d = _d(lhs, rhs, [(rhs, Substitute((k, m + 1, m)))],
           hyps=("f ∈ ℓ¹(ℤ) (the sums converge absolutely)",), domain="ℤ")
    d.verify()


def test_control_finite_integral_scaling() -> None:
    """∫₀¹ f(z) dz = ∫₀^{1/2} 2 f(2w) dw."""
    lhs, rhs = Integral(f(z), (z, 0, 1)), Integral(2 * f(2 * w), (w, 0, Rational(1, 2)))
    _d(lhs, rhs, [(rhs, Substitute((z, 2 * w, w)))]).verify()


def test_control_fubini_finite_sums() -> None:
    """Finite double sums can always be swapped."""
    lhs = Sum(f(k, m), (k, 0, 2), (m, 0, 3))
    rhs = Sum(f(k, m), (m, 0, 3), (k, 0, 2))
    assert str(_d(lhs, rhs, [(rhs, Fubini((k, m)))], domain="ℤ").verify()).startswith("✓")


def test_control_algebra_inside_integral() -> None:
    """∫₀¹ (f(z)(x + 1) − f(z)x) dz = ∫₀¹ f(z) dz by algebra inside the integral."""
    lhs = Integral(f(z) * (x + 1) - f(z) * x, (z, 0, 1))
    rhs = Integral(f(z), (z, 0, 1))
    assert str(_d(lhs, rhs, [(rhs, Algebra())]).verify()).startswith("✓")


def test_control_sift() -> None:
    """∫ f(z) δ(z − x) dz = f(x) for continuous f."""
    lhs = Integral(f(z) * DiracDelta(z - x), (z, -oo, oo))
    _d(lhs, f(x), [(f(x), Sift())], hyps=("f continuous",)).verify()


def test_control_registry_theorems_verify() -> None:
    """The registered conv_comm (ℝ, ℤ) and conv_assoc (ℝ) still verify."""
    for key in ("conv_comm:R", "conv_assoc:R", "conv_comm:Z"):
        (d,) = derivations(key)
        d.verify()


def test_control_rename_outer_variable_used_in_inner_limit() -> None:
    """∫₀¹∫₀^y dw dy = ∫₀¹∫₀^v dw dv: renaming y renames its use in the inner limit."""
    lhs = Integral(1, (w, 0, y), (y, 0, 1))
    rhs = Integral(1, (w, 0, v), (v, 0, 1))
    assert str(_d(lhs, rhs, [(rhs, Rename(y, v))]).verify()).startswith("✓")


def test_control_substitute_with_outer_variable_of_same_integral() -> None:
    """∫₀¹∫₀¹ f(z, y) dz dy = ∫₀¹∫_{−y}^{1−y} f(w + y, y) dw dy."""
    lhs = Integral(f(z, y), (z, 0, 1), (y, 0, 1))
    rhs = Integral(f(w + y, y), (w, -y, 1 - y), (y, 0, 1))
    _d(lhs, rhs, [(rhs, Substitute((z, w + y, w)))]).verify()


def test_control_lemma_instance() -> None:
    """(f ∗ g)(y) = (g ∗ f)(y) by the lemma conv_comm with x := y."""
    d = _d(conv(f, g, y), conv(g, f, y), [(conv(g, f, y), Lemma("conv_comm:R", {"x": y}))],
           hyps=(L1,))
    d.verify()


def test_control_vanish_outside_support() -> None:
    """Σ_{q=4}^{6} g(q) = 0 when g vanishes outside [0, 3]."""
    d = _d(Sum(g(q), (q, 4, 6)), S.Zero, [(S.Zero, VanishOutsideSupport(g, 0, 3))],
           hyps=("g(q) = 0 unless 0 ≤ q ≤ 3",), domain="ℤ")
    d.verify()


def test_control_named_definition() -> None:
    """L := x + 1 unfolds to x + 1."""
    d = _d(Named(Symbol("L"), x + 1), x + 1, [(x + 1, Definition("L"))])
    d.verify()


def test_control_verify_twice() -> None:
    """Verifying the same derivation twice (same rule objects) succeeds both times."""
    d = _conv_comm_with(Substitute((z, x - w, w)))
    d.verify()
    d.verify(reuse=True)
    d.verify()
