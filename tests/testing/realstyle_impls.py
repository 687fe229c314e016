"""Convolution and pooling code in the styles people publish, for the adapter tests.

Written for these tests (not copied), each in a style found in the wild: course solutions
(a ``conv_param``/``pool_param`` dict, ``(out, cache)`` returns, loops over output
positions, ``np.pad``, one int stride and pad), TensorFlow-layout functions (NHWC input,
HWIO kernel), one-image functions ``(C, H, W)``, layer objects with ``forward``/``backward``
and a scalar-only average pool. The loops run over output positions (or kernel taps)
only, with ``np.einsum``/``sliding_window_view`` inside, so that a checker's hundreds of
calls stay fast. The ``*_bug`` variants each carry one mistake seen in such code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Cache = tuple[Any, ...]


# --- course style: conv_forward_naive / conv_backward_naive ------------------------------

def conv_forward_naive(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                       conv_param: dict[str, int]) -> tuple[np.ndarray, Cache]:
    """x: (N, C, H, W), w: (F, C, HH, WW), b: (F,); returns (out, cache)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b
    return out, (x, w, b, conv_param)


def conv_forward_bug_flipped(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                             conv_param: dict[str, int]) -> tuple[np.ndarray, Cache]:
    """The textbook convolution (kernel flipped) instead of cross-correlation."""
    return conv_forward_naive(x, w[:, :, ::-1, ::-1], b, conv_param)


def _conv_backward(dout: np.ndarray, cache: Cache, *, honour_stride: bool = True,
                   slice_pad: bool = False, mean_dw: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, w, _, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    _, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    step = stride if honour_stride else 1
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * step, i * step + HH)
            cols = slice(j * step, j * step + WW)
            g = dout[:, :, i, j]
            dw += np.einsum("nf,nchw->fchw", g, x_pad[:, :, rows, cols])
            dx_pad[:, :, rows, cols] += np.einsum("nf,fchw->nchw", g, w)
    # the slip: x[:, :, 0:-0] is empty, so this breaks for pad == 0
    dx = dx_pad[:, :, pad:-pad, pad:-pad] if slice_pad else dx_pad[:, :, pad:pad + H,
                                                                   pad:pad + W]
    if mean_dw:
        dw = dw / N
    return dx, dw, db


