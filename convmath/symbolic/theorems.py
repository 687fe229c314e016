"""The theorem registry: every derivation convmath proves, for every domain where it holds.

Main results (mathlib-style names). Each holds on ℝᵈ and ℤᵈ for every d: the registry holds
a derivation for a symbolic d (keys ``:Rd``, ``:Zd``, with one vector variable per point;
:mod:`convmath.symbolic._dimension_free`) and, written here once for any number of
coordinates, its instances for ℝ, ℝ², ℝ³, ℤ, ℤ², ℤ³ (one variable per coordinate; the tests
check each is the general statement with d put in) unless noted:

- ``conv_comm`` f ∗ g = g ∗ f; ``conv_assoc`` (f ∗ g) ∗ h = f ∗ (g ∗ h);
- ``conv_add``, ``add_conv``, ``conv_smul``, ``smul_conv`` — bilinearity;
- ``shift_conv``, ``conv_shift`` — translation equivariance τₐf ∗ g = τₐ(f ∗ g) = f ∗ τₐg;
  ``shift_conv_shift`` τₐf ∗ τ_b g = τ_{a+b}(f ∗ g), from those two as lemmas;
- ``deriv_conv``, ``deriv_conv_left`` — ∂ᵢ(f ∗ g) = f ∗ ∂ᵢg = ∂ᵢf ∗ g (Δᵢ on ℤⁿ) for every
  axis i (keys ``deriv_conv:R2:axis1``, ``…:axis2``);
- ``xcorr_eq_conv_reflect`` f ⋆ g = f̃ ∗ g; ``xcorr_swap`` (f ⋆ g)(x) = (g ⋆ f)(−x);
  ``xcorr_comm_counterexample`` a counterexample to f ⋆ g = g ⋆ f (ℝ, ℤ);
- ``conv_delta``, ``delta_conv`` — δ is the identity;
- ``fourier_conv`` ℱ[f ∗ g] = ℱ[f]·ℱ[g] (Fourier transform on ℝⁿ, DTFT on ℤⁿ);
- ``conv_support_left``, ``conv_support_right`` — for supports [0, N − 1] and [0, M − 1]
  (general N, M), f ∗ g vanishes outside [0, N + M − 2]: N + M − 1 points;
  ``conv_support_length_*`` — the same at fixed sizes with symbolic entries (ℤ and ℤ²);
- ``multichannel_xcorr`` — a multi-channel layer is the sum over channels;
- ``conv_input_grad``, ``conv_weight_grad``, ``conv_bias_grad`` — backpropagation through a
  strided, padded, dilated layer on ℤ and ℤ² (general sizes, by index substitution; also
  ``conv_*_grad_multichannel`` for C_in → C_out channels, ``conv_*_grad_grouped`` with
  groups), and
  ``conv_backprop_fixed_*`` — the same at fixed sizes with symbolic entries.

:func:`derivations` returns them all (built once, on first use).
"""

from __future__ import annotations

import difflib
import functools
import itertools
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import sympy
from sympy import (
    Derivative,
    DiracDelta,
    Eq,
    Expr,
    Function,
    Integral,
    KroneckerDelta,
    Lambda,
    Mul,
    S,
    Sum,
    Symbol,
    Tuple,
    exp,
    oo,
    pi,
)

from convmath.errors import InvalidArgument
from convmath.symbolic import _arithmetic, _backprop, _dimension_free
from convmath.symbolic.derivation import Derivation, Step, set_lemma_source
from convmath.symbolic.explanations import explain
from convmath.symbolic.kernel import (
    AbsolutelyConvergent,
    Continuous,
    DifferentiableUnderIntegral,
    Hypothesis,
    Remark,
    Support,
)
from convmath.symbolic.operators import (
    _SUBSCRIPTS,
    Difference,
    Fourier,
    Named,
    conv,
    domain_name,
    xcorr,
)
from convmath.symbolic.printing import text
from convmath.symbolic.registry import DOMAINS, registered, theorem
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
    RestrictToSupport,
    ReverseLimits,
    Rule,
    Sift,
    Substitute,
    VanishOutsideSupport,
)

__all__ = ["FAMILIES", "derivations", "search", "suggest"]

FAMILIES = (
    "commutativity", "associativity", "bilinearity", "translation_equivariance",
    "derivative", "cross_correlation", "identity", "convolution_theorem", "support",
    "multichannel", "backprop", "arithmetic",
)

f, g, h = Function("f"), Function("g"), Function("h")
# ℝⁿ and ℤⁿ are checked for n = 1, 2, 3: each derivation is written once for any n, but
# SymPy checks it for a given number of variables (no claim for n ≥ 4 is machine-checked).


