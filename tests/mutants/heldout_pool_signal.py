"""check_max_pool / check_avg_pool / check_convolve / check_correlate mutants (red team)."""
from __future__ import annotations

import numpy as np
import scipy.fft
import scipy.signal
import torch.nn.functional as F
from heldout_common import T, ax


def _tmax(x, k, s, p, d, c, ri=False):
    nd = np.ndim(x) - 2
    return getattr(F, f"max_pool{nd}d")(T(x), k, s, p, d, c, ri)


def _tavg(x, k, s, p, c, cip, do):
    nd = np.ndim(x) - 2
    f = getattr(F, f"avg_pool{nd}d")
    if nd == 1:
        return f(T(x), k, s, p, c, cip)
    return f(T(x), k, s, p, c, cip, do)


# ------------------------------------------------------------------ from-scratch pooling
def _out_len(n, k, s, p, d, ceil, rule="torch"):
    span = n + 2 * p - d * (k - 1) - 1
    o = (-(-span // s) if ceil else span // s) + 1
    if ceil:
        if rule == "torch" and (o - 1) * s >= n + p:
            o -= 1
        if rule == "gt" and (o - 1) * s > n + p:
            o -= 1
    return o


def np_max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *,
                rule="torch", pad_value=-np.inf, overhang_value=-np.inf, dil_axes=None,
                stride_first_only=False):
    x = np.asarray(x)
    nd = x.ndim - 2
    k = ax(kernel_size, nd)
    s = k if stride is None else ax(stride, nd)
    if stride_first_only and not isinstance(stride, (int, type(None))):
        s = [s[0]] * nd
    p = ax(padding, nd, 0)
    d = ax(dilation, nd)
    if dil_axes is not None:
        d = [dd if a in dil_axes else 1 for a, dd in enumerate(d)]
        dd_true = ax(dilation, nd)
        outs = [_out_len(n, kk, ss, pp, dt, ceil_mode) for n, kk, ss, pp, dt in
                zip(x.shape[2:], k, s, p, dd_true, strict=False)]
    else:
        outs = [_out_len(n, kk, ss, pp, dd, ceil_mode, rule) for n, kk, ss, pp, dd in
                zip(x.shape[2:], k, s, p, d, strict=False)]
    big = max(max(k) * max(d) + max(s) * 2 + 8, 16)
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + [(pp, pp) for pp in p],
                constant_values=pad_value)
    xp = np.pad(xp, [(0, 0), (0, 0)] + [(0, big)] * nd, constant_values=overhang_value)
    y = np.full((*x.shape[:2], *outs), -np.inf)
    for off in np.ndindex(*k):
        sl = tuple(slice(off[a] * d[a], off[a] * d[a] + (outs[a] - 1) * s[a] + 1, s[a])
                   for a in range(nd))
        y = np.maximum(y, xp[(slice(None), slice(None), *sl)])
    return y.astype(x.dtype)


