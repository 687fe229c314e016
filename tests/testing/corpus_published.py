"""A corpus of convolution and pooling code in the styles of published implementations.

Written for the checker tests (not copied from anywhere), each entry in the style of a
family of code people publish, and different in detail from ``realstyle_impls.py``:

- a "Neural Networks from Scratch"-style layer object (``forward`` stores
  ``self.output``, ``backward`` stores ``self.dinputs``/``self.dweights``) built on
  fancy-index im2col/col2im (``np.add.at``);
- d2l-style ``corr2d(X, K)`` (one 2-D channel) and ``corr2d_multi_in_out``;
- numpy-ml-style ``conv2D(X, W, stride, pad, dilation)``: NHWC data, ``(fr, fc, in_ch,
  out_ch)`` kernels, ``pad`` an int, a 2- or 4-tuple or ``'same'``, and numpy-ml's dilation
  convention (the number of zeros *inserted*, so 0 is an ordinary kernel);
- a TensorFlow-style ``'SAME'`` helper for PyTorch (pads ``⌈i/s⌉`` outputs' worth, the
  extra element after), torch backend;
- a max-pool layer with an ``np.argmax`` backward; Coursera-style ``pool_forward`` /
  ``pool_backward`` (NHWC, an ``hparameters`` dict, ``mode='max'|'average'``);
- a conv layer built on ``scipy.signal.convolve2d`` (kernel rotated to get the
  cross-correlation), with its backward pass;
- ``nn.Conv2d`` with the weights copied in; ``F.unfold``/``F.fold`` conv and input grad;
  autograd-style gradients; an avg pool as a conv with a constant kernel; a max pool with
  indices through ``F.unfold`` (torch backend);
- a 1-d layer on ``np.convolve``; FFT convolutions (a layer on ``rfft2``, a 1-d
  ``convolve``); ``'same'`` convolution on ``scipy.ndimage.correlate``;
- a transposed convolution by zero insertion plus a conv with the flipped kernel;
- a dilated conv that dilates the kernel with zeros; Coursera-style ``conv_forward``.

Each ``*_bug_*`` variant carries one classic mistake, named in its docstring. Loops run
over output positions or kernel taps (vectorised inside) where the original style loops
over everything, so that a checker's hundreds of calls stay fast; ``corr2d`` keeps d2l's
loops on purpose.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convmath.testing import Unsupported


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


# =====================================================================================
# A. "Neural Networks from Scratch" style layer, cs231n-style im2col_indices/col2im
# =====================================================================================

def get_im2col_indices(x_shape: tuple[int, ...], field_height: int, field_width: int,
                       padding: int = 1, stride: int = 1) -> tuple[np.ndarray, ...]:
    _N, C, H, W = x_shape
    out_height = (H + 2 * padding - field_height) // stride + 1
    out_width = (W + 2 * padding - field_width) // stride + 1
    i0 = np.tile(np.repeat(np.arange(field_height), field_width), C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j


def im2col_indices(x: np.ndarray, field_height: int, field_width: int, padding: int = 1,
                   stride: int = 1) -> np.ndarray:
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]  # (N, C*fh*fw, Ho*Wo)
    C = x.shape[1]
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)


def col2im_indices(cols: np.ndarray, x_shape: tuple[int, ...], field_height: int,
                   field_width: int, padding: int = 1, stride: int = 1,
                   accumulate: bool = True) -> np.ndarray:
    N, C, H, W = x_shape
    H_padded, W_padded = H + 2 * padding, W + 2 * padding
    x_padded = np.zeros((N, C, H_padded, W_padded), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    cols_reshaped = cols.reshape(C * field_height * field_width, -1, N)
    cols_reshaped = cols_reshaped.transpose(2, 0, 1)
    if accumulate:
        np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    else:  # the slip: a fancy-index assignment keeps one of the overlapping contributions
        x_padded[:, k, i, j] = cols_reshaped
    return x_padded[:, :, padding:padding + H, padding:padding + W]


class Layer_Conv2D:
    """NNFS style: ``forward(inputs)`` sets ``self.output`` and returns nothing,
    ``backward(dvalues)`` sets ``self.dinputs``, ``self.dweights``, ``self.dbiases``.
    Square kernels, one int stride and padding; biases of shape ``(1, n_filters)``."""

    accumulate = True

    def __init__(self, n_channels: int, n_filters: int, kernel_size: int, stride: int = 1,
                 padding: int = 0) -> None:
        self.weights = 0.01 * np.random.randn(n_filters, n_channels, kernel_size, kernel_size)
        self.biases = np.zeros((1, n_filters))
        self.stride, self.padding = stride, padding

    def forward(self, inputs: np.ndarray, training: bool = False) -> None:
        self.inputs = inputs
        N, _, H, W = inputs.shape
        F, _, K, _ = self.weights.shape
        out_h = (H + 2 * self.padding - K) // self.stride + 1
        out_w = (W + 2 * self.padding - K) // self.stride + 1
        self.cols = im2col_indices(inputs, K, K, self.padding, self.stride)
        out = self.weights.reshape(F, -1) @ self.cols + np.reshape(self.biases, (-1, 1))
        self.output = self._to_nchw(out, N, F, out_h, out_w)

    def _to_nchw(self, out: np.ndarray, N: int, F: int, out_h: int, out_w: int
                 ) -> np.ndarray:
        return out.reshape(F, out_h, out_w, N).transpose(3, 0, 1, 2)

    def backward(self, dvalues: np.ndarray) -> None:
        F, _, K, _ = self.weights.shape
        dflat = dvalues.transpose(1, 2, 3, 0).reshape(F, -1)
        self.dweights = (dflat @ self.cols.T).reshape(self.weights.shape)
        self.dbiases = dflat.sum(axis=1, keepdims=True).T
        dcols = self.weights.reshape(F, -1).T @ dflat
        self.dinputs = col2im_indices(dcols, self.inputs.shape, K, K, self.padding,
                                      self.stride, accumulate=self.accumulate)


class Layer_Conv2D_bug_no_add_at(Layer_Conv2D):
    """col2im with ``x_padded[:, k, i, j] = cols`` instead of ``np.add.at``: where windows
    overlap (stride < kernel) only one contribution survives."""

    accumulate = False


class Layer_Conv2D_bug_reshape(Layer_Conv2D):
    """The GEMM result ``(F, Ho·Wo·N)`` reshaped straight to ``(N, F, Ho, Wo)``: filters,
    positions and samples mixed up."""

    def _to_nchw(self, out: np.ndarray, N: int, F: int, out_h: int, out_w: int
                 ) -> np.ndarray:
        return out.reshape(N, F, out_h, out_w)


class Layer_Conv2D_bug_last_sample_dw(Layer_Conv2D):
    """``dweights`` computed per sample in a loop with ``=`` instead of ``+=``: only the
    last sample's gradient is kept."""

    def backward(self, dvalues: np.ndarray) -> None:
        super().backward(dvalues)
        F = self.weights.shape[0]
        N = dvalues.shape[0]
        cols = self.cols.reshape(self.cols.shape[0], -1, N)
        for n in range(N):
            self.dweights = (dvalues[n].reshape(F, -1) @ cols[:, :, n].T).reshape(
                self.weights.shape)


