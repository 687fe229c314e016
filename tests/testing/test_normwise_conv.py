"""``tolerance="normwise"`` for the conv family: an FFT convolution passes, bugs do not.

The FFT convolution is written here from ``scipy.signal.fftconvolve`` (independent of
convmath.numeric): its rounding error is bounded in norm, not per element, so it fails
the default elementwise bound on large-dynamic-range outputs but passes the normwise one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.signal

from convmath import ConvCheckFailure, InvalidArgument
from convmath.testing import check_conv


def _axes(v: Any, nd: int) -> list[int]:
    return [int(v)] * nd if isinstance(v, int) else [int(a) for a in v]


def fft_conv(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, stride: Any = 1,
             padding: Any = 0, dilation: Any = 1, groups: int = 1,
             work: type = np.float64) -> np.ndarray:
    """PyTorch-convention conv computed with FFTs (kernel dilated, flipped, 'valid')."""
    dtype = np.asarray(x).dtype
    x = np.asarray(x, dtype=work)
    w = np.asarray(w, dtype=work)
    nd = w.ndim - 2
    ks, s, d = list(w.shape[2:]), _axes(stride, nd), _axes(dilation, nd)
    if padding == "valid":
        pads = [(0, 0)] * nd
    elif padding == "same":
        pads = [(dd * (k - 1) // 2, dd * (k - 1) - dd * (k - 1) // 2)
                for k, dd in zip(ks, d, strict=True)]
    else:
        pads = [(p, p) for p in _axes(padding, nd)]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    spans = [dd * (k - 1) + 1 for k, dd in zip(ks, d, strict=True)]
    wd = np.zeros((*w.shape[:2], *spans), dtype=work)
    wd[(slice(None), slice(None), *[slice(None, None, dd) for dd in d])] = w
    wd = np.flip(wd, tuple(range(2, 2 + nd)))
    cin_g, cout_g = w.shape[1], w.shape[0] // groups
    axes = tuple(range(3, 3 + nd))
    parts = []
    for g in range(groups):
        a = xp[:, None, g * cin_g:(g + 1) * cin_g]
        b = wd[None, g * cout_g:(g + 1) * cout_g]
        parts.append(scipy.signal.fftconvolve(a, b, mode="valid", axes=axes).sum(axis=2))
    y = np.concatenate(parts, axis=1)
    y = y[(slice(None), slice(None), *[slice(None, None, ss) for ss in s])]
    if bias is not None:
        y = y + np.asarray(bias, dtype=work).reshape((-1,) + (1,) * nd)
    return y.astype(dtype)


@pytest.mark.parametrize("ndim", [1, 2])
def test_fft_conv_passes_normwise(ndim: int) -> None:
    report = check_conv(fft_conv, ndim=ndim, tolerance="normwise", max_examples=120, seed=3)
    assert report.examples == 120


def test_fft_conv_float32_passes_normwise() -> None:
    def fft32(x: np.ndarray, w: np.ndarray, bias: Any = None, **kw: Any) -> np.ndarray:
        return fft_conv(x, w, bias, work=np.float32, **kw)

    report = check_conv(fft32, dtypes=("float32",), tolerance="normwise", max_examples=80,
                        seed=4)
    assert report.examples == 80


def test_fft_conv_fails_elementwise() -> None:
    """Why the option exists: the elementwise bound rejects a correct FFT conv."""
    with pytest.raises(ConvCheckFailure):
        check_conv(fft_conv, dtypes=("float64",), tolerance="elementwise", max_examples=300,
                   seed=0)


def test_normwise_still_catches_a_flipped_kernel() -> None:
    def flipped(x: np.ndarray, w: np.ndarray, bias: Any = None, **kw: Any) -> np.ndarray:
        return fft_conv(x, np.flip(w, (2, 3)).copy(), bias, **kw)

    with pytest.raises(ConvCheckFailure, match="normwise error"):
        check_conv(flipped, tolerance="normwise", max_examples=100, seed=0)


def test_normwise_catches_float32_work_in_a_float64_fft() -> None:
    def fft_low(x: np.ndarray, w: np.ndarray, bias: Any = None, **kw: Any) -> np.ndarray:
        return fft_conv(x, w, bias, work=np.float32, **kw)

    with pytest.raises(ConvCheckFailure, match="normwise error"):
        check_conv(fft_low, dtypes=("float64",), tolerance="normwise", max_examples=100,
                   seed=0)


def test_tolerance_is_validated() -> None:
    with pytest.raises(InvalidArgument, match="tolerance"):
        check_conv(fft_conv, tolerance="loose")
