"""convmath.numeric.conv_transpose: definitional twin, torch, adjointness, validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import convmath.numeric._conv as conv_module
from convmath import InvalidArgument
from convmath.numeric import conv, conv_input_grad, conv_transpose, reference

FAST = settings(max_examples=40, deadline=None)


@dataclass(frozen=True)
class TransposeCase:
    batch: int
    c_in: int
    c_out: int
    groups: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]

    @property
    def out_spatial(self) -> tuple[int, ...]:
        return tuple(
            (i - 1) * s - 2 * p + d * (k - 1) + op + 1
            for i, k, s, p, op, d in zip(self.spatial, self.kernel, self.stride, self.padding,
                                         self.output_padding, self.dilation, strict=True)
        )

    def kwargs(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding,
                "output_padding": self.output_padding, "groups": self.groups,
                "dilation": self.dilation}

    def arrays(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((self.batch, self.c_in, *self.spatial))
        w = rng.standard_normal((self.c_in, self.c_out // self.groups, *self.kernel))
        return x, w, rng.standard_normal(self.c_out)


@st.composite
def transpose_cases(draw: st.DrawFn, max_ndim: int = 3) -> TransposeCase:
    n = draw(st.integers(1, max_ndim))
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    cap = {1: 6, 2: 4, 3: 2}[n]
    axes = []
    for _ in range(n):
        k = draw(st.integers(1, 4 if n < 3 else 2))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 3 if n < 3 else 2))
        op = draw(st.integers(0, max(s, d) - 1))
        i = draw(st.integers(1, cap))
        full = (i - 1) * s + d * (k - 1) + op + 1
        p = draw(st.integers(0, min(2, (full - 1) // 2)))
        axes.append((i, k, s, p, op, d))
    i, k, s, p, op, d = (tuple(a) for a in zip(*axes, strict=True))
    return TransposeCase(draw(st.integers(1, 2)), c_in, c_out, groups, i, k, s, p, op, d)


@FAST
@given(transpose_cases(), st.integers(0, 2**32 - 1), st.booleans())
def test_fast_equals_definitional(case: TransposeCase, seed: int, with_bias: bool) -> None:
    x, w, b = case.arrays(seed)
    bias = b if with_bias else None
    y = conv_transpose(x, w, bias, **case.kwargs())
    assert y.shape == (case.batch, case.c_out, *case.out_spatial)
    assert_allclose(y, reference.conv_transpose(x, w, bias, **case.kwargs()),
                    rtol=1e-12, atol=1e-12)


@FAST
@given(transpose_cases(), st.integers(0, 2**32 - 1))
def test_matches_torch(case: TransposeCase, seed: int) -> None:
    torch = pytest.importorskip("torch")
    x, w, b = case.arrays(seed)
    fn = getattr(torch.nn.functional, f"conv_transpose{len(case.kernel)}d")
    expected = fn(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                  **case.kwargs()).numpy()
    assert_allclose(conv_transpose(x, w, b, **case.kwargs()), expected, rtol=1e-11, atol=1e-11)


@FAST
@given(transpose_cases(), st.integers(0, 2**32 - 1))
def test_is_the_adjoint_of_conv(case: TransposeCase, seed: int) -> None:
    """⟨conv_transpose(x, w), z⟩ = ⟨x, conv(z, w)⟩ with the forward conv's arguments."""
    x, w, _ = case.arrays(seed)
    y = conv_transpose(x, w, **case.kwargs())
    z = np.random.default_rng(seed + 1).standard_normal(y.shape)
    back = conv(z, w, stride=case.stride, padding=case.padding, dilation=case.dilation,
                groups=case.groups)
    # output_padding >= stride (allowed when dilation > stride) adds a forward output row
    extra = tuple(op // s for op, s in zip(case.output_padding, case.stride, strict=True))
    assert back.shape == (*x.shape[:2], *(i + e for i, e in zip(case.spatial, extra, strict=True)))
    back = back[(Ellipsis, *(slice(0, i) for i in case.spatial))]
    assert float(np.sum(y * z)) == pytest.approx(float(np.sum(x * back)), rel=1e-10, abs=1e-10)
    if any(extra):
        return
    # and it is the input gradient of that forward conv
    assert_allclose(conv_input_grad(z.shape, w, x, stride=case.stride, padding=case.padding,
                                    dilation=case.dilation, groups=case.groups),
                    y, rtol=1e-12, atol=1e-12)


def test_dumoulin_relationship_14_fixture() -> None:
    """i=6, k=3, s=2, p=1: the forward gives 3, so the transpose needs a=1 to get back 6."""
    x = np.ones((1, 1, 6, 6))
    w = np.ones((1, 1, 3, 3))
    y = conv(x, w, stride=2, padding=1)
    assert y.shape == (1, 1, 3, 3)
    assert conv_transpose(y, w, stride=2, padding=1).shape == (1, 1, 5, 5)
    assert conv_transpose(y, w, stride=2, padding=1, output_padding=1).shape == (1, 1, 6, 6)


def test_hand_computed_stride_dilation_padding() -> None:
    # y[2t + 2j - 1] += w[j] x[t]; positions before crop: t=0 -> 0, 2, 4; t=1 -> 2, 4, 6
    x = np.array([[[1.0, 2.0]]])
    w = np.array([[[1.0, 10.0, 100.0]]])
    y = conv_transpose(x, w, stride=2, padding=1, dilation=2, output_padding=1)
    full = np.zeros(8)
    for t, xt in enumerate([1.0, 2.0]):
        for j, wj in enumerate([1.0, 10.0, 100.0]):
            full[2 * t + 2 * j] += wj * xt
    # o = (2-1)*2 - 2 + 2*2 + 1 + 1 = 6 outputs starting at position p = 1
    assert_array_equal(y[0, 0], full[1:7])


def test_integers_exact_and_unbatched() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(-(2**20), 2**20, size=(3, 5, 4))
    w = rng.integers(-(2**20), 2**20, size=(3, 2, 2, 3))
    y = conv_transpose(x, w, stride=(2, 1), padding=(0, 1), output_padding=(1, 0))
    assert y.dtype == np.int64
    assert_array_equal(y, reference.conv_transpose(x, w, stride=(2, 1), padding=(0, 1),
                                                   output_padding=(1, 0)))
    assert_array_equal(y, conv_transpose(x[None], w, stride=(2, 1), padding=(0, 1),
                                         output_padding=(1, 0))[0])


def test_complex_and_float32() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 5)) + 1j * rng.standard_normal((2, 4, 5))
    w = rng.standard_normal((4, 3, 3)) + 1j * rng.standard_normal((4, 3, 3))
    y = conv_transpose(x, w, stride=2, groups=2)
    assert y.dtype == np.complex128
    assert_allclose(y, reference.conv_transpose(x, w, stride=2, groups=2), rtol=1e-12)
    y32 = conv_transpose(x.real.astype(np.float32), w.real.astype(np.float32), stride=2)
    assert y32.dtype == np.float32
    assert_allclose(y32, conv_transpose(x.real, w.real, stride=2), rtol=1e-4, atol=1e-5)


