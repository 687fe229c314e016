"""Pooling: fast path vs the definitional loops, vs PyTorch, hand fixtures, validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convmath import InvalidArgument
from convmath.numeric import avg_pool, avg_pool_grad, max_pool, max_pool_grad
from convmath.numeric._pool_reference import (
    definitional_avg_pool,
    definitional_avg_pool_grad,
    definitional_max_pool,
    definitional_max_pool_grad,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Case:
    x: np.ndarray
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool

    @property
    def ndim(self) -> int:
        return len(self.kernel)


@st.composite
def pool_cases(draw: Any, *, dilated: bool = True, special: bool = True) -> Case:
    """Valid pooling geometries (per-axis, asymmetric) with tie-rich small-integer data."""
    n = draw(st.integers(1, 3))
    kernel, stride, padding, dilation, size = [], [], [], [], []
    for _ in range(n):
        k = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2)) if dilated else 1
        p = draw(st.integers(0, k // 2))
        eff = d * (k - 1) + 1
        i = draw(st.integers(max(1, eff - 2 * p), eff + 4))
        kernel.append(k)
        stride.append(draw(st.integers(1, 3)))
        padding.append(p)
        dilation.append(d)
        size.append(i)
        # skip geometries with a window entirely in the padding (rejected, tested separately)
        starts = np.arange((i + 2 * p - eff) // stride[-1] + 2) * stride[-1] - p
        taps = starts[:, None] + d * np.arange(k)[None, :]
        assume(bool(((taps >= 0) & (taps < i)).any(axis=1)[starts < i + p].all()))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size)
    values = st.integers(-3, 3).map(float)
    if special:
        values = st.one_of(values, st.sampled_from([np.nan, -np.inf, np.inf]))
    count = int(np.prod(shape))
    data = draw(st.lists(values, min_size=count, max_size=count))
    return Case(
        x=np.array(data, dtype=np.float64).reshape(shape),
        kernel=tuple(kernel),
        stride=tuple(stride),
        padding=tuple(padding),
        dilation=tuple(dilation),
        ceil_mode=draw(st.booleans()),
    )


# --- fast path vs definitional loops -------------------------------------------------------


@SETTINGS
@given(pool_cases())
def test_max_pool_matches_definition(case: Case) -> None:
    got, idx = max_pool(case.x, case.kernel, case.stride, case.padding, case.dilation,
                        case.ceil_mode, return_indices=True)
    want, want_idx = definitional_max_pool(case.x, case.kernel, case.stride, case.padding,
                                           case.dilation, case.ceil_mode)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(idx, want_idx)
    assert got.dtype == case.x.dtype and idx.dtype == np.int64
    # the values-only path (a running maximum) agrees, NaN and ±inf included
    np.testing.assert_array_equal(
        max_pool(case.x, case.kernel, case.stride, case.padding, case.dilation, case.ceil_mode),
        want)


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans(),
       st.one_of(st.none(), st.integers(1, 7)))
def test_avg_pool_matches_definition(case: Case, include_pad: bool, override: int | None) -> None:
    got = avg_pool(case.x, case.kernel, case.stride, case.padding, case.ceil_mode,
                   include_pad, override)
    want = definitional_avg_pool(case.x, case.kernel, case.stride, case.padding,
                                 case.ceil_mode, include_pad, override)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans())
def test_avg_pool_integer_input_is_exact_and_truncates(case: Case, include_pad: bool) -> None:
    xi = case.x.astype(np.int32) * 1000 + 7
    got = avg_pool(xi, case.kernel, case.stride, case.padding, case.ceil_mode, include_pad)
    want = definitional_avg_pool(xi, case.kernel, case.stride, case.padding, case.ceil_mode,
                                 include_pad)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want)


@SETTINGS
@given(pool_cases(special=False), st.data())
def test_max_pool_grad_matches_definition(case: Case, data: Any) -> None:
    y = max_pool(case.x, case.kernel, case.stride, case.padding, case.dilation,
                 case.ceil_mode)
    out_shape = y.shape
    gy = np.arange(1.0, 1.0 + np.prod(out_shape)).reshape(out_shape) * data.draw(
        st.sampled_from([1.0, -0.5]))
    got = max_pool_grad(case.x, gy, case.kernel, case.stride, case.padding, case.dilation,
                        case.ceil_mode)
    want = definitional_max_pool_grad(case.x, gy, case.kernel, case.stride, case.padding,
                                      case.dilation, case.ceil_mode)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # every window's gradient lands somewhere inside the input: total mass is conserved
    assert np.isclose(got.sum(), gy.sum())


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans(),
       st.one_of(st.none(), st.integers(1, 7)))
def test_avg_pool_grad_matches_definition(case: Case, include_pad: bool,
                                          override: int | None) -> None:
    y = avg_pool(case.x, case.kernel, case.stride, case.padding, case.ceil_mode,
                 include_pad, override)
    gy = np.cos(np.arange(y.size)).reshape(y.shape)
    got = avg_pool_grad(case.x.shape, gy, case.kernel, case.stride, case.padding,
                        case.ceil_mode, include_pad, override)
    want = definitional_avg_pool_grad(case.x.shape, gy, case.kernel, case.stride,
                                      case.padding, case.ceil_mode, include_pad, override)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # avg pooling is linear, so its gradient is its adjoint: <avg(x), g> = <x, avg_grad(g)>
    np.testing.assert_allclose(np.vdot(y, gy), np.vdot(case.x, got), rtol=1e-9, atol=1e-9)


# --- against PyTorch -------------------------------------------------------------------------


def _torch() -> Any:
    return pytest.importorskip("torch")


def _torch_max(case: Case, x: Any) -> Any:
    f = getattr(_torch().nn.functional, f"max_pool{case.ndim}d")
    return f(x, case.kernel, case.stride, case.padding, case.dilation, case.ceil_mode,
             return_indices=True)


def _torch_avg(case: Case, x: Any, include_pad: bool, override: int | None) -> Any:
    # PyTorch quirk: avg_pool3d (only) rejects an unpadded input smaller than the kernel,
    # although the padded one is large enough; avg_pool1d/2d and convmath accept it.
    assume(case.ndim != 3 or all(i >= k for i, k in zip(x.shape[2:], case.kernel, strict=True)))
    f = getattr(_torch().nn.functional, f"avg_pool{case.ndim}d")
    if case.ndim == 1:  # avg_pool1d has no divisor_override
        return f(x, case.kernel, case.stride, case.padding, case.ceil_mode, include_pad)
    return f(x, case.kernel, case.stride, case.padding, case.ceil_mode, include_pad, override)


@SETTINGS
@given(pool_cases())
def test_max_pool_matches_torch_values_and_indices(case: Case) -> None:
    torch = _torch()
    want, want_idx = _torch_max(case, torch.from_numpy(case.x))
    got, idx = max_pool(case.x, case.kernel, case.stride, case.padding, case.dilation,
                        case.ceil_mode, return_indices=True)
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())
    f = getattr(torch.nn.functional, f"max_pool{case.ndim}d")
    np.testing.assert_array_equal(
        max_pool(case.x, case.kernel, case.stride, case.padding, case.dilation, case.ceil_mode),
        f(torch.from_numpy(case.x), case.kernel, case.stride, case.padding, case.dilation,
          case.ceil_mode).numpy())


@SETTINGS
@given(pool_cases(special=False))
def test_max_pool_integer_input_matches_torch(case: Case) -> None:
    torch = _torch()
    xi = (case.x - 2).astype(np.int64)  # all-negative windows: the −∞ pad must be iinfo.min
    want, want_idx = _torch_max(case, torch.from_numpy(xi))
    got, idx = max_pool(xi, case.kernel, case.stride, case.padding, case.dilation,
                        case.ceil_mode, return_indices=True)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans(),
       st.one_of(st.none(), st.integers(1, 7)))
def test_avg_pool_matches_torch(case: Case, include_pad: bool, override: int | None) -> None:
    torch = _torch()
    if case.ndim == 1:
        override = None
    want = _torch_avg(case, torch.from_numpy(case.x), include_pad, override)
    got = avg_pool(case.x, case.kernel, case.stride, case.padding, case.ceil_mode,
                   include_pad, override)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-12, atol=1e-12)
    # float32 stays float32
    got32 = avg_pool(case.x.astype(np.float32), case.kernel, case.stride, case.padding,
                     case.ceil_mode, include_pad, override)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, want.numpy(), rtol=1e-5, atol=1e-5)


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans())
def test_avg_pool_int64_matches_torch(case: Case, include_pad: bool) -> None:
    torch = _torch()
    xi = (case.x * 7 - 3).astype(np.int64)
    want = _torch_avg(case, torch.from_numpy(xi), include_pad, None)
    got = avg_pool(xi, case.kernel, case.stride, case.padding, case.ceil_mode, include_pad)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want.numpy())


@SETTINGS
@given(pool_cases(special=False))
def test_max_pool_grad_matches_torch_autograd(case: Case) -> None:
    torch = _torch()
    xt = torch.from_numpy(case.x).requires_grad_(True)
    y, _ = _torch_max(case, xt)
    gy = np.sin(np.arange(y.numel())).reshape(tuple(y.shape))
    y.backward(torch.from_numpy(gy))
    got = max_pool_grad(case.x, gy, case.kernel, case.stride, case.padding, case.dilation,
                        case.ceil_mode)
    np.testing.assert_allclose(got, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pool_cases(dilated=False, special=False), st.booleans(),
       st.one_of(st.none(), st.integers(1, 7)))
def test_avg_pool_grad_matches_torch_autograd(case: Case, include_pad: bool,
                                              override: int | None) -> None:
    torch = _torch()
    if case.ndim == 1:
        override = None
    xt = torch.from_numpy(case.x).requires_grad_(True)
    y = _torch_avg(case, xt, include_pad, override)
    gy = np.sin(np.arange(y.numel())).reshape(tuple(y.shape))
    y.backward(torch.from_numpy(gy))
    got = avg_pool_grad(case.x, gy, case.kernel, case.stride, case.padding, case.ceil_mode,
                        include_pad, override)
    np.testing.assert_allclose(got, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_unbatched_input_matches_torch() -> None:
    torch = _torch()
    x = np.random.default_rng(1).standard_normal((3, 5, 6))
    got, idx = max_pool(x, (2, 3), stride=(1, 2), padding=(1, 1), return_indices=True)
    want, want_idx = torch.nn.functional.max_pool2d(
        torch.from_numpy(x), (2, 3), (1, 2), (1, 1), return_indices=True)
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())
    np.testing.assert_allclose(
        avg_pool(x, (2, 3), (1, 2), (1, 1), True, False),
        torch.nn.functional.avg_pool2d(torch.from_numpy(x), (2, 3), (1, 2), (1, 1), True,
                                       False).numpy())


# --- hand-computed fixtures --------------------------------------------------------------


def test_ceil_mode_window_start_rule_fixture() -> None:
    # REFERENCE.md: i=5, k=2, s=2, p=1, ceil_mode -> 3 windows (plain ceil would give 4,
    # the 4th starting inside the right padding). Padded: [-inf 1 5 2 4 3 -inf]
    x = np.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    y, idx = max_pool(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(y, [[[1.0, 5.0, 4.0]]])
    np.testing.assert_array_equal(idx, [[[0, 1, 3]]])
    # ceil_mode keeps an overhanging window when it starts inside the input: i=6,k=3,s=2
    x6 = np.array([[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]])
    np.testing.assert_array_equal(max_pool(x6, 3, 2, ceil_mode=True), [[[3.0, 5.0, 6.0]]])
    # avg: the overhang never counts, the padding does (windows [0,1,2] [2,3,4] [4,5])
    np.testing.assert_allclose(avg_pool(x6, 3, 2, ceil_mode=True), [[[2.0, 4.0, 5.5]]])
    # with padding 1: windows [p,1,2] [2,3,4] [4,5,6] [6,p,overhang]: divisors 3,3,3,2
    np.testing.assert_allclose(avg_pool(x6, 3, 2, padding=1, ceil_mode=True),
                               [[[1.0, 3.0, 5.0, 3.0]]])
    np.testing.assert_allclose(
        avg_pool(x6, 3, 2, padding=1, ceil_mode=True, count_include_pad=False),
        [[[1.5, 3.0, 5.0, 6.0]]])
    np.testing.assert_allclose(
        avg_pool(x6, 3, 2, padding=1, ceil_mode=True, divisor_override=2),
        [[[1.5, 4.5, 7.5, 3.0]]])


def test_max_pool_nan_and_ties() -> None:
    nan = np.nan
    x = np.array([[[1.0, nan, 3.0, nan, 2.0]]])
    y, idx = max_pool(x, 5, return_indices=True)
    assert np.isnan(y).all() and idx.item() == 3  # PyTorch: the last NaN of the window
    y, idx = max_pool(np.array([[[2.0, 7.0, 7.0, 1.0]]]), 4, return_indices=True)
    assert y.item() == 7.0 and idx.item() == 1  # first of tied maxima
    # all -inf window: the index is the first in-bounds element, never a padding position
    y, idx = max_pool(np.full((1, 1, 3), -np.inf), 2, stride=1, padding=1,
                      return_indices=True)
    np.testing.assert_array_equal(idx, [[[0, 0, 1, 2]]])
    # gradient goes to the first maximum; overlapping windows accumulate
    g = max_pool_grad(np.array([[[2.0, 7.0, 7.0, 1.0]]]), np.array([[[1.0, 10.0, 100.0]]]),
                      2, stride=1)
    np.testing.assert_array_equal(g, [[[0.0, 11.0, 100.0, 0.0]]])


def test_window_without_input_elements_is_rejected() -> None:
    # i=1, k=2, d=2, p=1: taps at -1 and 1, both outside the input. PyTorch returns -inf
    # with an aliased index; convmath refuses (see the module docstring).
    with pytest.raises(InvalidArgument, match="holds no input element"):
        max_pool(np.array([[[5.0]]]), 2, stride=1, padding=1, dilation=2)
    with pytest.raises(InvalidArgument, match="holds no input element"):
        max_pool_grad(np.zeros((1, 1, 2, 1)), np.zeros((1, 1, 2, 1)), (1, 2), 1, (0, 1), (1, 2))


def test_dilated_max_pool_2d_fixture() -> None:
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    # 2x2 taps spaced by 2: window at (0,0) sees 0,2,10,12; max 12 at flat index 12
    y, idx = max_pool(x, 2, stride=1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(y, [[[[12, 13, 14], [17, 18, 19], [22, 23, 24]]]])
    np.testing.assert_array_equal(idx, y.astype(np.int64))


def test_avg_pool_grad_accepts_shape_or_array() -> None:
    # i=5, k=2, s=2, p=1: windows [pad 0] [1 2] [3 4], each divisor 2
    gy = np.array([[[2.0, 4.0, 8.0]]])
    a = avg_pool_grad((1, 1, 5), gy, 2, stride=2, padding=1)
    b = avg_pool_grad(np.zeros((1, 1, 5)), gy, 2, stride=2, padding=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[0, 0], [1.0, 2.0, 2.0, 4.0, 4.0])
    assert avg_pool_grad((1, 1, 5), gy.astype(np.int64), 2, 2, 1).dtype == np.float64


# --- validation ------------------------------------------------------------------------------

X2 = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: max_pool(np.zeros((4, 4)), 2), "shape (4, 4)"),
        (lambda: max_pool(np.zeros(4), (2,)), "kernel_size=(2,)"),
        (lambda: max_pool(X2, (2, 2, 2)), "kernel_size=(2, 2, 2)"),
        (lambda: max_pool(X2, 0), "kernel_size"),
        (lambda: max_pool(X2, 2, stride=0), "stride"),
        (lambda: max_pool(X2, 2, stride=(1, -1)), "stride"),
        (lambda: max_pool(X2, 2, dilation=0), "dilation"),
        (lambda: max_pool(X2, 2, padding=-1), "padding"),
        (lambda: max_pool(X2, 2, padding=2), "padding=2"),
        (lambda: max_pool(X2, 3, padding=1, dilation=3), "larger than the padded input 6"),
        (lambda: max_pool(X2, 5), "larger than the padded input 4"),
        (lambda: max_pool(X2, 2, ceil_mode="yes"), "ceil_mode"),  # type: ignore[arg-type]
        (lambda: max_pool(X2, 2.5), "kernel_size"),  # type: ignore[arg-type]
        (lambda: max_pool(X2.astype(bool), 2), "dtype=bool"),
        (lambda: max_pool(np.array([["a"]]), 1), "dtype"),
        (lambda: max_pool(X2 + 1j, 2), "complex128"),
        (lambda: max_pool(np.zeros((1, 1, 0, 3)), 1), "empty"),
        (lambda: avg_pool(X2, 2, divisor_override=0), "divisor_override=0"),
        (lambda: avg_pool(X2, 2, count_include_pad=None), "count_include_pad"),  # type: ignore[arg-type]
        (lambda: avg_pool(X2, (3, 1), padding=(2, 0)), "padding=(2, 0)"),
        (lambda: max_pool_grad(X2, np.zeros((1, 1, 3, 2)), 2), "(1, 1, 2, 2)"),
        (lambda: avg_pool_grad((1, 1, 4, 4), np.zeros((1, 1, 3, 3)), 2), "(1, 1, 2, 2)"),
        (lambda: avg_pool_grad((1, 1, 4), np.zeros((1, 1, 2, 2)), (2, 2)), "input_size"),
        (lambda: max_pool_grad(X2, np.zeros((1, 1, 2, 2), dtype=object), 2), "grad_output"),
    ],
)
def test_invalid_arguments_raise_invalid_argument(call: Any, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=None) as info:
        call()
    assert fragment in str(info.value)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32])
def test_max_pool_small_integer_dtypes_match_torch(dtype: Any) -> None:
    torch = _torch()
    info = np.iinfo(dtype)
    x = np.random.default_rng(5).integers(info.min, info.max, (2, 3, 7, 5), endpoint=True)
    x = x.astype(dtype)
    want, want_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), (3, 2), (2, 1),
                                                    (1, 1), (1, 2), True, return_indices=True)
    got, idx = max_pool(x, (3, 2), (2, 1), (1, 1), (1, 2), True, return_indices=True)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())


def test_unsigned_avg_pool_and_empty_stride_default() -> None:
    # the first sum, 2**63 + 30, overflows int64 but not uint64
    x = np.array([[[2**62 + 10, 2**62 + 20, 7]]], dtype=np.uint64)
    got = avg_pool(x, 2, stride=1)
    assert got.dtype == np.uint64
    assert got.tolist() == [[[2**62 + 15, 2**61 + 13]]]
    y = np.arange(8.0).reshape(1, 1, 8)
    np.testing.assert_array_equal(max_pool(y, 2, stride=[]), max_pool(y, 2))  # PyTorch: []