def mp_correct_scratch(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    return np_max_pool(x, kernel_size, stride, padding, dilation, ceil_mode)


def mp_ceil_rule_gt(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """ceil_mode drops the last window only if it starts strictly beyond n + p (off by one)."""
    return np_max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, rule="gt")


def mp_ceil_overhang_zero(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The ceil_mode overhang past the right padding is filled with 0 instead of -inf."""
    return np_max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, overhang_value=0.0)


def mp_dil_axis0_only(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Dilation applied on axis 0 only (axis 1 reads contiguous taps)."""
    return np_max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, dil_axes=(0,))


def mp_stride_first_only(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Per-axis stride tuple: stride[0] used on every axis (shape then recomputed)."""
    y = np_max_pool(x, kernel_size, stride, padding, dilation, ceil_mode,
                    stride_first_only=True)
    return y


def mp_wrong_when_C_ge_16(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Vectorised path for C >= 16 forgets padding (unreachable: pool cases have C <= 3)."""
    if np.shape(x)[1] >= 16:
        return _tmax(np.pad(x, [(0, 0)] * np.ndim(x)), kernel_size, stride, 0, dilation,
                     ceil_mode).numpy()
    return _tmax(x, kernel_size, stride, padding, dilation, ceil_mode).numpy()


def mp_nan_ignored(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """NaNs skipped (np.fmax semantics) instead of propagated as torch does."""
    x = np.asarray(x)
    y = _tmax(np.where(np.isnan(x), -np.inf, x), kernel_size, stride, padding, dilation,
              ceil_mode).numpy()
    return y


def mp_indices_window_local(x, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """return_indices gives the index of the max inside its window, not in the plane."""
    y, idx = _tmax(x, kernel_size, stride, padding, dilation, ceil_mode, True)
    if not return_indices:
        return y.numpy()
    nd = np.ndim(x) - 2
    if nd == 2:
        W = np.shape(x)[-1]
        k = ax(kernel_size, nd)
        s = k if stride is None else ax(stride, nd)
        p = ax(padding, nd, 0)
        d = ax(dilation, nd)
        i = idx.numpy()
        r, c = i // W, i % W
        orow = np.arange(i.shape[2])[:, None] * s[0] - p[0]
        ocol = np.arange(i.shape[3])[None, :] * s[1] - p[1]
        lr, lc = (r - orow) // d[0], (c - ocol) // d[1]
        # only wrong with padding: the window origin must be clipped ... (bug: offsets
        # measured from the clipped origin, i.e. max(origin, 0))
        cr = np.maximum(orow, 0)
        cc = np.maximum(ocol, 0)
        fixed = (cr + lr * d[0]) * W + (cc + lc * d[1])
        return y.numpy(), fixed.astype(np.int64)
    return y.numpy(), idx.numpy()


# ------------------------------------------------------------------ avg pool
def ap_cip_ignored(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                   count_include_pad=True, divisor_override=None):
    """count_include_pad ignored (always True)."""
    return _tavg(x, kernel_size, stride, padding, ceil_mode, True, divisor_override).numpy()


def ap_override_ignored_ceil(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                             count_include_pad=True, divisor_override=None):
    """divisor_override only honoured when ceil_mode is False."""
    return _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 None if ceil_mode else divisor_override).numpy()


def ap_summed_area_f32(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                       count_include_pad=True, divisor_override=None):
    """Box sums from a float32 summed-area table (cancellation on large inputs)."""
    x = np.asarray(x)
    ref = _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override).numpy()
    if x.dtype != np.float64 or max(x.shape[2:]) < 32:
        return ref
    ones = np.ones_like(x)
    s_ref = _tavg(ones, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override).numpy()  # 1/divisor * count
    # emulate table error: sum in float32 via cumsum differences, then divide as torch
    nd = x.ndim - 2
    k = ax(kernel_size, nd)
    s = k if stride is None else ax(stride, nd)
    p = ax(padding, nd, 0)
    xp = np.pad(x.astype(np.float32), [(0, 0), (0, 0)] + [(pp, pp + kk + ss) for pp, kk, ss
                                                          in zip(p, k, s, strict=False)])
    cs = xp
    for a in range(nd):
        cs = np.cumsum(cs, axis=2 + a, dtype=np.float32)
        cs = np.concatenate([np.zeros_like(np.take(cs, [0], axis=2 + a)), cs], axis=2 + a)
    outs = ref.shape[2:]
    box = np.zeros(ref.shape, np.float32)
    for corner in np.ndindex(*([2] * nd)):
        sign = (-1) ** (nd - sum(corner))
        sl = tuple(slice(c * k[a], c * k[a] + (outs[a] - 1) * s[a] + 1, s[a])
                   for a, c in enumerate(corner))
        box += sign * cs[(slice(None), slice(None), *sl)]
    # divisor from the correct implementation applied to exact box sums
    exact_box = _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1).numpy() \
        if nd > 1 else None
    if exact_box is None:
        return ref
    with np.errstate(divide="ignore", invalid="ignore"):
        div = np.where(ref != 0, exact_box / ref, 1.0)
        out = np.where(ref != 0, box.astype(np.float64) / div, ref)
    del s_ref
    return out


def ap_stride_none_is_one(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                          count_include_pad=True, divisor_override=None):
    return _tavg(x, kernel_size, 1 if stride is None else stride, padding, ceil_mode,
                 count_include_pad, divisor_override).numpy()


def ap_divisor_nonzero_count(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                             count_include_pad=True, divisor_override=None):
    """count_include_pad=False divides by the number of non-zero taps (mask from x != 0)."""
    if count_include_pad or divisor_override:
        return _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override).numpy()
    x = np.asarray(x)
    tot = _tavg(x, kernel_size, stride, padding, ceil_mode, True, 1).numpy()
    cnt = _tavg((x != 0).astype(x.dtype), kernel_size, stride, padding, ceil_mode, True,
                1).numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cnt > 0, tot / cnt, 0.0).astype(x.dtype)