class _Ctx:
    """Symbols and helpers for one domain (ℝ, ℝ², ℤ or ℤ²)."""

    def __init__(self, ndim: int, discrete: bool) -> None:
        self.ndim, self.discrete = ndim, discrete
        self.domain = domain_name(S.Integers if discrete else S.Reals, ndim)

        def syms(base: str) -> tuple[Symbol, ...]:
            names = [base] if ndim == 1 else [f"{base}{i + 1}" for i in range(ndim)]
            return tuple(Symbol(n, integer=True) if discrete else Symbol(n, real=True)
                         for n in names)

        self.X = syms("n" if discrete else "x")
        self.Z = syms("k" if discrete else "z")
        self.W = syms("m" if discrete else "w")
        self.U = syms("j" if discrete else "u")
        # the variables of the functions' Lambdas carry no assumptions (what a function
        # is applied at is the operator's business), as in as_function
        self.T = tuple(Symbol(str(t)) for t in syms("t"))
        self.A = syms("a")
        # the frequency is real on ℝⁿ and on ℤⁿ (the DTFT is 2π-periodic in each ω)
        self.XI = tuple(Symbol(str(v), real=True) for v in syms("ω" if discrete else "ξ"))
        self.c = Symbol("c")

    def B(self, body: Expr, vs: Sequence[Symbol], lims: Sequence[tuple[Expr, Expr]] | None
          = None) -> Expr:
        """∫ or Σ over ``vs`` (innermost first), over all of ℝ/ℤ unless ``lims`` is given."""
        bounds = lims or [(-oo, oo)] * len(vs)
        limits = [(v, lo, hi) for v, (lo, hi) in zip(vs, bounds, strict=False)]
        return Sum(body, *limits) if self.discrete else Integral(body, *limits)

    def sub(self, a: Sequence[Expr], b: Sequence[Expr]) -> tuple[Expr, ...]:
        return tuple(x - y for x, y in zip(a, b, strict=False))

    def add(self, a: Sequence[Expr], b: Sequence[Expr]) -> tuple[Expr, ...]:
        return tuple(x + y for x, y in zip(a, b, strict=False))

    def neg(self, a: Sequence[Expr]) -> tuple[Expr, ...]:
        return tuple(-x for x in a)

    def lam(self, body: Callable[[tuple[Symbol, ...]], Expr]) -> Lambda:
        return Lambda(self.T, body(self.T))

    def conv(self, F: object, G: object, pt: Sequence[Expr]) -> Expr:
        return conv(F, G, tuple(pt), discrete=self.discrete)

    def xcorr(self, F: object, G: object, pt: Sequence[Expr]) -> Expr:
        return xcorr(F, G, tuple(pt), discrete=self.discrete)

    @property
    def jac(self) -> Expr:
        """Jacobian sign of z = x − w in every coordinate: (−1)ⁿ."""
        return S.NegativeOne ** self.ndim

    def integrable(self, *fns: Function) -> AbsolutelyConvergent:
        fns = fns or (f, g)
        names = ", ".join(str(fn) for fn in fns)
        space = "ℓ¹" if self.discrete else "L¹"
        return AbsolutelyConvergent(*fns, note=f"{names} ∈ {space}({self.domain})",
                                    domain="ℤ" if self.discrete else "ℝ")

    def reversed_limits(self, vs: Sequence[Symbol]) -> list[tuple[Expr, Expr]]:
        return [(oo, -oo)] * len(vs)


def _every_domain() -> list[tuple[_Ctx]]:
    return [(_Ctx(ndim, discrete),) for ndim, discrete in DOMAINS]


def _every_axis() -> list[tuple[_Ctx, int]]:
    """∂ᵢ / Δᵢ for every axis i of every domain."""
    return [(_Ctx(ndim, discrete), axis) for ndim, discrete in DOMAINS
            for axis in range(1, ndim + 1)]


def _d(name: str, ctx: _Ctx, title: str, lhs: Expr, rhs: Expr, steps: list[tuple[Expr, Rule]],
       hyps: Sequence[str | Hypothesis], family: str, variant: str = "") -> Derivation:
    return Derivation(
        name=name, domain=ctx.domain, title=title, statement=Eq(lhs, rhs, evaluate=False),
        steps=tuple(Step(e, r) for e, r in steps), hypotheses=tuple(hyps), family=family,
        variant=variant,
    )


# -- commutativity, associativity -----------------------------------------------------------


@theorem("commutativity", _every_domain)
def conv_comm(ctx: _Ctx) -> Derivation:
    X, Z, W = ctx.X, ctx.Z, ctx.W
    steps: list[tuple[Expr, Rule]] = [(ctx.B(f(*Z) * g(*ctx.sub(X, Z)), Z), Definition("∗"))]
    subst = Substitute(*[(z, x - w, w) for z, x, w in zip(Z, X, W, strict=False)])
    if ctx.discrete:
        steps.append((ctx.B(f(*ctx.sub(X, W)) * g(*W), W), subst))
    else:
        steps.append((ctx.B(f(*ctx.sub(X, W)) * g(*W) * ctx.jac, W,
                            ctx.reversed_limits(W)), subst))
        steps.append((ctx.B(g(*W) * f(*ctx.sub(X, W)), W), ReverseLimits(*W)))
    steps.append((ctx.conv(g, f, X), Definition("∗")))
    return _d("conv_comm", ctx, "convolution is commutative", ctx.conv(f, g, X),
              ctx.conv(g, f, X), steps, [ctx.integrable()], "commutativity")


@theorem("associativity", _every_domain)
def conv_assoc(ctx: _Ctx) -> Derivation:
    X, Z, W, U, T = ctx.X, ctx.Z, ctx.W, ctx.U, ctx.T
    fg = Lambda(T, ctx.conv(f, g, T))
    gh = Lambda(T, ctx.conv(g, h, T))
    lhs, rhs = ctx.conv(fg, h, X), ctx.conv(f, gh, X)
    body = f(*W) * g(*ctx.sub(Z, W)) * h(*ctx.sub(X, Z))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(ctx.B(f(*W) * g(*ctx.sub(Z, W)), W) * h(*ctx.sub(X, Z)), Z), Definition("∗")),
        (ctx.B(body, (*W, *Z)), Linearity()),
        (ctx.B(body, (*Z, *W)), Fubini(*zip(W, Z, strict=False))),
        (ctx.B(f(*W) * ctx.B(g(*ctx.sub(Z, W)) * h(*ctx.sub(X, Z)), Z), W), Linearity()),
        (ctx.B(f(*W) * ctx.B(g(*U) * h(*ctx.sub(ctx.sub(X, W), U)), U), W),
         Substitute(*[(z, u + w, u) for z, u, w in zip(Z, U, W, strict=False)])),
        (ctx.B(f(*W) * ctx.conv(g, h, ctx.sub(X, W)), W), Definition("∗")),
        (rhs, Definition("∗")),
    ]
    return _d("conv_assoc", ctx, "convolution is associative", lhs, rhs, steps,
              [ctx.integrable(f, g, h),
               "Fubini–Tonelli applies: ∫∫|f(w) g(z − w) h(x − z)| < ∞" if not ctx.discrete
               else "Fubini–Tonelli applies: ΣΣ|f(m) g(k − m) h(n − k)| < ∞"],
              "associativity")


# -- bilinearity ----------------------------------------------------------------------------