def conv_backward_naive(dout: np.ndarray, cache: Cache
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (dx, dw, db) for the cache of :func:`conv_forward_naive`."""
    return _conv_backward(dout, cache)


def conv_backward_bug_stride(dout: np.ndarray, cache: Cache
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The windows stepped by 1 in the backward pass, whatever the stride."""
    return _conv_backward(dout, cache, honour_stride=False)


def conv_backward_bug_pad_slice(dout: np.ndarray, cache: Cache
                                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``dx_pad[:, :, pad:-pad, pad:-pad]``: an empty dx when pad == 0."""
    return _conv_backward(dout, cache, slice_pad=True)


def conv_backward_bug_mean_dw(dout: np.ndarray, cache: Cache
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dw averaged over the batch instead of summed."""
    return _conv_backward(dout, cache, mean_dw=True)


# --- course style: max_pool_forward_naive / max_pool_backward_naive ------------------------

def max_pool_forward_naive(x: np.ndarray, pool_param: dict[str, int]
                           ) -> tuple[np.ndarray, Cache]:
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // s
    W_out = 1 + (W - pw) // s
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = np.max(x[:, :, i * s:i * s + ph, j * s:j * s + pw], axis=(2, 3))
    return out, (x, pool_param)


def _max_pool_backward(dout: np.ndarray, cache: Cache, *, all_ties: bool = False
                       ) -> np.ndarray:
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, _, _ = x.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(N, C, -1)
            if all_ties:  # every element equal to the maximum gets the gradient
                mask = window == window.max(axis=2, keepdims=True)
            else:  # the first maximum, as np.argmax (and PyTorch) pick it
                mask = np.arange(ph * pw) == np.argmax(window, axis=2)[..., None]
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += (
                mask * dout[:, :, i, j][..., None]).reshape(N, C, ph, pw)
    return dx


def max_pool_backward_naive(dout: np.ndarray, cache: Cache) -> np.ndarray:
    return _max_pool_backward(dout, cache)


def max_pool_backward_bug_ties(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """The gradient copied to every tied maximum of a window."""
    return _max_pool_backward(dout, cache, all_ties=True)


# --- TensorFlow layout: NHWC input, HWIO kernel ----------------------------------------------

def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if np.ndim(v) == 0 else (int(v[0]), int(v[1]))


def conv2d_nhwc(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None,
                stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> np.ndarray:
    """x: (N, H, W, C_in), kernel: (KH, KW, C_in, C_out); PyTorch's parameter names and
    padding rules ('same' puts the odd element after), no groups."""
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    kh, kw = kernel.shape[:2]
    if padding == "valid":
        pads = [(0, 0), (0, 0)]
    elif padding == "same":
        pads = [(t // 2, t - t // 2) for t in (dh * (kh - 1), dw * (kw - 1))]
    else:
        pads = [(p, p) for p in _pair(padding)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    win = sliding_window_view(xp, span, axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw]
    out = np.einsum("nhwcij,ijcf->nhwf", win, kernel)
    return out if bias is None else out + bias


def conv2d_nhwc_bug_kernel_layout(x: np.ndarray, kernel: np.ndarray,
                                  bias: np.ndarray | None = None, stride: Any = 1,
                                  padding: Any = 0, dilation: Any = 1) -> np.ndarray:
    """Reads the HWIO kernel as WHIO (its spatial axes swapped)."""
    return conv2d_nhwc(x, kernel.transpose(1, 0, 2, 3), bias, stride, padding, dilation)


# --- one image at a time: (C, H, W) ------------------------------------------------------------

def conv2d_chw(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
               pad: int = 0) -> np.ndarray:
    """One image x: (C, H, W), w: (F, C, KH, KW); one int stride and pad."""
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    out = np.einsum("chwij,fcij->fhw", win, w)
    return out if b is None else out + b[:, None, None]


# --- a layer object: forward / backward, weights as attributes -------------------------------

class Conv2D:
    """A from-scratch layer: draws its own weights, im2col-style forward, keeps dW/db."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, pad: int = 0) -> None:
        rng = np.random.default_rng(0)
        self.W = rng.standard_normal((out_channels, in_channels, kernel_size, kernel_size))
        self.b = np.zeros(out_channels)
        self.stride, self.pad = stride, pad

    def _cols(self, x: np.ndarray) -> np.ndarray:
        k, s, p = self.W.shape[2], self.stride, self.pad
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        return sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.einsum("nchwij,fcij->nfhw", self._cols(x), self.W) + self.b[:, None, None]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = np.einsum("nchwij,nfhw->fcij", self._cols(self.x), dout)
        self.db = dout.sum(axis=(0, 2, 3))
        k, s, p = self.W.shape[2], self.stride, self.pad
        n, c, h, w = self.x.shape
        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=dout.dtype)
        ho, wo = dout.shape[2:]
        for i in range(k):  # col2im: one scatter per kernel tap
            for j in range(k):
                dxp[:, :, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s] += np.einsum(
                    "nfhw,fc->nchw", dout, self.W[:, :, i, j])
        return dxp[:, :, p:p + h, p:p + w]


class Conv2DMeanGrad(Conv2D):
    """dW averaged over the batch (``self.dW /= N``), a common slip."""

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = super().backward(dout)
        self.dW = self.dW / dout.shape[0]
        return dx


# --- a scalar-only course avg pool: no padding, no divisor_override ----------------------------

def avg_pool2d(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    n, c, h, w = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + size,
                                j * stride:j * stride + size].mean(axis=(2, 3))
    return out


def avg_pool2d_bug_stride_is_size(x: np.ndarray, size: int = 2, stride: int = 2
                                  ) -> np.ndarray:
    """The stride argument ignored: windows step by the pool size."""
    return avg_pool2d(x, size, size)