def ap_wrong_C_ge_16(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """Wrong for C >= 16 (ignores count_include_pad) — unreachable corner."""
    if np.shape(x)[1] >= 16:
        count_include_pad = not count_include_pad
    return _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override).numpy()


# ------------------------------------------------------------------ convolve / correlate
def cv_numpy_same_len_max(in1, in2, mode="full"):
    """np.convolve: 'same' has length max(M, N), not len(in1)."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.ndim == 1:
        return np.convolve(in1, in2, mode=mode)
    return scipy.signal.convolve(in1, in2, mode=mode, method="direct")


def cv_valid_no_swap(in1, in2, mode="full"):
    """'valid' keeps in1 as the long input; when in2 is larger returns an empty result."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if mode == "valid" and any(a < b for a, b in zip(in1.shape, in2.shape, strict=False)):
        shape = [max(0, a - b + 1) for a, b in zip(in1.shape, in2.shape, strict=False)]
        return np.zeros(shape, in1.dtype)
    return scipy.signal.convolve(in1, in2, mode=mode, method="direct")


def cv_2d_flip_axis0_only(in1, in2, mode="full"):
    """2-D convolution implemented as correlation with in2 flipped on axis 0 only."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.ndim == 2:
        c = scipy.signal.correlate(in1, np.flip(in2, 0), mode=mode, method="direct")
        return c
    return scipy.signal.convolve(in1, in2, mode=mode, method="direct")


def cv_complex_sign(in1, in2, mode="full"):
    """Complex product via real convolutions with the wrong sign on imag*imag."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if np.iscomplexobj(in1) or np.iscomplexobj(in2):
        c = lambda a, b: scipy.signal.convolve(a, b, mode=mode, method="direct")  # noqa: E731
        a, b = in1.astype(complex), in2.astype(complex)
        re = c(a.real, b.real) + c(a.imag, b.imag)
        return re + 1j * (c(a.real, b.imag) + c(a.imag, b.real))
    return scipy.signal.convolve(in1, in2, mode=mode, method="direct")


def cv_f32_long(in1, in2, mode="full"):
    """float64 accumulated in float32 when the shorter input has more than 4 taps."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.dtype == np.float64 and min(in1.size, in2.size) > 4:
        return scipy.signal.convolve(in1.astype(np.float32), in2.astype(np.float32),
                                     mode=mode, method="direct").astype(np.float64)
    return scipy.signal.convolve(in1, in2, mode=mode, method="direct")


def cv_fft_complex64(in1, in2, mode="full"):
    """FFT convolution carried out in complex64 whatever the input dtype (run normwise)."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    full = [a + b - 1 for a, b in zip(in1.shape, in2.shape, strict=False)]
    A = scipy.fft.fftn(in1.astype(np.complex64), full)
    B = scipy.fft.fftn(in2.astype(np.complex64), full)
    y = scipy.fft.ifftn(A * B)
    if not (np.iscomplexobj(in1) or np.iscomplexobj(in2)):
        y = y.real
    ref_shape = scipy.signal.convolve(in1, in2, mode=mode, method="direct")
    # crop like scipy
    if mode == "full":
        out = y
    else:
        sl = []
        for a in range(len(full)):
            n = ref_shape.shape[a]
            st = (full[a] - n) // 2
            sl.append(slice(st, st + n))
        out = y[tuple(sl)]
    return out.astype(ref_shape.dtype)


def co_numpy_correlate(in1, in2, mode="full"):
    """np.correlate for 1-D (its 'same' is max(M,N) long; full mode reversed when M < N
    in old numpy — here: numpy's actual behaviour)."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.ndim == 1:
        return np.correlate(in1, in2, mode=mode)
    return scipy.signal.correlate(in1, in2, mode=mode, method="direct")


def co_conj_in1(in1, in2, mode="full"):
    """Complex correlate conjugates in1 instead of in2."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    return scipy.signal.convolve(np.conj(in1), np.flip(in2), mode=mode, method="direct")


def co_same_even_offset(in1, in2, mode="full"):
    """'same' crop offset rounds the other way for even in2."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if mode != "same":
        return scipy.signal.correlate(in1, in2, mode=mode, method="direct")
    full = scipy.signal.correlate(in1, in2, mode="full", method="direct")
    sl = []
    for a in range(in1.ndim):
        st = -(-(full.shape[a] - in1.shape[a]) // 2)
        sl.append(slice(st, st + in1.shape[a]))
    return full[tuple(sl)]


def co_valid_swap(in1, in2, mode="full"):
    """'valid' swaps the inputs when in2 is larger (fine for convolve, not correlate)."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if mode == "valid" and all(b >= a for a, b in zip(in1.shape, in2.shape, strict=False)) and \
            in2.shape != in1.shape:
        return scipy.signal.correlate(in2, in1, mode="valid", method="direct")
    return scipy.signal.correlate(in1, in2, mode=mode, method="direct")


