"""A test-only stand-in for convmath.numeric functions that are not merged yet.

The shipped checkers always use ``convmath.numeric``; while a function is missing there
(it is being written on another branch), these tests install this torch/scipy-based
float64 stand-in under the same name, so the checker framework can be tested. Once the
real function exists, it is used and this module is inert.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _t(a: Any) -> Any:
    import torch

    return None if a is None else torch.from_numpy(np.array(a, dtype=np.float64))


def _fn(name: str, nd: int) -> Any:
    import torch.nn.functional as F

    return getattr(F, f"{name}{nd}d")


def conv(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    nd = np.ndim(w) - 2
    return _fn("conv", nd)(_t(x), _t(w), _t(bias), stride, padding, dilation, groups).numpy()


def conv_transpose(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # type: ignore[no-untyped-def]
                   dilation=1):
    nd = np.ndim(w) - 2
    return _fn("conv_transpose", nd)(_t(x), _t(w), _t(bias), stride, padding, output_padding,
                                     groups, dilation).numpy()


def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    import torch.nn.grad as G

    nd = np.ndim(weight) - 2
    f = getattr(G, f"conv{nd}d_input")
    return f(list(input_size), _t(weight), _t(grad_output), stride, padding, dilation,
             groups).numpy()


def conv_weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    import torch.nn.grad as G

    nd = len(weight_size) - 2
    f = getattr(G, f"conv{nd}d_weight")
    return f(_t(input), list(weight_size), _t(grad_output), stride, padding, dilation,
             groups).numpy()


def max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # type: ignore[no-untyped-def]
             return_indices=False):
    nd = np.ndim(x) - 2
    out = _fn("max_pool", nd)(_t(x), kernel_size, stride, padding, dilation, ceil_mode,
                              return_indices)
    if return_indices:
        return out[0].numpy(), out[1].numpy()
    return out.numpy()


def avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # type: ignore[no-untyped-def]
             divisor_override=None):
    import torch.nn.functional as F

    nd = np.ndim(x) - 2
    if nd == 1:
        def one(v: Any) -> Any:
            return v if isinstance(v, int) or v is None else next(iter(v))
        k, s, p = one(kernel_size), one(stride), one(padding)
        out = F.avg_pool2d(_t(x)[:, :, None], (1, k), None if s is None else (1, s), (0, p),
                           ceil_mode, count_include_pad, divisor_override)
        return out[:, :, 0].numpy()
    return _fn("avg_pool", nd)(_t(x), kernel_size, stride, padding, ceil_mode,
                               count_include_pad, divisor_override).numpy()


def convolve(in1, in2, mode="full", method="direct"):  # type: ignore[no-untyped-def]
    import scipy.signal

    return scipy.signal.convolve(in1, in2, mode=mode, method=method)


def correlate(in1, in2, mode="full", method="direct"):  # type: ignore[no-untyped-def]
    import scipy.signal

    return scipy.signal.correlate(in1, in2, mode=mode, method=method)


NAMES = ("conv", "conv_transpose", "conv_input_grad", "conv_weight_grad", "max_pool",
         "avg_pool", "convolve", "correlate")


def install() -> list[str]:
    """Install the stand-in for every missing convmath.numeric function; return their names."""
    import convmath.numeric as numeric

    missing = [n for n in NAMES if not hasattr(numeric, n)]
    for n in missing:
        setattr(numeric, n, globals()[n])
    return missing


STANDIN = install()
