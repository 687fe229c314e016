"""convmath.numeric.conv: fast path vs definitional twin, scipy, torch; dtypes; validation."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import scipy.signal
from conv_cases import ConvCase, conv_cases, seeds
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import convmath.numeric._conv as conv_module
from convmath import InvalidArgument
from convmath.numeric import conv, conv_weight_grad, reference

FAST = settings(max_examples=40, deadline=None)


@FAST
@given(conv_cases(), seeds, st.booleans())
def test_fast_equals_definitional(case: ConvCase, seed: int, with_bias: bool) -> None:
    x, w, b, _ = case.arrays(seed)
    bias = b if with_bias else None
    y = conv(x, w, bias, **case.kwargs())
    assert y.shape == case.y_shape
    assert_allclose(y, reference.conv(x, w, bias, **case.kwargs()), rtol=1e-12, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(conv_cases(min_ndim=4, max_ndim=4), seeds)
def test_four_spatial_axes_fast_equals_definitional(case: ConvCase, seed: int) -> None:
    x, w, b, _ = case.arrays(seed)
    assert_allclose(conv(x, w, b, **case.kwargs()), reference.conv(x, w, b, **case.kwargs()),
                    rtol=1e-12, atol=1e-12)


def _torch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    torch = pytest.importorskip("torch")
    fn = getattr(torch.nn.functional, f"conv{w.ndim - 2}d")
    tb = None if b is None else torch.from_numpy(b)
    return fn(torch.from_numpy(x), torch.from_numpy(w), tb, **kw).numpy()  # type: ignore[no-any-return]


@FAST
@given(conv_cases(), seeds)
def test_matches_torch(case: ConvCase, seed: int) -> None:
    pytest.importorskip("torch")
    x, w, b, _ = case.arrays(seed)
    kw = case.kwargs()
    assert_allclose(conv(x, w, b, **kw), _torch_conv(x, w, b, **kw), rtol=1e-11, atol=1e-11)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@FAST
@given(conv_cases(), seeds, st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
       st.booleans())
def test_padding_modes_and_same_match_torch_module(
    case: ConvCase, seed: int, mode: str, same: bool
) -> None:
    torch = pytest.importorskip("torch")
    n = len(case.kernel)
    if same:
        padding: Any = "same"
        stride: tuple[int, ...] = (1,) * n
        totals = [d * (k - 1) for k, d in zip(case.kernel, case.dilation, strict=True)]
        widest = [t - t // 2 for t in totals]
    else:
        padding, stride = case.padding, case.stride
        widest = list(case.padding)
    # keep to the sizes PyTorch accepts for the mode (tested separately for rejection)
    spatial = tuple(
        max(i, p + 1) if mode == "reflect" else max(i, p)
        for i, p in zip(case.spatial, widest, strict=True)
    )
    x = np.random.default_rng(seed).standard_normal((case.batch, case.c_in, *spatial))
    _, w, b, _ = case.arrays(seed)
    module = getattr(torch.nn, f"Conv{n}d")(
        case.c_in, case.c_out, case.kernel, stride=stride, padding=padding,
        dilation=case.dilation, groups=case.groups, padding_mode=mode, dtype=torch.float64,
    )
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w))
        module.bias.copy_(torch.from_numpy(b))
        expected = module(torch.from_numpy(x)).numpy()
    got = conv(x, w, b, stride=stride, padding=padding, dilation=case.dilation,
               groups=case.groups, padding_mode=mode)
    assert_allclose(got, expected, rtol=1e-11, atol=1e-11)
    assert_allclose(
        reference.conv(x, w, b, stride=stride, padding=padding, dilation=case.dilation,
                       groups=case.groups, padding_mode=mode),
        expected, rtol=1e-11, atol=1e-11,
    )


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize(
    ("kernel", "dilation"), [((4, 3), (1, 2)), ((2, 5), (3, 1)), ((1, 2), (2, 2))]
)
def test_same_even_kernel_and_per_axis_dilation(
    kernel: tuple[int, int], dilation: tuple[int, int]
) -> None:
    """The known bugs: 'same' split on the wrong side, per-axis dilation swapped."""
    x = np.random.default_rng(0).standard_normal((1, 2, 7, 6))
    w = np.random.default_rng(1).standard_normal((3, 2, *kernel))
    y = conv(x, w, padding="same", dilation=dilation)
    assert y.shape == (1, 3, 7, 6)
    # PyTorch's rule, written out: total d(k-1), floor(total/2) before, the rest after
    pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
            for k, d in zip(kernel, dilation, strict=True)]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    assert_allclose(y, conv(xp, w, dilation=dilation), rtol=1e-12)
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                          padding="same", dilation=dilation).numpy()
    assert_allclose(y, expected, rtol=1e-11, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), seeds)
def test_single_channel_valid_equals_scipy_correlate(
    n: int, stride: int, dilation: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    kernel = tuple(rng.integers(1, 4, size=n))
    spatial = tuple(int(dilation * (k - 1) + 1 + rng.integers(0, 6)) for k in kernel)
    x = rng.standard_normal(spatial)
    w = rng.standard_normal(kernel)
    # dilation = a kernel with d-1 zeros between taps; stride = every s-th 'valid' output
    dilated = np.zeros(tuple(dilation * (k - 1) + 1 for k in kernel))
    dilated[(slice(None, None, dilation),) * n] = w
    expected = scipy.signal.correlate(x, dilated, mode="valid")[(slice(None, None, stride),) * n]
    got = conv(x[None, None], w[None, None], stride=stride, dilation=dilation)[0, 0]
    assert_allclose(got, expected, rtol=1e-11, atol=1e-12)


def test_hand_computed_2d() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[r, c] - x[r+1, c+1] = -5 everywhere
    assert_array_equal(conv(x, w), np.full((1, 1, 3, 3), -5.0))
    # stride 2, padding 1: windows start at -1, 1, 3 on each axis
    y = conv(x, np.ones((1, 1, 2, 2)), stride=2, padding=1)
    assert_array_equal(y[0, 0], [[0, 1 + 2, 3], [4 + 8, 5 + 6 + 9 + 10, 7 + 11], [12, 13 + 14, 15]])


def _python_int_conv1d(x: list[int], w: list[int], s: int, p: int, d: int) -> list[int]:
    """Single-channel 1-D conv with Python integers (unbounded), straight from the formula."""
    o = (len(x) + 2 * p - d * (len(w) - 1) - 1) // s + 1
    out = []
    for t in range(o):
        acc = 0
        for j, wj in enumerate(w):
            v = s * t + d * j - p
            if 0 <= v < len(x):
                acc += wj * x[v]
        out.append(acc)
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-(2**28), 2**28), min_size=6, max_size=20),
       st.lists(st.integers(-(2**28), 2**28), min_size=1, max_size=4),
       st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_integers_are_exact(x: list[int], w: list[int], s: int, p: int, d: int) -> None:
    if d * (len(w) - 1) + 1 > len(x) + 2 * p:
        return
    y = conv(np.array(x)[None, None], np.array(w)[None, None], stride=s, padding=p, dilation=d)
    assert y.dtype == np.int64
    assert y[0, 0].tolist() == _python_int_conv1d(x, w, s, p, d)


@FAST
@given(conv_cases(max_ndim=2), seeds)
def test_integer_dtypes_fast_equals_definitional(case: ConvCase, seed: int) -> None:
    x, w, b, _ = case.arrays(seed, dtype=np.int32)
    y = conv(x, w, b, **case.kwargs())
    assert y.dtype == np.int64
    assert_array_equal(y, reference.conv(x, w, b, **case.kwargs()))
    assert_array_equal(y, np.rint(conv(x.astype(float), w.astype(float), b.astype(float),
                                       **case.kwargs())).astype(np.int64))


def test_unsigned_integers_give_uint64() -> None:
    x = np.full((1, 1, 4), 255, dtype=np.uint8)
    y = conv(x, np.full((1, 1, 3), 255, dtype=np.uint8))
    assert y.dtype == np.uint64
    assert y.tolist() == [[[3 * 255 * 255, 3 * 255 * 255]]]


def test_integer_overflow_is_refused() -> None:
    x = np.full((1, 1, 4), 2**40)
    with pytest.raises(InvalidArgument, match="overflow"):
        conv(x, np.full((1, 1, 2), 2**30))


@FAST
@given(conv_cases(max_ndim=2), seeds)
def test_complex_is_bilinear_without_conjugation(case: ConvCase, seed: int) -> None:
    x, w, b, _ = case.arrays(seed, dtype=np.complex128)
    kw = case.kwargs()
    y = conv(x, w, b, **kw)
    assert y.dtype == np.complex128
    re_part = conv(x.real, w.real, b.real, **kw) - conv(x.imag, w.imag, **kw)
    im_part = conv(x.real, w.imag, b.imag, **kw) + conv(x.imag, w.real, **kw)
    assert_allclose(y, re_part + 1j * im_part, rtol=1e-12, atol=1e-12)
    assert_allclose(y, reference.conv(x, w, b, **kw), rtol=1e-12, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(conv_cases(max_ndim=2), seeds)
def test_complex_matches_torch(case: ConvCase, seed: int) -> None:
    pytest.importorskip("torch")
    x, w, b, _ = case.arrays(seed, dtype=np.complex128)
    kw = case.kwargs()
    assert_allclose(conv(x, w, b, **kw), _torch_conv(x, w, b, **kw), rtol=1e-11, atol=1e-11)


@FAST
@given(conv_cases(), seeds)
def test_float32_stays_float32_and_accurate(case: ConvCase, seed: int) -> None:
    x, w, b, _ = case.arrays(seed)
    y32 = conv(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), **case.kwargs())
    assert y32.dtype == np.float32
    assert_allclose(y32, conv(x, w, b, **case.kwargs()), rtol=1e-4, atol=1e-4)


def test_mixed_dtypes_promote() -> None:
    x = np.ones((1, 1, 3), dtype=np.float32)
    assert conv(x, np.ones((1, 1, 2))).dtype == np.float64
    assert conv(x, np.ones((1, 1, 2), dtype=np.int64)).dtype == np.float64
    assert conv(x, np.ones((1, 1, 2), dtype=np.float32)).dtype == np.float32


@settings(max_examples=15, deadline=None)
@given(conv_cases(), seeds)
def test_unbatched_input_gives_unbatched_output(case: ConvCase, seed: int) -> None:
    x, w, b, _ = case.arrays(seed)
    assert_allclose(conv(x[0], w, b, **case.kwargs()), conv(x, w, b, **case.kwargs())[0],
                    rtol=1e-13, atol=1e-13)


def test_empty_batch() -> None:
    assert conv(np.zeros((0, 2, 5)), np.ones((3, 2, 2))).shape == (0, 3, 4)


@settings(max_examples=15, deadline=None)
@given(conv_cases(max_ndim=3), seeds, st.integers(1, 4000))
def test_chunking_does_not_change_the_result(case: ConvCase, seed: int, chunk_bytes: int) -> None:
    x, w, b, _ = case.arrays(seed)
    whole = conv(x, w, b, **case.kwargs())
    saved = conv_module.CHUNK_BYTES
    conv_module.CHUNK_BYTES = chunk_bytes  # tiny: one sample or a few rows per chunk
    try:
        chunked = conv(x, w, b, **case.kwargs())
    finally:
        conv_module.CHUNK_BYTES = saved
    assert_allclose(chunked, whole, rtol=1e-13, atol=1e-13)


def test_chunks_cover_every_sample_and_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conv_module, "CHUNK_BYTES", 100)
    parts = list(conv_module.chunks(3, 7, 30))  # one sample is 210 bytes: split rows
    assert [(n0, n1) for n0, n1, _ in parts] == [(0, 1), (1, 2), (2, 3)]
    assert parts[0][2] == [(0, 3), (3, 6), (6, 7)]
    parts = list(conv_module.chunks(5, 2, 10))  # 20 bytes a sample: 5 per chunk
    assert [(n0, n1) for n0, n1, _ in parts] == [(0, 5)]


# ---------------------------------------------------------------------------- validation
X = np.ones((2, 4, 6, 6))
W = np.ones((6, 4, 3, 3))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"x": np.ones((4, 6)), "w": W}, r"x must have 4 dimensions .* got shape \(4, 6\)"),
        ({"x": X, "w": np.ones((6, 2))}, r"w must have shape .* got shape \(6, 2\)"),
        ({"x": X, "w": np.ones((6, 1, 3, 3)), "groups": 4},
         r"w.shape\[0\] .* = 6 is not divisible by groups=4"),
        ({"x": X, "w": np.ones((6, 2, 3, 3)), "groups": 3},
         r"x.shape\[1\] .* = 4 is not divisible by groups=3"),
        ({"x": X, "w": W, "groups": 2}, r"x has 4 channels .* expects 4 \* 2 = 8"),
        ({"x": X, "w": np.ones((6, 3, 3, 3))}, r"x has 4 channels but w.shape=\(6, 3, 3, 3\)"),
        ({"x": X, "w": W, "groups": 0}, r"groups must be a positive int, got 0"),
        ({"x": X, "w": W, "groups": 2.0}, r"groups must be a positive int, got 2.0"),
        ({"x": X, "w": W, "stride": 0}, r"stride must be >= 1 .* got 0"),
        ({"x": X, "w": W, "stride": (1, -1)}, r"stride must be >= 1 .* got \(1, -1\)"),
        ({"x": X, "w": W, "dilation": 0}, r"dilation must be >= 1 .* got 0"),
        ({"x": X, "w": W, "padding": -1}, r"padding must be >= 0 .* got -1"),
        ({"x": X, "w": W, "padding": (1, 1, 1)}, r"padding must be .* 2 ints .* \(1, 1, 1\)"),
        ({"x": X, "w": W, "padding": "full"}, r"padding must be .* 'same' or 'valid', got 'full'"),
        ({"x": X, "w": W, "padding": "same", "stride": 2}, r"'same' needs .* stride=2$"),
        ({"x": X, "w": np.ones((6, 4, 7, 3))}, r"window d\(k-1\)\+1 = 7 is larger .* 6 \+ 0 \+ 0"),
        ({"x": X, "w": W, "dilation": (1, 4)}, r"window d\(k-1\)\+1 = 9 .* spatial axis 1"),
        ({"x": X.astype(bool), "w": W}, r"x must have an integer, floating .* dtype=bool"),
        ({"x": np.array([["a"]]), "w": W}, r"x must have an integer, floating .* dtype=<U1"),
        ({"x": X, "w": W.astype(object)}, r"w must have an integer, floating .* dtype=object"),
        ({"x": X, "w": W, "bias": np.ones(5)}, r"bias must have shape \(6,\) .* got shape \(5,\)"),
        ({"x": X, "w": W, "bias": np.ones((6, 1))}, r"bias must have shape \(6,\)"),
        ({"x": X, "w": W, "padding_mode": "mirror"}, r"padding_mode must be one of .* 'mirror'"),
        ({"x": np.ones((1, 4, 2, 6)), "w": W, "padding": 2, "padding_mode": "reflect"},
         r"reflect.* padding \(2, 2\) for size 2 on spatial axis 0"),
        ({"x": np.ones((1, 4, 2, 6)), "w": W, "padding": 3, "padding_mode": "circular"},
         r"circular.* padding \(3, 3\) for size 2"),
        ({"x": np.ones((1, 4, 0, 6)), "w": W, "padding": 2}, r"x must have non-empty .* 0, 6"),
        ({"x": X, "w": np.ones((0, 4, 3, 3))}, r"w must have non-empty"),
    ],
)
def test_invalid_arguments_are_named(kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(InvalidArgument, match=pattern):
        conv(**kwargs)
    with pytest.raises(InvalidArgument, match=pattern):
        reference.conv(**kwargs)


def test_invalid_argument_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("stride")):
        conv(X, W, stride=0)


# ---------------------------------------------------------------------------- memory
def _peak_bytes(fn: Any) -> tuple[np.ndarray, int]:
    import tracemalloc  # NumPy reports its data allocations to tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kw"),
    [
        ((8, 16, 64, 64), (16, 16, 3, 3), {"padding": 1}),
        ((8, 16, 64, 64), (32, 16, 3, 3), {"stride": 2, "padding": 1}),
        ((4, 64, 32, 32), (64, 64, 5, 5), {"padding": 2}),
        ((2, 8, 16, 32, 32), (8, 8, 3, 3, 3), {"padding": 1}),
    ],
)
def test_peak_memory_is_bounded(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], kw: dict[str, Any]
) -> None:
    """Peak extra memory ≤ 2 × result + one im2col chunk + one padded input chunk, far below
    the full im2col buffer (C·∏k times the output)."""
    from convmath.numeric import conv_input_grad, conv_weight_grad

    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    y, peak = _peak_bytes(lambda: conv(x, w, **kw))
    g = rng.standard_normal(y.shape)
    full_im2col = x.shape[1] * int(np.prod(w.shape[2:])) * y.nbytes // y.shape[1]
    chunk = conv_module.CHUNK_BYTES
    padded_sample = x.nbytes // x.shape[0] * 2  # generous: padding at most doubles a sample
    per = max(1, chunk // (full_im2col // x.shape[0]))
    extra = chunk + per * padded_sample
    assert peak <= 2 * y.nbytes + extra < full_im2col
    dx, peak = _peak_bytes(lambda: conv_input_grad(x.shape, w, g, **kw))
    assert peak <= 2 * dx.nbytes + extra + g.nbytes // g.shape[0] * per
    dw, peak = _peak_bytes(lambda: conv_weight_grad(x, w.shape, g, **kw))
    assert peak <= 2 * dw.nbytes + extra + g.nbytes // g.shape[0] * per


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


def test_int64_with_uint64_is_exact_int64() -> None:
    # NumPy promotes int64 with uint64 to float64, where 2**53 + 1 rounds to 2**53
    x = np.array([[[2**53 + 1]]], np.int64)
    y = conv(x, np.array([[[1]]], np.uint64))
    assert y.dtype == np.int64
    assert y.tolist() == [[[2**53 + 1]]]
    assert reference.conv(x, np.array([[[1]]], np.uint64)).tolist() == [[[2**53 + 1]]]
    # with a bias of the other signedness too; Python ints give the expected value
    xs = np.array([[[2**53 + 1, -3, 2**53 + 5]]], np.int64)
    ws = np.array([[[3, 1]]], np.uint64)
    got = conv(xs, ws, bias=np.array([7], np.uint64))
    want = [3 * (2**53 + 1) + (-3) + 7, 3 * (-3) + (2**53 + 5) + 7]
    assert got.dtype == np.int64 and got.tolist() == [[want]]


def test_uint64_above_int64_with_signed_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"2\*\*63"):
        conv(np.array([[[1]]], np.int64), np.array([[[2**63]]], np.uint64))


def test_uint64_results_up_to_2_64_are_exact() -> None:
    # unsigned operands: the limit is 2**64, not 2**63 (2**63 + 2**61 fits uint64)
    y = conv(np.array([[[2**62 + 2**61, 2**62]]], np.uint64), np.ones((1, 1, 2), np.uint64))
    assert y.dtype == np.uint64 and y.tolist() == [[[2**63 + 2**61]]]
    with pytest.raises(InvalidArgument, match="might overflow uint64"):
        conv(np.array([[[2**63, 2**63]]], np.uint64), np.ones((1, 1, 2), np.uint64))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"padding": 10**12}, "padding"),
        ({"padding": 2**62}, "padding"),
        ({"padding": 10**30}, "padding"),
        ({"stride": 10**30}, "stride"),
        ({"dilation": 10**30}, "dilation"),
        ({"dilation": 2**62}, "dilation"),
        ({"groups": 10**30}, "groups"),
        ({"padding": np.uint64(2**64 - 1)}, "padding"),
    ],
)
def test_huge_arguments_raise_invalid_argument(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        conv(np.ones((1, 1, 5)), np.ones((1, 1, 3)), **kwargs)


def test_huge_stride_within_intp_is_fine() -> None:
    # a stride far beyond the input is legal: one window (PyTorch gives the same)
    assert conv(np.arange(5.0).reshape(1, 1, 5), np.ones((1, 1, 3)), stride=2**40).tolist() \
        == [[[3.0]]]


def test_definitional_twin_multiplies_padding_zeros_like_torch() -> None:
    """Regression (issue 7 fuzz): the twin skipped padding positions, so an inf tap gave 0
    or inf where the fast path and PyTorch (0·inf = nan) give nan."""
    x, w = np.ones((1, 1, 3)), np.array([[[np.inf, 1.0]]])
    # hand: y[t] = x̄[t]·inf + x̄[t+1] with x̄ = 0 1 1 1 0: 0·inf+1 = nan, inf, inf, inf
    expected = [[[np.nan, np.inf, np.inf, np.inf]]]
    assert_array_equal(conv(x, w, padding=1), expected)
    assert_array_equal(reference.conv(x, w, padding=1), expected)
    dw = reference.conv_weight_grad(np.array([[[np.inf, 1.0]]]), (1, 1, 2), np.ones((1, 1, 3)),
                                    padding=1)
    assert_array_equal(dw, conv_weight_grad(np.array([[[np.inf, 1.0]]]), (1, 1, 2),
                                            np.ones((1, 1, 3)), padding=1))


def test_huge_broadcast_weight_is_refused_up_front() -> None:
    """Regression (issue 7 fuzz): a (2**17, 2**17, 3) broadcast view used to be copied."""
    w = np.broadcast_to(1.0, (2**17, 2**17, 3))
    with pytest.raises(InvalidArgument, match=r"weight copy .*w\.shape="):
        conv(np.broadcast_to(1.0, (1, 2**17, 5)), w)


@pytest.mark.parametrize(
    ("xs", "ws", "kw"),
    [((2, 4, 9, 7), (6, 2, 3, 2), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2),
                                    "groups": 2}),
     ((1, 3, 10), (5, 3, 4), {"padding": 2}),
     ((2, 2, 5, 6, 7), (2, 1, 2, 3, 2), {"groups": 2, "padding": "same"}),
     ((1, 2, 8), (3, 2, 3), {"padding": 1, "padding_mode": "reflect"})],
)
def test_per_tap_path_matches_the_definition(monkeypatch: pytest.MonkeyPatch, xs: tuple[int, ...],
                                              ws: tuple[int, ...], kw: dict[str, Any]) -> None:
    """The tap-by-tap GEMM path (taken when one im2col row would be huge, e.g. a 2**20-sample
    signal with a 4096-tap kernel) agrees with the definitional twin, exactly on integers."""
    import convmath.numeric._conv as conv_module

    monkeypatch.setattr(conv_module, "TAP_LOOP_BYTES", 0)
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    np.testing.assert_allclose(conv(x, w, **kw), reference.conv(x, w, **kw), rtol=1e-12,
                               atol=1e-12)
    xi, wi = rng.integers(-9, 9, xs), rng.integers(-9, 9, ws)
    got = conv(xi, wi, **kw)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, reference.conv(xi, wi, **kw))
