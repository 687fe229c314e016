"""Backpropagation through a convolution layer, on ℤ and ℤ², proven and checked.

Forward (the layer convention of docs/reference.md, one channel, signals extended by zero
so that zero padding is a shift): y(t) = b + Σ_j w(j)·x(s·t + d·j − p) with stride s, dilation d and
padding p, coordinatewise on ℤ². With g(t) = ∂L/∂y(t), the chain rule gives
∂L/∂θ = ∂/∂θ Σ_t g(t)·y(t) with g held fixed. Main results, for general sizes:

- ``conv_input_grad``: ∂L/∂x(u) = ((↑_d w) ∗ (↑_s g))(u + p) — the full convolution of the
  stride-upsampled gradient with the dilated kernel, i.e. a transposed convolution;
  ``conv_input_grad_flipped``: the same as what a framework computes,
  ([(↑_d w)(−·)] ⋆ (↑_s g))(u + p) — a correlation with the kernel rotated 180° (flipped
  along every axis); ``conv_input_grad_unit_stride``: with s = d = 1 it is
  (w ∗ g)(u + p) = ([w(−·)] ⋆ g)(u + p), the last step by the lemma xcorr_eq_conv_reflect;
- ``conv_weight_grad``: ∂L/∂w(i) = ((↑_s g) ⋆ x)(d·i − p) — cross-correlation of the input
  with the gradient, stride and dilation exchanging roles;
- ``conv_bias_grad``: ∂L/∂b = Σ_t g(t);
- multi-channel, y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(m, s·t + d·j − p):
  ``conv_input_grad_multichannel`` ∂L/∂x(c, u) = Σ_n ((↑_d w(n, c, ·)) ∗ (↑_s g(n, ·)))(u + p)
  (the channel axes of w swapped: a transposed convolution), ``conv_weight_grad_multichannel``
  ∂L/∂w(o, c, i) = ((↑_s g(o, ·)) ⋆ x(c, ·))(d·i − p), ``conv_bias_grad_multichannel``
  ∂L/∂b(o) = Σ_t g(o, t) — channels outside their ranges are 0, so channel sums run over ℤ;
- grouped, y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(⌊n/Q⌋·K + m, s·t + d·j − p) (K = C_in/G,
  Q = C_out/G): ``conv_input_grad_grouped`` ∂L/∂x(c, u) =
  Σ_n ((↑_d w(n, c − ⌊n/Q⌋·K, ·)) ∗ (↑_s g(n, ·)))(u + p), ``conv_weight_grad_grouped``
  ∂L/∂w(o, c, i) = ((↑_s g(o, ·)) ⋆ x(⌊o/Q⌋·K + c, ·))(d·i − p);

and ``conv_backprop_fixed_*``: at fixed sizes (one channel on ℤ and ℤ², a 2 → 3 channel
layer and a 4 → 2 channel layer in 2 groups on ℤ) with symbolic entries, the gradients obtained by
differentiating the explicit forward polynomial equal the recipe of docs/reference.md (insert s − 1
zeros into g, pad by d(k − 1) − p before and d(k − 1) − p + a after, correlate with the
flipped dilated kernel; weight gradient by correlating the padded input with g).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from sympy import (
    Basic,
    Eq,
    Expr,
    Function,
    ImmutableMatrix,
    KroneckerDelta,
    Lambda,
    Mul,
    S,
    Sum,
    Symbol,
    floor,
    oo,
)

from convmath.symbolic.derivation import Derivation, Step
from convmath.symbolic.kernel import AbsolutelyConvergent, function_classes
from convmath.symbolic.operators import Named, Partial, Upsample, conv, domain_name, xcorr
from convmath.symbolic.registry import theorem
from convmath.symbolic.rules import (
    Algebra,
    Compute,
    Definition,
    DifferentiateLinear,
    Fubini,
    Lemma,
    Linearity,
    Rule,
    Sift,
    Substitute,
)

__all__: list[str] = []

x, w, g = Function("x"), Function("w"), Function("g")
b = Symbol("b")
bo = Function("b")  # per-output-channel bias b(n) of the multi-channel layer
_CH = (Symbol("n", integer=True), Symbol("m", integer=True), Symbol("c", integer=True))
_O = Symbol("o", integer=True)
_K = Symbol("K", integer=True, positive=True)  # input channels per group, C_in/G
_Q = Symbol("Q", integer=True, positive=True)  # output channels per group, C_out/G


def _syms(base: str, ndim: int, **assumptions: bool) -> tuple[Symbol, ...]:
    names = [base] if ndim == 1 else [f"{base}{i + 1}" for i in range(ndim)]
    return tuple(Symbol(n, **assumptions) for n in names)


class _Layer:
    def __init__(self, ndim: int) -> None:
        self.ndim = ndim
        self.domain = domain_name(S.Integers, ndim)
        self.s = _syms("s", ndim, integer=True, positive=True)
        self.d = _syms("d", ndim, integer=True, positive=True)
        self.p = _syms("p", ndim, integer=True, nonnegative=True)
        self.t = _syms("t", ndim, integer=True)
        self.j = _syms("j", ndim, integer=True)
        self.u = _syms("u", ndim, integer=True)
        self.i = _syms("i", ndim, integer=True)
        self.v = _syms("v", ndim, integer=True)
        self.tau = _syms("τ", ndim)

    def S(self, body: Expr, vs: Sequence[Symbol]) -> Expr:
        return Sum(body, *[(v, -oo, oo) for v in vs])

    def index(self, t: Sequence[Expr], j: Sequence[Expr]) -> tuple[Expr, ...]:
        return tuple(si * ti + di * ji - pi
                     for si, ti, di, ji, pi in zip(self.s, t, self.d, j, self.p, strict=True))

    def forward(self, t: Sequence[Expr]) -> Expr:
        return b + self.S(w(*self.j) * x(*self.index(t, self.j)), self.j)

    def loss(self) -> Expr:
        return self.S(g(*self.t) * self.forward(self.t), self.t)

    def delta(self, a: Sequence[Expr], c: Sequence[Expr]) -> Expr:
        return Mul(*[KroneckerDelta(ai, ci) for ai, ci in zip(a, c, strict=True)])

    def up(self, fn: Function, factor: Sequence[Expr], pt: Sequence[Expr]) -> Expr:
        return Upsample(Lambda(self.tau, fn(*self.tau)), tuple(factor), tuple(pt))

    def up_fn(self, fn: Function, factor: Sequence[Expr]) -> Lambda:
        return Lambda(self.tau, self.up(fn, factor, self.tau))

    def up_of(self, fn: Callable[..., Expr], factor: Sequence[Expr],
              pt: Sequence[Expr]) -> Expr:
        """↑ of the function τ ↦ fn(τ) (e.g. one channel, τ ↦ g(n, τ))."""
        return Upsample(Lambda(self.tau, fn(*self.tau)), tuple(factor), tuple(pt))

    def up_fn_of(self, fn: Callable[..., Expr], factor: Sequence[Expr]) -> Lambda:
        return Lambda(self.tau, self.up_of(fn, factor, self.tau))

    def hyps(self) -> list[str]:
        return [
            "y(t) = b + Σ_j w(j)·x(s·t + d·j − p); x and w are extended by 0 outside their "
            "ranges (zero padding), g(t) = ∂L/∂y(t) is 0 outside the output range",
            "chain rule: ∂L/∂θ = ∂/∂θ Σ_t g(t)·y(t) with g held fixed",
            "stride s ≥ 1, dilation d ≥ 1, padding p ≥ 0 are integers"
            + (" (per axis)" if self.ndim > 1 else ""),
        ]


def _layers() -> list[tuple[_Layer]]:
    return [(_Layer(1),), (_Layer(2),)]


def _finite(*exprs: Basic) -> AbsolutelyConvergent:
    """x, w and g are zero outside finite ranges: every sum of them is a finite sum."""
    fns: set[Any] = set()
    for e in exprs:
        fns |= function_classes(e)
    return AbsolutelyConvergent(*sorted(fns, key=str), note=(
        "x, w, g are 0 outside finite ranges (zero padding)"), domain="ℤ")


def _d(name: str, L: _Layer, title: str, lhs: Expr, rhs: Expr,
       steps: list[tuple[Expr, Rule]], hyps: Sequence[str],
       notes: Sequence[str] = ()) -> Derivation:
    return Derivation(name=name, domain=L.domain, title=title,
                      statement=Eq(lhs, rhs, evaluate=False),
                      steps=tuple(Step(e, r) for e, r in steps),
                      hypotheses=(_finite(lhs, rhs, *(e for e, _ in steps)), *hyps),
                      family="backprop", notes=tuple(notes))


#: What the notes of the input-gradient derivations say about the flipped kernel.
_ROTATED = ("∗ is the true convolution, which flips its kernel: in the cross-correlation that "
            "deep-learning frameworks call convolution, the input gradient correlates the "
            "output gradient with the kernel rotated 180° (flipped along every axis)")
_NOT_FLIPPED = ("Nothing is flipped here: the weight gradient is a cross-correlation (⋆) of "
                "the output gradient with the input, while the input gradient uses the kernel "
                "rotated 180°.")
_NO_KERNEL = ("The kernel plays no part here, flipped (rotated 180°) or not: the bias gradient "
              "only sums the output gradient.")
_FIXED_NOTE = ("The recipe correlates the zero-stuffed, padded output gradient with the kernel "
               "flipped along every axis (rotated 180° in 2-D), as conv_input_grad_flipped "
               "proves for general sizes.")


def _flip_lambda(L: _Layer, fn: Function, factor: Sequence[Expr]) -> Lambda:
    """σ ↦ (↑ fn)(−σ): the upsampled function reflected in every axis (rotated 180°)."""
    sig = _syms("σ", L.ndim)
    return Lambda(sig, L.up(fn, factor, tuple(-q for q in sig)))


def _add(a: Sequence[Expr], c: Sequence[Expr]) -> tuple[Expr, ...]:
    return tuple(x_ + y_ for x_, y_ in zip(a, c, strict=True))


def _sub(a: Sequence[Expr], c: Sequence[Expr]) -> tuple[Expr, ...]:
    return tuple(x_ - y_ for x_, y_ in zip(a, c, strict=True))


def _mul(a: Sequence[Expr], c: Sequence[Expr]) -> tuple[Expr, ...]:
    return tuple(x_ * y_ for x_, y_ in zip(a, c, strict=True))


@theorem("backprop", _layers)
def conv_input_grad(L: _Layer) -> Derivation:
    t, j, u, v, s, d, p = L.t, L.j, L.u, L.v, L.s, L.d, L.p
    lhs = Partial(L.loss(), x(*u))
    up_p = _add(u, p)
    rhs = conv(L.up_fn(w, d), L.up_fn(g, s), up_p, discrete=True)
    idx = L.index(t, j)
    shifted = _sub(up_p, _mul(d, j))  # u + p − d·j
    body = g(*t) * w(*j) * L.delta(idx, u)
    G_at = L.up(g, s, _sub(up_p, v))
    steps: list[tuple[Expr, Rule]] = [
        (L.S(g(*t) * L.S(w(*j) * L.delta(idx, u), j), t), DifferentiateLinear()),
        (L.S(body, (*j, *t)), Linearity()),
        (L.S(body, (*t, *j)), Fubini(*zip(j, t, strict=True))),
        (L.S(w(*j) * L.S(g(*t) * L.delta(idx, u), t), j), Linearity()),
        (L.S(w(*j) * L.S(g(*t) * L.delta(_mul(s, t), shifted), t), j),
         Algebra("δ[s·t + d·j − p, u] = δ[s·t, u + p − d·j]")),
        (L.S(w(*j) * L.up(g, s, shifted), j), Definition("↑")),
        (L.S(w(*j) * L.S(L.delta(_mul(d, j), v) * G_at, v), j), Sift()),
        (L.S(w(*j) * L.delta(_mul(d, j), v) * G_at, (*v, *j)), Linearity()),
        (L.S(w(*j) * L.delta(_mul(d, j), v) * G_at, (*j, *v)), Fubini(*zip(v, j, strict=True))),
        (L.S(L.S(w(*j) * L.delta(_mul(d, j), v), j) * G_at, v), Linearity()),
        (L.S(L.up(w, d, v) * G_at, v), Definition("↑")),
        (rhs, Definition("∗")),
    ]
    return _d("conv_input_grad", L,
              "input gradient = full convolution of the upsampled gradient with the dilated "
              "kernel (transposed convolution)", lhs, rhs, steps, L.hyps(),
              [_ROTATED + " — conv_input_grad_flipped proves that form, "
               "([(↑_d w)(−·)] ⋆ (↑_s g))(u + p), from this one."])


@theorem("backprop", _layers)
def conv_input_grad_unit_stride(L: _Layer) -> Derivation:
    t, j, u = L.t, L.j, L.u
    one = (S.One,) * L.ndim
    L1 = _Layer(L.ndim)
    L1.s, L1.d = one, one
    lhs = Partial(L1.loss(), x(*u))
    up_p = _add(u, L.p)
    full = conv(w, g, up_p, discrete=True)
    flipped = Lambda(L.tau, w(*[-q for q in L.tau]))  # w rotated 180°: w(−τ)
    rhs = xcorr(flipped, g, up_p, discrete=True)
    point = ("n",) if L.ndim == 1 else tuple(f"n{k + 1}" for k in range(L.ndim))
    idx = L1.index(t, j)
    body = g(*t) * w(*j) * L1.delta(idx, u)
    steps: list[tuple[Expr, Rule]] = [
        (L1.S(g(*t) * L1.S(w(*j) * L1.delta(idx, u), j), t), DifferentiateLinear()),
        (L1.S(body, (*j, *t)), Linearity()),
        (L1.S(body, (*t, *j)), Fubini(*zip(j, t, strict=True))),
        (L1.S(w(*j) * L1.S(g(*t) * L1.delta(idx, u), t), j), Linearity()),
        (L1.S(w(*j) * g(*_sub(up_p, j)), j), Sift()),
        (full, Definition("∗")),
        # (w ∗ g)(n) = (w̃ ⋆ g)(n) with w̃(τ) = w(−τ): the lemma f ⋆ g = f̃ ∗ g with f := w̃
        (rhs, Lemma(f"xcorr_eq_conv_reflect:{L.domain.replace('ℤ', 'Z').replace('²', '2')}",
                    {"f": flipped, **dict(zip(point, up_p, strict=True))})),
    ]
    hyps = [*L.hyps()[:2], "stride 1, dilation 1, padding p ≥ 0"]
    return _d("conv_input_grad_unit_stride", L,
              "with stride 1 and dilation 1 the input gradient is the full convolution w ∗ g: "
              "the correlation of g with the kernel rotated 180°",
              lhs, rhs, steps, hyps,
              [_ROTATED + ": the last step rewrites w ∗ g as w(−·) ⋆ g by the lemma "
               "xcorr_eq_conv_reflect (w(−·) is w flipped, rotated 180° in 2-D)."])


@theorem("backprop", _layers)
def conv_weight_grad(L: _Layer) -> Derivation:
    t, j, i, v, s, d, p = L.t, L.j, L.i, L.v, L.s, L.d, L.p
    lhs = Partial(L.loss(), w(*i))
    base = _sub(_mul(d, i), p)  # d·i − p
    rhs = xcorr(L.up_fn(g, s), x, base, discrete=True)
    xv = x(*_add(base, v))
    body = g(*t) * L.delta(_mul(s, t), v) * xv
    steps: list[tuple[Expr, Rule]] = [
        (L.S(g(*t) * L.S(L.delta(j, i) * x(*L.index(t, j)), j), t), DifferentiateLinear()),
        (L.S(g(*t) * x(*L.index(t, i)), t), Sift()),
        (L.S(g(*t) * L.S(L.delta(_mul(s, t), v) * xv, v), t), Sift()),
        (L.S(body, (*v, *t)), Linearity()),
        (L.S(body, (*t, *v)), Fubini(*zip(v, t, strict=True))),
        (L.S(L.S(g(*t) * L.delta(_mul(s, t), v), t) * xv, v), Linearity()),
        (L.S(L.up(g, s, v) * xv, v), Definition("↑")),
        (rhs, Definition("⋆")),
    ]
    return _d("conv_weight_grad", L,
              "weight gradient = cross-correlation of the input with the upsampled gradient",
              lhs, rhs, steps, L.hyps(), [_NOT_FLIPPED])


@theorem("backprop", _layers)
def conv_bias_grad(L: _Layer) -> Derivation:
    lhs = Partial(L.loss(), b)
    rhs = L.S(g(*L.t), L.t)
    return _d("conv_bias_grad", L, "bias gradient = sum of the output gradient", lhs, rhs,
              [(rhs, DifferentiateLinear())], L.hyps(), [_NO_KERNEL])


# -- multi-channel layer, general sizes -----------------------------------------------------
#
# y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(m, s·t + d·j − p), output channel n, input channel m.
# The channel sums run over ℤ with every channel outside 0 … C − 1 equal to 0 (as zero padding
# extends the signals), so that the sifting property applies to the channel index too.


def _in_channel(n: Expr, m: Expr, grouped: bool) -> Expr:
    """The input channel that weight channel m of output channel n reads: m, or with groups
    ⌊n/Q⌋·K + m (Q = C_out/G output and K = C_in/G input channels per group)."""
    return floor(n / _Q) * _K + m if grouped else m


def _mc_loss(L: _Layer, n: Symbol, m: Symbol, grouped: bool = False) -> Expr:
    t, j = L.t, L.j
    fwd = bo(n) + L.S(w(n, m, *j) * x(_in_channel(n, m, grouped), *L.index(t, j)), (m, *j))
    return L.S(g(n, *t) * fwd, (n, *t))


def _mc_hyps(L: _Layer, grouped: bool = False) -> list[str]:
    if grouped:
        layer = ("y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(⌊n/Q⌋·K + m, s·t + d·j − p) with G "
                 "groups: Q = C_out/G output and K = C_in/G input channels per group, so output "
                 "channel n reads the K input channels of its group ⌊n/Q⌋; w(n, m, ·) = 0 unless "
                 "0 ≤ m < K")
    else:
        layer = ("y(n, t) = b(n) + Σ_m Σ_j w(n, m, j)·x(m, s·t + d·j − p) (output channel n, "
                 "input channel m)")
    return [
        layer + "; x, w, g, b are extended by 0 outside their ranges, channels included "
        "(x(m, ·) = 0 unless 0 ≤ m < C_in, g(n, ·) = 0 unless 0 ≤ n < C_out), so the channel "
        "sums may run over ℤ",
        "chain rule: ∂L/∂θ = ∂/∂θ Σ_n Σ_t g(n, t)·y(n, t) with g held fixed",
        "stride s ≥ 1, dilation d ≥ 1, padding p ≥ 0 are integers"
        + (" (per axis)" if L.ndim > 1 else ""),
    ]


def _chan(fn: Function, *channels: Expr) -> Callable[..., Expr]:
    return lambda *pt: fn(*channels, *pt)


@theorem("backprop", _layers)
def conv_input_grad_multichannel(L: _Layer, grouped: bool = False) -> Derivation:
    """∂L/∂x(c, u) = Σ_n ((↑_d w(n, c, ·)) ∗ (↑_s g(n, ·)))(u + p): the channel axes of w
    swap roles (a transposed convolution with weight w(n, c, ·) read as c ← n). With groups,
    w(n, c − ⌊n/Q⌋·K, ·): only the output channels of c's group contribute."""
    t, j, u, v, s, d, p = L.t, L.j, L.u, L.v, L.s, L.d, L.p
    n, m, c = _CH
    lhs = Partial(_mc_loss(L, n, m, grouped), x(c, *u))
    up_p = _add(u, p)
    wn, gn = _chan(w, n, c - _in_channel(n, 0, grouped)), _chan(g, n)
    rhs = L.S(conv(L.up_fn_of(wn, d), L.up_fn_of(gn, s), up_p, discrete=True), (n,))
    idx = L.index(t, j)
    shifted = _sub(up_p, _mul(d, j))  # u + p − d·j
    body = g(n, *t) * wn(*j) * L.delta(idx, u)
    G_at = L.up_of(gn, s, _sub(up_p, v))
    steps: list[tuple[Expr, Rule]] = [
        (L.S(g(n, *t) * L.S(w(n, m, *j) * KroneckerDelta(_in_channel(n, m, grouped), c)
                            * L.delta(idx, u), (m, *j)), (n, *t)), DifferentiateLinear()),
        (L.S(g(n, *t) * L.S(wn(*j) * L.delta(idx, u), j), (n, *t)), Sift()),
        (L.S(body, (*j, n, *t)), Linearity()),
        (L.S(body, (*t, n, *j)), Fubini(*zip(j, t, strict=True))),
        (L.S(body, (*t, *j, n)), Fubini(*[(n, jq) for jq in j])),
        (L.S(wn(*j) * L.S(g(n, *t) * L.delta(idx, u), t), (*j, n)), Linearity()),
        (L.S(wn(*j) * L.S(g(n, *t) * L.delta(_mul(s, t), shifted), t), (*j, n)),
         Algebra("δ[s·t + d·j − p, u] = δ[s·t, u + p − d·j]")),
        (L.S(wn(*j) * L.up_of(gn, s, shifted), (*j, n)), Definition("↑")),
        (L.S(wn(*j) * L.S(L.delta(_mul(d, j), v) * G_at, v), (*j, n)), Sift()),
        (L.S(wn(*j) * L.delta(_mul(d, j), v) * G_at, (*v, *j, n)), Linearity()),
        (L.S(wn(*j) * L.delta(_mul(d, j), v) * G_at, (*j, *v, n)),
         Fubini(*zip(v, j, strict=True))),
        (L.S(L.S(wn(*j) * L.delta(_mul(d, j), v), j) * G_at, (*v, n)), Linearity()),
        (L.S(L.up_of(wn, d, v) * G_at, (*v, n)), Definition("↑")),
        (rhs, Definition("∗")),
    ]
    if grouped:
        return _d("conv_input_grad_grouped", L,
                  "grouped layer: input gradient of channel c = Σ over the output channels n "
                  "of its group of the transposed convolution of g(n, ·) with "
                  "w(n, c − ⌊n/Q⌋·K, ·)", lhs, rhs, steps, _mc_hyps(L, grouped),
                  [_ROTATED + ", for each output channel n of c's group, as "
                   "conv_input_grad_flipped shows for one channel."])
    return _d("conv_input_grad_multichannel", L,
              "input gradient of channel c = Σ over output channels n of the transposed "
              "convolution of g(n, ·) with w(n, c, ·) (channel axes swapped)",
              lhs, rhs, steps, _mc_hyps(L),
              [_ROTATED + ", for each output channel n, as conv_input_grad_flipped shows "
               "for one channel."])