@theorem("bilinearity", _every_domain)
def conv_add(ctx: _Ctx) -> Derivation:
    X, Z = ctx.X, ctx.Z
    gph = ctx.lam(lambda t: g(*t) + h(*t))
    lhs, rhs = ctx.conv(f, gph, X), ctx.conv(f, g, X) + ctx.conv(f, h, X)
    a, b = f(*Z) * g(*ctx.sub(X, Z)), f(*Z) * h(*ctx.sub(X, Z))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(f(*Z) * (g(*ctx.sub(X, Z)) + h(*ctx.sub(X, Z))), Z), Definition("∗")),
        (ctx.B(a + b, Z), Algebra("expand")),
        (ctx.B(a, Z) + ctx.B(b, Z), Linearity()),
        (rhs, Definition("∗")),
    ]
    return _d("conv_add", ctx, "convolution distributes over + on the right", lhs, rhs,
              steps, [ctx.integrable(f, g, h)], "bilinearity")


@theorem("bilinearity", _every_domain)
def add_conv(ctx: _Ctx) -> Derivation:
    X, Z = ctx.X, ctx.Z
    fpg = ctx.lam(lambda t: f(*t) + g(*t))
    lhs, rhs = ctx.conv(fpg, h, X), ctx.conv(f, h, X) + ctx.conv(g, h, X)
    a, b = f(*Z) * h(*ctx.sub(X, Z)), g(*Z) * h(*ctx.sub(X, Z))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B((f(*Z) + g(*Z)) * h(*ctx.sub(X, Z)), Z), Definition("∗")),
        (ctx.B(a + b, Z), Algebra("expand")),
        (ctx.B(a, Z) + ctx.B(b, Z), Linearity()),
        (rhs, Definition("∗")),
    ]
    return _d("add_conv", ctx, "convolution distributes over + on the left", lhs, rhs,
              steps, [ctx.integrable(f, g, h)], "bilinearity")


@theorem("bilinearity", _every_domain)
def smul_conv(ctx: _Ctx) -> Derivation:
    X, Z, c = ctx.X, ctx.Z, ctx.c
    cf = ctx.lam(lambda t: c * f(*t))
    lhs, rhs = ctx.conv(cf, g, X), c * ctx.conv(f, g, X)
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(c * f(*Z) * g(*ctx.sub(X, Z)), Z), Definition("∗")),
        (c * ctx.B(f(*Z) * g(*ctx.sub(X, Z)), Z), Linearity()),
        (rhs, Definition("∗")),
    ]
    return _d("smul_conv", ctx, "scalars move out of the left factor", lhs, rhs, steps,
              [ctx.integrable(), Remark("c is a constant")], "bilinearity")


@theorem("bilinearity", _every_domain)
def conv_smul(ctx: _Ctx) -> Derivation:
    X, Z, c = ctx.X, ctx.Z, ctx.c
    cg = ctx.lam(lambda t: c * g(*t))
    lhs, rhs = ctx.conv(f, cg, X), c * ctx.conv(f, g, X)
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(c * f(*Z) * g(*ctx.sub(X, Z)), Z), Definition("∗")),
        (c * ctx.B(f(*Z) * g(*ctx.sub(X, Z)), Z), Linearity()),
        (rhs, Definition("∗")),
    ]
    return _d("conv_smul", ctx, "scalars move out of the right factor", lhs, rhs, steps,
              [ctx.integrable(), Remark("c is a constant")], "bilinearity")


# -- translation ----------------------------------------------------------------------------


@theorem("translation_equivariance", _every_domain)
def shift_conv(ctx: _Ctx) -> Derivation:
    X, Z, W, A = ctx.X, ctx.Z, ctx.W, ctx.A
    tf = ctx.lam(lambda t: f(*ctx.sub(t, A)))
    lhs, rhs = ctx.conv(tf, g, X), ctx.conv(f, g, ctx.sub(X, A))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(f(*ctx.sub(Z, A)) * g(*ctx.sub(X, Z)), Z), Definition("∗")),
        (ctx.B(f(*W) * g(*ctx.sub(ctx.sub(X, W), A)), W),
         Substitute(*[(z, w + a, w) for z, w, a in zip(Z, W, A, strict=False)])),
        (rhs, Definition("∗")),
    ]
    return _d("shift_conv", ctx, "translating f translates f ∗ g (τₐf ∗ g = τₐ(f ∗ g))",
              lhs, rhs, steps,
              [ctx.integrable(), Remark("(τₐf)(x) = f(x − a)")],
              "translation_equivariance")


@theorem("translation_equivariance", _every_domain)
def conv_shift(ctx: _Ctx) -> Derivation:
    X, Z, A = ctx.X, ctx.Z, ctx.A
    tg = ctx.lam(lambda t: g(*ctx.sub(t, A)))
    lhs, rhs = ctx.conv(f, tg, X), ctx.conv(f, g, ctx.sub(X, A))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(f(*Z) * g(*ctx.sub(ctx.sub(X, Z), A)), Z), Definition("∗")),
        (rhs, Definition("∗")),
    ]
    return _d("conv_shift", ctx, "translating g translates f ∗ g (f ∗ τₐg = τₐ(f ∗ g))",
              lhs, rhs, steps,
              [ctx.integrable(), Remark("(τₐg)(x) = g(x − a)")],
              "translation_equivariance")


@theorem("translation_equivariance", _every_domain)
def shift_conv_shift(ctx: _Ctx) -> Derivation:
    """(τₐf ∗ τ_b g)(x) = (f ∗ g)(x − a − b), from the two one-sided lemmas."""
    X, A = ctx.X, ctx.A
    Bs = tuple(Symbol(str(a).replace("a", "b"), integer=True) if ctx.discrete
               else Symbol(str(a).replace("a", "b"), real=True) for a in A)
    tf = ctx.lam(lambda t: f(*ctx.sub(t, A)))
    tg = ctx.lam(lambda t: g(*ctx.sub(t, Bs)))
    lhs = ctx.conv(tf, tg, X)
    rhs = ctx.conv(f, g, ctx.sub(ctx.sub(X, A), Bs))
    dom = ctx.domain.replace("ℝ", "R").replace("ℤ", "Z").replace("²", "2").replace("³", "3")
    second = {str(x): x - a for x, a in zip(X, A, strict=True)}
    second.update({str(a): b for a, b in zip(A, Bs, strict=True)})
    steps: list[tuple[Expr, Rule]] = [
        (ctx.conv(f, tg, ctx.sub(X, A)), Lemma(f"shift_conv:{dom}", {"g": tg})),
        (rhs, Lemma(f"conv_shift:{dom}", second)),
    ]
    return _d("shift_conv_shift", ctx, "translating both factors adds the translations",
              lhs, rhs, steps,
              [ctx.integrable(), Remark("(τₐf)(x) = f(x − a), (τ_b g)(x) = g(x − b)"),
               Remark("uses the lemmas shift_conv and conv_shift")],
              "translation_equivariance")


