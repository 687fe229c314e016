"""check_conv_transpose / check_conv_input_grad / check_conv_weight_grad mutants (red team)."""
from __future__ import annotations

import numpy as np
from heldout_common import ax, tconv, tconv_transpose, tinput_grad, tweight_grad


# ---------------------------------------------------------------- conv_transpose
def _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation, *,
                bad_group_reshape=False, flip_axes=None, op_ignored_if_dil=False,
                crop_right_extra=False):
    """Transposed conv from scratch: zero insertion + full padding + forward conv."""
    x = np.asarray(x)
    w = np.asarray(w)
    nd = w.ndim - 2
    s, p, op, d = ax(stride, nd), ax(padding, nd, 0), ax(output_padding, nd, 0), ax(dilation, nd)
    if op_ignored_if_dil and any(v > 1 for v in d):
        op = [0] * nd
    ks = w.shape[2:]
    n, cin = x.shape[:2]
    cig = cin // groups
    cog = w.shape[1]
    # zero insertion
    up_shape = [(i - 1) * st + 1 for i, st in zip(x.shape[2:], s, strict=False)]
    up = np.zeros((n, cin, *up_shape), x.dtype)
    up[(slice(None), slice(None), *tuple(slice(None, None, st) for st in s))] = x
    # weight (C_in, C_out/g, k) -> (C_out, C_in/g, k), flipped
    if bad_group_reshape and groups > 1:
        wf = w.reshape(groups * cog, cig, *ks)
    else:
        wf = w.reshape(groups, cig, cog, *ks).swapaxes(1, 2).reshape(groups * cog, cig, *ks)
    fa = tuple(range(2, 2 + nd)) if flip_axes is None else flip_axes
    wf = np.flip(wf, fa)
    full_pad = [(dd * (k - 1), dd * (k - 1) + o) for dd, k, o in zip(d, ks, op, strict=False)]
    y = tconv(up, wf, None, 1, full_pad, d, groups)
    sl = []
    for a in range(nd):
        L = y.shape[2 + a]
        end = L - p[a]
        start = p[a] + (1 if crop_right_extra and op[a] > 0 and s[a] > 2 else 0)
        sl.append(slice(start, end + (1 if start != p[a] else 0)))
    y = y[(slice(None), slice(None), *tuple(sl))]
    if bias is not None:
        y = y + np.asarray(bias).reshape((-1,) + (1,) * nd)
    return np.ascontiguousarray(y.astype(x.dtype))


def ct_correct_scratch(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                       dilation=1):
    return _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation)