def co_2d_transposed_nonsquare(in1, in2, mode="full"):
    """2-D correlate of transposed operands, transposing back only when square."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.ndim == 2:
        y = scipy.signal.correlate(in1.T, in2.T, mode=mode, method="direct")
        return y.T if y.shape[0] == y.shape[1] or True else y
    return scipy.signal.correlate(in1, in2, mode=mode, method="direct")


def co_fft_threshold(in1, in2, mode="full"):
    """FFT correlate that zeros outputs below 1e-9 * max ("denoise") — run normwise."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    y = scipy.signal.correlate(in1, in2, mode=mode, method="fft")
    m = np.max(np.abs(y)) if y.size else 0
    return np.where(np.abs(y) < 1e-9 * m, 0, y)


MP = {
    "mp_ceil_rule_gt": (mp_ceil_rule_gt, {}, "ceil"),
    "mp_ceil_overhang_zero": (mp_ceil_overhang_zero, {}, None),
    "mp_dil_axis0_only": (mp_dil_axis0_only, {}, "dilation"),
    "mp_stride_first_only": (mp_stride_first_only, {}, "stride"),
    "mp_wrong_when_C_ge_16": (mp_wrong_when_C_ge_16, {}, None),
    "mp_nan_ignored": (mp_nan_ignored, {}, None),
    "mp_indices_window_local": (mp_indices_window_local, {"return_indices": True}, "ind"),
}
AP = {
    "ap_cip_ignored": (ap_cip_ignored, {}, "count_include_pad"),
    "ap_override_ignored_ceil": (ap_override_ignored_ceil, {}, "divisor_override"),
    "ap_summed_area_f32": (ap_summed_area_f32, {}, "precision"),
    "ap_stride_none_is_one": (ap_stride_none_is_one, {}, "stride"),
    "ap_divisor_nonzero_count": (ap_divisor_nonzero_count, {}, "divisor"),
    "ap_wrong_C_ge_16": (ap_wrong_C_ge_16, {}, None),
}
CV = {
    "cv_numpy_same_len_max": (cv_numpy_same_len_max, {}, "same"),
    "cv_valid_no_swap": (cv_valid_no_swap, {}, "valid"),
    "cv_2d_flip_axis0_only": (cv_2d_flip_axis0_only, {"ndim": 2}, "flip"),
    "cv_complex_sign": (cv_complex_sign, {}, None),
    "cv_f32_long": (cv_f32_long, {}, "precision"),
    "cv_fft_complex64[normwise]": (cv_fft_complex64, {"tolerance": "normwise"}, "precision"),
}
CO = {
    "co_numpy_correlate": (co_numpy_correlate, {}, "same"),
    "co_conj_in1": (co_conj_in1, {}, "conj"),
    "co_same_even_offset": (co_same_even_offset, {}, "same"),
    "co_valid_swap": (co_valid_swap, {}, "valid"),
    "co_fft_threshold[normwise]": (co_fft_threshold, {"tolerance": "normwise"}, None),
}


def ap_cip_excludes_right_pad(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True, divisor_override=None):
    """count_include_pad=True: divisor counts the left padding but not the right padding."""
    x = np.asarray(x)
    if not count_include_pad or divisor_override or not any(ax(padding, x.ndim - 2, 0)):
        return _tavg(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override).numpy()
    tot = _tavg(x, kernel_size, stride, padding, ceil_mode, True, 1).numpy()
    nd = x.ndim - 2
    p = ax(padding, nd, 0)
    ones = np.pad(np.ones_like(x), [(0, 0), (0, 0)] + [(pp, 0) for pp in p], constant_values=1)
    ones = np.pad(ones, [(0, 0), (0, 0)] + [(0, pp) for pp in p])
    cnt = _tavg(ones, kernel_size, stride, 0, ceil_mode, True, 1).numpy()
    cnt = cnt[tuple(slice(0, n) for n in tot.shape)]
    return (tot / cnt).astype(x.dtype)


AP["ap_cip_excludes_right_pad"] = (ap_cip_excludes_right_pad, {}, "count_include_pad")
