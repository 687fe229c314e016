"""Convolution arithmetic (family ``arithmetic``): output sizes, the 15 relationships of
Dumoulin & Visin's guide, pooling with ``ceil_mode``, the conv/transposed-conv shape
symmetry, parameter/MAC/connection counts, depthwise-separable cost, 1×1 convolutions and
receptive fields — each proven for *all* integer parameters, its side conditions stated.

The model. A layer with kernel ``k``, stride ``s ≥ 1``, padding ``p`` and dilation ``d``
reads the padded input, positions ``0 … i + 2p − 1``; its window ``t`` covers the padded
positions ``s·t, s·t + d, …, s·t + d(k − 1)``. The output size is the number of windows
that fit: ``#{t ∈ ℤ : 0 ≤ t ∧ s·t + d(k − 1) ≤ i + 2p − 1}``. Everything else follows by
counting (:mod:`convmath.symbolic.rules.integers`) and algebra.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy import (
    And,
    Eq,
    Expr,
    Function,
    Le,
    Max,
    Min,
    Mod,
    S,
    Sum,
    Symbol,
    ceiling,
    floor,
)

from convmath.symbolic.derivation import Derivation, Step
from convmath.symbolic.kernel import Hypothesis, NonNegative, Remark
from convmath.symbolic.operators import Named
from convmath.symbolic.registry import theorem
from convmath.symbolic.rules import (
    Algebra,
    BranchValue,
    CountInterval,
    Definition,
    DropMax,
    FloorIdentity,
    FloorRelation,
    Lemma,
    MinCases,
    Rule,
    SingleTermSum,
    SolveForIndex,
    SumOfConstant,
    count,
)

FAMILY = "arithmetic"
DOMAIN = "ℤ"


def _int(name: str, **facts: bool) -> Symbol:
    return Symbol(name, integer=True, **facts)


i, k, p, d, a = (_int(n) for n in ("i", "k", "p", "d", "a"))
s = _int("s", positive=True)
t = _int("t")
n_half = _int("n", nonnegative=True)
i_t = _int("i′")


def windows(i_: Expr, k_: Expr, s_: Expr, p_: Expr, d_: Expr) -> Expr:
    """#{t ∈ ℤ : 0 ≤ t ∧ s·t + d(k − 1) ≤ i + 2p − 1}: the windows that fit."""
    return count(t, And(Le(0, t, evaluate=False),
                        Le(s_ * t + d_ * (k_ - 1), i_ + 2 * p_ - 1, evaluate=False)))


def _slack(i_: Expr, k_: Expr, s_: Expr, p_: Expr, d_: Expr) -> Expr:
    return i_ + 2 * p_ - d_ * (k_ - 1) - 1


def _d(name: str, title: str, lhs: Expr, rhs: Expr, steps: Sequence[tuple[Expr, Rule]],
       hyps: Sequence[str | Hypothesis] = (), variant: str = "",
       notes: Sequence[str] = ()) -> Derivation:
    return Derivation(
        name=name, domain=DOMAIN, title=title, statement=Eq(lhs, rhs, evaluate=False),
        steps=tuple(Step(e, r) for e, r in steps), hypotheses=tuple(hyps), family=FAMILY,
        variant=variant, notes=tuple(notes))


_WINDOW = Remark("window t reads the padded positions s·t, s·t + d, …, s·t + d·(k − 1); the "
                 "padded input has positions 0 … i + 2·p − 1")


def _size_steps(i_: Expr, k_: Expr, s_: Expr, p_: Expr, d_: Expr,
                textbook: Expr | None = None) -> list[tuple[Expr, Rule]]:
    """windows(…) → ⌊N/s⌋ + 1 (N ≥ 0), then algebra to ``textbook`` if given."""
    q = floor(_slack(i_, k_, s_, p_, d_) / s_)
    steps: list[tuple[Expr, Rule]] = [
        (count(t, And(Le(0, t, evaluate=False), Le(t, q, evaluate=False))), SolveForIndex()),
        (Max(S.Zero, q + 1, evaluate=False), CountInterval()),
        (q + 1, DropMax()),
    ]
    if textbook is not None and textbook != q + 1:
        steps.append((textbook, Algebra()))
    return steps