@theorem("backprop", _layers)
def conv_weight_grad_multichannel(L: _Layer, grouped: bool = False) -> Derivation:
    """∂L/∂w(o, c, i) = ((↑_s g(o, ·)) ⋆ x(c, ·))(d·i − p); with groups x(⌊o/Q⌋·K + c, ·)."""
    t, j, i, v, s, d, p = L.t, L.j, L.i, L.v, L.s, L.d, L.p
    n, m, c = _CH
    o = _O
    lhs = Partial(_mc_loss(L, n, m, grouped), w(o, c, *i))
    base = _sub(_mul(d, i), p)  # d·i − p
    go, xc = _chan(g, o), _chan(x, _in_channel(o, c, grouped))
    rhs = xcorr(L.up_fn_of(go, s), Lambda(L.tau, xc(*L.tau)), base, discrete=True)
    xv = xc(*_add(base, v))
    body = go(*t) * L.delta(_mul(s, t), v) * xv
    steps: list[tuple[Expr, Rule]] = [
        (L.S(g(n, *t) * L.S(KroneckerDelta(n, o) * KroneckerDelta(m, c) * L.delta(j, i)
                            * x(_in_channel(n, m, grouped), *L.index(t, j)), (m, *j)),
             (n, *t)), DifferentiateLinear()),
        (L.S(go(*t) * xc(*L.index(t, i)), t), Sift()),
        (L.S(go(*t) * L.S(L.delta(_mul(s, t), v) * xv, v), t), Sift()),
        (L.S(body, (*v, *t)), Linearity()),
        (L.S(body, (*t, *v)), Fubini(*zip(v, t, strict=True))),
        (L.S(L.S(go(*t) * L.delta(_mul(s, t), v), t) * xv, v), Linearity()),
        (L.S(L.up_of(go, s, v) * xv, v), Definition("↑")),
        (rhs, Definition("⋆")),
    ]
    if grouped:
        return _d("conv_weight_grad_grouped", L,
                  "grouped layer: weight gradient w(o, c, ·) = cross-correlation of input "
                  "channel ⌊o/Q⌋·K + c with the upsampled gradient of output channel o",
                  lhs, rhs, steps, _mc_hyps(L, grouped), [_NOT_FLIPPED])
    return _d("conv_weight_grad_multichannel", L,
              "weight gradient w(o, c, ·) = cross-correlation of input channel c with the "
              "upsampled gradient of output channel o", lhs, rhs, steps, _mc_hyps(L),
              [_NOT_FLIPPED])


