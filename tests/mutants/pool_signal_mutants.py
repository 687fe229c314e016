"""Plausible buggy pooling and signal functions (real bug classes, docs/reference.md).

Pooling mutants are written from scratch with NumPy windows (so they can keep windows the
reference drops); signal mutants wrap scipy.signal (method='direct') and inject the bug.
"""

# ruff: noqa: B905
from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.signal


def _axes(v: Any, nd: int) -> list[int]:
    if isinstance(v, (int, np.integer)):
        return [int(v)] * nd
    v = [int(a) for a in v]
    return v * nd if len(v) == 1 else v


def _windows(x, k, s, p, d, ceil_mode, keep_pad_windows=False):  # type: ignore[no-untyped-def]
    """Per-axis tap indices and masks of every window (written independently)."""
    x = np.asarray(x, dtype=np.float64)
    nd = x.ndim - 2
    idx, inb, inpad = [], [], []
    for a in range(nd):
        n = x.shape[2 + a]
        span = n + 2 * p[a] - d[a] * (k[a] - 1) - 1
        o = (span + (s[a] - 1 if ceil_mode else 0)) // s[a] + 1
        if ceil_mode and not keep_pad_windows and (o - 1) * s[a] >= n + p[a]:
            o -= 1
        t = np.arange(o)[:, None] * s[a] - p[a] + d[a] * np.arange(k[a])[None, :]
        shape = [1] * (2 * nd)
        shape[a], shape[nd + a] = o, k[a]
        idx.append(t.reshape(shape))
        inb.append(((t >= 0) & (t < n)).reshape(shape))
        inpad.append(((t >= -p[a]) & (t < n + p[a])).reshape(shape))
    m_in = np.logical_and.reduce(np.broadcast_arrays(*inb))
    m_pad = np.logical_and.reduce(np.broadcast_arrays(*inpad))
    clipped = [np.clip(t, 0, x.shape[2 + a] - 1) for a, t in enumerate(idx)]
    vals = x[tuple([slice(None), slice(None), *clipped])]
    return vals, m_in, m_pad, tuple(range(2 + nd, 2 + 2 * nd))


def _maxpool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # type: ignore[no-untyped-def]
             pad_value=-np.inf, keep=False):
    nd = np.ndim(x) - 2
    k = _axes(kernel_size, nd)
    s = k if stride is None else _axes(stride, nd)
    vals, m_in, _, ka = _windows(x, k, s, _axes(padding, nd), _axes(dilation, nd), ceil_mode,
                                 keep)
    return np.where(m_in, vals, pad_value).max(axis=ka)


def maxpool_ceil_keeps_padding_window(x, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                                      ceil_mode=False):
    """ceil_mode keeps a last window that starts in the right padding."""
    return _maxpool(x, kernel_size, stride, padding, dilation, ceil_mode, keep=True)


def maxpool_zero_padding(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
    """Pads with zeros instead of −∞."""
    return _maxpool(x, kernel_size, stride, padding, dilation, ceil_mode, pad_value=0.0)


def maxpool_dilation_ignored(x, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                             ceil_mode=False):
    return _maxpool(x, kernel_size, stride, padding, 1, ceil_mode)


def maxpool_ceil_ignored(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
    return _maxpool(x, kernel_size, stride, padding, dilation, False)


def maxpool_stride_none_is_one(x, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                               ceil_mode=False):
    return _maxpool(x, kernel_size, 1 if stride is None else stride, padding, dilation,
                    ceil_mode)


def _avgpool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # type: ignore[no-untyped-def]
             divisor_override=None, divisor="torch", keep=False):
    nd = np.ndim(x) - 2
    k = _axes(kernel_size, nd)
    s = k if stride is None else _axes(stride, nd)
    vals, m_in, m_pad, ka = _windows(x, k, s, _axes(padding, nd), [1] * nd, ceil_mode, keep)
    total = np.where(m_in, vals, 0).sum(axis=ka)
    kk = tuple(range(nd, 2 * nd))
    if divisor_override is not None:
        return total / divisor_override
    if divisor == "full":
        cnt = math.prod(k)
    elif divisor == "flip":
        cnt = (m_in if count_include_pad else m_pad).sum(axis=kk)
    else:
        cnt = (m_pad if count_include_pad else m_in).sum(axis=kk)
    return total / cnt


def avgpool_divisor_counts_overhang(x, kernel_size, stride=None, padding=0, ceil_mode=False,  # type: ignore[no-untyped-def]
                                    count_include_pad=True, divisor_override=None):
    """Divisor prod(kernel_size) even where the ceil_mode window overhangs the padding."""
    if count_include_pad and divisor_override is None:
        return _avgpool(x, kernel_size, stride, padding, ceil_mode, True, None, "full")
    return _avgpool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)


