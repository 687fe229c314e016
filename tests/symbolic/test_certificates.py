"""Exact certificates with symbolic entries (convmath.symbolic.certificates).

Both backends (flint's fmpz_mpoly, SymPy's sparse rings) certify commutativity,
associativity and the backpropagation formulas at small fixed sizes, agree on every count,
and each count matches a closed form; deliberately wrong sides (monkeypatched internals)
raise ProofError; bad arguments raise InvalidArgument; and the symbolic gradients, evaluated
at random integers, equal convmath.numeric's conv_input_grad/conv_weight_grad/conv_bias_grad.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convmath.errors import InvalidArgument, ProofError
from convmath.numeric import conv, conv_bias_grad, conv_input_grad, conv_weight_grad
from convmath.symbolic import certificates as cert
from convmath.symbolic.certificates import (
    Certificate,
    certify_backprop,
    certify_conv_assoc,
    certify_conv_comm,
)

BACKENDS = ["sympy", "flint"]


def need(backend: str) -> str:
    if backend == "flint":
        pytest.importorskip("flint")
    return backend


def same_but_backend(a: Certificate, b: Certificate) -> bool:
    return dataclasses.replace(a, backend=b.backend) == b


# --------------------------------------------------------------------------- closed forms
def comm_counts(sf: Sequence[int], sg: Sequence[int]) -> tuple[int, int]:
    """Entries prod(f + g − 1); every pair (f(k), g(m)) is one monomial of entry k + m."""
    return math.prod(a + b - 1 for a, b in zip(sf, sg, strict=True)), \
        math.prod(sf) * math.prod(sg)


def backprop_counts(xs: Sequence[int], ws: Sequence[int], s: Sequence[int],
                    p: Sequence[int], d: Sequence[int]) -> tuple[int, int]:
    """Entries |x| + |w| + C_out; monomials 2·V + |y| with V the number of (n, o, t, c, j)
    whose input position s·t + d·j − p lies inside x (each is one g·w term of ∂L/∂x and one
    g·x term of ∂L/∂w), and |y| the g terms of ∂L/∂b."""
    out = [(i + 2 * pp - dd * (k - 1) - 1) // ss + 1
           for i, k, ss, pp, dd in zip(xs[2:], ws[2:], s, p, d, strict=True)]
    valid = 1
    for i, k, ss, pp, dd, o in zip(xs[2:], ws[2:], s, p, d, out, strict=True):
        t, j = np.meshgrid(np.arange(o), np.arange(k))
        u = ss * t + dd * j - pp
        valid *= int(((u >= 0) & (u < i)).sum())
    n_y = xs[0] * ws[0] * math.prod(out)
    return math.prod(xs) + math.prod(ws) + ws[0], 2 * xs[0] * ws[0] * ws[1] * valid + n_y


# --------------------------------------------------------------------------- comm / assoc
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("sf", "sg"), [((5,), (3,)), ((1,), (1,)), ((4, 3), (2, 2)),
                                        ((3, 2, 2), (2, 2, 1))])
def test_comm_each_rank(backend: str, sf: tuple[int, ...], sg: tuple[int, ...]) -> None:
    c = certify_conv_comm(sf, sg, backend=need(backend))
    assert c.identity == "conv_comm" and c.backend == backend
    assert c.shapes == (("f", sf), ("g", sg)) and c.parameters == ()
    assert (c.entries, c.monomials) == comm_counts(sf, sg)
    assert c.seconds >= 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("sf", "sg", "sh"), [((4,), (2,), (3,)), ((3, 2), (2, 2), (1, 3)),
                                              ((2, 2, 2), (2, 1, 2), (1, 2, 2))])
def test_assoc_each_rank(backend: str, sf: tuple[int, ...], sg: tuple[int, ...],
                         sh: tuple[int, ...]) -> None:
    c = certify_conv_assoc(sf, sg, sh, backend=need(backend))
    assert c.identity == "conv_assoc"
    assert c.entries == math.prod(a + b + e - 2 for a, b, e in zip(sf, sg, sh, strict=True))
    assert c.monomials == math.prod(sf) * math.prod(sg) * math.prod(sh)


shapes_1to3 = st.integers(1, 3).flatmap(
    lambda r: st.tuples(*[st.tuples(st.integers(1, 4), st.integers(1, 3))] * r))


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=12, deadline=None)
@given(pairs=shapes_1to3)
def test_comm_drawn(backend: str, pairs: tuple[tuple[int, int], ...]) -> None:
    sf, sg = tuple(a for a, _ in pairs), tuple(b for _, b in pairs)
    c = certify_conv_comm(sf, sg, backend=need(backend))
    assert (c.entries, c.monomials) == comm_counts(sf, sg)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=8, deadline=None)
@given(data=st.data(), rank=st.integers(1, 2))
def test_assoc_drawn(backend: str, data: st.DataObject, rank: int) -> None:
    shape = st.tuples(*[st.integers(1, 3)] * rank)
    sf, sg, sh = data.draw(shape), data.draw(shape), data.draw(shape)
    c = certify_conv_assoc(sf, sg, sh, backend=need(backend))
    assert c.monomials == math.prod(sf) * math.prod(sg) * math.prod(sh)


def test_comm_backends_agree() -> None:
    pytest.importorskip("flint")
    a = certify_conv_comm((4, 3), (3, 2), backend="flint")
    b = certify_conv_comm((4, 3), (3, 2), backend="sympy")
    assert same_but_backend(a, b) and a != b
    c = certify_conv_assoc((3, 2), (2, 2), (2, 1), backend="flint")
    assert same_but_backend(c, certify_conv_assoc((3, 2), (2, 2), (2, 1), backend="sympy"))


def test_auto_backend() -> None:
    try:
        import flint  # noqa: F401
        expected = "flint"
    except ImportError:
        expected = "sympy"
    assert certify_conv_comm((2,), (2,)).backend == expected


@pytest.mark.parametrize("installed", [None, types.ModuleType("flint")])
def test_auto_falls_back_to_sympy_without_flint(installed: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """No flint (``import flint`` fails), or one without multivariate polynomials."""
    monkeypatch.setitem(sys.modules, "flint", installed)
    assert certify_conv_comm((2, 2), (2, 1)).backend == "sympy"
    with pytest.raises(InvalidArgument, match=r"backend='flint' needs python-flint"):
        certify_conv_comm((2,), (2,), backend="flint")


# --------------------------------------------------------------------------- backprop
BACKPROP_CASES = [
    # x_shape, w_shape, stride, padding, dilation, groups
    ((1, 1, 5), (1, 1, 2), 1, 0, 1, 1),
    ((2, 2, 7), (3, 2, 3), 2, 1, 2, 1),           # (7 + 2 − 4 − 1) mod 2 = 0
    ((1, 4, 8), (4, 1, 2), 3, 2, 1, 4),           # depthwise; the last input rows unreached
    ((1, 2, 6, 5), (2, 1, 2, 3), (2, 1), (1, 0), (1, 2), 2),
    ((1, 2, 9, 9), (3, 2, 3, 3), 2, 1, 2, 1),
    ((1, 2, 4, 3, 3), (2, 1, 2, 1, 2), (1, 2, 1), (0, 1, 1), (2, 1, 1), 2),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", BACKPROP_CASES)
def test_backprop_cases(backend: str, case: tuple[Any, ...]) -> None:
    xs, ws, s, p, d, groups = case
    c = certify_backprop(xs, ws, stride=s, padding=p, dilation=d, groups=groups,
                         backend=need(backend))
    n = len(xs) - 2
    s3, p3, d3 = (tuple(v) if isinstance(v, tuple) else (v,) * n for v in (s, p, d))
    assert c.identity == "conv_backprop"
    assert dict(c.parameters) == {"stride": s3, "padding": p3, "dilation": d3,
                                  "groups": groups}
    assert dict(c.shapes)["x"] == xs and dict(c.shapes)["b"] == (ws[0],)
    assert (c.entries, c.monomials) == backprop_counts(xs, ws, s3, p3, d3)


@st.composite
def layers(draw: st.DrawFn) -> dict[str, Any]:
    rank = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    k_in, q_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * rank))
    stride = draw(st.tuples(*[st.integers(1, 3)] * rank))
    padding = draw(st.tuples(*[st.integers(0, 2)] * rank))
    dilation = draw(st.tuples(*[st.integers(1, 2)] * rank))
    size = draw(st.tuples(*[st.integers(1, 6)] * rank))
    assume(all(i + 2 * p >= d * (k - 1) + 1
               for i, p, d, k in zip(size, padding, dilation, kernel, strict=True)))
    return {"x_shape": (draw(st.integers(1, 2)), k_in * groups, *size),
            "w_shape": (q_out * groups, k_in, *kernel), "stride": stride,
            "padding": padding, "dilation": dilation, "groups": groups}


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None)
@given(layer=layers())
def test_backprop_drawn(backend: str, layer: dict[str, Any]) -> None:
    c = certify_backprop(**layer, backend=need(backend))
    assert (c.entries, c.monomials) == backprop_counts(
        layer["x_shape"], layer["w_shape"], layer["stride"], layer["padding"],
        layer["dilation"])


@settings(max_examples=6, deadline=None)
@given(layer=layers())
def test_backprop_backends_agree(layer: dict[str, Any]) -> None:
    pytest.importorskip("flint")
    a = certify_backprop(**layer, backend="flint")
    assert same_but_backend(a, certify_backprop(**layer, backend="sympy"))


def evaluate(p: Any, values: np.ndarray) -> int:
    """An exact polynomial (flint or SymPy) at small integer values of all its variables
    (here each term's value fits easily in int64)."""
    if type(p).__name__ == "fmpz_mpoly":
        return int(p(*(int(v) for v in values)))
    terms = list(p.terms())
    if not terms:
        return 0
    exps = np.array([m for m, _ in terms], dtype=np.int64)
    coeffs = np.array([int(c) for _, c in terms], dtype=np.int64)
    return int((coeffs * np.prod(values ** exps, axis=1)).sum())


@pytest.mark.parametrize("backend", BACKENDS)
def test_symbolic_gradients_match_numeric(backend: str) -> None:
    """Substitute random integers into the gradient polynomials (both sides) and compare with
    the numeric reference gradients: the certified polynomials are the right ones, not just
    two equal wrong ones."""
    xs, ws, s, p, d, groups = (2, 4, 6, 5), (4, 2, 2, 3), (2, 1), (1, 2), (2, 1), 2
    layer = cert._layer(xs, ws, s, p, d, groups)
    sym = cert._layer_symbols(need(backend), layer)
    rng = np.random.default_rng(7)
    values = rng.integers(-9, 10, len(sym.ring.gens))
    arrays = {}
    for name, shape in (("x", xs), ("w", ws), ("b", (ws[0],)), ("g", layer.y_shape)):
        first = sym.start[name]
        arrays[name] = np.array(values[first:first + math.prod(shape)]).reshape(shape)
    x, w, b, g = arrays["x"], arrays["w"], arrays["b"], arrays["g"]
    # the loss is Σ g·y with y PyTorch's conv: its output shape is g's
    assert conv(x, w, b, stride=s, padding=p, dilation=d, groups=groups).shape == g.shape
    want = {"x": conv_input_grad(xs, w, g, stride=s, padding=p, dilation=d, groups=groups),
            "w": conv_weight_grad(x, ws, g, stride=s, padding=p, dilation=d, groups=groups),
            "b": conv_bias_grad(g)}
    for side in (cert._grad_by_derivative(layer, sym), cert._grad_by_formula(layer, sym)):
        for name, grid in side.items():
            got = np.array([evaluate(q, values) for q in grid.flat]).reshape(grid.shape)
            np.testing.assert_array_equal(got, want[name], err_msg=name)


# --------------------------------------------------------------------------- failures
def test_wrong_convolution_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A "convolution" that flips its second operand (a correlation) is not commutative."""
    def flipped(ring: Any, a: cert._Grid, b: cert._Grid) -> cert._Grid:
        rev = cert._Grid(b.shape, b.flat[::-1])  # b rotated 180° (C order reversed)
        return real(ring, a, rev)

    real = cert._full_conv
    monkeypatch.setattr(cert, "_full_conv", flipped)
    with pytest.raises(ProofError, match=r"conv_comm: entry differs at index \(0, 0\): "
                                         r"\(f ∗ g\) = .*f_0_0\*g_1_1.*but \(g ∗ f\) = "):
        certify_conv_comm((2, 2), (2, 2), backend="sympy")


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_wrong_side_is_caught(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the right side (the second full convolution) loses its last term."""
    calls = []

    def second_call_off(ring: Any, a: cert._Grid, b: cert._Grid) -> cert._Grid:
        calls.append(1)
        out = real(ring, a, b)
        if len(calls) == 2:
            out.flat[-1] = ring.zero
        return out

    real = cert._full_conv
    monkeypatch.setattr(cert, "_full_conv", second_call_off)
    with pytest.raises(ProofError, match=r"index \(3, 2\): \(f ∗ g\) = f_2_1\*g_1_1, "
                                         r"but \(g ∗ f\) = 0"):
        certify_conv_comm((3, 2), (2, 2), backend=need(backend))


def test_off_by_one_assoc_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A convolution whose sum starts one index late: (f∗g)∗h and f∗(g∗h) then differ."""
    def late(m: int, la: int, lb: int, sa: int, sb: int) -> list[tuple[int, int]]:
        return [(k * sa, (m - k) * sb) for k in range(max(1, m - lb + 1), min(la - 1, m) + 1)]

    monkeypatch.setattr(cert, "_conv_axis", late)
    with pytest.raises(ProofError, match=r"conv_assoc: entry differs at index \(1,\)"):
        certify_conv_assoc((3,), (2,), (2,), backend="sympy")


def unrotated_input_grad(layer: Any, sym: Any) -> cert._Grid:
    """∂L/∂x with the kernel *not* rotated: correlation instead of convolution."""
    flat = []
    for idx in cert._box(layer.x_shape):
        n, c, u = idx[0], idx[1], idx[2:]
        parts = [cert._xcorr_at(sym.ring, cert._upsample(cert._channel(sym.w, (o, c)),
                                                         layer.dilation),
                                cert._upsample(cert._channel(sym.g, (n, o)), layer.stride),
                                tuple(ui + p for ui, p in zip(u, layer.padding, strict=True)))
                 for o in range(layer.w_shape[0])]
        flat.append(sym.ring.total(parts))
    return cert._Grid(layer.x_shape, flat)


def padding_sign_weight_grad(layer: Any, sym: Any) -> cert._Grid:
    """∂L/∂w at d·i + p instead of d·i − p."""
    flat = []
    for idx in cert._box(layer.w_shape):
        o, c, i = idx[0], idx[1], idx[2:]
        tau = tuple(d * ii + p for d, ii, p in zip(layer.dilation, i, layer.padding,
                                                   strict=True))
        parts = [cert._xcorr_at(sym.ring, cert._upsample(cert._channel(sym.g, (n, o)),
                                                         layer.stride),
                                cert._channel(sym.x, (n, c)), tau)
                 for n in range(layer.x_shape[0])]
        flat.append(sym.ring.total(parts))
    return cert._Grid(layer.w_shape, flat)


def first_sample_bias_grad(layer: Any, sym: Any) -> cert._Grid:
    """∂L/∂b summed over the first sample only."""
    flat = [sym.ring.total([sym.g.at((0, o, *t)) for t in cert._box(layer.out_spatial)])
            for o in range(layer.w_shape[0])]
    return cert._Grid((layer.w_shape[0],), flat)


def true_convolution_forward(layer: Any, sym: Any) -> dict[str, cert._Grid]:
    """The derivative side with a forward that convolves (kernel flipped) instead of
    correlating, as PyTorch does: the formulas must then disagree with it."""
    flipped = cert._Grid(sym.w.shape, [
        sym.w.at((o, c, *(k - 1 - j for k, j in zip(layer.w_shape[2:], jj, strict=True))))
        for o, c, *jj in cert._box(sym.w.shape)])
    return real_derivative(layer, dataclasses.replace(sym, w=flipped))


real_derivative = cert._grad_by_derivative


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("target", "wrong", "what"), [
    ("_input_grad_formula", unrotated_input_grad, "∂L/∂x"),
    ("_weight_grad_formula", padding_sign_weight_grad, "∂L/∂w"),
    ("_bias_grad_formula", first_sample_bias_grad, "∂L/∂b"),
    ("_grad_by_derivative", true_convolution_forward, "∂L/∂x"),
])
def test_wrong_gradient_side_is_caught(backend: str, target: str, wrong: Callable[..., Any],
                                       what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cert, target, wrong)
    with pytest.raises(ProofError, match=rf"conv_backprop: {what} differs at index \(\d"):
        certify_backprop((2, 1, 5), (2, 1, 2), stride=2, padding=1, backend=need(backend))


def test_proof_error_shows_both_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cert, "_bias_grad_formula", first_sample_bias_grad)
    with pytest.raises(ProofError) as info:
        certify_backprop((2, 1, 3), (1, 1, 2), backend="sympy")
    msg = str(info.value)
    assert "index (0,)" in msg
    assert "the derivative of L = g_0_0_0 + g_0_0_1 + g_1_0_0 + g_1_0_1" in msg
    assert "but Σ_{n,t} g = g_0_0_0 + g_0_0_1" in msg


# --------------------------------------------------------------------------- bad arguments
# deliberately ill-typed calls: through Any, so that mypy lets them through
comm: Any = certify_conv_comm
assoc: Any = certify_conv_assoc
backprop: Any = certify_backprop

BAD: list[tuple[Callable[[], Any], str]] = [
    (lambda: comm((0, 2), (2, 2)), r"shape_f must have positive sizes, got shape_f=\(0, 2\)"),
    (lambda: comm((2,), (-1,)), r"shape_g.*shape_g=\(-1,\)"),
    (lambda: comm((2.0,), (2,)), r"shape_f must be a tuple of ints.*2\.0"),
    (lambda: comm((True,), (2,)), r"shape_f.*True"),
    (lambda: comm(3, (2,)), r"shape_f must be a tuple of ints, got shape_f=3"),
    (lambda: comm("33", (2,)), r"shape_f.*'33'"),
    (lambda: comm((), ()), r"shape_f must have at least 1 axes, got shape_f=\(\)"),
    (lambda: comm((2,), (2, 2)), r"same number of axes.*shape_f=\(2,\), shape_g=\(2, 2\)"),
    (lambda: assoc((2,), (2,), (2, 1)), r"shape_h=\(2, 1\)"),
    (lambda: assoc((2,), (0,), (2,)), r"shape_g=\(0,\)"),
    (lambda: comm((2,), (2,), backend="numpy"), r"backend='numpy'"),
    (lambda: comm((2,), (2,), backend=None), r"backend=None"),
    (lambda: comm((10**5,), (10**5,)), r"too large to certify"),
    (lambda: backprop((1, 2), (1, 2)), r"x_shape must have at least 3 axes.*\(1, 2\)"),
    (lambda: backprop((1, 1, 4), (1, 1)), r"w_shape.*\(1, 1\)"),
    (lambda: backprop((1, 1, 4), (1, 1, 2, 2)),
     r"same number of axes.*x_shape=\(1, 1, 4\), w_shape=\(1, 1, 2, 2\)"),
    (lambda: backprop((0, 1, 4), (1, 1, 2)), r"x_shape must have positive sizes"),
    (lambda: backprop((1, 3, 4), (2, 1, 2), groups=2),
     r"x_shape\[1\] \(input channels\) = 3 is not divisible by groups=2"),
    (lambda: backprop((1, 2, 4), (3, 1, 2), groups=2),
     r"w_shape\[0\] \(output channels\) = 3 is not divisible by groups=2"),
    (lambda: backprop((1, 4, 4), (2, 1, 2), groups=2), r"w_shape\[1\] \* groups"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), groups=0), r"groups=0"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), groups=True), r"groups=True"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), stride=0), r"stride must be >= 1.*0"),
    (lambda: backprop((1, 1, 4, 4), (1, 1, 2, 2), stride=(1, 2, 3)), r"stride.*1, 2, 3"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), padding=-1), r"padding must be >= 0"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), padding="same"), r"padding.*'same'"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), dilation=0), r"dilation must be >= 1"),
    (lambda: backprop((1, 1, 2), (1, 1, 5)), r"empty output.*x_shape=\(1, 1, 2\)"),
    (lambda: backprop((1, 1, 3), (1, 1, 2), dilation=3), r"empty output.*dilation=3"),
    (lambda: backprop((1, 1, 4), (1, 1, 2), backend="FLINT"), r"backend='FLINT'"),
]


@pytest.mark.parametrize(("call", "match"), BAD)
def test_bad_arguments(call: Callable[[], Any], match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        call()


# --------------------------------------------------------------------------- the record
def test_certificate_is_a_frozen_readable_record() -> None:
    c = certify_backprop((1, 1, 4), (1, 1, 2), stride=2, padding=1, backend="sympy")
    text = str(c)
    assert text.startswith("conv_backprop [sympy]: x (1, 1, 4), w (1, 1, 2), b (1,), "
                           "g (1, 1, 3), stride=(2,), padding=(1,), dilation=(1,), groups=1: "
                           "7 entries, 11 monomials equal exactly (")
    assert text.endswith(" s)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.entries = 0  # type: ignore[misc]
    # the time taken is not part of what was certified
    assert dataclasses.replace(c, seconds=c.seconds + 1) == c
    assert hash(c) == hash(dataclasses.replace(c, seconds=0.0))