# -- derivatives ----------------------------------------------------------------------------


def _e(ctx: _Ctx, axis: int) -> tuple[int, ...]:
    """The unit vector eᵢ (``axis`` = i counts from 1)."""
    return tuple(1 if k == axis else 0 for k in range(1, ctx.ndim + 1))


def _dg(ctx: _Ctx, fn: Function, axis: int) -> Lambda:
    """∂ᵢfn on ℝⁿ, the forward difference Δᵢfn = fn(· + eᵢ) − fn on ℤⁿ."""
    T = ctx.T
    if ctx.discrete:
        return Lambda(T, fn(*ctx.add(T, _e(ctx, axis))) - fn(*T))
    return Lambda(T, Derivative(fn(*T), T[axis - 1]))


def _D(ctx: _Ctx, e: Expr, axis: int) -> Expr:
    xi = ctx.X[axis - 1]
    return Difference(e, xi) if ctx.discrete else Derivative(e, xi)


def _hyp_deriv(ctx: _Ctx, which: str, axis: int) -> list[Hypothesis]:
    if ctx.discrete:
        return [ctx.integrable()]
    note = ("f locally integrable, g ∈ C¹ with compact support" if which == "g" else
            "f ∈ C¹ with compact support, g locally integrable")
    return [DifferentiableUnderIntegral(f, g, note=note + " (dominated convergence)")]


def _axis_title(ctx: _Ctx, axis: int, what: str) -> str:
    """'the derivative of f ∗ g is f ∗ ∂g' on ℝ; '… ∂₂ of f ∗ g is f ∗ ∂₂g' on ℝⁿ."""
    op = "Δ" if ctx.discrete else "∂"
    sub = "" if ctx.ndim == 1 else str(axis).translate(_SUBSCRIPTS)
    noun = "difference" if ctx.discrete else "derivative"
    head = f"the {noun} of f ∗ g" if ctx.ndim == 1 else f"the {noun} {op}{sub} of f ∗ g"
    return f"{head} is " + what.replace("D", op + sub)


def _axis_variant(ctx: _Ctx, axis: int) -> str:
    return "" if ctx.ndim == 1 else f"axis{axis}"


@theorem("derivative", _every_axis)
def deriv_conv(ctx: _Ctx, axis: int = 1) -> Derivation:
    X, Z = ctx.X, ctx.Z
    xi = X[axis - 1]
    dg = _dg(ctx, g, axis)
    lhs, rhs = _D(ctx, ctx.conv(f, g, X), axis), ctx.conv(f, dg, X)
    XZ = ctx.sub(X, Z)
    steps: list[tuple[Expr, Rule]] = [(_D(ctx, ctx.B(f(*Z) * g(*XZ), Z), axis),
                                       Definition("∗"))]
    if ctx.discrete:
        shifted = g(*ctx.add(XZ, _e(ctx, axis)))
        steps += [
            (ctx.B(f(*Z) * shifted - f(*Z) * g(*XZ), Z), DifferenceUnderSum()),
            (ctx.B(f(*Z) * (shifted - g(*XZ)), Z), Algebra(f"factor {text(f(*Z))}")),
        ]
    else:
        steps.append((ctx.B(f(*Z) * g(*XZ).diff(xi), Z), Leibniz()))
    steps.append((rhs, Definition("∗")))
    return _d("deriv_conv", ctx, _axis_title(ctx, axis, "f ∗ Dg"), lhs, rhs, steps,
              _hyp_deriv(ctx, "g", axis), "derivative", _axis_variant(ctx, axis))


@theorem("derivative", _every_axis)
def deriv_conv_left(ctx: _Ctx, axis: int = 1) -> Derivation:
    X, Z, W = ctx.X, ctx.Z, ctx.W
    xi = X[axis - 1]
    df = _dg(ctx, f, axis)
    lhs, rhs = _D(ctx, ctx.conv(f, g, X), axis), ctx.conv(df, g, X)
    XZ, XW = ctx.sub(X, Z), ctx.sub(X, W)
    to_w = Substitute(*[(z, x - w, w) for z, x, w in zip(Z, X, W, strict=False)])
    to_z = Substitute(*[(w, x - z, z) for z, x, w in zip(Z, X, W, strict=False)])
    steps: list[tuple[Expr, Rule]] = [(_D(ctx, ctx.B(f(*Z) * g(*XZ), Z), axis),
                                       Definition("∗"))]
    if ctx.discrete:
        ei = _e(ctx, axis)
        steps += [
            (Difference(ctx.B(f(*XW) * g(*W), W), xi), to_w),
            (ctx.B(f(*ctx.add(XW, ei)) * g(*W) - f(*XW) * g(*W), W), DifferenceUnderSum()),
            (ctx.B((f(*ctx.add(XW, ei)) - f(*XW)) * g(*W), W),
             Algebra(f"factor {text(g(*W))}")),
            (ctx.B((f(*ctx.add(Z, ei)) - f(*Z)) * g(*XZ), Z), to_z),
        ]
    else:
        dfz = Derivative(f(*ctx.T), ctx.T[axis - 1]).subs(dict(zip(ctx.T, Z, strict=True)),
                                                          simultaneous=True)
        steps += [
            (Derivative(ctx.B(f(*XW) * g(*W) * ctx.jac, W, ctx.reversed_limits(W)), xi), to_w),
            (Derivative(ctx.B(f(*XW) * g(*W), W), xi), ReverseLimits(*W)),
            (ctx.B(f(*XW).diff(xi) * g(*W), W), Leibniz()),
            (ctx.B(dfz * g(*XZ) * ctx.jac, Z, ctx.reversed_limits(Z)), to_z),
            (ctx.B(dfz * g(*XZ), Z), ReverseLimits(*Z)),
        ]
    steps.append((rhs, Definition("∗")))
    return _d("deriv_conv_left", ctx, _axis_title(ctx, axis, "Df ∗ g"), lhs, rhs, steps,
              _hyp_deriv(ctx, "f", axis), "derivative", _axis_variant(ctx, axis))


