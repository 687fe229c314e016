"""Torch-based mutants (checked through backend='torch'): the bug injected around
torch.nn.functional, as it would be in a PyTorch codebase."""

# ruff: noqa: B905
from __future__ import annotations

from typing import Any


def _t() -> Any:
    import torch

    return torch


def conv2d_same_extra_before(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """'same' implemented by hand with the odd element of the padding before (TF-lower)."""
    F = _t().nn.functional
    if padding == "same":
        d = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
        pads = []
        for k, dd in zip(reversed(w.shape[2:]), reversed(d)):
            total = dd * (k - 1)
            pads += [total - total // 2, total // 2]
        return F.conv2d(F.pad(x, pads), w, bias, stride, 0, dilation, groups)
    return F.conv2d(x, w, bias, stride, padding, dilation, groups)


def conv2d_flipped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    return _t().nn.functional.conv2d(x, w.flip((2, 3)), bias, stride, padding, dilation, groups)


def conv2d_groups_interleaved(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    y = _t().nn.functional.conv2d(x, w, bias, stride, padding, dilation, groups)
    n, c = y.shape[:2]
    return y.reshape(n, groups, c // groups, *y.shape[2:]).transpose(1, 2).reshape(y.shape)


def conv2d_tf32_like(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Rounds inputs to bfloat16 when C_in % 32 == 0 (a reduced-precision fast path)."""
    torch = _t()
    if x.shape[1] % 32 == 0:
        x = x.to(torch.bfloat16).to(x.dtype)
        w = w.to(torch.bfloat16).to(w.dtype)
    return torch.nn.functional.conv2d(x, w, bias, stride, padding, dilation, groups)


def conv_transpose2d_op_before(x, w, bias=None, stride=1, padding=0, output_padding=0,  # type: ignore[no-untyped-def]
                               groups=1, dilation=1):
    """output_padding rows added at the start (crop shifted) instead of the end."""
    torch = _t()
    F = torch.nn.functional
    two = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    p, op = two(padding), two(output_padding)
    full = F.conv_transpose2d(x, w, None, stride, 0, 0, groups, dilation)
    full = F.pad(full, [op[1], 0, op[0], 0])
    h = full.shape[2] - 2 * p[0]
    wd = full.shape[3] - 2 * p[1]
    y = full[:, :, p[0]:p[0] + h, p[1]:p[1] + wd]
    return y if bias is None else y + bias[None, :, None, None]


def max_pool2d_ceil_keeps(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
    """ceil_mode emulated by padding the right with −inf: keeps all-padding windows."""
    torch = _t()
    F = torch.nn.functional
    if not ceil_mode:
        return F.max_pool2d(x, kernel_size, stride, padding, dilation)
    two = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    k, p, d = two(kernel_size), two(padding), two(dilation)
    s = k if stride is None else two(stride)
    extra = []
    for ax in (1, 0):
        i = x.shape[2 + ax]
        span = i + 2 * p[ax] - d[ax] * (k[ax] - 1) - 1
        extra += [p[ax], p[ax] + (s[ax] - span % s[ax]) % s[ax]]
    xp = F.pad(x, extra, value=-float("inf"))
    return F.max_pool2d(xp, k, s, 0, d)


CONV = {
    "conv2d_same_extra_before": (conv2d_same_extra_before, "'same' offset by one"),
    "conv2d_flipped": (conv2d_flipped, "flipped kernel"),
    "conv2d_groups_interleaved": (conv2d_groups_interleaved, "interleave"),
    "conv2d_tf32_like": (conv2d_tf32_like, "precision"),
}
TRANSPOSE = {"conv_transpose2d_op_before": (conv_transpose2d_op_before,
                                            "output_padding on the wrong side")}
MAX_POOL = {"max_pool2d_ceil_keeps": (max_pool2d_ceil_keeps,
                                      "ceil_mode keeping all-padding windows")}
