"""Backpropagation through conv and pooling: ``sympy.diff`` vs convmath.numeric vs autograd.

Each case builds the layer's output ``y`` with SymPy symbols as entries, straight from the
definition (written here, not taken from convmath), forms ``L = Σ c·y`` for an integer
upstream gradient ``c`` drawn by Hypothesis, differentiates ``L`` with ``sympy.diff``,
substitutes drawn integer values and compares the result *exactly* (integer-valued float64
arrays, ``array_equal``) with ``conv_input_grad`` / ``conv_weight_grad`` /
``conv_bias_grad``, ``max_pool_grad`` and ``avg_pool_grad`` — and, in separate tests that
skip without torch, with PyTorch autograd in float64.

Definitions (PyTorch's; i input, k kernel, s stride, d dilation, p padding, G groups):

- conv: ``y[n, o, t] = b[o] + Σ_{c, j} w[o, c, j] · x[n, g(o)·C_in/G + c, t·s + j·d − p]``
  with ``g(o) = o // (C_out/G)`` and zero padding (``padding='same'``: total ``d(k−1)``,
  ``⌊total/2⌋`` before, the rest after);
- max pooling: the maximum over the window's in-bounds taps (the padding is −∞), output
  size ``⌊(i + 2p − d(k−1) − 1 + (s−1 if ceil_mode))/s⌋ + 1``, less one in ceil mode when
  the last window would start in the right padding;
- average pooling: the sum over the in-bounds taps divided by ``divisor_override``, else by
  the window clipped to the padded input (``count_include_pad``; the ceil-mode overhang
  never counts), else by the number of in-bounds taps.

Speed. ``L`` is an Add of products; the derivative with respect to a symbol ``v`` is taken
as ``sympy.diff(L_v, v)`` where ``L_v`` is the sub-sum of ``L``'s terms that mention ``v``
(the others differentiate to 0): the same derivative, without differentiating hundreds of
terms to zero for every symbol. ``test_the_sparse_derivative_is_the_full_derivative``
and ``test_the_sparse_pool_derivative_is_the_full_derivative`` check that shortcut against
``sympy.diff(L, v)`` on the whole ``L``. A max-pool window is ``Max`` folded pairwise
(:func:`_max`; SymPy's n-ary ``Max`` costs 8× more on 3×3 windows), checked against the
n-ary ``Max`` in ``test_the_pairwise_max_has_the_derivative_of_the_n_ary_max``. The
strategies bound the symbolic work (:data:`MAX_PRODUCTS`, :data:`MAX_WINDOW_WORK`) by
drawing the batch and channel counts after the geometry, within what it leaves.

Exactness. Conv and max-pool gradients of integer data are integers. The average-pooling
upstream gradient is scaled by the lcm of the window divisors, so every share ``c/D`` and
every sum is an integer too; the unscaled gradient is then compared to the exact Rationals
to within rounding.

Ties (max pooling) are not differentiable, so ``sympy.diff`` says nothing there (its
``Heaviside(0)`` is ``1/2``); the tie tests check the documented contract instead — each
window sends its gradient to the *first* maximum in row-major scan order — against
PyTorch. The "honest" tests at the end feed known-bad gradients (a kernel that is not
mirrored, a stride that is ignored, ties to the last maximum, a wrong average divisor)
through the same comparisons and require them to fail.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import Phase, assume, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

from convmath.numeric import (
    avg_pool,
    avg_pool_grad,
    conv,
    conv_bias_grad,
    conv_input_grad,
    conv_weight_grad,
    max_pool,
    max_pool_grad,
)

SYMBOLIC = settings(max_examples=20, deadline=None)
TORCH = settings(max_examples=12, deadline=None)

Index = tuple[int, ...]


# --------------------------------------------------------------------------- symbolic tools


def _symbols(prefix: str, shape: Index) -> np.ndarray:
    """An object array of distinct real Symbols named ``prefix_i_j_...``."""
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        out[idx] = sp.Symbol(f"{prefix}_{'_'.join(map(str, idx))}")
    return out


def _bind(syms: np.ndarray, values: np.ndarray) -> dict[sp.Symbol, sp.Integer]:
    return {s: sp.Integer(int(v)) for s, v in zip(syms.ravel(), values.ravel(), strict=True)}


def _loss(y: np.ndarray, c: np.ndarray) -> sp.Expr:
    """``L = Σ c·y`` (integer ``c``), an Add of products once SymPy distributes ``c``."""
    return sp.Add(*(int(ci) * yi for ci, yi in zip(c.ravel(), y.ravel(), strict=True)))


def _terms_by_symbol(L: sp.Expr) -> dict[sp.Symbol, list[sp.Expr]]:
    parts: dict[sp.Symbol, list[sp.Expr]] = defaultdict(list)
    for term in sp.Add.make_args(L):
        for s in term.free_symbols:
            parts[s].append(term)
    return parts


def _gradient(L: sp.Expr, syms: np.ndarray, values: dict[sp.Symbol, sp.Integer],
              parts: dict[sp.Symbol, list[sp.Expr]] | None = None) -> np.ndarray:
    """``∂L/∂v`` for every symbol ``v`` of ``syms`` by ``sympy.diff``, evaluated at ``values``.

    Differentiates the terms of ``L`` that mention ``v`` (see the module docstring). Returns
    an object array of exact SymPy numbers; anything else (an unevaluated Heaviside, say)
    is a failure.
    """
    if parts is None:
        parts = _terms_by_symbol(L)
    out = np.empty(syms.shape, dtype=object)
    for idx, s in np.ndenumerate(syms):
        value = sp.diff(sp.Add(*parts.get(s, [])), s).xreplace(values)
        assert value.is_Rational, f"∂L/∂{s} did not evaluate to a number: {value}"
        out[idx] = value
    return out


def _as_int_array(a: np.ndarray) -> np.ndarray:
    """Exact integers (object array of SymPy numbers) as an integer-valued float64 array."""
    assert all(v.is_Integer for v in a.ravel()), a
    return np.array([int(v) for v in a.ravel()], dtype=np.float64).reshape(a.shape)


def _grid(shape: Iterable[int]) -> Iterable[Index]:
    return itertools.product(*(range(n) for n in shape))


# --------------------------------------------------------------------------- convolution


@dataclass(frozen=True)
class ConvCase:
    x: np.ndarray  # (N, C_in, *i), integer-valued
    w: np.ndarray  # (C_out, C_in/G, *k)
    b: np.ndarray  # (C_out,)
    c: np.ndarray  # upstream gradient, the output's shape
    stride: Index
    padding: Index | str  # per-axis ints, or 'same'
    dilation: Index
    groups: int

    @property
    def pads(self) -> list[tuple[int, int]]:
        """(before, after) per axis, by PyTorch's rule for 'same'."""
        if self.padding == "same":
            total = [d * (k - 1) for d, k in zip(self.dilation, self.w.shape[2:], strict=True)]
            return [(t // 2, t - t // 2) for t in total]
        assert not isinstance(self.padding, str)
        return [(p, p) for p in self.padding]

    def kwargs(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}


def _conv_out_size(i: Index, k: Index, s: Index, d: Index,
                   pads: list[tuple[int, int]]) -> Index:
    return tuple((ii + pb + pa - dd * (kk - 1) - 1) // ss + 1
                 for ii, kk, ss, dd, (pb, pa) in zip(i, k, s, d, pads, strict=True))


def _values(shape: Index, lo: int, hi: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(lo, hi))


#: At most this many products ``w·x`` in ``y`` (``N·C_out·∏o·(C_in/G)·∏k``): ``sympy.diff``
#: costs about a millisecond per product, and the largest shapes below would need 4608.
MAX_PRODUCTS = 480


@st.composite
def conv_cases(draw: Any, nd: int) -> ConvCase:
    """Small valid convolutions: spatial ≤ 6 (1-d) or ≤ 4 (2-d), channels ≤ 4, N ≤ 2, and
    at most :data:`MAX_PRODUCTS` products (the channels and batch are drawn last, within
    what the geometry leaves)."""
    max_size, max_pad, max_stride = {1: (6, 2, 3), 2: (4, 1, 2)}[nd]
    size, kernel, stride, padding, dilation = [], [], [], [], []
    for _ in range(nd):
        k = draw(st.integers(1, 3))
        p = draw(st.integers(0, max_pad))
        d = draw(st.integers(1, 2 if 2 * (k - 1) + 1 - 2 * p <= max_size else 1))
        i = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max_size))  # output size >= 1
        size.append(i)
        kernel.append(k)
        dilation.append(d)
        padding.append(p)
        stride.append(draw(st.integers(1, max_stride)))
    pad: Index | str = tuple(padding)
    if all(s == 1 for s in stride) and draw(st.integers(0, 3)) == 0:
        pad = "same"
    geometry = ConvCase(np.zeros((1, 1, *size)), np.zeros((1, 1, *kernel)), np.zeros(1),
                        np.zeros(0), tuple(stride), pad, tuple(dilation), 1)
    out = _conv_out_size(tuple(size), tuple(kernel), geometry.stride, geometry.dilation,
                         geometry.pads)
    assert min(out) >= 1
    room = MAX_PRODUCTS // (math.prod(out) * math.prod(kernel))  # for N·C_out·C_in/G
    groups = draw(st.sampled_from([g for g in (1, 1, 2, 2, 3, 4) if g <= max(1, room)]))
    cin_g = draw(st.integers(1, max(1, min(4 // groups, room // groups))))
    cout_g = draw(st.integers(1, max(1, min(4 // groups, room // (groups * cin_g)))))
    n = draw(st.integers(1, max(1, min(2, room // (groups * cin_g * cout_g)))))
    x = draw(_values((n, cin_g * groups, *size), -4, 4))
    w = draw(_values((cout_g * groups, cin_g, *kernel), -3, 3))
    b = draw(_values((cout_g * groups,), -3, 3))
    c = draw(_values((n, cout_g * groups, *out), -3, 3))
    return replace(geometry, x=x, w=w, b=b, c=c, groups=groups)


def symbolic_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: Index,
                  pads: list[tuple[int, int]], dilation: Index, groups: int) -> np.ndarray:
    """The convolution of object arrays by the definition, zero padding (terms omitted)."""
    n_batch = x.shape[0]
    c_out, cin_g = w.shape[:2]
    cout_g = c_out // groups
    size, kernel = x.shape[2:], w.shape[2:]
    out = _conv_out_size(size, kernel, stride, dilation, pads)
    y = np.empty((n_batch, c_out, *out), dtype=object)
    for n, o, t in itertools.product(range(n_batch), range(c_out), _grid(out)):
        first = (o // cout_g) * cin_g  # the group's first input channel
        terms = [b[o]]
        for c, j in itertools.product(range(cin_g), _grid(kernel)):
            u = tuple(tt * s + jj * d - pb
                      for tt, jj, s, d, (pb, _) in zip(t, j, stride, dilation, pads, strict=True))
            if all(0 <= uu < ii for uu, ii in zip(u, size, strict=True)):
                terms.append(w[(o, c, *j)] * x[(n, first + c, *u)])
        y[(n, o, *t)] = sp.Add(*terms)
    return y


@dataclass(frozen=True)
class ConvGrads:
    loss: int  # L at the drawn values
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray


def symbolic_conv_grads(case: ConvCase) -> ConvGrads:
    """``∂L/∂x``, ``∂L/∂w``, ``∂L/∂b`` of ``L = Σ c·conv(x, w, b)`` by ``sympy.diff``."""
    xs, ws = _symbols("x", case.x.shape), _symbols("w", case.w.shape)
    bs = _symbols("b", case.b.shape)
    y = symbolic_conv(xs, ws, bs, case.stride, case.pads, case.dilation, case.groups)
    L = _loss(y, case.c)
    values = _bind(xs, case.x) | _bind(ws, case.w) | _bind(bs, case.b)
    parts = _terms_by_symbol(L)
    return ConvGrads(int(L.xreplace(values)),
                     *(_as_int_array(_gradient(L, s, values, parts)) for s in (xs, ws, bs)))


def check_conv_grads(case: ConvCase, sym: ConvGrads, *,
                     input_grad: Callable[..., np.ndarray] = conv_input_grad,
                     weight_grad: Callable[..., np.ndarray] = conv_weight_grad,
                     bias_grad: Callable[..., np.ndarray] = conv_bias_grad) -> None:
    """The symbolic gradients equal the implementations' exactly (AssertionError if not).

    Float64 and int64 operands (the exact integer path), and with ``N = 1`` also the
    unbatched layout ``(C, *spatial)``.
    """
    kw = case.kwargs()
    for dtype in (np.float64, np.int64):
        x, w, b, c = (a.astype(dtype) for a in (case.x, case.w, case.b, case.c))
        what = f"({np.dtype(dtype).name} operands)"
        assert np.sum(c * conv(x, w, b, **kw)) == sym.loss, f"forward L {what}"
        assert_array_equal(input_grad(x.shape, w, c, **kw), sym.dx, err_msg=f"∂L/∂x {what}")
        assert_array_equal(weight_grad(x, w.shape, c, **kw), sym.dw, err_msg=f"∂L/∂w {what}")
        assert_array_equal(bias_grad(c), sym.db, err_msg=f"∂L/∂b {what}")
    if case.x.shape[0] == 1:
        x, w, c = case.x[0].astype(np.float64), case.w.astype(np.float64), case.c[0]
        assert_array_equal(input_grad(x.shape, w, c, **kw), sym.dx[0], err_msg="unbatched")
        assert_array_equal(weight_grad(x, w.shape, c, **kw), sym.dw, err_msg="unbatched")
        assert_array_equal(bias_grad(c, spatial_dims=case.x.ndim - 2), sym.db,
                           err_msg="unbatched")


def torch_conv_grads(torch: Any, case: ConvCase
                     ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch's ``L`` and autograd ``∂L/∂x``, ``∂L/∂w``, ``∂L/∂b`` in float64."""
    nd = case.x.ndim - 2
    xt, wt, bt = (torch.tensor(a, dtype=torch.float64, requires_grad=True)
                  for a in (case.x, case.w, case.b))
    y = getattr(torch.nn.functional, f"conv{nd}d")(xt, wt, bt, **case.kwargs())
    L = (y * torch.tensor(case.c, dtype=torch.float64)).sum()
    L.backward()
    return (L.item(), *(t.grad.numpy() for t in (xt, wt, bt)))


#: A 3-d case: groups, per-axis stride / padding / dilation, one axis of size 1.
CASE_3D = ConvCase(
    x=np.arange(48).reshape(1, 2, 4, 3, 2) % 7 - 3,
    w=np.array([[[[[1], [-2]], [[3], [0]]]], [[[[-1], [2]], [[2], [1]]]]]),
    b=np.array([2, -1]),
    c=np.arange(32).reshape(1, 2, 2, 2, 4) % 5 - 2,
    stride=(1, 2, 1), padding=(0, 1, 1), dilation=(2, 1, 1), groups=2,
)


@SYMBOLIC
@given(conv_cases(1))
def test_conv1d_gradients_symbolic_equal_numeric(case: ConvCase) -> None:
    check_conv_grads(case, symbolic_conv_grads(case))


@SYMBOLIC
@given(conv_cases(2))
def test_conv2d_gradients_symbolic_equal_numeric(case: ConvCase) -> None:
    check_conv_grads(case, symbolic_conv_grads(case))


def test_conv3d_gradients_symbolic_equal_numeric() -> None:
    assert CASE_3D.c.shape == (1, 2, 2, 2, 4)
    check_conv_grads(CASE_3D, symbolic_conv_grads(CASE_3D))


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@TORCH
@given(st.sampled_from([1, 2]).flatmap(conv_cases))
def test_conv_gradients_symbolic_equal_torch_autograd(case: ConvCase) -> None:
    torch = pytest.importorskip("torch")
    loss, dx, dw, db = torch_conv_grads(torch, case)
    sym = symbolic_conv_grads(case)
    assert loss == sym.loss
    assert_array_equal(dx, sym.dx)
    assert_array_equal(dw, sym.dw)
    assert_array_equal(db, sym.db)
    check_conv_grads(case, sym)  # three ways on the same case


def test_conv3d_gradients_symbolic_equal_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    loss, dx, dw, db = torch_conv_grads(torch, CASE_3D)
    sym = symbolic_conv_grads(CASE_3D)
    assert loss == sym.loss
    for got, want in ((dx, sym.dx), (dw, sym.dw), (db, sym.db)):
        assert_array_equal(got, want)


def test_the_sparse_derivative_is_the_full_derivative() -> None:
    """The shortcut of :func:`_gradient` against ``sympy.diff`` of the whole ``L``."""
    case = ConvCase(x=np.array([[[1, -2, 3, 0, 2], [2, 1, -1, 4, -3]]]),
                    w=np.array([[[1, -1, 2], [0, 3, -2]], [[2, 2, -1], [1, 0, 1]]]),
                    b=np.array([3, -2]), c=np.array([[[1, -2, 3], [2, 0, -1]]]),
                    stride=(2,), padding=(1,), dilation=(1,), groups=1)
    xs, ws, bs = _symbols("x", (1, 2, 5)), _symbols("w", (2, 2, 3)), _symbols("b", (2,))
    L = _loss(symbolic_conv(xs, ws, bs, case.stride, case.pads, case.dilation, 1), case.c)
    values = _bind(xs, case.x) | _bind(ws, case.w) | _bind(bs, case.b)
    for syms in (xs, ws, bs):
        full = np.array([sp.diff(L, s).xreplace(values) for s in syms.ravel()]).reshape(
            syms.shape)
        assert_array_equal(full, _gradient(L, syms, values))
    check_conv_grads(case, symbolic_conv_grads(case))


# --------------------------------------------------------------------------- pooling


@dataclass(frozen=True)
class PoolCase:
    x: np.ndarray  # (N, C, *i), integer-valued
    c: np.ndarray  # upstream gradient, the output's shape
    kernel: Index
    stride: Index | None  # None: the kernel size (PyTorch's default)
    padding: Index
    dilation: Index  # max pooling only; all 1 for average pooling
    ceil_mode: bool
    count_include_pad: bool = True
    divisor_override: int | None = None

    @property
    def nd(self) -> int:
        return len(self.kernel)

    @property
    def steps(self) -> Index:
        return self.kernel if self.stride is None else self.stride

    def out_size(self) -> Index:
        return pool_out_size(self.x.shape[2:], self.kernel, self.steps, self.padding,
                             self.dilation, self.ceil_mode)

    def max_kwargs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                "dilation": self.dilation, "ceil_mode": self.ceil_mode}

    def avg_kwargs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                "ceil_mode": self.ceil_mode, "count_include_pad": self.count_include_pad,
                "divisor_override": self.divisor_override}


def pool_out_size(i: Iterable[int], k: Index, s: Index, p: Index, d: Index,
                  ceil_mode: bool) -> Index:
    out = []
    for ii, kk, ss, pp, dd in zip(i, k, s, p, d, strict=True):
        o = (ii + 2 * pp - dd * (kk - 1) - 1 + (ss - 1 if ceil_mode else 0)) // ss + 1
        if ceil_mode and (o - 1) * ss >= ii + pp:
            o -= 1
        out.append(o)
    return tuple(out)


def window(case: PoolCase, t: Index) -> list[Index]:
    """The in-bounds positions of output ``t``'s window, in row-major tap order."""
    size = case.x.shape[2:]
    taps = (tuple(tt * s + jj * d - p for tt, jj, s, d, p in zip(
        t, j, case.steps, case.dilation, case.padding, strict=True)) for j in _grid(case.kernel))
    return [u for u in taps if all(0 <= uu < ii for uu, ii in zip(u, size, strict=True))]


def avg_divisor(case: PoolCase, t: Index) -> int:
    if case.divisor_override is not None:
        return case.divisor_override
    if not case.count_include_pad:
        return len(window(case, t))
    count = 1
    for tt, k, s, p, i in zip(t, case.kernel, case.steps, case.padding, case.x.shape[2:],
                              strict=True):
        start = tt * s - p
        count *= min(start + k, i + p) - start  # clipped to the padded input
    return count


@st.composite
def pool_geometries(draw: Any, nd: int, *, dilated: bool) -> dict[str, Any]:
    max_size = {1: 6, 2: 4}[nd]
    size, kernel, stride, padding, dilation = [], [], [], [], []
    for _ in range(nd):
        k = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2 if dilated and 2 * (k - 1) + 1 <= max_size else 1))
        p = draw(st.integers(0, k // 2))  # PyTorch: p <= k/2
        size.append(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max_size)))
        kernel.append(k)
        dilation.append(d)
        padding.append(p)
        stride.append(draw(st.integers(1, 3)))
    return {"size": tuple(size), "kernel": tuple(kernel),
            "stride": draw(st.sampled_from([tuple(stride), None])), "padding": tuple(padding),
            "dilation": tuple(dilation), "ceil_mode": draw(st.booleans())}


#: At most this much ``Σ taps²`` over the windows of all (n, c) planes for ``sympy.diff``
#: of max pooling (the derivative of a folded Max of n taps is a product of n Heavisides,
#: for each of its n taps): about a millisecond a unit; a 4×4 input with 3×3 windows, stride
#: 1 and padding 1 is 676 a plane.
MAX_WINDOW_WORK = 320


@st.composite
def max_pool_cases(draw: Any, nd: int, *, ties: bool = False) -> PoolCase:
    """Max pooling; distinct input values (so every window has one maximum) unless ``ties``,
    which draws from {0, 1, 2} (ties in most windows) and needs no symbolic budget."""
    g = draw(pool_geometries(nd, dilated=True))
    plane = PoolCase(np.zeros((1, 1, *g["size"])), np.zeros(0), g["kernel"], g["stride"],
                     g["padding"], g["dilation"], g["ceil_mode"])
    out = plane.out_size()
    assert min(out) >= 1
    windows = [window(plane, t) for t in _grid(out)]
    # a dilated window may miss the input entirely: convmath refuses that geometry
    assume(all(windows))
    room = 4 if ties else MAX_WINDOW_WORK // sum(len(w) ** 2 for w in windows)
    assume(room >= 1)
    n = draw(st.integers(1, min(2, room)))
    shape = (n, draw(st.integers(1, min(2, room // n))), *g["size"])
    if ties:
        x = draw(_values(shape, 0, 2))
    else:
        flat = draw(st.lists(st.integers(-99, 99), min_size=math.prod(shape),
                             max_size=math.prod(shape), unique=True))
        x = np.array(flat, dtype=np.int64).reshape(shape)
    return replace(plane, x=x, c=draw(_values((*shape[:2], *out), -3, 3)))


@st.composite
def avg_pool_cases(draw: Any, nd: int) -> PoolCase:
    g = draw(pool_geometries(nd, dilated=False))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *g["size"])
    x = draw(_values(shape, -9, 9))
    case = PoolCase(x, np.zeros(0), g["kernel"], g["stride"], g["padding"], g["dilation"],
                    g["ceil_mode"], count_include_pad=draw(st.booleans()),
                    divisor_override=draw(st.sampled_from([None, None, -3, -1, 2, 5])))
    out = case.out_size()
    assert min(out) >= 1
    return replace(case, c=draw(_values((*shape[:2], *out), -3, 3)))


def _max(taps: list[sp.Expr]) -> sp.Expr:
    """``max`` of a window as SymPy ``Max`` folded pairwise, ``Max(Max(x₁, x₂), x₃)…``,
    unevaluated (evaluation would flatten it): the n-ary ``Max(x₁, …, xₙ)`` compares every
    pair of its arguments whenever it is built, which its derivative does once per
    argument, so a 3×3 window costs 8× more (the two are compared in
    ``test_the_pairwise_max_has_the_derivative_of_the_n_ary_max``)."""
    return functools.reduce(lambda a, b: sp.Max(a, b, evaluate=False), taps)


def symbolic_pool(case: PoolCase, xs: np.ndarray, kind: str) -> np.ndarray:
    """``Max`` over each window (``kind='max'``) or its exact average (``'avg'``)."""
    out = case.out_size()
    y = np.empty((*xs.shape[:2], *out), dtype=object)
    for n, ch, t in itertools.product(range(xs.shape[0]), range(xs.shape[1]), _grid(out)):
        taps = [xs[(n, ch, *u)] for u in window(case, t)]
        if kind == "max":
            y[(n, ch, *t)] = _max(taps)
        else:
            y[(n, ch, *t)] = sp.Rational(1, avg_divisor(case, t)) * sp.Add(*taps)
    return y


def symbolic_pool_grad(case: PoolCase, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The forward values and ``∂L/∂x`` of ``L = Σ c·pool(x)`` (exact SymPy numbers)."""
    xs = _symbols("x", case.x.shape)
    values = _bind(xs, case.x)
    y = symbolic_pool(case, xs, kind)
    fwd = np.array([v.xreplace(values) for v in y.ravel()], dtype=object).reshape(y.shape)
    return fwd, _gradient(_loss(y, case.c), xs, values)


def _divisor_lcm(case: PoolCase) -> int:
    return math.lcm(*(abs(avg_divisor(case, t)) for t in _grid(case.out_size())))


def _exact(a: np.ndarray) -> np.ndarray:
    """SymPy Rationals as correctly rounded float64 (int / int true division rounds once)."""
    return np.array([int(v.p) / int(v.q) for v in a.ravel()]).reshape(a.shape)


def check_max_pool(case: PoolCase, grad: Callable[..., np.ndarray] = max_pool_grad) -> None:
    """Forward and gradient; float64 and int64 data, and unbatched when ``N = 1``."""
    fwd, dx = symbolic_pool_grad(case, "max")
    want_y, want_dx = _as_int_array(fwd), _as_int_array(dx)
    kw = case.max_kwargs() | {"ndim": case.nd}
    for dtype in (np.float64, np.int64):
        x, c = case.x.astype(dtype), case.c.astype(dtype)
        assert_array_equal(max_pool(x, **kw), want_y)
        assert_array_equal(grad(x, c, **kw), want_dx, err_msg=np.dtype(dtype).name)
    if case.x.shape[0] == 1:
        x, c = case.x[0].astype(np.float64), case.c[0].astype(np.float64)
        assert_array_equal(max_pool(x, **kw), want_y[0])
        assert_array_equal(grad(x, c, **kw), want_dx[0], err_msg="unbatched")


def check_avg_pool(case: PoolCase, grad: Callable[..., np.ndarray] = avg_pool_grad) -> None:
    """Exact with the upstream gradient scaled by the divisors' lcm; unscaled, to rounding."""
    scaled = replace(case, c=case.c * _divisor_lcm(case))
    fwd, dx = symbolic_pool_grad(scaled, "avg")
    want_dx = _as_int_array(dx)
    x = case.x.astype(np.float64)
    kw = case.avg_kwargs() | {"ndim": case.nd}
    assert_array_equal(avg_pool(x, **kw), _exact(fwd))
    for c in (scaled.c.astype(np.float64), scaled.c):  # float64 and int64 grad_output
        assert_array_equal(grad(x.shape, c, **kw), want_dx, err_msg=c.dtype.name)
    if case.x.shape[0] == 1:
        assert_array_equal(grad(x.shape[1:], scaled.c[0].astype(np.float64), **kw),
                           want_dx[0], err_msg="unbatched")
    unscaled = np.array([v / _divisor_lcm(case) for v in dx.ravel()]).reshape(dx.shape)
    assert_allclose(grad(x.shape, case.c.astype(np.float64), **kw), _exact(unscaled),
                    rtol=1e-13, atol=1e-13)


@SYMBOLIC
@given(st.sampled_from([1, 2]).flatmap(max_pool_cases))
def test_max_pool_gradient_symbolic_equals_numeric(case: PoolCase) -> None:
    check_max_pool(case)


@SYMBOLIC
@given(st.sampled_from([1, 2]).flatmap(avg_pool_cases))
def test_avg_pool_gradient_symbolic_equals_numeric(case: PoolCase) -> None:
    check_avg_pool(case)


#: A 3-d pooling geometry: per-axis kernel / stride / padding, dilation, ceil mode.
POOL_3D = PoolCase(x=(np.arange(36) * 7 % 37).reshape(1, 2, 3, 3, 2), c=np.zeros(0),
                   kernel=(2, 3, 1), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(1, 1, 1),
                   ceil_mode=True, count_include_pad=False)


def _with_upstream(case: PoolCase) -> PoolCase:
    """``case`` with a fixed upstream gradient of its output's shape."""
    shape = (*case.x.shape[:2], *case.out_size())
    return replace(case, c=np.arange(math.prod(shape)).reshape(shape) % 7 - 3)


POOL_3D = _with_upstream(POOL_3D)


def test_pool3d_gradients_symbolic_equal_numeric() -> None:
    assert len(set(POOL_3D.x.ravel().tolist())) == POOL_3D.x.size  # distinct: no ties
    check_max_pool(_with_upstream(replace(POOL_3D, dilation=(2, 1, 1))))
    check_max_pool(POOL_3D)
    check_avg_pool(POOL_3D)
    check_avg_pool(replace(POOL_3D, count_include_pad=True))
    check_avg_pool(replace(POOL_3D, divisor_override=-4))


def _torch_pool(torch: Any, case: PoolCase, kind: str, c: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's forward and autograd ``∂(Σ c·y)/∂x`` in float64."""
    F = torch.nn.functional
    xt = torch.tensor(case.x, dtype=torch.float64, requires_grad=True)
    if kind == "max":
        y = getattr(F, f"max_pool{case.nd}d")(xt, **case.max_kwargs())
    elif case.nd == 1:  # F.avg_pool1d has no divisor_override: pool (1, k) in 2-d
        kw = case.avg_kwargs()
        for key in ("kernel_size", "stride", "padding"):
            if kw[key] is not None:
                kw[key] = (1 if key != "padding" else 0, *kw[key])
        y = F.avg_pool2d(xt[:, :, None], **kw)[:, :, 0]
    else:
        y = getattr(F, f"avg_pool{case.nd}d")(xt, **case.avg_kwargs())
    (y * torch.tensor(c, dtype=torch.float64)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy()


@TORCH
@given(st.sampled_from([1, 2]).flatmap(max_pool_cases))
def test_max_pool_gradient_symbolic_equals_torch_autograd(case: PoolCase) -> None:
    torch = pytest.importorskip("torch")
    fwd, dx = symbolic_pool_grad(case, "max")
    y, gx = _torch_pool(torch, case, "max", case.c)
    assert_array_equal(y, _as_int_array(fwd))
    assert_array_equal(gx, _as_int_array(dx))


@TORCH
@given(st.sampled_from([1, 2]).flatmap(avg_pool_cases))
def test_avg_pool_gradient_symbolic_equals_torch_autograd(case: PoolCase) -> None:
    torch = pytest.importorskip("torch")
    scaled = replace(case, c=case.c * _divisor_lcm(case))
    fwd, dx = symbolic_pool_grad(scaled, "avg")
    y, gx = _torch_pool(torch, scaled, "avg", scaled.c)
    assert_array_equal(y, _exact(fwd))
    assert_array_equal(gx, _as_int_array(dx))


def test_the_sparse_pool_derivative_is_the_full_derivative() -> None:
    """:func:`_gradient`'s shortcut against ``sympy.diff`` of the whole ``L`` (Max, Rational)."""
    xs = _symbols("x", POOL_3D.x.shape)
    values = _bind(xs, POOL_3D.x)
    for kind in ("max", "avg"):
        L = _loss(symbolic_pool(POOL_3D, xs, kind), POOL_3D.c)
        full = np.array([sp.diff(L, s).xreplace(values) for s in xs.ravel()]).reshape(xs.shape)
        assert_array_equal(full, _gradient(L, xs, values))


def test_the_pairwise_max_has_the_derivative_of_the_n_ary_max() -> None:
    """:func:`_max`'s folded ``Max`` against SymPy's n-ary ``Max`` over each window."""
    case = _with_upstream(PoolCase(x=np.array([[[4, -1, 7, 2, 0, 9, 3]], [[1, 8, -2, 5, 6, 0, 2]]]),
                                   c=np.zeros(0), kernel=(3,), stride=(2,), padding=(1,),
                                   dilation=(2,), ceil_mode=True))
    xs = _symbols("x", case.x.shape)
    values = _bind(xs, case.x)
    flat = np.empty((*case.x.shape[:2], *case.out_size()), dtype=object)
    for n, ch, t in itertools.product(*map(range, case.x.shape[:2]), _grid(case.out_size())):
        flat[(n, ch, *t)] = sp.Max(*(xs[(n, ch, *u)] for u in window(case, t)))
    pairwise = _gradient(_loss(symbolic_pool(case, xs, "max"), case.c), xs, values)
    assert_array_equal(_gradient(_loss(flat, case.c), xs, values), pairwise)
    check_max_pool(case)


def test_pool3d_gradients_symbolic_equal_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    for kind in ("max", "avg"):
        scaled = replace(POOL_3D, c=POOL_3D.c * (_divisor_lcm(POOL_3D) if kind == "avg" else 1))
        fwd, dx = symbolic_pool_grad(scaled, kind)
        y, gx = _torch_pool(torch, scaled, kind, scaled.c)
        assert_array_equal(y, _exact(fwd))
        assert_array_equal(gx, _as_int_array(dx))


# --------------------------------------------------------------------------- max-pool ties


def first_max_grad(case: PoolCase) -> np.ndarray:
    """The tie contract by the definition: each window's ``c`` goes to its first maximum
    (row-major scan over the in-bounds taps); overlapping windows accumulate."""
    gx = np.zeros(case.x.shape)
    for n, ch, t in itertools.product(*(range(v) for v in case.x.shape[:2]),
                                      _grid(case.out_size())):
        taps = window(case, t)
        best = max(case.x[(n, ch, *u)] for u in taps)
        first = next(u for u in taps if case.x[(n, ch, *u)] == best)
        gx[(n, ch, *first)] += case.c[(n, ch, *t)]
    return gx


def check_ties(case: PoolCase, grad: Callable[..., np.ndarray] = max_pool_grad) -> None:
    x, c = case.x.astype(np.float64), case.c.astype(np.float64)
    assert_array_equal(grad(x, c, **case.max_kwargs(), ndim=case.nd), first_max_grad(case))


@SYMBOLIC
@given(st.sampled_from([1, 2]).flatmap(lambda nd: max_pool_cases(nd, ties=True)))
def test_max_pool_ties_send_the_gradient_to_the_first_maximum(case: PoolCase) -> None:
    check_ties(case)


@TORCH
@given(st.sampled_from([1, 2]).flatmap(lambda nd: max_pool_cases(nd, ties=True)))
def test_max_pool_ties_agree_with_torch_autograd(case: PoolCase) -> None:
    torch = pytest.importorskip("torch")
    _, gx = _torch_pool(torch, case, "max", case.c)
    assert_array_equal(gx, first_max_grad(case))
    check_ties(case)


def test_where_values_are_distinct_the_tie_rule_is_the_derivative() -> None:
    """The contract's rule and ``sympy.diff`` agree wherever the derivative exists."""
    case = PoolCase(x=np.array([[[[5, -1, 7, 2], [0, 3, -4, 6], [8, 1, -2, 4]]]]),
                    c=np.zeros(0), kernel=(2, 3), stride=(1, 2), padding=(1, 1),
                    dilation=(1, 1), ceil_mode=True)
    case = _with_upstream(case)
    _, dx = symbolic_pool_grad(case, "max")
    assert_array_equal(first_max_grad(case), _as_int_array(dx))


# --------------------------------------------------------------------------- honest tests


def _input_grad_unflipped(input_size: Index, weight: np.ndarray, grad_output: np.ndarray,
                          **kw: Any) -> np.ndarray:
    """The classic slip: the transposed convolution without mirroring the kernel."""
    flipped = np.flip(weight, axis=tuple(range(2, weight.ndim)))
    return conv_input_grad(input_size, flipped, grad_output, **kw)


def _weight_grad_stride_ignored(x: np.ndarray, weight_size: Index, g: np.ndarray, *,
                                stride: Index, padding: Index, dilation: Index,
                                groups: int) -> np.ndarray:
    """1-d ``dw[o, c, j] = Σ_{n,t} g[n, o, t] · x̄[n, c, t + d·j]``: ``s·t`` written ``t``."""
    (p,), (d,) = padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)))
    cout_g, cin_g = weight_size[0] // groups, weight_size[1]
    dw = np.zeros(weight_size)
    for o, c, j in itertools.product(*(range(v) for v in weight_size)):
        for n, t in itertools.product(range(g.shape[0]), range(g.shape[2])):
            u = t + d * j  # should be stride[0] * t + d * j
            if u < xp.shape[2]:
                dw[o, c, j] += g[n, o, t] * xp[n, (o // cout_g) * cin_g + c, u]
    return dw


def _bias_grad_batch_dropped(g: np.ndarray, **kw: Any) -> np.ndarray:
    """Sums over the positions of the first sample only."""
    return conv_bias_grad(g[:1], **kw)


#: a 1-d case with an asymmetric kernel, stride 2 and two samples
HONEST_CONV = ConvCase(x=np.array([[[1, -2, 3, 0, 2, -1]], [[2, 1, -1, 4, -3, 0]]]),
                       w=np.array([[[1, -1, 2]]]), b=np.array([1]),
                       c=np.array([[[1, -2, 3]], [[2, 1, -1]]]),
                       stride=(2,), padding=(1,), dilation=(1,), groups=1)


def test_the_good_gradients_pass_the_honest_case() -> None:
    check_conv_grads(HONEST_CONV, symbolic_conv_grads(HONEST_CONV))


@pytest.mark.parametrize("bad", [
    {"input_grad": _input_grad_unflipped},
    {"weight_grad": _weight_grad_stride_ignored},
    {"bias_grad": _bias_grad_batch_dropped},
], ids=["kernel-not-flipped", "stride-ignored", "batch-dropped"])
def test_the_conv_crosscheck_catches_a_wrong_gradient(bad: dict[str, Any]) -> None:
    sym = symbolic_conv_grads(HONEST_CONV)
    with pytest.raises(AssertionError):
        check_conv_grads(HONEST_CONV, sym, **bad)


def test_the_drawn_cases_find_the_unflipped_kernel() -> None:
    """Not only the hand-picked case: the 1-d strategy soon draws one that exposes it."""

    def exposes(case: ConvCase) -> bool:
        try:
            check_conv_grads(case, symbolic_conv_grads(case), input_grad=_input_grad_unflipped)
        except AssertionError:
            return True
        return False

    found = find(conv_cases(1), exposes,  # the first one found: shrinking it costs a minute
                 settings=settings(max_examples=60, database=None, phases=[Phase.generate]))
    assert found.w.shape[2] > 1  # a kernel of one tap is its own mirror image


def test_the_stride_bug_is_invisible_at_stride_one() -> None:
    """Why the cases draw strides: with stride 1 the wrong weight gradient is right."""
    case = replace(HONEST_CONV, stride=(1,), c=np.array([[[1, -2, 3, 0, 2, -1]]] * 2))
    check_conv_grads(case, symbolic_conv_grads(case), weight_grad=_weight_grad_stride_ignored)


def _max_pool_grad_last_tie(x: np.ndarray, g: np.ndarray, **kw: Any) -> np.ndarray:
    """Ties to the *last* maximum (``>=`` in the scan): flip the input, pool, flip back.

    Valid for the symmetric geometry used below (the flipped windows are the same set)."""
    axes = tuple(range(2, x.ndim))
    return np.flip(max_pool_grad(np.flip(x, axes), np.flip(g, axes), **kw), axes)


def _max_pool_grad_every_tie(x: np.ndarray, g: np.ndarray, **kw: Any) -> np.ndarray:
    """Every tied maximum of a window gets the window's gradient (1-d, stride = kernel)."""
    k = kw["kernel_size"][0]
    gx = np.zeros_like(x)
    for n, ch, t in itertools.product(*(range(v) for v in g.shape)):
        win = x[n, ch, t * k:(t + 1) * k]
        gx[n, ch, t * k:(t + 1) * k] += g[n, ch, t] * (win == win.max())
    return gx


TIE_CASE = PoolCase(x=np.array([[[2, 2, 0, 1, 1, 1]]]), c=np.array([[[3, -2]]]),
                    kernel=(3,), stride=None, padding=(0,), dilation=(1,), ceil_mode=False)


@pytest.mark.parametrize("bad", [_max_pool_grad_last_tie, _max_pool_grad_every_tie],
                         ids=["last-tie", "every-tie"])
def test_the_tie_check_catches_a_wrong_tie_rule(bad: Callable[..., np.ndarray]) -> None:
    check_ties(TIE_CASE)
    with pytest.raises(AssertionError):
        check_ties(TIE_CASE, bad)


def test_the_max_pool_crosscheck_catches_a_gradient_to_the_minimum() -> None:
    case = replace(TIE_CASE, x=np.array([[[2, 5, 0, 1, 4, 3]]]))
    check_max_pool(case)

    def argmin_grad(x: np.ndarray, g: np.ndarray, **kw: Any) -> np.ndarray:
        return max_pool_grad(-x, g, **kw)

    with pytest.raises(AssertionError):
        check_max_pool(case, argmin_grad)


def _avg_pool_grad_full_window(input_size: Index, g: np.ndarray, **kw: Any) -> np.ndarray:
    """Always divides by the full window ``∏k``, whatever count_include_pad / ceil_mode say."""
    return avg_pool_grad(input_size, g, **(kw | {"divisor_override": math.prod(
        kw["kernel_size"])}))


def test_the_avg_pool_crosscheck_catches_a_wrong_divisor() -> None:
    case = PoolCase(x=np.array([[[1, -2, 3, 0, 2]]]), c=np.array([[[1, 2, -1]]]),
                    kernel=(2,), stride=(2,), padding=(1,), dilation=(1,), ceil_mode=False,
                    count_include_pad=False)
    check_avg_pool(case)
    with pytest.raises(AssertionError):
        check_avg_pool(case, _avg_pool_grad_full_window)
    # and the ceil-mode overhang, which never counts even with count_include_pad
    overhang = PoolCase(x=np.array([[[1, -2, 3, 0]]]), c=np.array([[[2, -1]]]), kernel=(3,),
                        stride=(2,), padding=(0,), dilation=(1,), ceil_mode=True)
    assert overhang.out_size() == (2,)
    check_avg_pool(overhang)
    with pytest.raises(AssertionError):
        check_avg_pool(overhang, _avg_pool_grad_full_window)