# -- cross-correlation ----------------------------------------------------------------------


@theorem("cross_correlation", _every_domain)
def xcorr_eq_conv_reflect(ctx: _Ctx) -> Derivation:
    X, Z, W = ctx.X, ctx.Z, ctx.W
    fr = ctx.lam(lambda t: f(*ctx.neg(t)))
    lhs, rhs = ctx.xcorr(f, g, X), ctx.conv(fr, g, X)
    subst = Substitute(*[(z, -w, w) for z, w in zip(Z, W, strict=False)])
    steps: list[tuple[Expr, Rule]] = [(ctx.B(f(*Z) * g(*ctx.add(X, Z)), Z), Definition("⋆"))]
    if ctx.discrete:
        steps.append((ctx.B(f(*ctx.neg(W)) * g(*ctx.sub(X, W)), W), subst))
    else:
        steps += [
            (ctx.B(f(*ctx.neg(W)) * g(*ctx.sub(X, W)) * ctx.jac, W, ctx.reversed_limits(W)),
             subst),
            (ctx.B(f(*ctx.neg(W)) * g(*ctx.sub(X, W)), W), ReverseLimits(*W)),
        ]
    steps.append((rhs, Definition("∗")))
    return _d("xcorr_eq_conv_reflect", ctx,
              "cross-correlation is convolution with the reflected kernel f̃(x) = f(−x)",
              lhs, rhs, steps, [ctx.integrable()], "cross_correlation")


@theorem("cross_correlation", _every_domain)
def xcorr_swap(ctx: _Ctx) -> Derivation:
    X, Z, W = ctx.X, ctx.Z, ctx.W
    lhs, rhs = ctx.xcorr(f, g, X), ctx.xcorr(g, f, ctx.neg(X))
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(f(*Z) * g(*ctx.add(X, Z)), Z), Definition("⋆")),
        (ctx.B(f(*ctx.sub(W, X)) * g(*W), W),
         Substitute(*[(z, w - x, w) for z, x, w in zip(Z, X, W, strict=False)])),
        (rhs, Definition("⋆")),
    ]
    return _d("xcorr_swap", ctx, "swapping the arguments of ⋆ reflects the result", lhs, rhs,
              steps, [ctx.integrable()], "cross_correlation")


@theorem("cross_correlation", lambda: [(_Ctx(1, False),), (_Ctx(1, True),)])
def xcorr_comm_counterexample(ctx: _Ctx) -> Derivation:
    """A counterexample to f ⋆ g = g ⋆ f: unit impulses at 0 and at 1."""
    X, Z = ctx.X, ctx.Z
    x = X[0]
    if ctx.discrete:
        d0 = Lambda(ctx.T, KroneckerDelta(ctx.T[0], 0))
        d1 = Lambda(ctx.T, KroneckerDelta(ctx.T[0], 1))
        k = Z[0]
        lhs = ctx.xcorr(d0, d1, (1,)) - ctx.xcorr(d1, d0, (1,))
        rhs: Expr = S.One
        steps: list[tuple[Expr, Rule]] = [
            (Sum(KroneckerDelta(k, 0) * KroneckerDelta(k + 1, 1), (k, -oo, oo))
             - Sum(KroneckerDelta(k, 1) * KroneckerDelta(k + 1, 0), (k, -oo, oo)),
             Definition("⋆")),
            (rhs, Sift()),  # δ[1, 1] − δ[2, 0] = 1 − 0
        ]
        hyps = ["f = δ[·, 0] and g = δ[·, 1] (unit impulses at 0 and 1)"]
    else:
        d0 = Lambda(ctx.T, DiracDelta(ctx.T[0]))
        d1 = Lambda(ctx.T, DiracDelta(ctx.T[0] - 1))
        z = Z[0]
        lhs = ctx.xcorr(d0, d1, X) - ctx.xcorr(d1, d0, X)
        rhs = DiracDelta(x - 1) - DiracDelta(x + 1)
        steps = [
            (Integral(DiracDelta(z) * DiracDelta(x + z - 1), (z, -oo, oo))
             - Integral(DiracDelta(z - 1) * DiracDelta(x + z), (z, -oo, oo)),
             Definition("⋆")),
            (rhs, Sift()),
        ]
        hyps = ["f = δ and g = δ(· − 1) (Dirac impulses at 0 and 1; δ(x − 1) ≠ δ(x + 1))"]
    return _d("xcorr_comm_counterexample", ctx,
              "cross-correlation is not commutative (counterexample)",
              lhs, rhs, steps, hyps, "cross_correlation")


# -- identity -------------------------------------------------------------------------------


def _delta(ctx: _Ctx) -> Lambda:
    if ctx.discrete:
        return Lambda(ctx.T, Mul(*[KroneckerDelta(t, 0) for t in ctx.T]))
    return Lambda(ctx.T, Mul(*[DiracDelta(t) for t in ctx.T]))


def _delta_of(ctx: _Ctx, pts: Sequence[Expr]) -> Expr:
    if ctx.discrete:
        return Mul(*[KroneckerDelta(p, 0) for p in pts])
    return Mul(*[DiracDelta(p) for p in pts])


def _delta_hyp(ctx: _Ctx) -> list[Hypothesis]:
    if ctx.discrete:
        return [Remark("δ[n] = 1 if n = 0 else 0 (Kronecker delta); f: ℤⁿ → ℝ arbitrary")]
    return [Remark("δ is the Dirac distribution (∫ φ(z) δ(z − c) dz = φ(c))"),
            Continuous(f)]