# -- output sizes ---------------------------------------------------------------------------


def _one() -> list[tuple[()]]:
    return [()]


@theorem(FAMILY, _one)
def conv_window_count() -> Derivation:
    q = floor(_slack(i, k, s, p, d) / s)
    return _d("conv_window_count",
              "the number of windows, for every integer size, padding and dilation",
              windows(i, k, s, p, d), Max(S.Zero, q + 1, evaluate=False),
              _size_steps(i, k, s, p, d)[:2], [_WINDOW],
              notes=("No hypothesis: when the dilated kernel does not fit, no window does "
                     "and the count is 0.",))


@theorem(FAMILY, _one)
def conv_output_size() -> Derivation:
    rhs = floor(_slack(i, k, s, p, d) / s) + 1
    return _d("conv_output_size",
              "the output size of a convolution: ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1",
              windows(i, k, s, p, d), rhs, _size_steps(i, k, s, p, d),
              [NonNegative(_slack(i, k, s, p, d)), _WINDOW],
              notes=("The hypothesis says the dilated kernel, d·(k − 1) + 1 wide, fits in "
                     "the padded input; otherwise the output is empty "
                     "(conv_window_count).",))


@theorem(FAMILY, _one)
def pool_output_size() -> Derivation:
    rhs = floor(_slack(i, k, s, p, d) / s) + 1
    return _d("pool_output_size",
              "the output size of pooling (floor mode) is that of a convolution",
              windows(i, k, s, p, d), rhs, [(rhs, Lemma("conv_output_size:Z"))],
              [NonNegative(_slack(i, k, s, p, d)),
               Remark("a pooling window is a convolution window: the same count")])


def _ceil_windows() -> Expr:
    big = _slack(i, k, s, p, d)
    return count(t, And(Le(0, t, evaluate=False), Le(s * t, big + s - 1, evaluate=False),
                        Le(s * t, i + p - 1, evaluate=False)))


@theorem(FAMILY, _one)
def pool_output_size_ceil() -> Derivation:
    big = _slack(i, k, s, p, d)
    f_ceil, f_start = floor((big + s - 1) / s), floor((i + p - 1) / s)
    m = Min(f_ceil, f_start, evaluate=False)
    rhs = Min(ceiling(big / s), f_start, evaluate=False) + 1
    steps: list[tuple[Expr, Rule]] = [
        (count(t, And(Le(0, t, evaluate=False), Le(t, m, evaluate=False))), SolveForIndex()),
        (Max(S.Zero, m + 1, evaluate=False), CountInterval()),
        (m + 1, DropMax()),
        (rhs, FloorIdentity("floor_as_ceiling", f_ceil)),
    ]
    return _d("pool_output_size_ceil",
              "pooling with ceil_mode: min(⌈(i + 2p − d(k − 1) − 1)/s⌉, ⌊(i + p − 1)/s⌋) + 1",
              _ceil_windows(), rhs, steps,
              [NonNegative(big), NonNegative(i + p - 1),
               Remark("ceil_mode keeps a last window that overhangs the padded input "
                      "(s·t ≤ i + 2p − d(k − 1) − 1 + s − 1) but never one that starts in "
                      "the right padding (s·t − p ≤ i − 1)")],
              notes=("PyTorch computes o = ⌈(i + 2p − d(k − 1) − 1)/s⌉ + 1 and then "
                     "o − 1 if (o − 1)·s ≥ i + p: the second term of the min. For i = 5, "
                     "k = 2, s = 2, p = 1 it gives min(3, 2) + 1 = 3, not the 4 of "
                     "'ceil instead of floor'.",))