@theorem("backprop", _layers)
def conv_bias_grad_multichannel(L: _Layer) -> Derivation:
    """∂L/∂b(o) = Σ_t g(o, t)."""
    n, m, _ = _CH
    o = _O
    t = L.t
    lhs = Partial(_mc_loss(L, n, m), bo(o))
    rhs = L.S(g(o, *t), t)
    steps: list[tuple[Expr, Rule]] = [
        (L.S(g(n, *t) * KroneckerDelta(n, o), (n, *t)), DifferentiateLinear()),
        (rhs, Sift()),
    ]
    return _d("conv_bias_grad_multichannel", L,
              "bias gradient of output channel o = sum of its output gradient", lhs, rhs,
              steps, _mc_hyps(L), [_NO_KERNEL])


@theorem("backprop", _layers)
def conv_input_grad_grouped(L: _Layer) -> Derivation:
    """Grouped layer: ∂L/∂x(c, u) = Σ_n ((↑_d w(n, c − ⌊n/Q⌋·K, ·)) ∗ (↑_s g(n, ·)))(u + p)."""
    return conv_input_grad_multichannel(L, grouped=True)


@theorem("backprop", _layers)
def conv_weight_grad_grouped(L: _Layer) -> Derivation:
    """Grouped layer: ∂L/∂w(o, c, i) = ((↑_s g(o, ·)) ⋆ x(⌊o/Q⌋·K + c, ·))(d·i − p)."""
    return conv_weight_grad_multichannel(L, grouped=True)