def ct_group_reshape(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Group weight rearranged by reshape instead of transpose (wrong for C/g > 1 both)."""
    return _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation,
                       bad_group_reshape=True)


def ct_flip_last_axis_only(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                           dilation=1):
    """2-D path flips only the last spatial axis (np.fliplr-style)."""
    nd = np.ndim(w) - 2
    return _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation,
                       flip_axes=(1 + nd,))


def ct_op_ignored_with_dilation(x, w, bias=None, stride=1, padding=0, output_padding=0,
                                groups=1, dilation=1):
    """output_padding dropped when dilation > 1; output zero-padded back to shape."""
    y = _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation,
                    op_ignored_if_dil=True)
    want = tconv_transpose(x, w, bias, stride, padding, output_padding, groups, dilation).shape
    if y.shape != want:
        out = np.zeros(want, y.dtype)
        if bias is not None:
            out += np.asarray(bias).reshape((-1,) + (1,) * (len(want) - 2))
        out[tuple(slice(0, a) for a in y.shape)] = y
        return out
    return y


def ct_stride3_op_shift(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                        dilation=1):
    """With stride 3 and output_padding > 0, the crop window starts one late."""
    return _ct_scratch(x, w, bias, stride, padding, output_padding, groups, dilation,
                       crop_right_extra=True)


def ct_bias_first_group(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                        dilation=1):
    """Per-group loop adds bias[:C_out/g] to every group."""
    y = tconv_transpose(x, w, None, stride, padding, output_padding, groups, dilation)
    if bias is None:
        return y
    b = np.asarray(bias)
    og = b.shape[0] // groups
    b2 = np.tile(b[:og], groups)
    return (y + b2.reshape((-1,) + (1,) * (y.ndim - 2))).astype(y.dtype)


def ct_stride1_uses_dilation_as_stride(x, w, bias=None, stride=1, padding=0,
                                       output_padding=0, groups=1, dilation=1):
    """When all strides are 1, a fast path zero-inserts by dilation (s and d exchanged)."""
    nd = np.ndim(w) - 2
    s, d = ax(stride, nd), ax(dilation, nd)
    if all(v == 1 for v in s) and any(v > 1 for v in d):
        return tconv_transpose(x, w, bias, d, padding, output_padding, groups, s)
    return tconv_transpose(x, w, bias, stride, padding, output_padding, groups, dilation)


def ct_f32_internal(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                    dilation=1):
    """float64 computed in float32 when the output is large (> 4096 elements)."""
    y = tconv_transpose(x, w, bias, stride, padding, output_padding, groups, dilation)
    if y.size > 4096 and np.asarray(x).dtype == np.float64:
        y = tconv_transpose(np.asarray(x, np.float32), np.asarray(w, np.float32),
                            None if bias is None else np.asarray(bias, np.float32),
                            stride, padding, output_padding, groups, dilation).astype(np.float64)
    return y


# ---------------------------------------------------------------- conv_input_grad
def ig_op_ignores_dilation(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    """output_padding = (i + 2p - k) % s (dilation forgotten); result padded/cropped."""
    nd = np.ndim(w) - 2
    s, p, d = ax(stride, nd), ax(padding, nd, 0), ax(dilation, nd)
    ks = np.shape(w)[2:]
    op = [(i + 2 * pp - k) % st for i, pp, k, st in zip(size[2:], p, ks, s, strict=False)]
    op = [min(o, max(st, dd) - 1) for o, st, dd in zip(op, s, d, strict=False)]
    y = tconv_transpose(gy, w, None, s, p, op, groups, d)
    out = np.zeros(tuple(size), y.dtype)
    sl = tuple(slice(0, min(a, b)) for a, b in zip(size, y.shape, strict=False))
    out[sl] = y[sl]
    return out


def ig_groups_only_first(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    y = tinput_grad(size, w, gy, stride, padding, dilation, groups).copy()
    if groups > 1:
        y[:, size[1] // groups:] = 0
    return y


def ig_scatter_stride3_border(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    """Scatter-add loop whose bounds check drops the last input row when stride == 3."""
    y = tinput_grad(size, w, gy, stride, padding, dilation, groups).copy()
    nd = np.ndim(w) - 2
    s = ax(stride, nd)
    for a in range(nd):
        if s[a] == 3:
            idx = [slice(None)] * y.ndim
            idx[2 + a] = -1
            y[tuple(idx)] = 0
    return y


def ig_f32_large_K(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    """float64 grad accumulated in float32 when C_out/g * prod(k) > 256."""
    K = np.shape(w)[0] // groups * int(np.prod(np.shape(w)[2:]))
    if K > 256 and np.asarray(w).dtype == np.float64:
        return tinput_grad(size, np.asarray(w, np.float32), np.asarray(gy, np.float32),
                           stride, padding, dilation, groups).astype(np.float64)
    return tinput_grad(size, w, gy, stride, padding, dilation, groups)


def ig_padding_axis1_ignored_dil(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    """When dilation > 1 on axis 1, padding of axis 1 treated as 0, result re-aligned."""
    nd = np.ndim(w) - 2
    p, d = ax(padding, nd, 0), ax(dilation, nd)
    if nd >= 2 and d[1] > 1 and p[1] > 0:
        p2 = list(p)
        p2[1] = 0
        size2 = list(size)
        size2[3] = size[3] + 2 * p[1]
        y = tinput_grad(size2, w, gy, stride, p2, dilation, groups)
        return np.ascontiguousarray(y[..., : size[3]])  # forgot to shift by p
    return tinput_grad(size, w, gy, stride, padding, dilation, groups)


# ---------------------------------------------------------------- conv_weight_grad
def wg_mean_over_batch(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    return tweight_grad(x, size, gy, stride, padding, dilation, groups) / np.shape(x)[0]


def wg_groups_zero_after_first(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    y = tweight_grad(x, size, gy, stride, padding, dilation, groups).copy()
    if groups > 1:
        y[size[0] // groups:] = 0
    return y


def wg_dil_axis1_ignored(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    """Dilation on axis 1 ignored; x cropped on the right so the shapes still agree."""
    nd = np.ndim(x) - 2
    d = ax(dilation, nd)
    if nd >= 2 and d[1] > 1:
        d2 = [d[0], 1, *d[2:]]
        cut = (d[1] - 1) * (size[3] - 1)
        x = np.ascontiguousarray(np.asarray(x)[..., : np.shape(x)[3] - cut, :] if nd == 3
                                 else np.asarray(x)[:, :, :, : np.shape(x)[3] - cut])
        if x.shape[3] >= 1:
            try:
                return tweight_grad(x, size, gy, stride, padding, d2, groups)
            except RuntimeError:
                pass
    return tweight_grad(x, size, gy, stride, padding, dilation, groups)


def wg_right_pad_missing_stride(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    """With stride > 1 the input is padded on the left only (right pad forgotten)."""
    nd = np.ndim(x) - 2
    s, p, d = ax(stride, nd), ax(padding, nd, 0), ax(dilation, nd)
    if any(v > 1 for v in s) and any(p):
        x = np.asarray(x)
        xp = np.pad(x, [(0, 0), (0, 0)] + [(pp, 0) for pp in p])
        # reads beyond the right end come from a too-short buffer: emulate with zeros only
        # where the window fits, i.e. compute on the left-padded input + explicit zero pad
        ks = size[2:]
        need = [(o - 1) * st + dd * (k - 1) + 1 for o, st, dd, k in
                zip(np.shape(gy)[2:], s, d, ks, strict=False)]
        short = [max(0, nd_ - n) for nd_, n in zip(need, xp.shape[2:], strict=False)]
        xp = np.pad(xp, [(0, 0), (0, 0)] + [(0, sh) for sh in short])
        # bug: the rows [n+p_left, n+2p) are taken from *stale* buffer = the first rows of x
        for a in range(nd):
            n = x.shape[2 + a]
            if p[a] and xp.shape[2 + a] > n + p[a]:
                src = [slice(None)] * xp.ndim
                dst = [slice(None)] * xp.ndim
                m = xp.shape[2 + a] - (n + p[a])
                dst[2 + a] = slice(n + p[a], n + p[a] + m)
                src[2 + a] = slice(p[a], p[a] + m)
                xp[tuple(dst)] = xp[tuple(src)]
        return tweight_grad(xp, size, gy, stride, 0, dilation, groups)
    return tweight_grad(x, size, gy, stride, padding, dilation, groups)


def wg_f32_many_terms(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    """float64 accumulated in float32 when N*prod(out) > 256."""
    terms = np.shape(gy)[0] * int(np.prod(np.shape(gy)[2:]))
    if terms > 256 and np.asarray(x).dtype == np.float64:
        return tweight_grad(np.asarray(x, np.float32), size, np.asarray(gy, np.float32),
                            stride, padding, dilation, groups).astype(np.float64)
    return tweight_grad(x, size, gy, stride, padding, dilation, groups)


def wg_1x1_matmul_transposed(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    """1x1 kernel fast path (matmul) returns (C_in, C_out) transposed for square channels."""
    y = tweight_grad(x, size, gy, stride, padding, dilation, groups)
    if all(k == 1 for k in size[2:]) and groups == 1 and size[0] == size[1]:
        return np.ascontiguousarray(np.swapaxes(y, 0, 1))
    return y


CT = {
    "ct_group_reshape": (ct_group_reshape, {}, None),
    "ct_flip_last_axis_only": (ct_flip_last_axis_only, {}, "flip"),
    "ct_op_ignored_with_dilation": (ct_op_ignored_with_dilation, {}, "output_padding"),
    "ct_stride3_op_shift": (ct_stride3_op_shift, {}, None),
    "ct_bias_first_group": (ct_bias_first_group, {}, "bias"),
    "ct_stride1_uses_dilation_as_stride": (ct_stride1_uses_dilation_as_stride, {}, "swapped"),
    "ct_f32_internal": (ct_f32_internal, {}, "precision"),
}
IG = {
    "ig_op_ignores_dilation": (ig_op_ignores_dilation, {}, "leftover"),
    "ig_groups_only_first": (ig_groups_only_first, {}, None),
    "ig_scatter_stride3_border": (ig_scatter_stride3_border, {}, None),
    "ig_f32_large_K": (ig_f32_large_K, {}, "precision"),
    "ig_padding_axis1_ignored_dil": (ig_padding_axis1_ignored_dil, {}, "padding"),
}
WG = {
    "wg_mean_over_batch": (wg_mean_over_batch, {}, "batch"),
    "wg_groups_zero_after_first": (wg_groups_zero_after_first, {}, None),
    "wg_dil_axis1_ignored": (wg_dil_axis1_ignored, {}, "dilation"),
    "wg_right_pad_missing_stride": (wg_right_pad_missing_stride, {}, "padding"),
    "wg_f32_many_terms": (wg_f32_many_terms, {}, "precision"),
    "wg_1x1_matmul_transposed": (wg_1x1_matmul_transposed, {}, "C_in/C_out"),
}