@theorem(FAMILY, _one)
def pool_ceil_mode_rule() -> Derivation:
    big = _slack(i, k, s, p, d)
    c, f_start = ceiling(big / s), floor((i + p - 1) / s)
    rhs = sympy.Piecewise((c, s * c >= i + p), (c + 1, True))
    steps: list[tuple[Expr, Rule]] = [
        (Min(c, f_start, evaluate=False) + 1, Lemma("pool_output_size_ceil:Z")),
        (sympy.Piecewise((f_start + 1, sympy.StrictLessThan(f_start, c)), (c + 1, True)),
         MinCases()),
        (sympy.Piecewise((f_start + 1, s * c >= i + p), (c + 1, True)), FloorRelation()),
        (rhs, BranchValue()),
    ]
    return _d("pool_ceil_mode_rule",
              "PyTorch's ceil_mode rule: o = ⌈(i + 2p − d(k − 1) − 1)/s⌉ + 1, minus 1 when "
              "the last window would start in the right padding ((o − 1)·s ≥ i + p)",
              _ceil_windows(), rhs, steps,
              [NonNegative(big), NonNegative(i + p - 1), NonNegative(d * (k - 1) + 1 - p),
               Remark("ceil_mode keeps a last window that overhangs the padded input but "
                      "never one that starts in the right padding")],
              notes=("The last hypothesis (p ≤ d(k − 1) + 1, implied by PyTorch's own limit "
                     "2p ≤ k) is what makes one correction enough: at most one window "
                     "starts in the right padding.",))


@theorem(FAMILY, _one)
def conv_transpose_output_size() -> Derivation:
    stretched = s * (i - 1) + 1 + a
    pad = d * (k - 1) - p
    rhs = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
    return _d("conv_transpose_output_size",
              "the output size of a transposed convolution: (i − 1)s − 2p + d(k − 1) + a + 1",
              windows(stretched, k, 1, pad, d), rhs,
              _size_steps(stretched, k, 1, pad, d, rhs),
              [NonNegative(rhs - 1),
               Remark("a transposed convolution is a direct one with stride 1 over its input "
                      "stretched by s − 1 zeros between entries (s·(i − 1) + 1 long) with a "
                      "more at the end (output_padding), padded by d·(k − 1) − p on both "
                      "sides, with the kernel rotated 180°")],
              notes=("PyTorch accepts output_padding a < max(s, d).",))


@theorem(FAMILY, _one)
def conv_transpose_shape_symmetry() -> Derivation:
    o_t = Named(Symbol("o_T"), (i - 1) * s - 2 * p + d * (k - 1) + a + 1)
    lhs = floor((o_t + 2 * p - d * (k - 1) - 1) / s) + 1
    unfolded = floor(((i - 1) * s + a) / s) + 1
    steps: list[tuple[Expr, Rule]] = [
        (unfolded, Definition("o_T")),
        (i + floor(a / s), Algebra("⌊n + x⌋ = n + ⌊x⌋ for an integer n")),
        (i, FloorIdentity("floor_of_small")),
    ]
    return _d("conv_transpose_shape_symmetry",
              "a convolution undoes the shape of its transposed convolution",
              lhs, i, steps,
              [NonNegative(a), NonNegative(s - 1 - a),
               Remark("o_T = (i − 1)s − 2p + d(k − 1) + a + 1, the transposed output size")],
              notes=("PyTorch also accepts s ≤ a < d when d > s; then the convolution gives "
                     "back i + ⌊a/s⌋, not i.",))


