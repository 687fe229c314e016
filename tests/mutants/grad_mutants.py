"""Plausible buggy transposed convolutions and convolution gradients (real bug classes).

The correct part delegates to ``convmath.numeric``; each mutant injects one bug seen in a
real library: output_padding on the wrong side or ignored, transposed padding treated as
input padding, a missing kernel flip (jax.lax.conv_transpose semantics), dilation ignored,
group interleave, input gradient wrong when (i + 2p − d(k−1) − 1) mod s ≠ 0, stride and
dilation swapped in the weight gradient, batch not summed.
"""

# ruff: noqa: B905
from __future__ import annotations

from typing import Any

import numpy as np


def _axes(v: Any, nd: int) -> list[int]:
    if isinstance(v, (int, np.integer)):
        return [int(v)] * nd
    v = [int(a) for a in v]
    return v * nd if len(v) == 1 else v


def _ct(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):  # type: ignore[no-untyped-def]
    import convmath.numeric as num

    return np.asarray(num.conv_transpose(np.ascontiguousarray(x), np.ascontiguousarray(w), bias,
                                         stride, padding, output_padding, groups, dilation))


def _full(x, w, stride, dilation, groups):  # type: ignore[no-untyped-def]
    nd = np.ndim(w) - 2
    return _ct(x, w, None, stride, 0, 0, groups, dilation), nd


def _add_bias(y, bias):  # type: ignore[no-untyped-def]
    if bias is None:
        return y
    return y + np.asarray(bias).reshape((-1,) + (1,) * (y.ndim - 2))


def _crop(full, starts, sizes):  # type: ignore[no-untyped-def]
    ext = max(sizes) + max(abs(s) for s in starts) + 4
    nd = len(starts)
    fp = np.pad(full, [(0, 0), (0, 0)] + [(ext, ext)] * nd)
    return fp[tuple([slice(None), slice(None)] + [slice(ext + a, ext + a + n)
                                                  for a, n in zip(starts, sizes)])]


def ct_output_padding_before(x, w, bias=None, stride=1, padding=0, output_padding=0,  # type: ignore[no-untyped-def]
                             groups=1, dilation=1):
    """output_padding added at the start of each axis instead of the end."""
    y = _ct(x, w, bias, stride, padding, output_padding, groups, dilation)
    full, nd = _full(x, w, stride, dilation, groups)
    p, op = _axes(padding, nd), _axes(output_padding, nd)
    return _add_bias(_crop(full, [a - b for a, b in zip(p, op)], list(y.shape[2:])), bias)


def ct_output_padding_zeros(x, w, bias=None, stride=1, padding=0, output_padding=0,  # type: ignore[no-untyped-def]
                            groups=1, dilation=1):
    """output_padding appends zero rows instead of extending the computed output."""
    y = _ct(x, w, bias, stride, padding, 0, groups, dilation)
    nd = y.ndim - 2
    return np.pad(y, [(0, 0), (0, 0)] + [(0, o) for o in _axes(output_padding, nd)])


def ct_padding_as_input_padding(x, w, bias=None, stride=1, padding=0, output_padding=0,  # type: ignore[no-untyped-def]
                                groups=1, dilation=1):
    """padding applied to the input like a forward conv, instead of cropping the output."""
    nd = np.ndim(w) - 2
    p = _axes(padding, nd)
    xp = np.pad(np.asarray(x), [(0, 0), (0, 0)] + [(a, a) for a in p])
    return _ct(xp, w, bias, stride, 0, output_padding, groups, dilation)


def ct_no_flip(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):  # type: ignore[no-untyped-def]
    """Kernel not flipped (jax.lax.conv_transpose with transpose_kernel=False)."""
    nd = np.ndim(w) - 2
    return _ct(x, np.flip(w, tuple(range(2, 2 + nd))), bias, stride, padding, output_padding,
               groups, dilation)


def ct_dilation_ignored(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # type: ignore[no-untyped-def]
                        dilation=1):
    """Dilated transposed convolution computed without dilation (shape still right)."""
    nd = np.ndim(w) - 2
    y = _ct(x, w, bias, stride, padding, output_padding, groups, dilation)
    s, op = _axes(stride, nd), _axes(output_padding, nd)
    z = _ct(x, w, bias, stride, padding, [min(o, a - 1) for o, a in zip(op, s)], groups, 1)
    out = np.zeros_like(y)
    sl = tuple([slice(None), slice(None)] + [slice(0, min(a, b)) for a, b in
                                             zip(y.shape[2:], z.shape[2:])])
    out[sl] = z[sl]
    return out


