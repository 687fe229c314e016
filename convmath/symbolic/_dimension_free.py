"""The identities on ℝᵈ and ℤᵈ for a symbolic dimension d, as the lecture notes write them.

Each derivation here is written with one variable per point (x, z ∈ ℝᵈ; n, a ∈ ℤᵈ — see
:mod:`convmath.symbolic.vectors`), so it is checked once for every d; the registry keys end
in ``:Rd`` and ``:Zd`` (``conv_comm:Rd``). The fixed-dimension instances (``conv_comm:R2``…)
are registered too, and the tests check that each is this statement with d put in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy import Abs, Eq, Expr, Function, Integral, Lambda, S, Sum, Symbol, Tuple, exp, oo, pi

from convmath.symbolic.derivation import Derivation, Step
from convmath.symbolic.kernel import (
    AbsolutelyConvergent,
    Continuous,
    DifferentiableUnderIntegral,
    Hypothesis,
    Invertible,
    Remark,
)
from convmath.symbolic.operators import (
    Fourier,
    Partial,
    Upsample,
    apply_function,
    conv,
    xcorr,
)
from convmath.symbolic.registry import theorem
from convmath.symbolic.rules import (
    Algebra,
    ChangeOfVariables,
    Definition,
    DifferentiateLinear,
    ExchangeSumIntegral,
    Fubini,
    LeibnizAxis,
    Lemma,
    Linearity,
    Rule,
    SiftVector,
)
from convmath.symbolic.vectors import (
    AxisPartial,
    Det,
    Dot,
    LinearMap,
    VectorDelta,
    linear_map,
    space,
    space_text,
    vector,
)

__all__: list[str] = []

f, g, h = Function("f"), Function("g"), Function("h")


class _Space:
    """Points and helpers for ℝᵈ (``discrete=False``) or ℤᵈ."""

    def __init__(self, discrete: bool) -> None:
        self.discrete = discrete
        self.sp = space("Z" if discrete else "R")
        self.domain = space_text(self.sp)
        self.tag = "Zd" if discrete else "Rd"
        names = ("n", "k", "m", "j", "l", "a") if discrete else ("x", "z", "w", "u", "v", "a")
        self.X, self.Z, self.W, self.U, self.V, self.A = (vector(n, self.sp) for n in names)
        self.T = vector("t", self.sp)
        self.c = Symbol("c")

    def B(self, body: Expr, *vs: Symbol) -> Expr:
        """∫ over ℝᵈ (Σ over ℤᵈ) in each of ``vs``, innermost first."""
        limits = [(v, -oo, oo) for v in vs]
        return Sum(body, *limits) if self.discrete else Integral(body, *limits)

    def lam(self, body: Expr) -> Lambda:
        """t ↦ body (``body`` in the point t)."""
        return Lambda((self.T,), body)

    def conv(self, F: object, G: object, pt: Expr) -> Expr:
        return conv(F, G, pt, discrete=self.discrete)

    def xcorr(self, F: object, G: object, pt: Expr) -> Expr:
        return xcorr(F, G, pt, discrete=self.discrete)

    def integrable(self, *fns: Function) -> AbsolutelyConvergent:
        fns = fns or (f, g)
        names = ", ".join(str(fn) for fn in fns)
        what = "ℓ¹" if self.discrete else "L¹"
        return AbsolutelyConvergent(*fns, note=f"{names} ∈ {what}({self.domain})",
                                    domain="ℤ" if self.discrete else "ℝ")

    def delta(self, u: Expr) -> Expr:
        return VectorDelta(u, self.sp)

    @property
    def points(self) -> Remark:
        kind = "integer vectors" if self.discrete else "vectors"
        return Remark(f"points of {self.domain} are {kind}; d ≥ 1 is any dimension")


def _both() -> list[tuple[_Space]]:
    return [(_Space(False),), (_Space(True),)]


def _d(name: str, V: _Space, title: str, lhs: Expr, rhs: Expr,
       steps: Sequence[tuple[Expr, Rule]], hyps: Sequence[str | Hypothesis],
       family: str) -> Derivation:
    return Derivation(name=name, domain=V.domain, title=title,
                      statement=Eq(lhs, rhs, evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps),
                      hypotheses=(*hyps, V.points), family=family)


# -- commutativity, associativity, bilinearity ---------------------------------------------


@theorem("commutativity", _both)
def conv_comm(V: _Space) -> Derivation:
    X, Z, W = V.X, V.Z, V.W
    steps = [
        (V.B(f(Z) * g(X - Z), Z), Definition("∗")),
        (V.B(f(X - W) * g(W), W), ChangeOfVariables(Z, X - W, W)),
        (V.conv(g, f, X), Definition("∗")),
    ]
    return _d("conv_comm", V, "convolution is commutative", V.conv(f, g, X), V.conv(g, f, X),
              steps, [V.integrable()], "commutativity")


@theorem("associativity", _both)
def conv_assoc(V: _Space) -> Derivation:
    X, Z, W, U, T = V.X, V.Z, V.W, V.U, V.T
    fg, gh = V.lam(V.conv(f, g, T)), V.lam(V.conv(g, h, T))
    lhs, rhs = V.conv(fg, h, X), V.conv(f, gh, X)
    body = f(W) * g(Z - W) * h(X - Z)
    steps = [
        (V.B(V.B(f(W) * g(Z - W), W) * h(X - Z), Z), Definition("∗")),
        (V.B(body, W, Z), Linearity()),
        (V.B(body, Z, W), Fubini((W, Z))),
        (V.B(f(W) * V.B(g(Z - W) * h(X - Z), Z), W), Linearity()),
        (V.B(f(W) * V.B(g(U) * h(X - W - U), U), W), ChangeOfVariables(Z, U + W, U)),
        (V.B(f(W) * V.conv(g, h, X - W), W), Definition("∗")),
        (rhs, Definition("∗")),
    ]
    sums = "ΣΣ" if V.discrete else "∫∫"
    return _d("conv_assoc", V, "convolution is associative", lhs, rhs, steps,
              [V.integrable(f, g, h),
               f"Fubini–Tonelli applies: {sums}|f(w) g(z − w) h(x − z)| < ∞ over "
               f"{V.domain} × {V.domain}"], "associativity")


def _bilinear(V: _Space, name: str, title: str, lhs: Expr, rhs: Expr, first: Expr,
              rest: Sequence[tuple[Expr, Rule]], hyps: Sequence[str | Hypothesis]
              ) -> Derivation:
    return _d(name, V, title, lhs, rhs, [(first, Definition("∗")), *rest], hyps,
              "bilinearity")


@theorem("bilinearity", _both)
def conv_add(V: _Space) -> Derivation:
    X, Z, T = V.X, V.Z, V.T
    a, b = f(Z) * g(X - Z), f(Z) * h(X - Z)
    rhs = V.conv(f, g, X) + V.conv(f, h, X)
    return _bilinear(V, "conv_add", "convolution distributes over + on the right",
                     V.conv(f, V.lam(g(T) + h(T)), X), rhs,
                     V.B(f(Z) * (g(X - Z) + h(X - Z)), Z),
                     [(V.B(a + b, Z), Algebra("expand")), (V.B(a, Z) + V.B(b, Z), Linearity()),
                      (rhs, Definition("∗"))], [V.integrable(f, g, h)])


@theorem("bilinearity", _both)
def add_conv(V: _Space) -> Derivation:
    X, Z, T = V.X, V.Z, V.T
    a, b = f(Z) * h(X - Z), g(Z) * h(X - Z)
    rhs = V.conv(f, h, X) + V.conv(g, h, X)
    return _bilinear(V, "add_conv", "convolution distributes over + on the left",
                     V.conv(V.lam(f(T) + g(T)), h, X), rhs,
                     V.B((f(Z) + g(Z)) * h(X - Z), Z),
                     [(V.B(a + b, Z), Algebra("expand")), (V.B(a, Z) + V.B(b, Z), Linearity()),
                      (rhs, Definition("∗"))], [V.integrable(f, g, h)])


@theorem("bilinearity", _both)
def smul_conv(V: _Space) -> Derivation:
    X, Z, T, c = V.X, V.Z, V.T, V.c
    rhs = c * V.conv(f, g, X)
    return _bilinear(V, "smul_conv", "scalars move out of the left factor",
                     V.conv(V.lam(c * f(T)), g, X), rhs, V.B(c * f(Z) * g(X - Z), Z),
                     [(c * V.B(f(Z) * g(X - Z), Z), Linearity()), (rhs, Definition("∗"))],
                     [V.integrable(), Remark("c is a constant")])


@theorem("bilinearity", _both)
def conv_smul(V: _Space) -> Derivation:
    X, Z, T, c = V.X, V.Z, V.T, V.c
    rhs = c * V.conv(f, g, X)
    return _bilinear(V, "conv_smul", "scalars move out of the right factor",
                     V.conv(f, V.lam(c * g(T)), X), rhs, V.B(c * f(Z) * g(X - Z), Z),
                     [(c * V.B(f(Z) * g(X - Z), Z), Linearity()), (rhs, Definition("∗"))],
                     [V.integrable(), Remark("c is a constant")])


# -- translation ----------------------------------------------------------------------------


@theorem("translation_equivariance", _both)
def shift_conv(V: _Space) -> Derivation:
    X, Z, W, A, T = V.X, V.Z, V.W, V.A, V.T
    lhs, rhs = V.conv(V.lam(f(T - A)), g, X), V.conv(f, g, X - A)
    steps = [
        (V.B(f(Z - A) * g(X - Z), Z), Definition("∗")),
        (V.B(f(W) * g(X - W - A), W), ChangeOfVariables(Z, W + A, W)),
        (rhs, Definition("∗")),
    ]
    return _d("shift_conv", V, "translating f translates f ∗ g (τₐf ∗ g = τₐ(f ∗ g))",
              lhs, rhs, steps, [V.integrable(), Remark(f"(τₐf)(x) = f(x − a), a ∈ {V.domain}")],
              "translation_equivariance")


@theorem("translation_equivariance", _both)
def conv_shift(V: _Space) -> Derivation:
    X, Z, A, T = V.X, V.Z, V.A, V.T
    lhs, rhs = V.conv(f, V.lam(g(T - A)), X), V.conv(f, g, X - A)
    steps = [(V.B(f(Z) * g(X - Z - A), Z), Definition("∗")), (rhs, Definition("∗"))]
    return _d("conv_shift", V, "translating g translates f ∗ g (f ∗ τₐg = τₐ(f ∗ g))",
              lhs, rhs, steps, [V.integrable(), Remark(f"(τₐg)(x) = g(x − a), a ∈ {V.domain}")],
              "translation_equivariance")


@theorem("translation_equivariance", _both)
def shift_conv_shift(V: _Space) -> Derivation:
    X, A, T = V.X, V.A, V.T
    Bv = vector("b", V.sp)
    tg = V.lam(g(T - Bv))
    lhs = V.conv(V.lam(f(T - A)), tg, X)
    rhs = V.conv(f, g, X - A - Bv)
    steps = [
        (V.conv(f, tg, X - A), Lemma(f"shift_conv:{V.tag}", {"g": tg})),
        (rhs, Lemma(f"conv_shift:{V.tag}", {str(X): X - A, str(A): Bv})),
    ]
    return _d("shift_conv_shift", V, "translating both factors adds the translations",
              lhs, rhs, steps,
              [V.integrable(), Remark(f"(τₐf)(x) = f(x − a), (τ_{Bv} g)(x) = g(x − {Bv})"),
               Remark("uses the lemmas shift_conv and conv_shift")],
              "translation_equivariance")


@theorem("translation_equivariance", lambda: [(_Space(False),)])
def conv_linear_map(V: _Space) -> Derivation:
    """(f ∗ g)(A x) = |det A|·((f∘A) ∗ (g∘A))(x) for an invertible linear map A of ℝᵈ."""
    X, Z, W, T = V.X, V.Z, V.W, V.T
    A = linear_map("A", V.sp)
    fA, gA = V.lam(f(LinearMap(A, T))), V.lam(g(LinearMap(A, T)))
    jac = Abs(Det(A))
    lhs, rhs = V.conv(f, g, LinearMap(A, X)), jac * V.conv(fA, gA, X)
    steps = [
        (V.B(f(Z) * g(LinearMap(A, X) - Z), Z), Definition("∗")),
        (jac * V.B(f(LinearMap(A, W)) * g(LinearMap(A, X - W)), W),
         ChangeOfVariables(Z, LinearMap(A, W), W)),
        (rhs, Definition("∗")),
    ]
    return _d("conv_linear_map", V,
              "convolution commutes with an invertible linear map: (f ∗ g)(A x) = "
              "|det A|·((f∘A) ∗ (g∘A))(x)", lhs, rhs, steps,
              [Invertible(A), V.integrable(), Remark("(f∘A)(x) = f(A x)")],
              "translation_equivariance")


# -- derivatives and differences ------------------------------------------------------------

_I = Symbol("i", integer=True, positive=True)


def _partial(V: _Space, fn: Function) -> Lambda:
    """∂ᵢfn, t ↦ ∂fn/∂tᵢ(t)."""
    return V.lam(AxisPartial(fn(V.T), V.T, _I))


def _unit(V: _Space) -> Symbol:
    return vector("eᵢ", V.sp)


def _diff_fn(V: _Space, fn: Function) -> Lambda:
    """Δᵢfn, t ↦ fn(t + eᵢ) − fn(t)."""
    return V.lam(fn(V.T + _unit(V)) - fn(V.T))


def _deriv_hyps(V: _Space, which: str) -> list[str | Hypothesis]:
    if V.discrete:
        return [V.integrable(), Remark("eᵢ is the i-th unit vector of ℤᵈ (the proof uses "
                                       "nothing about it: the identity holds for every shift)"),
                Remark("(Δᵢh)(n) = h(n + eᵢ) − h(n)")]
    note = ("f locally integrable, g ∈ C¹ with compact support" if which == "g" else
            "f ∈ C¹ with compact support, g locally integrable")
    return [DifferentiableUnderIntegral(f, g, note=note + " (dominated convergence)"),
            Remark("∂ᵢ = ∂/∂xᵢ along the axis i ∈ {1, …, d}")]


@theorem("derivative", _both)
def deriv_conv(V: _Space) -> Derivation:
    X, Z = V.X, V.Z
    if V.discrete:
        e = _unit(V)
        lhs = V.conv(f, g, X + e) - V.conv(f, g, X)
        rhs = V.conv(f, _diff_fn(V, g), X)
        a, b = f(Z) * g(X + e - Z), f(Z) * g(X - Z)
        steps: list[tuple[Expr, Rule]] = [
            (V.B(a, Z) - V.B(b, Z), Definition("∗")),
            (V.B(a - b, Z), Linearity()),
            (V.B(f(Z) * (g(X + e - Z) - g(X - Z)), Z), Algebra("factor f(k)")),
            (rhs, Definition("∗")),
        ]
        title = "the difference Δᵢ of f ∗ g is f ∗ Δᵢg"
    else:
        lhs = AxisPartial(V.conv(f, g, X), X, _I)
        dg = _partial(V, g)
        rhs = V.conv(f, dg, X)
        steps = [
            (AxisPartial(V.B(f(Z) * g(X - Z), Z), X, _I), Definition("∗")),
            (V.B(f(Z) * apply_function(dg, [X - Z]), Z), LeibnizAxis()),
            (rhs, Definition("∗")),
        ]
        title = "the derivative ∂ᵢ of f ∗ g is f ∗ ∂ᵢg"
    return _d("deriv_conv", V, title, lhs, rhs, steps, _deriv_hyps(V, "g"), "derivative")


@theorem("derivative", _both)
def deriv_conv_left(V: _Space) -> Derivation:
    X, Z, W = V.X, V.Z, V.W
    to_w, to_z = ChangeOfVariables(Z, X - W, W), ChangeOfVariables(W, X - Z, Z)
    if V.discrete:
        e = _unit(V)
        lhs = V.conv(f, g, X + e) - V.conv(f, g, X)
        df = _diff_fn(V, f)
        rhs = V.conv(df, g, X)
        K = V.U
        steps: list[tuple[Expr, Rule]] = [
            (V.B(f(Z) * g(X + e - Z), Z) - V.B(f(K) * g(X - K), K), Definition("∗")),
            (V.B(f(X + e - W) * g(W), W) - V.B(f(K) * g(X - K), K),
             ChangeOfVariables(Z, X + e - W, W)),
            (V.B(f(X + e - W) * g(W), W) - V.B(f(X - W) * g(W), W),
             ChangeOfVariables(K, X - W, W)),
            (V.B(f(X + e - W) * g(W) - f(X - W) * g(W), W), Linearity()),
            (V.B((f(X + e - W) - f(X - W)) * g(W), W), Algebra("factor g(m)")),
            (V.B((f(Z + e) - f(Z)) * g(X - Z), Z), to_z),
            (rhs, Definition("∗")),
        ]
        title = "the difference Δᵢ of f ∗ g is Δᵢf ∗ g"
    else:
        lhs = AxisPartial(V.conv(f, g, X), X, _I)
        df = _partial(V, f)
        rhs = V.conv(df, g, X)
        steps = [
            (AxisPartial(V.B(f(Z) * g(X - Z), Z), X, _I), Definition("∗")),
            (AxisPartial(V.B(f(X - W) * g(W), W), X, _I), to_w),
            (V.B(apply_function(df, [X - W]) * g(W), W), LeibnizAxis()),
            (V.B(apply_function(df, [Z]) * g(X - Z), Z), to_z),
            (rhs, Definition("∗")),
        ]
        title = "the derivative ∂ᵢ of f ∗ g is ∂ᵢf ∗ g"
    return _d("deriv_conv_left", V, title, lhs, rhs, steps, _deriv_hyps(V, "f"), "derivative")


# -- cross-correlation ----------------------------------------------------------------------


@theorem("cross_correlation", _both)
def xcorr_eq_conv_reflect(V: _Space) -> Derivation:
    X, Z, W, T = V.X, V.Z, V.W, V.T
    lhs, rhs = V.xcorr(f, g, X), V.conv(V.lam(f(-T)), g, X)
    steps = [
        (V.B(f(Z) * g(X + Z), Z), Definition("⋆")),
        (V.B(f(-W) * g(X - W), W), ChangeOfVariables(Z, -W, W)),
        (rhs, Definition("∗")),
    ]
    return _d("xcorr_eq_conv_reflect", V,
              "cross-correlation is convolution with the reflected kernel f̃(x) = f(−x)",
              lhs, rhs, steps, [V.integrable()], "cross_correlation")


@theorem("cross_correlation", _both)
def xcorr_swap(V: _Space) -> Derivation:
    X, Z, W = V.X, V.Z, V.W
    lhs, rhs = V.xcorr(f, g, X), V.xcorr(g, f, -X)
    steps = [
        (V.B(f(Z) * g(X + Z), Z), Definition("⋆")),
        (V.B(f(W - X) * g(W), W), ChangeOfVariables(Z, W - X, W)),
        (rhs, Definition("⋆")),
    ]
    return _d("xcorr_swap", V, "swapping the arguments of ⋆ reflects the result", lhs, rhs,
              steps, [V.integrable()], "cross_correlation")


@theorem("cross_correlation", _both)
def xcorr_comm_counterexample(V: _Space) -> Derivation:
    """Unit impulses at 0 and at e ≠ 0: (δ ⋆ δₑ)(x) − (δₑ ⋆ δ)(x) = δ(x − e) − δ(x + e)."""
    X, Z, T = V.X, V.Z, V.T
    e = vector("e", V.sp)
    d0, d1 = V.lam(V.delta(T)), V.lam(V.delta(T - e))
    lhs = V.xcorr(d0, d1, X) - V.xcorr(d1, d0, X)
    rhs = V.delta(X - e) - V.delta(X + e)
    steps = [
        (V.B(V.delta(Z) * V.delta(X + Z - e), Z) - V.B(V.delta(Z - e) * V.delta(X + Z), Z),
         Definition("⋆")),
        (rhs, SiftVector()),
    ]
    kind = "Kronecker" if V.discrete else "Dirac"
    return _d("xcorr_comm_counterexample", V,
              "cross-correlation is not commutative (counterexample)", lhs, rhs, steps,
              [f"f = δ and g = δ(· − e) ({kind} impulses at 0 and at a point e ≠ 0; "
               "δ(x − e) ≠ δ(x + e))"], "cross_correlation")


# -- identity -------------------------------------------------------------------------------


def _delta_hyps(V: _Space) -> list[str | Hypothesis]:
    if V.discrete:
        return [Remark("δ[n] = 1 if n = 0 else 0 (Kronecker delta on ℤᵈ)")]
    return [Remark("δ is the Dirac distribution of ℝᵈ (∫ φ(z) δ(z − c) dz = φ(c))"),
            Continuous(f)]


@theorem("identity", _both)
def conv_delta(V: _Space) -> Derivation:
    X, Z, T = V.X, V.Z, V.T
    steps = [(V.B(f(Z) * V.delta(X - Z), Z), Definition("∗")), (f(X), SiftVector())]
    return _d("conv_delta", V, "δ is a right identity for ∗", V.conv(f, V.lam(V.delta(T)), X),
              f(X), steps, _delta_hyps(V), "identity")


@theorem("identity", _both)
def delta_conv(V: _Space) -> Derivation:
    X, Z, T = V.X, V.Z, V.T
    steps = [(V.B(V.delta(Z) * f(X - Z), Z), Definition("∗")), (f(X), SiftVector())]
    return _d("delta_conv", V, "δ is a left identity for ∗", V.conv(V.lam(V.delta(T)), f, X),
              f(X), steps, _delta_hyps(V), "identity")


# -- convolution theorem --------------------------------------------------------------------


@theorem("convolution_theorem", _both)
def fourier_conv(V: _Space) -> Derivation:
    X, Z, U, T = V.X, V.Z, V.U, V.T
    xi = vector("ω" if V.discrete else "ξ", space("R"))
    dom = S.Integers if V.discrete else S.Reals

    def phase(p: Expr) -> Expr:
        k = -sympy.I if V.discrete else -2 * pi * sympy.I
        return exp(k * Dot(p, xi))

    def F(fn: Lambda) -> Expr:
        return Fourier(fn, Tuple(xi), dom)

    lhs, rhs = F(V.lam(V.conv(f, g, T))), F(V.lam(f(T))) * F(V.lam(g(T)))
    body = f(Z) * g(X - Z) * phase(X)
    steps = [
        (V.B(V.B(f(Z) * g(X - Z), Z) * phase(X), X), Definition("ℱ")),
        (V.B(body, Z, X), Linearity()),
        (V.B(body, X, Z), Fubini((Z, X))),
        (V.B(f(Z) * V.B(g(X - Z) * phase(X), X), Z), Linearity()),
        (V.B(f(Z) * V.B(g(U) * phase(U + Z), U), Z), ChangeOfVariables(X, U + Z, U)),
        (V.B(f(Z) * phase(Z), Z) * V.B(g(U) * phase(U), U), Linearity()),
        (rhs, Definition("ℱ")),
    ]
    if V.discrete:
        hyps = [V.integrable(), Remark("ℱ is the DTFT ℱ[f](ω) = Σ_{n ∈ ℤᵈ} f(n) e^{−i n·ω}, "
                                       "ω ∈ ℝᵈ")]
        title = "the DTFT turns convolution into multiplication"
    else:
        hyps = [V.integrable(), Remark("ℱ[f](ξ) = ∫_{ℝᵈ} f(x) e^{−2πi x·ξ} dx")]
        title = "the Fourier transform turns convolution into multiplication"
    return _d("fourier_conv", V, title, lhs, rhs, steps, hyps, "convolution_theorem")


# -- multichannel ---------------------------------------------------------------------------


@theorem("multichannel", _both)
def multichannel_xcorr(V: _Space) -> Derivation:
    X, Z, T = V.X, V.Z, V.T
    w, v = Function("w"), Function("v")
    c = Symbol("c", integer=True)
    C = Symbol("C", integer=True, positive=True)
    body = w(c, Z) * v(c, X + Z)
    rhs = Sum(V.xcorr(V.lam(w(c, T)), V.lam(v(c, T)), X), (c, 0, C - 1))
    if V.discrete:
        lhs = Sum(body, (c, 0, C - 1), (Z, -oo, oo))
        steps: list[tuple[Expr, Rule]] = [(Sum(body, (Z, -oo, oo), (c, 0, C - 1)),
                                           Fubini((c, Z)))]
    else:
        lhs = V.B(Sum(body, (c, 0, C - 1)), Z)
        steps = [(Sum(V.B(body, Z), (c, 0, C - 1)), ExchangeSumIntegral())]
    steps.append((rhs, Definition("⋆")))
    space_name = "ℓ¹" if V.discrete else "L¹"
    return _d("multichannel_xcorr", V,
              "a multi-channel layer is the sum over channels of single-channel ⋆", lhs, rhs,
              steps, [AbsolutelyConvergent(w, v, note=f"w(c, ·), v(c, ·) ∈ {space_name}"
                                           f"({V.domain}) for each of the C channels "
                                           "c = 0 … C − 1",
                                           domain="ℤ" if V.discrete else "ℝ")],
              "multichannel")


# -- backpropagation on ℤᵈ ------------------------------------------------------------------


def _zd() -> list[tuple[_Space]]:
    return [(_Space(True),)]


class _Layer:
    """y(t) = b + Σ_{j ∈ ℤᵈ} w(j)·x(s·t + r·j − p) on ℤᵈ: stride s and dilation r (the same
    on every axis: positive integers), padding p ∈ ℤᵈ; ``strided=False``: s = r = 1."""

    def __init__(self, V: _Space, strided: bool = True) -> None:
        self.V, self.strided = V, strided
        self.x, self.w, self.gr, self.b = (Function("x"), Function("w"), Function("g"),
                                           Symbol("b"))
        self.t, self.j, self.u, self.i, self.v = (vector(n, V.sp)
                                                  for n in ("t", "j", "u", "i", "v"))
        self.p = vector("p", V.sp)
        # (the dilation is r: d is the dimension)
        self.s, self.r = ((Symbol("s", integer=True, positive=True),
                           Symbol("r", integer=True, positive=True)) if strided
                          else (S.One, S.One))
        self.tau = vector("τ", V.sp)

    def index(self, t: Expr, j: Expr) -> Expr:
        return self.s * t + self.r * j - self.p

    def loss(self) -> Expr:
        V, t, j = self.V, self.t, self.j
        y = self.b + V.B(self.w(j) * self.x(self.index(t, j)), j)
        return V.B(self.gr(t) * y, t)

    def up(self, fn: Function, factor: Expr, pt: Expr) -> Expr:
        """(↑_factor fn)(pt): zero insertion on ℤᵈ."""
        return Upsample(Lambda((self.tau,), fn(self.tau)), (factor,), (pt,))

    def up_fn(self, fn: Function, factor: Expr) -> Lambda:
        return Lambda((self.V.T,), self.up(fn, factor, self.V.T))

    def hyps(self) -> list[str | Hypothesis]:
        layer = ("y(t) = b + Σ_{j ∈ ℤᵈ} w(j)·x(s·t + r·j − p): stride s and dilation r, the "
                 "same on every axis (positive integers), padding p ∈ ℤᵈ" if self.strided else
                 "y(t) = b + Σ_{j ∈ ℤᵈ} w(j)·x(t + j − p): stride 1, dilation 1, padding "
                 "p ∈ ℤᵈ")
        return [
            AbsolutelyConvergent(self.x, self.w, self.gr, note="x, w, g are 0 outside finite "
                                 "ranges (zero padding)", domain="ℤ"),
            layer + "; x and w are extended by 0 outside their ranges, g(t) = ∂L/∂y(t) is 0 "
            "outside the output range",
            "chain rule: ∂L/∂θ = ∂/∂θ Σ_t g(t)·y(t) with g held fixed",
        ]


def _bp(name: str, V: _Space, title: str, lhs: Expr, rhs: Expr,
        steps: Sequence[tuple[Expr, Rule]], L: _Layer) -> Derivation:
    return _d(name, V, title, lhs, rhs, steps, L.hyps(), "backprop")


@theorem("backprop", _zd)
def conv_input_grad_unit_stride(V: _Space) -> Derivation:
    L = _Layer(V, strided=False)
    x, w, gr, t, j, u, p = L.x, L.w, L.gr, L.t, L.j, L.u, L.p
    lhs = Partial(L.loss(), x(u))
    full = V.conv(w, gr, u + p)
    flipped = V.lam(w(-V.T))  # w rotated 180° (flipped along every axis): w(−τ)
    rhs = V.xcorr(flipped, gr, u + p)
    body = gr(t) * w(j) * V.delta(t + j - p - u)
    steps = [
        (V.B(gr(t) * V.B(w(j) * V.delta(t + j - p - u), j), t), DifferentiateLinear()),
        (V.B(body, j, t), Linearity()),
        (V.B(body, t, j), Fubini((j, t))),
        (V.B(w(j) * V.B(gr(t) * V.delta(t + j - p - u), t), j), Linearity()),
        (V.B(w(j) * gr(u + p - j), j), SiftVector()),
        (full, Definition("∗")),
        # (w ∗ g)(n) = (w̃ ⋆ g)(n) with w̃(τ) = w(−τ): the lemma f ⋆ g = f̃ ∗ g with f := w̃
        (rhs, Lemma("xcorr_eq_conv_reflect:Zd", {"f": flipped, "n": u + p})),
    ]
    return _bp("conv_input_grad_unit_stride", V,
               "the input gradient is the full convolution w ∗ g: the correlation of g with "
               "the kernel rotated 180°", lhs, rhs, steps, L)


@theorem("backprop", _zd)
def conv_weight_grad_unit_stride(V: _Space) -> Derivation:
    L = _Layer(V, strided=False)
    x, w, gr, t, j, i, p = L.x, L.w, L.gr, L.t, L.j, L.i, L.p
    lhs = Partial(L.loss(), w(i))
    rhs = V.xcorr(gr, x, i - p)
    steps = [
        (V.B(gr(t) * V.B(V.delta(j - i) * x(t + j - p), j), t), DifferentiateLinear()),
        (V.B(gr(t) * x(t + i - p), t), SiftVector()),
        (rhs, Definition("⋆")),
    ]
    return _bp("conv_weight_grad_unit_stride", V,
               "the weight gradient is the cross-correlation g ⋆ x of the output gradient "
               "with the input", lhs, rhs, steps, L)


@theorem("backprop", _zd)
def conv_bias_grad(V: _Space) -> Derivation:
    L = _Layer(V)
    lhs = Partial(L.loss(), L.b)
    rhs = V.B(L.gr(L.t), L.t)
    return _bp("conv_bias_grad", V, "bias gradient = sum of the output gradient", lhs, rhs,
               [(rhs, DifferentiateLinear())], L)


@theorem("backprop", _zd)
def conv_input_grad(V: _Space) -> Derivation:
    L = _Layer(V)
    x, w, gr, t, j, u, v, p, s, r = L.x, L.w, L.gr, L.t, L.j, L.u, L.v, L.p, L.s, L.r
    lhs = Partial(L.loss(), x(u))
    rhs = V.conv(L.up_fn(w, r), L.up_fn(gr, s), u + p)
    delta = V.delta(L.index(t, j) - u)
    body = gr(t) * w(j) * delta
    G_at = L.up(gr, s, u + p - v)
    steps: list[tuple[Expr, Rule]] = [
        (V.B(gr(t) * V.B(w(j) * delta, j), t), DifferentiateLinear()),
        (V.B(body, j, t), Linearity()),
        (V.B(body, t, j), Fubini((j, t))),
        (V.B(w(j) * V.B(gr(t) * delta, t), j), Linearity()),
        (V.B(w(j) * L.up(gr, s, u + p - r * j), j), Definition("↑")),
        (V.B(w(j) * V.B(V.delta(r * j - v) * G_at, v), j), SiftVector()),
        (V.B(w(j) * V.delta(r * j - v) * G_at, v, j), Linearity()),
        (V.B(w(j) * V.delta(r * j - v) * G_at, j, v), Fubini((v, j))),
        (V.B(V.B(w(j) * V.delta(r * j - v), j) * G_at, v), Linearity()),
        (V.B(L.up(w, r, v) * G_at, v), Definition("↑")),
        (rhs, Definition("∗")),
    ]
    return _bp("conv_input_grad", V,
               "input gradient = full convolution of the upsampled gradient with the dilated "
               "kernel (transposed convolution)", lhs, rhs, steps, L)


@theorem("backprop", _zd)
def conv_weight_grad(V: _Space) -> Derivation:
    L = _Layer(V)
    x, w, gr, t, j, i, v, p, s, r = L.x, L.w, L.gr, L.t, L.j, L.i, L.v, L.p, L.s, L.r
    lhs = Partial(L.loss(), w(i))
    base = r * i - p
    rhs = V.xcorr(L.up_fn(gr, s), x, base)
    xv = x(base + v)
    body = gr(t) * V.delta(s * t - v) * xv
    steps: list[tuple[Expr, Rule]] = [
        (V.B(gr(t) * V.B(V.delta(j - i) * x(L.index(t, j)), j), t), DifferentiateLinear()),
        (V.B(gr(t) * x(L.index(t, i)), t), SiftVector()),
        (V.B(gr(t) * V.B(V.delta(s * t - v) * xv, v), t), SiftVector()),
        (V.B(body, v, t), Linearity()),
        (V.B(body, t, v), Fubini((v, t))),
        (V.B(V.B(gr(t) * V.delta(s * t - v), t) * xv, v), Linearity()),
        (V.B(L.up(gr, s, v) * xv, v), Definition("↑")),
        (rhs, Definition("⋆")),
    ]
    return _bp("conv_weight_grad", V,
               "weight gradient = cross-correlation of the input with the upsampled gradient",
               lhs, rhs, steps, L)
