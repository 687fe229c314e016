"""Trusted reference implementations of convolution, its gradients and pooling.

Conventions (see DESIGN.md): the layer API (``conv``, ``conv_transpose``, gradients,
pooling) follows PyTorch exactly — cross-correlation, ``(N, C, *spatial)`` layout; the
signal API (``convolve``, ``correlate``) follows ``scipy.signal``.
"""

from __future__ import annotations

from convmath.numeric._pool import avg_pool, avg_pool_grad, max_pool, max_pool_grad
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)
from convmath.numeric._signal import choose_method, convolve, correlate

__all__ = [
    "avg_pool",
    "avg_pool_grad",
    "choose_method",
    "conv_output_size",
    "conv_transpose_output_size",
    "convolve",
    "correlate",
    "max_pool",
    "max_pool_grad",
    "pool_output_size",
    "same_padding",
]