@theorem(FAMILY, _one)
def conv_shape_roundtrip() -> Derivation:
    big = _slack(i, k, s, p, d)
    o = Named(Symbol("o"), floor(big / s) + 1)
    left = Named(Symbol("a"), Mod(big, s))
    lhs = (o - 1) * s - 2 * p + d * (k - 1) + left + 1
    unfolded = s * floor(big / s) - 2 * p + d * (k - 1) + Mod(big, s) + 1
    steps: list[tuple[Expr, Rule]] = [
        (unfolded, Definition("o, a")),
        (s * floor(big / s) - 2 * p + d * (k - 1) + big + s - s * floor((big + s) / s) + 1,
         FloorIdentity("mod_as_floor")),
        (i, Algebra()),
    ]
    return _d("conv_shape_roundtrip",
              "with output_padding a = (i + 2p − d(k − 1) − 1) mod s, the transposed "
              "convolution gives back the input size", lhs, i, steps,
              [Remark("o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1 is the convolution's output "
                      "size; a counts the rows its last window never reaches")],
              notes=("No hypothesis: it holds for every integer i, k, p, d and s ≥ 1.",))


# -- Dumoulin & Visin's 15 relationships --------------------------------------------------


def _dv() -> list[tuple[int]]:
    return [(n,) for n in range(1, 16)]


#: n → (title, (i, k, s, p, d) of the direct convolution counted, textbook right-hand side)
def _dv_table() -> dict[int, tuple[str, tuple[Expr, ...], Expr]]:
    one = S.One
    st = s * (i_t - 1) + 1
    return {
        1: ("no padding, unit strides: o = i − k + 1", (i, k, one, S.Zero, one), i - k + 1),
        2: ("zero padding, unit strides: o = (i − k) + 2p + 1", (i, k, one, p, one),
            (i - k) + 2 * p + 1),
        3: ("half (same) padding, k = 2n + 1, p = n: o = i",
            (i, 2 * n_half + 1, one, n_half, one), i),
        4: ("full padding, p = k − 1: o = i + (k − 1)", (i, k, one, k - 1, one), i + (k - 1)),
        5: ("no padding, strides s: o = ⌊(i − k)/s⌋ + 1", (i, k, s, S.Zero, one),
            floor((i - k) / s) + 1),
        6: ("padding p, strides s: o = ⌊(i + 2p − k)/s⌋ + 1", (i, k, s, p, one),
            floor((i + 2 * p - k) / s) + 1),
        7: ("pooling, strides s: o = ⌊(i − k)/s⌋ + 1", (i, k, s, S.Zero, one),
            floor((i - k) / s) + 1),
        8: ("transposed of relationship 1: k′ = k, s′ = 1, p′ = k − 1: o′ = i′ + (k − 1)",
            (i_t, k, one, k - 1, one), i_t + (k - 1)),
        9: ("transposed of relationship 2: p′ = k − p − 1: o′ = i′ + (k − 1) − 2p",
            (i_t, k, one, k - p - 1, one), i_t + (k - 1) - 2 * p),
        10: ("transposed of half padding: p′ = p = n: o′ = i′",
             (i_t, 2 * n_half + 1, one, n_half, one), i_t),
        11: ("transposed of full padding: p′ = 0: o′ = i′ − (k − 1)",
             (i_t, k, one, S.Zero, one), i_t - (k - 1)),
        12: ("transposed, no padding, strides s (input stretched by s − 1 zeros): "
             "o′ = s(i′ − 1) + k", (st, k, one, k - 1, one), s * (i_t - 1) + k),
        13: ("transposed, padding p, strides s: o′ = s(i′ − 1) + k − 2p",
             (st, k, one, k - p - 1, one), s * (i_t - 1) + k - 2 * p),
        14: ("transposed, general: a extra zeros after the stretched input: "
             "o′ = s(i′ − 1) + a + k − 2p", (st + a, k, one, k - p - 1, one),
             s * (i_t - 1) + a + k - 2 * p),
        15: ("dilation d: o = ⌊(i + 2p − k − (k − 1)(d − 1))/s⌋ + 1", (i, k, s, p, d),
             floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1),
    }


