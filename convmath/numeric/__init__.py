"""Trusted reference implementations of convolution, its gradients and pooling.

Conventions: the layer API (``conv``, ``conv_transpose``, gradients, pooling) follows
PyTorch exactly — cross-correlation, ``(N, C, *spatial)`` layout; the signal API
(``convolve``, ``correlate``) follows ``scipy.signal``. Where libraries disagree ('same',
modes, padding splits): :func:`conventions_table`.
"""

from __future__ import annotations

from convmath.numeric._conv import conv
from convmath.numeric._conventions import conventions, conventions_table
from convmath.numeric._grad import conv_bias_grad, conv_input_grad, conv_weight_grad
from convmath.numeric._network import (
    FLOP_CONVENTIONS,
    PRESETS,
    LayerInfo,
    NetworkInfo,
    explain_layer,
    network_shapes,
)
from convmath.numeric._pad import PADDING_MODES
from convmath.numeric._pool import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    avg_pool_grad,
    max_pool,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_pool_grad,
)
from convmath.numeric._shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
    tf_same_padding,
)
from convmath.numeric._signal import choose_method, convolve, correlate
from convmath.numeric._transpose import conv_transpose

__all__ = [
    "FLOP_CONVENTIONS",
    "PADDING_MODES",
    "PRESETS",
    "LayerInfo",
    "NetworkInfo",
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "avg_pool_grad",
    "choose_method",
    "conv",
    "conv_bias_grad",
    "conv_input_grad",
    "conv_output_size",
    "conv_transpose",
    "conv_transpose_output_size",
    "conv_weight_grad",
    "conventions",
    "conventions_table",
    "convolve",
    "correlate",
    "explain_layer",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool_grad",
    "network_shapes",
    "pool_output_size",
    "same_padding",
    "tf_same_padding",
]
