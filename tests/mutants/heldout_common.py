"""Red-team helpers written independently of convmath (torch / numpy / scipy only)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def T(a):
    if a is None:
        return None
    if isinstance(a, torch.Tensor):
        return a
    return torch.from_numpy(np.ascontiguousarray(a))


def ax(v, nd, default=1):
    if v is None:
        return [default] * nd
    if isinstance(v, (int, np.integer)):
        return [int(v)] * nd
    v = [int(a) for a in v]
    return v * nd if len(v) == 1 else v


def resolve_pads(padding, ks, ds):
    """(before, after) per axis from torch-style padding (int/tuple/'same'/'valid')."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(ks)
        tot = [d * (k - 1) for k, d in zip(ks, ds, strict=False)]
        return [(t // 2, t - t // 2) for t in tot]
    return [(p, p) for p in ax(padding, len(ks), 0)]


def tconv(x, w, b=None, stride=1, pads=None, dilation=1, groups=1, dtype=None):
    """torch conv with explicit (before, after) pads; computed in dtype (default x's)."""
    x = np.asarray(x)
    w = np.asarray(w)
    nd = w.ndim - 2
    dt = dtype or x.dtype
    if pads is None:
        pads = [(0, 0)] * nd
    xp = np.pad(x, [(0, 0), (0, 0), *pads]).astype(dt)
    y = getattr(F, f"conv{nd}d")(T(xp), T(w.astype(dt)),
                                None if b is None else T(np.asarray(b).astype(dt)),
                                ax(stride, nd), 0, ax(dilation, nd), groups)
    return y.numpy().astype(x.dtype)


def np_conv(x, w, b, stride, pads, dilation, groups, acc=None):
    """From-scratch shift-and-accumulate conv (different summation order from torch)."""
    x = np.asarray(x)
    w = np.asarray(w)
    nd = w.ndim - 2
    dt = acc or x.dtype
    xp = np.pad(x, [(0, 0), (0, 0), *pads]).astype(dt)
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    ks = w.shape[2:]
    s = ax(stride, nd)
    d = ax(dilation, nd)
    outs = [(xp.shape[2 + a] - d[a] * (ks[a] - 1) - 1) // s[a] + 1 for a in range(nd)]
    y = np.zeros((n, o, *outs), dt)
    for off in np.ndindex(*ks):
        sl = tuple(slice(off[a] * d[a], off[a] * d[a] + (outs[a] - 1) * s[a] + 1, s[a])
                   for a in range(nd))
        patch = xp[(slice(None), slice(None), *sl)]
        for g in range(groups):
            wg = w[(slice(g * og, (g + 1) * og), slice(None), *off)].astype(dt)
            y[:, g * og:(g + 1) * og] += np.einsum("oc,nc...->no...", wg,
                                                   patch[:, g * cg:(g + 1) * cg])
    if b is not None:
        y += np.asarray(b).astype(dt).reshape((-1,) + (1,) * nd)
    return y.astype(x.dtype)


def tconv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                    dilation=1):
    nd = np.ndim(w) - 2
    return getattr(F, f"conv_transpose{nd}d")(T(x), T(w), T(b), ax(stride, nd),
                                              ax(padding, nd, 0), ax(output_padding, nd, 0),
                                              groups, ax(dilation, nd)).numpy()


def tinput_grad(size, w, gy, stride=1, padding=0, dilation=1, groups=1):
    nd = np.ndim(w) - 2
    return getattr(torch.nn.grad, f"conv{nd}d_input")(
        list(size), T(w), T(gy), ax(stride, nd), ax(padding, nd, 0), ax(dilation, nd),
        groups).numpy()


def tweight_grad(x, size, gy, stride=1, padding=0, dilation=1, groups=1):
    nd = np.ndim(x) - 2
    return getattr(torch.nn.grad, f"conv{nd}d_weight")(
        T(x), list(size), T(gy), ax(stride, nd), ax(padding, nd, 0), ax(dilation, nd),
        groups).numpy()