# -- the input gradient with the kernel rotated 180° ----------------------------------------
#
# ((↑_d w) ∗ (↑_s g))(u + p) = ([(↑_d w)(−·)] ⋆ (↑_s g))(u + p): what a framework computes,
# a correlation with the flipped kernel. This is the lemma xcorr_eq_conv_reflect, re-proven
# here by a substitution: the kernel transfers a lemma's ℓ¹ hypothesis only to plain
# functions and their translates or reflections, not to the upsampled ↑_d w and ↑_s g
# (conv_input_grad_unit_stride, where w and g are plain, uses the lemma itself).


@theorem("backprop", _layers)
def conv_input_grad_flipped(L: _Layer) -> Derivation:
    """∂L/∂x(u) = ([(↑_d w)(−·)] ⋆ (↑_s g))(u + p): correlate with the flipped kernel."""
    u, v, s, d, p = L.u, L.v, L.s, L.d, L.p
    q = _syms("q", L.ndim, integer=True)  # v = −q
    up_p = _add(u, p)
    dom = L.domain.replace("ℤ", "Z").replace("²", "2")
    lhs = Partial(L.loss(), x(*u))
    rhs = xcorr(_flip_lambda(L, w, d), L.up_fn(g, s), up_p, discrete=True)
    steps: list[tuple[Expr, Rule]] = [
        (conv(L.up_fn(w, d), L.up_fn(g, s), up_p, discrete=True),
         Lemma(f"conv_input_grad:{dom}")),
        (L.S(L.up(g, s, _sub(up_p, v)) * L.up(w, d, v), v), Definition("∗")),
        (L.S(L.up(g, s, _add(up_p, q)) * L.up(w, d, tuple(-qq for qq in q)), q),
         Substitute(*[(vq, -qq, qq) for vq, qq in zip(v, q, strict=True)])),
        (rhs, Definition("⋆")),
    ]
    return _d("conv_input_grad_flipped", L,
              "input gradient = correlation of the upsampled gradient with the dilated kernel "
              "rotated 180° (what a framework computes)", lhs, rhs, steps, L.hyps(),
              ["From conv_input_grad: ∗ flips its kernel, so the gradient is a "
               "cross-correlation (a framework's convolution) with the kernel rotated 180° "
               "(flipped along every axis); the last two steps re-prove the lemma "
               "xcorr_eq_conv_reflect, which convmath cannot apply to the upsampled ↑_d w "
               "and ↑_s g."])