@theorem(FAMILY, _dv)
def dumoulin_visin(n: int) -> Derivation:
    title, (i_, k_, s_, p_, d_), rhs = _dv_table()[n]
    hyps: list[str | Hypothesis] = [NonNegative(_slack(i_, k_, s_, p_, d_)), _WINDOW]
    if n >= 8:
        hyps.append(Remark("the transposed convolution is counted as the direct convolution "
                           "it equals (stride 1, kernel rotated 180°)"))
    return _d("dumoulin_visin", f"relationship {n}: {title}", windows(i_, k_, s_, p_, d_), rhs,
              _size_steps(i_, k_, s_, p_, d_, rhs), hyps, variant=f"r{n}")


# -- counting: parameters, MACs, connections ---------------------------------------------


def _nd() -> list[tuple[int]]:
    return [(1,), (2,), (3,)]


c_out, m_in, batch = _int("C_out", positive=True), _int("m", positive=True), _int(
    "N", positive=True)
beta = _int("β", nonnegative=True)
_IDX = {"q": _int("q"), "c": _int("c")}


def _ks(nd: int) -> tuple[Symbol, ...]:
    return tuple(_int(f"k{j + 1}" if nd > 1 else "k", positive=True) for j in range(nd))


def _os(nd: int) -> tuple[Symbol, ...]:
    return tuple(_int(f"o{j + 1}" if nd > 1 else "o", positive=True) for j in range(nd))


def _nest(body: Expr, ranges: Sequence[tuple[Symbol, Expr]]) -> Expr:
    """Σ over ``ranges`` (outermost first) of ``body``, each from 0 to its size − 1."""
    for v, size in reversed(ranges):
        body = Sum(body, (v, 0, size - 1))
    return body


def _peel(body: Expr, ranges: Sequence[tuple[Symbol, Expr]]) -> list[tuple[Expr, Rule]]:
    """The steps evaluating ``_nest(body, ranges)`` (``body`` free of the indices) one sum
    at a time, from the innermost out: each multiplies by that range's size."""
    steps: list[tuple[Expr, Rule]] = []
    value = body
    for j in range(len(ranges) - 1, -1, -1):
        value = value * ranges[j][1]
        steps.append((_nest(value, ranges[:j]), SumOfConstant()))
    return steps


_TAPS = ("u", "v", "w")


def _taps(nd: int) -> list[tuple[Symbol, Expr]]:
    return [(_int(_TAPS[j]), kk) for j, kk in enumerate(_ks(nd))]


@theorem(FAMILY, _nd)
def conv_params(nd: int) -> Derivation:
    ks = _ks(nd)
    q, c = _IDX["q"], _IDX["c"]
    weights = _nest(S.One, [(c, m_in), *_taps(nd)])
    lhs = Sum(weights + beta, (q, 0, c_out - 1))
    fan_in = m_in * sympy.Mul(*ks)
    steps: list[tuple[Expr, Rule]] = []
    for e, r in _peel(S.One, [(c, m_in), *_taps(nd)]):
        steps.append((Sum(e + beta, (q, 0, c_out - 1)), r))
    steps.append((c_out * (fan_in + beta), SumOfConstant()))
    steps.append((c_out * fan_in + beta * c_out, Algebra()))
    return _d("conv_params",
              "the parameters of a convolution layer: C_out·(C_in/g)·∏k (+ C_out with bias)",
              lhs, c_out * fan_in + beta * c_out, steps,
              [Remark("one weight per (output channel q, input channel c of its group, kernel "
                      "tap); m = C_in/g (g divides C_in); β = 1 with a bias, 0 without"),
               Remark("the weights are shared by every output position: the count does not "
                      "depend on the input size")],
              variant=f"{nd}d")


def _per_output(nd: int, summand_extra: Expr, with_batch: bool) -> tuple[Expr, list[tuple[
        Expr, Rule]], Expr]:
    os_ = _os(nd)
    q, c = _IDX["q"], _IDX["c"]
    outs = [(q, c_out), *[(_int(f"y{j + 1}"), o) for j, o in enumerate(os_)]]
    if with_batch:
        outs = [(_int("b"), batch), *outs]
    inner = [(c, m_in), *_taps(nd)]
    fan = _nest(S.One, inner) + summand_extra
    lhs = _nest(fan, outs)
    steps: list[tuple[Expr, Rule]] = []
    for e, r in _peel(S.One, inner):
        steps.append((_nest(e + summand_extra, outs), r))
    fan_in = m_in * sympy.Mul(*_ks(nd)) + summand_extra
    for e, r in _peel(fan_in, outs):
        steps.append((e, r))
    total = fan_in * sympy.Mul(*[size for _, size in outs])
    return lhs, steps, total