@theorem("identity", _every_domain)
def conv_delta(ctx: _Ctx) -> Derivation:
    X, Z = ctx.X, ctx.Z
    lhs, rhs = ctx.conv(f, _delta(ctx), X), f(*X)
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(f(*Z) * _delta_of(ctx, ctx.sub(X, Z)), Z), Definition("∗")),
        (rhs, Sift()),
    ]
    return _d("conv_delta", ctx, "δ is a right identity for ∗", lhs, rhs, steps,
              _delta_hyp(ctx), "identity")


@theorem("identity", _every_domain)
def delta_conv(ctx: _Ctx) -> Derivation:
    X, Z = ctx.X, ctx.Z
    lhs, rhs = ctx.conv(_delta(ctx), f, X), f(*X)
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(_delta_of(ctx, Z) * f(*ctx.sub(X, Z)), Z), Definition("∗")),
        (rhs, Sift()),
    ]
    return _d("delta_conv", ctx, "δ is a left identity for ∗", lhs, rhs, steps,
              _delta_hyp(ctx), "identity")


# -- convolution theorem --------------------------------------------------------------------


def _phase(ctx: _Ctx, pts: Sequence[Expr]) -> Expr:
    dot = sum((p * xi for p, xi in zip(pts, ctx.XI, strict=False)), S.Zero)
    return exp(-sympy.I * dot) if ctx.discrete else exp(-2 * pi * sympy.I * dot)


@theorem("convolution_theorem", _every_domain)
def fourier_conv(ctx: _Ctx) -> Derivation:
    X, Z, U, T, XI = ctx.X, ctx.Z, ctx.U, ctx.T, ctx.XI
    dom = S.Integers if ctx.discrete else S.Reals
    fg = Lambda(T, ctx.conv(f, g, T))

    def F(fn: Lambda) -> Expr:
        return Fourier(fn, Tuple(*XI), dom)

    ff, gg = Lambda(T, f(*T)), Lambda(T, g(*T))
    lhs, rhs = F(fg), F(ff) * F(gg)
    body = f(*Z) * g(*ctx.sub(X, Z)) * _phase(ctx, X)
    XUZ = ctx.add(U, Z)
    steps: list[tuple[Expr, Rule]] = [
        (ctx.B(ctx.B(f(*Z) * g(*ctx.sub(X, Z)), Z) * _phase(ctx, X), X), Definition("ℱ")),
        (ctx.B(body, (*Z, *X)), Linearity()),
        (ctx.B(body, (*X, *Z)), Fubini(*zip(Z, X, strict=False))),
        (ctx.B(f(*Z) * ctx.B(g(*ctx.sub(X, Z)) * _phase(ctx, X), X), Z), Linearity()),
        (ctx.B(f(*Z) * ctx.B(g(*U) * _phase(ctx, XUZ), U), Z),
         Substitute(*[(x, u + z, u) for x, u, z in zip(X, U, Z, strict=False)])),
        (ctx.B(f(*Z) * _phase(ctx, Z), Z) * ctx.B(g(*U) * _phase(ctx, U), U), Linearity()),
        (rhs, Definition("ℱ")),
    ]
    if ctx.discrete:
        hyps = [ctx.integrable(), Remark("ℱ is the DTFT ℱ[f](ω) = Σₙ f(n) e^{−i n·ω}")]
        title = "the DTFT turns convolution into multiplication"
    else:
        hyps = [ctx.integrable(), Remark("ℱ[f](ξ) = ∫ f(x) e^{−2πi x·ξ} dx")]
        title = "the Fourier transform turns convolution into multiplication"
    return _d("fourier_conv", ctx, title, lhs, rhs, steps, hyps, "convolution_theorem")


# -- multichannel ---------------------------------------------------------------------------


@theorem("multichannel", _every_domain)
def multichannel_xcorr(ctx: _Ctx) -> Derivation:
    """Σ_z Σ_c w(c, z) v(c, n + z) = Σ_c (w_c ⋆ v_c)(n): kernel w, input v, C channels."""
    X, Z, T = ctx.X, ctx.Z, ctx.T
    w, x = Function("w"), Function("v")  # kernel w, input signal v (x is the point on ℝ)
    c = Symbol("c", integer=True)
    C = Symbol("C", integer=True, positive=True)
    body = w(c, *Z) * x(c, *ctx.add(X, Z))
    lhs = ctx.B(Sum(body, (c, 0, C - 1)), Z) if not ctx.discrete else \
        Sum(body, (c, 0, C - 1), *[(z, -oo, oo) for z in Z])
    wc, xc = Lambda(T, w(c, *T)), Lambda(T, x(c, *T))
    rhs = Sum(ctx.xcorr(wc, xc, X), (c, 0, C - 1))
    if ctx.discrete:
        swapped = Sum(body, *[(z, -oo, oo) for z in Z], (c, 0, C - 1))
        steps: list[tuple[Expr, Rule]] = [(swapped, Fubini(*[(c, z) for z in Z]))]
    else:
        steps = [(Sum(ctx.B(body, Z), (c, 0, C - 1)), ExchangeSumIntegral())]
    steps.append((rhs, Definition("⋆")))
    return _d("multichannel_xcorr", ctx,
              "a multi-channel layer is the sum over channels of single-channel ⋆",
              lhs, rhs, steps,
              [AbsolutelyConvergent(w, x, note="w(c, ·), v(c, ·) " + (
                  "∈ ℓ¹" if ctx.discrete else "∈ L¹") + " for each of the C channels "
                  "c = 0 … C − 1", domain="ℤ" if ctx.discrete else "ℝ")], "multichannel")


# -- support and length -------------------------------------------------------------------