def test_chunking_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4, 5, 6))
    w = rng.standard_normal((4, 3, 3, 2))
    kw: dict[str, Any] = {"stride": (2, 3), "padding": 1, "output_padding": (1, 2),
                          "dilation": (1, 2), "groups": 2}
    whole = conv_transpose(x, w, **kw)
    monkeypatch.setattr(conv_module, "CHUNK_BYTES", 200)
    assert_allclose(conv_transpose(x, w, **kw), whole, rtol=1e-13, atol=1e-13)


X = np.ones((2, 4, 5, 5))
W = np.ones((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"output_padding": 1}, r"output_padding=1 must be smaller .* = 1"),
        ({"output_padding": (0, 2), "stride": 2}, r"output_padding=\(0, 2\) .* axis 1"),
        ({"output_padding": 2, "stride": 2, "dilation": 2}, r"max\(stride, dilation\) = 2"),
        ({"padding": "same"}, r"padding must be an int .* got 'same'"),
        ({"padding": 4}, r"padding=4 crops the transposed-convolution output to -1"),
        ({"groups": 3}, r"w.shape\[0\] \(input channels\) = 4 is not divisible by groups=3"),
        ({"w": np.ones((3, 3, 3, 3))}, r"x has 4 channels but w.shape=\(3, 3, 3, 3\) expects 3"),
        ({"w": np.ones((4, 3))}, r"w must have shape \(C_in, C_out/groups, \*kernel\)"),
        ({"x": np.ones((5, 5))}, r"x must have 4 dimensions .* got shape \(5, 5\)"),
        ({"bias": np.ones(4)}, r"bias must have shape \(3,\) .* got shape \(4,\)"),
        ({"bias": np.ones(3), "groups": 2}, r"bias must have shape \(6,\)"),
        ({"stride": 0}, r"stride must be >= 1"),
        ({"dilation": (1, 0)}, r"dilation must be >= 1"),
        ({"padding": -1}, r"padding must be >= 0"),
        ({"x": X.astype(np.str_)}, r"x must have an integer, floating"),
    ],
)
def test_invalid_arguments_are_named(kwargs: dict[str, Any], pattern: str) -> None:
    args = {"x": X, "w": W, **kwargs}
    with pytest.raises(InvalidArgument, match=pattern):
        conv_transpose(**args)
    with pytest.raises(InvalidArgument, match=pattern):
        reference.conv_transpose(**args)