def ct_groups_interleaved(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # type: ignore[no-untyped-def]
                          dilation=1):
    y = _ct(x, w, bias, stride, padding, output_padding, groups, dilation)
    n, c = y.shape[:2]
    return y.reshape(n, groups, c // groups, *y.shape[2:]).swapaxes(1, 2).reshape(y.shape)


def _ig(size, w, gy, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    import convmath.numeric as num

    return np.asarray(num.conv_input_grad(tuple(size), np.ascontiguousarray(w),
                                          np.ascontiguousarray(gy), stride, padding, dilation,
                                          groups))


def ig_leftover_dropped(input_size, weight, grad_output, stride=1, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                        groups=1):
    """conv_transpose without output_padding, zero-filled up to input_size."""
    nd = np.ndim(weight) - 2
    y = _ct(grad_output, weight, None, stride, padding, 0, groups, dilation)
    out = np.zeros(tuple(input_size))
    sl = tuple([slice(None), slice(None)] + [slice(0, min(a, b)) for a, b in
                                             zip(out.shape[2:], y.shape[2:])])
    out[sl] = y[sl]
    del nd
    return out


def ig_flipped(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    nd = np.ndim(weight) - 2
    return _ig(input_size, np.flip(weight, tuple(range(2, 2 + nd))), grad_output, stride,
               padding, dilation, groups)


def ig_stride_dilation_swapped(input_size, weight, grad_output, stride=1, padding=0,  # type: ignore[no-untyped-def]
                               dilation=1, groups=1):
    return _ig(input_size, weight, grad_output, dilation, padding, stride, groups)


def ig_dilation_on_axis1_ignored(input_size, weight, grad_output, stride=1, padding=0,  # type: ignore[no-untyped-def]
                                 dilation=1, groups=1):
    nd = np.ndim(weight) - 2
    d = _axes(dilation, nd)
    d[-1] = 1
    return _ig(input_size, weight, grad_output, stride, padding, d, groups)


def _wg(x, size, gy, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    import convmath.numeric as num

    return np.asarray(num.conv_weight_grad(np.ascontiguousarray(x), tuple(size),
                                           np.ascontiguousarray(gy), stride, padding, dilation,
                                           groups))


def wg_stride_dilation_swapped(input, weight_size, grad_output, stride=1, padding=0,  # type: ignore[no-untyped-def]
                               dilation=1, groups=1):
    return _wg(input, weight_size, grad_output, dilation, padding, stride, groups)


def wg_batch_not_summed(input, weight_size, grad_output, stride=1, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                        groups=1):
    return _wg(np.asarray(input)[:1], weight_size, np.asarray(grad_output)[:1], stride,
               padding, dilation, groups)


def wg_flipped(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    y = _wg(input, weight_size, grad_output, stride, padding, dilation, groups)
    return np.flip(y, tuple(range(2, y.ndim)))


def wg_groups_interleaved(input, weight_size, grad_output, stride=1, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                          groups=1):
    y = _wg(input, weight_size, grad_output, stride, padding, dilation, groups)
    return y.reshape(groups, y.shape[0] // groups, *y.shape[1:]).swapaxes(0, 1).reshape(y.shape)


TRANSPOSE = {
    "ct_output_padding_before": (ct_output_padding_before, "output_padding on the wrong side"),
    "ct_output_padding_zeros": (ct_output_padding_zeros, "output_padding as zeros"),
    "ct_padding_as_input_padding": (ct_padding_as_input_padding,
                                    "transposed padding treated as input padding"),
    "ct_no_flip": (ct_no_flip, "kernel not flipped"),
    "ct_dilation_ignored": (ct_dilation_ignored, None),
    "ct_groups_interleaved": (ct_groups_interleaved, "interleave"),
}
INPUT_GRAD = {
    "ig_leftover_dropped": (ig_leftover_dropped, "leftover rows dropped"),
    "ig_flipped": (ig_flipped, "flipped kernel"),
    "ig_stride_dilation_swapped": (ig_stride_dilation_swapped, "stride and dilation swapped"),
    "ig_dilation_on_axis1_ignored": (ig_dilation_on_axis1_ignored, None),
}
WEIGHT_GRAD = {
    "wg_stride_dilation_swapped": (wg_stride_dilation_swapped, "stride and dilation swapped"),
    "wg_batch_not_summed": (wg_batch_not_summed, "batch not summed"),
    "wg_flipped": (wg_flipped, "flipped kernel"),
    "wg_groups_interleaved": (wg_groups_interleaved, "interleave"),
}