@theorem("support", lambda: [((3,), (2,)), ((2,), (4,)), ((2, 1), (1, 2))])
def conv_support_length(sizes_f: tuple[int, ...], sizes_g: tuple[int, ...]) -> Derivation:
    """Finite sequences with symbolic entries: f ∗ g is supported on N + M − 1 points per axis.

    The right-hand side comes from multiplying the generating polynomials
    (Σ aᵢ zⁱ)(Σ bⱼ zʲ) — an independent computation — and lists one zero on each side.
    """
    nd = len(sizes_f)
    ctx = _Ctx(nd, True)
    a, bb = Function("a"), Function("b")
    T = ctx.T
    idx_f = list(itertools.product(*[range(q) for q in sizes_f]))
    idx_g = list(itertools.product(*[range(q) for q in sizes_g]))

    def delta(pt: Sequence[Expr], at: Sequence[int]) -> Expr:
        return Mul(*[KroneckerDelta(p_, q_) for p_, q_ in zip(pt, at, strict=True)])

    F = Lambda(T, sympy.Add(*[a(*i) * delta(T, i) for i in idx_f]))
    G = Lambda(T, sympy.Add(*[bb(*j) * delta(T, j) for j in idx_g]))
    zs = sympy.symbols(f"ζ1:{nd + 1}")
    pf = sympy.Poly(sum((a(*i) * Mul(*[z_**e for z_, e in zip(zs, i, strict=True)])
                         for i in idx_f), S.Zero), *zs)
    pg = sympy.Poly(sum((bb(*j) * Mul(*[z_**e for z_, e in zip(zs, j, strict=True)])
                         for j in idx_g), S.Zero), *zs)
    prod = (pf * pg).as_dict()
    full = [q + r - 1 for q, r in zip(sizes_f, sizes_g, strict=True)]
    pts = list(itertools.product(*[range(-1, n_ + 1) for n_ in full]))
    def shown(pt: Sequence[int]) -> Expr:
        label = "(f ∗ g)(" + ", ".join(map(str, pt)) + ")"
        return Named(Symbol(label), ctx.conv(F, G, pt))

    lhs = sympy.ImmutableMatrix([shown(pt) for pt in pts])
    rhs = sympy.ImmutableMatrix([sympy.expand(prod.get(tuple(pt), S.Zero)) for pt in pts])
    sz = "x".join(map(str, sizes_f)) + "_" + "x".join(map(str, sizes_g))
    shape = " × ".join(str(n_) for n_ in full)
    return Derivation(
        name=f"conv_support_length_{sz}", domain=ctx.domain,
        title=(f"sizes {' × '.join(map(str, sizes_f))} and {' × '.join(map(str, sizes_g))} "
               f"give {shape} = N + M − 1" + (" per axis" if nd > 1 else " points")
               + " (zeros around)"),
        statement=Eq(lhs, rhs, evaluate=False),
        steps=(Step(rhs, Compute("the sums (sifting the finitely many impulses)")),),
        hypotheses=(
            f"f({', '.join(map(str, T))}) = {text(F.expr)}, "
            f"g({', '.join(map(str, T))}) = {text(G.expr)} (symbolic entries, zero elsewhere)",
            "the right-hand side is read off the product of the generating polynomials "
            "(Σ a(i) ζⁱ)(Σ b(j) ζʲ), evaluated one step beyond each end",
        ),
        family="support",
    )


@theorem("support", lambda: [("left",), ("right",)])
def _support_general(side: str) -> Derivation:
    """(f ∗ g)(n) = 0 beyond either end, for supports [0, N − 1] and [0, M − 1] (general N, M)."""
    ctx = _Ctx(1, True)
    N = Symbol("N", integer=True, positive=True)
    M = Symbol("M", integer=True, positive=True)
    r = Symbol("r", integer=True, nonnegative=True)
    k, q = Symbol("k", integer=True), Symbol("q", integer=True)
    n0 = N + M - 1 + r if side == "right" else -1 - r
    lhs, rhs = ctx.conv(f, g, (n0,)), S.Zero
    steps: list[tuple[Expr, Rule]] = [
        (Sum(f(k) * g(n0 - k), (k, -oo, oo)), Definition("∗")),
        (Sum(f(k) * g(n0 - k), (k, 0, N - 1)), RestrictToSupport(f, 0, N - 1, k)),
    ]
    if side == "right":
        steps.append((Sum(f(N - 1 - q) * g(n0 - N + 1 + q), (q, 0, N - 1)),
                      Substitute((k, N - 1 - q, q))))
    steps.append((rhs, VanishOutsideSupport(g, 0, M - 1)))
    where = ("n = N + M − 1 + r ≥ N + M − 1 (past the last output)" if side == "right"
             else "n = −1 − r ≤ −1 (before the first output)")
    return Derivation(
        name=f"conv_support_{side}", domain=ctx.domain,
        title="f ∗ g vanishes " + ("after n = N + M − 2" if side == "right" else "before n = 0")
              + ", so its support has N + M − 1 points",
        statement=Eq(lhs, rhs, evaluate=False),
        steps=tuple(Step(e, rule) for e, rule in steps),
        hypotheses=(Support(f, 0, N - 1), Support(g, 0, M - 1), Remark(where)),
        family="support",
    )


# -- registry -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _build() -> tuple[Derivation, ...]:
    out: list[Derivation] = []
    for entry in registered():
        for args in entry.instances():
            d = entry.builder(*args)
            out.append(d if d.family == entry.family else replace(d, family=entry.family))
    keys = [d.key for d in out]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:  # pragma: no cover - a registry bug
        raise RuntimeError(f"duplicate derivation keys: {sorted(dupes)}")
    order = {name: i for i, name in enumerate(FAMILIES)}
    return tuple(sorted(out, key=lambda d: order.get(d.family, len(order))))


def _lemma(key: str) -> Derivation:
    """The registered derivation with this key (the lemma source of :class:`Lemma`)."""
    found = [d for d in _build() if d.key == key]
    if len(found) != 1:
        raise InvalidArgument(f"{key!r} names {len(found)} registered derivations, not one")
    return found[0]


set_lemma_source(_lemma)
assert _backprop and _arithmetic and _dimension_free  # their builders register on import


