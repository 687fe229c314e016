"""Pooling: fast path vs the definitional loops, vs PyTorch, hand fixtures, validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convmath import InvalidArgument
from convmath.numeric import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    avg_pool_grad,
    max_pool,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_pool_grad,
)
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
    """Valid pooling geometries (per-axis, asymmetric) with tie-rich small-integer data.

    With ceil_mode the window may be larger than the padded input (PyTorch accepts that as
    long as the output size, by docs/reference.md's formula, is at least 1)."""
    n = draw(st.integers(1, 3))
    ceil_mode = draw(st.booleans())
    kernel, stride, padding, dilation, size = [], [], [], [], []
    for _ in range(n):
        k = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2)) if dilated else 1
        p = draw(st.integers(0, k // 2))
        s = draw(st.integers(1, 4 if ceil_mode else 3))
        eff = d * (k - 1) + 1
        i = draw(st.integers(1 if ceil_mode else max(1, eff - 2 * p), eff + 4))
        # PyTorch's output size (docs/reference.md), floor division of a possibly negative span
        o = (i + 2 * p - eff + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= i + p:
            o -= 1
        assume(o >= 1)
        kernel.append(k)
        stride.append(s)
        padding.append(p)
        dilation.append(d)
        size.append(i)
        # skip geometries with a window entirely in the padding (rejected, tested separately)
        starts = np.arange(o) * s - p
        taps = starts[:, None] + d * np.arange(k)[None, :]
        assume(bool(((taps >= 0) & (taps < i)).any(axis=1).all()))
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
        ceil_mode=ceil_mode,
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
       st.one_of(st.none(), st.integers(1, 7), st.integers(-7, -1)))
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
       st.one_of(st.none(), st.integers(1, 7), st.integers(-7, -1)))
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
       st.one_of(st.none(), st.integers(1, 7), st.integers(-7, -1)))
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
       st.one_of(st.none(), st.integers(1, 7), st.integers(-7, -1)))
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
    # docs/reference.md: i=5, k=2, s=2, p=1, ceil_mode -> 3 windows (plain ceil would give 4,
    # the 4th starting inside the right padding). Padded: [-inf 1 5 2 4 3 -inf]
    x = np.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    y, idx = max_pool1d(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(y, [[[1.0, 5.0, 4.0]]])
    np.testing.assert_array_equal(idx, [[[0, 1, 3]]])
    # ceil_mode keeps an overhanging window when it starts inside the input: i=6,k=3,s=2
    x6 = np.array([[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]])
    np.testing.assert_array_equal(max_pool1d(x6, 3, 2, ceil_mode=True), [[[3.0, 5.0, 6.0]]])
    # avg: the overhang never counts, the padding does (windows [0,1,2] [2,3,4] [4,5])
    np.testing.assert_allclose(avg_pool1d(x6, 3, 2, ceil_mode=True), [[[2.0, 4.0, 5.5]]])
    # with padding 1: windows [p,1,2] [2,3,4] [4,5,6] [6,p,overhang]: divisors 3,3,3,2
    np.testing.assert_allclose(avg_pool1d(x6, 3, 2, padding=1, ceil_mode=True),
                               [[[1.0, 3.0, 5.0, 3.0]]])
    np.testing.assert_allclose(
        avg_pool1d(x6, 3, 2, padding=1, ceil_mode=True, count_include_pad=False),
        [[[1.5, 3.0, 5.0, 6.0]]])
    np.testing.assert_allclose(
        avg_pool1d(x6, 3, 2, padding=1, ceil_mode=True, divisor_override=2),
        [[[1.5, 4.5, 7.5, 3.0]]])


def test_max_pool_nan_and_ties() -> None:
    nan = np.nan
    x = np.array([[[1.0, nan, 3.0, nan, 2.0]]])
    y, idx = max_pool1d(x, 5, return_indices=True)
    assert np.isnan(y).all() and idx.item() == 3  # PyTorch: the last NaN of the window
    y, idx = max_pool1d(np.array([[[2.0, 7.0, 7.0, 1.0]]]), 4, return_indices=True)
    assert y.item() == 7.0 and idx.item() == 1  # first of tied maxima
    # all -inf window: the index is the first in-bounds element, never a padding position
    y, idx = max_pool1d(np.full((1, 1, 3), -np.inf), 2, stride=1, padding=1,
                      return_indices=True)
    np.testing.assert_array_equal(idx, [[[0, 0, 1, 2]]])
    # gradient goes to the first maximum; overlapping windows accumulate
    g = max_pool_grad(np.array([[[2.0, 7.0, 7.0, 1.0]]]), np.array([[[1.0, 10.0, 100.0]]]),
                      2, stride=1, ndim=1)
    np.testing.assert_array_equal(g, [[[0.0, 11.0, 100.0, 0.0]]])


def test_window_without_input_elements_is_rejected() -> None:
    # i=1, k=2, d=2, p=1: taps at -1 and 1, both outside the input. PyTorch returns -inf
    # with an aliased index; convmath refuses (see the module docstring).
    with pytest.raises(InvalidArgument, match="holds no input element"):
        max_pool1d(np.array([[[5.0]]]), 2, stride=1, padding=1, dilation=2)
    with pytest.raises(InvalidArgument, match="holds no input element"):
        max_pool_grad(np.zeros((1, 1, 2, 1)), np.zeros((1, 1, 2, 1)), (1, 2), 1, (0, 1), (1, 2))


def test_dilated_max_pool_2d_fixture() -> None:
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    # 2x2 taps spaced by 2: window at (0,0) sees 0,2,10,12; max 12 at flat index 12
    y, idx = max_pool2d(x, 2, stride=1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(y, [[[[12, 13, 14], [17, 18, 19], [22, 23, 24]]]])
    np.testing.assert_array_equal(idx, y.astype(np.int64))


def test_avg_pool_grad_accepts_shape_or_array() -> None:
    # i=5, k=2, s=2, p=1: windows [pad 0] [1 2] [3 4], each divisor 2
    gy = np.array([[[2.0, 4.0, 8.0]]])
    a = avg_pool_grad((1, 1, 5), gy, 2, stride=2, padding=1, ndim=1)
    b = avg_pool_grad(np.zeros((1, 1, 5)), gy, 2, stride=2, padding=1, ndim=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[0, 0], [1.0, 2.0, 2.0, 4.0, 4.0])
    assert avg_pool_grad((1, 1, 5), gy.astype(np.int64), 2, 2, 1, ndim=1).dtype == np.float64


# --- validation ------------------------------------------------------------------------------

X2 = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: max_pool2d(np.zeros((4, 4)), 2), "shape (4, 4)"),
        (lambda: max_pool(np.zeros(4), (2,)), "kernel_size=(2,)"),
        (lambda: max_pool(X2, (2, 2, 2)), "kernel_size=(2, 2, 2)"),
        (lambda: max_pool2d(X2, 0), "kernel_size"),
        (lambda: max_pool2d(X2, 2, stride=0), "stride"),
        (lambda: max_pool2d(X2, 2, stride=(1, -1)), "stride"),
        (lambda: max_pool2d(X2, 2, dilation=0), "dilation"),
        (lambda: max_pool2d(X2, 2, padding=-1), "padding"),
        (lambda: max_pool2d(X2, 2, padding=2), "padding=2"),
        (lambda: max_pool2d(X2, 3, padding=1, dilation=3), "larger than the padded input 6"),
        (lambda: max_pool2d(X2, 5), "larger than the padded input 4"),
        (lambda: max_pool2d(X2, 2, ceil_mode="yes"), "ceil_mode"),  # type: ignore[arg-type]
        (lambda: max_pool2d(X2, 2.5), "kernel_size"),  # type: ignore[arg-type]
        (lambda: max_pool2d(X2.astype(bool), 2), "dtype=bool"),
        (lambda: max_pool1d(np.array([["a"]]), 1), "dtype"),
        (lambda: max_pool2d(X2 + 1j, 2), "complex128"),
        (lambda: max_pool2d(np.zeros((1, 1, 0, 3)), 1), "empty"),
        (lambda: avg_pool2d(X2, 2, divisor_override=0), "divisor_override=0"),
        (lambda: avg_pool2d(X2, 2, count_include_pad=None), "count_include_pad"),  # type: ignore[arg-type]
        (lambda: avg_pool2d(X2, (3, 1), padding=(2, 0)), "padding=(2, 0)"),
        (lambda: max_pool_grad(X2, np.zeros((1, 1, 3, 2)), 2, ndim=2), "(1, 1, 2, 2)"),
        (lambda: avg_pool_grad((1, 1, 4, 4), np.zeros((1, 1, 3, 3)), 2, ndim=2), "(1, 1, 2, 2)"),
        (lambda: avg_pool_grad((1, 1, 4), np.zeros((1, 1, 2, 2)), (2, 2)), "input_size"),
        (lambda: max_pool_grad(X2, np.zeros((1, 1, 2, 2), dtype=object), 2, ndim=2),
         "grad_output"),
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
    got, idx = max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True, return_indices=True)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())


