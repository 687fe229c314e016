"""check_conv mutants (red team). Each is correct except in one corner."""
from __future__ import annotations

import numpy as np
from heldout_common import ax, np_conv, resolve_pads, tconv


def _geo(x, w, stride, padding, dilation):
    nd = np.ndim(w) - 2
    ks = list(np.shape(w)[2:])
    d = ax(dilation, nd)
    return nd, ks, ax(stride, nd), d, resolve_pads(padding, ks, d)


def correct_im2col(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    return np_conv(x, w, bias, s, pads, d, groups)


# 1. numpy shift-and-add conv; 'same' splits the odd total padding with the extra in front
def same_ceil_before(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if padding == "same":
        pads = [(-(-(dd * (k - 1)) // 2), dd * (k - 1) // 2) for k, dd in zip(ks, d, strict=False)]
    return np_conv(x, w, bias, s, pads, d, groups)


# 2. right-border off-by-one for stride 3: last output column misses its last input column
def stride3_right_border(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    y = tconv(x, w, bias, s, pads, d, groups)
    for a in range(nd):
        if s[a] == 3:
            x2 = np.array(x, copy=True)
            idx = [slice(None)] * x2.ndim
            idx[2 + a] = -1
            x2[tuple(idx)] = 0
            y2 = tconv(x2, w, bias, s, pads, d, groups)
            sel = [slice(None)] * y.ndim
            sel[2 + a] = -1
            y[tuple(sel)] = y2[tuple(sel)]
    return y


# 3. float64 requested, but a "large reduction" path (K > 256) accumulates in float32
def f32_when_K_gt_256(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    K = np.shape(w)[1] * int(np.prod(ks))
    dt = np.float32 if K > 256 else None
    return tconv(x, w, bias, s, pads, d, groups, dtype=dt)


# 4. channel loop vectorised by 16: tail channels dropped when C_in > 16, C_in % 16 != 0
def drop_tail_channels_16(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    w = np.array(w, copy=True)
    cin = w.shape[1]
    if cin > 16 and cin % 16:
        w[:, (cin // 16) * 16:] = 0
    return tconv(x, w, bias, s, pads, d, groups)


# 5. blocked path for C_in % 32 == 0 adds the bias once per 32-channel block
def bias_per_block_c32(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    cin = np.shape(x)[1]
    if bias is not None and cin % 32 == 0:
        return tconv(x, w, np.asarray(bias) * (cin // 32), s, pads, d, groups)
    return tconv(x, w, bias, s, pads, d, groups)


# 6. N == 1 "channels-last" path transposes a square kernel's spatial axes
def n1_path_kernel_transposed(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    w = np.asarray(w)
    if np.shape(x)[0] == 1 and nd == 2 and ks[0] == ks[1]:
        w = np.swapaxes(w, 2, 3)
    return tconv(x, w, bias, s, pads, d, groups)


# 7. C_in == C_out == 1 fast path uses scipy.signal.convolve (true convolution) per batch
def single_channel_scipy(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    import scipy.signal
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    x = np.asarray(x)
    w = np.asarray(w)
    if x.shape[1] == 1 and w.shape[0] == 1 and all(v == 1 for v in s + d):
        xp = np.pad(x, [(0, 0), (0, 0), *pads])
        y = np.stack([scipy.signal.convolve(xp[i, 0], w[0, 0], mode="valid", method="direct")
                      for i in range(x.shape[0])])[:, None]
        if bias is not None:
            y = y + np.asarray(bias)[0]
        return y.astype(x.dtype)
    return tconv(x, w, bias, s, pads, d, groups)


# 8. group loop picks weight block (g % 2): wrong for groups >= 3
def group_weight_mod2(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    x = np.asarray(x)
    w = np.asarray(w)
    if groups <= 2:
        return tconv(x, w, bias, s, pads, d, groups)
    cg = x.shape[1] // groups
    og = w.shape[0] // groups
    ys = []
    for g in range(groups):
        gw = g % 2
        ys.append(tconv(x[:, g * cg:(g + 1) * cg], w[gw * og:(gw + 1) * og], None, s, pads, d))
    y = np.concatenate(ys, axis=1)
    if bias is not None:
        y = y + np.asarray(bias).reshape((-1,) + (1,) * nd)
    return y.astype(x.dtype)


# 9. group loop passes bias[:C_out/groups] to every group
def group_bias_first_slice(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    x = np.asarray(x)
    w = np.asarray(w)
    cg = x.shape[1] // groups
    og = w.shape[0] // groups
    ys = []
    for g in range(groups):
        b = None if bias is None else np.asarray(bias)[:og]
        ys.append(tconv(x[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og], b, s, pads, d))
    return np.concatenate(ys, axis=1)


# 10. a stride-1 fast path ignores dilation on spatial axis 0
def dil_axis0_ignored_stride1(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if s[0] == 1 and nd >= 2:
        d = [1, *d[1:]]
        if padding == "same":
            pads = resolve_pads("same", ks, d)
        # keep the output shape: pad the right to compensate (a "fast path" that reuses shapes)
        y = tconv(x, w, bias, s, pads, d, groups)
        want = tconv(x, w, bias, s, _geo(x, w, stride, padding, dilation)[4],
                     ax(dilation, nd), groups)
        if y.shape != want.shape:
            y = y[:, :, :want.shape[2]]
            if y.shape != want.shape:
                return want
        return y
    return tconv(x, w, bias, s, pads, d, groups)


# 11. padding tuple: only padding[0] used for every axis
def padding_first_only(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if not isinstance(padding, (str, int)):
        pads = [pads[0]] * nd
    return tconv(x, w, bias, s, pads, d, groups)


# 13. 'same' ignores dilation when computing the padding (then crops to the input size)
def same_ignores_dilation(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if padding == "same" and any(v > 1 for v in d):
        # pad as if d = 1, but pad enough at the end that the output is long enough
        p2 = []
        for k, dd, _n in zip(ks, d, np.shape(x)[2:], strict=False):
            tot = k - 1
            b = tot // 2
            a = dd * (k - 1) - b
            p2.append((b, a))
        y = tconv(x, w, bias, s, p2, d, groups)
        return y[(slice(None), slice(None), *tuple(slice(0, n) for n in np.shape(x)[2:]))]
    return tconv(x, w, bias, s, pads, d, groups)


# 14. bias added with the wrong broadcast when the last spatial size equals C_out
def bias_broadcast_last_axis(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    y = tconv(x, w, None, s, pads, d, groups)
    if bias is None:
        return y
    b = np.asarray(bias)
    if y.shape[-1] == b.shape[0] and y.shape[-1] > 1:
        return (y + b).astype(y.dtype)        # broadcasts along W, not C
    return (y + b.reshape((-1,) + (1,) * nd)).astype(y.dtype)


# 15. 1-D loop conv: with stride > 1, the right padding is dropped (only left applied)
def conv1d_right_pad_dropped_stride(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    want = tconv(x, w, bias, s, pads, d, groups)
    if s[0] > 1:
        y = tconv(x, w, bias, s, [(pads[0][0], 0)], d, groups)
        out = np.zeros_like(want)
        m = min(out.shape[-1], y.shape[-1])
        out[..., :m] = y[..., :m]
        if bias is not None and m < out.shape[-1]:
            out[..., m:] = np.asarray(bias)[:, None]
        return out
    return want


# 16. 3-D: per-axis stride read in reverse order (D/W swapped)
def conv3d_stride_reversed(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    want_shape = tconv(x, w, bias, s, pads, d, groups).shape
    y = tconv(x, w, bias, s[::-1], pads, d, groups)
    if y.shape != want_shape:  # shapes differ: a real implementation would have crashed
        out = np.zeros(want_shape, y.dtype)
        sl = tuple(slice(0, min(a, b)) for a, b in zip(want_shape, y.shape, strict=False))
        out[sl] = y[sl]
        return out
    return y


# 17. float32 implementation that does its own rounding of the input to float16 when
#     the input is integer valued ("quantised fast path")
def int_valued_half_path(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    x = np.asarray(x)
    if np.all(x == np.round(x)) and np.asarray(w).shape[1] * int(np.prod(ks)) > 64:
        y = tconv(x.astype(np.float16).astype(np.float32), np.asarray(w, np.float32), bias,
                  s, pads, d, groups, dtype=np.float32)
        return y.astype(np.float16).astype(x.dtype)
    return tconv(x, w, bias, s, pads, d, groups)


CONV = {
    # name: (fn, kwargs for check_conv, expected diagnosis keyword or None)
    "same_ceil_before": (same_ceil_before, {}, "'same'"),
    "stride3_right_border": (stride3_right_border, {}, None),
    "f32_when_K_gt_256": (f32_when_K_gt_256, {}, "precision"),
    "drop_tail_channels_16": (drop_tail_channels_16, {}, None),
    "bias_per_block_c32": (bias_per_block_c32, {}, "bias"),
    "n1_path_kernel_transposed": (n1_path_kernel_transposed, {}, None),
    "single_channel_scipy": (single_channel_scipy, {}, "flipped"),
    "group_weight_mod2": (group_weight_mod2, {}, None),
    "group_bias_first_slice": (group_bias_first_slice, {}, None),
    "dil_axis0_ignored_stride1": (dil_axis0_ignored_stride1, {}, "dilation ignored"),
    "padding_first_only": (padding_first_only, {}, "padding"),
    "same_ignores_dilation": (same_ignores_dilation, {}, "same"),
    "bias_broadcast_last_axis": (bias_broadcast_last_axis, {}, None),
    "conv1d_right_pad_dropped_stride": (conv1d_right_pad_dropped_stride, {"ndim": 1}, "padding"),
    "conv3d_stride_reversed": (conv3d_stride_reversed, {"ndim": 3}, "swapped"),
    "int_valued_half_path": (int_valued_half_path, {}, "precision"),
}


# 18. "plain" fast path (stride 1, dilation 1 everywhere) forgets the bias
def plain_path_bias_ignored(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if all(v == 1 for v in s + d):
        bias = None
    return tconv(x, w, bias, s, pads, d, groups)


# 19. depthwise path (groups == C_in, one channel per group) ignores dilation
def depthwise_dilation_ignored(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    want = tconv(x, w, bias, s, pads, d, groups)
    if groups > 1 and groups == np.shape(x)[1]:
        y = tconv(x, w, bias, s, pads, [1] * nd, groups)
        sl = tuple(slice(0, n) for n in want.shape)
        fits = all(a >= b for a, b in zip(y.shape, want.shape, strict=False))
        return np.ascontiguousarray(y[sl]) if fits else want
    return want


# 20. float32-input path accumulates in float16 when the spatial input is large (>= 64)
def f16_accum_large_spatial(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    if max(np.shape(x)[2:]) >= 64:
        y = tconv(np.asarray(x, np.float16).astype(np.float32),
                  np.asarray(w, np.float16).astype(np.float32),
                  bias, s, pads, d, groups, dtype=np.float32)
        return y.astype(np.float16).astype(np.asarray(x).dtype)
    return tconv(x, w, bias, s, pads, d, groups)


CONV.update({
    "plain_path_bias_ignored": (plain_path_bias_ignored, {}, "bias"),
    "depthwise_dilation_ignored": (depthwise_dilation_ignored, {}, "dilation"),
    "f16_accum_large_spatial": (f16_accum_large_spatial, {}, "precision"),
})


# 21. C_in % 32 == 0 vectorised path skips the last input channel
def c32_skips_last_channel(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _nd, _ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    w = np.array(w, copy=True)
    if np.shape(x)[1] % 32 == 0:
        w[:, -1] = 0
    return tconv(x, w, bias, s, pads, d, groups)


def fft_conv_correct(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """A *correct* FFT-based conv (float64 FFT, result cast to the input dtype)."""
    import scipy.signal
    nd, ks, s, d, pads = _geo(x, w, stride, padding, dilation)
    x = np.asarray(x)
    w = np.asarray(w)
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0), *pads])
    # dilate the kernel, flip it (fftconvolve is a true convolution)
    kd = [dd * (k - 1) + 1 for k, dd in zip(ks, d, strict=False)]
    wd = np.zeros(w.shape[:2] + tuple(kd))
    wd[(slice(None), slice(None), *tuple(slice(None, None, dd) for dd in d))] = w
    wf = np.flip(wd, tuple(range(2, 2 + nd)))
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    outs = [(xp.shape[2 + a] - kd[a]) // s[a] + 1 for a in range(nd)]
    y = np.zeros((n, o, *outs))
    for b in range(n):
        for oc in range(o):
            g = oc // og
            acc = scipy.signal.fftconvolve(xp[b, g * cg:(g + 1) * cg], wf[oc], mode="valid",
                                           axes=tuple(range(1, 1 + nd)))
            acc = acc.sum(axis=0)
            y[b, oc] = acc[tuple(slice(0, (outs[a] - 1) * s[a] + 1, s[a]) for a in range(nd))]
    if bias is not None:
        y += np.asarray(bias).reshape((-1,) + (1,) * nd)
    return y.astype(x.dtype)


CONV["c32_skips_last_channel"] = (c32_skips_last_channel, {}, None)
