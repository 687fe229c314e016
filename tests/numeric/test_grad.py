"""Convolution gradients: adjoint laws, definitional twins, torch.nn.grad, finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conv_cases import ConvCase, conv_cases, seeds
from hypothesis import given, settings
from numpy.testing import assert_allclose, assert_array_equal

import convmath.numeric._conv as conv_module
from convmath import InvalidArgument
from convmath.numeric import (
    conv,
    conv_bias_grad,
    conv_input_grad,
    conv_transpose,
    conv_weight_grad,
    reference,
)

FAST = settings(max_examples=40, deadline=None)


def _inner(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(a * b))


@FAST
@given(conv_cases(), seeds)
def test_adjoint_law_for_the_input(case: ConvCase, seed: int) -> None:
    """⟨conv(x, w), g⟩ = ⟨x, conv_input_grad(x.shape, w, g)⟩ for all x, g."""
    x, w, _, g = case.arrays(seed)
    lhs = _inner(conv(x, w, **case.kwargs()), g)
    rhs = _inner(x, conv_input_grad(x.shape, w, g, **case.kwargs()))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


@FAST
@given(conv_cases(), seeds)
def test_adjoint_law_for_the_weight(case: ConvCase, seed: int) -> None:
    """⟨conv(x, w), g⟩ = ⟨w, conv_weight_grad(x, w.shape, g)⟩ for all w, g."""
    x, w, _, g = case.arrays(seed)
    lhs = _inner(conv(x, w, **case.kwargs()), g)
    rhs = _inner(w, conv_weight_grad(x, w.shape, g, **case.kwargs()))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


@FAST
@given(conv_cases(), seeds)
def test_fast_equals_definitional(case: ConvCase, seed: int) -> None:
    x, w, _, g = case.arrays(seed)
    kw = case.kwargs()
    dx = conv_input_grad(x.shape, w, g, **kw)
    dw = conv_weight_grad(x, w.shape, g, **kw)
    assert dx.shape == x.shape and dw.shape == w.shape
    assert_allclose(dx, reference.conv_input_grad(x.shape, w, g, **kw), rtol=1e-12, atol=1e-12)
    assert_allclose(dw, reference.conv_weight_grad(x, w.shape, g, **kw), rtol=1e-12, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(conv_cases(min_ndim=4, max_ndim=4), seeds)
def test_four_spatial_axes_fast_equals_definitional(case: ConvCase, seed: int) -> None:
    x, w, _, g = case.arrays(seed)
    kw = case.kwargs()
    assert_allclose(conv_input_grad(x.shape, w, g, **kw),
                    reference.conv_input_grad(x.shape, w, g, **kw), rtol=1e-12, atol=1e-12)
    assert_allclose(conv_weight_grad(x, w.shape, g, **kw),
                    reference.conv_weight_grad(x, w.shape, g, **kw), rtol=1e-12, atol=1e-12)


@FAST
@given(conv_cases(), seeds)
def test_matches_torch_nn_grad(case: ConvCase, seed: int) -> None:
    torch = pytest.importorskip("torch")
    x, w, _, g = case.arrays(seed)
    n = len(case.kernel)
    kw = case.kwargs()
    tx, tw, tg = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(g)
    dx = getattr(torch.nn.grad, f"conv{n}d_input")(x.shape, tw, tg, **kw).numpy()
    dw = getattr(torch.nn.grad, f"conv{n}d_weight")(tx, w.shape, tg, **kw).numpy()
    assert_allclose(conv_input_grad(x.shape, w, g, **kw), dx, rtol=1e-11, atol=1e-11)
    assert_allclose(conv_weight_grad(x, w.shape, g, **kw), dw, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize(
    ("i", "k", "s", "p", "d"),
    [(6, 3, 2, 1, 1), (7, 2, 3, 0, 1), (10, 3, 4, 1, 2), (5, 1, 3, 0, 1), (9, 2, 2, 0, 3)],
)
def test_leftover_rows_get_zero_gradient(i: int, k: int, s: int, p: int, d: int) -> None:
    """The classic bug: input gradient wrong when (i + 2p − d(k−1) − 1) mod s ≠ 0."""
    leftover = (i + 2 * p - d * (k - 1) - 1) % s
    assert leftover > 0
    rng = np.random.default_rng(i * k * s)
    x = rng.standard_normal((1, 2, i))
    w = rng.standard_normal((3, 2, k))
    g = rng.standard_normal(conv(x, w, stride=s, padding=p, dilation=d).shape)
    dx = conv_input_grad(x.shape, w, g, stride=s, padding=p, dilation=d)
    assert dx.shape == x.shape
    # the last `leftover` padded rows are read by no window; those inside x get zero gradient
    unread = leftover - p
    if unread > 0:
        assert_array_equal(dx[..., i - unread:], 0.0)
    assert_allclose(dx, reference.conv_input_grad(x.shape, w, g, stride=s, padding=p,
                                                  dilation=d), rtol=1e-12)
    torch = pytest.importorskip("torch")
    expected = torch.nn.grad.conv1d_input(x.shape, torch.from_numpy(w), torch.from_numpy(g),
                                          stride=s, padding=p, dilation=d).numpy()
    assert_allclose(dx, expected, rtol=1e-11, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(conv_cases(max_ndim=2), seeds)
def test_finite_differences_of_a_nonlinear_loss(case: ConvCase, seed: int) -> None:
    """L = Σ tanh(conv(x, w, b)): central differences along random directions (float64)."""
    x, w, b, _ = case.arrays(seed)
    kw = case.kwargs()

    def loss(xx: np.ndarray, ww: np.ndarray, bb: np.ndarray) -> float:
        return float(np.tanh(conv(xx, ww, bb, **kw)).sum())

    g = 1.0 - np.tanh(conv(x, w, b, **kw)) ** 2  # dL/dy
    grads = (conv_input_grad(x.shape, w, g, **kw), conv_weight_grad(x, w.shape, g, **kw),
             conv_bias_grad(g))
    rng = np.random.default_rng(seed + 1)
    h = 1e-6
    for which, grad in enumerate(grads):
        args = [x, w, b]
        v = rng.standard_normal(args[which].shape)
        plus = list(args)
        minus = list(args)
        plus[which] = args[which] + h * v
        minus[which] = args[which] - h * v
        numeric = (loss(*plus) - loss(*minus)) / (2 * h)
        assert numeric == pytest.approx(_inner(grad, v), rel=1e-5, abs=1e-6)


@FAST
@given(conv_cases(max_ndim=2), seeds)
def test_input_grad_equals_conv_transpose(case: ConvCase, seed: int) -> None:
    """conv_input_grad is conv_transpose with output_padding = the leftover rows."""
    x, w, _, g = case.arrays(seed)
    kw = case.kwargs()
    out_pad = case.leftover
    if any(a >= max(s, d) for a, s, d in zip(out_pad, case.stride, case.dilation, strict=True)):
        return
    expected = conv_transpose(g, w, stride=case.stride, padding=case.padding,
                              output_padding=out_pad, groups=case.groups,
                              dilation=case.dilation)
    assert_allclose(conv_input_grad(x.shape, w, g, **kw), expected, rtol=1e-12, atol=1e-12)


def test_input_size_may_be_spatial_or_unbatched() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 7, 5))
    w = rng.standard_normal((6, 2, 3, 2))
    kw: dict[str, Any] = {"stride": 2, "padding": 1, "groups": 2}
    g = rng.standard_normal(conv(x, w, **kw).shape)
    full = conv_input_grad(x.shape, w, g, **kw)
    assert_allclose(conv_input_grad((7, 5), w, g, **kw), full, rtol=1e-15)
    assert_allclose(conv_input_grad(x.shape[1:], w, g[1], **kw), full[1], rtol=1e-14)
    assert_allclose(conv_weight_grad(x[1], w.shape, g[1], **kw),
                    conv_weight_grad(x[1:], w.shape, g[1:], **kw), rtol=1e-14)


def test_same_padding_gradients_are_adjoint() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 5))
    w = rng.standard_normal((3, 2, 4, 2))
    y = conv(x, w, padding="same", dilation=(1, 2))
    g = rng.standard_normal(y.shape)
    dx = conv_input_grad(x.shape, w, g, padding="same", dilation=(1, 2))
    dw = conv_weight_grad(x, w.shape, g, padding="same", dilation=(1, 2))
    assert _inner(y, g) == pytest.approx(_inner(x, dx), rel=1e-12)
    assert _inner(y, g) == pytest.approx(_inner(w, dw), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(conv_cases(max_ndim=2), seeds)
def test_integer_gradients_are_exact(case: ConvCase, seed: int) -> None:
    x, w, _, g = case.arrays(seed, dtype=np.int64)
    kw = case.kwargs()
    dx = conv_input_grad(x.shape, w, g, **kw)
    dw = conv_weight_grad(x, w.shape, g, **kw)
    assert dx.dtype == dw.dtype == np.int64
    assert_array_equal(dx, reference.conv_input_grad(x.shape, w, g, **kw))
    assert_array_equal(dw, reference.conv_weight_grad(x, w.shape, g, **kw))


@settings(max_examples=15, deadline=None)
@given(conv_cases(max_ndim=2), seeds)
def test_complex_gradients_are_adjoint_bilinear(case: ConvCase, seed: int) -> None:
    """For the bilinear (unconjugated) pairing Σ a·b, as the forward does not conjugate."""
    x, w, _, g = case.arrays(seed, dtype=np.complex128)
    kw = case.kwargs()
    y = conv(x, w, **kw)
    lhs = np.sum(y * g)
    assert np.sum(x * conv_input_grad(x.shape, w, g, **kw)) == pytest.approx(lhs, rel=1e-10)
    assert np.sum(w * conv_weight_grad(x, w.shape, g, **kw)) == pytest.approx(lhs, rel=1e-10)


@settings(max_examples=15, deadline=None)
@given(conv_cases(), seeds)
def test_float32_gradients(case: ConvCase, seed: int) -> None:
    x, w, _, g = case.arrays(seed)
    kw = case.kwargs()
    x32, w32, g32 = x.astype(np.float32), w.astype(np.float32), g.astype(np.float32)
    dx = conv_input_grad(x.shape, w32, g32, **kw)
    dw = conv_weight_grad(x32, w.shape, g32, **kw)
    assert dx.dtype == dw.dtype == np.float32
    assert_allclose(dx, conv_input_grad(x.shape, w, g, **kw), rtol=1e-4, atol=1e-4)
    assert_allclose(dw, conv_weight_grad(x, w.shape, g, **kw), rtol=1e-4, atol=1e-3)


@settings(max_examples=15, deadline=None)
@given(conv_cases(), seeds)
def test_chunking_does_not_change_gradients(case: ConvCase, seed: int) -> None:
    x, w, _, g = case.arrays(seed)
    kw = case.kwargs()
    dx = conv_input_grad(x.shape, w, g, **kw)
    dw = conv_weight_grad(x, w.shape, g, **kw)
    saved = conv_module.CHUNK_BYTES
    conv_module.CHUNK_BYTES = 64  # forces one sample, a row or two per chunk
    try:
        assert_allclose(conv_input_grad(x.shape, w, g, **kw), dx, rtol=1e-13, atol=1e-13)
        assert_allclose(conv_weight_grad(x, w.shape, g, **kw), dw, rtol=1e-12, atol=1e-12)
    finally:
        conv_module.CHUNK_BYTES = saved


def test_bias_grad() -> None:
    g = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    expected = [sum(g[n, o].sum() for n in range(2)) for o in range(3)]
    assert_allclose(conv_bias_grad(g), expected)
    assert_allclose(reference.conv_bias_grad(g), expected)
    assert conv_bias_grad(np.ones((2, 3, 4), dtype=np.int8)).dtype == np.int64
    with pytest.raises(InvalidArgument, match=r"grad_output must have shape .* got shape \(3,\)"):
        conv_bias_grad(np.ones(3))


# ---------------------------------------------------------------------------- validation
X = np.ones((2, 4, 6, 6))
W = np.ones((6, 2, 3, 3))
G = np.ones((2, 6, 4, 4))  # conv(X, W, groups=2)


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        ((X.shape, W, np.ones((2, 6, 4, 5))), {"groups": 2},
         r"grad_output must have .* shape \(2, 6, 4, 4\), got shape \(2, 6, 4, 5\)"),
        ((X.shape, W, np.ones((2, 6, 3, 3))), {"groups": 2, "stride": 2},
         r"shape \(2, 6, 2, 2\), got shape \(2, 6, 3, 3\)"),
        ((X.shape, W, np.ones((3, 6, 4, 4))), {"groups": 2}, r"\(2, 6, 4, 4\), got shape \(3, 6"),
        (((4, 6, 6), W, G), {"groups": 2}, r"input_size must be .*\(4 ints, .* got \(4, 6, 6\)"),
        (((2, 4, 6, 6.5), W, G), {"groups": 2}, r"input_size must be a sequence of ints"),
        ((X.shape, W, G), {"groups": 1}, r"input_size has 4 channels but weight.shape="),
        ((X.shape, np.ones((6, 2)), G), {}, r"weight must have shape .* got shape \(6, 2\)"),
        ((X.shape, W, np.ones((6, 4))), {"groups": 2}, r"grad_output must have 4 dimensions"),
        (((2, 4, 2, 2), W, G), {"groups": 2}, r"window d\(k-1\)\+1 = 3 is larger"),
        ((X.shape, W, G), {"groups": 2, "stride": 0}, r"stride must be >= 1"),
        ((X.shape, W, G.astype(bool)), {"groups": 2}, r"grad_output must have an integer"),
    ],
)
def test_input_grad_invalid_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(InvalidArgument, match=pattern):
        conv_input_grad(*args, **kwargs)
    with pytest.raises(InvalidArgument, match=pattern):
        reference.conv_input_grad(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        ((X, W.shape, np.ones((2, 6, 4, 5))), {"groups": 2},
         r"grad_output must have the forward output's shape \(2, 6, 4, 4\)"),
        ((X, (6, 2), G), {"groups": 2}, r"weight_size must be \(C_out, .* got \(6, 2\)"),
        ((X, (6, 2, 3, "a"), G), {"groups": 2}, r"weight_size must be a sequence of ints"),
        ((X, (6, 3, 3, 3), G), {"groups": 2}, r"input has 4 channels but weight_size.shape="),
        ((X, (5, 2, 3, 3), G), {"groups": 2}, r"weight_size.shape\[0\] .* = 5 is not divisible"),
        ((X[0], W.shape, G), {"groups": 2}, r"both be batched or .* got shapes \(4, 6, 6\)"),
        ((X, W.shape, G), {"groups": 2, "padding": -1}, r"padding must be >= 0"),
        ((X.astype(object), W.shape, G), {"groups": 2}, r"input must have an integer"),
    ],
)
def test_weight_grad_invalid_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(InvalidArgument, match=pattern):
        conv_weight_grad(*args, **kwargs)
    with pytest.raises(InvalidArgument, match=pattern):
        reference.conv_weight_grad(*args, **kwargs)


def test_empty_batch_gradients() -> None:
    x = np.zeros((0, 2, 6))
    g = np.zeros((0, 3, 4))
    assert conv_input_grad(x.shape, np.ones((3, 2, 3)), g).shape == (0, 2, 6)
    assert conv_input_grad(x.shape, np.ones((3, 2, 3)), np.zeros((0, 3, 2)), stride=2).shape \
        == (0, 2, 6)
    assert_array_equal(conv_weight_grad(x, (3, 2, 3), g), np.zeros((3, 2, 3)))


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


def test_numpy_integer_groups_with_spatial_input_size() -> None:
    # x (1, 2, 5) in two groups of one channel, w (4, 1, 2) of ones: each input channel
    # receives the sum of its two output channels' transposed ones-kernels (by hand)
    w, g = np.ones((4, 1, 2)), np.ones((1, 4, 4))
    want = [[[2.0, 4.0, 4.0, 4.0, 2.0]] * 2]
    for groups in (2, np.int64(2), np.int32(2)):
        assert conv_input_grad((5,), w, g, groups=groups).tolist() == want  # type: ignore[arg-type]
        assert reference.conv_input_grad((5,), w, g, groups=groups).tolist() == want  # type: ignore[arg-type]
    assert_array_equal(conv_input_grad((5,), w, g, groups=np.int64(2)),  # type: ignore[arg-type]
                       conv_input_grad((1, 2, 5), w, g, groups=2))


@pytest.mark.parametrize("groups", [2.0, True, None, "2", 0, np.int64(-1)])
def test_bad_groups_named_before_use(groups: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"groups must be a positive int"):
        conv_input_grad((5,), np.ones((4, 1, 2)), np.ones((1, 4, 4)), groups=groups)


def test_bias_grad_requires_batched_or_spatial_dims() -> None:
    g = np.arange(6.0).reshape(2, 3)  # unbatched (C_out=2, L=3): sums 0+1+2, 3+4+5
    with pytest.raises(InvalidArgument, match="spatial_dims=1"):
        conv_bias_grad(g)
    assert conv_bias_grad(g, spatial_dims=1).tolist() == [3.0, 12.0]
    assert reference.conv_bias_grad(g, spatial_dims=1).tolist() == [3.0, 12.0]
    # (2, 3, 4): batched 1-D by default, unbatched 2-D with spatial_dims=2
    h = np.arange(24).reshape(2, 3, 4)
    assert conv_bias_grad(h).tolist() == [int(h[:, o].sum()) for o in range(3)]
    assert conv_bias_grad(h, spatial_dims=2).tolist() == [int(h[c].sum()) for c in range(2)]
    with pytest.raises(InvalidArgument, match="spatial_dims"):
        conv_bias_grad(h, spatial_dims=0)
    with pytest.raises(InvalidArgument, match="grad_output must have 5 dimensions"):
        conv_bias_grad(h, spatial_dims=3)


def test_complex_gradients_differ_from_torch_by_a_conjugate() -> None:
    """Documented: torch's autograd conjugates the other operand; conj() first matches it."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 6)) + 1j * rng.standard_normal((2, 2, 6))
    w = rng.standard_normal((3, 2, 3)) + 1j * rng.standard_normal((3, 2, 3))
    g = rng.standard_normal((2, 3, 2)) + 1j * rng.standard_normal((2, 3, 2))
    xt = torch.from_numpy(x).requires_grad_(True)
    wt = torch.from_numpy(w).requires_grad_(True)
    torch.nn.functional.conv1d(xt, wt, stride=2).backward(torch.from_numpy(g))
    assert_allclose(conv_input_grad(x.shape, np.conj(w), g, stride=2), xt.grad.numpy(),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(conv_weight_grad(np.conj(x), w.shape, g, stride=2), wt.grad.numpy(),
                    rtol=1e-12, atol=1e-12)
    assert not np.allclose(conv_input_grad(x.shape, w, g, stride=2), xt.grad.numpy())


def test_mixed_int64_uint64_gradients_are_exact() -> None:
    w = np.array([[[1, 2]]], np.uint64)
    g = np.array([[[2**53 + 1, 1]]], np.int64)  # forward: i=3, k=2 -> o=2
    dx = conv_input_grad((1, 1, 3), w, g)
    assert dx.dtype == np.int64
    assert dx.tolist() == [[[2**53 + 1, 2 * (2**53 + 1) + 1, 2]]]
    x = np.array([[[3, 0, 1]]], np.uint64)
    dw = conv_weight_grad(x, (1, 1, 2), g)  # dw[j] = Σ_t g[t]·x[t + j]
    assert dw.dtype == np.int64
    assert dw.tolist() == [[[3 * (2**53 + 1), 1]]]


def test_input_grad_with_inf_in_the_kernel_matches_torch() -> None:
    """Regression (issue 7 fuzz): stride 1 multiplied padding zeros by an inf tap (nan)."""
    w = np.array([[[np.inf, 1.0]]])
    g = np.ones((1, 1, 3))
    # hand: dx[u] = Σ_{t+j=u} w[j]·g[t]: inf, inf+1, inf+1, 1 (torch autograd agrees)
    assert_array_equal(conv_input_grad((1, 1, 4), w, g), [[[np.inf, np.inf, np.inf, 1.0]]])
    assert_array_equal(reference.conv_input_grad((1, 1, 4), w, g),
                       [[[np.inf, np.inf, np.inf, 1.0]]])


@pytest.mark.parametrize("size", [
    {1: 1, 2: 1, 5: 1}, (1, 1, float("inf")), (1, 1, float("nan")), (1, 1, np.float32(5.0)),
    (1, 1, 5.0), "115", 5, None, (1, 1, None), np.array([1.0, 1.0, 5.0]), (1, 1, 2**70),
    (-1, 1, 5), (1, 1, True),
])
def test_input_size_must_be_a_sequence_of_ints(size: Any) -> None:
    """Regression (issue 7 fuzz): a dict was read as its keys, inf raised OverflowError and
    an integral np.float32 was accepted."""
    w, g = np.ones((1, 1, 3)), np.ones((1, 1, 3))
    with pytest.raises(InvalidArgument, match="input_size"):
        conv_input_grad(size, w, g)
    with pytest.raises(InvalidArgument, match="weight_size"):
        conv_weight_grad(np.ones((1, 1, 5)), size, g)


def test_sizes_may_be_torch_size_or_int_arrays() -> None:
    w, g = np.ones((1, 1, 3)), np.ones((1, 1, 3))
    expected = conv_input_grad((1, 1, 5), w, g)
    assert_array_equal(conv_input_grad(np.array([1, 1, 5]), w, g), expected)
    assert_array_equal(conv_input_grad([np.int64(1), 1, 5], w, g), expected)


def test_huge_weight_size_with_empty_batch_is_refused_up_front() -> None:
    """Regression (issue 7 fuzz): with N=0 the output guard saw 0 elements and the zeroed
    (2**40, 1, 3) result raised MemoryError."""
    with pytest.raises(InvalidArgument, match=r"weight gradient .*weight_size="):
        conv_weight_grad(np.zeros((0, 1, 5)), (2**40, 1, 3), np.zeros((0, 2**40, 3)))
    assert conv_weight_grad(np.zeros((0, 1, 5)), (2, 1, 3), np.zeros((0, 2, 3))).shape == (
        2, 1, 3)


@pytest.mark.parametrize(
    ("xs", "ws", "kw"),
    [((2, 4, 9, 7), (6, 2, 3, 2), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2),
                                    "groups": 2}),
     ((3, 3, 10), (5, 3, 4), {"padding": 2, "stride": 3}),
     ((2, 2, 5, 6, 7), (2, 1, 2, 3, 2), {"groups": 2, "padding": 1})],
)
def test_weight_grad_per_tap_path_matches_the_definition(
        monkeypatch: pytest.MonkeyPatch, xs: tuple[int, ...], ws: tuple[int, ...],
        kw: dict[str, Any]) -> None:
    """The tap-by-tap path (taken when one im2col row would be huge) agrees with the
    definitional twin, exactly on integers."""
    import convmath.numeric._grad as grad_module

    monkeypatch.setattr(grad_module, "TAP_LOOP_BYTES", 0)
    rng = np.random.default_rng(11)
    x = rng.standard_normal(xs)
    g = rng.standard_normal(conv(x, np.zeros(ws), **kw).shape)
    np.testing.assert_allclose(conv_weight_grad(x, ws, g, **kw),
                               reference.conv_weight_grad(x, ws, g, **kw), rtol=1e-12,
                               atol=1e-12)
    xi, gi = rng.integers(-9, 9, xs), rng.integers(-9, 9, g.shape)
    got = conv_weight_grad(xi, ws, gi, **kw)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, reference.conv_weight_grad(xi, ws, gi, **kw))