def test_unsigned_avg_pool_and_empty_stride_default() -> None:
    # the first sum, 2**63 + 30, overflows int64 but not uint64
    x = np.array([[[2**62 + 10, 2**62 + 20, 7]]], dtype=np.uint64)
    got = avg_pool1d(x, 2, stride=1)
    assert got.dtype == np.uint64
    assert got.tolist() == [[[2**62 + 15, 2**61 + 13]]]
    y = np.arange(8.0).reshape(1, 1, 8)
    np.testing.assert_array_equal(max_pool1d(y, 2, stride=[]), max_pool1d(y, 2))  # PyTorch: []


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


def test_ceil_mode_accepts_a_window_larger_than_the_padded_input() -> None:
    # by hand: i=2, k=3, s=4: o = ⌊(2 − 2 − 1 + 3)/4⌋ + 1 = 1, one window [0, 3) holding
    # both elements; count_include_pad clips the divisor to the padded bounds: 2
    x = np.array([[[1.0, 5.0]]])
    values, idx = max_pool1d(x, 3, stride=4, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(values, [[[5.0]]])
    np.testing.assert_array_equal(idx, [[[1]]])
    np.testing.assert_array_equal(avg_pool1d(x, 3, stride=4, ceil_mode=True), [[[3.0]]])
    np.testing.assert_array_equal(
        avg_pool1d(x, 3, stride=4, ceil_mode=True, count_include_pad=False), [[[3.0]]])
    # k=4, d=2 spans 7 > 6: taps 0, 2, 4 (6 is outside), maximum 4 at index 4
    y = np.arange(6.0).reshape(1, 1, 6)
    values, idx = max_pool1d(y, 4, dilation=2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(values, [[[4.0]]])
    np.testing.assert_array_equal(idx, [[[4]]])
    # gradients follow the same geometry
    np.testing.assert_array_equal(max_pool_grad(x, np.array([[[7.0]]]), (3,), 4, ceil_mode=True),
                                  [[[0.0, 7.0]]])
    np.testing.assert_array_equal(avg_pool_grad((1, 1, 2), np.array([[[6.0]]]), (3,), 4,
                                                ceil_mode=True), [[[3.0, 3.0]]])
    # and the definitional twins agree
    np.testing.assert_array_equal(definitional_max_pool(y, 4, None, 0, 2, True, ndim=1)[0],
                                  [[[4.0]]])
    np.testing.assert_array_equal(definitional_avg_pool(x, 3, 4, 0, True, ndim=1), [[[3.0]]])
    # without ceil mode the output would be empty: refused
    with pytest.raises(InvalidArgument, match=r"kernel_size=\(3,\).*output would be empty"):
        max_pool1d(x, 3, stride=4)


def test_ceil_mode_large_window_matches_torch() -> None:
    torch = _torch()
    F = torch.nn.functional
    x = np.array([[[1.0, 5.0]]])
    xt = torch.from_numpy(x)
    np.testing.assert_array_equal(max_pool1d(x, 3, stride=4, ceil_mode=True),
                                  F.max_pool1d(xt, 3, stride=4, ceil_mode=True).numpy())
    for include_pad in (True, False):
        np.testing.assert_array_equal(
            avg_pool1d(x, 3, stride=4, ceil_mode=True, count_include_pad=include_pad),
            F.avg_pool1d(xt, 3, stride=4, ceil_mode=True,
                         count_include_pad=include_pad).numpy())
    x2 = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    np.testing.assert_allclose(
        avg_pool2d(x2, 3, stride=4, padding=1, ceil_mode=True),
        F.avg_pool2d(torch.from_numpy(x2), 3, stride=4, padding=1, ceil_mode=True).numpy())
    y = np.arange(6.0).reshape(1, 1, 6)
    want, want_idx = F.max_pool1d(torch.from_numpy(y), 4, dilation=2, ceil_mode=True,
                                  return_indices=True)
    got, got_idx = max_pool1d(y, 4, dilation=2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(got_idx, want_idx.numpy())


def test_max_pool_grad_integer_is_exact_int64() -> None:
    # 2**53 + 1 is not a float64: a float accumulation would give 2**53
    got = max_pool_grad(np.array([[[1.0, 2.0]]]), np.array([[[2**53 + 1]]]), 2, ndim=1)
    assert got.dtype == np.int64
    assert got.tolist() == [[[0, 9007199254740993]]]
    # overlapping windows both pick the middle element: 100 + 100 = 200, no int8 wrap
    x = np.array([[[1.0, 3.0, 2.0]]])
    g8 = np.array([[[100, 100]]], dtype=np.int8)
    got = max_pool_grad(x, g8, 2, stride=1, ndim=1)
    assert got.dtype == np.int64
    assert got.tolist() == [[[0, 200, 0]]]
    assert definitional_max_pool_grad(x, g8, 2, 1, ndim=1).tolist() == [[[0, 200, 0]]]
    # large sums beyond 2**53 through the exact path: 3·(2**60 + 1), summed in Python ints
    big = np.full((1, 1, 3), 2**60 + 1, dtype=np.int64)
    xs = np.array([[[0.0, 0.0, 9.0, 0.0, 0.0]]])
    got = max_pool_grad(xs, big, 3, stride=1, ndim=1)
    assert got.tolist() == [[[0, 0, 3 * (2**60 + 1), 0, 0]]]
    # unsigned stays unsigned
    got = max_pool_grad(x, np.array([[[2**62, 2**62]]], dtype=np.uint64), 2, stride=1,
                        ndim=1)
    assert got.dtype == np.uint64 and got.tolist() == [[[0, 2**63, 0]]]


def test_max_pool_grad_integer_overflow_is_refused() -> None:
    x = np.array([[[1.0, 3.0, 2.0]]])
    with pytest.raises(InvalidArgument, match="might overflow int64"):
        max_pool_grad(x, np.array([[[2**62, 2**62]]], dtype=np.int64), 2, stride=1, ndim=1)


def test_avg_pool_grad_integer_grad_gives_float64() -> None:
    # g/D is a fraction: 5/2 = 2.5 in every element of the window
    got = avg_pool_grad((1, 1, 2), np.array([[[5]]], dtype=np.int8), 2, ndim=1)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[[2.5, 2.5]]])


def test_avg_pool_integer_sum_overflow_is_refused() -> None:
    x = np.array([[[2**62, 2**62, 1]]], dtype=np.int64)
    with pytest.raises(InvalidArgument, match="might overflow int64"):
        avg_pool1d(x, 2, stride=1)
    u = np.array([[[2**63, 2**63]]], dtype=np.uint64)  # the sum 2**64 does not fit uint64
    with pytest.raises(InvalidArgument, match="might overflow uint64"):
        avg_pool1d(u, 2)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: avg_pool1d(np.ones((1, 1, 4)), 2, divisor_override=2**63), "divisor_override"),
        (lambda: avg_pool1d(np.ones((1, 1, 4)), 2, divisor_override=np.uint64(2**64 - 1)),
         "divisor_override"),
        (lambda: avg_pool_grad((1, 1, 4), np.ones((1, 1, 2)), 2, divisor_override=2**63,
                               ndim=1),
         "divisor_override"),
        (lambda: max_pool1d(np.ones((1, 1, 4)), 2, stride=10**30), "stride"),
        (lambda: max_pool1d(np.ones((1, 1, 4)), 2, dilation=10**30), "dilation"),
        (lambda: avg_pool1d(np.ones((1, 1, 4)), 10**30, ceil_mode=True), "kernel_size"),
        (lambda: max_pool1d(np.ones((1, 1, 4)), 2**61, ceil_mode=True), "padded input"),
        (lambda: avg_pool1d(np.ones((1, 1, 4)), 2**61, padding=10**12, ceil_mode=True),
         "padded input"),
        (lambda: max_pool1d(np.ones((1, 1, 4)), 2, ceil_mode="yes"), "ceil_mode='yes'"),
        (lambda: avg_pool1d(np.ones((1, 1, 4)), 2, count_include_pad=1), "count_include_pad"),
        (lambda: avg_pool_grad(np.array([1, 1, 4]), np.ones((1, 1, 2)), 2, ndim=1),
         r"pass a tuple, e.g. input_size=\(1, 1, 4\)"),
        (lambda: avg_pool_grad((1.0, 1, 4), np.ones((1, 1, 2)), 2, ndim=1), "tuple of ints"),
    ],
)
def test_huge_and_ambiguous_arguments_raise_invalid_argument(call: Any, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        call()


def test_avg_pool_grad_array_is_the_input_itself() -> None:
    # the documented rule: an ndarray is the input (its shape is used), a tuple is a shape
    gy = np.array([[[2.0, 4.0]]])
    np.testing.assert_array_equal(avg_pool_grad(np.zeros((1, 1, 4)), gy, 2, ndim=1),
                                  avg_pool_grad((1, 1, 4), gy, 2, ndim=1))
    np.testing.assert_array_equal(avg_pool_grad((1, 1, 4), gy, (2,)), [[[1.0, 1.0, 2.0, 2.0]]])


# --- the number of spatial axes: ndim=, per-dimension entry points, no guessing (issue 7) ----


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: max_pool(np.zeros((3, 4, 5)), 2),
         ("x of shape (3, 4, 5)", "pass ndim=", "max_pool1d / max_pool2d")),
        (lambda: avg_pool(np.zeros((1, 3, 4, 5)), 2, stride=1),
         ("x of shape (1, 3, 4, 5)", "pass ndim=", "avg_pool2d / avg_pool3d")),
        (lambda: max_pool(np.zeros((1, 1, 2, 3, 4, 5)), 1),
         ("unbatched 5-d", "pass ndim=")),
        (lambda: max_pool_grad(np.zeros((1, 1, 4)), np.zeros((1, 1, 2)), 2),
         ("x of shape (1, 1, 4)", "pass ndim=")),
        (lambda: avg_pool_grad((1, 1, 4), np.zeros((1, 1, 2)), 2),
         ("input_size of shape (1, 1, 4)", "pass ndim=")),
    ],
)
def test_an_all_int_call_is_ambiguous_and_refused(call: Any, fragments: tuple[str, ...]) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)