# -- fixed sizes with symbolic entries ------------------------------------------------------

FIXED: tuple[tuple[dict[str, tuple[int, ...]], str], ...] = (
    ({"i": (7,), "k": (3,), "s": (2,), "p": (1,), "d": (2,)}, "i7k3s2p1d2"),
    ({"i": (7,), "k": (2,), "s": (3,), "p": (1,), "d": (1,)}, "i7k2s3p1d1"),
    ({"i": (3, 4), "k": (2, 2), "s": (2, 1), "p": (1, 0), "d": (1, 2)}, "i3x4k2x2s2x1p1x0d1x2"),
)
_CHANNELS = (
    (2, 3, 5, 2, 2, 1, 2),  # C_in, C_out, i, k, s, p, d
    (4, 2, 4, 2, 2, 1, 1, 2),  # … with 2 groups
)


def _dims(q: tuple[int, ...]) -> str:
    """``3`` for a 1-tuple, ``(2, 2)`` otherwise."""
    return str(q[0]) if len(q) == 1 else str(q)


def _out_size(i: int, k: int, s: int, p: int, d: int) -> int:
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


@theorem("backprop", lambda: FIXED)
def conv_backprop_fixed(cfg: dict[str, tuple[int, ...]], tag: str) -> Derivation:
    """Gradients of an explicit forward polynomial versus the transposed-convolution recipe."""
    ii, kk, ss, pp, dd = (cfg[key] for key in ("i", "k", "s", "p", "d"))
    nd = len(ii)
    oo_ = tuple(_out_size(*a) for a in zip(ii, kk, ss, pp, dd, strict=True))
    X = {u: x(*u) for u in itertools.product(*[range(n) for n in ii])}
    W = {j: w(*j) for j in itertools.product(*[range(n) for n in kk])}
    G = {t: g(*t) for t in itertools.product(*[range(n) for n in oo_])}

    def xpad(pos: tuple[int, ...]) -> Expr:
        src = tuple(q - p for q, p in zip(pos, pp, strict=True))
        return X.get(src, S.Zero)

    # forward, read straight from the definition y[t] = b + Σ_j w[j]·x̄[s·t + d·j]
    loss: Expr = S.Zero
    for t, gt in G.items():
        y = b + sum((wj * xpad(tuple(s * tq + d * jq for s, tq, d, jq in
                                     zip(ss, t, dd, j, strict=True)))
                     for j, wj in W.items()), S.Zero)
        loss += gt * y

    # docs/reference.md's recipe for ∂L/∂x: zero-insert g, pad, correlate with the flipped kernel
    a = tuple((i + 2 * p - d * (k - 1) - 1) % s for i, k, s, p, d in
              zip(ii, kk, ss, pp, dd, strict=True))
    up_shape = tuple((o - 1) * s + 1 for o, s in zip(oo_, ss, strict=True))
    gup = {q: S.Zero for q in itertools.product(*[range(n) for n in up_shape])}
    for t, gt in G.items():
        gup[tuple(tq * s for tq, s in zip(t, ss, strict=True))] = gt
    before = tuple(d * (k - 1) - p for d, k, p in zip(dd, kk, pp, strict=True))

    def gpad(pos: tuple[int, ...]) -> Expr:
        return gup.get(tuple(q - bq for q, bq in zip(pos, before, strict=True)), S.Zero)

    dx = {}
    for u in X:
        dx[u] = sum((W[tuple(k - 1 - jq for k, jq in zip(kk, j, strict=True))]
                     * gpad(tuple(uq + d * jq for uq, d, jq in zip(u, dd, j, strict=True)))
                     for j in W), S.Zero)
    # ∂L/∂w: correlate the padded input with g, stride and dilation exchanging roles
    dw = {j: sum((gt * xpad(tuple(d * jq + s * tq for d, jq, s, tq in
                                  zip(dd, j, ss, t, strict=True)))
                  for t, gt in G.items()), S.Zero) for j in W}
    db = sum(G.values(), S.Zero)


    named = Named(Symbol("L"), loss)
    lhs = ImmutableMatrix([Partial(named, X[u]) for u in X]
                          + [Partial(named, W[j]) for j in W] + [Partial(named, b)])
    rhs = ImmutableMatrix([dx[u] for u in X] + [dw[j] for j in W] + [db])
    desc = ", ".join(f"{key}={cfg[key] if nd > 1 else cfg[key][0]}"
                     for key in ("i", "k", "s", "p", "d"))
    L = _Layer(nd)
    return Derivation(
        name=f"conv_backprop_fixed_{tag}", domain=L.domain,
        title=f"∂L/∂(x, w, b) at {desc} (output {_dims(oo_)}, leftover a = {_dims(a)}) "
              "equals the "
              "transposed-convolution recipe",
        statement=Eq(lhs, rhs, evaluate=False),
        steps=(Step(rhs, Compute("the derivatives of the explicit forward polynomial")),),
        hypotheses=(
            "symbolic entries x(u), w(j), g(t), b; L = Σ_t g(t)·y(t) with y computed from the "
            "definition (zero padding), written out below",
            "the right-hand side is built independently: g with s − 1 zeros inserted, padded "
            "by d(k − 1) − p before and d(k − 1) − p + a after, correlated with the flipped "
            "dilated kernel; ∂L/∂w by correlating the padded input with g",
        ),
        family="backprop",
        notes=(_FIXED_NOTE,),
    )