# =====================================================================================
# B. d2l style: corr2d on one 2-D channel, then multiple input and output channels
# =====================================================================================

def corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Compute 2-D cross-correlation (d2l, section 7.2), with NumPy arrays."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def corr2d_multi_in(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    return sum(corr2d(x, k) for x, k in zip(X, K, strict=False))


def corr2d_multi_in_out(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    return np.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_fast(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The same contract as :func:`corr2d`, a loop over the kernel taps instead."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for a in range(h):
        for b in range(w):
            Y += K[a, b] * X[a:a + Y.shape[0], b:b + Y.shape[1]]
    return Y


def corr2d_multi_in_out_fast(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """d2l's ``corr2d_multi_in_out`` on top of :func:`corr2d_fast`."""
    return np.stack([sum(corr2d_fast(x, k) for x, k in zip(X, kk, strict=False))
                     for kk in K], 0)


def corr2d_bug_off_by_one(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """``X.shape[0] - h`` without the ``+ 1``: the last row and column are dropped."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h, X.shape[1] - w))
    for a in range(h):
        for b in range(w):
            Y += K[a, b] * X[a:a + Y.shape[0], b:b + Y.shape[1]]
    return Y


def corr2d_multi_in_out_bug_off_by_one(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    return np.stack([sum(corr2d_bug_off_by_one(x, k) for x, k in zip(X, kk, strict=False))
                     for kk in K], 0)


def corr2d_multi_in_out_bug_io(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The kernel read as ``(C_in, C_out, kh, kw)``: ``zip`` silently truncates."""
    return np.stack([sum(corr2d_fast(x, k) for x, k in zip(X, kk, strict=False))
                     for kk in K.transpose(1, 0, 2, 3)], 0)


# =====================================================================================
# C. numpy-ml style conv2D: NHWC, (fr, fc, in_ch, out_ch), pad int/tuple/'same',
#    dilation = number of zeros inserted between kernel elements (0: none)
# =====================================================================================

def calc_pad_dims_2D(X_shape: tuple[int, ...], out_dim: tuple[int, int],
                     kernel_shape: tuple[int, int], stride: int, dilation: int = 0,
                     extra_before: bool = False) -> tuple[int, int, int, int]:
    d = dilation
    fr, fc = kernel_shape
    out_rows, out_cols = out_dim
    _, in_rows, in_cols, _ = X_shape
    _fr, _fc = fr * (d + 1) - d, fc * (d + 1) - d
    tr = max(stride * (out_rows - 1) + _fr - in_rows, 0)
    tc = max(stride * (out_cols - 1) + _fc - in_cols, 0)
    if extra_before:  # the slip: the odd element put at the top/left
        return tr - tr // 2, tr // 2, tc - tc // 2, tc // 2
    return tr // 2, tr - tr // 2, tc // 2, tc - tc // 2


def pad2D(X: np.ndarray, pad: Any, kernel_shape: tuple[int, int] | None = None,
          stride: int | None = None, dilation: int = 0, extra_before: bool = False
          ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    p = pad
    if isinstance(p, int):
        p = (p, p, p, p)
    if isinstance(p, tuple):
        if len(p) == 2:
            p = (p[0], p[0], p[1], p[1])
        X_pad = np.pad(X, ((0, 0), (p[0], p[1]), (p[2], p[3]), (0, 0)), mode="constant")
    elif p == "same" and kernel_shape and stride is not None:
        _, in_rows, in_cols, _ = X.shape
        p = calc_pad_dims_2D(X.shape, (in_rows, in_cols), kernel_shape, stride,
                             dilation=dilation, extra_before=extra_before)
        X_pad, p = pad2D(X, p)
    else:
        raise ValueError(f"bad pad {pad!r}")
    return X_pad, p


def conv2D(X: np.ndarray, W: np.ndarray, stride: int, pad: Any, dilation: int = 0,
           _w_order: tuple[int, ...] = (3, 2, 0, 1), _extra_before: bool = False
           ) -> np.ndarray:
    """X: (n_ex, in_rows, in_cols, in_ch); W: (fr, fc, in_ch, out_ch); returns
    (n_ex, out_rows, out_cols, out_ch). im2col over the kernel taps, then one GEMM."""
    s, d = stride, dilation
    X_pad, p = pad2D(X, pad, W.shape[:2], s, dilation=d, extra_before=_extra_before)
    pr1, pr2, pc1, pc2 = p
    fr, fc, in_ch, out_ch = W.shape
    n_ex, in_rows, in_cols, _ = X.shape
    _fr, _fc = fr * (d + 1) - d, fc * (d + 1) - d
    out_rows = int((in_rows + pr1 + pr2 - _fr) / s + 1)
    out_cols = int((in_cols + pc1 + pc2 - _fc) / s + 1)
    # X_col: (in_ch * fr * fc, out_rows * out_cols * n_ex), rows ordered (ch, r, c)
    taps = []
    for c in range(in_ch):
        for r in range(fr):
            for q in range(fc):
                r0, c0 = r * (d + 1), q * (d + 1)
                patch = X_pad[:, r0:r0 + s * (out_rows - 1) + 1:s,
                              c0:c0 + s * (out_cols - 1) + 1:s, c]
                taps.append(patch.transpose(1, 2, 0).reshape(-1))
    X_col = np.stack(taps, 0) if taps else np.zeros((0, out_rows * out_cols * n_ex))
    W_col = W.transpose(*_w_order).reshape(out_ch, -1)
    Z = (W_col @ X_col).reshape(out_ch, out_rows, out_cols, n_ex).transpose(3, 1, 2, 0)
    return Z


def conv2D_bug_w_order(X: np.ndarray, W: np.ndarray, stride: int, pad: Any,
                       dilation: int = 0) -> np.ndarray:
    """``W.transpose(3, 0, 1, 2)`` (out_ch, fr, fc, in_ch) flattened against columns
    ordered (in_ch, fr, fc): channels and taps mixed up."""
    return conv2D(X, W, stride, pad, dilation, _w_order=(3, 0, 1, 2))


def conv2D_bug_same_before(X: np.ndarray, W: np.ndarray, stride: int, pad: Any,
                           dilation: int = 0) -> np.ndarray:
    """``'same'`` with the odd padding element at the top/left."""
    return conv2D(X, W, stride, pad, dilation, _extra_before=True)


# =====================================================================================
# D. TensorFlow 'SAME' for PyTorch (timm-style Conv2dSame), torch backend
# =====================================================================================

def _same_total(size: int, k: int, s: int, d: int, floor: bool = False) -> int:
    out = size // s if floor else -(-size // s)
    return max((out - 1) * s + (k - 1) * d + 1 - size, 0)


def conv2d_tf_same(inputs: Any, kernel: Any, bias: Any = None, strides: Any = 1,
                   dilation_rate: Any = 1, groups: int = 1, *, _floor: bool = False,
                   _extra_before: bool = False) -> Any:
    """Keras-named arguments on PyTorch tensors (NCHW, OIHW): always 'SAME'."""
    import torch.nn.functional as F

    sh, sw = _pair(strides)
    dh, dw = _pair(dilation_rate)
    kh, kw = kernel.shape[-2:]
    ih, iw = inputs.shape[-2:]
    ph = _same_total(ih, kh, sh, dh, _floor)
    pw = _same_total(iw, kw, sw, dw, _floor)
    if _extra_before:
        pads = [pw - pw // 2, pw // 2, ph - ph // 2, ph // 2]
    else:
        pads = [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2]
    x = F.pad(inputs, pads)
    return F.conv2d(x, kernel, bias, (sh, sw), 0, (dh, dw), groups)


def conv2d_tf_same_bug_before(inputs: Any, kernel: Any, bias: Any = None, strides: Any = 1,
                              dilation_rate: Any = 1, groups: int = 1) -> Any:
    """The odd padding element put before (PyTorch's F.pad takes (left, right, top,
    bottom); the pair written the wrong way round)."""
    return conv2d_tf_same(inputs, kernel, bias, strides, dilation_rate, groups,
                          _extra_before=True)


def conv2d_tf_same_bug_floor(inputs: Any, kernel: Any, bias: Any = None, strides: Any = 1,
                             dilation_rate: Any = 1, groups: int = 1) -> Any:
    """The output size taken as ``i // s`` instead of ``⌈i / s⌉``."""
    return conv2d_tf_same(inputs, kernel, bias, strides, dilation_rate, groups, _floor=True)


# =====================================================================================
# E. A max-pool layer: forward keeps np.argmax of every window, backward scatters
# =====================================================================================

class MaxPool2D:
    """``MaxPool2D(pool_size, stride)``, NCHW, no padding; ``forward`` returns the
    output, ``backward`` returns dx."""

    def __init__(self, pool_size: int = 2, stride: int | None = None) -> None:
        self.k = pool_size
        self.s = stride or pool_size

    def _pick(self, flat: np.ndarray) -> np.ndarray:
        return np.argmax(flat, axis=2)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        N, C, H, W = x.shape
        k, s = self.k, self.s
        self.Ho, self.Wo = (H - k) // s + 1, (W - k) // s + 1
        out = np.zeros((N, C, self.Ho, self.Wo), dtype=x.dtype)
        self.arg = np.zeros((N, C, self.Ho, self.Wo), dtype=np.int64)
        for i in range(self.Ho):
            for j in range(self.Wo):
                flat = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(N, C, -1)
                a = self._pick(flat)
                self.arg[:, :, i, j] = a
                out[:, :, i, j] = np.take_along_axis(flat, a[..., None], 2)[..., 0]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        N, C, _, _ = self.x_shape
        k, s = self.k, self.s
        dx = np.zeros(self.x_shape, dtype=dout.dtype)
        n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
        for i in range(self.Ho):
            for j in range(self.Wo):
                r, c = np.divmod(self.arg[:, :, i, j], k)
                self._scatter(dx, (n_idx, c_idx, i * s + r, j * s + c), dout[:, :, i, j])
        return dx

    def _scatter(self, dx: np.ndarray, where: tuple[np.ndarray, ...], g: np.ndarray) -> None:
        dx[where] += g


class MaxPool2D_bug_last_tie(MaxPool2D):
    """Ties go to the *last* maximum (``>=`` in a running comparison, written here as an
    argmax over the reversed window)."""

    def _pick(self, flat: np.ndarray) -> np.ndarray:
        return flat.shape[2] - 1 - np.argmax(flat[:, :, ::-1], axis=2)


class MaxPool2D_bug_overwrite(MaxPool2D):
    """The window's gradient written into a zeroed copy of the window (``dx[win] = mask *
    dout``): with overlapping windows (stride < size) the later window wipes the
    earlier one's gradient."""

    def backward(self, dout: np.ndarray) -> np.ndarray:
        N, C, _, _ = self.x_shape
        k, s = self.k, self.s
        dx = np.zeros(self.x_shape, dtype=dout.dtype)
        for i in range(self.Ho):
            for j in range(self.Wo):
                mask = np.zeros((N, C, k * k), dtype=dout.dtype)
                np.put_along_axis(mask, self.arg[:, :, i, j][..., None],
                                  dout[:, :, i, j][..., None], 2)
                dx[:, :, i * s:i * s + k, j * s:j * s + k] = mask.reshape(N, C, k, k)
        return dx


# =====================================================================================
# F. Coursera style pooling: NHWC, hparameters {"f", "stride"}, mode max/average
# =====================================================================================

def pool_forward(A_prev: np.ndarray, hparameters: dict[str, int], mode: str = "max",
                 _size: str = "floor") -> tuple[np.ndarray, Any]:
    (m, n_H_prev, n_W_prev, n_C) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    if _size == "floor":
        n_H = int(1 + (n_H_prev - f) / stride)
        n_W = int(1 + (n_W_prev - f) / stride)
    elif _size == "ceil":  # the slip: partial windows at the end
        n_H = int(np.ceil((n_H_prev - f) / stride)) + 1
        n_W = int(np.ceil((n_W_prev - f) / stride)) + 1
    else:  # "minus_one": the 1 + forgotten
        n_H = int((n_H_prev - f) / stride)
        n_W = int((n_W_prev - f) / stride)
    A = np.zeros((m, n_H, n_W, n_C), dtype=A_prev.dtype)
    for h in range(n_H):
        vert_start = h * stride
        vert_end = vert_start + f
        for w in range(n_W):
            horiz_start = w * stride
            horiz_end = horiz_start + f
            a_prev_slice = A_prev[:, vert_start:vert_end, horiz_start:horiz_end, :]
            if mode == "max":
                A[:, h, w, :] = np.max(a_prev_slice, axis=(1, 2))
            elif mode == "average":
                A[:, h, w, :] = np.mean(a_prev_slice, axis=(1, 2))
    cache = (A_prev, hparameters)
    return A, cache


def pool_forward_bug_ceil(A_prev: np.ndarray, hparameters: dict[str, int],
                          mode: str = "max") -> tuple[np.ndarray, Any]:
    """``np.ceil`` in the output size: the last partial window is pooled too."""
    return pool_forward(A_prev, hparameters, mode, _size="ceil")


def pool_forward_bug_minus_one(A_prev: np.ndarray, hparameters: dict[str, int],
                               mode: str = "max") -> tuple[np.ndarray, Any]:
    """``int((n_H_prev - f) / stride)`` without the ``1 +``."""
    return pool_forward(A_prev, hparameters, mode, _size="minus_one")


def distribute_value(dz: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    return np.ones((n_H, n_W)) * average[..., None, None]


def distribute_value_bug(dz: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    (n_H, n_W) = shape
    return np.ones((n_H, n_W)) * dz[..., None, None]


def pool_backward(dA: np.ndarray, cache: Any, mode: str = "average",
                  _distribute: Any = distribute_value) -> np.ndarray:
    """Coursera's ``pool_backward`` for ``mode='average'`` (vectorised over m and C)."""
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    _m, n_H, n_W, _n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape, dtype=dA.dtype)
    for h in range(n_H):
        for w in range(n_W):
            vs, hs = h * stride, w * stride
            da = dA[:, h, w, :]  # (m, C)
            dA_prev[:, vs:vs + f, hs:hs + f, :] += _distribute(da, (f, f)).transpose(
                0, 2, 3, 1)
    return dA_prev


def pool_backward_bug_not_divided(dA: np.ndarray, cache: Any, mode: str = "average"
                                  ) -> np.ndarray:
    """``distribute_value`` that copies ``dz`` to every element without dividing."""
    return pool_backward(dA, cache, mode, _distribute=distribute_value_bug)


# =====================================================================================
# G. A conv layer on scipy.signal.convolve2d, with backward
# =====================================================================================

class ScipyConvLayer:
    """``ScipyConvLayer(weight, bias, stride, padding)``; forward loops over samples,
    filters and channels with ``signal.convolve2d(x, rot180(w), 'valid')``; backward:
    ``dx += convolve2d(dilated dout, w, 'full')``, ``dw += correlate2d(x, dilated dout,
    'valid')``."""

    rotate_forward = True
    rotate_backward = True
    dilate_dout = True

    def __init__(self, weight: np.ndarray, bias: np.ndarray, stride: int = 1,
                 padding: int = 0) -> None:
        self.w, self.b, self.s, self.p = weight, bias, stride, padding

    def forward(self, x: np.ndarray) -> np.ndarray:
        from scipy import signal

        self.x = x
        p, s = self.p, self.s
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        self.xp = xp
        N, C = x.shape[:2]
        F = self.w.shape[0]
        kh, kw = self.w.shape[2:]
        Ho = (xp.shape[2] - kh) // s + 1
        Wo = (xp.shape[3] - kw) // s + 1
        out = np.zeros((N, F, Ho, Wo), dtype=np.result_type(x, self.w))
        for n in range(N):
            for f in range(F):
                acc = np.zeros((xp.shape[2] - kh + 1, xp.shape[3] - kw + 1), dtype=out.dtype)
                for c in range(C):
                    k = np.rot90(self.w[f, c], 2) if self.rotate_forward else self.w[f, c]
                    acc += signal.convolve2d(xp[n, c], k, mode="valid")
                out[n, f] = acc[::s, ::s] + self.b[f]
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from scipy import signal

        s, p = self.s, self.p
        N, C, H, W = self.x.shape
        F, _, kh, kw = self.w.shape
        Ho, Wo = dout.shape[2:]
        if self.dilate_dout:
            dd = np.zeros((N, F, (Ho - 1) * s + 1, (Wo - 1) * s + 1), dtype=dout.dtype)
            dd[:, :, ::s, ::s] = dout
        else:  # the slip: the stride forgotten in the backward pass
            dd = dout
        dxp = np.zeros(self.xp.shape, dtype=dout.dtype)
        dw = np.zeros(self.w.shape, dtype=dout.dtype)
        for n in range(N):
            for f in range(F):
                for c in range(C):
                    if self.rotate_backward:
                        full = signal.convolve2d(dd[n, f], self.w[f, c], mode="full")
                    else:
                        full = signal.correlate2d(dd[n, f], self.w[f, c], mode="full")
                    dxp[n, c, :full.shape[0], :full.shape[1]] += full
                    dw[f, c] += signal.correlate2d(self.xp[n, c], dd[n, f],
                                                   mode="valid")[:kh, :kw]
        db = dout.sum(axis=(0, 2, 3))
        return dxp[:, :, p:p + H, p:p + W], dw, db


class ScipyConvLayer_bug_no_rot(ScipyConvLayer):
    """``convolve2d(x, w, 'valid')`` without rotating the kernel: a true convolution."""

    rotate_forward = False


class ScipyConvLayer_bug_backward_correlate(ScipyConvLayer):
    """dx with ``correlate2d(dout, w, 'full')``: the kernel not rotated in backward."""

    rotate_backward = False


class ScipyConvLayer_bug_backward_stride(ScipyConvLayer):
    """The backward pass ignores the stride (dout not dilated)."""

    dilate_dout = False


# =====================================================================================
# H. nn.Conv2d with the weights copied in (torch backend)
# =====================================================================================

def conv2d_via_module(x: Any, weight: Any, bias: Any = None, stride: Any = 1,
                      padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Any:
    """Build ``nn.Conv2d``, copy the weights in, call it (the output keeps its grad_fn)."""
    import torch

    out_ch, in_per_group, kh, kw = weight.shape
    conv = torch.nn.Conv2d(in_per_group * groups, out_ch, (kh, kw), stride=stride,
                           padding=padding, dilation=dilation, groups=groups,
                           bias=bias is not None).to(dtype=x.dtype)
    with torch.no_grad():
        conv.weight.copy_(weight)
        if bias is not None:
            conv.bias.copy_(bias)
    return conv(x)


def conv2d_via_module_bug_float32(x: Any, weight: Any, bias: Any = None, stride: Any = 1,
                                  padding: Any = 0, dilation: Any = 1, groups: int = 1
                                  ) -> Any:
    """The module left in float32 (its default dtype), the input cast to match."""
    import torch

    out_ch, in_per_group, kh, kw = weight.shape
    conv = torch.nn.Conv2d(in_per_group * groups, out_ch, (kh, kw), stride=stride,
                           padding=padding, dilation=dilation, groups=groups,
                           bias=bias is not None)
    with torch.no_grad():
        conv.weight.copy_(weight)
        if bias is not None:
            conv.bias.copy_(bias)
        return conv(x.float()).to(x.dtype)


def conv2d_via_module_bug_reflect(x: Any, weight: Any, bias: Any = None, stride: Any = 1,
                                  padding: Any = 0, dilation: Any = 1, groups: int = 1
                                  ) -> Any:
    """``padding_mode='reflect'`` left over from style-transfer code."""
    import torch

    out_ch, in_per_group, kh, kw = weight.shape
    conv = torch.nn.Conv2d(in_per_group * groups, out_ch, (kh, kw), stride=stride,
                           padding=padding, dilation=dilation, groups=groups,
                           bias=bias is not None, padding_mode="reflect").to(dtype=x.dtype)
    with torch.no_grad():
        conv.weight.copy_(weight)
        if bias is not None:
            conv.bias.copy_(bias)
        return conv(x)


# =====================================================================================
# I. F.unfold / F.fold: conv and its input gradient (torch backend)
# =====================================================================================

def conv2d_unfold(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                  dilation: Any = 1, *, _hwc: bool = False, _no_dilation_size: bool = False
                  ) -> Any:
    """im2col with ``F.unfold``, one matmul, ``view`` back; no groups, explicit padding."""
    import torch.nn.functional as F

    N, _C, H, W = x.shape
    F_out, _, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    cols = F.unfold(x, (kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
    # the slip (_hwc): the kernel flattened (kh, kw, C) against unfold's (C, kh, kw) rows
    w2 = weight.permute(0, 2, 3, 1).reshape(F_out, -1) if _hwc else weight.reshape(F_out, -1)
    out = w2 @ cols
    if _no_dilation_size:
        Ho = (H + 2 * ph - kh) // sh + 1
        Wo = (W + 2 * pw - kw) // sw + 1
    else:
        Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = out.view(N, F_out, Ho, Wo)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out


def conv2d_unfold_bug_hwc(x: Any, weight: Any, bias: Any = None, stride: Any = 1,
                          padding: Any = 0, dilation: Any = 1) -> Any:
    """The kernel flattened as ``(kh, kw, C)`` (TF habit) against unfold's ``(C, kh, kw)``
    rows."""
    return conv2d_unfold(x, weight, bias, stride, padding, dilation, _hwc=True)


def conv2d_unfold_bug_size(x: Any, weight: Any, bias: Any = None, stride: Any = 1,
                           padding: Any = 0, dilation: Any = 1) -> Any:
    """The output size computed without the dilation: ``view`` fails when dilation > 1."""
    return conv2d_unfold(x, weight, bias, stride, padding, dilation, _no_dilation_size=True)


def conv2d_input_grad_fold(input_size: Any, weight: Any, grad_output: Any, stride: Any = 1,
                           padding: Any = 0, dilation: Any = 1, *, _drop: bool = False
                           ) -> Any:
    """col2im with ``F.fold``: ``dx = fold(Wᵀ · dy)``."""
    import torch
    import torch.nn.functional as F

    N, _C, H, W = (int(v) for v in input_size)
    F_out, _, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    cols = weight.reshape(F_out, -1).t() @ grad_output.reshape(N, F_out, -1)
    if not _drop:
        return F.fold(cols, (H, W), (kh, kw), dilation=(dh, dw), padding=(ph, pw),
                      stride=(sh, sw))
    # the slip: the size rebuilt from grad_output (leftover rows lost), then zero-padded
    Ho, Wo = grad_output.shape[2:]
    h = (Ho - 1) * sh + dh * (kh - 1) + 1 - 2 * ph
    w = (Wo - 1) * sw + dw * (kw - 1) + 1 - 2 * pw
    dx = F.fold(cols, (h, w), (kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
    return torch.nn.functional.pad(dx, (0, W - w, 0, H - h))


def conv2d_input_grad_fold_bug_leftover(input_size: Any, weight: Any, grad_output: Any,
                                        stride: Any = 1, padding: Any = 0,
                                        dilation: Any = 1) -> Any:
    """The input size rebuilt from grad_output, the rest zero-padded: the leftover rows
    that a window reaches through the padding lose their gradient."""
    return conv2d_input_grad_fold(input_size, weight, grad_output, stride, padding,
                                  dilation, _drop=True)


# =====================================================================================
# T. Gradients the autograd way, and the input gradient as conv_transpose2d (torch)
# =====================================================================================

def conv2d_weight_autograd(input: Any, weight_size: Any, grad_output: Any, stride: Any = 1,
                           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Any:
    import torch
    import torch.nn.functional as F

    w = torch.zeros(tuple(int(v) for v in weight_size), dtype=input.dtype,
                    requires_grad=True)
    y = F.conv2d(input, w, None, stride, padding, dilation, groups)
    y.backward(grad_output)
    return w.grad


def conv2d_input_grad_transpose(input_size: Any, weight: Any, grad_output: Any,
                                stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                                groups: int = 1, *, _output_padding: bool = True) -> Any:
    """dx = conv_transpose2d(dy, w, stride, padding, output_padding, groups, dilation),
    the output padding chosen so that dx has the input's size."""
    import torch.nn.functional as F

    H, W = (int(v) for v in tuple(input_size)[2:])
    kh, kw = weight.shape[2:]
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    Ho, Wo = grad_output.shape[2:]
    oph = H - ((Ho - 1) * sh - 2 * ph + dh * (kh - 1) + 1)
    opw = W - ((Wo - 1) * sw - 2 * pw + dw * (kw - 1) + 1)
    op = (oph, opw) if _output_padding else 0
    return F.conv_transpose2d(grad_output, weight, None, (sh, sw), (ph, pw), op, groups,
                              (dh, dw))


def conv2d_input_grad_transpose_bug_no_output_padding(
        input_size: Any, weight: Any, grad_output: Any, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1) -> Any:
    """``conv_transpose2d`` without ``output_padding``: dx too small when the stride left
    rows over."""
    return conv2d_input_grad_transpose(input_size, weight, grad_output, stride, padding,
                                       dilation, groups, _output_padding=False)


# =====================================================================================
# J. 1-d layer on np.convolve; signal-processing functions
# =====================================================================================

def conv1d_np(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
              padding: int = 0, *, _flip: bool = True, _one_side: bool = False
              ) -> np.ndarray:
    """x: (N, C, L), w: (F, C, K); ``np.convolve(x, w[::-1], 'valid')`` per sample, filter
    and channel. Note the bias is called ``b``."""
    pad = ((0, 0), (0, 0), (0, 2 * padding)) if _one_side else (
        (0, 0), (0, 0), (padding, padding))
    xp = np.pad(x, pad)
    N, C, L = xp.shape
    F, _, K = w.shape
    Lo = (L - K) // stride + 1
    out = np.zeros((N, F, Lo), dtype=np.result_type(x, w))
    for n in range(N):
        for f in range(F):
            for c in range(C):
                k = w[f, c][::-1] if _flip else w[f, c]
                out[n, f] += np.convolve(xp[n, c], k, mode="valid")[::stride]
            if b is not None:
                out[n, f] += b[f]
    return out


def conv1d_np_bug_no_flip(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
                          stride: int = 1, padding: int = 0) -> np.ndarray:
    """``np.convolve(x, w)`` straight: a true convolution, kernel flipped."""
    return conv1d_np(x, w, b, stride, padding, _flip=False)


def conv1d_np_bug_one_side(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
                           stride: int = 1, padding: int = 0) -> np.ndarray:
    """All ``2·padding`` zeros appended at the end."""
    return conv1d_np(x, w, b, stride, padding, _one_side=True)


def fft_convolve(in1: np.ndarray, in2: np.ndarray, mode: str = "full", *,
                 _circular: bool = False) -> np.ndarray:
    """1-d convolution through ``np.fft.rfft`` (real inputs), scipy's modes."""
    n1, n2 = len(in1), len(in2)
    n = max(n1, n2) if _circular else n1 + n2 - 1
    full = np.fft.irfft(np.fft.rfft(in1, n) * np.fft.rfft(in2, n), n)
    if _circular:  # the slip: no zero padding to n1 + n2 - 1: wrap-around
        full = np.concatenate([full, np.zeros(n1 + n2 - 1 - n)])
    full = full.astype(np.result_type(in1, in2, np.float32), copy=False)
    if mode == "full":
        return full
    if mode == "same":
        start = (n2 - 1) // 2
        return full[start:start + n1]
    lo, hi = min(n1, n2), max(n1, n2)
    return full[lo - 1:hi]


def fft_convolve_bug_circular(in1: np.ndarray, in2: np.ndarray, mode: str = "full"
                              ) -> np.ndarray:
    """FFT length ``max(n1, n2)``: a circular convolution (wrap-around)."""
    return fft_convolve(in1, in2, mode, _circular=True)


def correlate_via_convolve(in1: np.ndarray, in2: np.ndarray, mode: str = "full"
                           ) -> np.ndarray:
    """``correlate(a, b) = convolve(a, b[::-1])``: right for real inputs, but no
    conjugation for complex ones."""
    from scipy import signal

    return signal.convolve(in1, in2[::-1], mode)


# =====================================================================================
# K. Transposed convolution: zero insertion, padding, conv with the flipped kernel
# =====================================================================================

def _corr_nchw(x: np.ndarray, w: np.ndarray, dilation: tuple[int, int] = (1, 1)
               ) -> np.ndarray:
    """Stride-1 'valid' cross-correlation, NCHW × OIHW, by kernel taps."""
    dh, dw = dilation
    N, _C, H, W = x.shape
    F, _, kh, kw = w.shape
    Ho, Wo = H - dh * (kh - 1), W - dw * (kw - 1)
    out = np.zeros((N, F, max(Ho, 0), max(Wo, 0)), dtype=np.result_type(x, w))
    if Ho <= 0 or Wo <= 0:
        return out
    for a in range(kh):
        for b in range(kw):
            patch = x[:, :, a * dh:a * dh + Ho, b * dw:b * dw + Wo]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, a, b])
    return out


def _pad_or_crop(z: np.ndarray, before: tuple[int, int], after: tuple[int, int]
                 ) -> np.ndarray:
    for axis, (b, a) in enumerate(zip(before, after, strict=True), start=2):
        if b < 0:
            z = np.delete(z, np.s_[:-b], axis=axis)
            b = 0
        if a < 0:
            z = np.delete(z, np.s_[z.shape[axis] + a:], axis=axis)
            a = 0
        widths = [(0, 0)] * z.ndim
        widths[axis] = (b, a)
        z = np.pad(z, widths)
    return z


def conv_transpose2d_zero_insert(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
                                 stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                                 dilation: Any = 1, *, _flip: bool = True,
                                 _op_before: bool = False, _ignore_dilation_pad: bool = False
                                 ) -> np.ndarray:
    """x: (N, C_in, H, W), w: (C_in, C_out, kh, kw) as PyTorch; no groups."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (oh, ow), (dh, dw) = _pair(output_padding), _pair(dilation)
    N, C, H, W = x.shape
    kh, kw = w.shape[2:]
    z = np.zeros((N, C, (H - 1) * sh + 1, (W - 1) * sw + 1), dtype=x.dtype)
    z[:, :, ::sh, ::sw] = x
    eh = (kh - 1) if _ignore_dilation_pad else dh * (kh - 1)
    ew = (kw - 1) if _ignore_dilation_pad else dw * (kw - 1)
    before = (eh - ph, ew - pw)
    after = (eh - ph + oh, ew - pw + ow)
    if _op_before:
        before, after = (eh - ph + oh, ew - pw + ow), (eh - ph, ew - pw)
    z = _pad_or_crop(z, before, after)
    k = np.flip(w, (2, 3)) if _flip else w
    out = _corr_nchw(z, np.ascontiguousarray(k.transpose(1, 0, 2, 3)), (dh, dw))
    return out if bias is None else out + bias[None, :, None, None]


def conv_transpose2d_bug_no_flip(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
                                 stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                                 dilation: Any = 1) -> np.ndarray:
    """The kernel not flipped before the convolution."""
    return conv_transpose2d_zero_insert(x, w, bias, stride, padding, output_padding,
                                        dilation, _flip=False)


def conv_transpose2d_bug_op_before(x: np.ndarray, w: np.ndarray,
                                   bias: np.ndarray | None = None, stride: Any = 1,
                                   padding: Any = 0, output_padding: Any = 0,
                                   dilation: Any = 1) -> np.ndarray:
    """output_padding added at the top/left instead of the bottom/right."""
    return conv_transpose2d_zero_insert(x, w, bias, stride, padding, output_padding,
                                        dilation, _op_before=True)


def conv_transpose2d_bug_dilation_pad(x: np.ndarray, w: np.ndarray,
                                      bias: np.ndarray | None = None, stride: Any = 1,
                                      padding: Any = 0, output_padding: Any = 0,
                                      dilation: Any = 1) -> np.ndarray:
    """The zero-inserted input padded by ``k − 1 − p`` (the dilation forgotten)."""
    return conv_transpose2d_zero_insert(x, w, bias, stride, padding, output_padding,
                                        dilation, _ignore_dilation_pad=True)


# =====================================================================================
# L. A conv layer through the FFT (rfft2), stride 1
# =====================================================================================

def conv2d_fft(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
               padding: Any = 0, *, _first: bool = False) -> np.ndarray:
    """Pad, rfft2 both, multiply, irfft2, keep the 'valid' part (rows kh−1 …)."""
    ph, pw = _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    Hp, Wp = xp.shape[2:]
    kh, kw = w.shape[2:]
    X = np.fft.rfft2(xp, s=(Hp, Wp))
    K = np.fft.rfft2(w[:, :, ::-1, ::-1], s=(Hp, Wp))
    y = np.fft.irfft2(np.einsum("ncij,fcij->nfij", X, K), s=(Hp, Wp))
    Ho, Wo = Hp - kh + 1, Wp - kw + 1
    y = y[:, :, :Ho, :Wo] if _first else y[:, :, kh - 1:, kw - 1:]
    y = y.astype(np.result_type(x, w), copy=False)
    return y if bias is None else y + bias[None, :, None, None]


def conv2d_fft_bug_wrap(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
                        padding: Any = 0) -> np.ndarray:
    """The first ``Ho × Wo`` outputs of the circular convolution kept (wrap-around)."""
    return conv2d_fft(x, w, bias, padding, _first=True)


# =====================================================================================
# N. 'same' convolution on scipy.ndimage.correlate
# =====================================================================================

def conv2d_same_ndimage(input: np.ndarray, weight: np.ndarray, padding: str = "same", *,
                        _mode: str = "constant", _origin: bool = True) -> np.ndarray:
    """Only 'same' (stride 1): ``ndimage.correlate`` per (sample, filter, channel),
    zero boundary, the origin moved for even kernels (PyTorch puts the odd padding
    element after)."""
    from scipy import ndimage

    if padding != "same":
        raise ValueError("this function computes padding='same' only")
    N, C, H, W = input.shape
    F = weight.shape[0]
    kh, kw = weight.shape[2:]
    origin = (-(1 - kh % 2), -(1 - kw % 2)) if _origin else (0, 0)
    out = np.zeros((N, F, H, W), dtype=np.result_type(input, weight))
    for n in range(N):
        for f in range(F):
            for c in range(C):
                out[n, f] += ndimage.correlate(input[n, c], weight[f, c], mode=_mode,
                                               cval=0.0, origin=origin)
    return out


def conv2d_same_ndimage_bug_reflect(input: np.ndarray, weight: np.ndarray,
                                    padding: str = "same") -> np.ndarray:
    """``ndimage.correlate``'s default boundary, ``mode='reflect'``."""
    return conv2d_same_ndimage(input, weight, padding, _mode="reflect")


def conv2d_same_ndimage_bug_origin(input: np.ndarray, weight: np.ndarray,
                                   padding: str = "same") -> np.ndarray:
    """ndimage's centring for even kernels (the odd element before)."""
    return conv2d_same_ndimage(input, weight, padding, _origin=False)


# =====================================================================================
# O. Dilated conv by dilating the kernel with zeros
# =====================================================================================

def dilate_kernel(w: np.ndarray, d: tuple[int, int], *, _k_times_d: bool = False
                  ) -> np.ndarray:
    F, C, kh, kw = w.shape
    dh, dw = d
    size = (kh * dh, kw * dw) if _k_times_d else (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    out = np.zeros((F, C, *size), dtype=w.dtype)
    out[:, :, ::dh, ::dw] = w
    return out


def conv2d_dilated_kernel(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
                          stride: Any = 1, padding: Any = 0, dilation: Any = 1, *,
                          _k_times_d: bool = False) -> np.ndarray:
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    wd = dilate_kernel(w, _pair(dilation), _k_times_d=_k_times_d)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = _corr_nchw(xp, wd)[:, :, ::sh, ::sw]
    return out if bias is None else out + bias[None, :, None, None]


def conv2d_dilated_kernel_bug_size(x: np.ndarray, w: np.ndarray,
                                   bias: np.ndarray | None = None, stride: Any = 1,
                                   padding: Any = 0, dilation: Any = 1) -> np.ndarray:
    """The dilated kernel given ``k·d`` taps instead of ``d(k−1)+1``: extra zero rows."""
    return conv2d_dilated_kernel(x, w, bias, stride, padding, dilation, _k_times_d=True)


# =====================================================================================
# P. Max pool with indices through F.unfold (torch backend)
# =====================================================================================

def max_pool2d_unfold(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                      return_indices: bool = False, *, _window_index: bool = False,
                      _zero_pad: bool = False) -> Any:
    """Pad with -inf, unfold, max over each window; indices into the flattened H×W."""
    import torch
    import torch.nn.functional as F

    N, C, H, W = x.shape
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else (kh, kw))
    ph, pw = _pair(padding)
    fill = 0.0 if _zero_pad else float("-inf")
    xp = F.pad(x, (pw, pw, ph, ph), value=fill)
    Ho = (H + 2 * ph - kh) // sh + 1
    Wo = (W + 2 * pw - kw) // sw + 1
    cols = F.unfold(xp.reshape(N * C, 1, *xp.shape[2:]), (kh, kw), stride=(sh, sw))
    vals, arg = cols.max(dim=1)  # (N*C, L)
    out = vals.reshape(N, C, Ho, Wo)
    if not return_indices:
        return out
    if _window_index:
        return out, arg.reshape(N, C, Ho, Wo)
    L = torch.arange(Ho * Wo)
    rows = (L // Wo) * sh + arg // kw - ph
    cols_ = (L % Wo) * sw + arg % kw - pw
    return out, (rows * W + cols_).reshape(N, C, Ho, Wo)


def max_pool2d_unfold_bug_window_index(x: Any, kernel_size: Any, stride: Any = None,
                                       padding: Any = 0, return_indices: bool = False
                                       ) -> Any:
    """Indices returned as positions inside the window, not in the input."""
    return max_pool2d_unfold(x, kernel_size, stride, padding, return_indices,
                             _window_index=True)


def max_pool2d_unfold_bug_zero_pad(x: Any, kernel_size: Any, stride: Any = None,
                                   padding: Any = 0, return_indices: bool = False) -> Any:
    """Padded with zeros (``F.pad``'s default value) instead of -inf."""
    return max_pool2d_unfold(x, kernel_size, stride, padding, return_indices,
                             _zero_pad=True)


# =====================================================================================
# Q. Average pooling as a depthwise conv with a constant kernel (torch backend)
# =====================================================================================

def avg_pool2d_conv(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, *,
                    _exclude_pad: bool = False) -> Any:
    """``conv2d(x, ones/(kh·kw))`` on every channel (count_include_pad=True)."""
    import torch
    import torch.nn.functional as F

    N, C, H, W = x.shape
    kh, kw = _pair(kernel_size)
    s = _pair(stride if stride is not None else (kh, kw))
    p = _pair(padding)
    flat = x.reshape(N * C, 1, H, W)
    ones = torch.ones((1, 1, kh, kw), dtype=x.dtype)
    total = F.conv2d(flat, ones, stride=s, padding=p)
    if _exclude_pad:  # divide by the number of real pixels under the window
        count = F.conv2d(torch.ones_like(flat[:1]), ones, stride=s, padding=p)
        out = total / count
    else:
        out = total / (kh * kw)
    return out.reshape(N, C, *out.shape[2:])


def avg_pool2d_conv_bug_exclude_pad(x: Any, kernel_size: Any, stride: Any = None,
                                    padding: Any = 0) -> Any:
    """Divides by the pixels inside the input (TF's 'SAME' average), not the window."""
    return avg_pool2d_conv(x, kernel_size, stride, padding, _exclude_pad=True)


# =====================================================================================
# R. Coursera style conv_forward: NHWC, W (f, f, C_prev, C), b (1, 1, 1, C)
# =====================================================================================

def zero_pad(X: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant",
                  constant_values=(0, 0))


def conv_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
                 hparameters: dict[str, int], *, _bug: str = "") -> tuple[np.ndarray, Any]:
    (m, n_H_prev, n_W_prev, _) = A_prev.shape
    (f, f, _, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C), dtype=np.result_type(A_prev, W))
    A_prev_pad = zero_pad(A_prev, pad)
    for h in range(n_H):
        vert_start = h if _bug == "stride" else h * stride
        vert_end = vert_start + f
        for w in range(n_W):
            horiz_start = w if _bug == "stride" else w * stride
            horiz_end = horiz_start + f
            a_slice_prev = A_prev_pad[:, vert_start:vert_end, horiz_start:horiz_end, :]
            if _bug == "bias":  # bias inside the sum: added f·f·C_prev times
                Z[:, h, w, :] = np.sum(a_slice_prev[..., None] * W[None] + b, axis=(1, 2, 3))
            else:
                Z[:, h, w, :] = np.tensordot(a_slice_prev, W, axes=([1, 2, 3], [0, 1, 2])
                                             ) + b[0, 0, 0, :]
    cache = (A_prev, W, b, hparameters)
    return Z, cache


def conv_forward_bug_stride(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
                            hparameters: dict[str, int]) -> tuple[np.ndarray, Any]:
    """``vert_start = h`` (the stride forgotten in the slice, kept in the size)."""
    return conv_forward(A_prev, W, b, hparameters, _bug="stride")


def conv_forward_bug_bias(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
                          hparameters: dict[str, int]) -> tuple[np.ndarray, Any]:
    """The bias added inside the window sum, once per kernel element."""
    return conv_forward(A_prev, W, b, hparameters, _bug="bias")


# =====================================================================================
# M. MobileNet-style depthwise conv: NHWC, (kh, kw, C, multiplier), always depthwise
# =====================================================================================

def depthwise_conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0,
                     *, _order: str = "cm") -> np.ndarray:
    """Output channel ``c·M + m`` (TensorFlow's order)."""
    N, _H, _W, _C = x.shape
    kh, kw, _, _M = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    Ho = (xp.shape[1] - kh) // stride + 1
    Wo = (xp.shape[2] - kw) // stride + 1
    win = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride][:, :Ho, :Wo]
    out = np.einsum("nhwcij,ijcm->nhwcm", win, w)
    if _order == "mc":  # the slip: channels laid out multiplier-major
        out = out.transpose(0, 1, 2, 4, 3)
    return out.reshape(N, Ho, Wo, -1)


def depthwise_conv2d_bug_order(x: np.ndarray, w: np.ndarray, stride: int = 1,
                               padding: int = 0) -> np.ndarray:
    """Output channels in ``m·C + c`` order."""
    return depthwise_conv2d(x, w, stride, padding, _order="mc")


def as_torch_depthwise(fn: Any) -> Any:
    """``fn`` (above) in the checker's convention: groups must equal C_in (else
    Unsupported), weight ``(C·M, 1, kh, kw)`` ↔ ``(kh, kw, C, M)``."""

    def call(input: np.ndarray, weight: np.ndarray, stride: int = 1, padding: int = 0,
             groups: int = 1) -> np.ndarray:
        C = input.shape[1]
        if groups != C or weight.shape[1] != 1:
            raise Unsupported("depthwise only (groups == C_in)")
        kh, kw = weight.shape[2:]
        w = weight[:, 0].reshape(C, -1, kh, kw).transpose(2, 3, 0, 1)
        return fn(input.transpose(0, 2, 3, 1), w, stride, padding).transpose(0, 3, 1, 2)

    call.__name__ = call.__qualname__ = f"as_torch_depthwise({fn.__name__})"
    return call



# =====================================================================================
# A'. cs231n "fast layers" style: im2col_indices with the shape assertion
# =====================================================================================

def conv_forward_im2col(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                        conv_param: dict[str, int]) -> tuple[np.ndarray, Any]:
    """``conv_param = {'stride', 'pad'}``; asserts that the windows tile the padded input
    exactly, as the original does (its API: no leftover rows)."""
    N, _C, H, W = x.shape
    num_filters, _, filter_height, filter_width = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    assert (W + 2 * pad - filter_width) % stride == 0, "width does not work"
    assert (H + 2 * pad - filter_height) % stride == 0, "height does not work"
    out_height = (H + 2 * pad - filter_height) // stride + 1
    out_width = (W + 2 * pad - filter_width) // stride + 1
    x_cols = im2col_indices(x, filter_height, filter_width, pad, stride)
    res = w.reshape((w.shape[0], -1)).dot(x_cols) + b.reshape(-1, 1)
    out = res.reshape(num_filters, out_height, out_width, N).transpose(3, 0, 1, 2)
    return out, (x, w, b, conv_param, x_cols)


# =====================================================================================
# Q'. Average pooling as a box filter: normalised kernel; summed-area table
# =====================================================================================

def avg_pool2d_box_kernel(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0
                          ) -> Any:
    """``conv2d(x, ones / (kh·kw))``: the weights already hold the divisor (torch)."""
    import torch
    import torch.nn.functional as F

    N, C, H, W = x.shape
    kh, kw = _pair(kernel_size)
    s = _pair(stride if stride is not None else (kh, kw))
    box = torch.full((1, 1, kh, kw), 1.0 / (kh * kw), dtype=x.dtype)
    out = F.conv2d(x.reshape(N * C, 1, H, W), box, stride=s, padding=_pair(padding))
    return out.reshape(N, C, *out.shape[2:])


def avg_pool2d_integral(x: np.ndarray, kernel_size: Any, stride: Any = None) -> np.ndarray:
    """A summed-area table (integral image): each window sum is four lookups."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else (kh, kw))
    N, C, H, W = x.shape
    S = np.zeros((N, C, H + 1, W + 1), dtype=x.dtype)
    S[:, :, 1:, 1:] = x.cumsum(2).cumsum(3)
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    r = np.arange(Ho) * sh
    c = np.arange(Wo) * sw
    tot = (S[:, :, r[:, None] + kh, c[None, :] + kw] - S[:, :, r[:, None], c[None, :] + kw]
           - S[:, :, r[:, None] + kh, c[None, :]] + S[:, :, r[:, None], c[None, :]])
    return tot / (kh * kw)