def test_only_one_reading_of_a_2d_input_is_accepted_without_ndim() -> None:
    # (C, L) can only be an unbatched 1-d input: F.max_pool1d's reading
    torch = _torch()
    x = np.array([[1.0, 5.0, 2.0, 4.0, 3.0], [0.0, -1.0, 7.0, 7.0, 2.0]])
    want, want_idx = torch.nn.functional.max_pool1d(torch.from_numpy(x), 2, 1,
                                                    return_indices=True)
    got, idx = max_pool(x, 2, 1, return_indices=True)
    np.testing.assert_array_equal(got, want.numpy())
    np.testing.assert_array_equal(idx, want_idx.numpy())
    np.testing.assert_array_equal(got, [[5.0, 5.0, 4.0, 4.0], [0.0, 7.0, 7.0, 7.0]])  # by hand
    np.testing.assert_allclose(avg_pool(x, 2, 1), [[3.0, 3.5, 3.0, 3.5], [-0.5, 3.0, 7.0, 4.5]])


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: max_pool(X2, 2, ndim=0), "ndim=0"),
        (lambda: max_pool(X2, 2, ndim=True), "ndim=True"),  # type: ignore[call-overload]
        (lambda: max_pool(X2, 2, ndim=2.0), "ndim=2.0"),  # type: ignore[call-overload]
        (lambda: avg_pool(X2, 2, ndim="2"), "ndim='2'"),  # type: ignore[arg-type]
        (lambda: max_pool(X2, 2, ndim=4), "got shape (1, 1, 4, 4)"),
        (lambda: max_pool(X2, 2, ndim=1), "for 1 spatial axes (ndim=1"),
        (lambda: max_pool(X2, (2, 2, 2), ndim=2), "kernel_size"),
        (lambda: max_pool(X2, (2, 2), stride=(1, 1, 1)), "disagree"),
        (lambda: max_pool2d(np.zeros((1, 1, 1, 4, 4)), 2), "got shape (1, 1, 1, 4, 4)"),
        (lambda: max_pool3d(X2[None], (2, 2)), "kernel_size"),
        (lambda: avg_pool1d(X2, 2), "x must have 3 dimensions"),
        (lambda: max_pool_grad(X2, np.zeros((1, 1, 2, 2)), 2, ndim=4), "got shape"),
        (lambda: avg_pool_grad((1, 4, 4), np.zeros((1, 2, 2)), 2, ndim=3), "input_size"),
        (lambda: max_pool2d(np.zeros((0, 4, 4)), 2), "empty channel"),  # torch refuses too
        (lambda: max_pool2d(np.zeros((1, 0, 4, 4)), 2), "empty channel"),
        (lambda: max_pool2d(np.zeros(4), 2), "got shape (4,)"),
        (lambda: max_pool(np.zeros(4), 2), "got shape (4,)"),
    ],
)
def test_ndim_mismatches_raise_invalid_argument(call: Any, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    assert fragment in str(info.value)


@SETTINGS
@given(pool_cases(special=False), st.booleans(), st.one_of(st.none(), st.integers(-7, 7)))
def test_unbatched_is_batched_with_the_batch_axis_removed(
    case: Case, include_pad: bool, override: int | None
) -> None:
    """x[0] (C, *spatial) pools, and differentiates, as x[None]… does — for every entry point,
    given ndim=, the per-dimension function or a tuple kernel."""
    n = case.ndim
    x = case.x[:1]
    kw = {"stride": case.stride, "padding": case.padding, "dilation": case.dilation,
          "ceil_mode": case.ceil_mode}
    y, idx = max_pool(x, case.kernel, **kw, return_indices=True)
    yu, idxu = max_pool(x[0], case.kernel, **kw, return_indices=True)  # tuple kernel
    assert yu.shape == y.shape[1:]
    np.testing.assert_array_equal(yu, y[0])
    np.testing.assert_array_equal(idxu, idx[0])
    per_dim = (max_pool1d, max_pool2d, max_pool3d)[n - 1]
    np.testing.assert_array_equal(per_dim(x[0], case.kernel, **kw), y[0])
    if case.kernel[0] == max(case.kernel) == min(case.kernel):
        # an int kernel with ndim= or the per-dimension function, batched and unbatched
        k = case.kernel[0]
        np.testing.assert_array_equal(max_pool(x[0], k, **kw, ndim=n), y[0])
        np.testing.assert_array_equal(max_pool(x, k, **kw, ndim=n), y)
        np.testing.assert_array_equal(per_dim(x[0], k, **kw), y[0])
    gy = np.cos(np.arange(y.size)).reshape(y.shape)
    np.testing.assert_array_equal(
        max_pool_grad(x[0], gy[0], case.kernel, **kw, ndim=n),
        max_pool_grad(x, gy, case.kernel, **kw)[0])
    if all(d == 1 for d in case.dilation):
        akw = {"stride": case.stride, "padding": case.padding, "ceil_mode": case.ceil_mode,
               "count_include_pad": include_pad, "divisor_override": override or None}
        a = avg_pool(x, case.kernel, **akw)
        np.testing.assert_array_equal(avg_pool(x[0], case.kernel, **akw, ndim=n), a[0])
        ga = np.sin(np.arange(a.size)).reshape(a.shape)
        np.testing.assert_array_equal(
            avg_pool_grad(x.shape[1:], ga[0], case.kernel, **akw, ndim=n),
            avg_pool_grad(x.shape, ga, case.kernel, **akw)[0])
        assert avg_pool_grad(x.shape[1:], ga[0], case.kernel, **akw).shape == x.shape[1:]


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_per_dimension_functions_match_torch_batched_and_unbatched(nd: int) -> None:
    torch = _torch()
    F = torch.nn.functional
    rng = np.random.default_rng(nd)
    x = rng.integers(-3, 4, (2, 3, *[5] * nd)).astype(np.float64)
    ours_max = (max_pool1d, max_pool2d, max_pool3d)[nd - 1]
    ours_avg = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    t_max, t_avg = getattr(F, f"max_pool{nd}d"), getattr(F, f"avg_pool{nd}d")
    for xx in (x, x[0]):  # batched and unbatched
        xt = torch.from_numpy(xx)
        want, want_idx = t_max(xt, 3, 2, 1, 1, True, return_indices=True)
        got, idx = ours_max(xx, 3, 2, 1, 1, True, return_indices=True)
        np.testing.assert_array_equal(got, want.numpy())
        np.testing.assert_array_equal(idx, want_idx.numpy())
        np.testing.assert_array_equal(ours_max(xx, 2), t_max(xt, 2).numpy())
        np.testing.assert_allclose(ours_avg(xx, 3, 2, 1, True, False),
                                   t_avg(xt, 3, 2, 1, True, False).numpy(), rtol=1e-14)
        # ndim= on the generic functions gives the same
        np.testing.assert_array_equal(max_pool(xx, 2, ndim=nd), t_max(xt, 2).numpy())


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("divisor", [-1, -2, -3, -7, -(2**40), 3])
def test_negative_divisor_override_matches_torch(nd: int, divisor: int) -> None:
    torch = _torch()
    F = torch.nn.functional
    t_avg = getattr(F, f"avg_pool{nd}d")
    rng = np.random.default_rng(7)
    xf = rng.standard_normal((2, 2, *[5] * nd))
    xi = rng.integers(-50, 50, xf.shape)
    for x, exact in ((xf, False), (xi, True), (xf.astype(np.float32), False)):
        want = t_avg(torch.from_numpy(x), 2, 1, 1, True, True, divisor).numpy()
        got = avg_pool(x, 2, 1, 1, True, True, divisor, ndim=nd)
        assert got.dtype == x.dtype
        if exact:  # C division truncates towards zero: -7 / -2 = 3, 7 / -2 = -3
            np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-6 if x.dtype == np.float32 else 1e-14)
    # the gradient: g / D with the negative D, against autograd
    xt = torch.from_numpy(xf).requires_grad_(True)
    y = t_avg(xt, 2, 1, 1, True, False, divisor)
    gy = np.cos(np.arange(y.numel())).reshape(tuple(y.shape))
    y.backward(torch.from_numpy(gy))
    np.testing.assert_allclose(avg_pool_grad(xf.shape, gy, 2, 1, 1, True, False, divisor,
                                             ndim=nd), xt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_negative_divisor_override_by_hand_and_in_the_definition() -> None:
    x = np.array([[[-5, 2, 3, 7]]])
    # sums -3, 5, 10; C division by -2: 1, -2, -5
    assert avg_pool1d(x, 2, 1, divisor_override=-2).tolist() == [[[1, -2, -5]]]
    assert definitional_avg_pool(x, 2, 1, divisor_override=-2, ndim=1).tolist() == [[[1, -2, -5]]]
    np.testing.assert_array_equal(avg_pool1d(x.astype(float), 2, 1, divisor_override=-2),
                                  [[[1.5, -2.5, -5.0]]])
    # int64 extremes: a divisor of -2**63 is accepted (as by PyTorch), every quotient is 0
    assert avg_pool1d(x, 2, 1, divisor_override=-(2**63)).tolist() == [[[0, 0, 0]]]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        # 100 + 100 = 200 does not fit int8: refused, never wrapped to -56
        (lambda: avg_pool1d(np.array([[[100, 100]]], np.int8), 2, divisor_override=1),
         "divisor_override=1 gives an average of 200"),
        (lambda: avg_pool1d(np.array([[[-128]]], np.int8), 1, divisor_override=-1),
         "average of 128"),
        (lambda: avg_pool1d(np.array([[[3, 5]]], np.uint8), 2, divisor_override=-2),
         "unsigned"),
        (lambda: avg_pool1d(np.ones((1, 1, 2)), 2, divisor_override=0), "divisor_override=0"),
        (lambda: avg_pool1d(np.ones((1, 1, 2)), 2, divisor_override=-(2**63) - 1),
         "divisor_override"),
        (lambda: avg_pool1d(np.ones((1, 1, 2)), 2, divisor_override=2.0), "divisor_override"),  # type: ignore[arg-type]
        (lambda: avg_pool1d(np.ones((1, 1, 2)), 2, divisor_override=True), "divisor_override"),
    ],
)
def test_divisor_override_that_cannot_be_honoured_is_refused(call: Any, fragment: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    assert fragment in str(info.value)


def test_small_integer_dtypes_with_a_representable_divisor_override() -> None:
    # uint8 with a negative divisor is fine when every quotient is 0; int8 keeps its dtype
    assert avg_pool1d(np.array([[[0, 1]]], np.uint8), 2, divisor_override=-3).tolist() == [[[0]]]
    got = avg_pool1d(np.array([[[-100, 20]]], np.int8), 2, divisor_override=-1)
    assert got.dtype == np.int8 and got.tolist() == [[[80]]]


def test_empty_batch_matches_torch() -> None:
    torch = _torch()
    x = np.zeros((0, 3, 4, 4))
    got, idx = max_pool2d(x, 2, return_indices=True)
    assert got.shape == idx.shape == tuple(torch.nn.functional.max_pool2d(
        torch.from_numpy(x), 2).shape) == (0, 3, 2, 2)
    assert avg_pool(x, (2, 2)).shape == (0, 3, 2, 2)
    assert max_pool_grad(x, got, (2, 2)).shape == x.shape
    assert avg_pool_grad(x.shape, got, (2, 2)).shape == x.shape