@FAST
@given(transpose_cases(), st.integers(0, 2**32 - 1))
def test_scatter_and_gather_cores_agree_at_stride_one(case: TransposeCase, seed: int) -> None:
    """The two fast cores (used for stride > 1 and stride 1) compute the same sum."""
    from convmath.numeric._transpose import scatter_taps, transpose_gather

    x, w, _ = case.arrays(seed)
    n = len(case.kernel)
    ones = (1,) * n
    span = [d * (k - 1) for d, k in zip(case.dilation, case.kernel, strict=True)]
    full = [i + e for i, e in zip(case.spatial, span, strict=True)]  # stride-1 output, uncropped
    crop = [(0, f) for f in full]
    dtype = np.dtype(np.float64)
    scattered = scatter_taps(x, w, ones, case.dilation, case.groups, full, crop, dtype)
    gathered = transpose_gather(x, w, case.dilation, case.groups, span, span, dtype)
    assert_allclose(scattered, gathered, rtol=1e-12, atol=1e-12)


def test_mixed_stride_uses_scatter_and_matches_reference() -> None:
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 4, 5, 4))
    w = rng.standard_normal((4, 3, 2, 3))
    kw: dict[str, Any] = {"stride": (1, 2), "padding": (1, 0), "dilation": (2, 1), "groups": 2,
                          "output_padding": (1, 1)}
    assert_allclose(conv_transpose(x, w, **kw), reference.conv_transpose(x, w, **kw),
                    rtol=1e-12, atol=1e-12)


def test_empty_batch() -> None:
    y = conv_transpose(np.zeros((0, 4, 5)), np.ones((4, 3, 2)), stride=2)
    assert y.shape == (0, 3, 10)


@pytest.mark.parametrize("stride", [1, (2, 1, 1, 3)])
def test_four_spatial_axes(stride: Any) -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((1, 2, 3, 2, 2, 3))
    w = rng.standard_normal((2, 2, 2, 1, 2, 2))
    kw: dict[str, Any] = {"stride": stride, "padding": (0, 0, 1, 1), "dilation": (1, 1, 2, 1)}
    assert_allclose(conv_transpose(x, w, **kw), reference.conv_transpose(x, w, **kw),
                    rtol=1e-12, atol=1e-12)


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"stride": 10**12}, "stride"),
        ({"stride": 2**62}, "stride"),
        ({"stride": 10**30}, "stride"),
        ({"dilation": 10**12}, "dilation"),
        ({"stride": 10**12, "dilation": 10**12, "padding": 10**12}, "padding"),
        ({"stride": 3, "output_padding": 2**63}, "output_padding"),
    ],
)
def test_huge_arguments_raise_invalid_argument(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        conv_transpose(np.ones((1, 1, 5)), np.ones((1, 1, 3)), **kwargs)


def test_int64_with_uint64_is_exact() -> None:
    # y[s·t + j] += x[t]·w[j] with s=2: [x0, x0, x0 + x1, x1, x1] for w = ones(3)
    x = np.array([[[2**53 + 1, 1]]], np.int64)
    y = conv_transpose(x, np.ones((1, 1, 3), np.uint64), stride=2)
    assert y.dtype == np.int64
    a = 2**53 + 1
    assert y.tolist() == [[[a, a, a + 1, 1, 1]]]
    assert reference.conv_transpose(x, np.ones((1, 1, 3), np.uint64), stride=2).tolist() \
        == [[[a, a, a + 1, 1, 1]]]


def test_stride_one_with_inf_in_the_kernel_matches_torch() -> None:
    """Regression (issue 7 fuzz): the stride-1 gather multiplied its zero padding by the
    kernel, so an inf tap gave nan (0·inf) where PyTorch's scatter gives 1."""
    w = np.array([[[np.inf, 1.0]]])
    # hand: y[u] = Σ_{t+j=u} x[t]·w[j] with x = 1 1 1: inf, inf+1, inf+1, 1
    assert_array_equal(conv_transpose(np.ones((1, 1, 3)), w), [[[np.inf, np.inf, np.inf, 1.0]]])
    assert_array_equal(conv_transpose(np.ones((1, 1, 3)), w, padding=1), [[[np.inf, np.inf]]])
    assert_array_equal(reference.conv_transpose(np.ones((1, 1, 3)), w),
                       [[[np.inf, np.inf, np.inf, 1.0]]])


def test_huge_broadcast_weight_is_refused_up_front() -> None:
    """Regression (issue 7 fuzz): a broadcast view declares a weight larger than memory;
    the GEMM's contiguous copy of it used to end in MemoryError."""
    w = np.broadcast_to(1.0, (2**17, 2**17, 3))
    with pytest.raises(InvalidArgument, match=r"weight copy .*w\.shape="):
        conv_transpose(np.broadcast_to(1.0, (1, 2**17, 5)), w)