@theorem(FAMILY, _nd)
def conv_macs(nd: int) -> Derivation:
    lhs, steps, total = _per_output(nd, S.Zero, True)
    return _d("conv_macs",
              "multiply-accumulates of a convolution layer: N·∏o·C_out·(C_in/g)·∏k",
              lhs, total, steps,
              [Remark("one multiply-add per (example b, output channel q, output position y, "
                      "input channel c of its group, kernel tap); m = C_in/g; bias additions "
                      "are not MACs"),
               Remark("FLOPs are counted as 2·MACs (a multiply and an add), plus one addition "
                      "per output with a bias if that convention is chosen")],
              variant=f"{nd}d")


@theorem(FAMILY, _nd)
def conv_connections(nd: int) -> Derivation:
    lhs, steps, total = _per_output(nd, beta, False)
    return _d("conv_connections",
              "connections of a convolution layer: outputs × fan-in, C_out·∏o·(C_in/g·∏k + β)",
              lhs, total, steps,
              [Remark("one connection per (output, input it reads) pair, plus one to the bias "
                      "(β = 1 with a bias); m = C_in/g"),
               Remark("connections are not parameters: the ∏o output positions share one set "
                      "of weights (AlexNet's conv1: 290,400 outputs × 364 connections each, "
                      "34,944 parameters)")],
              variant=f"{nd}d")


@theorem(FAMILY, _one)
def depthwise_separable_ratio() -> Derivation:
    dk, mm, nn, df = (_int(x, positive=True) for x in ("D_K", "M", "N", "D_F"))
    depthwise = Named(Symbol("MACs_depthwise"), dk**2 * mm * df**2)
    pointwise = Named(Symbol("MACs_pointwise"), mm * nn * df**2)
    standard = Named(Symbol("MACs_standard"), dk**2 * mm * nn * df**2)
    lhs = (depthwise + pointwise) / standard
    unfolded = (dk**2 * mm * df**2 + mm * nn * df**2) / (dk**2 * mm * nn * df**2)
    rhs = 1 / nn + 1 / dk**2
    return _d("depthwise_separable_ratio",
              "a depthwise separable convolution costs 1/N + 1/D_K² of a standard one",
              lhs, rhs, [(unfolded, Definition(
                             "MACs_depthwise, MACs_pointwise, MACs_standard")),
                         (rhs, Algebra())],
              [Remark("D_K×D_K kernels, M input and N output channels, a D_F×D_F output, "
                      "stride 1; the costs are conv_macs with g = M (depthwise, one channel "
                      "per group), k = 1 (pointwise) and g = 1 (standard)")])


@theorem(FAMILY, _one)
def conv1x1_matmul() -> Derivation:
    w, x, b = Function("w"), Function("x"), Function("b")
    q, c, u, v = _IDX["q"], _IDX["c"], _int("u"), _int("v")
    y1, y2 = _int("y1"), _int("y2")
    cin = _int("C", positive=True)
    tap = w(q, c, u, v) * x(c, y1 + u, y2 + v)
    lhs = b(q) + Sum(Sum(Sum(tap, (v, 0, 0)), (u, 0, 0)), (c, 0, cin - 1))
    mid = b(q) + Sum(Sum(w(q, c, u, 0) * x(c, y1 + u, y2), (u, 0, 0)), (c, 0, cin - 1))
    rhs = b(q) + Sum(w(q, c, 0, 0) * x(c, y1, y2), (c, 0, cin - 1))
    return _d("conv1x1_matmul",
              "a 1×1 convolution is a matrix product over channels at each pixel",
              lhs, rhs, [(mid, SingleTermSum()), (rhs, SingleTermSum())],
              [Remark("the layer y(q, y1, y2) = b(q) + Σ_c Σ_u Σ_v w(q, c, u, v)·x(c, y1 + u, "
                      "y2 + v) with k = 1 (stride 1, no padding)"),
               Remark("the right-hand side is (W·X)[q, (y1, y2)] + b(q) with the C_out×C "
                      "matrix W[q, c] = w(q, c, 0, 0) and X[c, (y1, y2)] = x(c, y1, y2)")])


