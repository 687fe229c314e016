"""The reference: :mod:`convmath.numeric`, called in float64 on the exact input values.

Everything the checkers compare against goes through here, so the reference is looked up
in one place (lazily: a checker that is never called never imports it). Helpers put a
case's parameters in canonical per-axis form and express string padding (``'same'``,
``'valid'``) as explicit, possibly asymmetric, ``(before, after)`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from convmath.errors import ConvmathError

__all__ = ["conv_pads", "numeric", "per_axis", "reference_conv"]


def numeric(name: str) -> Callable[..., Any]:
    """``convmath.numeric.<name>``, with a clear error if it is missing."""
    import convmath.numeric as mod

    fn = getattr(mod, name, None)
    if fn is None:
        raise ConvmathError(
            f"convmath.numeric.{name} is not available in this installation; the checkers "
            "use it as their reference"
        )
    return fn  # type: ignore[no-any-return]


def per_axis(value: Any, ndim: int, default: int) -> list[int]:
    """An int, a 1-tuple or a per-axis tuple (or ``None``) as a list of ``ndim`` ints."""
    if value is None:
        return [default] * ndim
    if isinstance(value, (int, np.integer)):
        return [int(value)] * ndim
    vals = [int(v) for v in value]
    return vals * ndim if len(vals) == 1 else vals


def conv_pads(kwargs: dict[str, Any], ks: list[int], ds: list[int]) -> list[tuple[int, int]]:
    """``(before, after)`` padding per axis, resolving PyTorch's ``'same'``/``'valid'``."""
    pad = kwargs.get("padding", 0)
    if pad == "valid":
        return [(0, 0)] * len(ks)
    if pad == "same":
        out = []
        for k, d in zip(ks, ds, strict=True):
            total = d * (k - 1)
            out.append((total // 2, total - total // 2))
        return out
    return [(p, p) for p in per_axis(pad, len(ks), 0)]


def reference_conv(
    x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, stride: list[int],
    pads: list[tuple[int, int]], dilation: list[int], groups: int,
) -> np.ndarray:
    """``convmath.numeric.conv`` with explicit (possibly asymmetric) padding."""
    conv = numeric("conv")
    xp = np.pad(x, [(0, 0), (0, 0), *pads]) if any(a or b for a, b in pads) else x
    xp, w = np.ascontiguousarray(xp), np.ascontiguousarray(w)
    return np.asarray(conv(xp, w, bias, tuple(stride), 0, tuple(dilation), groups))
