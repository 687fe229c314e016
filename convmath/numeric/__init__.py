"""Trusted reference implementations of convolution, its gradients and pooling.

Conventions (see DESIGN.md): the layer API (``conv``, ``conv_transpose``, gradients,
pooling) follows PyTorch exactly — cross-correlation, ``(N, C, *spatial)`` layout; the
signal API (``convolve``, ``correlate``) follows ``scipy.signal``.
"""

from __future__ import annotations

from convmath.numeric._network import PRESETS, LayerInfo, NetworkInfo, network_shapes
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)

__all__ = [
    "PRESETS",
    "LayerInfo",
    "NetworkInfo",
    "conv_output_size",
    "conv_transpose_output_size",
    "network_shapes",
    "pool_output_size",
    "same_padding",
]