# -- receptive fields -----------------------------------------------------------------------


def _rf() -> list[tuple[str]]:
    return [("size",), ("jump",), ("start",), ("centre",)]


@theorem(FAMILY, _rf)
def receptive_field(part: str) -> Derivation:
    start0, r0 = _int("start_prev"), _int("r_prev", positive=True)
    j0 = Symbol("j_prev", positive=True, rational=True)
    kk, dd, ss = _int("k", positive=True), _int("d", positive=True), _int("s", positive=True)

    def first(tt: Expr) -> Expr:   # the first input of layer l−1 position s·t − p's field
        return start0 + (ss * tt - p) * j0

    def last(tt: Expr) -> Expr:    # the last input of position s·t − p + d(k − 1)'s field
        return start0 + (ss * tt - p + dd * (kk - 1)) * j0 + r0 - 1

    first_t = Named(Symbol("first(t)"), first(t))
    last_t = Named(Symbol("last(t)"), last(t))
    if part == "size":
        lhs, unfolded, rhs = last_t - first_t + 1, last(t) - first(t) + 1, \
            r0 + dd * (kk - 1) * j0
        title = "receptive field size: r_l = r_{l−1} + d(k − 1)·j_{l−1}"
        names: tuple[str, ...] = ("first(t)", "last(t)")
    elif part == "jump":
        nxt = Named(Symbol("first(t + 1)"), first(t + 1))
        lhs, unfolded, rhs = nxt - first_t, first(t + 1) - first(t), ss * j0
        title = "jump: j_l = s·j_{l−1}"
        names = ("first(t + 1)", "first(t)")
    elif part == "start":
        zero = Named(Symbol("first(0)"), first(S.Zero))
        lhs, unfolded, rhs = zero, first(S.Zero), start0 - p * j0
        title = "start: start_l = start_{l−1} − p·j_{l−1}"
        names = ("first(0)",)
    else:
        f0, l0 = Named(Symbol("first(0)"), first(S.Zero)), Named(Symbol("last(0)"),
                                                                   last(S.Zero))
        centre0 = start0 + (r0 - 1) / S(2)
        lhs, unfolded = (f0 + l0) / 2, (first(S.Zero) + last(S.Zero)) / 2
        rhs = centre0 + (dd * (kk - 1) / S(2) - p) * j0
        title = "centre: u_l = u_{l−1} + (d(k − 1)/2 − p)·j_{l−1}"
        names = ("first(0)", "last(0)")
    steps: list[tuple[Expr, Rule]] = [(unfolded, Definition(", ".join(names)))]
    if unfolded != rhs:
        steps.append((rhs, Algebra()))
    return _d("receptive_field", title, lhs, rhs, steps,
              [Remark("induction hypothesis: layer l − 1's position u sees the inputs "
                      "start_prev + u·j_prev … start_prev + u·j_prev + r_prev − 1 (j_prev > 0: "
                      "fields move right with u)"),
               Remark("output t of layer l (kernel k, stride s, padding p, dilation d) reads "
                      "layer l − 1's positions s·t − p + d·m, 0 ≤ m ≤ k − 1: its field runs "
                      "from first(t) (m = 0) to last(t) (m = k − 1)"),
               Remark("r_0 = 1, j_0 = 1, start_0 = 0; a dilated field has holes: r is its "
                      "span")],
              variant=part)