@theorem("backprop", lambda: _CHANNELS)
def conv_backprop_fixed_channels(cin: int, cout: int, i: int, k: int, s: int, p: int,
                                 d: int, groups: int = 1) -> Derivation:
    """Multi-channel 1-D layer y[o, t] = b[o] + Σ_c Σ_j w[o, c, j]·x̄[c, s·t + d·j] at fixed
    sizes: the gradients of the explicit forward polynomial equal the per-channel recipe
    (∂L/∂x[c] = Σ_o transposed convolution of g[o] with w[o, c]; channel axes swapped).
    With ``groups``, w is (C_out, C_in/groups, k) and output channel o reads the input
    channels of its group, as in PyTorch."""

    o_size = _out_size(i, k, s, p, d)
    bo = Function("b")
    kin, qout = cin // groups, cout // groups  # channels per group

    def src(o: int, cg: int) -> int:  # the input channel that w[o, cg] reads
        return (o // qout) * kin + cg

    X = {(c, u): x(c, u) for c in range(cin) for u in range(i)}
    W = {(o, c, j): w(o, c, j) for o in range(cout) for c in range(kin) for j in range(k)}
    G = {(o, t): g(o, t) for o in range(cout) for t in range(o_size)}
    B = {o: bo(o) for o in range(cout)}

    def xpad(c: int, pos: int) -> Expr:
        return X.get((c, pos - p), S.Zero)

    loss: Expr = S.Zero
    for (o, t), got in G.items():
        y = B[o] + sum((W[(o, c, j)] * xpad(src(o, c), s * t + d * j)
                        for c in range(kin) for j in range(k)), S.Zero)
        loss += got * y
    # recipe: insert s − 1 zeros into g[o], pad by d(k−1) − p before, correlate with the
    # flipped kernel w[o, c, k − 1 − j] dilated by d, and sum over the output channels o
    # (of c's group)
    before = d * (k - 1) - p
    gup = {(o, q): S.Zero for o in range(cout) for q in range((o_size - 1) * s + 1)}
    for (o, t), got in G.items():
        gup[(o, t * s)] = got
    dx = {(c, u): sum((W[(o, c % kin, k - 1 - j)] * gup.get((o, u + d * j - before), S.Zero)
                       for o in range(cout) if o // qout == c // kin for j in range(k)),
                      S.Zero) for (c, u) in X}
    dw = {(o, c, j): sum((G[(o, t)] * xpad(src(o, c), d * j + s * t) for t in range(o_size)),
                         S.Zero)
          for (o, c, j) in W}
    db = {o: sum((G[(o, t)] for t in range(o_size)), S.Zero) for o in B}
    named = Named(Symbol("L"), loss)
    lhs = ImmutableMatrix([Partial(named, X[key]) for key in X]
                          + [Partial(named, W[key]) for key in W]
                          + [Partial(named, B[o]) for o in B])
    rhs = ImmutableMatrix([dx[key] for key in X] + [dw[key] for key in W]
                          + [db[o] for o in B])
    tag = f"c{cin}o{cout}i{i}k{k}s{s}p{p}d{d}" + (f"g{groups}" if groups > 1 else "")
    grp = f" in {groups} groups" if groups > 1 else ""
    return Derivation(
        name=f"conv_backprop_fixed_{tag}", domain=domain_name(S.Integers, 1),
        title=f"{cin} → {cout} channels{grp}, i={i}, k={k}, s={s}, p={p}, d={d} "
              f"(output {o_size}): ∂L/∂(x, w, b) equals the per-channel "
              "transposed-convolution recipe",
        statement=Eq(lhs, rhs, evaluate=False),
        steps=(Step(rhs, Compute("the derivatives of the explicit forward polynomial")),),
        hypotheses=(
            "symbolic entries x(c, u), w(o, c, j), g(o, t), b(o); "
            "L = Σ_o Σ_t g(o, t)·y(o, t), written out below",
            "the right-hand side is built independently: ∂L/∂x(c, ·) = Σ_o (g(o, ·) with "
            "s − 1 zeros inserted, padded by d(k − 1) − p) correlated with the flipped "
            "w(o, c, ·); ∂L/∂w(o, c, j) = Σ_t g(o, t)·x̄(c, s·t + d·j); ∂L/∂b(o) = Σ_t g(o, t)"
            + ("" if groups == 1 else
               f" — with {groups} groups, o runs over the output channels of c's group and "
               "w(o, c, ·) means w(o, c mod (C_in/groups), ·)"),
        ),
        family="backprop",
        notes=(_FIXED_NOTE,),
    )
