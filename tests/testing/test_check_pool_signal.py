"""Pooling and signal checkers: no false alarms on correct implementations."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.signal

import convmath.numeric as numeric
from convmath import InvalidArgument
from convmath.testing import (
    check_avg_pool,
    check_avg_pool_grad,
    check_convolve,
    check_correlate,
    check_max_pool,
    check_max_pool_grad,
)


def test_reference_pooling_passes() -> None:
    r = check_max_pool(numeric.max_pool2d, seed=0)
    assert r.features.get("ceil_mode", 0) > 0 and r.features.get("ties", 0) > 0
    check_max_pool(numeric.max_pool2d, return_indices=True, max_examples=60, seed=1)
    r = check_avg_pool(numeric.avg_pool2d, seed=0)
    assert r.features.get("count_include_pad=False", 0) > 0


@pytest.mark.dev_sample  # half of the cases in the dev profile (tests/conftest.py)
@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_pooling_passes(ndim: int, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kw = {"ndim": ndim, "backend": "torch", "dtypes": (dtype,), "max_examples": 40, "seed": ndim}
    check_max_pool(getattr(F, f"max_pool{ndim}d"), return_indices=True, **kw)  # type: ignore[arg-type]
    # F.avg_pool1d has no divisor_override; F.avg_pool3d insists on input >= kernel even
    # when padding would make the window fit (a torch restriction, not a semantic)
    check_avg_pool(getattr(F, f"avg_pool{ndim}d"), divisor_override=ndim > 1,  # type: ignore[arg-type]
                   padding=ndim < 3, **kw)


@pytest.mark.dev_sample  # half of the cases in the dev profile (tests/conftest.py)
@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("ndim", [1, 2])
def test_scipy_signal_passes(method: str, ndim: int) -> None:
    tol = "normwise" if method == "fft" else "elementwise"

    def conv(a, b, mode):  # type: ignore[no-untyped-def]
        return scipy.signal.convolve(a, b, mode, method=method)

    def corr(a, b, mode):  # type: ignore[no-untyped-def]
        return scipy.signal.correlate(a, b, mode, method=method)

    check_convolve(conv, ndim=ndim, tolerance=tol, seed=0)
    check_correlate(corr, ndim=ndim, tolerance=tol, seed=0)


def test_fft_without_normwise_is_flagged_on_integer_inputs() -> None:
    """Asked for the elementwise (direct-sum) bound, an FFT path fails, and the diagnosis
    says why."""
    with pytest.raises(AssertionError, match="FFT-like rounding"):
        check_convolve(lambda a, b, mode: scipy.signal.fftconvolve(a, b, mode),
                       dtypes=("float64",), tolerance="elementwise", seed=0)


def test_fft_passes_by_default_with_a_note() -> None:
    """The default policy passes an FFT path that meets the FFT bound, and says so."""
    report = check_convolve(lambda a, b, mode: scipy.signal.fftconvolve(a, b, mode),
                            dtypes=("float64",), max_examples=100, seed=0)
    assert any(note.startswith("FFT-level accuracy") for note in report.notes)
    assert "FFT-level accuracy" in repr(report)


def test_np_convolve_through_an_adapter_passes() -> None:
    def adapter(a, b, mode="full"):  # type: ignore[no-untyped-def]
        return np.convolve(a, b, mode)  # 'same' differs from scipy when b is longer

    check_convolve(adapter, modes=("full", "valid"), seed=0)


def test_bad_tolerance_name() -> None:
    with pytest.raises(InvalidArgument, match="tolerance"):
        check_convolve(scipy.signal.convolve, tolerance="loose")


def test_numeric_signal_api_passes() -> None:
    def direct_convolve(a, b, mode="full"):  # type: ignore[no-untyped-def]
        return numeric.convolve(a, b, mode, method="direct")

    def direct_correlate(a, b, mode="full"):  # type: ignore[no-untyped-def]
        return numeric.correlate(a, b, mode, method="direct")

    check_convolve(direct_convolve, seed=0)
    check_correlate(direct_correlate, ndim=2, seed=0)
    # method='auto' may pick an FFT for float input: judged with the normwise bound
    check_convolve(numeric.convolve, tolerance="normwise", seed=0)
    check_correlate(numeric.correlate, tolerance="normwise", ndim=2, seed=0)


def test_reference_pooling_gradients_pass() -> None:
    r = check_max_pool_grad(functools.partial(numeric.max_pool_grad, ndim=2), seed=0)
    assert r.features.get("ties", 0) > 0 and r.features.get("overlapping windows", 0) > 0
    check_avg_pool_grad(functools.partial(numeric.avg_pool_grad, ndim=2), seed=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_autograd_pooling_gradients_pass(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional

    def max_grad(x, g, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
        x = x.clone().requires_grad_(True)
        F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode).backward(g)
        return x.grad

    def avg_grad(input_size, g, kernel_size, stride=None, padding=0, ceil_mode=False,  # type: ignore[no-untyped-def]
                 count_include_pad=True, divisor_override=None):
        x = torch.zeros(input_size, dtype=g.dtype, requires_grad=True)
        F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override).backward(g)
        return x.grad

    check_max_pool_grad(max_grad, backend="torch", dtypes=(dtype,), max_examples=60, seed=0)
    check_avg_pool_grad(avg_grad, backend="torch", dtypes=(dtype,), max_examples=60, seed=0)
