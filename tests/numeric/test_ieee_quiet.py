"""NaN and ±inf inputs are data: every numeric function computes their IEEE result without
NumPy RuntimeWarnings (which ``-W error`` would turn into exceptions), as PyTorch does."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from convmath import numeric
from convmath.numeric import _pool_reference, _signal_reference, reference

X = np.array([[[[np.inf, -np.inf, 1.0], [np.nan, 1e308, 2.0], [3.0, -1e308, 0.0]]]])
W = np.array([[[[np.inf, 1.0], [0.0, 1e308]]]])
H = np.array([[6e4, np.inf], [-np.inf, 1.0]], dtype=np.float16)
G = np.full((1, 1, 2, 2), np.inf)

CALLS: dict[str, Callable[[], Any]] = {
    "conv": lambda: numeric.conv(X, W, padding=1),
    "conv float16": lambda: numeric.conv(H[None, None], H[None, None]),
    "conv_transpose": lambda: numeric.conv_transpose(X, W, stride=2),
    "conv_input_grad": lambda: numeric.conv_input_grad(X.shape, W, G),
    "conv_weight_grad": lambda: numeric.conv_weight_grad(X, W.shape, G),
    "conv_bias_grad": lambda: numeric.conv_bias_grad(np.array([[[np.inf, -np.inf]]])),
    "convolve": lambda: numeric.convolve(X[0, 0], W[0, 0]),
    "correlate float16": lambda: numeric.correlate(H, H),
    "max_pool": lambda: numeric.max_pool2d(X, 2, stride=1, padding=1),
    "avg_pool": lambda: numeric.avg_pool2d(X, 2, stride=1, padding=1),
    "max_pool_grad": lambda: numeric.max_pool_grad(X, G, 2, stride=1, ndim=2),
    "avg_pool_grad": lambda: numeric.avg_pool_grad(X.shape, G, 2, stride=1, ndim=2),
    "reference.conv": lambda: reference.conv(X, W, padding=1),
    "reference.conv_transpose": lambda: reference.conv_transpose(X, W, stride=2),
    "reference.conv_input_grad": lambda: reference.conv_input_grad(X.shape, W, G),
    "reference.conv_weight_grad": lambda: reference.conv_weight_grad(X, W.shape, G),
    "definitional_avg_pool": lambda: _pool_reference.definitional_avg_pool(
        X, (2, 2), (1, 1), (1, 1), False, True, None),
    "definitional_convolve": lambda: _signal_reference.definitional_convolve(H, H),
    "definitional_convolve inf - inf": lambda: _signal_reference.definitional_convolve(
        np.array([np.inf, -np.inf]), np.array([1.0, 1.0])),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_nonfinite_inputs_compute_without_warnings(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = np.asarray(CALLS[name]())
    assert out.size and not np.isfinite(out).all()  # the non-finite values did propagate


def test_warnings_would_be_seen() -> None:
    # The test above can fail: the same kind of arithmetic, unprotected, raises.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            _ = np.array([np.inf]) - np.array([np.inf])