def avgpool_include_pad_inverted(x, kernel_size, stride=None, padding=0, ceil_mode=False,  # type: ignore[no-untyped-def]
                                 count_include_pad=True, divisor_override=None):
    return _avgpool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, "flip")


def avgpool_override_ignored(x, kernel_size, stride=None, padding=0, ceil_mode=False,  # type: ignore[no-untyped-def]
                             count_include_pad=True, divisor_override=None):
    return _avgpool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avgpool_ceil_keeps_padding_window(x, kernel_size, stride=None, padding=0, ceil_mode=False,  # type: ignore[no-untyped-def]
                                      count_include_pad=True, divisor_override=None):
    return _avgpool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, keep=True)


def _direct(op):  # type: ignore[no-untyped-def]
    return getattr(scipy.signal, op)


def correlate_reversed(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    """np.correlate-style argument order: the output comes out reversed."""
    return np.flip(scipy.signal.correlate(in1, in2, mode, method="direct"))


def correlate_no_conj(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    """Forgets to conjugate in2 for complex input."""
    return scipy.signal.correlate(in1, np.conj(in2), mode, method="direct")


def correlate_is_convolve(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    return scipy.signal.convolve(in1, in2, mode, method="direct")


def convolve_same_matlab(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    """'same' centred as MATLAB conv(…, 'same'): start at ⌊n/2⌋ inside 'full'."""
    if mode != "same":
        return scipy.signal.convolve(in1, in2, mode, method="direct")
    full = scipy.signal.convolve(in1, in2, "full", method="direct")
    sl = tuple(slice(n // 2, n // 2 + m) for m, n in zip(np.shape(in1), np.shape(in2)))
    return full[sl]


def convolve_fft_loses_small(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    """An FFT path in float32 internally (loses small outputs)."""
    a = np.asarray(in1)
    out = scipy.signal.fftconvolve(a.astype(np.complex64 if np.iscomplexobj(a) else np.float32),
                                   np.asarray(in2).astype(np.complex64 if np.iscomplexobj(in2)
                                                          else np.float32), mode)
    return out.astype(np.result_type(a, in2))


def convolve_valid_matlab(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    """'valid' with a longer second input returns an empty array (MATLAB)."""
    if mode == "valid" and any(m < n for m, n in zip(np.shape(in1), np.shape(in2))):
        return np.zeros([0] * np.ndim(in1))
    return scipy.signal.convolve(in1, in2, mode, method="direct")


def convolve_conj(in1, in2, mode="full"):  # type: ignore[no-untyped-def]
    return scipy.signal.convolve(in1, np.conj(in2), mode, method="direct")


MAX_POOL = {
    "maxpool_ceil_keeps_padding_window": (maxpool_ceil_keeps_padding_window,
                                          "ceil_mode keeping all-padding windows"),
    "maxpool_zero_padding": (maxpool_zero_padding, "zero padding"),
    "maxpool_dilation_ignored": (maxpool_dilation_ignored, "dilation ignored"),
    "maxpool_ceil_ignored": (maxpool_ceil_ignored, "floor vs ceil"),
    "maxpool_stride_none_is_one": (maxpool_stride_none_is_one, "stride=None taken as 1"),
}
AVG_POOL = {
    "avgpool_divisor_counts_overhang": (avgpool_divisor_counts_overhang, "overhang"),
    "avgpool_include_pad_inverted": (avgpool_include_pad_inverted, "avg divisor"),
    "avgpool_override_ignored": (avgpool_override_ignored, "divisor_override ignored"),
    "avgpool_ceil_keeps_padding_window": (avgpool_ceil_keeps_padding_window, None),
}
CORRELATE = {
    "correlate_reversed": (correlate_reversed, "output reversed"),
    "correlate_no_conj": (correlate_no_conj, "conjugation"),
    "correlate_is_convolve": (correlate_is_convolve, "flipped kernel"),
}
CONVOLVE = {
    "convolve_same_matlab": (convolve_same_matlab, "'same' offset by one"),
    "convolve_fft_loses_small": (convolve_fft_loses_small, None),
    "convolve_valid_matlab": (convolve_valid_matlab, "'valid' with a longer second input"),
    "convolve_conj": (convolve_conj, "conjugation"),
}


def _scatter(shape, flat, w, accumulate=True):  # type: ignore[no-untyped-def]
    n, c = shape[:2]
    out = np.zeros((n * c, math.prod(shape[2:])))
    w2 = w.reshape(n * c, -1)
    idx = np.broadcast_to(flat, w.shape).reshape(n * c, -1)
    rows = np.repeat(np.arange(n * c), w2.shape[1]).reshape(w2.shape)
    if accumulate:
        np.add.at(out, (rows, idx), w2)
    else:
        out[rows, idx] = w2
    return out.reshape(shape)


def _flat_windows(x, k, s, p, d, ceil_mode):  # type: ignore[no-untyped-def]
    vals, m_in, m_pad, _ = _windows(x, k, s, p, d, ceil_mode)
    nd = len(k)
    sizes = np.shape(x)[2:]
    flat = 0
    mult = 1
    for a in reversed(range(nd)):
        t = (np.arange(vals.shape[2 + a])[:, None] * s[a] - p[a]
             + d[a] * np.arange(k[a])[None, :])
        shape = [1] * (2 * nd)
        shape[a], shape[nd + a] = t.shape
        flat = flat + np.clip(t, 0, sizes[a] - 1).reshape(shape) * mult
        mult *= sizes[a]
    return vals, m_in, m_pad, np.broadcast_to(flat, vals.shape[2:])


def _maxpool_grad(x, grad_output, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                  ceil_mode=False, last=False, accumulate=True):
    nd = np.ndim(x) - 2
    k = _axes(kernel_size, nd)
    s = k if stride is None else _axes(stride, nd)
    vals, m_in, _, flat = _flat_windows(x, k, s, _axes(padding, nd), _axes(dilation, nd),
                                        ceil_mode)
    v = np.where(m_in, vals, -np.inf).reshape(*vals.shape[: 2 + nd], -1)
    arg = (v.shape[-1] - 1 - np.argmax(v[..., ::-1], -1)) if last else np.argmax(v, -1)
    fl = flat.reshape(*flat.shape[:nd], -1)
    idx = np.take_along_axis(np.broadcast_to(fl, v.shape), arg[..., None], -1)[..., 0]
    return _scatter(np.shape(x), idx, np.asarray(grad_output, dtype=np.float64), accumulate)


def maxpool_grad_last_max(x, grad_output, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                          ceil_mode=False):
    """Ties send the gradient to the last maximum (a `>=` instead of `>`)."""
    return _maxpool_grad(x, grad_output, kernel_size, stride, padding, dilation, ceil_mode,
                         last=True)


def maxpool_grad_no_accumulate(x, grad_output, kernel_size, stride=None, padding=0,  # type: ignore[no-untyped-def]
                               dilation=1, ceil_mode=False):
    """Overlapping windows overwrite instead of adding."""
    return _maxpool_grad(x, grad_output, kernel_size, stride, padding, dilation, ceil_mode,
                         accumulate=False)


def _avgpool_grad(input_size, grad_output, kernel_size, stride=None, padding=0,  # type: ignore[no-untyped-def]
                  ceil_mode=False, count_include_pad=True, divisor_override=None,
                  divisor="torch", accumulate=True):
    x = np.zeros(tuple(input_size))
    nd = x.ndim - 2
    k = _axes(kernel_size, nd)
    s = k if stride is None else _axes(stride, nd)
    _, m_in, m_pad, flat = _flat_windows(x, k, s, _axes(padding, nd), [1] * nd, ceil_mode)
    kk = tuple(range(nd, 2 * nd))
    if divisor_override is not None:
        cnt = divisor_override
    elif divisor == "full":
        cnt = math.prod(k)
    else:
        cnt = (m_pad if count_include_pad else m_in).sum(axis=kk)
    share = np.asarray(grad_output, dtype=np.float64) / cnt
    w = share.reshape(share.shape + (1,) * nd) * m_in
    return _scatter(x.shape, flat, w, accumulate)


def avgpool_grad_overhang(input_size, grad_output, kernel_size, stride=None, padding=0,  # type: ignore[no-untyped-def]
                          ceil_mode=False, count_include_pad=True, divisor_override=None):
    div = "full" if count_include_pad else "torch"
    return _avgpool_grad(input_size, grad_output, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override, div)


def avgpool_grad_no_accumulate(input_size, grad_output, kernel_size, stride=None, padding=0,  # type: ignore[no-untyped-def]
                               ceil_mode=False, count_include_pad=True, divisor_override=None):
    return _avgpool_grad(input_size, grad_output, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override, accumulate=False)


MAX_POOL_GRAD = {
    "maxpool_grad_last_max": (maxpool_grad_last_max, "last maximum"),
    "maxpool_grad_no_accumulate": (maxpool_grad_no_accumulate, "not accumulated"),
}
AVG_POOL_GRAD = {
    "avgpool_grad_overhang": (avgpool_grad_overhang, "overhang"),
    "avgpool_grad_no_accumulate": (avgpool_grad_no_accumulate, "not accumulated"),
}