def derivations(name: str | None = None, *, family: str | None = None) -> list[Derivation]:
    """Every registered derivation; filter by theorem ``name`` (``conv_comm``,
    ``conv_comm:Z2``; ``deriv_conv:R2`` gives every axis, ``deriv_conv:R2:axis2`` one; a
    family name such as ``commutativity`` gives the family) or by ``family``
    (``commutativity``, ``backprop``…). A ``name`` that matches nothing raises
    :class:`~convmath.InvalidArgument` naming the near ones (:func:`suggest`).

    >>> {"conv_comm:R", "conv_comm:Z2"} <= {d.key for d in derivations("conv_comm")}
    True
    >>> [d.key for d in derivations("deriv_conv:R2")]
    ['deriv_conv:R2:axis1', 'deriv_conv:R2:axis2']
    >>> derivations("commutativity") == derivations(family="commutativity")
    True
    """
    if name is not None and not isinstance(name, str):
        raise InvalidArgument(f"name={name!r} must be a str such as 'conv_comm' or 'conv_comm:Z2'")
    if family is not None and not isinstance(family, str):
        raise InvalidArgument(
            f"family={family!r} must be a str; choose one of {', '.join(FAMILIES)}")
    if family is not None and family not in FAMILIES:
        raise InvalidArgument(f"family={family!r}: choose one of {', '.join(FAMILIES)}")
    out = list(_build())
    if family is not None:
        out = [d for d in out if d.family == family]
    if name is not None:
        every = out
        out = [d for d in every if name in (d.name, d.key) or d.key.startswith(name + ":")]
        if not out and name in FAMILIES:
            out = [d for d in every if d.family == name]
        if not out:
            near = suggest(name)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            where = f" in family {family!r}" if family is not None else ""
            raise InvalidArgument(
                f"name={name!r}: no such derivation{where}{hint} (`convmath prove --list` "
                "lists them, `convmath prove --search WORDS` finds them by words)")
    return out


def suggest(name: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` registered names near ``name`` (difflib, ignoring case): theorem names
    and families, or keys when ``name`` has a domain (``conv_com`` → ``conv_comm``,
    ``conv_comm:R4`` → ``conv_comm:R``…, ``comutativity`` → ``commutativity``).

    >>> suggest("conv_com")
    ['conv_comm']
    """
    if not isinstance(name, str):
        raise InvalidArgument(f"name={name!r} must be a str")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise InvalidArgument(f"limit={limit!r} must be a positive int")
    every = _build()
    if ":" in name:
        pool = list(dict.fromkeys(d.key for d in every))
    else:
        pool = list(dict.fromkeys([*(d.name for d in every), *FAMILIES]))
    lower: dict[str, str] = {}
    for cand in pool:
        lower.setdefault(cand.lower(), cand)
    near = difflib.get_close_matches(name.strip().lower(), list(lower), n=limit, cutoff=0.6)
    if not near:
        return []
    # only those about as near as the nearest: conv_com → conv_comm, not also conv_smul
    matcher = difflib.SequenceMatcher(b=name.strip().lower())
    scores = {}
    for c in near:
        matcher.set_seq1(c)
        scores[c] = matcher.ratio()
    best = max(scores.values())
    return [lower[c] for c in near if scores[c] >= best - 0.1]


#: Unicode in names, titles and statements → what one types without it, so that a search
#: for "f * g", "delta", "R2" or "180 deg" finds ∗, δ, ℝ² and 180°.
_ASCII = {
    "∗": "*", "⋆": " star ", "·": "*", "−": "-", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->",
    "↦": "->", "↑": " up ", "∞": "oo", "×": "x", "∈": " in ", "°": " deg", "Σ": " sum ",
    "∫": " integral ", "∏": " prod ", "∂": " d ", "Δ": " Delta ", "δ": " delta ",
    "ξ": "xi", "ω": "omega", "τ": "tau", "σ": "sigma", "π": "pi", "θ": "theta", "ζ": "zeta",
    "ϐ": "b", "⌊": " floor(", "⌋": ")", "⌈": " ceil(", "⌉": ")", "̃": "~", "′": "'",
    "—": "-", "–": "-", "…": "...",
}


def _ascii(s: str) -> str:
    """``s`` without Unicode: compatibility forms decomposed (ℝ² → R2, ₐ → a), then the
    symbols of :data:`_ASCII` spelled out."""
    out = unicodedata.normalize("NFKD", s)
    return "".join(_ASCII.get(ch, ch) for ch in out)


_HAYSTACKS: dict[int, tuple[weakref.ref[Derivation], str]] = {}


def _haystack(d: Derivation) -> str:
    """What :func:`search` looks in, lower case, with a Unicode-free copy (cached: printing
    every statement takes a while)."""
    hit = _HAYSTACKS.get(id(d))
    if hit is not None and hit[0]() is d:
        return hit[1]
    parts = [d.name, d.name.replace("_", " "), d.key, d.family, d.family.replace("_", " "),
             d.title, explain(d.name) or "", text(d.statement)]
    joined = "\n".join(parts)
    hay = (joined + "\n" + _ascii(joined)).lower()
    _HAYSTACKS[id(d)] = (weakref.ref(d), hay)
    return hay


def search(words: str | Iterable[str]) -> list[Derivation]:
    """The registered derivations whose name, family, title, explanation
    (:mod:`~convmath.symbolic.explanations`) or printed statement contains every word of
    ``words`` (a str split at blanks, or a sequence of str), ignoring case. Unicode-free
    spellings match too: ``"convolution commutative"``, ``"f * g"``, ``"delta R2"``.

    >>> [d.key for d in search("commutative R2")]
    ['conv_comm:R2']
    """
    if isinstance(words, str):
        given = words.split()
    elif isinstance(words, Iterable) and not isinstance(words, (bytes, bytearray)):
        given = []
        for w in words:
            if not isinstance(w, str):
                raise InvalidArgument(f"words={words!r}: every word must be a str, not {w!r}")
            given += w.split()
    else:
        raise InvalidArgument(f"words={words!r} must be a str or a sequence of str")
    if not given:
        raise InvalidArgument(f"words={words!r}: give at least one word to search for")
    wanted = [(w.lower(), _ascii(w).lower()) for w in given]
    found = []
    for d in _build():
        hay = _haystack(d)
        if all(w in hay or a in hay for w, a in wanted):
            found.append(d)
    return found
